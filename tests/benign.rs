//! No damage on benign text: every UDHR translation (287 languages, RTL
//! scripts among them) and every RGI emoji sequence comes out equal to its NFC
//! form, with no finding above `info`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::*;
use mmguard::Severity;
use unicode_normalization::UnicodeNormalization;

#[test]
fn every_udhr_translation_passes_unchanged() {
    let dir = shared_data("udhr-half-B");
    let guard = guard();
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let r = guard.text(&text).unwrap();
        let nfc: String = text.nfc().collect();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if r.output.as_deref() != Some(nfc.as_str()) {
            failures.push(format!("{name}: output differs from NFC"));
        }
        for f in r
            .report
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
        {
            failures.push(format!("{name}: {} {:?} {}", f.code, f.severity, f.message));
        }
        checked += 1;
    }
    assert!(
        checked >= 280,
        "only {checked} UDHR files found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rgi_emoji_sequence_passes_unchanged() {
    let list = include_str!("data/emoji-sequences.txt");
    let guard = guard();
    let mut checked = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let seq: String = line
            .split_whitespace()
            .map(|cp| char::from_u32(u32::from_str_radix(cp, 16).unwrap()).unwrap())
            .collect();
        // Alone, inside a sentence, and next to another sequence.
        for text in [
            seq.clone(),
            format!("I feel {seq} today."),
            format!("{seq}{seq}"),
        ] {
            let r = guard.text(&text).unwrap();
            let nfc: String = text.nfc().collect();
            assert_eq!(r.output.as_deref(), Some(nfc.as_str()), "{line}");
            assert!(
                r.report
                    .findings
                    .iter()
                    .all(|f| f.severity <= Severity::Info),
                "{line}: {:?}",
                r.report.findings
            );
        }
        checked += 1;
    }
    assert!(checked > 2000, "{checked}");
}

#[test]
fn benign_prompts_from_the_shared_corpora_have_low_scores() {
    let seed = std::fs::read_to_string(shared_data("self-instruct-seed/seed_tasks.jsonl")).unwrap();
    let guard = guard();
    let mut n = 0;
    let mut high = Vec::new();
    for line in seed.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = v["instruction"].as_str().unwrap();
        let r = guard.text(text).unwrap();
        if r.report.scores.injection >= 0.5 {
            high.push(text.to_owned());
        }
        n += 1;
    }
    assert!(n > 100);
    assert!(
        high.len() * 100 <= n,
        "more than 1% of benign instructions score high: {high:?}"
    );
}

#[test]
fn math_word_problems_do_not_look_like_injections() {
    let raw = std::fs::read_to_string(shared_data("gsm8k-train/train.jsonl")).unwrap();
    let guard = guard();
    let (mut n, mut flagged) = (0, 0);
    for line in raw.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let r = guard.text(v["question"].as_str().unwrap()).unwrap();
        if r.report.scores.injection >= 0.5 {
            flagged += 1;
        }
        n += 1;
    }
    println!("gsm8k questions scoring >= 0.5: {flagged}/{n}");
    assert!(n > 7000);
    assert!(
        flagged * 1000 <= n,
        "{flagged}/{n} benign questions score high"
    );
}

#[test]
fn in_the_wild_jailbreaks_are_mostly_detected() {
    let raw = std::fs::read_to_string(shared_data(
        "inthewild-jailbreak/inthewild_jailbreak_llms.json",
    ))
    .unwrap();
    let prompts: Vec<String> = serde_json::from_str(&raw).unwrap();
    let mut policy = mmguard::Policy::default();
    policy.limits.text.max_chars = 4_000_000;
    let guard = mmguard::Guard::new(policy).unwrap();
    let scores: Vec<f64> = prompts
        .iter()
        .map(|p| guard.text(p).unwrap().report.scores.injection)
        .collect();
    let detected = scores.iter().filter(|s| **s > 0.0).count();
    let at_threshold = scores.iter().filter(|s| **s >= 0.7).count();
    let rate = detected as f64 / prompts.len() as f64;
    println!(
        "in-the-wild jailbreaks: {detected}/{} with a heuristic signal, {at_threshold} at score >= 0.7",
        prompts.len()
    );
    // A regression floor, not a goal: paraphrased jailbreaks need the learned detector.
    assert!(rate >= 0.6, "recall {rate:.2}");
}
