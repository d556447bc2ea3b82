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
    /// The highest frequency the output keeps, in Hz: the resampler's
    /// low-pass stops here (at most half the output rate), passing 90% of
    /// it flat. `null` keeps up to half the output rate.
    /// ### Default 7,500: the speech band a recognizer uses, and nothing a
    /// person does not hear at this rate.
    pub band_limit_hz: Option<u32>,
    /// ### Default `mono`.
    pub channels: OutputChannels,
    /// ### Default `pcm16`.
    pub format: AudioOutputFormat,
}

impl Default for AudioOutputPolicy {
    fn default() -> Self {
        AudioOutputPolicy {
            sample_rate: 16_000,
            band_limit_hz: Some(7_500),
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
    /// the level. An output under −60 dBFS RMS (silence, or what is left of
    /// content that was removed) is not levelled up.
    /// ### Default −1: loud enough for any model, no clipping.
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

/// Energy above 18 kHz: what a person does not hear and a microphone may
/// demodulate into a command (DolphinAttack).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UltrasonicCheck {
    /// What to do. `sanitize` removes it: the default output rate (16 kHz)
    /// keeps nothing above 8 kHz anyway, and a higher one is band-limited to
    /// 16 kHz first. ### Default `sanitize`.
    pub action: Action,
    /// Energy above 18 kHz relative to the speech band (300–4,000 Hz), in
    /// dB, at or above which it is reported. ### Default −30: the test
    /// carriers lie 30 dB or more above it and speech with nothing up there
    /// 60 dB below it; it is not yet measured on a corpus of natural
    /// full-band recordings (cymbals and some microphones reach up there).
    pub threshold_db: f64,
}

impl Default for UltrasonicCheck {
    fn default() -> Self {
        UltrasonicCheck {
            action: Action::Sanitize,
            threshold_db: -30.0,
        }
    }
}

/// Energy below 50 Hz, what demodulated ultrasound leaves in a microphone
/// (and what rumble and handling noise are made of).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InfrasoundCheck {
    /// `flag` or `block` (there is no `sanitize`). ### Default `flag`.
    pub action: Action,
    /// Energy below 50 Hz relative to the speech band, in dB, at or above
    /// which it is reported. ### Default +6: four times the speech band's;
    /// measured here on the 2,000 recordings of the free spoken digit
    /// dataset, the median is −58 dB, the 99th percentile −15 and the
    /// loudest −0.4.
    pub threshold_db: f64,
}

impl Default for InfrasoundCheck {
    fn default() -> Self {
        InfrasoundCheck {
            action: Action::Flag,
            threshold_db: 6.0,
        }
    }
}

/// Feature squeezing: fewer levels per sample, so perturbations finer than
/// a step (adversarial noise under the masking threshold) are rounded away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioSqueezePolicy {
    /// Bits per sample (2..=16) the output is rounded to. ### Default `null`:
    /// the output's own 16 bits.
    pub bits: Option<u8>,
    /// An 8-bit µ-law round trip (telephone quality, 255 levels spaced for
    /// speech). ### Default `false`.
    pub mu_law: bool,
    /// A running median over this many samples (3, 5, 7 or 9), before the
    /// rounding: it removes sample-sized spikes, as adversarial perturbations
    /// are, and leaves speech's slower shape. Unlike the rounding it is not a
    /// fixed point: an output sanitized again is smoothed again.
    /// ### Default `null`.
    pub median: Option<u8>,
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
    /// Energy above 18 kHz.
    pub ultrasonic: UltrasonicCheck,
    /// Energy below 50 Hz.
    pub infrasound: InfrasoundCheck,
    /// Feature squeezing of the output.
    pub squeeze: AudioSqueezePolicy,
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
            ultrasonic: UltrasonicCheck::default(),
            infrasound: InfrasoundCheck::default(),
            squeeze: AudioSqueezePolicy::default(),
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
        if let Some(hz) = self
            .output
            .band_limit_hz
            .filter(|hz| !(1_000..=192_000).contains(hz))
        {
            return Err(Error::policy(
                "policy.invalid",
                format!("audio.output.band_limit_hz is {hz}, it must be 1000..=192000"),
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
        if let Some(bits) = self.squeeze.bits.filter(|b| !(2..=16).contains(b)) {
            return Err(Error::policy(
                "policy.invalid",
                format!("audio.squeeze.bits is {bits}, it must be 2..=16"),
            ));
        }
        if let Some(n) = self.squeeze.median.filter(|n| !matches!(n, 3 | 5 | 7 | 9)) {
            return Err(Error::policy(
                "policy.invalid",
                format!("audio.squeeze.median is {n}, it must be 3, 5, 7 or 9"),
            ));
        }
        if self.infrasound.action == Action::Sanitize {
            return Err(Error::policy(
                "policy.invalid",
                "audio.infrasound.action cannot be sanitize (nothing removes it yet): use flag or block",
            ));
        }
        Ok(())
    }
}
