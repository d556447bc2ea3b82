//! The clean re-encode: a new file written from pixels alone, so nothing of
//! the input's container or metadata can ride along.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

use crate::error::{Error, Result};
use crate::policy::{OutputFormat, OutputPolicy};
use crate::sniff::ImageFormat;

/// Distinct colours up to which `auto` prefers PNG: icons, diagrams and
/// screenshots of text compress better losslessly and JPEG would smear them.
const FEW_COLOURS: usize = 256;

/// The format `auto` picks: PNG for transparency or few colours, else JPEG.
pub(crate) fn choose(policy: &OutputPolicy, img: &RgbaImage, alpha: bool) -> ImageFormat {
    match policy.format {
        OutputFormat::Png => ImageFormat::Png,
        OutputFormat::Jpeg => ImageFormat::Jpeg,
        OutputFormat::Webp => ImageFormat::WebP,
        OutputFormat::Auto if alpha || few_colours(img) => ImageFormat::Png,
        OutputFormat::Auto => ImageFormat::Jpeg,
    }
}

/// Whether the image has at most [`FEW_COLOURS`] colours; stops counting
/// past that, which a photo reaches within its first rows.
fn few_colours(img: &RgbaImage) -> bool {
    let mut seen = std::collections::HashSet::new();
    for p in img.as_raw().chunks_exact(4) {
        if let [r, g, b, _] = p {
            seen.insert([*r, *g, *b]);
            if seen.len() > FEW_COLOURS {
                return false;
            }
        }
    }
    true
}

/// RGB bytes of an opaque RGBA image (alpha dropped).
fn rgb(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 4 * 3);
    for p in img.as_raw().chunks_exact(4) {
        out.extend_from_slice(p.get(..3).unwrap_or(&[0, 0, 0]));
    }
    out
}

/// Encodes `img` as `format`; `alpha` says whether it has transparency (JPEG
/// gets it flattened onto white first).
///
/// # Errors
/// `input.image_encode` if the encoder refuses the image.
pub(crate) fn encode(
    img: &RgbaImage,
    format: ImageFormat,
    alpha: bool,
    jpeg_quality: u8,
) -> Result<Vec<u8>> {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    let result = match format {
        ImageFormat::Jpeg => {
            let opaque;
            let src = if alpha {
                let mut flat = img.clone();
                super::pixels::flatten(&mut flat, [255, 255, 255]);
                opaque = flat;
                &opaque
            } else {
                img
            };
            let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
                return Err(Error::input(
                    "input.image_encode",
                    format!("a JPEG is at most 65,535 pixels a side; the output would be {w}×{h}"),
                ));
            };
            // RGBA in, alpha ignored: no conversion pass.
            let rows = super::ycbcr::RgbaForJpeg {
                data: src.as_raw(),
                width: w16,
                height: h16,
            };
            return jpeg_encoder::Encoder::new(&mut out, jpeg_quality)
                .encode_image(rows)
                .map(|()| out)
                .map_err(|e| {
                    Error::input(
                        "input.image_encode",
                        format!("cannot encode the output: {e}"),
                    )
                });
        }
        ImageFormat::WebP => WebPEncoder::new_lossless(&mut out).write_image(
            img.as_raw(),
            w,
            h,
            ExtendedColorType::Rgba8,
        ),
        // PNG, and the formats the guard reads but does not write.
        _ => {
            let enc =
                PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
            if alpha {
                enc.write_image(img.as_raw(), w, h, ExtendedColorType::Rgba8)
            } else {
                enc.write_image(&rgb(img), w, h, ExtendedColorType::Rgb8)
            }
        }
    };
    result.map_err(|e| {
        Error::input(
            "input.image_encode",
            format!("cannot encode the output: {e}"),
        )
    })?;
    Ok(out)
}

/// The format an [`encode`] of `format` writes.
pub(crate) fn written(format: ImageFormat) -> ImageFormat {
    match format {
        ImageFormat::Jpeg | ImageFormat::WebP => format,
        _ => ImageFormat::Png,
    }
}
