//! The lockfile `state/tweets.lock.json`: what is already published.
//!
//! It is the only record that links a post key to tweet IDs, so it is
//! written atomically (temporary file, fsync, rename) and never overwritten
//! when it cannot be read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Format version this build writes; newer files are refused, not guessed at.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub format_version: u32,
    /// Random ID given when the lockfile is first created; a saved plan is
    /// bound to it so that it cannot be applied to another repository's state.
    pub lineage: String,
    /// Grows by one on every write.
    pub serial: u64,
    /// Post key → what was published for it.
    #[serde(default)]
    pub posts: BTreeMap<String, PostState>,
    /// Creates that were about to be sent when the last run stopped; settled
    /// before anything else on the next run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Intent>,
    /// Recent requests, so that a fresh CI run knows what the previous hours
    /// used of the rate budget.
    #[serde(default)]
    pub requests: RequestLog,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostState {
    pub tweets: Vec<PublishedTweet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedTweet {
    pub id: String,
    pub text: String,
    /// [`crate::post::Tweet::digest`] of what was sent.
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
}

/// A create about to be sent. Recorded (and the state saved) before the
/// request, cleared (in the same save that records the ID) after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    pub key: String,
    pub index: usize,
    pub digest: String,
    pub text: String,
    /// When the intent was recorded: a tweet found on the account with the
    /// same text and created after this instant is the one this intent sent.
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestLog {
    /// Times of recent create requests (older than the longest window are pruned).
    #[serde(default)]
    pub creates: Vec<Timestamp>,
    /// Times of recent delete requests.
    #[serde(default)]
    pub deletes: Vec<Timestamp>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "{}: cannot read the state: {source}\n  = help: check the file's permissions; tweetform did not change it",
        path.display()
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}:{line}: the state contains git conflict markers\n  = help: resolve the conflict by hand (keep every tweet ID from both sides), then run `tweetform plan` again; tweetform will not overwrite it",
        path.display()
    )]
    ConflictMarkers { path: PathBuf, line: usize },
    #[error(
        "{}:{line}:{column}: the state is not a valid lockfile: {message}\n  = help: restore it from git history (`git checkout -- {}`); tweetform will not overwrite it",
        path.display(), path.display()
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: the state has format version {found}, but this tweetform understands up to {FORMAT_VERSION}\n  = help: upgrade tweetform; it will not overwrite a newer state",
        path.display()
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error("{}: cannot write the state: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}
