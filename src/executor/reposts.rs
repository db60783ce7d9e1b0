//! Reposts and their undo, exactly once.
//!
//! Both are idempotent on X: reposting a tweet the account already
//! reposted answers `retweeted: true` again, and undoing a repost that is
//! not there answers `retweeted: false`. So, unlike a create, a repost
//! needs no intent: an answer lost on the way (a dropped connection, a 5xx)
//! is settled by sending the same request again, and the state records the
//! repost once X confirmed it, or forgets it once X confirmed the undo.

use super::Executor;
use super::halt::{Doing, Fatal, Halt, refused_while};
use super::request::{Verdict, Write};
use crate::api::{ApiError, ApiResult, XApi};
use crate::budget::Endpoint;
use crate::state::{RepostRecord, State};

impl<A: XApi> Executor<A> {
    /// Reposts `tweet_id` for post `key` and records it. Returns whether it
    /// was recorded already (nothing sent).
    pub(super) async fn repost(
        &mut self,
        state: &mut State,
        key: &str,
        tweet_id: &str,
    ) -> Result<bool, Halt> {
        if state
            .reposts
            .get(key)
            .is_some_and(|r| r.tweet_id == tweet_id)
        {
            return Ok(true);
        }
        let user_id = self.user_id().await?;
        let write = Repost {
            key,
            user_id: &user_id,
            tweet_id,
            undo: false,
        };
        self.write(state, write).await?;
        let record = RepostRecord {
            tweet_id: tweet_id.to_owned(),
            reposted_at: self.clock.now(),
        };
        state.reposts.insert(key.to_owned(), record);
        self.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))?;
        Ok(false)
    }

    /// Undoes the repost of `tweet_id` recorded for `key` and forgets it.
    /// Returns whether X said it was not reposted any more.
    pub(super) async fn unrepost(
        &mut self,
        state: &mut State,
        key: &str,
        tweet_id: &str,
    ) -> Result<bool, Halt> {
        let user_id = self.user_id().await?;
        let write = Repost {
            key,
            user_id: &user_id,
            tweet_id,
            undo: true,
        };
        let already = self.write(state, write).await?;
        if state
            .reposts
            .get(key)
            .is_some_and(|r| r.tweet_id == tweet_id)
        {
            state.reposts.remove(key);
        }
        self.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))?;
        Ok(already)
    }
}

/// `POST /2/users/:id/retweets`, or with `undo` its `DELETE`.
struct Repost<'a> {
    key: &'a str,
    user_id: &'a str,
    tweet_id: &'a str,
    undo: bool,
}

impl<A: XApi> Write<A> for Repost<'_> {
    /// X's `retweeted` flag.
    type Answer = bool;
    /// For an undo: whether the repost was already gone.
    type Output = bool;

    fn endpoint(&self) -> Endpoint {
        if self.undo {
            Endpoint::Unrepost
        } else {
            Endpoint::Repost
        }
    }

    fn doing(&self) -> Doing {
        if self.undo {
            Doing::Unreposting {
                tweet_id: self.tweet_id.to_owned(),
            }
        } else {
            Doing::Reposting {
                key: self.key.to_owned(),
                tweet_id: self.tweet_id.to_owned(),
            }
        }
    }

    fn before_send(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt> {
        // The request's time reaches the disk first, so that a kill cannot
        // hide it from the budget.
        ex.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))
    }

    fn send(&self, api: &A) -> impl Future<Output = ApiResult<bool>> {
        let (user_id, tweet_id) = (self.user_id.to_owned(), self.tweet_id.to_owned());
        let undo = self.undo;
        async move {
            if undo {
                api.unrepost(&user_id, &tweet_id).await
            } else {
                api.repost(&user_id, &tweet_id).await
            }
        }
    }

    async fn answer(
        &mut self,
        ex: &mut Executor<A>,
        _state: &mut State,
        answer: Result<bool, ApiError>,
        attempt: u32,
    ) -> Result<Verdict<bool>, Halt> {
        match answer {
            // An undo that finds nothing to undo is done all the same.
            Ok(retweeted) if self.undo => Ok(Verdict::Done(!retweeted)),
            Ok(true) => Ok(Verdict::Done(false)),
            Ok(false) => Err(refused_while(
                Write::<A>::doing(self),
                ApiError::Server {
                    status: 200,
                    detail: "X answered the repost with `retweeted: false`".into(),
                },
            )),
            // Sending again is safe either way: X keeps one repost.
            Err(e) if e.is_retryable() && attempt < ex.options.max_attempts => {
                Ok(Verdict::Retry(e))
            }
            Err(e) => Err(refused_while(Write::<A>::doing(self), e)),
        }
    }
}
