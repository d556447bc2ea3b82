//! Downscaling that every input pixel takes part in: a convolution whose
//! support grows with the reduction (Pillow's algorithm, SIMD in wasm and
//! natively), never nearest-neighbour or a fixed two-tap bilinear, which read
//! a few pixels per output pixel and are what image-scaling attacks exploit.

use fast_image_resize as fr;
use image::RgbaImage;

use crate::error::{Error, Result};
use crate::policy::ResizeFilter;

/// The size that fits `width` × `height` into `max_side` on its longer side,
/// keeping the aspect ratio (each side at least 1); the size itself when it fits.
pub(crate) fn fit(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side || long == 0 {
        return (width, height);
    }
    let scale = |side: u32| {
        let s = (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        (s as u32).clamp(1, max_side)
    };
    (scale(width), scale(height))
}

fn filter(f: ResizeFilter) -> fr::ResizeAlg {
    let t = match f {
        ResizeFilter::Area => fr::FilterType::Box,
        ResizeFilter::Triangle => fr::FilterType::Bilinear,
        ResizeFilter::CatmullRom => fr::FilterType::CatmullRom,
        ResizeFilter::Lanczos3 => fr::FilterType::Lanczos3,
    };
    fr::ResizeAlg::Convolution(t)
}

/// `img` scaled to `width` × `height` with `f`; colour is weighted by alpha
/// when `alpha` says the image has transparency.
///
/// # Errors
/// `input.image_resize` if the resizer refuses the sizes (an empty side).
pub(crate) fn resize(
    img: &RgbaImage,
    width: u32,
    height: u32,
    f: ResizeFilter,
    alpha: bool,
) -> Result<RgbaImage> {
    let fail = |e: String| Error::input("input.image_resize", format!("cannot resize: {e}"));
    let src =
        fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8x4)
            .map_err(|e| fail(e.to_string()))?;
    let mut dst = fr::images::Image::new(width, height, fr::PixelType::U8x4);
    let options = fr::ResizeOptions::new()
        .resize_alg(filter(f))
        .use_alpha(alpha);
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| fail(e.to_string()))?;
    RgbaImage::from_raw(width, height, dst.into_vec())
        .ok_or_else(|| fail(String::from("size mismatch")))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn fit_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit(3000, 4000, 2048), (1536, 2048));
        assert_eq!(fit(100, 50, 2048), (100, 50));
        assert_eq!(fit(100_000, 1, 2048), (2048, 1));
        assert_eq!(fit(0, 0, 16), (0, 0));
    }

    #[test]
    fn every_pixel_counts_in_a_downscale() {
        // A black image with one white pixel in every 4×4 block: nearest
        // sampling sees all black or all white, an area filter a 1/16 grey.
        let mut img = RgbaImage::from_pixel(64, 64, image::Rgba([0, 0, 0, 255]));
        for y in (1..64).step_by(4) {
            for x in (1..64).step_by(4) {
                img.put_pixel(x, y, image::Rgba([255, 255, 255, 255]));
            }
        }
        for f in [ResizeFilter::Area, ResizeFilter::Lanczos3] {
            let small = resize(&img, 16, 16, f, false).unwrap();
            let mean = small.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / 256.0;
            assert!((mean - 255.0 / 16.0).abs() < 4.0, "{f:?}: {mean}");
        }
    }
}
