//! Other files hidden in an image (polyglots: an image that is also a ZIP,
//! a PDF or a script), by the signatures in [`crate::sniff`]; the bytes after
//! its end are reported by `Found::trailing` (src/found.rs), as a
//! recording's are.

pub(crate) use crate::sniff::embedded_file;

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
