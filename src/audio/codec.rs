//! Compressed recordings (FLAC, MP3, Ogg Vorbis, AAC in ADTS or MP4)
//! decoded by symphonia, a pure-Rust decoder that builds for wasm32: the
//! container probed, the track's parameters checked against the limits
//! before any packet is decoded, the tags and pictures listed (the output
//! never carries them; their text goes to the text guard), and the packets
//! decoded as the pipeline asks for frames, so the recording is never held
//! decoded in full.

use std::io::Cursor;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as CodecError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::{MetadataOptions, MetadataRevision, RawValue};

use super::convert::Source;
use crate::error::{Error, Result};
use crate::limits::AudioLimits;

/// What the container says before decoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Info {
    /// The codec, e.g. `flac`, `mp3`, `vorbis`, `aac`.
    pub(crate) codec: String,
    pub(crate) rate: u32,
    pub(crate) channels: u16,
    /// Frames, where the container says.
    pub(crate) frames: Option<u64>,
    /// Tags as key and text, and pictures (their sizes in bytes).
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) pictures: Vec<usize>,
}

/// Tags and pictures listed, at most; the rest are counted in `Info`.
const MAX_TAGS: usize = 64;

/// Damaged packets skipped before the recording is refused as unreadable.
const MAX_SKIPPED: u64 = 10_000;

fn malformed(e: impl std::fmt::Display) -> Error {
    Error::input(
        "input.audio_malformed",
        format!("the recording cannot be read: {e}"),
    )
}

/// Maps a decoder's refusal to our errors: unsupported codecs and features
/// by name, anything else as a malformed file.
fn refusal(e: CodecError) -> Error {
    match e {
        CodecError::Unsupported(what) => Error::unsupported(
            "unsupported.audio_feature",
            format!("the recording uses something the decoder does not support: {what}"),
        ),
        CodecError::LimitError(what) => Error::limit(
            "limit.audio_memory",
            format!("the decoder refused the recording as too large: {what}"),
        ),
        other => malformed(other),
    }
}

/// The probe's refusal: no reader takes bytes that only looked like a
/// recording to the sniffer (an MP3 or ADTS sync word is 11 or 12 bits), so
/// they are not a recording in a format the guard reads.
fn not_this_format(e: CodecError) -> Error {
    match e {
        CodecError::Unsupported(what) => Error::input(
            "input.audio_format",
            format!("the input is not a recording in a format the guard reads ({what})"),
        ),
        other => refusal(other),
    }
}

/// Decodes packets on demand.
pub(crate) struct Decoder<'a> {
    format: Box<dyn FormatReader + 'a>,
    decoder: Box<dyn AudioDecoder>,
    track: u32,
    channels: usize,
    rate: u32,
    limits: AudioLimits,
    /// Decoded frames not yet read, per channel, from `at` on.
    pending: Vec<Vec<f32>>,
    at: usize,
    planar: Vec<Vec<f32>>,
    /// Frames decoded so far.
    frames: u64,
    invalid: u64,
    skipped: u64,
    done: bool,
}

impl std::fmt::Debug for Decoder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("channels", &self.channels)
            .field("rate", &self.rate)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

/// Probes `bytes` (`hint` a file extension) and checks the track against
/// `limits`.
///
/// # Errors
/// `unsupported.audio_feature` for a codec the decoder lacks (Opus, ALAC,
/// ...), `input.audio_malformed` for a file it cannot read, a
/// `limit.audio_*` code for a track over the limits.
pub(crate) fn open<'a>(
    bytes: &'a [u8],
    hint: &str,
    limits: &AudioLimits,
) -> Result<(Decoder<'a>, Info)> {
    let stream = MediaSourceStream::new(
        Box::new(Cursor::new(bytes)),
        MediaSourceStreamOptions::default(),
    );
    let mut h = Hint::new();
    h.with_extension(hint);
    let meta = MetadataOptions::default();
    let mut format = symphonia::default::get_probe()
        .probe(&h, stream, FormatOptions::default(), meta)
        .map_err(not_this_format)?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| malformed("it has no audio track"))?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| malformed("its audio track has no codec parameters"))?
        .clone();
    let track_id = track.id;
    let frames = track.num_frames;
    let rate = params
        .sample_rate
        .ok_or_else(|| malformed("its sample rate is not given"))?;
    let channels = params
        .channels
        .as_ref()
        .map(|c| c.count())
        .ok_or_else(|| malformed("its channels are not given"))?;
    let channel_count = u16::try_from(channels).unwrap_or(u16::MAX);
    limits.check_header(channel_count, rate, frames.unwrap_or(0))?;
    if channels == 0 {
        return Err(malformed("it has no channels"));
    }
    let decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(refusal)?;
    let mut info = Info {
        codec: decoder.codec_info().short_name.to_owned(),
        rate,
        channels: channel_count,
        frames,
        tags: Vec::new(),
        pictures: Vec::new(),
    };
    collect_metadata(format.as_mut(), &mut info);
    let d = Decoder {
        format,
        decoder,
        track: track_id,
        channels,
        rate,
        limits: limits.clone(),
        pending: vec![Vec::new(); channels],
        at: 0,
        planar: Vec::new(),
        frames: 0,
        invalid: 0,
        skipped: 0,
        done: false,
    };
    Ok((d, info))
}

/// Every metadata revision's tags (with text) and pictures.
fn collect_metadata(format: &mut dyn FormatReader, info: &mut Info) {
    let mut meta = format.metadata();
    let mut revisions: Vec<MetadataRevision> = Vec::new();
    while !meta.is_latest() {
        if let Some(r) = meta.pop() {
            revisions.push(r);
        } else {
            break;
        }
    }
    if let Some(r) = meta.current() {
        revisions.push(r.clone());
    }
    for r in &revisions {
        let containers = std::iter::once(&r.media).chain(r.per_track.iter().map(|t| &t.metadata));
        for c in containers {
            for tag in &c.tags {
                let text = match &tag.raw.value {
                    RawValue::String(s) => s.as_str().to_owned(),
                    RawValue::StringList(list) => list.join("\n"),
                    _ => continue,
                };
                if info.tags.len() < MAX_TAGS && !text.trim().is_empty() {
                    info.tags.push((tag.raw.key.clone(), text));
                }
            }
            info.pictures.extend(c.visuals.iter().map(|v| v.data.len()));
        }
    }
}

impl Decoder<'_> {
    /// Counts a skipped packet; too many make the recording unreadable.
    fn skip(&mut self) -> Result<()> {
        self.skipped += 1;
        if self.skipped > MAX_SKIPPED {
            return Err(malformed(format!(
                "over {MAX_SKIPPED} of its packets are damaged"
            )));
        }
        Ok(())
    }

    /// Decodes the next packet of the track into `pending`; false at the end.
    fn decode_next(&mut self) -> Result<bool> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                // A stream cut short ends where it is cut.
                Err(CodecError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Ok(false)
                }
                Err(CodecError::ResetRequired) => {
                    return Err(Error::unsupported(
                        "unsupported.audio_feature",
                        "the recording changes its stream parameters midway (a chained stream)",
                    ))
                }
                // A damaged page or frame: the reader goes on after it.
                Err(CodecError::DecodeError(_)) => {
                    self.skip()?;
                    continue;
                }
                Err(e) => return Err(refusal(e)),
            };
            if packet.track_id != self.track {
                continue;
            }
            let buffer = match self.decoder.decode(&packet) {
                Ok(b) => b,
                // A damaged packet (its bits run out, or make no sense).
                Err(CodecError::DecodeError(_) | CodecError::IoError(_)) => {
                    self.skip()?;
                    continue;
                }
                Err(e) => return Err(refusal(e)),
            };
            let spec = buffer.spec();
            if spec.channels().count() != self.channels || spec.rate() != self.rate {
                return Err(Error::unsupported(
                    "unsupported.audio_feature",
                    "the recording changes its channels or sample rate midway",
                ));
            }
            buffer.copy_to_vecs_planar::<f32>(&mut self.planar);
            let n = self.planar.first().map_or(0, Vec::len);
            self.frames += n as u64;
            // The limits hold for what is decoded, whatever the header said.
            let channels = u16::try_from(self.channels).unwrap_or(u16::MAX);
            self.limits.check_header(channels, self.rate, self.frames)?;
            for (dst, src) in self.pending.iter_mut().zip(&self.planar) {
                dst.extend(src.iter().map(|&v| {
                    if v.is_finite() && v.abs() <= super::wav::MAX_MAGNITUDE {
                        v
                    } else {
                        self.invalid += 1;
                        0.0
                    }
                }));
            }
            return Ok(true);
        }
    }
}

impl Source for Decoder<'_> {
    fn read(&mut self, frames: usize, out: &mut [Vec<f32>]) -> Result<usize> {
        while !self.done && self.pending.first().map_or(0, Vec::len) - self.at < frames {
            // Drop what was read before adding more.
            for p in &mut self.pending {
                p.drain(..self.at.min(p.len()));
            }
            self.at = 0;
            if !self.decode_next()? {
                self.done = true;
            }
        }
        let available = self.pending.first().map_or(0, Vec::len) - self.at;
        let take = frames.min(available);
        for (o, p) in out.iter_mut().zip(&self.pending) {
            o.clear();
            o.extend_from_slice(p.get(self.at..self.at + take).unwrap_or(&[]));
        }
        self.at += take;
        Ok(take)
    }

    fn invalid(&self) -> u64 {
        self.invalid
    }

    fn skipped(&self) -> u64 {
        self.skipped
    }
}
