//! X's rate limits (`x-api/fundamentals/rate-limits`): fixed windows per user and endpoint, the daily cap of
//! free access, and the `x-rate-limit-*` / `x-user-limit-24hour-*` headers
//! that report them. Kept apart from the endpoints because every request,
//! refused or not, goes through them first.

use std::time::Duration;

use jiff::Timestamp;

use crate::route::Endpoint;

/// A fixed rate window: `limit` requests per `length`, counted from the
/// first request of the window; the reset is the window's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub length: Duration,
}

impl Window {
    pub const fn new(limit: u32, length: Duration) -> Self {
        Window { limit, length }
    }

    pub const fn minutes(limit: u32, minutes: u64) -> Self {
        Window::new(limit, Duration::from_secs(minutes.saturating_mul(60)))
    }

    pub const fn seconds(limit: u32, seconds: u64) -> Self {
        Window::new(limit, Duration::from_secs(seconds))
    }
}

/// The largest request body the fake reads (24 MiB); a larger one is
/// answered 413 Payload Too Large. X's v2 pages give no per-append limit
/// (its v1.1 took up to 5 MB per append); this leaves room for an 8 MiB
/// segment sent as base64 in JSON (about 11 MiB) and for a 15 MB GIF in a
/// one-request upload, while a server holds at most one such body per
/// connection.
pub const MAX_BODY_BYTES: usize = 24 << 20;

/// Rate limits per endpoint, all per user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `POST /2/tweets`: every window must have room (X: 200 per 15 minutes
    /// and 300 per 3 hours). The headers report the tightest one.
    pub create: Vec<Window>,
    /// `DELETE /2/tweets/:id` (X: 50 per 15 minutes).
    pub delete: Vec<Window>,
    pub me: Window,
    pub user_tweets: Window,
    pub lookup: Window,
    /// `POST /2/media/upload`, the one-request upload (X: 500 per 15 minutes).
    pub media_upload: Window,
    /// `GET /2/media/upload` STATUS (X: 1,000 per 15 minutes).
    pub media_status: Window,
    /// Each of initialize, append and finalize, counted apart (X: 1,875
    /// per 15 minutes each).
    pub media_chunked: Window,
    /// `POST /2/media/metadata` (X: 500 per 15 minutes).
    pub media_metadata: Window,
    /// `POST /2/users/:id/retweets` and, counted apart, its `DELETE` (X: 50
    /// per 15 minutes each). X also counts reposts in the creates' 3-hour
    /// window; the fake does not.
    pub repost: Window,
    /// A daily cap on published tweets (free access: 17), reported in
    /// `x-user-limit-24hour-*` on creates. Counts successful creates only.
    pub daily_creates: Option<u32>,
    /// The daily cap's window; 24 hours, shorter in HTTP tests.
    pub daily_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::x_defaults()
    }
}

impl Limits {
    /// X's published per-user limits (the integration guide's seed values).
    pub fn x_defaults() -> Self {
        Limits {
            create: vec![Window::minutes(200, 15), Window::minutes(300, 180)],
            delete: vec![Window::minutes(50, 15)],
            me: Window::minutes(75, 15),
            user_tweets: Window::minutes(900, 15),
            lookup: Window::minutes(900, 15),
            media_upload: Window::minutes(500, 15),
            media_status: Window::minutes(1000, 15),
            media_chunked: Window::minutes(1875, 15),
            media_metadata: Window::minutes(500, 15),
            repost: Window::minutes(50, 15),
            daily_creates: None,
            daily_window: Duration::from_secs(24 * 3600),
        }
    }

    pub fn with_daily_cap(mut self, cap: u32) -> Self {
        self.daily_creates = Some(cap);
        self
    }
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    window: Window,
    started: Option<Timestamp>,
    used: u32,
}

impl Counter {
    fn new(window: Window) -> Self {
        Counter {
            window,
            started: None,
            used: 0,
        }
    }

    fn end(&self, start: Timestamp) -> Timestamp {
        start
            .saturating_add(self.window.length)
            .unwrap_or(Timestamp::MAX)
    }

    fn roll(&mut self, now: Timestamp) {
        if let Some(s) = self.started
            && now >= self.end(s)
        {
            self.started = None;
            self.used = 0;
        }
    }

    fn exhausted(&self) -> bool {
        self.used >= self.window.limit
    }

    fn take(&mut self, now: Timestamp) {
        if self.started.is_none() {
            self.started = Some(now);
        }
        self.used = self.used.saturating_add(1);
    }

    fn remaining(&self) -> u32 {
        self.window.limit.saturating_sub(self.used)
    }

    /// When the window ends, rounded up to the second X reports.
    fn reset_second(&self, now: Timestamp) -> i64 {
        let end = self.end(self.started.unwrap_or(now));
        let s = end.as_second();
        if end.subsec_nanosecond() > 0 {
            s.saturating_add(1)
        } else {
            s
        }
    }
}

/// The tightest of some windows: least remaining, then latest reset.
fn tightest(counters: &[Counter], now: Timestamp) -> Option<&Counter> {
    counters
        .iter()
        .min_by_key(|c| (c.remaining(), std::cmp::Reverse(c.reset_second(now))))
}

/// Where every endpoint's windows stand.
#[derive(Debug, Clone)]
pub(crate) struct Counters {
    create: Vec<Counter>,
    delete: Vec<Counter>,
    me: Vec<Counter>,
    user_tweets: Vec<Counter>,
    lookup: Vec<Counter>,
    get_tweet: Vec<Counter>,
    media_upload: Vec<Counter>,
    media_status: Vec<Counter>,
    media_initialize: Vec<Counter>,
    media_append: Vec<Counter>,
    media_finalize: Vec<Counter>,
    media_metadata: Vec<Counter>,
    repost: Vec<Counter>,
    unrepost: Vec<Counter>,
    daily: Option<Counter>,
}

impl Counters {
    pub(crate) fn new(l: &Limits) -> Self {
        let all = |w: &[Window]| w.iter().copied().map(Counter::new).collect();
        Counters {
            create: all(&l.create),
            delete: all(&l.delete),
            me: all(&[l.me]),
            user_tweets: all(&[l.user_tweets]),
            lookup: all(&[l.lookup]),
            get_tweet: all(&[l.lookup]),
            media_upload: all(&[l.media_upload]),
            media_status: all(&[l.media_status]),
            media_initialize: all(&[l.media_chunked]),
            media_append: all(&[l.media_chunked]),
            media_finalize: all(&[l.media_chunked]),
            media_metadata: all(&[l.media_metadata]),
            repost: all(&[l.repost]),
            unrepost: all(&[l.repost]),
            daily: l
                .daily_creates
                .map(|cap| Counter::new(Window::new(cap, l.daily_window))),
        }
    }

    fn of(&mut self, e: Endpoint) -> &mut Vec<Counter> {
        match e {
            Endpoint::CreateTweet => &mut self.create,
            Endpoint::DeleteTweet => &mut self.delete,
            Endpoint::Me => &mut self.me,
            Endpoint::UserTweets => &mut self.user_tweets,
            Endpoint::LookupTweets => &mut self.lookup,
            Endpoint::GetTweet => &mut self.get_tweet,
            Endpoint::MediaUpload => &mut self.media_upload,
            Endpoint::MediaStatus => &mut self.media_status,
            Endpoint::MediaInitialize => &mut self.media_initialize,
            Endpoint::MediaAppend => &mut self.media_append,
            Endpoint::MediaFinalize => &mut self.media_finalize,
            Endpoint::MediaMetadata => &mut self.media_metadata,
            Endpoint::Repost => &mut self.repost,
            Endpoint::Unrepost => &mut self.unrepost,
        }
    }

    /// Counts a request in every window of `endpoint`, or refuses it (false)
    /// if any window is spent or, for a create, the daily cap is.
    pub(crate) fn admit(&mut self, endpoint: Endpoint, now: Timestamp) -> bool {
        let counters = self.of(endpoint);
        for c in counters.iter_mut() {
            c.roll(now);
        }
        let mut spent = counters.iter().any(Counter::exhausted);
        if endpoint == Endpoint::CreateTweet
            && let Some(d) = self.daily.as_mut()
        {
            d.roll(now);
            spent |= d.exhausted();
        }
        if spent {
            return false;
        }
        for c in self.of(endpoint).iter_mut() {
            c.take(now);
        }
        true
    }

    /// Counts a published tweet against the daily cap.
    pub(crate) fn published(&mut self, now: Timestamp) {
        if let Some(d) = self.daily.as_mut() {
            d.take(now);
        }
    }

    /// Rate headers for `endpoint`, as they stand.
    pub(crate) fn headers(
        &mut self,
        endpoint: Endpoint,
        now: Timestamp,
    ) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        let counters = self.of(endpoint);
        for c in counters.iter_mut() {
            c.roll(now);
        }
        if let Some(c) = tightest(counters, now) {
            headers.push(("x-rate-limit-limit", c.window.limit.to_string()));
            headers.push(("x-rate-limit-remaining", c.remaining().to_string()));
            headers.push(("x-rate-limit-reset", c.reset_second(now).to_string()));
        }
        if endpoint == Endpoint::CreateTweet
            && let Some(d) = self.daily.as_mut()
        {
            d.roll(now);
            headers.push(("x-user-limit-24hour-limit", d.window.limit.to_string()));
            headers.push(("x-user-limit-24hour-remaining", d.remaining().to_string()));
            headers.push(("x-user-limit-24hour-reset", d.reset_second(now).to_string()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::Clock;
    use crate::fake::FakeX;
    use crate::fake::test_support::post;

    #[test]
    fn the_tightest_window_is_reported_and_huge_windows_saturate() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let limits = Limits {
            create: vec![Window::seconds(2, 10), Window::new(1, Duration::MAX)],
            ..Limits::x_defaults()
        };
        let mut c = Counters::new(&limits);
        assert!(c.admit(Endpoint::CreateTweet, now));
        let h = c.headers(Endpoint::CreateTweet, now);
        assert_eq!(h[0], ("x-rate-limit-limit", "1".to_owned()));
        assert_eq!(h[1], ("x-rate-limit-remaining", "0".to_owned()));
        let end = Timestamp::MAX.as_second() + 1;
        assert_eq!(h[2], ("x-rate-limit-reset", end.to_string()));
        assert!(!c.admit(Endpoint::CreateTweet, now));
        assert_eq!(Window::minutes(1, u64::MAX).length.as_secs(), u64::MAX);
    }

    #[tokio::test(start_paused = true)]
    async fn fixed_windows_and_daily_cap() {
        let limits = Limits {
            create: vec![Window::minutes(2, 15), Window::minutes(3, 180)],
            ..Limits::x_defaults()
        }
        .with_daily_cap(4);
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let mut f = FakeX::with_limits(limits, clock.clone());
        let t0 = clock.now().as_second();
        assert_eq!(post(&mut f, r#"{"text":"1"}"#).status, 201);
        let a = post(&mut f, r#"{"text":"2"}"#);
        assert_eq!(a.header("x-rate-limit-remaining"), Some("0"));
        assert_eq!(a.header("x-user-limit-24hour-remaining"), Some("2"));
        let limited = post(&mut f, r#"{"text":"3"}"#);
        assert_eq!(limited.status, 429);
        assert_eq!(
            limited.body,
            json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})
        );
        assert_eq!(
            limited.header("x-rate-limit-reset"),
            Some((t0 + 900).to_string().as_str())
        );
        assert_eq!(f.too_many_requests_sent(), 1);

        // The 15-minute window resets; the 3-hour one now has one left.
        clock.sleep(Duration::from_secs(900)).await;
        let a = post(&mut f, r#"{"text":"3"}"#);
        assert_eq!(a.status, 201);
        assert_eq!(a.header("x-rate-limit-limit"), Some("3"));
        assert_eq!(a.header("x-rate-limit-remaining"), Some("0"));
        assert_eq!(
            a.header("x-rate-limit-reset"),
            Some((t0 + 3 * 3600).to_string().as_str())
        );
        assert_eq!(post(&mut f, r#"{"text":"4"}"#).status, 429);

        clock.sleep(Duration::from_secs(3 * 3600)).await;
        assert_eq!(post(&mut f, r#"{"text":"4"}"#).status, 201);
        // Daily cap: 4 published, the next is refused with the 24h headers.
        let capped = post(&mut f, r#"{"text":"5"}"#);
        assert_eq!(capped.status, 429);
        assert_eq!(capped.header("x-user-limit-24hour-remaining"), Some("0"));
        assert_eq!(
            capped.header("x-user-limit-24hour-reset"),
            Some((t0 + 24 * 3600).to_string().as_str())
        );
        assert_eq!(capped.header("x-rate-limit-remaining"), Some("1"));
    }
}
