//! Feature squeezing (Xu, Evans and Qi, NDSS 2018): reductions that leave an
//! image's content to a person and to a model, but not the fine-tuned
//! perturbations of an adversarial example or bits hidden in its pixels —
//! fewer levels per channel, median smoothing, JPEG re-compression.
//!
//! Each works on whole rows of interleaved RGBA bytes with element-wise
//! table lookups, minimums and maximums, which the compiler turns into SIMD
//! (wasm `simd128`, SSE/AVX natively): a neighbour of a byte is 4 bytes away.

use image::RgbaImage;

use crate::error::Result;
use crate::policy::Median;

/// Each channel quantized to `bits` (1..=8) levels, spread over 0..=255:
/// `round(round(v / 255 × (2^bits − 1)) × 255 / (2^bits − 1))`. Alpha too, so
/// a squeezed image has no hidden bits anywhere.
pub(crate) fn reduce_bit_depth(img: &mut RgbaImage, bits: u8) {
    if bits >= 8 || bits == 0 {
        return;
    }
    let levels = (1u32 << bits) - 1;
    let mut table = [0u8; 256];
    for (v, slot) in table.iter_mut().enumerate() {
        let q = (v as u32 * levels + 127) / 255;
        *slot = ((q * 255 + levels / 2) / levels) as u8;
    }
    // A table lookup per byte: measured in wasm, several times faster than
    // the arithmetic vectorized (SIMD128 has no integer division).
    for b in img.iter_mut() {
        *b = table.get(usize::from(*b)).copied().unwrap_or(*b);
    }
}

/// Median smoothing of every channel over the window `m`.
pub(crate) fn median(img: &RgbaImage, m: Median) -> RgbaImage {
    match m {
        Median::None => img.clone(),
        Median::TwoByTwo => median2x2(img),
        Median::ThreeByThree => median3x3(img),
    }
}

/// Row `y` of `img` (clamped to the image), as bytes.
fn row(img: &RgbaImage, y: i64) -> &[u8] {
    let h = i64::from(img.height());
    let stride = img.width() as usize * 4;
    let y = y.clamp(0, h - 1) as usize;
    img.as_raw()
        .get(y * stride..(y + 1) * stride)
        .unwrap_or(&[])
}

/// `r` shifted by one pixel (4 bytes) left (`d` = 1) or right (`d` = -1),
/// the edge pixel repeated: the horizontal neighbours of every byte.
fn shifted(r: &[u8], d: i32, out: &mut Vec<u8>) {
    out.clear();
    let n = r.len();
    if n < 8 {
        out.extend_from_slice(r);
        return;
    }
    if d > 0 {
        out.extend_from_slice(r.get(4..).unwrap_or(&[]));
        out.extend_from_slice(r.get(n - 4..).unwrap_or(&[]));
    } else {
        out.extend_from_slice(r.get(..4).unwrap_or(&[]));
        out.extend_from_slice(r.get(..n - 4).unwrap_or(&[]));
    }
}

/// The median of each 3×3 neighbourhood (edges repeated), by the classic
/// decomposition: sort each column of three, then the median is the median of
/// the largest low, the median middle and the smallest high of the three columns.
fn median3x3(img: &RgbaImage) -> RgbaImage {
    let (w, h) = img.dimensions();
    let n = w as usize * 4;
    let mut out = RgbaImage::new(w, h);
    let (mut lo, mut mid, mut hi) = (vec![0u8; n], vec![0u8; n], vec![0u8; n]);
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for y in 0..h {
        let yi = i64::from(y);
        let (r0, r1, r2) = (row(img, yi - 1), row(img, yi), row(img, yi + 1));
        let columns = r0.iter().zip(r1).zip(r2);
        let sorted = lo.iter_mut().zip(mid.iter_mut()).zip(hi.iter_mut());
        for (((l, m), hh), ((&p, &q), &r)) in sorted.zip(columns) {
            let (mn, mx) = (p.min(q), p.max(q));
            *l = mn.min(r);
            *hh = mx.max(r);
            *m = mn.max(mx.min(r));
        }
        // The largest of the lows, the median of the middles, the smallest of the highs.
        let dst = out
            .as_mut()
            .get_mut(y as usize * n..(y as usize + 1) * n)
            .unwrap_or(&mut []);
        shifted(&lo, -1, &mut a);
        shifted(&lo, 1, &mut b);
        let max_lo: Vec<u8> = lo
            .iter()
            .zip(&a)
            .zip(&b)
            .map(|((x, l), r)| (*x).max(*l).max(*r))
            .collect();
        shifted(&hi, -1, &mut a);
        shifted(&hi, 1, &mut b);
        let min_hi: Vec<u8> = hi
            .iter()
            .zip(&a)
            .zip(&b)
            .map(|((x, l), r)| (*x).min(*l).min(*r))
            .collect();
        shifted(&mid, -1, &mut a);
        shifted(&mid, 1, &mut b);
        let middles = mid.iter().zip(&a).zip(&b);
        for (((d, ((&x, &l), &r)), &p), &s) in dst.iter_mut().zip(middles).zip(&max_lo).zip(&min_hi)
        {
            let q = x.min(l).max(x.max(l).min(r));
            *d = p.min(q).max(p.max(q).min(s));
        }
    }
    out
}

/// The median of each 2×2 neighbourhood (the pixel, its right, lower and
/// lower-right neighbours, edges repeated): the mean of the two middle values.
fn median2x2(img: &RgbaImage) -> RgbaImage {
    let (w, h) = img.dimensions();
    let n = w as usize * 4;
    let mut out = RgbaImage::new(w, h);
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for y in 0..h {
        let yi = i64::from(y);
        let (r0, r1) = (row(img, yi), row(img, yi + 1));
        shifted(r0, 1, &mut a);
        shifted(r1, 1, &mut b);
        let dst = out
            .as_mut()
            .get_mut(y as usize * n..(y as usize + 1) * n)
            .unwrap_or(&mut []);
        let quads = r0.iter().zip(&a).zip(r1.iter().zip(&b));
        for (d, ((&p, &q), (&r, &s))) in dst.iter_mut().zip(quads) {
            let low_mid = p.min(q).max(r.min(s));
            let high_mid = p.max(q).min(r.max(s));
            *d = (u16::from(low_mid) + u16::from(high_mid)).div_ceil(2) as u8;
        }
    }
    out
}

/// A JPEG round trip at `quality`: what re-compression leaves of the pixels
/// (transparency is kept as it was).
///
/// # Errors
/// `input.image_encode` or `input.image_decode` if the codec fails.
pub(crate) fn jpeg_round_trip(img: &RgbaImage, quality: u8) -> Result<RgbaImage> {
    let jpeg = super::encode::encode(img, crate::sniff::ImageFormat::Jpeg, false, quality)?;
    let (w, h) = img.dimensions();
    let decoded = super::pixels::decode(&jpeg, crate::sniff::ImageFormat::Jpeg, w, h, u64::MAX)?;
    let mut rgba = decoded.to_rgba8();
    for (p, q) in rgba.chunks_exact_mut(4).zip(img.chunks_exact(4)) {
        if let (Some(a), Some(b)) = (p.get_mut(3), q.get(3)) {
            *a = *b;
        }
    }
    Ok(rgba)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn noisy(w: u32, h: u32) -> RgbaImage {
        let mut s = 0x9E37_79B9u32;
        RgbaImage::from_fn(w, h, |_, _| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            image::Rgba([s as u8, (s >> 8) as u8, (s >> 16) as u8, 255])
        })
    }

    /// The median, computed the slow, obvious way.
    fn reference(img: &RgbaImage, m: Median) -> RgbaImage {
        let (w, h) = img.dimensions();
        RgbaImage::from_fn(w, h, |x, y| {
            let mut px = [0u8; 4];
            for (c, slot) in px.iter_mut().enumerate() {
                let at = |dx: i64, dy: i64| {
                    let xx = (i64::from(x) + dx).clamp(0, i64::from(w) - 1) as u32;
                    let yy = (i64::from(y) + dy).clamp(0, i64::from(h) - 1) as u32;
                    img.get_pixel(xx, yy).0[c]
                };
                *slot = match m {
                    Median::ThreeByThree => {
                        let mut v: Vec<u8> = (-1..=1)
                            .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
                            .map(|(dx, dy)| at(dx, dy))
                            .collect();
                        v.sort_unstable();
                        v[4]
                    }
                    Median::TwoByTwo => {
                        let mut v = [at(0, 0), at(1, 0), at(0, 1), at(1, 1)];
                        v.sort_unstable();
                        (u16::from(v[1]) + u16::from(v[2])).div_ceil(2) as u8
                    }
                    Median::None => at(0, 0),
                };
            }
            image::Rgba(px)
        })
    }

    #[test]
    fn medians_match_the_definition_on_noise_and_tiny_images() {
        for (w, h) in [(37, 23), (1, 1), (2, 5), (1, 9), (9, 1)] {
            let img = noisy(w, h);
            for m in [Median::TwoByTwo, Median::ThreeByThree] {
                assert_eq!(median(&img, m), reference(&img, m), "{m:?} {w}x{h}");
            }
        }
    }

    #[test]
    fn a_median_removes_isolated_pixels() {
        let mut img = RgbaImage::from_pixel(9, 9, image::Rgba([50, 60, 70, 255]));
        img.put_pixel(4, 4, image::Rgba([255, 0, 255, 255]));
        let m = median(&img, Median::ThreeByThree);
        assert!(m.pixels().all(|p| p.0 == [50, 60, 70, 255]));
    }

    #[test]
    fn every_depth_rounds_every_byte_to_the_nearest_level() {
        for bits in 1..=7u8 {
            let levels = f64::from((1u32 << bits) - 1);
            let mut img = RgbaImage::from_fn(64, 1, |x, _| {
                image::Rgba(core::array::from_fn(|c| (x * 4 + c as u32) as u8))
            });
            reduce_bit_depth(&mut img, bits);
            for (v, &out) in img.as_raw().iter().enumerate() {
                let nearest = ((v as f64 / 255.0 * levels).round() * 255.0 / levels).round();
                assert_eq!(f64::from(out), nearest, "{bits} bits, {v}");
            }
        }
    }

    #[test]
    fn bit_depth_keeps_the_ends_and_uses_few_levels() {
        let mut img = RgbaImage::from_fn(256, 1, |x, _| image::Rgba([x as u8, 0, 255, 255]));
        reduce_bit_depth(&mut img, 3);
        let mut levels: Vec<u8> = img.pixels().map(|p| p.0[0]).collect();
        levels.dedup();
        assert_eq!(levels.len(), 8);
        assert_eq!((levels[0], levels[7]), (0, 255));
        let before = img.clone();
        reduce_bit_depth(&mut img, 3);
        assert_eq!(img, before, "idempotent");
        let mut one = RgbaImage::from_fn(256, 1, |x, _| image::Rgba([x as u8; 4]));
        reduce_bit_depth(&mut one, 1);
        assert!(one.as_raw().iter().all(|&b| b == 0 || b == 255));
    }

    #[test]
    fn jpeg_round_trip_keeps_size_and_alpha() {
        let mut img = noisy(16, 8);
        img.put_pixel(3, 3, image::Rgba([1, 2, 3, 0]));
        let out = jpeg_round_trip(&img, 50).unwrap();
        assert_eq!(out.dimensions(), (16, 8));
        assert_eq!(out.get_pixel(3, 3).0[3], 0);
        assert_ne!(out, img);
    }
}
