//! What runs a detector's network: an [`Engine`] takes one input tensor and
//! returns the model's output. The features that go in are computed by the
//! detector itself, in Rust, so every engine sees the same numbers.
//!
//! Engines: tract (pure Rust; natively and, in the npm package, in a wasm
//! module of its own), ONNX Runtime natively, and in wasm a function the
//! JavaScript wrapper passes in (which calls that tract module).

use crate::error::Result;

/// Runs one network.
pub trait Engine: Send + Sync + std::fmt::Debug {
    /// Which engine this is, e.g. `tract` or `onnxruntime (CUDA)`.
    fn name(&self) -> String;

    /// Runs the network on `input`, a float32 tensor of `shape` (row-major),
    /// and returns its first output, flattened.
    ///
    /// # Errors
    /// `model.run` when the engine fails (a shape the network does not take).
    fn run(&self, input: &[f32], shape: &[usize]) -> Result<Vec<f32>>;
}
