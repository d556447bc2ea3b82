//! Bad policies and over-limit inputs get typed errors with stable codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use mmguard::{ErrorKind, Guard, Limits, Policy, TextLimits};

#[test]
fn every_bad_policy_file_is_rejected_with_a_policy_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/policy");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let json = std::fs::read_to_string(&path).unwrap();
        let err = Policy::from_json(&json).expect_err(&path.display().to_string());
        assert_eq!(err.kind(), ErrorKind::Policy, "{}", path.display());
        assert!(
            matches!(err.code(), "policy.json" | "policy.invalid"),
            "{}: {}",
            path.display(),
            err.code()
        );
        assert!(!err.message().is_empty());
        n += 1;
    }
    assert!(n >= 8);
}

#[test]
fn messages_name_the_problem() {
    let err = Policy::from_json(r#"{ "text": { "bidi": { "acton": "flag" } } }"#).unwrap_err();
    assert_eq!(err.code(), "policy.json");
    assert!(err.message().contains("acton"), "{}", err.message());
    let err =
        Policy::from_json(r#"{ "text": { "injection": { "threshold": 1.5 } } }"#).unwrap_err();
    assert_eq!(err.code(), "policy.invalid");
    assert!(err.message().contains("threshold"));
}

#[test]
fn default_policy_round_trips_through_json() {
    let json = serde_json::to_string(&Policy::default()).unwrap();
    assert_eq!(Policy::from_json(&json).unwrap(), Policy::default());
    assert_eq!(Policy::from_json("{}").unwrap(), Policy::default());
}

#[test]
fn limits_are_enforced_before_work_with_exact_codes() {
    let mut policy = Policy::default();
    policy.limits.text = TextLimits::default().max_chars(10);
    let g = Guard::new(policy).unwrap();
    assert!(g.text("ten chars!").is_ok());
    let err = g.text("eleven chars").unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Limit, "limit.text_chars")
    );

    let mut policy = Policy::default();
    policy.limits.text = TextLimits::default().max_bytes(4);
    let err = Guard::new(policy).unwrap().text("ääa").unwrap_err();
    assert_eq!(err.code(), "limit.text_bytes");

    // Limits::none lifts the caps.
    let policy = Policy {
        limits: Limits::none(),
        ..Policy::default()
    };
    assert!(Guard::new(policy)
        .unwrap()
        .text(&"x".repeat(2_000_000))
        .is_ok());
}

#[test]
fn default_limit_refuses_oversized_text() {
    let big = "a".repeat((1 << 20) + 1);
    let err = common::guard().text(&big).unwrap_err();
    assert_eq!(err.code(), "limit.text_chars");
}

#[test]
fn decoded_payloads_respect_the_budget_and_say_so() {
    let mut policy = Policy::default();
    policy.limits.text.max_decoded_bytes = 5;
    let hidden: String = "0123456789"
        .bytes()
        .map(|b| char::from_u32(0xE0000 + u32::from(b)).unwrap())
        .collect();
    let r = Guard::new(policy)
        .unwrap()
        .text(&format!("a{hidden}"))
        .unwrap();
    let p = r
        .report
        .findings
        .iter()
        .find_map(|f| f.payload.as_ref())
        .unwrap();
    assert_eq!(p.text, "01234");
    assert_eq!(p.bytes, 10);
    assert!(p.truncated);
    assert_eq!(
        r.output.unwrap(),
        "a",
        "the hidden characters are still all removed"
    );
}
