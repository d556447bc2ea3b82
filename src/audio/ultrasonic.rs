//! What a person does not hear: energy above 18 kHz and above 20 kHz
//! relative to the speech band, the strongest frequency there, whether that
//! band is amplitude-modulated at syllable rate (a voice command riding an
//! ultrasonic carrier, DolphinAttack), and energy below 50 Hz (what
//! demodulated ultrasound leaves in a microphone).
//!
//! Two passes of different cost:
//! - [`Scan`] sums band powers over the spectra of long blocks (about 0.1 s)
//!   that the resampler transforms anyway, Hann-windowed in the frequency
//!   domain. It costs a few operations per bin of interest.
//! - [`modulation`], only for a recording whose band above 18 kHz is loud
//!   enough to report, transforms short frames (about 20 ms, not
//!   overlapping) and follows, per frame, the carrier (the strongest
//!   frequency above 18 kHz) and its sidebands 300 to 4,000 Hz either side:
//!   what a voice amplitude-modulated onto it puts there. A steady tone has
//!   no sidebands; a voice's come and go with its syllables.

use realfft::num_complex::Complex;
use realfft::RealFftPlanner;

/// The speech band the others are compared with, in Hz.
const SPEECH: (f64, f64) = (300.0, 4_000.0);
/// Below this, in Hz: infrasound and what demodulation leaves.
const LOW: f64 = 50.0;
/// Syllable-rate modulation, in Hz, and the range it is a share of.
const SYLLABLES: (f64, f64) = (2.0, 10.0);
const MODULATION: (f64, f64) = (0.5, 20.0);
/// Frames needed for the envelope measures (about half a second: two
/// syllables).
const MIN_FRAMES: usize = 24;

/// The measures; `None` where the rate cannot carry the band, the recording
/// is silent, or too short.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Bands {
    /// Energy above 18 kHz relative to the speech band, in dB.
    pub(crate) above_18k_db: Option<f64>,
    /// Energy above 20 kHz relative to the speech band, in dB.
    pub(crate) above_20k_db: Option<f64>,
    /// The strongest frequency above 18 kHz, in Hz.
    pub(crate) peak_hz: Option<f64>,
    /// Sideband energy relative to the carrier's, in dB.
    pub(crate) sidebands_db: Option<f64>,
    /// Share (0..1) of the sidebands' envelope variation at syllable rate.
    pub(crate) syllable_modulation: Option<f64>,
    /// How deep that envelope varies: its standard deviation over its mean.
    pub(crate) modulation_depth: Option<f64>,
    /// Energy below 50 Hz relative to the speech band, in dB.
    pub(crate) below_50_db: Option<f64>,
    /// Energy above the scan's cut relative to the energy below it, in dB
    /// (−∞ for silence).
    pub(crate) above_cut_db: Option<f64>,
    /// Its mean square in dB against full scale (−∞ for silence).
    pub(crate) above_cut_dbfs: Option<f64>,
}

fn db(ratio: f64) -> f64 {
    10.0 * ratio.max(1e-30).log10()
}

/// Band powers summed over block spectra.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    n: usize,
    hz: f64,
    /// Bin ranges (half-open) of the bands.
    low: (usize, usize),
    speech: (usize, usize),
    high: (usize, usize),
    higher_from: usize,
    cut: (usize, usize),
    under_cut: (usize, usize),
    /// Whether the rate carries the band above 18 kHz (and 20 kHz).
    ultrasonic: bool,
    above_20k: bool,
    sums: [f64; 4],
    /// Power per bin above 18 kHz, summed over blocks.
    high_bins: Vec<f64>,
    blocks: usize,
}

impl Scan {
    /// A scan of spectra of `n`-sample blocks at `rate` Hz, measuring also
    /// what lies above `cut_hz` when `measure_cut`.
    pub(crate) fn new(rate: u32, n: usize, cut_hz: f64, measure_cut: bool) -> Scan {
        let fs = f64::from(rate);
        let hz = fs / n.max(1) as f64;
        let top = n / 2 + 1;
        let bin = |f: f64| ((f / hz).ceil() as usize).min(top);
        let ultrasonic = fs / 2.0 > 18_500.0;
        let high = if ultrasonic {
            (bin(18_000.0), top)
        } else {
            (top, top)
        };
        Scan {
            n,
            hz,
            // From the third bin: the window spreads an offset over the
            // first two, and the offset is not a frequency.
            low: (2.min(top), bin(LOW)),
            // Up to what the output keeps flat at most: measured again on
            // its own output, a recording compares with the same band.
            speech: (bin(SPEECH.0), bin(SPEECH.1.min(0.9 * cut_hz))),
            high,
            higher_from: bin(20_000.0),
            // Two bins above the cut: the window's main lobe spreads what
            // lies just below it (a filtered band's edge) that far.
            cut: if measure_cut {
                ((bin(cut_hz) + 2).min(top), top)
            } else {
                (top, top)
            },
            under_cut: if measure_cut {
                (1.min(top), bin(cut_hz))
            } else {
                (top, top)
            },
            ultrasonic,
            above_20k: fs / 2.0 > 20_500.0,
            sums: [0.0; 4],
            high_bins: vec![0.0; high.1 - high.0],
            blocks: 0,
        }
    }

    /// Adds one block's spectrum (bins `0..=n/2`, not windowed).
    pub(crate) fn add(&mut self, spectrum: &[Complex<f32>]) {
        self.blocks += 1;
        let power = |band: (usize, usize)| {
            let mut sum = 0.0;
            hann_powers(spectrum, band, |_, p| sum += p);
            sum
        };
        self.sums[0] += power(self.low);
        self.sums[1] += power(self.speech);
        self.sums[2] += power(self.cut);
        self.sums[3] += power(self.under_cut);
        let (first, bins) = (self.high.0, &mut self.high_bins);
        hann_powers(spectrum, self.high, |k, p| {
            if let Some(acc) = bins.get_mut(k - first) {
                *acc += p;
            }
        });
    }

    /// The energy measures (the modulation ones stay `None`).
    pub(crate) fn bands(&self) -> Bands {
        let [low, speech, cut, under_cut] = self.sums;
        let high: f64 = self.high_bins.iter().sum();
        let higher: f64 = self
            .high_bins
            .get(self.higher_from.saturating_sub(self.high.0)..)
            .map_or(0.0, |b| b.iter().sum());
        let mut b = Bands::default();
        if self.blocks == 0 {
            return b;
        }
        // A carrier with no audible speech beside it is the attack itself:
        // the reference then bottoms out 60 dB under the total.
        let reference = |other: f64| speech.max((speech + other) * 1e-6);
        // Three bins at least, or the window's main lobe spreads the speech
        // band's lowest tones there.
        if speech + low > 0.0 && self.low.1 >= self.low.0 + 3 {
            b.below_50_db = Some(db(low / reference(low)));
        }
        // Silence has nothing above the cut either.
        b.above_cut_db = Some(if cut > 0.0 {
            db(cut / under_cut.max(cut * 1e-6))
        } else {
            f64::NEG_INFINITY
        });
        // Parseval: both halves of the spectrum, over n² (the transform is
        // not normalized) and the Hann window's power (3/8), per block.
        let n = self.n as f64;
        let mean_square = 2.0 * cut / (n * n * 0.375 * self.blocks as f64);
        b.above_cut_dbfs = Some(if cut > 0.0 {
            db(mean_square)
        } else {
            f64::NEG_INFINITY
        });
        if self.ultrasonic && speech + high > 0.0 {
            b.above_18k_db = Some(db(high / reference(high)));
            b.above_20k_db = self.above_20k.then(|| db(higher / reference(high)));
            b.peak_hz = self
                .high_bins
                .iter()
                .enumerate()
                .max_by(|x, y| x.1.total_cmp(y.1))
                .map(|(k, _)| (self.high.0 + k) as f64 * self.hz);
        }
        b
    }
}

/// `each(k, power)` for the bins `k` of `band` (half-open), as if
/// Hann-windowed: [`hann_power`], with the neighbours read from one
/// window of three where both exist.
fn hann_powers(
    spectrum: &[Complex<f32>],
    (a, b): (usize, usize),
    mut each: impl FnMut(usize, f64),
) {
    let last = spectrum.len().saturating_sub(1);
    let inner = (a.max(1), b.min(last));
    for k in a..inner.0.min(b) {
        each(k, hann_power(spectrum, k));
    }
    if inner.0 < inner.1 {
        let neighbours = spectrum.get(inner.0 - 1..inner.1 + 1).unwrap_or(&[]);
        for (k, w) in (inner.0..).zip(neighbours.windows(3)) {
            if let [before, at, after] = w {
                let v = *at * 0.5 - (*before + *after) * 0.25;
                each(k, f64::from(v.norm_sqr()));
            }
        }
    }
    for k in inner.1.max(a)..b {
        each(k, hann_power(spectrum, k));
    }
}

/// Power at bin `k` of the block as if Hann-windowed: the window is three
/// taps in the frequency domain (½, −¼, −¼). Bins past either end mirror
/// (a real signal's spectrum is conjugate-symmetric).
fn hann_power(spectrum: &[Complex<f32>], k: usize) -> f64 {
    let at = |i: usize| spectrum.get(i).copied().unwrap_or_default();
    let last = spectrum.len().saturating_sub(1);
    let before = if k == 0 { at(1).conj() } else { at(k - 1) };
    let after = if k >= last {
        at(last.saturating_sub(1)).conj()
    } else {
        at(k + 1)
    };
    let w = at(k) * 0.5 - (before + after) * 0.25;
    f64::from(w.norm_sqr())
}

/// Shortest clip [`scan`] measures, in samples (16 ms at 16 kHz): in
/// shorter blocks the bins are too wide to tell a band's edge from what
/// lies beyond it.
const MIN_SCAN: usize = 256;

/// Scans `mono` at `rate` in blocks of `n` samples about `hop` apart,
/// transforming each: for a recording the resampler does not read. Every
/// block lies within the recording (a clip shorter than `n` gets shorter
/// blocks): zeros past its ends would make steps, whose spectrum reaches
/// every band. `None` everywhere for a clip under [`MIN_SCAN`] samples.
pub(crate) fn scan(mono: &[f32], rate: u32, n: usize, hop: usize, cut_hz: f64) -> Bands {
    scan_with(mono, rate, (n, hop), cut_hz, true)
}

/// [`scan`], measuring above the cut only when `measure_cut`.
pub(crate) fn scan_with(
    mono: &[f32],
    rate: u32,
    (n, hop): (usize, usize),
    cut_hz: f64,
    measure_cut: bool,
) -> Bands {
    if mono.len() < MIN_SCAN {
        return Bands::default();
    }
    let n = if mono.len() < n {
        // The largest power of two that fits.
        1 << mono.len().ilog2()
    } else {
        n
    };
    let mut s = Scan::new(rate, n, cut_hz, measure_cut);
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let last = mono.len() - n;
    let mut start = 0;
    loop {
        // The last block ends with the recording.
        let at = start.min(last);
        let Some(block) = mono.get(at..at + n) else {
            break;
        };
        input.copy_from_slice(block);
        if fft.process(&mut input, &mut spectrum).is_err() {
            return Bands::default();
        }
        s.add(&spectrum);
        if at == last {
            break;
        }
        start += hop.max(1);
    }
    s.bands()
}

/// The carrier's sidebands and their envelope in `mono` at `rate`, added
/// to `b`; nothing for a rate with no band above 18 kHz or a clip shorter
/// than a frame.
pub(crate) fn modulation(mono: &[f32], rate: u32, b: &mut Bands) {
    let fs = f64::from(rate);
    let n = ((fs / 50.0) as usize).next_power_of_two().max(64);
    if mono.len() < n || fs / 2.0 <= 18_500.0 {
        return;
    }
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let window = hann(n);
    let hz = fs / n as f64;
    let u18 = ((18_000.0 / hz) as usize).min(n / 2);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut power = Vec::with_capacity(n / 2 + 1);
    let (mut carrier, mut sidebands) = (0.0f64, 0.0f64);
    let mut envelope = Vec::new();
    let near = (100.0 / hz).ceil() as usize;
    let (side0, side1) = ((300.0 / hz) as usize, (4_000.0 / hz) as usize);
    for frame in mono.chunks_exact(n) {
        for ((x, &v), &w) in input.iter_mut().zip(frame).zip(&window) {
            *x = v * w;
        }
        if fft.process(&mut input, &mut spectrum).is_err() {
            return;
        }
        power.clear();
        power.extend(spectrum.iter().map(|c| f64::from(c.norm_sqr())));
        let sum = |a: usize, b: usize| power.get(a..b).map_or(0.0, |p| p.iter().sum::<f64>());
        // This frame's carrier, and its sidebands on both sides.
        let peak = power
            .get(u18..)
            .and_then(|p| p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)))
            .map_or(u18, |(k, _)| u18 + k);
        let c = sum(peak.saturating_sub(near), peak + near + 1);
        let sb = sum(peak.saturating_sub(side1), peak.saturating_sub(side0))
            + sum(peak + side0, peak + side1);
        carrier += c;
        sidebands += sb;
        envelope.push(sb.sqrt());
    }
    if carrier > 0.0 {
        b.sidebands_db = Some(db(sidebands / carrier));
    }
    if envelope.len() >= MIN_FRAMES && sidebands > 0.0 {
        b.syllable_modulation = syllable_share(&envelope, fs / n as f64);
        b.modulation_depth = Some(depth(&envelope));
    }
}

/// A Hann window of `n` points.
fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos()) as f32)
        .collect()
}

/// The share of an envelope's modulation energy (sampled at `rate` Hz) that
/// lies at syllable rate.
fn syllable_share(env: &[f64], rate: f64) -> Option<f64> {
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let n = env.len().next_power_of_two();
    // f32 like the other transforms: one FFT implementation in the module.
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let mut input = fft.make_input_vec();
    for (x, &e) in input.iter_mut().zip(env) {
        *x = (e - mean) as f32;
    }
    let mut spectrum = fft.make_output_vec();
    fft.process(&mut input, &mut spectrum).ok()?;
    let hz = rate / n as f64;
    let band = |lo: f64, hi: f64| {
        spectrum
            .iter()
            .enumerate()
            .filter(|(k, _)| (lo..hi).contains(&(*k as f64 * hz)))
            .map(|(_, c)| f64::from(c.norm_sqr()))
            .sum::<f64>()
    };
    let total = band(MODULATION.0, MODULATION.1);
    (total > 0.0).then(|| band(SYLLABLES.0, SYLLABLES.1) / total)
}

/// Standard deviation over mean (0 for a steady envelope).
fn depth(env: &[f64]) -> f64 {
    let n = env.len().max(1) as f64;
    let mean = env.iter().sum::<f64>() / n;
    let var = env.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n;
    if mean > 0.0 {
        var.sqrt() / mean
    } else {
        0.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Formant-like tones under a 4 Hz syllable envelope.
    pub(crate) fn speechlike(rate: u32, seconds: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let env = 0.5 + 0.5 * (std::f64::consts::TAU * 4.0 * t).sin();
                let s: f64 = [(220.0, 0.5), (700.0, 0.3), (1_200.0, 0.2), (2_600.0, 0.1)]
                    .iter()
                    .map(|(f, a)| a * (std::f64::consts::TAU * f * t).sin())
                    .sum();
                (0.5 * env * s) as f32
            })
            .collect()
    }

    /// Everything measured, as the guard measures it.
    fn analyze(mono: &[f32], rate: u32) -> Bands {
        let mut b = scan(mono, rate, 4_096, 3_700, f64::from(rate) / 2.0);
        modulation(mono, rate, &mut b);
        b
    }

    fn carrier(rate: u32, len: usize, freq: f64) -> impl Iterator<Item = f64> {
        (0..len).map(move |i| (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin())
    }

    #[test]
    fn the_window_applied_to_the_spectrum_is_the_window_applied_to_the_samples() {
        let x: Vec<f32> = speechlike(48_000, 0.1).into_iter().take(1_024).collect();
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(1_024);
        let (mut plain, mut windowed) = (x.clone(), x.clone());
        // The periodic Hann window.
        for (v, w) in windowed.iter_mut().zip(hann(1_024)) {
            *v *= w;
        }
        let (mut a, mut b) = (fft.make_output_vec(), fft.make_output_vec());
        fft.process(&mut plain, &mut a).unwrap();
        fft.process(&mut windowed, &mut b).unwrap();
        let mut seen = 0;
        hann_powers(&a, (0, a.len()), |k, p| {
            let direct = f64::from(b[k].norm_sqr());
            assert!(
                (p - direct).abs() <= 1e-3 * direct.max(1e-3),
                "{k}: {p} {direct}"
            );
            seen += 1;
        });
        assert_eq!(seen, a.len());
    }

    #[test]
    fn a_scan_stays_inside_the_clip() {
        // A steady offset with a sharp edge at each end: blocks padded with
        // zeros would see the edges as energy in every band.
        let dc = vec![0.25f32; 3_000];
        let b = scan(&dc, 16_000, 4_096, 3_584, 7_500.0);
        assert!(b.above_cut_db.unwrap() < -60.0, "{b:?}");
        // A full-scale tone above the cut measures at its level: −3 dBFS.
        let tone: Vec<f32> = (0..3_000)
            .map(|i| (std::f64::consts::TAU * 7_800.0 * i as f64 / 16_000.0).sin() as f32)
            .collect();
        let level = scan(&tone, 16_000, 4_096, 3_584, 7_500.0)
            .above_cut_dbfs
            .unwrap();
        assert!((level + 3.0).abs() < 0.5, "{level}");
        assert_eq!(
            scan(&dc[..255], 16_000, 4_096, 3_584, 7_500.0),
            Bands::default()
        );
        assert_eq!(
            scan(&[0.0; 300], 16_000, 4_096, 3_584, 7_500.0).above_cut_db,
            Some(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn plain_speech_has_nothing_above_18k() {
        let b = analyze(&speechlike(48_000, 2.0), 48_000);
        assert!(b.above_18k_db.unwrap() < -60.0, "{b:?}");
        assert!(b.below_50_db.unwrap() < -40.0, "{b:?}");
        // A 30 Hz hum as loud as the speech is seen below 50 Hz.
        let hum: Vec<f32> = speechlike(48_000, 2.0)
            .iter()
            .zip(carrier(48_000, 96_000, 30.0))
            .map(|(&s, c)| s + (0.3 * c) as f32)
            .collect();
        assert!(analyze(&hum, 48_000).below_50_db.unwrap() > -3.0);
        // At 16 kHz there is no band above 18 kHz to measure.
        assert_eq!(analyze(&speechlike(16_000, 2.0), 16_000).above_18k_db, None);
    }

    #[test]
    fn a_voice_modulated_carrier_is_loud_and_at_syllable_rate() {
        let speech = speechlike(96_000, 2.0);
        let attack: Vec<f32> = speech
            .iter()
            .zip(carrier(96_000, speech.len(), 25_000.0))
            .map(|(&s, c)| (0.5 * c * (1.0 + 2.0 * f64::from(s))) as f32)
            .collect();
        let b = analyze(&attack, 96_000);
        assert!(b.above_18k_db.unwrap() > 30.0, "{b:?}");
        assert!((b.peak_hz.unwrap() - 25_000.0).abs() < 100.0, "{b:?}");
        assert!(b.sidebands_db.unwrap() > -20.0, "{b:?}");
        assert!(b.syllable_modulation.unwrap() > 0.5, "{b:?}");
        assert!(b.modulation_depth.unwrap() > 0.3, "{b:?}");
        // A steady pilot tone: loud, but not modulated.
        let pilot: Vec<f32> = speech
            .iter()
            .zip(carrier(96_000, speech.len(), 19_000.0))
            .map(|(&s, c)| s + (0.2 * c) as f32)
            .collect();
        let b = analyze(&pilot, 96_000);
        assert!(b.above_18k_db.unwrap() > -20.0, "{b:?}");
        assert!(b.sidebands_db.unwrap() < -40.0, "{b:?}");
    }
}
