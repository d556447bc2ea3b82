//! # Threat model
//!
//! ## The text guard
//!
//! **Who attacks.** Someone who controls part of what reaches a model: a user
//! pasting a prompt, a web page or document the user forwards, a file name.
//!
//! **What they do.** Hide instructions where a person does not see them
//! (tag characters, variation selectors, zero-width characters, bidi controls
//! that reorder what is displayed), disguise them from filters (homoglyphs,
//! fullwidth forms, base64/hex/URL-encoding, ROT13, leetspeak), fake the
//! structure of a conversation (chat-template tokens, `System:` lines), ask for
//! the system prompt, or make a renderer send data out (markdown images).
//!
//! **What mmguard does.** Removes what is invisible (keeping what real scripts
//! and emoji need), decodes what was hidden into the report so a person can see
//! it, normalizes, finds disguised phrases on a folded "match form", and scores.
//! Defaults never change meaning for legitimate text: the 287-language UDHR
//! corpus and every emoji ZWJ sequence pass through unchanged.
//!
//! **What it does not do.** Heuristics cannot prove the absence of an injection:
//! paraphrases outside the pattern library pass. Blocking on the heuristic
//! score alone is therefore off by default.
//!
//! ## The learned detectors
//!
//! **What they add.** A model trained on many wordings of known attack
//! families scores texts the pattern library has no phrase for: the text
//! detector ([`crate::detect::TextDetector`]) catches paraphrases, other
//! languages and the in-the-wild jailbreaks it was trained on, and its score
//! is combined with the heuristics into one calibrated score. Each model's
//! card in `models/` gives its data, its held-out metrics and its limits.
//!
//! **What they do not stop.**
//! - *Adaptive attacks.* A fixed detector is a fixed function: an attacker who
//!   can query it (the demo page, the npm package, the command-line tool all
//!   run it locally) can search for a wording, or a perturbation, that scores
//!   under its threshold. Published detectors of adversarial examples have all
//!   fallen to attacks that know them. A score is evidence, not a guarantee.
//! - *New families.* On attack families held out of training the text
//!   detector recalls about half of the injections at 1% false positives,
//!   against nearly nine in ten for the families it saw: it learns wording,
//!   not intent.
//! - *Dilution.* The text detector reads the whole text; one injected
//!   sentence in a long benign document weighs little in its features.
//! - *Benign text that looks alike.* Texts about security, prompts and role
//!   play, and requests about "the text above" are its commonest false
//!   positives. This is why the default policy flags a high score and does
//!   not block on it.
//!
//! **So the sanitizers come first.** What can be removed without judging
//! intent is removed whatever the score: hidden characters and payloads,
//! chat-template tokens, metadata, appended files, inaudible bands; feature
//! squeezing and re-encoding destroy much of what a pixel- or sample-level
//! perturbation needs. The detectors then tell a person, or a policy that
//! chose to block, what the sanitizers could not remove.
