//! Fuzzes `Guard::text`, the text entry point, under the default policy and a
//! policy that sanitizes everything, checking what must always hold: no panic,
//! spans inside the input, and a sanitized output that is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmguard::{Action, Guard, Normalization, Policy};

fn policies() -> [Policy; 2] {
    let mut strict = Policy::default();
    let t = &mut strict.text;
    t.normalization = Normalization::Nfkc;
    t.confusables.action = Action::Sanitize;
    t.pii.action = Action::Sanitize;
    t.flood.action = Action::Sanitize;
    t.flood.max_run = 4;
    [Policy::default(), strict]
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    for policy in policies() {
        let guard = Guard::new(policy).expect("valid policy");
        let Ok(first) = guard.text(input) else { return };
        let units = input.encode_utf16().count() as u32;
        for f in &first.report.findings {
            for s in &f.spans {
                assert!(s.start <= s.end && s.end <= units);
            }
        }
        if let Some(out) = first.output {
            let again = guard.text(&out).expect("output stays within limits");
            assert_eq!(again.output.as_deref(), Some(out.as_str()), "sanitize is not idempotent");
        }
    }
});
