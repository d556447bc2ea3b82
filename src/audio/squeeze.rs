//! Feature squeezing for audio (the counterpart of an image's bit-depth
//! reduction and median filter): fewer levels per sample, uniformly or on
//! the µ-law curve telephones use, so perturbations finer than a step are
//! rounded away while speech stays intelligible; and a short running median,
//! which removes spikes a sample or two wide.

/// µ of the µ-law curve (G.711).
const MU: f32 = 255.0;

/// Each sample replaced by the median of the `width` samples centred on it
/// (the edges repeat the first and last sample).
pub(crate) fn median(channels: &mut [Vec<f32>], width: u8) {
    let half = usize::from(width / 2);
    for c in channels.iter_mut() {
        let (Some(&first), Some(&last)) = (c.first(), c.last()) else {
            continue;
        };
        let padded: Vec<f32> = std::iter::repeat_n(first, half)
            .chain(c.iter().copied())
            .chain(std::iter::repeat_n(last, half))
            .collect();
        let mut window = [0.0f32; 9];
        for (v, w) in c.iter_mut().zip(padded.windows(2 * half + 1)) {
            let sorted = window.get_mut(..w.len()).unwrap_or_default();
            sorted.copy_from_slice(w);
            sorted.sort_unstable_by(f32::total_cmp);
            *v = sorted.get(half).copied().unwrap_or(*v);
        }
    }
}

/// Each sample rounded to a grid of `bits` bits over −1..1.
pub(crate) fn quantize(channels: &mut [Vec<f32>], bits: u8) {
    let steps = f32::from(1u16 << (bits.clamp(2, 16) - 1));
    for c in channels.iter_mut() {
        for v in c.iter_mut() {
            *v = ((*v * steps).round() / steps).clamp(-1.0, 1.0);
        }
    }
}

/// Each sample through an 8-bit µ-law encoder and decoder: fine steps near
/// silence, coarse ones near full scale, as speech needs.
pub(crate) fn mu_law(channels: &mut [Vec<f32>]) {
    let ln = (1.0 + MU).ln();
    for c in channels.iter_mut() {
        for v in c.iter_mut() {
            let x = v.clamp(-1.0, 1.0);
            let y = x.signum() * (1.0 + MU * x.abs()).ln() / ln;
            let y = (y * 127.0).round() / 127.0;
            *v = y.signum() * ((1.0 + MU).powf(y.abs()) - 1.0) / MU;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn levels(c: &[f32]) -> usize {
        let mut v: Vec<i64> = c.iter().map(|x| (x * 1e6).round() as i64).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    }

    #[test]
    fn a_running_median_removes_spikes_and_keeps_slow_shapes() {
        // A 200 Hz sine at 16 kHz, with a one-sample spike every 50 samples.
        let sine: Vec<f32> = (0..1_600)
            .map(|i| (0.5 * (std::f64::consts::TAU * 200.0 * i as f64 / 16_000.0).sin()) as f32)
            .collect();
        let spiked: Vec<f32> = sine
            .iter()
            .enumerate()
            .map(|(i, &v)| if i % 50 == 25 { v + 0.4 } else { v })
            .collect();
        for width in [3, 5, 9] {
            let mut c = vec![spiked.clone()];
            median(&mut c, width);
            let worst = c[0]
                .iter()
                .zip(&sine)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            // What is left is the curve's own change over a few samples.
            assert!(worst < 0.02 * f32::from(width), "{width}: {worst}");
        }
        let mut empty = vec![Vec::new(), vec![0.3]];
        median(&mut empty, 5);
        assert_eq!(empty, [vec![], vec![0.3]]);
    }

    #[test]
    fn few_levels_and_a_fixed_point() {
        let ramp: Vec<f32> = (0..4001).map(|i| i as f32 / 2000.0 - 1.0).collect();
        let mut q = vec![ramp.clone()];
        quantize(&mut q, 4);
        assert!(levels(&q[0]) <= 17, "{}", levels(&q[0]));
        let again = {
            let mut a = q.clone();
            quantize(&mut a, 4);
            a
        };
        assert_eq!(again, q);
        let mut m = vec![ramp];
        mu_law(&mut m);
        assert!(levels(&m[0]) <= 255, "{}", levels(&m[0]));
        // Fine near silence, coarse near full scale.
        let step = |x: f32| {
            let mut a = vec![vec![x]];
            mu_law(&mut a);
            a[0][0]
        };
        assert!((step(0.001) - 0.001).abs() < 0.0005);
        assert!((step(0.9) - 0.9).abs() < 0.05);
        let mut twice = m.clone();
        mu_law(&mut twice);
        for (a, b) in twice[0].iter().zip(&m[0]) {
            assert!((a - b).abs() < 1e-5);
        }
    }
}
