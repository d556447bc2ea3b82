//! A cheap signal of data hidden in the lowest bit of each colour channel: the
//! chi-square attack of Westfeld and Pfitzmann (1999). Overwriting the lowest
//! bits with message bits makes each pair of values that differ only there
//! (2k and 2k + 1) about equally frequent; natural images are far from that.
//! The statistic compares each pair's counts with their mean; its p-value
//! under the chi-square law is the probability that the pairs were equalized.
//!
//! Meaningful for lossless pixels (PNG, BMP, GIF, lossless WebP): a JPEG's
//! pixels are rebuilt by its decoder, and JPEG steganography lives in its DCT
//! coefficients, which the re-encode replaces anyway.

use image::RgbaImage;

/// The probability (0..=1) that the lowest bits of the colour channels carry
/// embedded data, or `None` when the image has too few distinct values for
/// the test to mean anything.
pub(crate) fn lsb_embedding_probability(img: &RgbaImage) -> Option<f64> {
    let mut hist = [0u64; 256];
    for p in img.as_raw().chunks_exact(4) {
        for &c in p.get(..3).unwrap_or(&[]) {
            if let Some(h) = hist.get_mut(usize::from(c)) {
                *h += 1;
            }
        }
    }
    let mut chi = 0.0;
    let mut categories = 0u32;
    for pair in hist.chunks_exact(2) {
        let (even, odd) = (
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        );
        let expected = (even + odd) as f64 / 2.0;
        // Sparse pairs say nothing (and the chi-square law needs counts).
        if expected < 5.0 {
            continue;
        }
        let d = even as f64 - expected;
        chi += d * d / expected;
        categories += 1;
    }
    if categories < 16 {
        return None;
    }
    Some(1.0 - lower_gamma_regularized(f64::from(categories - 1) / 2.0, chi / 2.0))
}

/// P(a, x), the regularized lower incomplete gamma function: the chi-square
/// CDF with `2a` degrees of freedom at `2x`. Series below `a + 1`, continued
/// fraction above (Numerical Recipes, 6.2).
fn lower_gamma_regularized(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum * ln_prefix.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - ln_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let t = x + 7.5;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A natural-looking image: smooth shading plus mild noise, whose values
    /// fall unevenly on even and odd.
    fn cover() -> RgbaImage {
        let mut s = 0x1234_5678u32;
        RgbaImage::from_fn(200, 150, |x, y| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = (s % 7) as i32 - 3;
            let v = |base: i32| (base + n).clamp(0, 255) as u8;
            // Quantized by an imaginary camera pipeline to even values mostly.
            let shade = ((x + y) / 3 * 2) as i32 % 250;
            image::Rgba([
                v(shade) & !1 | u8::from(s.is_multiple_of(9)),
                v(shade / 2) & !1,
                v(120) & !1 | u8::from(s.is_multiple_of(5)),
                255,
            ])
        })
    }

    #[test]
    fn embedded_bits_score_high_and_the_cover_low() {
        let clean = cover();
        let p = lsb_embedding_probability(&clean).unwrap();
        assert!(p < 0.01, "cover {p}");
        let mut stego = clean.clone();
        let mut s = 0xDEAD_BEEFu32;
        for b in stego.iter_mut() {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            *b = (*b & !1) | (s & 1) as u8;
        }
        let p = lsb_embedding_probability(&stego).unwrap();
        assert!(p > 0.99, "stego {p}");
    }

    #[test]
    fn flat_images_are_not_judged() {
        let img = RgbaImage::from_pixel(50, 50, image::Rgba([10, 20, 30, 255]));
        assert_eq!(lsb_embedding_probability(&img), None);
    }

    #[test]
    fn chi_square_cdf_known_values() {
        // Chi-square with 2 degrees of freedom: CDF(x) = 1 - exp(-x / 2).
        for x in [0.5f64, 2.0, 7.0, 30.0] {
            let p = lower_gamma_regularized(1.0, x / 2.0);
            assert!((p - (1.0 - (-x / 2.0).exp())).abs() < 1e-9, "{x}");
        }
        // 10 degrees of freedom, the 95% point is 18.307.
        assert!((lower_gamma_regularized(5.0, 18.307 / 2.0) - 0.95).abs() < 1e-3);
    }
}
