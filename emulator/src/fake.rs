//! The fake X's state machine, independent of any transport.
//!
//! [`FakeX::handle`] takes one request (method, path, raw query, body and,
//! over HTTP, the `Authorization` header) and returns one [`Answer`]. It
//! routes, applies planned faults ([`crate::faults`]), verifies OAuth
//! ([`crate::signature`]), counts rate windows ([`crate::limits`]) and
//! hands over to the route's handler ([`crate::endpoints`]). This file
//! holds the order of those steps and the state they share: the account's
//! tweets and the counters tests assert on.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::answers::Answer;
use crate::behaviour::{Behaviour, User};
use crate::clock::Clock;
use crate::faults::Faults;
use crate::limits::{Counters, Limits};
use crate::signature::{self, AuthFailure, Verifier};

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
    /// In the same process: trusted, no OAuth.
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

/// The fake X: one account, its tweets, rate windows, faults, counters.
#[derive(Debug, Clone)]
pub struct FakeX {
    pub(crate) behaviour: Behaviour,
    pub(crate) clock: Clock,
    pub(crate) tweets: Vec<StoredTweet>,
    /// Every tweet ID handed out.
    ids: BTreeSet<u64>,
    pub(crate) counters: Counters,
    verifier: Verifier,
    pub(crate) faults: Faults,
    requests_seen: u64,
    too_many_requests_sent: u64,
    by_endpoint: BTreeMap<Endpoint, u64>,
}

impl FakeX {
    /// A fake behaving as `behaviour` says, on `clock` (the emulator's
    /// [`Clock`], or anything that converts into one).
    pub fn new(behaviour: Behaviour, clock: impl Into<Clock>) -> Self {
        FakeX {
            counters: Counters::new(&behaviour.limits),
            verifier: Verifier::new(behaviour.max_clock_skew),
            ids: BTreeSet::new(),
            behaviour,
            clock: clock.into(),
            tweets: Vec::new(),
            faults: Faults::default(),
            requests_seen: 0,
            too_many_requests_sent: 0,
            by_endpoint: BTreeMap::new(),
        }
    }

    /// X's default limits and the test credentials.
    pub fn with_defaults(clock: impl Into<Clock>) -> Self {
        FakeX::new(Behaviour::default(), clock)
    }

    pub fn with_limits(limits: Limits, clock: impl Into<Clock>) -> Self {
        FakeX::new(
            Behaviour {
                limits,
                ..Behaviour::default()
            },
            clock,
        )
    }

    pub fn behaviour(&self) -> &Behaviour {
        &self.behaviour
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn user(&self) -> &User {
        &self.behaviour.user
    }

    /// Replaces the limits and starts every window afresh.
    pub fn set_limits(&mut self, limits: Limits) {
        self.counters = Counters::new(&limits);
        self.behaviour.limits = limits;
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
            author_id: self.behaviour.user.id.clone(),
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
    pub(crate) fn new_tweet_id(&mut self, created_at: Timestamp) -> String {
        const X_EPOCH_MS: i64 = 1_288_834_974_657;
        let ms = created_at.as_millisecond().saturating_sub(X_EPOCH_MS);
        // 41 bits of milliseconds, as X's: until 2080.
        let ms = u64::try_from(ms).unwrap_or(0).min((1 << 41) - 1);
        let mut id = ms << 22;
        while self.ids.contains(&id) {
            id = id.saturating_add(1);
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
        self.requests_seen = self.requests_seen.saturating_add(1);
        let Some((endpoint, path_id)) = Self::route(req.method, req.path) else {
            return Answer {
                note: Some(format!("no route for {} {}", req.method, req.path)),
                ..Answer::no_such_page()
            };
        };
        let seen = self.by_endpoint.entry(endpoint).or_default();
        *seen = seen.saturating_add(1);
        let query = req.query.map(signature::parse_query).unwrap_or_default();

        // A failing front end answers before anything else happens.
        if let Some(status) = self.faults.next_failure(endpoint) {
            return Answer {
                headers: self.counters.headers(endpoint, now),
                endpoint: Some(endpoint),
                note: Some("injected failure".into()),
                ..Answer::server_error(status)
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
                &self.behaviour.keys,
                now,
            ) {
                return self.finish(endpoint, now, Answer::unauthorized(), Some(why));
            }
        }

        if !self.counters.admit(endpoint, now) {
            self.too_many_requests_sent = self.too_many_requests_sent.saturating_add(1);
            return self.finish(endpoint, now, Answer::too_many_requests(), None);
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
        answer.headers = self.counters.headers(endpoint, now);
        answer.endpoint = Some(endpoint);
        if let Some(why) = why {
            answer.note = Some(why.to_string());
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::limits::Window;

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
        assert_eq!(post(&mut f, r#"{"text":""}"#).status, 400);
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

        // Media alone needs no text: it defaults to "" in X's schema.
        let media_only = post(&mut f, r#"{"media":{"media_ids":["7"]}}"#);
        assert_eq!(media_only.status, 201, "{}", media_only.body);
        assert_eq!(media_only.body["data"]["text"], "");
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
