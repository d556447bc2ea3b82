//! Caps on input size, per modality, enforced before any work is done.
//!
//! Every cap has a safe default chosen for interactive uploads; [`Limits::none`]
//! lifts them for trusted batch work. Limits travel inside the [`Policy`](crate::Policy)
//! JSON under `"limits"`, so one document configures a deployment.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest text accepted at all, 4 GiB − 1: report offsets are 32-bit.
pub const MAX_TEXT_BYTES: u64 = u32::MAX as u64;

/// The largest value any limit may take: 2^53 − 1, the largest integer a
/// JavaScript number holds exactly, so a policy reads the same in Rust and JS.
pub const MAX_LIMIT: u64 = (1 << 53) - 1;

/// All limits, one group per modality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Limits for [`Guard::text`](crate::Guard::text).
    pub text: TextLimits,
}

impl Limits {
    /// No practical limit. Only for trusted input: a hostile input can then use
    /// as much memory and time as its size allows.
    pub fn none() -> Self {
        Limits {
            text: TextLimits::none(),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.text.validate()
    }
}

/// Limits on text input and on what is decoded from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextLimits {
    /// Most UTF-8 bytes accepted.
    ///
    /// ### Default
    /// 4 MiB: four times the character cap, the most a fully non-ASCII text of
    /// `max_chars` characters can need.
    pub max_bytes: u64,
    /// Most Unicode scalar values (characters) accepted.
    ///
    /// ### Default
    /// 1,048,576: far above any model's context window today, small enough that
    /// the whole pipeline stays well under a second in a browser.
    pub max_chars: u64,
    /// How many layers of encoding (base64 inside hex inside URL-encoding, ...)
    /// are peeled off a payload before it is reported as is.
    ///
    /// ### Default
    /// 3: real payloads seldom nest deeper; each layer costs a re-scan.
    pub max_decode_depth: u32,
    /// Most bytes decoded from all encoded payloads and hidden channels of one
    /// input together. Anything past it is reported as truncated, never dropped silently.
    ///
    /// ### Default
    /// 256 KiB.
    pub max_decoded_bytes: u64,
}

impl Default for TextLimits {
    fn default() -> Self {
        TextLimits {
            max_bytes: 4 << 20,
            max_chars: 1 << 20,
            max_decode_depth: 3,
            max_decoded_bytes: 256 << 10,
        }
    }
}

impl TextLimits {
    /// No practical limit; see [`Limits::none`].
    pub fn none() -> Self {
        TextLimits {
            max_bytes: MAX_TEXT_BYTES,
            max_chars: MAX_TEXT_BYTES,
            max_decode_depth: 8,
            max_decoded_bytes: MAX_LIMIT,
        }
    }

    /// Sets [`TextLimits::max_chars`].
    pub fn max_chars(mut self, n: u64) -> Self {
        self.max_chars = n;
        self
    }

    /// Sets [`TextLimits::max_bytes`].
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    fn validate(&self) -> Result<()> {
        if self.max_bytes == 0 || self.max_chars == 0 {
            return Err(Error::policy(
                "policy.invalid",
                "limits.text.max_bytes and limits.text.max_chars must be at least 1",
            ));
        }
        for (name, v, max) in [
            ("max_bytes", self.max_bytes, MAX_TEXT_BYTES),
            ("max_chars", self.max_chars, MAX_TEXT_BYTES),
            ("max_decoded_bytes", self.max_decoded_bytes, MAX_LIMIT),
        ] {
            if v > max {
                return Err(Error::policy(
                    "policy.invalid",
                    format!("limits.text.{name} is {v}, at most {max} is allowed"),
                ));
            }
        }
        if self.max_decode_depth > 8 {
            return Err(Error::policy(
                "policy.invalid",
                format!(
                    "limits.text.max_decode_depth is {}, at most 8 is allowed (each layer re-scans the payload)",
                    self.max_decode_depth
                ),
            ));
        }
        Ok(())
    }

    /// Refuses `input` if it is over a cap. Bytes are checked first because that
    /// is free; characters are counted only when the byte count could exceed them.
    pub(crate) fn check(&self, input: &str) -> Result<()> {
        let bytes = input.len() as u64;
        if bytes > self.max_bytes {
            return Err(Error::limit(
                "limit.text_bytes",
                format!(
                    "text is {bytes} bytes, over the limit of {} (limits.text.max_bytes)",
                    self.max_bytes
                ),
            ));
        }
        if bytes > self.max_chars {
            let chars = char_count(input) as u64;
            if chars > self.max_chars {
                return Err(Error::limit(
                    "limit.text_chars",
                    format!(
                        "text is {chars} characters, over the limit of {} (limits.text.max_chars)",
                        self.max_chars
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Characters in `s`, counted without decoding them.
pub(crate) fn char_count(s: &str) -> usize {
    crate::text::utf8::char_count(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn chars_are_counted_not_bytes() {
        let limits = TextLimits::default().max_chars(3);
        assert!(
            limits.check("äöü").is_ok(),
            "3 chars in 6 bytes is within 3 chars"
        );
        let err = limits.check("äöüß").unwrap_err();
        assert_eq!(err.code(), "limit.text_chars");
    }

    #[test]
    fn bytes_are_checked() {
        let err = TextLimits::default().max_bytes(2).check("abc").unwrap_err();
        assert_eq!(err.code(), "limit.text_bytes");
        assert!(err.message().contains("3 bytes"));
    }

    #[test]
    fn limits_past_javascript_integers_are_invalid() {
        let mut l = Limits::default();
        l.text.max_decoded_bytes = MAX_LIMIT + 1;
        assert_eq!(l.validate().unwrap_err().code(), "policy.invalid");
        let mut l = Limits::default();
        l.text.max_bytes = MAX_TEXT_BYTES + 1;
        assert_eq!(l.validate().unwrap_err().code(), "policy.invalid");
        assert!(Limits::none().validate().is_ok());
    }

    #[test]
    fn zero_limits_are_invalid() {
        let mut l = Limits::default();
        l.text.max_chars = 0;
        assert_eq!(l.validate().unwrap_err().code(), "policy.invalid");
    }
}
