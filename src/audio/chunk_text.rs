//! The text a WAV file's metadata chunks carry, for the text guard: `LIST`
//! chunks of type `INFO` (title, artist, comment, ...), `bext` (the
//! broadcast extension: description, originator, coding history) and `id3 `
//! (an ID3v2 tag: its text, comment, lyrics and link frames). Each is read
//! field by field within its chunk, never past it; a field that does not fit
//! ends the reading of that chunk.

/// Texts read from one chunk, at most.
const MAX_TEXTS: usize = 64;

/// The texts of a chunk with this id and payload, as (field, text).
pub(crate) fn texts(id: &str, payload: &[u8]) -> Vec<(String, String)> {
    let mut out = match id {
        "LIST" => info_texts(payload),
        "bext" => bext_texts(payload),
        "id3 " | "ID3 " => id3_texts(payload),
        _ => Vec::new(),
    };
    out.retain(|(_, t)| !t.trim().is_empty());
    out.truncate(MAX_TEXTS);
    out
}

/// A text up to its first NUL, read leniently (invalid UTF-8 replaced).
fn until_nul(b: &[u8]) -> String {
    let text = b.split(|&c| c == 0).next().unwrap_or(&[]);
    String::from_utf8_lossy(text).into_owned()
}

/// Texts of a `LIST` chunk of type `INFO`: each sub-chunk's id and its
/// text up to the first NUL.
fn info_texts(list: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if list.get(..4) != Some(b"INFO") {
        return out;
    }
    let mut at = 4;
    while let (Some(id), Some(size)) = (list.get(at..at + 4), list.get(at + 4..at + 8)) {
        let size = u32::from_le_bytes(size.try_into().unwrap_or([0; 4])) as usize;
        let start = at + 8;
        let Some(value) = start.checked_add(size).and_then(|e| list.get(start..e)) else {
            break;
        };
        if out.len() < MAX_TEXTS {
            out.push((String::from_utf8_lossy(id).into_owned(), until_nul(value)));
        }
        at = start + size + (size & 1);
    }
    out
}

/// The text fields of a `bext` chunk (EBU Tech 3285): fixed-size
/// description, originator and its reference, and the coding history that
/// runs to the chunk's end.
fn bext_texts(b: &[u8]) -> Vec<(String, String)> {
    const FIELDS: [(&str, usize, usize); 3] = [
        ("Description", 0, 256),
        ("Originator", 256, 288),
        ("OriginatorReference", 288, 320),
    ];
    let mut out: Vec<(String, String)> = FIELDS
        .iter()
        .filter_map(|&(name, from, to)| {
            let field = b.get(from..to.min(b.len()))?;
            Some((name.to_owned(), until_nul(field)))
        })
        .collect();
    if let Some(history) = b.get(602..) {
        out.push(("CodingHistory".to_owned(), until_nul(history)));
    }
    out
}

/// A 28-bit "synchsafe" integer (seven bits per byte).
fn synchsafe(b: &[u8]) -> Option<usize> {
    let b: [u8; 4] = b.try_into().ok()?;
    Some(
        b.iter()
            .fold(0usize, |n, &x| (n << 7) | usize::from(x & 0x7F)),
    )
}

/// Text frames of an ID3v2.3 or v2.4 tag: `T***` (`TXXX` with its
/// description), `COMM` and `USLT` (after their language and description),
/// and the links `W***`.
fn id3_texts(tag: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (Some(b"ID3"), Some(&[major, _, _])) = (tag.get(..3), tag.get(3..6)) else {
        return out;
    };
    if !(3..=4).contains(&major) {
        return out;
    }
    let Some(size) = tag.get(6..10).and_then(synchsafe) else {
        return out;
    };
    let frames = tag.get(10..(10 + size).min(tag.len())).unwrap_or(&[]);
    let mut at = 0;
    while let (Some(id), Some(len)) = (frames.get(at..at + 4), frames.get(at + 4..at + 8)) {
        if id.first().is_none_or(|&c| c == 0) {
            break; // padding
        }
        let len = if major == 4 {
            synchsafe(len)
        } else {
            len.try_into().ok().map(|b| u32::from_be_bytes(b) as usize)
        };
        let start = at + 10;
        let Some(body) = len.and_then(|l| frames.get(start..start.checked_add(l)?)) else {
            break;
        };
        let name = String::from_utf8_lossy(id).into_owned();
        if let Some(text) = id3_frame_text(&name, body) {
            out.push((name, text));
        }
        if out.len() >= MAX_TEXTS {
            break;
        }
        at = start + body.len();
    }
    out
}

/// The text of one ID3v2 frame, if it holds text.
fn id3_frame_text(id: &str, body: &[u8]) -> Option<String> {
    if id.starts_with('W') && id != "WXXX" {
        return Some(until_nul(body));
    }
    let (&encoding, rest) = body.split_first()?;
    let rest = match id {
        // Language (three bytes), then a description before the text.
        "COMM" | "USLT" => rest.get(3..)?,
        _ if id.starts_with('T') || id == "WXXX" => rest,
        _ => return None,
    };
    let strings = id3_strings(encoding, rest);
    match id {
        // A description and then the value: both are text a reader sees.
        "TXXX" | "WXXX" | "COMM" | "USLT" => Some(strings.join("\n")),
        _ => Some(strings.join(" / ")),
    }
}

/// The NUL-separated strings of a frame body in ID3's text `encoding`:
/// 0 Latin-1, 1 UTF-16 with a byte-order mark, 2 UTF-16BE, 3 UTF-8.
fn id3_strings(encoding: u8, b: &[u8]) -> Vec<String> {
    match encoding {
        1 | 2 => {
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|p| {
                    u16::from_be_bytes([
                        p.first().copied().unwrap_or(0),
                        p.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            let mut out = Vec::new();
            for part in units.split(|&u| u == 0) {
                // A little-endian byte-order mark reads as 0xFFFE big-endian.
                let (little, part) = match part.split_first() {
                    Some((0xFFFE, rest)) => (true, rest),
                    Some((0xFEFF, rest)) => (false, rest),
                    _ => (false, part),
                };
                let part: Vec<u16> = if little {
                    part.iter().map(|u| u.swap_bytes()).collect()
                } else {
                    part.to_vec()
                };
                out.push(String::from_utf16_lossy(&part));
            }
            out
        }
        0 => b
            .split(|&c| c == 0)
            .map(|s| s.iter().map(|&c| char::from(c)).collect())
            .collect(),
        _ => b
            .split(|&c| c == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect(),
    }
    .into_iter()
    .filter(|s: &String| !s.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn info_texts_are_read_and_broken_lists_stop() {
        let list = b"INFOINAM\x05\0\0\0Title\0ICMT\x03\0\0\0hi\0ISFT\xFF\0\0\0x";
        assert_eq!(
            texts("LIST", list),
            [
                ("INAM".to_owned(), "Title".to_owned()),
                ("ICMT".to_owned(), "hi".to_owned())
            ]
        );
        assert!(texts("LIST", b"adtl").is_empty());
    }

    #[test]
    fn bext_fields_are_read_where_the_standard_puts_them() {
        let mut b = vec![0u8; 602];
        b[..11].copy_from_slice(b"Description");
        b[256..262].copy_from_slice(b"Studio");
        b.extend_from_slice(b"A=PCM,F=48000\r\n");
        let t = texts("bext", &b);
        assert_eq!(
            t,
            [
                ("Description".to_owned(), "Description".to_owned()),
                ("Originator".to_owned(), "Studio".to_owned()),
                ("CodingHistory".to_owned(), "A=PCM,F=48000\r\n".to_owned()),
            ]
        );
        // Cut short: what is there is read, nothing past the end.
        assert_eq!(
            texts("bext", &b[..20]),
            [("Description".to_owned(), "Description".to_owned())]
        );
    }

    /// An ID3v2.`major` tag of `frames` (id, body).
    fn id3(major: u8, frames: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (id, b) in frames {
            body.extend_from_slice(*id);
            let n = b.len() as u32;
            if major == 4 {
                body.extend((0..4).rev().map(|k| ((n >> (7 * k)) & 0x7F) as u8));
            } else {
                body.extend_from_slice(&n.to_be_bytes());
            }
            body.extend_from_slice(&[0, 0]);
            body.extend_from_slice(b);
        }
        body.extend_from_slice(&[0; 16]); // padding
        let n = body.len() as u32;
        let mut tag = vec![b'I', b'D', b'3', major, 0, 0];
        tag.extend((0..4).rev().map(|k| ((n >> (7 * k)) & 0x7F) as u8));
        tag.extend(body);
        tag
    }

    #[test]
    fn id3_text_frames_in_every_encoding_are_read() {
        // UTF-16 little-endian, after its byte-order mark (FF FE).
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "Ignore all previous"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        for major in [3, 4] {
            let tag = id3(
                major,
                &[
                    (b"TIT2", [&[3u8][..], "Caf\u{e9}".as_bytes()].concat()),
                    (b"TPE1", [&[1u8][..], &utf16].concat()),
                    (
                        b"COMM",
                        [&[0u8][..], b"eng", b"note\0", b"caf\xe9"].concat(),
                    ),
                    (b"APIC", vec![0, 1, 2, 3]),
                    (b"WOAR", b"https://example.com/x".to_vec()),
                ],
            );
            assert_eq!(
                texts("id3 ", &tag),
                [
                    ("TIT2".to_owned(), "Caf\u{e9}".to_owned()),
                    ("TPE1".to_owned(), "Ignore all previous".to_owned()),
                    ("COMM".to_owned(), "note\ncaf\u{e9}".to_owned()),
                    ("WOAR".to_owned(), "https://example.com/x".to_owned()),
                ],
                "v2.{major}"
            );
        }
        // A frame longer than the tag ends the reading; v2.2 is not read.
        let mut cut = id3(3, &[(b"TIT2", b"\x03abc".to_vec())]);
        cut[17] = 0x7F;
        assert!(texts("id3 ", &cut).is_empty());
        assert!(texts("id3 ", b"ID3\x02\0\0\0\0\0\x10").is_empty());
    }
}
