//! The audio checks of the policy (`"audio"` in the JSON).
//!
//! The output recording is always written anew from decoded samples, so
//! nothing of the input's container (metadata chunks, trailing bytes) can
//! survive into it: for those checks `flag` and `sanitize` differ only in the
//! action the report records, and `block` withholds the output.

use serde::{Deserialize, Serialize};

use super::{Action, Check};
use crate::error::{Error, Result};

/// Channels of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputChannels {
    /// The channels averaged into one.
    Mono,
    /// As many as the input has.
    Keep,
}

/// Sample encoding of the output WAV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioOutputFormat {
    /// 16-bit integer PCM.
    Pcm16,
    /// 32-bit IEEE float.
    Float32,
}

/// The output recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioOutputPolicy {
    /// Sample rate in Hz; the input is resampled to it with an anti-aliasing
    /// filter, which also removes everything above half of it.
    /// ### Default 16,000: what speech recognition models take; nothing
    /// above 8 kHz survives, ultrasonic carriers included.
    pub sample_rate: u32,
    /// ### Default `mono`.
    pub channels: OutputChannels,
    /// ### Default `pcm16`.
    pub format: AudioOutputFormat,
}

impl Default for AudioOutputPolicy {
    fn default() -> Self {
        AudioOutputPolicy {
            sample_rate: 16_000,
            channels: OutputChannels::Mono,
            format: AudioOutputFormat::Pcm16,
        }
    }
}

/// Metadata chunks (LIST/INFO, id3, bext, cue, embedded pictures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioMetadataCheck {
    /// Metadata chunks. ### Default `sanitize` (never copied to the output).
    pub action: Action,
    /// Their texts, run through the text guard. ### Default `sanitize`.
    pub text: Action,
}

impl Default for AudioMetadataCheck {
    fn default() -> Self {
        AudioMetadataCheck {
            action: Action::Sanitize,
            text: Action::Sanitize,
        }
    }
}

/// Level corrections.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LevelPolicy {
    /// A constant offset from zero (a faulty converter, or what demodulated
    /// ultrasound leaves). ### Default `sanitize`: removed.
    pub dc_offset: Action,
    /// Samples at full scale: the recording was clipped. ### Default `flag`.
    pub clipping: Action,
    /// Peak level the output is scaled to, in dBFS (at most 0); `null` leaves
    /// the level. ### Default −1: loud enough for any model, no clipping.
    pub peak_dbfs: Option<f64>,
}

impl Default for LevelPolicy {
    fn default() -> Self {
        LevelPolicy {
            dc_offset: Action::Sanitize,
            clipping: Action::Flag,
            peak_dbfs: Some(-1.0),
        }
    }
}

/// All audio checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioPolicy {
    /// The declared type disagrees with the bytes. ### Default `flag`.
    pub format_mismatch: Check,
    /// Bytes after the RIFF end, files appended or hidden in chunks.
    /// ### Default `sanitize` (never copied).
    pub container: Check,
    /// Metadata chunks and their texts.
    pub metadata: AudioMetadataCheck,
    /// DC offset, clipping and the output's peak level.
    pub level: LevelPolicy,
    /// The output recording.
    pub output: AudioOutputPolicy,
}

impl Default for AudioPolicy {
    fn default() -> Self {
        AudioPolicy {
            format_mismatch: Check::new(Action::Flag),
            container: Check::new(Action::Sanitize),
            metadata: AudioMetadataCheck::default(),
            level: LevelPolicy::default(),
            output: AudioOutputPolicy::default(),
        }
    }
}

impl AudioPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        let rate = self.output.sample_rate;
        if !(4_000..=384_000).contains(&rate) {
            return Err(Error::policy(
                "policy.invalid",
                format!("audio.output.sample_rate is {rate}, it must be 4000..=384000"),
            ));
        }
        if let Some(db) = self
            .level
            .peak_dbfs
            .filter(|db| !(-60.0..=0.0).contains(db))
        {
            return Err(Error::policy(
                "policy.invalid",
                format!("audio.level.peak_dbfs is {db}, it must be −60..=0"),
            ));
        }
        Ok(())
    }
}
