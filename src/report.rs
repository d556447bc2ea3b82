//! What every guard call returns besides its output: the verdict, the findings
//! with stable codes, the actions taken, scores and statistics.
//!
//! The JSON shape (serde) is the public contract shared by Rust, JavaScript and
//! the CLI; codes and field names never change meaning once published.

use serde::{Deserialize, Serialize};

use crate::policy::Action;

/// The outcome of one guard call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing was changed (findings, if any, were only flagged).
    Clean,
    /// The output differs from the input: something was removed or neutralized.
    Modified,
    /// A check whose action is `block` fired: do not forward this input.
    Blocked,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, harmless by itself (e.g. text was normalized).
    Info,
    /// Unusual, rarely malicious.
    Low,
    /// Often used to hide or disguise content.
    Medium,
    /// Almost always an attack or a leak.
    High,
    /// An attack that is known to work against models today.
    Critical,
}

/// Stable finding codes. Serialized as dotted strings such as `"text.bidi_control"`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Code {
    /// C0 control, DEL, or a C1 control that starts a terminal escape sequence.
    #[serde(rename = "text.control")]
    Control,
    /// Another C1 control, usually Windows-1252 punctuation decoded as Latin-1.
    #[serde(rename = "text.c1_control")]
    C1Control,
    /// Invisible or format character.
    #[serde(rename = "text.invisible")]
    Invisible,
    /// Bidirectional control (Trojan Source).
    #[serde(rename = "text.bidi_control")]
    BidiControl,
    /// ASCII smuggled in Unicode tag characters.
    #[serde(rename = "text.tag_smuggling")]
    TagSmuggling,
    /// Bytes smuggled in runs of variation selectors.
    #[serde(rename = "text.variation_selector_smuggling")]
    VariationSelectorSmuggling,
    /// Bits smuggled in invisible times / invisible plus ("sneaky bits").
    #[serde(rename = "text.sneaky_bits")]
    SneakyBits,
    /// Private-use code point.
    #[serde(rename = "text.private_use")]
    PrivateUse,
    /// Noncharacter code point.
    #[serde(rename = "text.noncharacter")]
    Noncharacter,
    /// Unassigned code point.
    #[serde(rename = "text.unassigned")]
    Unassigned,
    /// A word mixing scripts beyond what UTS #39 "moderately restrictive" allows.
    #[serde(rename = "text.mixed_script")]
    MixedScript,
    /// An encoded payload (base64, hex, ...), decoded into the report.
    #[serde(rename = "text.encoded_payload")]
    EncodedPayload,
    /// The text detector's score, combined with the heuristics, reached the
    /// policy's threshold (`detectors.text`); `score` and `threshold` say by how much.
    #[serde(rename = "text.injection_score")]
    InjectionScore,
    /// "Ignore previous instructions" and its kin.
    #[serde(rename = "text.injection.instruction_override")]
    InstructionOverride,
    /// Jailbreak personas and role-play framings (DAN, developer mode, ...).
    #[serde(rename = "text.injection.role_play")]
    RolePlay,
    /// A fake system or assistant turn written as plain text.
    #[serde(rename = "text.injection.fake_turn")]
    FakeTurn,
    /// Chat-template control tokens (`<|im_start|>`, `[INST]`, ...).
    #[serde(rename = "text.injection.chat_template")]
    ChatTemplate,
    /// Requests to reveal the system prompt or hidden instructions.
    #[serde(rename = "text.injection.prompt_extraction")]
    PromptExtraction,
    /// Markdown or HTML that makes a renderer send data to a URL.
    #[serde(rename = "text.injection.exfiltration")]
    Exfiltration,
    /// A credential.
    #[serde(rename = "text.secret")]
    Secret,
    /// Personal data.
    #[serde(rename = "text.pii")]
    Pii,
    /// Too many combining marks on one base ("Zalgo").
    #[serde(rename = "text.excessive_combining")]
    ExcessiveCombining,
    /// One character repeated past the limit.
    #[serde(rename = "text.flood")]
    Flood,
    /// The text was changed by Unicode normalization.
    #[serde(rename = "text.normalized")]
    Normalized,
    /// The declared type (MIME type or file name) is not what the bytes are.
    #[serde(rename = "image.format_mismatch")]
    FormatMismatch,
    /// Bytes after the image's end marker.
    #[serde(rename = "image.trailing_data")]
    TrailingData,
    /// Another file (archive, document, script, program) inside the image file.
    #[serde(rename = "image.polyglot")]
    Polyglot,
    /// A chunk or segment the format does not define.
    #[serde(rename = "image.unknown_chunk")]
    UnknownChunk,
    /// A chunk that may appear once, repeated (decoders disagree on which counts).
    #[serde(rename = "image.duplicate_chunk")]
    DuplicateChunk,
    /// A metadata block (EXIF, XMP, IPTC, ICC, comment, text chunk).
    #[serde(rename = "image.metadata")]
    Metadata,
    /// A recorded GPS position.
    #[serde(rename = "image.gps")]
    Gps,
    /// Text in metadata that the text guard found something in.
    #[serde(rename = "image.metadata_text")]
    MetadataText,
    /// More than one frame; only the first is kept.
    #[serde(rename = "image.animation")]
    Animation,
    /// Colour data under fully transparent pixels.
    #[serde(rename = "image.hidden_pixels")]
    HiddenPixels,
    /// The image shows something else when scaled naively (image-scaling attack).
    #[serde(rename = "image.scaling_attack")]
    ScalingAttack,
    /// The image was scaled down to the policy's size.
    #[serde(rename = "image.resized")]
    Resized,
    /// The lowest bits of the pixels look like embedded data.
    #[serde(rename = "image.steganography")]
    Steganography,
    /// The image detector's score for adversarial perturbations reached
    /// `detectors.image_adversarial`'s threshold; `score` and `threshold` given.
    #[serde(rename = "image.adversarial_score")]
    AdversarialScore,
    /// The image is mostly rendered text (a typographic prompt), by the
    /// detector's score against `detectors.image_typographic`'s threshold.
    #[serde(rename = "image.typographic")]
    Typographic,
    /// The declared type of a recording is not what its bytes are.
    #[serde(rename = "audio.format_mismatch")]
    AudioFormatMismatch,
    /// Bytes after the recording's end (the RIFF chunk).
    #[serde(rename = "audio.trailing_data")]
    AudioTrailingData,
    /// Another file (archive, document, script) appended to or hidden in a recording.
    #[serde(rename = "audio.polyglot")]
    AudioPolyglot,
    /// A metadata chunk (LIST/INFO, id3, bext, cue, picture), removed.
    #[serde(rename = "audio.metadata")]
    AudioMetadata,
    /// Text in a recording's metadata that the text guard reports.
    #[serde(rename = "audio.metadata_text")]
    AudioMetadataText,
    /// Samples that are not numbers (NaN, infinity) or absurdly large in a float recording.
    #[serde(rename = "audio.invalid_samples")]
    InvalidSamples,
    /// Packets of a compressed recording that could not be decoded, left out.
    #[serde(rename = "audio.skipped_packets")]
    AudioSkippedPackets,
    /// A constant offset from zero in the signal.
    #[serde(rename = "audio.dc_offset")]
    DcOffset,
    /// Samples at full scale: the recording was clipped.
    #[serde(rename = "audio.clipping")]
    Clipping,
    /// Channels averaged into one.
    #[serde(rename = "audio.downmixed")]
    Downmixed,
    /// The recording was resampled to the policy's rate, band-limited to half of it.
    #[serde(rename = "audio.resampled")]
    Resampled,
    /// Energy above 18 kHz, inaudible to people; `label` `modulated` when it
    /// carries a syllable-rate envelope (a voice command on a carrier).
    #[serde(rename = "audio.ultrasonic")]
    Ultrasonic,
    /// Energy below 50 Hz, as demodulated ultrasound leaves.
    #[serde(rename = "audio.infrasound")]
    Infrasound,
    /// The audio detector's score for adversarial perturbations reached
    /// `detectors.audio`'s threshold; `score` and `threshold` given.
    #[serde(rename = "audio.adversarial_score")]
    AudioAdversarialScore,
}

impl Code {
    /// The stable dotted string, e.g. `"text.bidi_control"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Control => "text.control",
            Code::C1Control => "text.c1_control",
            Code::Invisible => "text.invisible",
            Code::BidiControl => "text.bidi_control",
            Code::TagSmuggling => "text.tag_smuggling",
            Code::VariationSelectorSmuggling => "text.variation_selector_smuggling",
            Code::SneakyBits => "text.sneaky_bits",
            Code::PrivateUse => "text.private_use",
            Code::Noncharacter => "text.noncharacter",
            Code::Unassigned => "text.unassigned",
            Code::MixedScript => "text.mixed_script",
            Code::EncodedPayload => "text.encoded_payload",
            Code::InjectionScore => "text.injection_score",
            Code::InstructionOverride => "text.injection.instruction_override",
            Code::RolePlay => "text.injection.role_play",
            Code::FakeTurn => "text.injection.fake_turn",
            Code::ChatTemplate => "text.injection.chat_template",
            Code::PromptExtraction => "text.injection.prompt_extraction",
            Code::Exfiltration => "text.injection.exfiltration",
            Code::Secret => "text.secret",
            Code::Pii => "text.pii",
            Code::ExcessiveCombining => "text.excessive_combining",
            Code::Flood => "text.flood",
            Code::Normalized => "text.normalized",
            Code::FormatMismatch => "image.format_mismatch",
            Code::TrailingData => "image.trailing_data",
            Code::Polyglot => "image.polyglot",
            Code::UnknownChunk => "image.unknown_chunk",
            Code::DuplicateChunk => "image.duplicate_chunk",
            Code::Metadata => "image.metadata",
            Code::Gps => "image.gps",
            Code::MetadataText => "image.metadata_text",
            Code::Animation => "image.animation",
            Code::HiddenPixels => "image.hidden_pixels",
            Code::ScalingAttack => "image.scaling_attack",
            Code::Resized => "image.resized",
            Code::Steganography => "image.steganography",
            Code::AdversarialScore => "image.adversarial_score",
            Code::Typographic => "image.typographic",
            Code::AudioFormatMismatch => "audio.format_mismatch",
            Code::AudioTrailingData => "audio.trailing_data",
            Code::AudioPolyglot => "audio.polyglot",
            Code::AudioMetadata => "audio.metadata",
            Code::AudioMetadataText => "audio.metadata_text",
            Code::InvalidSamples => "audio.invalid_samples",
            Code::AudioSkippedPackets => "audio.skipped_packets",
            Code::DcOffset => "audio.dc_offset",
            Code::Clipping => "audio.clipping",
            Code::Downmixed => "audio.downmixed",
            Code::Resampled => "audio.resampled",
            Code::Ultrasonic => "audio.ultrasonic",
            Code::Infrasound => "audio.infrasound",
            Code::AudioAdversarialScore => "audio.adversarial_score",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is in the caller's input.
///
/// `start..end` count UTF-16 code units, as JavaScript strings do, so a web page
/// can highlight with `input.slice(start, end)`; `byte_start..byte_end` are UTF-8
/// byte offsets for Rust callers. Both refer to the original input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First UTF-16 code unit.
    pub start: u32,
    /// One past the last UTF-16 code unit.
    pub end: u32,
    /// First UTF-8 byte.
    pub byte_start: u32,
    /// One past the last UTF-8 byte.
    pub byte_end: u32,
}

/// How a hidden or encoded payload was carried.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Unicode tag characters U+E0020–U+E007E, one per ASCII byte.
    TagCharacters,
    /// Variation selectors, one per byte (U+FE00–FE0F = 0–15, U+E0100–E01EF = 16–255).
    VariationSelectors,
    /// U+2062 = 0, U+2064 = 1, eight per byte, most significant first.
    SneakyBits,
    /// RFC 4648 base64 (standard or URL-safe alphabet).
    Base64,
    /// RFC 4648 base32.
    Base32,
    /// Hexadecimal bytes.
    Hex,
    /// Percent-encoding.
    Url,
    /// ROT13 of Latin letters.
    Rot13,
    /// Digits and symbols standing for letters (`1gn0r3`).
    Leetspeak,
    /// Fullwidth forms (U+FF01–U+FF5E) of ASCII.
    Fullwidth,
}

/// A payload decoded from the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// Layers peeled, outermost first (e.g. `["url", "base64"]`).
    pub encodings: Vec<Encoding>,
    /// The decoded text (invalid UTF-8 shown as U+FFFD).
    pub text: String,
    /// How many bytes were decoded.
    pub bytes: u32,
    /// True when decoding stopped at `limits.text.max_decoded_bytes`.
    pub truncated: bool,
}

/// Most spans listed per finding; `count` still counts every occurrence.
pub const MAX_SPANS: usize = 32;

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What was found, for people.
    pub message: String,
    /// A finer label where a code covers several kinds, e.g. `"aws_access_key"`, `"email"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What was done about it: `flag`, `sanitize` or `block`.
    pub action: Action,
    /// Occurrences (runs of adjacent characters count once).
    pub count: u32,
    /// Where, up to [`MAX_SPANS`] of them.
    pub spans: Vec<Span>,
    /// The hidden or encoded content, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
    /// Where in a binary input (an image file) it is, as byte offsets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<ByteRange>,
    /// A measured value, where the check measures one (e.g. the scaling-attack
    /// difference, the share of hidden pixels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The threshold `score` was compared with, for a learned detector's finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

/// Bytes `start..end` of a binary input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// One line per code: what was done how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTaken {
    /// The finding code acted on.
    pub code: Code,
    /// The action applied.
    pub action: Action,
    /// How many occurrences it was applied to.
    pub count: u32,
}

/// Scores between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Likelihood that the text is a prompt injection or jailbreak: the text
    /// detector's score combined with the heuristics when the detector ran,
    /// else the heuristic score.
    pub injection: f64,
    /// The heuristic pattern library's score.
    pub injection_heuristic: f64,
    /// The text detector's own score, before the heuristics join; absent when
    /// it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injection_model: Option<f64>,
    /// The image detector's score for adversarial perturbations; absent when
    /// it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_adversarial: Option<f64>,
    /// The typographic-image detector's score; absent when it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_typographic: Option<f64>,
    /// The audio detector's score for adversarial perturbations; absent when
    /// it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_adversarial: Option<f64>,
    /// The threshold each detector that ran was judged against (the policy's,
    /// else the model's own), so a caller can tell how close a score came.
    #[serde(default, skip_serializing_if = "Thresholds::is_empty")]
    pub thresholds: Thresholds,
}

/// The thresholds in effect for the detectors that ran; each is absent when
/// its detector did not run.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Thresholds {
    /// For `injection` (the text detector's score combined with the heuristics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injection: Option<f64>,
    /// For `image_adversarial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_adversarial: Option<f64>,
    /// For `image_typographic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_typographic: Option<f64>,
    /// For `audio_adversarial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_adversarial: Option<f64>,
}

impl Thresholds {
    /// No detector ran.
    pub fn is_empty(&self) -> bool {
        *self == Thresholds::default()
    }
}

/// Sizes before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Characters (Unicode scalar values) in the input.
    pub input_chars: u32,
    /// UTF-16 code units in the input (JavaScript's `length`).
    pub input_utf16: u32,
    /// Characters in the output.
    pub output_chars: u32,
    /// Characters removed.
    pub removed_chars: u32,
    /// Spans replaced by a placeholder or a neutral form.
    pub replaced: u32,
}

/// Everything a guard call found and did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Clean, modified or blocked.
    pub verdict: Verdict,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Actions taken, one entry per code.
    pub actions: Vec<ActionTaken>,
    /// Scores.
    pub scores: Scores,
    /// Statistics of a text input (zero for other inputs).
    pub stats: Stats,
    /// What an image input and its output are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageStats>,
    /// What an audio input and its output are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioStats>,
    /// The input's fingerprint, when the policy's `fingerprint` is on (text
    /// and images; computed even when the input is blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<crate::fingerprint::Fingerprint>,
}

/// An audio input and its output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioStats {
    /// The container, e.g. `wav`.
    pub format: String,
    /// How the input's samples are stored, e.g. `pcm16`, `float32`.
    pub sample_format: String,
    /// Input size in bytes.
    pub input_bytes: u32,
    /// Input sample rate in Hz.
    pub sample_rate: u32,
    /// Input channels.
    pub channels: u16,
    /// Input frames (samples per channel).
    pub frames: u64,
    /// Input duration in seconds.
    pub seconds: f64,
    /// Input peak level in dBFS; absent for digital silence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_dbfs: Option<f64>,
    /// Energy above 18 kHz relative to the speech band (300–4,000 Hz), in
    /// dB; absent when the rate is too low to hold it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_18k_db: Option<f64>,
    /// The same above 20 kHz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_20k_db: Option<f64>,
    /// The strongest frequency above 18 kHz, in Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultrasonic_peak_hz: Option<f64>,
    /// Energy below 50 Hz relative to the speech band, in dB (of the output,
    /// where it survives unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_50_db: Option<f64>,
    /// The share (0 to 1) of the input's 20 ms windows that are silent
    /// (under −60 dBFS); absent for a clip shorter than one window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silent_share: Option<f64>,
    /// The learned detectors that scored the recording, each with the engine
    /// that ran it, e.g. `audio-adversarial: tract`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detectors: Vec<String>,
    /// The output; absent when blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<AudioOutputStats>,
}

/// The output recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioOutputStats {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Frames.
    pub frames: u64,
    /// Size of the WAV file in bytes.
    pub bytes: u32,
}

/// An image input and its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageStats {
    /// The input's real format.
    pub format: crate::sniff::ImageFormat,
    /// Input size in bytes.
    pub input_bytes: u32,
    /// Input width in pixels (as stored, before orientation).
    pub width: u32,
    /// Input height in pixels.
    pub height: u32,
    /// Animation frames in the input (1 for a still image).
    pub frames: u32,
    /// 2, 4 or 8 when the input (a JPEG) was decoded at that fraction of its
    /// size in the DCT domain; 1 when decoded whole.
    pub decode_scale: u32,
    /// The learned detectors that scored the image, each with the engine
    /// that ran it, e.g. `image-adversarial: onnxruntime (CUDA)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detectors: Vec<String>,
    /// Output format, width, height and size; absent when blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ImageOutputStats>,
}

/// The output image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageOutputStats {
    /// Encoded format.
    pub format: crate::sniff::ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size in bytes.
    pub bytes: u32,
}

impl Report {
    /// The most severe finding's severity, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// True when some finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The report as JSON, the shape documented in the README.
    pub fn to_json(&self) -> String {
        // Serializing plain structs of strings and numbers cannot fail; fall back
        // to a minimal document rather than panic if it ever did.
        serde_json::to_string(self)
            .unwrap_or_else(|_| String::from(r#"{"verdict":"blocked","findings":[]}"#))
    }
}
