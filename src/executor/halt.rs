//! Why the executor stopped, as data: a step that failed, one that must
//! wait, or the whole apply stopping; and why a held change is destructive.
//! The words for each are here and nowhere else (their `Display`), written
//! out where the report or the terminal shows them.

use std::fmt;

use jiff::Timestamp;

use crate::api::ApiError;
use crate::budget::Hold;
use crate::plan::Action;
use crate::problem::Problem;
use crate::state::StateError;
use crate::text::tweet_url;

/// Why a step stopped.
#[derive(Debug)]
pub(crate) enum Halt {
    /// This post fails; the rest of the plan goes on.
    Failed(Failure),
    /// Not now: the budget or X allows it from this time.
    Deferred(Timestamp, Deferral),
    /// The whole apply stops at once (the state cannot be written, or X
    /// refuses the credentials).
    Fatal(Fatal),
}

impl From<Fatal> for Halt {
    fn from(f: Fatal) -> Self {
        Halt::Fatal(f)
    }
}

/// What the executor was doing when X answered, for messages and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Doing {
    /// Tweet `index` (0-based) of a thread of `of`.
    Publishing {
        key: String,
        index: usize,
        of: usize,
    },
    Deleting {
        id: String,
    },
    /// Reposting someone's tweet for a post.
    Reposting {
        key: String,
        tweet_id: String,
    },
    Unreposting {
        tweet_id: String,
    },
    LookingUpAccount,
    ReadingTimeline,
    /// Tweets looked up by ID.
    ReadingTweets,
    /// `--refresh`: the published tweets, by ID.
    ReadingBack,
    /// A media file, by its path in the project.
    Uploading {
        file: String,
    },
    CheckingUpload {
        file: String,
    },
    SettingAltText {
        file: String,
    },
}

impl fmt::Display for Doing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Doing::Publishing { key, index, of } if *of > 1 => {
                write!(f, "publishing {key} tweet {} of {of}", index + 1)
            }
            Doing::Publishing { key, index, .. } => {
                write!(f, "publishing {key} tweet {}", index + 1)
            }
            Doing::Deleting { id } => write!(f, "deleting {}", tweet_url(id)),
            Doing::Reposting { key, tweet_id } => {
                write!(f, "reposting {} for {key}", tweet_url(tweet_id))
            }
            Doing::Unreposting { tweet_id } => {
                write!(f, "undoing the repost of {}", tweet_url(tweet_id))
            }
            Doing::LookingUpAccount => f.write_str("looking up the account"),
            Doing::ReadingTimeline => f.write_str("reading the account's recent tweets"),
            Doing::ReadingTweets => f.write_str("reading tweets by ID"),
            Doing::ReadingBack => f.write_str("reading the published tweets back from X"),
            Doing::Uploading { file } => write!(f, "uploading {file}"),
            Doing::CheckingUpload { file } => write!(f, "checking X's processing of {file}"),
            Doing::SettingAltText { file } => write!(f, "setting the alt text of {file}"),
        }
    }
}

/// Why one post's change failed. Indexes are 0-based, shown 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A move without the key it comes from.
    MoveWithoutSource,
    MoveTargetTaken {
        from: String,
        to: String,
    },
    MoveSourceGone {
        from: String,
        to: String,
    },
    /// The state holds another tweet at this position.
    RecordedDiffers {
        index: usize,
    },
    /// The thread's earlier tweets are not all recorded.
    OutOfOrder {
        index: usize,
        next: usize,
    },
    /// An intent for another version of the tweet is still unsettled.
    OtherVersionPending {
        index: usize,
    },
    /// X's duplicate refusal, explained by an older tweet with the text.
    DuplicateOfOlder {
        detail: String,
    },
    /// X's duplicate refusal of a create nothing of ours can explain: the
    /// account has a tweet with this text.
    Duplicate {
        detail: String,
    },
    /// No connection to X could be made: nothing was sent.
    NotConnected {
        error: String,
    },
    /// X's duplicate refusal, with no tweet visible to explain it yet.
    DuplicateNotVisible {
        detail: String,
    },
    /// A create whose answer was lost, and whether X published it could
    /// not be checked.
    Unchecked {
        error: ApiError,
        check: Box<Failure>,
    },
    /// Retryable errors until the attempts ran out.
    GaveUp {
        error: ApiError,
        attempts: u32,
    },
    /// X refused the request for good.
    Refused(ApiError),
    /// A failure of one request, named.
    During {
        doing: Doing,
        cause: Box<Failure>,
    },
    /// An interrupted run's intent could not be checked against X.
    Unsettled {
        index: usize,
        cause: Box<Failure>,
    },
    /// A saved plan whose media file has no content digest.
    MediaNotRead {
        file: String,
    },
    /// A media file differs from the plan's (or cannot be read now).
    MediaChanged {
        file: String,
        why: String,
    },
    /// X could not process a GIF or video.
    ProcessingFailed {
        file: String,
        reason: String,
    },
    /// X refused the tweet's media IDs: its uploads are forgotten.
    MediaRejected {
        error: ApiError,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::MoveWithoutSource => {
                f.write_str("the plan's move names no previous key; run `tweetform plan` again")
            }
            Failure::MoveTargetTaken { from, to } => write!(
                f,
                "cannot move {from} to {to}: the state already has tweets under {to}"
            ),
            Failure::MoveSourceGone { from, to } => write!(
                f,
                "cannot move {from} to {to}: the state has nothing under {from}; run `tweetform plan` again"
            ),
            Failure::RecordedDiffers { index } => write!(
                f,
                "the state already has a different tweet {} for this post (it changed since the plan was made); run `tweetform apply` again",
                index + 1
            ),
            Failure::OutOfOrder { index, next } => write!(
                f,
                "tweet {} cannot be published before tweet {}; run `tweetform apply` again",
                index + 1,
                next + 1
            ),
            Failure::OtherVersionPending { index } => write!(
                f,
                "an interrupted run may have published another version of tweet {} a moment ago, and X does not show it yet; run `tweetform apply` again in a few minutes",
                index + 1
            ),
            Failure::DuplicateOfOlder { detail } => write!(
                f,
                "X refused the text as a duplicate (\"{detail}\"): the account already has an older tweet with the same text"
            ),
            Failure::Duplicate { detail } => write!(
                f,
                "X refused the text as duplicate content (\"{detail}\"): the account already has a tweet with the same text"
            ),
            Failure::NotConnected { error } => {
                write!(f, "could not connect to X ({error}); nothing was sent")
            }
            Failure::DuplicateNotVisible { detail } => write!(
                f,
                "X refused the text as a duplicate (\"{detail}\") but no tweet with it is visible on the account yet; the next apply will check again"
            ),
            Failure::Unchecked { error, check } => write!(
                f,
                "{error}; could not check whether X published it ({check}); the next apply will check again"
            ),
            Failure::GaveUp { error, attempts } => {
                write!(f, "{error} (gave up after {attempts} attempts)")
            }
            Failure::Refused(error) => write!(f, "{error}"),
            Failure::During { doing, cause } => write!(f, "{doing}: {cause}"),
            Failure::Unsettled { index, cause } => write!(
                f,
                "could not check whether an interrupted run published tweet {} ({cause}); the next apply will check again",
                index + 1
            ),
            Failure::MediaNotRead { file } => write!(
                f,
                "the plan does not say what {file} holds (it was saved by an older tweetform)"
            ),
            Failure::MediaChanged { file, why } => write!(
                f,
                "{file} {why} since the plan was made; nothing was sent for this tweet"
            ),
            Failure::ProcessingFailed { file, reason } => {
                write!(f, "X could not process {file}: {reason}")
            }
            Failure::MediaRejected { error } => write!(
                f,
                "{error}; the uploads this tweet named are forgotten, and the next apply uploads the files again"
            ),
        }
    }
}

/// Why a request waits for later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deferral {
    /// The rate budget (or X's headers, as the budget learnt them).
    Budget(Hold),
    /// X answered 429 to a read; its reset is awaited.
    RateLimitFor(Doing),
    /// X answered 429 to a create or delete more often than tolerated.
    Keeps429,
    /// X answered 429 to a read more often than tolerated.
    KeepsRefusing(Doing),
    /// X is still processing a GIF or video after the time allowed.
    Processing { file: String },
    /// The budget's spend window has no room for a request of this price.
    Spend {
        window: crate::spend::SpendWindow,
        usd: crate::cost::Usd,
    },
}

impl fmt::Display for Deferral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deferral::Budget(hold) => write!(f, "{hold}"),
            Deferral::RateLimitFor(doing) => write!(f, "X's rate limit for {doing}"),
            Deferral::Keeps429 => f.write_str("X keeps answering 429"),
            Deferral::KeepsRefusing(doing) => write!(f, "X keeps refusing {doing} (429)"),
            Deferral::Processing { file } => write!(f, "X is still processing {file}"),
            Deferral::Spend { window, usd } if *usd > window.limit => write!(
                f,
                "it costs {usd}, more than the spend budget of {window} allows"
            ),
            Deferral::Spend { window, usd } => {
                write!(f, "the spend budget of {window} has no room for {usd} more")
            }
        }
    }
}

/// Why the whole apply stopped. What it says must reach the user.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    /// The state could not be written; nothing was half done.
    #[error("{0}")]
    StateWrite(StateError),
    /// The state (with a new intent) could not be written before a create.
    #[error("{error}")]
    NothingSent { key: String, error: StateError },
    /// Forgetting an intent X never saw could not be saved.
    #[error("{0}")]
    IntentNotForgotten(StateError),
    #[error(
        "X published {} for {key} but the state could not be written: {error}",
        tweet_url(id)
    )]
    PublishedNotRecorded {
        id: String,
        key: String,
        error: StateError,
    },
    #[error(
        "{} was deleted but the state could not be written: {error}",
        tweet_url(id)
    )]
    DeletedNotRecorded { id: String, error: StateError },
    /// Bad credentials: every other request would be refused the same way.
    /// A signal (SIGINT, SIGTERM) stopped the apply between two requests.
    #[error("interrupted by {}", .0.name())]
    Interrupted(crate::interrupt::Signal),
    #[error("{0}")]
    Unauthorized(ApiError),
}

impl Fatal {
    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Fatal::StateWrite(_) | Fatal::Interrupted(_) => return None,
            Fatal::NothingSent { key, .. } => format!(
                "nothing was sent for {key}; fix the problem and run `tweetform apply` again"
            ),
            Fatal::IntentNotForgotten(_) => "nothing was sent; run `tweetform apply` again".into(),
            Fatal::PublishedNotRecorded { .. } => "fix the problem and run `tweetform apply` again: it will find the tweet on X and record it".into(),
            Fatal::DeletedNotRecorded { .. } => "fix the problem and run `tweetform apply` again (deleting a tweet that is gone counts as done)".into(),
            Fatal::Unauthorized(_) => "check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET (the app needs Read and Write permissions; regenerate the access token after changing them)".into(),
        })
    }
}

impl From<&Fatal> for Problem {
    fn from(fatal: &Fatal) -> Problem {
        let problem = Problem::new(fatal.to_string());
        match fatal.help() {
            Some(help) => problem.with_help(help),
            None => problem,
        }
    }
}

impl Failure {
    /// What the user can do about it, when tweetform knows.
    pub(crate) fn help(&self) -> Option<&'static str> {
        match self {
            Failure::DuplicateOfOlder { .. } => Some("change the text, or delete the older tweet"),
            Failure::Duplicate { .. } => Some("change the text, or delete the other tweet"),
            Failure::NotConnected { .. } => {
                Some("check `--api-url` (or TWEETFORM_API_URL) and the network")
            }
            Failure::During { cause, .. } | Failure::Unsettled { cause, .. } => cause.help(),
            Failure::MediaNotRead { .. } | Failure::MediaChanged { .. } => {
                Some("run `tweetform plan` again, review it, then apply")
            }
            Failure::ProcessingFailed { .. } => Some(
                "check that the file plays, is H.264 video with AAC audio (for a video), and is within X's limits; then replace it",
            ),
            _ => None,
        }
    }
}

impl From<&Failure> for Problem {
    fn from(failure: &Failure) -> Problem {
        let problem = Problem::new(failure.to_string());
        match failure.help() {
            Some(help) => problem.with_help(help),
            None => problem,
        }
    }
}

/// Why a change that `apply` holds without `--allow-destroy` is destructive.
pub(crate) fn why_destructive(action: Action) -> &'static str {
    match action {
        Action::Delete => "its file is gone, so its tweets would be deleted",
        _ => "its content changed, so published tweets would be deleted and posted again",
    }
}

/// A request X refused for good. Bad credentials stop the whole apply.
pub(crate) fn refused(e: ApiError) -> Halt {
    match e {
        ApiError::Unauthorized { .. } => Halt::Fatal(Fatal::Unauthorized(e)),
        e => Halt::Failed(Failure::Refused(e)),
    }
}

/// [`refused`], naming what was being done when it is a failure.
pub(crate) fn refused_while(doing: Doing, e: ApiError) -> Halt {
    match refused(e) {
        Halt::Failed(cause) => Halt::Failed(Failure::During {
            doing,
            cause: Box::new(cause),
        }),
        other => other,
    }
}
