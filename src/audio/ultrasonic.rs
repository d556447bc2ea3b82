//! What a person does not hear: energy above 18 kHz and above 20 kHz
//! relative to the speech band, the strongest frequency there, whether that
//! band is amplitude-modulated at syllable rate (a voice command riding an
//! ultrasonic carrier, DolphinAttack), and energy below 50 Hz (what
//! demodulated ultrasound leaves in a microphone).
//!
//! One pass of short Hann-windowed FFT frames (about 20 ms, not overlapping)
//! over the signal: band powers summed over frames and, per frame, the
//! carrier (the strongest frequency above 18 kHz) and its sidebands 300 to
//! 4,000 Hz either side: what a voice amplitude-modulated onto it puts there.
//! A steady tone has no sidebands; a voice's come and go with its syllables.

use realfft::RealFftPlanner;

/// The speech band the others are compared with, in Hz.
const SPEECH: (f64, f64) = (300.0, 4_000.0);
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
}

fn db(ratio: f64) -> f64 {
    10.0 * ratio.max(1e-30).log10()
}

/// Measures `mono` sampled at `rate` Hz.
pub(crate) fn analyze(mono: &[f32], rate: u32) -> Bands {
    let fs = f64::from(rate);
    let n = ((fs / 50.0) as usize).next_power_of_two().max(64);
    if mono.len() < n {
        return Bands::default();
    }
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let window = hann(n);
    let hz = fs / n as f64;
    let bin = |f: f64| ((f / hz) as usize).min(n / 2);
    let (s0, s1) = (bin(SPEECH.0), bin(SPEECH.1));
    let (u18, u20) = (bin(18_000.0), bin(20_000.0));
    let ultrasonic = fs / 2.0 > 18_500.0;

    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut power = Vec::with_capacity(n / 2 + 1);
    let mut high_bins = vec![0.0f64; n / 2 + 1 - u18.min(n / 2 + 1)];
    let (mut speech, mut high, mut higher) = (0.0f64, 0.0f64, 0.0f64);
    let (mut carrier, mut sidebands) = (0.0f64, 0.0f64);
    let mut env_sidebands = Vec::new();
    let near = (100.0 / hz).ceil() as usize;
    let (side0, side1) = ((300.0 / hz) as usize, (4_000.0 / hz) as usize);
    for frame in mono.chunks_exact(n) {
        for ((x, &v), &w) in input.iter_mut().zip(frame).zip(&window) {
            *x = v * w;
        }
        if fft.process(&mut input, &mut spectrum).is_err() {
            return Bands::default();
        }
        power.clear();
        power.extend(spectrum.iter().map(|c| f64::from(c.norm_sqr())));
        let sum = |a: usize, b: usize| power.get(a..b).map_or(0.0, |p| p.iter().sum::<f64>());
        let (sp, hi) = (sum(s0, s1), sum(u18, n / 2 + 1));
        speech += sp;
        high += hi;
        higher += sum(u20, n / 2 + 1);
        for (acc, &p) in high_bins.iter_mut().zip(power.get(u18..).unwrap_or(&[])) {
            *acc += p;
        }
        if ultrasonic {
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
            env_sidebands.push(sb.sqrt());
        }
    }
    if speech + high <= 0.0 {
        return Bands::default();
    }
    // A carrier with no audible speech beside it is the attack itself: the
    // reference then bottoms out 60 dB under the total.
    let reference = speech.max((speech + high) * 1e-6);
    let mut b = Bands {
        below_50_db: below_50(mono, fs),
        ..Bands::default()
    };
    if ultrasonic {
        b.above_18k_db = Some(db(high / reference));
        b.above_20k_db = (fs / 2.0 > 20_500.0).then(|| db(higher / reference));
        b.peak_hz = high_bins
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .map(|(k, _)| (u18 + k) as f64 * hz);
        if carrier > 0.0 {
            b.sidebands_db = Some(db(sidebands / carrier));
        }
        if env_sidebands.len() >= MIN_FRAMES && sidebands > 0.0 {
            b.syllable_modulation = syllable_share(&env_sidebands, fs / n as f64);
            b.modulation_depth = Some(depth(&env_sidebands));
        }
    }
    b
}

/// A Hann window of `n` points.
fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos()) as f32)
        .collect()
}

/// Energy below 50 Hz relative to the speech band, in dB, from frames long
/// enough (about 170 ms) to resolve it; `None` for silence or a clip
/// shorter than one frame.
fn below_50(mono: &[f32], fs: f64) -> Option<f64> {
    let n = ((fs / 6.0) as usize).next_power_of_two();
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let hz = fs / n as f64;
    let bin = |f: f64| ((f / hz) as usize).min(n / 2);
    let (s0, s1, l1) = (bin(SPEECH.0), bin(SPEECH.1), bin(50.0));
    let window = hann(n);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let (mut speech, mut low) = (0.0f64, 0.0f64);
    for frame in mono.chunks_exact(n) {
        for ((x, &v), &w) in input.iter_mut().zip(frame).zip(&window) {
            *x = v * w;
        }
        fft.process(&mut input, &mut spectrum).ok()?;
        let sum = |a: usize, b: usize| {
            spectrum.get(a..b).map_or(0.0, |c| {
                c.iter().map(|v| f64::from(v.norm_sqr())).sum::<f64>()
            })
        };
        speech += sum(s0, s1);
        // From the second bin: the first holds the offset, not a frequency.
        low += sum(1, l1 + 1);
    }
    (speech + low > 0.0).then(|| db(low / speech.max((speech + low) * 1e-6)))
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

    fn carrier(rate: u32, len: usize, freq: f64) -> impl Iterator<Item = f64> {
        (0..len).map(move |i| (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin())
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
