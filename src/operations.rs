//! The X API operations, written once over a small [`Transport`] seam.
//!
//! Request building (paths, query parameters, pagination, batching) lives
//! here, and answer reading in [`crate::x_answer`], apart from any HTTP
//! library, so that the reqwest client
//! ([`crate::client::XClient`]) and the in-process emulator
//! (`crate::emulator_transport::InProcess`) go through exactly the same code:
//! what the executor's virtual-clock tests exercise is what talks to X.

use std::future::Future;

use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::api::{Account, ApiError, ApiResult, RateInfo, RemoteTweet, Response};
pub(crate) use crate::x_answer::{Data, call, date_of, error_from, rate_info, unreadable};

/// One request as the operations build it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    pub method: Method,
    /// From the API root, starting with `/`: `/2/tweets`. Path segments
    /// taken from input are already percent-encoded.
    pub path: String,
    pub(crate) query: Vec<(String, String)>,
    /// A JSON body, or the body of `content_type`.
    pub body: Option<Vec<u8>>,
    /// `None` for JSON.
    pub(crate) content_type: Option<String>,
}

impl RawRequest {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        RawRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            content_type: None,
        }
    }

    pub(crate) fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(serde_json::to_vec(body).expect("a JSON value always serialises"));
        self
    }

    pub(crate) fn form(mut self, parts: &[(&str, crate::multipart::Part<'_>)]) -> Self {
        let (content_type, body) = crate::multipart::form(parts);
        self.body = Some(body);
        self.content_type = Some(content_type);
        self
    }

    /// The `Content-Type` of the body, if there is one.
    pub(crate) fn body_type(&self) -> Option<&str> {
        self.body
            .as_ref()
            .map(|_| self.content_type.as_deref().unwrap_or("application/json"))
    }

    pub(crate) fn query(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_owned(), v.into()));
        self
    }

    /// The query string as sent on the wire (sorted, RFC 3986 encoded), or
    /// `None` without parameters.
    #[cfg(any(test, feature = "emulator"))]
    pub(crate) fn encoded_query(&self) -> Option<String> {
        if self.query.is_empty() {
            return None;
        }
        let with = crate::oauth::url_with_query("", &self.query);
        Some(with.trim_start_matches('?').to_owned())
    }
}

/// One answer: status, headers, raw body.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Sends a request and returns the answer, or [`ApiError::Network`] when no
/// complete answer came back.
pub(crate) trait Transport: Send + Sync {
    fn send(&self, req: RawRequest) -> impl Future<Output = Result<RawResponse, ApiError>> + Send;

    /// See [`crate::api::XApi::account_hint`].
    fn account_hint(&self) -> Option<String> {
        None
    }
}

/// Both transports (this HTTP client and the emulator's in-process one)
/// answer the API through the same request building and answer parsing in
/// this module, so that what the executor's virtual-clock tests exercise is
/// what talks to X.
macro_rules! xapi_over_transport {
    ($ty:ty) => {
        impl $crate::api::XApi for $ty {
            fn create_tweet(
                &self,
                body: &serde_json::Value,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::RemoteTweet>> + Send {
                $crate::operations::create_tweet(self, body)
            }

            fn delete_tweet(
                &self,
                id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<bool>> + Send {
                $crate::operations::delete_tweet(self, id)
            }

            fn account_hint(&self) -> Option<String> {
                $crate::operations::Transport::account_hint(self)
            }

            fn repost(
                &self,
                user_id: &str,
                tweet_id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<bool>> + Send {
                $crate::operations::repost(self, user_id, tweet_id)
            }

            fn unrepost(
                &self,
                user_id: &str,
                tweet_id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<bool>> + Send {
                $crate::operations::unrepost(self, user_id, tweet_id)
            }

            fn me(&self) -> impl std::future::Future<Output = $crate::api::ApiResult<String>> + Send {
                $crate::operations::me(self)
            }

            fn user_tweets(
                &self,
                user_id: &str,
                since: jiff::Timestamp,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<Vec<$crate::api::RemoteTweet>>> + Send {
                $crate::operations::user_tweets(self, user_id, since)
            }

            fn account(
                &self,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::Account>> + Send {
                $crate::operations::account(self)
            }

            fn timeline(
                &self,
                user_id: &str,
                since: Option<jiff::Timestamp>,
                limit: Option<usize>,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<Vec<$crate::api::RemoteTweet>>> + Send {
                $crate::operations::timeline(self, user_id, since, limit)
            }

            fn lookup(
                &self,
                ids: &[String],
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<Vec<$crate::api::RemoteTweet>>> + Send {
                $crate::operations::lookup(self, ids)
            }

            fn upload_media(
                &self,
                category: &str,
                bytes: Vec<u8>,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::Upload>> + Send {
                $crate::media_operations::upload_media(self, category, bytes)
            }

            fn initialize_upload(
                &self,
                media_type: &str,
                category: &str,
                total_bytes: u64,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::Upload>> + Send {
                $crate::media_operations::initialize_upload(self, media_type, category, total_bytes)
            }

            fn append_upload(
                &self,
                id: &str,
                segment: u32,
                bytes: Vec<u8>,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<()>> + Send {
                $crate::media_operations::append_upload(self, id, segment, bytes)
            }

            fn finalize_upload(
                &self,
                id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::Upload>> + Send {
                $crate::media_operations::finalize_upload(self, id)
            }

            fn upload_status(
                &self,
                id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::Upload>> + Send {
                $crate::media_operations::upload_status(self, id)
            }

            fn set_alt_text(
                &self,
                id: &str,
                text: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<()>> + Send {
                $crate::media_operations::set_alt_text(self, id, text)
            }
        }
    };
}
pub(crate) use xapi_over_transport;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<RemoteTweet>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Meta {
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    text: String,
}

#[derive(Deserialize)]
struct Deleted {
    deleted: bool,
}

#[derive(Deserialize)]
struct Retweeted {
    retweeted: bool,
}

#[derive(Deserialize)]
struct Me {
    id: String,
    #[serde(default)]
    public_metrics: Option<PublicMetrics>,
}

#[derive(Deserialize)]
struct PublicMetrics {
    #[serde(default)]
    tweet_count: Option<u64>,
}

/// A path segment from input: percent-encode anything but unreserved
/// characters, so an ID can never change the path.
pub(crate) fn segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// `start_time` as X wants it: `YYYY-MM-DDTHH:MM:SSZ`, floored to the second.
pub(crate) fn x_time(t: Timestamp) -> String {
    let floored = Timestamp::from_second(t.as_second()).unwrap_or(t);
    let floored = if floored > t {
        floored
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .unwrap_or(floored)
    } else {
        floored
    };
    floored.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) async fn create_tweet<T: Transport>(
    t: &T,
    body: &serde_json::Value,
) -> ApiResult<RemoteTweet> {
    let mut req = RawRequest::new(Method::POST, "/2/tweets");
    req.body = Some(serde_json::to_vec(body).expect("a JSON value always serialises"));
    let (json, status, rate, date) = call(t, req).await?;
    let created: Data<Created> =
        serde_json::from_value(json).map_err(|e| (unreadable(status, "tweet", e), rate))?;
    Ok(Response {
        value: RemoteTweet::new(created.data.id, created.data.text),
        rate,
        date,
    })
}

pub(crate) async fn delete_tweet<T: Transport>(t: &T, id: &str) -> ApiResult<bool> {
    let req = RawRequest::new(Method::DELETE, format!("/2/tweets/{}", segment(id)));
    let (json, status, rate, date) = call(t, req).await?;
    let deleted: Data<Deleted> = serde_json::from_value(json)
        .map_err(|e| (unreadable(status, "`deleted` flag", e), rate))?;
    Ok(Response {
        value: deleted.data.deleted,
        rate,
        date,
    })
}

pub(crate) async fn repost<T: Transport>(t: &T, user_id: &str, tweet_id: &str) -> ApiResult<bool> {
    let path = format!("/2/users/{}/retweets", segment(user_id));
    let req =
        RawRequest::new(Method::POST, path).json(&serde_json::json!({ "tweet_id": tweet_id }));
    retweeted(t, req).await
}

pub(crate) async fn unrepost<T: Transport>(
    t: &T,
    user_id: &str,
    tweet_id: &str,
) -> ApiResult<bool> {
    let path = format!(
        "/2/users/{}/retweets/{}",
        segment(user_id),
        segment(tweet_id)
    );
    retweeted(t, RawRequest::new(Method::DELETE, path)).await
}

/// Sends a repost or its undo and reads X's `retweeted` flag.
async fn retweeted<T: Transport>(t: &T, req: RawRequest) -> ApiResult<bool> {
    let (json, status, rate, date) = call(t, req).await?;
    let answer: Data<Retweeted> = serde_json::from_value(json)
        .map_err(|e| (unreadable(status, "`retweeted` flag", e), rate))?;
    Ok(Response {
        value: answer.data.retweeted,
        rate,
        date,
    })
}

pub(crate) async fn me<T: Transport>(t: &T) -> ApiResult<String> {
    let req = RawRequest::new(Method::GET, "/2/users/me");
    let (json, status, rate, date) = call(t, req).await?;
    let me: Data<Me> =
        serde_json::from_value(json).map_err(|e| (unreadable(status, "user", e), rate))?;
    Ok(Response {
        value: me.data.id,
        rate,
        date,
    })
}

/// `GET /2/users/me` with the account's counts.
pub(crate) async fn account<T: Transport>(t: &T) -> ApiResult<Account> {
    let req = RawRequest::new(Method::GET, "/2/users/me").query("user.fields", "public_metrics");
    let (json, status, rate, date) = call(t, req).await?;
    let me: Data<Me> =
        serde_json::from_value(json).map_err(|e| (unreadable(status, "user", e), rate))?;
    Ok(Response {
        value: Account {
            id: me.data.id,
            tweet_count: me.data.public_metrics.and_then(|m| m.tweet_count),
        },
        rate,
        date,
    })
}

/// What recovery and import compare a tweet on: its time, its URLs as
/// sent, what it replies to or quotes, its media and poll, its author.
pub(crate) const TWEET_FIELDS: &str = "created_at,entities,referenced_tweets,attachments,author_id";

/// What a lookup asks besides [`TWEET_FIELDS`]: the versions of an edited
/// tweet, which `--refresh` follows to the newest.
pub(crate) const LOOKUP_FIELDS: &str =
    "created_at,entities,referenced_tweets,attachments,edit_history_tweet_ids";

/// At most this many pages (X serves a timeline's latest 3,200 tweets,
/// 32 pages of 100): a guard against a server that never stops paging.
const MAX_PAGES: usize = 100;

pub(crate) async fn user_tweets<T: Transport>(
    t: &T,
    user_id: &str,
    since: Timestamp,
) -> ApiResult<Vec<RemoteTweet>> {
    timeline(t, user_id, Some(since), None).await
}

/// The account's tweets from `since` (else as far back as X serves),
/// newest first, until `limit` of them.
pub(crate) async fn timeline<T: Transport>(
    t: &T,
    user_id: &str,
    since: Option<Timestamp>,
    limit: Option<usize>,
) -> ApiResult<Vec<RemoteTweet>> {
    let mut tweets: Vec<RemoteTweet> = Vec::new();
    let mut token: Option<String> = None;
    let mut rate;
    let mut date;
    let mut pages = 0;
    loop {
        // X asks for 5 to 100 a page: no more than the limit needs.
        let wanted = limit.map_or(100, |n| n.saturating_sub(tweets.len()).clamp(5, 100));
        let mut req = RawRequest::new(Method::GET, format!("/2/users/{}/tweets", segment(user_id)));
        if let Some(since) = since {
            req = req.query("start_time", x_time(since));
        }
        req = req
            .query("tweet.fields", TWEET_FIELDS)
            .query("max_results", wanted.to_string());
        if let Some(tok) = &token {
            req = req.query("pagination_token", tok.clone());
        }
        let (json, status, r, d) = call(t, req).await?;
        rate = r;
        date = d;
        let page: Page = serde_json::from_value(json)
            .map_err(|e| (unreadable(status, "timeline page", e), rate))?;
        tweets.extend(page.data);
        pages += 1;
        if let Some(n) = limit
            && tweets.len() >= n
        {
            tweets.truncate(n);
            break;
        }
        match page.meta.next_token {
            Some(next) if Some(&next) != token.as_ref() && !next.is_empty() => {
                if pages >= MAX_PAGES {
                    return Err((
                        ApiError::Server {
                            status,
                            detail: format!("the timeline did not end after {MAX_PAGES} pages"),
                        },
                        rate,
                    ));
                }
                token = Some(next);
            }
            _ => break,
        }
    }
    Ok(Response {
        value: tweets,
        rate,
        date,
    })
}

/// X looks up at most 100 IDs per request.
pub(crate) const LOOKUP_BATCH: usize = 100;

pub(crate) async fn lookup<T: Transport>(t: &T, ids: &[String]) -> ApiResult<Vec<RemoteTweet>> {
    let mut found = Vec::new();
    let mut rate = RateInfo::default();
    let mut date = None;
    for batch in ids.chunks(LOOKUP_BATCH) {
        let req = RawRequest::new(Method::GET, "/2/tweets")
            .query("ids", batch.join(","))
            .query("tweet.fields", LOOKUP_FIELDS);
        let (json, status, r, d) = call(t, req).await?;
        rate = r;
        date = d;
        // Missing tweets come back under `errors`; `data` is left out
        // when none is found.
        let page: Page =
            serde_json::from_value(json).map_err(|e| (unreadable(status, "tweets", e), rate))?;
        found.extend(page.data);
    }
    Ok(Response {
        value: found,
        rate,
        date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Limit;
    use crate::oauth::authorization_header;
    use reqwest::header::HeaderValue;

    /// The client's signature (oauth1-request) checked by the emulator's
    /// hand-written verifier: query parameters with reserved characters, and
    /// a non-default port that must be part of the signed URL.
    #[test]
    fn emulator_verifies_client_signatures() {
        use tweetform_emulator::signature::{AcceptedKeys, AuthFailure, Verifier, parse_query};
        let creds = crate::credentials::documented_example();
        let keys = AcceptedKeys {
            consumer_key: creds.consumer_key.clone(),
            consumer_secret: creds.consumer_secret.clone(),
            token: creds.access_token.clone(),
            token_secret: creds.access_token_secret.clone(),
        };
        let req = RawRequest::new(Method::GET, "/2/tweets")
            .query("ids", "1,2,3")
            .query("odd", "a b+c:é/~*'()!")
            .query("tweet.fields", "created_at");
        let url = "http://127.0.0.1:8080/2/tweets";
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let header = authorization_header(
            &req.method,
            url,
            &req.query,
            &creds,
            Some(("nonce-1", 1_800_000_000)),
        );
        let sent = parse_query(&req.encoded_query().unwrap());
        let verify =
            |url: &str| Verifier::default().verify("GET", url, &sent, Some(&header), &keys, now);
        assert_eq!(verify(url), Ok(()));
        assert_eq!(
            verify("http://127.0.0.1/2/tweets"),
            Err(AuthFailure::BadSignature)
        );
        assert_eq!(
            verify("http://127.0.0.1:8081/2/tweets"),
            Err(AuthFailure::BadSignature)
        );
    }

    #[test]
    fn signed_query_matches_sent_query() {
        let req = RawRequest::new(Method::GET, "/2/users/1/tweets")
            .query("tweet.fields", "created_at")
            .query("start_time", "2026-01-01T00:00:00Z")
            .query("max_results", "100");
        assert_eq!(
            req.encoded_query().unwrap(),
            "max_results=100&start_time=2026-01-01T00%3A00%3A00Z&tweet.fields=created_at"
        );
    }

    #[test]
    fn errors_map_from_x_problems() {
        let rate = RateInfo::default();
        let dup = br#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#;
        assert!(matches!(
            error_from(403, dup, rate),
            ApiError::Duplicate { .. }
        ));
        let forbidden = br#"{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}"#;
        assert_eq!(
            error_from(403, forbidden, rate),
            ApiError::Client {
                status: 403,
                title: "Forbidden".into(),
                detail: "You are not permitted to perform this action.".into()
            }
        );
        let invalid = br#"{"errors":[{"parameters":{"foo":["x"]},"message":"The query parameter [foo] is not one of [ids]"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#;
        assert_eq!(
            error_from(400, invalid, rate),
            ApiError::Client {
                status: 400,
                title: "Invalid Request".into(),
                detail: "The query parameter [foo] is not one of [ids]".into()
            }
        );
        assert!(matches!(
            error_from(401, b"", rate),
            ApiError::Unauthorized { .. }
        ));
        assert!(matches!(
            error_from(404, b"{}", rate),
            ApiError::NotFound { .. }
        ));
        assert_eq!(
            error_from(502, b"<html>Bad gateway</html>", rate),
            ApiError::Server {
                status: 502,
                detail: "<html>Bad gateway</html>".into()
            }
        );
        assert!(matches!(
            error_from(429, b"", rate),
            ApiError::RateLimited { .. }
        ));
    }

    #[test]
    fn rate_headers_are_read() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from_static("200"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1767225600"));
        h.insert("x-user-limit-24hour-limit", HeaderValue::from_static("17"));
        h.insert(
            "x-user-limit-24hour-remaining",
            HeaderValue::from_static("3"),
        );
        h.insert(
            "x-user-limit-24hour-reset",
            HeaderValue::from_static("1767312000"),
        );
        let r = rate_info(&h);
        assert_eq!(
            r.window,
            Some(Limit {
                limit: 200,
                remaining: 0,
                reset: "2026-01-01T00:00:00Z".parse().unwrap()
            })
        );
        assert_eq!(r.user_24h.unwrap().remaining, 3);
        assert_eq!(r.app_24h, None);
        h.insert(
            "x-app-limit-24hour-limit",
            HeaderValue::from_static("10000"),
        );
        h.insert(
            "x-app-limit-24hour-remaining",
            HeaderValue::from_static("0"),
        );
        h.insert(
            "x-app-limit-24hour-reset",
            HeaderValue::from_static("1767312000"),
        );
        assert_eq!(rate_info(&h).app_24h.unwrap().limit, 10000);
        h.insert("x-rate-limit-reset", HeaderValue::from_static("soon"));
        assert_eq!(rate_info(&h).window, None);
    }

    #[test]
    fn x_time_floors_to_seconds() {
        let t: Timestamp = "2026-03-04T05:06:07.999Z".parse().unwrap();
        assert_eq!(x_time(t), "2026-03-04T05:06:07Z");
    }
}
