//! Executes a plan against [`crate::api::XApi`], saving the state after every change.
//!
//! The guarantee: each tweet is published exactly once and its ID recorded,
//! whatever fails — a kill at any instant, a connection dropped after X
//! committed a tweet, bursts of 5xx, 429s. It rests on three rules:
//!
//! 1. Before a create is sent, an [`Intent`](crate::state::Intent) (key, index, digest, text,
//!    time) is saved in the state. After X answers, the ID is recorded and
//!    the intent removed in one save. So at any instant the state either
//!    has the ID, or an intent that says "this may have been sent".
//! 2. An intent is settled before anything else is sent for its post: the
//!    account's tweets since the intent are searched for the same content
//!    (text, reply target, quote, poll, media), and a match is adopted
//!    instead of publishing again. A create whose answer
//!    was lost (network error, 5xx) is settled the same way before it is
//!    retried, and so is X's 403 for duplicate content.
//! 3. Deletes are idempotent (a tweet already gone counts as deleted), and
//!    the state is saved after each one.
//!
//! Order: pending intents, then moves (state only), then deletes (and the
//! delete half of replaces), then creates. A thread's tweets after the first
//! reply to the tweet before them. Without `allow_destroy`, deletes and
//! replaces are held (listed in the report) and the rest runs. A post's
//! repost goes with the creates, its undo with the deletes
//! (`executor/reposts.rs`). Once a
//! signal raised the [`Interrupt`] flag, no request starts.
//!
//! This file is the run: it walks the plan, reports and persists. Settling
//! intents is `executor/settle.rs`; sending a request under the budget,
//! with retries and 429s, is one loop in `executor/request.rs`, which the
//! create and the delete of `executor/tweets.rs` both go through (the reads
//! too, under their own budget); why a step stopped, and the words for it,
//! are `executor/halt.rs`; the options an apply takes are
//! `executor/options.rs`; a post X refused for good, recorded so that its
//! content is not sent again, is `executor/refused.rs`; media uploaded just
//! before their tweet are `executor/media.rs`; reposts, edits' recovery and
//! the reads of `--refresh` and `import` have their files beside them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::api::XApi;
use crate::budget::{Budget, Endpoint};
use crate::clock::Clock;
use crate::interrupt::Interrupt;
use crate::plan::{Action, Change, Plan, TweetChange, TweetOp};
use crate::post::Tweet;
use crate::problem::Problem;
use crate::progress::Event;
use crate::report::{Held, Outcome, PostReport, Recovered, Report, Scheduled, TweetRef};
use crate::state::{State, StateError};

mod halt;
mod media;
mod options;
mod reads;
mod refresh;
mod refused;
mod reposts;
mod request;
mod settle;
mod tweets;

pub use halt::Fatal;
use halt::{Deferral, Failure, Halt};
pub use options::ApplyOptions;
pub use settle::same_text;

/// Receives one [`Event`] per action as the apply goes.
pub(crate) type ProgressSink = Box<dyn FnMut(&Event) + Send>;

/// A destructive change of the plan, held: why, and what it would delete.
fn held(c: &Change) -> Held {
    let undone = c.tweets.iter().find_map(|t| match &t.op {
        TweetOp::Unrepost { tweet_id } => Some(tweet_id),
        _ => None,
    });
    let reason = match undone {
        Some(id) => format!(
            "its repost of {} would be undone",
            crate::text::tweet_url(id)
        ),
        None => halt::why_destructive(c.action).to_owned(),
    };
    Held {
        key: c.key.clone(),
        action: c.action,
        reason,
        deletes: c
            .tweets
            .iter()
            .filter(|t| t.is_delete())
            .filter_map(|t| t.id().map(|id| TweetRef::new(t.index, id, false)))
            .collect(),
    }
}

pub struct Executor<A: XApi> {
    api: A,
    clock: Clock,
    state_path: PathBuf,
    budget: Budget,
    options: ApplyOptions,
    progress: ProgressSink,
    deadline: Timestamp,
    /// The account, from the state or asked of X once.
    user_id: Option<String>,
    /// Whether the budget and the account were read from the state: once
    /// per run, so that what this run learnt is not forgotten.
    seeded: bool,
    /// Once an endpoint is out of budget for this run, the rest of it waits too.
    exhausted: HashMap<Endpoint, (Timestamp, Deferral)>,
    /// Posts whose pending intent could not be settled: nothing more is
    /// sent for them this run.
    blocked: HashMap<String, Halt>,
    rate_limited: u32,
    /// Raised by SIGINT or SIGTERM: no request starts after it.
    interrupt: Interrupt,
    /// The account's timeline as read in this run, for settling.
    recovery: settle::Recovery,
    /// What settling found on X and recorded, for the report.
    recovered: Vec<(String, TweetRef)>,
    /// The project root, which media files' paths start from.
    media_root: PathBuf,
    /// What recent requests cost, against the spend window.
    spend: crate::spend::SpendLane,
    /// What this run sent that X charges for, for the report.
    spent: crate::cost::Spent,
}

impl<A: XApi> Executor<A> {
    /// The edit rules this executor's plans are made with.
    pub fn edits(&self) -> crate::plan::Edits {
        self.options.edits
    }

    /// `budget` is the configured windows; the history comes from the state.
    pub fn new(
        api: A,
        clock: Clock,
        state_path: impl Into<PathBuf>,
        budget: Budget,
        options: ApplyOptions,
    ) -> Self {
        let wait = SignedDuration::try_from(options.wait).unwrap_or(SignedDuration::MAX);
        let started = clock.now();
        let deadline = started.saturating_add(wait).unwrap_or(Timestamp::MAX);
        let spend = crate::spend::SpendLane::new(options.spend);
        Executor {
            api,
            clock,
            state_path: state_path.into(),
            budget,
            options,
            progress: Box::new(|_| {}),
            deadline,
            user_id: None,
            seeded: false,
            exhausted: HashMap::new(),
            blocked: HashMap::new(),
            rate_limited: 0,
            interrupt: Interrupt::default(),
            recovery: settle::Recovery::new(started),
            recovered: Vec::new(),
            media_root: PathBuf::from("."),
            spend,
            spent: crate::cost::Spent::default(),
        }
    }

    /// The prices requests are counted at.
    pub(crate) fn prices(&self) -> &crate::cost::Prices {
        &self.options.prices
    }

    /// Where media files' paths start from: the project root.
    pub fn with_media_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.media_root = root.into();
        self
    }

    /// Stops the apply between two requests once `interrupt` is raised.
    pub(crate) fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self
    }

    pub(crate) fn with_progress(mut self, sink: ProgressSink) -> Self {
        self.progress = sink;
        self
    }

    pub fn api(&self) -> &A {
        &self.api
    }

    pub fn options(&self) -> &ApplyOptions {
        &self.options
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Settles the intents an interrupted run left in the state: adopts
    /// each tweet found on X, forgets old ones X does not show (never sent),
    /// keeps young ones (X's timeline may lag; their create is sent again
    /// under them, and a duplicate answer then settles them). Returns
    /// whether the state changed. `execute` does this first too;
    /// call it before planning so that the plan sees the adopted tweets.
    pub(crate) async fn settle_pending(&mut self, state: &mut State) -> Result<bool, Fatal> {
        self.seed(state);
        self.settle_all(state).await
    }

    /// Executes `plan`. Without `allow_destroy`, its destructive changes
    /// are held (listed in the report) and the rest runs.
    pub async fn execute(&mut self, plan: &Plan, state: &mut State) -> Report {
        self.seed(state);
        let mut report = Report::default();
        let result = self.run(plan, state, &mut report).await;
        match result {
            Ok(()) => {}
            Err(Fatal::Interrupted(signal)) => report.interrupted = Some(signal.name().to_owned()),
            Err(fatal) => report.aborted = Some(Problem::from(&fatal)),
        }
        report.rate_limited = self.rate_limited;
        report.spent = self.spent.clone();
        // A tweet settled before the plan was made is in no change of it:
        // without this, the summary would say nothing was done.
        let reported: HashSet<(&str, usize)> =
            report.published().map(|(k, t)| (k, t.index)).collect();
        let recovered = self
            .recovered
            .iter()
            .filter(|(k, t)| !reported.contains(&(k.as_str(), t.index)))
            .map(|(key, tweet)| Recovered {
                key: key.clone(),
                tweet: tweet.clone(),
            })
            .collect();
        report.recovered = recovered;
        report
    }

    /// `Err` once a signal asked the apply to stop: checked before each request.
    fn check_interrupt(&self) -> Result<(), Fatal> {
        match self.interrupt.signal() {
            Some(signal) => Err(Fatal::Interrupted(signal)),
            None => Ok(()),
        }
    }

    /// Sleeps for `d`, or less when interrupted meanwhile.
    async fn nap(&self, d: Duration) {
        tokio::select! {
            () = self.clock.sleep(d) => {}
            () = self.interrupt.raised() => {}
        }
    }

    /// Sleeps until `t`, or less when interrupted meanwhile.
    async fn nap_until(&self, t: Timestamp) {
        tokio::select! {
            () = self.clock.sleep_until(t) => {}
            () = self.interrupt.raised() => {}
        }
    }

    async fn run(
        &mut self,
        plan: &Plan,
        state: &mut State,
        report: &mut Report,
    ) -> Result<(), Fatal> {
        let allow_destroy = self.options.allow_destroy;
        let hold = |c: &Change| c.destructive() && !allow_destroy;
        report.held = plan.changes.iter().filter(|c| hold(c)).map(held).collect();

        self.check_interrupt()?;
        self.settle_all(state).await?;
        self.forget_stale_refusals(plan, state);
        self.forget_expired_uploads(state);

        // Waiting posts, content X refused and held destructive changes send nothing.
        let changes: Vec<&Change> = plan
            .changes
            .iter()
            .filter(|c| c.is_applied() && !hold(c))
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
        report.refused = refused::not_sent(plan);

        // A post whose earlier intent could not be settled sends nothing.
        for (i, c) in changes.iter().enumerate() {
            if let Some(halt) = self.blocked.remove(&c.key) {
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
            let mut deletes: Vec<(usize, &str)> = c
                .tweets
                .iter()
                .filter_map(|t| match &t.op {
                    TweetOp::Delete { id } => Some((t.index, id.as_str())),
                    _ => None,
                })
                .collect();
            // The end of a thread first, so an interrupted delete leaves a
            // readable thread.
            deletes.sort_by_key(|&(index, _)| std::cmp::Reverse(index));
            if let Some(t) = c
                .tweets
                .iter()
                .find(|t| matches!(t.op, TweetOp::Unrepost { .. }))
                && let Some(tweet_id) = t.reposted()
            {
                match self.unrepost(state, &c.key, tweet_id).await {
                    Ok(already) => {
                        let tweet = TweetRef::new(t.index, tweet_id, already);
                        self.emit(Event::Reposted {
                            key: c.key.clone(),
                            tweet: tweet.clone(),
                            undone: true,
                        });
                        report.posts[i].deleted.push(tweet);
                    }
                    Err(h) => {
                        self.settle_outcome(&mut report.posts[i], Err(h))?;
                        continue;
                    }
                }
            }
            for (index, id) in deletes {
                match self.delete_tweet(state, &c.key, id).await {
                    Ok(already) => {
                        let tweet = TweetRef::new(index, id, already);
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
            // Creates and edits in thread order; an edit names its tweet.
            let mut creates: Vec<(&TweetChange, &Tweet, Option<&str>)> = c
                .tweets
                .iter()
                .filter_map(|t| match &t.op {
                    TweetOp::Create { body, .. } => Some((t, body, None)),
                    TweetOp::Edit {
                        body, previous_id, ..
                    } => Some((t, body, Some(previous_id.as_str()))),
                    _ => None,
                })
                .collect();
            creates.sort_by_key(|(t, _, _)| t.index);
            if let Some(t) = c
                .tweets
                .iter()
                .find(|t| matches!(t.op, TweetOp::Repost { .. }))
                && let Some(tweet_id) = t.reposted()
            {
                match self.repost(state, &c.key, tweet_id).await {
                    Ok(already) => {
                        let tweet = TweetRef::new(t.index, tweet_id, already);
                        if !already {
                            self.emit(Event::Reposted {
                                key: c.key.clone(),
                                tweet: tweet.clone(),
                                undone: false,
                            });
                        }
                        report.posts[i].published.push(tweet);
                    }
                    Err(h) => {
                        self.record_refusal(state, c, t.index, &h)?;
                        self.settle_outcome(&mut report.posts[i], Err(h))?;
                        continue;
                    }
                }
            }
            let of = c.tweets.iter().filter(|t| !t.is_removal()).count();
            for (t, body, edits) in creates {
                let position = (t.index, of);
                let sent = match edits {
                    Some(previous) => {
                        self.edit_tweet(state, &c.key, position, &t.digest, body, previous)
                            .await
                    }
                    None => {
                        self.create_tweet(state, &c.key, position, &t.digest, body)
                            .await
                    }
                };
                match sent {
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
                        self.record_refusal(state, c, t.index, &h)?;
                        self.settle_outcome(&mut report.posts[i], Err(h))?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Records a step's failure or deferral on its post. A fatal halt stops the run.
    fn settle_outcome(&mut self, post: &mut PostReport, r: Result<(), Halt>) -> Result<(), Fatal> {
        match r {
            Ok(()) => Ok(()),
            Err(Halt::Failed(failure)) => {
                let problem = Problem::from(&failure);
                let reason = problem.to_string();
                self.emit(Event::Failed {
                    key: post.key.clone(),
                    reason: reason.clone(),
                });
                post.outcome = Outcome::Failed {
                    reason,
                    help: problem.help().map(str::to_owned),
                };
                Ok(())
            }
            Err(Halt::Deferred(earliest, why)) => {
                self.emit(Event::Deferred {
                    key: post.key.clone(),
                    earliest,
                });
                post.outcome = Outcome::Deferred {
                    earliest,
                    reason: why.to_string(),
                };
                Ok(())
            }
            Err(Halt::Fatal(fatal)) => Err(fatal),
        }
    }

    fn emit(&mut self, e: Event) {
        (self.progress)(&e)
    }

    fn apply_move(&mut self, state: &mut State, c: &Change) -> Result<(), Halt> {
        let Some(from) = c.from.as_deref() else {
            return Err(Halt::Failed(Failure::MoveWithoutSource));
        };
        let (from, to) = (from.to_owned(), c.key.clone());
        if state.posts.contains_key(&to) || state.reposts.contains_key(&to) {
            return Err(Halt::Failed(Failure::MoveTargetTaken { from, to }));
        }
        // A post's tweets, or the repost it recorded.
        let tweets = state.posts.remove(&from);
        let repost = state.reposts.remove(&from);
        if tweets.is_none() && repost.is_none() {
            return Err(Halt::Failed(Failure::MoveSourceGone { from, to }));
        }
        if let Some(tweets) = tweets {
            state.posts.insert(c.key.clone(), tweets);
        }
        if let Some(repost) = repost {
            state.reposts.insert(c.key.clone(), repost);
        }
        self.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))?;
        self.emit(Event::Moved { from, to });
        Ok(())
    }

    /// Takes what earlier runs recorded of the budget and the account.
    /// The state's user ID stands unless the credentials name another
    /// account (then it is asked of X again).
    fn seed(&mut self, state: &State) {
        if self.seeded {
            return;
        }
        self.seeded = true;
        self.budget.seed(&state.requests, &state.limits);
        self.spend.seed(&state.spend);
        let hint = self.api.account_hint();
        self.user_id = state
            .user_id
            .clone()
            .filter(|id| hint.as_ref().is_none_or(|h| h == id));
    }

    /// Saves the state with the request history, X's last reports and the
    /// account; `Err` is for a fatal halt.
    fn save(&mut self, state: &mut State) -> Result<(), StateError> {
        self.budget.prune(self.clock.now());
        state.requests = self.budget.log();
        self.spend.prune(self.clock.now());
        state.spend = self.spend.log();
        state.limits = self.budget.reported();
        if self.user_id.is_some() {
            state.user_id.clone_from(&self.user_id);
        }
        persist(state, &self.state_path)
    }
}

/// Writes the state atomically with its serial increased.
fn persist(state: &mut State, path: &Path) -> Result<(), StateError> {
    state.save(path)
}

#[cfg(test)]
mod tests;
