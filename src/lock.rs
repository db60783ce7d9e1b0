//! One apply at a time per state file.
//!
//! The lock is an OS file lock (`File::try_lock`) on `<state>.lock` beside
//! the state, held for the whole apply. The file also says who holds it
//! (pid, host, start time) so that a second apply can say whom it is waiting
//! for. The OS releases the lock when its process dies, even by `kill -9`,
//! so a lock file whose lock is free was left by a process that is gone: it
//! is stale, and the next apply takes it over and says so.
//!
//! The file is removed when the lock is released, also when SIGINT or
//! SIGTERM interrupted the apply (see [`crate::interrupt`]); `apply
//! --commit` stages the lockfile by name, never this file.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::problem::{Location, Problem};

/// Who holds (or held) the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub(crate) host: String,
    pub(crate) started_at: Timestamp,
}

/// Why the lock could not be taken. Converts into a [`Problem`].
#[derive(Debug)]
pub enum LockError {
    Held {
        path: PathBuf,
        holder: Option<Holder>,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<&LockError> for Problem {
    fn from(e: &LockError) -> Problem {
        match e {
            LockError::Held { path, holder } => Problem::new(format!(
                "another apply ({}) holds {}",
                describe(holder.as_ref()),
                path.display()
            ))
            .with_help(
                "wait for it to finish; tweetform applies one plan at a time per state file",
            ),
            LockError::Io { path, source } => Problem::new("cannot lock")
                .at(Location::file(path))
                .because(source),
        }
    }
}

impl From<LockError> for Problem {
    fn from(e: LockError) -> Problem {
        Problem::from(&e)
    }
}

/// The problem on one line, without the advice.
impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Problem::from(self).fmt(f)
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LockError::Io { source, .. } => Some(source),
            LockError::Held { .. } => None,
        }
    }
}

fn describe(holder: Option<&Holder>) -> String {
    match holder {
        Some(h) => format!("pid {} on {}, started at {}", h.pid, h.host, h.started_at),
        None => "whose details could not be read".into(),
    }
}

/// The held lock; released (and its file removed) on drop.
#[derive(Debug)]
pub struct ApplyLock {
    file: File,
    path: PathBuf,
    stale: Option<Holder>,
}

/// Where the lock of a state file lives: `state/tweets.lock.json.lock`.
pub fn lock_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl ApplyLock {
    /// Takes the lock of `state_path`, or says who holds it.
    pub fn acquire(state_path: &Path, now: Timestamp) -> Result<ApplyLock, LockError> {
        let path = lock_path(state_path);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        // The holder may remove the file between our open and our lock; then
        // we locked a file nobody else will see. Check and start over.
        for _ in 0..16 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        holder: read_holder(&mut file),
                        path,
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let stale = read_holder(&mut file);
            let me = Holder {
                pid: std::process::id(),
                host: hostname(),
                started_at: now.round(jiff::Unit::Second).unwrap_or(now),
            };
            let json = serde_json::to_string(&me).expect("a Holder always serialises");
            file.set_len(0).map_err(io)?;
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            file.write_all(json.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            return Ok(ApplyLock { file, path, stale });
        }
        Err(io(std::io::Error::other(
            "the lock file kept changing while locking it",
        )))
    }

    /// The holder of a lock left behind by a process that is gone, if this
    /// apply took one over.
    pub(crate) fn took_over(&self) -> Option<&Holder> {
        self.stale.as_ref()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ApplyLock {
    fn drop(&mut self) {
        // Remove before unlocking: whoever waits then opens a fresh file.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    // Windows cannot remove a file another process has open, so the race
    // this guards against does not arise there.
    path.exists()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "an unknown host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn second_apply_is_refused_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/tweets.lock.json");
        let held = ApplyLock::acquire(&state, now()).unwrap();
        assert!(held.took_over().is_none());
        assert_eq!(held.path(), dir.path().join("state/tweets.lock.json.lock"));
        let err = ApplyLock::acquire(&state, now()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("another apply (pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains("started at 2026-01-01T00:00:00Z"), "{err}");
        let problem = Problem::from(ApplyLock::acquire(&state, now()).unwrap_err());
        assert!(problem.help().unwrap().contains("wait for it to finish"));
        drop(held);
        assert!(!lock_path(&state).exists(), "released lock leaves no file");
        ApplyLock::acquire(&state, now()).unwrap();
    }

    #[test]
    fn a_lock_file_nobody_holds_is_stale_and_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tweets.lock.json");
        let dead = Holder {
            pid: 999_999,
            host: "ci-runner".into(),
            started_at: now(),
        };
        std::fs::write(lock_path(&state), serde_json::to_string(&dead).unwrap()).unwrap();
        let lock = ApplyLock::acquire(&state, now()).unwrap();
        assert_eq!(lock.took_over(), Some(&dead));
        let written: Holder =
            serde_json::from_str(&std::fs::read_to_string(lock_path(&state)).unwrap()).unwrap();
        assert_eq!(written.pid, std::process::id());
    }
}
