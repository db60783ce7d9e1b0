//! The X API over HTTP: reqwest with rustls, OAuth 1.0a user context.
//!
//! The request building (paths, query parameters, pagination, batching) and
//! the answer reading (rate headers, problem+json errors) live in [`ops`],
//! written against a small [`Transport`] so that the in-process emulator
//! (`crate::emulator_transport::InProcess`) goes through exactly the same code
//! without a socket. [`XClient`] is the transport that signs and sends.

use std::fmt;
use std::future::Future;
use std::num::NonZeroU64;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Url};

use crate::api::{ApiError, ApiResult, Limit, RateInfo, RemoteTweet, Response};
use crate::problem::Problem;

/// X's production API.
pub const DEFAULT_API_URL: &str = "https://api.x.com";

const USER_AGENT: &str = concat!("tweetform/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------
// Credentials

/// The four OAuth 1.0a user-context secrets of an X app and account.
///
/// `Debug` never prints them, and no error of this crate carries them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub access_token: String,
    pub access_token_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &"<redacted>")
            .field("consumer_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("access_token_secret", &"<redacted>")
            .finish()
    }
}

/// Each credential under its name and the name twitter-together used.
pub const CREDENTIAL_VARIABLES: [(&str, &str); 4] = [
    ("X_API_KEY", "TWITTER_API_KEY"),
    ("X_API_SECRET", "TWITTER_API_SECRET_KEY"),
    ("X_ACCESS_TOKEN", "TWITTER_ACCESS_TOKEN"),
    ("X_ACCESS_TOKEN_SECRET", "TWITTER_ACCESS_TOKEN_SECRET"),
];

/// Some credentials are not set. Names the variables, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MissingCredentials {
    /// `(name, twitter-together's name)` of every missing credential.
    pub missing: Vec<(&'static str, &'static str)>,
}

impl fmt::Display for MissingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .missing
            .iter()
            .map(|(x, tw)| format!("{x} (or {tw})"))
            .collect();
        write!(
            f,
            "missing X API credentials: {} {} not set or empty",
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" },
        )
    }
}

impl From<MissingCredentials> for Problem {
    fn from(e: MissingCredentials) -> Problem {
        Problem::new(e.to_string()).with_help(
            "create them in the X developer portal (your app's \"Keys and tokens\", \
             with Read and Write permissions) and pass them as environment variables; \
             in GitHub Actions, store them as repository secrets and map them in the \
             workflow's `env:` (for example `X_API_KEY: ${{ secrets.X_API_KEY }}`)",
        )
    }
}

impl Credentials {
    pub fn new(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Self {
        Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            access_token: access_token.into(),
            access_token_secret: access_token_secret.into(),
        }
    }

    /// Reads the credentials from the process environment.
    pub fn from_env() -> Result<Self, MissingCredentials> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the credentials through `lookup` (an environment). Each one is
    /// taken from its `X_*` name, else from twitter-together's `TWITTER_*`
    /// name. Surrounding whitespace is trimmed (a pasted secret often ends
    /// with a newline); an empty value counts as missing, since GitHub
    /// Actions expands an undefined secret to the empty string.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, MissingCredentials> {
        let mut values: Vec<String> = Vec::with_capacity(4);
        let mut missing = Vec::new();
        for (x, tw) in CREDENTIAL_VARIABLES {
            let get = |name: &str| {
                lookup(name)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            match get(x).or_else(|| get(tw)) {
                Some(v) => values.push(v),
                None => {
                    missing.push((x, tw));
                    values.push(String::new());
                }
            }
        }
        if !missing.is_empty() {
            return Err(MissingCredentials { missing });
        }
        let mut it = values.into_iter();
        let mut next = || it.next().unwrap_or_default();
        Ok(Credentials::new(next(), next(), next(), next()))
    }
}

// ---------------------------------------------------------------------------
// OAuth 1.0a signing (the client side; the emulator verifies independently)

/// The `Authorization` header for a request. `url` is the normalised base
/// URL (scheme, host, non-default port, path; no query); `params` are the
/// query parameters. A JSON body is not signed. `fixed` pins the nonce and
/// timestamp, for reproducible tests.
pub(crate) fn authorization_header(
    method: &Method,
    url: &str,
    params: &[(String, String)],
    creds: &Credentials,
    fixed: Option<(&str, u64)>,
) -> String {
    let token = oauth1_request::Token::from_parts(
        creds.consumer_key.as_str(),
        creds.consumer_secret.as_str(),
        creds.access_token.as_str(),
        creds.access_token_secret.as_str(),
    );
    let mut builder = oauth1_request::Builder::with_token(token, oauth1_request::HMAC_SHA1);
    builder.version(true);
    if let Some((nonce, timestamp)) = fixed {
        builder.nonce(nonce).timestamp(NonZeroU64::new(timestamp));
    }
    let request = oauth1_request::ParameterList::new(
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    builder.authorize(method.as_str(), url, &request)
}

/// `url?k=v&…` with the parameters sorted and percent-encoded exactly as
/// they were signed.
fn url_with_query(url: &str, params: &[(String, String)]) -> String {
    let request = oauth1_request::ParameterList::new(
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    oauth1_request::to_query(url.to_owned(), &request)
}

// ---------------------------------------------------------------------------
// Transport: what ops need from HTTP

/// One request as [`ops`] builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    pub method: Method,
    /// From the API root, starting with `/`: `/2/tweets`. Path segments
    /// taken from input are already percent-encoded.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
}

impl RawRequest {
    fn new(method: Method, path: impl Into<String>) -> Self {
        RawRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    fn query(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_owned(), v.into()));
        self
    }

    /// The query string as sent on the wire (sorted, RFC 3986 encoded), or
    /// `None` without parameters.
    #[cfg(any(test, feature = "emulator"))]
    pub fn encoded_query(&self) -> Option<String> {
        if self.query.is_empty() {
            return None;
        }
        let with = url_with_query("", &self.query);
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

// ---------------------------------------------------------------------------
// The HTTP client

/// `XClient::new` failed: the base URL is unusable, or TLS could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("invalid X API URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot start the HTTP client: {0}")]
    Http(String),
}

/// The X API over HTTPS (or HTTP, for the emulator), signed with OAuth 1.0a.
#[derive(Clone)]
pub struct XClient {
    http: reqwest::Client,
    /// Normalised, without a trailing slash: `https://api.x.com`,
    /// `http://127.0.0.1:8080`.
    base: String,
    creds: Credentials,
    request_timeout: Duration,
}

impl fmt::Debug for XClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XClient")
            .field("base", &self.base)
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

/// Lower-cases scheme and host, drops a default port, keeps a path prefix,
/// strips the trailing slash. Rejects a query, a fragment, user info and
/// schemes other than http(s).
pub(crate) fn normalise_base_url(raw: &str) -> Result<String, ClientError> {
    let invalid = |reason: &str| ClientError::InvalidUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry user information"));
    }
    // `Url` already lower-cases the scheme and host and drops a default port.
    let mut s = String::new();
    s.push_str(url.scheme());
    s.push_str("://");
    s.push_str(url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        s.push(':');
        s.push_str(&port.to_string());
    }
    s.push_str(url.path().trim_end_matches('/'));
    Ok(s)
}

impl XClient {
    /// A client for the API at `base_url` (`https://api.x.com`, or the
    /// emulator's `http://127.0.0.1:8080`).
    pub fn new(base_url: &str, creds: Credentials) -> Result<XClient, ClientError> {
        let base = normalise_base_url(base_url)?;
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            // X does not redirect API calls; a redirect would drop the
            // signature anyway.
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&base) {
            // The emulator on this machine: an HTTP_PROXY meant for the
            // outside world must not capture it.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Http(error_chain(&e)))?;
        Ok(XClient {
            http,
            base,
            creds,
            request_timeout: REQUEST_TIMEOUT,
        })
    }

    /// Gives up on a request after `timeout` (30 s by default) with a
    /// [`ApiError::Network`]: the request may still have taken effect.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The normalised base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base
    }
}

fn is_loopback(base: &str) -> bool {
    let Some(host) = Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An error and its causes on one line, as `a: b: c`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}

impl Transport for XClient {
    fn account_hint(&self) -> Option<String> {
        token_user_id(&self.creds.access_token)
    }

    async fn send(&self, req: RawRequest) -> Result<RawResponse, ApiError> {
        let url = format!("{}{}", self.base, req.path);
        let auth = authorization_header(&req.method, &url, &req.query, &self.creds, None);
        let full = url_with_query(&url, &req.query);
        let mut builder = self
            .http
            .request(req.method.clone(), &full)
            .timeout(self.request_timeout)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = req.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(body);
        }
        let what = format!("{} {}", req.method, req.path);
        let resp = builder.send().await.map_err(|e| {
            // Nothing reached X when no connection was made (DNS, refused,
            // TLS handshake): the caller may forget the request at once.
            if e.is_connect() {
                ApiError::Connect(format!("{what}: {}", error_chain(&e)))
            } else {
                ApiError::Network(format!("{what}: {}", error_chain(&e)))
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| {
            ApiError::Network(format!(
                "{what}: answer {status} cut short: {}",
                error_chain(&e)
            ))
        })?;
        Ok(RawResponse {
            status,
            headers,
            body: body.to_vec(),
        })
    }
}

/// Both transports (this HTTP client and the emulator's in-process one)
/// answer the API through the same request building and answer parsing in
/// [`ops`], so that what the executor's virtual-clock tests exercise is
/// what talks to X.
macro_rules! xapi_over_transport {
    ($ty:ty) => {
        impl $crate::api::XApi for $ty {
            fn create_tweet(
                &self,
                body: &serde_json::Value,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<$crate::api::RemoteTweet>> + Send {
                $crate::client::ops::create_tweet(self, body)
            }

            fn delete_tweet(
                &self,
                id: &str,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<bool>> + Send {
                $crate::client::ops::delete_tweet(self, id)
            }

            fn account_hint(&self) -> Option<String> {
                $crate::client::Transport::account_hint(self)
            }

            fn me(&self) -> impl std::future::Future<Output = $crate::api::ApiResult<String>> + Send {
                $crate::client::ops::me(self)
            }

            fn user_tweets(
                &self,
                user_id: &str,
                since: jiff::Timestamp,
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<Vec<$crate::api::RemoteTweet>>> + Send {
                $crate::client::ops::user_tweets(self, user_id, since)
            }

            fn lookup(
                &self,
                ids: &[String],
            ) -> impl std::future::Future<Output = $crate::api::ApiResult<Vec<$crate::api::RemoteTweet>>> + Send {
                $crate::client::ops::lookup(self, ids)
            }
        }
    };
}
// For the emulator's in-process transport.
#[cfg(any(test, feature = "emulator"))]
pub(crate) use xapi_over_transport;

xapi_over_transport!(XClient);

/// The user ID an OAuth 1.0a access token was issued for: X's tokens are
/// `USERID-RANDOM`. Anything else says nothing.
fn token_user_id(token: &str) -> Option<String> {
    let (id, rest) = token.split_once('-')?;
    let digits = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
    (digits && !rest.is_empty()).then(|| id.to_owned())
}

// ---------------------------------------------------------------------------
// Reading answers

/// `x-rate-limit-*` and `x-user-limit-24hour-*` of an answer.
pub fn rate_info(headers: &HeaderMap) -> RateInfo {
    RateInfo {
        window: limit_from(headers, "x-rate-limit"),
        user_24h: limit_from(headers, "x-user-limit-24hour"),
        app_24h: limit_from(headers, "x-app-limit-24hour"),
    }
}

fn limit_from(headers: &HeaderMap, prefix: &str) -> Option<Limit> {
    let get = |suffix: &str| -> Option<u64> {
        headers
            .get(format!("{prefix}-{suffix}"))?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let limit = u32::try_from(get("limit")?).ok()?;
    let remaining = u32::try_from(get("remaining")?).ok()?;
    let reset = Timestamp::from_second(i64::try_from(get("reset")?).ok()?).ok()?;
    Some(Limit {
        limit,
        remaining,
        reset,
    })
}

/// X's clock when it answered: the `date` header (an HTTP date).
pub fn date_of(headers: &HeaderMap) -> Option<Timestamp> {
    let raw = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    jiff::fmt::rfc2822::parse(raw.trim())
        .ok()
        .map(|z| z.timestamp())
}

/// X's duplicate-content refusal, recognised by its detail.
fn is_duplicate(detail: &str) -> bool {
    detail.to_ascii_lowercase().contains("duplicate content")
}

/// Maps an error answer (not 2xx) to an [`ApiError`], reading X's
/// problem+json: `detail`, `title`, or a validation error's
/// `errors[].message`.
pub(crate) fn error_from(status: u16, body: &[u8], rate: RateInfo) -> ApiError {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| -> Option<String> {
        json.as_ref()?
            .get(k)?
            .as_str()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
    };
    let messages: Vec<String> = json
        .as_ref()
        .and_then(|j| j.get("errors"))
        .and_then(|e| e.as_array())
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| {
                    e.get("message")
                        .or_else(|| e.get("detail"))
                        .and_then(|m| m.as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let title = field("title").unwrap_or_else(|| reason_phrase(status).to_owned());
    let detail = if !messages.is_empty() {
        messages.join("; ")
    } else if let Some(d) = field("detail") {
        d
    } else if let Some(t) = field("title") {
        t
    } else if !body.is_empty() && json.is_none() {
        // Not JSON (a proxy's HTML page, say): a short, printable excerpt.
        let text = String::from_utf8_lossy(body);
        let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        text.trim().to_owned()
    } else {
        reason_phrase(status).to_owned()
    };
    match status {
        429 => ApiError::RateLimited { rate },
        401 => ApiError::Unauthorized { detail },
        403 if is_duplicate(&detail) => ApiError::Duplicate { detail },
        404 => ApiError::NotFound { detail },
        500..=599 => ApiError::Server { status, detail },
        _ => ApiError::Client {
            status,
            title,
            detail,
        },
    }
}

fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown Status")
}

/// The API operations, written once over any [`Transport`].
pub(crate) mod ops {
    use super::*;
    use serde::Deserialize;

    /// Sends and splits the answer: a success's parsed JSON, or the mapped
    /// error; the rate headers either way.
    async fn call<T: Transport>(
        t: &T,
        req: RawRequest,
    ) -> Result<(serde_json::Value, u16, RateInfo, Option<Timestamp>), (ApiError, RateInfo)> {
        let resp = t.send(req).await.map_err(|e| (e, RateInfo::default()))?;
        let rate = rate_info(&resp.headers);
        if !(200..300).contains(&resp.status) {
            return Err((error_from(resp.status, &resp.body, rate), rate));
        }
        let date = date_of(&resp.headers);
        match serde_json::from_slice(&resp.body) {
            Ok(json) => Ok((json, resp.status, rate, date)),
            // The request took effect but the answer is unreadable: as
            // uncertain as a dropped connection.
            Err(e) => Err((
                ApiError::Network(format!(
                    "X answered {} with a body that is not JSON: {e}",
                    resp.status
                )),
                rate,
            )),
        }
    }

    fn unreadable(status: u16, what: &str, e: impl fmt::Display) -> ApiError {
        ApiError::Network(format!(
            "X answered {status} but the answer has no readable {what}: {e}"
        ))
    }

    #[derive(Deserialize)]
    struct Data<T> {
        data: T,
    }

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
    struct Me {
        id: String,
    }

    /// A path segment from input: percent-encode anything but unreserved
    /// characters, so an ID can never change the path.
    fn segment(s: &str) -> String {
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

    /// What recovery compares a tweet on: its time, its URLs as sent, what
    /// it replies to or quotes, its media and poll.
    pub(crate) const TWEET_FIELDS: &str = "created_at,entities,referenced_tweets,attachments";

    /// At most this many pages (X serves a timeline's latest 3,200 tweets,
    /// 32 pages of 100): a guard against a server that never stops paging.
    const MAX_PAGES: usize = 100;

    pub(crate) async fn user_tweets<T: Transport>(
        t: &T,
        user_id: &str,
        since: Timestamp,
    ) -> ApiResult<Vec<RemoteTweet>> {
        let mut tweets = Vec::new();
        let mut token: Option<String> = None;
        let mut rate;
        let mut date;
        let mut pages = 0;
        loop {
            let mut req =
                RawRequest::new(Method::GET, format!("/2/users/{}/tweets", segment(user_id)))
                    .query("start_time", x_time(since))
                    .query("tweet.fields", TWEET_FIELDS)
                    .query("max_results", "100");
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
                .query("tweet.fields", TWEET_FIELDS);
            let (json, status, r, d) = call(t, req).await?;
            rate = r;
            date = d;
            // Missing tweets come back under `errors`; `data` is left out
            // when none is found.
            let page: Page = serde_json::from_value(json)
                .map_err(|e| (unreadable(status, "tweets", e), rate))?;
            found.extend(page.data);
        }
        Ok(Response {
            value: found,
            rate,
            date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_creds() -> Credentials {
        Credentials::new(
            "xvz1evFS4wEEPTGEFPHBog",
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        )
    }

    fn header_param(header: &str, name: &str) -> String {
        let rest = header.strip_prefix("OAuth ").unwrap();
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=').unwrap();
            if k == name {
                let v = v.trim_matches('"');
                return percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap()
                    .into_owned();
            }
        }
        panic!("no {name} in {header}")
    }

    #[test]
    fn signs_x_documented_vector() {
        let params = vec![
            ("include_entities".to_owned(), "true".to_owned()),
            (
                "status".to_owned(),
                "Hello Ladies + Gentlemen, a signed OAuth request!".to_owned(),
            ),
        ];
        let header = authorization_header(
            &Method::POST,
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
            &vector_creds(),
            Some(("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958)),
        );
        assert_eq!(
            header_param(&header, "oauth_signature"),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
        assert_eq!(header_param(&header, "oauth_version"), "1.0");
        assert_eq!(
            header_param(&header, "oauth_consumer_key"),
            "xvz1evFS4wEEPTGEFPHBog"
        );
        // The header carries the signature, never the secrets.
        assert!(!header.contains("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"));
        assert!(!header.contains("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"));
    }

    /// The client's signature (oauth1-request) checked by the emulator's
    /// hand-written verifier: query parameters with reserved characters, and
    /// a non-default port that must be part of the signed URL.
    #[test]
    fn emulator_verifies_client_signatures() {
        use tweetform_emulator::signature::{AcceptedKeys, AuthFailure, Verifier, parse_query};
        let creds = vector_creds();
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
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:1"));
        assert!(is_loopback("http://[::1]:1"));
        assert!(!is_loopback("https://api.x.com"));
    }

    #[test]
    fn base_urls_are_normalised() {
        let n = |s| normalise_base_url(s).unwrap();
        assert_eq!(n("https://api.x.com"), "https://api.x.com");
        assert_eq!(n("https://API.X.com/"), "https://api.x.com");
        assert_eq!(n("https://api.x.com:443/"), "https://api.x.com");
        assert_eq!(n("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(n("http://127.0.0.1:80"), "http://127.0.0.1");
        assert_eq!(n("http://localhost:9/prefix/"), "http://localhost:9/prefix");
        assert!(normalise_base_url("ftp://x").is_err());
        assert!(normalise_base_url("https://api.x.com/?a=b").is_err());
        assert!(normalise_base_url("https://user:pw@api.x.com").is_err());
        assert!(normalise_base_url("not a url").is_err());
    }

    #[test]
    fn credentials_from_either_name_and_missing_ones_named() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let c = Credentials::from_lookup(env(&[
            ("X_API_KEY", "ck"),
            ("TWITTER_API_SECRET_KEY", "cs\n"),
            ("X_ACCESS_TOKEN", "at"),
            ("TWITTER_ACCESS_TOKEN", "ignored"),
            ("TWITTER_ACCESS_TOKEN_SECRET", "ats"),
        ]))
        .unwrap();
        assert_eq!(c, Credentials::new("ck", "cs", "at", "ats"));

        let err = Credentials::from_lookup(env(&[
            ("X_API_KEY", "ck"),
            ("X_API_SECRET", "   "),
            ("TWITTER_ACCESS_TOKEN", "at"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.missing,
            vec![
                ("X_API_SECRET", "TWITTER_API_SECRET_KEY"),
                ("X_ACCESS_TOKEN_SECRET", "TWITTER_ACCESS_TOKEN_SECRET")
            ]
        );
        let msg = err.to_string();
        assert!(
            msg.contains("X_API_SECRET (or TWITTER_API_SECRET_KEY)"),
            "{msg}"
        );
        assert!(msg.contains("X_ACCESS_TOKEN_SECRET (or TWITTER_ACCESS_TOKEN_SECRET)"));
        assert!(!msg.contains("X_API_KEY (or"), "{msg}");
        let help = Problem::from(err).help().unwrap().to_owned();
        assert!(help.contains("${{ secrets.X_API_KEY }}"), "{help}");
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = vector_creds();
        let dbg = format!(
            "{c:?} {:?}",
            XClient::new("https://api.x.com", c.clone()).unwrap()
        );
        for secret in [
            &c.consumer_key,
            &c.consumer_secret,
            &c.access_token,
            &c.access_token_secret,
        ] {
            assert!(!dbg.contains(secret.as_str()), "{dbg}");
        }
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
    fn the_access_token_names_its_user() {
        assert_eq!(
            token_user_id("1500000000000000001-emulator-access-token").as_deref(),
            Some("1500000000000000001")
        );
        for token in ["", "abc-def", "-x", "123", "123-", "12a-xyz"] {
            assert_eq!(token_user_id(token), None, "{token}");
        }
    }

    #[test]
    fn x_time_floors_to_seconds() {
        let t: Timestamp = "2026-03-04T05:06:07.999Z".parse().unwrap();
        assert_eq!(ops::x_time(t), "2026-03-04T05:06:07Z");
    }
}
