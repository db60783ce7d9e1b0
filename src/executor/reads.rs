//! The reads an import makes (the account with its tweet count, tweets by
//! ID, the account's timeline), sent like every read of an apply: under
//! the budget's reads, retried on X's failures, waiting out a 429 within
//! `--wait`. What they spent is written to the state with the import's
//! record, so that the next apply counts it.

use jiff::Timestamp;

use super::Executor;
use super::halt::{Doing, Halt};
use crate::api::{Account, RemoteTweet, XApi};
use crate::budget::Endpoint;
use crate::problem::Problem;
use crate::state::{State, StateError};

impl<A: XApi> Executor<A> {
    /// Takes the budget's history and the account from the state: call it
    /// once before the reads.
    pub(crate) fn begin_reads(&mut self, state: &State) {
        self.seed(state);
    }

    /// The account the credentials act for, with its tweet count.
    pub(crate) async fn read_account(&mut self) -> Result<Account, Problem> {
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Endpoint::Me).await.map_err(problem)?;
            attempt += 1;
            let answer = self.api.account().await;
            let doing = Doing::LookingUpAccount;
            let read = self.read_answer(Endpoint::Me, doing, answer, attempt, &mut limited);
            if let Some(account) = read.await.map_err(problem)? {
                self.user_id = Some(account.id.clone());
                return Ok(account);
            }
        }
    }

    /// The account's user ID (from the state when it has one).
    pub(crate) async fn read_user_id(&mut self) -> Result<String, Problem> {
        self.user_id().await.map_err(problem)
    }

    /// These tweets as X has them; those it no longer has are left out.
    pub(crate) async fn read_tweets(
        &mut self,
        ids: &[String],
    ) -> Result<Vec<RemoteTweet>, Problem> {
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Endpoint::Lookup).await.map_err(problem)?;
            attempt += 1;
            let answer = self.api.lookup(ids).await;
            let doing = Doing::ReadingTweets;
            let read = self.read_answer(Endpoint::Lookup, doing, answer, attempt, &mut limited);
            if let Some(tweets) = read.await.map_err(problem)? {
                return Ok(tweets);
            }
        }
    }

    /// The account's tweets from `since`, newest first, at most `limit`.
    pub(crate) async fn read_timeline(
        &mut self,
        since: Option<Timestamp>,
        limit: Option<usize>,
    ) -> Result<Vec<RemoteTweet>, Problem> {
        let user = self.read_user_id().await?;
        let (mut attempt, mut limited) = (0, 0);
        loop {
            self.spend(Endpoint::UserTweets).await.map_err(problem)?;
            attempt += 1;
            let answer = self.api.timeline(&user, since, limit).await;
            let doing = Doing::ReadingTimeline;
            let read = self.read_answer(Endpoint::UserTweets, doing, answer, attempt, &mut limited);
            if let Some(tweets) = read.await.map_err(problem)? {
                return Ok(tweets);
            }
        }
    }

    /// Saves the state with what the reads spent.
    pub(crate) fn save_with_reads(&mut self, state: &mut State) -> Result<(), StateError> {
        self.save(state)
    }
}

/// Why a read did not happen, for the user.
fn problem(halt: Halt) -> Problem {
    match halt {
        Halt::Failed(failure) => Problem::from(&failure),
        Halt::Fatal(fatal) => Problem::from(&fatal),
        Halt::Deferred(at, why) => Problem::new(format!(
            "cannot read from X before {at}: {why}; nothing was recorded"
        ))
        .with_help("run it again then, or give it time with `--wait DURATION`"),
    }
}
