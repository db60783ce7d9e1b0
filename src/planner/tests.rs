//! Edits in place: when a changed published tweet is an edit, and why not.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};

use super::{Edits, MAX_EDITS, plan, plan_with};
use crate::action::Action;
use crate::plan::{Change, TweetOp};
use crate::post::{Poll, Post, Reply, Tweet};
use crate::state::{PostState, PublishedTweet, State};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Published at 12:00; the plans below are made at 12:10 (inside the
/// default 30 minutes) or 13:00 (outside).
fn published_at() -> Timestamp {
    at("2026-03-01T12:00:00Z")
}

fn inside() -> Timestamp {
    at("2026-03-01T12:10:00Z")
}

fn on() -> Edits {
    Edits {
        enabled: true,
        ..Edits::default()
    }
}

fn post(key: &str, tweets: Vec<Tweet>) -> Post {
    Post {
        key: key.into(),
        file: PathBuf::from(format!("posts/{key}.yaml")),
        publish_at: None,
        publish_at_pos: None,
        is_thread: tweets.len() > 1,
        tweets,
        repost: None,
    }
}

fn texts(texts: &[&str]) -> Vec<Tweet> {
    texts.iter().map(|t| Tweet::new(*t)).collect()
}

/// A state where `key` published `texts` as IDs 1, 2, … at 12:00.
fn state(key: &str, texts: &[&str]) -> State {
    let mut state = State::new();
    let tweets = texts
        .iter()
        .enumerate()
        .map(|(i, t)| PublishedTweet {
            id: (i + 1).to_string(),
            text: (*t).into(),
            digest: Tweet::new(*t).digest(),
            published_at: Some(published_at()),
            edits: Vec::new(),
        })
        .collect();
    state.posts.insert(key.into(), PostState { tweets });
    state
}

fn only(posts: &[Post], state: &State, now: Timestamp, edits: Edits) -> Change {
    let plan = plan_with(posts, state, now, edits);
    assert_eq!(plan.changes.len(), 1, "{plan:#?}");
    plan.changes.into_iter().next().unwrap()
}

fn ops(change: &Change) -> Vec<(&'static str, Option<&str>, &str)> {
    change
        .tweets
        .iter()
        .map(|t| (t.op.name(), t.id(), t.text.as_str()))
        .collect()
}

#[test]
fn inside_the_window_a_changed_tweet_is_an_edit_that_keeps_the_rest_of_its_thread() {
    let state = state("t", &["one", "two", "three"]);
    let posts = [post("t", texts(&["one", "TWO", "three"]))];
    let change = only(&posts, &state, inside(), on());
    assert_eq!(change.action, Action::Edit);
    assert!(!change.destructive());
    assert_eq!(change.not_an_edit, None);
    assert_eq!(
        ops(&change),
        [
            ("keep", Some("1"), "one"),
            ("edit", Some("2"), "TWO"),
            ("keep", Some("3"), "three"),
        ]
    );
    let TweetOp::Edit {
        previous_id,
        old_text,
        body,
    } = &change.tweets[1].op
    else {
        panic!("{change:?}");
    };
    assert_eq!((previous_id.as_str(), old_text.as_str()), ("2", "two"));
    assert_eq!(body.text, "TWO");
    let plan = plan_with(&posts, &state, inside(), on());
    assert_eq!((plan.summary.edit, plan.summary.replace), (1, 0));
}

#[test]
fn an_edit_with_new_tweets_at_the_end_creates_them() {
    let state = state("t", &["one"]);
    let posts = [post("t", texts(&["ONE", "two"]))];
    let change = only(&posts, &state, inside(), on());
    assert_eq!(change.action, Action::Edit);
    assert_eq!(
        ops(&change),
        [("edit", Some("1"), "ONE"), ("create", None, "two")]
    );
}

#[test]
fn outside_the_window_it_is_a_replace_that_says_since_when() {
    let state = state("t", &["one"]);
    let posts = [post("t", texts(&["ONE"]))];
    let change = only(&posts, &state, at("2026-03-01T12:30:00Z"), on());
    assert_eq!(change.action, Action::Replace);
    assert_eq!(
        change.not_an_edit.as_deref(),
        Some(
            "tweet 1 is outside the edit window since 2026-03-01T12:30:00Z (30m after it was published)"
        )
    );
    // A longer window, as `edit_window: 1h` sets it, makes it an edit.
    let hour = Edits {
        enabled: true,
        window: SignedDuration::from_hours(1),
    };
    let change = only(&posts, &state, at("2026-03-01T12:30:00Z"), hour);
    assert_eq!(change.action, Action::Edit);
}

#[test]
fn edits_off_is_a_replace_without_a_reason() {
    let state = state("t", &["one"]);
    let posts = [post("t", texts(&["ONE"]))];
    let change = only(&posts, &state, inside(), Edits::default());
    assert_eq!(change.action, Action::Replace);
    assert_eq!(change.not_an_edit, None);
    assert_eq!(plan(&posts, &state, inside()).changes[0], change);
}

#[test]
fn five_edits_already_is_a_replace() {
    let mut state = state("t", &["one"]);
    let tweet = &mut state.posts.get_mut("t").unwrap().tweets[0];
    tweet.edits = (0..MAX_EDITS).map(|i| format!("9{i}")).collect();
    let posts = [post("t", texts(&["ONE"]))];
    let change = only(&posts, &state, inside(), on());
    assert_eq!(change.action, Action::Replace);
    assert_eq!(
        change.not_an_edit.as_deref(),
        Some("tweet 1 was edited 5 times already, X's limit")
    );
    // Four edits leave one.
    state.posts.get_mut("t").unwrap().tweets[0].edits.pop();
    assert_eq!(only(&posts, &state, inside(), on()).action, Action::Edit);
}

#[test]
fn uneditable_tweets_are_replaced_with_the_reason() {
    let state = state("t", &["one"]);
    let mut poll = Tweet::new("ONE");
    poll.poll = Some(Poll {
        options: vec!["a".into(), "b".into()],
        duration_minutes: 60,
    });
    let mut community = Tweet::new("ONE");
    community.community_id = Some("77".into());
    let mut reply = Tweet::new("ONE");
    reply.reply = Some(Reply {
        in_reply_to_tweet_id: "555".into(),
        ..Reply::default()
    });
    for (tweet, why) in [
        (poll, "tweet 1 has a poll, and X does not edit polls"),
        (
            community,
            "tweet 1 is posted in a community, and X does not edit community posts",
        ),
        (
            reply,
            "tweet 1 replies to another account's tweet (555), and X does not edit such replies",
        ),
    ] {
        let change = only(&[post("t", vec![tweet])], &state, inside(), on());
        assert_eq!(change.action, Action::Replace);
        assert_eq!(change.not_an_edit.as_deref(), Some(why));
    }
}

#[test]
fn a_reply_to_the_accounts_own_tweet_can_be_edited() {
    let mut state = state("t", &["one"]);
    state
        .posts
        .insert("other".into(), PostState { tweets: Vec::new() });
    state.posts.get_mut("other").unwrap().tweets = vec![PublishedTweet {
        id: "555".into(),
        text: "mine".into(),
        digest: Tweet::new("mine").digest(),
        published_at: None,
        edits: Vec::new(),
    }];
    let mut reply = Tweet::new("ONE");
    reply.reply = Some(Reply {
        in_reply_to_tweet_id: "555".into(),
        ..Reply::default()
    });
    let mine = post("other", texts(&["mine"]));
    let plan = plan_with(&[post("t", vec![reply]), mine], &state, inside(), on());
    assert_eq!(plan.changes.len(), 1, "{plan:#?}");
    assert_eq!(plan.changes[0].action, Action::Edit);
}

#[test]
fn a_tweet_without_its_publication_time_is_not_edited() {
    let mut state = state("t", &["one"]);
    state.posts.get_mut("t").unwrap().tweets[0].published_at = None;
    let change = only(&[post("t", texts(&["ONE"]))], &state, inside(), on());
    assert_eq!(change.action, Action::Replace);
    assert!(
        change
            .not_an_edit
            .as_deref()
            .is_some_and(|why| why.contains("publication time is not recorded")),
        "{change:?}"
    );
}

#[test]
fn a_thread_that_loses_tweets_stays_a_replace() {
    let state = state("t", &["one", "two"]);
    let change = only(&[post("t", texts(&["ONE"]))], &state, inside(), on());
    assert_eq!(change.action, Action::Replace);
    assert_eq!(
        change.not_an_edit.as_deref(),
        Some("the thread loses tweets, which only a delete removes")
    );
}
