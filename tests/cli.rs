//! The `mmguard` binary: output, report JSON and exit codes (0 processed,
//! 1 blocked, 2 error).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mmguard(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmguard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may exit before reading stdin (usage errors): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mmguard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn sanitizes_stdin_and_writes_the_report() {
    let report = tmp("r1.json");
    let out = mmguard(
        &["text", "-", "--report", report.to_str().unwrap()],
        "hi\u{202E}there\u{E0041}".as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "hithere");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["verdict"], "modified");
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"text.bidi_control") && codes.contains(&"text.tag_smuggling"),
        "{codes:?}"
    );
    let tag = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "text.tag_smuggling")
        .unwrap();
    assert_eq!(tag["payload"]["text"], "A");
    assert_eq!(tag["severity"], "high");
}

#[test]
fn blocked_input_exits_1_and_prints_nothing() {
    let policy = tmp("block.json");
    std::fs::write(&policy, r#"{ "text": { "bidi": { "action": "block" } } }"#).unwrap();
    let file = tmp("in.txt");
    std::fs::write(&file, "a\u{202E}b").unwrap();
    let out = mmguard(
        &[
            "text",
            file.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn errors_exit_2_with_code_in_report_and_stderr() {
    let report = tmp("err.json");
    let policy = tmp("bad.json");
    std::fs::write(&policy, r#"{ "text": { "nope": 1 } }"#).unwrap();
    let out = mmguard(
        &[
            "text",
            "--policy",
            policy.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        b"x",
    );
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["error"]["code"], "policy.json");
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("policy.json"));

    let out = mmguard(&["text"], &[0xff, 0xfe, b'a']);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("input.encoding"));

    std::fs::write(&policy, r#"{ "limits": { "text": { "max_bytes": 3 } } }"#).unwrap();
    let out = mmguard(
        &[
            "text",
            "--policy",
            policy.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        b"abcdef",
    );
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["error"]["code"], "limit.text_bytes");

    let out = mmguard(&["text", "--bogus"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = mmguard(&["frobnicate"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = mmguard(&["text", "/nonexistent/file"], b"");
    assert_eq!(out.status.code(), Some(2));
}
