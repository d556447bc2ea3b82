//! Limits on audio input (`"limits": {"audio": ...}`), checked from the
//! header before any sample is decoded: a file that declares an hour of
//! 32 channels, or a rate no microphone records at, is refused at once.

use serde::{Deserialize, Serialize};

use super::{MAX_LIMIT, MAX_TEXT_BYTES};
use crate::error::{Error, Result};

/// Limits on a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioLimits {
    /// Most bytes accepted.
    ///
    /// ### Default
    /// 128 MiB: ten minutes of 48 kHz stereo 16-bit WAV take 110 MiB.
    pub max_bytes: u64,
    /// Longest recording, in seconds.
    ///
    /// ### Default
    /// 600: ten minutes, above what speech models take in one request.
    pub max_seconds: u32,
    /// Most channels.
    ///
    /// ### Default
    /// 8: 7.1 surround.
    pub max_channels: u16,
    /// Lowest sample rate, in Hz.
    ///
    /// ### Default
    /// 4,000: below telephone speech (8 kHz) nothing is intelligible.
    pub min_rate: u32,
    /// Highest sample rate, in Hz.
    ///
    /// ### Default
    /// 384,000: the highest rate studio converters record at.
    pub max_rate: u32,
    /// Most memory the decoded samples may take (32-bit floats), in bytes.
    ///
    /// ### Default
    /// 512 MiB: ten minutes of 8 channels at 96 kHz need 1.8 GiB, of stereo
    /// at 48 kHz 230 MiB.
    pub max_memory: u64,
}

impl Default for AudioLimits {
    fn default() -> Self {
        AudioLimits {
            max_bytes: 128 << 20,
            max_seconds: 600,
            max_channels: 8,
            min_rate: 4_000,
            max_rate: 384_000,
            max_memory: 512 << 20,
        }
    }
}

impl AudioLimits {
    /// No practical limit; see [`Limits::none`](super::Limits::none).
    pub fn none() -> Self {
        AudioLimits {
            max_bytes: MAX_TEXT_BYTES,
            max_seconds: u32::MAX,
            max_channels: u16::MAX,
            min_rate: 1,
            max_rate: u32::MAX,
            max_memory: MAX_LIMIT,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let invalid = |m: String| Err(Error::policy("policy.invalid", m));
        for (name, v) in [
            ("max_bytes", self.max_bytes),
            ("max_seconds", u64::from(self.max_seconds)),
            ("max_channels", u64::from(self.max_channels)),
            ("min_rate", u64::from(self.min_rate)),
            ("max_memory", self.max_memory),
        ] {
            if v == 0 {
                return invalid(format!("limits.audio.{name} must be at least 1"));
            }
        }
        if self.min_rate > self.max_rate {
            return invalid(format!(
                "limits.audio.min_rate ({}) is above max_rate ({})",
                self.min_rate, self.max_rate
            ));
        }
        for (name, v, max) in [
            ("max_bytes", self.max_bytes, MAX_TEXT_BYTES),
            ("max_memory", self.max_memory, MAX_LIMIT),
        ] {
            if v > max {
                return invalid(format!(
                    "limits.audio.{name} is {v}, at most {max} is allowed"
                ));
            }
        }
        Ok(())
    }

    /// Refuses an input of `bytes` bytes over the cap.
    pub(crate) fn check_bytes(&self, bytes: usize) -> Result<()> {
        let n = bytes as u64;
        if n > self.max_bytes {
            return Err(Error::limit(
                "limit.audio_bytes",
                format!(
                    "recording is {n} bytes, over the limit of {} (limits.audio.max_bytes)",
                    self.max_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a recording whose header declares more than the caps allow.
    pub(crate) fn check_header(&self, channels: u16, rate: u32, frames: u64) -> Result<()> {
        let over = |code: &'static str, what: String| Err(Error::limit(code, what));
        if channels > self.max_channels {
            return over(
                "limit.audio_channels",
                format!(
                    "recording has {channels} channels, over the limit of {} (limits.audio.max_channels)",
                    self.max_channels
                ),
            );
        }
        if rate < self.min_rate || rate > self.max_rate {
            return over(
                "limit.audio_rate",
                format!(
                    "recording is sampled at {rate} Hz, outside {}..={} Hz (limits.audio.min_rate, max_rate)",
                    self.min_rate, self.max_rate
                ),
            );
        }
        let seconds = frames as f64 / f64::from(rate);
        if seconds > f64::from(self.max_seconds) {
            return over(
                "limit.audio_seconds",
                format!(
                    "recording lasts {seconds:.1} s, over the limit of {} s (limits.audio.max_seconds)",
                    self.max_seconds
                ),
            );
        }
        let memory = frames.saturating_mul(u64::from(channels)).saturating_mul(4);
        if memory > self.max_memory {
            return over(
                "limit.audio_memory",
                format!(
                    "decoding would take {memory} bytes, over the limit of {} (limits.audio.max_memory)",
                    self.max_memory
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn header_caps_each_have_their_code() {
        let l = AudioLimits::default();
        assert!(l.check_header(2, 48_000, 48_000 * 600).is_ok());
        let code = |r: Result<()>| r.unwrap_err().code();
        assert_eq!(code(l.check_header(9, 48_000, 1)), "limit.audio_channels");
        assert_eq!(code(l.check_header(1, 3_999, 1)), "limit.audio_rate");
        assert_eq!(code(l.check_header(1, 400_000, 1)), "limit.audio_rate");
        assert_eq!(
            code(l.check_header(1, 8_000, 8_000 * 601)),
            "limit.audio_seconds"
        );
        let small = AudioLimits {
            max_memory: 1_000,
            ..AudioLimits::default()
        };
        assert_eq!(
            code(small.check_header(1, 8_000, 251)),
            "limit.audio_memory"
        );
        assert_eq!(code(l.check_bytes(200 << 20)), "limit.audio_bytes");
    }

    #[test]
    fn bad_limits_are_invalid_policy() {
        let l = AudioLimits {
            min_rate: 48_000,
            max_rate: 8_000,
            ..AudioLimits::default()
        };
        assert_eq!(l.validate().unwrap_err().code(), "policy.invalid");
        let l = AudioLimits {
            max_seconds: 0,
            ..AudioLimits::default()
        };
        assert_eq!(l.validate().unwrap_err().code(), "policy.invalid");
        assert!(AudioLimits::none().validate().is_ok());
    }
}
