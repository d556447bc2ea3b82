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
        .map(|c| (sum_of(c) / c.len().max(1) as f64) as f32)
        .collect()
}

/// The sum of the squares of `c`.
fn sum_of_squares(c: &[f32]) -> f64 {
    lane_sum(c, |v| v * v)
}

/// The sum of `c`.
fn sum_of(c: &[f32]) -> f64 {
    lane_sum(c, |v| v)
}

/// The sum of `f` over `c`: short runs summed in eight f32 lanes (which the
/// compiler keeps in vector registers), their totals in f64 (exact enough).
fn lane_sum(c: &[f32], f: impl Fn(f32) -> f32) -> f64 {
    c.chunks(1_024)
        .map(|run| {
            let mut lanes = [0.0f32; 8];
            let mut it = run.chunks_exact(8);
            for eight in &mut it {
                for (l, &v) in lanes.iter_mut().zip(eight) {
                    *l += f(v);
                }
            }
            f64::from(lanes.iter().sum::<f32>() + it.remainder().iter().map(|&v| f(v)).sum::<f32>())
        })
        .sum()
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
    /// The share (0..1) of 20 ms windows under [`SILENT_DBFS`]; `None`
    /// for a clip shorter than one.
    pub(crate) silent_share: Option<f64>,
}

/// A window whose mean square (over its channels) is under this, in dB
/// against full scale, is silent.
pub(crate) const SILENT_DBFS: f64 = -60.0;

/// Peak, offsets and clipping of `channels`.
#[cfg(test)]
pub(crate) fn measure(channels: &[Vec<f32>]) -> Levels {
    let mut m = Meter::new(channels.len(), 4);
    m.add(channels);
    m.levels()
}

/// Peak, offsets and clipping measured a block at a time.
#[derive(Debug, Clone)]
pub(crate) struct Meter {
    peak: f32,
    /// Per channel: the sum of the samples, and the clipped run so far
    /// (a run may cross from one block into the next).
    sums: Vec<f64>,
    runs: Vec<usize>,
    frames: u64,
    clipped_runs: u32,
    /// Silence windows: their length, the sum of squares and frames of the
    /// one being filled, and counts of windows and of silent ones.
    window: usize,
    window_sum: f64,
    window_frames: usize,
    windows: u64,
    silent: u64,
}

impl Meter {
    /// A meter of `channels` whose silence windows are `window` frames long.
    pub(crate) fn new(channels: usize, window: usize) -> Meter {
        Meter {
            peak: 0.0,
            sums: vec![0.0; channels],
            runs: vec![0; channels],
            frames: 0,
            clipped_runs: 0,
            window: window.max(1),
            window_sum: 0.0,
            window_frames: 0,
            windows: 0,
            silent: 0,
        }
    }

    /// Adds the block's frames to the silence windows, a window's stretch
    /// at a time.
    fn add_windows(&mut self, block: &[Vec<f32>]) {
        let n = block.first().map_or(0, Vec::len);
        let floor = 10f64.powf(SILENT_DBFS / 10.0);
        let channels = block.len().max(1) as f64;
        let mut at = 0;
        while at < n {
            let take = (self.window - self.window_frames).min(n - at);
            self.window_sum += block
                .iter()
                .filter_map(|c| c.get(at..at + take))
                .map(sum_of_squares)
                .sum::<f64>();
            self.window_frames += take;
            at += take;
            if self.window_frames == self.window {
                let mean_square = self.window_sum / (self.window as f64 * channels);
                self.windows += 1;
                self.silent += u64::from(mean_square < floor);
                (self.window_sum, self.window_frames) = (0.0, 0);
            }
        }
    }

    /// Adds a block of frames, one slice per channel.
    pub(crate) fn add(&mut self, block: &[Vec<f32>]) {
        self.frames += block.first().map_or(0, Vec::len) as u64;
        self.add_windows(block);
        for ((c, sum), run) in block.iter().zip(&mut self.sums).zip(&mut self.runs) {
            let p = peak(std::slice::from_ref(c));
            if p > self.peak {
                self.peak = p;
            }
            *sum += sum_of(c);
            // Looked for only where something reaches full scale.
            if p >= CLIP_LEVEL {
                self.clipped_runs = self.clipped_runs.saturating_add(clipped_runs(c, run));
            } else if !c.is_empty() {
                *run = 0;
            }
        }
    }

    /// Frames measured.
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    pub(crate) fn levels(&self) -> Levels {
        let frames = self.frames.max(1) as f64;
        Levels {
            peak: self.peak,
            offsets: self.sums.iter().map(|s| (s / frames) as f32).collect(),
            clipped_runs: self.clipped_runs,
            silent_share: (self.windows > 0).then(|| self.silent as f64 / self.windows as f64),
        }
    }
}

/// Runs of [`CLIP_RUN`] or more samples at full scale in `c`, continuing a
/// run of `run` samples before it; `run` is left at the run `c` ends with.
fn clipped_runs(c: &[f32], run: &mut usize) -> u32 {
    let mut runs = 0u32;
    for &v in c {
        if v.abs() >= CLIP_LEVEL {
            *run += 1;
            if *run == CLIP_RUN {
                runs = runs.saturating_add(1);
            }
        } else {
            *run = 0;
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

/// What [`level`] does to an output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Leveling {
    /// The peak to scale to, if any.
    pub(crate) peak_dbfs: Option<f64>,
    /// Whether the offset is removed.
    pub(crate) remove_dc: bool,
}

/// Brings `channels` to their final level. The offset is taken out of the
/// final samples, at their final level, even below the threshold:
/// resampling a short clip leaves one of its own, normalizing a quiet one
/// lifts it, and the output must pass its own check. Levelling again after
/// it restores the peak. Levelling twice changes nothing more.
pub(crate) fn level(channels: &mut [Vec<f32>], how: Leveling) {
    if let Some(db) = how.peak_dbfs {
        normalize_peak(channels, db);
    }
    if how.remove_dc {
        let offsets = dc_offsets(channels);
        remove_dc(channels, &offsets);
        if let Some(db) = how.peak_dbfs {
            normalize_peak(channels, db);
        }
    }
}

/// Below this RMS level (dBFS) an output is silence, or what remains of
/// content that was removed (an ultrasonic carrier's edges): raising it to
/// the target would make a loud click of a rounding error.
const SILENCE_RMS_DBFS: f64 = -60.0;

/// Scales all channels so the peak is at `target_dbfs`; silence (an RMS
/// under [`SILENCE_RMS_DBFS`]), and a peak already there, stay as they are.
pub(crate) fn normalize_peak(channels: &mut [Vec<f32>], target_dbfs: f64) {
    let p = peak(channels);
    match dbfs(p) {
        Some(db) if (db - target_dbfs).abs() >= PEAK_TOLERANCE_DB => {}
        _ => return,
    }
    if rms_dbfs(channels).is_none_or(|db| db < SILENCE_RMS_DBFS) {
        return;
    }
    let gain = (10f64.powf(target_dbfs / 20.0) / f64::from(p)) as f32;
    for c in channels.iter_mut() {
        for v in c.iter_mut() {
            *v *= gain;
        }
    }
}

/// The RMS level over all channels in dBFS; `None` for digital silence.
fn rms_dbfs(channels: &[Vec<f32>]) -> Option<f64> {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for c in channels {
        for run in c.chunks(1_024) {
            // Squares summed in f32 over short runs, the runs in f64.
            sum += f64::from(run.iter().map(|v| v * v).sum::<f32>());
        }
        n += c.len();
    }
    (sum > 0.0).then(|| 10.0 * (sum / n.max(1) as f64).log10())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_clipped_run_across_two_blocks_counts_once() {
        let whole = vec![vec![0.1, 1.0, 1.0, 1.0, 1.0, 0.2, 1.0, 1.0, 0.0]];
        let mut m = Meter::new(1, 4);
        for block in [&whole[0][..3], &whole[0][3..4], &whole[0][4..]] {
            m.add(&[block.to_vec()]);
        }
        assert_eq!(m.levels(), measure(&whole));
        assert_eq!(m.levels().clipped_runs, 1);
        // Silence windows of four frames, across the blocks too: the first
        // two are loud, the last frame does not fill a window.
        let mut m = Meter::new(2, 4);
        let quiet = vec![1e-4f32; 6];
        let loud = vec![0.5f32; 6];
        m.add(&[loud.clone(), quiet.clone()]);
        m.add(&[quiet.clone(), quiet.clone()]);
        // Windows: frames 0-3 loud, 4-7 (two loud frames) loud, 8-11 quiet.
        assert_eq!(m.levels().silent_share, Some(1.0 / 3.0));
        assert_eq!(Meter::new(1, 4).levels().silent_share, None);
    }

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
