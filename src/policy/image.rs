//! The image checks of the policy (`"image"` in the JSON).
//!
//! The output image is always re-encoded from decoded pixels, so nothing of the
//! input's container (trailing data, unknown chunks, metadata) can survive into
//! it: for those checks `flag` and `sanitize` differ only in the action the
//! report records, and `block` withholds the output.

use serde::{Deserialize, Serialize};

use super::{Action, Check};
use crate::error::{Error, Result};

/// What happens to colour hidden under fully transparent pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenPixelsMode {
    /// Set their colour to black, keeping them transparent.
    Zero,
    /// Composite the whole image onto `background` and drop the alpha channel,
    /// so what a model sees is what a person sees.
    Flatten,
}

/// Colour data under fully transparent pixels: invisible on screen, visible to
/// a model that drops the alpha channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HiddenPixelsCheck {
    /// What to do. ### Default `sanitize`.
    pub action: Action,
    /// How to sanitize. ### Default `zero`: keeps transparency.
    pub mode: HiddenPixelsMode,
    /// Background for `flatten`, RGB. ### Default white.
    pub background: [u8; 3],
}

impl Default for HiddenPixelsCheck {
    fn default() -> Self {
        HiddenPixelsCheck {
            action: Action::Sanitize,
            mode: HiddenPixelsMode::Zero,
            background: [255, 255, 255],
        }
    }
}

/// EXIF orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Rotate and flip the pixels as EXIF says, so the output (which carries no
    /// EXIF) looks as the input did in a viewer.
    Apply,
    /// Keep the pixels as stored.
    Ignore,
}

/// What happens to an embedded ICC colour profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IccHandling {
    /// Drop it: the pixels are written as stored and read as sRGB, which
    /// dulls wide-gamut photos (Display P3, Adobe RGB) a little.
    Strip,
    /// Convert the pixels from the profile to sRGB, then drop it: colours
    /// look as they did, with no profile to carry.
    Convert,
}

/// Metadata: EXIF, XMP, IPTC, ICC profiles, comments, PNG text chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetadataCheck {
    /// What to do with metadata blocks. The output never carries them.
    /// ### Default `sanitize`.
    pub action: Action,
    /// GPS positions (EXIF or XMP): a location leak. ### Default `sanitize`.
    pub gps: Action,
    /// Text found in metadata (descriptions, comments, captions), run through
    /// the text guard; findings above `info` become `image.metadata_text`.
    /// ### Default `sanitize`.
    pub text: Action,
    /// EXIF orientation. ### Default `apply`.
    pub orientation: Orientation,
    /// The ICC colour profile. ### Default `strip`.
    pub icc: IccHandling,
}

impl Default for MetadataCheck {
    fn default() -> Self {
        MetadataCheck {
            action: Action::Sanitize,
            gps: Action::Sanitize,
            text: Action::Sanitize,
            orientation: Orientation::Apply,
            icc: IccHandling::Strip,
        }
    }
}

/// Resizing filter. Each one's support grows with the reduction, so every
/// input pixel counts (what defeats image-scaling attacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResizeFilter {
    /// Area average (box filter over each output pixel's footprint).
    Area,
    /// Bilinear, widened with the scale.
    Triangle,
    /// Catmull-Rom cubic, widened with the scale.
    CatmullRom,
    /// Lanczos with three lobes, widened with the scale: the sharpest.
    Lanczos3,
}

/// Downscaling of large images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResizePolicy {
    /// Longest side of the output; larger images are scaled down to it, smaller
    /// ones are left as they are. ### Default 2048: more than vision models use
    /// (most tile or scale to 768–1568 pixels), a quarter of the pixels of a
    /// 12 MP photo.
    pub max_side: u32,
    /// ### Default `area`: every input pixel weighs by how much of the output
    /// pixel it covers, the scaler Quiring et al. (2020) found robust to
    /// image-scaling attacks by construction, with no ringing, and half the
    /// cost of `lanczos3` at a 2× reduction (measured in Chromium on a 12 MP
    /// photo). `lanczos3` gives sharper edges.
    pub filter: ResizeFilter,
}

impl Default for ResizePolicy {
    fn default() -> Self {
        ResizePolicy {
            max_side: 2048,
            filter: ResizeFilter::Area,
        }
    }
}

/// Image-scaling attacks (Xiao et al. 2019, Quiring et al. 2020): an image that
/// shows something else once scaled by a nearest-neighbour or fixed-kernel
/// bilinear scaler, as many model pipelines do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScalingAttackCheck {
    /// What to do. `sanitize` runs a 3×3 median over the image, which removes
    /// the isolated pixels the attack lives in, so the output shows the cover
    /// even to a naive scaler; `flag` leaves the pixels (an image that is not
    /// scaled down keeps the attack); `block` withholds the output. `allow`
    /// skips the check, and then a JPEG scaled down 2× or more is decoded at
    /// 1/2, 1/4 or 1/8 of its size in the DCT domain (the check needs the
    /// full-resolution pixels; the robust resize alone keeps the output safe).
    /// ### Default `sanitize`.
    pub action: Action,
    /// Mean difference (0..=1 of full scale) between naive and robust scaling,
    /// compared at a coarse resolution, at or above which an image is reported.
    /// ### Default 0.1: measured here, 30 wallpaper photos and drawings (Debian
    /// mate-backgrounds) scored at most 0.012 and 250 images of typeset text
    /// (FigStep) at most 0.018; the embedded targets of the tests score 0.15.
    pub threshold: f64,
    /// Longest sides a model pipeline may scale to, checked besides the
    /// policy's own `max_side`. ### Default the common vision-model input sizes.
    pub sizes: Vec<u32>,
}

impl Default for ScalingAttackCheck {
    fn default() -> Self {
        ScalingAttackCheck {
            action: Action::Sanitize,
            threshold: 0.1,
            sizes: vec![224, 256, 299, 336, 384, 448, 512, 768, 1024],
        }
    }
}

/// Median smoothing window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Median {
    /// No smoothing.
    #[serde(rename = "none")]
    None,
    /// 2×2: the mildest, shifts the image by half a pixel.
    #[serde(rename = "2x2")]
    TwoByTwo,
    /// 3×3: removes isolated pixels and one-pixel lines.
    #[serde(rename = "3x3")]
    ThreeByThree,
}

/// Feature squeezing (Xu et al., NDSS 2018), applied to the pixels after
/// resizing: fine perturbations and hidden bits do not survive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SqueezePolicy {
    /// Bits kept per channel, 1..=8 (8: off). ### Default 7: invisible, and
    /// no bit of the lowest plane, where steganography hides data, survives
    /// as it was, even in a lossless output.
    pub bit_depth: u8,
    /// Median smoothing. ### Default `none`; `2x2` or `3x3` for stricter use.
    pub median: Median,
    /// JPEG re-compression at this quality (1..=100) before the final encode;
    /// `null` for none. A JPEG output is re-compressed by its own encode
    /// anyway. ### Default `null`.
    pub jpeg_quality: Option<u8>,
}

impl Default for SqueezePolicy {
    fn default() -> Self {
        SqueezePolicy {
            bit_depth: 7,
            median: Median::None,
            jpeg_quality: None,
        }
    }
}

/// A statistical test for data hidden in the lowest bit of each channel
/// (chi-square attack, Westfeld and Pfitzmann 1999), on lossless inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SteganographyCheck {
    /// What to do. Squeezing (`bit_depth` below 8) or a JPEG output destroys
    /// such payloads anyway. ### Default `flag`.
    pub action: Action,
    /// Probability (0..=1) that pairs of values were equalized by embedding,
    /// at or above which an image is reported. ### Default 0.99.
    pub threshold: f64,
}

impl Default for SteganographyCheck {
    fn default() -> Self {
        SteganographyCheck {
            action: Action::Flag,
            threshold: 0.99,
        }
    }
}

/// Encoded format of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// PNG for images with transparency or few colours, JPEG for the rest.
    Auto,
    /// PNG.
    Png,
    /// JPEG (transparency flattened onto white).
    Jpeg,
    /// Lossless WebP.
    Webp,
}

/// The re-encoded output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputPolicy {
    /// ### Default `auto`.
    pub format: OutputFormat,
    /// JPEG quality, 1..=100. ### Default 90: no visible loss, and enough
    /// re-quantization to disturb fine-tuned pixel perturbations.
    pub jpeg_quality: u8,
}

impl Default for OutputPolicy {
    fn default() -> Self {
        OutputPolicy {
            format: OutputFormat::Auto,
            jpeg_quality: 90,
        }
    }
}

/// Every image check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagePolicy {
    /// The declared type (MIME type or file name) disagrees with the bytes.
    /// ### Default `flag`.
    pub format_mismatch: Check,
    /// Trailing data after the image's end, files appended to it (polyglots),
    /// unknown and repeated chunks. ### Default `sanitize`.
    pub container: Check,
    /// Metadata.
    pub metadata: MetadataCheck,
    /// Animated images: only the first frame is kept. ### Default `sanitize`.
    pub animation: Check,
    /// Colour under fully transparent pixels.
    pub hidden_pixels: HiddenPixelsCheck,
    /// Downscaling.
    pub resize: ResizePolicy,
    /// Image-scaling attacks.
    pub scaling_attack: ScalingAttackCheck,
    /// Feature squeezing.
    pub squeeze: SqueezePolicy,
    /// Data hidden in the lowest bits of the pixels.
    pub steganography: SteganographyCheck,
    /// The output encoding.
    pub output: OutputPolicy,
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            format_mismatch: Check::new(Action::Flag),
            container: Check::new(Action::Sanitize),
            metadata: MetadataCheck::default(),
            animation: Check::new(Action::Sanitize),
            hidden_pixels: HiddenPixelsCheck::default(),
            resize: ResizePolicy::default(),
            scaling_attack: ScalingAttackCheck::default(),
            squeeze: SqueezePolicy::default(),
            steganography: SteganographyCheck::default(),
            output: OutputPolicy::default(),
        }
    }
}

impl ImagePolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        let invalid = |m: String| Err(Error::policy("policy.invalid", m));
        if self.resize.max_side < 16 {
            return invalid(format!(
                "image.resize.max_side is {}, at least 16 is needed",
                self.resize.max_side
            ));
        }
        let t = self.scaling_attack.threshold;
        if !(0.0..=1.0).contains(&t) {
            return invalid(format!(
                "image.scaling_attack.threshold is {t}, it must be between 0 and 1"
            ));
        }
        if self.scaling_attack.sizes.len() > 32 {
            return invalid(String::from(
                "image.scaling_attack.sizes holds at most 32 sizes",
            ));
        }
        if let Some(s) = self.scaling_attack.sizes.iter().find(|&&s| s < 8) {
            return invalid(format!(
                "image.scaling_attack.sizes has {s}, at least 8 is needed"
            ));
        }
        let q = self.output.jpeg_quality;
        if !(1..=100).contains(&q) {
            return invalid(format!(
                "image.output.jpeg_quality is {q}, it must be between 1 and 100"
            ));
        }
        let b = self.squeeze.bit_depth;
        if !(1..=8).contains(&b) {
            return invalid(format!(
                "image.squeeze.bit_depth is {b}, it must be between 1 and 8"
            ));
        }
        if let Some(q) = self.squeeze.jpeg_quality.filter(|q| !(1..=100).contains(q)) {
            return invalid(format!(
                "image.squeeze.jpeg_quality is {q}, it must be between 1 and 100"
            ));
        }
        let t = self.steganography.threshold;
        if !(0.0..=1.0).contains(&t) {
            return invalid(format!(
                "image.steganography.threshold is {t}, it must be between 0 and 1"
            ));
        }
        Ok(())
    }
}
