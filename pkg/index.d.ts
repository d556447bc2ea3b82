// Types for the mmguard npm package. One declaration file serves every entry
// point (browser, node, workerd): they export the same API and differ only in
// how init() loads the WebAssembly module. The shapes mirror the Rust types'
// serde JSON exactly: snake_case fields, enums as lowercase strings.

// ---------------------------------------------------------------- policy

/**
 * What to do when a check finds something.
 * - `allow`: do not run the check; nothing is reported or changed.
 * - `flag`: report the finding, leave the input as it is.
 * - `sanitize`: remove or neutralize what was found, and report it.
 * - `block`: report it and mark the whole input blocked (`verdict: "blocked"`, `text: null`).
 */
export type Action = "allow" | "flag" | "sanitize" | "block";

/**
 * Unicode normalization form applied to the output.
 * - `none`: leave the text as it is.
 * - `nfc`: canonical composition; changes no meaning, only the encoding.
 * - `nfkc`: compatibility composition; also folds fullwidth letters, ligatures,
 *   circled and superscript forms (`²` becomes `2`). Defeats more disguises.
 */
export type Normalization = "none" | "nfc" | "nfkc";

/**
 * How bidirectional controls are neutralized when their check sanitizes.
 * - `remove`: remove every bidi control.
 * - `isolate`: keep them, but close each embedding, override and isolate at the
 *   end of its line, so none can reorder text beyond its line.
 */
export type BidiMode = "remove" | "isolate";

/** A check that takes only an action. In a policy input `action` is required, since each check has its own default. */
export interface Check {
  /** What to do with what the check finds. */
  action: Action;
}

/** The bidi (Trojan Source) check. */
export interface BidiCheck {
  /** What to do. Default `"sanitize"`. */
  action: Action;
  /** How to sanitize. Default `"remove"`. */
  mode: BidiMode;
}

/** Prompt-injection heuristics. */
export interface InjectionCheck {
  /**
   * What to do. `sanitize` neutralizes chat-template tokens and flags the rest,
   * since a phrase cannot be removed without changing what the user asked.
   * Default `"sanitize"`: heuristics have false positives, so a phrase alone never blocks.
   */
  action: Action;
  /** Score (0 to 1) at or above which `block` blocks. Default `0.7`. Outside 0..1 is `policy.invalid`. */
  threshold: number;
}

/** One learned detector's check. */
export interface DetectorCheck {
  /**
   * What to do when the score reaches the threshold: `"flag"` reports it,
   * `"block"` blocks the input, `"allow"` does not run the detector.
   * `"sanitize"` is `policy.invalid` (a score cannot be sanitized). Default `"flag"`.
   */
  action: Action;
  /**
   * The score (0 to 1) at or above which the check fires; `null` (the
   * default) takes the threshold the model was trained with.
   */
  threshold: number | null;
}

/** The learned detectors. A detector runs when its check is enabled and the Guard has its model (`Guard.create()` loads it). */
export interface DetectorsPolicy {
  /** The text detector (prompt injection and jailbreak): finding `text.injection_score`. */
  text: DetectorCheck;
  /** The image detector of adversarial perturbations: finding `image.adversarial_score`. */
  image_adversarial: DetectorCheck;
  /** The detector of images that are mostly rendered text: finding `image.typographic`. */
  image_typographic: DetectorCheck;
  /** The audio detector of adversarial perturbations (the recording as converted: mono, 16 kHz, its first ten seconds): finding `audio.adversarial_score`. */
  audio: DetectorCheck;
}

/** Excessive combining marks ("Zalgo"). */
export interface CombiningCheck {
  /** What to do; `sanitize` keeps the first `max_marks` marks on each base. Default `"sanitize"`. */
  action: Action;
  /** Most combining marks on one base character. Default `4`; at least 1. */
  max_marks: number;
}

/** Character floods: one character repeated many times in a row. */
export interface FloodCheck {
  /** What to do; `sanitize` shortens each run to `max_run`. Default `"flag"`. */
  action: Action;
  /** Longest run of one character that is not a flood. Default `256`; at least 2. */
  max_run: number;
}

/** Every text check, with its effective settings. */
export interface TextPolicy {
  /** Normalization form of the output. Default `"nfc"`. */
  normalization: Normalization;
  /** C0 controls except tab, newline and CR, DEL, and C1 controls that start terminal escapes. Default `sanitize`. */
  controls: Check;
  /** The other C1 controls (U+0080–U+009F), usually mis-decoded Windows-1252 punctuation. Default `flag`. */
  c1_controls: Check;
  /** Invisible and format characters; joiners a script or emoji sequence needs are kept. Default `sanitize`. */
  invisible: Check;
  /** Bidirectional controls (Trojan Source, CVE-2021-42574). */
  bidi: BidiCheck;
  /** Hidden payloads in tag characters, variation selectors and "sneaky bits", decoded into the report. Default `sanitize`. */
  smuggling: Check;
  /** Private-use code points. Default `flag`. */
  private_use: Check;
  /** Noncharacters (U+FDD0–U+FDEF, U+xxFFFE/F). Default `sanitize`. */
  noncharacters: Check;
  /** Code points unassigned in this build's Unicode tables. Default `flag`. */
  unassigned: Check;
  /** Words mixing look-alike scripts and homoglyph spellings; `sanitize` maps look-alikes to Latin. Default `flag`. */
  confusables: Check;
  /** Encoded payloads (base64, hex, URL-encoding, ROT13, ...), decoded and re-scanned. Default `flag`. */
  encoded: Check;
  /** Prompt-injection and jailbreak heuristics. */
  injection: InjectionCheck;
  /** Credentials; `sanitize` replaces each with a placeholder such as `[REDACTED:aws_access_key]`. Default `sanitize`. */
  secrets: Check;
  /** Personal data: emails, phone numbers, payment cards, IBANs. Default `flag`. */
  pii: Check;
  /** Excessive combining marks. */
  combining: CombiningCheck;
  /** Character floods. */
  flood: FloodCheck;
}

/** Limits on text input and on what is decoded from it. All counts must be at least 1. */
export interface TextLimits {
  /** Most UTF-8 bytes accepted; over it, `text()` throws `limit.text_bytes`. Default 4 MiB (4194304). */
  max_bytes: number;
  /** Most Unicode scalar values accepted; over it, `text()` throws `limit.text_chars`. Default 1048576. */
  max_chars: number;
  /** Layers of encoding peeled off a payload. Default `3`, at most `8`. */
  max_decode_depth: number;
  /** Most bytes decoded from all payloads of one input; past it payloads are marked `truncated`. Default 256 KiB (262144). */
  max_decoded_bytes: number;
}

/** How colour under fully transparent pixels is neutralized: set to black, or the image composited onto `background`. */
export type HiddenPixelsMode = "zero" | "flatten";

/** Colour data under fully transparent pixels (visible to a model that drops alpha). */
export interface HiddenPixelsCheck {
  /** What to do. Default `"sanitize"`. */
  action: Action;
  /** How to sanitize. Default `"zero"`. */
  mode: HiddenPixelsMode;
  /** Background for `flatten`, RGB 0–255. Default white. */
  background: [number, number, number];
}

/** EXIF orientation: rotate the pixels as it says (`apply`), or keep them as stored. */
export type Orientation = "apply" | "ignore";

/** An embedded ICC profile: dropped, or its colours converted to sRGB first. */
export type IccHandling = "strip" | "convert";

/** Metadata (EXIF, XMP, IPTC, ICC, comments, text chunks). The output never carries it. */
export interface MetadataCheck {
  /** What to do with metadata blocks. Default `"sanitize"`. */
  action: Action;
  /** Recorded GPS positions. Default `"sanitize"`. */
  gps: Action;
  /** Text in metadata, run through the text guard. Default `"sanitize"`. */
  text: Action;
  /** EXIF orientation. Default `"apply"`. */
  orientation: Orientation;
  /** The ICC profile. Default `"strip"`. This package's WebAssembly build has no colour management: `"convert"` is reported as not applied. */
  icc: IccHandling;
}

/** Resizing filter; each one's support grows with the reduction, so every pixel counts. */
export type ResizeFilter = "area" | "triangle" | "catmull_rom" | "lanczos3";

/** Downscaling of large images. */
export interface ResizePolicy {
  /** Longest side of the output; larger images are scaled down. Default 2048; at least 16. */
  max_side: number;
  /** Default `"area"` (robust to scaling attacks, no ringing, half the cost of `"lanczos3"`, which is sharper). */
  filter: ResizeFilter;
}

/** Image-scaling attacks: an image that shows something else when scaled naively. */
export interface ScalingAttackCheck {
  /** What to do; `sanitize` runs a 3×3 median that removes the attack's pixels, `flag` keeps them; `allow` skips the check, and then a JPEG scaled down 2× or more is decoded reduced in the DCT domain (faster, less memory). Default `"sanitize"`. */
  action: Action;
  /** Difference (0 to 1) at or above which an image is reported. Default 0.1. */
  threshold: number;
  /** Longest sides a model pipeline may scale to (besides `resize.max_side`); at most 32, each at least 8. */
  sizes: number[];
}

/** Median smoothing window. */
export type Median = "none" | "2x2" | "3x3";

/** Feature squeezing, applied to the pixels after resizing. */
export interface SqueezePolicy {
  /** Bits kept per channel, 1–8 (8: off). Default 7. */
  bit_depth: number;
  /** Median smoothing. Default `"none"`. */
  median: Median;
  /** JPEG re-compression quality (1–100) before the final encode, or `null` for none. Default `null`. */
  jpeg_quality: number | null;
}

/** A chi-square test for data hidden in the lowest bits of lossless pixels. */
export interface SteganographyCheck {
  /** What to do; squeezing destroys such payloads anyway. Default `"flag"`. */
  action: Action;
  /** Probability (0 to 1) at or above which an image is reported. Default 0.99. */
  threshold: number;
}

/** Output format: `auto` picks PNG for transparency or few colours, JPEG otherwise. */
export type OutputFormat = "auto" | "png" | "jpeg" | "webp";

/** The re-encoded output. */
export interface OutputPolicy {
  /** Default `"auto"`. */
  format: OutputFormat;
  /** JPEG quality 1–100. Default 90. */
  jpeg_quality: number;
}

/** Every image check, with its effective settings. */
export interface ImagePolicy {
  /** The declared type disagrees with the bytes. Default `flag`. */
  format_mismatch: Check;
  /** Trailing data, appended files (polyglots), unknown and repeated chunks. Default `sanitize`. */
  container: Check;
  /** Metadata. */
  metadata: MetadataCheck;
  /** Animated images: only the first frame is kept. Default `sanitize`. */
  animation: Check;
  /** Colour under fully transparent pixels. */
  hidden_pixels: HiddenPixelsCheck;
  /** Downscaling. */
  resize: ResizePolicy;
  /** Image-scaling attacks. */
  scaling_attack: ScalingAttackCheck;
  /** Feature squeezing. */
  squeeze: SqueezePolicy;
  /** Data hidden in the lowest bits of the pixels. */
  steganography: SteganographyCheck;
  /** The output encoding. */
  output: OutputPolicy;
}

/** Limits on image input, checked on the header before any pixel is decoded. All must be at least 1. */
export interface ImageLimits {
  /** Most bytes; over it `image()` throws `limit.image_bytes`. Default 64 MiB. */
  max_bytes: number;
  /** Widest image in pixels (`limit.image_width`). Default 16384. */
  max_width: number;
  /** Tallest image in pixels (`limit.image_height`). Default 16384. */
  max_height: number;
  /** Most pixels, width × height (`limit.image_pixels`). Default 40,000,000. */
  max_pixels: number;
  /** Most animation frames (`limit.image_frames`). Default 1000. */
  max_frames: number;
  /** Most bytes the decoder may allocate (`limit.image_memory`). Default 512 MiB. */
  max_memory: number;
}

/** What the output recording has in channels. */
export type OutputChannels = "mono" | "keep";

/** Sample encoding of the output WAV. */
export type AudioOutputFormat = "pcm16" | "float32";

/** Metadata chunks of a recording (LIST/INFO, id3, bext, cue, pictures). */
export interface AudioMetadataCheck {
  /** The chunks (never copied to the output). Default `sanitize`. */
  action: Action;
  /** Their text, run through the text guard. Default `sanitize`. */
  text: Action;
}

/** Level corrections. */
export interface LevelPolicy {
  /** An offset from zero over 0.5% of full scale. Default `sanitize` (removed). */
  dc_offset: Action;
  /** Runs of samples at full scale. Default `flag`. */
  clipping: Action;
  /** Output peak level in dBFS (−60 to 0), or `null` to keep the level; an output under −60 dBFS RMS (silence, or what is left of removed content) is not levelled up. Default −1. */
  peak_dbfs: number | null;
}

/** Energy above 18 kHz (inaudible; DolphinAttack carriers). */
export interface UltrasonicCheck {
  /** Default `sanitize`: removed by the output rate, or by band-limiting to 16 kHz above a 32 kHz output rate. */
  action: Action;
  /** Energy above 18 kHz against the speech band (300–4,000 Hz), in dB, from which it is reported. Default −30. */
  threshold_db: number;
}

/** Energy below 50 Hz. */
export interface InfrasoundCheck {
  /** `flag` or `block` (no `sanitize`). Default `flag`. */
  action: Action;
  /** Energy below 50 Hz against the speech band, in dB, from which it is reported. Default +6. */
  threshold_db: number;
}

/** Feature squeezing of the output samples. */
export interface AudioSqueezePolicy {
  /** Bits per sample (2–16) to round to, or `null`. Default `null`. */
  bits: number | null;
  /** An 8-bit µ-law round trip. Default `false`. */
  mu_law: boolean;
  /** A running median over 3, 5, 7 or 9 samples before the rounding (removes spikes; not a fixed point), or `null`. Default `null`. */
  median: number | null;
}

/** The output recording. */
export interface AudioOutputPolicy {
  /** Sample rate in Hz (4,000–384,000); nothing above half of it survives. Default 16,000. */
  sample_rate: number;
  /**
   * The highest frequency the output keeps, in Hz (1,000–192,000, at most half the
   * output rate): the resampler's low-pass stops there, passing 90% of it flat. At
   * the input's own rate it runs only when something lies above it. `null` keeps up
   * to half the output rate. Default 7,500 (the speech band).
   */
  band_limit_hz: number | null;
  /** Default `"mono"`. */
  channels: OutputChannels;
  /** Default `"pcm16"`. */
  format: AudioOutputFormat;
}

/** Every audio check, with its effective settings. */
export interface AudioPolicy {
  /** The declared type is not what the bytes are (WAV, FLAC, MP3, ...). Default `flag`. */
  format_mismatch: Check;
  /** Bytes after the RIFF end, files appended or hidden in chunks. Default `sanitize`. */
  container: Check;
  /** Metadata chunks. */
  metadata: AudioMetadataCheck;
  /** Offset, clipping, output level. */
  level: LevelPolicy;
  /** Energy above 18 kHz. */
  ultrasonic: UltrasonicCheck;
  /** Energy below 50 Hz. */
  infrasound: InfrasoundCheck;
  /** Feature squeezing. */
  squeeze: AudioSqueezePolicy;
  /** The output WAV. */
  output: AudioOutputPolicy;
}

/** Limits on a recording, checked on the header before any sample is decoded. */
export interface AudioLimits {
  /** Most bytes (`limit.audio_bytes`). Default 128 MiB. */
  max_bytes: number;
  /** Longest duration in seconds (`limit.audio_seconds`). Default 600. */
  max_seconds: number;
  /** Most channels (`limit.audio_channels`). Default 8. */
  max_channels: number;
  /** Lowest and highest sample rate in Hz (`limit.audio_rate`). Default 4,000 and 384,000. */
  min_rate: number;
  max_rate: number;
  /** Most bytes the decoded samples may take (`limit.audio_memory`). Default 512 MiB. */
  max_memory: number;
}

/** Size limits, one group per modality, enforced before any work. */
export interface Limits {
  /** Limits for `Guard.text`. */
  text: TextLimits;
  /** Limits for `Guard.image`. */
  image: ImageLimits;
  /** Limits for `Guard.audio`. */
  audio: AudioLimits;
}

/** The effective policy, as returned by `defaultPolicy()` and `Guard.policy()`: every field present. */
export interface Policy {
  /** Text checks. */
  text: TextPolicy;
  /** Image checks. */
  image: ImagePolicy;
  /** Audio checks. */
  audio: AudioPolicy;
  /** The learned detectors' thresholds and actions. */
  detectors: DetectorsPolicy;
  /** Size limits. */
  limits: Limits;
  /** Adds `report.fingerprint` to text and image reports (default false). */
  fingerprint: boolean;
}

/**
 * Text checks as passed to `new Guard(...)`: every field optional; a missing
 * one keeps its default. A `Check` still needs its `action`.
 */
export interface TextPolicyInput {
  normalization?: Normalization;
  controls?: Check;
  c1_controls?: Check;
  invisible?: Check;
  bidi?: Partial<BidiCheck>;
  smuggling?: Check;
  private_use?: Check;
  noncharacters?: Check;
  unassigned?: Check;
  confusables?: Check;
  encoded?: Check;
  injection?: Partial<InjectionCheck>;
  secrets?: Check;
  pii?: Check;
  combining?: Partial<CombiningCheck>;
  flood?: Partial<FloodCheck>;
}

/** Image checks as passed to `new Guard(...)`: every field optional. A `Check` still needs its `action`. */
export interface ImagePolicyInput {
  format_mismatch?: Check;
  container?: Check;
  metadata?: Partial<MetadataCheck>;
  animation?: Check;
  hidden_pixels?: Partial<HiddenPixelsCheck>;
  resize?: Partial<ResizePolicy>;
  scaling_attack?: Partial<ScalingAttackCheck>;
  squeeze?: Partial<SqueezePolicy>;
  steganography?: Partial<SteganographyCheck>;
  output?: Partial<OutputPolicy>;
}

/** Audio checks as passed to `new Guard(...)`: every field optional. A `Check` still needs its `action`. */
export interface AudioPolicyInput {
  format_mismatch?: Check;
  container?: Check;
  metadata?: Partial<AudioMetadataCheck>;
  level?: Partial<LevelPolicy>;
  ultrasonic?: Partial<UltrasonicCheck>;
  infrasound?: Partial<InfrasoundCheck>;
  squeeze?: Partial<AudioSqueezePolicy>;
  output?: Partial<AudioOutputPolicy>;
}

/** Limits as passed to `new Guard(...)`: every field optional. */
export interface LimitsInput {
  text?: Partial<TextLimits>;
  image?: Partial<ImageLimits>;
  audio?: Partial<AudioLimits>;
}

/**
 * A policy as passed to `new Guard(...)`: a partial `Policy`. Unknown keys are
 * refused (`policy.json`) so a typo cannot silently switch a check off.
 */
export interface PolicyInput {
  text?: TextPolicyInput;
  image?: ImagePolicyInput;
  audio?: AudioPolicyInput;
  detectors?: {
    text?: Partial<DetectorCheck>;
    image_adversarial?: Partial<DetectorCheck>;
    image_typographic?: Partial<DetectorCheck>;
    audio?: Partial<DetectorCheck>;
  };
  limits?: LimitsInput;
  /** Adds `report.fingerprint` to text and image reports, for query monitoring. */
  fingerprint?: boolean;
}

// ---------------------------------------------------------------- report

/**
 * The outcome of one guard call.
 * - `clean`: nothing was changed (findings, if any, were only flagged).
 * - `modified`: something was removed or neutralized.
 * - `blocked`: a check whose action is `block` fired; do not forward this input.
 */
export type Verdict = "clean" | "modified" | "blocked";

/** How serious a finding is, from harmless (`info`) to an attack known to work today (`critical`). */
export type Severity = "info" | "low" | "medium" | "high" | "critical";

/** Stable finding codes. They never change meaning once published; new ones may be added. */
export type FindingCode =
  /** C0 control, DEL, or a C1 control that starts a terminal escape sequence. */
  | "text.control"
  /** Another C1 control, usually Windows-1252 punctuation decoded as Latin-1. */
  | "text.c1_control"
  /** Invisible or format character. */
  | "text.invisible"
  /** Bidirectional control (Trojan Source). */
  | "text.bidi_control"
  /** ASCII smuggled in Unicode tag characters. */
  | "text.tag_smuggling"
  /** Bytes smuggled in runs of variation selectors. */
  | "text.variation_selector_smuggling"
  /** Bits smuggled in invisible times / invisible plus. */
  | "text.sneaky_bits"
  /** Private-use code point. */
  | "text.private_use"
  /** Noncharacter code point. */
  | "text.noncharacter"
  /** Unassigned code point. */
  | "text.unassigned"
  /** A word mixing look-alike scripts. */
  | "text.mixed_script"
  /** An encoded payload (base64, hex, ...), decoded into the report. */
  | "text.encoded_payload"
  /** The text detector's score (combined with the heuristics) reached `detectors.text`'s threshold; `score` and `threshold` say by how much. */
  | "text.injection_score"
  /** "Ignore previous instructions" and its kin. */
  | "text.injection.instruction_override"
  /** Jailbreak personas and role-play framings. */
  | "text.injection.role_play"
  /** A fake system or assistant turn written as plain text. */
  | "text.injection.fake_turn"
  /** Chat-template control tokens (`<|im_start|>`, `[INST]`, ...). */
  | "text.injection.chat_template"
  /** Requests to reveal the system prompt or hidden instructions. */
  | "text.injection.prompt_extraction"
  /** Markdown or HTML that makes a renderer send data to a URL. */
  | "text.injection.exfiltration"
  /** A credential. */
  | "text.secret"
  /** Personal data. */
  | "text.pii"
  /** Too many combining marks on one base ("Zalgo"). */
  | "text.excessive_combining"
  /** One character repeated past the limit. */
  | "text.flood"
  /** The text was changed by Unicode normalization. */
  | "text.normalized"
  /** The declared type (MIME type or file name) is not what the bytes are. */
  | "image.format_mismatch"
  /** Bytes after the image's end marker. */
  | "image.trailing_data"
  /** Another file (archive, document, script, program) inside the image file. */
  | "image.polyglot"
  /** A chunk or segment the format does not define. */
  | "image.unknown_chunk"
  /** A chunk that may appear once, repeated. */
  | "image.duplicate_chunk"
  /** A metadata block (`label`: exif, xmp, iptc, icc, comment, png_text, time, application). */
  | "image.metadata"
  /** A recorded GPS position. */
  | "image.gps"
  /** Text in metadata in which the text guard found something (`payload` holds the text). */
  | "image.metadata_text"
  /** More than one frame; only the first is kept. */
  | "image.animation"
  /** Colour data under fully transparent pixels. */
  | "image.hidden_pixels"
  /** The image shows something else when scaled naively (`score` is the difference). */
  | "image.scaling_attack"
  /** The image was scaled down to `image.resize.max_side`. */
  | "image.resized"
  /** The lowest bits of the pixels look like embedded data (`score` the probability). */
  | "image.steganography"
  /** The adversarial-perturbation detector's score reached `detectors.image_adversarial`'s threshold. */
  | "image.adversarial_score"
  /** The image is mostly rendered text (a typographic prompt), by its detector's score. */
  | "image.typographic"
  /** The declared type of a recording is not what its bytes are. */
  | "audio.format_mismatch"
  /** Bytes after the recording's end (`bytes` says where). */
  | "audio.trailing_data"
  /** A ZIP, PDF, HTML, script or executable appended to or inside a recording (`label` names it). */
  | "audio.polyglot"
  /** A metadata chunk, removed (`label` its id). */
  | "audio.metadata"
  /** Metadata text in which the text guard found something (`payload` holds the text). */
  | "audio.metadata_text"
  /** Float samples that are NaN, infinite or beyond ±1000; silenced (`count`). */
  | "audio.invalid_samples"
  /** Packets of a compressed recording that could not be decoded, left out (`count`). */
  | "audio.skipped_packets"
  /** An offset from zero (`score` its size, 0 to 1). */
  | "audio.dc_offset"
  /** Runs of samples at full scale (`count`). */
  | "audio.clipping"
  /** Channels mixed down to one. */
  | "audio.downmixed"
  /** Resampled to `audio.output.sample_rate`, or band-limited at the same rate. */
  | "audio.resampled"
  /** Energy above 18 kHz (`score` in dB against the speech band; `label` `modulated` when a voice rides a carrier). */
  | "audio.ultrasonic"
  /** Energy below 50 Hz (`score` in dB against the speech band). */
  | "audio.infrasound"
  /** The audio detector's score reached `detectors.audio`'s threshold; `score` and `threshold` given. */
  | "audio.adversarial_score";

/**
 * Where a finding is in the input. `start`/`end` count UTF-16 code units like
 * JavaScript strings, so `input.slice(span.start, span.end)` is the finding;
 * `byte_start`/`byte_end` are UTF-8 byte offsets. Both refer to the original input.
 */
export interface Span {
  /** First UTF-16 code unit. */
  start: number;
  /** One past the last UTF-16 code unit. */
  end: number;
  /** First UTF-8 byte. */
  byte_start: number;
  /** One past the last UTF-8 byte. */
  byte_end: number;
}

/** How a hidden or encoded payload was carried. */
export type Encoding =
  /** Unicode tag characters U+E0020–U+E007E, one per ASCII byte. */
  | "tag_characters"
  /** Variation selectors, one per byte. */
  | "variation_selectors"
  /** U+2062 = 0, U+2064 = 1, eight per byte. */
  | "sneaky_bits"
  /** RFC 4648 base64, standard or URL-safe. */
  | "base64"
  /** RFC 4648 base32. */
  | "base32"
  /** Hexadecimal bytes. */
  | "hex"
  /** Percent-encoding. */
  | "url"
  /** ROT13 of Latin letters. */
  | "rot13"
  /** Digits and symbols standing for letters. */
  | "leetspeak"
  /** Fullwidth forms of ASCII. */
  | "fullwidth";

/** A payload decoded from the input. */
export interface Payload {
  /** Layers peeled, outermost first, e.g. `["url", "base64"]`. */
  encodings: Encoding[];
  /** The decoded text; invalid UTF-8 shows as U+FFFD. */
  text: string;
  /** How many bytes were decoded. */
  bytes: number;
  /** True when decoding stopped at `limits.text.max_decoded_bytes`. */
  truncated: boolean;
}

/** One thing a check found. */
export interface Finding {
  /** Stable code. */
  code: FindingCode;
  /** How serious it is. */
  severity: Severity;
  /** What was found, for people. Wording may change; branch on `code`. */
  message: string;
  /** A finer label where a code covers several kinds, e.g. `"aws_access_key"`, `"email"`. */
  label?: string;
  /** What was done about it: `flag`, `sanitize` or `block`. */
  action: Action;
  /** Occurrences; a run of adjacent characters counts once. */
  count: number;
  /** Where, at most 32 of them; `count` still counts every occurrence. */
  spans: Span[];
  /** The hidden or encoded content, decoded. */
  payload?: Payload;
  /** Where in a binary input (an image file) it is, as byte offsets. */
  bytes?: ByteRange;
  /** A measured value, where the check measures one (the scaling-attack difference, the share of hidden pixels). */
  score?: number;
  /** The threshold `score` was compared with, for a learned detector's finding. */
  threshold?: number;
}

/** Bytes `start` to `end` (exclusive) of a binary input. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What was done how often, one entry per code. */
export interface ActionTaken {
  /** The finding code acted on. */
  code: FindingCode;
  /** The action applied. */
  action: Action;
  /** How many occurrences it was applied to. */
  count: number;
}

/** Scores between 0 and 1. */
export interface Scores {
  /**
   * Likelihood that the text is a prompt injection or jailbreak: the text
   * detector's score combined with the heuristics when the detector ran,
   * else the heuristic score.
   */
  injection: number;
  /** The heuristic pattern library's score. */
  injection_heuristic: number;
  /** The text detector's own score, before the heuristics join; absent when it did not run. */
  injection_model?: number;
  /** The image detector's adversarial-perturbation score; absent when it did not run. */
  image_adversarial?: number;
  /** The typographic-image detector's score; absent when it did not run. */
  image_typographic?: number;
  /** The audio detector's adversarial-perturbation score; absent when it did not run. */
  audio_adversarial?: number;
  /**
   * The threshold each detector that ran was judged against (the policy's,
   * else the model's own); absent when no detector ran.
   */
  thresholds?: {
    injection?: number;
    image_adversarial?: number;
    image_typographic?: number;
    audio_adversarial?: number;
  };
}

/** Sizes before and after. */
export interface Stats {
  /** Characters (Unicode scalar values) in the input. */
  input_chars: number;
  /** UTF-16 code units in the input (the input's `length`). */
  input_utf16: number;
  /** Characters in the output. */
  output_chars: number;
  /** Characters removed. */
  removed_chars: number;
  /** Spans replaced by a placeholder or a neutral form. */
  replaced: number;
}

/** Everything a guard call found and did. */
export interface Report {
  /** Clean, modified or blocked. */
  verdict: Verdict;
  /** Findings, most severe first. */
  findings: Finding[];
  /** Actions taken, one entry per code. */
  actions: ActionTaken[];
  /** Scores. */
  scores: Scores;
  /** Statistics of a text input (zero for other inputs). */
  stats: Stats;
  /** What an image input and its output are (image reports only). */
  image?: ImageStats;
  /** What a recording and its output are (audio reports only). */
  audio?: AudioStats;
  /** The input's fingerprint, when the policy's `fingerprint` is on (texts and images). */
  fingerprint?: Fingerprint;
}

/**
 * A 64-bit fingerprint of an input, for watching a client's stream of queries:
 * compare two of the same kind by Hamming distance (the number of differing
 * bits, 0 to 64). Near-identical inputs are a few bits apart, unrelated ones
 * about 32.
 */
export interface Fingerprint {
  /** A SimHash of a text's letters and digits, or a difference hash of an image's brightness. */
  kind: 'text.simhash64' | 'image.dhash64';
  /** The 64 bits as 16 lower-case hex digits. */
  hex: string;
}

/** A recording and its output. */
export interface AudioStats {
  /** The container: `"wav"`, `"flac"`, `"mp3"`, `"ogg"`, `"aac"` (ADTS) or `"mp4"`. */
  format: string;
  /** How its samples are stored: `pcm8`, `pcm16`, `pcm24`, `pcm32`, `float32`, `float64` (WAV), or the codec: `flac`, `mp3`, `vorbis`, `aac`. */
  sample_format: string;
  /** Input size in bytes. */
  input_bytes: number;
  sample_rate: number;
  channels: number;
  /** Samples per channel. */
  frames: number;
  seconds: number;
  /** Input peak level in dBFS; absent for digital silence. */
  peak_dbfs?: number;
  /** Energy above 18 and 20 kHz against the speech band, in dB; absent when the rate cannot hold it. */
  above_18k_db?: number;
  above_20k_db?: number;
  /** The strongest frequency above 18 kHz. */
  ultrasonic_peak_hz?: number;
  /** Energy below 50 Hz against the speech band, in dB, measured on the output (where it survives unchanged). */
  below_50_db?: number;
  /** The share (0 to 1) of the input's 20 ms windows under −60 dBFS; absent for a clip shorter than one. */
  silent_share?: number;
  /** The learned detectors that scored the recording and their engine, e.g. `"audio-adversarial: tract (wasm engine module)"`; absent when none ran. */
  detectors?: string[];
  /** The output; absent when blocked. */
  output?: { sample_rate: number; channels: number; frames: number; bytes: number };
}

/** An image format the guard reads; the output is one of png, jpeg, webp. */
export type ImageFormat = "png" | "jpeg" | "gif" | "webp" | "bmp";

/** An image input and its output. */
export interface ImageStats {
  /** The input's real format, from its bytes. */
  format: ImageFormat;
  /** Input size in bytes. */
  input_bytes: number;
  /** Input width and height in pixels, as stored (before orientation). */
  width: number;
  height: number;
  /** Animation frames in the input (1 for a still image). */
  frames: number;
  /** 2, 4 or 8 when the input (a JPEG) was decoded at that fraction of its size in the DCT domain (only with `image.scaling_attack.action` `"allow"`); 1 when decoded whole. */
  decode_scale: number;
  /** The learned detectors that scored the image and their engine, e.g. `"image-adversarial: tract (wasm engine module)"`; absent when none ran. */
  detectors?: string[];
  /** The output; absent when blocked. */
  output?: { format: ImageFormat; width: number; height: number; bytes: number };
}

/** What `Guard.text` returns. */
export interface TextResult {
  /** The sanitized text, or `null` when `report.verdict` is `"blocked"`. */
  text: string | null;
  /** What was found and done. */
  report: Report;
}

/** What `Guard.image` resolves to. Every field but `report` is `null` when `report.verdict` is `"blocked"`. */
export interface ImageResult {
  /** The sanitized image file, re-encoded from pixels (a fresh, unshared buffer). */
  bytes: Uint8Array<ArrayBuffer> | null;
  /** Its MIME type: `image/png`, `image/jpeg` or `image/webp`. */
  mimeType: string | null;
  /** Its size in pixels. */
  width: number | null;
  height: number | null;
  /** What was found and done. */
  report: Report;
}

/** What `Guard.audio` resolves to. Every field but `report` is `null` when `report.verdict` is `"blocked"`. */
export interface AudioResult {
  /** The sanitized recording: a new WAV file (a fresh, unshared buffer). */
  bytes: Uint8Array<ArrayBuffer> | null;
  /** `"audio/wav"`. */
  mimeType: string | null;
  sampleRate: number | null;
  channels: number | null;
  /** In seconds. */
  duration: number | null;
  /** What was found and done. */
  report: Report;
}

/** Options of `Guard.image` (and, with `onProgress`, of `Guard.audio`). */
export interface ImageOptions {
  /** The declared type to compare with the bytes: a MIME type (`image/png`) or a file name. Default: a File's name or a Blob's type. */
  type?: string;
}

/** Options of `Guard.audio`. */
export interface AudioOptions extends ImageOptions {
  /**
   * Called with the share of the recording worked through, from 0 to 1 (at most
   * about a hundred times, the last with 1), while the guard runs: the recording is
   * decoded and resampled a block at a time, so only the output is held in full.
   * The calls happen during the one synchronous step, so a page's main thread does
   * not repaint between them; in a Web Worker, post them to the page. An exception
   * it throws rejects the promise with that exception, once the step is done.
   */
  onProgress?: (share: number) => void;
}

// ---------------------------------------------------------------- API

/**
 * Stable error codes. Those from the wasm side:
 * - `policy.json`: the policy has an unknown key or a value of the wrong type.
 * - `policy.invalid`: the policy parses but a value is out of range.
 * - `limit.text_bytes`, `limit.text_chars`: the input is over a limit in `policy.limits.text`.
 * - `limit.image_bytes`, `limit.image_width`, `limit.image_height`, `limit.image_pixels`,
 *   `limit.image_frames`, `limit.image_memory`: the image is over `policy.limits.image` (from its header).
 * - `unsupported.image_format`: a format the image guard does not decode (HEIC, AVIF, SVG, PDF, TIFF, ...);
 *   `unsupported.image_feature`: a variant of a supported format the decoder lacks.
 * - `input.image_format` (not an image), `input.image_malformed` (no usable header),
 *   `input.image_decode` (corrupt image data).
 * - `limit.audio_bytes`, `limit.audio_seconds`, `limit.audio_channels`, `limit.audio_rate`,
 *   `limit.audio_memory`: the recording is over `policy.limits.audio` (from its header).
 * - `unsupported.audio_format` (Opus, AIFF, WebM, ... named), `unsupported.audio_feature`
 *   (compressed WAV, a codec the decoder lacks), `input.audio_format` (not a recording), `input.audio_malformed`
 *   (a header that lies, a file cut short), `input.audio_resample`.
 *
 * Those from the JavaScript wrapper:
 * - `input.type`: `text()` was given something other than a string, or `image()` something
 *   other than a Uint8Array, ArrayBuffer or Blob.
 * - `init.required`: the API was used before `init()` finished.
 * - `init.failed`: the WebAssembly module could not be loaded (`cause` says why).
 * - `guard.freed`: the Guard was used after `free()`; `detector.freed`: a TextDetector was.
 * - `detector.unavailable`: `Guard.create()` could not load a model the policy enables
 *   (on workerd, pass it in `options.detectors`).
 * - `model.malformed`, `model.unsupported`: bytes given as a model are not ONNX, or not
 *   the model this version runs.
 * - `internal.trap`, `internal.serialize`: a bug in mmguard; please report it.
 *   After `internal.trap` the module's state is unknown: reload it.
 *
 * New codes may be added; the first part names whose fault it is.
 */
export type ErrorCode =
  | "policy.json"
  | "policy.invalid"
  | "limit.text_bytes"
  | "limit.text_chars"
  | "limit.image_bytes"
  | "limit.image_width"
  | "limit.image_height"
  | "limit.image_pixels"
  | "limit.image_frames"
  | "limit.image_memory"
  | "unsupported.image_format"
  | "unsupported.image_feature"
  | "input.image_format"
  | "input.image_malformed"
  | "input.image_decode"
  | "limit.audio_bytes"
  | "limit.audio_seconds"
  | "limit.audio_channels"
  | "limit.audio_rate"
  | "limit.audio_memory"
  | "unsupported.audio_format"
  | "unsupported.audio_feature"
  | "input.audio_format"
  | "input.audio_malformed"
  | "input.audio_resample"
  | "input.type"
  | "init.required"
  | "init.failed"
  | "guard.freed"
  | "detector.freed"
  | "detector.unavailable"
  | "model.malformed"
  | "model.unsupported"
  | "internal.trap"
  | "internal.serialize"
  | "guard.terminated"
  | "worker.unavailable"
  | "worker.failed"
  | "worker.protocol"
  | "internal.worker"
  | "upload.blocked"
  | "upload.unsupported"
  | (string & {});

/** An input or policy mmguard refused to process. Branch on `code`, never on `message`. */
export class MmguardError extends Error {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions);
  /** Always `"MmguardError"`. */
  name: "MmguardError";
  /** Stable, machine-readable code such as `"limit.text_chars"`. */
  code: ErrorCode;
}

/** Where `init()` may load the WebAssembly module from. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the WebAssembly module. Call and await it once before using anything
 * else: until it has finished, `new Guard()`, `defaultPolicy()` and `version()`
 * throw an `MmguardError` with code `"init.required"`. Later calls return the
 * same promise; after a failure (`"init.failed"`) a new call retries.
 *
 * In browsers `input` overrides where the module comes from (default:
 * `dist/mmguard_bg.wasm` beside the package's entry file, or
 * `dist/mmguard_nosimd_bg.wasm` where the browser lacks wasm SIMD). Node.js
 * reads the file from disk and workerd imports it at load time; both ignore
 * `input`.
 */
export function init(input?: InitInput, options?: InitOptions): Promise<void>;

/** Options of `init()`. */
export interface InitOptions {
  /**
   * `true` loads the SIMD builds, `false` the baseline builds (no SIMD) of the
   * sanitizer and, when a detector needs it, of the engine module; by default
   * the runtime is asked (`simdSupported()`). workerd always loads the SIMD
   * builds.
   */
  simd?: boolean;
}

/**
 * Whether this runtime runs WebAssembly SIMD. Where it does not, `init()`
 * loads the baseline builds of the sanitizer and of the detectors' engine.
 */
export function simdSupported(): boolean;

/** Whether `init()` loaded the SIMD build (`null` before, or when `input` chose the module). */
export function simdLoaded(): boolean | null;

/** Options of `GuardWorker.create()`. */
export interface GuardWorkerOptions {
  /** Workers in the pool, each with its own wasm module and Guard: 1 to 16, default 1. */
  poolSize?: number;
  /** As `init()`'s `simd`, for the workers' modules. */
  simd?: boolean;
}

/** Options of every `GuardWorker` call. */
export interface WorkerCallOptions {
  /**
   * Cancels the call: a queued call leaves the queue, a running one stops with
   * its worker, which a fresh one replaces. The promise rejects with
   * `signal.reason` (an `AbortError` DOMException by default).
   */
  signal?: AbortSignal;
}

/** Options of `GuardWorker.image()` and `GuardWorker.audio()`. */
export interface WorkerFileOptions extends WorkerCallOptions {
  /** As `Guard.image()`'s `type`. */
  type?: string;
  /**
   * `false` copies an ArrayBuffer or Uint8Array instead of moving it to the
   * worker. By default it is transferred: the caller's buffer is detached
   * (length 0) once the call starts. A Uint8Array that views part of a larger
   * buffer is always copied; a Blob is passed by reference.
   */
  transfer?: boolean;
}

/** Options of `GuardWorker.audio()`. */
export interface WorkerAudioOptions extends WorkerFileOptions {
  /** As `Guard.audio()`'s `onProgress`, called on the calling thread. */
  onProgress?: (share: number) => void;
}

/**
 * The Guard API with the work done off the calling thread, in a pool of
 * workers (module Web Workers started from the package's own `worker.js` in
 * browsers, so a CSP of `script-src 'self' 'wasm-unsafe-eval'; worker-src
 * 'self'` suffices; worker_threads in Node.js). Each worker loads its own wasm
 * module and makes its Guard with `Guard.create(policy)`. No `init()` is
 * needed. In Node.js the pool keeps the process alive until `terminate()`.
 *
 * @example
 * const guard = await GuardWorker.create({ text: { pii: { action: "sanitize" } } });
 * const { bytes, report } = await guard.image(file, { signal });
 */
export class GuardWorker {
  private constructor();
  /**
   * Starts the pool.
   * @throws {MmguardError} (the promise rejects) the policy's `policy.json` or
   *   `policy.invalid`, `input.type` for bad options, `worker.unavailable`
   *   where workers cannot be started (workerd), `worker.failed` when a worker
   *   script cannot load, `init.failed` when a worker cannot load the wasm module.
   */
  static create(policy?: PolicyInput | null, options?: GuardWorkerOptions): Promise<GuardWorker>;
  /** The version of the mmguard crate in the workers' module. */
  readonly version: string;
  /** As `Guard.text()`, in a worker. */
  text(input: string, options?: WorkerCallOptions): Promise<TextResult>;
  /** As `Guard.image()`, in a worker. */
  image(input: Uint8Array | ArrayBuffer | Blob, options?: WorkerFileOptions): Promise<ImageResult>;
  /** As `Guard.audio()`, in a worker. */
  audio(input: Uint8Array | ArrayBuffer | Blob, options?: WorkerAudioOptions): Promise<AudioResult>;
  /** The effective policy. */
  policy(): Promise<Policy>;
  /** Stops every worker; pending and later calls reject with `guard.terminated`. */
  terminate(): void;
  /** The same as `terminate()`. */
  free(): void;
}

/** What `guardUpload()` says about one part. */
export interface UploadReport {
  /** The form field's name (a File's name when a single file was given). */
  name: string;
  /** The file's name, for file parts. */
  filename?: string;
  report: Report;
}

/** Options of `guardUpload()`. */
export interface UploadOptions {
  /** `"reject"` (default) refuses the whole upload when a part is blocked; `"drop"` leaves blocked parts out. */
  onBlocked?: "reject" | "drop";
}

/** An `MmguardError` with code `upload.blocked`: every part's report. */
export interface UploadBlockedError extends MmguardError {
  reports: UploadReport[];
}

/**
 * Sanitizes what a page is about to upload, with a Guard or a GuardWorker:
 * images by `image()`, recordings by `audio()`, text files and string fields
 * by `text()`; an untyped file is recognized from its bytes.
 *
 * - a FormData resolves to `{ body: FormData, reports }`;
 * - a File or Blob to `{ body: File | null, reports }` (null: dropped);
 * - an `<input type=file>` has its files replaced: `{ files, reports }`.
 *
 * Calls after the first with an ArrayBuffer a GuardWorker transferred reject
 * with `input.type` (the buffer is detached).
 *
 * @throws {MmguardError} (the promise rejects) `upload.blocked` when the policy
 *   blocked a part (`err.reports` says why; nothing should be sent),
 *   `upload.unsupported` for a file that is neither an image, a recording nor
 *   UTF-8 text, the guard's own error for a file it could not read.
 */
export function guardUpload(guard: Guard | GuardWorker, body: FormData, options?: UploadOptions): Promise<{ body: FormData; reports: UploadReport[] }>;
export function guardUpload(guard: Guard | GuardWorker, body: Blob, options?: UploadOptions): Promise<{ body: File | null; reports: UploadReport[] }>;
export function guardUpload(guard: Guard | GuardWorker, body: HTMLInputElement, options?: UploadOptions): Promise<{ files: FileList; reports: UploadReport[] }>;

/**
 * Sanitizes text according to one policy. Make one Guard per policy and reuse
 * it: the policy is parsed and checked once, in the constructor.
 *
 * @example
 * await init();
 * const guard = new Guard({ text: { bidi: { action: "block" } } });
 * const { text, report } = guard.text(userInput);
 * if (report.verdict === "blocked") refuse(report.findings);
 */
export class Guard {
  /**
   * @param policy a partial policy; missing fields keep their defaults.
   * @param options `detectors.text`: a TextDetector (or the model's bytes) that
   *   scores texts too. Without it no detector runs; `Guard.create()` loads them.
   * @throws {MmguardError} `policy.json` for an unknown key or a wrong type,
   *   `policy.invalid` for a value out of range, `init.required` before `init()`,
   *   `model.*` for bytes that are not the model.
   */
  constructor(policy?: PolicyInput | null, options?: GuardOptions);
  /**
   * A Guard with the detectors its policy enables (by default all four),
   * read from the package's `models/` once per process or page unless
   * `options.detectors` gives them (`null` leaves one out). The text detector
   * is loaded before the promise resolves; the image detectors and the
   * engine module that runs them (about 2 MB) at the first `image()` call,
   * the audio detector at the first `audio()` call.
   * @throws {MmguardError} (the promise rejects) as the constructor, and
   *   `detector.unavailable` when a model cannot be loaded (on workerd, always:
   *   import it as a Data module and pass it).
   */
  static create(policy?: PolicyInput | null, options?: GuardOptions): Promise<Guard>;
  /**
   * Checks and sanitizes `input`. A blocked input is a result, not an error:
   * `text` is `null` and `report.verdict` is `"blocked"`.
   * @throws {MmguardError} `input.type` for a non-string, `limit.text_bytes` or
   *   `limit.text_chars` when it is over the policy's limits, `guard.freed` after `free()`.
   */
  text(input: string): TextResult;
  /**
   * Checks and sanitizes an image: the result is a new file encoded from its
   * pixels, scaled down to `image.resize.max_side`, without metadata, trailing
   * data or hidden colour. A Blob (a File) is read first; its name or type is
   * the declared type unless `options.type` gives one.
   * @throws {MmguardError} (the promise rejects) `input.type` for another kind
   *   of input, a `limit.image_*` code over the limits, `unsupported.image_format`
   *   for HEIC, SVG, PDF and the like, `input.image_*` for broken files; from a
   *   `Guard.create()` guard, `detector.unavailable` when the image detectors or
   *   their engine module cannot be loaded (the next call tries again).
   */
  image(input: Uint8Array | ArrayBuffer | Blob, options?: ImageOptions): Promise<ImageResult>;
  /**
   * Checks and sanitizes a recording (WAV, FLAC, MP3, Ogg Vorbis, AAC in ADTS or
   * MP4/M4A): the result is a new WAV file at
   * `audio.output.sample_rate` (16 kHz mono by default), band-limited to
   * `audio.output.band_limit_hz` (7.5 kHz by default; at most half the rate),
   * without metadata or trailing data. Takes what `image()` takes.
   * @throws {MmguardError} (the promise rejects) `input.type`, a `limit.audio_*`
   *   code, `unsupported.audio_format` for Opus, AIFF and the like, `input.audio_*`;
   *   `detector.unavailable` as for `image()`.
   */
  audio(input: Uint8Array | ArrayBuffer | Blob, options?: AudioOptions): Promise<AudioResult>;
  /** The effective policy, every default filled in. */
  policy(): Policy;
  /** Frees the wasm memory now rather than at garbage collection. Using the Guard afterwards throws `guard.freed`. */
  free(): void;
}

/** Options of `new Guard()` and `Guard.create()`. */
export interface GuardOptions {
  detectors?: {
    /** The text detector, or the bytes of `models/text-injection.onnx`; `null` for none. */
    text?: TextDetector | Uint8Array | ArrayBuffer | null;
    /** An `ImageDetector` of kind `adversarial`; `null` for none. */
    imageAdversarial?: ImageDetector | null;
    /** An `ImageDetector` of kind `typographic`; `null` for none. */
    imageTypographic?: ImageDetector | null;
    /** An `AudioDetector`; `null` for none. */
    audio?: AudioDetector | null;
  };
}

/**
 * The audio detector of adversarial perturbations, from the bytes of
 * `models/audio-adversarial.onnx`; its network runs in the engine module.
 */
export class AudioDetector {
  private constructor();
  /** @throws {MmguardError} (the promise rejects) as `ImageDetector.create()`. */
  static create(model: Uint8Array | ArrayBuffer): Promise<AudioDetector>;
  /** Frees its wasm memory; guards made with it keep working. */
  free(): void;
}

/**
 * An image detector, from the bytes of `models/image-adversarial.onnx` or
 * `models/image-typographic.onnx`. Its network runs in the package's engine
 * module (tract), which the first `create()` loads.
 */
export class ImageDetector {
  private constructor();
  /**
   * @throws {MmguardError} (the promise rejects) `model.malformed`, `model.unsupported`,
   *   `detector.unavailable` when the engine module cannot be loaded (workerd).
   */
  static create(model: Uint8Array | ArrayBuffer): Promise<ImageDetector>;
  /** Which detector the model is. */
  readonly kind: "adversarial" | "typographic";
  /** Frees its wasm memory; guards made with it keep working. */
  free(): void;
}

/**
 * The text detector (prompt injection and jailbreak), read once from the
 * bytes of `models/text-injection.onnx`; one serves any number of guards.
 */
export class TextDetector {
  /** @throws {MmguardError} `model.malformed`, `model.unsupported`, `input.type`, `init.required`. */
  constructor(model: Uint8Array | ArrayBuffer);
  /** Frees its wasm memory; guards made with it keep working. */
  free(): void;
}

/** The default policy, every field filled in. Throws `init.required` before `init()`. */
export function defaultPolicy(): Policy;

/** The mmguard version inside the WebAssembly module, e.g. `"0.1.0"`. Throws `init.required` before `init()`. */
export function version(): string;
