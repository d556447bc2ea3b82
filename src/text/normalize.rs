//! Unicode normalization of the output (NFC by default, NFKC by policy).
//! The quick check answers "already normalized" for almost all real text without
//! building a copy, which keeps this step nearly free.

use std::sync::OnceLock;

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::policy::Normalization;

use super::offsets::EditMap;
use super::utf8;

/// A normalized text and how it maps back.
pub(crate) struct Normalized {
    pub(crate) text: String,
    pub(crate) edits: EditMap,
    /// The spans of `text` that normalization rewrote; the rest is copied.
    pub(crate) changed: Vec<(usize, usize)>,
}

/// What normalization needs to know of one BMP character under one form, in
/// 16 bits: its combining class, its quick-check answer and whether it has a
/// canonical decomposition. Built once per form; a lookup here replaces the
/// library's table searches in the per-segment check.
struct Facts {
    bmp: Vec<u16>,
    /// Per-BMP-code-point bit: the character is a starter (combining class 0)
    /// that is normalized on its own, so it neither changes nor composes with
    /// what precedes it. Text made of such characters is already normalized.
    stable: Vec<u64>,
}

const QC_MAYBE: u16 = 1 << 8;
const QC_NO: u16 = 2 << 8;
const QC_MASK: u16 = 3 << 8;
const DECOMPOSES: u16 = 1 << 10;

fn facts(form: Normalization) -> &'static Facts {
    static NFC: OnceLock<Facts> = OnceLock::new();
    static NFKC: OnceLock<Facts> = OnceLock::new();
    let build = |nfkc: bool| {
        let mut bmp = vec![0u16; 0x10000];
        let mut stable = vec![0u64; 1024];
        for cp in 0u32..0x10000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let f = char_facts(c, nfkc);
            // Quick check "yes" and class 0; a decomposition does not matter.
            if f & !DECOMPOSES == 0 {
                if let Some(w) = stable.get_mut((cp / 64) as usize) {
                    *w |= 1 << (cp % 64);
                }
            }
            if let Some(slot) = bmp.get_mut(cp as usize) {
                *slot = f;
            }
        }
        Facts { bmp, stable }
    };
    match form {
        Normalization::Nfkc => NFKC.get_or_init(|| build(true)),
        _ => NFC.get_or_init(|| build(false)),
    }
}

fn char_facts(c: char, nfkc: bool) -> u16 {
    let alone = std::iter::once(c);
    let quick = if nfkc {
        is_nfkc_quick(alone)
    } else {
        is_nfc_quick(alone)
    };
    let mut parts = 0;
    decompose_canonical(c, |_| parts += 1);
    u16::from(canonical_combining_class(c))
        | match quick {
            IsNormalized::Yes => 0,
            IsNormalized::Maybe => QC_MAYBE,
            IsNormalized::No => QC_NO,
        }
        | if parts > 1 { DECOMPOSES } else { 0 }
}

fn stable_bits(form: Normalization) -> &'static [u64] {
    &facts(form).stable
}

/// The [stable](stable_bits) table of `form`; `None` when the policy does not normalize.
pub(crate) fn stable_table(form: Normalization) -> Option<&'static [u64]> {
    (form != Normalization::None).then(|| stable_bits(form))
}

#[inline]
pub(crate) fn is_stable(cp: u32, bits: &[u64]) -> bool {
    cp < 0x10000
        && bits
            .get((cp / 64) as usize)
            .is_some_and(|w| (w >> (cp % 64)) & 1 == 1)
}

/// Normalizes segment by segment so offsets can be mapped back: a segment
/// starts at each [stable](stable_bits) character (every ASCII character is
/// one), a starter that never composes with what precedes it and is never
/// reordered, so no normalization crosses it (ICU's "boundary before"). Only
/// segments holding a character that is not stable are normalized, and they
/// are short (a base and its marks); the copy is made at the first change.
/// Returns `None` when the text is already normalized.
pub(crate) fn normalize_mapped(text: &str, form: Normalization) -> Option<Normalized> {
    if form == Normalization::None {
        return None;
    }
    let bits = stable_bits(form);
    let mut segments = Segments::new(text, form);
    let bytes = text.as_bytes();
    let mut seg_start = 0;
    let mut dirty = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if dirty {
                segments.normalize(seg_start, i);
                dirty = false;
            }
            // A run of ASCII holds only one-character segments, all normalized:
            // the next segment starts at the run's last character.
            i = utf8::next_non_ascii(bytes, i);
            seg_start = i - 1;
        } else {
            let (cp, len) = utf8::decode(bytes, i);
            if is_stable(cp, bits) {
                if dirty {
                    segments.normalize(seg_start, i);
                    dirty = false;
                }
                seg_start = i;
            } else {
                dirty = true;
            }
            i += len;
        }
    }
    if dirty {
        segments.normalize(seg_start, text.len());
    }
    segments.finish()
}

/// [`normalize_mapped`] when the segments to look at are known: `starts` are
/// the (increasing) offsets where they begin, as the character pass notes them
/// ([`super::hints::Hints::dirty`]); each ends at the next stable character
/// after its first one. No walk over the rest of the text.
pub(crate) fn normalize_segments(
    text: &str,
    form: Normalization,
    starts: &[usize],
) -> Option<Normalized> {
    let bits = stable_table(form)?;
    let mut segments = Segments::new(text, form);
    let bytes = text.as_bytes();
    let mut done = 0;
    for &start in starts {
        if start < done || !text.is_char_boundary(start) {
            continue;
        }
        // The segment's first character is stable (or the text's first); it
        // runs to the next stable one.
        let mut end = start + utf8::decode(bytes, start).1;
        while let Some(&b) = bytes.get(end) {
            let (cp, len) = utf8::decode(bytes, end);
            if b < 0x80 || is_stable(cp, bits) {
                break;
            }
            end += len;
        }
        segments.normalize(start, end.min(text.len()));
        done = end;
    }
    segments.finish()
}

/// The copy being built while segments are normalized, made at the first change.
struct Segments<'a> {
    text: &'a str,
    form: Normalization,
    out: Option<String>,
    edits: EditMap,
    changed: Vec<(usize, usize)>,
    copied: usize,
}

impl<'a> Segments<'a> {
    fn new(text: &'a str, form: Normalization) -> Self {
        Segments {
            text,
            form,
            out: None,
            edits: EditMap::new(),
            changed: Vec::new(),
            copied: 0,
        }
    }

    /// Normalizes `text[from..to]`, a whole segment after the last one done.
    fn normalize(&mut self, from: usize, to: usize) {
        let Some(n) = self
            .text
            .get(from..to)
            .filter(|seg| !surely_normalized(seg, self.form))
            .and_then(|seg| normalize(seg, self.form))
        else {
            return;
        };
        let o = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.text.len() + 16));
        o.push_str(self.text.get(self.copied..from).unwrap_or(""));
        self.changed.push((o.len(), o.len() + n.len()));
        o.push_str(&n);
        self.edits.anchor(o.len(), to);
        self.copied = to;
    }

    fn finish(self) -> Option<Normalized> {
        let mut out = self.out?;
        out.push_str(self.text.get(self.copied..).unwrap_or(""));
        Some(Normalized {
            text: out,
            edits: self.edits,
            changed: self.changed,
        })
    }
}

/// Whether a short segment is certainly left as it is by normalization, decided
/// without building a copy: no character is disallowed, marks are in canonical
/// order, and each character the quick check is unsure of (a Tamil vowel sign,
/// a kana voicing mark) does not compose with the starter before it. Indic and
/// Japanese text has many such segments; anything less plain takes the full path.
fn surely_normalized(seg: &str, form: Normalization) -> bool {
    let table = &facts(form).bmp;
    let nfkc = form == Normalization::Nfkc;
    // The last starter, when it has no decomposition of its own (whose parts
    // could compose differently); `None` forces the full path on a later "maybe".
    let mut starter: Option<char> = None;
    let mut last_class = 0u16;
    for c in seg.chars() {
        let f = match table.get(c as usize) {
            Some(&f) => f,
            None => char_facts(c, nfkc),
        };
        let class = f & 0xFF;
        match f & QC_MASK {
            QC_NO => return false,
            QC_MAYBE if starter.is_none_or(|s| compose(s, c).is_some()) => return false,
            _ => {}
        }
        if class != 0 && class < last_class {
            return false;
        }
        if class == 0 {
            starter = (f & DECOMPOSES == 0).then_some(c);
        }
        last_class = class;
    }
    true
}

/// Returns the normalized text, or `None` when it is already normalized.
pub(crate) fn normalize(text: &str, form: Normalization) -> Option<String> {
    match form {
        Normalization::None => None,
        Normalization::Nfc => {
            if is_nfc_quick(text.chars()) == IsNormalized::Yes {
                return None;
            }
            let s: String = text.nfc().collect();
            (s != text).then_some(s)
        }
        Normalization::Nfkc => {
            if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
                return None;
            }
            let s: String = text.nfkc().collect();
            (s != text).then_some(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn mapped_normalization_equals_whole_text_normalization() {
        let s = "caf\u{65}\u{301} ok \u{FF21}\u{FF22} x\u{1E0A}\u{323} e\u{301}\u{301}";
        for form in [Normalization::Nfc, Normalization::Nfkc] {
            let whole = normalize(s, form).unwrap();
            let mapped = normalize_mapped(s, form).unwrap();
            assert_eq!(mapped.text, whole);
            // "ok" after the changed "café" maps back to its input position.
            let at = mapped.text.find("ok").unwrap();
            assert_eq!(mapped.edits.to_input(at), s.find("ok").unwrap());
        }
    }

    #[test]
    fn segments_between_stable_characters_normalize_like_the_whole_text() {
        // Characters that compose backwards (Tamil AA, Hangul jamo, kana voicing
        // marks), reorder (marks of different classes), or fold (NFKC), mixed
        // with stable ones; a fixed pseudo-random walk builds many strings.
        let pool: Vec<char> = "a\u{e9}e\u{301}\u{323}\u{BC6}\u{BBE}\u{B95}\u{BCD}\u{1100}\u{1161}\u{11A8}\u{AC00}\u{304B}\u{3099}\u{FF76}\u{FF9E}\u{915}\u{93C}\u{94D}\u{3B1}\u{313}\u{342}\u{345}\u{FB01}\u{2126} \u{4E2D}"
            .chars()
            .collect();
        let mut rng = crate::text::TestRng(0x2545_F491_4F6C_DD1D);
        for _ in 0..2000 {
            let s: String = (0..12).map(|_| pool[rng.below(pool.len())]).collect();
            for form in [Normalization::Nfc, Normalization::Nfkc] {
                let whole = normalize(&s, form).unwrap_or_else(|| s.clone());
                let mapped = normalize_mapped(&s, form).map_or_else(|| s.clone(), |n| n.text);
                assert_eq!(mapped, whole, "{form:?} of {s:?}");
            }
        }
    }

    #[test]
    fn nfc_composes_and_nfkc_folds() {
        assert_eq!(
            normalize("e\u{301}", Normalization::Nfc).as_deref(),
            Some("\u{e9}")
        );
        assert_eq!(normalize("\u{e9}", Normalization::Nfc), None);
        assert_eq!(
            normalize("\u{FF49}gnore", Normalization::Nfkc).as_deref(),
            Some("ignore")
        );
        assert_eq!(normalize("\u{FF49}gnore", Normalization::Nfc), None);
        assert_eq!(normalize("e\u{301}", Normalization::None), None);
    }
}
