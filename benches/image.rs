//! Criterion benchmarks of the image guard natively, each with a baseline run
//! in the same process:
//! - a 12-megapixel JPEG with EXIF to a 2048-px JPEG q85 with the default
//!   policy (`guard.image`), against decoding and re-encoding it with the
//!   `image` crate alone (what a plain re-encode costs);
//! - the same JPEG to 1024 px (a 3.9× reduction) with the scaling-attack
//!   check off, which lets it be decoded at 1/2 size in the DCT domain,
//!   against the same with the check on (decoded whole);
//! - the cost of a 3×3 median squeeze on a 2-megapixel image: the same PNG
//!   through `guard.image` with and without `squeeze.median = 3x3`.
//!
//! MMGUARD_BENCH_PHOTO=file.jpg makes the 12 MP input from a real photo
//! (scaled and cropped to 4000×3000); otherwise a synthetic one is drawn.
//! Run with `cargo bench --bench image`.

#![allow(clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use image::{ImageEncoder, RgbImage};
use mmguard::{Guard, ImageInput, Median, OutputFormat, Policy};

/// A photo-like 4000×3000 picture: gradients, shapes and mild noise.
fn synthetic(w: u32, h: u32) -> RgbImage {
    let mut s = 0x2545_F491u32;
    RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s % 11) as i32 - 5;
        let (dx, dy) = (x as i32 - w as i32 / 2, y as i32 - h as i32 / 3);
        let disc = if dx * dx + dy * dy < (h as i32 / 4).pow(2) {
            70
        } else {
            0
        };
        let c = |v: i32| (v + n).clamp(0, 255) as u8;
        image::Rgb([
            c((x * 160 / w) as i32 + disc),
            c((y * 200 / h) as i32),
            c(60 + ((x / 40 + y / 40) % 2) as i32 * 40),
        ])
    })
}

fn input_12mp() -> RgbImage {
    match std::env::var_os("MMGUARD_BENCH_PHOTO") {
        Some(path) => {
            let photo = image::open(path).expect("readable photo");
            photo
                .resize_to_fill(4000, 3000, image::imageops::FilterType::Triangle)
                .to_rgb8()
        }
        None => synthetic(4000, 3000),
    }
}

/// JPEG q92 with an EXIF block (camera, GPS) after SOI.
fn jpeg_with_exif(img: &RgbImage) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encodes");
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x02\0".to_vec();
    exif.extend_from_slice(&[0x0F, 0x01, 2, 0, 6, 0, 0, 0, 38, 0, 0, 0]);
    exif.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 44, 0, 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    exif.extend_from_slice(b"Canon\0");
    exif.extend_from_slice(&[1, 0, 2, 0, 5, 0, 3, 0, 0, 0, 62, 0, 0, 0, 0, 0, 0, 0]);
    exif.extend_from_slice(&[
        51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    ]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn bench(c: &mut Criterion) {
    let jpeg = jpeg_with_exif(&input_12mp());
    let mut policy = Policy::default();
    policy.image.output.format = OutputFormat::Jpeg;
    policy.image.output.jpeg_quality = 85;
    let guard = Guard::new(policy).expect("valid policy");
    let first = guard
        .image(&jpeg, &ImageInput::default())
        .expect("sanitizes");
    assert!(first.report.has(mmguard::Code::Gps), "the EXIF is seen");
    let mut g = c.benchmark_group("image_12mp_jpeg_to_2048");
    g.throughput(Throughput::Elements(12_000_000));
    g.sample_size(10);
    g.bench_function("guard.image", |b| {
        b.iter(|| guard.image(&jpeg, &ImageInput::default()).expect("ok"))
    });
    g.bench_function("baseline: image crate decode, resize, encode", |b| {
        b.iter(|| {
            let img = image::load_from_memory(&jpeg).expect("decodes");
            let small = img.resize(2048, 2048, image::imageops::FilterType::Triangle);
            let mut out = Vec::new();
            small
                .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                    &mut out, 85,
                ))
                .expect("encodes");
            out
        })
    });
    g.finish();

    let mut whole = Policy::default();
    whole.image.resize.max_side = 1024;
    let mut reduced = whole.clone();
    reduced.image.scaling_attack.action = mmguard::Action::Allow;
    let (whole, reduced) = (
        Guard::new(whole).expect("ok"),
        Guard::new(reduced).expect("ok"),
    );
    let scale = |g: &Guard| {
        let r = g.image(&jpeg, &ImageInput::default()).expect("ok");
        r.report.image.expect("stats").decode_scale
    };
    assert_eq!((scale(&whole), scale(&reduced)), (1, 2));
    let mut g = c.benchmark_group("image_12mp_jpeg_to_1024");
    g.throughput(Throughput::Elements(12_000_000));
    g.sample_size(10);
    g.bench_function(
        "guard.image, scaling check off: decoded at 1/2 in the DCT domain",
        |b| b.iter(|| reduced.image(&jpeg, &ImageInput::default()).expect("ok")),
    );
    g.bench_function(
        "baseline: guard.image, scaling check on: decoded whole",
        |b| b.iter(|| whole.image(&jpeg, &ImageInput::default()).expect("ok")),
    );
    g.finish();

    // 2 MP (1632 × 1224): the median's cost is the difference of the two.
    let rgb = synthetic(1632, 1224);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encodes");
    let mut plain = Policy::default();
    plain.image.output.format = OutputFormat::Png;
    let mut median = plain.clone();
    median.image.squeeze.median = Median::ThreeByThree;
    let (plain, median) = (
        Guard::new(plain).expect("ok"),
        Guard::new(median).expect("ok"),
    );
    let mut g = c.benchmark_group("image_2mp_median3x3");
    g.sample_size(10);
    g.bench_function("guard.image, median 3x3", |b| {
        b.iter(|| median.image(&png, &ImageInput::default()).expect("ok"))
    });
    g.bench_function("baseline: guard.image, no median", |b| {
        b.iter(|| plain.image(&png, &ImageInput::default()).expect("ok"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
