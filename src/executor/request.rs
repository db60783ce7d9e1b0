//! Sending requests to X under the rate budget: one loop for the writes
//! (creates and deletes) that waits for the budget, saves the state before
//! each attempt, absorbs 429s and backs off before retrying; and the same
//! for the reads that settling needs (the account, its timeline), which
//! spend the budget's reads. Every answer's rate headers are learnt by the
//! budget, which the state keeps for the next run.
//!
//! What an answer means differs per write (a lost create must be looked
//! for before it is sent again; a delete of a tweet already gone is done),
//! so each write says that through [`Write`], and the loop does the rest.

use std::future::Future;
use std::time::Duration;

use jiff::Timestamp;

use super::Executor;
use super::halt::{Deferral, Doing, Fatal, Halt, refused_while};
use crate::api::{ApiError, ApiResult, RateInfo, RemoteTweet, Response, XApi};
use crate::budget::Endpoint;
use crate::cost::{CostKind, Prices, Usd};
use crate::progress::Event;
use crate::state::State;

/// What a write makes of one answer (a 429 is the loop's).
pub(super) enum Verdict<T> {
    Done(T),
    /// Send again after a backoff.
    Retry(ApiError),
}

/// One write to X, sent by [`Executor::write`].
pub(super) trait Write<A: XApi> {
    /// What X answers on success.
    type Answer;
    type Output;

    fn endpoint(&self) -> Endpoint;

    /// What X charges for it, and as what (none for a free request).
    fn priced(&self, prices: &Prices) -> Option<(CostKind, Usd)> {
        priced(self.endpoint(), prices)
    }

    fn doing(&self) -> Doing;

    /// Just before each attempt, once the budget allowed it: save what must
    /// be on disk before the request leaves (its time, an intent).
    fn before_send(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt>;

    fn send(&self, api: &A) -> impl Future<Output = ApiResult<Self::Answer>>;

    /// The write must wait and X refused every attempt with a 429: nothing
    /// reached X, so what `before_send` saved for "maybe sent" can go.
    fn not_sent(&mut self, _ex: &mut Executor<A>, _state: &mut State) -> Result<(), Halt> {
        Ok(())
    }

    /// X's answer (after its rate info was learnt), on attempt `attempt`.
    fn answer(
        &mut self,
        ex: &mut Executor<A>,
        state: &mut State,
        answer: Result<Self::Answer, ApiError>,
        attempt: u32,
    ) -> impl Future<Output = Result<Verdict<Self::Output>, Halt>>;
}

impl<A: XApi> Executor<A> {
    /// Sends `write` until it is done, fails, or must wait: each attempt
    /// spends the budget (waiting within `--wait`, else deferring), and
    /// 429s are counted and deferred after `max_rate_limited`.
    pub(super) async fn write<W: Write<A>>(
        &mut self,
        state: &mut State,
        mut write: W,
    ) -> Result<W::Output, Halt> {
        let endpoint = write.endpoint();
        let price = write.priced(&self.options.prices);
        let (mut attempt, mut limited) = (0, 0);
        // Whether an attempt may have reached X (any answer but a 429).
        let mut reached = false;
        loop {
            self.check_interrupt()?;
            let spent_at = match self.spend_priced(endpoint, price).await {
                Ok(at) => at,
                Err(halt) => {
                    if attempt > 0 && !reached {
                        write.not_sent(self, state)?;
                    }
                    return Err(halt);
                }
            };
            write.before_send(self, state)?;
            attempt += 1;
            let answer = match write.send(&self.api).await {
                Ok(r) => {
                    self.budget.learn(endpoint, &r.rate);
                    Ok(r.value)
                }
                Err((ApiError::RateLimited { rate }, headers)) => {
                    self.rate_limited += 1;
                    limited += 1;
                    let now = self.clock.now();
                    self.budget
                        .learn_refusal(endpoint, &merge(rate, headers), now);
                    // What X said reaches the state, so that the next run
                    // does not earn the same 429 (this attempt saved it anyway).
                    self.save(state)
                        .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))?;
                    if limited > self.options.max_rate_limited {
                        if !reached {
                            write.not_sent(self, state)?;
                        }
                        let t = self.budget.earliest(endpoint, now);
                        return Err(Halt::Deferred(t, Deferral::Keeps429));
                    }
                    // Not sent; `spend` waits for the reset or defers.
                    continue;
                }
                Err((e, rate)) => {
                    self.budget.learn(endpoint, &rate);
                    if matches!(e, ApiError::Connect(_)) {
                        // Nothing reached X, so X counted nothing: neither
                        // may the budget (the next save forgets it).
                        self.budget.unrecord(endpoint, spent_at);
                    }
                    Err(e)
                }
            };
            if !matches!(answer, Err(ApiError::Connect(_))) {
                self.pay(price, spent_at);
            }
            reached = true;
            match write.answer(self, state, answer, attempt).await? {
                Verdict::Done(output) => return Ok(output),
                Verdict::Retry(e) => self.backoff(&write.doing(), attempt, &e).await,
            }
        }
    }

    /// Waits (within `--wait`) until the budget allows a request to
    /// `endpoint`, and counts it at the time it returns.
    pub(super) async fn spend(&mut self, endpoint: Endpoint) -> Result<Timestamp, Halt> {
        if let Some((t, why)) = self.exhausted.get(&endpoint) {
            return Err(Halt::Deferred(*t, why.clone()));
        }
        let now = self.clock.now();
        if let (t, Some(hold)) = self.budget.earliest_why(endpoint, now) {
            let why = Deferral::Budget(hold);
            if let Err(h) = self.pause_until(t, &why).await {
                self.exhausted.insert(endpoint, (t, why));
                return Err(h);
            }
        }
        let at = self.clock.now();
        self.budget.record(endpoint, at);
        Ok(at)
    }

    /// [`Executor::spend`] for a request X charges `price` for: first
    /// waits (within `--wait`) until the spend window has room for it,
    /// else defers.
    pub(super) async fn spend_priced(
        &mut self,
        endpoint: Endpoint,
        price: Option<(CostKind, Usd)>,
    ) -> Result<Timestamp, Halt> {
        if let (Some((_, usd)), Some(window)) = (price, self.spend.window()) {
            let now = self.clock.now();
            let t = self.spend.earliest(usd, now);
            if t > now {
                self.pause_until(t, &Deferral::Spend { window, usd })
                    .await?;
            }
        }
        self.spend(endpoint).await
    }

    /// Counts what a request that reached X at `at` cost.
    pub(super) fn pay(&mut self, price: Option<(CostKind, Usd)>, at: Timestamp) {
        if let Some((kind, usd)) = price {
            self.spend.record(at, usd);
            self.spent.add(kind, 1, usd, self.options.prices.date);
        }
    }

    /// Counts `tweets` read of the account's own (X's owned reads).
    pub(super) fn pay_reads(&mut self, tweets: usize, at: Timestamp) {
        let usd = self.options.prices.owned_read.times(tweets);
        self.spend.record(at, usd);
        self.spent
            .add(CostKind::Read, tweets, usd, self.options.prices.date);
    }

    /// Sleeps until `t` if that is within `--wait`, else defers.
    async fn pause_until(&mut self, t: Timestamp, why: &Deferral) -> Result<(), Halt> {
        if t <= self.clock.now() {
            return Ok(());
        }
        if t > self.deadline {
            return Err(Halt::Deferred(t, why.clone()));
        }
        self.emit(Event::Pausing {
            until: t,
            reason: why.to_string(),
        });
        self.nap_until(t).await;
        self.check_interrupt()?;
        Ok(())
    }

    async fn backoff(&mut self, doing: &Doing, attempt: u32, error: &ApiError) {
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
            what: doing.to_string(),
            attempt: attempt + 1,
            error: error.to_string(),
        });
        self.nap(half + jitter).await;
    }

    /// What a read's answer means: `Some` is the value, `None` "send it
    /// again" (after a backoff, or once the budget allows it after a 429:
    /// [`Executor::spend`] waits for the reset X reported, within `--wait`).
    pub(super) async fn read_answer<T>(
        &mut self,
        endpoint: Endpoint,
        doing: Doing,
        answer: ApiResult<T>,
        attempt: u32,
        limited: &mut u32,
    ) -> Result<Option<T>, Halt> {
        let (error, rate) = match answer {
            Ok(Response { value, rate, .. }) => {
                self.budget.learn(endpoint, &rate);
                return Ok(Some(value));
            }
            Err(e) => e,
        };
        match error {
            ApiError::RateLimited { rate: r } => {
                self.rate_limited += 1;
                *limited += 1;
                let now = self.clock.now();
                self.budget.learn_refusal(endpoint, &merge(r, rate), now);
                if *limited > self.options.max_rate_limited {
                    let t = self.budget.earliest(endpoint, now);
                    return Err(Halt::Deferred(t, Deferral::KeepsRefusing(doing)));
                }
                let (t, _) = self.budget.earliest_why(endpoint, now);
                self.pause_until(t, &Deferral::RateLimitFor(doing)).await?;
                Ok(None)
            }
            e => {
                self.budget.learn(endpoint, &rate);
                if e.is_retryable() && attempt < self.options.max_attempts {
                    self.backoff(&doing, attempt, &e).await;
                    Ok(None)
                } else {
                    Err(refused_while(doing, e))
                }
            }
        }
    }

    /// Sends one media request until X answers it: retried like a read
    /// (an upload sent twice costs an upload, never a tweet), under the
    /// budget's upload lane.
    pub(super) async fn media_request<T>(
        &mut self,
        endpoint: Endpoint,
        doing: Doing,
        mut send: impl AsyncFnMut(&A) -> ApiResult<T>,
    ) -> Result<T, Halt> {
        let (mut attempt, mut limited) = (0, 0);
        let price = priced(endpoint, &self.options.prices);
        loop {
            self.check_interrupt()?;
            let spent_at = self.spend_priced(endpoint, price).await?;
            attempt += 1;
            let answer = send(&self.api).await;
            if answer.is_ok() {
                self.pay(price, spent_at);
            }
            let read = self.read_answer(endpoint, doing.clone(), answer, attempt, &mut limited);
            if let Some(value) = read.await? {
                return Ok(value);
            }
        }
    }

    /// The account's user ID: from the state when it has one (and the
    /// credentials do not name another), else asked of X once per run.
    pub(super) async fn user_id(&mut self) -> Result<String, Halt> {
        if let Some(id) = &self.user_id {
            return Ok(id.clone());
        }
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Endpoint::Me).await?;
            attempt += 1;
            let answer = self.api.me().await;
            let doing = Doing::LookingUpAccount;
            let read = self.read_answer(Endpoint::Me, doing, answer, attempt, &mut limited);
            if let Some(id) = read.await? {
                self.user_id = Some(id.clone());
                return Ok(id);
            }
        }
    }

    /// The account's tweets since `since` (X's clock), and X's clock when
    /// it answered.
    pub(super) async fn timeline(
        &mut self,
        since: Timestamp,
    ) -> Result<(Vec<RemoteTweet>, Option<Timestamp>), Halt> {
        let user = self.user_id().await?;
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Endpoint::UserTweets).await?;
            attempt += 1;
            // X's `date` travels with the tweets: settling measures skew from it.
            let answer = self.api.user_tweets(&user, since).await.map(|r| Response {
                value: (r.value, r.date),
                rate: r.rate,
                date: r.date,
            });
            let doing = Doing::ReadingTimeline;
            let read = self.read_answer(Endpoint::UserTweets, doing, answer, attempt, &mut limited);
            if let Some(tweets) = read.await? {
                // X charges each tweet of the account's own it returns.
                self.pay_reads(tweets.0.len(), self.clock.now());
                return Ok(tweets);
            }
        }
    }
}

/// A 429's rate info may come in the error or beside it; prefer the error's.
fn merge(a: RateInfo, b: RateInfo) -> RateInfo {
    RateInfo {
        window: a.window.or(b.window),
        user_24h: a.user_24h.or(b.user_24h),
        app_24h: a.app_24h.or(b.app_24h),
    }
}

/// What X charges for a request to `endpoint` whose price does not depend
/// on its content (a create's does: see its [`Write::priced`]).
fn priced(endpoint: Endpoint, prices: &Prices) -> Option<(CostKind, Usd)> {
    match endpoint {
        Endpoint::CreateTweet => Some((CostKind::Create, prices.post_create)),
        Endpoint::DeleteTweet => Some((CostKind::Delete, prices.interaction_delete)),
        Endpoint::Unrepost => Some((CostKind::Unrepost, prices.interaction_delete)),
        Endpoint::Repost => Some((CostKind::Repost, Usd(0))),
        Endpoint::MediaMetadata => Some((CostKind::AltText, prices.media_metadata)),
        _ => None,
    }
}
