//! The character pass: one walk over the input that finds and removes what no
//! reader can see (controls, invisible and bidi characters, hidden payloads,
//! noncharacters), decodes hidden payloads into the
//! report, and keeps every joiner and selector that real scripts and emoji need.
//! Runs of ordinary ASCII are copied in bulk, which is most of most texts.

use crate::limits::TextLimits;
use crate::policy::{Action, BidiMode, TextPolicy};
use crate::report::{Code, Encoding, Payload, Severity};

use super::chars::{self, BidiKind, Class};
use super::findings::Collector;
use super::hints::{self, Hints};
use super::offsets::EditMap;
use super::smuggling;
use super::utf8;

/// What the character pass produces: the cleaned text and how it maps back.
pub(crate) struct Stripped {
    pub(crate) text: String,
    pub(crate) edits: EditMap,
    /// What the pass noted about `text` on the way.
    pub(crate) hints: Hints,
}

/// Bytes still allowed to be decoded from hidden and encoded payloads.
pub(crate) struct DecodeBudget {
    left: u64,
}

impl DecodeBudget {
    pub(crate) fn new(limits: &TextLimits) -> Self {
        DecodeBudget {
            left: limits.max_decoded_bytes,
        }
    }

    /// Builds a payload from decoded bytes, cut to the remaining budget.
    pub(crate) fn payload(&mut self, encodings: Vec<Encoding>, mut bytes: Vec<u8>) -> Payload {
        let total = bytes.len();
        let keep = usize::try_from(self.left).unwrap_or(usize::MAX).min(total);
        bytes.truncate(keep);
        self.left -= keep as u64;
        Payload {
            encodings,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: u32::try_from(total).unwrap_or(u32::MAX),
            truncated: keep < total,
        }
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.left == 0
    }
}

struct Pass<'a> {
    input: &'a str,
    policy: &'a TextPolicy,
    col: &'a mut Collector,
    budget: &'a mut DecodeBudget,
    out: String,
    edits: EditMap,
    /// Last character kept in the output.
    prev: Option<char>,
    /// Open embeddings and isolates, in `isolate` mode only.
    bidi_open: Vec<BidiKind>,
    hints: Hints,
}

/// Runs the character pass over `input`.
pub(crate) fn character_pass(
    input: &str,
    policy: &TextPolicy,
    col: &mut Collector,
    budget: &mut DecodeBudget,
) -> Stripped {
    let mut pass = Pass {
        input,
        policy,
        col,
        budget,
        out: String::with_capacity(input.len()),
        edits: EditMap::new(),
        prev: None,
        bidi_open: Vec::new(),
        hints: Hints::new(policy.normalization),
    };
    pass.run();
    Stripped {
        text: pass.out,
        edits: pass.edits,
        hints: pass.hints,
    }
}

impl Pass<'_> {
    fn isolating(&self) -> bool {
        self.policy.bidi.action == Action::Sanitize && self.policy.bidi.mode == BidiMode::Isolate
    }

    fn run(&mut self) {
        let bytes = self.input.as_bytes();
        let props = hints::Props::new();
        let stable_bit = self.hints.stable_bit;
        let mut i = 0;
        while i < bytes.len() {
            // Bulk-copy runs of plain characters and marks, ASCII or not:
            // most text is nothing else. Line ends stop a run only while a
            // bidi context must be closed there.
            let start = i;
            let stop_at_newline = !self.bidi_open.is_empty();
            // Where input byte `i` of this run lands in the output.
            let shift = self.out.len().wrapping_sub(start);
            // The notes are taken in locals: this loop is most of the pass.
            let mut walk = self.hints.walk;
            let mut dirty = std::mem::take(&mut self.hints.dirty);
            while let Some(&b) = bytes.get(i) {
                let (cp, len) = if b < 0x80 {
                    if stop_at_newline && (b == b'\n' || b == b'\r') {
                        break;
                    }
                    (u32::from(b), 1)
                } else {
                    utf8::decode(bytes, i)
                };
                let p = props.of(cp);
                if p & hints::COPIED == 0 || cp == 0x2029 {
                    break;
                }
                walk.note(p, i.wrapping_add(shift), stable_bit, &mut dirty);
                i += len;
            }
            self.hints.walk = walk;
            self.hints.dirty = dirty;
            if i > start {
                self.keep_str(start, i);
                continue;
            }
            let Some(c) = self.input.get(i..).and_then(|s| s.chars().next()) else {
                break;
            };
            // Whatever the special character left in the output is noted too.
            let written = self.out.len();
            i = self.one(i, c);
            self.note_written(written);
        }
        let written = self.out.len();
        self.close_bidi(self.input.len());
        self.note_written(written);
    }

    /// Handles the character `c` at byte `i`; returns where the pass continues.
    fn one(&mut self, i: usize, c: char) -> usize {
        let end = i + c.len_utf8();
        let p = self.policy;
        match chars::classify(c) {
            Class::Plain => {
                if matches!(c, '\n' | '\r' | '\u{2029}') {
                    self.close_bidi(i);
                }
                self.push_char(c);
            }
            // Marks are counted after normalization, which can add some (NFKC).
            Class::Mark => self.push_char(c),
            Class::Control => self.act(
                Code::Control,
                Severity::Medium,
                p.controls.action,
                None,
                i,
                end,
                c,
            ),
            Class::C1Control => self.act(
                Code::C1Control,
                Severity::Info,
                p.c1_controls.action,
                None,
                i,
                end,
                c,
            ),
            Class::Bidi(kind) => self.bidi(i, end, c, kind),
            Class::Tag => return self.tag_run(i),
            Class::VariationSelector => return self.variation_selector_run(i),
            Class::SneakyBit => return self.sneaky_bits_run(i),
            Class::Joiner => {
                let next = self.input.get(end..).and_then(|s| s.chars().next());
                if chars::joiner_is_needed(c, self.prev, next) {
                    self.push_char(c);
                } else {
                    self.invisible(i, end, c);
                }
            }
            Class::Invisible => self.invisible(i, end, c),
            Class::PrivateUse => self.act(
                Code::PrivateUse,
                Severity::Low,
                p.private_use.action,
                None,
                i,
                end,
                c,
            ),
            Class::Noncharacter => self.act(
                Code::Noncharacter,
                Severity::Low,
                p.noncharacters.action,
                None,
                i,
                end,
                c,
            ),
            Class::Unassigned => self.act(
                Code::Unassigned,
                Severity::Low,
                p.unassigned.action,
                None,
                i,
                end,
                c,
            ),
        }
        end
    }

    fn invisible(&mut self, i: usize, end: usize, c: char) {
        // A stray BOM or soft hyphen is usually copy-paste residue, not an attack.
        let severity = if matches!(c, '\u{FEFF}' | '\u{AD}') {
            Severity::Low
        } else {
            Severity::Medium
        };
        self.act(
            Code::Invisible,
            severity,
            self.policy.invisible.action,
            None,
            i,
            end,
            c,
        );
    }

    fn bidi(&mut self, i: usize, end: usize, c: char, kind: BidiKind) {
        let action = self.policy.bidi.action;
        let severity = if kind == BidiKind::Mark {
            Severity::Low
        } else {
            Severity::High
        };
        if !action.enabled() {
            return self.push_char(c);
        }
        self.col.add(
            Code::BidiControl,
            severity,
            action,
            Some(kind.label()),
            (i, end),
            Some(c),
        );
        if !self.isolating() {
            return self.apply(action, end, c);
        }
        // Isolate mode: keep balanced controls, drop unmatched closers.
        match kind {
            BidiKind::Embedding | BidiKind::Isolate => {
                self.bidi_open.push(kind);
                self.push_char(c);
            }
            BidiKind::PopEmbedding => {
                if self.bidi_open.last() == Some(&BidiKind::Embedding) {
                    self.bidi_open.pop();
                    self.push_char(c);
                } else {
                    self.skip(end);
                }
            }
            BidiKind::PopIsolate => {
                if let Some(pos) = self.bidi_open.iter().rposition(|k| *k == BidiKind::Isolate) {
                    // A PDI also closes the embeddings opened inside its isolate.
                    for _ in pos + 1..self.bidi_open.len() {
                        self.out.push('\u{202C}');
                    }
                    self.bidi_open.truncate(pos);
                    self.out.push(c);
                    self.edits.anchor(self.out.len(), end);
                } else {
                    self.skip(end);
                }
            }
            BidiKind::Mark => self.push_char(c),
        }
    }

    /// Closes every open embedding and isolate before input byte `at`.
    fn close_bidi(&mut self, at: usize) {
        if self.bidi_open.is_empty() {
            return;
        }
        while let Some(kind) = self.bidi_open.pop() {
            self.out.push(if kind == BidiKind::Isolate {
                '\u{2069}'
            } else {
                '\u{202C}'
            });
        }
        self.edits.anchor(self.out.len(), at);
    }

    /// A run of tag characters: a subdivision flag after U+1F3F4 is kept,
    /// anything else is a smuggled ASCII payload.
    fn tag_run(&mut self, i: usize) -> usize {
        let (run, end) = self.run_of(i, |c| chars::classify(c) == Class::Tag);
        let action = self.policy.smuggling.action;
        if self.prev == Some('\u{1F3F4}') && smuggling::is_flag_tag_sequence(&run)
            || !action.enabled()
        {
            self.keep_str(i, end);
            return end;
        }
        let bytes = smuggling::decode_tags(&run);
        let what = "ASCII characters hidden in invisible Unicode tag characters";
        self.hidden_payload(
            Code::TagSmuggling,
            Encoding::TagCharacters,
            bytes,
            i,
            end,
            what,
        );
        end
    }

    /// Variation selectors: one after a suitable base is a presentation choice;
    /// a run of two or more encodes bytes.
    fn variation_selector_run(&mut self, i: usize) -> usize {
        let (run, end) = self.run_of(i, |c| chars::classify(c) == Class::VariationSelector);
        if let [vs] = run.as_slice() {
            let next = self.input.get(end..).and_then(|s| s.chars().next());
            if chars::variation_selector_is_needed(*vs, self.prev, next) {
                self.push_char(*vs);
            } else {
                self.invisible(i, end, *vs);
            }
            return end;
        }
        let action = self.policy.smuggling.action;
        if !action.enabled() {
            self.keep_str(i, end);
            return end;
        }
        let bytes = smuggling::decode_variation_selectors(&run);
        let what = "bytes hidden in a run of variation selectors";
        self.hidden_payload(
            Code::VariationSelectorSmuggling,
            Encoding::VariationSelectors,
            bytes,
            i,
            end,
            what,
        );
        end
    }

    /// U+2062/U+2064: eight or more in a row carry bytes; fewer are just invisible.
    fn sneaky_bits_run(&mut self, i: usize) -> usize {
        let (run, end) = self.run_of(i, |c| chars::classify(c) == Class::SneakyBit);
        let action = self.policy.smuggling.action;
        if run.len() < 8 || !action.enabled() {
            let mut at = i;
            for c in run {
                let next = at + c.len_utf8();
                self.invisible(at, next, c);
                at = next;
            }
            return end;
        }
        let bytes = smuggling::decode_sneaky_bits(&run);
        let what = "bytes hidden in invisible-times/invisible-plus bits";
        self.hidden_payload(Code::SneakyBits, Encoding::SneakyBits, bytes, i, end, what);
        end
    }

    /// Reports bytes decoded from a hidden channel at input bytes `i..end` and
    /// applies the smuggling action to the characters that carried them.
    fn hidden_payload(
        &mut self,
        code: Code,
        encoding: Encoding,
        bytes: Vec<u8>,
        i: usize,
        end: usize,
        what: &str,
    ) {
        let action = self.policy.smuggling.action;
        let n = bytes.len();
        let payload = self.budget.payload(vec![encoding], bytes);
        let message = format!("{n} {what}: \"{}\"", preview(&payload.text));
        self.col
            .add_payload(code, Severity::High, action, (i, end), message, payload);
        self.apply_str(action, i, end);
    }

    /// The characters from byte `i` on that satisfy `f`, and where they end.
    fn run_of(&self, i: usize, f: impl Fn(char) -> bool) -> (Vec<char>, usize) {
        let rest = self.input.get(i..).unwrap_or("");
        let mut end = i;
        let mut run = Vec::new();
        for c in rest.chars() {
            if !f(c) {
                break;
            }
            run.push(c);
            end += c.len_utf8();
        }
        (run, end)
    }

    /// Records a finding for one character and applies the action to it.
    #[allow(clippy::too_many_arguments)]
    fn act(
        &mut self,
        code: Code,
        severity: Severity,
        action: Action,
        label: Option<&'static str>,
        i: usize,
        end: usize,
        c: char,
    ) {
        if !action.enabled() {
            return self.push_char(c);
        }
        self.col
            .add(code, severity, action, label, (i, end), Some(c));
        self.apply(action, end, c);
    }

    fn apply(&mut self, action: Action, end: usize, c: char) {
        if action.changes_text() {
            self.skip(end);
        } else {
            self.push_char(c);
        }
    }

    fn apply_str(&mut self, action: Action, i: usize, end: usize) {
        if action.changes_text() {
            self.skip(end);
        } else {
            self.keep_str(i, end);
        }
    }

    /// Drops input up to byte `end`.
    fn skip(&mut self, end: usize) {
        self.edits.anchor(self.out.len(), end);
    }

    fn push_char(&mut self, c: char) {
        self.out.push(c);
        self.prev = Some(c);
    }

    /// Notes what was written to the output from offset `from` on.
    fn note_written(&mut self, from: usize) {
        if let Some(s) = self.out.get(from..) {
            self.hints.text(s, from);
        }
    }

    fn keep_str(&mut self, start: usize, end: usize) {
        if let Some(s) = self.input.get(start..end) {
            self.out.push_str(s);
            if let Some(last) = s.chars().next_back() {
                self.prev = Some(last);
            }
        }
    }
}

/// A payload shortened for a one-line message.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 80;
    let mut s: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > MAX {
        s.push('…');
    }
    s
}
