//! The two writes: a create (or an edit in place, a create that names the
//! tweet it edits) sent exactly once under its intent, and an idempotent
//! delete. Each says what X's answers mean for it; the request
//! loop ([`super::request`]) sends them.

use super::Executor;
use super::halt::{Doing, Failure, Fatal, Halt, refused_while};
use super::request::{Verdict, Write};
use super::settle::Found;
use crate::api::{ApiError, ApiResult, RemoteTweet, XApi};
use crate::budget::Endpoint;
use crate::cost::{CostKind, Prices, Usd};
use crate::post::Tweet;
use crate::report::TweetRef;
use crate::state::{Intent, IntentShape, State, UploadRecord};

impl<A: XApi> Executor<A> {
    /// Publishes one tweet exactly once. Returns the tweet and whether this
    /// call sent it (false when it was already recorded).
    pub(super) async fn create_tweet(
        &mut self,
        state: &mut State,
        key: &str,
        (index, of): (usize, usize),
        digest: &str,
        body: &Tweet,
    ) -> Result<(TweetRef, bool), Halt> {
        let recorded = state.posts.get(key).map_or(&[][..], |p| &p.tweets[..]);
        if let Some(t) = recorded.get(index) {
            if t.digest == digest {
                // Adopted from an interrupted run while settling intents.
                return Ok((TweetRef::new(index, &t.id, true), false));
            }
            return Err(Halt::Failed(Failure::RecordedDiffers { index }));
        }
        if recorded.len() != index {
            return Err(Halt::Failed(Failure::OutOfOrder {
                index,
                next: recorded.len(),
            }));
        }
        let prev = index
            .checked_sub(1)
            .and_then(|i| recorded.get(i))
            .map(|t| t.id.clone());
        // An intent kept from an interrupted run: send under it, so that
        // X's duplicate answer is recognised as that run's tweet.
        let kept = state
            .pending
            .iter()
            .find(|i| i.key == key && i.index == index)
            .cloned();
        if kept.as_ref().is_some_and(|old| old.digest != digest) {
            return Err(Halt::Failed(Failure::OtherVersionPending { index }));
        }
        // The files go up just before their tweet (X keeps an upload a day).
        let uploads = self.uploads_for(state, key, body).await?;
        let ids: Vec<String> = uploads.iter().map(|u| u.id.clone()).collect();
        let json = body.request_body_with(prev.as_deref(), &ids);
        let mut shape = IntentShape::of_request(&json);
        shape.media_keys = uploads.iter().filter_map(|u| u.media_key.clone()).collect();
        let create = Create {
            index,
            of,
            saved: kept.is_some(),
            inherited: kept.is_some(),
            maybe_sent: kept.is_some(),
            intent: kept.unwrap_or_else(|| Intent {
                key: key.to_owned(),
                index,
                digest: digest.to_owned(),
                text: body.text.clone(),
                at: self.clock.now(),
                shape: Some(shape),
                edit_of: None,
            }),
            json,
        };
        let sent = self.write(state, create).await;
        match sent {
            Err(halt) if !uploads.is_empty() => Err(self.media_refused(state, &uploads, halt)),
            other => other,
        }
    }

    /// Edits one published tweet in place exactly once: `POST /2/tweets`
    /// with `edit_options.previous_post_id`, sent under an intent as a
    /// create is (one that says which ID it edits), so that a lost answer
    /// is settled by finding the new version on the timeline. Returns the
    /// new version and whether this call sent it.
    pub(super) async fn edit_tweet(
        &mut self,
        state: &mut State,
        key: &str,
        (index, of): (usize, usize),
        digest: &str,
        body: &Tweet,
        previous: &str,
    ) -> Result<(TweetRef, bool), Halt> {
        let recorded = state.posts.get(key).map_or(&[][..], |p| &p.tweets[..]);
        match recorded.get(index) {
            // Adopted from an interrupted run while settling intents.
            Some(t) if t.digest == digest && t.edits.iter().any(|e| e == previous) => {
                return Ok((TweetRef::new(index, &t.id, true), false));
            }
            Some(t) if t.id == previous => {}
            _ => return Err(Halt::Failed(Failure::RecordedDiffers { index })),
        }
        let kept = state
            .pending
            .iter()
            .find(|i| i.key == key && i.index == index)
            .cloned();
        if kept
            .as_ref()
            .is_some_and(|old| old.digest != digest || old.edit_of.as_deref() != Some(previous))
        {
            return Err(Halt::Failed(Failure::OtherVersionPending { index }));
        }
        let uploads = self.uploads_for(state, key, body).await?;
        let ids: Vec<String> = uploads.iter().map(|u| u.id.clone()).collect();
        // No reply: an edit keeps the tweet's place in its thread.
        let mut json = body.request_body_with(None, &ids);
        if let Some(o) = json.as_object_mut() {
            o.remove("reply");
        }
        json["edit_options"] = serde_json::json!({ "previous_post_id": previous });
        let mut shape = IntentShape::of_request(&json);
        shape.media_keys = uploads.iter().filter_map(|u| u.media_key.clone()).collect();
        let edit = Create {
            index,
            of,
            saved: kept.is_some(),
            inherited: kept.is_some(),
            maybe_sent: kept.is_some(),
            intent: kept.unwrap_or_else(|| Intent {
                key: key.to_owned(),
                index,
                digest: digest.to_owned(),
                text: body.text.clone(),
                at: self.clock.now(),
                shape: Some(shape),
                edit_of: Some(previous.to_owned()),
            }),
            json,
        };
        let sent = self.write(state, edit).await;
        match sent {
            Err(halt) if !uploads.is_empty() => Err(self.media_refused(state, &uploads, halt)),
            other => other,
        }
    }

    /// A tweet X refused for its media (an upload it no longer holds, or
    /// never accepted) is not refused for its content: its uploads are
    /// forgotten, so the next run uploads the files again, and the post is
    /// not recorded as refused.
    fn media_refused(&mut self, state: &mut State, uploads: &[UploadRecord], halt: Halt) -> Halt {
        let error = match &halt {
            Halt::Failed(Failure::During { cause, .. }) => match cause.as_ref() {
                Failure::Refused(e @ ApiError::Client { detail, .. })
                    if detail.to_ascii_lowercase().contains("media") =>
                {
                    e.clone()
                }
                _ => return halt,
            },
            _ => return halt,
        };
        state
            .uploads
            .retain(|_, u| !uploads.iter().any(|used| used.id == u.id));
        if let Err(e) = self.save(state) {
            return Halt::Fatal(Fatal::StateWrite(e));
        }
        Halt::Failed(Failure::MediaRejected { error })
    }

    /// Deletes one tweet; `Ok(true)` when it was already gone.
    pub(super) async fn delete_tweet(
        &mut self,
        state: &mut State,
        key: &str,
        id: &str,
    ) -> Result<bool, Halt> {
        let already = self.write(state, Delete { id }).await?;
        if let Some(post) = state.posts.get_mut(key) {
            post.tweets.retain(|t| t.id != id);
            if post.tweets.is_empty() {
                state.posts.remove(key);
            }
        }
        self.save(state).map_err(|error| {
            Halt::Fatal(Fatal::DeletedNotRecorded {
                id: id.to_owned(),
                error,
            })
        })?;
        Ok(already)
    }

    /// X did not publish it: forget the intent.
    fn drop_intent(&mut self, state: &mut State, intent: &Intent) -> Result<(), Halt> {
        state.pending.retain(|i| i != intent);
        self.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))
    }
}

/// `POST /2/tweets` for one tweet of a post (with `edit_options` for an edit).
struct Create {
    index: usize,
    /// How many tweets the thread has, for messages.
    of: usize,
    json: serde_json::Value,
    /// Saved in the state before the first attempt (timed then); every
    /// retry goes under it.
    intent: Intent,
    saved: bool,
    /// The intent is an interrupted run's: it may have been sent then.
    inherited: bool,
    /// Whether X may have received this create already (an interrupted
    /// run's intent, or an attempt whose answer was lost): then a
    /// duplicate refusal may be our own tweet, and the intent must stay
    /// until X's timeline tells.
    maybe_sent: bool,
}

impl Create {
    /// Found on X: record it as published (by an earlier attempt).
    fn adopt<A: XApi>(
        &self,
        ex: &mut Executor<A>,
        state: &mut State,
        id: &str,
    ) -> Result<Verdict<(TweetRef, bool)>, Halt> {
        ex.record_published(state, &self.intent, id)?;
        // Adopted from an earlier run's intent, or sent by this run and
        // its answer lost: only the first is "recovered".
        let earlier = self.intent.at < ex.recovery.started;
        Ok(Verdict::Done((
            TweetRef::new(self.index, id, earlier),
            true,
        )))
    }
}

impl<A: XApi> Write<A> for Create {
    type Answer = RemoteTweet;
    type Output = (TweetRef, bool);

    fn endpoint(&self) -> Endpoint {
        Endpoint::CreateTweet
    }

    /// A post costs more when X will link a URL in its text.
    fn priced(&self, prices: &Prices) -> Option<(CostKind, Usd)> {
        Some(prices.post(&self.intent.text))
    }

    fn doing(&self) -> Doing {
        Doing::Publishing {
            key: self.intent.key.clone(),
            index: self.index,
            of: self.of,
        }
    }

    fn before_send(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt> {
        if !self.saved {
            self.intent.at = ex.clock.now();
            state.pending.push(self.intent.clone());
            self.saved = true;
        }
        // The intent (and this request's time) reach the disk before the request.
        ex.save(state).map_err(|error| {
            Halt::Fatal(Fatal::NothingSent {
                key: self.intent.key.clone(),
                error,
            })
        })
    }

    fn send(&self, api: &A) -> impl Future<Output = ApiResult<RemoteTweet>> {
        api.create_tweet(&self.json)
    }

    fn not_sent(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt> {
        if self.inherited || self.maybe_sent {
            return Ok(());
        }
        ex.drop_intent(state, &self.intent)
    }

    async fn answer(
        &mut self,
        ex: &mut Executor<A>,
        state: &mut State,
        answer: Result<RemoteTweet, ApiError>,
        attempt: u32,
    ) -> Result<Verdict<(TweetRef, bool)>, Halt> {
        let intent = self.intent.clone();
        let maybe_sent = self.maybe_sent;
        if !matches!(answer, Err(ApiError::Connect(_))) {
            self.maybe_sent = true;
        }
        match answer {
            Ok(created) => {
                ex.record_published(state, &intent, &created.id)?;
                Ok(Verdict::Done((
                    TweetRef::new(self.index, &created.id, false),
                    true,
                )))
            }
            Err(ApiError::Duplicate { detail }) if !maybe_sent => {
                // Not sent before: unless the account shows a tweet with
                // this very content since the intent, another tweet has
                // the text, and waiting will not change that.
                match ex.find(state, &intent, true).await? {
                    Found::Ours(id) => self.adopt(ex, state, &id),
                    Found::Older => {
                        ex.drop_intent(state, &intent)?;
                        Err(Halt::Failed(Failure::DuplicateOfOlder { detail }))
                    }
                    Found::Nothing => {
                        ex.drop_intent(state, &intent)?;
                        Err(Halt::Failed(Failure::Duplicate { detail }))
                    }
                }
            }
            Err(ApiError::Connect(error)) => {
                // Nothing reached X: no intent stays unless an earlier
                // attempt (or run) may have sent it.
                if !maybe_sent {
                    ex.drop_intent(state, &intent)?;
                }
                Err(Halt::Failed(Failure::NotConnected { error }))
            }
            Err(ApiError::Duplicate { detail }) => {
                // Either an earlier attempt did publish it (adopt), or the
                // account has an older tweet with this text.
                match ex.find_patiently(state, &intent).await? {
                    Found::Ours(id) => self.adopt(ex, state, &id),
                    Found::Older => {
                        ex.drop_intent(state, &intent)?;
                        Err(Halt::Failed(Failure::DuplicateOfOlder { detail }))
                    }
                    // Ours, most likely, but not visible yet: the intent
                    // stays for the next run to settle.
                    Found::Nothing => Err(Halt::Failed(Failure::DuplicateNotVisible { detail })),
                }
            }
            Err(error) if error.is_retryable() => {
                // The request may have reached X: look before sending again.
                match ex.find(state, &intent, true).await {
                    Ok(Found::Ours(id)) => return self.adopt(ex, state, &id),
                    Ok(_) => {}
                    Err(Halt::Failed(check)) => {
                        return Err(Halt::Failed(Failure::Unchecked {
                            error,
                            check: Box::new(check),
                        }));
                    }
                    Err(h) => return Err(h),
                }
                if attempt >= ex.options.max_attempts {
                    // The intent stays: a late-appearing tweet is adopted next run.
                    return Err(Halt::Failed(Failure::GaveUp {
                        error,
                        attempts: attempt,
                    }));
                }
                Ok(Verdict::Retry(error))
            }
            Err(error) => {
                ex.drop_intent(state, &intent)?;
                Err(refused_while(Write::<A>::doing(self), error))
            }
        }
    }
}

/// `DELETE /2/tweets/:id`.
struct Delete<'a> {
    id: &'a str,
}

impl<A: XApi> Write<A> for Delete<'_> {
    type Answer = bool;
    /// Whether the tweet was already gone.
    type Output = bool;

    fn endpoint(&self) -> Endpoint {
        Endpoint::DeleteTweet
    }

    fn doing(&self) -> Doing {
        Doing::Deleting {
            id: self.id.to_owned(),
        }
    }

    fn before_send(&mut self, ex: &mut Executor<A>, state: &mut State) -> Result<(), Halt> {
        // Save the request's time first, so a kill cannot hide it from the budget.
        ex.save(state)
            .map_err(|e| Halt::Fatal(Fatal::StateWrite(e)))
    }

    fn send(&self, api: &A) -> impl Future<Output = ApiResult<bool>> {
        api.delete_tweet(self.id)
    }

    async fn answer(
        &mut self,
        ex: &mut Executor<A>,
        _state: &mut State,
        answer: Result<bool, ApiError>,
        attempt: u32,
    ) -> Result<Verdict<bool>, Halt> {
        match answer {
            Ok(deleted) => Ok(Verdict::Done(!deleted)),
            Err(ApiError::NotFound { .. }) => Ok(Verdict::Done(true)),
            Err(e) if e.is_retryable() && attempt < ex.options.max_attempts => {
                Ok(Verdict::Retry(e))
            }
            Err(e) => Err(refused_while(
                Doing::Deleting {
                    id: self.id.to_owned(),
                },
                e,
            )),
        }
    }
}
