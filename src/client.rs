//! The X API over HTTP: reqwest with rustls, signed with OAuth 1.0a.
//!
//! [`XClient`] is the [`Transport`] that talks to X (or to the emulator over
//! a socket): base URL, timeouts, proxies, and turning reqwest's failures
//! into [`ApiError`]s that say whether anything may have reached X. What to
//! send and how to read the answer is in [`crate::operations`], shared with
//! the in-process emulator; the secrets are in [`crate::credentials`] and
//! the signature in [`crate::oauth`].

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::api::ApiError;
use crate::credentials::token_user_id;
// Re-exported: the library's users reach the credentials through the client.
pub use crate::credentials::{CREDENTIAL_VARIABLES, Credentials, MissingCredentials};
use crate::oauth::{authorization_header, url_with_query};
use crate::operations::{RawRequest, RawResponse, Transport, xapi_over_transport};

/// X's production API.
pub(crate) const DEFAULT_API_URL: &str = "https://api.x.com";

const USER_AGENT: &str = concat!("tweetform/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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
        if let Some(content_type) = req.body_type() {
            let content_type = HeaderValue::from_str(content_type)
                .unwrap_or(HeaderValue::from_static("application/json"));
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(req.body.unwrap_or_default());
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

xapi_over_transport!(XClient);

#[cfg(test)]
mod tests {
    use super::*;

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
    fn debug_redacts_secrets() {
        let c = crate::credentials::documented_example();
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
}
