//! Unicode normalization of the output (NFC by default, NFKC by policy).
//! The quick check answers "already normalized" for almost all real text without
//! building a copy, which keeps this step nearly free.

use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::policy::Normalization;

use super::offsets::EditMap;

/// A normalized text and how it maps back.
pub(crate) struct Normalized {
    pub(crate) text: String,
    pub(crate) edits: EditMap,
}

/// Normalizes segment by segment so offsets can be mapped back: a segment ends
/// before each ASCII character, because an ASCII character is a starter that
/// never composes with what precedes it, so no normalization crosses it.
/// Returns `None` when the text is already normalized.
pub(crate) fn normalize_mapped(text: &str, form: Normalization) -> Option<Normalized> {
    let quick = match form {
        Normalization::None => return None,
        Normalization::Nfc => is_nfc_quick(text.chars()),
        Normalization::Nfkc => is_nfkc_quick(text.chars()),
    };
    if quick == IsNormalized::Yes {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut edits = EditMap::new();
    let mut changed_segments = 0u32;
    let mut seg_start = 0;
    let bytes = text.as_bytes();
    let mut flush = |from: usize, to: usize, out: &mut String, edits: &mut EditMap| {
        let Some(seg) = text.get(from..to) else {
            return;
        };
        match normalize(seg, form) {
            Some(n) => {
                out.push_str(&n);
                edits.anchor(out.len(), to);
                changed_segments += 1;
            }
            None => out.push_str(seg),
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x80 && i > seg_start {
            flush(seg_start, i, &mut out, &mut edits);
            seg_start = i;
        }
    }
    flush(seg_start, text.len(), &mut out, &mut edits);
    if changed_segments == 0 {
        return None;
    }
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
