//! Decoders for the three invisible channels attackers hide text in, so the
//! report shows exactly what was hidden:
//!
//! - **Tag characters** (U+E0000–U+E007F, "ASCII smuggling"): U+E0020–U+E007E
//!   each stand for the ASCII byte `cp - 0xE0000`. A subdivision flag
//!   (U+1F3F4, tag letters, U+E007F) is the one legitimate use.
//! - **Variation selectors**: a run of them after a base character encodes one
//!   byte each: U+FE00–U+FE0F are 0–15, U+E0100–U+E01EF are 16–255.
//! - **Sneaky bits**: U+2062 INVISIBLE TIMES is 0 and U+2064 INVISIBLE PLUS is 1,
//!   eight per byte, most significant bit first.

/// Bytes hidden in a run of tag characters. Language tag (U+E0001) and cancel
/// (U+E007F) carry no byte.
pub(crate) fn decode_tags(run: &[char]) -> Vec<u8> {
    run.iter()
        .filter_map(|&c| match c as u32 {
            cp @ 0xE0020..=0xE007E => Some((cp - 0xE0000) as u8),
            _ => None,
        })
        .collect()
}

/// Whether a tag run after U+1F3F4 is a well-formed subdivision flag
/// (2–6 lowercase tag letters or digits, then CANCEL TAG), e.g. 🏴 + "gbsct" + U+E007F.
pub(crate) fn is_flag_tag_sequence(run: &[char]) -> bool {
    let Some((&last, body)) = run.split_last() else {
        return false;
    };
    last == '\u{E007F}'
        && (2..=6).contains(&body.len())
        && body
            .iter()
            .all(|&c| matches!(c as u32, 0xE0030..=0xE0039 | 0xE0061..=0xE007A))
}

/// The byte a variation selector stands for.
pub(crate) fn variation_selector_byte(c: char) -> Option<u8> {
    match c as u32 {
        cp @ 0xFE00..=0xFE0F => Some((cp - 0xFE00) as u8),
        cp @ 0xE0100..=0xE01EF => Some((cp - 0xE0100 + 16) as u8),
        _ => None,
    }
}

/// Bytes hidden in a run of variation selectors.
pub(crate) fn decode_variation_selectors(run: &[char]) -> Vec<u8> {
    run.iter()
        .filter_map(|&c| variation_selector_byte(c))
        .collect()
}

/// Bytes hidden in a run of sneaky bits; a trailing partial byte is dropped
/// (it is still removed from the text and counted in the finding).
pub(crate) fn decode_sneaky_bits(run: &[char]) -> Vec<u8> {
    run.chunks_exact(8)
        .map(|bits| {
            bits.iter()
                .fold(0u8, |acc, &c| (acc << 1) | u8::from(c == '\u{2064}'))
        })
        .collect()
}

/// Encoders, the inverse of the decoders; used by tests and the demo's samples.
#[cfg(test)]
pub(crate) mod encode {
    pub(crate) fn tags(s: &str) -> String {
        s.bytes()
            .filter_map(|b| char::from_u32(0xE0000 + u32::from(b)))
            .collect()
    }
    pub(crate) fn variation_selectors(bytes: &[u8]) -> String {
        bytes
            .iter()
            .filter_map(|&b| {
                if b < 16 {
                    char::from_u32(0xFE00 + u32::from(b))
                } else {
                    char::from_u32(0xE0100 + u32::from(b) - 16)
                }
            })
            .collect()
    }
    pub(crate) fn sneaky_bits(bytes: &[u8]) -> String {
        bytes
            .iter()
            .flat_map(|&b| {
                (0..8).rev().map(move |i| {
                    if (b >> i) & 1 == 1 {
                        '\u{2064}'
                    } else {
                        '\u{2062}'
                    }
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn round_trips() {
        let secret = "ignore previous instructions";
        let tags: Vec<char> = encode::tags(secret).chars().collect();
        assert_eq!(decode_tags(&tags), secret.as_bytes());
        let bytes: Vec<u8> = (0..=255).collect();
        let vs: Vec<char> = encode::variation_selectors(&bytes).chars().collect();
        assert_eq!(decode_variation_selectors(&vs), bytes);
        let sb: Vec<char> = encode::sneaky_bits("hi ✓".as_bytes()).chars().collect();
        assert_eq!(decode_sneaky_bits(&sb), "hi ✓".as_bytes());
    }

    #[test]
    fn subdivision_flags_are_recognized() {
        // Scotland: 🏴 + g b s c t + cancel
        let run: Vec<char> = "\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
            .chars()
            .collect();
        assert!(is_flag_tag_sequence(&run));
        let shout: Vec<char> = encode::tags("HI").chars().chain(['\u{E007F}']).collect();
        assert!(
            !is_flag_tag_sequence(&shout),
            "uppercase tags are not a flag"
        );
    }
}
