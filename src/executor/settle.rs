//! Settling: finding what an interrupted run published. An intent saved
//! before a create says "this may have been sent"; the account's timeline
//! says whether it was.
//!
//! A tweet on the account belongs to an intent only when its whole content
//! matches what the intent sent: the text, once X's t.co links are mapped
//! back to the URLs sent (`entities.urls[].expanded_url`) and `&amp;`,
//! `&lt;`, `&gt;` decoded; the tweet it replies to (so a thread's chain
//! must match), the tweet it quotes, its poll and its media count. It must
//! also be created after the intent, on X's clock: the offset between this
//! machine's clock and X's is measured from the timeline answer's `date`
//! header, so a skewed clock neither hides our tweet nor adopts an older
//! one. Each tweet is claimed by at most one intent (and never one the
//! state records). An intent whose text is empty or only links, saved
//! without the rest of its content (by an older version), is never
//! matched: text alone cannot tell such tweets apart. The comparison
//! itself is [`crate::tweet_match`]'s, shared with `tweetform import`.
//!
//! The timeline is read once per run (paged by the client) and kept; only
//! a create sent in this run, whose tweet may have appeared since, asks
//! for a fresh view.

use std::collections::HashSet;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::Executor;
use super::halt::{Failure, Fatal, Halt};
use crate::api::{RemoteTweet, XApi};
use crate::progress::Event;
use crate::report::TweetRef;
use crate::state::{Intent, PostState, PublishedTweet, State};
pub use crate::tweet_match::same_text;
use crate::tweet_match::{Expected, differences, only_links};

/// What the account's timeline says about an intent.
#[derive(Debug)]
pub(super) enum Found {
    /// A tweet with its content, created after it: the one it sent.
    Ours(String),
    /// Only tweets with the same content from before the intent.
    Older,
    Nothing,
}

/// How much earlier than the measured instant a tweet may be dated: X's
/// `date` header has whole seconds.
const MEASURED_MARGIN: SignedDuration = SignedDuration::from_secs(2);

/// The account's timeline as read in this run.
#[derive(Debug, Clone)]
pub(crate) struct View {
    /// From this instant, on this machine's clock.
    from: Timestamp,
    tweets: Vec<RemoteTweet>,
    /// X's clock minus this machine's, when X sent a `date`.
    offset: Option<SignedDuration>,
}

/// What settling keeps for the run.
#[derive(Debug, Clone)]
pub(crate) struct Recovery {
    view: Option<View>,
    /// When this run started: an intent saved since is this run's own.
    pub(super) started: Timestamp,
}

impl Recovery {
    pub(crate) fn new(started: Timestamp) -> Self {
        Recovery {
            view: None,
            started,
        }
    }
}

impl<A: XApi> Executor<A> {
    /// Settles every pending intent: adopts each tweet found on X, forgets
    /// old intents that X does not show (never sent), and keeps young ones
    /// for their create to be sent again under them. An intent that cannot
    /// be checked now blocks its post for this run.
    pub(super) async fn settle_all(&mut self, state: &mut State) -> Result<bool, Fatal> {
        let mut changed = false;
        let horizon = SignedDuration::try_from(self.options.settle_horizon).unwrap_or_default();
        // Oldest first: each takes the oldest unclaimed tweet of its content.
        let mut pending = state.pending.clone();
        pending.sort_by_key(|i| i.at);
        for intent in pending {
            match self.find(state, &intent, false).await {
                Ok(Found::Ours(id)) => {
                    self.record_published(state, &intent, &id)?;
                    let tweet = TweetRef::new(intent.index, &id, true);
                    self.recovered.push((intent.key.clone(), tweet.clone()));
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
        let mut tweet = PublishedTweet {
            id: id.to_owned(),
            text: intent.text.clone(),
            digest: intent.digest.clone(),
            published_at: Some(self.clock.now()),
            edits: Vec::new(),
        };
        let post = state
            .posts
            .entry(intent.key.clone())
            .or_insert_with(|| PostState { tweets: Vec::new() });
        let edited = intent
            .edit_of
            .as_ref()
            .and_then(|old| post.tweets.iter_mut().find(|t| &t.id == old));
        match edited {
            // The new version takes the old one's place; the window still
            // counts from the first version's publication.
            Some(old) => {
                tweet.published_at = old.published_at;
                tweet.edits = std::mem::take(&mut old.edits);
                tweet.edits.push(old.id.clone());
                *old = tweet;
            }
            None => {
                let at = intent.index.min(post.tweets.len());
                post.tweets.insert(at, tweet);
            }
        }
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

    /// Looks for the tweet an intent may have published: same content,
    /// created after the intent, not recorded for any post. `fresh` reads
    /// the timeline again (a create of this run may have appeared since);
    /// otherwise the run's one read is used.
    pub(super) async fn find(
        &mut self,
        state: &State,
        intent: &Intent,
        fresh: bool,
    ) -> Result<Found, Halt> {
        let earliest = if fresh {
            intent.at
        } else {
            // One read for every pending intent.
            state
                .pending
                .iter()
                .map(|i| i.at)
                .chain([intent.at])
                .min()
                .unwrap_or(intent.at)
        };
        let view = self.view(earliest, fresh).await?;
        let since = view.since(intent.at, self.options.settle_skew);
        let known: HashSet<&str> = state
            .posts
            .values()
            .flat_map(|p| p.tweets.iter().map(|t| t.id.as_str()))
            .collect();
        let mut found: Vec<&RemoteTweet> = view
            .tweets
            .iter()
            .filter(|t| !known.contains(t.id.as_str()) && belongs(t, intent))
            .collect();
        // The oldest match after the intent is the one closest to it.
        found.sort_by_key(|t| (t.created_at, t.id.len(), t.id.clone()));
        let ours = found
            .iter()
            .find(|t| t.created_at.is_none_or(|c| c >= since))
            .map(|t| t.id.clone());
        let older = found
            .iter()
            .any(|t| t.created_at.is_some_and(|c| c < since));
        Ok(match ours {
            Some(id) => Found::Ours(id),
            None if older => Found::Older,
            None => Found::Nothing,
        })
    }

    /// The timeline from `earliest` (this machine's clock) minus the
    /// horizon, read once per run unless `fresh`.
    async fn view(&mut self, earliest: Timestamp, fresh: bool) -> Result<View, Halt> {
        if !fresh
            && let Some(v) = &self.recovery.view
            && v.from <= earliest
        {
            return Ok(v.clone());
        }
        let horizon = SignedDuration::try_from(self.options.settle_horizon).unwrap_or_default();
        let mut from = earliest.saturating_sub(horizon).unwrap_or(earliest);
        if let Some(old) = &self.recovery.view
            && !fresh
        {
            from = from.min(old.from);
        }
        let mut guess = self
            .recovery
            .view
            .as_ref()
            .and_then(|v| v.offset)
            .unwrap_or_default();
        let mut view;
        // Asked on X's clock: a second read only when the measured offset
        // shows that the first started too late.
        let mut reads = 0;
        loop {
            reads += 1;
            let start = from.saturating_add(guess).unwrap_or(from);
            let (tweets, date) = self.timeline(start).await?;
            let offset = date.map(|d| d.duration_since(self.clock.now()));
            view = View {
                from,
                tweets,
                offset,
            };
            // The earliest intent's tweet may be dated from here on X's clock.
            let needed = earliest
                .saturating_add(offset.unwrap_or_default())
                .and_then(|t| t.saturating_sub(MEASURED_MARGIN))
                .unwrap_or(earliest);
            match offset {
                Some(o) if start > needed && reads < 2 => guess = o,
                _ => break,
            }
        }
        self.recovery.view = Some(view.clone());
        Ok(view)
    }

    /// After X refused a text as a duplicate when an earlier attempt may
    /// have published it: look until ours shows up (the timeline lags), an
    /// older tweet with the content explains the refusal, or patience runs
    /// out.
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
            // A signal ends the wait: the intent stays for the next run.
            self.nap(delay).await;
            self.check_interrupt()?;
            waited += delay;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
}

impl View {
    /// The instant, on X's clock, from which a tweet may be the one an
    /// intent recorded at `at` sent. Measured offset when X sent a `date`;
    /// else the configured tolerance.
    fn since(&self, at: Timestamp, skew: Duration) -> Timestamp {
        match self.offset {
            Some(o) => at
                .saturating_add(o)
                .and_then(|t| t.saturating_sub(MEASURED_MARGIN))
                .unwrap_or(at),
            None => {
                let skew = SignedDuration::try_from(skew).unwrap_or_default();
                at.saturating_sub(skew).unwrap_or(at)
            }
        }
    }
}

/// Whether a tweet from X has the whole content an intent sent. For an
/// edit: a newer version of the tweet it edits, with its text.
pub(super) fn belongs(remote: &RemoteTweet, intent: &Intent) -> bool {
    if let Some(old) = &intent.edit_of {
        return &remote.id != old
            && remote.edit_history_tweet_ids.contains(old)
            && same_text(remote, &intent.text);
    }
    let Some(shape) = &intent.shape else {
        // Saved without its shape: text alone, and only a text that says
        // something besides links.
        return !only_links(&intent.text) && same_text(remote, &intent.text);
    };
    let expected = Expected {
        text: &intent.text,
        reply_to: shape.reply_to.as_deref(),
        quote: shape.quote.as_deref(),
        media: shape.media,
        media_keys: &shape.media_keys,
        media_ids: &[],
        poll: shape.poll,
    };
    differences(remote, &expected).is_empty()
}
