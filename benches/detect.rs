//! Criterion benchmark of the image and audio detectors natively: one
//! inference each on tract, and on ONNX Runtime when built with the `ort`
//! feature and `MMGUARD_ONNXRUNTIME` names its library, beside the image
//! guard without detectors on the same image (the baseline).
//! Run with `cargo bench --bench detect --no-default-features --features detect`
//! (`make eval-models` does).

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[cfg(feature = "ort")]
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use mmguard::detect::{AudioDetector, AudioView, Detector, ImageDetector, ImageView};
use mmguard::{Guard, ImageInput, Policy};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("a file of the repository")
}

fn bench(c: &mut Criterion) {
    // A 256×256 image: the most crops the adversarial detector takes.
    let png = read("tests/data/detect/text_render.png");
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    let (width, height) = img.dimensions();
    let view = ImageView {
        rgba: img.as_raw(),
        width,
        height,
    };
    let mut g = c.benchmark_group("detectors");
    for name in ["image-adversarial", "image-typographic"] {
        let model = read(&format!("models/{name}.onnx"));
        let d = ImageDetector::from_onnx(&model).unwrap();
        g.bench_function(format!("{name} on tract, 256x256"), |b| {
            b.iter(|| d.score(&view).unwrap())
        });
        #[cfg(feature = "ort")]
        if let Some(lib) = std::env::var_os("MMGUARD_ONNXRUNTIME") {
            use mmguard::detect::{OrtEngine, Providers};
            let engine =
                OrtEngine::from_onnx(&model, std::path::Path::new(&lib), Providers::GpuFirst)
                    .unwrap();
            let d = ImageDetector::with_engine(&model, Arc::new(engine)).unwrap();
            g.bench_function(format!("{name} on {}, 256x256", d.engine()), |b| {
                b.iter(|| d.score(&view).unwrap())
            });
        }
    }
    let plain = Guard::new(Policy::default()).unwrap();
    let input = ImageInput {
        declared_type: None,
    };
    g.bench_function(
        "baseline: guard.image without detectors, 256x256 PNG",
        |b| b.iter(|| plain.image(&png, &input).unwrap()),
    );
    if let Ok(model) = std::fs::read(format!(
        "{}/models/audio-adversarial.onnx",
        env!("CARGO_MANIFEST_DIR")
    )) {
        let d = AudioDetector::from_onnx(&model).unwrap();
        let samples: Vec<f32> = (0..16_000 * 3)
            .map(|i| 0.3 * (i as f32 * 0.07).sin() * (i as f32 * 0.0013).sin())
            .collect();
        let audio = AudioView {
            samples: &samples,
            sample_rate: 16_000,
        };
        g.bench_function("audio-adversarial on tract, 3 s (3 windows)", |b| {
            b.iter(|| d.score(&audio).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
