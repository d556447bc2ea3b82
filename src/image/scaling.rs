//! Detection of image-scaling attacks (Xiao et al., USENIX Security 2019;
//! Quiring et al., USENIX Security 2020). An attack image hides a second image
//! in the few pixels a naive scaler reads — nearest-neighbour, or bilinear with
//! a fixed 2×2 kernel — so the model, which scales the upload to its input
//! size, sees the hidden image while a person sees the cover.
//!
//! For each size a pipeline may scale to, the naive results (three common
//! sampling conventions) are compared with a robust one (every pixel counts).
//! Both are first averaged over blocks of output pixels, 64 naive samples a
//! block: the aliasing noise naive scaling adds to natural images or text
//! averages out there, while a hidden image, which differs from the cover at
//! every scale, remains. Blocks are 8×8 output pixels, or larger at large sizes
//! so that no size takes more than 24 blocks a side: the work per size stays
//! bounded. The robust side comes from a summed-area table of the cover's
//! luma, so each block mean costs four lookups whatever the size.

use image::RgbaImage;

use super::resize::fit;

/// Output pixels per side of a compared block, at least.
const BLOCK: u32 = 8;
/// Most blocks along the longer side: enough to see a hidden image, few
/// enough that the samples, scattered over a large photo and so read from
/// memory rather than cache, stay a few milliseconds' work.
const MAX_BLOCKS: u32 = 24;
/// Naive samples per block side.
const SAMPLES: u32 = 8;

/// Luma (BT.601, integer) of an RGBA pixel at byte `at`.
fn luma(px: &[u8], at: usize) -> u32 {
    match px.get(at..at + 3) {
        Some(&[r, g, b]) => (77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8,
        _ => 0,
    }
}

/// Summed-area table of an image's luma: `sum(x0, y0, x1, y1)` is the total
/// over a rectangle in four lookups.
pub(crate) struct LumaTable {
    width: usize,
    height: usize,
    /// (width + 1) × (height + 1), a zero row and column first.
    sums: Vec<u64>,
}

impl LumaTable {
    pub(crate) fn new(img: &RgbaImage) -> LumaTable {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let px = img.as_raw();
        let stride = w + 1;
        let mut sums = vec![0u64; stride * (h + 1)];
        for y in 0..h {
            let mut row = 0u64;
            for x in 0..w {
                row += u64::from(luma(px, (y * w + x) * 4));
                let above = sums.get(y * stride + x + 1).copied().unwrap_or(0);
                if let Some(s) = sums.get_mut((y + 1) * stride + x + 1) {
                    *s = above + row;
                }
            }
        }
        LumaTable {
            width: w,
            height: h,
            sums,
        }
    }

    /// Mean luma over columns `x0..x1` and rows `y0..y1` (clamped, at least one pixel).
    fn mean(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
        let x1 = x1.clamp(1, self.width);
        let y1 = y1.clamp(1, self.height);
        let x0 = x0.min(x1 - 1);
        let y0 = y0.min(y1 - 1);
        let stride = self.width + 1;
        let at = |x: usize, y: usize| self.sums.get(y * stride + x).copied().unwrap_or(0);
        let total = at(x1, y1) + at(x0, y0) - at(x0, y1) - at(x1, y0);
        total as f64 / ((x1 - x0) * (y1 - y0)) as f64
    }
}

/// Longest side of the robust image the table is built from: blocks span at
/// least 1/28 of a side (8 of the 224 pixels of the smallest size), so 512
/// pixels leave each block 18 or more.
const REFERENCE_SIDE: u32 = 512;

/// The luma table of `robust` (a robust rescale of the image, or the image),
/// scaled down robustly first when it is larger than needed. Colour is
/// averaged as it is, transparency ignored, as the naive samples read it.
///
/// # Errors
/// As [`super::resize::resize`].
pub(crate) fn reference(robust: &RgbaImage) -> crate::error::Result<LumaTable> {
    let (w, h) = fit(robust.width(), robust.height(), REFERENCE_SIDE);
    if (w, h) == robust.dimensions() {
        return Ok(LumaTable::new(robust));
    }
    let small = super::resize::resize(robust, w, h, crate::policy::ResizeFilter::Area, false)?;
    Ok(LumaTable::new(&small))
}

/// How a naive scaler picks source pixels.
#[derive(Clone, Copy)]
enum Naive {
    /// Nearest to the output pixel's centre (Pillow, TensorFlow with half-pixel centres).
    NearestCentre,
    /// The output pixel's top-left corner (OpenCV `INTER_NEAREST`, older TensorFlow).
    NearestCorner,
    /// Bilinear over the 2×2 pixels around the centre (OpenCV `INTER_LINEAR`).
    Bilinear,
}

/// Where a naive scaler reads output coordinate `o` from, along one axis of
/// `len` source pixels at `scale` source pixels per output pixel: the first
/// source pixel, the next one, and the weight of the next (0 for nearest).
fn source_of(how: Naive, o: u32, scale: f64, len: u32) -> (u32, u32, f64) {
    let last = len.saturating_sub(1);
    let o = f64::from(o);
    let (p0, t) = match how {
        Naive::NearestCentre => (((o + 0.5) * scale) as u32, 0.0),
        Naive::NearestCorner => ((o * scale) as u32, 0.0),
        Naive::Bilinear => {
            let f = ((o + 0.5) * scale - 0.5).max(0.0);
            (f as u32, f - f.floor())
        }
    };
    (p0.min(last), (p0 + 1).min(last), t)
}

/// The naive scalers compared.
const NAIVE: [Naive; 3] = [Naive::NearestCentre, Naive::NearestCorner, Naive::Bilinear];

/// The luma a naive scaler reads at `x` and `y`, two [`source_of`] results,
/// from RGBA bytes `px` with `stride` bytes a row.
fn sample(px: &[u8], stride: usize, x: (u32, u32, f64), y: (u32, u32, f64)) -> f64 {
    let ((x0, x1, tx), (y0, y1, ty)) = (x, y);
    let at = |x: u32, y: u32| f64::from(luma(px, y as usize * stride + x as usize * 4));
    if tx == 0.0 && ty == 0.0 {
        return at(x0, y0);
    }
    let top = at(x0, y0) * (1.0 - tx) + at(x1, y0) * tx;
    let bottom = at(x0, y1) * (1.0 - tx) + at(x1, y1) * tx;
    top * (1.0 - ty) + bottom * ty
}

/// The output coordinates sampled along one axis of `len` output pixels cut
/// into blocks of `side`: [`SAMPLES`] spread over each block, with their block.
fn sampled(len: u32, side: u32) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut b0 = 0;
    while b0 < len {
        let b1 = (b0 + side).min(len);
        for k in 0..SAMPLES {
            out.push((b0 + k * (b1 - b0) / SAMPLES, (b0 / side) as usize));
        }
        b0 = b1;
    }
    out
}

/// Difference below which no closer look is taken (natural images and
/// typeset text measured at most 0.02).
const WORTH_CHECKING: f64 = 0.04;
/// How much more the sampled pixels must stand out from their neighbours
/// than pixels midway between samples, for the difference to be an attack.
const MIN_ISOLATION: f64 = 2.0;

/// How much the pixels a naive scaler reads stand out from their four
/// neighbours, relative to pixels midway between them: an attack writes its
/// target into the sampled pixels only, so they stand out several times more;
/// a fine periodic pattern (which naive scaling also turns into something
/// else, moiré) stands out the same everywhere.
fn isolation(
    img: &RgbaImage,
    xs: &[((u32, u32, f64), usize)],
    rows: &[(u32, usize)],
    how: Naive,
    sy: f64,
) -> f64 {
    let (w, h) = (img.width(), img.height());
    let px = img.as_raw();
    let stride = w as usize * 4;
    let luma_at = |x: u32, y: u32| {
        let (x, y) = (x.min(w - 1), y.min(h - 1));
        f64::from(luma(px, y as usize * stride + x as usize * 4))
    };
    // |pixel − median of its four neighbours|.
    let stands_out = |x: u32, y: u32| {
        let mut n = [
            luma_at(x.saturating_sub(1), y),
            luma_at(x + 1, y),
            luma_at(x, y.saturating_sub(1)),
            luma_at(x, y + 1),
        ];
        n.sort_by(f64::total_cmp);
        (luma_at(x, y) - (n[1] + n[2]) / 2.0).abs()
    };
    // Midway between two samples, clear of a bilinear attack's 2×2 groups.
    let offset = ((sy / 2.0) as u32).max(1);
    let (mut sampled, mut midway) = (0.0, 0.0);
    for &(oy, _) in rows.iter().step_by(2) {
        let (y0, _, _) = source_of(how, oy, sy, h);
        for &((x0, _, _), _) in xs.iter().step_by(2) {
            sampled += stands_out(x0, y0);
            midway += stands_out(x0 + offset, y0 + offset);
        }
    }
    sampled / (midway + 1.0)
}

/// The mean size of the block differences `diff` (`bw` × `bh`, signed) once
/// each is averaged with its right, lower and lower-right neighbours. A hidden
/// image differs from the cover in patches that span blocks, and keeps its
/// size; the aliasing of fine noise differs at random from block to block,
/// and averaging four such differences halves it. This keeps the outputs of
/// noisy or dithered images (which a naive scaler aliases) from being taken
/// for attacks.
fn coherent_difference(diff: &[f64], bw: usize, bh: usize) -> f64 {
    if bw < 2 || bh < 2 {
        return diff.iter().map(|d| d.abs()).sum::<f64>() / diff.len().max(1) as f64;
    }
    let at = |x: usize, y: usize| diff.get(y * bw + x).copied().unwrap_or(0.0);
    let mut total = 0.0;
    for y in 0..bh - 1 {
        for x in 0..bw - 1 {
            total += ((at(x, y) + at(x + 1, y) + at(x, y + 1) + at(x + 1, y + 1)) / 4.0).abs();
        }
    }
    total / ((bw - 1) * (bh - 1)) as f64
}

/// The strongest evidence of a scaling attack: the largest mean block
/// difference (0..=1) between naive and robust scaling over `sizes`, and the
/// size it was found at. `img` is the full image; `robust` is the luma table
/// of a robust rescale of it (any size; its blocks are read proportionally).
/// Sizes the image is not at least twice as large as are skipped: a naive
/// scaler reads most pixels there anyway.
pub(crate) fn score(img: &RgbaImage, robust: &LumaTable, sizes: &[u32]) -> Option<(f64, u32)> {
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return None;
    }
    let px = img.as_raw();
    let stride = w as usize * 4;
    let mut best: Option<(f64, u32)> = None;
    for &size in sizes {
        if w.max(h) < size.saturating_mul(2) {
            continue;
        }
        let (tw, th) = fit(w, h, size);
        // A target under a block high (or wide) holds no picture to hide,
        // and its blocks repeat the same few samples, so noise in a thin
        // strip would not average out and would look like a hidden image.
        if tw.min(th) < BLOCK {
            continue;
        }
        let side = BLOCK.max(tw.max(th).div_ceil(MAX_BLOCKS));
        let (bw, bh) = (tw.div_ceil(side) as usize, th.div_ceil(side) as usize);
        let (sx, sy) = (f64::from(w) / f64::from(tw), f64::from(h) / f64::from(th));
        // The robust mean of each block, from the table.
        let (rx, ry) = (
            robust.width as f64 / f64::from(tw),
            robust.height as f64 / f64::from(th),
        );
        let reference: Vec<f64> = (0..bw * bh)
            .map(|b| {
                let (bx, by) = ((b % bw) as u32, (b / bw) as u32);
                let (ox0, oy0) = (bx * side, by * side);
                let (ox1, oy1) = ((ox0 + side).min(tw), (oy0 + side).min(th));
                robust.mean(
                    (f64::from(ox0) * rx) as usize,
                    (f64::from(oy0) * ry) as usize,
                    (f64::from(ox1) * rx).ceil() as usize,
                    (f64::from(oy1) * ry).ceil() as usize,
                )
            })
            .collect();
        let (cols, rows) = (sampled(tw, side), sampled(th, side));
        let xs = NAIVE.map(|how| -> Vec<_> {
            cols.iter()
                .map(|&(o, b)| (source_of(how, o, sx, w), b))
                .collect()
        });
        // The three scalers' samples of a row are taken together: they lie a
        // pixel or two apart, so they share cache lines of a large image
        // instead of each scaler fetching them again.
        let mut sums = NAIVE.map(|_| vec![0.0f64; bw * bh]);
        for &(oy, by) in &rows {
            let [yc, yk, yb] = NAIVE.map(|how| source_of(how, oy, sy, h));
            let [sc, sk, sb] = sums
                .each_mut()
                .map(|s| s.get_mut(by * bw..(by + 1) * bw).unwrap_or(&mut []));
            let [xc, xk, xb] = &xs;
            for ((&(xc, bx), &(xk, _)), &(xb, _)) in xc.iter().zip(xk).zip(xb) {
                for (row, x, y) in [(&mut *sc, xc, yc), (&mut *sk, xk, yk), (&mut *sb, xb, yb)] {
                    if let Some(s) = row.get_mut(bx) {
                        *s += sample(px, stride, x, y);
                    }
                }
            }
        }
        for ((how, sums), xs) in NAIVE.into_iter().zip(sums).zip(&xs) {
            let per_block = f64::from(SAMPLES * SAMPLES);
            let diff: Vec<f64> = sums
                .iter()
                .zip(&reference)
                .map(|(s, r)| s / per_block - r)
                .collect();
            let mut s = coherent_difference(&diff, bw, bh) / 255.0;
            // Worth a closer look only where the difference is sizeable:
            // is it made by isolated pixels at the sampled positions?
            if s > WORTH_CHECKING && isolation(img, xs, &rows, how, sy) < MIN_ISOLATION {
                s = 0.0;
            }
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, size));
            }
        }
    }
    best
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::image::resize::resize;
    use crate::policy::ResizeFilter;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A smooth cover: gradients and a soft disc.
    pub(crate) fn cover(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let dx = f64::from(x) - f64::from(w) / 2.0;
            let dy = f64::from(y) - f64::from(h) / 2.0;
            let disc = if (dx * dx + dy * dy).sqrt() < f64::from(w) / 4.0 {
                60
            } else {
                0
            };
            image::Rgba([(x * 200 / w) as u8 + disc, (y * 200 / h) as u8, 120, 255])
        })
    }

    /// A target unlike the cover: a coarse checkerboard.
    pub(crate) fn target(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            let v = if (x / 16 + y / 16) % 2 == 0 { 255 } else { 0 };
            image::Rgba([v, v, v, 255])
        })
    }

    /// Xiao et al.'s attack in its simplest form: the target written into the
    /// pixels a centre-sampling nearest-neighbour scaler to `tw` × `th` reads.
    pub(crate) fn attack(cover: &RgbaImage, target: &RgbaImage) -> RgbaImage {
        let mut img = cover.clone();
        let (sx, sy) = (
            f64::from(cover.width()) / f64::from(target.width()),
            f64::from(cover.height()) / f64::from(target.height()),
        );
        for (x, y, p) in target.enumerate_pixels() {
            let cx = ((f64::from(x) + 0.5) * sx) as u32;
            let cy = ((f64::from(y) + 0.5) * sy) as u32;
            img.put_pixel(cx, cy, *p);
        }
        img
    }

    fn score_of(img: &RgbaImage, sizes: &[u32]) -> f64 {
        let (w, h) = fit(img.width(), img.height(), 512);
        let robust = resize(img, w, h, ResizeFilter::Lanczos3, false).unwrap();
        score(img, &reference(&robust).unwrap(), sizes).map_or(0.0, |(s, _)| s)
    }

    #[test]
    fn an_embedded_target_scores_high_and_a_plain_cover_low() {
        let c = cover(1024, 768);
        let a = attack(&c, &target(224, 168));
        let plain = score_of(&c, &[224, 256, 512]);
        let attacked = score_of(&a, &[224, 256, 512]);
        assert!(plain < 0.03, "cover {plain}");
        assert!(attacked > 0.12, "attack {attacked}");
    }

    #[test]
    fn fine_random_detail_is_not_an_attack() {
        // Dense one-pixel black-and-white noise (the worst case of text or
        // dithering): naive scaling picks pixels at random, which averages out
        // over a block to what the robust scaler gives.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let img = RgbaImage::from_fn(1200, 900, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = if state.is_multiple_of(3) { 240 } else { 15 };
            image::Rgba([v, v, v, 255])
        });
        let s = score_of(&img, &[224, 256, 299, 336, 384, 448]);
        assert!(s < 0.06, "{s}");
    }

    #[test]
    fn fine_periodic_detail_is_moire_not_an_attack() {
        // One-pixel stripes: a naive scaler near a multiple of their period
        // reads the same phase everywhere (moiré), but no pixel stands out
        // from its neighbours more than any other.
        let img = RgbaImage::from_fn(1200, 900, |x, y| {
            let v = if (x % 3 == 0) ^ (y % 5 == 0) { 230 } else { 20 };
            image::Rgba([v, v, v, 255])
        });
        let s = score_of(&img, &[224, 256, 299, 336, 384, 448]);
        assert!(s < 0.1, "{s}");
    }

    #[test]
    fn noise_in_a_thin_strip_is_not_an_attack() {
        // 1536×6 of one-bit noise scales to targets one to three pixels high,
        // whose blocks read the same row again and again: no averaging, so
        // the noise once passed for a hidden image (a fuzzer finding).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let img = RgbaImage::from_fn(1536, 6, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = if state.is_multiple_of(2) { 255 } else { 0 };
            image::Rgba([v, v, v, 255])
        });
        assert_eq!(score_of(&img, &[224, 256, 512, 768]), 0.0);
        // A strip that is at least a block high is still compared.
        let tall = RgbaImage::from_fn(1536, 96, |x, y| *img.get_pixel(x, y % 6));
        assert!(score(&tall, &reference(&tall).unwrap(), &[224]).is_some());
    }

    #[test]
    fn summed_area_means() {
        let img = RgbaImage::from_fn(4, 2, |x, _| image::Rgba([(x * 10) as u8; 4]));
        let t = LumaTable::new(&img);
        assert!((t.mean(0, 0, 4, 2) - 15.0).abs() < 1.0);
        assert!((t.mean(3, 0, 9, 9) - 30.0).abs() < 1.0);
    }
}
