//! The image guard: what an uploaded image really is, bounded before it is
//! decoded, everything hidden around its pixels reported, and a clean image
//! re-encoded from the pixels alone.
//!
//! In order: sniff the format from its bytes; walk its structure (size, frames,
//! end, metadata, chunks) and enforce the limits on what the header declares;
//! report trailing data, embedded files, odd chunks and metadata (its text run
//! through the text guard); decode the first frame within the memory budget;
//! apply EXIF orientation; neutralize colour under transparent pixels; look for
//! image-scaling attacks; scale down robustly; encode.

mod color;
mod container;
mod encode;
mod layout;
mod metadata;
mod pixels;
mod resize;
mod scaling;
mod squeeze;
mod stego;
mod ycbcr;

use crate::detect::ImageView;
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::found::{Details, Found};
use crate::policy::{Action, DetectorCheck, HiddenPixelsMode, Orientation, Policy};
use crate::report::{Code, ImageOutputStats, ImageStats, Report, Scores, Severity};
use crate::sniff::{self, ImageFormat, Sniffed};

/// What the caller says about an image besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageInput<'a> {
    /// The declared type: a MIME type (`image/png`) or a file name
    /// (`photo.jpg`). Compared with what the bytes are; never trusted.
    pub declared_type: Option<&'a str>,
}

/// A sanitized image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOutput {
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// An image detector as the guard holds it.
pub(crate) type Detector = dyn for<'v> crate::detect::Detector<crate::detect::ImageView<'v>>;

/// The image detectors a guard holds.
#[derive(Clone, Copy, Default)]
pub(crate) struct Detectors<'a> {
    pub(crate) adversarial: Option<&'a Detector>,
    pub(crate) typographic: Option<&'a Detector>,
}

/// Sanitizes one image under `policy`.
pub(crate) fn guard(
    bytes: &[u8],
    input: &ImageInput,
    policy: &Policy,
    detectors: Detectors<'_>,
) -> Result<(Option<ImageOutput>, Report)> {
    let limits = &policy.limits.image;
    let p = &policy.image;
    limits.check_bytes(bytes.len())?;
    let format = match sniff::sniff(bytes) {
        Sniffed::Image(f) => f,
        Sniffed::Other(name) => {
            return Err(Error::unsupported(
                "unsupported.image_format",
                format!("the input is {name}, which the image guard does not accept (it decodes PNG, JPEG, GIF, WebP and BMP)"),
            ))
        }
        Sniffed::Unknown => {
            return Err(Error::input(
                "input.image_format",
                "the input is not an image in a format the guard recognizes (PNG, JPEG, GIF, WebP, BMP)",
            ))
        }
    };
    let mut found = Found::default();
    if let Some(declared) = input.declared_type.filter(|d| !d.trim().is_empty()) {
        if sniff::declared_format(declared) != Some(format) {
            found.add(
                Code::FormatMismatch,
                Severity::Medium,
                p.format_mismatch.action,
                format!(
                    "declared as {declared:?}, but the bytes are {}",
                    format.mime_type()
                ),
                Details::default(),
            );
        }
    }

    let layout =
        layout::walk(format, bytes).map_err(|m| Error::input("input.image_malformed", m.0))?;
    let pixels = u64::from(layout.width) * u64::from(layout.height);
    limits.check_header(
        layout.width,
        layout.height,
        layout.frames,
        pixels.saturating_mul(pixels::DECODE_BYTES_PER_PIXEL),
    )?;

    container_findings(bytes, &layout, policy, &mut found);
    let summary = metadata::summarize(bytes, &layout.metadata);
    metadata_findings(&layout, &summary, policy, &mut found);
    if layout.frames > 1 {
        found.add(
            Code::Animation,
            Severity::Info,
            p.animation.action,
            format!(
                "animated image with {} frames; only the first is kept",
                layout.frames
            ),
            Details {
                count: layout.frames,
                ..Details::default()
            },
        );
    }

    // The detectors that run, with their checks and codes.
    let d = &policy.detectors;
    let scoring: Vec<(&Detector, &DetectorCheck, Code)> = [
        (
            detectors.adversarial,
            &d.image_adversarial,
            Code::AdversarialScore,
        ),
        (
            detectors.typographic,
            &d.image_typographic,
            Code::Typographic,
        ),
    ]
    .into_iter()
    .filter_map(|(det, check, code)| {
        det.filter(|_| check.action.enabled())
            .map(|det| (det, check, code))
    })
    .collect();

    // The scaling-attack check and the detectors read full-resolution
    // pixels: a JPEG is decoded reduced only without them.
    let reduce_to = (!p.scaling_attack.action.enabled() && scoring.is_empty())
        .then(|| resize::fit(layout.width, layout.height, p.resize.max_side));
    let (img, decode_scale) = decode(bytes, format, &layout, reduce_to, limits.max_memory)?;
    // No copy when the decoder gave RGBA already. Rotated after the
    // conversion, so a 16-bit decode is not held twice.
    let mut rgba = img.into_rgba8();
    if p.metadata.orientation == Orientation::Apply {
        if let Some(o) = summary.orientation.filter(|&o| o > 1) {
            let mut turned = image::DynamicImage::ImageRgba8(rgba);
            pixels::orient(&mut turned, o);
            rgba = turned.into_rgba8();
        }
    }
    let fingerprint = policy
        .fingerprint
        .then(|| crate::fingerprint::image(rgba.as_raw(), rgba.width(), rgba.height()));
    // A JPEG has no transparency.
    let mut alpha = format != ImageFormat::Jpeg && pixels::has_alpha(&rgba);

    // The detectors score the pixels as they came, before any change.
    let mut scores = Scores::default();
    let mut ran = Vec::new();
    for (detector, check, code) in scoring {
        ran.push(format!("{}: {}", detector.name(), detector.engine()));
        let view = ImageView {
            rgba: rgba.as_raw(),
            width: rgba.width(),
            height: rgba.height(),
        };
        let s = detector.score(&view)?;
        let threshold = check.threshold.unwrap_or(s.threshold);
        let what = if code == Code::AdversarialScore {
            scores.image_adversarial = Some(s.score);
            scores.thresholds.image_adversarial = Some(threshold);
            "carries an adversarial perturbation"
        } else {
            scores.image_typographic = Some(s.score);
            scores.thresholds.image_typographic = Some(threshold);
            "is mostly rendered text (a typographic prompt)"
        };
        if s.score >= threshold {
            found.add(
                code,
                Severity::High,
                check.action,
                format!(
                    "the {} detector scores this image {:.2} (threshold {threshold:.2}): it likely {what}",
                    detector.name(),
                    s.score
                ),
                Details {
                    score: Some(s.score),
                    threshold: Some(threshold),
                    ..Details::default()
                },
            );
        }
    }

    let hidden = if alpha {
        pixels::hidden_pixels(&rgba)
    } else {
        0
    };
    let hp = &p.hidden_pixels;
    if hidden > 0 && hp.action.enabled() {
        let total = u64::from(rgba.width()) * u64::from(rgba.height());
        found.add(
            Code::HiddenPixels,
            Severity::Medium,
            hp.action,
            format!(
                "{hidden} fully transparent pixels carry colour, which a model that drops transparency sees"
            ),
            Details {
                count: u32::try_from(hidden).unwrap_or(u32::MAX),
                score: Some(hidden as f64 / total.max(1) as f64),
                ..Details::default()
            },
        );
    }

    let st = &p.steganography;
    if st.action.enabled() && format != ImageFormat::Jpeg {
        if let Some(prob) = stego::lsb_embedding_probability(&rgba).filter(|&x| x >= st.threshold) {
            found.add(
                Code::Steganography,
                Severity::Medium,
                st.action,
                format!(
                    "the lowest bits of the pixels look like embedded data (chi-square test, probability {prob:.3})"
                ),
                Details {
                    score: Some(prob),
                    ..Details::default()
                },
            );
        }
    }

    let (w, h) = rgba.dimensions();
    let (tw, th) = resize::fit(w, h, p.resize.max_side);
    let mut resized = if (tw, th) != (w, h) {
        Some(resize::resize(&rgba, tw, th, p.resize.filter, alpha)?)
    } else {
        None
    };
    let sa = &p.scaling_attack;
    if sa.action.enabled() {
        let mut sizes = sa.sizes.clone();
        sizes.push(p.resize.max_side);
        sizes.retain(|&s| w.max(h) >= s.saturating_mul(2));
        let score = (!sizes.is_empty())
            .then(|| {
                // What a model sees: the colour channels, transparency
                // dropped. A resize with alpha weighting darkens transparent
                // areas, so with transparency the reference starts afresh.
                let base = if alpha {
                    &rgba
                } else {
                    resized.as_ref().unwrap_or(&rgba)
                };
                scaling::reference(base)
                    .ok()
                    .and_then(|table| scaling::score(&rgba, &table, &sizes))
            })
            .flatten();
        if let Some((s, size)) = score {
            if s >= sa.threshold {
                found.add(
                    Code::ScalingAttack,
                    Severity::High,
                    sa.action,
                    format!(
                        "scaled naively to {size} pixels this image shows something else than scaled robustly (difference {s:.2}): an image-scaling attack"
                    ),
                    Details {
                        score: Some(s),
                        label: Some(format!("{size}px")),
                        ..Details::default()
                    },
                );
                // Quiring et al. (2020): the attack lives in isolated pixels
                // (or 2×2 groups for bilinear scalers), which a 3×3 median
                // replaces by their neighbourhood, so a naive scaler then
                // reads the cover too.
                if sa.action == Action::Sanitize {
                    rgba = squeeze::median(&rgba, crate::policy::Median::ThreeByThree);
                    if resized.is_some() {
                        resized = Some(resize::resize(&rgba, tw, th, p.resize.filter, alpha)?);
                    }
                }
            }
        }
    }
    let mut out_img = match resized {
        Some(r) => {
            found.add(
                Code::Resized,
                Severity::Info,
                Action::Sanitize,
                format!("scaled down from {w}×{h} to {tw}×{th} (image.resize.max_side)"),
                Details::default(),
            );
            r
        }
        None => rgba,
    };
    // Colour management on the smaller, final pixels; the profile itself is
    // dropped with the rest of the metadata.
    if p.metadata.icc == crate::policy::IccHandling::Convert {
        if let Some(icc) = metadata::icc_profile(bytes, &layout.metadata) {
            if let Err(why) = color::to_srgb(&mut out_img, &icc) {
                found.add(
                    Code::Metadata,
                    Severity::Info,
                    p.metadata.action,
                    format!("the ICC profile was not applied: {why}; colours are as stored"),
                    Details {
                        label: Some(String::from("icc")),
                        ..Details::default()
                    },
                );
            }
        }
    }
    let sq = &p.squeeze;
    if sq.median != crate::policy::Median::None {
        out_img = squeeze::median(&out_img, sq.median);
    }
    if let Some(q) = sq.jpeg_quality {
        out_img = squeeze::jpeg_round_trip(&out_img, q)?;
    }
    squeeze::reduce_bit_depth(&mut out_img, sq.bit_depth);
    // Last, on the final pixels: scaling and squeezing can make pixels fully
    // transparent (an alpha of 1 quantized to 0) that still carry colour.
    if alpha && hp.action == Action::Sanitize {
        match hp.mode {
            HiddenPixelsMode::Zero => pixels::zero_hidden(&mut out_img),
            HiddenPixelsMode::Flatten => {
                pixels::flatten(&mut out_img, hp.background);
                alpha = false;
            }
        }
    }

    let input_stats = ImageStats {
        format,
        input_bytes: bytes.len() as u32,
        width: layout.width,
        height: layout.height,
        frames: layout.frames,
        decode_scale,
        detectors: ran,
        output: None,
    };
    if found.blocked {
        return Ok((None, report(found, input_stats, scores, fingerprint)));
    }
    let out_format = encode::choose(&p.output, &out_img, alpha);
    let encoded = encode::encode(&out_img, out_format, alpha, p.output.jpeg_quality)?;
    let output = ImageOutput {
        format: encode::written(out_format),
        width: out_img.width(),
        height: out_img.height(),
        bytes: encoded,
    };
    let stats = ImageStats {
        output: Some(ImageOutputStats {
            format: output.format,
            width: output.width,
            height: output.height,
            bytes: output.bytes.len() as u32,
        }),
        ..input_stats
    };
    Ok((Some(output), report(found, stats, scores, fingerprint)))
}

fn report(
    found: Found,
    stats: ImageStats,
    scores: Scores,
    fingerprint: Option<Fingerprint>,
) -> Report {
    Report {
        image: Some(stats),
        scores,
        fingerprint,
        ..found.into_report()
    }
}

/// The pixels of `bytes`, and the reduction they were decoded at (1: whole).
/// A JPEG that `reduce_to` shrinks 2× or more is decoded at 1/2, 1/4 or 1/8
/// in the DCT domain, at least that size (faster, a fraction of the memory);
/// other JPEGs go straight to RGBA, the rest through the `image` decoders.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    layout: &layout::Layout,
    reduce_to: Option<(u32, u32)>,
    max_memory: u64,
) -> Result<(image::DynamicImage, u32)> {
    let size = (layout.width, layout.height);
    if format == ImageFormat::Jpeg {
        if let Some(target) = reduce_to {
            if let Some(reduced) = pixels::decode_jpeg_scaled(bytes, size, target, max_memory) {
                let (img, scale) = reduced?;
                return Ok((image::DynamicImage::ImageRgba8(img), scale));
            }
        }
        if let Some(rgba) = pixels::decode_jpeg_rgba(bytes, size.0, size.1) {
            return Ok((image::DynamicImage::ImageRgba8(rgba?), 1));
        }
    }
    let img = pixels::decode(bytes, format, size.0, size.1, max_memory)?;
    Ok((img, 1))
}

fn container_findings(bytes: &[u8], layout: &layout::Layout, policy: &Policy, found: &mut Found) {
    let action = policy.image.container.action;
    found.trailing(
        (Code::Polyglot, Code::TrailingData),
        "image",
        action,
        bytes,
        layout.end,
    );
    // Files or scripts inside metadata blocks (a PHP shell in a comment).
    for m in &layout.metadata {
        if let Some((_, name)) = container::embedded_file(m.bytes(bytes)) {
            found.add(
                Code::Polyglot,
                Severity::High,
                action,
                format!("a {name} is hidden in the {} block", m.name),
                Details {
                    label: Some(name.to_owned()),
                    bytes: Some(m.range),
                    ..Details::default()
                },
            );
        }
    }
    // Files inside chunks no decoder reads.
    for c in &layout.unknown {
        if let Some((at, name)) = bytes
            .get(c.range.0..c.range.1)
            .and_then(container::embedded_file)
        {
            found.add(
                Code::Polyglot,
                Severity::High,
                action,
                format!("a {name} is hidden in the unknown {} chunk", c.name),
                Details {
                    label: Some(name.to_owned()),
                    bytes: Some((c.range.0 + at, c.range.1)),
                    ..Details::default()
                },
            );
        }
    }
    for (chunks, total, code, severity, what) in [
        (
            &layout.unknown,
            layout.unknown_count,
            Code::UnknownChunk,
            Severity::Low,
            "unknown",
        ),
        (
            &layout.duplicate,
            layout.duplicate_count,
            Code::DuplicateChunk,
            Severity::Medium,
            "repeated",
        ),
    ] {
        let Some(first) = chunks.first() else {
            continue;
        };
        let mut names: Vec<&str> = chunks.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        found.add(
            code,
            severity,
            action,
            format!("{total} {what} chunk(s): {}", names.join(", ")),
            Details {
                count: total,
                bytes: Some(first.range),
                label: Some(first.name.clone()),
                ..Details::default()
            },
        );
    }
}

fn metadata_findings(
    layout: &layout::Layout,
    summary: &metadata::Summary,
    policy: &Policy,
    found: &mut Found,
) {
    let m = &policy.image.metadata;
    for meta in &layout.metadata {
        let mut detail = String::new();
        if meta.kind == layout::MetaKind::Exif {
            if let Some(c) = &summary.camera {
                detail.push_str(&format!("; camera {c}"));
            }
            if let Some(t) = &summary.time {
                detail.push_str(&format!("; taken {t}"));
            }
        }
        found.add(
            Code::Metadata,
            if matches!(
                meta.kind,
                layout::MetaKind::Comment | layout::MetaKind::PngText
            ) {
                Severity::Low
            } else {
                Severity::Info
            },
            m.action,
            format!(
                "{} metadata ({}, {} bytes){detail}, removed",
                meta.kind.label(),
                meta.name,
                meta.range.1.saturating_sub(meta.range.0)
            ),
            Details {
                label: Some(meta.kind.label().to_owned()),
                bytes: Some(meta.range),
                ..Details::default()
            },
        );
    }
    let recorded = layout.metadata.len() as u32;
    if layout.metadata_count > recorded {
        found.add(
            Code::Metadata,
            Severity::Low,
            m.action,
            format!(
                "{} more metadata blocks of kinds already listed, not examined, removed",
                layout.metadata_count - recorded
            ),
            Details {
                count: layout.metadata_count - recorded,
                ..Details::default()
            },
        );
    }
    if let Some(range) = summary.gps {
        found.add(
            Code::Gps,
            Severity::High,
            m.gps,
            String::from("the image records the GPS position where it was taken"),
            Details {
                bytes: Some(range),
                ..Details::default()
            },
        );
    }
    if m.text.enabled() {
        for (place, text) in &summary.texts {
            found.metadata_text(Code::MetadataText, m.text, place, text, policy);
        }
    }
}
