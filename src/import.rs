//! Importing: recording in the state tweets that were published outside
//! tweetform, so that `apply` never publishes them again. A tweet is
//! recorded for a post only when it is that post's tweet by the rules of
//! [`crate::tweet_match`] (the same that settle an interrupted run), in
//! order, each tweet of a thread replying to the one before it: a tweet
//! that merely resembles the post is refused with what differs, and
//! nothing is written.
//!
//! This file owns matching a post with tweets read from X and
//! `tweetform import KEY LINK_OR_ID…`; reading the account's timeline
//! into new post files, and adopting the unpublished posts found on it,
//! are [`crate::import_account`].

use std::collections::BTreeMap;

use crate::api::{RemoteTweet, XApi};
use crate::executor::Executor;
use crate::post::{Post, Tweet};
use crate::problem::Problem;
use crate::state::{PostState, PublishedTweet, State};
use crate::text::tweet_url;
use crate::tweet_match::{Difference, Expected, differences, expanded_text};

/// What a declared tweet must be on X, replying to `reply_to`.
fn expected<'a>(tweet: &'a Tweet, reply_to: Option<&'a str>, keys: &'a [String]) -> Expected<'a> {
    let media = tweet.media.as_ref();
    Expected {
        text: &tweet.text,
        reply_to,
        quote: tweet.quote_tweet_id.as_deref(),
        media: media.map_or(0, |m| m.media_ids.len() + m.files.len()),
        media_keys: keys,
        media_ids: media.map_or(&[][..], |m| &m.media_ids[..]),
        poll: tweet.poll.is_some(),
    }
}

/// The media keys of a tweet's files when this tweetform uploaded them
/// and the state still knows their uploads; empty otherwise (then only
/// their number is compared).
fn upload_keys(tweet: &Tweet, state: &State) -> Vec<String> {
    let keys: Option<Vec<String>> = tweet
        .media_files()
        .iter()
        .map(|f| {
            f.sha256()
                .and_then(|sha| state.uploads.get(sha))
                .and_then(|u| u.media_key.clone())
        })
        .collect();
    keys.unwrap_or_default()
}

/// The tweet a post's tweet `index` must reply to: the declared reply for
/// the first, the previous tweet of the thread for the others.
fn reply_for<'a>(post: &'a Post, index: usize, previous: Option<&'a str>) -> Option<&'a str> {
    if index == 0 {
        post.tweets[0]
            .reply
            .as_ref()
            .map(|r| r.in_reply_to_tweet_id.as_str())
    } else {
        previous
    }
}

/// How the tweet found for a post's tweet `index` differs from it,
/// `previous` being the ID found for the tweet before.
pub(crate) fn tweet_differences(
    post: &Post,
    index: usize,
    previous: Option<&str>,
    remote: &RemoteTweet,
    state: &State,
) -> Vec<Difference> {
    let tweet = &post.tweets[index];
    let keys = upload_keys(tweet, state);
    differences(
        remote,
        &expected(tweet, reply_for(post, index, previous), &keys),
    )
}

/// What the state records for a post whose tweets are `remote`, in order.
pub(crate) fn record(post: &Post, remote: &[&RemoteTweet]) -> PostState {
    PostState {
        tweets: post
            .tweets
            .iter()
            .zip(remote)
            .map(|(tweet, r)| PublishedTweet {
                id: r.id.clone(),
                // X's text as its author wrote it, as a tweet published by
                // tweetform records the text it sent: the plan's diffs and
                // later comparisons with X read the same either way.
                text: expanded_text(r).unwrap_or_else(|| r.text.clone()),
                digest: tweet.digest(),
                published_at: r.created_at,
                edits: Vec::new(),
            })
            .collect(),
    }
}

/// Matches `remote` (in order) with the post's tweets: the post's record,
/// or one line per difference.
pub(crate) fn match_post(
    post: &Post,
    remote: &[&RemoteTweet],
    state: &State,
    account: &str,
) -> Result<PostState, Vec<String>> {
    let file = post.file.display();
    let of = post.tweets.len();
    let mut problems = Vec::new();
    let mut previous: Option<&str> = None;
    for (index, r) in remote.iter().enumerate() {
        let which = if of > 1 {
            format!("tweet {} of {of} of {file}", index + 1)
        } else {
            format!("the tweet of {file}")
        };
        if r.author_id.as_deref().is_some_and(|a| a != account) {
            problems.push(format!(
                "{} is not the account's: it was posted by user {}",
                tweet_url(&r.id),
                r.author_id.as_deref().unwrap_or_default()
            ));
        }
        for d in tweet_differences(post, index, previous, r, state) {
            problems.push(format!("{which} is not {}: {d}", tweet_url(&r.id)));
        }
        previous = Some(&r.id);
    }
    if problems.is_empty() {
        Ok(record(post, remote))
    } else {
        Err(problems)
    }
}

/// What `import KEY IDS` did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Imported {
    Recorded,
    /// The state already recorded these very tweets for the post.
    AlreadyRecorded,
}

/// Reads `ids` from X and records them for `post` when they are its
/// tweets; otherwise an error that shows every difference, and the state
/// is left as it was.
pub(crate) async fn import_ids<A: XApi>(
    executor: &mut Executor<A>,
    state: &mut State,
    post: &Post,
    ids: &[String],
) -> Result<Imported, Problem> {
    let file = post.file.display();
    if post.repost.is_some() {
        return Err(Problem::new(format!(
            "{file} is a repost: it has no tweet of the account's own to import; nothing was recorded"
        ))
        .with_help(
            "run `tweetform apply`: it reposts the tweet, and reposting a tweet already reposted changes nothing on X",
        ));
    }
    if ids.len() != post.tweets.len() {
        return Err(Problem::new(format!(
            "{file} declares {} tweet(s) but {} link(s) or ID(s) were given; nothing was recorded",
            post.tweets.len(),
            ids.len()
        ))
        .with_help("give one link or ID per tweet of the post, in the thread's order"));
    }
    if let Some(recorded) = state.posts.get(&post.key) {
        let same = recorded.tweets.iter().map(|t| &t.id).eq(ids.iter());
        if same {
            return Ok(Imported::AlreadyRecorded);
        }
        let were: Vec<&str> = recorded.tweets.iter().map(|t| t.id.as_str()).collect();
        return Err(Problem::new(format!(
            "the state already records {} as published ({}); nothing was recorded",
            post.key,
            were.join(", ")
        ))
        .with_help("a post is imported once; to adopt other tweets, remove the post's file, apply (which deletes the recorded tweets), and import again"));
    }
    if state.pending.iter().any(|i| i.key == post.key) {
        return Err(Problem::new(format!(
            "an interrupted apply may have published {}: its intent is still in the state; nothing was recorded",
            post.key
        ))
        .with_help("run `tweetform apply` first: it finds what that run published and records it"));
    }
    let owners: BTreeMap<&str, &str> = state
        .posts
        .iter()
        .flat_map(|(k, p)| p.tweets.iter().map(move |t| (t.id.as_str(), k.as_str())))
        .collect();
    for id in ids {
        if let Some(other) = owners.get(id.as_str()) {
            return Err(Problem::new(format!(
                "{} is already recorded for the post {other}; nothing was recorded",
                tweet_url(id)
            )));
        }
    }
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != ids.len() {
        return Err(Problem::new(
            "the same tweet was given twice; nothing was recorded",
        ));
    }

    executor.begin_reads(state);
    let account = executor.read_user_id().await?;
    let found = executor.read_tweets(ids).await?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.iter().any(|t| &t.id == *id))
        .map(|id| tweet_url(id))
        .collect();
    if !missing.is_empty() {
        return Err(Problem::new(format!(
            "X has no tweet {} (deleted, protected, or never published); nothing was recorded",
            missing.join(", ")
        ))
        .with_help(
            "check the link or ID; a tweet that no longer exists is published by `tweetform apply`",
        ));
    }
    let ordered: Vec<&RemoteTweet> = ids
        .iter()
        .filter_map(|id| found.iter().find(|t| &t.id == id))
        .collect();
    match match_post(post, &ordered, state, &account) {
        Ok(record) => {
            state.posts.insert(post.key.clone(), record);
            // Published after all: X's old refusal of the content is moot.
            state.refused.remove(&post.key);
            executor
                .save_with_reads(state)
                .map_err(Problem::from)?;
            Ok(Imported::Recorded)
        }
        Err(problems) => Err(Problem::new(format!(
            "the tweets do not match {file}; nothing was recorded:\n- {}",
            problems.join("\n- ")
        ))
        .with_help(
            "make the post say what was published (then `tweetform import` again), or publish it anew with `tweetform apply`",
        )),
    }
}

#[cfg(test)]
mod tests;
