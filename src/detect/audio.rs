//! The audio detector of adversarial perturbations (`audio-adversarial`):
//! log-mel windows of the recording at 16 kHz, computed here exactly as
//! `training/audio/features.py` computes them (the model's card gives the
//! rule), scored by its network on an [`Engine`]; the recording's score is
//! the highest of its windows'.

use std::sync::Arc;

use realfft::RealFftPlanner;

use super::{onnx, Detector, Engine, Scored};
use crate::error::{Error, Result};

/// Mono samples in -1..1 at `sample_rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioView<'a> {
    /// The samples.
    pub samples: &'a [f32],
    /// Their rate in Hz; the detector takes its model's (16,000).
    pub sample_rate: u32,
}

/// The feature rule, from the model's metadata.
#[derive(Debug, Clone, PartialEq)]
struct Features {
    rate: u32,
    window: usize,
    max_windows: usize,
    frame: usize,
    hop: usize,
    fft: usize,
    /// `mels × (fft / 2 + 1)` triangular weights.
    filters: Vec<Vec<f64>>,
    frames: usize,
}

/// Limits on what a model's metadata may ask for, so it cannot make an input
/// of unbounded size.
const MAX_WINDOW: usize = 1 << 20;
const MAX_WINDOWS: usize = 64;
const MAX_FFT: usize = 1 << 14;
const MAX_MELS: usize = 256;

fn unsupported(what: String) -> Error {
    Error::model(
        "model.unsupported",
        format!("the model is not the audio detector this build runs: {what}"),
    )
}

fn hz_to_mel(f: f64) -> f64 {
    2595.0 * (1.0 + f / 700.0).log10()
}

fn mel_to_hz(m: f64) -> f64 {
    700.0 * (10f64.powf(m / 2595.0) - 1.0)
}

/// Triangular filters on HTK mel points from `fmin` to `fmax`, evaluated at
/// the FFT bins' frequencies, without area normalization.
fn mel_filters(mels: usize, fft: usize, rate: u32, fmin: f64, fmax: f64) -> Vec<Vec<f64>> {
    let (lo, hi) = (hz_to_mel(fmin), hz_to_mel(fmax));
    let points: Vec<f64> = (0..mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (mels + 1) as f64))
        .collect();
    let bins = fft / 2 + 1;
    (0..mels)
        .map(|j| {
            let (a, b, c) = (
                points.get(j).copied().unwrap_or(0.0),
                points.get(j + 1).copied().unwrap_or(0.0),
                points.get(j + 2).copied().unwrap_or(0.0),
            );
            (0..bins)
                .map(|k| {
                    let f = k as f64 * f64::from(rate) / fft as f64;
                    let up = (f - a) / (b - a);
                    let down = (c - f) / (c - b);
                    up.min(down).max(0.0)
                })
                .collect()
        })
        .collect()
}

impl Features {
    fn from_metadata(graph: &onnx::Graph) -> Result<Features> {
        let number = |key: &str| -> Result<f64> {
            let v = graph
                .meta(key)
                .ok_or_else(|| unsupported(format!("its metadata has no {key}")))?;
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| unsupported(format!("its {key} is {v:?}, not a number")))
        };
        let size = |key: &str, max: usize| -> Result<usize> {
            let x = number(key)?;
            if x >= 1.0 && x <= max as f64 && x.fract() == 0.0 {
                Ok(x as usize)
            } else {
                Err(unsupported(format!("its {key} is {x}")))
            }
        };
        let rate = size("mmguard.sample_rate", 384_000)? as u32;
        let window = size("mmguard.window", MAX_WINDOW)?;
        let max_windows = size("mmguard.max_windows", MAX_WINDOWS)?;
        let fft = size("mmguard.fft", MAX_FFT)?;
        let frame = size("mmguard.frame", fft)?;
        let hop = size("mmguard.hop", MAX_WINDOW)?;
        let mels = size("mmguard.mels", MAX_MELS)?;
        let (fmin, fmax) = (number("mmguard.fmin")?, number("mmguard.fmax")?);
        if !(0.0 <= fmin && fmin < fmax && fmax <= f64::from(rate) / 2.0) || frame > window {
            return Err(unsupported(format!(
                "its bands {fmin}..{fmax} Hz or its frame of {frame} do not fit"
            )));
        }
        if graph.meta("mmguard.aggregate").map(str::trim) != Some("max") {
            return Err(unsupported(String::from(
                "its windows are not aggregated by max",
            )));
        }
        Ok(Features {
            rate,
            window,
            max_windows,
            frame,
            hop,
            fft,
            filters: mel_filters(mels, fft, rate, fmin, fmax),
            frames: 1 + (window - frame) / hop,
        })
    }

    /// The log-mel windows of `samples`, `[windows, 1, mels, frames]`, and
    /// how many windows.
    fn windows(&self, samples: &[f32]) -> (Vec<f32>, usize) {
        let count = samples
            .len()
            .div_ceil(self.window)
            .clamp(1, self.max_windows);
        let mels = self.filters.len();
        let mut out = Vec::with_capacity(count * mels * self.frames);
        let mut planner = RealFftPlanner::<f64>::new();
        let fft = planner.plan_fft_forward(self.fft);
        let mut buffer = fft.make_input_vec();
        let mut spectrum = fft.make_output_vec();
        let hann: Vec<f64> = (0..self.frame)
            .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / self.frame as f64).cos())
            .collect();
        let mut power = vec![0.0f64; self.fft / 2 + 1];
        for w in 0..count {
            // Mel bands as rows, frames as columns.
            let mut window = vec![0.0f32; mels * self.frames];
            for t in 0..self.frames {
                let start = w * self.window + t * self.hop;
                buffer.iter_mut().for_each(|b| *b = 0.0);
                for (n, (slot, h)) in buffer.iter_mut().zip(&hann).enumerate() {
                    let s = samples.get(start + n).copied().unwrap_or(0.0);
                    // Inside the window only: its zero padding starts at its end.
                    let s = if t * self.hop + n < self.window {
                        s
                    } else {
                        0.0
                    };
                    *slot = f64::from(s) * h;
                }
                if fft.process(&mut buffer, &mut spectrum).is_err() {
                    continue;
                }
                for (p, c) in power.iter_mut().zip(&spectrum) {
                    *p = c.norm_sqr();
                }
                for (m, filter) in self.filters.iter().enumerate() {
                    let energy: f64 = filter.iter().zip(&power).map(|(f, p)| f * p).sum();
                    if let Some(slot) = window.get_mut(m * self.frames + t) {
                        *slot = (energy + 1e-6).ln() as f32;
                    }
                }
            }
            out.extend_from_slice(&window);
        }
        (out, count)
    }
}

/// The audio detector: its feature rule and threshold, read from the
/// model's metadata, and the engine that runs its network.
#[derive(Debug, Clone)]
pub struct AudioDetector {
    features: Features,
    threshold: f64,
    engine: Arc<dyn Engine>,
}

impl AudioDetector {
    /// The detector of `model` (`models/audio-adversarial.onnx`), its
    /// network run by `engine`.
    ///
    /// # Errors
    /// `model.malformed` for bytes that are not ONNX, `model.unsupported`
    /// for a model without the audio detector's metadata.
    pub fn with_engine(model: &[u8], engine: Arc<dyn Engine>) -> Result<AudioDetector> {
        let graph = onnx::read(model)?;
        let features = Features::from_metadata(&graph)?;
        let threshold = graph
            .meta("mmguard.operating_threshold")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|t| (0.0..=1.0).contains(t))
            .ok_or_else(|| {
                unsupported(String::from(
                    "its operating threshold is missing or out of 0..1",
                ))
            })?;
        Ok(AudioDetector {
            features,
            threshold,
            engine,
        })
    }

    /// The detector of `model`, run by tract.
    ///
    /// # Errors
    /// As [`AudioDetector::with_engine`].
    #[cfg(feature = "detect")]
    pub fn from_onnx(model: &[u8]) -> Result<AudioDetector> {
        let engine = super::TractEngine::from_onnx(model)?;
        AudioDetector::with_engine(model, Arc::new(engine))
    }

    /// The sample rate the detector takes, in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.features.rate
    }

    /// The most samples it reads: the first windows of a longer recording.
    pub fn max_samples(&self) -> usize {
        self.features.window * self.features.max_windows
    }
}

impl Detector<AudioView<'_>> for AudioDetector {
    fn name(&self) -> &str {
        "audio-adversarial"
    }

    fn engine(&self) -> String {
        self.engine.name()
    }

    /// The highest of its windows' scores.
    fn score(&self, audio: &AudioView<'_>) -> Result<Scored> {
        if audio.sample_rate != self.features.rate {
            return Err(Error::input(
                "input.audio_rate",
                format!(
                    "the audio detector takes {} Hz, not {} Hz",
                    self.features.rate, audio.sample_rate
                ),
            ));
        }
        let samples = audio
            .samples
            .get(..self.max_samples())
            .unwrap_or(audio.samples);
        let (tensor, count) = self.features.windows(samples);
        let shape = [count, 1, self.features.filters.len(), self.features.frames];
        let out = self.engine.run(&tensor, &shape)?;
        if out.len() != count || out.iter().any(|s| !(0.0..=1.0).contains(s)) {
            return Err(Error::model(
                "model.run",
                format!(
                    "the network gave {} outputs for {count} windows, or scores outside 0..1",
                    out.len()
                ),
            ));
        }
        let max = out.iter().copied().fold(0.0f32, f32::max);
        Ok(Scored {
            model: f64::from(max),
            score: f64::from(max),
            threshold: self.threshold,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_filters_peak_at_their_centres() {
        for f in [20.0, 440.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(f)) - f).abs() < 1e-9);
        }
        let filters = mel_filters(40, 512, 16_000, 20.0, 8000.0);
        assert_eq!(filters.len(), 40);
        for f in &filters {
            assert_eq!(f.len(), 257);
            let peak = f.iter().copied().fold(0.0, f64::max);
            assert!(peak > 0.0 && peak <= 1.0);
        }
    }
}
