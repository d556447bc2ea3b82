//! Position bookkeeping: the character pass removes and replaces characters, so
//! later checks run on a shorter text. [`EditMap`] maps their byte offsets back to
//! the caller's input, and [`Utf16Index`] turns input byte offsets into the UTF-16
//! offsets a JavaScript caller highlights with.

/// Maps byte offsets of the edited text back to byte offsets of the input.
///
/// Anchors are recorded after every edit: from an anchor on, both texts advance
/// together until the next one, so a lookup is one binary search and an addition.
#[derive(Debug, Clone)]
pub(crate) struct EditMap {
    /// `(edited_offset, input_offset)`, both strictly increasing in `edited_offset`
    /// order except that several anchors may share an edited offset (the last wins).
    anchors: Vec<(usize, usize)>,
}

impl EditMap {
    pub(crate) fn new() -> Self {
        EditMap {
            anchors: vec![(0, 0)],
        }
    }

    /// Records that edited offset `edited` corresponds to input offset `input`.
    pub(crate) fn anchor(&mut self, edited: usize, input: usize) {
        match self.anchors.last_mut() {
            Some(last) if last.0 == edited => last.1 = input,
            _ => self.anchors.push((edited, input)),
        }
    }

    /// The input offset of an edited-text offset.
    pub(crate) fn to_input(&self, edited: usize) -> usize {
        let i = self.anchors.partition_point(|a| a.0 <= edited);
        match i.checked_sub(1).and_then(|i| self.anchors.get(i)) {
            Some(&(e, inp)) => inp + (edited - e),
            None => edited,
        }
    }

    /// Maps a span, keeping it non-empty where the input span is.
    pub(crate) fn span_to_input(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.to_input(start);
        let e = self.to_input(end).max(s);
        (s, e)
    }
}

/// Converts UTF-8 byte offsets of one string to UTF-16 offsets in O(1) amortized:
/// a checkpoint every [`STRIDE`] bytes, then a short scan.
pub(crate) struct Utf16Index<'a> {
    text: &'a str,
    checkpoints: Vec<u32>,
    ascii: bool,
}

const STRIDE: usize = 512;

impl<'a> Utf16Index<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii {
            let mut units = 0u32;
            checkpoints.reserve(text.len() / STRIDE + 1);
            for block in text.as_bytes().chunks(STRIDE) {
                checkpoints.push(units);
                units += super::utf8::utf16_len(block) as u32;
            }
            // The end of a text whose length is a multiple of STRIDE starts a
            // block of its own, which needs its checkpoint too.
            if text.len().is_multiple_of(STRIDE) {
                checkpoints.push(units);
            }
        }
        Utf16Index {
            text,
            checkpoints,
            ascii,
        }
    }

    /// UTF-16 offset of byte offset `byte` (clamped to the text, floored to a char boundary).
    pub(crate) fn utf16(&self, byte: usize) -> u32 {
        let byte = byte.min(self.text.len());
        if self.ascii {
            return byte as u32;
        }
        let block = byte / STRIDE;
        let base = self.checkpoints.get(block).copied().unwrap_or(0);
        let from = block * STRIDE;
        let extra =
            super::utf8::utf16_len(self.text.as_bytes().get(from..byte).unwrap_or(&[])) as u32;
        base + extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn utf16_offsets_match_encode_utf16() {
        let s = "a\u{e9}\u{1F600}b\u{4E2D}x".repeat(200);
        let idx = Utf16Index::new(&s);
        for (i, _) in s.char_indices() {
            assert_eq!(
                idx.utf16(i) as usize,
                s[..i].encode_utf16().count(),
                "at {i}"
            );
        }
        assert_eq!(idx.utf16(s.len()) as usize, s.encode_utf16().count());
    }

    #[test]
    fn end_of_text_at_a_block_boundary() {
        for n in [STRIDE / 2, STRIDE, 2 * STRIDE] {
            let s = "\u{E9}".repeat(n); // 2 bytes each: n * 2 bytes, a multiple of STRIDE
            let idx = Utf16Index::new(&s);
            assert_eq!(idx.utf16(s.len()) as usize, n, "{} bytes", s.len());
        }
    }

    #[test]
    fn edit_map_skips_removed_ranges() {
        // input "ab__cd" with "__" (bytes 2..4) removed -> edited "abcd"
        let mut m = EditMap::new();
        m.anchor(2, 4);
        assert_eq!(m.to_input(0), 0);
        assert_eq!(m.to_input(1), 1);
        assert_eq!(m.to_input(2), 4);
        assert_eq!(m.to_input(3), 5);
        assert_eq!(m.span_to_input(1, 3), (1, 5));
    }
}
