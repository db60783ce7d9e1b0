//! Executes a plan against [`crate::api::XApi`], saving the state after every change.
//!
//! The guarantee: each tweet is published exactly once and its ID recorded,
//! whatever fails — a kill at any instant, a connection dropped after X
//! committed a tweet, bursts of 5xx, 429s. It rests on three rules:
//!
//! 1. Before a create is sent, an [`Intent`] (key, index, digest, text,
//!    time) is saved in the state. After X answers, the ID is recorded and
//!    the intent removed in one save. So at any instant the state either
//!    has the ID, or an intent that says "this may have been sent".
//! 2. An intent is settled before anything else is sent for its post: the
//!    account's tweets since the intent are searched for the same text, and
//!    a match is adopted instead of publishing again. A create whose answer
//!    was lost (network error, 5xx) is settled the same way before it is
//!    retried, and so is X's 403 for duplicate content.
//! 3. Deletes are idempotent (a tweet already gone counts as deleted), and
//!    the state is saved after each one.
//!
//! Order: pending intents, then moves (state only), then deletes (and the
//! delete half of replaces), then creates. A thread's tweets after the first
//! reply to the tweet before them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::api::{ApiError, RateInfo, RemoteTweet, XApi};
use crate::budget::{Budget, Kind};
use crate::clock::Clock;
use crate::plan::{Action, Change, Plan, TweetOp};
use crate::post::{Post, Tweet};
use crate::report::{Event, Outcome, PostReport, Report, Scheduled, TweetRef, tweet_url};
use crate::state::{Intent, PostState, PublishedTweet, State, StateError};

/// How an apply behaves; the defaults are the CLI's.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest the apply may wait, from its start, for the budget or a
    /// 429's reset. Work that cannot start by then is deferred.
    pub wait: Duration,
    /// Run deletes and replaces.
    pub allow_destroy: bool,
    /// Attempts per request for network errors and 5xx.
    pub max_attempts: u32,
    /// First backoff after a failed attempt; doubles each time, with jitter.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// 429s tolerated for one request before it is deferred.
    pub max_rate_limited: u32,
    /// Clock difference allowed between us and X when looking for a tweet
    /// an interrupted run may have published.
    pub settle_skew: Duration,
    /// X's timelines lag behind its writes. After X refused a text as a
    /// duplicate of a tweet we may have sent, keep looking this long for it
    /// to appear before leaving the question to the next run.
    pub settle_patience: Duration,
    /// An intent older than this that X's timeline does not show was never
    /// sent (no timeline lags this much) and is forgotten; a younger one is
    /// kept, and its create is sent again under it (X's duplicate answer
    /// then tells that it had been published).
    pub settle_horizon: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            wait: Duration::ZERO,
            allow_destroy: false,
            max_attempts: 5,
            retry_base: Duration::from_millis(500),
            retry_max: Duration::from_secs(30),
            max_rate_limited: 5,
            settle_skew: Duration::from_secs(60),
            settle_patience: Duration::from_secs(180),
            settle_horizon: Duration::from_secs(600),
        }
    }
}

/// Receives one [`Event`] per action as the apply goes.
pub type ProgressSink = Box<dyn FnMut(&Event) + Send>;

/// A destructive change that `apply` refuses without `--allow-destroy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destructive {
    pub key: String,
    pub action: Action,
    pub why: String,
}

/// Why an apply refused to start. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{}", destructive_message(.0))]
    Destructive(Vec<Destructive>),
}

fn destructive_message(list: &[Destructive]) -> String {
    let mut s = String::from(
        "refusing to delete or replace published tweets without --allow-destroy; nothing was changed:",
    );
    for d in list {
        s.push_str(&format!(
            "\n  - {} ({}): {}",
            d.key,
            action_name(d.action),
            d.why
        ));
    }
    s.push_str(
        "\n  = help: review `tweetform plan`, then run `tweetform apply --allow-destroy` (or set `allow_destroy: true` in tweetform.yaml)",
    );
    s
}

/// The action's name as the plan's JSON spells it.
pub fn action_name(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Append => "append",
        Action::Replace => "replace",
        Action::Delete => "delete",
        Action::Move => "move",
        Action::Wait => "wait",
        Action::Unchanged => "unchanged",
    }
}

/// The destructive changes of a plan, with what each would remove.
pub fn destructive_changes(plan: &Plan) -> Vec<Destructive> {
    plan.changes
        .iter()
        .filter(|c| c.destructive || c.action.is_destructive())
        .map(|c| {
            let urls: Vec<String> = c
                .tweets
                .iter()
                .filter(|t| t.op == TweetOp::Delete)
                .filter_map(|t| t.id.as_deref().map(tweet_url))
                .collect();
            let why = match c.action {
                Action::Delete => "its file is gone, so its tweets would be deleted",
                _ => "its content changed, so published tweets would be deleted and posted again",
            };
            Destructive {
                key: c.key.clone(),
                action: c.action,
                why: if urls.is_empty() {
                    why.to_owned()
                } else {
                    format!("{why}: {}", urls.join(" "))
                },
            }
        })
        .collect()
}

/// What the account's timeline says about an intent.
#[derive(Debug)]
enum Found {
    /// A tweet with its text, created after it: the one it sent.
    Ours(String),
    /// Only older tweets with the same text.
    Older,
    Nothing,
}

/// Why a step stopped.
#[derive(Debug)]
enum Halt {
    /// This post fails; the rest of the plan goes on.
    Failed(String),
    /// Not now: the budget or X allows it from this time.
    Deferred(Timestamp, String),
    /// The whole apply stops at once (the state cannot be written).
    Fatal(String),
}

pub struct Executor<A: XApi> {
    api: A,
    clock: Clock,
    state_path: PathBuf,
    budget: Budget,
    options: Options,
    progress: ProgressSink,
    deadline: Timestamp,
    user_id: Option<String>,
    /// Once a kind is out of budget for this run, the rest of it waits too.
    exhausted: HashMap<Kind, (Timestamp, String)>,
    /// Posts whose pending intent could not be settled: nothing more is
    /// sent for them this run.
    blocked: HashMap<String, Halt>,
    rate_limited: u32,
}

impl<A: XApi> Executor<A> {
    /// `budget` is the configured windows; the history comes from the state.
    pub fn new(
        api: A,
        clock: Clock,
        state_path: impl Into<PathBuf>,
        budget: Budget,
        options: Options,
    ) -> Self {
        let wait = SignedDuration::try_from(options.wait).unwrap_or(SignedDuration::MAX);
        let deadline = clock.now().saturating_add(wait).unwrap_or(Timestamp::MAX);
        Executor {
            api,
            clock,
            state_path: state_path.into(),
            budget,
            options,
            progress: Box::new(|_| {}),
            deadline,
            user_id: None,
            exhausted: HashMap::new(),
            blocked: HashMap::new(),
            rate_limited: 0,
        }
    }

    pub fn with_progress(mut self, sink: ProgressSink) -> Self {
        self.progress = sink;
        self
    }

    pub fn api(&self) -> &A {
        &self.api
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Settles the intents an interrupted run left in the state: adopts
    /// each tweet found on X, forgets the others (they were never sent).
    /// Returns whether the state changed. `execute` does this first too;
    /// call it before planning so that the plan sees the adopted tweets.
    pub async fn settle_pending(&mut self, state: &mut State) -> Result<bool, String> {
        self.budget.seed(&state.requests);
        self.settle_all(state).await
    }

    /// Executes `plan`. `posts` supply a tweet's body when the plan lacks it.
    pub async fn execute(
        &mut self,
        plan: &Plan,
        posts: &[Post],
        state: &mut State,
    ) -> Result<Report, Refusal> {
        if !self.options.allow_destroy {
            let d = destructive_changes(plan);
            if !d.is_empty() {
                return Err(Refusal::Destructive(d));
            }
        }
        self.budget.seed(&state.requests);
        let mut report = Report::default();
        let result = self.run(plan, posts, state, &mut report).await;
        if let Err(msg) = result {
            report.aborted = Some(msg);
        }
        report.rate_limited = self.rate_limited;
        Ok(report)
    }

    async fn run(
        &mut self,
        plan: &Plan,
        posts: &[Post],
        state: &mut State,
        report: &mut Report,
    ) -> Result<(), String> {
        self.settle_all(state).await?;

        let changes: Vec<&Change> = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::Wait && c.action != Action::Unchanged)
            .collect();
        report.posts = changes
            .iter()
            .map(|c| PostReport::new(&c.key, c.action, c.from.clone()))
            .collect();
        report.scheduled = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Wait)
            .filter_map(|c| {
                c.publish_at.map(|publish_at| Scheduled {
                    key: c.key.clone(),
                    publish_at,
                })
            })
            .collect();
        report.scheduled.sort_by_key(|s| s.publish_at);

        // A post whose earlier intent could not be settled sends nothing.
        for (i, c) in changes.iter().enumerate() {
            if let Some(halt) = self.blocked.get(&c.key) {
                let halt = match halt {
                    Halt::Failed(m) => Halt::Failed(m.clone()),
                    Halt::Deferred(t, m) => Halt::Deferred(*t, m.clone()),
                    Halt::Fatal(m) => Halt::Fatal(m.clone()),
                };
                self.settle_outcome(&mut report.posts[i], Err(halt))?;
            }
        }

        for (i, c) in changes.iter().enumerate() {
            if c.action == Action::Move && report.posts[i].is_done() {
                let r = self.apply_move(state, c);
                self.settle_outcome(&mut report.posts[i], r)?;
            }
        }

        for (i, c) in changes.iter().enumerate() {
            if !report.posts[i].is_done() {
                continue;
            }
            let mut deletes: Vec<_> = c
                .tweets
                .iter()
                .filter(|t| t.op == TweetOp::Delete)
                .collect();
            // The end of a thread first, so an interrupted delete leaves a
            // readable thread.
            deletes.sort_by_key(|t| std::cmp::Reverse(t.index));
            for t in deletes {
                let Some(id) = t.id.as_deref() else {
                    let r = Err(Halt::Failed(format!(
                        "the plan has no tweet ID for tweet {} to delete; run `tweetform plan` again",
                        t.index + 1
                    )));
                    self.settle_outcome(&mut report.posts[i], r)?;
                    break;
                };
                match self.delete_tweet(state, &c.key, id).await {
                    Ok(already) => {
                        let tweet = TweetRef::new(t.index, id, already);
                        self.emit(Event::Deleted {
                            key: c.key.clone(),
                            tweet: tweet.clone(),
                        });
                        report.posts[i].deleted.push(tweet);
                    }
                    Err(h) => {
                        self.settle_outcome(&mut report.posts[i], Err(h))?;
                        break;
                    }
                }
            }
        }

        for (i, c) in changes.iter().enumerate() {
            if !report.posts[i].is_done() {
                continue;
            }
            let mut creates: Vec<_> = c
                .tweets
                .iter()
                .filter(|t| t.op == TweetOp::Create)
                .collect();
            creates.sort_by_key(|t| t.index);
            for t in creates {
                let body = match t
                    .body
                    .clone()
                    .or_else(|| body_from_posts(posts, &c.key, t.index))
                {
                    Some(b) => b,
                    None => {
                        let r = Err(Halt::Failed(format!(
                            "the plan carries no body for tweet {}; run `tweetform plan` again",
                            t.index + 1
                        )));
                        self.settle_outcome(&mut report.posts[i], r)?;
                        break;
                    }
                };
                match self
                    .create_tweet(state, &c.key, t.index, &t.digest, &body)
                    .await
                {
                    Ok((tweet, fresh)) => {
                        if fresh {
                            self.emit(Event::Published {
                                key: c.key.clone(),
                                tweet: tweet.clone(),
                            });
                        }
                        report.posts[i].published.push(tweet);
                    }
                    Err(h) => {
                        self.settle_outcome(&mut report.posts[i], Err(h))?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Records a step's failure or deferral on its post. A fatal halt stops the run.
    fn settle_outcome(&mut self, post: &mut PostReport, r: Result<(), Halt>) -> Result<(), String> {
        match r {
            Ok(()) => Ok(()),
            Err(Halt::Failed(reason)) => {
                self.emit(Event::Failed {
                    key: post.key.clone(),
                    reason: reason.clone(),
                });
                post.outcome = Outcome::Failed { reason };
                Ok(())
            }
            Err(Halt::Deferred(earliest, reason)) => {
                self.emit(Event::Deferred {
                    key: post.key.clone(),
                    earliest,
                });
                post.outcome = Outcome::Deferred { earliest, reason };
                Ok(())
            }
            Err(Halt::Fatal(msg)) => Err(msg),
        }
    }

    fn emit(&mut self, e: Event) {
        (self.progress)(&e)
    }

    fn apply_move(&mut self, state: &mut State, c: &Change) -> Result<(), Halt> {
        let Some(from) = c.from.as_deref() else {
            return Err(Halt::Failed(
                "the plan's move names no previous key; run `tweetform plan` again".into(),
            ));
        };
        if state.posts.contains_key(&c.key) {
            return Err(Halt::Failed(format!(
                "cannot move {from} to {}: the state already has tweets under {}",
                c.key, c.key
            )));
        }
        let Some(tweets) = state.posts.remove(from) else {
            return Err(Halt::Failed(format!(
                "cannot move {from} to {}: the state has nothing under {from}; run `tweetform plan` again",
                c.key
            )));
        };
        state.posts.insert(c.key.clone(), tweets);
        self.save(state).map_err(|e| Halt::Fatal(e.to_string()))?;
        self.emit(Event::Moved {
            from: from.to_owned(),
            to: c.key.clone(),
        });
        Ok(())
    }

    /// Saves the state with the request history; `Err` is for a fatal halt.
    fn save(&mut self, state: &mut State) -> Result<(), StateError> {
        self.budget.prune(self.clock.now());
        state.requests = self.budget.log();
        persist(state, &self.state_path)
    }

    /// Waits (within `--wait`) until the budget allows a request of `kind`,
    /// and counts it.
    async fn spend(&mut self, kind: Kind) -> Result<(), Halt> {
        if let Some((t, why)) = self.exhausted.get(&kind) {
            return Err(Halt::Deferred(*t, why.clone()));
        }
        let now = self.clock.now();
        let t = self.budget.earliest(kind, now);
        if t > now {
            let windows: Vec<String> = self
                .budget
                .windows(kind)
                .iter()
                .map(|w| w.to_string())
                .collect();
            let why = if windows.is_empty() {
                format!("X's rate limit for {kind}s")
            } else {
                format!(
                    "rate budget for {kind}s ({}) or X's limit",
                    windows.join(", ")
                )
            };
            self.pause_until(t, &why).await.inspect_err(|_| {
                self.exhausted.insert(kind, (t, why.clone()));
            })?;
        }
        self.budget.record(kind, self.clock.now());
        Ok(())
    }

    /// Sleeps until `t` if that is within `--wait`, else defers.
    async fn pause_until(&mut self, t: Timestamp, why: &str) -> Result<(), Halt> {
        if t <= self.clock.now() {
            return Ok(());
        }
        if t > self.deadline {
            return Err(Halt::Deferred(t, why.to_owned()));
        }
        self.emit(Event::Pausing {
            until: t,
            reason: why.to_owned(),
        });
        self.clock.sleep_until(t).await;
        Ok(())
    }

    async fn backoff(&mut self, what: &str, attempt: u32, error: &ApiError) {
        let exp = self
            .options
            .retry_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let cap = exp.min(self.options.retry_max);
        // "Equal jitter": at least half the backoff, so retries do spread out.
        let half = cap / 2;
        let jitter = if half.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(rand::random_range(0..=half.as_nanos() as u64))
        };
        self.emit(Event::Retrying {
            what: what.to_owned(),
            attempt: attempt + 1,
            error: error.to_string(),
        });
        self.clock.sleep(half + jitter).await;
    }

    /// What to do after a read (account, timeline) failed: `Ok` to retry.
    async fn read_error(
        &mut self,
        what: &str,
        error: ApiError,
        rate: RateInfo,
        attempt: u32,
        limited: &mut u32,
    ) -> Result<(), Halt> {
        match error {
            ApiError::RateLimited { rate: r } => {
                self.rate_limited += 1;
                *limited += 1;
                let now = self.clock.now();
                let reset = r
                    .window
                    .or(rate.window)
                    .filter(|w| w.reset > now)
                    .map(|w| w.reset + SignedDuration::from_secs(1))
                    .unwrap_or(now + SignedDuration::from_mins(15));
                if *limited > self.options.max_rate_limited {
                    return Err(Halt::Deferred(
                        reset,
                        format!("X keeps refusing {what} (429)"),
                    ));
                }
                self.pause_until(reset, &format!("X's rate limit for {what}"))
                    .await
            }
            e if e.is_retryable() && attempt < self.options.max_attempts => {
                self.backoff(what, attempt, &e).await;
                Ok(())
            }
            e => Err(match refused(e) {
                Halt::Failed(m) => Halt::Failed(format!("{what}: {m}")),
                other => other,
            }),
        }
    }

    async fn user_id(&mut self) -> Result<String, Halt> {
        if let Some(id) = &self.user_id {
            return Ok(id.clone());
        }
        let (mut attempt, mut limited) = (0, 0);
        loop {
            attempt += 1;
            match self.api.me().await {
                Ok(r) => {
                    self.user_id = Some(r.value.clone());
                    return Ok(r.value);
                }
                Err((e, rate)) => {
                    self.read_error("looking up the account", e, rate, attempt, &mut limited)
                        .await?
                }
            }
        }
    }

    async fn timeline(&mut self, since: Timestamp) -> Result<Vec<RemoteTweet>, Halt> {
        let user = self.user_id().await?;
        let (mut attempt, mut limited) = (0, 0);
        loop {
            attempt += 1;
            match self.api.user_tweets(&user, since).await {
                Ok(r) => return Ok(r.value),
                Err((e, rate)) => {
                    self.read_error(
                        "reading the account's recent tweets",
                        e,
                        rate,
                        attempt,
                        &mut limited,
                    )
                    .await?
                }
            }
        }
    }

    /// Looks for the tweet an intent may have published: same text,
    /// created after the intent, not already recorded for another post.
    /// `wide` also looks a month back, to tell an older tweet with the same
    /// text (why X would refuse a duplicate) from ours not yet visible.
    async fn find(&mut self, state: &State, intent: &Intent, wide: bool) -> Result<Found, Halt> {
        let skew = SignedDuration::try_from(self.options.settle_skew).unwrap_or_default();
        let since = intent.at.saturating_sub(skew).unwrap_or(intent.at);
        let from = if wide {
            since
                .saturating_sub(SignedDuration::from_hours(30 * 24))
                .unwrap_or(since)
        } else {
            since
        };
        let mut found = self.timeline(from).await?;
        let known: HashSet<&str> = state
            .posts
            .values()
            .flat_map(|p| p.tweets.iter().map(|t| t.id.as_str()))
            .collect();
        found.retain(|t| same_text(&t.text, &intent.text) && !known.contains(t.id.as_str()));
        // The oldest match after the intent is the one closest to it.
        found.sort_by_key(|t| t.created_at);
        let ours = found
            .iter()
            .find(|t| t.created_at.is_none_or(|c| c >= since))
            .map(|t| t.id.clone());
        Ok(match ours {
            Some(id) => Found::Ours(id),
            None if !found.is_empty() => Found::Older,
            None => Found::Nothing,
        })
    }

    /// After X refused a text as a duplicate: look until ours shows up (the
    /// timeline lags), an older tweet with the text explains the refusal,
    /// or patience runs out.
    async fn find_patiently(&mut self, state: &State, intent: &Intent) -> Result<Found, Halt> {
        let mut waited = Duration::ZERO;
        let mut delay = self.options.retry_base.max(Duration::from_millis(100));
        loop {
            let found = self.find(state, intent, true).await?;
            if !matches!(found, Found::Nothing) || waited >= self.options.settle_patience {
                return Ok(found);
            }
            self.clock.sleep(delay).await;
            waited += delay;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }

    /// Settles every pending intent: adopts each tweet found on X, forgets
    /// old intents that X does not show (never sent), and keeps young ones
    /// for their create to be sent again under them.
    async fn settle_all(&mut self, state: &mut State) -> Result<bool, String> {
        let mut changed = false;
        let horizon = SignedDuration::try_from(self.options.settle_horizon).unwrap_or_default();
        for intent in state.pending.clone() {
            match self.find(state, &intent, false).await {
                Ok(Found::Ours(id)) => {
                    self.record_published(state, &intent, &id)
                        .map_err(|h| halt_message(&h))?;
                    let tweet = TweetRef::new(intent.index, &id, true);
                    self.emit(Event::Published {
                        key: intent.key.clone(),
                        tweet,
                    });
                    changed = true;
                }
                Ok(_) if self.clock.now().duration_since(intent.at) > horizon => {
                    state.pending.retain(|i| i != &intent);
                    self.save(state).map_err(|e| {
                        format!("{e}\n  = help: nothing was sent; run `tweetform apply` again")
                    })?;
                    changed = true;
                }
                Ok(_) => {}
                Err(Halt::Fatal(m)) => return Err(m),
                Err(h) => {
                    let h = match h {
                        Halt::Failed(m) => Halt::Failed(format!(
                            "could not check whether an interrupted run published tweet {} ({m}); the next apply will check again",
                            intent.index + 1
                        )),
                        other => other,
                    };
                    self.blocked.insert(intent.key.clone(), h);
                }
            }
        }
        Ok(changed)
    }

    /// Records a published tweet and clears its intent, in one save.
    fn record_published(
        &mut self,
        state: &mut State,
        intent: &Intent,
        id: &str,
    ) -> Result<(), Halt> {
        let tweet = PublishedTweet {
            id: id.to_owned(),
            text: intent.text.clone(),
            digest: intent.digest.clone(),
            published_at: Some(self.clock.now()),
        };
        let post = state
            .posts
            .entry(intent.key.clone())
            .or_insert_with(|| PostState { tweets: Vec::new() });
        let at = intent.index.min(post.tweets.len());
        post.tweets.insert(at, tweet);
        state
            .pending
            .retain(|i| !(i.key == intent.key && i.index == intent.index));
        self.save(state).map_err(|e| {
            Halt::Fatal(format!(
                "X published {} for {} but the state could not be written: {e}\n  = help: fix the problem and run `tweetform apply` again: it will find the tweet on X and record it",
                tweet_url(id),
                intent.key
            ))
        })
    }

    /// Publishes one tweet exactly once. Returns the tweet and whether this
    /// call sent it (false when it was already recorded).
    async fn create_tweet(
        &mut self,
        state: &mut State,
        key: &str,
        index: usize,
        digest: &str,
        body: &Tweet,
    ) -> Result<(TweetRef, bool), Halt> {
        let recorded = state.posts.get(key).map_or(&[][..], |p| &p.tweets[..]);
        if let Some(t) = recorded.get(index) {
            if t.digest == digest {
                // Adopted from an interrupted run while settling intents.
                return Ok((TweetRef::new(index, &t.id, true), false));
            }
            return Err(Halt::Failed(format!(
                "the state already has a different tweet {} for this post (it changed since the plan was made); run `tweetform apply` again",
                index + 1
            )));
        }
        if recorded.len() != index {
            return Err(Halt::Failed(format!(
                "tweet {} cannot be published before tweet {}; run `tweetform apply` again",
                index + 1,
                recorded.len() + 1
            )));
        }
        let prev = index
            .checked_sub(1)
            .and_then(|i| recorded.get(i))
            .map(|t| t.id.clone());
        let json = body.request_body(prev.as_deref());
        let what = format!("publishing {key} tweet {}", index + 1);

        // An intent kept from an interrupted run: send under it, so that
        // X's duplicate answer is recognised as that run's tweet.
        let mut intent: Option<Intent> = None;
        if let Some(old) = state
            .pending
            .iter()
            .find(|i| i.key == key && i.index == index)
        {
            if old.digest != digest {
                return Err(Halt::Failed(format!(
                    "an interrupted run may have published another version of tweet {} a moment ago, and X does not show it yet; run `tweetform apply` again in a few minutes",
                    index + 1
                )));
            }
            intent = Some(old.clone());
        }
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Kind::Create).await?;
            let current = match &intent {
                Some(i) => i.clone(),
                None => {
                    let i = Intent {
                        key: key.to_owned(),
                        index,
                        digest: digest.to_owned(),
                        text: body.text.clone(),
                        at: self.clock.now(),
                    };
                    state.pending.push(i.clone());
                    intent = Some(i.clone());
                    i
                }
            };
            // The intent (and this request's time) reach the disk before the request.
            self.save(state).map_err(|e| {
                Halt::Fatal(format!(
                    "{e}\n  = help: nothing was sent for {key}; fix the problem and run `tweetform apply` again"
                ))
            })?;
            attempt += 1;
            match self.api.create_tweet(&json).await {
                Ok(r) => {
                    self.budget.learn(Kind::Create, &r.rate);
                    self.record_published(state, &current, &r.value.id)?;
                    return Ok((TweetRef::new(index, &r.value.id, false), true));
                }
                Err((ApiError::RateLimited { rate }, headers)) => {
                    self.rate_limited += 1;
                    limited += 1;
                    let now = self.clock.now();
                    self.budget
                        .learn_refusal(Kind::Create, &merge(rate, headers), now);
                    if limited > self.options.max_rate_limited {
                        let t = self.budget.earliest(Kind::Create, now);
                        return Err(Halt::Deferred(t, "X keeps answering 429".into()));
                    }
                    // Not sent; `spend` waits for the reset or defers.
                }
                Err((ApiError::Duplicate { detail }, rate)) => {
                    self.budget.learn(Kind::Create, &rate);
                    // Either an earlier attempt did publish it (adopt), or
                    // the account has an older tweet with this text.
                    match self.find_patiently(state, &current).await? {
                        Found::Ours(id) => {
                            self.record_published(state, &current, &id)?;
                            return Ok((TweetRef::new(index, &id, true), true));
                        }
                        Found::Older => {
                            self.drop_intent(state, &current)?;
                            return Err(Halt::Failed(format!(
                                "X refused the text as a duplicate (\"{detail}\"): the account already has an older tweet with the same text\n  = help: change the text, or delete the older tweet"
                            )));
                        }
                        Found::Nothing => {
                            // Ours, most likely, but not visible yet: the
                            // intent stays for the next run to settle.
                            return Err(Halt::Failed(format!(
                                "X refused the text as a duplicate (\"{detail}\") but no tweet with it is visible on the account yet; the next apply will check again"
                            )));
                        }
                    }
                }
                Err((e, rate)) if e.is_retryable() => {
                    self.budget.learn(Kind::Create, &rate);
                    // The request may have reached X: look before sending again.
                    match self.find(state, &current, false).await {
                        Ok(Found::Ours(id)) => {
                            self.record_published(state, &current, &id)?;
                            return Ok((TweetRef::new(index, &id, true), true));
                        }
                        Ok(_) => {}
                        Err(Halt::Failed(m)) => {
                            return Err(Halt::Failed(format!(
                                "{e}; could not check whether X published it ({m}); the next apply will check again"
                            )));
                        }
                        Err(h) => return Err(h),
                    }
                    if attempt >= self.options.max_attempts {
                        // The intent stays: a late-appearing tweet is adopted next run.
                        return Err(Halt::Failed(format!(
                            "{e} (gave up after {attempt} attempts)"
                        )));
                    }
                    self.backoff(&what, attempt, &e).await;
                }
                Err((e, rate)) => {
                    self.budget.learn(Kind::Create, &rate);
                    self.drop_intent(state, &current)?;
                    return Err(refused(e));
                }
            }
        }
    }

    /// X did not publish it: forget the intent.
    fn drop_intent(&mut self, state: &mut State, intent: &Intent) -> Result<(), Halt> {
        state.pending.retain(|i| i != intent);
        self.save(state).map_err(|e| Halt::Fatal(e.to_string()))
    }

    /// Deletes one tweet; `Ok(true)` when it was already gone.
    async fn delete_tweet(&mut self, state: &mut State, key: &str, id: &str) -> Result<bool, Halt> {
        let what = format!("deleting {}", tweet_url(id));
        let (mut attempt, mut limited) = (0, 0);
        let already = loop {
            self.spend(Kind::Delete).await?;
            // Save the request's time first, so a kill cannot hide it from the budget.
            self.save(state).map_err(|e| Halt::Fatal(e.to_string()))?;
            attempt += 1;
            match self.api.delete_tweet(id).await {
                Ok(r) => {
                    self.budget.learn(Kind::Delete, &r.rate);
                    break !r.value;
                }
                Err((ApiError::NotFound { .. }, rate)) => {
                    self.budget.learn(Kind::Delete, &rate);
                    break true;
                }
                Err((ApiError::RateLimited { rate }, headers)) => {
                    self.rate_limited += 1;
                    limited += 1;
                    let now = self.clock.now();
                    self.budget
                        .learn_refusal(Kind::Delete, &merge(rate, headers), now);
                    if limited > self.options.max_rate_limited {
                        let t = self.budget.earliest(Kind::Delete, now);
                        return Err(Halt::Deferred(t, "X keeps answering 429".into()));
                    }
                }
                Err((e, rate)) if e.is_retryable() && attempt < self.options.max_attempts => {
                    self.budget.learn(Kind::Delete, &rate);
                    self.backoff(&what, attempt, &e).await;
                }
                Err((e, rate)) => {
                    self.budget.learn(Kind::Delete, &rate);
                    return Err(match refused(e) {
                        Halt::Failed(m) => Halt::Failed(format!("{what}: {m}")),
                        other => other,
                    });
                }
            }
        };
        if let Some(post) = state.posts.get_mut(key) {
            post.tweets.retain(|t| t.id != id);
            if post.tweets.is_empty() {
                state.posts.remove(key);
            }
        }
        self.save(state).map_err(|e| {
            Halt::Fatal(format!(
                "{} was deleted but the state could not be written: {e}\n  = help: fix the problem and run `tweetform apply` again (deleting a tweet that is gone counts as done)",
                tweet_url(id)
            ))
        })?;
        Ok(already)
    }
}

/// A request X refused for good. Bad credentials stop the whole apply:
/// every other request would be refused the same way.
fn refused(e: ApiError) -> Halt {
    match e {
        ApiError::Unauthorized { .. } => Halt::Fatal(format!(
            "{e}\n  = help: check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET (the app needs Read and Write permissions; regenerate the access token after changing them)"
        )),
        e => Halt::Failed(e.to_string()),
    }
}

fn halt_message(h: &Halt) -> String {
    match h {
        Halt::Failed(m) | Halt::Fatal(m) | Halt::Deferred(_, m) => m.clone(),
    }
}

/// A 429's rate info may come in the error or beside it; prefer the error's.
fn merge(a: RateInfo, b: RateInfo) -> RateInfo {
    RateInfo {
        window: a.window.or(b.window),
        user_24h: a.user_24h.or(b.user_24h),
    }
}

fn body_from_posts(posts: &[Post], key: &str, index: usize) -> Option<Tweet> {
    posts
        .iter()
        .find(|p| p.key == key)
        .and_then(|p| p.tweets.get(index))
        .cloned()
}

/// Whether a tweet from X has the text we sent. X returns URLs rewritten as
/// t.co links (and appends one for attached media) and escapes `&`, `<`,
/// `>` as HTML entities, so URLs are left out of the comparison and
/// entities decoded.
pub fn same_text(remote: &str, sent: &str) -> bool {
    fn normalise(s: &str) -> Vec<String> {
        let s = s
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        s.split_whitespace()
            .filter(|w| !(w.starts_with("http://") || w.starts_with("https://")))
            .map(str::to_owned)
            .collect()
    }
    normalise(remote) == normalise(sent)
}

/// Writes the state atomically with its serial increased.
fn persist(state: &mut State, path: &Path) -> Result<(), StateError> {
    state.save(path)
}

#[cfg(test)]
mod tests;
