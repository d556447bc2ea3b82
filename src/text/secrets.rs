//! Detection of credentials (API keys, tokens, private keys, passwords in URLs,
//! high-entropy strings next to key-like names) in text, and the byte-scanning
//! helpers the personal-data detectors in `pii.rs` share. Every detector is a
//! forward scan over the bytes with bounded work per position: no regex, no
//! backtracking, no allocation per byte, so 4 MB of text stays linear in wasm.
//! Candidates must stand on ASCII token boundaries and pass the format's own
//! checks (Luhn, mod-97, entropy) before they count; placeholders such as
//! `[REDACTED:email]` never match.

use std::cmp::Reverse;

use super::utf8;

/// One detected secret or personal-data item, as UTF-8 byte offsets into the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Offset of the first byte.
    pub(crate) start: usize,
    /// Offset one past the last byte.
    pub(crate) end: usize,
    /// What was found, e.g. `"aws_access_key"` or `"email"`.
    pub(crate) label: &'static str,
}

pub(crate) fn hit(start: usize, end: usize, label: &'static str) -> Hit {
    Hit { start, end, label }
}

/// The byte at `i`, or 0 past either end. 0 belongs to no class below, so the
/// ends of the text act as token boundaries without special cases.
pub(crate) fn byte(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// The byte before `i` (0 at the start), where an escape `\n`, `\t` or `\r`
/// reads as the space it stands for: text pasted from JSON or logs keeps its
/// token boundaries.
pub(crate) fn before(b: &[u8], i: usize) -> u8 {
    let Some(j) = i.checked_sub(1) else { return 0 };
    if placeholder_ends_at(b, j) {
        return PLACEHOLDER_STANDIN;
    }
    let p = byte(b, j);
    let escaped =
        matches!(p, b'n' | b't' | b'r') && j.checked_sub(1).is_some_and(|k| byte(b, k) == b'\\');
    if escaped {
        b' '
    } else {
        p
    }
}

/// The byte at `i` as an end-of-token check sees it: like [`byte`], except
/// that a placeholder of ours reads as a letter (see [`PLACEHOLDER_STANDIN`]).
pub(crate) fn after(b: &[u8], i: usize) -> u8 {
    if placeholder_starts_at(b, i) {
        PLACEHOLDER_STANDIN
    } else {
        byte(b, i)
    }
}

/// What a `[REDACTED:label]` or `[REMOVED:label]` placeholder looks like to the
/// boundary checks: a letter, standing for the item it replaced (which was next
/// to its neighbour too). Redacting one item then never changes whether the item
/// beside it counts, so sanitizing an output again finds nothing new.
const PLACEHOLDER_STANDIN: u8 = b'x';
const PLACEHOLDER_PREFIXES: [&[u8]; 2] = [b"[REDACTED:", b"[REMOVED:"];

/// Length of the `[REDACTED:label]` or `[REMOVED:label]` placeholder at `at`
/// (label: lowercase letters and `_`). The one definition of what a placeholder
/// is, shared with the flood check.
pub(crate) fn placeholder_len(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?;
    let body = PLACEHOLDER_PREFIXES
        .iter()
        .find_map(|p| rest.strip_prefix(*p))?;
    let close = body.iter().take(40).position(|&c| c == b']')?;
    let label = body.get(..close)?;
    let ok = !label.is_empty() && label.iter().all(|c| c.is_ascii_lowercase() || *c == b'_');
    ok.then_some(rest.len() - body.len() + close + 1)
}

fn placeholder_starts_at(b: &[u8], i: usize) -> bool {
    placeholder_len(b, i).is_some()
}

/// Whether the `]` at `j` closes a placeholder.
fn placeholder_ends_at(b: &[u8], j: usize) -> bool {
    if byte(b, j) != b']' {
        return false;
    }
    // Prefix (10) + label (at most 40) + `]` fit in this window.
    let from = j.saturating_sub(56);
    b.get(from..j)
        .and_then(|t| t.iter().rposition(|&c| c == b'['))
        .is_some_and(|open| placeholder_len(b, from + open) == Some(j - (from + open) + 1))
}

/// Whether `i` holds the letter of an escape such as `\n`.
pub(crate) fn is_escape_letter(b: &[u8], i: usize) -> bool {
    matches!(byte(b, i), b'n' | b't' | b'r') && before(b, i) == b'\\'
}

/// Length of the run of `class` bytes from `i`, counting at most `max`.
pub(crate) fn run(b: &[u8], i: usize, max: usize, class: impl Fn(u8) -> bool) -> usize {
    b.get(i..)
        .map_or(0, |t| t.iter().take(max).take_while(|&&c| class(c)).count())
}

pub(crate) fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}
fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}
pub(crate) fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}

/// Sorts by start and keeps the first of overlapping hits; on equal starts the
/// longer wins, then any label before `url_password` (a token found inside a
/// URL is better named by its own format).
pub(crate) fn resolve(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.start, Reverse(h.end), h.label == "url_password"));
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        if out.last().is_none_or(|last| h.start >= last.end) {
            out.push(h);
        }
    }
    out
}

// ---------------------------------------------------------------- credentials

fn is_upper_digit(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn is_alnum_dash(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// No real key is longer; a longer run is a blob, not a key.
const OPEN: usize = 4096;

/// Key formats known by their prefix: the body is a run of bytes of the given
/// class whose length must lie in `min..=max` (a longer run is some other,
/// longer word). Order matters where one prefix extends another (`sk-ant-`).
type Rule = (&'static [u8], fn(u8) -> bool, usize, usize, &'static str);
const RULES: [Rule; 20] = [
    (b"AKIA", is_upper_digit, 16, 16, "aws_access_key"),
    (b"ASIA", is_upper_digit, 16, 16, "aws_access_key"),
    (b"ghp_", is_alnum, 36, 36, "github_token"),
    (b"gho_", is_alnum, 36, 36, "github_token"),
    (b"ghu_", is_alnum, 36, 36, "github_token"),
    (b"ghs_", is_alnum, 36, 36, "github_token"),
    (b"ghr_", is_alnum, 36, 36, "github_token"),
    (b"github_pat_", is_word, 22, OPEN, "github_token"),
    (b"glpat-", is_b64url, 20, OPEN, "gitlab_token"),
    (b"xoxb-", is_alnum_dash, 10, OPEN, "slack_token"),
    (b"xoxa-", is_alnum_dash, 10, OPEN, "slack_token"),
    (b"xoxp-", is_alnum_dash, 10, OPEN, "slack_token"),
    (b"xoxr-", is_alnum_dash, 10, OPEN, "slack_token"),
    (b"xoxs-", is_alnum_dash, 10, OPEN, "slack_token"),
    (b"AIza", is_b64url, 35, 35, "google_api_key"),
    (b"sk_live_", is_alnum, 16, OPEN, "stripe_key"),
    (b"rk_live_", is_alnum, 16, OPEN, "stripe_key"),
    (b"sk_test_", is_alnum, 16, OPEN, "stripe_key"),
    (b"sk-ant-", is_b64url, 20, OPEN, "anthropic_key"),
    (b"sk-", is_b64url, 20, OPEN, "openai_key"),
];

/// The prefixed key, JWT or PEM block starting at `i`, if any. Bodies are read
/// as maximal runs of a class that includes the boundary class, so a failed
/// attempt never rescans bytes a later start could reach: the pass stays linear.
fn prefixed_secret(text: &str, b: &[u8], i: usize) -> Option<Hit> {
    let first = byte(b, i);
    if first == b'-' {
        return pem_block(text, b, i);
    }
    if !matches!(first, b'A' | b'g' | b'x' | b's' | b'r' | b'e') || is_b64url(before(b, i)) {
        return None;
    }
    if first == b'e' {
        return jwt(b, i);
    }
    let &(prefix, body, min, max, label) = RULES
        .iter()
        .find(|r| b.get(i..).is_some_and(|t| t.starts_with(r.0)))?;
    let len = run(b, i + prefix.len(), max + 1, body);
    let end = i + prefix.len() + len;
    ((min..=max).contains(&len) && !is_alnum(after(b, end))).then_some(hit(i, end, label))
}

/// A JSON Web Token: three base64url segments joined by dots, the first two
/// being JSON objects (so starting with `eyJ`), each at least 10 characters.
fn jwt(b: &[u8], i: usize) -> Option<Hit> {
    let mut end = i;
    for k in 0..3 {
        if k > 0 {
            if byte(b, end) != b'.'
                || (k == 1 && !b.get(end + 1..).is_some_and(|t| t.starts_with(b"eyJ")))
            {
                return None;
            }
            end += 1;
        }
        let len = run(b, end, usize::MAX, is_b64url);
        if len < 10 {
            return None;
        }
        end += len;
    }
    Some(hit(i, end, "jwt"))
}

/// Label of PEM blocks that are public (certificates, public keys): they are
/// not reported, but their base64 lines must not read as `high_entropy`.
const PUBLIC_PEM: &str = "";

/// A PEM block from `-----BEGIN …-----` through its END line. A private key
/// cut off before its END line runs to the end of the text (the key material
/// that is present is still secret); a public block without END is ignored.
fn pem_block(text: &str, b: &[u8], i: usize) -> Option<Hit> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    if before(b, i) == b'-' || !b.get(i..).is_some_and(|t| t.starts_with(BEGIN)) {
        return None;
    }
    let label_at = i + BEGIN.len();
    let head = b.get(label_at..)?;
    let len = head
        .iter()
        .take(64)
        .take_while(|&&c| c.is_ascii_uppercase() || c == b' ')
        .count();
    let label = head.get(..len)?;
    if len == 0 || !head.get(len..)?.starts_with(b"-----") {
        return None;
    }
    let private = label.windows(11).any(|w| w == b"PRIVATE KEY");
    let body_at = label_at + len + 5;
    let mut end_line = String::from("-----END ");
    end_line.extend(label.iter().map(|&c| char::from(c)));
    end_line.push_str("-----");
    let end = match text.get(body_at..).and_then(|t| t.find(&end_line)) {
        Some(k) => body_at + k + end_line.len(),
        None if private => text.len(),
        None => return None,
    };
    Some(hit(
        i,
        end,
        if private { "private_key" } else { PUBLIC_PEM },
    ))
}

/// Passwords in `scheme://user:password@host`; the hit covers only the password.
fn url_passwords(text: &str, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // Searching for the ':' alone is several times faster than for "://".
    let separators = utf8::positions_of(b, b':').filter(|&k| b.get(k + 1..k + 3) == Some(b"//"));
    for k in separators {
        let scheme = b.get(..k).map_or(0, |s| {
            let is_scheme = |c: &&u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-');
            s.iter().rev().take(32).take_while(is_scheme).count()
        });
        if scheme == 0 || !byte(b, k - scheme).is_ascii_alphabetic() {
            continue;
        }
        // The authority ends at the path, query, fragment, whitespace or a quote;
        // none of these can hold a further "://", so no byte is scanned twice.
        let from = k + 3;
        let stop = |c: u8| {
            matches!(
                c,
                b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' | 0
            )
        };
        let len = run(b, from, usize::MAX, |c| {
            !stop(c) && !c.is_ascii_whitespace()
        });
        let Some(auth) = b.get(from..from + len) else {
            continue;
        };
        let Some(at) = auth.iter().rposition(|&c| c == b'@') else {
            continue;
        };
        let Some(colon) = auth
            .get(..at)
            .and_then(|u| u.iter().position(|&c| c == b':'))
        else {
            continue;
        };
        let password = auth.get(colon + 1..at).unwrap_or_default();
        // Skip empty, masked (`****`), redacted (`[REDACTED:…]`), templated
        // (`${DB_PASS}`, `{{pw}}`, `%s`) and documentation (`user:password@`) passwords.
        let masked = password.iter().all(|&c| c == b'*')
            || matches!(password.first(), Some(b'[' | b'$' | b'{' | b'%'))
            || ["password", "pass", "passwd", "pwd", "secret"]
                .iter()
                .any(|w| password.eq_ignore_ascii_case(w.as_bytes()));
        if !masked && (is_alnum(byte(auth, at + 1)) || byte(auth, at + 1) == b'[') {
            out.push(hit(from + colon + 1, from + at, "url_password"));
        }
    }
}

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-')
}

/// The key-like name a value is assigned to (`api_key = v`, `"token": "v"`,
/// `Bearer v`), read backwards from the value over at most 16 separator bytes
/// and 64 name bytes.
fn assigned_name(b: &[u8], value_at: usize) -> &[u8] {
    let head = b.get(..value_at).unwrap_or_default();
    let seps = head.iter().rev().take(16).take_while(|&&c| {
        matches!(c, b'=' | b':' | b'"' | b'\'' | b'\\') || c.is_ascii_whitespace()
    });
    let name_end = value_at - seps.count();
    let name = b.get(..name_end).unwrap_or_default();
    let len = name
        .iter()
        .rev()
        .take(64)
        .take_while(|&&c| is_b64url(c) || c == b'.')
        .count();
    if name_end == value_at {
        &[]
    } else {
        name.get(name_end - len..).unwrap_or_default()
    }
}

/// Whether `name`, with separators dropped and lowercased, ends with `word`,
/// so `AWS_SECRET_ACCESS_KEY`, `x-api-key` and `apiKey` all match.
fn name_ends_with(name: &[u8], word: &str) -> bool {
    let mut letters = name
        .iter()
        .rev()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase());
    word.bytes().rev().all(|w| letters.next() == Some(w))
}

/// Names whose value is a credential, compared by `name_ends_with`.
const KEY_NAMES: &str = "apikey token secret password passwd pwd auth authorization bearer accesskey secretkey credentials";

/// Shannon entropy in bits per byte.
fn entropy(tok: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &c in tok {
        if let Some(n) = counts.get_mut(usize::from(c)) {
            *n += 1;
        }
    }
    let len = tok.len() as f64;
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| f64::from(n) / len)
        .map(|p| -p * p.log2())
        .sum()
}

/// Whether a token reads as code rather than randomness: identifiers and paths
/// (`AbstractProxyFactoryBean2`, `com/example/v2/MyService`) are made of words,
/// so at least half their bytes sit in lowercase runs of 3 or more. In random
/// base62/base64 such runs cover about 16% on average, and over 50% in under
/// 1.5% of 24-character tokens (0.6% at 32).
fn looks_like_words(tok: &[u8]) -> bool {
    let (mut in_words, mut run) = (0usize, 0usize);
    for &c in tok.iter().chain([b' '].iter()) {
        if c.is_ascii_lowercase() {
            run += 1;
        } else {
            in_words += if run >= 3 { run } else { 0 };
            run = 0;
        }
    }
    2 * in_words >= tok.len()
}

/// Whether a token holds a run of 5 consecutive characters (`abcde`, `56789`),
/// as alphabets and keyboard-made fillers do; random keys almost never do.
fn has_sequence(tok: &[u8]) -> bool {
    let mut run = 1;
    tok.windows(2).any(|w| {
        run = if matches!(w, [a, b] if *b == a.wrapping_add(1)) {
            run + 1
        } else {
            1
        };
        run >= 5
    })
}

/// Whether a token is base64 of ordinary text (reported by the encoded-payload
/// check instead): at least 90% of the decoded characters are printable.
fn decodes_to_text(tok: &[u8]) -> bool {
    let mut out = Vec::with_capacity(tok.len());
    let (mut acc, mut held) = (0u32, 0u32);
    for &c in tok.iter().filter(|&&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            _ => 63,
        };
        acc = (acc << 6) | u32::from(v);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((acc >> held) as u8);
            acc &= (1 << held) - 1;
        }
    }
    let (printable, total) = match std::str::from_utf8(&out) {
        Ok(s) => s.chars().fold((0, 0), |(p, t), c| {
            (p + usize::from(!c.is_control() || c.is_whitespace()), t + 1)
        }),
        Err(_) => (
            out.iter()
                .filter(|c| c.is_ascii_graphic() || c.is_ascii_whitespace())
                .count(),
            out.len(),
        ),
    };
    total > 0 && printable * 10 >= total * 9
}

/// Classifies one token run `b[start..end]` for `aws_secret_key` and `high_entropy`.
fn classify_token(b: &[u8], start: usize, end: usize, out: &mut Vec<Hit>) {
    let Some(raw) = b.get(start..end) else { return };
    if raw.len() == 40
        && raw
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    {
        let name = assigned_name(b, start);
        if ["awssecretaccesskey", "awssecretkey", "secretaccesskey"]
            .iter()
            .any(|w| name_ends_with(name, w))
        {
            out.push(hit(start, end, "aws_secret_key"));
            return;
        }
    }
    // Dashes and underscores at the ends are punctuation (`--flag`, `__init__`);
    // '+' and '/' are base64 digits and stay.
    let edge = |c: &&u8| matches!(c, b'_' | b'-');
    let s = start + raw.iter().take_while(edge).count();
    let e = (end - raw.iter().rev().take_while(edge).count()).max(s);
    let Some(tok) = b.get(s..e) else { return };
    // Over 256 bytes is a data blob (an inlined image, a certificate), not a key.
    if !(MIN_TOKEN..=256).contains(&tok.len())
        || b.get(..start).is_some_and(|h| h.ends_with(b"base64,"))
    {
        return;
    }
    let has = |f: fn(&u8) -> bool| tok.iter().any(f);
    if !has(u8::is_ascii_uppercase) || !has(u8::is_ascii_lowercase) || !has(u8::is_ascii_digit) {
        return;
    }
    // SSH public keys ("ssh-ed25519 AAAAC3Nza…") and subresource-integrity
    // hashes ("sha512-…" in lock files and <script> tags) are public.
    let name = assigned_name(b, start);
    let sri = [&b"sha256-"[..], b"sha384-", b"sha512-"]
        .iter()
        .any(|p| tok.starts_with(p));
    if sri
        || (tok.starts_with(b"AAAA") && (name.starts_with(b"ssh-") || name.starts_with(b"ecdsa-")))
    {
        return;
    }
    // Shorter tokens count only as the value of a key-like name.
    if (tok.len() >= 32 || KEY_NAMES.split(' ').any(|w| name_ends_with(name, w)))
        && !tok
            .iter()
            .all(|&c| c.is_ascii_hexdigit() || c == b'-' || c == b'=')
        && entropy(tok) >= 4.0
        && !looks_like_words(tok)
        && !has_sequence(tok)
        && !decodes_to_text(tok)
    {
        out.push(hit(s, e, "high_entropy"));
    }
}

/// Candidates for `aws_secret_key` and `high_entropy`: runs of
/// `[A-Za-z0-9+/_-]` with trailing `=` padding. An `=` followed by more token
/// bytes is an assignment (`token=abc`), not padding, and splits the run.
fn token_secrets(b: &[u8]) -> Vec<Hit> {
    let mut out = Vec::new();
    // Only stretches of token bytes and padding long enough to hold a token.
    for (from, to) in utf8::long_runs(b, MIN_TOKEN, |c| is_token_byte(c) || c == b'=') {
        token_secrets_in(b, from, to, &mut out);
    }
    out
}

/// [`token_secrets`] in `b[from..to]`, a maximal stretch of token bytes and `=`.
fn token_secrets_in(b: &[u8], from: usize, to: usize, out: &mut Vec<Hit>) {
    let mut i = from;
    while let Some(&c) = b.get(i).filter(|_| i < to) {
        if !is_token_byte(c) {
            i += 1;
            continue;
        }
        let start = i + usize::from(is_escape_letter(b, i));
        let mut end = i + run(b, i, usize::MAX, is_token_byte);
        let pad = run(b, end, usize::MAX, |c| c == b'=');
        if !is_token_byte(after(b, end + pad)) {
            end += pad;
        }
        // No part of a shorter run is long enough for `classify_token`.
        if end - start < MIN_TOKEN {
            i = end.max(i + 1);
            continue;
        }
        // After a dot (`example.com/…`) or from a slash on, the run is a URL or
        // file path: each segment is judged alone so a hit covers the ID, not the path.
        if before(b, start) == b'.' || byte(b, start) == b'/' {
            let mut seg = start;
            while seg < end {
                let len = run(b, seg, end - seg, |c| c != b'/');
                classify_token(b, seg, seg + len, out);
                seg += len + 1;
            }
        } else {
            classify_token(b, start, end, out);
        }
        i = end;
    }
}

/// The shortest token `classify_token` considers.
const MIN_TOKEN: usize = 24;

/// The shortest run of key bytes that can hold a credential: a JWT's first
/// segment or PEM's `-----BEGIN` (every prefixed key is longer).
const SHORTEST: usize = 10;

/// Credentials, sorted by start, non-overlapping. Labels: `aws_access_key`,
/// `aws_secret_key`, `github_token`, `gitlab_token`, `slack_token`,
/// `google_api_key`, `stripe_key`, `openai_key`, `anthropic_key`,
/// `private_key`, `jwt`, `url_password`, `high_entropy`. A `high_entropy` hit
/// is dropped where it overlaps one of the named formats.
pub(crate) fn find_secrets(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut named = Vec::new();
    // Keys, tokens and PEM armour lie inside one run of key bytes at least
    // SHORTEST long, and start at its first byte (a key needs a non-key byte
    // before it), at the next one after an escape such as `\n`, or for PEM at
    // a '-'. Shorter runs, most words, are never looked at.
    let mut resume = 0;
    for (from, to) in utf8::long_runs(b, SHORTEST, is_b64url) {
        let escape = is_escape_letter(b, from);
        let mut j = from.max(resume);
        while j < to {
            let candidate = j == from || (escape && j == from + 1) || byte(b, j) == b'-';
            match candidate.then(|| prefixed_secret(text, b, j)).flatten() {
                Some(h) => {
                    // A JWT runs on past dots: later runs resume after it.
                    j = h.end.max(j + 1);
                    resume = j;
                    named.push(h);
                }
                None => j += 1,
            }
        }
    }
    url_passwords(text, &mut named);
    let named = resolve(named);
    // Both lists are sorted and disjoint, so one cursor finds the overlaps.
    let mut out = Vec::with_capacity(named.len());
    let mut j = 0;
    for g in token_secrets(b) {
        while named.get(j).is_some_and(|n| n.end <= g.start) {
            j += 1;
        }
        if named.get(j).is_none_or(|n| n.start >= g.end) {
            out.push(g);
        }
    }
    out.extend(named.into_iter().filter(|h| h.label != PUBLIC_PEM));
    out.sort_by_key(|h| h.start);
    out
}

/// Test helper shared with `pii.rs`: `case` is `label|text with «marked» hits`;
/// asserts that `find` reports exactly the marked spans with that label.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn check_marked(find: fn(&str) -> Vec<Hit>, case: &str) {
    let (label, marked) = case.split_once('|').unwrap();
    let (mut text, mut want) = (String::new(), vec![]);
    for (k, part) in marked.split(['«', '»']).enumerate() {
        if k % 2 == 1 {
            want.push((text.len(), text.len() + part.len(), label));
        }
        text.push_str(part);
    }
    let got: Vec<_> = find(&text)
        .into_iter()
        .map(|h| (h.start, h.end, h.label))
        .collect();
    assert_eq!(got, want, "{text}");
}

#[cfg(test)]
mod tests {
    use super::super::pii::find_pii;
    use super::check_marked as check;
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Deterministic pseudo-random alphanumeric string, like a generated key
    /// (generated, so no key-shaped literal sits in the source).
    fn rand(seed: u64, len: usize) -> String {
        const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(ABC[(x >> 33) as usize % ABC.len()])
        };
        (0..len).map(|_| next()).collect()
    }

    /// Runs `find` on a case `label|text` whose expected hits are marked «so»;
    /// an empty label expects no hit at all.

    #[test]
    fn exact_offsets() {
        assert_eq!(
            find_secrets("key AKIAIOSFODNN7EXAMPLE end"),
            [hit(4, 24, "aws_access_key")]
        );
        assert_eq!(
            find_pii("Contact jane.doe@example.com."),
            [hit(8, 28, "email")]
        );
        assert_eq!(
            find_pii("Card: 4242 4242 4242 4242 exp 12/25"),
            [hit(6, 25, "payment_card")]
        );
        // "é" and "—" are 2 and 3 bytes: offsets count bytes, not characters.
        assert_eq!(find_pii("é — +44 20 7946 0958"), [hit(7, 23, "phone")]);
        assert_eq!(
            find_secrets("Schlüssel: AKIAIOSFODNN7EXAMPLE"),
            [hit(12, 32, "aws_access_key")]
        );
    }

    #[test]
    fn credentials() {
        let r = rand;
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let aws_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n-----END RSA PRIVATE KEY-----";
        let cases = [
            format!("aws_access_key|key «AKIAIOSFODNN7EXAMPLE», id=«ASIA{}»", r(1, 16).to_uppercase()),
            format!("aws_secret_key|aws_secret_access_key = «{aws_secret}»"),
            format!("aws_secret_key|{{\"AWS_SECRET_ACCESS_KEY\": \"«{aws_secret}»\"}}"),
            format!("github_token|token: «ghp_{}». «github_pat_11AB_{}»", r(2, 36), r(3, 59)),
            format!("gitlab_token|(«glpat-{}»)", r(4, 20)),
            format!("slack_token|«xoxb-123456789012-1234567890123-{}»", r(5, 24)),
            format!("google_api_key|key=«AIza{}»", r(5, 35)),
            format!("stripe_key|«sk_live_{}» '«rk_live_{}»' «sk_test_{}»", r(6, 24), r(7, 24), r(8, 24)),
            format!("openai_key|OPENAI_API_KEY=«sk-proj-{}» «sk-{}»", r(9, 48), r(10, 48)),
            format!("anthropic_key|«sk-ant-api03-{}-{}»", r(11, 40), r(12, 20)),
            format!("jwt|Authorization: Bearer «{jwt}»"),
            "url_password|postgres://admin:«s3cr3t-P4ss»@db.example.com:5432/a https://bob:«hunter2»@example.org".into(),
            format!("high_entropy|export X=«{}»", r(13, 40)),
            format!("high_entropy|api_key: \"«{}»\" Authorization: Bearer «{}»", r(14, 28), r(15, 26)),
            "high_entropy|«K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=»".into(),
            format!("private_key|key:\n«{pem}»\nthanks"),
            "private_key|cut «-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE»".into(),
            format!("high_entropy|-----BEGIN CERTIFICATE-----\n«{}»", r(16, 64)),
            format!("high_entropy|https://docs.example.com/document/d/«{}»/edit?usp=sharing", r(17, 44)),
            format!(r#"high_entropy|{{\"token\": \"«{}»\"}} \n«{}»"#, r(18, 28), r(19, 40)),
            format!(r#"aws_access_key|"\n«AKIAIOSFODNN7EXAMPLE»\t«AKIA{}»""#, r(20, 16).to_uppercase()),
        ];
        for case in &cases {
            check(find_secrets, case);
        }
    }

    #[test]
    fn a_key_and_pem_armour_in_one_run_are_both_found() {
        let text = "AKIAIOSFODNN7EXAMPLE-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n-----END RSA PRIVATE KEY-----";
        let labels: Vec<&str> = find_secrets(text).iter().map(|h| h.label).collect();
        assert_eq!(labels, ["aws_access_key", "private_key"]);
    }

    #[test]
    fn not_credentials() {
        let cert = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----",
            rand(17, 64)
        );
        let texts = [
            "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
            "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "id 123e4567-e89b-12d3-a456-426614174000 and 550E8400-E29B-41D4-A716-446655440000",
            "Donaudampfschifffahrtsgesellschaftskapitän und Rindfleischetikettierungsüberwachungsaufgaben",
            "class AbstractSingletonProxyFactoryBean2 extends HttpServletRequestWrapper3",
            "see /usr/local/lib/python3/site-packages/MyModule/v2/SomeThing/Handler",
            "VGhpcyBpcyBhIHBsYWluIEVuZ2xpc2ggc2VudGVuY2UgZW5jb2RlZCBpbiBiYXNlNjQ=",
            "[REDACTED:api_key] [REDACTED:aws_access_key] [REDACTED:url_password]",
            "sk-short sk-learn-is-a-package AKIAIOSFODNN7EXAMPLEX xAKIAIOSFODNN7EXAMPLE ghp_tooShort",
            "https://user@example.com https://example.com:8080/a postgres://u:****@db postgres://u:[REDACTED:x]@db",
            "scheme://user:password@host redis://:${REDIS_PASSWORD}@cache mysql://root:{{pw}}@db",
            "const ALPHABET: &str = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\";",
            "eyJhbGciOiJIUzI1NiJ9 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx.c2ln",
            "a short Xy7Qp2Lm9Rt4Vb8Nc3Wd5Fg value",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
            "\"integrity\": \"sha512-MTKKkWB7p/0E9xi1d1tHtZ5PiLkGEMIq88pK2CubZjOsLtYTLqhgIgi6zepFa+9GHZ6h05NMCkQxGKiPXMxXtQ==\"",
            &cert,
            // A token of 24–31 characters needs a key-like name.
            "note PFvoXCjBYZ7OHMiIDRMZXjPUX5",
        ];
        for t in texts {
            assert_eq!(find_secrets(t), [], "{t}");
        }
    }

    #[test]
    fn mixed_text_sorted() {
        let text = format!(
            "Hi jane@example.com, key AKIAIOSFODNN7EXAMPLE, 4242 4242 4242 4242, {}",
            rand(20, 40)
        );
        let labels = |hits: Vec<Hit>| hits.into_iter().map(|h| h.label).collect::<Vec<_>>();
        assert_eq!(
            labels(find_secrets(&text)),
            ["aws_access_key", "high_entropy"]
        );
        assert_eq!(labels(find_pii(&text)), ["email", "payment_card"]);
    }

    #[test]
    fn odd_inputs_never_panic() {
        let odd = [
            "",
            "%",
            "@",
            "+",
            "(",
            "-",
            "=",
            "://",
            "-----BEGIN ",
            "eyJ.eyJ.",
            "é@é.é",
            "+é1",
            "sk-é",
        ];
        let mut inputs: Vec<String> = odd.iter().map(|s| s.to_string()).collect();
        for unit in [
            "%", "a", "1", "-", "=", "/", "é", "日本", "sk-", "eyJ.", "a@", "@a.", ".", "+1 ",
            "4242 ", "1-", "(", "://", "AKIAé", "ab12",
        ] {
            inputs.push(unit.repeat(20_000));
        }
        inputs.push(format!("{}@{}", "a.".repeat(20_000), "b-".repeat(20_000)));
        inputs.push("-----BEGIN PRIVATE KEY-----\n".repeat(100));
        inputs.push(format!("é{}é{}é ab://é:é@é", rand(1, 300), rand(2, 33)));
        inputs.push(
            "4242 4242 4242 424é GB82 WEST 1234 5698 7654 3é +1 (555é jane@exampleé.com".into(),
        );
        for text in &inputs {
            for hits in [find_secrets(text), find_pii(text)] {
                assert!(hits.windows(2).all(|w| w[0].end <= w[1].start));
                assert!(hits
                    .iter()
                    .all(|h| h.start < h.end && text.get(h.start..h.end).is_some()));
            }
        }
    }

    /// 4 MB of mixed text: a quadratic path would take minutes here, the scans take milliseconds.
    #[test]
    fn four_megabytes_of_mixed_text() {
        let para = format!(
            "Dear Jane (jane.doe@example.com), card 4242 4242 4242 4242 and IBAN DE89370400440532013000 on file. \
             Call +44 20 7946 0958. Deploy with AKIAIOSFODNN7EXAMPLE and {} — Grüße, 日本語 2024-01-15 v1.2.3.\n",
            rand(30, 40)
        );
        let text = para.repeat(4 * 1024 * 1024 / para.len());
        let (secrets, pii) = (find_secrets(&text), find_pii(&text));
        let n = text.len() / para.len();
        assert_eq!((secrets.len(), pii.len()), (2 * n, 4 * n));
    }
}
