//! Drift: what changed on X outside tweetform.
//!
//! `plan --refresh` and `apply --refresh` read every published tweet back
//! from X (`GET /2/tweets?ids=`). What X said is compared with the state
//! here, as data: tweets X no longer has were deleted outside tweetform,
//! and tweets whose `edit_history_tweet_ids` ends with another ID were
//! edited on X. The state is then brought in line in memory, so that the
//! planner stays a pure function of the posts, a state and a clock, and
//! plans against the account as X says it is.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::api::RemoteTweet;
use crate::state::State;

/// One published tweet that changed on X.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub key: String,
    /// Its position in the post's thread (0-based).
    pub index: usize,
    /// The ID the state recorded.
    pub id: String,
    #[serde(flatten)]
    pub kind: DriftKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "drift", rename_all = "snake_case")]
pub enum DriftKind {
    /// X no longer has it.
    Deleted,
    /// Edited on X: its newest version's ID and text.
    Edited { newest_id: String, text: String },
}

/// What a refresh read, for the plan: how many tweets, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Refresh {
    /// Tweets read back from X.
    pub read: usize,
    pub drift: Vec<Drift>,
    /// The tweets deleted on X were forgotten, to be published again
    /// (`--recreate-deleted`); else they stay recorded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recreate_deleted: bool,
}

impl Refresh {
    /// What the reads cost at `prices` (X's owned-read price per tweet).
    pub fn cost(&self, prices: &crate::cost::Prices) -> crate::cost::Usd {
        prices.owned_read.times(self.read)
    }
}

/// Every tweet ID the state records, in post and thread order: what a
/// refresh reads back.
pub fn published_ids(state: &State) -> Vec<String> {
    state
        .posts
        .values()
        .flat_map(|p| p.tweets.iter().map(|t| t.id.clone()))
        .collect()
}

/// The newest versions of the edited tweets among `found` that `found`
/// does not hold yet: a refresh reads them too, for their text.
pub fn newest_versions_to_read(found: &[RemoteTweet]) -> Vec<String> {
    let have: std::collections::HashSet<&str> = found.iter().map(|t| t.id.as_str()).collect();
    let mut ids: Vec<String> = found
        .iter()
        .filter_map(|t| t.edit_history_tweet_ids.last())
        .filter(|id| !have.contains(id.as_str()))
        .cloned()
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Compares the state with what X answered for its tweets (and for the
/// newest versions of edited ones): every tweet X did not return was
/// deleted; every one whose history ends with another ID was edited.
pub fn detect(state: &State, found: &[RemoteTweet]) -> Vec<Drift> {
    let by_id: HashMap<&str, &RemoteTweet> = found.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut drift = Vec::new();
    for (key, post) in &state.posts {
        for (index, tweet) in post.tweets.iter().enumerate() {
            let kind = match by_id.get(tweet.id.as_str()) {
                None => DriftKind::Deleted,
                Some(remote) => match remote.edit_history_tweet_ids.last() {
                    Some(newest) if *newest != tweet.id => DriftKind::Edited {
                        newest_id: newest.clone(),
                        text: by_id
                            .get(newest.as_str())
                            .map_or_else(|| remote.text.clone(), |t| t.text.clone()),
                    },
                    _ => continue,
                },
            };
            drift.push(Drift {
                key: key.clone(),
                index,
                id: tweet.id.clone(),
                kind,
            });
        }
    }
    drift
}

/// The digest given to a tweet deleted on X that later tweets of its thread
/// still follow: no declared tweet has it, so the plan publishes the post
/// again from there (deleting the later ones, which reply to nothing).
pub const DELETED_ON_X: &str = "deleted-on-x";

/// Brings `state` in line with `drift`: an edited tweet records its newest
/// ID and text (its digest stays: the post still declares what was sent).
/// A tweet deleted on X stays recorded unless `recreate_deleted`, so that
/// nothing publishes it again behind the back of whoever deleted it; with
/// it, the tweet is forgotten, for the plan to publish it again — dropped
/// when nothing after it in its thread is recorded, else kept in place
/// under [`DELETED_ON_X`], so that the thread's later tweets keep their
/// positions (and are published again after it).
pub fn refresh(state: &mut State, drift: &[Drift], recreate_deleted: bool) {
    for d in drift {
        let Some(post) = state.posts.get_mut(&d.key) else {
            continue;
        };
        let Some(tweet) = post.tweets.get_mut(d.index).filter(|t| t.id == d.id) else {
            continue;
        };
        match &d.kind {
            DriftKind::Edited { newest_id, text } => {
                tweet.id.clone_from(newest_id);
                tweet.text.clone_from(text);
            }
            DriftKind::Deleted if recreate_deleted => DELETED_ON_X.clone_into(&mut tweet.digest),
            DriftKind::Deleted => {}
        }
    }
    for post in state.posts.values_mut() {
        while post.tweets.last().is_some_and(|t| t.digest == DELETED_ON_X) {
            post.tweets.pop();
        }
    }
    state.posts.retain(|_, p| !p.tweets.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PostState, PublishedTweet};

    fn state(posts: &[(&str, &[&str])]) -> State {
        let mut s = State::new();
        for (key, ids) in posts {
            let tweets = ids
                .iter()
                .map(|id| PublishedTweet {
                    id: (*id).into(),
                    text: format!("text {id}"),
                    digest: format!("sha256:{id}"),
                    published_at: None,
                    edits: Vec::new(),
                })
                .collect();
            s.posts.insert((*key).into(), PostState { tweets });
        }
        s
    }

    fn remote(id: &str, history: &[&str], text: &str) -> RemoteTweet {
        RemoteTweet {
            edit_history_tweet_ids: history.iter().map(|h| (*h).into()).collect(),
            ..RemoteTweet::new(id, text)
        }
    }

    #[test]
    fn deleted_and_edited_tweets_are_found_and_the_state_follows() {
        let mut s = state(&[("a", &["1"]), ("t", &["2", "3", "4"]), ("e", &["5"])]);
        assert_eq!(published_ids(&s), ["1", "5", "2", "3", "4"]);
        let found = [
            remote("2", &["2"], "text 2"),
            remote("4", &["4"], "text 4"),
            remote("5", &["5", "9"], "text 5"),
        ];
        assert_eq!(newest_versions_to_read(&found), ["9"]);
        let mut all = found.to_vec();
        all.push(remote("9", &["5", "9"], "text 5, edited"));
        let drift = detect(&s, &all);
        let brief: Vec<_> = drift
            .iter()
            .map(|d| (d.key.as_str(), d.index, d.id.as_str(), &d.kind))
            .collect();
        let edited = DriftKind::Edited {
            newest_id: "9".into(),
            text: "text 5, edited".into(),
        };
        assert_eq!(
            brief,
            [
                ("a", 0, "1", &DriftKind::Deleted),
                ("e", 0, "5", &edited),
                ("t", 1, "3", &DriftKind::Deleted),
            ]
        );

        let before = s.clone();
        refresh(&mut s, &drift, false);
        assert_eq!(s.posts["a"], before.posts["a"], "kept unless recreated");
        assert_eq!(s.posts["t"], before.posts["t"]);
        assert_eq!(s.posts["e"].tweets[0].id, "9");

        let mut s = before;
        refresh(&mut s, &drift, true);
        assert!(!s.posts.contains_key("a"), "its only tweet is forgotten");
        let e = &s.posts["e"].tweets[0];
        assert_eq!((e.id.as_str(), e.text.as_str()), ("9", "text 5, edited"));
        assert_eq!(e.digest, "sha256:5", "still what was sent");
        let t: Vec<_> = s.posts["t"]
            .tweets
            .iter()
            .map(|t| t.digest.as_str())
            .collect();
        assert_eq!(t, ["sha256:2", DELETED_ON_X, "sha256:4"]);
    }

    #[test]
    fn the_end_of_a_thread_deleted_on_x_is_dropped() {
        let mut s = state(&[("t", &["1", "2", "3"])]);
        let drift = detect(&s, &[remote("1", &[], "text 1")]);
        assert_eq!(drift.len(), 2);
        refresh(&mut s, &drift, true);
        assert_eq!(s.posts["t"].tweets.len(), 1);
    }

    #[test]
    fn the_cost_is_x_owned_read_price() {
        let r = Refresh {
            read: 1234,
            ..Refresh::default()
        };
        let prices = crate::cost::Prices::default();
        assert_eq!(r.cost(&prices).to_string(), "$1.234");
        assert_eq!(Refresh::default().cost(&prices).to_string(), "$0.00");
    }
}
