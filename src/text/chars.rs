//! What each character is, for the character pass: one `classify` call per
//! non-ASCII character, with fast answers for the large blocks that ordinary
//! text is made of, and the context rules that tell a joiner a script needs
//! from one that hides something.

use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// The classes the character pass acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Nothing to check.
    Plain,
    /// A combining mark (counted for Zalgo).
    Mark,
    /// C0 control (not tab/LF/CR), DEL, or a C1 control that opens a terminal escape.
    Control,
    /// An inert C1 control.
    C1Control,
    /// A bidi control.
    Bidi(BidiKind),
    /// Unicode tag character U+E0000–U+E007F.
    Tag,
    /// Variation selector.
    VariationSelector,
    /// U+2062 or U+2064, the two "sneaky bits".
    SneakyBit,
    /// ZWJ, ZWNJ, ZWSP or a Mongolian selector: kept where a script needs it.
    Joiner,
    /// Any other invisible or format character.
    Invisible,
    /// Private-use.
    PrivateUse,
    /// Noncharacter.
    Noncharacter,
    /// Unassigned.
    Unassigned,
}

/// The 12 bidi controls, grouped by what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BidiKind {
    /// LRE, RLE, LRO, RLO: start an embedding or override, closed by PDF.
    Embedding,
    /// PDF.
    PopEmbedding,
    /// LRI, RLI, FSI: start an isolate, closed by PDI.
    Isolate,
    /// PDI.
    PopIsolate,
    /// LRM, RLM, ALM: zero-width strong characters; they nest nothing.
    Mark,
}

impl BidiKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            BidiKind::Embedding => "embedding_or_override",
            BidiKind::PopEmbedding => "pop_directional_formatting",
            BidiKind::Isolate => "isolate",
            BidiKind::PopIsolate => "pop_directional_isolate",
            BidiKind::Mark => "directional_mark",
        }
    }
}

/// Classifies an ASCII byte. Tab, LF and CR are plain.
#[inline]
pub(crate) fn classify_ascii(b: u8) -> Class {
    match b {
        b'\t' | b'\n' | b'\r' => Class::Plain,
        0x00..=0x1F | 0x7F => Class::Control,
        _ => Class::Plain,
    }
}

/// Per-BMP-code-point bits: is the character `Plain`, is it a `Mark`. Built once
/// (65,536 lookups, about a millisecond) so the character pass and the mark
/// counter pay one bit test per character instead of a table search.
struct BmpBits {
    plain: Vec<u64>,
    mark: Vec<u64>,
}

fn bmp_bits() -> &'static BmpBits {
    static BITS: std::sync::OnceLock<BmpBits> = std::sync::OnceLock::new();
    BITS.get_or_init(|| {
        let mut plain = vec![0u64; 1024];
        let mut mark = vec![0u64; 1024];
        for cp in 0u32..0x10000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let (word, bit) = ((cp / 64) as usize, cp % 64);
            match classify_slow(c) {
                Class::Plain => {
                    if let Some(w) = plain.get_mut(word) {
                        *w |= 1 << bit;
                    }
                }
                Class::Mark => {
                    if let Some(w) = mark.get_mut(word) {
                        *w |= 1 << bit;
                    }
                }
                _ => {}
            }
        }
        BmpBits { plain, mark }
    })
}

fn bit(words: &[u64], cp: u32) -> bool {
    words
        .get((cp / 64) as usize)
        .is_some_and(|w| (w >> (cp % 64)) & 1 == 1)
}

/// The characters the character pass copies as they are, with no context to
/// check: plain characters and combining marks. The tables are fetched once
/// per pass rather than once per character.
pub(crate) struct Copied(&'static BmpBits);

impl Copied {
    pub(crate) fn new() -> Self {
        Copied(bmp_bits())
    }

    /// Whether code point `cp` (not ASCII) is copied as it is.
    #[inline]
    pub(crate) fn non_ascii(&self, cp: u32) -> bool {
        if cp < 0x10000 {
            return bit(&self.0.plain, cp) || bit(&self.0.mark, cp);
        }
        char::from_u32(cp).is_some_and(|c| matches!(classify_slow(c), Class::Plain | Class::Mark))
    }
}

/// [`is_mark`] with the tables fetched once, for walks over a whole text.
pub(crate) struct Marks(&'static BmpBits);

impl Marks {
    pub(crate) fn new() -> Self {
        Marks(bmp_bits())
    }

    #[inline]
    pub(crate) fn is_mark(&self, cp: u32) -> bool {
        if cp < 0x300 {
            return false;
        }
        if cp < 0x10000 {
            return bit(&self.0.mark, cp);
        }
        char::from_u32(cp).is_some_and(|c| classify_slow(c) == Class::Mark)
    }
}

/// Classifies a character. ASCII goes through [`classify_ascii`].
#[inline]
pub(crate) fn classify(c: char) -> Class {
    let cp = c as u32;
    if cp < 0x80 {
        return classify_ascii(cp as u8);
    }
    if cp < 0x10000 {
        let bits = bmp_bits();
        if bit(&bits.plain, cp) {
            return Class::Plain;
        }
        if bit(&bits.mark, cp) {
            return Class::Mark;
        }
    }
    classify_slow(c)
}

/// The classification itself, by ranges and the general category.
fn classify_slow(c: char) -> Class {
    let cp = c as u32;
    if cp < 0x80 {
        return classify_ascii(cp as u8);
    }
    // Blocks that are fully assigned and hold no marks or format characters:
    // most non-Latin text never reaches the table lookups below.
    if matches!(cp, 0xA0..=0xAC | 0xAE..=0x2FF | 0x400..=0x482 | 0x48A..=0x52F
        | 0x5D0..=0x5EA | 0x621..=0x64A | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3
        | 0x3041..=0x3096 | 0x30A1..=0x30FA)
    {
        return Class::Plain;
    }
    match cp {
        0x80..=0x9F => {
            return match cp {
                // CSI, OSC, DCS, SOS, PM, APC and NEL change what a terminal shows.
                0x9B | 0x9D | 0x90 | 0x98 | 0x9E | 0x9F | 0x85 => Class::Control,
                _ => Class::C1Control,
            };
        }
        0x202A | 0x202B | 0x202D | 0x202E => return Class::Bidi(BidiKind::Embedding),
        0x202C => return Class::Bidi(BidiKind::PopEmbedding),
        0x2066..=0x2068 => return Class::Bidi(BidiKind::Isolate),
        0x2069 => return Class::Bidi(BidiKind::PopIsolate),
        0x200E | 0x200F | 0x061C => return Class::Bidi(BidiKind::Mark),
        0xE0000..=0xE007F => return Class::Tag,
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF => return Class::VariationSelector,
        0x2062 | 0x2064 => return Class::SneakyBit,
        0x200B..=0x200D | 0x180B..=0x180F => return Class::Joiner,
        0x00AD
        | 0x034F
        | 0x115F
        | 0x1160
        | 0x17B4
        | 0x17B5
        | 0x2060
        | 0x2061
        | 0x2063
        | 0x2065
        | 0x206A..=0x206F
        | 0x3164
        | 0xFEFF
        | 0xFFA0
        | 0x2800
        | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0080..=0xE00FF
        | 0xE01F0..=0xE0FFF => return Class::Invisible,
        0xFDD0..=0xFDEF => return Class::Noncharacter,
        _ if cp & 0xFFFE == 0xFFFE => return Class::Noncharacter,
        _ => {}
    }
    match c.general_category() {
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark => Class::Mark,
        GeneralCategory::PrivateUse => Class::PrivateUse,
        GeneralCategory::Unassigned => Class::Unassigned,
        // Remaining format characters (e.g. Arabic number signs U+0600–U+0605,
        // U+110BD) are visible or structural: leave them.
        _ => Class::Plain,
    }
}

/// Scripts that join letters and need ZWJ/ZWNJ to select the right form.
fn needs_joiners(s: Script) -> bool {
    matches!(
        s,
        Script::Arabic
            | Script::Syriac
            | Script::Nko
            | Script::Mongolian
            | Script::Mandaic
            | Script::Manichaean
            | Script::Psalter_Pahlavi
            | Script::Hanifi_Rohingya
            | Script::Sogdian
            | Script::Adlam
            | Script::Devanagari
            | Script::Bengali
            | Script::Gurmukhi
            | Script::Gujarati
            | Script::Oriya
            | Script::Tamil
            | Script::Telugu
            | Script::Kannada
            | Script::Malayalam
            | Script::Sinhala
            | Script::Myanmar
            | Script::Khmer
            | Script::Tibetan
            | Script::Balinese
            | Script::Javanese
            | Script::Sundanese
            | Script::Tai_Tham
            | Script::Thaana
            | Script::Chakma
            | Script::Kaithi
            | Script::Brahmi
            | Script::Grantha
            | Script::Newa
            | Script::Tirhuta
            | Script::Takri
            | Script::Sharada
            | Script::Syloti_Nagri
            | Script::Meetei_Mayek
            | Script::Lepcha
            | Script::Limbu
            | Script::Ol_Chiki
            | Script::Saurashtra
            | Script::Tai_Viet
            | Script::Cham
            | Script::Buginese
            | Script::Batak
            | Script::Rejang
            | Script::Kayah_Li
            | Script::New_Tai_Lue
            | Script::Lao
            | Script::Thai
            | Script::Hebrew
    )
}

/// Scripts written without spaces, where U+200B marks word boundaries.
fn uses_zwsp(s: Script) -> bool {
    matches!(
        s,
        Script::Thai
            | Script::Lao
            | Script::Khmer
            | Script::Myanmar
            | Script::Javanese
            | Script::Balinese
            | Script::Tibetan
            | Script::Tai_Tham
            | Script::New_Tai_Lue
            | Script::Tai_Le
            | Script::Sundanese
            | Script::Buginese
            | Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Yi
            | Script::Vai
    )
}

/// Emoji that can take part in a ZWJ sequence (excluding the ASCII keycap
/// bases), including the presentation selector, skin-tone modifiers and the
/// cancel tag that end the element before a ZWJ.
fn is_emoji_part(c: char) -> bool {
    matches!(c, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E007F}')
        || (!c.is_ascii() && (c.is_emoji_char() || c.is_emoji_component()))
}

/// An emoji that can begin the element after a ZWJ: a pictograph, not a
/// selector, modifier or tag, which only end an element.
fn starts_emoji(c: char) -> bool {
    !c.is_ascii() && !matches!(c, '\u{1F3FB}'..='\u{1F3FF}') && c.is_emoji_char()
}

/// Whether a joiner-class character after `prev` (and before `next`) is one
/// that legitimate text needs, and so must be kept. Scripts use joiners at word
/// ends too (Malayalam chillu, Javanese ZWSP after punctuation), so only the
/// emoji rule looks at `next`.
pub(crate) fn joiner_is_needed(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let Some(prev) = prev else {
        return false;
    };
    match c {
        '\u{200D}' => {
            (is_emoji_part(prev) && next.is_some_and(starts_emoji)) || needs_joiners(prev.script())
        }
        '\u{200C}' => needs_joiners(prev.script()),
        '\u{200B}' => {
            uses_zwsp(prev.script())
                || (prev.is_whitespace() && next.is_some_and(|n| uses_zwsp(n.script())))
        }
        // Mongolian free variation selectors and vowel separator.
        _ => prev.script() == Script::Mongolian,
    }
}

/// Whether a single variation selector after `prev` is an ordinary presentation
/// or variant choice (emoji style, CJK ideographic variants, math variants).
pub(crate) fn variation_selector_is_needed(
    vs: char,
    prev: Option<char>,
    next: Option<char>,
) -> bool {
    let Some(prev) = prev else { return false };
    if prev.is_ascii() {
        // Keycaps: [0-9#*] U+FE0F U+20E3.
        return matches!(prev, '0'..='9' | '#' | '*') && next == Some('\u{20E3}');
    }
    if prev.is_whitespace() {
        return false;
    }
    match vs {
        // Text or emoji presentation: only characters that have both.
        '\u{FE0E}' | '\u{FE0F}' => prev.is_emoji_char(),
        '\u{E0100}'..='\u{E01EF}' => prev.script() == Script::Han,
        // Standardized variants (math symbols, Myanmar, Phags-pa, CJK compatibility):
        // after a visible base, never after another selector or a mark.
        _ => classify(prev) == Class::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn trojan_source_code_points_are_bidi() {
        for cp in [
            0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F,
            0x061C,
        ] {
            let c = char::from_u32(cp).unwrap();
            assert!(matches!(classify(c), Class::Bidi(_)), "U+{cp:04X}");
        }
    }

    #[test]
    fn joiners_in_context() {
        // Persian ZWNJ between letters: needed.
        assert!(joiner_is_needed(
            '\u{200C}',
            Some('\u{647}'),
            Some('\u{627}')
        ));
        // Emoji ZWJ sequence: needed.
        assert!(joiner_is_needed(
            '\u{200D}',
            Some('\u{1F469}'),
            Some('\u{1F4BB}')
        ));
        // ZWJ inside a Latin word: hidden.
        assert!(!joiner_is_needed('\u{200D}', Some('a'), Some('b')));
        // ZWSP in Thai: a word break; in English: hidden.
        assert!(joiner_is_needed(
            '\u{200B}',
            Some('\u{E01}'),
            Some('\u{E02}')
        ));
        assert!(!joiner_is_needed('\u{200B}', Some('a'), Some('b')));
    }

    #[test]
    fn classes_of_ordinary_and_odd_characters() {
        assert_eq!(classify('é'), Class::Plain);
        assert_eq!(classify('\u{301}'), Class::Mark);
        assert_eq!(classify('\u{E000}'), Class::PrivateUse);
        assert_eq!(classify('\u{FFFF}'), Class::Noncharacter);
        assert_eq!(classify('\u{FDD0}'), Class::Noncharacter);
        assert_eq!(classify('\u{0378}'), Class::Unassigned);
        assert_eq!(classify('\u{AD}'), Class::Invisible);
        assert_eq!(classify('\u{9B}'), Class::Control);
        assert_eq!(classify('\u{92}'), Class::C1Control);
    }
}
