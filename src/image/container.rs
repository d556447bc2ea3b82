//! Findings about the file around the pixels: bytes after the image's end,
//! other files hidden in it (polyglots: an image that is also a ZIP, a PDF or
//! a script), chunks the format does not define, and chunks that repeat.

use super::layout::Layout;

/// Signatures of files that do not belong inside an image, with their names.
/// Markup ones are matched in any case.
const EMBEDDED: &[(&[u8], &str)] = &[
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
    (b"\x1F\x8B\x08", "gzip data"),
    (b"\x7FELF", "ELF executable"),
    (b"<script", "HTML script"),
    (b"<html", "HTML document"),
    (b"<iframe", "HTML document"),
    (b"<svg", "SVG document"),
    (b"<?php", "PHP script"),
    (b"\x89PNG\r\n\x1A\n", "PNG image"),
    (b"GIF89a", "GIF image"),
    (b"%!PS-", "PostScript document"),
];

/// Signatures only meaningful where the data starts.
const EMBEDDED_AT_START: &[(&[u8], &str)] = &[
    (b"MZ", "Windows executable"),
    (b"#!/", "shell script"),
    (b"\xFF\xD8\xFF", "JPEG image"),
];

/// How far into a block the signatures are looked for, and how much of its
/// end (a ZIP's directory is at its end).
const SEARCH_HEAD: usize = 1 << 20;
const SEARCH_TAIL: usize = 64 << 10;

/// The first file signature found in `data`: its offset and name.
pub(crate) fn embedded_file(data: &[u8]) -> Option<(usize, &'static str)> {
    if let Some((_, name)) = EMBEDDED_AT_START
        .iter()
        .find(|(sig, _)| data.starts_with(sig))
    {
        return Some((0, name));
    }
    let head = data.get(..SEARCH_HEAD).unwrap_or(data);
    let tail_from = data.len().saturating_sub(SEARCH_TAIL).max(head.len());
    let tail = data.get(tail_from..).unwrap_or(&[]);
    for (part, base) in [(head, 0), (tail, tail_from)] {
        let found = EMBEDDED
            .iter()
            .filter_map(|(sig, name)| {
                crate::sniff::find_ascii_ci(part, sig).map(|at| (base + at, *name))
            })
            .min_by_key(|(at, _)| *at);
        if found.is_some() {
            return found;
        }
    }
    None
}

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
