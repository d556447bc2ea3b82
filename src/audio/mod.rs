//! The audio guard: a recording is sniffed by its bytes, bounded from its
//! header, its container and metadata reported (never copied), its samples
//! decoded, corrected (non-numbers, DC offset), mixed down, resampled with an
//! anti-aliasing filter to the policy's rate (nothing above half of it
//! survives: ultrasonic carriers included), normalized, and written as a new
//! WAV file.

mod chunk_text;
mod codec;
mod container;
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
use crate::report::{AudioOutputStats, AudioStats, Code, Report, Scores, Severity};

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
}

/// Reports energy below 50 Hz (`db`, against the speech band) over the
/// policy's threshold.
fn infrasound_finding(db: Option<f64>, policy: &Policy, found: &mut Found) {
    let p = &policy.audio.infrasound;
    if let Some(db) = db.filter(|&d| d >= p.threshold_db) {
        found.add(
            Code::Infrasound,
            Severity::Low,
            p.action,
            format!("energy below 50 Hz at {db:+.1} dB relative to the speech band"),
            Details {
                score: Some(db),
                ..Details::default()
            },
        );
    }
}

/// A format the guard decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Wav,
    Flac,
    Mp3,
    Ogg,
    /// AAC in ADTS frames.
    Aac,
    /// MP4/M4A (AAC, usually).
    Mp4,
}

impl Format {
    /// The file extension the decoder's probe is hinted with.
    fn extension(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Flac => "flac",
            Format::Mp3 => "mp3",
            Format::Ogg => "ogg",
            Format::Aac => "aac",
            Format::Mp4 => "m4a",
        }
    }

    /// MIME types and file extensions that declare it.
    fn names(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Format::Wav => (
                &[
                    "audio/wav",
                    "audio/x-wav",
                    "audio/wave",
                    "audio/vnd.wave",
                    "audio/x-pn-wav",
                ],
                &["wav", "wave"],
            ),
            Format::Flac => (&["audio/flac", "audio/x-flac"], &["flac"]),
            Format::Mp3 => (
                &["audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3"],
                &["mp3"],
            ),
            Format::Ogg => (
                &["audio/ogg", "application/ogg", "audio/vorbis"],
                &["ogg", "oga"],
            ),
            Format::Aac => (&["audio/aac", "audio/x-aac", "audio/aacp"], &["aac"]),
            Format::Mp4 => (
                &[
                    "audio/mp4",
                    "audio/m4a",
                    "audio/x-m4a",
                    "audio/aac",
                    "video/mp4",
                ],
                &["m4a", "mp4", "aac"],
            ),
        }
    }
}

/// Audio (and other) formats recognized by their first bytes but not
/// decoded, named in the error.
const OTHER_FORMATS: &[(&[u8], &str)] = &[
    (b"FORM", "AIFF"),
    (b"caff", "CAF"),
    (b"#!AMR", "AMR"),
    (b"\x1A\x45\xDF\xA3", "WebM/Matroska"),
    (b"MThd", "MIDI"),
    (b".snd", "Sun audio"),
];

/// What the bytes are; other recordings are refused, named when known.
fn sniff(bytes: &[u8]) -> Result<Format> {
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
        return Ok(Format::Wav);
    }
    if bytes.starts_with(b"fLaC") {
        return Ok(Format::Flac);
    }
    if bytes.starts_with(b"OggS") {
        // The first page's packet names the codec; Opus is not decoded.
        if bytes.get(28..36) == Some(b"OpusHead") {
            return Err(Error::unsupported(
                "unsupported.audio_format",
                "the input is Ogg Opus, which the audio guard does not decode",
            ));
        }
        return Ok(Format::Ogg);
    }
    if bytes.starts_with(b"ID3") {
        return Ok(Format::Mp3);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Ok(Format::Mp4);
    }
    // An MPEG audio frame: 11 sync bits; layer bits 00 are AAC in ADTS.
    if let [0xFF, b, ..] = bytes {
        if b & 0xE0 == 0xE0 {
            return Ok(if b & 0x06 == 0 {
                Format::Aac
            } else {
                Format::Mp3
            });
        }
    }
    if let Some((_, name)) = OTHER_FORMATS.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Err(Error::unsupported(
            "unsupported.audio_format",
            format!("the input is {name}, which the audio guard does not decode (it reads WAV, FLAC, MP3, Ogg Vorbis and AAC)"),
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
        format!("the input is {what}; the audio guard reads WAV, FLAC, MP3, Ogg Vorbis and AAC"),
    ))
}

/// Whether a declared type (MIME type or file name) names `format`.
fn declares(declared: &str, format: Format) -> bool {
    let d = declared.trim().to_ascii_lowercase();
    let mime = d.split(';').next().unwrap_or("").trim();
    let (mimes, extensions) = format.names();
    if mime.contains('/') {
        return mimes.contains(&mime);
    }
    d.rsplit('.')
        .next()
        .is_some_and(|e| extensions.contains(&e))
}

/// The audio detector as the guard holds it.
pub(crate) type Detector = dyn for<'v> crate::detect::Detector<crate::detect::AudioView<'v>>;

/// Sanitizes one recording under `policy`, scored by `detector` when given
/// and enabled. `progress` hears the share of the recording decoded, from 0 to 1.
pub(crate) fn guard(
    bytes: &[u8],
    input: &AudioInput,
    policy: &Policy,
    detector: Option<&Detector>,
    progress: &mut dyn FnMut(f64),
) -> Result<(Option<AudioOutput>, Report)> {
    let limits = &policy.limits.audio;
    let p = &policy.audio;
    limits.check_bytes(bytes.len())?;
    let format = sniff(bytes)?;
    let mut found = Found::default();
    if let Some(declared) = input.declared_type.filter(|d| !d.trim().is_empty()) {
        if !declares(declared, format) {
            found.add(
                Code::AudioFormatMismatch,
                Severity::Medium,
                p.format_mismatch.action,
                format!(
                    "declared as {declared:?}, but the bytes are {}",
                    format.names().0.first().unwrap_or(&"audio")
                ),
                Details::default(),
            );
        }
    }
    if format == Format::Wav {
        let w = wav::walk(bytes)?;
        limits.check_header(w.channels, w.rate, w.frames())?;
        container_findings(bytes, &w, policy, &mut found);
        let described = Described {
            format: String::from("wav"),
            sample_format: w.format.label(),
            rate: w.rate,
            channels: w.channels,
            frames: w.frames(),
            compressed: false,
        };
        let reopen = || Ok(wav::Reader::new(bytes, &w));
        return finish(
            bytes,
            wav::Reader::new(bytes, &w),
            reopen,
            described,
            policy,
            found,
            detector,
            progress,
        );
    }
    let (decoder, info) = codec::open(bytes, format.extension(), limits)?;
    compressed_container_findings(bytes, format, policy, &mut found);
    tag_findings(&info, policy, &mut found);
    let described = Described {
        format: String::from(match format {
            Format::Mp4 => "mp4",
            other => other.extension(),
        }),
        sample_format: info.codec.clone(),
        rate: info.rate,
        channels: info.channels,
        frames: info.frames.unwrap_or(0),
        compressed: true,
    };
    let reopen = || codec::open(bytes, format.extension(), limits).map(|(d, _)| d);
    finish(
        bytes, decoder, reopen, described, policy, found, detector, progress,
    )
}

/// What a recording is, from its header.
#[derive(Debug, Clone)]
struct Described {
    format: String,
    sample_format: String,
    rate: u32,
    channels: u16,
    /// Frames, as the header says (0 when it does not).
    frames: u64,
    /// Decoded by the codec module (a container that may say more than it holds).
    compressed: bool,
}

/// Decodes, measures and converts the recording `reader` reads, and writes
/// the output; `found` holds the container's findings.
#[allow(clippy::too_many_arguments)]
fn finish<S: convert::Source>(
    bytes: &[u8],
    reader: S,
    reopen: impl Fn() -> Result<S>,
    w: Described,
    policy: &Policy,
    mut found: Found,
    detector: Option<&Detector>,
    progress: &mut dyn FnMut(f64),
) -> Result<(Option<AudioOutput>, Report)> {
    let p = &policy.audio;
    let rate = p.output.sample_rate;
    let stop = p
        .output
        .band_limit_hz
        .map_or(f64::INFINITY, f64::from)
        .min(f64::from(rate.min(w.rate)) / 2.0);
    let plan = convert::Plan {
        rate,
        stop_hz: stop,
        level: level::Leveling {
            peak_dbfs: p.level.peak_dbfs,
            remove_dc: p.level.dc_offset == Action::Sanitize,
        },
        mono: p.output.channels == OutputChannels::Mono,
        // Infrasound is measured on the final samples instead.
        bands: p.ultrasonic.action.enabled(),
        modulation_from_db: p
            .ultrasonic
            .action
            .enabled()
            .then_some(p.ultrasonic.threshold_db),
    };
    let converted = convert::convert(
        reader,
        reopen,
        (w.rate, usize::from(w.channels), w.frames),
        plan,
        progress,
    )?;
    let (levels, bands) = (converted.levels, converted.bands);
    let mut channels = converted.channels;
    let non_finite = converted.invalid;
    // Packets the decoder skipped, and frames the container promised but
    // the stream did not hold (a reader that resynchronizes past damage
    // says nothing): either way the output is shorter than the recording.
    let missing = w.frames.saturating_sub(converted.frames);
    if converted.skipped > 0 || (w.compressed && missing > u64::from(w.rate / 100)) {
        found.add(
            Code::AudioSkippedPackets,
            Severity::Medium,
            Action::Sanitize,
            format!(
                "{} damaged packets left out, {missing} of the {} frames the container declares missing: the output is that much shorter",
                converted.skipped, w.frames
            ),
            Details {
                count: u32::try_from(converted.skipped).unwrap_or(u32::MAX),
                ..Details::default()
            },
        );
    }
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
    // The detector hears the recording as converted, before levelling and
    // squeezing change it.
    let check = &policy.detectors.audio;
    let mut scores = Scores::default();
    let mut ran = Vec::new();
    if let Some(d) = detector.filter(|_| check.action.enabled()) {
        let s = d.score(&detector_samples(&channels, rate)?.view())?;
        ran.push(format!("{}: {}", d.name(), d.engine()));
        scores.audio_adversarial = Some(s.score);
        let threshold = check.threshold.unwrap_or(s.threshold);
        scores.thresholds.audio_adversarial = Some(threshold);
        if s.score >= threshold {
            found.add(
                Code::AudioAdversarialScore,
                Severity::High,
                check.action,
                format!(
                    "the {} detector scores this recording {:.2} (threshold {threshold:.2}): it likely carries an adversarial perturbation",
                    d.name(),
                    s.score
                ),
                Details {
                    score: Some(s.score),
                    threshold: Some(threshold),
                    ..Details::default()
                },
            );
        }
    }
    level::level(&mut channels, plan.level);
    // Squeezed last, at the final level, so the steps are where the output has them.
    if let Some(width) = p.squeeze.median {
        squeeze::median(&mut channels, width);
    }
    if let Some(bits) = p.squeeze.bits {
        squeeze::quantize(&mut channels, bits);
    }
    if p.squeeze.mu_law {
        squeeze::mu_law(&mut channels);
    }
    // Measured on the final samples: what survives to the model, and what
    // the same check finds when the output is sanitized again.
    let below_50_db = p
        .infrasound
        .action
        .enabled()
        .then(|| convert::below_50(&channels, rate, stop))
        .flatten();
    infrasound_finding(below_50_db, policy, &mut found);

    let mut stats = AudioStats {
        format: w.format,
        sample_format: w.sample_format,
        input_bytes: bytes.len() as u32,
        sample_rate: w.rate,
        channels: w.channels,
        frames: converted.frames,
        seconds: converted.frames as f64 / f64::from(w.rate),
        peak_dbfs: level::dbfs(levels.peak),
        above_18k_db: bands.above_18k_db,
        above_20k_db: bands.above_20k_db,
        ultrasonic_peak_hz: bands.peak_hz,
        below_50_db,
        silent_share: levels.silent_share,
        detectors: ran,
        output: None,
    };
    if found.blocked {
        return Ok((None, report(found, stats, scores)));
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
    Ok((Some(output), report(found, stats, scores)))
}

fn report(found: Found, stats: AudioStats, scores: Scores) -> Report {
    Report {
        audio: Some(stats),
        scores,
        ..found.into_report()
    }
}

/// The rate the audio detector's model takes (`mmguard.sample_rate`).
const DETECTOR_RATE: u32 = 16_000;

/// Mono samples at the detector's rate: the channels mixed down, cut to what
/// the detector reads (ten seconds), resampled when the output rate is another.
struct DetectorSamples {
    samples: Vec<f32>,
    rate: u32,
}

impl DetectorSamples {
    fn view(&self) -> crate::detect::AudioView<'_> {
        crate::detect::AudioView {
            samples: &self.samples,
            sample_rate: self.rate,
        }
    }
}

fn detector_samples(channels: &[Vec<f32>], rate: u32) -> Result<DetectorSamples> {
    let target = DETECTOR_RATE;
    let mut mono = Vec::new();
    downmix_into(channels, &mut mono);
    // Enough input for the detector's ten seconds, and a little for the filter.
    let keep = (u64::from(rate) * 11) as usize;
    mono.truncate(keep);
    if rate == target {
        return Ok(DetectorSamples {
            samples: mono,
            rate,
        });
    }
    let resampled = resample::resample(vec![mono], rate, target, f64::from(target) / 2.0 * 0.9375)?;
    Ok(DetectorSamples {
        samples: resampled.into_iter().next().unwrap_or_default(),
        rate: target,
    })
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

/// What follows a compressed stream's end, where its structure says; else
/// a file hidden near the end.
fn compressed_container_findings(bytes: &[u8], format: Format, policy: &Policy, found: &mut Found) {
    let action = policy.audio.container.action;
    if let Some(end) = container::stream_end(bytes, format) {
        let data = bytes
            .get(..container::closing_tags_start(bytes))
            .unwrap_or(bytes);
        found.trailing(
            (Code::AudioPolyglot, Code::AudioTrailingData),
            "recording",
            action,
            data,
            end,
        );
        return;
    }
    if let Some((at, name)) = container::hidden_file(bytes) {
        found.add(
            Code::AudioPolyglot,
            Severity::High,
            action,
            format!("a {name} is hidden in the recording, at byte {at}"),
            Details {
                label: Some(name.to_owned()),
                bytes: Some((at, bytes.len())),
                ..Details::default()
            },
        );
    }
}

/// A compressed recording's tags and pictures, and the tags' texts.
fn tag_findings(info: &codec::Info, policy: &Policy, found: &mut Found) {
    let p = &policy.audio;
    if !info.tags.is_empty() {
        let keys: Vec<&str> = info.tags.iter().map(|(k, _)| k.as_str()).take(8).collect();
        found.add(
            Code::AudioMetadata,
            Severity::Info,
            p.metadata.action,
            format!(
                "{} tag{} ({}{}), removed",
                info.tags.len(),
                if info.tags.len() == 1 { "" } else { "s" },
                keys.join(", "),
                if info.tags.len() > keys.len() {
                    ", ..."
                } else {
                    ""
                }
            ),
            Details {
                label: Some(String::from("tags")),
                count: u32::try_from(info.tags.len()).unwrap_or(u32::MAX),
                ..Details::default()
            },
        );
    }
    for size in &info.pictures {
        found.add(
            Code::AudioMetadata,
            Severity::Info,
            p.metadata.action,
            format!("an embedded picture ({size} bytes), removed"),
            Details {
                label: Some(String::from("picture")),
                ..Details::default()
            },
        );
    }
    if p.metadata.text.enabled() {
        for (key, text) in &info.tags {
            found.metadata_text(
                Code::AudioMetadataText,
                p.metadata.text,
                &format!("tag {key}"),
                text,
                policy,
            );
        }
    }
}

/// Trailing bytes, files hidden in the file, metadata chunks and their texts.
fn container_findings(bytes: &[u8], w: &wav::Wav, policy: &Policy, found: &mut Found) {
    let p = &policy.audio;
    let action = p.container.action;
    found.trailing(
        (Code::AudioPolyglot, Code::AudioTrailingData),
        "recording",
        action,
        bytes,
        w.end,
    );
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
        if p.metadata.text.enabled() {
            for (name, text) in chunk_text::texts(&c.id, payload) {
                found.metadata_text(
                    Code::AudioMetadataText,
                    p.metadata.text,
                    &format!("{} {name}", c.id.trim()),
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_are_told_by_their_bytes_and_declared_types_read() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE").unwrap(), Format::Wav);
        assert_eq!(sniff(b"fLaC\0\0").unwrap(), Format::Flac);
        assert_eq!(sniff(b"ID3\x04").unwrap(), Format::Mp3);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90]).unwrap(), Format::Mp3);
        assert_eq!(sniff(&[0xFF, 0xF1, 0x50]).unwrap(), Format::Aac);
        assert_eq!(sniff(b"\0\0\0\x1CftypM4A ").unwrap(), Format::Mp4);
        assert_eq!(sniff(b"OggS\0\x02").unwrap(), Format::Ogg);
        let mut opus = b"OggS".to_vec();
        opus.resize(28, 0);
        opus.extend_from_slice(b"OpusHead");
        let code = |b: &[u8]| sniff(b).unwrap_err();
        assert!(code(&opus).message().contains("Opus"));
        assert_eq!(code(b"FORM\0\0").code(), "unsupported.audio_format");
        assert_eq!(code(b"\x89PNG\r\n\x1a\n").code(), "input.audio_format");
        assert!(code(b"\x89PNG\r\n\x1a\n")
            .message()
            .to_lowercase()
            .contains("png image"));
        for (yes, format) in [
            ("audio/wav", Format::Wav),
            ("audio/x-wav; codecs=1", Format::Wav),
            ("memo.WAV", Format::Wav),
            (".wave", Format::Wav),
            ("song.mp3", Format::Mp3),
            ("audio/mpeg", Format::Mp3),
            ("voice.m4a", Format::Mp4),
            ("audio/flac", Format::Flac),
        ] {
            assert!(declares(yes, format), "{yes}");
        }
        for (no, format) in [
            ("audio/mpeg", Format::Wav),
            ("song.mp3", Format::Flac),
            ("image/png", Format::Wav),
            ("wav/notreally", Format::Wav),
        ] {
            assert!(!declares(no, format), "{no}");
        }
    }
}
