//! Pure decoders for the encoded-payload check: base64 (standard and URL-safe),
//! base32, hex, percent-encoding, ROT13 and leetspeak, plus the test for whether
//! decoded bytes read as text. They allocate only their output, never panic, and
//! answer `None` for malformed input instead of guessing, so a caller can try
//! each decoder on a candidate run and keep only what yields readable text.

/// Value of a base64 digit. Both alphabets are accepted at once ('+' and '-'
/// are 62, '/' and '_' are 63): attackers mix them freely and a decoder that
/// rejects the mix would only hide the payload.
fn base64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Value of an RFC 4648 base32 digit (uppercase only, as the RFC writes it).
fn base32_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'2'..=b'7' => Some(u32::from(b - b'2') + 26),
        _ => None,
    }
}

/// Value of a hex digit in either case.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The digits before the '=' padding. Padding is optional, but where it is
/// present the whole input must fill complete blocks and use at most `max`
/// '=' (more would mean padding in the middle or a made-up length).
fn strip_padding(s: &[u8], block: usize, max: usize) -> Option<&[u8]> {
    let pad = s.iter().rev().take_while(|&&b| b == b'=').count();
    if pad == 0 {
        return Some(s);
    }
    if pad > max || !s.len().is_multiple_of(block) {
        return None;
    }
    s.get(..s.len() - pad)
}

/// Packs `bits`-bit digits into bytes, most significant bit first. Leftover
/// bits at the end are dropped even when non-zero: lenient on purpose, since
/// hand-made payloads often get them wrong and still decode in other tools.
fn pack(digits: &[u8], bits: u32, value: fn(u8) -> Option<u32>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(digits.len() * bits as usize / 8);
    let (mut acc, mut held) = (0u32, 0u32);
    for &d in digits {
        acc = (acc << bits) | value(d)?;
        held += bits;
        if held >= 8 {
            held -= 8;
            out.push((acc >> held) as u8);
            // Keep only the bits not yet written, so `acc` never overflows.
            acc &= (1 << held) - 1;
        }
    }
    Some(out)
}

/// RFC 4648 base64, standard or URL-safe alphabet (mixing them is accepted),
/// padding optional; `None` if not valid base64 (a digit count of 1 mod 4, a
/// character outside the alphabets, misplaced padding). Non-zero trailing bits
/// are accepted. The empty string decodes to no bytes.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let digits = strip_padding(s.as_bytes(), 4, 2)?;
    if digits.len() % 4 == 1 {
        return None;
    }
    pack(digits, 6, base64_value)
}

/// RFC 4648 base32 (uppercase A–Z and 2–7, '=' padding optional); `None` for
/// other characters or a digit count no byte count can produce (1, 3 or 6 mod 8).
pub(crate) fn decode_base32(s: &str) -> Option<Vec<u8>> {
    let digits = strip_padding(s.as_bytes(), 8, 6)?;
    if matches!(digits.len() % 8, 1 | 3 | 6) {
        return None;
    }
    pack(digits, 5, base32_value)
}

/// Hex pairs (either case), even length, no separators; `None` otherwise.
pub(crate) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some((hex_value(*hi)? << 4) | hex_value(*lo)?),
            _ => None,
        })
        .collect()
}

/// Percent-decoding of a string; '+' stays '+' (form encoding is not assumed).
/// Invalid escapes such as `%zz` or a trailing `%` are kept literally; `None`
/// if the string holds no valid `%XX` escape at all, so plain text is never
/// reported as "decoded".
pub(crate) fn decode_percent(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut decoded_any = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex_value(hi).zip(hex_value(lo)),
            _ => None,
        };
        if let Some((hi, lo)) = escape {
            out.push((hi << 4) | lo);
            decoded_any = true;
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    decoded_any.then_some(out)
}

/// ROT13 of ASCII letters; everything else unchanged. Its own inverse.
pub(crate) fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from((c as u8 - b'a' + 13) % 26 + b'a'),
            'A'..='Z' => char::from((c as u8 - b'A' + 13) % 26 + b'A'),
            _ => c,
        })
        .collect()
}

/// Whether a character is something a person reads: letters, marks, numbers,
/// punctuation, symbols, spaces, `\n`, `\r`, `\t`. Controls, invisible format
/// characters, private use, noncharacters and U+FFFD are not: they are what
/// binary data or a hidden channel looks like once forced into UTF-8.
fn is_printable(c: char) -> bool {
    match c {
        '\n' | '\r' | '\t' => true,
        _ if c.is_control() => false,
        '\u{AD}'
        | '\u{600}'..='\u{605}'
        | '\u{61C}'
        | '\u{6DD}'
        | '\u{70F}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{FDD0}'..='\u{FDEF}'
        | '\u{FEFF}'
        | '\u{FFF0}'..='\u{FFFF}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{F0000}'..='\u{10FFFF}' => false,
        _ => true,
    }
}

/// The bytes as text if they are valid UTF-8 and at least `min_ratio` (0.0–1.0)
/// of the characters are printable (letters, marks, numbers, punctuation,
/// symbols, spaces, `\n` `\r` `\t`); `None` otherwise. Empty input is
/// vacuously text and gives `Some("")`.
pub(crate) fn as_printable_text(bytes: &[u8], min_ratio: f32) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (mut total, mut printable) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        printable += usize::from(is_printable(c));
    }
    if (printable as f64) < f64::from(min_ratio) * total as f64 {
        return None;
    }
    Some(text.to_owned())
}

/// Undoes common leetspeak: 0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b, @→a, $→s, !→i,
/// |→l, and lowercases ASCII letters. Every replacement is ASCII for ASCII and
/// non-ASCII characters pass through unchanged, so the output has exactly the
/// input's byte length and offsets found in it map back one to one.
pub(crate) fn unleet(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            '8' => 'b',
            '|' => 'l',
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const RFC: [(&str, &str, &str, &str); 7] = [
        ("", "", "", ""),
        ("f", "Zg==", "MY======", "66"),
        ("fo", "Zm8=", "MZXQ====", "666F"),
        ("foo", "Zm9v", "MZXW6===", "666F6F"),
        ("foob", "Zm9vYg==", "MZXW6YQ=", "666F6F62"),
        ("fooba", "Zm9vYmE=", "MZXW6YTB", "666F6F6261"),
        ("foobar", "Zm9vYmFy", "MZXW6YTBOI======", "666F6F626172"),
    ];

    #[test]
    fn rfc4648_vectors() {
        for (plain, b64, b32, hex) in RFC {
            assert_eq!(
                decode_base64(b64).as_deref(),
                Some(plain.as_bytes()),
                "{b64}"
            );
            let unpadded = b64.trim_end_matches('=');
            assert_eq!(decode_base64(unpadded).as_deref(), Some(plain.as_bytes()));
            assert_eq!(
                decode_base32(b32).as_deref(),
                Some(plain.as_bytes()),
                "{b32}"
            );
            let unpadded = b32.trim_end_matches('=');
            assert_eq!(decode_base32(unpadded).as_deref(), Some(plain.as_bytes()));
            assert_eq!(decode_hex(hex).as_deref(), Some(plain.as_bytes()), "{hex}");
            assert_eq!(
                decode_hex(&hex.to_lowercase()).as_deref(),
                Some(plain.as_bytes())
            );
        }
    }

    #[test]
    fn base64_url_safe_and_mixed() {
        // 0xfb 0xff 0xbf is "+/+/" in the standard alphabet and "-_-_" in the URL-safe one.
        assert_eq!(decode_base64("-_-_"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(decode_base64("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(decode_base64("+_-/"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(decode_base64("aWdub3Jl").as_deref(), Some(&b"ignore"[..]));
        // Non-zero trailing bits are accepted ("Zh" carries 4 extra bits).
        assert_eq!(decode_base64("Zh"), Some(b"f".to_vec()));
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "Z", "Zm9vY", "Zm9v!", "Zm 9v", "Zm=9v", "Zg===", "====", "=", "Zg=", "é",
        ] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
        for bad in [
            "M",
            "MZX",
            "MZXW6Y",
            "mzxw6===",
            "MZXW1===",
            "MY=====",
            "MZXW6===A",
            "========",
        ] {
            assert_eq!(decode_base32(bad), None, "{bad}");
        }
        for bad in ["6", "666", "6g", "66 6F", "0x66", "é6"] {
            assert_eq!(decode_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn percent() {
        assert_eq!(
            decode_percent("%69%67%6E%6F%72%65").as_deref(),
            Some(&b"ignore"[..])
        );
        assert_eq!(
            decode_percent("a+b%20c%zz%").as_deref(),
            Some(&b"a+b c%zz%"[..])
        );
        assert_eq!(
            decode_percent("%e2%9c%93 ok").as_deref(),
            Some("✓ ok".as_bytes())
        );
        for none in ["", "plain text", "%", "%%", "%g1", "100%", "%4"] {
            assert_eq!(decode_percent(none), None, "{none}");
        }
    }

    #[test]
    fn rot13_round_trip() {
        assert_eq!(rot13("Hello, World! 123 ü"), "Uryyb, Jbeyq! 123 ü");
        assert_eq!(
            rot13("vtaber cerivbhf vafgehpgvbaf"),
            "ignore previous instructions"
        );
        let s = "The quick brown fox jumps over the lazy dog. Ärger?";
        assert_eq!(rot13(&rot13(s)), s);
    }

    #[test]
    fn unleet_keeps_length() {
        assert_eq!(unleet("1gn0r3"), "ignore");
        assert_eq!(unleet("PR3V10U5 1N57RUC710N5"), "previous instructions");
        assert_eq!(unleet("@$!|8"), "asilb");
        for s in ["Sy$t3m pr0mpt!", "ünïcødé 1337", ""] {
            assert_eq!(unleet(s).len(), s.len());
        }
    }

    #[test]
    fn printable_text() {
        assert_eq!(
            as_printable_text(b"ignore all\n", 0.9).as_deref(),
            Some("ignore all\n")
        );
        assert_eq!(
            as_printable_text("Grüße, 世界 ✓".as_bytes(), 1.0).as_deref(),
            Some("Grüße, 世界 ✓")
        );
        assert_eq!(as_printable_text(b"", 0.9).as_deref(), Some(""));
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(as_printable_text(&all, 0.9), None);
        // Valid UTF-8 made of controls and invisibles is not text.
        assert_eq!(
            as_printable_text("\u{1}\u{2}\u{200B}\u{E0041}ab".as_bytes(), 0.9),
            None
        );
        assert!(as_printable_text("\u{1}abcdefghij".as_bytes(), 0.9).is_some());
        assert_eq!(as_printable_text("\u{1}abcdefgh".as_bytes(), 0.9), None);
        assert_eq!(as_printable_text(&[0xff, b'a'], 0.0), None);
    }

    #[test]
    fn odd_inputs_never_panic() {
        let long_pct = "%".repeat(100_000);
        let inputs = [
            "".to_string(),
            long_pct.clone(),
            "%é%ü%".to_string(),
            "%%%41".to_string(),
            "é".repeat(10_000),
            "A".repeat(100_001),
            "=".repeat(1000),
            "%F0%9F%98".to_string(),
        ];
        for s in &inputs {
            let _ = (
                decode_base64(s),
                decode_base32(s),
                decode_hex(s),
                decode_percent(s),
            );
            assert_eq!(rot13(&rot13(s)), *s);
            assert_eq!(unleet(s).len(), s.len());
            let _ = as_printable_text(s.as_bytes(), 0.9);
        }
        assert_eq!(decode_percent("%%%41").as_deref(), Some(&b"%%A"[..]));
        assert_eq!(decode_percent(&long_pct), None);
        assert_eq!(
            decode_base64(&"A".repeat(100_000)).map(|v| v.len()),
            Some(75_000)
        );
        // A truncated UTF-8 sequence decodes to bytes that are not text.
        let bytes = decode_percent("%F0%9F%98").unwrap_or_default();
        assert_eq!(as_printable_text(&bytes, 0.5), None);
    }
}
