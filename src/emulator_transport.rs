//! tweetform's [`XApi`](crate::api::XApi) over the emulator's
//! [`FakeX`] in the same process: no sockets, no OAuth, and delays on
//! tokio's clock, so that tests run X's 15-minute, 3-hour and 24-hour
//! windows on a paused clock. It is one more `Transport` of the client:
//! requests are built and answers read by the very code that talks to X
//! (`operations`), and the fake answers through the same function its
//! HTTP server calls ([`FakeX::respond`]), so rate headers, error mapping
//! and pagination behave as over HTTP.
//!
//! Also the two bridges tests need between the crates: tweetform's
//! [`Clock`] as the emulator's, and the emulator's test credentials as the
//! client's [`Credentials`].

use std::sync::{Arc, Mutex, MutexGuard};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tweetform_emulator::{FakeX, SharedFake, StoredTweet, TestCredentials, Via, WireRequest, lock};

use crate::api::ApiError;
use crate::clock::Clock;
use crate::credentials::Credentials;
use crate::operations::{RawRequest, RawResponse, Transport};

/// The in-process X. Cheap to clone: clones share the fake.
///
/// Give it a clone of the [`Clock`] the code under test reads (not a second
/// `Clock::starting_at` made later), so that both agree on the wall time
/// that `x-rate-limit-reset` is expressed in.
#[derive(Debug, Clone)]
pub struct InProcess {
    fake: SharedFake,
}

impl InProcess {
    /// A fake with X's default limits on `clock`.
    pub fn new(clock: Clock) -> Self {
        InProcess::from_fake(FakeX::with_defaults(clock))
    }

    pub(crate) fn from_fake(fake: FakeX) -> Self {
        InProcess {
            fake: Arc::new(Mutex::new(fake)),
        }
    }

    pub fn shared(&self) -> SharedFake {
        self.fake.clone()
    }

    /// The fake, to configure faults or inspect state. Do not hold the guard
    /// across an `.await` on this API.
    pub fn fake(&self) -> MutexGuard<'_, FakeX> {
        lock(&self.fake)
    }

    /// Every tweet, deleted ones included, oldest first.
    pub fn tweets(&self) -> Vec<StoredTweet> {
        self.fake().tweets().to_vec()
    }

    /// Tweets not deleted, oldest first.
    pub fn live_tweets(&self) -> Vec<StoredTweet> {
        self.fake().live_tweets().into_iter().cloned().collect()
    }

    pub fn too_many_requests_sent(&self) -> u64 {
        self.fake().too_many_requests_sent()
    }

    pub fn requests_seen(&self) -> u64 {
        self.fake().requests_seen()
    }
}

impl Transport for InProcess {
    async fn send(&self, req: RawRequest) -> Result<RawResponse, ApiError> {
        let target = match req.encoded_query() {
            Some(q) => format!("{}?{q}", req.path),
            None => req.path.clone(),
        };
        let content_type = req.body_type().map(|t| ("content-type", t));
        let headers: &[(&str, &str)] = match &content_type {
            Some(h) => std::slice::from_ref(h),
            None => &[],
        };
        let answer = self.fake().respond(&WireRequest {
            method: req.method.as_str(),
            target: &target,
            headers,
            body: req.body.as_deref().unwrap_or_default(),
            via: Via::InProcess,
        });
        if let Some(d) = answer.delay {
            tokio::time::sleep(d).await;
        }
        if answer.drop_connection {
            return Err(ApiError::Network(format!(
                "{} {}: connection closed before message completed (emulated)",
                req.method, req.path
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &answer.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(n, v);
            }
        }
        Ok(RawResponse {
            status: answer.status,
            headers,
            body: answer.body,
        })
    }
}

crate::operations::xapi_over_transport!(InProcess);

/// tweetform's clock as the emulator's: the same wall time at every tokio
/// instant, paused or not.
impl From<Clock> for tweetform_emulator::Clock {
    fn from(clock: Clock) -> Self {
        let (base, start) = clock.origin();
        tweetform_emulator::Clock::from_origin(base, start)
    }
}

/// The emulator's test credentials as the client takes them:
/// `TEST_CREDENTIALS.credentials()`.
pub trait ClientCredentials {
    fn credentials(&self) -> Credentials;
}

impl ClientCredentials for TestCredentials {
    fn credentials(&self) -> Credentials {
        Credentials::new(
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::XApi;
    use tweetform_emulator::{Endpoint, Limits, Window};

    fn body(text: &str) -> serde_json::Value {
        serde_json::json!({ "text": text })
    }

    #[tokio::test(start_paused = true)]
    async fn windows_on_the_paused_clock() {
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let x = InProcess::new(clock.clone());
        let real = std::time::Instant::now();
        for i in 0..200 {
            let r = x.create_tweet(&body(&format!("t{i}"))).await.unwrap();
            assert_eq!(r.rate.window.unwrap().remaining, 199 - i);
        }
        let (err, rate) = x.create_tweet(&body("one more")).await.unwrap_err();
        assert!(matches!(err, ApiError::RateLimited { .. }), "{err:?}");
        let reset = rate.window.unwrap().reset;
        assert_eq!(reset, "2026-01-01T00:15:00Z".parse().unwrap());
        assert_eq!(err, ApiError::RateLimited { rate });
        clock.sleep_until(reset).await;
        // 100 more fit in the 15-minute window, then the 3-hour one (300) bites.
        for i in 0..100 {
            x.create_tweet(&body(&format!("u{i}"))).await.unwrap();
        }
        let (_, rate) = x.create_tweet(&body("over")).await.unwrap_err();
        let w = rate.window.unwrap();
        assert_eq!((w.limit, w.remaining), (300, 0));
        assert_eq!(w.reset, "2026-01-01T03:00:00Z".parse().unwrap());
        assert_eq!(x.too_many_requests_sent(), 2);

        // Reading back every page.
        let me = x.me().await.unwrap().value;
        let all = x
            .user_tweets(&me, "2026-01-01T00:00:00Z".parse().unwrap())
            .await
            .unwrap()
            .value;
        assert_eq!(all.len(), 300);
        assert_eq!(all[0].text, "u99");
        assert!(all.iter().all(|t| t.created_at.is_some()));
        let ids: Vec<String> = all
            .iter()
            .map(|t| t.id.clone())
            .chain(["1".to_owned()])
            .collect();
        assert_eq!(x.lookup(&ids).await.unwrap().value.len(), 300);
        assert!(real.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn faults_map_like_http() {
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let x = InProcess::new(clock.clone());
        x.fake().drop_after_commit(1);
        let (err, _) = x.create_tweet(&body("a")).await.unwrap_err();
        assert!(matches!(err, ApiError::Network(_)));
        assert_eq!(x.live_tweets().len(), 1);
        let (err, _) = x.create_tweet(&body("a")).await.unwrap_err();
        assert!(matches!(err, ApiError::Duplicate { .. }), "{err:?}");

        x.fake().fail_next_on(Endpoint::DeleteTweet, 2, 503);
        let id = x.live_tweets()[0].id.clone();
        let (err, rate) = x.delete_tweet(&id).await.unwrap_err();
        assert_eq!(
            err,
            ApiError::Server {
                status: 503,
                detail: "Service Unavailable".into()
            }
        );
        assert!(rate.window.is_some());
        assert!(x.delete_tweet(&id).await.is_err());
        assert!(x.delete_tweet(&id).await.unwrap().value);
        assert!(!x.delete_tweet(&id).await.unwrap().value);
        assert!(matches!(
            x.delete_tweet("7").await.unwrap_err().0,
            ApiError::NotFound { .. }
        ));

        x.fake().set_delay(Some(Duration::from_secs(40)));
        let before = clock.now();
        x.me().await.unwrap();
        assert_eq!(clock.now().duration_since(before).as_secs(), 40);
    }

    #[tokio::test(start_paused = true)]
    async fn daily_cap_reported() {
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let limits = Limits {
            delete: vec![Window::minutes(50, 15)],
            ..Limits::x_defaults()
        }
        .with_daily_cap(17);
        let x = InProcess::from_fake(FakeX::with_limits(limits, clock));
        for i in 0..17 {
            let r = x.create_tweet(&body(&format!("d{i}"))).await.unwrap();
            assert_eq!(r.rate.user_24h.unwrap().remaining, 16 - i);
        }
        let (err, rate) = x.create_tweet(&body("d17")).await.unwrap_err();
        let ApiError::RateLimited { rate: r } = err else {
            panic!()
        };
        assert_eq!(r, rate);
        assert_eq!(rate.user_24h.unwrap().remaining, 0);
        assert_eq!(
            rate.user_24h.unwrap().reset,
            "2026-01-02T00:00:00Z".parse().unwrap()
        );
        assert!(rate.window.unwrap().remaining > 0);
    }
}
