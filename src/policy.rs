//! The policy: one typed document that says what to check and what to do.
//!
//! It is plain serde, read from JSON in the CLI and from an object in JavaScript.
//! Unknown keys are rejected (a typo must not silently switch a check off), every
//! field has a default, and [`Policy::default`] is the safe configuration the
//! README documents. Why each default is what it is: see the field docs.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits::Limits;

mod audio;
mod detect;
mod image;
pub use audio::{
    AudioMetadataCheck, AudioOutputFormat, AudioOutputPolicy, AudioPolicy, AudioSqueezePolicy,
    InfrasoundCheck, LevelPolicy, OutputChannels, UltrasonicCheck,
};
pub use detect::{DetectorCheck, DetectorsPolicy};
pub use image::{
    HiddenPixelsCheck, HiddenPixelsMode, IccHandling, ImagePolicy, Median, MetadataCheck,
    Orientation, OutputFormat, OutputPolicy, ResizeFilter, ResizePolicy, ScalingAttackCheck,
    SqueezePolicy, SteganographyCheck,
};

/// What to do when a check finds something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Do not run the check: nothing is reported or changed.
    Allow,
    /// Report the finding, leave the input as it is.
    Flag,
    /// Remove or neutralize what was found, and report it.
    Sanitize,
    /// Report it and mark the whole input blocked (`verdict: blocked`, no output).
    Block,
}

impl Action {
    pub(crate) fn enabled(self) -> bool {
        self != Action::Allow
    }
    pub(crate) fn changes_text(self) -> bool {
        self == Action::Sanitize
    }
}

/// Unicode normalization form applied to the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// Leave the text as it is.
    None,
    /// Canonical composition: changes no meaning, only how it is encoded.
    Nfc,
    /// Compatibility composition: also folds fullwidth letters, ligatures, circled
    /// and superscript forms into plain ones. Defeats more disguises, but changes
    /// how some legitimate text looks (e.g. `²` becomes `2`).
    Nfkc,
}

/// How bidirectional controls are neutralized when their check sanitizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidiMode {
    /// Remove every bidi control.
    Remove,
    /// Keep them, but close every embedding, override and isolate at the end of
    /// its line and drop unmatched closers, so none can reorder text beyond its line.
    Isolate,
}

/// A check that takes only an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// What to do with what the check finds.
    pub action: Action,
}

impl Check {
    const fn new(action: Action) -> Self {
        Check { action }
    }
}

/// Bidi (Trojan Source) check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BidiCheck {
    /// What to do. ### Default `sanitize`.
    pub action: Action,
    /// How to sanitize. ### Default `remove`.
    pub mode: BidiMode,
}

impl Default for BidiCheck {
    fn default() -> Self {
        BidiCheck {
            action: Action::Sanitize,
            mode: BidiMode::Remove,
        }
    }
}

/// Prompt-injection heuristics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InjectionCheck {
    /// What to do. `sanitize` neutralizes chat-template tokens (they have no
    /// business in user text) and flags the rest, since a phrase cannot be
    /// removed without changing what the user asked.
    ///
    /// ### Default
    /// `sanitize`: heuristics have false positives, so a phrase alone never blocks.
    pub action: Action,
    /// Score (0..=1) at or above which `block` blocks.
    ///
    /// ### Default
    /// 0.7: two independent signals, or one strong one (a fake system turn).
    pub threshold: f64,
}

impl Default for InjectionCheck {
    fn default() -> Self {
        InjectionCheck {
            action: Action::Sanitize,
            threshold: 0.7,
        }
    }
}

/// Excessive combining marks ("Zalgo").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CombiningCheck {
    /// What to do; `sanitize` keeps the first `max_marks` marks on each base.
    pub action: Action,
    /// Most combining marks on one base character.
    ///
    /// ### Default
    /// 4: real orthographies stack at most 3 or 4 (Vietnamese, Tibetan, Hebrew with cantillation).
    pub max_marks: u32,
}

impl Default for CombiningCheck {
    fn default() -> Self {
        CombiningCheck {
            action: Action::Sanitize,
            max_marks: 4,
        }
    }
}

/// Character floods: one character repeated many times in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FloodCheck {
    /// What to do; `sanitize` shortens each run to `max_run`.
    ///
    /// ### Default
    /// `flag`: long runs of `=` or `-` are common in code and tables.
    pub action: Action,
    /// Longest run of one character that is not a flood.
    ///
    /// ### Default
    /// 256.
    pub max_run: u32,
}

impl Default for FloodCheck {
    fn default() -> Self {
        FloodCheck {
            action: Action::Flag,
            max_run: 256,
        }
    }
}

/// Every text check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextPolicy {
    /// Normalization form of the output. ### Default `nfc`: never changes meaning.
    pub normalization: Normalization,
    /// C0 controls other than tab, newline and carriage return, DEL, and the C1
    /// controls that start terminal escape sequences (CSI, OSC, DCS, ...).
    /// ### Default `sanitize`.
    pub controls: Check,
    /// The other C1 controls (U+0080–U+009F). They are inert and almost always
    /// Windows-1252 punctuation decoded as Latin-1, so removing them would lose a
    /// character. ### Default `flag` (severity info).
    pub c1_controls: Check,
    /// Invisible and format characters (zero-width space, word joiner, soft hyphen,
    /// invisible operators, Hangul fillers, ...). Joiners that a script or an emoji
    /// sequence needs are always kept. ### Default `sanitize`.
    pub invisible: Check,
    /// Bidirectional controls (Trojan Source, CVE-2021-42574).
    pub bidi: BidiCheck,
    /// Hidden payloads: Unicode tag characters (ASCII smuggling), variation-selector
    /// byte smuggling and "sneaky bits". Decoded into the report. ### Default `sanitize`.
    pub smuggling: Check,
    /// Private-use code points. ### Default `flag`: some fonts and apps use them legitimately.
    pub private_use: Check,
    /// Noncharacters (U+FDD0–U+FDEF, U+xxFFFE/F). ### Default `sanitize`.
    pub noncharacters: Check,
    /// Code points unassigned in this build's Unicode tables. ### Default `flag`:
    /// a newer Unicode version may have assigned them.
    pub unassigned: Check,
    /// Words mixing scripts that look alike (Latin with Cyrillic or Greek), and
    /// homoglyph spellings. `sanitize` replaces each look-alike by its Latin prototype
    /// in words that mix scripts. ### Default `flag`.
    pub confusables: Check,
    /// Encoded payloads (base64, base32, hex, URL-encoding, ROT13, leetspeak, ...),
    /// decoded and re-scanned. `sanitize` removes a payload whose decoded form
    /// carries an injection. ### Default `flag`.
    pub encoded: Check,
    /// Prompt-injection and jailbreak heuristics.
    pub injection: InjectionCheck,
    /// Credentials: cloud keys, tokens, private keys, JWTs, high-entropy strings.
    /// `sanitize` replaces each with a typed placeholder such as `[REDACTED:aws_access_key]`.
    /// ### Default `sanitize`: a secret sent to a model is a leaked secret.
    pub secrets: Check,
    /// Personal data: emails, phone numbers, payment cards (Luhn), IBANs (checksum).
    /// ### Default `flag`: users often mean to send their own address.
    pub pii: Check,
    /// Excessive combining marks.
    pub combining: CombiningCheck,
    /// Character floods.
    pub flood: FloodCheck,
}

impl Default for TextPolicy {
    fn default() -> Self {
        TextPolicy {
            normalization: Normalization::Nfc,
            controls: Check::new(Action::Sanitize),
            c1_controls: Check::new(Action::Flag),
            invisible: Check::new(Action::Sanitize),
            bidi: BidiCheck::default(),
            smuggling: Check::new(Action::Sanitize),
            private_use: Check::new(Action::Flag),
            noncharacters: Check::new(Action::Sanitize),
            unassigned: Check::new(Action::Flag),
            confusables: Check::new(Action::Flag),
            encoded: Check::new(Action::Flag),
            injection: InjectionCheck::default(),
            secrets: Check::new(Action::Sanitize),
            pii: Check::new(Action::Flag),
            combining: CombiningCheck::default(),
            flood: FloodCheck::default(),
        }
    }
}

impl TextPolicy {
    fn validate(&self) -> Result<()> {
        let t = self.injection.threshold;
        if !(0.0..=1.0).contains(&t) {
            return Err(Error::policy(
                "policy.invalid",
                format!("text.injection.threshold is {t}, it must be between 0 and 1"),
            ));
        }
        if self.combining.max_marks == 0 {
            return Err(Error::policy(
                "policy.invalid",
                "text.combining.max_marks must be at least 1 (0 would strip every accent)",
            ));
        }
        if self.flood.max_run < 2 {
            return Err(Error::policy(
                "policy.invalid",
                "text.flood.max_run must be at least 2",
            ));
        }
        Ok(())
    }
}

/// The whole policy: checks per modality and the limits.
///
/// ```
/// # fn main() -> Result<(), mmguard::Error> {
/// let policy = mmguard::Policy::from_json(r#"{ "text": { "pii": { "action": "sanitize" } } }"#)?;
/// assert_eq!(policy.text.pii.action, mmguard::Action::Sanitize);
/// assert!(mmguard::Policy::from_json(r#"{ "text": { "pi": {} } }"#).is_err()); // typo refused
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Text checks.
    pub text: TextPolicy,
    /// Image checks.
    pub image: ImagePolicy,
    /// Audio checks.
    pub audio: AudioPolicy,
    /// The learned detectors' thresholds and actions.
    pub detectors: DetectorsPolicy,
    /// Size limits, enforced before any work.
    pub limits: Limits,
    /// Adds `report.fingerprint` (a 64-bit SimHash of a text, a difference
    /// hash of an image; nothing for audio), for a gateway that watches a
    /// client's stream of queries for probing. It decides nothing here.
    /// ### Default
    /// `false`: it costs a pass over the input that most callers do not need.
    pub fingerprint: bool,
}

impl Policy {
    /// Parses and validates a policy from JSON.
    ///
    /// # Errors
    /// `policy.json` when the JSON is malformed, has an unknown key or a value of
    /// the wrong type (the message names the line and column); `policy.invalid`
    /// when it parses but a value is out of range.
    pub fn from_json(json: &str) -> Result<Policy> {
        let policy: Policy = serde_json::from_str(json)
            .map_err(|e| Error::policy("policy.json", format!("invalid policy JSON: {e}")))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks values serde cannot: ranges and consistency.
    ///
    /// # Errors
    /// `policy.invalid`, naming the field.
    pub fn validate(&self) -> Result<()> {
        self.text.validate()?;
        self.image.validate()?;
        self.audio.validate()?;
        self.detectors.validate()?;
        self.limits.validate()
    }
}
