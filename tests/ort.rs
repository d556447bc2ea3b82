//! The ONNX Runtime engine (feature `ort`): the same scores as tract within
//! 1e-4 on the test images, batched runs equal to single ones, and a missing
//! library is a typed error. The library comes from the `onnxruntime` PyPI
//! wheel (`make setup-ort` puts it under `target/onnxruntime/`;
//! `MMGUARD_ONNXRUNTIME` names another). The GPU test is ignored unless a
//! GPU machine runs it: `MMGUARD_ONNXRUNTIME_GPU=…/libonnxruntime.so.1.31.1
//! cargo test --features ort --test ort -- --ignored`.
#![cfg(feature = "ort")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::sync::Arc;

use mmguard::detect::{
    Detector, Engine, ImageDetector, ImageView, OrtEngine, Providers, TractEngine,
};

fn library() -> PathBuf {
    let path = std::env::var_os("MMGUARD_ONNXRUNTIME").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/target/onnxruntime/libonnxruntime.so.1.31.1"
            ))
        },
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "no ONNX Runtime library at {}: run `make setup-ort` or set MMGUARD_ONNXRUNTIME",
        path.display()
    );
    path
}

fn model(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/models/{name}.onnx", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn image(file: &str) -> (Vec<u8>, u32, u32) {
    let bytes = std::fs::read(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgba8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

const IMAGES: [&str; 5] = [
    "tests/data/detect/photo_clean.png",
    "tests/data/detect/photo_pgd_linf_eps8.png",
    "tests/data/detect/text_render.png",
    "tests/data/detect/tiny_rgba.png",
    "tests/data/detect/nonsquare.png",
];

#[test]
fn onnx_runtime_and_tract_agree_within_1e_4() {
    for name in ["image-adversarial", "image-typographic"] {
        let bytes = model(name);
        let ort = OrtEngine::from_onnx(&bytes, &library(), Providers::Cpu).unwrap();
        assert_eq!(ort.provider(), "CPU");
        assert_eq!(ort.name(), "onnxruntime (CPU)");
        let with_ort = ImageDetector::with_engine(&bytes, Arc::new(ort)).unwrap();
        let with_tract =
            ImageDetector::with_engine(&bytes, Arc::new(TractEngine::from_onnx(&bytes).unwrap()))
                .unwrap();
        assert_eq!(with_ort.engine(), "onnxruntime (CPU)");
        assert_eq!(with_tract.engine(), "tract");
        for file in IMAGES {
            let (rgba, width, height) = image(file);
            let view = ImageView {
                rgba: &rgba,
                width,
                height,
            };
            let a = with_ort.score(&view).unwrap();
            let b = with_tract.score(&view).unwrap();
            assert!(
                (a.score - b.score).abs() < 1e-4,
                "{name} {file}: {} against {}",
                a.score,
                b.score
            );
            assert_eq!(a.threshold, b.threshold);
        }
    }
}

#[test]
fn a_batch_scores_as_the_images_one_by_one() {
    let bytes = model("image-adversarial");
    let ort = OrtEngine::from_onnx(&bytes, &library(), Providers::GpuFirst).unwrap();
    // Without a GPU (or without a GPU build of the library) the CPU runs.
    assert!(["TensorRT", "CUDA", "CPU"].contains(&ort.provider()));
    let d = ImageDetector::with_engine(&bytes, Arc::new(ort)).unwrap();
    let pixels: Vec<(Vec<u8>, u32, u32)> = IMAGES.iter().map(|f| image(f)).collect();
    let views: Vec<ImageView<'_>> = pixels
        .iter()
        .map(|(rgba, width, height)| ImageView {
            rgba,
            width: *width,
            height: *height,
        })
        .collect();
    let batch = d.score_batch(&views).unwrap();
    assert_eq!(batch.len(), views.len());
    for (view, b) in views.iter().zip(&batch) {
        let one = d.score(view).unwrap();
        assert!(
            (one.score - b.score).abs() < 1e-6,
            "{} against {}",
            one.score,
            b.score
        );
    }
    assert!(d.score_batch(&[]).unwrap().is_empty());
}

#[test]
fn a_missing_library_or_a_bad_model_is_a_typed_error() {
    let bytes = model("image-typographic");
    // The process's library is loaded first, so that the missing one below is
    // refused for what it is whichever test runs first.
    OrtEngine::from_onnx(&bytes, &library(), Providers::Cpu).unwrap();
    let e = OrtEngine::from_onnx(
        &bytes,
        std::path::Path::new("/nonexistent/libonnxruntime.so"),
        Providers::Cpu,
    )
    .unwrap_err();
    assert_eq!(e.code(), "model.runtime");
    assert!(
        e.message().contains("/nonexistent/libonnxruntime.so"),
        "{}",
        e.message()
    );
    let e = OrtEngine::from_onnx(b"not a model", &library(), Providers::Cpu).unwrap_err();
    assert_eq!(e.code(), "model.malformed");
}

/// On a GPU machine with `onnxruntime-gpu` and its CUDA libraries: the GPU
/// runs, and gives the CPU's scores. Prints the timings of a batch of 64.
#[test]
#[ignore = "needs a GPU and MMGUARD_ONNXRUNTIME_GPU"]
fn the_gpu_runs_and_agrees_with_the_cpu() {
    let library = PathBuf::from(
        std::env::var_os("MMGUARD_ONNXRUNTIME_GPU").expect("MMGUARD_ONNXRUNTIME_GPU"),
    );
    let bytes = model("image-adversarial");
    let gpu = OrtEngine::from_onnx(&bytes, &library, Providers::GpuFirst).unwrap();
    assert_ne!(gpu.provider(), "CPU", "no GPU provider registered");
    let cpu = OrtEngine::from_onnx(&bytes, &library, Providers::Cpu).unwrap();
    let input: Vec<f32> = (0..64 * 3 * 64 * 64)
        .map(|i| ((i * 7919) % 256) as f32 / 255.0)
        .collect();
    let shape = [64, 3, 64, 64];
    let a = gpu.run(&input, &shape).unwrap();
    let b = cpu.run(&input, &shape).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-3, "{x} against {y}");
    }
    for (name, engine) in [(gpu.name(), &gpu), (cpu.name(), &cpu)] {
        let mut times: Vec<f64> = (0..20)
            .map(|_| {
                let t = std::time::Instant::now();
                engine.run(&input, &shape).unwrap();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{name}: batch of 64 crops, median {:.3} ms", times[10]);
    }
}
