//! What the character pass notes about the text it writes, so that later steps
//! can skip walks of their own: where normalization has work to do, the longest
//! run of combining marks, and whether some word mixes Latin with a look-alike
//! script. Every walk over a long mixed-script text costs about a millisecond
//! natively, most of it in branches mispredicted at script changes; one walk
//! that notes all three replaces three.

use std::sync::OnceLock;

use crate::policy::Normalization;

use super::chars::{self, Class, Copied, Marks};
use super::confusables::{self, Family};
use super::normalize;

/// Per-character properties, one byte: what the character pass needs to know
/// of every character, answered by one table lookup.
/// The character pass copies it as it is (plain, or a combining mark).
pub(crate) const COPIED: u8 = 1;
const MARK: u8 = 2;
const STABLE_NFC: u8 = 4;
const STABLE_NFKC: u8 = 8;
/// Scripts seen in a word, as [`super::confusables::mixed_script_words`] sees
/// them: digits, diacritics and selectors are neutral word characters.
const NEUTRAL: u8 = 16;
const LATIN: u8 = 32;
const LOOKALIKE: u8 = 64;
const WORD: u8 = NEUTRAL | LATIN | LOOKALIKE;

/// The property table of the BMP, built once (65,536 characters classified,
/// a few milliseconds), and the slow path for the rest.
#[derive(Clone, Copy)]
pub(crate) struct Props(&'static [u8]);

impl Props {
    pub(crate) fn new() -> Props {
        static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
        Props(TABLE.get_or_init(|| (0u32..0x10000).map(compute).collect()))
    }

    #[inline]
    pub(crate) fn of(self, cp: u32) -> u8 {
        match self.0.get(cp as usize) {
            Some(&p) => p,
            None => compute(cp),
        }
    }
}

fn compute(cp: u32) -> u8 {
    let Some(c) = char::from_u32(cp) else {
        return 0;
    };
    let mut p = word_class(c);
    if c.is_ascii() {
        if chars::classify_ascii(cp as u8) == Class::Plain {
            p |= COPIED;
        }
    } else if Copied::new().non_ascii(cp) {
        p |= COPIED;
    }
    if Marks::new().is_mark(cp) {
        p |= MARK;
    }
    for (form, bit) in [
        (Normalization::Nfc, STABLE_NFC),
        (Normalization::Nfkc, STABLE_NFKC),
    ] {
        if normalize::stable_table(form).is_some_and(|t| normalize::is_stable(cp, t)) {
            p |= bit;
        }
    }
    p
}

/// The notes, and the state of the walk that takes them.
pub(crate) struct Hints {
    /// Output offsets where segments that normalization must look at start:
    /// each at the last stable character before an unstable one. Empty when
    /// the policy does not normalize.
    pub(crate) dirty: Vec<usize>,
    /// The property bit of "stable" under the policy's form; 0 for none.
    pub(crate) stable_bit: u8,
    pub(crate) walk: Walk,
}

/// The running state, kept in locals by the character pass's inner loop.
#[derive(Clone, Copy, Default)]
pub(crate) struct Walk {
    seg_start: usize,
    seg_dirty: bool,
    marks: u32,
    longest_marks: u32,
    word: u8,
    mixed_words: bool,
}

impl Walk {
    /// Notes a character with properties `props` written at output offset `at`.
    #[inline(always)]
    pub(crate) fn note(&mut self, props: u8, at: usize, stable_bit: u8, dirty: &mut Vec<usize>) {
        if stable_bit == 0 || props & stable_bit != 0 {
            self.seg_start = at;
            self.seg_dirty = false;
        } else if !self.seg_dirty {
            dirty.push(self.seg_start);
            self.seg_dirty = true;
        }
        self.marks = if props & MARK != 0 { self.marks + 1 } else { 0 };
        self.longest_marks = self.longest_marks.max(self.marks);
        let word = props & WORD;
        self.word = if word == 0 { 0 } else { self.word | word };
        self.mixed_words |= self.word & (LATIN | LOOKALIKE) == LATIN | LOOKALIKE;
    }
}

impl Hints {
    pub(crate) fn new(form: Normalization) -> Hints {
        Hints {
            dirty: Vec::new(),
            stable_bit: match form {
                Normalization::None => 0,
                Normalization::Nfc => STABLE_NFC,
                Normalization::Nfkc => STABLE_NFKC,
            },
            walk: Walk::default(),
        }
    }

    /// The longest run of combining marks.
    pub(crate) fn longest_marks(&self) -> u32 {
        self.walk.longest_marks
    }

    /// Whether some word holds both a Latin letter and a letter of a script
    /// drawn alike (Cyrillic, Greek, Armenian, Cherokee).
    pub(crate) fn mixed_words(&self) -> bool {
        self.walk.mixed_words
    }

    /// After normalization rewrote the `changed` spans of `text` (and nothing
    /// else), notes again the words and runs of marks that touch them: every
    /// other word and run is as it was when first noted.
    pub(crate) fn renote(&mut self, text: &str, changed: &[(usize, usize)]) {
        let props = Props::new();
        // A word or a run of marks ends at a character that is neither.
        let boundary = |c: char| props.of(c as u32) & (WORD | MARK) == 0;
        let windows = changed.iter().map(|&(s, e)| {
            let from = text
                .get(..s)
                .and_then(|t| t.char_indices().rev().find(|&(_, c)| boundary(c)))
                .map_or(0, |(p, c)| p + c.len_utf8());
            let to = text
                .get(e..)
                .and_then(|t| t.find(boundary))
                .map_or(text.len(), |p| e + p);
            (from, to)
        });
        // Overlapping windows are merged, so no word is cut in two.
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (from, to) in windows {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        for (from, to) in merged {
            // Notes taken afresh, then merged: the walk state is not carried over.
            let mut fresh = Walk::default();
            let mut ignored = Vec::new();
            for (i, c) in text.get(from..to).unwrap_or("").char_indices() {
                fresh.note(props.of(c as u32), from + i, 0, &mut ignored);
            }
            self.walk.longest_marks = self.walk.longest_marks.max(fresh.longest_marks);
            self.walk.mixed_words |= fresh.mixed_words;
        }
    }

    /// Notes every character of `s`, written at output offset `at`.
    pub(crate) fn text(&mut self, s: &str, at: usize) {
        let props = Props::new();
        for (i, c) in s.char_indices() {
            self.walk
                .note(props.of(c as u32), at + i, self.stable_bit, &mut self.dirty);
        }
    }
}

/// Whether the character pass would copy every character of `text` from byte
/// `from` to byte `to`, and the one on each side, as they are: then running it
/// again over those bytes would change nothing.
pub(crate) fn copied_around(text: &str, from: usize, to: usize) -> bool {
    let props = Props::new();
    let copied = |c: char| props.of(c as u32) & COPIED != 0 && c != '\u{2029}';
    let before = text.get(..from).and_then(|t| t.chars().next_back());
    let after = text.get(to..).and_then(|t| t.chars().next());
    text.get(from..to).is_some_and(|t| t.chars().all(copied))
        && before.is_none_or(copied)
        && after.is_none_or(copied)
}

/// How a character takes part in a word for the mixed-script check, as
/// [`confusables::word_family`] says.
fn word_class(c: char) -> u8 {
    match confusables::word_family(c) {
        Some(Family::Latin) => LATIN,
        Some(Family::Other) => NEUTRAL,
        Some(_) => LOOKALIKE,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn hints(s: &str, form: Normalization) -> Hints {
        let mut h = Hints::new(form);
        h.text(s, 0);
        h
    }

    #[test]
    fn a_word_mixing_latin_and_cyrillic_is_noted() {
        assert!(hints("pay at p\u{430}ypal.com", Normalization::Nfc).mixed_words());
        assert!(
            hints("\u{430}1b", Normalization::Nfc).mixed_words(),
            "a digit joins"
        );
        assert!(!hints("Привет, world! Ελληνικά", Normalization::Nfc).mixed_words());
        assert!(!hints("\u{430} b", Normalization::Nfc).mixed_words());
    }

    #[test]
    fn the_longest_run_of_marks_is_noted() {
        let h = hints("e\u{301}\u{302}\u{303} a\u{301}", Normalization::Nfc);
        assert_eq!(h.longest_marks(), 3);
    }

    #[test]
    fn dirty_segments_start_at_the_last_stable_character() {
        // "x" then "e" + U+0301: the segment starts at the "e" (offset 2).
        let h = hints("x e\u{301} ok \u{e9}", Normalization::Nfc);
        assert_eq!(h.dirty, [2]);
        assert!(hints("x e\u{301}", Normalization::None).dirty.is_empty());
    }
}
