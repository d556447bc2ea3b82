//! Decoding to RGBA pixels within the memory budget, EXIF orientation, and
//! colour hidden under fully transparent pixels.

use image::{DynamicImage, ImageError, RgbaImage};

use crate::error::{Error, Result};
use crate::sniff::ImageFormat;

/// Bytes a decode may allocate per pixel: the decoder's own buffer (up to
/// 16-bit RGBA, 8 bytes) plus the RGBA copy the guard works on (4).
pub(crate) const DECODE_BYTES_PER_PIXEL: u64 = 12;

fn codec(format: ImageFormat) -> image::ImageFormat {
    match format {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::WebP => image::ImageFormat::WebP,
        ImageFormat::Bmp => image::ImageFormat::Bmp,
    }
}

/// Decodes the first frame of `bytes`, whose header said `width` × `height`.
///
/// # Errors
/// `input.image_decode` for data the decoder rejects (with its reason),
/// `unsupported.image_feature` for a valid variant the decoder lacks,
/// `limit.image_memory` when the decoder needs more than `max_memory`.
pub(crate) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    width: u32,
    height: u32,
    max_memory: u64,
) -> Result<DynamicImage> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), codec(format));
    let mut limits = image::Limits::default();
    // The header walk already checked these against the policy; the decoder
    // must not find a different, larger size in the data it decodes.
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(max_memory);
    reader.limits(limits);
    reader.decode().map_err(|e| decode_error(format, e))
}

fn decode_error(format: ImageFormat, e: ImageError) -> Error {
    let name = format.name();
    match e {
        ImageError::Limits(l) => Error::limit(
            "limit.image_memory",
            format!("decoding this {name} image needs more than limits.image allows ({l})"),
        ),
        ImageError::Unsupported(u) => Error::unsupported(
            "unsupported.image_feature",
            format!("this {name} image uses a feature the decoder does not support ({u})"),
        ),
        ImageError::IoError(io) => Error::input(
            "input.image_decode",
            format!("the {name} data ends early or cannot be read ({io})"),
        ),
        other => Error::input(
            "input.image_decode",
            format!("the {name} data is malformed ({other})"),
        ),
    }
}

/// Decodes a YCbCr or RGB JPEG straight to RGBA with the decoder `image`
/// itself uses, skipping its RGB buffer and the copy to RGBA (a quarter of the
/// time of a large photo). `None` for other colour spaces (grey, CMYK), which
/// go through [`decode`].
///
/// # Errors
/// As [`decode`].
pub(crate) fn decode_jpeg_rgba(bytes: &[u8], width: u32, height: u32) -> Option<Result<RgbaImage>> {
    use zune_core::colorspace::ColorSpace;
    let options = zune_core::options::DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(width as usize)
        .set_max_height(height as usize)
        .jpeg_set_out_colorspace(ColorSpace::RGBA);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    if let Err(e) = decoder.decode_headers() {
        return Some(Err(jpeg_error(e)));
    }
    if !matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::RGB)
    ) {
        return None;
    }
    let (w, h) = decoder.dimensions()?;
    Some(decoder.decode().map_err(jpeg_error).and_then(|px| {
        RgbaImage::from_raw(w as u32, h as u32, px).ok_or_else(|| {
            Error::input(
                "input.image_decode",
                "the jpeg decoder returned too few pixels",
            )
        })
    }))
}

/// Decodes a JPEG straight at 1/2, 1/4 or 1/8 of its size in the DCT domain
/// (each 8×8 block transformed back to 4×4, 2×2 or one pixel: its area
/// average, no decoded full-size image), the largest reduction that leaves it
/// at least `min_width` × `min_height`. `None` when no reduction fits, or for
/// a colour model the fast path does not take (CMYK, 16-bit), which go
/// through the full decode; otherwise the image and the reduction (2, 4, 8).
///
/// # Errors
/// `input.image_decode` for data the decoder rejects (including a decode
/// larger than `max_memory`, which the header check already rules out),
/// `unsupported.image_feature` for a variant it lacks.
pub(crate) fn decode_jpeg_scaled(
    bytes: &[u8],
    (width, height): (u32, u32),
    (min_width, min_height): (u32, u32),
    max_memory: u64,
) -> Option<Result<(RgbaImage, u32)>> {
    let fail = |e: jpeg_decoder::Error| match e {
        jpeg_decoder::Error::Unsupported(u) => Error::unsupported(
            "unsupported.image_feature",
            format!("this jpeg image uses a feature the decoder does not support ({u:?})"),
        ),
        other => Error::input(
            "input.image_decode",
            format!("the jpeg data is malformed ({other})"),
        ),
    };
    let (Ok(w16), Ok(h16)) = (u16::try_from(min_width), u16::try_from(min_height)) else {
        return None;
    };
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.set_max_decoding_buffer_size(usize::try_from(max_memory).unwrap_or(usize::MAX));
    if let Err(e) = d.read_info() {
        return Some(Err(fail(e)));
    }
    let info = d.info()?;
    // The header walk read the same size; a disagreement is left to the full decode.
    if (u32::from(info.width), u32::from(info.height)) != (width, height) {
        return None;
    }
    let (sw, sh) = match d.scale(w16, h16) {
        Ok(size) => size,
        Err(e) => return Some(Err(fail(e))),
    };
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    // The decoder settles for one side being large enough; both must be,
    // and there must be a reduction.
    if sw < min_width || sh < min_height || sw >= width {
        return None;
    }
    // Each side is the full one divided by the reduction, rounded up.
    let reduction = [2, 4, 8].into_iter().find(|&r| width.div_ceil(r) == sw)?;
    let expand: fn(&[u8], &mut Vec<u8>) = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => |p, out| {
            for c in p.chunks_exact(3) {
                out.extend_from_slice(c);
                out.push(255);
            }
        },
        jpeg_decoder::PixelFormat::L8 => |p, out| {
            for &v in p {
                out.extend_from_slice(&[v, v, v, 255]);
            }
        },
        _ => return None,
    };
    let px = match d.decode() {
        Ok(px) => px,
        Err(e) => return Some(Err(fail(e))),
    };
    let mut rgba = Vec::with_capacity(sw as usize * sh as usize * 4);
    expand(&px, &mut rgba);
    Some(
        RgbaImage::from_raw(sw, sh, rgba)
            .map(|img| (img, reduction))
            .ok_or_else(|| {
                Error::input(
                    "input.image_decode",
                    "the jpeg decoder returned too few pixels",
                )
            }),
    )
}

fn jpeg_error(e: zune_jpeg::errors::DecodeErrors) -> Error {
    use zune_jpeg::errors::DecodeErrors;
    match e {
        DecodeErrors::Unsupported(u) => Error::unsupported(
            "unsupported.image_feature",
            format!("this jpeg image uses a feature the decoder does not support ({u:?})"),
        ),
        DecodeErrors::LargeDimensions(_) => Error::limit(
            "limit.image_memory",
            "the jpeg data declares a larger image than its header",
        ),
        other => Error::input(
            "input.image_decode",
            format!("the jpeg data is malformed ({other})"),
        ),
    }
}

/// Rotates and flips as EXIF orientation `o` (1 to 8) asks.
pub(crate) fn orient(img: &mut DynamicImage, o: u8) {
    if let Some(orientation) = image::metadata::Orientation::from_exif(o) {
        img.apply_orientation(orientation);
    }
}

/// Whether any pixel is not fully opaque.
pub(crate) fn has_alpha(img: &RgbaImage) -> bool {
    img.as_raw().chunks_exact(4).any(|p| p.get(3) != Some(&255))
}

/// Pixels that are fully transparent yet carry colour.
pub(crate) fn hidden_pixels(img: &RgbaImage) -> u64 {
    img.as_raw()
        .chunks_exact(4)
        .filter(|p| matches!(p, [r, g, b, 0] if (r | g | b) != 0))
        .count() as u64
}

/// Sets the colour of fully transparent pixels to black.
pub(crate) fn zero_hidden(img: &mut RgbaImage) {
    for p in img.chunks_exact_mut(4) {
        if let [r, g, b, 0] = p {
            (*r, *g, *b) = (0, 0, 0);
        }
    }
}

/// Composites every pixel onto `bg` and makes it opaque.
pub(crate) fn flatten(img: &mut RgbaImage, bg: [u8; 3]) {
    for p in img.chunks_exact_mut(4) {
        if let [r, g, b, a] = p {
            let alpha = u32::from(*a);
            let mix = |c: u8, back: u8| {
                ((u32::from(c) * alpha + u32::from(back) * (255 - alpha) + 127) / 255) as u8
            };
            (*r, *g, *b, *a) = (mix(*r, bg[0]), mix(*g, bg[1]), mix(*b, bg[2]), 255);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A JPEG of a noisy gradient: smooth areas give DC-only and 4×4 blocks,
    /// the noise full ones.
    fn test_jpeg(quality: u8, sampling: jpeg_encoder::SamplingFactor) -> Vec<u8> {
        let (w, h) = (67u16, 45u16);
        let mut seed = 7u32;
        let data: Vec<u8> = (0..usize::from(w) * usize::from(h))
            .flat_map(|i| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = if i % 67 > 40 {
                    (seed >> 26) as u8 * 4
                } else {
                    0
                };
                let x = (i % 67) as u8;
                [
                    x.wrapping_mul(3).wrapping_add(noise),
                    (i / 67) as u8 * 5,
                    255 - x * 2,
                    255,
                ]
            })
            .collect();
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
        enc.set_sampling_factor(sampling);
        enc.encode(&data, w, h, jpeg_encoder::ColorType::Rgba)
            .unwrap();
        out
    }

    #[test]
    fn simd_jpeg_decode_matches_the_scalar_code() {
        // The IDCT and colour conversion have SIMD versions (wasm SIMD128,
        // AVX2 natively); `set_use_unsafe(false)` keeps zune-jpeg's scalar ones.
        use jpeg_encoder::SamplingFactor;
        for sampling in [
            SamplingFactor::F_1_1,
            SamplingFactor::F_2_2,
            SamplingFactor::F_2_1,
        ] {
            for quality in [20, 75, 98] {
                let jpeg = test_jpeg(quality, sampling);
                let decode = |simd: bool| {
                    let options = zune_core::options::DecoderOptions::default()
                        .set_use_unsafe(simd)
                        .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::RGBA);
                    zune_jpeg::JpegDecoder::new_with_options(
                        zune_core::bytestream::ZCursor::new(&jpeg),
                        options,
                    )
                    .decode()
                    .unwrap()
                };
                let fast = decode(true);
                assert_eq!(fast.len(), 67 * 45 * 4);
                assert!(fast == decode(false), "{sampling:?} q{quality}");
            }
        }
    }

    #[test]
    fn hidden_colour_is_counted_zeroed_and_flattened() {
        let mut img =
            RgbaImage::from_raw(3, 1, vec![255, 0, 0, 0, 0, 0, 0, 0, 10, 20, 30, 128]).unwrap();
        assert!(has_alpha(&img));
        assert_eq!(hidden_pixels(&img), 1);
        let mut flat = img.clone();
        zero_hidden(&mut img);
        assert_eq!(img.as_raw()[..4], [0, 0, 0, 0]);
        assert_eq!(hidden_pixels(&img), 0);
        flatten(&mut flat, [255, 255, 255]);
        assert_eq!(
            flat.as_raw(),
            &[255, 255, 255, 255, 255, 255, 255, 255, 132, 137, 142, 255]
        );
        assert!(!has_alpha(&flat));
    }
}
