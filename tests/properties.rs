//! Property tests: sanitizing never panics, its output is a fixed point
//! (sanitizing it again changes nothing), and spans always lie inside the input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::*;
use mmguard::{Action, BidiMode, Guard, Normalization, Policy, Verdict};
use proptest::prelude::*;

/// Characters that exercise every check: ASCII, joiners, bidi, tags, selectors,
/// sneaky bits, marks, emoji, confusables, CJK, RTL, private use, noncharacters.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        1 => Just('\n'),
        1 => prop::sample::select(vec![
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{AD}', '\u{FEFF}', '\u{202E}', '\u{202C}',
            '\u{2066}', '\u{2069}', '\u{200F}', '\u{E0041}', '\u{E0061}', '\u{E007F}', '\u{FE0F}', '\u{FE00}',
            '\u{E0100}', '\u{2062}', '\u{2064}', '\u{301}', '\u{308}', '\u{1F469}', '\u{1F3F4}', '\u{1F4BB}',
            '\u{430}', '\u{43E}', '\u{456}', '\u{3BF}', '\u{4E2D}', '\u{627}', '\u{5D0}', '\u{915}', '\u{94D}',
            '\u{E000}', '\u{FDD0}', '\u{1B}', '\u{9B}', '\u{92}', '\u{FF49}', '\u{1E0A}', '\u{323}', '%', '=',
            '<', '|', '>', '[', ']', '@', '\u{180E}', '\u{1820}', '\u{E01}',
        ]),
        1 => any::<char>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..120).prop_map(|v| v.into_iter().collect())
}

fn policies() -> Vec<Policy> {
    let mut all_sanitize = Policy::default();
    let t = &mut all_sanitize.text;
    for a in [
        &mut t.controls.action,
        &mut t.c1_controls.action,
        &mut t.invisible.action,
        &mut t.private_use.action,
        &mut t.unassigned.action,
        &mut t.confusables.action,
        &mut t.encoded.action,
        &mut t.pii.action,
        &mut t.flood.action,
    ] {
        *a = Action::Sanitize;
    }
    t.flood.max_run = 3;
    t.combining.max_marks = 1;
    let mut isolate = Policy::default();
    isolate.text.bidi.mode = BidiMode::Isolate;
    let mut nfkc = all_sanitize.clone();
    nfkc.text.normalization = Normalization::Nfkc;
    vec![Policy::default(), all_sanitize, isolate, nfkc]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, .. ProptestConfig::default() })]

    #[test]
    fn sanitize_is_idempotent_and_spans_are_in_bounds(input in text()) {
        for policy in policies() {
            let g = Guard::new(policy).unwrap();
            let first = g.text(&input).unwrap();
            let units = input.encode_utf16().count() as u32;
            for f in &first.report.findings {
                for s in &f.spans {
                    prop_assert!(s.start <= s.end && s.end <= units, "{:?} outside {units}", s);
                    prop_assert!(input.is_char_boundary(s.byte_start as usize) && input.is_char_boundary(s.byte_end as usize));
                }
            }
            if first.report.verdict == Verdict::Blocked {
                continue;
            }
            let out = first.output.unwrap();
            let second = g.text(&out).unwrap();
            prop_assert_eq!(second.output.as_deref(), Some(out.as_str()), "not a fixed point for {:?}", input);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        let _ = guard().text(&input).unwrap();
    }

    #[test]
    fn arbitrary_policy_json_never_panics(json in "[{}\\[\\]\":,a-z_0-9. ]{0,80}") {
        let _ = Policy::from_json(&json);
    }
}
