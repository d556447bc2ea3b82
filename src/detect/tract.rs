//! The tract engine: ONNX graphs run in pure Rust. A plan is optimized for
//! each input shape the first time it is seen (a detector uses one or two:
//! its batch is the number of crops of an image) and kept.

use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;

use super::Engine;
use crate::error::{Error, Result};

/// Shapes planned for, at most: a detector needs one per crop count.
const MAX_PLANS: usize = 16;

type Plan = Arc<TypedSimplePlan>;

/// An ONNX model run by tract.
pub struct TractEngine {
    model: InferenceModel,
    plans: Mutex<Vec<(Vec<usize>, Plan)>>,
}

impl std::fmt::Debug for TractEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TractEngine").finish_non_exhaustive()
    }
}

fn run_error(e: impl std::fmt::Display) -> Error {
    Error::model("model.run", format!("the network could not run: {e}"))
}

impl TractEngine {
    /// Reads an ONNX model.
    ///
    /// # Errors
    /// `model.malformed` when tract cannot read it.
    pub fn from_onnx(model: &[u8]) -> Result<TractEngine> {
        let model = tract_onnx::onnx()
            .model_for_read(&mut &model[..])
            .map_err(|e| {
                Error::model(
                    "model.malformed",
                    format!("the model is not an ONNX model tract reads: {e}"),
                )
            })?;
        Ok(TractEngine {
            model,
            plans: Mutex::new(Vec::new()),
        })
    }

    fn plan(&self, shape: &[usize]) -> Result<Plan> {
        let mut plans = self.plans.lock().map_err(run_error)?;
        if let Some((_, p)) = plans.iter().find(|(s, _)| s == shape) {
            return Ok(Arc::clone(p));
        }
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact(shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| {
                Error::model(
                    "model.unsupported",
                    format!("the network does not take a {shape:?} input: {e}"),
                )
            })?;
        if plans.len() >= MAX_PLANS {
            plans.remove(0);
        }
        plans.push((shape.to_vec(), Arc::clone(&plan)));
        Ok(plan)
    }
}

impl Engine for TractEngine {
    fn name(&self) -> String {
        String::from("tract")
    }

    fn run(&self, input: &[f32], shape: &[usize]) -> Result<Vec<f32>> {
        let tensor = Tensor::from_shape(shape, input).map_err(run_error)?;
        let outputs = self
            .plan(shape)?
            .run(tvec!(tensor.into_tvalue()))
            .map_err(run_error)?;
        let first = outputs
            .first()
            .ok_or_else(|| run_error("it gave no output"))?;
        let view = first.to_plain_array_view::<f32>().map_err(run_error)?;
        Ok(view.iter().copied().collect())
    }
}
