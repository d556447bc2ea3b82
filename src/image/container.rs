//! Findings about the file around the pixels: bytes after the image's end,
//! other files hidden in it (polyglots: an image that is also a ZIP, a PDF or
//! a script), chunks the format does not define, and chunks that repeat.

use super::layout::Layout;
pub(crate) use crate::sniff::embedded_file;

/// What follows the image's end.
pub(crate) struct Trailing<'a> {
    pub(crate) start: usize,
    pub(crate) data: &'a [u8],
    /// A file found in it: offset in the input and what it is.
    pub(crate) embedded: Option<(usize, &'static str)>,
}

impl Trailing<'_> {
    /// Zero padding some writers leave: harmless, reported at low severity.
    pub(crate) fn is_padding(&self) -> bool {
        self.data.iter().all(|&b| b == 0)
    }
}

pub(crate) fn trailing<'a>(file: &'a [u8], layout: &Layout) -> Option<Trailing<'a>> {
    let data = file.get(layout.end..).filter(|d| !d.is_empty())?;
    Some(Trailing {
        start: layout.end,
        data,
        embedded: embedded_file(data).map(|(at, name)| (layout.end + at, name)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn finds_files_anywhere_in_the_first_mib_or_the_last_64_kib() {
        assert_eq!(
            embedded_file(b"junk PK\x03\x04 zip"),
            Some((5, "ZIP archive"))
        );
        assert_eq!(
            embedded_file(b"xx<ScRiPt>alert(1)"),
            Some((2, "HTML script"))
        );
        assert_eq!(embedded_file(b"MZ\x90\0"), Some((0, "Windows executable")));
        assert_eq!(embedded_file(b"a MZ b"), None);
        assert_eq!(embedded_file(b"\0\0\0\0"), None);
        assert_eq!(embedded_file(b""), None);
        let mut big = vec![0u8; 3 << 20];
        big.extend_from_slice(b"PK\x05\x06");
        big.extend_from_slice(&[0; 18]);
        assert_eq!(embedded_file(&big), Some((3 << 20, "ZIP archive")));
    }
}
