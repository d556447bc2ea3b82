//! The engine module's bindings: an ONNX network run by tract, nothing of
//! the sanitizers. The sanitizer module's image detectors call `run` through
//! the function the JavaScript wrapper hands them.

use wasm_bindgen::prelude::*;

use super::{core_error, js_error};
use crate::detect::{Engine, TractEngine};

/// One network.
#[wasm_bindgen]
pub struct WasmEngine {
    engine: TractEngine,
}

#[wasm_bindgen]
impl WasmEngine {
    /// Reads an ONNX model.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8]) -> Result<WasmEngine, JsValue> {
        Ok(WasmEngine {
            engine: TractEngine::from_onnx(model).map_err(core_error)?,
        })
    }

    /// Runs the network on `input` of `shape`: its first output, flattened.
    pub fn run(&self, input: &[f32], shape: &[u32]) -> Result<Vec<f32>, JsValue> {
        let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        let count = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if count != Some(input.len()) {
            return Err(js_error(
                "model.run",
                &format!("{} values do not fill a {shape:?} tensor", input.len()),
            ));
        }
        self.engine.run(input, &shape).map_err(core_error)
    }
}
