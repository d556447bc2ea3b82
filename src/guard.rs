//! The entry point: a [`Guard`] holds a validated policy and sanitizes inputs.
//! Every modality returns a [`Sanitized`] output with its [`Report`].

use crate::error::Result;
use crate::policy::Policy;
use crate::report::Report;

/// A sanitized output and what was done to get it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sanitized<T> {
    /// The output, or `None` when the report's verdict is `blocked`: a blocked
    /// input must not be forwarded, so it is not handed back in a forwardable form.
    pub output: Option<T>,
    /// The findings, actions and verdict.
    pub report: Report,
}

/// Sanitizes and scores inputs under one policy. Cheap to clone; holds no input.
///
/// ```
/// # fn main() -> Result<(), mmguard::Error> {
/// use mmguard::{Guard, Policy, Verdict};
///
/// let guard = Guard::new(Policy::default())?;
/// // "Hello" with an invisible right-to-left override and a hidden tag payload.
/// let input = "Hello\u{202E} world\u{E0068}\u{E0069}";
/// let result = guard.text(input)?;
/// assert_eq!(result.output.as_deref(), Some("Hello world"));
/// assert_eq!(result.report.verdict, Verdict::Modified);
/// let hidden = result.report.findings.iter().find_map(|f| f.payload.as_ref()).unwrap();
/// assert_eq!(hidden.text, "hi");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Guard {
    policy: Policy,
}

impl Guard {
    /// A guard for `policy`.
    ///
    /// # Errors
    /// `policy.invalid` when a value is out of range (see [`Policy::validate`]).
    pub fn new(policy: Policy) -> Result<Guard> {
        policy.validate()?;
        Ok(Guard { policy })
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Sanitizes a text (a prompt, a message, a document's text).
    ///
    /// A blocked input is `Ok` with `verdict: blocked` and no output.
    ///
    /// # Errors
    /// `limit.text_bytes` / `limit.text_chars` when the text is over
    /// `limits.text`, checked before any other work.
    pub fn text(&self, input: &str) -> Result<Sanitized<String>> {
        let (output, report) = crate::text::guard(input, &self.policy)?;
        Ok(Sanitized { output, report })
    }

    /// [`Guard::text`], with the output also described as splices of the input
    /// (for callers that still hold the input; `None` when sent whole is better).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn text_spliced(
        &self,
        input: &str,
    ) -> Result<(Sanitized<String>, Option<Vec<crate::text::splice::Splice>>)> {
        let (output, report, splices) = crate::text::guard_spliced(input, &self.policy, true)?;
        Ok((Sanitized { output, report }, splices))
    }
}
