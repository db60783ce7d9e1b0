//! Which endpoint a request is for: the fake's routing table.
//!
//! Its own file because every part of the fake keys on [`Endpoint`] (the
//! rate windows, the planned faults, the answers' headers), while only the
//! state machine routes: with the enum here, those parts depend on the
//! routing table and not on the state machine that uses them.

use std::fmt;

use crate::signature;

/// The endpoints the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    CreateTweet,
    DeleteTweet,
    GetTweet,
    LookupTweets,
    Me,
    UserTweets,
    /// `POST /2/media/upload`: a whole file in one request.
    MediaUpload,
    /// `GET /2/media/upload?command=STATUS`.
    MediaStatus,
    MediaInitialize,
    MediaAppend,
    MediaFinalize,
    /// `POST /2/media/metadata`: alt text.
    MediaMetadata,
    /// `POST /2/users/:id/retweets`.
    Repost,
    /// `DELETE /2/users/:id/retweets/:source_tweet_id`.
    Unrepost,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::CreateTweet => "POST /2/tweets",
            Endpoint::DeleteTweet => "DELETE /2/tweets/:id",
            Endpoint::GetTweet => "GET /2/tweets/:id",
            Endpoint::LookupTweets => "GET /2/tweets",
            Endpoint::Me => "GET /2/users/me",
            Endpoint::UserTweets => "GET /2/users/:id/tweets",
            Endpoint::MediaUpload => "POST /2/media/upload",
            Endpoint::MediaStatus => "GET /2/media/upload",
            Endpoint::MediaInitialize => "POST /2/media/upload/initialize",
            Endpoint::MediaAppend => "POST /2/media/upload/:id/append",
            Endpoint::MediaFinalize => "POST /2/media/upload/:id/finalize",
            Endpoint::MediaMetadata => "POST /2/media/metadata",
            Endpoint::Repost => "POST /2/users/:id/retweets",
            Endpoint::Unrepost => "DELETE /2/users/:id/retweets/:source_tweet_id",
        })
    }
}

/// The endpoint `method` and `path` (from `/2/` on, without the query)
/// ask for, and the ID the path carries, percent-decoded (for an undone
/// repost, `USER/SOURCE`: both IDs, which `/` cannot be part of).
pub(crate) fn route(method: &str, path: &str) -> Option<(Endpoint, Option<String>)> {
    let rest = path.strip_prefix("/2/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let decoded = |s: &str| signature::decode(s, false);
    match (method, parts.as_slice()) {
        ("POST", ["tweets"]) => Some((Endpoint::CreateTweet, None)),
        ("GET", ["tweets"]) => Some((Endpoint::LookupTweets, None)),
        ("DELETE", ["tweets", id]) => Some((Endpoint::DeleteTweet, Some(decoded(id)))),
        ("GET", ["tweets", id]) => Some((Endpoint::GetTweet, Some(decoded(id)))),
        ("GET", ["users", "me"]) => Some((Endpoint::Me, None)),
        ("GET", ["users", id, "tweets"]) => Some((Endpoint::UserTweets, Some(decoded(id)))),
        ("POST", ["users", id, "retweets"]) => Some((Endpoint::Repost, Some(decoded(id)))),
        ("DELETE", ["users", id, "retweets", source]) => Some((
            Endpoint::Unrepost,
            Some(format!("{}/{}", decoded(id), decoded(source))),
        )),
        ("POST", ["media", "upload"]) => Some((Endpoint::MediaUpload, None)),
        ("GET", ["media", "upload"]) => Some((Endpoint::MediaStatus, None)),
        ("POST", ["media", "upload", "initialize"]) => Some((Endpoint::MediaInitialize, None)),
        ("POST", ["media", "upload", id, "append"]) => {
            Some((Endpoint::MediaAppend, Some(decoded(id))))
        }
        ("POST", ["media", "upload", id, "finalize"]) => {
            Some((Endpoint::MediaFinalize, Some(decoded(id))))
        }
        ("POST", ["media", "metadata"]) => Some((Endpoint::MediaMetadata, None)),
        _ => None,
    }
}
