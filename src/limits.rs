//! Caps on input size, per modality, enforced before any work is done.
//!
//! Every cap has a safe default chosen for interactive uploads; [`Limits::none`]
//! lifts them for trusted batch work. Limits travel inside the [`Policy`](crate::Policy)
//! JSON under `"limits"`, so one document configures a deployment.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod audio;
pub use audio::AudioLimits;

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
    /// Limits for [`Guard::image`](crate::Guard::image).
    pub image: ImageLimits,
    /// Limits for [`Guard::audio`](crate::Guard::audio).
    pub audio: AudioLimits,
}

impl Limits {
    /// No practical limit. Only for trusted input: a hostile input can then use
    /// as much memory and time as its size allows.
    pub fn none() -> Self {
        Limits {
            text: TextLimits::none(),
            image: ImageLimits::none(),
            audio: AudioLimits::none(),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.text.validate()?;
        self.image.validate()?;
        self.audio.validate()
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

/// Limits on image input, checked against the file's header before any pixel
/// is decoded: a decompression bomb or pixel flood (a tiny file declaring a
/// huge size) is refused in microseconds, before any large allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageLimits {
    /// Most bytes accepted.
    ///
    /// ### Default
    /// 64 MiB: above any camera JPEG and most lossless screenshots.
    pub max_bytes: u64,
    /// Widest image accepted, in pixels.
    ///
    /// ### Default
    /// 16,384: what browsers' canvases and most GPUs handle.
    pub max_width: u32,
    /// Tallest image accepted, in pixels.
    ///
    /// ### Default
    /// 16,384.
    pub max_height: u32,
    /// Most pixels (width × height).
    ///
    /// ### Default
    /// 40,000,000: a 40 MP photo, above the 12–24 MP that phones save by
    /// default; its RGBA pixels take 160 MB.
    pub max_pixels: u64,
    /// Most animation frames (only the first is decoded and kept).
    ///
    /// ### Default
    /// 1,000.
    pub max_frames: u32,
    /// Most memory the decoder may allocate, in bytes, estimated from the
    /// header before decoding.
    ///
    /// ### Default
    /// 512 MiB: a 40 MP image decoded at 16 bits per channel and converted.
    pub max_memory: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_bytes: 64 << 20,
            max_width: 16_384,
            max_height: 16_384,
            max_pixels: 40_000_000,
            max_frames: 1_000,
            max_memory: 512 << 20,
        }
    }
}

impl ImageLimits {
    /// No practical limit; see [`Limits::none`].
    pub fn none() -> Self {
        ImageLimits {
            max_bytes: MAX_TEXT_BYTES,
            max_width: u32::MAX,
            max_height: u32::MAX,
            max_pixels: MAX_LIMIT,
            max_frames: u32::MAX,
            max_memory: MAX_LIMIT,
        }
    }

    /// Sets [`ImageLimits::max_pixels`].
    pub fn max_pixels(mut self, n: u64) -> Self {
        self.max_pixels = n;
        self
    }

    /// Sets [`ImageLimits::max_bytes`].
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    fn validate(&self) -> Result<()> {
        let zero = [
            ("max_bytes", self.max_bytes),
            ("max_width", u64::from(self.max_width)),
            ("max_height", u64::from(self.max_height)),
            ("max_pixels", self.max_pixels),
            ("max_frames", u64::from(self.max_frames)),
            ("max_memory", self.max_memory),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, v)| *v == 0) {
            return Err(Error::policy(
                "policy.invalid",
                format!("limits.image.{name} must be at least 1"),
            ));
        }
        for (name, v, max) in [
            ("max_bytes", self.max_bytes, MAX_TEXT_BYTES),
            ("max_pixels", self.max_pixels, MAX_LIMIT),
            ("max_memory", self.max_memory, MAX_LIMIT),
        ] {
            if v > max {
                return Err(Error::policy(
                    "policy.invalid",
                    format!("limits.image.{name} is {v}, at most {max} is allowed"),
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
                "limit.image_bytes",
                format!(
                    "image is {n} bytes, over the limit of {} (limits.image.max_bytes)",
                    self.max_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Refuses an image whose header declares more than the caps allow;
    /// `memory` is the decoder's estimated allocation.
    pub(crate) fn check_header(
        &self,
        width: u32,
        height: u32,
        frames: u32,
        memory: u64,
    ) -> Result<()> {
        let over = |code: &'static str, what: String| Err(Error::limit(code, what));
        if width > self.max_width {
            return over(
                "limit.image_width",
                format!(
                    "image is {width} pixels wide, over the limit of {} (limits.image.max_width)",
                    self.max_width
                ),
            );
        }
        if height > self.max_height {
            return over(
                "limit.image_height",
                format!(
                    "image is {height} pixels tall, over the limit of {} (limits.image.max_height)",
                    self.max_height
                ),
            );
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return over(
                "limit.image_pixels",
                format!("image has {pixels} pixels ({width}×{height}), over the limit of {} (limits.image.max_pixels)", self.max_pixels),
            );
        }
        if frames > self.max_frames {
            return over(
                "limit.image_frames",
                format!(
                    "image has {frames} frames, over the limit of {} (limits.image.max_frames)",
                    self.max_frames
                ),
            );
        }
        if memory > self.max_memory {
            return over(
                "limit.image_memory",
                format!("decoding would take about {memory} bytes, over the limit of {} (limits.image.max_memory)", self.max_memory),
            );
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
