//! Criterion benchmarks of the audio guard natively, with a baseline run in
//! the same process: 30 s and 5 min of 44.1 kHz mono speech-like sound (a
//! 16-bit WAV) to a 16 kHz WAV with the default policy (`guard.audio`:
//! analysis, levels, resampling, encoding), against decoding the same WAV
//! and resampling it with rubato alone (the least any resampling costs).
//!
//! Run with `cargo bench --bench audio`.

#![allow(clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use audioadapter_buffers::direct::SequentialSliceOfVecs;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmguard::{AudioInput, Guard, Policy};
use rubato::{Fft, FixedSync, Resampler};

/// Formant-like tones under a 4 Hz syllable envelope, with mild noise.
fn speechlike(rate: u32, seconds: u32) -> Vec<f32> {
    let mut s = 0x2545_F491u32;
    (0..rate * seconds)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let t = f64::from(i) / f64::from(rate);
            let env = 0.5 + 0.5 * (std::f64::consts::TAU * 4.0 * t).sin();
            let v: f64 = [(220.0, 0.5), (700.0, 0.3), (1_200.0, 0.2), (2_600.0, 0.1)]
                .iter()
                .map(|(f, a)| a * (std::f64::consts::TAU * f * t).sin())
                .sum();
            (0.5 * env * v + f64::from(s % 200) / 20_000.0 - 0.005) as f32
        })
        .collect()
}

fn wav(samples: &[f32], rate: u32) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut out = Vec::new();
    for part in [
        &b"RIFF"[..],
        &(36 + data).to_le_bytes(),
        b"WAVEfmt ",
        &16u32.to_le_bytes(),
        &[1, 0, 1, 0],
        &rate.to_le_bytes(),
        &(2 * rate).to_le_bytes(),
        &[2, 0, 16, 0],
        b"data",
        &data.to_le_bytes(),
    ] {
        out.extend_from_slice(part);
    }
    for v in samples {
        out.extend_from_slice(&((v * 32_767.0) as i16).to_le_bytes());
    }
    out
}

fn baseline(bytes: &[u8]) -> usize {
    let samples: Vec<f32> = bytes[44..]
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
        .collect();
    let n = samples.len();
    let channels = vec![samples];
    let input = SequentialSliceOfVecs::new(&channels, 1, n).expect("adapter");
    let mut r = Fft::<f32>::new(44_100, 16_000, 1024, 1, FixedSync::Input).expect("resampler");
    r.process_all(&input, n, None)
        .expect("resampled")
        .take_data()
        .len()
}

fn bench(c: &mut Criterion) {
    let guard = Guard::new(Policy::default()).expect("valid policy");
    for seconds in [30, 300] {
        let file = wav(&speechlike(44_100, seconds), 44_100);
        let out = guard
            .audio(&file, &AudioInput::default())
            .expect("sanitizes");
        assert_eq!(out.output.expect("output").sample_rate, 16_000);
        let mut g = c.benchmark_group(format!("audio_{seconds}s_44k1_to_16k"));
        g.throughput(Throughput::Elements(u64::from(44_100 * seconds)));
        g.sample_size(10);
        g.bench_function("guard.audio", |b| {
            b.iter(|| guard.audio(&file, &AudioInput::default()).expect("ok"))
        });
        g.bench_function("baseline: decode and rubato resample alone", |b| {
            b.iter(|| baseline(&file))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
