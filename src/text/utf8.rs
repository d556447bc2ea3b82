//! Byte-level helpers for the walks over the text. Every check walks the whole
//! text, so these are where the time goes: ASCII runs are skipped eight bytes
//! at a time, and a character is decoded from bytes already known to be valid
//! UTF-8 (they come from a `&str`) without re-validating them.

/// The first byte at or after `from` that is not ASCII, or `bytes.len()`.
#[inline]
pub(crate) fn next_non_ascii(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        if word(chunk) & HIGH != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b >= 0x80 {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The positions of byte `needle` in `bytes`, found as [`next_where`] finds
/// them (faster in wasm than `memchr`, which reads a 32-bit word at a time there).
pub(crate) fn positions_of(bytes: &[u8], needle: u8) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = next_where(bytes, from, |c| c == needle)?;
        from = at + 1;
        Some(at)
    })
}

/// The maximal runs of bytes in `class` that are at least `min` bytes long, in
/// order. Until a byte in a run is found only every `min`-th byte is looked
/// at: a run that long cannot fall between two of them. Keys and tokens are
/// long runs in text that is mostly short words.
pub(crate) fn long_runs(
    bytes: &[u8],
    min: usize,
    class: impl Fn(u8) -> bool + Copy,
) -> Vec<(usize, usize)> {
    let step = min.max(1);
    let in_class = |i: usize| bytes.get(i).is_some_and(|&c| class(c));
    let mut runs = Vec::new();
    let mut i = step - 1;
    while i < bytes.len() {
        if !in_class(i) {
            i += step;
            continue;
        }
        let mut start = i;
        while start > 0 && in_class(start - 1) {
            start -= 1;
        }
        let mut end = i + 1;
        while in_class(end) {
            end += 1;
        }
        if end - start >= min {
            runs.push((start, end));
        }
        // The byte at `end` is not in the class: a next run starts after it.
        i = end + step;
    }
    runs
}

/// Eight bytes (`chunk` is eight long) as one integer.
#[inline]
pub(crate) fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_le_bytes(w)
}

const HIGH: u64 = 0x8080_8080_8080_8080;

/// Characters and UTF-16 units of valid UTF-8, counted together eight bytes
/// at a time with population counts: a character per byte that is not a
/// continuation byte (`10xxxxxx`), a second UTF-16 unit per four-byte
/// sequence (lead byte `11110xxx`).
pub(crate) fn counts(bytes: &[u8]) -> (usize, usize) {
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    let (mut continuations, mut fours) = (0, 0);
    for c in chunks {
        let x = word(c);
        // Bit 7 set and bit 6 clear.
        continuations += (x & !(x << 1) & HIGH).count_ones() as usize;
        // Bits 7 to 4 all set.
        fours += (x & (x << 1) & (x << 2) & (x << 3) & HIGH).count_ones() as usize;
    }
    continuations += tail.iter().filter(|&&b| b & 0xC0 == 0x80).count();
    fours += tail.iter().filter(|&&b| b >= 0xF0).count();
    let chars = bytes.len() - continuations;
    (chars, chars + fours)
}

/// Characters in valid UTF-8.
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    counts(bytes).0
}

/// UTF-16 units of valid UTF-8.
pub(crate) fn utf16_len(bytes: &[u8]) -> usize {
    counts(bytes).1
}

/// The first byte at or after `from` for which `wanted` holds. Sixteen bytes
/// are tested at a time, without branches (the compiler vectorizes the test),
/// so text without such bytes is passed over several times faster than byte
/// by byte; `wanted` must be a cheap, branch-free test.
#[inline]
pub(crate) fn next_where(
    bytes: &[u8],
    from: usize,
    wanted: impl Fn(u8) -> bool + Copy,
) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 16) {
        if chunk.iter().fold(false, |any, &c| any | wanted(c)) {
            break;
        }
        i += 16;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&c| wanted(c))
        .map(|p| i + p)
}

/// The code point starting at byte `i` of valid UTF-8 and its length in bytes;
/// `(0, 1)` past the end or off a character boundary, which callers never ask for.
#[inline(always)]
pub(crate) fn decode(bytes: &[u8], i: usize) -> (u32, usize) {
    let cont = |k: usize| u32::from(bytes.get(i + k).copied().unwrap_or(0x80) & 0x3F);
    match bytes.get(i).copied() {
        Some(b @ 0x00..=0x7F) => (u32::from(b), 1),
        Some(b @ 0xC0..=0xDF) => ((u32::from(b & 0x1F) << 6) | cont(1), 2),
        Some(b @ 0xE0..=0xEF) => ((u32::from(b & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3),
        Some(b @ 0xF0..=0xF7) => (
            (u32::from(b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        ),
        _ => (0, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn decode_agrees_with_std_on_every_width() {
        let s = "a\u{e9}\u{4E2D}\u{1F600}z\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}";
        let mut ours = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let (cp, len) = decode(s.as_bytes(), i);
            ours.push((i, char::from_u32(cp).unwrap()));
            i += len;
        }
        assert_eq!(ours, s.char_indices().collect::<Vec<_>>());
        assert_eq!(decode(s.as_bytes(), s.len()), (0, 1), "past the end");
    }

    #[test]
    fn counts_agree_with_std() {
        let s = "a\u{e9}\u{4E2D}\u{1F600}z\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}";
        for n in 0..40 {
            let t = s.repeat(n % 3 + 1);
            let t = &t[..t.char_indices().nth(n).map_or(t.len(), |(i, _)| i)];
            assert_eq!(char_count(t.as_bytes()), t.chars().count(), "{t:?}");
            assert_eq!(utf16_len(t.as_bytes()), t.encode_utf16().count(), "{t:?}");
        }
    }

    #[test]
    fn skips_find_the_first_byte_of_the_other_kind() {
        for pad in 0..20 {
            let s = format!("{}\u{e9}{}x", "a".repeat(pad), "\u{4E2D}".repeat(pad));
            let b = s.as_bytes();
            assert_eq!(next_non_ascii(b, 0), pad);
            assert_eq!(next_non_ascii(b, s.len() - 1), s.len());
            let d = format!("{s}{}7", "x".repeat(pad));
            let runs = long_runs(d.as_bytes(), 3, |c| c == b'x');
            // `s` ends with an "x" of its own.
            let expected = if pad >= 2 {
                vec![(s.len() - 1, s.len() + pad)]
            } else {
                vec![]
            };
            assert_eq!(runs, expected);
            assert_eq!(
                next_where(d.as_bytes(), 0, |c| c.is_ascii_digit()),
                Some(d.len() - 1)
            );
            assert_eq!(next_where(s.as_bytes(), 0, |c| c.is_ascii_digit()), None);
        }
    }
}
