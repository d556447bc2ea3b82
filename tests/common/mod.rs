//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use mmguard::{Code, Guard, Policy, Report, Sanitized};

/// The shared corpora (`../shared/data`), from `MMGUARD_SHARED_DATA` or next to the repo.
/// Tests that need them fail loudly when they are missing, rather than pass vacuously.
pub fn shared_data(sub: &str) -> PathBuf {
    let base = std::env::var_os("MMGUARD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let p = base.join(sub);
    assert!(
        p.exists(),
        "shared test data {} not found; set MMGUARD_SHARED_DATA",
        p.display()
    );
    p
}

pub fn guard() -> Guard {
    Guard::new(Policy::default()).unwrap()
}

pub fn run(input: &str) -> Sanitized<String> {
    guard().text(input).unwrap()
}

pub fn codes(r: &Report) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

/// The JS-style (UTF-16) slice of `s`.
pub fn utf16_slice(s: &str, start: u32, end: u32) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    String::from_utf16(&units[start as usize..end as usize]).unwrap()
}
