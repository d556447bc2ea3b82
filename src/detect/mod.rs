//! Learned detectors: small models, trained by the pipeline in `training/`
//! and shipped in `models/`, that score how likely an input is an attack.
//! The scores are signals beside the guards' own checks, never a filter of
//! their own (see each model's card).
//!
//! So far: the text detector (prompt injection and jailbreak), a logistic
//! regression over hashed byte n-grams. Its features are computed here, the
//! same way as in training, and its score as a sparse dot product with the
//! weights read from the ONNX file: a text has a few hundred nonzero
//! features out of 262,144, which a dense engine would multiply one by one.

mod onnx;
mod text;

pub use text::TextDetector;
