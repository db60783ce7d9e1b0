//! The planner: a pure function of (posts, state, now) → [`Plan`]. Apart
//! from the plan's types ([`crate::plan`]) because those are also the
//! saved plan's document, read back by `apply`, which needs none of this.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use jiff::{SignedDuration, Timestamp};

use crate::action::Action;
pub use crate::config::Edits;
use crate::plan::{Change, PLAN_FORMAT_VERSION, Plan, Refused, Summary, TweetChange, TweetOp};
use crate::post::{Post, Tweet, repost_digest};
use crate::state::{PublishedTweet, RepostRecord, State};
use crate::text::tweet_url;
use crate::validate::weighted_length;

/// Compares what the posts declare with what the state says is published.
///
/// Pure and deterministic: the same posts (in any order), state and `now`
/// give the same plan. Tweets are compared by digest ([`Tweet::digest`]),
/// which covers the whole declared body but not the thread chaining.
///
/// Per post key:
/// - not published: `create`, or `wait` while `publish_at` is after `now`;
/// - same digests as published: unchanged;
/// - published tweets are a strict prefix of the declared ones: `append`;
/// - otherwise `replace` from the first tweet that differs on: the later
///   tweets must go too, since each one replies to the one before;
///   a thread shortened at its end is a replace that only deletes;
/// - published but no longer declared: `delete`, unless a new post declares
///   exactly the same tweets, which is a `move` (a rename in the state, no
///   API call). Several candidates pair up in sorted key order.
///
/// `publish_at` only gates a post's first publication: a published post
/// whose `publish_at` is moved into the future is compared by content like
/// any other, and so is a renamed one (a move, not a wait). Waiting posts
/// list the tweets they will create when due.
///
/// A state entry without tweets counts as not published, and an
/// unpublished post without tweets (which validation refuses) as unchanged:
/// there is nothing to do for either. Post keys are expected to be unique
/// (the loader refuses duplicates); should two posts share one, the first
/// one given is planned and the others are ignored.
///
/// Work is linear in the number of posts and tweets: posts and state
/// entries are paired in one pass over both sorted by key (sorting posts
/// that come sorted is linear), and move candidates are looked up by their
/// digest sequence.
pub fn plan(posts: &[Post], state: &State, now: Timestamp) -> Plan {
    plan_with(posts, state, now, Edits::default())
}

/// X allows a tweet five edits (six versions).
pub const MAX_EDITS: usize = 5;

/// [`plan`], where a changed published tweet may be an edit instead of a
/// replace. With `edits.enabled`, a replace whose changed tweets can all be
/// edited (inside the window after `published_at`, fewer than
/// [`MAX_EDITS`] edits, no poll, not in a community, and, for a post's first
/// tweet, not a reply to a tweet the state does not record, i.e. another
/// account's) is an `edit`: only the changed tweets are edited, the others
/// kept, since an edit keeps a tweet's place in its thread; tweets declared
/// after the published ones are created. Otherwise it stays a replace and
/// says in `not_an_edit` why it could not be one. A thread that loses
/// tweets is a replace (only a delete removes a tweet).
pub fn plan_with(posts: &[Post], state: &State, now: Timestamp, edits: Edits) -> Plan {
    let editing = edits.enabled.then(|| Editing {
        rules: edits,
        now,
        own: state
            .posts
            .values()
            .flat_map(|p| &p.tweets)
            .flat_map(|t| std::iter::once(&t.id).chain(&t.edits))
            .map(String::as_str)
            .collect(),
    });
    // Both sides sorted by key, so that one merge pass pairs them up. The
    // loader gives posts in path order already, which the sort detects.
    let mut posts: Vec<&Post> = posts.iter().collect();
    posts.sort_by(|a, b| a.key.cmp(&b.key));
    posts.dedup_by(|later, first| later.key == first.key);
    let published = recorded(state);

    let mut matched = Vec::new();
    let mut new = Vec::new();
    let mut gone = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < posts.len() || j < published.len() {
        let order = match (posts.get(i), published.get(j)) {
            (Some(post), Some((key, _))) => post.key.as_str().cmp(key),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                new.push(Declared::of(posts[i]));
                i += 1;
            }
            Ordering::Greater => {
                gone.push((published[j].0, published[j].1.as_slice()));
                j += 1;
            }
            Ordering::Equal => {
                matched.push((Declared::of(posts[i]), published[j].1.as_slice()));
                i += 1;
                j += 1;
            }
        }
    }
    let (moved_to, moved_away) = find_moves(&new, &gone);

    let mut changes = Vec::new();
    let mut summary = Summary::default();
    let mut push = |change: Option<Change>| match change {
        Some(mut change) => {
            change.refused = refusal(state, &change);
            if change.refused.is_some() {
                summary.refused += 1;
            } else {
                summary.count(change.action);
            }
            changes.push(change);
        }
        None => summary.count(Action::Unchanged),
    };
    for (declared, tweets) in &matched {
        push(compare(declared, tweets, editing.as_ref()));
    }
    for (declared, source) in new.iter().zip(moved_to) {
        if declared.digests.is_empty() {
            push(None);
            continue;
        }
        push(Some(match source {
            Some(g) => moved(declared.post, gone[g].0, gone[g].1),
            None if declared.post.publish_at.is_some_and(|at| at > now) => {
                unpublished(declared, Action::Wait)
            }
            None => unpublished(declared, Action::Create),
        }));
    }
    for ((key, tweets), moved) in gone.iter().zip(moved_away) {
        if !moved {
            push(Some(deleted(key, tweets)));
        }
    }
    // Three runs each sorted already: this is a merge.
    changes.sort_by(|a, b| a.key.cmp(&b.key));

    Plan {
        format_version: PLAN_FORMAT_VERSION,
        lineage: state.lineage.clone(),
        serial: state.serial,
        planned_at: now,
        changes,
        summary,
        refresh: None,
        cost: None,
        forecast: None,
    }
}

/// X's recorded refusal of this change's post, if its content is still the
/// one refused (any edit changes the digest and clears it).
fn refusal(state: &State, change: &Change) -> Option<Refused> {
    let r = state.refused.get(&change.key)?;
    if change.action == Action::Delete || r.digest != change.content_digest() {
        return None;
    }
    Some(Refused {
        index: r.index,
        status: r.status,
        detail: r.detail.clone(),
    })
}

/// What a state entry records at one position: a tweet of the account's,
/// or the tweet its post reposted (with that repost's digest).
#[derive(Debug, Clone)]
enum Recorded<'a> {
    Tweet(&'a PublishedTweet),
    Repost(&'a RepostRecord, String),
}

impl Recorded<'_> {
    fn digest(&self) -> &str {
        match self {
            Recorded::Tweet(t) => &t.digest,
            Recorded::Repost(_, digest) => digest,
        }
    }
}

/// Every state entry with something published, sorted by key: its tweets,
/// then its repost (a key holds one or the other once a run completes).
/// Linear in the entries without reposts; with them, a map merges the two.
fn recorded(state: &State) -> Vec<(&str, Vec<Recorded<'_>>)> {
    let tweets = state
        .posts
        .iter()
        .filter(|(_, entry)| !entry.tweets.is_empty())
        .map(|(key, entry)| (key.as_str(), entry.tweets.iter().map(Recorded::Tweet)));
    if state.reposts.is_empty() {
        return tweets.map(|(key, t)| (key, t.collect())).collect();
    }
    let mut by_key: BTreeMap<&str, Vec<Recorded>> = BTreeMap::new();
    for (key, t) in tweets {
        by_key.entry(key).or_default().extend(t);
    }
    for (key, repost) in &state.reposts {
        by_key
            .entry(key.as_str())
            .or_default()
            .push(Recorded::Repost(repost, repost_digest(&repost.tweet_id)));
    }
    by_key.into_iter().collect()
}

/// A post with the digests of its tweets (or of its repost), computed once.
struct Declared<'a> {
    post: &'a Post,
    digests: Vec<String>,
}

impl<'a> Declared<'a> {
    fn of(post: &'a Post) -> Self {
        Declared {
            post,
            digests: post.digests(),
        }
    }

    /// What publishing position `index` takes: its tweet's body, or the
    /// repost. `old_text` is the text of what it replaces, for the diff.
    fn change(&self, index: usize, old_text: Option<String>) -> Option<TweetChange> {
        let digest = self.digests.get(index)?;
        if let Some(repost) = &self.post.repost {
            return (index == 0).then(|| reposting(index, &repost.tweet_id, digest, true));
        }
        let tweet = self.post.tweets.get(index)?;
        Some(declared_tweet(index, tweet, digest, old_text))
    }
}

/// Pairs new posts (key not published) with published entries whose post
/// is gone and whose digests are exactly the new post's. Both lists are
/// sorted by key, so ties pair up in key order. Returns, for each new post,
/// the index of its source in `gone`, and for each gone entry whether it
/// was moved.
fn find_moves(new: &[Declared], gone: &[(&str, &[Recorded])]) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut moved_to = vec![None; new.len()];
    let mut moved_away = vec![false; gone.len()];
    if new.is_empty() || gone.is_empty() {
        return (moved_to, moved_away);
    }
    let mut by_digests: HashMap<Vec<&str>, VecDeque<usize>> = HashMap::new();
    for (g, (_, tweets)) in gone.iter().enumerate() {
        let digests = tweets.iter().map(Recorded::digest).collect();
        by_digests.entry(digests).or_default().push_back(g);
    }
    for (declared, source) in new.iter().zip(&mut moved_to) {
        let digests: Vec<&str> = declared.digests.iter().map(String::as_str).collect();
        if let Some(g) = by_digests.get_mut(&digests).and_then(VecDeque::pop_front) {
            *source = Some(g);
            moved_away[g] = true;
        }
    }
    (moved_to, moved_away)
}

/// What deciding on edits needs: the rules, the plan's `now`, and every ID
/// the state records (the account's own tweets, every version).
struct Editing<'a> {
    rules: Edits,
    now: Timestamp,
    own: HashSet<&'a str>,
}

impl Editing<'_> {
    /// Whether the published tweet at `index` can be edited into `body`;
    /// if not, why.
    fn check(&self, index: usize, published: &PublishedTweet, body: &Tweet) -> Result<(), String> {
        let n = index + 1;
        if published.edits.len() >= MAX_EDITS {
            return Err(format!(
                "tweet {n} was edited {MAX_EDITS} times already, X's limit"
            ));
        }
        if body.poll.is_some() {
            return Err(format!("tweet {n} has a poll, and X does not edit polls"));
        }
        if body.community_id.is_some() {
            return Err(format!(
                "tweet {n} is posted in a community, and X does not edit community posts"
            ));
        }
        if let Some(reply) = body.reply.as_ref().filter(|_| index == 0)
            && !self.own.contains(reply.in_reply_to_tweet_id.as_str())
        {
            return Err(format!(
                "tweet {n} replies to another account's tweet ({}), and X does not edit such replies",
                reply.in_reply_to_tweet_id
            ));
        }
        let Some(at) = published.published_at else {
            return Err(format!(
                "tweet {n}'s publication time is not recorded, so its edit window is unknown"
            ));
        };
        let closes = at.saturating_add(self.rules.window).unwrap_or(at);
        if self.now >= closes {
            return Err(format!(
                "tweet {n} is outside the edit window since {closes} ({} after it was published)",
                window_text(self.rules.window)
            ));
        }
        Ok(())
    }
}

/// A window as `tweetform.yaml` writes it: `30m`, `1h`, `90s`.
fn window_text(window: SignedDuration) -> String {
    let secs = window.as_secs();
    if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// A changed published post as edits in place, from its first differing
/// position `same`; `Err` with the reason when one of them cannot be.
fn edited(
    declared: &Declared,
    published: &[Recorded],
    same: usize,
    editing: &Editing,
) -> Result<Change, String> {
    if declared.post.repost.is_some() || published.len() > declared.digests.len() {
        let why = if declared.post.repost.is_some() {
            "a repost is not the account's tweet to edit"
        } else {
            "the thread loses tweets, which only a delete removes"
        };
        return Err(why.to_owned());
    }
    let mut tweets: Vec<TweetChange> = published[..same]
        .iter()
        .enumerate()
        .map(|(i, t)| kept(i, t))
        .collect();
    for (i, digest) in declared.digests.iter().enumerate().skip(same) {
        let body = &declared.post.tweets[i];
        match published.get(i) {
            Some(old) if old.digest() == digest => tweets.push(kept(i, old)),
            Some(Recorded::Tweet(old)) => {
                editing.check(i, old, body)?;
                let mut change = declared_tweet(i, body, digest, None);
                change.op = TweetOp::Edit {
                    previous_id: old.id.clone(),
                    body: body.clone(),
                    old_text: old.text.clone(),
                };
                tweets.push(change);
            }
            Some(Recorded::Repost(..)) => {
                return Err("a repost is not the account's tweet to edit".to_owned());
            }
            None => tweets.push(declared_tweet(i, body, digest, None)),
        }
    }
    Ok(post_change(declared.post, Action::Edit, None, tweets))
}

/// A published post against its declaration; `None` when unchanged.
fn compare(
    declared: &Declared,
    published: &[Recorded],
    editing: Option<&Editing>,
) -> Option<Change> {
    let Declared { post, digests } = declared;
    let same = digests
        .iter()
        .zip(published)
        .take_while(|(d, p)| d.as_str() == p.digest())
        .count();
    if same == published.len() && same == digests.len() {
        return None;
    }
    let action = if same == published.len() {
        Action::Append
    } else {
        Action::Replace
    };
    let mut not_an_edit = None;
    if let (Action::Replace, Some(editing)) = (action, editing) {
        match edited(declared, published, same, editing) {
            Ok(change) => return Some(change),
            Err(why) => not_an_edit = Some(why),
        }
    }
    let mut tweets: Vec<TweetChange> = published[..same]
        .iter()
        .enumerate()
        .map(|(i, t)| kept(i, t))
        .collect();
    for i in same..published.len().max(digests.len()) {
        let old = published.get(i);
        if let Some(old) = old {
            tweets.push(to_delete(i, old));
        }
        let old_text = match old {
            Some(Recorded::Tweet(t)) => Some(t.text.clone()),
            _ => None,
        };
        tweets.extend(declared.change(i, old_text));
    }
    let mut change = post_change(post, action, None, tweets);
    change.not_an_edit = not_an_edit;
    Some(change)
}

fn unpublished(declared: &Declared, action: Action) -> Change {
    let tweets = (0..declared.digests.len())
        .filter_map(|i| declared.change(i, None))
        .collect();
    post_change(declared.post, action, None, tweets)
}

fn moved(post: &Post, from: &str, published: &[Recorded]) -> Change {
    let tweets = published
        .iter()
        .enumerate()
        .map(|(i, t)| kept(i, t))
        .collect();
    post_change(post, Action::Move, Some(from.to_owned()), tweets)
}

fn deleted(key: &str, published: &[Recorded]) -> Change {
    Change {
        key: key.to_owned(),
        action: Action::Delete,
        file: None,
        from: None,
        publish_at: None,
        tweets: published
            .iter()
            .enumerate()
            .map(|(i, t)| to_delete(i, t))
            .collect(),
        refused: None,
        not_an_edit: None,
    }
}

fn post_change(
    post: &Post,
    action: Action,
    from: Option<String>,
    tweets: Vec<TweetChange>,
) -> Change {
    Change {
        key: post.key.clone(),
        action,
        file: Some(post.file.clone()),
        from,
        publish_at: post.publish_at,
        tweets,
        refused: None,
        not_an_edit: None,
    }
}

/// A kept tweet, or a kept repost (known by the reposted tweet's ID).
fn kept(index: usize, recorded: &Recorded) -> TweetChange {
    match recorded {
        Recorded::Tweet(tweet) => published_tweet(
            index,
            tweet,
            TweetOp::Keep {
                id: tweet.id.clone(),
            },
        ),
        Recorded::Repost(repost, digest) => TweetChange {
            index,
            op: TweetOp::Keep {
                id: repost.tweet_id.clone(),
            },
            text: tweet_url(&repost.tweet_id),
            weighted_length: 0,
            digest: digest.clone(),
        },
    }
}

fn to_delete(index: usize, recorded: &Recorded) -> TweetChange {
    match recorded {
        Recorded::Tweet(tweet) => published_tweet(
            index,
            tweet,
            TweetOp::Delete {
                id: tweet.id.clone(),
            },
        ),
        Recorded::Repost(repost, digest) => reposting(index, &repost.tweet_id, digest, false),
    }
}

/// A repost of `tweet_id` (`true`) or its undo; its text is the link.
fn reposting(index: usize, tweet_id: &str, digest: &str, repost: bool) -> TweetChange {
    let tweet_id = tweet_id.to_owned();
    TweetChange {
        index,
        text: tweet_url(&tweet_id),
        op: if repost {
            TweetOp::Repost { tweet_id }
        } else {
            TweetOp::Unrepost { tweet_id }
        },
        weighted_length: 0,
        digest: digest.to_owned(),
    }
}

fn published_tweet(index: usize, tweet: &PublishedTweet, op: TweetOp) -> TweetChange {
    TweetChange {
        index,
        op,
        text: tweet.text.clone(),
        weighted_length: weighted_length(&tweet.text),
        digest: tweet.digest.clone(),
    }
}

fn declared_tweet(
    index: usize,
    tweet: &Tweet,
    digest: &str,
    old_text: Option<String>,
) -> TweetChange {
    TweetChange {
        index,
        op: TweetOp::Create {
            body: tweet.clone(),
            old_text,
        },
        text: tweet.text.clone(),
        weighted_length: weighted_length(&tweet.text),
        digest: digest.to_owned(),
    }
}

#[cfg(test)]
mod tests;
