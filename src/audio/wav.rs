//! WAV (RIFF/WAVE) read from its header down, without trusting it: the
//! sample format, where the samples lie, every other chunk (metadata, which
//! never reaches the output) and what follows the RIFF end; then the samples
//! decoded to planar `f32` in −1..1.
//!
//! A header that claims more than the file holds (a `data` chunk longer than
//! the file, a `fmt ` chunk too short for its format) is an error, not a guess:
//! a truncated recording is refused with a message saying what is missing.

use crate::error::{Error, Result};

/// Chunks besides `fmt ` and `data` listed one by one; past this they are
/// only counted, so a file of millions of tiny chunks stays cheap to walk.
pub(crate) const MAX_RECORDED: usize = 64;

/// How the samples are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SampleFormat {
    /// Integer PCM of 8 (unsigned), 16, 24 or 32 bits.
    Int(u16),
    /// IEEE float of 32 or 64 bits.
    Float(u16),
}

impl SampleFormat {
    /// Bytes per sample.
    pub(crate) fn bytes(self) -> usize {
        match self {
            SampleFormat::Int(b) | SampleFormat::Float(b) => usize::from(b / 8),
        }
    }

    /// As the report names it, e.g. `pcm16`, `float32`.
    pub(crate) fn label(self) -> String {
        match self {
            SampleFormat::Int(b) => format!("pcm{b}"),
            SampleFormat::Float(b) => format!("float{b}"),
        }
    }
}

/// A chunk other than `fmt ` and `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The four-character id, e.g. `LIST`, `id3 `, `bext`.
    pub(crate) id: String,
    /// The payload's byte range in the file.
    pub(crate) range: (usize, usize),
}

/// What the header walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wav {
    pub(crate) format: SampleFormat,
    pub(crate) channels: u16,
    /// Frames (samples per channel) per second.
    pub(crate) rate: u32,
    /// The sample bytes (whole frames only).
    pub(crate) data: (usize, usize),
    /// Other chunks, at most [`MAX_RECORDED`].
    pub(crate) chunks: Vec<Chunk>,
    /// Other chunks in all.
    pub(crate) chunk_count: u32,
    /// Where the RIFF chunk ends; bytes after it are not part of the file.
    pub(crate) end: usize,
}

impl Wav {
    /// Frames in the data chunk.
    pub(crate) fn frames(&self) -> u64 {
        let frame = self.format.bytes() * usize::from(self.channels);
        ((self.data.1 - self.data.0) / frame.max(1)) as u64
    }
}

fn malformed(message: impl Into<String>) -> Error {
    Error::input("input.audio_malformed", message)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The KSDATAFORMAT_SUBTYPE GUIDs of WAVE_FORMAT_EXTENSIBLE share these
/// last 14 bytes; the first two are the plain format tag.
const SUBTYPE_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// Reads the `fmt ` payload: sample format, channels, rate.
fn format_chunk(p: &[u8]) -> Result<(SampleFormat, u16, u32)> {
    let short = || malformed(format!("the fmt chunk is {} bytes, 16 are needed", p.len()));
    let mut tag = u16_at(p, 0).ok_or_else(short)?;
    let channels = u16_at(p, 2).ok_or_else(short)?;
    let rate = u32_at(p, 4).ok_or_else(short)?;
    let block_align = u16_at(p, 12).ok_or_else(short)?;
    let bits = u16_at(p, 14).ok_or_else(short)?;
    if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real tag is in the sub-format GUID.
        let guid = p.get(24..40).ok_or_else(|| {
            malformed(format!(
                "the extensible fmt chunk is {} bytes, 40 are needed",
                p.len()
            ))
        })?;
        if guid.get(2..) != Some(&SUBTYPE_TAIL[..]) {
            return Err(Error::unsupported(
                "unsupported.audio_feature",
                "this WAV's extensible sub-format is not PCM or IEEE float",
            ));
        }
        tag = u16_at(guid, 0).unwrap_or(0);
    }
    let format = match (tag, bits) {
        (1, 8 | 16 | 24 | 32) => SampleFormat::Int(bits),
        (3, 32 | 64) => SampleFormat::Float(bits),
        (1 | 3, _) => {
            return Err(Error::unsupported(
                "unsupported.audio_feature",
                format!("this WAV stores {bits}-bit samples, which the guard does not read"),
            ))
        }
        _ => {
            return Err(Error::unsupported(
                "unsupported.audio_feature",
                format!(
                    "this WAV is encoded with format 0x{tag:04X} (compressed); only PCM and IEEE float WAVs are read"
                ),
            ))
        }
    };
    if channels == 0 || rate == 0 {
        return Err(malformed(format!(
            "the fmt chunk declares {channels} channels at {rate} Hz"
        )));
    }
    if usize::from(block_align) != format.bytes() * usize::from(channels) {
        return Err(malformed(format!(
            "the fmt chunk declares {block_align} bytes a frame, but {channels} channels of {} bytes take {}",
            format.bytes(),
            format.bytes() * usize::from(channels)
        )));
    }
    Ok((format, channels, rate))
}

/// Walks the RIFF chunks of `bytes`.
///
/// # Errors
/// `input.audio_malformed` when it is not a RIFF/WAVE file, lacks a `fmt ` or
/// `data` chunk, or a chunk claims more bytes than the file has;
/// `unsupported.audio_feature` for compressed or unusual sample formats.
pub(crate) fn walk(bytes: &[u8]) -> Result<Wav> {
    if bytes.get(..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err(malformed("the file does not start with a RIFF/WAVE header"));
    }
    let riff_size = u32_at(bytes, 4).unwrap_or(0) as usize;
    // A RIFF size past the file's end is checked chunk by chunk below.
    let end = riff_size.saturating_add(8).min(bytes.len());
    let (mut fmt, mut data) = (None, None);
    let (mut chunks, mut chunk_count) = (Vec::new(), 0u32);
    let mut at = 12;
    while at + 8 <= end {
        let id = bytes.get(at..at + 4).unwrap_or(&[]);
        let size = u32_at(bytes, at + 4).unwrap_or(0) as usize;
        let start = at + 8;
        let Some(stop) = start.checked_add(size).filter(|&s| s <= bytes.len()) else {
            return Err(malformed(format!(
                "the {:?} chunk at byte {at} declares {size} bytes, but the file ends {} bytes later",
                String::from_utf8_lossy(id),
                bytes.len() - start
            )));
        };
        match id {
            b"fmt " if fmt.is_none() => {
                fmt = Some(format_chunk(bytes.get(start..stop).unwrap_or(&[]))?)
            }
            b"data" if data.is_none() => data = Some((start, stop)),
            _ => {
                chunk_count = chunk_count.saturating_add(1);
                if chunks.len() < MAX_RECORDED {
                    chunks.push(Chunk {
                        id: String::from_utf8_lossy(id).into_owned(),
                        range: (start, stop),
                    });
                }
            }
        }
        // Chunks are padded to an even length.
        at = stop + (size & 1);
    }
    let (format, channels, rate) =
        fmt.ok_or_else(|| malformed("the file has no fmt chunk before its end"))?;
    let (d0, d1) = data.ok_or_else(|| malformed("the file has no data chunk"))?;
    let frame = format.bytes() * usize::from(channels);
    Ok(Wav {
        format,
        channels,
        rate,
        // A partial last frame is dropped.
        data: (d0, d0 + (d1 - d0) / frame * frame),
        chunks,
        chunk_count,
        end: at.max(end).min(bytes.len()),
    })
}

/// Largest sample magnitude a float file may hold (60 dB over full scale):
/// float recordings may exceed ±1, but not by this much, and larger values
/// would overflow the resampler's transforms.
pub(crate) const MAX_MAGNITUDE: f32 = 1_000.0;

/// The samples of `wav` as one `f32` vector per channel, in −1..1 for
/// integer files; float samples that are not numbers or beyond
/// ±[`MAX_MAGNITUDE`] become 0 and are counted.
#[cfg(test)]
pub(crate) fn decode(bytes: &[u8], wav: &Wav) -> (Vec<Vec<f32>>, u64) {
    let mut reader = Reader::new(bytes, wav);
    let mut out = vec![Vec::new(); usize::from(wav.channels)];
    reader.read_frames(usize::MAX, &mut out);
    (out, reader.invalid)
}

/// Reads the samples of a WAV file a block of frames at a time, so a long
/// recording is never held decoded in full.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    /// The sample bytes not read yet.
    data: &'a [u8],
    format: SampleFormat,
    channels: usize,
    /// Samples that were not numbers or absurdly large, so far.
    pub(crate) invalid: u64,
}

impl super::convert::Source for Reader<'_> {
    fn read(&mut self, frames: usize, out: &mut [Vec<f32>]) -> Result<usize> {
        Ok(self.read_frames(frames, out))
    }

    fn invalid(&self) -> u64 {
        self.invalid
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], wav: &Wav) -> Reader<'a> {
        Reader {
            data: bytes.get(wav.data.0..wav.data.1).unwrap_or(&[]),
            format: wav.format,
            channels: usize::from(wav.channels).max(1),
            invalid: 0,
        }
    }

    /// Replaces the contents of `out` (one vector per channel) with the
    /// next `frames` frames or what is left; returns how many were read.
    pub(crate) fn read_frames(&mut self, frames: usize, out: &mut [Vec<f32>]) -> usize {
        let frame = self.format.bytes() * self.channels;
        let take = frames.min(self.data.len() / frame.max(1));
        let (now, rest) = self.data.split_at(take * frame);
        self.data = rest;
        for c in out.iter_mut() {
            c.clear();
        }
        // One loop per sample format, so the conversion is inlined rather
        // than chosen again for every sample.
        self.invalid += match self.format {
            SampleFormat::Int(8) => {
                convert::<1, false>(now, out, |[b]| (f32::from(b) - 128.0) / 128.0)
            }
            SampleFormat::Int(16) => {
                convert::<2, false>(now, out, |b| f32::from(i16::from_le_bytes(b)) / 32_768.0)
            }
            SampleFormat::Int(24) => convert::<3, false>(now, out, |[a, b, c]| {
                (i32::from_le_bytes([0, a, b, c]) >> 8) as f32 / 8_388_608.0
            }),
            SampleFormat::Int(_) => {
                convert::<4, false>(now, out, |b| i32::from_le_bytes(b) as f32 / 2_147_483_648.0)
            }
            SampleFormat::Float(64) => {
                convert::<8, true>(now, out, |b| f64::from_le_bytes(b) as f32)
            }
            SampleFormat::Float(_) => convert::<4, true>(now, out, f32::from_le_bytes),
        };
        take
    }
}

/// Interleaved samples of `N` bytes appended to one vector per channel with
/// `sample`; for `FLOAT` formats, values that are not numbers or beyond
/// ±[`MAX_MAGNITUDE`] become 0 and are counted (integers are always in range).
fn convert<const N: usize, const FLOAT: bool>(
    data: &[u8],
    out: &mut [Vec<f32>],
    sample: impl Fn([u8; N]) -> f32,
) -> u64 {
    let mut invalid = 0u64;
    if let ([mono], false) = (&mut *out, FLOAT) {
        // The common case: consecutive samples, a loop the compiler vectorizes.
        mono.extend(
            data.chunks_exact(N)
                .map(|b| b.try_into().map_or(0.0, &sample)),
        );
        return 0;
    }
    // One pass per channel over its samples: a tight loop the compiler
    // can unroll, where a push per sample per channel is not.
    let stride = N * out.len();
    for (ch, v) in out.iter_mut().enumerate() {
        v.extend(data.chunks_exact(stride).map(|frame| {
            let s = frame
                .get(ch * N..ch * N + N)
                .and_then(|b| b.try_into().ok())
                .map_or(0.0, &sample);
            if !FLOAT || (s.is_finite() && s.abs() <= MAX_MAGNITUDE) {
                s
            } else {
                invalid += 1;
                0.0
            }
        }));
    }
    invalid
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A WAV file of `format` from interleaved sample bytes, with extra
    /// chunks placed before the data.
    pub(crate) fn wav_file(
        tag: u16,
        channels: u16,
        rate: u32,
        bits: u16,
        samples: &[u8],
        extra: &[(&[u8; 4], &[u8])],
    ) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        let mut chunk = |id: &[u8; 4], payload: &[u8]| {
            body.extend_from_slice(id);
            body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            body.extend_from_slice(payload);
            if payload.len() % 2 == 1 {
                body.push(0);
            }
        };
        let align = channels * bits / 8;
        let mut fmt = Vec::new();
        fmt.extend_from_slice(&tag.to_le_bytes());
        fmt.extend_from_slice(&channels.to_le_bytes());
        fmt.extend_from_slice(&rate.to_le_bytes());
        fmt.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        fmt.extend_from_slice(&align.to_le_bytes());
        fmt.extend_from_slice(&bits.to_le_bytes());
        chunk(b"fmt ", &fmt);
        for (id, payload) in extra {
            chunk(id, payload);
        }
        chunk(b"data", samples);
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn every_pcm_and_float_width_decodes_to_the_same_values() {
        let values = [0.0f32, 0.5, -0.5, -1.0];
        let cases: Vec<(u16, u16, Vec<u8>)> = vec![
            (
                1,
                8,
                values.iter().map(|v| (v * 128.0 + 128.0) as u8).collect(),
            ),
            (
                1,
                16,
                values
                    .iter()
                    .flat_map(|v| ((v * 32768.0) as i16).to_le_bytes())
                    .collect(),
            ),
            (
                1,
                24,
                values
                    .iter()
                    .flat_map(|v| {
                        let b = ((v * 8_388_608.0) as i32).to_le_bytes();
                        [b[0], b[1], b[2]]
                    })
                    .collect(),
            ),
            (
                1,
                32,
                values
                    .iter()
                    .flat_map(|v| ((f64::from(*v) * 2_147_483_648.0) as i32).to_le_bytes())
                    .collect(),
            ),
            (3, 32, values.iter().flat_map(|v| v.to_le_bytes()).collect()),
            (
                3,
                64,
                values
                    .iter()
                    .flat_map(|v| f64::from(*v).to_le_bytes())
                    .collect(),
            ),
        ];
        for (tag, bits, data) in cases {
            let file = wav_file(tag, 1, 8000, bits, &data, &[]);
            let wav = walk(&file).unwrap();
            assert_eq!(wav.frames(), 4, "{bits}");
            let (ch, bad) = decode(&file, &wav);
            assert_eq!((ch.len(), bad), (1, 0));
            assert_eq!(ch[0], values, "{tag} {bits}");
        }
    }

    #[test]
    fn stereo_is_split_into_channels_and_chunks_are_listed() {
        let data: Vec<u8> = [1i16, -1, 2, -2, 3, -3]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let file = wav_file(
            1,
            2,
            44_100,
            16,
            &data,
            &[(b"LIST", b"INFOISFT\x03\0\0\0ab\0\0")],
        );
        let wav = walk(&file).unwrap();
        assert_eq!((wav.channels, wav.rate, wav.frames()), (2, 44_100, 3));
        assert_eq!(wav.chunks.len(), 1);
        assert_eq!(wav.chunks[0].id, "LIST");
        assert_eq!(wav.end, file.len());
        let (ch, _) = decode(&file, &wav);
        assert_eq!(
            ch[0]
                .iter()
                .map(|v| (v * 32768.0) as i16)
                .collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(
            ch[1]
                .iter()
                .map(|v| (v * 32768.0) as i16)
                .collect::<Vec<_>>(),
            [-1, -2, -3]
        );
    }

    #[test]
    fn extensible_format_reads_its_sub_format() {
        let mut file = wav_file(1, 1, 16_000, 16, &[0, 0, 0, 64], &[]);
        // Rewrite fmt as WAVE_FORMAT_EXTENSIBLE (40 bytes) with the PCM GUID.
        let mut fmt = file[20..36].to_vec();
        fmt[0..2].copy_from_slice(&0xFFFEu16.to_le_bytes());
        fmt.extend_from_slice(&22u16.to_le_bytes());
        fmt.extend_from_slice(&16u16.to_le_bytes());
        fmt.extend_from_slice(&4u32.to_le_bytes());
        fmt.extend_from_slice(&[1, 0]);
        fmt.extend_from_slice(&SUBTYPE_TAIL);
        let mut rebuilt = b"WAVEfmt ".to_vec();
        rebuilt.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
        rebuilt.extend_from_slice(&fmt);
        rebuilt.extend_from_slice(&file[36..]);
        file = b"RIFF".to_vec();
        file.extend_from_slice(&(rebuilt.len() as u32).to_le_bytes());
        file.extend_from_slice(&rebuilt);
        let wav = walk(&file).unwrap();
        assert_eq!((wav.format, wav.frames()), (SampleFormat::Int(16), 2));
        assert_eq!(decode(&file, &wav).0[0], [0.0, 0.5]);
    }

    #[test]
    fn lying_and_truncated_headers_are_typed_errors() {
        let good = wav_file(1, 1, 8000, 16, &[0; 64], &[]);
        let code = |b: &[u8]| walk(b).unwrap_err().code();
        // Cut inside the data chunk: it claims more than the file holds.
        assert_eq!(code(&good[..good.len() - 10]), "input.audio_malformed");
        // Not a WAV, no data chunk, no fmt chunk.
        assert_eq!(code(b"RIFX\0\0\0\0WAVE"), "input.audio_malformed");
        assert_eq!(code(&good[..36]), "input.audio_malformed");
        let mut no_fmt = good.clone();
        no_fmt[12..16].copy_from_slice(b"junk");
        assert_eq!(code(&no_fmt), "input.audio_malformed");
        // Zero channels, a wrong block size, a compressed format, 12-bit samples.
        for (at, bytes, expected) in [
            (22, vec![0, 0], "input.audio_malformed"),
            (32, vec![3, 0], "input.audio_malformed"),
            (20, vec![2, 0], "unsupported.audio_feature"),
            (34, vec![12, 0], "unsupported.audio_feature"),
        ] {
            let mut b = good.clone();
            b[at..at + bytes.len()].copy_from_slice(&bytes);
            assert_eq!(code(&b), expected, "byte {at}");
        }
    }

    #[test]
    fn bytes_after_the_riff_end_are_outside_the_file() {
        let mut file = wav_file(1, 1, 8000, 16, &[1, 0, 2, 0], &[]);
        let riff_end = file.len();
        file.extend_from_slice(b"PK\x03\x04 appended archive");
        let wav = walk(&file).unwrap();
        assert_eq!(wav.end, riff_end);
        assert_eq!(wav.frames(), 2);
    }

    #[test]
    fn non_numbers_and_absurd_floats_become_silence_and_are_counted() {
        let data: Vec<u8> = [0.25f32, f32::NAN, f32::INFINITY, 3.0e38, -1.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let file = wav_file(3, 1, 8000, 32, &data, &[]);
        let (ch, bad) = decode(&file, &walk(&file).unwrap());
        assert_eq!(
            (ch[0].as_slice(), bad),
            (&[0.25, 0.0, 0.0, 0.0, -1.5][..], 3)
        );
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let good = wav_file(1, 2, 8000, 24, &[7; 60], &[(b"LIST", b"x")]);
        for k in 0..good.len() {
            for v in [0x00, 0x01, 0x7F, 0xFF] {
                let mut b = good.clone();
                b[k] = v;
                if let Ok(w) = walk(&b) {
                    let _ = decode(&b, &w);
                }
            }
        }
    }
}
