//! Properties of the planner over arbitrary posts and states: applying a
//! plan's effects and planning again leaves nothing to do, the plan does not
//! depend on the order of the posts, and no published tweet ID is lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use tweetform::plan::{Action, Plan, TweetOp, plan};
use tweetform::post::{Post, ReplySettings, Tweet};
use tweetform::state::{PostState, PublishedTweet, State};

/// What a fully successful apply of `plan` does to `state`: creates get IDs
/// from `id_gen`, deletes disappear, kept tweets stay as they were, a move
/// renames the entry. Waiting posts are left alone.
pub fn apply_effects(plan: &Plan, state: &mut State, mut id_gen: impl FnMut() -> String) {
    for change in &plan.changes {
        if change.action == Action::Wait {
            continue;
        }
        let source = change.from.as_deref().unwrap_or(&change.key);
        let old = state
            .posts
            .remove(source)
            .unwrap_or(PostState { tweets: Vec::new() });
        let mut tweets = Vec::new();
        for t in &change.tweets {
            match &t.op {
                TweetOp::Keep { id } => {
                    let kept = old
                        .tweets
                        .iter()
                        .find(|p| &p.id == id)
                        .expect("a kept tweet is in the state");
                    tweets.push(kept.clone());
                }
                TweetOp::Create { .. } => tweets.push(PublishedTweet {
                    id: id_gen(),
                    text: t.text.clone(),
                    digest: t.digest.clone(),
                    published_at: Some(plan.planned_at),
                    edits: Vec::new(),
                }),
                TweetOp::Edit { previous_id, .. } => {
                    let old = old
                        .tweets
                        .iter()
                        .find(|p| &p.id == previous_id)
                        .expect("an edited tweet is in the state");
                    let mut edits = old.edits.clone();
                    edits.push(old.id.clone());
                    tweets.push(PublishedTweet {
                        id: id_gen(),
                        text: t.text.clone(),
                        digest: t.digest.clone(),
                        published_at: old.published_at,
                        edits,
                    });
                }
                TweetOp::Delete { .. } => {}
                TweetOp::Repost { tweet_id } => {
                    let record = tweetform::state::RepostRecord {
                        tweet_id: tweet_id.clone(),
                        reposted_at: plan.planned_at,
                    };
                    state.reposts.insert(change.key.clone(), record);
                }
                TweetOp::Unrepost { .. } => {
                    state.reposts.remove(&change.key);
                }
            }
        }
        if !tweets.is_empty() {
            state.posts.insert(change.key.clone(), PostState { tweets });
        }
    }
    state.serial += 1;
}

fn now() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

const KEYS: [&str; 6] = ["a", "b", "c", "d", "2026/e", "2026/f"];
const TEXTS: [&str; 4] = ["hello", "world", "third", "hello world"];

/// A small set of tweets, so that equal tweets (and so moves) are common.
/// The last one has the text of the first but another body.
fn tweet(i: usize) -> Tweet {
    match i {
        4 => Tweet {
            reply_settings: Some(ReplySettings::Following),
            ..Tweet::new(TEXTS[0])
        },
        i => Tweet::new(TEXTS[i]),
    }
}

fn tweet_index() -> impl Strategy<Value = usize> {
    0..5usize
}

fn publish_at() -> impl Strategy<Value = Option<Timestamp>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(now() - SignedDuration::from_hours(1))),
        1 => Just(Some(now())),
        1 => Just(Some(now() + SignedDuration::from_hours(1))),
    ]
}

/// One to four tweets; now and then none, which validation refuses but the
/// planner must still settle on.
fn thread() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        12 => prop::collection::vec(tweet_index(), 1..=4),
        1 => Just(Vec::new()),
    ]
}

fn posts() -> impl Strategy<Value = Vec<Post>> {
    prop::collection::btree_map(
        prop::sample::select(&KEYS[..]),
        (thread(), publish_at()),
        0..=KEYS.len(),
    )
    .prop_map(|map| {
        map.into_iter()
            .map(|(key, (tweets, publish_at))| Post {
                key: key.to_owned(),
                file: PathBuf::from(format!("posts/{key}.yaml")),
                publish_at,
                publish_at_pos: None,
                is_thread: tweets.len() > 1,
                tweets: tweets.into_iter().map(tweet).collect(),
                repost: None,
            })
            .collect()
    })
}

/// An arbitrary prior state, with unique IDs. Entries may be empty.
fn state() -> impl Strategy<Value = State> {
    prop::collection::btree_map(
        prop::sample::select(&KEYS[..]),
        prop::collection::vec(tweet_index(), 0..=4),
        0..=KEYS.len(),
    )
    .prop_map(|map| {
        let mut state = State::new();
        let mut next = 1000;
        for (key, tweets) in map {
            let tweets = tweets
                .into_iter()
                .map(|i| {
                    next += 1;
                    let t = tweet(i);
                    PublishedTweet {
                        id: next.to_string(),
                        text: t.text.clone(),
                        digest: t.digest(),
                        published_at: None,
                        edits: Vec::new(),
                    }
                })
                .collect();
            state.posts.insert(key.to_owned(), PostState { tweets });
        }
        state
    })
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new-{n}")
    }
}

fn state_ids(state: &State) -> BTreeSet<String> {
    state
        .posts
        .values()
        .flat_map(|p| p.tweets.iter().map(|t| t.id.clone()))
        .collect()
}

/// The IDs of the tweets whose op is named `op` (`keep` or `delete`).
fn ids_with_op(plan: &Plan, op: &str) -> Vec<String> {
    plan.changes
        .iter()
        .flat_map(|c| c.tweets.iter())
        .filter(|t| t.op.name() == op)
        .map(|t| t.id().expect("keep and delete carry an ID").to_owned())
        .collect()
}

fn assert_settled(plan: &Plan) {
    let s = plan.summary;
    assert_eq!(
        (s.create, s.append, s.replace, s.delete, s.moved),
        (0, 0, 0, 0, 0),
        "{plan:#?}"
    );
    assert!(
        plan.changes.iter().all(|c| c.action == Action::Wait),
        "{plan:#?}"
    );
    assert!(!plan.has_changes());
}

/// Invariants of any plan, whatever its input.
fn assert_well_formed(plan: &Plan, posts: &[Post], state: &State) {
    let keys: Vec<&str> = plan.changes.iter().map(|c| c.key.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "changes sorted by key, one per key");

    let mut counts: BTreeMap<Action, usize> = BTreeMap::new();
    for c in &plan.changes {
        *counts.entry(c.action).or_default() += 1;
        assert_eq!(c.destructive(), c.action.is_destructive());
        assert_ne!(c.action, Action::Unchanged);
    }
    let s = plan.summary;
    let count = |a| counts.get(&a).copied().unwrap_or(0);
    assert_eq!(s.create, count(Action::Create));
    assert_eq!(s.append, count(Action::Append));
    assert_eq!(s.replace, count(Action::Replace));
    assert_eq!(s.delete, count(Action::Delete));
    assert_eq!(s.moved, count(Action::Move));
    assert_eq!(s.wait, count(Action::Wait));
    // Every post is either changed or unchanged.
    assert_eq!(
        posts.len(),
        plan.changes.len() - s.delete + s.unchanged,
        "{plan:#?}"
    );

    // No ID lost: each published ID is in exactly one unchanged post, or
    // appears exactly once in the plan, kept or deleted.
    let changed: BTreeSet<&str> = plan
        .changes
        .iter()
        .flat_map(|c| [Some(c.key.as_str()), c.from.as_deref()])
        .flatten()
        .collect();
    let mut in_plan: Vec<String> = ids_with_op(plan, "keep");
    in_plan.extend(ids_with_op(plan, "delete"));
    in_plan.sort();
    let mut expected: Vec<String> = state
        .posts
        .iter()
        .filter(|(key, _)| changed.contains(key.as_str()))
        .flat_map(|(_, p)| p.tweets.iter().map(|t| t.id.clone()))
        .collect();
    expected.sort();
    assert_eq!(in_plan, expected, "{plan:#?}");
    for (key, entry) in &state.posts {
        if !changed.contains(key.as_str()) && !entry.tweets.is_empty() {
            let post = posts.iter().find(|p| &p.key == key);
            let post = post.expect("an unchanged published post is declared");
            let published: Vec<&str> = entry.tweets.iter().map(|t| t.digest.as_str()).collect();
            assert_eq!(post.digests(), published);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn replanning_after_the_effects_has_nothing_to_do(posts in posts(), mut state in state()) {
        let first = plan(&posts, &state, now());
        assert_well_formed(&first, &posts, &state);

        let before = state.clone();
        apply_effects(&first, &mut state, ids());
        let second = plan(&posts, &state, now());
        assert_settled(&second);

        // Only the deletes' IDs left the state.
        let deleted: BTreeSet<String> = ids_with_op(&first, "delete").into_iter().collect();
        let kept: BTreeSet<String> = state_ids(&before).difference(&deleted).cloned().collect();
        prop_assert!(kept.is_subset(&state_ids(&state)));
        prop_assert!(deleted.is_disjoint(&state_ids(&state)));
    }

    #[test]
    fn plan_does_not_depend_on_the_order_of_posts(posts in posts(), state in state(), rotate in 0..6usize) {
        let p = plan(&posts, &state, now());
        let mut shuffled = posts.clone();
        shuffled.reverse();
        if !shuffled.is_empty() {
            let n = rotate % shuffled.len();
            shuffled.rotate_left(n);
        }
        prop_assert_eq!(&plan(&shuffled, &state, now()), &p);
        prop_assert_eq!(&plan(&posts, &state, now()), &p);
    }

    /// A repository's life: each revision of the posts is planned and
    /// applied in turn, from an empty state; every plan settles.
    #[test]
    fn successive_revisions_settle(revisions in prop::collection::vec(posts(), 1..4)) {
        let mut state = State::new();
        let mut gen_ids = ids();
        for posts in &revisions {
            let p = plan(posts, &state, now());
            assert_well_formed(&p, posts, &state);
            apply_effects(&p, &mut state, &mut gen_ids);
            assert_settled(&plan(posts, &state, now()));
        }
    }
}

/// Time passing turns a wait into a create, and then everything settles.
#[test]
fn waiting_post_is_created_once_due() {
    let post = Post {
        key: "later".into(),
        file: PathBuf::from("posts/later.yaml"),
        publish_at: Some(now() + SignedDuration::from_hours(1)),
        publish_at_pos: None,
        is_thread: false,
        tweets: vec![Tweet::new("soon")],
        repost: None,
    };
    let mut state = State::new();
    let early = plan(std::slice::from_ref(&post), &state, now());
    assert_eq!(early.changes[0].action, Action::Wait);
    apply_effects(&early, &mut state, ids());
    assert!(state.posts.is_empty());

    let due = now() + SignedDuration::from_hours(2);
    let p = plan(std::slice::from_ref(&post), &state, due);
    assert_eq!(p.changes[0].action, Action::Create);
    apply_effects(&p, &mut state, ids());
    assert_eq!(state.posts["later"].tweets[0].id, "new-1");
    assert!(
        plan(std::slice::from_ref(&post), &state, due)
            .changes
            .is_empty()
    );
}
