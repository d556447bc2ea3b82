//! The one error type of the crate. `Err` means an input or a policy could not be
//! processed at all; a policy decision (a blocked input) is an `Ok` report instead.
//!
//! Errors are grouped by whose fault they are ([`ErrorKind`]) and carry a stable
//! machine-readable [`Error::code`] such as `"limit.text_chars"`, which JavaScript
//! sees as `err.code` and the CLI prints in its JSON error report.

use std::fmt;

/// Whose fault an error is, so callers can branch without parsing messages.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The policy (configuration) is malformed or inconsistent: the integrator's fault.
    Policy,
    /// The input is larger than a configured limit: refused before any work was done.
    Limit,
    /// The input itself is malformed (for example not UTF-8 where text was expected).
    Input,
    /// The input is well-formed but of a kind this build cannot process.
    Unsupported,
    /// A detector's model (its bytes) is malformed or not one this build runs.
    Model,
}

impl ErrorKind {
    /// The stable prefix of every code of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Limit => "limit",
            ErrorKind::Input => "input",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Model => "model",
        }
    }
}

/// An input or policy mmguard refused to process, with a stable code and a clear message.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    code: &'static str,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(code.starts_with(kind.as_str()));
        Error {
            kind,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn policy(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Policy, code, message)
    }

    pub(crate) fn limit(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Limit, code, message)
    }

    pub(crate) fn unsupported(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, code, message)
    }

    pub(crate) fn model(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Model, code, message)
    }
    /// An input error; public so front ends (the CLI, bindings) report their own
    /// input problems, such as a file that is not UTF-8, with the same shape.
    pub fn input(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Input, code, message)
    }

    /// Whose fault the error is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable, machine-readable code, e.g. `"policy.json"` or `"limit.text_chars"`.
    /// Codes never change meaning once published; new ones may be added.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// A human-readable explanation. Wording may change between versions.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn codes_carry_their_kind_prefix() {
        let e = Error::limit("limit.text_chars", "too long");
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(e.code(), "limit.text_chars");
        assert_eq!(e.to_string(), "limit.text_chars: too long");
    }
}
