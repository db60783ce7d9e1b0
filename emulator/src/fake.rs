//! The fake X's state machine, independent of any transport.
//!
//! `FakeX::handle` takes one request (method, path, raw query, body and,
//! over HTTP, the `Authorization` header) and returns one `Answer`. It
//! routes, applies planned faults ([`crate::faults`]), verifies OAuth
//! ([`crate::signature`]), counts rate windows ([`crate::limits`]) and
//! hands over to the route's handler (`endpoints`). This file
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
pub(crate) enum Caller<'a> {
    /// In the same process: trusted, no OAuth.
    InProcess,
    /// Over HTTP: verify OAuth against `origin` (`http://127.0.0.1:8080`)
    /// plus the path.
    Http {
        origin: &'a str,
        authorization: Option<&'a str>,
    },
}

/// A request taken apart ([`FakeX::respond`] does it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
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
    pub(crate) fn handle(&mut self, req: &Request<'_>) -> Answer {
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

/// Requests for the tests of every file of this crate.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub(crate) fn fake() -> FakeX {
        FakeX::with_defaults(Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap()))
    }

    pub(crate) fn post(f: &mut FakeX, body: &str) -> Answer {
        f.handle(&Request {
            method: "POST",
            path: "/2/tweets",
            query: None,
            body: body.as_bytes(),
            caller: Caller::InProcess,
        })
    }

    pub(crate) fn get(f: &mut FakeX, path: &str, query: &str) -> Answer {
        f.handle(&Request {
            method: "GET",
            path,
            query: Some(query),
            body: b"",
            caller: Caller::InProcess,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{fake, get, post};

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
    async fn unknown_routes_are_xs_404() {
        let mut f = fake();
        let a = get(&mut f, "/2/nothing", "");
        assert_eq!(a.status, 404);
        assert_eq!(a.body["errors"][0]["code"], 34);
        assert_eq!(post(&mut f, r#"{"text":"x"}"#).status, 201);
        assert_eq!(f.requests_seen(), 2);
    }
}
