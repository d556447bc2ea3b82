//! Findings and actions collected as a file's pipeline (image, audio) goes,
//! then turned into its [`Report`]. Checks add what they find with the
//! action the policy gives them; a disabled check adds nothing.

use std::collections::BTreeMap;

use crate::policy::{Action, Policy};
use crate::report::{
    ActionTaken, ByteRange, Code, Finding, Payload, Report, Scores, Severity, Stats, Verdict,
};

/// Most bytes of a metadata text put in a report.
const MAX_REPORTED_TEXT: usize = 4096;

/// Findings and actions so far.
#[derive(Default)]
pub(crate) struct Found {
    findings: Vec<Finding>,
    actions: BTreeMap<Code, (Action, u32)>,
    /// A check said `block`.
    pub(crate) blocked: bool,
    /// Something was removed or changed beyond the routine re-encode.
    pub(crate) sanitized: bool,
}

/// One finding's details, besides its code, severity and action.
#[derive(Default)]
pub(crate) struct Details {
    pub(crate) label: Option<String>,
    pub(crate) count: u32,
    pub(crate) bytes: Option<(usize, usize)>,
    pub(crate) payload: Option<Payload>,
    pub(crate) score: Option<f64>,
    /// The threshold a learned detector's `score` reached.
    pub(crate) threshold: Option<f64>,
}

impl Found {
    /// The bytes of `file` after its end at `end` (a `what`'s: `image`,
    /// `recording`), if any: a file found among them (`polyglot`), and the
    /// bytes themselves (`trailing`; zero padding, as some writers leave, at
    /// low severity).
    pub(crate) fn trailing(
        &mut self,
        (polyglot, trailing): (Code, Code),
        what: &str,
        action: Action,
        file: &[u8],
        end: usize,
    ) {
        let Some(tail) = file.get(end..).filter(|t| !t.is_empty()) else {
            return;
        };
        let last = file.len();
        if let Some((at, name)) = crate::sniff::embedded_file(tail) {
            self.add(
                polyglot,
                Severity::High,
                action,
                format!(
                    "a {name} is appended after the {what}'s end, at byte {}",
                    end + at
                ),
                Details {
                    label: Some(name.to_owned()),
                    bytes: Some((end + at, last)),
                    ..Details::default()
                },
            );
        }
        let padding = tail.iter().all(|&b| b == 0);
        self.add(
            trailing,
            if padding {
                Severity::Low
            } else {
                Severity::Medium
            },
            action,
            format!(
                "{} bytes{} after the {what}'s end",
                tail.len(),
                if padding { " of zero padding" } else { "" }
            ),
            Details {
                bytes: Some((end, last)),
                ..Details::default()
            },
        );
    }

    /// Records a finding, unless `action` is `allow`.
    pub(crate) fn add(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        message: String,
        d: Details,
    ) {
        if !action.enabled() {
            return;
        }
        let count = d.count.max(1);
        self.blocked |= action == Action::Block;
        self.sanitized |= action == Action::Sanitize;
        let entry = self.actions.entry(code).or_insert((action, 0));
        entry.1 += count;
        self.findings.push(Finding {
            code,
            severity,
            message,
            label: d.label,
            action,
            count,
            spans: Vec::new(),
            payload: d.payload,
            bytes: d.bytes.map(|(s, e)| ByteRange {
                start: s as u32,
                end: e as u32,
            }),
            score: d.score,
            threshold: d.threshold,
        });
    }

    /// Runs one metadata text (found at `place`) through the text guard; a
    /// text finding above `info` becomes a `code` finding with the text as
    /// its payload and the worst text code as its label.
    pub(crate) fn metadata_text(
        &mut self,
        code: Code,
        action: Action,
        place: &str,
        text: &str,
        policy: &Policy,
    ) {
        let Ok((_, r)) = crate::text::guard(text, policy, None) else {
            return;
        };
        let worst = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .max_by_key(|f| f.severity);
        let Some(worst) = worst else { return };
        let mut codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut cut = text.len().min(MAX_REPORTED_TEXT);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.add(
            code,
            worst.severity,
            action,
            format!("text in {place}: {}", codes.join(", ")),
            Details {
                label: Some(worst.code.as_str().to_owned()),
                payload: Some(Payload {
                    encodings: Vec::new(),
                    text: text.get(..cut).unwrap_or("").to_owned(),
                    bytes: text.len() as u32,
                    truncated: cut < text.len(),
                }),
                ..Details::default()
            },
        );
    }

    /// The report: verdict, findings most severe first, actions per code.
    /// The caller adds what describes the input (`image`, `audio`).
    pub(crate) fn into_report(self) -> Report {
        let verdict = if self.blocked {
            Verdict::Blocked
        } else if self.sanitized {
            Verdict::Modified
        } else {
            Verdict::Clean
        };
        let mut findings = self.findings;
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        Report {
            verdict,
            findings,
            actions: self
                .actions
                .into_iter()
                .map(|(code, (action, count))| ActionTaken {
                    code,
                    action,
                    count,
                })
                .collect(),
            scores: Scores::default(),
            stats: Stats::default(),
            image: None,
            audio: None,
            fingerprint: None,
        }
    }
}
