//! # Threat model of the text guard
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
//! paraphrases outside the pattern library pass. A learned detector is planned
//! to join the score. Blocking on the score alone is therefore off by default.
