//! The requests X limits: which endpoint a request is for, which lane of
//! the budget it spends ([`RequestKind`]), and which of X's rate headers
//! report on it ([`Scope`]). Apart from the budget's arithmetic
//! ([`crate::budget`]) because every layer names these: the executor, the
//! state's record of X's reports, and the messages.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::{Limit, RateInfo};

/// What a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Create,
    Delete,
    /// The account, its timeline, tweets by ID.
    Read,
    /// Media: uploads, their segments, processing checks and alt text.
    Upload,
}

/// An endpoint X limits on its own: its headers describe its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    CreateTweet,
    DeleteTweet,
    Me,
    UserTweets,
    Lookup,
    MediaUpload,
    MediaInitialize,
    MediaAppend,
    MediaFinalize,
    MediaStatus,
    MediaMetadata,
    /// A repost: X counts it with the creates (the seed's 300 per 3 hours
    /// are shared with retweets).
    Repost,
    /// The undo of a repost. X's notes give it no window of its own here,
    /// so it spends the delete lane like the other removal.
    Unrepost,
}

impl Endpoint {
    const ALL: [Endpoint; 13] = [
        Endpoint::CreateTweet,
        Endpoint::DeleteTweet,
        Endpoint::Me,
        Endpoint::UserTweets,
        Endpoint::Lookup,
        Endpoint::MediaUpload,
        Endpoint::MediaInitialize,
        Endpoint::MediaAppend,
        Endpoint::MediaFinalize,
        Endpoint::MediaStatus,
        Endpoint::MediaMetadata,
        Endpoint::Repost,
        Endpoint::Unrepost,
    ];

    /// The budget lane it spends.
    pub fn kind(self) -> RequestKind {
        match self {
            Endpoint::CreateTweet | Endpoint::Repost => RequestKind::Create,
            Endpoint::DeleteTweet | Endpoint::Unrepost => RequestKind::Delete,
            Endpoint::Me | Endpoint::UserTweets | Endpoint::Lookup => RequestKind::Read,
            Endpoint::MediaUpload
            | Endpoint::MediaInitialize
            | Endpoint::MediaAppend
            | Endpoint::MediaFinalize
            | Endpoint::MediaStatus
            | Endpoint::MediaMetadata => RequestKind::Upload,
        }
    }

    /// As the state and messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::CreateTweet => "POST /2/tweets",
            Endpoint::DeleteTweet => "DELETE /2/tweets/:id",
            Endpoint::Me => "GET /2/users/me",
            Endpoint::UserTweets => "GET /2/users/:id/tweets",
            Endpoint::Lookup => "GET /2/tweets",
            Endpoint::MediaUpload => "POST /2/media/upload",
            Endpoint::MediaInitialize => "POST /2/media/upload/initialize",
            Endpoint::MediaAppend => "POST /2/media/upload/:id/append",
            Endpoint::MediaFinalize => "POST /2/media/upload/:id/finalize",
            Endpoint::MediaStatus => "GET /2/media/upload",
            Endpoint::MediaMetadata => "POST /2/media/metadata",
            Endpoint::Repost => "POST /2/users/:id/retweets",
            Endpoint::Unrepost => "DELETE /2/users/:id/retweets/:source_tweet_id",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// Which of X's limits a header set reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// `x-rate-limit-*`: the endpoint's window for this user.
    Window,
    /// `x-user-limit-24hour-*`: the account's daily cap.
    User24h,
    /// `x-app-limit-24hour-*`: the app's daily cap.
    App24h,
}

impl Scope {
    pub(crate) const ALL: [Scope; 3] = [Scope::Window, Scope::User24h, Scope::App24h];

    /// The headers' common prefix.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Scope::Window => "x-rate-limit",
            Scope::User24h => "x-user-limit-24hour",
            Scope::App24h => "x-app-limit-24hour",
        }
    }

    /// The `-remaining` header, for messages.
    pub(crate) fn remaining_header(self) -> &'static str {
        match self {
            Scope::Window => "x-rate-limit-remaining",
            Scope::User24h => "x-user-limit-24hour-remaining",
            Scope::App24h => "x-app-limit-24hour-remaining",
        }
    }

    pub(crate) fn of(self, rate: &RateInfo) -> Option<Limit> {
        match self {
            Scope::Window => rate.window,
            Scope::User24h => rate.user_24h,
            Scope::App24h => rate.app_24h,
        }
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestKind::Create => "create",
            RequestKind::Delete => "delete",
            RequestKind::Read => "read",
            RequestKind::Upload => "upload",
        })
    }
}
