//! The X API as the executor sees it: one small trait, so that tests can
//! swap the HTTP client for an in-process fake on a virtual clock.

use std::future::Future;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Rate-limit headers of one answer: `x-rate-limit-*` for the endpoint's
/// window, `x-user-limit-24hour-*` and `x-app-limit-24hour-*` where a daily
/// cap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RateInfo {
    pub window: Option<Limit>,
    pub user_24h: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_24h: Option<Limit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub limit: u32,
    pub remaining: u32,
    /// When the window ends (X sends Unix seconds).
    pub reset: Timestamp,
}

/// A tweet as X returns it from a lookup or a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteTweet {
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The URLs X found in the text (`tweet.fields=entities`): X's answer
    /// has each replaced by a t.co link, the original is `expanded_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Entities>,
    /// The tweet it replies to or quotes (`tweet.fields=referenced_tweets`).
    #[serde(
        default,
        alias = "referenced_posts",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) referenced_tweets: Option<Vec<Reference>>,
    /// Its media and poll (`tweet.fields=attachments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Attachments>,
    /// Who posted it (`tweet.fields=author_id`): an import adopts only
    /// the account's own tweets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) author_id: Option<String>,
    /// Every version's ID, oldest first, when it was edited on X: the last
    /// one is the tweet as it reads now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edit_history_tweet_ids: Vec<String>,
}

/// The authenticated account, with how many tweets it has posted
/// (`user.fields=public_metrics`), when X said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub tweet_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Entities {
    #[serde(default)]
    pub urls: Vec<UrlEntity>,
}

/// One URL of a tweet's text as X reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlEntity {
    /// The t.co link in X's text.
    #[serde(default)]
    pub url: Option<String>,
    /// The URL as sent.
    #[serde(default)]
    pub expanded_url: Option<String>,
    #[serde(default)]
    pub(crate) display_url: Option<String>,
    #[serde(default)]
    pub start: i64,
    #[serde(default)]
    pub end: i64,
    /// Set on the link X appends for attached media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) media_key: Option<String>,
}

/// `{"type": "replied_to" | "quoted" | "retweeted", "id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attachments {
    #[serde(default)]
    pub(crate) media_keys: Vec<String>,
    #[serde(default)]
    pub poll_ids: Vec<String>,
}

impl RemoteTweet {
    /// A tweet with only an ID and a text (a create's answer).
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        RemoteTweet {
            id: id.into(),
            text: text.into(),
            created_at: None,
            entities: None,
            referenced_tweets: None,
            attachments: None,
            author_id: None,
            edit_history_tweet_ids: Vec::new(),
        }
    }

    /// The ID of the tweet it references as `kind` (`replied_to`, `quoted`).
    pub fn referenced(&self, kind: &str) -> Option<&str> {
        self.referenced_tweets
            .iter()
            .flatten()
            .find(|r| r.kind == kind)
            .map(|r| r.id.as_str())
    }
}

/// An upload as X describes it: after the one-request upload, the
/// chunked upload's initialize and finalize, and a status check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Upload {
    /// The media ID a tweet names.
    pub id: String,
    /// What X's tweets list in `attachments.media_keys`.
    #[serde(default)]
    pub media_key: Option<String>,
    /// How long X keeps it for a tweet.
    #[serde(default)]
    pub expires_after_secs: Option<u64>,
    /// For GIFs and videos, which X processes before a tweet may use them;
    /// absent when the media is ready.
    #[serde(default)]
    pub processing_info: Option<Processing>,
}

/// `processing_info`: where X is with a GIF or a video.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Processing {
    /// `pending`, `in_progress`, `succeeded` or `failed`.
    #[serde(default)]
    pub state: String,
    /// Wait this long before asking again.
    #[serde(default)]
    pub check_after_secs: Option<u64>,
    #[serde(default)]
    pub progress_percent: Option<u32>,
    /// X's reason, when `failed`.
    #[serde(default)]
    pub error: Option<ProcessingError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ProcessingError {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl Upload {
    /// Ready for a tweet: no processing, or processing done.
    pub fn is_ready(&self) -> bool {
        self.processing_info
            .as_ref()
            .is_none_or(|p| p.state == "succeeded")
    }

    /// X's reason for a failed processing, or `None` when it has not failed.
    pub fn failure(&self) -> Option<String> {
        let p = self
            .processing_info
            .as_ref()
            .filter(|p| p.state == "failed")?;
        let e = p.error.clone().unwrap_or_default();
        Some(
            [e.name, e.message]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
        )
        .map(|s| {
            if s.is_empty() {
                "processing failed".to_owned()
            } else {
                s
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<T> {
    pub value: T,
    pub rate: RateInfo,
    /// X's clock when it answered (its `date` header): how far this
    /// machine's clock is from X's, which `created_at` is in.
    pub date: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 429. `rate.window`/`rate.user_24h` say when it resets.
    #[error("rate limited by X (429 Too Many Requests)")]
    RateLimited { rate: RateInfo },
    /// 403 "You are not allowed to create a Tweet with duplicate content."
    #[error("X refused a duplicate: {detail}")]
    Duplicate { detail: String },
    #[error("not found (404): {detail}")]
    NotFound { detail: String },
    /// 401: bad or missing credentials. Never carries the credentials.
    #[error("X rejected the credentials (401 Unauthorized): {detail}")]
    Unauthorized { detail: String },
    /// Any other 4xx: not retried. `detail` is X's own.
    #[error("X refused the request ({status} {title}): {detail}")]
    Client {
        status: u16,
        title: String,
        detail: String,
    },
    /// 5xx: retried with backoff.
    #[error("X failed ({status}): {detail}")]
    Server { status: u16, detail: String },
    /// Connection refused, reset, timed out: the request may or may not have
    /// reached X. Retried, and a create is settled through its intent.
    #[error("network error: {0}")]
    Network(String),
    /// No connection could be made (DNS, refused, TLS handshake): the
    /// request is known not to have reached X. Not retried.
    #[error("could not connect to X: {0}")]
    Connect(String),
}

impl ApiError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::Server { .. } | ApiError::Network(_))
    }
}

pub(crate) type ApiResult<T> = Result<Response<T>, (ApiError, RateInfo)>;

/// The endpoints a publisher needs. Implemented by the reqwest client
/// ([`crate::client::XClient`]) and by the in-process fake used in tests.
pub trait XApi: Send + Sync {
    /// `POST /2/tweets` with a body from [`crate::post::Tweet::request_body`].
    fn create_tweet(
        &self,
        body: &serde_json::Value,
    ) -> impl Future<Output = ApiResult<RemoteTweet>> + Send;

    /// `DELETE /2/tweets/:id`; `Ok(false)` when X says `deleted: false`.
    fn delete_tweet(&self, id: &str) -> impl Future<Output = ApiResult<bool>> + Send;

    /// `POST /2/users/:id/retweets` with `{"tweet_id"}`: reposts someone's
    /// tweet as the account `user_id`; `Ok(true)` when X says `retweeted`.
    fn repost(&self, user_id: &str, tweet_id: &str)
    -> impl Future<Output = ApiResult<bool>> + Send;

    /// `DELETE /2/users/:id/retweets/:source_tweet_id`: undoes a repost;
    /// `Ok(false)` when X says `retweeted: false` (no longer reposted).
    fn unrepost(
        &self,
        user_id: &str,
        tweet_id: &str,
    ) -> impl Future<Output = ApiResult<bool>> + Send;

    /// `GET /2/users/me`: the authenticated account's user ID.
    fn me(&self) -> impl Future<Output = ApiResult<String>> + Send;

    /// `GET /2/users/:id/tweets` with `start_time` and
    /// `tweet.fields=created_at,entities,referenced_tweets,attachments`,
    /// newest first, every page. The answer's `date` is the last page's.
    fn user_tweets(
        &self,
        user_id: &str,
        since: Timestamp,
    ) -> impl Future<Output = ApiResult<Vec<RemoteTweet>>> + Send;

    /// `GET /2/users/me?user.fields=public_metrics`: the account and how
    /// many tweets it has (what reading them all will cost).
    fn account(&self) -> impl Future<Output = ApiResult<Account>> + Send {
        async {
            self.me().await.map(|r| Response {
                value: Account {
                    id: r.value,
                    tweet_count: None,
                },
                rate: r.rate,
                date: r.date,
            })
        }
    }

    /// `GET /2/users/:id/tweets` from `since` (or the oldest X serves),
    /// newest first, paged until `limit` tweets (or the end).
    fn timeline(
        &self,
        user_id: &str,
        since: Option<Timestamp>,
        limit: Option<usize>,
    ) -> impl Future<Output = ApiResult<Vec<RemoteTweet>>> + Send {
        async move {
            let since = since.unwrap_or(Timestamp::UNIX_EPOCH);
            self.user_tweets(user_id, since).await.map(|mut r| {
                if let Some(n) = limit {
                    r.value.truncate(n);
                }
                r
            })
        }
    }

    /// The account the credentials act for, when it can be told without a
    /// request (X's access tokens start with the user ID).
    fn account_hint(&self) -> Option<String> {
        None
    }

    /// `GET /2/tweets?ids=`: which of these tweets still exist.
    fn lookup(&self, ids: &[String]) -> impl Future<Output = ApiResult<Vec<RemoteTweet>>> + Send;

    /// `POST /2/media/upload`: a whole file in one request (images).
    fn upload_media(
        &self,
        category: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = ApiResult<Upload>> + Send;

    /// `POST /2/media/upload/initialize`: opens a chunked upload.
    fn initialize_upload(
        &self,
        media_type: &str,
        category: &str,
        total_bytes: u64,
    ) -> impl Future<Output = ApiResult<Upload>> + Send;

    /// `POST /2/media/upload/:id/append`: one segment, in order from 0.
    fn append_upload(
        &self,
        id: &str,
        segment: u32,
        bytes: Vec<u8>,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// `POST /2/media/upload/:id/finalize`: closes a chunked upload.
    fn finalize_upload(&self, id: &str) -> impl Future<Output = ApiResult<Upload>> + Send;

    /// `GET /2/media/upload?command=STATUS`: how processing goes.
    fn upload_status(&self, id: &str) -> impl Future<Output = ApiResult<Upload>> + Send;

    /// `POST /2/media/metadata`: the media's alt text.
    fn set_alt_text(&self, id: &str, text: &str) -> impl Future<Output = ApiResult<()>> + Send;
}
