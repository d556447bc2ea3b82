//! Where a compressed recording's stream ends, so that what follows it (an
//! appended archive, a script) is reported: Ogg pages, MP4 boxes and ADTS
//! frames each say their own length and are walked by their headers alone.
//! FLAC and MP3 frames do not, and the decoder skips what is not a frame;
//! for them only files hidden near the end are looked for, by signature.
//! Tags that close a file (ID3v1, APE) are metadata the decoder reads, not
//! trailing data.

use super::Format;

/// Where the stream of `bytes` (in `format`) ends, when its structure says;
/// `None` for FLAC and MP3, and for WAV (its own walker knows).
pub(crate) fn stream_end(bytes: &[u8], format: Format) -> Option<usize> {
    let data = bytes.get(..closing_tags_start(bytes)).unwrap_or(bytes);
    match format {
        Format::Ogg => Some(ogg_end(data)),
        Format::Mp4 => Some(mp4_end(data)),
        Format::Aac => Some(adts_end(data)),
        Format::Wav | Format::Flac | Format::Mp3 => None,
    }
    .map(|end| end.min(data.len()))
}

/// Where the tags that may close a file begin: an APE tag (a 32-byte footer
/// whose size counts its items and itself, after a 32-byte header when
/// flagged), then an ID3v1 tag (the last 128 bytes, from "TAG").
pub(crate) fn closing_tags_start(bytes: &[u8]) -> usize {
    let mut last = bytes.len();
    if let Some(footer) = last.checked_sub(32).and_then(|at| bytes.get(at..last)) {
        if footer.starts_with(b"APETAGEX") {
            let field = |at: usize| {
                footer
                    .get(at..at + 4)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u32::from_le_bytes) as usize
            };
            let header = if field(20) & 0x8000_0000 != 0 { 32 } else { 0 };
            last = last.saturating_sub(field(12).saturating_add(header));
        }
    }
    if let Some(at) = last.checked_sub(128) {
        if bytes.get(at..at + 3) == Some(b"TAG") {
            last = at;
        }
    }
    last
}

/// The end of the last whole Ogg page: a 27-byte header whose last byte
/// counts the segments, their lengths, then the body.
fn ogg_end(b: &[u8]) -> usize {
    let mut at = 0;
    while b.get(at..at + 4) == Some(b"OggS") {
        let Some(&segments) = b.get(at + 26) else {
            break;
        };
        let table = at + 27;
        let Some(lengths) = b.get(table..table + usize::from(segments)) else {
            break;
        };
        let body: usize = lengths.iter().map(|&l| usize::from(l)).sum();
        let next = table + usize::from(segments) + body;
        if next > b.len() {
            break;
        }
        at = next;
    }
    at
}

/// The end of the last whole top-level MP4 box: a 32-bit size (1: a 64-bit
/// size follows the type; 0: to the end of the file) and a type.
fn mp4_end(b: &[u8]) -> usize {
    let mut at = 0usize;
    while let Some(size) = b
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_be_bytes)
    {
        let size = match size {
            0 => return b.len(),
            1 => b
                .get(at + 8..at + 16)
                .and_then(|s| s.try_into().ok())
                .map_or(0, u64::from_be_bytes),
            n => u64::from(n),
        };
        let Some(next) = usize::try_from(size)
            .ok()
            .filter(|&n| n >= 8)
            .and_then(|n| at.checked_add(n))
            .filter(|&n| n <= b.len())
        else {
            break;
        };
        at = next;
    }
    at
}

/// The end of the last whole ADTS frame: 12 sync bits, and a 13-bit frame
/// length (header included) in bytes 3 to 5.
fn adts_end(b: &[u8]) -> usize {
    let mut at = 0;
    while let Some(&[0xFF, b1, _, b3, b4, b5]) = b.get(at..at + 6) {
        if b1 & 0xF0 != 0xF0 {
            break;
        }
        let len = (usize::from(b3 & 0x03) << 11) | (usize::from(b4) << 3) | usize::from(b5 >> 5);
        if len < 7 || at + len > b.len() {
            break;
        }
        at += len;
    }
    at
}

/// The first file hidden in `bytes`' last 64 KiB, found by signatures long
/// enough not to turn up by chance in compressed audio (archives, documents,
/// executables, markup; not pictures, which tags may hold): its offset and
/// name.
pub(crate) fn hidden_file(bytes: &[u8]) -> Option<(usize, &'static str)> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "ZIP archive"),
        (b"PK\x05\x06", "ZIP archive"),
        (b"%PDF-", "PDF document"),
        (b"Rar!\x1A\x07", "RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
        (b"\x7FELF", "ELF executable"),
        (b"<script", "HTML script"),
        (b"<html", "HTML document"),
        (b"<?php", "PHP script"),
    ];
    let from = bytes.len().saturating_sub(64 << 10);
    let tail = bytes.get(from..)?;
    SIGNATURES
        .iter()
        .filter_map(|(sig, name)| {
            tail.windows(sig.len())
                .position(|w| w.eq_ignore_ascii_case(sig))
                .map(|at| (from + at, *name))
        })
        .min_by_key(|(at, _)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ogg_page(body: &[u8]) -> Vec<u8> {
        let mut p = b"OggS".to_vec();
        p.resize(26, 0);
        let segments: Vec<u8> = body
            .chunks(255)
            .map(|c| c.len() as u8)
            .chain(body.len().is_multiple_of(255).then_some(0))
            .collect();
        p.push(segments.len() as u8);
        p.extend(segments);
        p.extend_from_slice(body);
        p
    }

    #[test]
    fn each_structure_is_walked_to_its_end() {
        let pages = [ogg_page(&[1; 300]), ogg_page(&[2; 10])].concat();
        assert_eq!(stream_end(&pages, Format::Ogg), Some(pages.len()));
        let mut appended = pages.clone();
        appended.extend_from_slice(b"PK\x03\x04 zip");
        assert_eq!(stream_end(&appended, Format::Ogg), Some(pages.len()));
        // A page cut short ends the stream before it.
        // A page cut short ends the stream before it (the first page: a
        // header, two segment lengths and 300 bytes).
        assert_eq!(
            stream_end(&pages[..pages.len() - 1], Format::Ogg),
            Some(329)
        );

        let mut mp4 = Vec::new();
        for (kind, len) in [(b"ftyp", 16u32), (b"mdat", 100), (b"moov", 40)] {
            mp4.extend_from_slice(&len.to_be_bytes());
            mp4.extend_from_slice(kind);
            mp4.resize(mp4.len() + len as usize - 8, 0);
        }
        assert_eq!(stream_end(&mp4, Format::Mp4), Some(156));
        mp4.extend_from_slice(b"junk after the boxes");
        assert_eq!(stream_end(&mp4, Format::Mp4), Some(156));

        let frame = |len: usize| {
            let mut f = vec![0xFF, 0xF1, 0x50, 0x80, 0, 0];
            f[3] |= ((len >> 11) & 0x03) as u8;
            f[4] = ((len >> 3) & 0xFF) as u8;
            f[5] = ((len & 0x07) << 5) as u8;
            f.resize(len, 0);
            f
        };
        let adts = [frame(20), frame(33)].concat();
        assert_eq!(stream_end(&adts, Format::Aac), Some(53));
        let mut tagged = adts.clone();
        tagged.extend_from_slice(b"TAG");
        tagged.resize(53 + 128, b' ');
        assert_eq!(stream_end(&tagged, Format::Aac), Some(53));
        assert_eq!(closing_tags_start(&tagged), 53);
        assert_eq!(stream_end(&adts, Format::Flac), None);
    }

    #[test]
    fn files_hidden_near_the_end_are_found_by_long_signatures() {
        let mut b = vec![0x1Fu8, 0x8B, 0x08, 0x89, b'P', b'N', b'G'];
        assert_eq!(hidden_file(&b), None);
        b.extend_from_slice(b"..<SCRIPT>alert(1)</script>");
        assert_eq!(hidden_file(&b), Some((9, "HTML script")));
    }
}
