//! Former fuzzer findings (`tests/data/regression/`): sanitizing must not panic,
//! spans must lie inside the input, and the output must be a fixed point, under
//! the default and a strict policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mmguard::{Action, Guard, Normalization, Policy};

/// The fuzz target's strict policy.
fn strict() -> Policy {
    let mut p = Policy::default();
    let t = &mut p.text;
    t.normalization = Normalization::Nfkc;
    t.confusables.action = Action::Sanitize;
    t.pii.action = Action::Sanitize;
    t.flood.action = Action::Sanitize;
    t.flood.max_run = 4;
    p
}

#[test]
fn former_fuzzer_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/regression");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("text-") {
            continue;
        }
        let input = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        for policy in [Policy::default(), strict()] {
            let g = Guard::new(policy).unwrap();
            let first = g.text(&input).unwrap();
            let units = input.encode_utf16().count() as u32;
            for f in &first.report.findings {
                for sp in &f.spans {
                    assert!(
                        sp.start <= sp.end && sp.end <= units,
                        "{}: {sp:?}",
                        path.display()
                    );
                }
            }
            let out = first.output.unwrap();
            let again = g.text(&out).unwrap().output.unwrap();
            assert_eq!(again, out, "{}", path.display());
        }
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn placeholders_do_not_join_floods_or_addresses() {
    let g = Guard::new(strict()).unwrap();
    let out = g.text("[[[[kiki@i.thr-@i.thr--").unwrap().output.unwrap();
    assert_eq!(out, "[[[[[REDACTED:email][REDACTED:email]--");
    assert_eq!(g.text(&out).unwrap().output.unwrap(), out);
}

#[test]
fn a_selector_stranded_by_normalization_leaves_normalized_output() {
    // NFKC folds the fullwidth letter; the emoji selector is then stray and
    // removed, which lets the accent compose: the output must still be NFKC.
    let g = Guard::new(strict()).unwrap();
    let out = g.text("\u{FF49}\u{FE00}\u{301}").unwrap().output.unwrap();
    assert_eq!(out, "\u{ED}");
    assert_eq!(g.text(&out).unwrap().output.unwrap(), out);
}

/// The image fuzz target's check on its former findings: the output of a
/// sanitized image, sanitized again, keeps its size and has nothing to report.
#[test]
fn former_image_fuzzer_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/regression");
    let mut policy = Policy::default();
    policy.limits.image.max_pixels = 1 << 20;
    policy.limits.image.max_memory = 64 << 20;
    policy.image.resize.max_side = 512;
    let g = Guard::new(policy).unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("image-")
        {
            continue;
        }
        let first = g
            .image(
                &std::fs::read(&path).unwrap(),
                &mmguard::ImageInput::default(),
            )
            .unwrap();
        let out = first.output.unwrap();
        let again = g
            .image(&out.bytes, &mmguard::ImageInput::default())
            .unwrap();
        let out2 = again.output.unwrap();
        assert_eq!(
            (out2.width, out2.height),
            (out.width, out.height),
            "{}",
            path.display()
        );
        assert!(
            again.report.findings.is_empty(),
            "{}: {:?}",
            path.display(),
            again.report.findings
        );
        n += 1;
    }
    assert!(n >= 1);
}

/// The audio fuzz target's check on its former findings, under its policy.
#[test]
fn former_audio_fuzzer_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/regression");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("audio-") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let mut policy = Policy::default();
        policy.limits.audio.max_seconds = 5;
        policy.limits.audio.max_memory = 16 << 20;
        if data.len() % 2 == 1 {
            policy.audio.output.channels = mmguard::OutputChannels::Keep;
            policy.audio.output.sample_rate = 8_000;
        }
        let g = Guard::new(policy).unwrap();
        let out = g
            .audio(&data, &mmguard::AudioInput::default())
            .unwrap()
            .output
            .unwrap();
        let first = g.audio(&data, &mmguard::AudioInput::default()).unwrap();
        let again = g
            .audio(&out.bytes, &mmguard::AudioInput::default())
            .unwrap();
        // Only what is flagged (reported, not removed) may be found again.
        let new: Vec<_> = again
            .report
            .findings
            .iter()
            .filter(|f| {
                f.action != mmguard::Action::Flag
                    || !first.report.findings.iter().any(|g| g.code == f.code)
            })
            .collect();
        assert!(new.is_empty(), "{name}: {new:?}");
        assert_eq!(again.output.unwrap().frames, out.frames, "{name}");
        n += 1;
    }
    assert_eq!(n, 10);
}
