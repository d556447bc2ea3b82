//! The learned detectors' part of the policy: per detector, what to do when
//! its score reaches a threshold.

use serde::{Deserialize, Serialize};

use super::Action;
use crate::error::{Error, Result};

/// One detector's check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorCheck {
    /// What to do when the score reaches the threshold: `flag` reports it,
    /// `block` blocks the input, `allow` does not run the detector. A score
    /// cannot be sanitized away, so `sanitize` is refused.
    ///
    /// ### Default
    /// `flag`: a learned score has false positives (see the model's card),
    /// so on its own it informs and does not block.
    pub action: Action,
    /// The score (0..=1) at or above which the check fires; `null` takes the
    /// threshold the model was trained with (1% false positives on its
    /// validation split).
    ///
    /// ### Default
    /// `null`.
    pub threshold: Option<f64>,
}

impl Default for DetectorCheck {
    fn default() -> Self {
        DetectorCheck {
            action: Action::Flag,
            threshold: None,
        }
    }
}

impl DetectorCheck {
    fn validate(&self, name: &str) -> Result<()> {
        if self.action == Action::Sanitize {
            return Err(Error::policy(
                "policy.invalid",
                format!(
                    "detectors.{name}.action is sanitize; a score can only be flagged or blocked"
                ),
            ));
        }
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(Error::policy(
                    "policy.invalid",
                    format!("detectors.{name}.threshold is {t}, it must be between 0 and 1"),
                ));
            }
        }
        Ok(())
    }
}

/// The learned detectors. A detector runs when its check is enabled and the
/// guard has its model (the command-line tool and the npm package load the
/// models they ship; in Rust, see [`crate::Guard::with_text_detector`],
/// [`crate::Guard::with_image_detector`] and [`crate::Guard::with_audio_detector`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorsPolicy {
    /// The text detector (prompt injection and jailbreak): finding
    /// `text.injection_score`, on the score combined with the heuristics.
    pub text: DetectorCheck,
    /// The image detector of adversarial perturbations: finding
    /// `image.adversarial_score`, on the input's pixels.
    pub image_adversarial: DetectorCheck,
    /// The detector of images that are mostly rendered text (typographic
    /// prompts): finding `image.typographic`.
    pub image_typographic: DetectorCheck,
    /// The audio detector of adversarial perturbations: finding
    /// `audio.adversarial_score`, on the recording as converted (mono, 16 kHz,
    /// its first ten seconds), before levelling and squeezing.
    pub audio: DetectorCheck,
}

impl DetectorsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        self.text.validate("text")?;
        self.image_adversarial.validate("image_adversarial")?;
        self.image_typographic.validate("image_typographic")?;
        self.audio.validate("audio")
    }
}
