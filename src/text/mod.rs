//! The text guard: what happens to a prompt before it reaches a model.
//!
//! 1. limits are checked before anything else;
//! 2. the character pass ([`scan`]) removes what no reader sees and decodes hidden payloads;
//! 3. the text is normalized ([`normalize`]);
//! 4. credentials and personal data ([`secrets`]), look-alike words ([`confusables`]),
//!    encoded payloads ([`encoded`]) and injection patterns ([`injection`]) are found;
//! 5. replacements are applied, most important first, and the report is built.
//!
//! Every later step's offsets are mapped back to the caller's input, so spans
//! always point into what the caller passed in.

mod chars;
mod codecs;
mod confusables;
mod encoded;
mod findings;
mod hints;
mod injection;
mod normalize;
mod offsets;
mod patterns;
mod pii;
mod scan;
mod secrets;
mod smuggling;
pub(crate) mod splice;
pub(crate) mod utf8;

use crate::detect::{Detector, TextInput};
use crate::error::Result;
use crate::limits::char_count;
use crate::policy::{Action, Policy, TextPolicy};
use crate::report::{Code, Encoding, Report, Scores, Severity, Stats, Thresholds, Verdict};

use findings::Collector;
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
use offsets::EditMap;
use scan::{preview, DecodeBudget};
use splice::Splice;

/// The text detector a guard may hold.
pub(crate) type TextDetector = dyn for<'a> Detector<TextInput<'a>>;

/// Sanitizes `input` under `policy`: `(output, report)`, output `None` when blocked.
pub(crate) fn guard(
    input: &str,
    policy: &Policy,
    detector: Option<&TextDetector>,
) -> Result<(Option<String>, Report)> {
    let (output, report, _) = guard_spliced(input, policy, detector, false)?;
    Ok((output, report))
}

/// [`guard`], and when `want_splices` the output as [splices](splice) of the
/// input (`None` when blocked or when the output is better sent whole).
pub(crate) fn guard_spliced(
    input: &str,
    policy: &Policy,
    detector: Option<&TextDetector>,
    want_splices: bool,
) -> Result<(Option<String>, Report, Option<Vec<Splice>>)> {
    policy.limits.text.check(input)?;
    let p = &policy.text;
    let mut col = Collector::default();
    let mut budget = DecodeBudget::new(&policy.limits.text);

    let stripped = scan::character_pass(input, p, &mut col, &mut budget);
    let mut maps = Maps {
        input,
        chain: vec![stripped.edits],
    };
    let mut text = stripped.text;
    // What the character pass noted: where normalization has work, the
    // longest run of marks, whether a word mixes scripts.
    let mut hints = stripped.hints;
    // Set when a later step changes the text, which may leave it unnormalized.
    let mut edited = false;
    if let Some(n) = normalize::normalize_segments(&text, p.normalization, &hints.dirty) {
        col.add(
            Code::Normalized,
            Severity::Info,
            Action::Sanitize,
            None,
            (0, input.len()),
            None,
        );
        maps.chain.push(n.edits);
        // Normalization changes base characters (NFKC folds `ｉ` to `i`), and a
        // selector or joiner that suited the old base may be stray on the new
        // one: the character pass runs once more on what normalization
        // produced, unless every rewritten span and its neighbours are plain
        // characters, which it would copy as they are.
        let plain = n
            .changed
            .iter()
            .all(|&(s, e)| hints::copied_around(&n.text, s, e));
        if plain {
            hints.renote(&n.text, &n.changed);
            text = n.text;
        } else {
            let mut col2 = Collector::default();
            let again = scan::character_pass(&n.text, p, &mut col2, &mut budget);
            col.merge_mapped(col2, |s, e| maps.to_input(s, e));
            maps.chain.push(again.edits);
            edited = again.text != n.text;
            text = again.text;
            hints = again.hints;
        }
    }

    // Look-alikes first: a latinized word can complete an address, a phrase or
    // a character flood that the steps below must see.
    let mut latinized = false;
    if hints.mixed_words() {
        let mut latin = Replacements::default();
        confusable_words(&text, p, &maps, &mut col, &mut latin);
        if !latin.spans.is_empty() {
            edited = true;
            latinized = true;
            text = apply_round(latin, &text, p, &mut maps);
        }
    }

    // Character-level limits next, so the checks below see the trimmed text
    // and none of their replacements can overlap (and so undo) a trim. Each
    // round of edits is applied before the next looks, so the output is what
    // every check saw: sanitizing it again finds nothing new to change. The
    // walk is skipped when the notes (or, for floods, a sample) rule out both.
    let mut trims = Replacements::default();
    let marks_over = p.combining.action.enabled() && hints.longest_marks() > p.combining.max_marks;
    let flood_possible = p.flood.action.enabled() && may_flood(&text, p.flood.max_run);
    if latinized || marks_over || flood_possible {
        CharWalk::over(&text, p).report(p, &maps, &mut col, &mut trims);
    }
    if !trims.spans.is_empty() {
        edited = true;
        text = apply_round(trims, &text, p, &mut maps);
    }

    // Redaction repeats until nothing new appears: a placeholder can leave a
    // neighbour that is an address on its own (`a@b.c-@b.c`). Later rounds only
    // look for what they would remove, so flagged items are reported once.
    let mut secret_spans = Vec::new();
    for round in 0..MAX_REDACTION_ROUNDS {
        let mut red = Replacements::default();
        let spans = redact(&text, p, &maps, &mut col, &mut red, round == 0);
        if round == 0 {
            secret_spans = spans;
        }
        if red.spans.is_empty() {
            break;
        }
        edited = true;
        secret_spans.clear();
        text = apply_round(red, &text, p, &mut maps);
    }

    let mut edits = Replacements::default();
    let score = injections(
        &text,
        p,
        &policy.limits.text,
        &secret_spans,
        &maps,
        &mut col,
        &mut budget,
        &mut edits,
    );

    // The detector reads the text as the checks above left it: without
    // invisible characters, look-alikes or secrets that could hide its n-grams.
    let check = &policy.detectors.text;
    let detected = match detector {
        Some(d) if check.action.enabled() => Some(d.score(&TextInput {
            text: &text,
            heuristic: score,
        })?),
        _ => None,
    };
    if let Some(s) = detected {
        let threshold = check.threshold.unwrap_or(s.threshold);
        if s.score >= threshold {
            col.add_scored(
                Code::InjectionScore,
                Severity::High,
                check.action,
                (0, input.len()),
                format!(
                    "the text detector scores this text {:.2} as a prompt injection or jailbreak \
                     (threshold {threshold:.2}; the model alone {:.2}, the heuristics {score:.2})",
                    s.score, s.model
                ),
                s.score,
                threshold,
            );
        }
    }

    let replaced = edits.spans.len() as u32;
    // Without replacements the text is the output as it is, not a copy.
    let output = if edits.spans.is_empty() {
        text
    } else {
        let (output, map) = edits.apply_mapped(&text);
        maps.chain.push(map);
        output
    };
    // Removing a mark can let the next one compose with its base: after any
    // edit, normalize once more so the output is a fixed point.
    let output = match (replaced > 0 || edited)
        .then(|| normalize::normalize_mapped(&output, p.normalization))
        .flatten()
    {
        Some(n) => {
            maps.chain.push(n.edits);
            n.text
        }
        None => output,
    };
    let blocked = col.blocks();
    let (findings, actions) = col.finish(input);
    let output_chars = char_count(&output) as u32;
    let (input_chars, input_utf16) = utf8::counts(input.as_bytes());
    let input_chars = input_chars as u32;
    let verdict = if blocked {
        Verdict::Blocked
    } else if output != input {
        Verdict::Modified
    } else {
        Verdict::Clean
    };
    let report = Report {
        verdict,
        findings,
        actions,
        scores: Scores {
            injection: detected.map_or(score, |s| s.score),
            injection_heuristic: score,
            injection_model: detected.map(|s| s.model),
            thresholds: Thresholds {
                injection: detected.map(|s| check.threshold.unwrap_or(s.threshold)),
                ..Thresholds::default()
            },
            ..Scores::default()
        },
        stats: Stats {
            input_chars,
            input_utf16: input_utf16 as u32,
            output_chars,
            removed_chars: input_chars.saturating_sub(output_chars),
            replaced,
        },
        image: None,
        audio: None,
        fingerprint: policy.fingerprint.then(|| crate::fingerprint::text(input)),
    };
    let spliced = (want_splices && !blocked)
        .then(|| splice::splices(input, &output, |o| maps.point_to_input(o)))
        .flatten();
    Ok(((!blocked).then_some(output), report, spliced))
}

/// Applies one round of edits and normalizes the result (a latinized `с` + U+0301
/// must become `ć` before the next check looks), recording both mappings.
fn apply_round(edits: Replacements, text: &str, p: &TextPolicy, maps: &mut Maps) -> String {
    let (t, map) = edits.apply_mapped(text);
    maps.chain.push(map);
    match normalize::normalize_mapped(&t, p.normalization) {
        Some(n) => {
            maps.chain.push(n.edits);
            n.text
        }
        None => t,
    }
}

/// Rounds of redaction before the text is taken as it is; real text needs two
/// at most, the rest guards against contrived chains.
const MAX_REDACTION_ROUNDS: usize = 8;

/// Maps offsets of the text the checks see back to the input, through every
/// rewrite on the way (character pass, normalization, second pass, trims).
struct Maps<'a> {
    input: &'a str,
    /// Oldest first.
    chain: Vec<EditMap>,
}

impl Maps<'_> {
    /// The input offset of an offset of the current text (exact where an edit
    /// ends, approximate inside a rewritten stretch).
    fn point_to_input(&self, at: usize) -> usize {
        self.chain
            .iter()
            .rev()
            .fold(at, |x, m| m.to_input(x))
            .min(self.input.len())
    }

    fn to_input(&self, start: usize, end: usize) -> (usize, usize) {
        let (mut s, mut e) = self
            .chain
            .iter()
            .rev()
            .fold((start, end), |(s, e), m| m.span_to_input(s, e));
        // Inside a normalized or rewritten stretch the mapping is approximate:
        // widen it to whole characters of the input.
        s = s.min(self.input.len());
        e = e.clamp(s, self.input.len());
        while !self.input.is_char_boundary(s) {
            s -= 1;
        }
        while !self.input.is_char_boundary(e) {
            e += 1;
        }
        (s, e)
    }
}

/// Pending replacements of spans of the normalized text. The first accepted
/// replacement of a span wins, so callers add the most important ones first
/// (a credential is never left in place because a weaker check overlapped it).
#[derive(Default)]
struct Replacements {
    spans: Vec<(usize, usize, String)>,
}

impl Replacements {
    fn add(&mut self, start: usize, end: usize, with: String) -> bool {
        if self.spans.iter().any(|&(s, e, _)| s < end && start < e) {
            return false;
        }
        self.spans.push((start, end, with));
        true
    }

    /// Applies the replacements and records how the result maps back.
    fn apply_mapped(mut self, text: &str) -> (String, EditMap) {
        self.spans.sort_by_key(|r| r.0);
        let mut out = String::with_capacity(text.len());
        let mut map = EditMap::new();
        let mut at = 0;
        for (s, e, with) in &self.spans {
            out.push_str(text.get(at..*s).unwrap_or(""));
            out.push_str(with);
            map.anchor(out.len(), *e);
            at = *e;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        (out, map)
    }
}

/// Credentials, then personal data. Returns the credential spans.
fn redact(
    text: &str,
    p: &TextPolicy,
    maps: &Maps,
    col: &mut Collector,
    edits: &mut Replacements,
    first_round: bool,
) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let wanted = |a: Action| {
        if first_round || a.changes_text() {
            a
        } else {
            Action::Allow
        }
    };
    for (check, code, severity, hits) in [
        (
            p.secrets.action,
            Code::Secret,
            Severity::High,
            secrets_if(wanted(p.secrets.action), text, secrets::find_secrets),
        ),
        (
            p.pii.action,
            Code::Pii,
            Severity::Medium,
            secrets_if(wanted(p.pii.action), text, pii::find_pii),
        ),
    ] {
        for h in hits {
            if code == Code::Secret {
                spans.push((h.start, h.end));
            }
            col.add(
                code,
                severity,
                check,
                Some(h.label),
                maps.to_input(h.start, h.end),
                None,
            );
            if check.changes_text() {
                edits.add(h.start, h.end, format!("[REDACTED:{}]", h.label));
            }
        }
    }
    spans
}

fn secrets_if(action: Action, text: &str, f: fn(&str) -> Vec<secrets::Hit>) -> Vec<secrets::Hit> {
    if action.enabled() {
        f(text)
    } else {
        Vec::new()
    }
}

fn confusable_words(
    text: &str,
    p: &TextPolicy,
    maps: &Maps,
    col: &mut Collector,
    edits: &mut Replacements,
) {
    let action = p.confusables.action;
    if !action.enabled() {
        return;
    }
    for w in confusables::mixed_script_words(text) {
        col.add(
            Code::MixedScript,
            Severity::Medium,
            action,
            Some(w.label),
            maps.to_input(w.start, w.end),
            None,
        );
        if let (true, Some(latin)) = (action.changes_text(), w.latin) {
            edits.add(w.start, w.end, latin);
        }
    }
}

/// Injection hits in the text, in hidden payloads and in encoded payloads;
/// returns the heuristic score.
#[allow(clippy::too_many_arguments)]
fn injections(
    text: &str,
    p: &TextPolicy,
    limits: &crate::limits::TextLimits,
    secret_spans: &[(usize, usize)],
    maps: &Maps,
    col: &mut Collector,
    budget: &mut DecodeBudget,
    edits: &mut Replacements,
) -> f64 {
    let inj = p.injection.action.enabled();
    let enc = p.encoded.action.enabled();
    if !inj && !enc {
        return 0.0;
    }
    let mf = confusables::match_form(text);
    // Plain and ROT13 phrases are looked for in one walk over the match form.
    let (phrase_hits, rot13) = injection::phrase_and_rot13_hits(&mf.text, inj, enc);
    let mut hits = if inj {
        injection::scan_with(text, &mf, phrase_hits)
    } else {
        Vec::new()
    };

    // Hidden payloads already decoded by the character pass.
    // Each is scanned once; one that hides an injection becomes critical.
    let mut hidden_hits = Vec::new();
    col.escalate_payloads(Severity::Critical, |t| {
        let found = injection::scan_plain(t);
        let dangerous = !found.is_empty();
        hidden_hits.extend(found);
        dangerous
    });

    // Encoded payloads, and phrases that only appear after ROT13 or leetspeak.
    let mut encoded_hits = Vec::new();
    if enc {
        for d in encoded::find(text, limits.max_decode_depth, secret_spans) {
            let payload = budget.payload(d.encodings, d.bytes);
            let found = injection::scan_plain(&payload.text);
            encoded_hits.extend(found.iter().cloned());
            report_encoded(
                p,
                maps,
                col,
                edits,
                d.start,
                d.end,
                payload,
                !found.is_empty(),
            );
        }
        // ROT13 is matched with a ROT13'd automaton on the match form itself;
        // leetspeak needs a rewritten copy, made only when some word mixes
        // letters and digits.
        let mut leet = Vec::new();
        for (ws, we) in leet_windows(&mf.text, &mf.ascii_digits) {
            let window = codecs::unleet(mf.text.get(ws..we).unwrap_or(""));
            leet.extend(
                injection::phrase_hits_folded(&window)
                    .into_iter()
                    .map(|mut h| {
                        h.start += ws;
                        h.end += ws;
                        h
                    }),
            );
        }
        let candidates = rot13
            .into_iter()
            .map(|h| (Encoding::Rot13, h))
            .chain(leet.into_iter().map(|h| (Encoding::Leetspeak, h)));
        for (encoding, h) in candidates {
            if budget.exhausted() {
                break;
            }
            let (s, e) = mf.source_span(text, h.start, h.end);
            if hits.iter().any(|x| x.start < e && s < x.end) {
                continue;
            }
            let source = text.get(s..e).unwrap_or("");
            if encoding == Encoding::Leetspeak && !source.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            let folded = mf.text.get(h.start..h.end).unwrap_or("");
            let decoded = match encoding {
                Encoding::Rot13 => codecs::rot13(folded),
                _ => codecs::unleet(folded),
            };
            let payload = budget.payload(vec![encoding], decoded.into_bytes());
            report_encoded(p, maps, col, edits, s, e, payload, true);
            encoded_hits.push(h);
        }
    }

    // Hidden and encoded injections weigh at least 0.8: nobody hides a benign request.
    let boosted = hidden_hits
        .iter()
        .chain(&encoded_hits)
        .map(|h| injection::Hit {
            weight: h.weight.max(0.8),
            rule: h.rule + 100_000,
            ..h.clone()
        });
    let all: Vec<injection::Hit> = hits.iter().cloned().chain(boosted).collect();
    let score = injection::score(&all);
    if inj {
        let action = p.injection.action;
        hits.sort_by_key(|h| h.start);
        for h in hits.drain(..) {
            let severity = match h.weight {
                w if w >= 0.75 => Severity::High,
                w if w >= 0.55 => Severity::High,
                w if w >= 0.4 => Severity::Medium,
                _ => Severity::Low,
            };
            let applied = match action {
                Action::Block if score >= p.injection.threshold => Action::Block,
                Action::Block => Action::Flag,
                Action::Sanitize if h.code == Code::ChatTemplate => Action::Sanitize,
                Action::Sanitize => Action::Flag,
                other => other,
            };
            let matched = text.get(h.start..h.end).unwrap_or("");
            col.add_sample(
                h.code,
                severity,
                applied,
                None,
                maps.to_input(h.start, h.end),
                matched,
            );
            if applied == Action::Sanitize {
                edits.add(h.start, h.end, String::from("[REMOVED:chat_template]"));
            }
        }
    }
    score
}

#[allow(clippy::too_many_arguments)]
fn report_encoded(
    p: &TextPolicy,
    maps: &Maps,
    col: &mut Collector,
    edits: &mut Replacements,
    start: usize,
    end: usize,
    payload: crate::report::Payload,
    dangerous: bool,
) {
    // Benign decoded text is only shown; the policy's action applies to payloads carrying an injection.
    let (severity, action) = if dangerous {
        (Severity::High, p.encoded.action)
    } else {
        (Severity::Low, Action::Flag)
    };
    let layers: Vec<String> = payload
        .encodings
        .iter()
        .map(|e| format!("{e:?}").to_lowercase())
        .collect();
    let message = format!(
        "{} payload{}: \"{}\"",
        layers.join(" > "),
        if dangerous {
            " hiding a prompt injection"
        } else {
            ""
        },
        preview(&payload.text)
    );
    col.add_payload(
        Code::EncodedPayload,
        severity,
        action,
        maps.to_input(start, end),
        message,
        payload,
    );
    if dangerous && action.changes_text() {
        edits.add(start, end, String::from("[REMOVED:encoded_payload]"));
    }
}

/// Stretches of a match form around words that mix letters and ASCII digits
/// (`digits`: their folded offsets; leetspeak is written with ASCII digits, so
/// a digit a look-alike folded to, like Cyrillic `б` to `6`, opens no window)
/// and unleet to a word of some phrase, the only places leetspeak can hide; each reaches a few words to either side
/// and ends at a space, so phrase boundaries inside it are real boundaries.
fn leet_windows(folded: &str, digits: &[u32]) -> Vec<(usize, usize)> {
    const REACH: usize = 96;
    let b = folded.as_bytes();
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    for d in digits.iter().map(|&d| d as usize) {
        if d < i {
            continue;
        }
        let start = b
            .get(..d)
            .and_then(|s| s.iter().rposition(|&c| c == b' '))
            .map_or(0, |p| p + 1);
        i = b
            .get(d..)
            .and_then(|s| s.iter().position(|&c| c == b' '))
            .map_or(b.len(), |p| d + p);
        let word = folded.get(start..i).unwrap_or("");
        // Only a word that unleets to a word of some phrase can hide one.
        if !word.bytes().any(|c| c.is_ascii_alphabetic())
            || !injection::is_phrase_word(&codecs::unleet(word))
        {
            continue;
        }
        // Spaces are ASCII, so positions found next to them are char boundaries.
        let back = start.saturating_sub(REACH);
        let ws = b
            .get(..back)
            .and_then(|s| s.iter().rposition(|&c| c == b' '))
            .map_or(0, |p| p + 1);
        let ahead = (i + REACH).min(b.len());
        let we = b
            .get(ahead..)
            .and_then(|s| s.iter().position(|&c| c == b' '))
            .map_or(b.len(), |p| ahead + p);
        match windows.last_mut() {
            Some(last) if last.1 >= ws => last.1 = last.1.max(we),
            _ => windows.push((ws, we)),
        }
    }
    windows
}

/// Whether `text` may hold a run of more than `max_run` copies of one
/// character, decided by sampling instead of a walk. Such a run spans at least
/// `max_run + 1` bytes and repeats every 12 bytes (a multiple of every UTF-8
/// length), so inside it the 12 bytes at any offset equal the 12 after them,
/// and samples `max_run + 1 - 24` bytes apart cannot all miss it; a sample
/// that hits is followed out to the ends of its repeating stretch.
fn may_flood(text: &str, max_run: u32) -> bool {
    const PERIOD: usize = 12;
    let span = max_run as usize + 1;
    if span < 4 * PERIOD {
        return true;
    }
    let stride = span - 2 * PERIOD;
    let b = text.as_bytes();
    let repeats = |k: usize| b.get(k).is_some_and(|x| b.get(k + PERIOD) == Some(x));
    let mut i = 0;
    while let Some(window) = b.get(i..i + 2 * PERIOD) {
        let (first, second) = window.split_at(PERIOD);
        if first == second {
            // Measure the repeating stretch around the sample: a run of
            // spaces or dashes shorter than the limit is common and harmless.
            let (mut start, mut end) = (i, i + PERIOD);
            while start > 0 && repeats(start - 1) {
                start -= 1;
            }
            while repeats(end) {
                end += 1;
            }
            if end + PERIOD - start >= span {
                return true;
            }
            i = end;
        }
        i += stride;
    }
    false
}

/// What one walk over the text finds: combining marks past
/// `combining.max_marks` on one base ("Zalgo", counted on the normalized text:
/// NFKC turns some spacing accents into marks), and runs of one character
/// longer than `flood.max_run`.
struct CharWalk {
    /// Spans of excess marks.
    excess_marks: Vec<(usize, usize)>,
    /// Floods: start, end, where the excess starts, the character.
    runs: Vec<(usize, usize, usize, char)>,
}

impl CharWalk {
    fn over(text: &str, p: &TextPolicy) -> CharWalk {
        let (max_marks, max_run) = (p.combining.max_marks, p.flood.max_run as usize);
        let bytes = text.as_bytes();
        let mark_bits = chars::Marks::new();
        let mut walk = CharWalk {
            excess_marks: Vec::new(),
            runs: Vec::new(),
        };
        let mut marks = 0u32;
        let mut excess: Option<(usize, usize)> = None;
        // The flood run: its character, start, length and where its excess starts.
        let mut prev: Option<u32> = None;
        let (mut run_start, mut run_len, mut cut_at) = (0, 0usize, 0);
        let mut skip_until = 0;
        let mut i = 0;
        loop {
            let (cp, len) = match bytes.get(i) {
                Some(&b) if b < 0x80 => (u32::from(b), 1),
                Some(_) => utf8::decode(bytes, i),
                None => (u32::MAX, 0),
            };
            if len > 1 && mark_bits.is_mark(cp) {
                marks += 1;
                if marks > max_marks {
                    excess = Some(excess.map_or((i, i + len), |(s, _)| (s, i + len)));
                }
            } else {
                marks = 0;
                walk.excess_marks.extend(excess.take());
            }
            if i >= skip_until {
                // A placeholder of ours breaks runs: a user's `[[[[` next to
                // `[REDACTED:email]` is not a flood, now or when the output is re-checked.
                let placeholder = cp == u32::from(b'[')
                    && secrets::placeholder_len(bytes, i)
                        .map(|l| skip_until = i + l)
                        .is_some();
                if !placeholder && Some(cp) == prev && len > 0 {
                    run_len += 1;
                    if run_len == max_run + 1 {
                        cut_at = i;
                    }
                } else {
                    if run_len > max_run {
                        let c = prev.and_then(char::from_u32).unwrap_or(' ');
                        walk.runs.push((run_start, i, cut_at, c));
                    }
                    (prev, run_start, run_len) = if placeholder {
                        (None, i, 0)
                    } else {
                        (Some(cp), i, 1)
                    };
                }
            }
            if len == 0 {
                break;
            }
            i += len;
        }
        walk
    }

    /// Reports the excesses the policy checks; the marks first, as their
    /// edits take precedence.
    fn report(self, p: &TextPolicy, maps: &Maps, col: &mut Collector, edits: &mut Replacements) {
        let (marks_on, flood_on) = (p.combining.action.enabled(), p.flood.action.enabled());
        let (excess_marks, runs) = (self.excess_marks, self.runs);
        if marks_on {
            for (s, e) in excess_marks {
                let action = p.combining.action;
                col.add(
                    Code::ExcessiveCombining,
                    Severity::Medium,
                    action,
                    None,
                    maps.to_input(s, e),
                    None,
                );
                if action.changes_text() {
                    edits.add(s, e, String::new());
                }
            }
        }
        if flood_on {
            for (start, end, cut, c) in runs {
                let action = p.flood.action;
                col.add(
                    Code::Flood,
                    Severity::Low,
                    action,
                    None,
                    maps.to_input(start, end),
                    Some(c),
                );
                if action.changes_text() {
                    edits.add(cut, end, String::new());
                }
            }
        }
    }
}

/// A fixed pseudo-random sequence for tests (xorshift64).
#[cfg(test)]
pub(crate) struct TestRng(pub(crate) u64);

#[cfg(test)]
impl TestRng {
    /// The next number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn flood_sampling_never_misses_a_flood() {
        for c in ["a", "\u{e9}", "\u{4E2D}", "\u{1F600}"] {
            for pad in [0, 1, 5, 100, 231, 232, 233, 500] {
                let flood = format!("{}{}x", "-".repeat(pad), c.repeat(257));
                assert!(may_flood(&flood, 256), "{c:?} after {pad}");
            }
        }
        // Long runs under the limit are told apart without a walk.
        let spaces = format!("x{}y", " ".repeat(200)).repeat(50);
        assert!(!may_flood(&spaces, 256));
        assert!(!may_flood("plain text", 256));
    }
}
