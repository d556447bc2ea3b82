//! The structure of an image file, read without decoding a pixel: its size and
//! frame count (so limits are enforced before any large allocation), where the
//! image ends (anything after is trailing data), its metadata blocks, and the
//! chunks a decoder would skip (unknown) or that should appear once but repeat.
//!
//! Each walk reads lengths from the file and checks every one against the bytes
//! there are; a structure that runs past the end stops the walk with `ended`
//! false rather than an error, since decoders accept many truncated files and
//! the decoder has the last word on whether pixels can be had.

use crate::sniff::ImageFormat;

/// What a metadata block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaKind {
    /// EXIF (TIFF structure): camera, time, GPS position, orientation.
    Exif,
    /// XMP (an XML packet).
    Xmp,
    /// IPTC, in a Photoshop resource block.
    Iptc,
    /// An ICC colour profile.
    Icc,
    /// A free-text comment (JPEG COM, GIF comment extension).
    Comment,
    /// A PNG text chunk (`tEXt`, `zTXt`, `iTXt`).
    PngText,
    /// A creation or modification time (PNG `tIME`).
    Time,
    /// Another application segment or extension whose content is private to
    /// some program (JPEG APPn, a GIF application extension).
    Application,
}

impl MetaKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            MetaKind::Exif => "exif",
            MetaKind::Xmp => "xmp",
            MetaKind::Iptc => "iptc",
            MetaKind::Icc => "icc",
            MetaKind::Comment => "comment",
            MetaKind::PngText => "png_text",
            MetaKind::Time => "time",
            MetaKind::Application => "application",
        }
    }
}

/// One metadata block: where its payload lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) kind: MetaKind,
    /// The chunk or segment name, e.g. `"APP1"`, `"tEXt"`, `"EXIF"`.
    pub(crate) name: String,
    /// The payload's byte range in the file (after any identifier).
    pub(crate) range: (usize, usize),
    /// For data split over several blocks (GIF sub-blocks), the payload
    /// joined; otherwise `None` and the payload is `range`.
    pub(crate) joined: Option<Vec<u8>>,
}

impl Meta {
    /// The payload bytes.
    pub(crate) fn bytes<'a>(&'a self, file: &'a [u8]) -> &'a [u8] {
        match &self.joined {
            Some(v) => v,
            None => file.get(self.range.0..self.range.1).unwrap_or(&[]),
        }
    }
}

/// A chunk worth a finding: unknown to the format, or repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub(crate) name: String,
    pub(crate) range: (usize, usize),
}

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) format: ImageFormat,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Frames (1 for a still image).
    pub(crate) frames: u32,
    /// Where the image's own data ends: just past its end marker, or the end
    /// of the file when it has none.
    pub(crate) end: usize,
    /// Whether the end marker (PNG `IEND`, JPEG EOI, GIF trailer, the RIFF
    /// length of WebP, the BMP file size) was found.
    pub(crate) ended: bool,
    /// Metadata blocks, in file order, at most [`MAX_RECORDED`] of each kind.
    pub(crate) metadata: Vec<Meta>,
    /// Metadata blocks found, recorded or not.
    pub(crate) metadata_count: u32,
    /// Unknown and repeated chunks, at most [`MAX_RECORDED`] each.
    pub(crate) unknown: Vec<Chunk>,
    pub(crate) duplicate: Vec<Chunk>,
    /// Unknown and repeated chunks found, recorded or not.
    pub(crate) unknown_count: u32,
    pub(crate) duplicate_count: u32,
}

/// Most blocks of one kind (and unknown or repeated chunks) kept for a
/// closer look and the report; the rest are only counted, so a file of
/// millions of tiny blocks costs no more than a file of a few.
pub(crate) const MAX_RECORDED: usize = 64;

impl Layout {
    fn add_meta(&mut self, m: Meta) {
        self.metadata_count = self.metadata_count.saturating_add(1);
        let same = self.metadata.iter().filter(|x| x.kind == m.kind).count();
        if same < MAX_RECORDED {
            self.metadata.push(m);
        }
    }

    fn add_unknown(&mut self, c: Chunk) {
        self.unknown_count = self.unknown_count.saturating_add(1);
        if self.unknown.len() < MAX_RECORDED {
            self.unknown.push(c);
        }
    }

    fn add_duplicate(&mut self, c: Chunk) {
        self.duplicate_count = self.duplicate_count.saturating_add(1);
        if self.duplicate.len() < MAX_RECORDED {
            self.duplicate.push(c);
        }
    }

    /// Notes a chunk of type `kind` among the types that may appear `once`;
    /// `seen` holds which of them were met (by index), and a second one is
    /// recorded as repeated.
    fn note_once(
        &mut self,
        seen: &mut [bool],
        once: &[&[u8; 4]],
        kind: &[u8; 4],
        range: (usize, usize),
    ) {
        let Some(flag) = once
            .iter()
            .position(|c| *c == kind)
            .and_then(|k| seen.get_mut(k))
        else {
            return;
        };
        if *flag {
            self.add_duplicate(Chunk {
                name: name_of(kind),
                range,
            });
        }
        *flag = true;
    }

    /// Records a chunk of a chunked format (PNG, WebP) as metadata of kind
    /// `meta`, or as unknown when it is neither that nor among `known`.
    fn add_chunk(
        &mut self,
        kind: &[u8; 4],
        range: (usize, usize),
        meta: Option<MetaKind>,
        known: &[&[u8; 4]],
    ) {
        if let Some(m) = meta {
            self.add_meta(Meta {
                kind: m,
                name: name_of(kind),
                range,
                joined: None,
            });
        } else if !known.contains(&kind) {
            self.add_unknown(Chunk {
                name: name_of(kind),
                range,
            });
        }
    }
}

/// Why a walk could not even start: no size could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

pub(crate) fn walk(format: ImageFormat, b: &[u8]) -> Result<Layout, Malformed> {
    let mut l = Layout {
        format,
        width: 0,
        height: 0,
        frames: 1,
        end: b.len(),
        ended: false,
        metadata: Vec::new(),
        metadata_count: 0,
        unknown: Vec::new(),
        duplicate: Vec::new(),
        unknown_count: 0,
        duplicate_count: 0,
    };
    match format {
        ImageFormat::Png => png(b, &mut l),
        ImageFormat::Jpeg => jpeg(b, &mut l),
        ImageFormat::Gif => gif(b, &mut l),
        ImageFormat::WebP => webp(b, &mut l),
        ImageFormat::Bmp => bmp(b, &mut l),
    }
    if l.width == 0 || l.height == 0 {
        return Err(Malformed(format!(
            "the {} header gives no usable width and height",
            format.name()
        )));
    }
    Ok(l)
}

fn u16_be(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}
fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}
fn u24_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        0,
    ]))
}
fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn name_of(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                char::from(c)
            } else {
                '?'
            }
        })
        .collect()
}

/// Chunks a PNG decoder knows (PNG 3rd edition and APNG).
const PNG_KNOWN: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"tEXt", b"zTXt", b"iTXt", b"bKGD", b"hIST", b"pHYs", b"sPLT",
    b"eXIf", b"tIME", b"acTL", b"fcTL", b"fdAT",
];
/// Chunks that may appear at most once.
const PNG_ONCE: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP",
    b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"eXIf", b"tIME", b"acTL",
];

fn png(b: &[u8], l: &mut Layout) {
    let mut pos = 8;
    // Which of the once-only chunks were seen, by their index in PNG_ONCE.
    let mut seen = [false; 32];
    while let (Some(len), Some(kind)) = (u32_be(b, pos), b.get(pos + 4..pos + 8)) {
        let Ok(kind) = <[u8; 4]>::try_from(kind) else {
            break;
        };
        let data = pos + 8;
        let Some((data_end, chunk_end)) = usize::try_from(len)
            .ok()
            .filter(|&n| n <= 0x7FFF_FFFF)
            .and_then(|n| data.checked_add(n))
            .and_then(|e| Some((e, e.checked_add(4)?)))
        else {
            break;
        };
        if chunk_end > b.len() {
            break;
        }
        let range = (data, data_end);
        l.note_once(&mut seen, PNG_ONCE, &kind, range);
        match &kind {
            b"IHDR" if l.width == 0 => {
                l.width = u32_be(b, data).unwrap_or(0);
                l.height = u32_be(b, data + 4).unwrap_or(0);
            }
            b"acTL" => l.frames = u32_be(b, data).unwrap_or(1).max(1),
            b"IEND" => {
                l.end = chunk_end;
                l.ended = true;
                return;
            }
            _ => {}
        }
        let meta = match &kind {
            b"tEXt" | b"zTXt" | b"iTXt" => Some(MetaKind::PngText),
            b"eXIf" => Some(MetaKind::Exif),
            b"iCCP" => Some(MetaKind::Icc),
            b"tIME" => Some(MetaKind::Time),
            _ => None,
        };
        l.add_chunk(&kind, range, meta, PNG_KNOWN);
        pos = chunk_end;
    }
    // The walk stopped before IEND: what it could not read is the image's
    // end as far as this file goes, and the rest is reported as trailing.
    l.end = pos.min(b.len());
}

fn jpeg(b: &[u8], l: &mut Layout) {
    let mut pos = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        if b.get(pos) != Some(&0xFF) {
            return;
        }
        while b.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = b.get(pos + 1) else {
            return;
        };
        match marker {
            0xD9 => {
                l.end = pos + 2;
                l.ended = true;
                return;
            }
            0x01 | 0xD0..=0xD8 => {
                pos += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = u16_be(b, pos + 2).map(usize::from).filter(|&n| n >= 2) else {
            return;
        };
        let data = pos + 4;
        let end = pos + 2 + len;
        if end > b.len() {
            return;
        }
        let seg = b.get(data..end).unwrap_or(&[]);
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF if l.width == 0 => {
                l.height = u32::from(u16_be(seg, 1).unwrap_or(0));
                l.width = u32::from(u16_be(seg, 3).unwrap_or(0));
            }
            0xE0..=0xEF | 0xFE => jpeg_app(marker, seg, data, end, l),
            _ => {}
        }
        pos = end;
        if marker == 0xDA {
            pos = entropy_end(b, pos);
        }
    }
}

/// Records an APPn or COM segment.
fn jpeg_app(marker: u8, seg: &[u8], data: usize, end: usize, l: &mut Layout) {
    const IDS: &[(u8, &[u8], MetaKind)] = &[
        (0xE1, b"Exif\0\0", MetaKind::Exif),
        (0xE1, b"Exif\0\xFF", MetaKind::Exif),
        (0xE1, b"http://ns.adobe.com/xap/1.0/\0", MetaKind::Xmp),
        (0xE1, b"http://ns.adobe.com/xmp/extension/\0", MetaKind::Xmp),
        (0xE2, b"ICC_PROFILE\0", MetaKind::Icc),
        (0xED, b"Photoshop 3.0\0", MetaKind::Iptc),
    ];
    let name = if marker == 0xFE {
        String::from("COM")
    } else {
        format!("APP{}", marker - 0xE0)
    };
    if marker == 0xFE {
        l.add_meta(Meta {
            kind: MetaKind::Comment,
            name,
            range: (data, end),
            joined: None,
        });
        return;
    }
    // JFIF (APP0) and Adobe colour-transform (APP14) segments are part of
    // decoding, not metadata.
    if (marker == 0xE0 && (seg.starts_with(b"JFIF\0") || seg.starts_with(b"JFXX\0")))
        || (marker == 0xEE && seg.starts_with(b"Adobe"))
    {
        return;
    }
    let (kind, skip) = IDS
        .iter()
        .find(|(m, id, _)| *m == marker && seg.starts_with(id))
        .map_or((MetaKind::Application, 0), |(_, id, k)| (*k, id.len()));
    l.add_meta(Meta {
        kind,
        name,
        range: (data + skip, end),
        joined: None,
    });
}

/// The end of entropy-coded data that starts at `from`: the next marker that
/// is neither a stuffed zero (`FF 00`) nor a restart marker (`FF D0`–`D7`).
fn entropy_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(off) = b.get(i..).and_then(|t| t.iter().position(|&c| c == 0xFF)) {
        i += off;
        match b.get(i + 1) {
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
            Some(_) => return i,
            None => return b.len(),
        }
    }
    b.len()
}

/// Known GIF application extensions (animation loop counts).
const GIF_KNOWN_APPS: &[&[u8]] = &[b"NETSCAPE2.0", b"ANIMEXTS1.0"];

fn gif(b: &[u8], l: &mut Layout) {
    l.width = u32::from(u16_le(b, 6).unwrap_or(0));
    l.height = u32::from(u16_le(b, 8).unwrap_or(0));
    let Some(&packed) = b.get(10) else {
        return;
    };
    let mut pos = 13 + color_table_len(packed);
    let mut frames = 0u32;
    // How far right and down any frame reaches: a frame may be larger than
    // the logical screen, and decoders allocate for the frame.
    let (mut right, mut bottom) = (0u32, 0u32);
    while let Some(&intro) = b.get(pos) {
        match intro {
            0x3B => {
                l.end = pos + 1;
                l.ended = true;
                break;
            }
            0x21 => {
                let Some(&label) = b.get(pos + 1) else { break };
                let start = pos;
                let Some((end, data)) = sub_blocks(b, pos + 2) else {
                    break;
                };
                gif_extension(b, label, data, (start, end), l);
                pos = end;
            }
            0x2C => {
                let Some(&packed) = b.get(pos + 9) else { break };
                frames = frames.saturating_add(1);
                let field = |k: usize| u32::from(u16_le(b, pos + k).unwrap_or(0));
                right = right.max(field(1) + field(5));
                bottom = bottom.max(field(3) + field(7));
                // Descriptor, local colour table, LZW code size, then data.
                let data = pos + 10 + color_table_len(packed) + 1;
                let Some(end) = skip_sub_blocks(b, data) else {
                    break;
                };
                pos = end;
            }
            _ => break,
        }
    }
    l.frames = frames.max(1);
    l.width = l.width.max(right);
    l.height = l.height.max(bottom);
    if !l.ended {
        l.end = pos.min(b.len());
    }
}

fn color_table_len(packed: u8) -> usize {
    if packed & 0x80 != 0 {
        3 << ((packed & 7) + 1)
    } else {
        0
    }
}

/// Walks data sub-blocks from `at` (each a length byte then that many bytes,
/// ended by a zero length); returns where they end and their joined content.
fn sub_blocks(b: &[u8], at: usize) -> Option<(usize, Vec<u8>)> {
    let mut pos = at;
    let mut data = Vec::new();
    loop {
        let n = usize::from(*b.get(pos)?);
        if n == 0 {
            return Some((pos + 1, data));
        }
        data.extend_from_slice(b.get(pos + 1..pos + 1 + n)?);
        pos += 1 + n;
    }
}

/// [`sub_blocks`] without keeping the content (image data).
fn skip_sub_blocks(b: &[u8], at: usize) -> Option<usize> {
    let mut pos = at;
    loop {
        let n = usize::from(*b.get(pos)?);
        if n == 0 {
            return Some(pos + 1);
        }
        if pos + 1 + n > b.len() {
            return None;
        }
        pos += 1 + n;
    }
}

fn gif_extension(file: &[u8], label: u8, data: Vec<u8>, range: (usize, usize), l: &mut Layout) {
    match label {
        // Graphic control: timing and transparency, part of decoding.
        0xF9 => {}
        0xFE => l.add_meta(Meta {
            kind: MetaKind::Comment,
            name: String::from("comment extension"),
            range,
            joined: Some(data),
        }),
        // Plain text extension: text the format asks viewers to draw.
        0x01 => l.add_meta(Meta {
            kind: MetaKind::Comment,
            name: String::from("plain text extension"),
            range,
            joined: Some(data.get(12..).unwrap_or(&[]).to_vec()),
        }),
        0xFF => {
            let id = data.get(..11).unwrap_or(&data);
            if GIF_KNOWN_APPS.contains(&id) {
                return;
            }
            let kind = match id {
                b"XMP DataXMP" => MetaKind::Xmp,
                b"ICCRGBG1012" => MetaKind::Icc,
                _ => MetaKind::Application,
            };
            // XMP in GIF is raw bytes, not sub-blocks, ended by a 258-byte
            // "magic trailer" that reads as sub-blocks: take the raw bytes.
            let payload = if kind == MetaKind::Xmp {
                let raw = file.get(range.0 + 14..range.1).unwrap_or(&[]);
                let cut = raw
                    .windows(4)
                    .position(|w| w == [0x01, 0xFF, 0xFE, 0xFD])
                    .unwrap_or(raw.len());
                raw.get(..cut).unwrap_or(&[]).to_vec()
            } else {
                data.get(11..).unwrap_or(&[]).to_vec()
            };
            l.add_meta(Meta {
                kind,
                name: format!("application extension {}", name_of(id)),
                range,
                joined: Some(payload),
            });
        }
        _ => l.add_unknown(Chunk {
            name: format!("extension 0x{label:02X}"),
            range,
        }),
    }
}

const WEBP_KNOWN: &[&[u8; 4]] = &[b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"];
/// WebP chunks that may appear once.
const WEBP_ONCE: &[&[u8; 4]] = &[
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ICCP", b"EXIF", b"XMP ",
];

fn webp(b: &[u8], l: &mut Layout) {
    let Some(riff) = u32_le(b, 4).and_then(|n| usize::try_from(n).ok()) else {
        return;
    };
    let riff_end = 8usize.saturating_add(riff);
    let limit = riff_end.min(b.len());
    let mut pos = 12;
    let mut frames = 0u32;
    // Which chunk types that may appear once were seen, by their index.
    let mut seen = [false; 16];
    let first_chunk = pos;
    while let (Some(kind), Some(len)) = (b.get(pos..pos + 4), u32_le(b, pos + 4)) {
        let Ok(kind) = <[u8; 4]>::try_from(kind) else {
            break;
        };
        let data = pos + 8;
        let Some(data_end) = usize::try_from(len).ok().and_then(|n| data.checked_add(n)) else {
            break;
        };
        if data_end > limit {
            break;
        }
        let chunk = b.get(data..data_end).unwrap_or(&[]);
        let range = (data, data_end);
        l.note_once(&mut seen, WEBP_ONCE, &kind, range);
        match &kind {
            // The extended header counts only as the first chunk.
            b"VP8X" if pos == first_chunk => {
                l.width = u24_le(chunk, 4).map_or(0, |w| w + 1);
                l.height = u24_le(chunk, 7).map_or(0, |h| h + 1);
            }
            // A key frame's start code, then 14-bit sizes.
            b"VP8 " if l.width == 0 && chunk.get(3..6) == Some(&[0x9D, 0x01, 0x2A]) => {
                l.width = u32::from(u16_le(chunk, 6).unwrap_or(0) & 0x3FFF);
                l.height = u32::from(u16_le(chunk, 8).unwrap_or(0) & 0x3FFF);
            }
            // The lossless signature byte, then two 14-bit sizes minus one.
            b"VP8L" if l.width == 0 && chunk.first() == Some(&0x2F) => {
                let bits = u32_le(chunk, 1).unwrap_or(0);
                l.width = (bits & 0x3FFF) + 1;
                l.height = ((bits >> 14) & 0x3FFF) + 1;
            }
            b"ANMF" if l.width > 0 => frames = frames.saturating_add(1),
            _ => {}
        }
        let meta = match &kind {
            b"EXIF" => Some(MetaKind::Exif),
            b"XMP " => Some(MetaKind::Xmp),
            b"ICCP" => Some(MetaKind::Icc),
            _ => None,
        };
        l.add_chunk(&kind, range, meta, WEBP_KNOWN);
        pos = data_end + (data_end & 1);
    }
    l.frames = frames.max(1);
    if riff_end <= b.len() {
        l.end = riff_end;
        l.ended = true;
    }
}

fn bmp(b: &[u8], l: &mut Layout) {
    let header = u32_le(b, 14).unwrap_or(0);
    if header == 12 {
        l.width = u32::from(u16_le(b, 18).unwrap_or(0));
        l.height = u32::from(u16_le(b, 20).unwrap_or(0));
    } else {
        let w = u32_le(b, 18).map_or(0, |v| v as i32);
        let h = u32_le(b, 22).map_or(0, |v| v as i32);
        l.width = w.max(0).unsigned_abs();
        l.height = h.unsigned_abs();
    }
    // The file size field, when a writer filled it in honestly.
    if let Some(size) = u32_le(b, 2).and_then(|n| usize::try_from(n).ok()) {
        if size >= 26 && size <= b.len() {
            l.end = size;
            l.ended = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    fn png_file(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        for (k, d) in chunks {
            v.extend(png_chunk(k, d));
        }
        v
    }

    #[test]
    fn png_size_end_metadata_unknown_and_repeats() {
        let ihdr = [0, 0, 1, 0, 0, 0, 0, 200, 8, 6, 0, 0, 0];
        let mut f = png_file(&[
            (b"IHDR", &ihdr),
            (b"tEXt", b"Comment\0hello"),
            (b"gAMA", &[0, 0, 0, 1]),
            (b"gAMA", &[0, 0, 0, 1]),
            (b"prVt", b"secret"),
            (b"IDAT", &[1, 2, 3]),
            (b"IEND", &[]),
        ]);
        let end = f.len();
        f.extend_from_slice(b"PK\x03\x04 trailing zip");
        let l = walk(ImageFormat::Png, &f).unwrap();
        assert_eq!((l.width, l.height, l.frames), (256, 200, 1));
        assert_eq!((l.end, l.ended), (end, true));
        assert_eq!(l.metadata.len(), 1);
        assert_eq!(l.metadata[0].bytes(&f), b"Comment\0hello");
        assert_eq!(l.unknown[0].name, "prVt");
        assert_eq!(l.duplicate[0].name, "gAMA");
    }

    #[test]
    fn lengths_past_the_end_stop_the_walk_without_panicking() {
        let mut f = png_file(&[(b"IHDR", &[0, 0, 0, 9, 0, 0, 0, 9, 8, 2, 0, 0, 0])]);
        f.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xF0, b'I', b'D', b'A', b'T', 1, 2]);
        let l = walk(ImageFormat::Png, &f).unwrap();
        assert!(!l.ended);
        // The image ends, as far as can be read, where the broken chunk starts.
        assert_eq!(l.end, f.len() - 10);
        // Every prefix of a valid file either walks or is refused cleanly.
        for n in 0..f.len() {
            let _ = walk(ImageFormat::Png, &f[..n]);
            let _ = walk(ImageFormat::Jpeg, &f[..n]);
            let _ = walk(ImageFormat::Gif, &f[..n]);
            let _ = walk(ImageFormat::WebP, &f[..n]);
            let _ = walk(ImageFormat::Bmp, &f[..n]);
        }
    }

    #[test]
    fn jpeg_segments_and_entropy_data() {
        let mut f = vec![0xFF, 0xD8];
        let seg = |m: u8, d: &[u8]| {
            let mut v = vec![0xFF, m];
            v.extend_from_slice(&((d.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(d);
            v
        };
        f.extend(seg(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
        f.extend(seg(0xE1, b"Exif\0\0MM\0*"));
        f.extend(seg(0xFE, b"a comment"));
        f.extend(seg(0xC0, &[8, 0, 100, 0, 150, 3]));
        f.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        f.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        f.extend_from_slice(&[0xFF, 0xD9]);
        let end = f.len();
        f.extend_from_slice(b"<script>");
        let l = walk(ImageFormat::Jpeg, &f).unwrap();
        assert_eq!((l.width, l.height), (150, 100));
        assert_eq!((l.end, l.ended), (end, true));
        let kinds: Vec<_> = l.metadata.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MetaKind::Exif, MetaKind::Comment]);
        assert_eq!(l.metadata[0].bytes(&f), b"MM\0*");
    }

    #[test]
    fn gif_frames_comments_and_trailer() {
        let mut f = b"GIF89a".to_vec();
        f.extend_from_slice(&[4, 0, 3, 0, 0x80, 0, 0]);
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&[0x21, 0xFE, 3, b'h', b'e', b'y', 2, b'!', b'!', 0]);
        for _ in 0..3 {
            f.extend_from_slice(&[0x2C, 0, 0, 0, 0, 4, 0, 3, 0, 0, 2, 2, 0x4C, 0x01, 0]);
        }
        f.push(0x3B);
        let l = walk(ImageFormat::Gif, &f).unwrap();
        assert_eq!((l.width, l.height, l.frames), (4, 3, 3));
        assert!(l.ended);
        assert_eq!(l.metadata[0].bytes(&f), b"hey!!");
    }
}
