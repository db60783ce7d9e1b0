//! Settling: finding what an interrupted run published. An intent saved
//! before a create says "this may have been sent"; the account's timeline
//! says whether it was: a tweet with the same text, created after the
//! intent and not recorded for another post, is adopted instead of being
//! published again.

use std::collections::HashSet;
use std::time::Duration;

use jiff::SignedDuration;

use super::Executor;
use super::halt::{Failure, Fatal, Halt};
use crate::api::XApi;
use crate::report::{Event, TweetRef};
use crate::state::{Intent, PostState, PublishedTweet, State};

/// What the account's timeline says about an intent.
#[derive(Debug)]
pub(super) enum Found {
    /// A tweet with its text, created after it: the one it sent.
    Ours(String),
    /// Only tweets with the same text from well before the intent.
    Older,
    Nothing,
}

impl<A: XApi> Executor<A> {
    /// Settles every pending intent: adopts each tweet found on X, forgets
    /// old intents that X does not show (never sent), and keeps young ones
    /// for their create to be sent again under them. An intent that cannot
    /// be checked now blocks its post for this run.
    pub(super) async fn settle_all(&mut self, state: &mut State) -> Result<bool, Fatal> {
        let mut changed = false;
        let horizon = SignedDuration::try_from(self.options.settle_horizon).unwrap_or_default();
        for intent in state.pending.clone() {
            match self.find(state, &intent, false).await {
                Ok(Found::Ours(id)) => {
                    self.record_published(state, &intent, &id)?;
                    let tweet = TweetRef::new(intent.index, &id, true);
                    self.emit(Event::Published {
                        key: intent.key.clone(),
                        tweet,
                    });
                    changed = true;
                }
                Ok(_) if self.clock.now().duration_since(intent.at) > horizon => {
                    state.pending.retain(|i| i != &intent);
                    self.save(state).map_err(Fatal::IntentNotForgotten)?;
                    changed = true;
                }
                Ok(_) => {}
                Err(Halt::Fatal(f)) => return Err(f),
                Err(h) => {
                    let h = match h {
                        Halt::Failed(cause) => Halt::Failed(Failure::Unsettled {
                            index: intent.index,
                            cause: Box::new(cause),
                        }),
                        other => other,
                    };
                    self.blocked.insert(intent.key.clone(), h);
                }
            }
        }
        Ok(changed)
    }

    /// Records a published tweet and clears its intent, in one save.
    pub(super) fn record_published(
        &mut self,
        state: &mut State,
        intent: &Intent,
        id: &str,
    ) -> Result<(), Fatal> {
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
        self.save(state)
            .map_err(|error| Fatal::PublishedNotRecorded {
                id: id.to_owned(),
                key: intent.key.clone(),
                error,
            })
    }

    /// Looks for the tweet an intent may have published: same text,
    /// created after the intent, not already recorded for another post.
    /// `wide` also looks a month back, to tell an older tweet with the same
    /// text (why X would refuse a duplicate) from ours not yet visible.
    pub(super) async fn find(
        &mut self,
        state: &State,
        intent: &Intent,
        wide: bool,
    ) -> Result<Found, Halt> {
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
        // Only a match clearly older than the intent explains a duplicate
        // refusal: one a little older may be ours under clock skew.
        let horizon = SignedDuration::try_from(self.options.settle_horizon).unwrap_or_default();
        let old = intent.at.saturating_sub(horizon).unwrap_or(intent.at);
        let older = found.iter().any(|t| t.created_at.is_some_and(|c| c < old));
        Ok(match ours {
            Some(id) => Found::Ours(id),
            None if older => Found::Older,
            None => Found::Nothing,
        })
    }

    /// After X refused a text as a duplicate: look until ours shows up (the
    /// timeline lags), an older tweet with the text explains the refusal,
    /// or patience runs out.
    pub(super) async fn find_patiently(
        &mut self,
        state: &State,
        intent: &Intent,
    ) -> Result<Found, Halt> {
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
