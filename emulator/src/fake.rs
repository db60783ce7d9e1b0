//! The fake X's state machine, independent of any transport.
//!
//! `FakeX::handle` takes one request (method, path, raw query, body and,
//! over HTTP, the `Authorization` header) and returns one `Answer`. It
//! routes, applies planned faults ([`crate::faults`]), verifies OAuth
//! ([`crate::signature`]), counts rate windows ([`crate::limits`]) and
//! hands over to the route's handler (`endpoints`, `media_endpoints`).
//! This file holds the order of those steps and the state they share: the
//! account's tweets and uploads, and the counters tests assert on.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::answers::Answer;
use crate::behaviour::{Behaviour, User};
use crate::clock::Clock;
use crate::faults::{Failure, Faults, Rejection};

use crate::limits::{Counters, Limits};
use crate::media::{MediaKind, StoredMedia};
use crate::route::{Endpoint, route};
use crate::signature::{self, AuthFailure, Verifier};

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
    /// The `Content-Type` header: JSON or `multipart/form-data` for media.
    pub content_type: Option<&'a str>,
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
    /// Every upload, oldest first ([`crate::media`]).
    pub(crate) uploads: Vec<StoredMedia>,
    /// Every tweet and media ID handed out.
    ids: BTreeSet<u64>,
    pub(crate) counters: Counters,
    verifier: Verifier,
    pub(crate) faults: Faults,
    requests_seen: u64,
    too_many_requests_sent: u64,
    by_endpoint: BTreeMap<Endpoint, u64>,
    /// Tweets edited outside (by [`FakeX::edit_tweet`]): every version's
    /// ID → the chain of versions, oldest first.
    edits: BTreeMap<String, Vec<String>>,
    /// The tweets the account reposted, by ID ([`crate::reposts`]).
    pub(crate) reposted: BTreeSet<String>,
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
            uploads: Vec::new(),
            faults: Faults::default(),
            requests_seen: 0,
            too_many_requests_sent: 0,
            by_endpoint: BTreeMap::new(),
            reposted: BTreeSet::new(),
            edits: BTreeMap::new(),
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

    /// X's clock: the fake's clock moved by the planned skew
    /// ([`Faults::skew`]). Every time it stores or sends is on it.
    pub fn now(&self) -> Timestamp {
        self.clock
            .now()
            .saturating_add(self.faults.skew)
            .unwrap_or(Timestamp::MAX)
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

    /// An upload by its media ID.
    pub fn media(&self, id: &str) -> Option<&StoredMedia> {
        self.uploads.iter().find(|m| m.id == id)
    }

    /// Every upload, finished or not, oldest first.
    pub fn uploads(&self) -> &[StoredMedia] {
        &self.uploads
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

    /// Adds another account's tweet under the ID a test names (one a post
    /// quotes, replies to or reposts), as if posted at `created_at`.
    pub fn insert_others_tweet(
        &mut self,
        id: &str,
        author_id: &str,
        text: &str,
        created_at: Timestamp,
    ) {
        self.insert_others_created(id, author_id, json!({ "text": text }), created_at);
    }

    /// Adds another account's tweet created from this body (a quote of one
    /// of the account's tweets, say), under the ID a test names.
    pub fn insert_others_created(
        &mut self,
        id: &str,
        author_id: &str,
        body: Value,
        created_at: Timestamp,
    ) {
        if let Ok(n) = id.parse::<u64>() {
            self.ids.insert(n);
        }
        self.tweets.push(StoredTweet {
            id: id.to_owned(),
            text: body["text"].as_str().unwrap_or_default().to_owned(),
            author_id: author_id.to_owned(),
            created_at,
            deleted_at: None,
            in_reply_to: body
                .pointer("/reply/in_reply_to_tweet_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body,
        });
    }

    /// Marks `tweet_id` as reposted by the account earlier (by another tool).
    pub fn insert_repost(&mut self, tweet_id: &str) {
        self.reposted.insert(tweet_id.to_owned());
    }

    /// Adds a tweet as if created earlier from this create body (its text,
    /// reply target, quote, media and poll), bypassing limits and checks:
    /// what an interrupted run may have left on the account.
    pub fn insert_created(&mut self, body: Value, created_at: Timestamp) -> String {
        let id = self.new_tweet_id(created_at);
        self.tweets.push(StoredTweet {
            id: id.clone(),
            text: body["text"].as_str().unwrap_or_default().to_owned(),
            author_id: self.behaviour.user.id.clone(),
            created_at,
            deleted_at: None,
            in_reply_to: body
                .pointer("/reply/in_reply_to_tweet_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body,
        });
        id
    }

    /// Adds a finalized, processed upload of `kind` by `owner` (the account's
    /// ID, or another user's), as if uploaded at `uploaded_at`; it expires
    /// [`Behaviour::media_expiry`] later. Returns its media ID.
    pub fn insert_media(&mut self, kind: MediaKind, owner: &str, uploaded_at: Timestamp) -> String {
        let id = self.new_tweet_id(uploaded_at);
        self.insert_media_with_id(&id, kind, owner, uploaded_at);
        id
    }

    /// [`FakeX::insert_media`] under a media ID chosen by the test (one a
    /// tweet body already names), replacing any upload with that ID.
    pub fn insert_media_with_id(
        &mut self,
        id: &str,
        kind: MediaKind,
        owner: &str,
        uploaded_at: Timestamp,
    ) {
        if let Ok(n) = id.parse::<u64>() {
            self.ids.insert(n);
        }
        let expiry = self.behaviour.media_expiry;
        if let Some(mut m) = StoredMedia::new(
            id.to_owned(),
            kind.tweet_category(),
            owner.to_owned(),
            uploaded_at,
            expiry,
        ) {
            m.finalize(uploaded_at, expiry, Duration::ZERO, None);
            self.uploads.retain(|u| u.id != id);
            self.uploads.push(m);
        }
    }

    /// Deletes a tweet as if by hand in X's app. False if unknown or gone.
    pub fn remove_tweet(&mut self, id: &str) -> bool {
        let now = self.now();
        match self.tweets.iter_mut().find(|t| t.id == id && t.is_live()) {
            Some(t) => {
                t.deleted_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// Edits a live tweet as if in X's app: a new version with a new ID and
    /// `text` (the rest of the body kept), which X's timeline shows instead
    /// of the old one; every version answers `edit_history_tweet_ids` with
    /// the whole chain, oldest first. Returns the new ID, or `None` for a
    /// tweet it does not have.
    pub fn edit_tweet(&mut self, id: &str, text: &str) -> Option<String> {
        let now = self.now();
        let old = self
            .tweets
            .iter()
            .find(|t| t.id == id && t.is_live())?
            .clone();
        let new_id = self.new_tweet_id(now);
        let mut body = old.body.clone();
        body["text"] = json!(text);
        self.tweets.push(StoredTweet {
            id: new_id.clone(),
            text: text.to_owned(),
            created_at: now,
            body,
            ..old
        });
        self.add_version(id, &new_id);
        Some(new_id)
    }

    /// Records `new_id` as the newest version of `id`'s chain; returns the
    /// chain, oldest first.
    pub(crate) fn add_version(&mut self, id: &str, new_id: &str) -> Vec<String> {
        let mut chain = self.edit_history(id);
        chain.push(new_id.to_owned());
        for version in &chain {
            self.edits.insert(version.clone(), chain.clone());
        }
        chain
    }

    /// Every version of tweet `id`, oldest first (itself alone if never edited).
    pub fn edit_history(&self, id: &str) -> Vec<String> {
        self.edits
            .get(id)
            .cloned()
            .unwrap_or_else(|| vec![id.to_owned()])
    }

    /// Whether a newer version of tweet `id` exists.
    pub(crate) fn is_superseded(&self, id: &str) -> bool {
        self.edits
            .get(id)
            .is_some_and(|chain| chain.last().is_some_and(|last| last != id))
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

    /// Handles one request.
    pub(crate) fn handle(&mut self, req: &Request<'_>) -> Answer {
        let mut answer = self.handle_inner(req);
        if answer.delay.is_none() {
            answer.delay = self.faults.delay;
        }
        answer
    }

    fn handle_inner(&mut self, req: &Request<'_>) -> Answer {
        let now = self.now();
        self.requests_seen = self.requests_seen.saturating_add(1);
        let Some((endpoint, path_id)) = route(req.method, req.path) else {
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

        if req.body.len() > crate::limits::MAX_BODY_BYTES {
            return self.finish(endpoint, now, Answer::payload_too_large(), None);
        }

        let path_id = path_id.unwrap_or_default();
        let mut answer = match endpoint {
            Endpoint::CreateTweet => self.create(req.body, now),
            Endpoint::DeleteTweet => self.delete(&path_id, &query, now),
            Endpoint::GetTweet => self.get_tweet(&path_id, &query),
            Endpoint::LookupTweets => self.lookup(&query),
            Endpoint::Me => self.me(&query),
            Endpoint::UserTweets => self.user_tweets(&path_id, &query),
            Endpoint::MediaUpload => self.media_upload(req, now),
            Endpoint::MediaStatus => self.media_status(&query, now),
            Endpoint::MediaInitialize => self.media_initialize(req.body, now),
            Endpoint::MediaAppend => self.media_append(&path_id, req, now),
            Endpoint::MediaFinalize => self.media_finalize(&path_id, now),
            Endpoint::MediaMetadata => self.media_metadata(req.body, now),
            Endpoint::Repost => self.repost(&path_id, req.body),
            Endpoint::Unrepost => self.unrepost(&path_id),
        };
        if answer.status < 300 && !answer.drop_connection && self.faults.drop_this(endpoint) {
            answer.drop_connection = true;
            answer.note = Some("took effect, then dropped the connection".into());
        }
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

/// Planned faults ([`crate::faults`]).
impl FakeX {
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

    /// Let the next `n` successful requests to `endpoint` take effect, then
    /// close the connection without answering (an append stored, say).
    pub fn drop_after_commit_on(&mut self, endpoint: Endpoint, n: u32) {
        self.faults.drops.push(Failure {
            endpoint: Some(endpoint),
            status: 0,
            remaining: n,
        });
    }

    /// End the processing of the next `n` GIFs or videos finalized as
    /// `failed`, with X's error.
    pub fn fail_next_processing(&mut self, n: u32) {
        self.faults.failing_processings = n;
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

    /// Run X's clock `skew` ahead of the fake's own (behind if negative).
    pub fn set_skew(&mut self, skew: SignedDuration) {
        self.faults.skew = skew;
    }

    /// Refuse every create of exactly `text` with `status` and X's problem
    /// body carrying `detail` (403 "You are not allowed to create a Tweet
    /// with duplicate content.", say).
    pub fn reject_text(&mut self, text: &str, status: u16, detail: &str) {
        self.faults.rejections.push(Rejection {
            text: text.to_owned(),
            status,
            detail: detail.to_owned(),
        });
    }

    /// Hide tweets younger than `lag` from the timeline; `None` to stop.
    pub fn set_timeline_lag(&mut self, lag: Option<Duration>) {
        self.faults.timeline_lag = lag;
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
            content_type: Some("application/json"),
            caller: Caller::InProcess,
        })
    }

    pub(crate) fn get(f: &mut FakeX, path: &str, query: &str) -> Answer {
        f.handle(&Request {
            method: "GET",
            path,
            query: Some(query),
            body: b"",
            content_type: None,
            caller: Caller::InProcess,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{fake, get, post};

    #[tokio::test(start_paused = true)]
    async fn an_edit_outside_is_a_new_version_every_version_lists() {
        let mut f = fake();
        let first = post(&mut f, r#"{"text":"first"}"#).body["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let second = f.edit_tweet(&first, "second").unwrap();
        let third = f.edit_tweet(&second, "third").unwrap();
        assert!(f.edit_tweet("42", "x").is_none());
        let chain = [first.clone(), second.clone(), third.clone()];
        let ids = chain.join(",");
        let a = get(&mut f, "/2/tweets", &format!("ids={ids}"));
        for (i, t) in a.body["data"].as_array().unwrap().iter().enumerate() {
            assert_eq!(t["id"], chain[i].as_str());
            assert_eq!(t["edit_history_tweet_ids"], serde_json::json!(chain));
        }
        // The timeline shows the newest version only.
        let path = format!("/2/users/{}/tweets", f.user().id);
        let a = get(&mut f, &path, "");
        let texts: Vec<&str> = a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["third"]);
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
    async fn unknown_routes_are_xs_404() {
        let mut f = fake();
        let a = get(&mut f, "/2/nothing", "");
        assert_eq!(a.status, 404);
        assert_eq!(a.body["errors"][0]["code"], 34);
        assert_eq!(post(&mut f, r#"{"text":"x"}"#).status, 201);
        assert_eq!(f.requests_seen(), 2);
    }
}
