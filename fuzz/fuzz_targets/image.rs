//! Fuzzes `Guard::image`, the image entry point, with limits small enough to
//! keep runs fast, checking what must always hold: no panic, a typed error or
//! an output that decodes again to the size it reports, and that sanitizing
//! the output changes nothing more (its size stays, no finding is new).
//! ICC profiles are converted, so the colour-management code is fuzzed too.
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
