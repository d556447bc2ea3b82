//! Level: DC offset, clipping, silence and peak normalization, measured and
//! corrected on the decoded signal.

/// Mean offset from zero above which it is reported and removed: 0.5% of
/// full scale, well above what converters leave (well under 0.1%).
pub(crate) const DC_THRESHOLD: f32 = 0.005;

/// Samples at or beyond this magnitude count as clipped.
const CLIP_LEVEL: f32 = 0.999;

/// Consecutive clipped samples that make a clip (single full-scale samples
/// happen in loud, clean recordings).
const CLIP_RUN: usize = 3;

/// The mean of each channel.
pub(crate) fn dc_offsets(channels: &[Vec<f32>]) -> Vec<f32> {
    channels
        .iter()
        .map(|c| {
            // Short runs summed in f32 lanes (fast), their totals in f64 (exact enough).
            let sum: f64 = c
                .chunks(1_024)
                .map(|run| {
                    let mut lanes = [0.0f32; 8];
                    let mut it = run.chunks_exact(8);
                    for eight in &mut it {
                        for (l, &v) in lanes.iter_mut().zip(eight) {
                            *l += v;
                        }
                    }
                    f64::from(lanes.iter().sum::<f32>() + it.remainder().iter().sum::<f32>())
                })
                .sum();
            (sum / c.len().max(1) as f64) as f32
        })
        .collect()
}

/// Offsets below this (−80 dBFS, three steps of 16 bits) are left: that
/// keeps a sanitized file a fixed point of the guard, byte for byte.
const DC_NEGLIGIBLE: f32 = 1e-4;

/// Peak levels this close to the target (in dB) are left, for the same reason.
const PEAK_TOLERANCE_DB: f64 = 0.05;

/// Subtracts each channel's mean, where it is not negligible.
pub(crate) fn remove_dc(channels: &mut [Vec<f32>], offsets: &[f32]) {
    for (c, &dc) in channels.iter_mut().zip(offsets) {
        if dc.abs() < DC_NEGLIGIBLE {
            continue;
        }
        for v in c.iter_mut() {
            *v -= dc;
        }
    }
}

/// What one pass over a decoded recording measures.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Levels {
    /// The largest magnitude.
    pub(crate) peak: f32,
    /// Each channel's mean.
    pub(crate) offsets: Vec<f32>,
    /// Runs of [`CLIP_RUN`] or more samples at full scale.
    pub(crate) clipped_runs: u32,
}

/// Peak, offsets and clipping of `channels`.
pub(crate) fn measure(channels: &[Vec<f32>]) -> Levels {
    Levels {
        peak: peak(channels),
        offsets: dc_offsets(channels),
        // Looked for only where something reaches full scale.
        clipped_runs: channels
            .iter()
            .filter(|c| peak(std::slice::from_ref(*c)) >= CLIP_LEVEL)
            .map(|c| clipped_runs(c))
            .fold(0u32, u32::saturating_add),
    }
}

/// Runs of [`CLIP_RUN`] or more samples at full scale in `c`.
fn clipped_runs(c: &[f32]) -> u32 {
    let (mut runs, mut run) = (0u32, 0usize);
    for &v in c {
        if v.abs() >= CLIP_LEVEL {
            run += 1;
            if run == CLIP_RUN {
                runs = runs.saturating_add(1);
            }
        } else {
            run = 0;
        }
    }
    runs
}

/// The largest magnitude over all channels.
pub(crate) fn peak(channels: &[Vec<f32>]) -> f32 {
    // Comparisons rather than f32::max, which is a library call in wasm,
    // in eight lanes the compiler keeps in vector registers.
    let mut lanes = [0.0f32; 8];
    for c in channels {
        let mut it = c.chunks_exact(8);
        for eight in &mut it {
            for (m, &v) in lanes.iter_mut().zip(eight) {
                let a = v.abs();
                *m = if a > *m { a } else { *m };
            }
        }
        for (m, &v) in lanes.iter_mut().zip(it.remainder()) {
            let a = v.abs();
            *m = if a > *m { a } else { *m };
        }
    }
    lanes.iter().fold(0.0f32, |m, &a| if a > m { a } else { m })
}

/// Decibels relative to full scale; `None` for zero.
pub(crate) fn dbfs(level: f32) -> Option<f64> {
    (level > 0.0).then(|| 20.0 * f64::from(level).log10())
}

/// Scales all channels so the peak is at `target_dbfs`; silence, and a
/// peak already there, stay as they are.
pub(crate) fn normalize_peak(channels: &mut [Vec<f32>], target_dbfs: f64) {
    let p = peak(channels);
    match dbfs(p) {
        Some(db) if (db - target_dbfs).abs() >= PEAK_TOLERANCE_DB => {}
        _ => return,
    }
    let gain = (10f64.powf(target_dbfs / 20.0) / f64::from(p)) as f32;
    for c in channels.iter_mut() {
        for v in c.iter_mut() {
            *v *= gain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn offset_clipping_and_peak() {
        let mut ch = vec![vec![0.1f32, 0.3, 0.1, 0.3]];
        let dc = dc_offsets(&ch);
        assert!((dc[0] - 0.2).abs() < 1e-6);
        remove_dc(&mut ch, &dc);
        assert!(dc_offsets(&ch)[0].abs() < 1e-6);
        normalize_peak(&mut ch, -6.0);
        assert!((dbfs(peak(&ch)).unwrap() + 6.0).abs() < 1e-3);
        let clipped = vec![vec![
            0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, -1.0, -1.0, -1.0, -1.0,
        ]];
        let m = measure(&clipped);
        assert_eq!((m.clipped_runs, m.peak), (2, 1.0));
        assert_eq!(m.offsets, dc_offsets(&clipped));
        let mut silent = vec![vec![0.0f32; 8]];
        normalize_peak(&mut silent, -1.0);
        assert_eq!((peak(&silent), dbfs(0.0)), (0.0, None));
    }
}
