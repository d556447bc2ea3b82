//! Sample-rate conversion with an anti-aliasing low-pass (rubato's FFT
//! resampler, a fixed ratio): nothing above half the output rate survives,
//! so ultrasonic and near-ultrasonic content cannot fold back into the band
//! a model hears.

use audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Resampler};

use crate::error::{Error, Result};

/// Frames the resampler takes per FFT chunk: large enough for a sharp
/// filter, small enough to keep its buffers small.
const CHUNK: usize = 1024;

/// `channels` resampled from `from` Hz to `to` Hz; unchanged when the rates
/// are equal.
///
/// # Errors
/// `input.audio_resample` if the resampler refuses the rates.
pub(crate) fn resample(channels: Vec<Vec<f32>>, from: u32, to: u32) -> Result<Vec<Vec<f32>>> {
    let (n, frames) = (channels.len(), channels.first().map_or(0, Vec::len));
    if from == to || n == 0 || frames == 0 {
        return Ok(channels);
    }
    let fail = |e: String| Error::input("input.audio_resample", format!("cannot resample: {e}"));
    let mut r = Fft::<f32>::new(from as usize, to as usize, CHUNK, n, FixedSync::Input)
        .map_err(|e| fail(e.to_string()))?;
    let input =
        SequentialSliceOfVecs::new(&channels, n, frames).map_err(|e| fail(e.to_string()))?;
    let out = r
        .process_all(&input, frames, None)
        .map_err(|e| fail(e.to_string()))?;
    let data = out.take_data();
    // Interleaved to one vector per channel.
    let mut planar: Vec<Vec<f32>> = (0..n).map(|_| Vec::with_capacity(data.len() / n)).collect();
    for frame in data.chunks_exact(n) {
        for (ch, &v) in planar.iter_mut().zip(frame) {
            ch.push(v);
        }
    }
    Ok(planar)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn tone(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| {
                (0.5 * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin()) as f32
            })
            .collect()
    }

    fn rms(v: &[f32]) -> f64 {
        (v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt()
    }

    #[test]
    fn the_band_passes_and_what_lies_above_half_the_new_rate_is_gone() {
        // 1 kHz passes at its level, with the length scaled.
        let out = resample(vec![tone(1_000.0, 44_100, 1.0)], 44_100, 16_000).unwrap();
        assert!(
            (out[0].len() as i64 - 16_000).abs() <= 1,
            "{}",
            out[0].len()
        );
        let level = rms(&out[0][1_000..15_000]) / rms(&tone(1_000.0, 16_000, 1.0));
        assert!((level - 1.0).abs() < 0.01, "{level}");
        // 12 kHz (above the new 8 kHz Nyquist) would alias to 4 kHz: it must
        // be at least 80 dB down.
        let out = resample(vec![tone(12_000.0, 44_100, 1.0)], 44_100, 16_000).unwrap();
        let db = 20.0 * (rms(&out[0][1_000..15_000]) / 0.5f64.sqrt() * 2.0).log10();
        assert!(db < -80.0, "{db} dB");
        // A 25 kHz carrier at 96 kHz: gone at 16 kHz.
        let out = resample(vec![tone(25_000.0, 96_000, 1.0)], 96_000, 16_000).unwrap();
        let db = 20.0 * (rms(&out[0][1_000..15_000]) / 0.5f64.sqrt() * 2.0).log10();
        assert!(db < -80.0, "{db} dB");
    }

    #[test]
    fn equal_rates_and_empty_input_are_left_alone() {
        let v = vec![vec![0.1f32, 0.2]];
        assert_eq!(resample(v.clone(), 8_000, 8_000).unwrap(), v);
        assert_eq!(
            resample(vec![Vec::new()], 8_000, 16_000).unwrap(),
            vec![Vec::<f32>::new()]
        );
    }
}
