//! The fake X's state machine, independent of any transport.
//!
//! [`FakeX::handle`] takes one request (method, path, raw query, body and,
//! over HTTP, the `Authorization` header) and returns one [`Answer`]
//! (status, headers, body, and whether to drop the connection instead of
//! answering, or answer late). The HTTP server and the in-process
//! [`super::InProcess`] both go through it, so they behave alike.

// An error answer is built at most once per request: its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::schema::{self, is_id};
use super::signature::{self, AcceptedKeys, AuthFailure, Verifier};
use crate::clock::Clock;

// ---------------------------------------------------------------------------
// Configuration

/// The account the fake serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: String,
}

impl Default for User {
    fn default() -> Self {
        User {
            id: "1500000000000000001".into(),
            username: "tweetform_emulator".into(),
            name: "tweetform emulator".into(),
        }
    }
}

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
        Window::new(limit, Duration::from_secs(minutes * 60))
    }

    pub const fn seconds(limit: u32, seconds: u64) -> Self {
        Window::new(limit, Duration::from_secs(seconds))
    }
}

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
            daily_creates: None,
            daily_window: Duration::from_secs(24 * 3600),
        }
    }

    pub fn with_daily_cap(mut self, cap: u32) -> Self {
        self.daily_creates = Some(cap);
        self
    }
}

/// The four test credentials the emulator accepts by default. They are
/// fake and public: printing them is fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCredentials {
    pub consumer_key: &'static str,
    pub consumer_secret: &'static str,
    pub access_token: &'static str,
    pub access_token_secret: &'static str,
}

pub const TEST_CREDENTIALS: TestCredentials = TestCredentials {
    consumer_key: "emulator-consumer-key",
    consumer_secret: "emulator-consumer-secret",
    access_token: "1500000000000000001-emulator-access-token",
    access_token_secret: "emulator-access-token-secret",
};

impl TestCredentials {
    /// As the client takes them.
    pub fn credentials(&self) -> crate::client::Credentials {
        crate::client::Credentials::new(
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        )
    }

    pub fn accepted_keys(&self) -> AcceptedKeys {
        AcceptedKeys {
            consumer_key: self.consumer_key.into(),
            consumer_secret: self.consumer_secret.into(),
            token: self.access_token.into(),
            token_secret: self.access_token_secret.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub user: User,
    pub keys: AcceptedKeys,
    pub limits: Limits,
    /// Refuse texts longer than this weighted length (X: 280 for accounts
    /// without long posts). `None` accepts any length.
    pub max_weighted_length: Option<usize>,
    /// OAuth timestamps further than this from the clock are refused.
    pub max_clock_skew: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user: User::default(),
            keys: TEST_CREDENTIALS.accepted_keys(),
            limits: Limits::default(),
            max_weighted_length: Some(280),
            max_clock_skew: Duration::from_secs(300),
        }
    }
}

// ---------------------------------------------------------------------------
// Requests and answers

/// The endpoints the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    CreateTweet,
    DeleteTweet,
    GetTweet,
    LookupTweets,
    Me,
    UserTweets,
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
        })
    }
}

/// How the request reached the fake.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// The in-process API: trusted, no OAuth.
    InProcess,
    /// Over HTTP: verify OAuth against `origin` (`http://127.0.0.1:8080`)
    /// plus the path.
    Http {
        origin: &'a str,
        authorization: Option<&'a str>,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Without the query: `/2/tweets`.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    pub caller: Caller<'a>,
}

/// What to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    /// Rate headers, lower-case names.
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
    /// Close the connection without answering (the request took effect).
    pub drop_connection: bool,
    /// Wait this long before answering (the request already took effect).
    pub delay: Option<Duration>,
    pub endpoint: Option<Endpoint>,
    /// Why, for the emulator's log (a refused signature, say). Never sent.
    pub note: Option<String>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body,
            drop_connection: false,
            delay: None,
            endpoint: None,
            note: None,
        }
    }

    fn problem(status: u16, body: Value) -> Self {
        Answer {
            content_type: "application/problem+json",
            ..Answer::json(status, body)
        }
    }

    /// `{"title","detail","type":"about:blank","status"}`.
    fn plain_problem(status: u16, title: &str, detail: &str) -> Self {
        Answer::problem(
            status,
            json!({"title": title, "detail": detail, "type": "about:blank", "status": status}),
        )
    }

    fn forbidden(detail: &str) -> Self {
        Answer::problem(
            403,
            json!({"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}),
        )
    }

    /// X's validation error: one entry per problem.
    fn invalid(errors: Vec<Value>) -> Self {
        Answer::problem(
            400,
            json!({
                "errors": errors,
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            }),
        )
    }

    fn invalid_messages(messages: Vec<String>) -> Self {
        Answer::invalid(
            messages
                .into_iter()
                .map(|m| json!({ "message": m }))
                .collect(),
        )
    }

    fn unauthorized() -> Self {
        Answer::problem(
            401,
            json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
        )
    }

    fn too_many_requests() -> Self {
        Answer::problem(
            429,
            json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        )
    }

    fn no_such_page() -> Self {
        Answer::json(
            404,
            json!({"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}),
        )
    }

    /// The header's value, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn not_found_problem(resource_type: &str, parameter: &str, id: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find {resource_type} with {parameter}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    })
}

// ---------------------------------------------------------------------------
// State

/// A tweet as the fake stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTweet {
    pub id: String,
    pub text: String,
    pub author_id: String,
    pub created_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    pub in_reply_to: Option<String>,
    /// The create request's body exactly as received (seeded tweets: `{"text"}`).
    pub body: Value,
}

impl StoredTweet {
    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

/// Planned misbehaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next N successful creates are stored, then the connection is
    /// closed without an answer.
    pub drop_after_commit: u32,
    /// Answer the next requests with a server error instead of handling
    /// them, first matching rule first.
    pub failures: Vec<Failure>,
    /// Answer every request this late (after it took effect).
    pub delay: Option<Duration>,
    /// A new tweet shows in the user's timeline only this long after it
    /// was created (X's timelines lag behind; lookups by ID do not).
    pub timeline_lag: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `None`: any endpoint.
    pub endpoint: Option<Endpoint>,
    pub status: u16,
    pub remaining: u32,
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
        self.used += 1;
    }

    fn remaining(&self) -> u32 {
        self.window.limit.saturating_sub(self.used)
    }

    /// When the window ends, rounded up to the second X reports.
    fn reset_second(&self, now: Timestamp) -> i64 {
        let end = self.end(self.started.unwrap_or(now));
        let s = end.as_second();
        if end.subsec_nanosecond() > 0 {
            s + 1
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

#[derive(Debug, Clone)]
struct Counters {
    create: Vec<Counter>,
    delete: Vec<Counter>,
    me: Vec<Counter>,
    user_tweets: Vec<Counter>,
    lookup: Vec<Counter>,
    get_tweet: Vec<Counter>,
    daily: Option<Counter>,
}

impl Counters {
    fn new(l: &Limits) -> Self {
        let all = |w: &[Window]| w.iter().copied().map(Counter::new).collect();
        Counters {
            create: all(&l.create),
            delete: all(&l.delete),
            me: all(&[l.me]),
            user_tweets: all(&[l.user_tweets]),
            lookup: all(&[l.lookup]),
            get_tweet: all(&[l.lookup]),
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
        }
    }
}

/// The fake X: one account, its tweets, rate windows, faults, counters.
#[derive(Debug, Clone)]
pub struct FakeX {
    config: Config,
    clock: Clock,
    tweets: Vec<StoredTweet>,
    /// Every tweet ID handed out.
    ids: BTreeSet<u64>,
    counters: Counters,
    verifier: Verifier,
    faults: Faults,
    requests_seen: u64,
    too_many_requests_sent: u64,
    by_endpoint: BTreeMap<Endpoint, u64>,
}

impl FakeX {
    pub fn new(config: Config, clock: Clock) -> Self {
        FakeX {
            counters: Counters::new(&config.limits),
            verifier: Verifier::new(config.max_clock_skew),
            ids: BTreeSet::new(),
            config,
            clock,
            tweets: Vec::new(),
            faults: Faults::default(),
            requests_seen: 0,
            too_many_requests_sent: 0,
            by_endpoint: BTreeMap::new(),
        }
    }

    /// X's default limits and the test credentials.
    pub fn with_defaults(clock: Clock) -> Self {
        FakeX::new(Config::default(), clock)
    }

    pub fn with_limits(limits: Limits, clock: Clock) -> Self {
        FakeX::new(
            Config {
                limits,
                ..Config::default()
            },
            clock,
        )
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn user(&self) -> &User {
        &self.config.user
    }

    /// Replaces the limits and starts every window afresh.
    pub fn set_limits(&mut self, limits: Limits) {
        self.counters = Counters::new(&limits);
        self.config.limits = limits;
    }

    // -- faults ----------------------------------------------------------

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// Store the next `n` successful creates, then close the connection
    /// without answering.
    pub fn drop_after_commit(&mut self, n: u32) {
        self.faults.drop_after_commit = n;
    }

    /// Answer the next `n` requests (any endpoint) with `status` (a 5xx).
    pub fn fail_next(&mut self, n: u32, status: u16) {
        self.faults.failures.push(Failure {
            endpoint: None,
            status,
            remaining: n,
        });
    }

    /// Answer the next `n` requests to `endpoint` with `status`.
    pub fn fail_next_on(&mut self, endpoint: Endpoint, n: u32, status: u16) {
        self.faults.failures.push(Failure {
            endpoint: Some(endpoint),
            status,
            remaining: n,
        });
    }

    /// Answer every request `delay` late; `None` to stop.
    pub fn set_delay(&mut self, delay: Option<Duration>) {
        self.faults.delay = delay;
    }

    /// Hide tweets younger than `lag` from the timeline; `None` to stop.
    pub fn set_timeline_lag(&mut self, lag: Option<Duration>) {
        self.faults.timeline_lag = lag;
    }

    // -- state for assertions ----------------------------------------------

    /// Every tweet ever created, deleted ones included, oldest first.
    pub fn tweets(&self) -> &[StoredTweet] {
        &self.tweets
    }

    /// Tweets not deleted, oldest first.
    pub fn live_tweets(&self) -> Vec<&StoredTweet> {
        self.tweets.iter().filter(|t| t.is_live()).collect()
    }

    pub fn tweet(&self, id: &str) -> Option<&StoredTweet> {
        self.tweets.iter().find(|t| t.id == id)
    }

    /// Every request received, refused ones included.
    pub fn requests_seen(&self) -> u64 {
        self.requests_seen
    }

    /// Requests received for one endpoint.
    pub fn requests_to(&self, e: Endpoint) -> u64 {
        self.by_endpoint.get(&e).copied().unwrap_or(0)
    }

    /// 429s answered.
    pub fn too_many_requests_sent(&self) -> u64 {
        self.too_many_requests_sent
    }

    // -- direct manipulation (what a person would do in X's app) -----------

    /// Adds a tweet as if posted earlier by the account, bypassing limits.
    pub fn insert_tweet(&mut self, text: &str, created_at: Timestamp) -> String {
        let id = self.new_tweet_id(created_at);
        self.tweets.push(StoredTweet {
            id: id.clone(),
            text: text.to_owned(),
            author_id: self.config.user.id.clone(),
            created_at,
            deleted_at: None,
            in_reply_to: None,
            body: json!({ "text": text }),
        });
        id
    }

    /// Deletes a tweet as if by hand in X's app. False if unknown or gone.
    pub fn remove_tweet(&mut self, id: &str) -> bool {
        let now = self.clock.now();
        match self.tweets.iter_mut().find(|t| t.id == id && t.is_live()) {
            Some(t) => {
                t.deleted_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// A snowflake ID as X makes them: milliseconds since X's epoch in the
    /// high bits, so that IDs sort by creation time (a tweet inserted with
    /// an old date gets an old ID), and a sequence in the low 22 bits.
    fn new_tweet_id(&mut self, created_at: Timestamp) -> String {
        const X_EPOCH_MS: i64 = 1_288_834_974_657;
        let ms = u64::try_from(created_at.as_millisecond() - X_EPOCH_MS).unwrap_or(0);
        let mut id = ms << 22;
        while self.ids.contains(&id) {
            id += 1;
        }
        self.ids.insert(id);
        id.to_string()
    }

    // -- handling --------------------------------------------------------

    fn route(method: &str, path: &str) -> Option<(Endpoint, Option<String>)> {
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
            _ => None,
        }
    }

    /// Rate headers for `endpoint`, as they stand.
    fn rate_headers(&mut self, endpoint: Endpoint, now: Timestamp) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        let counters = self.counters.of(endpoint);
        for c in counters.iter_mut() {
            c.roll(now);
        }
        if let Some(c) = tightest(counters, now) {
            headers.push(("x-rate-limit-limit", c.window.limit.to_string()));
            headers.push(("x-rate-limit-remaining", c.remaining().to_string()));
            headers.push(("x-rate-limit-reset", c.reset_second(now).to_string()));
        }
        if endpoint == Endpoint::CreateTweet
            && let Some(d) = self.counters.daily.as_mut()
        {
            d.roll(now);
            headers.push(("x-user-limit-24hour-limit", d.window.limit.to_string()));
            headers.push(("x-user-limit-24hour-remaining", d.remaining().to_string()));
            headers.push(("x-user-limit-24hour-reset", d.reset_second(now).to_string()));
        }
        headers
    }

    /// Handles one request.
    pub fn handle(&mut self, req: &Request<'_>) -> Answer {
        let mut answer = self.handle_inner(req);
        if answer.delay.is_none() {
            answer.delay = self.faults.delay;
        }
        answer
    }

    fn handle_inner(&mut self, req: &Request<'_>) -> Answer {
        let now = self.clock.now();
        self.requests_seen += 1;
        let Some((endpoint, path_id)) = Self::route(req.method, req.path) else {
            return Answer {
                note: Some(format!("no route for {} {}", req.method, req.path)),
                ..Answer::no_such_page()
            };
        };
        *self.by_endpoint.entry(endpoint).or_default() += 1;
        let query = req.query.map(signature::parse_query).unwrap_or_default();

        // A failing front end answers before anything else happens.
        if let Some(f) = self
            .faults
            .failures
            .iter_mut()
            .find(|f| f.remaining > 0 && f.endpoint.is_none_or(|e| e == endpoint))
        {
            f.remaining -= 1;
            let status = f.status;
            self.faults.failures.retain(|f| f.remaining > 0);
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Server Error");
            return Answer {
                headers: self.rate_headers(endpoint, now),
                endpoint: Some(endpoint),
                note: Some("injected failure".into()),
                ..Answer::plain_problem(status, reason, reason)
            };
        }

        if let Caller::Http {
            origin,
            authorization,
        } = req.caller
        {
            let base_url = format!("{origin}{}", req.path);
            if let Err(why) = self.verifier.verify(
                req.method,
                &base_url,
                &query,
                authorization,
                &self.config.keys,
                now,
            ) {
                return self.finish(endpoint, now, Answer::unauthorized(), Some(why));
            }
        }

        // Rate limits: refuse if any window is spent (or, for a create,
        // the daily cap), else count this request in every window.
        let counters = self.counters.of(endpoint);
        for c in counters.iter_mut() {
            c.roll(now);
        }
        let mut spent = counters.iter().any(Counter::exhausted);
        if endpoint == Endpoint::CreateTweet
            && let Some(d) = self.counters.daily.as_mut()
        {
            d.roll(now);
            spent |= d.exhausted();
        }
        if spent {
            self.too_many_requests_sent += 1;
            return self.finish(endpoint, now, Answer::too_many_requests(), None);
        }
        for c in self.counters.of(endpoint).iter_mut() {
            c.take(now);
        }

        let path_id = path_id.unwrap_or_default();
        let answer = match endpoint {
            Endpoint::CreateTweet => self.create(req.body, now),
            Endpoint::DeleteTweet => self.delete(&path_id, &query, now),
            Endpoint::GetTweet => self.get_tweet(&path_id, &query),
            Endpoint::LookupTweets => self.lookup(&query),
            Endpoint::Me => self.me(&query),
            Endpoint::UserTweets => self.user_tweets(&path_id, &query),
        };
        self.finish(endpoint, now, answer, None)
    }

    fn finish(
        &mut self,
        endpoint: Endpoint,
        now: Timestamp,
        mut answer: Answer,
        why: Option<AuthFailure>,
    ) -> Answer {
        answer.headers = self.rate_headers(endpoint, now);
        answer.endpoint = Some(endpoint);
        if let Some(why) = why {
            answer.note = Some(why.to_string());
        }
        answer
    }

    // -- endpoints -------------------------------------------------------

    fn create(&mut self, body: &[u8], now: Timestamp) -> Answer {
        let body: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return Answer::invalid_messages(vec![format!(
                    "Request body is not valid JSON: {e}"
                )]);
            }
        };
        let mut problems = Vec::new();
        schema::check_create(&body, &mut problems);
        if problems.is_empty() && body.get("text").is_none() {
            problems.push("$.text: is missing but it is required".to_owned());
        }
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        if body.get("edit_options").is_some() {
            return Answer::forbidden(
                "The tweetform emulator does not support edits (edit_options).",
            );
        }
        let text = body["text"].as_str().unwrap_or_default().to_owned();
        let has_media = body.get("media").is_some();
        if text.is_empty() && !has_media {
            return Answer::invalid_messages(vec![
                "$.text: must not be empty unless media is attached".to_owned(),
            ]);
        }
        if let Some(max) = self.config.max_weighted_length
            && crate::validate::weighted_length(&text) > max
        {
            return Answer::forbidden("Tweet needs to be a bit shorter.");
        }
        let in_reply_to = body
            .pointer("/reply/in_reply_to_tweet_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(target) = &in_reply_to
            && !self.tweets.iter().any(|t| &t.id == target && t.is_live())
        {
            return Answer::forbidden(
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            );
        }
        if !text.is_empty() && self.tweets.iter().any(|t| t.is_live() && t.text == text) {
            return Answer::forbidden(
                "You are not allowed to create a Tweet with duplicate content.",
            );
        }

        let id = self.new_tweet_id(now);
        self.tweets.push(StoredTweet {
            id: id.clone(),
            text: text.clone(),
            author_id: self.config.user.id.clone(),
            created_at: now,
            deleted_at: None,
            in_reply_to,
            body,
        });
        if let Some(d) = self.counters.daily.as_mut() {
            d.take(now);
        }
        let mut answer = Answer::json(
            201,
            json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
        );
        if self.faults.drop_after_commit > 0 {
            self.faults.drop_after_commit -= 1;
            answer.drop_connection = true;
            answer.note = Some(format!("stored {id}, then dropped the connection"));
        }
        answer
    }

    fn delete(&mut self, id: &str, query: &[(String, String)], now: Timestamp) -> Answer {
        if let Some(a) = check_query(query, &[]) {
            return a;
        }
        if !is_id(id) {
            return invalid_id("id", id);
        }
        match self.tweets.iter_mut().find(|t| t.id == id) {
            Some(t) if t.is_live() => {
                t.deleted_at = Some(now);
                Answer::json(200, json!({"data": {"deleted": true}}))
            }
            Some(_) => Answer::json(200, json!({"data": {"deleted": false}})),
            None => {
                let mut p = not_found_problem("tweet", "id", id);
                p["status"] = json!(404);
                Answer::problem(404, p)
            }
        }
    }

    fn me(&mut self, query: &[(String, String)]) -> Answer {
        if let Some(a) = check_query(
            query,
            &["user.fields", "expansions", "tweet.fields", "post.fields"],
        ) {
            return a;
        }
        let u = &self.config.user;
        Answer::json(
            200,
            json!({"data": {"id": u.id, "name": u.name, "username": u.username}}),
        )
    }

    fn get_tweet(&mut self, id: &str, query: &[(String, String)]) -> Answer {
        if let Some(a) = check_query(query, READ_FIELDS) {
            return a;
        }
        if !is_id(id) {
            return invalid_id("id", id);
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        match self.tweets.iter().find(|t| t.id == id && t.is_live()) {
            Some(t) => Answer::json(200, json!({"data": tweet_json(t, &fields)})),
            None => Answer::json(
                200,
                json!({"errors": [not_found_problem("tweet", "id", id)]}),
            ),
        }
    }

    fn lookup(&mut self, query: &[(String, String)]) -> Answer {
        let mut allowed = vec!["ids"];
        allowed.extend_from_slice(READ_FIELDS);
        if let Some(a) = check_query(query, &allowed) {
            return a;
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let Some(ids) = param(query, "ids") else {
            return Answer::invalid(vec![json!({
                "parameters": {"ids": []},
                "message": "The `ids` query parameter can not be empty",
            })]);
        };
        let mut wanted: Vec<&str> = Vec::new();
        for id in ids.split(',') {
            if !is_id(id) {
                return Answer::invalid(vec![json!({
                    "parameters": {"ids": [id]},
                    "message": format!("The `ids` query parameter value [{id}] is not valid"),
                })]);
            }
            if !wanted.contains(&id) {
                wanted.push(id);
            }
        }
        if wanted.is_empty() || wanted.len() > 100 {
            return Answer::invalid(vec![json!({
                "parameters": {"ids": [ids]},
                "message": format!("The number of values in the `ids` query parameter list [{}] is not between 1 and 100", wanted.len()),
            })]);
        }
        let mut data = Vec::new();
        let mut errors = Vec::new();
        for id in wanted {
            match self.tweets.iter().find(|t| t.id == id && t.is_live()) {
                Some(t) => data.push(tweet_json(t, &fields)),
                None => errors.push(not_found_problem("tweet", "ids", id)),
            }
        }
        let mut body = serde_json::Map::new();
        if !data.is_empty() {
            body.insert("data".into(), Value::Array(data));
        }
        if !errors.is_empty() {
            body.insert("errors".into(), Value::Array(errors));
        }
        Answer::json(200, Value::Object(body))
    }

    fn user_tweets(&mut self, user_id: &str, query: &[(String, String)]) -> Answer {
        let mut allowed = vec![
            "max_results",
            "pagination_token",
            "start_time",
            "end_time",
            "since_id",
            "until_id",
            "exclude",
        ];
        allowed.extend_from_slice(READ_FIELDS);
        if let Some(a) = check_query(query, &allowed) {
            return a;
        }
        if !is_id(user_id) {
            return invalid_id("id", user_id);
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let bad = |name: &str, value: &str, why: &str| {
            Answer::invalid(vec![json!({
                "parameters": {name: [value]},
                "message": format!("The `{name}` query parameter value [{value}] {why}"),
            })])
        };
        let max_results = match param(query, "max_results") {
            None => 10,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (5..=100).contains(&n) => n,
                _ => return bad("max_results", v, "is not between 5 and 100"),
            },
        };
        let time = |name: &str| -> Result<Option<Timestamp>, Answer> {
            match param(query, name) {
                None => Ok(None),
                Some(v) => v
                    .parse::<Timestamp>()
                    .map(Some)
                    .map_err(|_| bad(name, v, "is not a valid RFC 3339 date-time")),
            }
        };
        let id_param = |name: &str| -> Result<Option<u64>, Answer> {
            match param(query, name) {
                None => Ok(None),
                Some(v) if is_id(v) => Ok(v.parse().ok()),
                Some(v) => Err(bad(name, v, "does not match ^[0-9]{1,19}$")),
            }
        };
        let (start, end, since_id, until_id) = match (
            time("start_time"),
            time("end_time"),
            id_param("since_id"),
            id_param("until_id"),
        ) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
        };
        let exclude_replies =
            param(query, "exclude").is_some_and(|v| v.split(',').any(|x| x == "replies"));
        let page_from: Option<u64> = match param(query, "pagination_token") {
            None => None,
            Some(tok) => match u64::from_str_radix(tok, 36) {
                Ok(n) => Some(n),
                Err(_) => return bad("pagination_token", tok, "is not a valid pagination token"),
            },
        };
        if user_id != self.config.user.id {
            return Answer::json(
                200,
                json!({"errors": [not_found_problem("user", "id", user_id)], "meta": {"result_count": 0}}),
            );
        }
        let now = self.clock.now();
        let visible_before = self
            .faults
            .timeline_lag
            .and_then(|lag| now.checked_sub(lag).ok())
            .unwrap_or(Timestamp::MAX);
        // X serves a timeline's latest 3,200 tweets, newest first (IDs grow
        // with time), no older ones.
        let mut recent: Vec<&StoredTweet> = self
            .tweets
            .iter()
            .filter(|t| t.is_live() && t.created_at <= visible_before)
            .collect();
        recent.sort_by_key(|t| std::cmp::Reverse(t.id.parse::<u64>().unwrap_or(0)));
        recent.truncate(TIMELINE_DEPTH);
        let mut matching: Vec<&StoredTweet> = recent
            .into_iter()
            .filter(|t| start.is_none_or(|s| t.created_at >= s))
            .filter(|t| end.is_none_or(|e| t.created_at <= e))
            .filter(|t| {
                let n: u64 = t.id.parse().unwrap_or(0);
                since_id.is_none_or(|s| n > s)
                    && until_id.is_none_or(|u| n < u)
                    && page_from.is_none_or(|p| n <= p)
            })
            .filter(|t| !(exclude_replies && t.in_reply_to.is_some()))
            .collect();
        let next = matching
            .get(max_results)
            .map(|t| t.id.parse::<u64>().unwrap_or(0));
        matching.truncate(max_results);

        let mut meta = serde_json::Map::new();
        meta.insert("result_count".into(), json!(matching.len()));
        if let (Some(first), Some(last)) = (matching.first(), matching.last()) {
            meta.insert("newest_id".into(), json!(first.id));
            meta.insert("oldest_id".into(), json!(last.id));
        }
        if let Some(n) = next {
            meta.insert("next_token".into(), json!(to_base36(n)));
        }
        let mut body = serde_json::Map::new();
        if !matching.is_empty() {
            body.insert(
                "data".into(),
                Value::Array(matching.iter().map(|t| tweet_json(t, &fields)).collect()),
            );
        }
        body.insert("meta".into(), Value::Object(meta));
        Answer::json(200, Value::Object(body))
    }
}

// ---------------------------------------------------------------------------
// Helpers

/// How far back X's user timeline goes.
const TIMELINE_DEPTH: usize = 3200;

const READ_FIELDS: &[&str] = &[
    "tweet.fields",
    "post.fields",
    "expansions",
    "user.fields",
    "media.fields",
    "poll.fields",
    "place.fields",
];

/// Post fields X knows (its OpenAPI enum plus the long-standing ones).
const POST_FIELDS: &[&str] = &[
    "article",
    "article_title",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "matched_media_notes",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "note_post",
    "note_request_suggestions",
    "organic_metrics",
    "paid_partnership",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
];

fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn param<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// X refuses unknown query parameters.
fn check_query(query: &[(String, String)], allowed: &[&str]) -> Option<Answer> {
    let errors: Vec<Value> = query
        .iter()
        .filter(|(k, _)| !allowed.contains(&k.as_str()))
        .map(|(k, v)| {
            json!({
                "parameters": {k.as_str(): [v]},
                "message": format!("The query parameter [{k}] is not one of [{}]", allowed.join(",")),
            })
        })
        .collect();
    (!errors.is_empty()).then(|| Answer::invalid(errors))
}

/// The requested post fields (`tweet.fields` or `post.fields`).
fn tweet_fields(query: &[(String, String)]) -> Result<Vec<String>, Answer> {
    let mut fields = Vec::new();
    for name in ["tweet.fields", "post.fields"] {
        if let Some(v) = param(query, name) {
            for f in v.split(',') {
                if !POST_FIELDS.contains(&f) {
                    return Err(Answer::invalid(vec![json!({
                        "parameters": {name: [v]},
                        "message": format!("The `{name}` query parameter value [{f}] is not one of [{}]", POST_FIELDS.join(",")),
                    })]));
                }
                fields.push(f.to_owned());
            }
        }
    }
    Ok(fields)
}

fn tweet_json(t: &StoredTweet, fields: &[String]) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("id".into(), json!(t.id));
    o.insert("text".into(), json!(t.text));
    o.insert("edit_history_tweet_ids".into(), json!([t.id]));
    let has = |f: &str| fields.iter().any(|x| x == f);
    if has("created_at") {
        o.insert(
            "created_at".into(),
            json!(t.created_at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        );
    }
    if has("author_id") {
        o.insert("author_id".into(), json!(t.author_id));
    }
    Value::Object(o)
}

fn invalid_id(name: &str, value: &str) -> Answer {
    Answer::invalid(vec![json!({
        "parameters": {name: [value]},
        "message": format!("The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$"),
    })])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake() -> FakeX {
        FakeX::with_defaults(Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap()))
    }

    fn post(f: &mut FakeX, body: &str) -> Answer {
        f.handle(&Request {
            method: "POST",
            path: "/2/tweets",
            query: None,
            body: body.as_bytes(),
            caller: Caller::InProcess,
        })
    }

    fn get(f: &mut FakeX, path: &str, query: &str) -> Answer {
        f.handle(&Request {
            method: "GET",
            path,
            query: Some(query),
            body: b"",
            caller: Caller::InProcess,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn create_validates_the_body_like_x() {
        let mut f = fake();
        let a = post(
            &mut f,
            r#"{"text":"hi","reply_setings":"following","poll":{"options":["a"],"duration_minutes":1},"quote_tweet_id":12,"media":null}"#,
        );
        assert_eq!(a.status, 400);
        let messages: Vec<&str> = a.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert_eq!(
            messages,
            [
                "$.reply_setings: is not defined in the schema and the schema does not allow additional properties",
                "$.poll.options: there must be a minimum of 2 items in the array",
                "$.poll.duration_minutes: must have a minimum value of 5",
                "$.quote_tweet_id: integer found, string expected",
                "$.media: null found, object expected",
            ]
        );
        assert_eq!(a.body["title"], "Invalid Request");
        assert_eq!(
            post(&mut f, r#"{"reply_settings":"following"}"#).status,
            400
        );
        assert_eq!(post(&mut f, "not json").status, 400);
        assert!(f.tweets().is_empty());
        // Rejected requests still count against the window, as at X.
        assert_eq!(a.header("x-rate-limit-remaining"), Some("199"));
    }

    #[tokio::test(start_paused = true)]
    async fn create_duplicate_reply_and_headers() {
        let mut f = fake();
        let a = post(&mut f, r#"{"text":"hello"}"#);
        assert_eq!(a.status, 201);
        let id = a.body["data"]["id"].as_str().unwrap().to_owned();
        assert_eq!(a.body["data"]["edit_history_tweet_ids"][0], id.as_str());
        assert_eq!(a.header("x-rate-limit-limit"), Some("200"));
        assert_eq!(a.header("x-rate-limit-remaining"), Some("199"));
        let reset: i64 = a.header("x-rate-limit-reset").unwrap().parse().unwrap();
        assert_eq!(reset, Timestamp::from_second(reset).unwrap().as_second());
        assert_eq!(reset - f.clock().now().as_second(), 900);
        assert_eq!(a.header("x-user-limit-24hour-limit"), None);

        let dup = post(&mut f, r#"{"text":"hello"}"#);
        assert_eq!(dup.status, 403);
        assert_eq!(
            dup.body["detail"],
            "You are not allowed to create a Tweet with duplicate content."
        );

        let reply = format!(r#"{{"text":"second","reply":{{"in_reply_to_tweet_id":"{id}"}}}}"#);
        assert_eq!(post(&mut f, &reply).status, 201);
        let orphan = r#"{"text":"third","reply":{"in_reply_to_tweet_id":"42"}}"#;
        assert_eq!(post(&mut f, orphan).status, 403);

        // Deleting frees the text again.
        assert!(f.remove_tweet(&id));
        assert_eq!(post(&mut f, r#"{"text":"hello"}"#).status, 201);
        assert_eq!(f.tweets().len(), 3);
        assert_eq!(f.live_tweets().len(), 2);
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

    #[tokio::test(start_paused = true)]
    async fn timeline_pages_newest_first_and_lookup() {
        let mut f = fake();
        let clock = f.clock().clone();
        let mut ids = Vec::new();
        for i in 0..12 {
            let a = post(&mut f, &format!(r#"{{"text":"t{i}"}}"#));
            ids.push(a.body["data"]["id"].as_str().unwrap().to_owned());
            clock.sleep(Duration::from_secs(60)).await;
        }
        let user = f.user().id.clone();
        let path = format!("/2/users/{user}/tweets");
        let a = get(
            &mut f,
            &path,
            "max_results=5&tweet.fields=created_at&start_time=2026-01-01T00%3A01%3A00Z",
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.body["meta"]["result_count"], 5);
        assert_eq!(a.body["data"][0]["id"], ids[11].as_str());
        assert_eq!(a.body["data"][0]["created_at"], "2026-01-01T00:11:00.000Z");
        let token = a.body["meta"]["next_token"].as_str().unwrap().to_owned();
        let a = get(
            &mut f,
            &path,
            &format!("max_results=5&start_time=2026-01-01T00:01:00Z&pagination_token={token}"),
        );
        assert_eq!(a.body["data"][0]["id"], ids[6].as_str());
        assert!(a.body["data"][0].get("created_at").is_none());
        let token = a.body["meta"]["next_token"].as_str().unwrap().to_owned();
        let a = get(
            &mut f,
            &path,
            &format!("max_results=5&start_time=2026-01-01T00:01:00Z&pagination_token={token}"),
        );
        assert_eq!(a.body["meta"]["result_count"], 1);
        assert!(a.body["meta"].get("next_token").is_none());

        f.set_timeline_lag(Some(Duration::from_secs(90)));
        let a = get(&mut f, &path, "max_results=5");
        assert_eq!(
            a.body["data"][0]["id"],
            ids[10].as_str(),
            "the newest is not visible yet"
        );
        f.set_timeline_lag(None);

        assert_eq!(get(&mut f, &path, "tweet.fields=created_At").status, 400);
        assert_eq!(get(&mut f, &path, "max_results=500").status, 400);
        assert_eq!(get(&mut f, &path, "bogus=1").status, 400);

        f.remove_tweet(&ids[0]);
        let a = get(
            &mut f,
            "/2/tweets",
            &format!("ids={},{},99", ids[0], ids[1]),
        );
        assert_eq!(a.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(a.body["data"][0]["id"], ids[1].as_str());
        assert_eq!(a.body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(a.body["errors"][0]["resource_id"], ids[0].as_str());
        let a = get(&mut f, "/2/tweets", "ids=99");
        assert!(a.body.get("data").is_none());
        assert_eq!(get(&mut f, "/2/tweets", "ids=abc").status, 400);
    }

    #[tokio::test(start_paused = true)]
    async fn ids_sort_by_creation_time() {
        let mut f = fake();
        let new = post(&mut f, r#"{"text":"new"}"#).body["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let old = f.insert_tweet("old", "2025-12-31T00:00:00Z".parse().unwrap());
        let same = f.insert_tweet("old too", "2025-12-31T00:00:00Z".parse().unwrap());
        assert!(old.parse::<u64>().unwrap() < new.parse::<u64>().unwrap());
        assert_eq!(
            same.parse::<u64>().unwrap(),
            old.parse::<u64>().unwrap() + 1
        );
        assert_eq!(new.len(), 19);
        let path = format!("/2/users/{}/tweets", f.user().id);
        let a = get(&mut f, &path, "");
        let order: Vec<&str> = a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["text"].as_str().unwrap())
            .collect();
        assert_eq!(order, ["new", "old too", "old"]);
    }

    #[tokio::test(start_paused = true)]
    async fn delete_and_faults() {
        let mut f = fake();
        let id = post(&mut f, r#"{"text":"x"}"#).body["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let del = |f: &mut FakeX, id: &str| {
            f.handle(&Request {
                method: "DELETE",
                path: &format!("/2/tweets/{id}"),
                query: None,
                body: b"",
                caller: Caller::InProcess,
            })
        };
        let a = del(&mut f, &id);
        assert_eq!(
            (a.status, &a.body),
            (200, &json!({"data": {"deleted": true}}))
        );
        assert_eq!(a.header("x-rate-limit-limit"), Some("50"));
        assert_eq!(del(&mut f, &id).body, json!({"data": {"deleted": false}}));
        assert_eq!(del(&mut f, "42").status, 404);

        f.fail_next_on(Endpoint::CreateTweet, 1, 503);
        assert_eq!(get(&mut f, "/2/users/me", "").status, 200);
        let a = post(&mut f, r#"{"text":"y"}"#);
        assert_eq!(a.status, 503);
        assert_eq!(f.live_tweets().len(), 0);
        f.drop_after_commit(1);
        let a = post(&mut f, r#"{"text":"y"}"#);
        assert!(a.drop_connection);
        assert_eq!(f.live_tweets().len(), 1);
        assert!(!post(&mut f, r#"{"text":"z"}"#).drop_connection);
        f.set_delay(Some(Duration::from_secs(2)));
        assert_eq!(
            get(&mut f, "/2/users/me", "").delay,
            Some(Duration::from_secs(2))
        );
        assert_eq!(f.requests_to(Endpoint::CreateTweet), 4);
        assert_eq!(get(&mut f, "/2/nothing", "").status, 404);
    }
}
