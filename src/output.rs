//! The one way the commands write to stdout and stderr.
//!
//! The reader of an output can go away before a command is done:
//! `tweetform plan | head` closes its pipe after ten lines. Writing then
//! fails (EPIPE; EBADF for a closed descriptor), and `println!` would panic:
//! for `apply`, after it had published and before it committed the state or
//! wrote the job summary. Here that is handled once: the stream goes quiet,
//! what is written to it later is dropped, and the command carries on to
//! the end of its work and exits with the code of its own outcome. A closed
//! pipe is not an error; any other failure to write is one.
//!
//! Under GitHub Actions, the runner reads every line of a step's log as a
//! possible workflow command (`::add-mask::…`, `::error::…`, `##[warning]…`),
//! and most of what tweetform prints comes from users: tweet text, file
//! names, field names, X's error details. So there, what the log will read
//! is fenced: each write is wrapped in `::stop-commands::<random token>` …
//! `::<token>::`, which the runner does not interpret, and tweetform's own
//! workflow commands (the annotations) are written outside the fences with
//! [`Stream::command`]. A stream redirected to a file is not fenced: the
//! runner does not read files, and `plan --format markdown > plan.md` must
//! stay the Markdown.

use std::fmt;
use std::io::{IsTerminal as _, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::problem::Problem;

/// A command's stdout and stderr.
#[derive(Debug, Clone)]
pub struct Output {
    pub stdout: Stream,
    pub stderr: Stream,
}

impl Output {
    /// The process's stdout and stderr, each coloured when `color` says so
    /// for whether it is a terminal.
    /// Under GitHub Actions (`GITHUB_ACTIONS=true`), each one that the
    /// step's log reads (not a file) is fenced.
    pub fn std(color: impl Fn(bool) -> bool) -> Output {
        let actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        let fence = |to_file: bool| (actions && !to_file).then(new_fence_token);
        Output {
            stdout: Stream::with_fence(
                "stdout",
                std::io::stdout(),
                color(std::io::stdout().is_terminal()),
                fence(is_file(&std::io::stdout())),
            ),
            stderr: Stream::with_fence(
                "stderr",
                std::io::stderr(),
                color(std::io::stderr().is_terminal()),
                fence(is_file(&std::io::stderr())),
            ),
        }
    }
}

/// A token nobody can guess, so that no text can end a fence early.
pub fn new_fence_token() -> String {
    format!("tweetform{:032x}", rand::random::<u128>())
}

/// Whether `stream` is redirected to a regular file.
#[cfg(unix)]
fn is_file(stream: &impl std::os::fd::AsFd) -> bool {
    stream
        .as_fd()
        .try_clone_to_owned()
        .and_then(|fd| std::fs::File::from(fd).metadata())
        .is_ok_and(|m| m.is_file())
}

/// Whether `stream` is redirected to a regular file.
#[cfg(windows)]
fn is_file(stream: &impl std::os::windows::io::AsHandle) -> bool {
    stream
        .as_handle()
        .try_clone_to_owned()
        .and_then(|h| std::fs::File::from(h).metadata())
        .is_ok_and(|m| m.is_file())
}

#[cfg(not(any(unix, windows)))]
fn is_file<T>(_: &T) -> bool {
    false
}

/// One output. Cheap to clone, and shareable with the threads of an apply:
/// the clones write to the same place and go quiet together.
#[derive(Clone)]
pub struct Stream(Arc<Inner>);

struct Inner {
    name: &'static str,
    color: bool,
    /// Under GitHub Actions: the token of the `::stop-commands::` fence
    /// around every write.
    fence: Option<String>,
    /// Set once the reader is gone.
    closed: AtomicBool,
    sink: Mutex<Box<dyn Write + Send>>,
}

impl Stream {
    /// `name` (`stdout`) is what an error about it says.
    pub fn new(name: &'static str, sink: impl Write + Send + 'static, color: bool) -> Stream {
        Stream::with_fence(name, sink, color, None)
    }

    /// [`Stream::new`], with every write fenced by `fence` (a token from
    /// [`new_fence_token`]) so that GitHub's runner reads none of it as a
    /// workflow command.
    pub fn with_fence(
        name: &'static str,
        sink: impl Write + Send + 'static,
        color: bool,
        fence: Option<String>,
    ) -> Stream {
        Stream(Arc::new(Inner {
            name,
            color,
            fence,
            closed: AtomicBool::new(false),
            sink: Mutex::new(Box::new(sink)),
        }))
    }

    /// Whether what is written here should be coloured.
    pub fn color(&self) -> bool {
        self.0.color
    }

    /// Whether the reader has gone away.
    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Relaxed)
    }

    /// Writes `text` as it is, at once. `Ok` also when the reader is gone
    /// (then nothing is written, now or later); an error only when writing
    /// failed otherwise (a full disk behind a redirection).
    /// On a fenced stream, `text` is written inside a fence, ending with a
    /// newline so that the fence's end is a line of its own.
    pub fn print(&self, text: &str) -> Result<(), Problem> {
        match &self.0.fence {
            Some(token) if !text.is_empty() => {
                let newline = if text.ends_with('\n') { "" } else { "\n" };
                self.write(&format!(
                    "::stop-commands::{token}\n{text}{newline}::{token}::\n"
                ))
            }
            _ => self.write(text),
        }
    }

    /// Writes tweetform's own workflow command `line` (an annotation) and a
    /// newline, outside any fence, so that the runner acts on it. The
    /// caller escapes what the command carries.
    pub fn command(&self, line: &str) -> Result<(), Problem> {
        self.write(&format!("{}\n", line.trim_end_matches('\n')))
    }

    fn write(&self, text: &str) -> Result<(), Problem> {
        if self.is_closed() {
            return Ok(());
        }
        let mut sink = self.0.sink.lock().unwrap_or_else(PoisonError::into_inner);
        match sink.write_all(text.as_bytes()).and_then(|()| sink.flush()) {
            Ok(()) => Ok(()),
            Err(e) if reader_gone(&e) => {
                self.0.closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => Err(Problem::new(format!("cannot write to {}", self.0.name)).because(&e)),
        }
    }

    /// Writes `line` and a newline.
    pub fn println(&self, line: &str) -> Result<(), Problem> {
        self.print(&format!("{line}\n"))
    }

    /// Writes `problem` as [`Problem::render`] renders it.
    pub fn problem(&self, problem: &Problem) -> Result<(), Problem> {
        self.print(&problem.render(self.color()))
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("name", &self.0.name)
            .field("color", &self.0.color)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// A write failed because nobody reads any more: the pipe's other end is
/// closed (EPIPE: the process ignores SIGPIPE, as every Rust program does),
/// or the descriptor itself was closed (EBADF).
fn reader_gone(e: &std::io::Error) -> bool {
    const EBADF: i32 = 9;
    e.kind() == std::io::ErrorKind::BrokenPipe || (cfg!(unix) && e.raw_os_error() == Some(EBADF))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    /// A sink that fails every write with `error`, counting the attempts.
    struct Failing {
        error: fn() -> io::Error,
        attempts: Arc<Mutex<usize>>,
    }

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            *self.attempts.lock().unwrap() += 1;
            Err((self.error)())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn failing(error: fn() -> io::Error) -> (Stream, Arc<Mutex<usize>>) {
        let attempts = Arc::new(Mutex::new(0));
        let sink = Failing {
            error,
            attempts: attempts.clone(),
        };
        (Stream::new("stdout", sink, false), attempts)
    }

    #[test]
    fn a_closed_pipe_quiets_the_stream_without_an_error() {
        let (out, attempts) = failing(|| io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(out.println("one").is_ok());
        assert!(out.is_closed());
        assert!(out.clone().println("two").is_ok());
        assert_eq!(*attempts.lock().unwrap(), 1, "nothing written once closed");
    }

    #[test]
    fn a_closed_descriptor_is_a_closed_pipe() {
        let (out, _) = failing(|| io::Error::from_raw_os_error(9));
        assert!(out.print("x").is_ok());
        assert_eq!(out.is_closed(), cfg!(unix));
    }

    #[test]
    fn another_failure_is_a_problem() {
        let (out, _) = failing(|| io::Error::other("no space left on device"));
        let problem = out.print("x").unwrap_err();
        assert_eq!(
            problem.to_string(),
            "cannot write to stdout: no space left on device"
        );
        assert!(!out.is_closed());
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn a_fenced_stream_fences_text_and_not_commands() {
        let buffer = Shared::default();
        let out = Stream::with_fence("stdout", buffer.clone(), false, Some("T0k".into()));
        out.print("::add-mask::x\n##[warning]x").unwrap();
        out.command("::error file=a.yaml::bad").unwrap();
        out.print("").unwrap();
        assert_eq!(
            buffer.text(),
            "::stop-commands::T0k\n::add-mask::x\n##[warning]x\n::T0k::\n\
             ::error file=a.yaml::bad\n"
        );
        // Unfenced (outside Actions, or into a file): as it is.
        let buffer = Shared::default();
        let out = Stream::new("stdout", buffer.clone(), false);
        out.print("::error::x").unwrap();
        assert_eq!(buffer.text(), "::error::x");
    }

    #[test]
    fn fence_tokens_differ() {
        let (a, b) = (new_fence_token(), new_fence_token());
        assert_ne!(a, b);
        assert!(a.len() > 32 && a.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn problems_are_rendered_in_the_streams_colour() {
        let problem = Problem::new("m").with_help("h");
        for color in [false, true] {
            let buffer = Shared::default();
            let err = Stream::new("stderr", buffer.clone(), color);
            err.problem(&problem).unwrap();
            assert_eq!(
                String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap(),
                problem.render(color)
            );
        }
    }
}
