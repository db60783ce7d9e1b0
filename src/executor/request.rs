//! Sending requests to X under the rate budget: one loop for the writes
//! (creates and deletes) that waits for the budget, saves the state before
//! each attempt, absorbs 429s and backs off before retrying; and one for the
//! reads that settling needs (the account, its timeline).
//!
//! What an answer means differs per write (a lost create must be looked
//! for before it is sent again; a delete of a tweet already gone is done),
//! so each write says that through [`Write`], and the loop does the rest.

use std::future::Future;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::Executor;
use super::halt::{Deferral, Doing, Halt, refused_while};
use crate::api::{ApiError, ApiResult, RateInfo, RemoteTweet, XApi};
use crate::budget::RequestKind;
use crate::report::Event;
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

    fn kind(&self) -> RequestKind;

    fn doing(&self) -> Doing;

    /// Just before each attempt, once the budget allowed it: save what must
    /// be on disk before the request leaves (its time, an intent).
    fn before_send(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt>;

    fn send(&self, api: &A) -> impl Future<Output = ApiResult<Self::Answer>>;

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
        let kind = write.kind();
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.check_interrupt()?;
            self.spend(kind).await?;
            write.before_send(self, state)?;
            attempt += 1;
            let answer = match write.send(&self.api).await {
                Ok(r) => {
                    self.budget.learn(kind, &r.rate);
                    Ok(r.value)
                }
                Err((ApiError::RateLimited { rate }, headers)) => {
                    self.rate_limited += 1;
                    limited += 1;
                    let now = self.clock.now();
                    self.budget.learn_refusal(kind, &merge(rate, headers), now);
                    if limited > self.options.max_rate_limited {
                        let t = self.budget.earliest(kind, now);
                        return Err(Halt::Deferred(t, Deferral::Keeps429));
                    }
                    // Not sent; `spend` waits for the reset or defers.
                    continue;
                }
                Err((e, rate)) => {
                    self.budget.learn(kind, &rate);
                    Err(e)
                }
            };
            match write.answer(self, state, answer, attempt).await? {
                Verdict::Done(output) => return Ok(output),
                Verdict::Retry(e) => self.backoff(&write.doing(), attempt, &e).await,
            }
        }
    }

    /// Waits (within `--wait`) until the budget allows a request of `kind`,
    /// and counts it.
    async fn spend(&mut self, kind: RequestKind) -> Result<(), Halt> {
        if let Some((t, why)) = self.exhausted.get(&kind) {
            return Err(Halt::Deferred(*t, why.clone()));
        }
        let now = self.clock.now();
        if let (t, Some(hold)) = self.budget.earliest_why(kind, now) {
            let why = Deferral::Budget(hold);
            if let Err(h) = self.pause_until(t, &why).await {
                self.exhausted.insert(kind, (t, why));
                return Err(h);
            }
        }
        self.budget.record(kind, self.clock.now());
        Ok(())
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

    /// What to do after a read (account, timeline) failed: `Ok` to retry.
    /// Reads spend no budget: a 429 waits for its reset within `--wait`.
    async fn read_error(
        &mut self,
        doing: Doing,
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
                    return Err(Halt::Deferred(reset, Deferral::KeepsRefusing(doing)));
                }
                self.pause_until(reset, &Deferral::RateLimitFor(doing))
                    .await
            }
            e if e.is_retryable() && attempt < self.options.max_attempts => {
                self.backoff(&doing, attempt, &e).await;
                Ok(())
            }
            e => Err(refused_while(doing, e)),
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
                    self.read_error(Doing::LookingUpAccount, e, rate, attempt, &mut limited)
                        .await?
                }
            }
        }
    }

    /// The account's tweets since `since`.
    pub(super) async fn timeline(&mut self, since: Timestamp) -> Result<Vec<RemoteTweet>, Halt> {
        let user = self.user_id().await?;
        let (mut attempt, mut limited) = (0, 0);
        loop {
            attempt += 1;
            match self.api.user_tweets(&user, since).await {
                Ok(r) => return Ok(r.value),
                Err((e, rate)) => {
                    self.read_error(Doing::ReadingTimeline, e, rate, attempt, &mut limited)
                        .await?
                }
            }
        }
    }
}

/// A 429's rate info may come in the error or beside it; prefer the error's.
fn merge(a: RateInfo, b: RateInfo) -> RateInfo {
    RateInfo {
        window: a.window.or(b.window),
        user_24h: a.user_24h.or(b.user_24h),
    }
}
