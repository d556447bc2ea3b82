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
const MAX_FRAMES: usize = 4096;
/// Values in one window's features.
const MAX_VALUES: usize = 1 << 18;

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
        let number = |key: &str| graph.required(key, unsupported);
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
        let frames = 1 + window.saturating_sub(frame) / hop;
        if frames > MAX_FRAMES || frames * mels > MAX_VALUES {
            return Err(unsupported(format!(
                "its windows of {frames} frames of {mels} bands are larger than this build takes"
            )));
        }
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
            frames,
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
        let threshold = graph.required("mmguard.operating_threshold", unsupported)?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(unsupported(format!(
                "its threshold {threshold} is not between 0 and 1"
            )));
        }
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

    /// The samples of a 16-bit PCM WAV, as int16 / 32768.
    #[cfg(not(target_arch = "wasm32"))]
    fn pcm16(file: &str) -> Vec<f32> {
        let bytes = std::fs::read(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let at = bytes.windows(4).position(|w| w == b"data").unwrap();
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        bytes[at + 8..at + 8 + len]
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect()
    }

    /// The windows, their features and the scores match what training wrote
    /// (tract's scores against ONNX Runtime's).
    #[cfg(all(feature = "detect", not(target_arch = "wasm32")))]
    #[test]
    fn features_and_scores_match_training() {
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/audio-adversarial.onnx"
        ))
        .unwrap();
        let d = AudioDetector::from_onnx(&model).unwrap();
        assert_eq!(d.sample_rate(), 16_000);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/audio-adversarial.vectors.json"
        );
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let (mels, frames) = (
            v["mels"].as_u64().unwrap() as usize,
            v["frames"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            (d.features.filters.len(), d.features.frames),
            (mels, frames)
        );
        let files = v["files"].as_array().unwrap();
        assert!(files.len() >= 3);
        for f in files {
            let file = f["file"].as_str().unwrap();
            let samples = pcm16(file);
            assert_eq!(
                samples.len() as u64,
                f["samples"].as_u64().unwrap(),
                "{file}"
            );
            let (tensor, count) = d.features.windows(&samples);
            assert_eq!(count as u64, f["windows"].as_u64().unwrap(), "{file}");
            let plane = mels * frames;
            for (w, want) in f["per_window"].as_array().unwrap().iter().enumerate() {
                let window = &tensor[w * plane..(w + 1) * plane];
                let sum: f64 = window.iter().map(|&x| f64::from(x)).sum();
                assert!(
                    (sum - want["feature_sum"].as_f64().unwrap()).abs() < 0.5,
                    "{file} #{w}: {sum}"
                );
                for sample in want["samples"].as_array().unwrap() {
                    let (m, t) = (
                        sample[0][0].as_u64().unwrap() as usize,
                        sample[0][1].as_u64().unwrap() as usize,
                    );
                    let ours = f64::from(window[m * frames + t]);
                    assert!(
                        (ours - sample[1].as_f64().unwrap()).abs() < 1e-3,
                        "{file} #{w} ({m}, {t}): {ours}"
                    );
                }
            }
            let s = d
                .score(&AudioView {
                    samples: &samples,
                    sample_rate: 16_000,
                })
                .unwrap();
            assert!(
                (s.score - f["score"].as_f64().unwrap()).abs() < 1e-4,
                "{file}: {}",
                s.score
            );
        }
    }

    #[cfg(all(feature = "detect", not(target_arch = "wasm32")))]
    #[test]
    fn other_rates_models_and_bytes_are_typed_errors() {
        let model = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/audio-adversarial.onnx"
        ))
        .unwrap();
        let d = AudioDetector::from_onnx(&model).unwrap();
        let e = d
            .score(&AudioView {
                samples: &[0.0; 100],
                sample_rate: 8000,
            })
            .unwrap_err();
        assert_eq!(e.code(), "input.audio_rate");
        // No samples at all: one silent window.
        assert!(d
            .score(&AudioView {
                samples: &[],
                sample_rate: 16_000
            })
            .is_ok());
        let image = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/image-typographic.onnx"
        ))
        .unwrap();
        assert_eq!(
            AudioDetector::from_onnx(&image).unwrap_err().code(),
            "model.unsupported"
        );
        assert_eq!(
            AudioDetector::from_onnx(b"nonsense").unwrap_err().code(),
            "model.malformed"
        );
    }

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
