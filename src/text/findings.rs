//! Collects what the text checks find into [`Finding`]s: adjacent occurrences of
//! one kind merge into one span, occurrences of one code and label share one
//! finding (with a count), and hidden payloads each get a finding of their own.
//! Spans are recorded as input byte offsets and converted to UTF-16 at the end.

use crate::policy::Action;
use crate::report::{ActionTaken, Code, Finding, Payload, Severity, Span, MAX_SPANS};

use super::offsets::Utf16Index;

/// Most findings that carry their own payload, per code; later payloads of that
/// code are counted into the last one so a flood of tiny payloads cannot grow the report.
const MAX_PAYLOAD_FINDINGS: usize = 64;
/// Distinct code points named in an aggregated finding's message.
const MAX_NAMED_CHARS: usize = 6;

struct Pending {
    code: Code,
    severity: Severity,
    action: Action,
    label: Option<&'static str>,
    count: u32,
    spans: Vec<(usize, usize)>,
    chars: Vec<char>,
    message: Option<String>,
    payload: Option<Payload>,
    /// The first matched text, quoted in the message.
    sample: Option<String>,
    /// A learned detector's score and the threshold it reached.
    scored: Option<(f64, f64)>,
}

/// Accumulates findings during one guard call.
#[derive(Default)]
pub(crate) struct Collector {
    pending: Vec<Pending>,
}

impl Collector {
    /// Records one occurrence at input bytes `start..end`, merged with the previous
    /// span of the same code and label when they touch.
    pub(crate) fn add(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        label: Option<&'static str>,
        span: (usize, usize),
        ch: Option<char>,
    ) {
        let idx = self
            .pending
            .iter()
            .rposition(|p| p.code == code && p.label == label && p.payload.is_none());
        let p = match idx.and_then(|i| self.pending.get_mut(i)) {
            Some(p) => p,
            None => {
                self.pending.push(Pending {
                    code,
                    severity,
                    action,
                    label,
                    count: 0,
                    spans: Vec::new(),
                    chars: Vec::new(),
                    message: None,
                    payload: None,
                    sample: None,
                    scored: None,
                });
                match self.pending.last_mut() {
                    Some(p) => p,
                    None => return,
                }
            }
        };
        p.severity = p.severity.max(severity);
        if let Some(c) = ch {
            if p.chars.len() < MAX_NAMED_CHARS && !p.chars.contains(&c) {
                p.chars.push(c);
            }
        }
        if let Some(last) = p.spans.last_mut() {
            if last.1 == span.0 {
                last.1 = span.1;
                return;
            }
        }
        p.count = p.count.saturating_add(1);
        if p.spans.len() < MAX_SPANS {
            p.spans.push(span);
        }
    }

    /// [`Collector::add`], quoting `sample` (the matched text) in the message.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_sample(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        label: Option<&'static str>,
        span: (usize, usize),
        sample: &str,
    ) {
        self.add(code, severity, action, label, span, None);
        if let Some(p) = self
            .pending
            .iter_mut()
            .rev()
            .find(|p| p.code == code && p.label == label && p.payload.is_none())
        {
            if p.sample.is_none() {
                p.sample = Some(super::scan::preview(sample));
            }
        }
    }

    /// Records a learned detector's finding over input bytes `span`: its
    /// score, the threshold it reached, and its own message.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_scored(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        span: (usize, usize),
        message: String,
        score: f64,
        threshold: f64,
    ) {
        self.pending.push(Pending {
            code,
            severity,
            action,
            label: None,
            count: 1,
            spans: vec![span],
            chars: Vec::new(),
            message: Some(message),
            payload: None,
            sample: None,
            scored: Some((score, threshold)),
        });
    }

    /// Records a finding with its own message and decoded payload.
    pub(crate) fn add_payload(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        span: (usize, usize),
        message: String,
        payload: Payload,
    ) {
        let same = |p: &Pending| p.code == code && p.payload.is_some();
        if self.pending.iter().filter(|p| same(p)).count() >= MAX_PAYLOAD_FINDINGS {
            if let Some(p) = self.pending.iter_mut().rev().find(|p| same(p)) {
                p.count = p.count.saturating_add(1);
                p.severity = p.severity.max(severity);
                if p.spans.len() < MAX_SPANS {
                    p.spans.push(span);
                }
            }
            return;
        }
        self.pending.push(Pending {
            code,
            severity,
            action,
            label: None,
            count: 1,
            spans: vec![span],
            chars: Vec::new(),
            message: Some(message),
            payload: Some(payload),
            sample: None,
            scored: None,
        });
    }

    /// Moves `other`'s findings into this collector, mapping their spans with `map`.
    pub(crate) fn merge_mapped(
        &mut self,
        other: Collector,
        map: impl Fn(usize, usize) -> (usize, usize),
    ) {
        for mut p in other.pending {
            for span in &mut p.spans {
                *span = map(span.0, span.1);
            }
            self.pending.push(p);
        }
    }

    /// Raises the severity of every payload finding whose decoded text satisfies
    /// `f`; `f` sees each payload once.
    pub(crate) fn escalate_payloads(
        &mut self,
        severity: Severity,
        mut f: impl FnMut(&str) -> bool,
    ) {
        for p in &mut self.pending {
            if let Some(payload) = &p.payload {
                if f(&payload.text) {
                    p.severity = p.severity.max(severity);
                }
            }
        }
    }

    /// True when some occurrence was recorded with `Action::Block`.
    pub(crate) fn blocks(&self) -> bool {
        self.pending.iter().any(|p| p.action == Action::Block)
    }

    /// The findings, most severe first, and one action line per code.
    pub(crate) fn finish(self, input: &str) -> (Vec<Finding>, Vec<ActionTaken>) {
        let index = Utf16Index::new(input);
        let mut actions: Vec<ActionTaken> = Vec::new();
        let mut findings: Vec<Finding> = Vec::with_capacity(self.pending.len());
        for p in self.pending {
            match actions
                .iter_mut()
                .find(|a| a.code == p.code && a.action == p.action)
            {
                Some(a) => a.count = a.count.saturating_add(p.count),
                None => actions.push(ActionTaken {
                    code: p.code,
                    action: p.action,
                    count: p.count,
                }),
            }
            let message = match p.message {
                Some(m) => m,
                None => {
                    let mut m = describe(p.code, p.label, p.count, &p.chars);
                    if let Some(sample) = &p.sample {
                        m.push_str(&format!(", e.g. \"{sample}\""));
                    }
                    m
                }
            };
            let spans = p
                .spans
                .iter()
                .map(|&(s, e)| Span {
                    start: index.utf16(s),
                    end: index.utf16(e),
                    byte_start: s as u32,
                    byte_end: e as u32,
                })
                .collect();
            findings.push(Finding {
                code: p.code,
                severity: p.severity,
                message,
                label: p.label.map(str::to_owned),
                action: p.action,
                count: p.count,
                spans,
                payload: p.payload,
                bytes: None,
                score: p.scored.map(|(score, _)| score),
                threshold: p.scored.map(|(_, threshold)| threshold),
            });
        }
        // Stable order: severity, then first position, then code.
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| first_start(a).cmp(&first_start(b)))
                .then_with(|| a.code.cmp(&b.code))
        });
        actions.sort_by_key(|a| a.code);
        (findings, actions)
    }
}

fn first_start(f: &Finding) -> u32 {
    f.spans.first().map_or(u32::MAX, |s| s.start)
}

/// A message for an aggregated finding, naming the code points involved.
fn describe(code: Code, label: Option<&str>, count: u32, chars: &[char]) -> String {
    let what = match code {
        Code::Control => "control character run(s)",
        Code::C1Control => {
            "C1 control character run(s), likely Windows-1252 text decoded as Latin-1"
        }
        Code::Invisible => "invisible or zero-width character run(s)",
        Code::BidiControl => {
            "bidirectional control character run(s) that can reorder displayed text (Trojan Source)"
        }
        Code::PrivateUse => "private-use character run(s)",
        Code::Noncharacter => "noncharacter run(s)",
        Code::Unassigned => "unassigned code point run(s)",
        Code::ExcessiveCombining => {
            "character(s) carrying more combining marks than allowed (Zalgo text)"
        }
        Code::Flood => "run(s) of one character repeated past the limit",
        Code::MixedScript => "word(s) mixing look-alike scripts",
        Code::Secret => "credential(s)",
        Code::InstructionOverride => {
            "phrase(s) telling the model to ignore or replace its instructions"
        }
        Code::RolePlay => "jailbreak persona or unrestricted role-play framing(s)",
        Code::FakeTurn => "line(s) posing as a system or assistant turn",
        Code::ChatTemplate => "chat-template control token(s) that fake a conversation turn",
        Code::PromptExtraction => "request(s) to reveal the system prompt or hidden instructions",
        Code::Exfiltration => "link(s) or request(s) that would send data to a remote address",
        Code::Normalized => "stretch(es) of text changed by Unicode normalization",
        Code::Pii => "personal data item(s)",
        _ => "occurrence(s)",
    };
    let mut msg = format!("{count} {what}");
    if let Some(l) = label {
        msg.push_str(&format!(" [{l}]"));
    }
    if !chars.is_empty() {
        let names: Vec<String> = chars
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect();
        msg.push_str(": ");
        msg.push_str(&names.join(", "));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn adjacent_occurrences_merge_and_count_once() {
        let mut c = Collector::default();
        c.add(
            Code::Invisible,
            Severity::Medium,
            Action::Sanitize,
            None,
            (1, 4),
            Some('\u{200B}'),
        );
        c.add(
            Code::Invisible,
            Severity::Medium,
            Action::Sanitize,
            None,
            (4, 7),
            Some('\u{200B}'),
        );
        c.add(
            Code::Invisible,
            Severity::Medium,
            Action::Sanitize,
            None,
            (9, 12),
            Some('\u{2060}'),
        );
        let (f, a) = c.finish("a\u{200B}\u{200B}bc\u{2060}");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].count, 2);
        assert_eq!(f[0].spans.len(), 2);
        assert_eq!((f[0].spans[0].start, f[0].spans[0].end), (1, 3));
        assert!(f[0].message.contains("U+200B, U+2060"), "{}", f[0].message);
        assert_eq!(a[0].count, 2);
    }

    #[test]
    fn payload_findings_are_capped_and_the_rest_counted() {
        let mut c = Collector::default();
        for k in 0..(MAX_PAYLOAD_FINDINGS + 6) {
            let payload = Payload {
                encodings: vec![crate::report::Encoding::TagCharacters],
                text: format!("p{k}"),
                bytes: 2,
                truncated: false,
            };
            c.add_payload(
                Code::TagSmuggling,
                Severity::High,
                Action::Sanitize,
                (k, k + 1),
                String::from("m"),
                payload,
            );
        }
        let (f, a) = c.finish(&"x".repeat(100));
        assert_eq!(f.len(), MAX_PAYLOAD_FINDINGS);
        assert_eq!(
            f.iter().map(|f| f.count).sum::<u32>() as usize,
            MAX_PAYLOAD_FINDINGS + 6
        );
        assert_eq!(a[0].count as usize, MAX_PAYLOAD_FINDINGS + 6);
    }
}
