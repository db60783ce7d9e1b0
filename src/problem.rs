//! A problem: what went wrong, where, why, and what to do next.
//!
//! Every layer reports what stops it as a [`Problem`], or as a typed error
//! that converts into one: the state's, the lock's, the configuration's and
//! the budget's errors, the executor's `Fatal`, `Failure` and `Refusal`; a
//! mistake in a post is one at its position ([`Problem::at_pos`]). The parts stay
//! data (the advice is never typed into a message) until the CLI renders
//! them, once, with [`Problem::render`] (through
//! [`Output`](crate::output::Output)), the way cargo does:
//!
//! ```text
//! error: posts/a.yaml:3:7: unknown field `txt`
//!   = help: did you mean `text`?
//! ```

use std::fmt;
use std::path::{Component, Path, PathBuf};

use owo_colors::OwoColorize;

use crate::post::Pos;

/// Where a problem is: a file, and the line and column when they are known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<PathBuf>) -> Location {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }

    /// A line of a file.
    pub fn line(file: impl Into<PathBuf>, line: usize) -> Location {
        Location {
            line: Some(line),
            ..Location::file(file)
        }
    }

    /// A line and column of a file, both counted from 1.
    pub fn at(file: impl Into<PathBuf>, line: usize, column: usize) -> Location {
        Location {
            line: Some(line),
            column: Some(column),
            ..Location::file(file)
        }
    }
}

/// `posts/a.yaml:3:7`, with `/` between directories on every platform, as
/// the user types paths and as editors and GitHub read them.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&slash(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// What stopped a command (or one of a post's checks), as data: the
/// message, where, the errors that caused it, and what the user can do.
/// (Boxed: it travels in every `Result` of the crate, and `Ok` is the
/// common case.)
///
/// Problems sort by place (file, line, column), then message: the loader
/// and the validator collect every one in a post rather than stop at the
/// first, and report them in the order of the files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem(Box<Parts>);

// The field order is the sort order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Parts {
    location: Option<Location>,
    message: String,
    /// What to do next, in the imperative; rendered as `= help:`.
    help: Option<String>,
    /// The underlying errors, outermost first (an I/O error's text, say).
    causes: Vec<String>,
    /// Worth fixing, but nothing is refused for it (`validate --strict`
    /// refuses it).
    warning: bool,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem(Box::new(Parts {
            message: message.into(),
            location: None,
            causes: Vec::new(),
            help: None,
            warning: false,
        }))
    }

    /// The same problem as a warning: shown, but nothing is refused for it.
    pub fn into_warning(mut self) -> Problem {
        self.0.warning = true;
        self
    }

    /// The same problem as an error (`validate --strict` on a warning).
    pub(crate) fn into_error(mut self) -> Problem {
        self.0.warning = false;
        self
    }

    pub fn is_warning(&self) -> bool {
        self.0.warning
    }

    /// A problem at `pos` in `file` (a post, `tweetform.yaml`): what the
    /// loader, the validator and the configuration report.
    pub fn at_pos(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Problem {
        Problem::new(message).at(Location::at(file, pos.line, pos.column))
    }

    pub fn at(mut self, location: Location) -> Problem {
        self.0.location = Some(location);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.0.help = Some(help.into());
        self
    }

    /// Records `error` (and the errors it reports as its sources) as the
    /// cause of this problem.
    pub fn because(mut self, error: &(dyn std::error::Error + 'static)) -> Problem {
        let mut next = Some(error);
        while let Some(e) = next {
            // A cause that is itself a problem keeps its advice, unless this
            // one has its own.
            if let Some(p) = e.downcast_ref::<Problem>() {
                self.0.causes.push(p.to_string());
                if self.0.help.is_none() {
                    self.0.help.clone_from(&p.0.help);
                }
                break;
            }
            self.0.causes.push(e.to_string());
            next = e.source();
        }
        self
    }

    /// `error` as a problem: its text the message, its sources the causes.
    pub(crate) fn from_error(error: &(dyn std::error::Error + 'static)) -> Problem {
        if let Some(p) = error.downcast_ref::<Problem>() {
            return p.clone();
        }
        let problem = Problem::new(error.to_string());
        match error.source() {
            Some(source) => problem.because(source),
            None => problem,
        }
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub(crate) fn location(&self) -> Option<&Location> {
        self.0.location.as_ref()
    }

    /// File, line and column, as a problem in a post has them (annotations
    /// and `validate --format json` need all three): what is not known is
    /// the start of the file.
    pub(crate) fn position(&self) -> (&Path, usize, usize) {
        match &self.0.location {
            Some(at) => (&at.file, at.line.unwrap_or(1), at.column.unwrap_or(1)),
            None => (Path::new(""), 1, 1),
        }
    }

    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// The one rendering of a problem for a person:
    ///
    /// ```text
    /// error: state/tweets.lock.json:9: the state contains git conflict markers
    ///   = help: resolve the conflict by hand, …
    /// ```
    ///
    /// In colour when `color` (the caller decides from the terminal,
    /// `--color` and `NO_COLOR`). Ends with a newline.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        if color {
            if self.0.warning {
                out.push_str(&format!("{} ", "warning:".yellow().bold()));
            } else {
                out.push_str(&format!("{} ", "error:".red().bold()));
            }
            if let Some(at) = &self.0.location {
                out.push_str(&format!("{} ", format!("{at}:").bold()));
            }
        } else {
            out.push_str(if self.0.warning {
                "warning: "
            } else {
                "error: "
            });
            if let Some(at) = &self.0.location {
                out.push_str(&format!("{at}: "));
            }
        }
        out.push_str(&self.0.message);
        for cause in &self.0.causes {
            out.push_str(": ");
            out.push_str(cause);
        }
        out.push('\n');
        if let Some(help) = &self.0.help {
            out.push_str(&help_line(help, color));
        }
        out
    }
}

/// `  = help: …` and a newline: the advice under a problem, or under a
/// warning or a failed step in a summary.
pub(crate) fn help_line(help: &str, color: bool) -> String {
    if color {
        format!("  {} {help}\n", "= help:".cyan().bold())
    } else {
        format!("  = help: {help}\n")
    }
}

/// A problem that is only a message.
impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::new(message)
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::new(message)
    }
}

/// As data (an apply's report), a problem is its one-line text.
impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The problem on one line, without the advice: `file:line: message: cause`,
/// for when it is part of another message (a failed post in the summary).
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.0.location {
            write!(f, "{at}: ")?;
        }
        f.write_str(&self.0.message)?;
        for cause in &self.0.causes {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

/// A path with `/` between its components on every platform.
pub(crate) fn slash(path: &Path) -> String {
    let mut out = String::new();
    for part in path.components() {
        if part == Component::RootDir {
            if !out.ends_with('/') {
                out.push('/');
            }
            continue;
        }
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_message_causes_and_help_as_cargo_does() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let p = Problem::new("cannot read the state")
            .at(Location::file("state/tweets.lock.json"))
            .because(&io)
            .with_help("check the file's permissions");
        assert_eq!(
            p.render(false),
            "error: state/tweets.lock.json: cannot read the state: permission denied\n  = help: check the file's permissions\n"
        );
        assert_eq!(
            p.to_string(),
            "state/tweets.lock.json: cannot read the state: permission denied"
        );
    }

    #[test]
    fn a_location_shows_what_is_known_of_it() {
        assert_eq!(Location::file("a.yaml").to_string(), "a.yaml");
        assert_eq!(Location::line("a.yaml", 3).to_string(), "a.yaml:3");
        assert_eq!(
            Location::at("dir/a.yaml", 3, 7).to_string(),
            "dir/a.yaml:3:7"
        );
        assert_eq!(slash(Path::new("/tmp/x/state.json")), "/tmp/x/state.json");
        assert_eq!(slash(Path::new("./posts//a.yaml")), "./posts/a.yaml");
        assert_eq!(
            Problem::new("no help").render(false),
            "error: no help\n",
            "no location, no help: one line"
        );
    }

    #[test]
    fn colour_marks_the_parts_and_only_with_color() {
        let p = Problem::new("m")
            .at(Location::at("a.yaml", 1, 2))
            .with_help("h");
        let plain = p.render(false);
        assert!(!plain.contains('\u{1b}'));
        let coloured = p.render(true);
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        assert!(coloured.contains("error:") && coloured.contains("= help:"));
        assert!(coloured.contains("a.yaml:1:2:") && coloured.contains(" m\n"));
    }

    #[test]
    fn a_cause_that_is_a_problem_lends_its_help() {
        let inner = Problem::new("inner").with_help("do this");
        let outer = Problem::new("outer").because(&inner);
        assert_eq!(outer.to_string(), "outer: inner");
        assert_eq!(outer.help(), Some("do this"));
        let own = Problem::new("outer").with_help("mine").because(&inner);
        assert_eq!(own.help(), Some("mine"));
    }
}
