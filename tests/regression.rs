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
        if path.extension().is_some_and(|e| e == "md") {
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
