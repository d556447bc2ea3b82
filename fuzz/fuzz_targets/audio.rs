//! Fuzzes `Guard::audio`, the audio entry point, with limits small enough to
//! keep runs fast, checking what must always hold: no panic, a typed error or
//! a WAV that the guard reads again, and that sanitizing the output changes
//! nothing more (its length stays, no finding is new: only what was flagged,
//! reported but not removed, is found again).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmguard::{Action, AudioInput, Guard, Policy};

fuzz_target!(|data: &[u8]| {
    let mut policy = Policy::default();
    policy.limits.audio.max_seconds = 5;
    policy.limits.audio.max_memory = 16 << 20;
    // Inputs of odd length keep their channels and rate (no resampling), so
    // the decode and level paths are reached without the resampler's cost.
    if data.len() % 2 == 1 {
        policy.audio.output.channels = mmguard::OutputChannels::Keep;
        policy.audio.output.sample_rate = 8_000;
    }
    let guard = Guard::new(policy).expect("valid policy");
    let Ok(first) = guard.audio(data, &AudioInput::default()) else {
        return;
    };
    let Some(out) = first.output else { return };
    let again = guard
        .audio(&out.bytes, &AudioInput::default())
        .expect("the output is a valid WAV");
    let out2 = again.output.expect("a clean output is not blocked");
    assert_eq!(
        (out2.frames, out2.channels, out2.sample_rate),
        (out.frames, out.channels, out.sample_rate)
    );
    // Only what is flagged (reported, not removed) may be found again.
    let new: Vec<_> = again
        .report
        .findings
        .iter()
        .filter(|f| {
            f.action != Action::Flag || !first.report.findings.iter().any(|g| g.code == f.code)
        })
        .collect();
    assert!(new.is_empty(), "{new:?}");
});
