//! `report.fingerprint` through the public API: present only when the policy
//! asks, for texts and images (blocked ones too), and close for an image and
//! its adversarially perturbed copy, far for unrelated images.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use mmguard::{Fingerprint, FingerprintKind, Guard, ImageInput, Policy, Verdict};

fn guard(json: &str) -> Guard {
    Guard::new(Policy::from_json(json).unwrap()).unwrap()
}

fn image_print(guard: &Guard, file: &str) -> Fingerprint {
    let bytes = std::fs::read(format!("tests/data/detect/{file}")).unwrap();
    let out = guard.image(&bytes, &ImageInput::default()).unwrap();
    out.report.fingerprint.expect("an image fingerprint")
}

#[test]
fn the_switch_is_a_boolean() {
    let err = Policy::from_json(r#"{ "fingerprint": "yes" }"#).unwrap_err();
    assert_eq!(err.code(), "policy.json");
    assert!(
        err.to_string().contains("fingerprint") || err.to_string().contains("boolean"),
        "{err}"
    );
}

#[test]
fn off_by_default() {
    let g = Guard::new(Policy::default()).unwrap();
    assert_eq!(g.text("hello there").unwrap().report.fingerprint, None);
    let png = std::fs::read("tests/data/detect/photo_clean.png").unwrap();
    let out = g.image(&png, &ImageInput::default()).unwrap();
    assert_eq!(out.report.fingerprint, None);
    let json = serde_json::to_value(&out.report).unwrap();
    assert!(json.get("fingerprint").is_none());
}

#[test]
fn texts_blocked_or_not_are_fingerprinted() {
    let g = guard(r#"{ "fingerprint": true, "text": { "bidi": { "action": "block" } } }"#);
    let clean = g.text("Tell me about the history of Lisbon").unwrap();
    let blocked = g
        .text("Tell me about the\u{202E} history of Lisbon")
        .unwrap();
    assert_eq!(blocked.report.verdict, Verdict::Blocked);
    let (a, b) = (
        clean.report.fingerprint.unwrap(),
        blocked.report.fingerprint.unwrap(),
    );
    assert_eq!(a.kind, FingerprintKind::TextSimhash64);
    // The bidi control is not a letter: the same fingerprint.
    assert_eq!(a.distance(&b), Some(0));
    let json = serde_json::to_value(&clean.report).unwrap();
    assert_eq!(json["fingerprint"]["kind"], "text.simhash64");
    assert_eq!(json["fingerprint"]["hex"].as_str().unwrap().len(), 16);
}

#[test]
fn a_perturbed_image_is_close_and_another_image_is_far() {
    let g = guard(r#"{ "fingerprint": true }"#);
    let clean = image_print(&g, "photo_clean.png");
    let attacked = image_print(&g, "photo_pgd_linf_eps8.png");
    let other = image_print(&g, "text_render.png");
    assert_eq!(clean.kind, FingerprintKind::ImageDhash64);
    assert!(
        clean.distance(&attacked).unwrap() <= 6,
        "{:?}",
        clean.distance(&attacked)
    );
    assert!(
        clean.distance(&other).unwrap() >= 16,
        "{:?}",
        clean.distance(&other)
    );
    // Re-encoding (the guard's own output) does not move it far either.
    let png = std::fs::read("tests/data/detect/photo_clean.png").unwrap();
    let out = g
        .image(&png, &ImageInput::default())
        .unwrap()
        .output
        .unwrap();
    let again = g.image(&out.bytes, &ImageInput::default()).unwrap();
    assert!(clean.distance(&again.report.fingerprint.unwrap()).unwrap() <= 4);
}

#[test]
fn audio_has_none() {
    let g = guard(r#"{ "fingerprint": true }"#);
    let wav = std::fs::read("tests/data/detect/audio_clean.wav").unwrap();
    let out = g.audio(&wav, &mmguard::AudioInput::default()).unwrap();
    assert_eq!(out.report.fingerprint, None);
}
