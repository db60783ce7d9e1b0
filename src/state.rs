//! The lockfile `state/tweets.lock.json`: what is already published.
//!
//! It is the only record that links a post key to tweet IDs, so it is
//! written atomically (temporary file, fsync, rename) and never overwritten
//! when it cannot be read.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomically;
use crate::problem::{Location, Problem};

/// The newest format version this build reads and writes; newer files are
/// refused, not guessed at.
///
/// Version 2 added what a run learns about the account and X's answers
/// (`user_id`, `limits`, `refused`, `requests.reads`). A state that holds
/// none of them is still written as version 1, byte for byte as before, so
/// that an older tweetform keeps reading it; one that holds any is written
/// as version 2, so that an older tweetform says "upgrade" instead of
/// calling the file corrupt.
///
/// Version 3 added media: `uploads` and `requests.uploads`; and reposts,
/// `reposts` (no release wrote version 3 without them, so no build that
/// reads version 3 would call a state with reposts corrupt); and what
/// recent requests cost, `spend`, for the budget's spend window (version
/// 3 was not released without it either).
pub(crate) const FORMAT_VERSION: u32 = 3;

/// The version of a state without any field of version 2.
const FORMAT_VERSION_1: u32 = 1;

/// The version of a state with fields of version 2 but none of version 3.
const FORMAT_VERSION_2: u32 = 2;

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
    /// The account the tweets are published on, as `GET /2/users/me`
    /// answered once, so that a run does not ask again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_id: Option<String>,
    /// What X last reported about its limits, kept until their reset so
    /// that the next run does not earn the 429 this one was warned of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<ReportedLimit>,
    /// Post key → X's refusal of its content, so that the same content is
    /// not sent again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refused: BTreeMap<String, RefusedPost>,
    /// Media uploaded for tweets, by content digest (`sha256:…`), kept
    /// until X lets them expire: a run interrupted between an upload and
    /// its tweet reuses the upload instead of sending the file again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub uploads: BTreeMap<String, UploadRecord>,
    /// Post key → the tweet it reposted (a post with `repost:`): kept apart
    /// from `posts`, whose tweets are the account's own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reposts: BTreeMap<String, RepostRecord>,
    /// What recent requests cost, kept while the budget's spend window
    /// counts them (see [`crate::spend`]); absent without a spend window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spend: Vec<crate::spend::Payment>,
}

/// A repost X confirmed (`retweeted: true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepostRecord {
    /// The reposted tweet's ID (X's `source_tweet_id`).
    pub tweet_id: String,
    /// When X confirmed it (this machine's clock).
    pub reposted_at: Timestamp,
}

/// One upload X holds for us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRecord {
    /// The media ID a tweet names.
    pub id: String,
    /// How X's tweets list it (`attachments.media_keys`): recovery matches
    /// a tweet's media by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
    /// The file it was read from, for people reading the state.
    pub file: String,
    /// When X forgets it (X's clock as this machine reads it).
    pub expires_at: Timestamp,
    /// X is still processing it (GIFs and videos): check before use.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub processing: bool,
    /// The alt text X holds for it, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// One limit as X's headers last reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedLimit {
    /// The request it limits, as `POST /2/tweets`.
    pub(crate) endpoint: String,
    /// The headers' prefix: `x-rate-limit`, `x-user-limit-24hour` or
    /// `x-app-limit-24hour`.
    pub(crate) scope: String,
    pub limit: u32,
    pub remaining: u32,
    pub reset: Timestamp,
}

/// X refused one tweet of a post for good (not a 401, 429, 5xx, nor a
/// duplicate that recovery settles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusedPost {
    /// [`content_digest`] of the post as it was refused: any edit changes it.
    pub digest: String,
    /// The refused tweet's position in the thread (0-based).
    pub index: usize,
    /// X's HTTP status.
    pub status: u16,
    /// X's `detail`.
    pub detail: String,
    pub at: Timestamp,
}

/// A digest of a whole post's content: of its tweets' digests in order.
pub(crate) fn content_digest<'a>(tweet_digests: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for d in tweet_digests {
        hasher.update(d.as_bytes());
        hasher.update(b"\n");
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
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
    /// The IDs of the versions this tweet replaced by editing it in place,
    /// oldest first (`id` is the newest): X allows five edits, and a chain
    /// has one more version than edits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<String>,
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
    /// When the intent was recorded (this machine's clock): a tweet found
    /// on the account with the same content and created after this instant
    /// (on X's clock, measured) is the one this intent sent.
    pub at: Timestamp,
    /// What else the create carried, compared with what X reports.
    /// Intents saved by older versions have none, and are matched on
    /// their text and time only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<IntentShape>,
    /// For an edit in place: the ID it edits (`edit_options`). The tweet
    /// it sent is the version whose `edit_history_tweet_ids` holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_of: Option<String>,
}

/// The parts of a create besides its text that tell two tweets apart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentShape {
    /// The tweet it replied to: a thread's chain must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) media: usize,
    /// The uploads' media keys, in order, when the files were uploaded by
    /// this tweetform: a tweet found on X must carry exactly these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) media_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poll: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl IntentShape {
    /// Read from a create's request body.
    pub(crate) fn of_request(body: &serde_json::Value) -> Self {
        let str_at = |p: &str| body.pointer(p).and_then(|v| v.as_str()).map(str::to_owned);
        IntentShape {
            reply_to: str_at("/reply/in_reply_to_tweet_id"),
            quote: str_at("/quote_tweet_id"),
            media: body
                .pointer("/media/media_ids")
                .and_then(|v| v.as_array())
                .map_or(0, Vec::len),
            poll: body.get("poll").is_some_and(|p| !p.is_null()),
            media_keys: Vec::new(),
        }
    }
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
    /// Times of recent reads (the account, its timeline, lookups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<Timestamp>,
    /// Times of recent media requests (uploads, segments, checks, alt text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uploads: Vec<Timestamp>,
}

/// Why the state cannot be read or written. Converts into a [`Problem`]
/// that says where, and what to do, so that the state is never overwritten
/// by a guess.
#[derive(Debug)]
pub enum StateError {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    ConflictMarkers {
        path: PathBuf,
        line: usize,
    },
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    NewerVersion {
        path: PathBuf,
        found: u32,
    },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<&StateError> for Problem {
    fn from(e: &StateError) -> Problem {
        match e {
            StateError::Read { path, source } => Problem::new("cannot read the state")
                .at(Location::file(path))
                .because(source)
                .with_help("check the file's permissions; tweetform did not change it"),
            StateError::ConflictMarkers { path, line } => {
                Problem::new("the state contains git conflict markers")
                    .at(Location::line(path, *line))
                    .with_help(
                        "resolve the conflict by hand (keep every tweet ID from both sides), \
                         then run `tweetform plan` again; tweetform will not overwrite it",
                    )
            }
            StateError::Corrupt {
                path,
                line,
                column,
                message,
            } => Problem::new(format!("the state is not a valid lockfile: {message}"))
                .at(Location::at(path, *line, *column))
                .with_help(format!(
                    "restore it from git history (`git checkout -- {}`); tweetform will not overwrite it",
                    path.display()
                )),
            StateError::NewerVersion { path, found } => Problem::new(format!(
                "the state has format version {found}, but this tweetform understands up to {FORMAT_VERSION}"
            ))
            .at(Location::file(path))
            .with_help("upgrade tweetform; it will not overwrite a newer state"),
            StateError::Write { path, source } => Problem::new("cannot write the state")
                .at(Location::file(path))
                .because(source),
        }
    }
}

impl From<StateError> for Problem {
    fn from(e: StateError) -> Problem {
        Problem::from(&e)
    }
}

/// The problem on one line, without the advice.
impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Problem::from(self).fmt(f)
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StateError::Read { source, .. } | StateError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    /// An empty state with a fresh lineage, as for a repository that has
    /// never published anything.
    pub fn new() -> State {
        State {
            format_version: FORMAT_VERSION_1,
            lineage: hex::encode(rand::random::<[u8; 16]>()),
            serial: 0,
            posts: BTreeMap::new(),
            pending: Vec::new(),
            requests: RequestLog::default(),
            user_id: None,
            limits: Vec::new(),
            refused: BTreeMap::new(),
            uploads: BTreeMap::new(),
            reposts: BTreeMap::new(),
            spend: Vec::new(),
        }
    }

    /// The oldest format version that can hold this state.
    fn required_version(&self) -> u32 {
        if !self.uploads.is_empty()
            || !self.requests.uploads.is_empty()
            || !self.reposts.is_empty()
            || !self.spend.is_empty()
        {
            return FORMAT_VERSION;
        }
        let v2 = self.user_id.is_some()
            || !self.limits.is_empty()
            || !self.refused.is_empty()
            || !self.requests.reads.is_empty();
        if v2 {
            FORMAT_VERSION_2
        } else {
            FORMAT_VERSION_1
        }
    }

    /// Reads the lockfile at `path`; a missing file is a new, empty state.
    ///
    /// Checks run from the most to the least specific, so that the error
    /// says what actually happened: conflict markers (a merge went wrong),
    /// then the format version (read before the rest, so that a newer file
    /// with fields this build does not know says "upgrade", not "corrupt"),
    /// then the full shape.
    pub fn load(path: &Path) -> Result<State, StateError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::new()),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        State::from_bytes(path, &bytes)
    }

    fn from_bytes(path: &Path, bytes: &[u8]) -> Result<State, StateError> {
        let corrupt = |line, column, message: String| StateError::Corrupt {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        let from_json = |e: serde_json::Error| corrupt(e.line(), e.column(), e.to_string());

        if let Some(line) = conflict_marker_line(bytes) {
            return Err(StateError::ConflictMarkers {
                path: path.to_owned(),
                line,
            });
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(corrupt(
                1,
                1,
                "the file is empty (if nothing was ever published from this repository, \
                 delete it and tweetform will start a new state)"
                    .into(),
            ));
        }

        #[derive(Deserialize)]
        struct VersionProbe {
            format_version: Option<u64>,
        }
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(from_json)?;
        match probe.format_version {
            Some(0) => {
                return Err(corrupt(
                    1,
                    1,
                    "format version 0 does not exist (the first one is 1)".into(),
                ));
            }
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(StateError::NewerVersion {
                    path: path.to_owned(),
                    found: u32::try_from(v).unwrap_or(u32::MAX),
                });
            }
            _ => {}
        }
        serde_json::from_slice(bytes).map_err(from_json)
    }

    /// Writes the state to `path` with the serial increased by one.
    ///
    /// The write is atomic: a temporary file in the same directory is
    /// written, flushed to disk, renamed over `path`, and the directory is
    /// flushed so that the rename itself survives a crash. When it fails
    /// before the rename, the old file is untouched, no temporary file is
    /// left behind and the serial in memory is what it was. When only the
    /// final directory flush fails, the new file is already in place, so the
    /// serial keeps its new value (memory matches disk) and the error is
    /// still returned.
    pub fn save(&mut self, path: &Path) -> Result<(), StateError> {
        self.serial += 1;
        let version = self.format_version;
        self.format_version = self.required_version();
        let json = self.to_json();
        match write_atomically(path, json.as_bytes()) {
            Ok(()) => Ok(()),
            Err(failure) => {
                if !failure.renamed {
                    self.serial -= 1;
                    self.format_version = version;
                }
                Err(StateError::Write {
                    path: path.to_owned(),
                    source: failure.source,
                })
            }
        }
    }

    /// The lockfile's text: two-space indented JSON, keys in a fixed order
    /// (post keys sorted, struct fields in declaration order), one block per
    /// post, and a final newline, so that git diffs stay small and readable.
    pub(crate) fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a State always serialises");
        json.push('\n');
        json
    }
}

/// The 1-based line of the first git conflict marker, if any. JSON never
/// starts a line with these (strings cannot hold a raw newline), so a match
/// is always a merge left unresolved.
fn conflict_marker_line(bytes: &[u8]) -> Option<usize> {
    const MARKERS: [&[u8]; 4] = [b"<<<<<<<", b"|||||||", b"=======", b">>>>>>>"];
    bytes
        .split(|&b| b == b'\n')
        .position(|line| MARKERS.iter().any(|m| line.starts_with(m)))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic_file::remove_stale_temporaries;

    fn tweet(id: &str, text: &str) -> PublishedTweet {
        PublishedTweet {
            id: id.into(),
            text: text.into(),
            digest: crate::post::Tweet::new(text).digest(),
            published_at: None,
            edits: Vec::new(),
        }
    }

    fn sample() -> State {
        let mut state = State::new();
        state.lineage = "0123456789abcdef0123456789abcdef".into();
        // Inserted out of order: the file must list them sorted.
        state.posts.insert(
            "b/thread".into(),
            PostState {
                tweets: vec![tweet("2", "one"), tweet("3", "two")],
            },
        );
        state.posts.insert(
            "a".into(),
            PostState {
                tweets: vec![PublishedTweet {
                    published_at: Some("2026-01-02T03:04:05Z".parse().unwrap()),
                    edits: Vec::new(),
                    ..tweet("1", "hello")
                }],
            },
        );
        state
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn new_state_has_a_random_lineage_and_serial_zero() {
        let a = State::new();
        let b = State::new();
        assert_eq!(a.format_version, 1, "nothing of version 2 in it");
        assert_eq!(a.serial, 0);
        assert!(a.posts.is_empty());
        assert_eq!(a.lineage.len(), 32);
        assert!(a.lineage.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.lineage, b.lineage);
    }

    #[test]
    fn missing_file_loads_as_a_new_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::load(&dir.path().join("state/tweets.lock.json")).unwrap();
        assert_eq!(state.serial, 0);
        assert!(state.posts.is_empty());
    }

    #[test]
    fn round_trip_and_serial_grows_on_every_save() {
        let dir = tempfile::tempdir().unwrap();
        // The parent directory does not exist yet: save creates it.
        let path = dir.path().join("state/tweets.lock.json");
        let mut state = sample();
        state.pending.push(Intent {
            key: "b/thread".into(),
            index: 2,
            digest: "sha256:00".into(),
            text: "three".into(),
            at: "2026-01-02T03:04:06Z".parse().unwrap(),
            shape: Some(IntentShape {
                reply_to: Some("1900000000000000002".into()),
                media: 2,
                ..IntentShape::default()
            }),
            edit_of: None,
        });
        state
            .requests
            .creates
            .push("2026-01-02T03:04:05Z".parse().unwrap());

        state.save(&path).unwrap();
        assert_eq!(state.serial, 1);
        assert_eq!(State::load(&path).unwrap(), state);

        state.save(&path).unwrap();
        assert_eq!(state.serial, 2);
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.serial, 2);
        assert_eq!(loaded, state);
    }

    #[test]
    fn output_is_sorted_indented_and_stable() {
        let mut state = sample();
        state.serial = 7;
        let expected = r#"{
  "format_version": 1,
  "lineage": "0123456789abcdef0123456789abcdef",
  "serial": 7,
  "posts": {
    "a": {
      "tweets": [
        {
          "id": "1",
          "text": "hello",
          "digest": "sha256:DIGEST_HELLO",
          "published_at": "2026-01-02T03:04:05Z"
        }
      ]
    },
    "b/thread": {
      "tweets": [
        {
          "id": "2",
          "text": "one",
          "digest": "sha256:DIGEST_ONE"
        },
        {
          "id": "3",
          "text": "two",
          "digest": "sha256:DIGEST_TWO"
        }
      ]
    }
  },
  "requests": {
    "creates": [],
    "deletes": []
  }
}
"#
        .replace(
            "sha256:DIGEST_HELLO",
            &crate::post::Tweet::new("hello").digest(),
        )
        .replace(
            "sha256:DIGEST_ONE",
            &crate::post::Tweet::new("one").digest(),
        )
        .replace(
            "sha256:DIGEST_TWO",
            &crate::post::Tweet::new("two").digest(),
        );
        assert_eq!(state.to_json(), expected);
        // Serialising again, or after a load, gives the same bytes.
        let reloaded = State::from_bytes(Path::new("x"), expected.as_bytes()).unwrap();
        assert_eq!(reloaded.to_json(), expected);
    }

    #[test]
    fn temporaries_left_by_a_kill_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tweets.lock.json");
        State::new().save(&path).unwrap();
        for name in [".tweets.lock.json.a1B2c3.tmp", ".tweets.lock.json.zz.tmp"] {
            fs::write(dir.path().join(name), "{").unwrap();
        }
        for keep in ["notes.tmp", ".other.json.x.tmp", "README.md"] {
            fs::write(dir.path().join(keep), "keep").unwrap();
        }
        assert_eq!(remove_stale_temporaries(&path).unwrap(), 2);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".other.json.x.tmp",
                "README.md",
                "notes.tmp",
                "tweets.lock.json"
            ]
        );
        assert_eq!(
            remove_stale_temporaries(&dir.path().join("none/x.json")).unwrap(),
            0
        );
    }

    #[test]
    fn version_2_is_written_only_when_its_fields_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tweets.lock.json");
        let mut state = sample();
        state.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap().format_version, 1);
        assert!(!fs::read_to_string(&path).unwrap().contains("user_id"));

        state.user_id = Some("1500".into());
        state.refused.insert(
            "a".into(),
            RefusedPost {
                digest: content_digest(["sha256:1"]),
                index: 0,
                status: 400,
                detail: "no".into(),
                at: "2026-01-02T03:04:05Z".parse().unwrap(),
            },
        );
        state.save(&path).unwrap();
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.format_version, 2);
        assert_eq!(loaded, state);

        // An upload needs version 3; without one, the file is version 2 again.
        state.uploads.insert(
            "sha256:ab".into(),
            UploadRecord {
                id: "77".into(),
                media_key: Some("3_77".into()),
                file: "media/a.png".into(),
                expires_at: "2026-01-03T03:04:05Z".parse().unwrap(),
                processing: false,
                alt: Some("a chart".into()),
            },
        );
        state.save(&path).unwrap();
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.format_version, FORMAT_VERSION);
        assert_eq!(loaded, state);
        state.uploads.clear();
        state.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap().format_version, 2);

        // Back to nothing of version 2: readable by an older build again.
        state.user_id = None;
        state.refused.clear();
        state.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap().format_version, 1);
    }

    #[test]
    fn content_digest_follows_every_tweet_and_their_order() {
        let a = content_digest(["sha256:1", "sha256:2"]);
        assert_eq!(a, content_digest(["sha256:1", "sha256:2"]));
        assert_ne!(a, content_digest(["sha256:2", "sha256:1"]));
        assert_ne!(a, content_digest(["sha256:1"]));
        assert_ne!(content_digest(["ab", "c"]), content_digest(["a", "bc"]));
    }

    #[test]
    fn save_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tweets.lock.json");
        let mut state = sample();
        state.save(&path).unwrap();
        state.save(&path).unwrap();
        assert_eq!(files_in(dir.path()), ["tweets.lock.json"]);
    }

    #[test]
    fn failed_save_cleans_up_and_restores_the_serial() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory where the file should go: the rename fails
        // after the temporary file was written.
        let path = dir.path().join("tweets.lock.json");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), "x").unwrap();
        let mut state = sample();
        state.serial = 4;
        let err = state.save(&path).unwrap_err();
        assert!(matches!(err, StateError::Write { .. }), "{err:?}");
        assert!(err.to_string().contains("tweets.lock.json"), "{err}");
        assert_eq!(state.serial, 4);
        assert_eq!(files_in(dir.path()), ["tweets.lock.json"]);
        assert_eq!(files_in(&path), ["keep"]);

        // The parent cannot be created: same guarantees.
        let blocker = dir.path().join("file");
        fs::write(&blocker, "x").unwrap();
        let err = state.save(&blocker.join("tweets.lock.json")).unwrap_err();
        assert!(matches!(err, StateError::Write { .. }), "{err:?}");
        assert_eq!(state.serial, 4);
        assert_eq!(fs::read_to_string(&blocker).unwrap(), "x");
    }

    #[cfg(unix)]
    #[test]
    fn save_keeps_the_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tweets.lock.json");
        let mut state = sample();
        state.save(&path).unwrap();
        // Not the 0600 of a bare temporary file.
        assert_ne!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        state.save(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    fn load_str(contents: &str) -> (StateError, PathBuf, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tweets.lock.json");
        fs::write(&path, contents).unwrap();
        let err = State::load(&path).unwrap_err();
        // Loading never changes the file.
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
        (err, path, dir)
    }

    #[test]
    fn conflict_markers_name_the_file_and_line() {
        let mut ours = sample();
        ours.serial = 3;
        let json = ours.to_json();
        let mut theirs = ours.clone();
        theirs.serial = 4;
        let conflicted = json.replacen(
            "  \"serial\": 3,\n",
            "<<<<<<< HEAD\n  \"serial\": 3,\n=======\n  \"serial\": 4,\n>>>>>>> branch\n",
            1,
        );
        let (err, path, _dir) = load_str(&conflicted);
        match &err {
            StateError::ConflictMarkers { path: p, line } => {
                assert_eq!(p, &path);
                assert_eq!(*line, 4);
            }
            other => panic!("expected conflict markers, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{}:4: ", path.display())),
            "{message}"
        );
        assert!(message.contains("conflict markers"), "{message}");
    }

    #[test]
    fn invalid_json_is_corrupt_with_line_and_column() {
        let (err, path, _dir) =
            load_str("{\n  \"format_version\": 1,\n  \"lineage\": \"x\"\n  \"serial\": 1\n}\n");
        match &err {
            StateError::Corrupt { line, column, .. } => {
                assert_eq!((*line, *column), (4, 3));
            }
            other => panic!("expected corrupt, got {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with(&format!("{}:4:3: ", path.display())),
            "{err}"
        );
        let help = Problem::from(&err).help().unwrap().to_owned();
        assert!(help.contains("git checkout"), "{help}");
    }

    #[test]
    fn wrong_shape_is_corrupt() {
        let (err, _, _dir) = load_str(
            "{\n  \"format_version\": 1,\n  \"lineage\": \"x\",\n  \"serial\": \"one\"\n}\n",
        );
        assert!(
            matches!(err, StateError::Corrupt { line: 4, .. }),
            "{err:?}"
        );
        // A field this version does not know is not silently dropped (it
        // would be lost on the next save).
        let (err, _, _dir) =
            load_str("{\"format_version\": 1, \"lineage\": \"x\", \"serial\": 1, \"extra\": true}");
        assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("extra"), "{err}");
        let (err, _, _dir) = load_str("[]");
        assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
        let (err, _, _dir) = load_str("{\"format_version\": 0, \"lineage\": \"x\", \"serial\": 1}");
        assert!(matches!(err, StateError::Corrupt { .. }), "{err:?}");
        let (err, _, _dir) = load_str("{\"lineage\": \"x\", \"serial\": 1}");
        assert!(err.to_string().contains("format_version"), "{err}");
    }

    #[test]
    fn empty_file_is_corrupt_with_a_hint() {
        for contents in ["", "\n  \n"] {
            let (err, _, _dir) = load_str(contents);
            assert!(
                matches!(
                    err,
                    StateError::Corrupt {
                        line: 1,
                        column: 1,
                        ..
                    }
                ),
                "{err:?}"
            );
            assert!(err.to_string().contains("empty"), "{err}");
            assert!(err.to_string().contains("delete it"), "{err}");
        }
    }

    #[test]
    fn newer_version_is_refused_before_its_new_fields_are_read() {
        let (err, path, _dir) = load_str(
            "{\"format_version\": 4, \"lineage\": \"x\", \"serial\": 9, \"posts\": {}, \"shiny\": [1]}",
        );
        assert!(
            matches!(err, StateError::NewerVersion { found: 4, .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&path.display().to_string()),
            "{message}"
        );
        assert!(
            message.contains(&format!("understands up to {FORMAT_VERSION}")),
            "{message}"
        );
        let help = Problem::from(&err).help().unwrap().to_owned();
        assert!(help.contains("upgrade tweetform"), "{help}");
    }

    #[test]
    fn unreadable_state_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        // A directory cannot be read as a file.
        let err = State::load(dir.path()).unwrap_err();
        assert!(matches!(err, StateError::Read { .. }), "{err:?}");
    }
}
