//! Interruptions: SIGINT and SIGTERM stop an apply between requests.
//!
//! Killed outright, an apply leaves no summary and a lock file behind. With
//! the listener installed, a signal only raises a flag: the executor checks
//! it before each request and wakes from its waits, so the request in flight
//! finishes (or times out), the state is saved as after any request, the
//! summary says "interrupted", the lock is released, and the exit code is
//! the shell's for that signal (130, 143). A second signal ends the process
//! at once.

use std::sync::Arc;

use tokio::sync::watch;

use crate::output::Stream;
use crate::problem::Problem;

/// The signals that interrupt an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// 128 + the signal's number, as a shell reports a process it ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The flag an interruption raises; clones share it.
#[derive(Debug, Clone)]
pub struct Interrupt {
    tx: Arc<watch::Sender<Option<Signal>>>,
    /// Where a second signal says why the process ends at once.
    stderr: Stream,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt::new(Stream::new("stderr", std::io::stderr(), false))
    }
}

impl Interrupt {
    /// A flag that reports on `stderr` (the command's).
    pub fn new(stderr: Stream) -> Self {
        Interrupt {
            tx: Arc::new(watch::channel(None).0),
            stderr,
        }
    }

    /// The first signal received wins.
    pub(crate) fn raise(&self, signal: Signal) {
        self.tx.send_if_modified(|s| {
            let first = s.is_none();
            if first {
                *s = Some(signal);
            }
            first
        });
    }

    /// The first signal stops the run between requests; a second one, from
    /// someone who will not wait for the request in flight, ends the
    /// process at once, as a kill would (which an apply is built to
    /// survive: the next one takes over the lock and settles what was sent).
    fn raise_or_quit(&self, signal: Signal) {
        if let Some(first) = self.signal() {
            let problem = Problem::new(format!(
                "interrupted again ({}): stopping now, without waiting for the request in flight",
                signal.name()
            ))
            .with_help("run `tweetform apply` again: it checks on X what that request did");
            // The process ends next: nothing is left to report a failure to.
            let _ = self.stderr.print("\n");
            let _ = self.stderr.problem(&problem);
            std::process::exit(first.exit_code().into());
        }
        self.raise(signal);
    }

    /// The signal that interrupted, if one did.
    pub fn signal(&self) -> Option<Signal> {
        *self.tx.borrow()
    }

    /// Resolves once an interruption is raised.
    pub(crate) async fn raised(&self) {
        let mut rx = self.tx.subscribe();
        let _ = rx.wait_for(Option::is_some).await;
    }

    /// Raises the flag on SIGINT or SIGTERM from now on (on the current
    /// tokio runtime). Where signals cannot be listened to, they keep their
    /// default effect.
    pub(crate) fn listen(&self) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            for (kind, which) in [
                (SignalKind::interrupt(), Signal::Interrupt),
                (SignalKind::terminate(), Signal::Terminate),
            ] {
                let Ok(mut stream) = signal(kind) else {
                    continue;
                };
                let this = self.clone();
                tokio::spawn(async move {
                    while stream.recv().await.is_some() {
                        this.raise_or_quit(which);
                    }
                });
            }
        }
        #[cfg(not(unix))]
        {
            let this = self.clone();
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    this.raise_or_quit(Signal::Interrupt);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn the_first_signal_wins_and_wakes_a_sleep() {
        let i = Interrupt::default();
        assert_eq!(i.signal(), None);
        let waker = i.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            waker.raise(Signal::Terminate);
            waker.raise(Signal::Interrupt);
        });
        let start = tokio::time::Instant::now();
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(3600)) => {}
            () = i.raised() => {}
        }
        assert!(start.elapsed() < Duration::from_secs(10));
        assert_eq!(i.signal(), Some(Signal::Terminate));
        assert_eq!(i.signal().unwrap().exit_code(), 143);
    }
}
