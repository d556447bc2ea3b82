//! ONNX Runtime as an engine (native, feature `ort`): the library is loaded at
//! run time from a path, once per process, and each session registers
//! TensorRT, then CUDA, each only where the library has it and registration
//! succeeds, and otherwise runs on the CPU. Which one runs is in
//! [`Engine::name`], e.g. `onnxruntime 1.31 (CUDA)`.
//!
//! The library comes from the PyPI wheels: `onnxruntime` (CPU) or
//! `onnxruntime-gpu` (CUDA, TensorRT), `onnxruntime/capi/libonnxruntime.so.*`.
//! ONNX Runtime 1.31 or later.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use ort::ep::{self, ExecutionProvider};
use ort::session::Session;
use ort::value::Tensor;

use super::Engine;
use crate::error::{Error, Result};

/// Where the engine may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Providers {
    /// TensorRT, then CUDA, then the CPU: the first that registers.
    #[default]
    GpuFirst,
    /// The CPU only.
    Cpu,
}

/// The library loaded, and the one environment ONNX Runtime allows per
/// process; or why it could not be.
static RUNTIME: OnceLock<std::result::Result<(PathBuf, Environment), String>> = OnceLock::new();

fn runtime_error(what: String) -> Error {
    Error::model("model.runtime", what)
}

/// The environment of the library at `library`, loading it the first time.
fn environment(library: &Path) -> Result<Environment> {
    let wanted = std::path::absolute(library).unwrap_or_else(|_| library.to_path_buf());
    // ort resolves a relative path against the executable and panics if it
    // has none; a path that is not a file is refused here, and not
    // remembered, so a later call with the right path still loads.
    if RUNTIME.get().is_none() && !wanted.is_file() {
        return Err(runtime_error(format!(
            "ONNX Runtime could not be loaded: no library at {}",
            wanted.display()
        )));
    }
    let loaded = RUNTIME.get_or_init(|| {
        let builder = ort::init_from(&wanted).map_err(|e| e.to_string())?;
        let env = builder
            .with_name("mmguard")
            .build()
            .map_err(|e| e.to_string())?;
        Ok((wanted.clone(), env))
    });
    match loaded {
        Ok((path, env)) if *path == wanted => Ok(env.clone()),
        Ok((path, _)) => Err(runtime_error(format!(
            "ONNX Runtime is already loaded from {} in this process; {} cannot be loaded beside it",
            path.display(),
            wanted.display()
        ))),
        Err(why) => Err(runtime_error(format!(
            "ONNX Runtime could not be loaded: {why}"
        ))),
    }
}

/// An ONNX model run by ONNX Runtime. Sessions need exclusive access to
/// run, so calls from several threads take turns; batch inputs (see
/// [`super::ImageDetector::score_batch`]) to use the device well.
pub struct OrtEngine {
    session: Mutex<Session>,
    provider: &'static str,
}

impl std::fmt::Debug for OrtEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtEngine")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl OrtEngine {
    /// A session of `model`, with ONNX Runtime loaded from `library`.
    ///
    /// # Errors
    /// `model.runtime` when the library cannot be loaded (missing, not ONNX
    /// Runtime, older than 1.31), `model.malformed` when it refuses the model.
    pub fn from_onnx(model: &[u8], library: &Path, providers: Providers) -> Result<OrtEngine> {
        let env = environment(library)?;
        let mut builder = Session::builder(&env)
            .map_err(|e| runtime_error(format!("ONNX Runtime could not start a session: {e}")))?;
        let mut provider = "CPU";
        if providers == Providers::GpuFirst {
            // Registered one at a time, so the report can say which one runs:
            // a list given at once would fall back silently.
            let tensorrt = ep::TensorRT::default();
            let cuda = ep::CUDA::default();
            if ep::TensorRT::is_available().unwrap_or(false)
                && tensorrt.register(&mut builder).is_ok()
            {
                provider = "TensorRT";
            } else if ep::CUDA::is_available().unwrap_or(false)
                && cuda.register(&mut builder).is_ok()
            {
                provider = "CUDA";
            }
        }
        let session = builder.commit_from_memory(model).map_err(|e| {
            Error::model(
                "model.malformed",
                format!("ONNX Runtime refused the model: {e}"),
            )
        })?;
        Ok(OrtEngine {
            session: Mutex::new(session),
            provider,
        })
    }

    /// The execution provider the session registered: `TensorRT`, `CUDA` or `CPU`.
    pub fn provider(&self) -> &'static str {
        self.provider
    }
}

fn run_error(e: impl std::fmt::Display) -> Error {
    Error::model("model.run", format!("the network could not run: {e}"))
}

impl Engine for OrtEngine {
    fn name(&self) -> String {
        format!("onnxruntime ({})", self.provider)
    }

    fn run(&self, input: &[f32], shape: &[usize]) -> Result<Vec<f32>> {
        let tensor = Tensor::from_array((shape.to_vec(), input.to_vec())).map_err(run_error)?;
        let mut session = self.session.lock().map_err(run_error)?;
        let outputs = session.run(ort::inputs![tensor]).map_err(run_error)?;
        let first = outputs
            .values()
            .next()
            .ok_or_else(|| run_error("it gave no output"))?;
        let (_, data) = first.try_extract_tensor::<f32>().map_err(run_error)?;
        Ok(data.to_vec())
    }
}
