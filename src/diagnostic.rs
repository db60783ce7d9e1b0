//! A problem found in a user's file, located precisely enough to jump to.
//!
//! The loader and the validator collect every one of them (rather than stop
//! at the first), sort them by place and count them, so a diagnostic is a
//! plain value; it is rendered as the [`Problem`] it converts into.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::post::Pos;
use crate::problem::{Location, Problem};

/// One problem in one file: `path:line:column: message` plus what to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// What the user should do about it; printed after the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn location(&self) -> Location {
        Location::at(&self.file, self.line, self.column)
    }
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        let problem = Problem::new(&d.message).at(d.location());
        match &d.hint {
            Some(hint) => problem.with_help(hint),
            None => problem,
        }
    }
}

impl From<Diagnostic> for Problem {
    fn from(d: Diagnostic) -> Problem {
        Problem::from(&d)
    }
}

/// `path:line:column: message`, as [`Problem`] shows it.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Problem::from(self).fmt(f)
    }
}
