//! Learned detectors: small models, trained by the pipeline in `training/`
//! and shipped in `models/`, that score how likely an input is an attack.
//! The scores are signals beside the guards' own checks, never a filter of
//! their own (see each model's card).
//!
//! A [`Detector`] turns one input into a [`Scored`]: the model's own score,
//! the calibrated score the report and the policy use, and the threshold its
//! training chose. The guard runs the detectors it was given
//! ([`crate::Guard::with_text_detector`]); [`Fixed`] is a deterministic
//! stand-in for tests of everything around a model.
//!
//! The text detector (prompt injection and jailbreak) is a logistic
//! regression over hashed byte n-grams. Its features are computed here, the
//! same way as in training, and its score as a sparse dot product with the
//! weights read from the ONNX file: a text has a few hundred nonzero
//! features out of 262,144, which a dense engine would multiply one by one.
//!
//! The image detectors (adversarial perturbations, typographic images) are
//! small CNNs: their inputs are computed here from the decoded pixels, and
//! their networks run on an [`Engine`] (tract with the `detect` feature).

mod audio;
mod engine;
mod image;
mod onnx;
#[cfg(all(feature = "ort", not(target_arch = "wasm32")))]
mod ort;
mod text;
#[cfg(feature = "detect")]
mod tract;

pub use audio::{AudioDetector, AudioView};
pub use engine::Engine;
pub use image::{ImageDetector, ImageDetectorKind, ImageView};
#[cfg(all(feature = "ort", not(target_arch = "wasm32")))]
pub use ort::{OrtEngine, Providers};
pub use text::{TextDetector, TextInput};
#[cfg(feature = "detect")]
pub use tract::TractEngine;

use crate::error::Result;

/// What a detector says of one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The model's own score, 0 to 1.
    pub model: f64,
    /// The score the policy compares with its threshold, 0 to 1: the model's
    /// score calibrated, for text combined with the guard's heuristics.
    pub score: f64,
    /// The threshold the model's training chose for `score` (1% false
    /// positives on its validation split); a policy may set its own.
    pub threshold: f64,
}

/// A learned detector of inputs of type `I`.
pub trait Detector<I: ?Sized>: Send + Sync + std::fmt::Debug {
    /// The model's name, e.g. `text-injection`.
    fn name(&self) -> &str;

    /// Scores one input.
    ///
    /// # Errors
    /// An input the model cannot take (a detector's own documented codes).
    fn score(&self, input: &I) -> Result<Scored>;

    /// What runs its model, e.g. `tract` or `onnxruntime (CUDA)`.
    fn engine(&self) -> String {
        String::from("built in")
    }
}

/// A shared detector is a detector: one model, read once, serves many guards.
impl<I: ?Sized, D: Detector<I> + ?Sized> Detector<I> for std::sync::Arc<D> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn score(&self, input: &I) -> Result<Scored> {
        (**self).score(input)
    }

    fn engine(&self) -> String {
        (**self).engine()
    }
}

/// A detector that gives every input the same score: for testing what the
/// guard, the policy and the report do with a score, without a model.
///
/// ```
/// use mmguard::detect::{Detector, Fixed, TextInput};
///
/// let fake = Fixed { model: 0.9, score: 0.8, threshold: 0.5 };
/// let scored = fake.score(&TextInput { text: "anything", heuristic: 0.0 }).unwrap();
/// assert_eq!(scored.score, 0.8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    /// [`Scored::model`] for every input.
    pub model: f64,
    /// [`Scored::score`] for every input.
    pub score: f64,
    /// [`Scored::threshold`].
    pub threshold: f64,
}

impl<I: ?Sized> Detector<I> for Fixed {
    fn name(&self) -> &str {
        "fixed"
    }

    fn score(&self, _input: &I) -> Result<Scored> {
        Ok(Scored {
            model: self.model,
            score: self.score,
            threshold: self.threshold,
        })
    }
}
