//! The audio guard: a recording is sniffed by its bytes, bounded from its
//! header, its container and metadata reported (never copied), its samples
//! decoded, corrected (non-numbers, DC offset), mixed down, resampled with an
//! anti-aliasing filter to the policy's rate (nothing above half of it
//! survives: ultrasonic carriers included), normalized, and written as a new
//! WAV file.

mod convert;
mod encode;
mod level;
mod resample;
mod squeeze;
mod ultrasonic;
pub(crate) mod wav;

use crate::error::{Error, Result};
use crate::found::{Details, Found};
use crate::policy::{Action, OutputChannels, Policy};
use crate::report::{AudioOutputStats, AudioStats, Code, Report, Severity};

/// What the caller says about a recording besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudioInput<'a> {
    /// The declared type: a MIME type (`audio/wav`) or a file name
    /// (`memo.wav`). Compared with what the bytes are; never trusted.
    pub declared_type: Option<&'a str>,
}

/// A sanitized recording: a WAV file.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioOutput {
    /// The WAV file.
    pub bytes: Vec<u8>,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Frames (samples per channel).
    pub frames: u64,
    /// Duration in seconds.
    pub seconds: f64,
}

/// What an output with a higher band keeps when ultrasonic energy is
/// removed, in Hz: above what speech needs, below the ultrasonic band.
const ULTRASONIC_STOP_HZ: f64 = 16_000.0;

/// A carrier is taken for a voice-modulated one when its sidebands hold at
/// least this much of its energy (dB)...
const SIDEBANDS_DB: f64 = -30.0;
/// ... and come and go: their envelope varies by at least this much
/// (standard deviation over mean), mostly (this share) at syllable rate.
const MODULATION_DEPTH: f64 = 0.2;
const SYLLABLE_SHARE: f64 = 0.5;

/// Reports what a person does not hear, measured in `b`.
fn inaudible_findings(b: &ultrasonic::Bands, policy: &Policy, found: &mut Found) {
    let p = &policy.audio;
    if let Some(db) = b.above_18k_db.filter(|&d| d >= p.ultrasonic.threshold_db) {
        let modulated = b.sidebands_db.is_some_and(|d| d >= SIDEBANDS_DB)
            && b.modulation_depth.is_some_and(|d| d >= MODULATION_DEPTH)
            && b.syllable_modulation.is_some_and(|m| m >= SYLLABLE_SHARE);
        let peak = b
            .peak_hz
            .map_or(String::new(), |f| format!(", strongest at {f:.0} Hz"));
        found.add(
            Code::Ultrasonic,
            if modulated { Severity::High } else { Severity::Medium },
            p.ultrasonic.action,
            format!(
                "energy above 18 kHz at {db:+.1} dB relative to the speech band{peak}{}",
                if modulated {
                    ", amplitude-modulated at syllable rate: a voice command on an inaudible carrier"
                } else {
                    ""
                }
            ),
            Details {
                label: modulated.then(|| String::from("modulated")),
                score: Some(db),
                ..Details::default()
            },
        );
    }
    if let Some(db) = b.below_50_db.filter(|&d| d >= p.infrasound.threshold_db) {
        found.add(
            Code::Infrasound,
            Severity::Low,
            p.infrasound.action,
            format!("energy below 50 Hz at {db:+.1} dB relative to the speech band"),
            Details {
                score: Some(db),
                ..Details::default()
            },
        );
    }
}

/// Audio (and other) formats recognized by their first bytes but not
/// decoded, named in the error.
const OTHER_FORMATS: &[(&[u8], &str)] = &[
    (b"fLaC", "FLAC"),
    (b"OggS", "Ogg"),
    (b"ID3", "MP3"),
    (b"FORM", "AIFF"),
    (b"caff", "CAF"),
    (b"#!AMR", "AMR"),
    (b"\x1A\x45\xDF\xA3", "WebM/Matroska"),
    (b"MThd", "MIDI"),
    (b".snd", "Sun audio"),
];

/// Refuses what is not a WAV file, naming what it is when known.
fn sniff(bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
        return Ok(());
    }
    let name = OTHER_FORMATS
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, name)| *name)
        .or_else(|| {
            // An MPEG audio frame (MP3, or AAC in ADTS): 11 sync bits.
            matches!(bytes, [0xFF, b, ..] if b & 0xE0 == 0xE0).then_some("MP3/AAC")
        })
        .or_else(|| (bytes.get(4..8) == Some(b"ftyp")).then_some("MP4/M4A"));
    if let Some(name) = name {
        return Err(Error::unsupported(
            "unsupported.audio_format",
            format!("the input is {name}, which the audio guard does not decode (it reads WAV)"),
        ));
    }
    let what = match crate::sniff::sniff(bytes) {
        crate::sniff::Sniffed::Image(f) => format!("a {} image", f.name()),
        crate::sniff::Sniffed::Other(name) => name.to_owned(),
        crate::sniff::Sniffed::Unknown => {
            String::from("not a recording in a format the guard recognizes")
        }
    };
    Err(Error::input(
        "input.audio_format",
        format!("the input is {what}; the audio guard reads WAV"),
    ))
}

/// Whether a declared type (MIME type or file name) names WAV.
fn declares_wav(declared: &str) -> bool {
    let d = declared.trim().to_ascii_lowercase();
    let mime = d.split(';').next().unwrap_or("").trim();
    if mime.contains('/') {
        return matches!(
            mime,
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" | "audio/x-pn-wav"
        );
    }
    matches!(d.rsplit('.').next(), Some("wav" | "wave"))
}

/// Sanitizes one recording under `policy`.
/// `progress` hears the share of the recording decoded, from 0 to 1.
pub(crate) fn guard(
    bytes: &[u8],
    input: &AudioInput,
    policy: &Policy,
    progress: &mut dyn FnMut(f64),
) -> Result<(Option<AudioOutput>, Report)> {
    let limits = &policy.limits.audio;
    let p = &policy.audio;
    limits.check_bytes(bytes.len())?;
    sniff(bytes)?;
    let mut found = Found::default();
    if let Some(declared) = input.declared_type.filter(|d| !d.trim().is_empty()) {
        if !declares_wav(declared) {
            found.add(
                Code::AudioFormatMismatch,
                Severity::Medium,
                p.format_mismatch.action,
                format!("declared as {declared:?}, but the bytes are audio/wav"),
                Details::default(),
            );
        }
    }
    let w = wav::walk(bytes)?;
    limits.check_header(w.channels, w.rate, w.frames())?;
    container_findings(bytes, &w, policy, &mut found);

    let rate = p.output.sample_rate;
    let stop = p
        .output
        .band_limit_hz
        .map_or(f64::INFINITY, f64::from)
        .min(f64::from(rate.min(w.rate)) / 2.0);
    let plan = convert::Plan {
        rate,
        stop_hz: stop,
        mono: p.output.channels == OutputChannels::Mono,
        bands: p.ultrasonic.action.enabled() || p.infrasound.action.enabled(),
        modulation_from_db: p
            .ultrasonic
            .action
            .enabled()
            .then_some(p.ultrasonic.threshold_db),
    };
    let converted = convert::convert(
        || wav::Reader::new(bytes, &w),
        (w.rate, usize::from(w.channels), w.frames()),
        plan,
        progress,
    )?;
    let (levels, bands) = (converted.levels, converted.bands);
    let mut channels = converted.channels;
    let non_finite = converted.invalid;
    if non_finite > 0 {
        found.add(
            Code::InvalidSamples,
            Severity::Medium,
            Action::Sanitize,
            format!(
                "{non_finite} samples are not numbers (NaN, infinite) or absurdly large; they became silence"
            ),
            Details {
                count: u32::try_from(non_finite).unwrap_or(u32::MAX),
                ..Details::default()
            },
        );
    }
    let clips = levels.clipped_runs;
    if clips > 0 {
        found.add(
            Code::Clipping,
            Severity::Low,
            p.level.clipping,
            format!("{clips} runs of samples at full scale: the recording was clipped"),
            Details {
                count: clips,
                ..Details::default()
            },
        );
    }
    let worst = levels.offsets.iter().fold(0.0f32, |m, d| m.max(d.abs()));
    if worst > level::DC_THRESHOLD {
        found.add(
            Code::DcOffset,
            Severity::Low,
            p.level.dc_offset,
            format!(
                "the signal is offset from zero by {:.1}% of full scale",
                worst * 100.0
            ),
            Details {
                score: Some(f64::from(worst)),
                ..Details::default()
            },
        );
    }
    if plan.mono && w.channels > 1 {
        found.add(
            Code::Downmixed,
            Severity::Info,
            Action::Sanitize,
            format!("{} channels mixed down to one", w.channels),
            Details::default(),
        );
    }
    if converted.filtered {
        found.add(
            Code::Resampled,
            Severity::Info,
            Action::Sanitize,
            if w.rate == rate {
                format!("band-limited: nothing above {stop:.0} Hz remains")
            } else {
                format!(
                    "resampled from {} Hz to {rate} Hz; nothing above {stop:.0} Hz remains",
                    w.rate
                )
            },
            Details::default(),
        );
    }
    inaudible_findings(&bands, policy, &mut found);
    // An output band that could still hold ultrasound keeps nothing above
    // 16 kHz once some was found.
    let ultrasonic_found = bands
        .above_18k_db
        .is_some_and(|d| d >= p.ultrasonic.threshold_db);
    if ultrasonic_found && p.ultrasonic.action == Action::Sanitize && stop > ULTRASONIC_STOP_HZ {
        channels = resample::resample(channels, rate, rate, ULTRASONIC_STOP_HZ)?;
    }
    // The offset is taken out of the final samples, at their final level,
    // even below the threshold: resampling a short clip leaves one of its
    // own, normalizing a quiet one lifts it, and the output must pass its
    // own check. Levelling again after it restores the peak.
    if let Some(db) = p.level.peak_dbfs {
        level::normalize_peak(&mut channels, db);
    }
    if p.level.dc_offset == Action::Sanitize {
        let offsets = level::dc_offsets(&channels);
        level::remove_dc(&mut channels, &offsets);
        if let Some(db) = p.level.peak_dbfs {
            level::normalize_peak(&mut channels, db);
        }
    }
    // Squeezed last, at the final level, so the steps are where the output has them.
    if let Some(bits) = p.squeeze.bits {
        squeeze::quantize(&mut channels, bits);
    }
    if p.squeeze.mu_law {
        squeeze::mu_law(&mut channels);
    }

    let mut stats = AudioStats {
        format: String::from("wav"),
        sample_format: w.format.label(),
        input_bytes: bytes.len() as u32,
        sample_rate: w.rate,
        channels: w.channels,
        frames: w.frames(),
        seconds: w.frames() as f64 / f64::from(w.rate),
        peak_dbfs: level::dbfs(levels.peak),
        above_18k_db: bands.above_18k_db,
        above_20k_db: bands.above_20k_db,
        ultrasonic_peak_hz: bands.peak_hz,
        below_50_db: bands.below_50_db,
        output: None,
    };
    if found.blocked {
        return Ok((None, report(found, stats)));
    }
    let frames = channels.first().map_or(0, Vec::len) as u64;
    let out_channels = channels.len() as u16;
    let bytes = encode::wav(&channels, rate, p.output.format);
    stats.output = Some(AudioOutputStats {
        sample_rate: rate,
        channels: out_channels,
        frames,
        bytes: bytes.len() as u32,
    });
    let output = AudioOutput {
        bytes,
        sample_rate: rate,
        channels: out_channels,
        frames,
        seconds: frames as f64 / f64::from(rate),
    };
    Ok((Some(output), report(found, stats)))
}

fn report(found: Found, stats: AudioStats) -> Report {
    Report {
        audio: Some(stats),
        ..found.into_report()
    }
}

/// `out` replaced by the channels averaged into one.
fn downmix_into(channels: &[Vec<f32>], out: &mut Vec<f32>) {
    out.clear();
    downmix_append(channels, out);
}

/// The channels averaged into one, appended to `out`.
fn downmix_append(channels: &[Vec<f32>], out: &mut Vec<f32>) {
    let Some((first, rest)) = channels.split_first() else {
        return;
    };
    let start = out.len();
    out.extend_from_slice(first);
    let mixed = out.get_mut(start..).unwrap_or_default();
    for c in rest {
        for (m, &v) in mixed.iter_mut().zip(c) {
            *m += v;
        }
    }
    if !rest.is_empty() {
        let scale = 1.0 / channels.len() as f32;
        for m in mixed {
            *m *= scale;
        }
    }
}

/// Trailing bytes, files hidden in the file, metadata chunks and their texts.
fn container_findings(bytes: &[u8], w: &wav::Wav, policy: &Policy, found: &mut Found) {
    let p = &policy.audio;
    let action = p.container.action;
    if let Some(tail) = bytes.get(w.end..).filter(|t| !t.is_empty()) {
        let end = bytes.len();
        if let Some((at, name)) = crate::sniff::embedded_file(tail) {
            found.add(
                Code::AudioPolyglot,
                Severity::High,
                action,
                format!(
                    "a {name} is appended after the recording's end, at byte {}",
                    w.end + at
                ),
                Details {
                    label: Some(name.to_owned()),
                    bytes: Some((w.end + at, end)),
                    ..Details::default()
                },
            );
        }
        let padding = tail.iter().all(|&b| b == 0);
        found.add(
            Code::AudioTrailingData,
            if padding {
                Severity::Low
            } else {
                Severity::Medium
            },
            action,
            format!(
                "{} bytes{} after the recording's end",
                tail.len(),
                if padding { " of zero padding" } else { "" }
            ),
            Details {
                bytes: Some((w.end, end)),
                ..Details::default()
            },
        );
    }
    for c in &w.chunks {
        let payload = bytes.get(c.range.0..c.range.1).unwrap_or(&[]);
        if let Some((at, name)) = crate::sniff::embedded_file(payload) {
            found.add(
                Code::AudioPolyglot,
                Severity::High,
                action,
                format!(
                    "a {name} is hidden in the {:?} chunk, at byte {}",
                    c.id,
                    c.range.0 + at
                ),
                Details {
                    label: Some(name.to_owned()),
                    bytes: Some(c.range),
                    ..Details::default()
                },
            );
        }
        found.add(
            Code::AudioMetadata,
            Severity::Info,
            p.metadata.action,
            format!("{:?} chunk ({} bytes), removed", c.id, payload.len()),
            Details {
                label: Some(c.id.trim().to_owned()),
                bytes: Some(c.range),
                ..Details::default()
            },
        );
        if p.metadata.text.enabled() && c.id == "LIST" {
            for (name, text) in info_texts(payload) {
                found.metadata_text(
                    Code::AudioMetadataText,
                    p.metadata.text,
                    &format!("LIST {name}"),
                    &text,
                    policy,
                );
            }
        }
    }
    let recorded = w.chunks.len() as u32;
    if w.chunk_count > recorded {
        found.add(
            Code::AudioMetadata,
            Severity::Low,
            p.metadata.action,
            format!(
                "{} more chunks, not examined, removed",
                w.chunk_count - recorded
            ),
            Details {
                count: w.chunk_count - recorded,
                ..Details::default()
            },
        );
    }
}

/// Texts of a `LIST` chunk of type `INFO` (title, artist, comment, ...):
/// each sub-chunk's id and its text up to the first NUL.
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
        let text = value.split(|&b| b == 0).next().unwrap_or(&[]);
        if !text.is_empty() && out.len() < 64 {
            out.push((
                String::from_utf8_lossy(id).into_owned(),
                String::from_utf8_lossy(text).into_owned(),
            ));
        }
        at = start + size + (size & 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn other_formats_are_named_and_declared_types_read() {
        let code = |b: &[u8]| sniff(b).unwrap_err();
        assert!(code(b"fLaC\0\0").message().contains("FLAC"));
        assert!(code(b"ID3\x04").message().contains("MP3"));
        assert!(code(&[0xFF, 0xFB, 0x90]).message().contains("MP3"));
        assert_eq!(code(b"OggS").code(), "unsupported.audio_format");
        assert_eq!(code(b"\x89PNG\r\n\x1a\n").code(), "input.audio_format");
        assert!(code(b"\x89PNG\r\n\x1a\n")
            .message()
            .to_lowercase()
            .contains("png image"));
        assert!(sniff(b"RIFF\0\0\0\0WAVE").is_ok());
        for yes in ["audio/wav", "audio/x-wav; codecs=1", "memo.WAV", ".wave"] {
            assert!(declares_wav(yes), "{yes}");
        }
        for no in ["audio/mpeg", "song.mp3", "image/png", "wav/notreally"] {
            assert!(!declares_wav(no), "{no}");
        }
    }

    #[test]
    fn info_texts_are_read_and_broken_lists_stop() {
        let list = b"INFOINAM\x05\0\0\0Title\0ICMT\x03\0\0\0hi\0ISFT\xFF\0\0\0x";
        assert_eq!(
            info_texts(list),
            [
                ("INAM".to_owned(), "Title".to_owned()),
                ("ICMT".to_owned(), "hi".to_owned())
            ]
        );
        assert!(info_texts(b"adtl").is_empty());
    }
}
