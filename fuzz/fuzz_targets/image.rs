//! Fuzzes `Guard::image`, the image entry point, with limits small enough to
//! keep runs fast, checking what must always hold: no panic, a typed error or
//! an output that decodes again to the size it reports, and that sanitizing
//! the output changes nothing more (its size stays, no finding is new).
//! ICC profiles are converted, so the colour-management code is fuzzed too;
//! inputs of odd length run with the scaling-attack check off and a small
//! output size, so large JPEGs take the DCT-domain reduced decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmguard::{Guard, ImageInput, Policy};

fuzz_target!(|data: &[u8]| {
    let mut policy = Policy::default();
    policy.limits.image.max_pixels = 1 << 20;
    policy.limits.image.max_memory = 64 << 20;
    policy.image.resize.max_side = 512;
    // The colour-management path too: hostile ICC profiles reach moxcms.
    policy.image.metadata.icc = mmguard::IccHandling::Convert;
    if data.len() % 2 == 1 {
        policy.image.scaling_attack.action = mmguard::Action::Allow;
        policy.image.resize.max_side = 64;
    }
    let guard = Guard::new(policy).expect("valid policy");
    let Ok(first) = guard.image(data, &ImageInput::default()) else {
        return;
    };
    let Some(out) = first.output else { return };
    let again = guard
        .image(&out.bytes, &ImageInput::default())
        .expect("the output is a valid image");
    let out2 = again.output.expect("a clean output is not blocked");
    assert_eq!((out2.width, out2.height), (out.width, out.height));
    assert!(again.report.findings.is_empty(), "{:?}", again.report.findings);
});
