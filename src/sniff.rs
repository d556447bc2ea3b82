//! What the bytes really are, by magic numbers. A file name or MIME type says
//! what the sender claims; only the bytes decide how an input is parsed, and a
//! claim that disagrees with them is itself worth reporting (a "photo.png" that
//! is a PDF, an "image/jpeg" that is an SVG with script in it). Also the
//! signatures of files hidden inside another (polyglots).

/// An image format the image guard decodes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG (and APNG, whose first frame is a PNG).
    Png,
    /// JPEG (JFIF, EXIF, baseline or progressive).
    Jpeg,
    /// GIF 87a or 89a.
    Gif,
    /// WebP, lossy or lossless.
    WebP,
    /// Windows bitmap.
    Bmp,
}

impl ImageFormat {
    /// The MIME type, e.g. `"image/png"`.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Gif => "image/gif",
            ImageFormat::WebP => "image/webp",
            ImageFormat::Bmp => "image/bmp",
        }
    }

    /// A short lower-case name, e.g. `"png"`.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Gif => "gif",
            ImageFormat::WebP => "webp",
            ImageFormat::Bmp => "bmp",
        }
    }
}

/// What an input's leading bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// An image format the guard decodes.
    Image(ImageFormat),
    /// A recognized format the guard does not decode, by name ("HEIC", "SVG", ...).
    Other(&'static str),
    /// Nothing recognized.
    Unknown,
}

/// Formats recognized but not decoded, by signature at offset 0.
const OTHER_SIGNATURES: &[(&[u8], &str)] = &[
    (b"II*\0", "TIFF"),
    (b"MM\0*", "TIFF"),
    (b"%PDF-", "PDF"),
    (b"8BPS", "PSD"),
    (b"\0\0\x01\0", "ICO"),
    (b"\0\0\x02\0", "CUR"),
    (b"\xFF\x0A", "JPEG XL"),
    (b"\0\0\0\x0CJXL \r\n\x87\n", "JPEG XL"),
    (b"\0\0\0\x0CjP  \r\n\x87\n", "JPEG 2000"),
    (b"qoif", "QOI"),
    (b"#?RADIANCE", "HDR"),
    (b"\x76\x2F\x31\x01", "OpenEXR"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1F\x8B", "gzip"),
    (b"\x7FELF", "ELF executable"),
    (b"MZ", "Windows executable"),
];

/// ISO base media (`ftyp`) brands of formats recognized but not decoded.
const FTYP_BRANDS: &[(&[u8; 4], &str)] = &[
    (b"heic", "HEIC"),
    (b"heix", "HEIC"),
    (b"hevc", "HEIC"),
    (b"heim", "HEIC"),
    (b"heis", "HEIC"),
    (b"mif1", "HEIF"),
    (b"msf1", "HEIF"),
    (b"avif", "AVIF"),
    (b"avis", "AVIF"),
];

/// What `bytes` are, from their first bytes alone.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Image(ImageFormat::Png);
    }
    if starts(b"\xFF\xD8\xFF") {
        return Sniffed::Image(ImageFormat::Jpeg);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Image(ImageFormat::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Sniffed::Image(ImageFormat::WebP);
    }
    if starts(b"BM") && bytes.len() >= 26 {
        return Sniffed::Image(ImageFormat::Bmp);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        if let Some(brand) = bytes.get(8..12) {
            for (b, name) in FTYP_BRANDS {
                if brand == *b {
                    return Sniffed::Other(name);
                }
            }
        }
    }
    if let Some((_, name)) = OTHER_SIGNATURES.iter().find(|(sig, _)| starts(sig)) {
        return Sniffed::Other(name);
    }
    if looks_like_markup(bytes) {
        return Sniffed::Other(if find_ascii_ci(head(bytes), b"<svg").is_some() {
            "SVG"
        } else {
            "HTML or XML"
        });
    }
    Sniffed::Unknown
}

/// The first KiB, where a markup document names itself.
fn head(bytes: &[u8]) -> &[u8] {
    bytes.get(..1024).unwrap_or(bytes)
}

/// Text that starts (after a byte-order mark and white space) with `<`.
fn looks_like_markup(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|&c| c == b'<')
}

/// Offset of `needle` in `hay`, ASCII letters matched in any case.
pub(crate) fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(off) = hay
        .get(from..)?
        .iter()
        .position(|&c| c.eq_ignore_ascii_case(&first))
    {
        let at = from + off;
        if hay
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The image format a caller's declared type names: a MIME type
/// (`image/png`), a file name (`photo.JPG`) or an extension (`.webp`).
/// `None` when it names none of the formats the guard decodes.
pub fn declared_format(declared: &str) -> Option<ImageFormat> {
    let d = declared.trim().to_ascii_lowercase();
    let mime = d.split(';').next().unwrap_or("").trim();
    let by_mime = match mime {
        "image/png" | "image/apng" => Some(ImageFormat::Png),
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(ImageFormat::Jpeg),
        "image/gif" => Some(ImageFormat::Gif),
        "image/webp" => Some(ImageFormat::WebP),
        "image/bmp" | "image/x-bmp" | "image/x-ms-bmp" => Some(ImageFormat::Bmp),
        _ => None,
    };
    if by_mime.is_some() || mime.contains('/') {
        return by_mime;
    }
    let ext = d.rsplit('.').next().unwrap_or("");
    match ext {
        "png" | "apng" => Some(ImageFormat::Png),
        "jpg" | "jpeg" | "jpe" | "jfif" => Some(ImageFormat::Jpeg),
        "gif" => Some(ImageFormat::Gif),
        "webp" => Some(ImageFormat::WebP),
        "bmp" | "dib" => Some(ImageFormat::Bmp),
        _ => None,
    }
}

/// Signatures of files that do not belong inside an image or a recording,
/// with their names.
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
            .filter_map(|(sig, name)| find_ascii_ci(part, sig).map(|at| (base + at, *name)))
            .min_by_key(|(at, _)| *at);
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_by_magic() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n...."),
            Sniffed::Image(ImageFormat::Png)
        );
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0"),
            Sniffed::Image(ImageFormat::Jpeg)
        );
        assert_eq!(sniff(b"GIF89a.."), Sniffed::Image(ImageFormat::Gif));
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Sniffed::Image(ImageFormat::WebP)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Sniffed::Unknown);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Other("PDF"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Sniffed::Other("HEIC"));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif"), Sniffed::Other("AVIF"));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF  <?xml version='1.0'?><SVG>"),
            Sniffed::Other("SVG")
        );
        assert_eq!(sniff(b"<html><script>"), Sniffed::Other("HTML or XML"));
        assert_eq!(sniff(b""), Sniffed::Unknown);
        assert_eq!(sniff(b"BM"), Sniffed::Unknown);
    }

    #[test]
    fn declared_types_by_mime_or_name() {
        assert_eq!(declared_format("image/JPEG; q=1"), Some(ImageFormat::Jpeg));
        assert_eq!(declared_format("holiday.Photo.PNG"), Some(ImageFormat::Png));
        assert_eq!(declared_format(".webp"), Some(ImageFormat::WebP));
        assert_eq!(declared_format("image/svg+xml"), None);
        assert_eq!(declared_format("notes.txt"), None);
        assert_eq!(declared_format(""), None);
    }
}
