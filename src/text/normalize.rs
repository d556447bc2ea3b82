//! Unicode normalization of the output (NFC by default, NFKC by policy).
//! The quick check answers "already normalized" for almost all real text without
//! building a copy, which keeps this step nearly free.

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::policy::Normalization;

use super::offsets::EditMap;
use super::utf8;

/// A normalized text and how it maps back.
pub(crate) struct Normalized {
    pub(crate) text: String,
    pub(crate) edits: EditMap,
}

/// Per-BMP-code-point bit: the character is a starter (combining class 0) that
/// is normalized on its own, so it neither changes nor composes with what
/// precedes it. Text made of such characters is already normalized; checking a
/// bit per character is several times cheaper than the library's quick check.
fn stable_bits(form: Normalization) -> &'static [u64] {
    static NFC: OnceLock<Vec<u64>> = OnceLock::new();
    static NFKC: OnceLock<Vec<u64>> = OnceLock::new();
    let build = |nfkc: bool| {
        let mut bits = vec![0u64; 1024];
        for cp in 0u32..0x10000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let alone = std::iter::once(c);
            let quick = if nfkc {
                is_nfkc_quick(alone)
            } else {
                is_nfc_quick(alone)
            };
            if quick == IsNormalized::Yes && canonical_combining_class(c) == 0 {
                if let Some(w) = bits.get_mut((cp / 64) as usize) {
                    *w |= 1 << (cp % 64);
                }
            }
        }
        bits
    };
    match form {
        Normalization::Nfkc => NFKC.get_or_init(|| build(true)),
        _ => NFC.get_or_init(|| build(false)),
    }
}

fn is_stable(cp: u32, bits: &[u64]) -> bool {
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
    let mut out: Option<String> = None;
    let mut edits = EditMap::new();
    let mut copied = 0;
    let mut normalize_segment = |from: usize, to: usize, out: &mut Option<String>| {
        let Some(n) = text.get(from..to).and_then(|seg| normalize(seg, form)) else {
            return;
        };
        let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
        o.push_str(text.get(copied..from).unwrap_or(""));
        o.push_str(&n);
        edits.anchor(o.len(), to);
        copied = to;
    };
    let bytes = text.as_bytes();
    let mut seg_start = 0;
    let mut dirty = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if dirty {
                normalize_segment(seg_start, i, &mut out);
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
                    normalize_segment(seg_start, i, &mut out);
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
        normalize_segment(seg_start, text.len(), &mut out);
    }
    let mut out = out?;
    out.push_str(text.get(copied..).unwrap_or(""));
    Some(Normalized { text: out, edits })
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
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(pool[(seed % pool.len() as u64) as usize]);
            }
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
