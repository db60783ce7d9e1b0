//! The plan: what `apply` will do, change by change. The planner that
//! makes it, a pure function of (posts, state, now), is [`crate::planner`].
//!
//! The plan is also the JSON document printed by `plan --format json` and
//! saved by `plan --out`, so its serialised shape is a stable interface:
//! fields may be added, never renamed or removed, within a `format_version`.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::action::Action;
pub use crate::planner::{Edits, plan, plan_with};
use crate::post::Tweet;
use crate::state::content_digest;

pub const PLAN_FORMAT_VERSION: u32 = 1;

/// Serialised through [`crate::plan_json`]'s rules for changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// The state this plan was made against; `apply PLANFILE` refuses when
    /// the state's lineage or serial differ.
    pub lineage: String,
    pub serial: u64,
    /// The `now` the plan was made with.
    pub planned_at: Timestamp,
    /// Every post that is not unchanged, sorted by key.
    pub changes: Vec<Change>,
    pub summary: Summary,
    /// With `--refresh`: what was read back from X and what changed there
    /// outside tweetform. The planner leaves it empty; the command that
    /// read X fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<crate::drift::Refresh>,
    /// What applying the plan costs at X's prices. The planner leaves it
    /// empty (it knows no prices); the command fills it in last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::Cost>,
    /// When each held post can go out (see [`crate::forecast`]). The
    /// command fills it in; the JSON form carries it on each change, and a
    /// saved plan is read back without it (apply makes its own).
    #[serde(skip)]
    pub forecast: Option<crate::post_forecast::Forecast>,
}

/// One post's change. Its JSON form (with `destructive` computed from the
/// action) is in [`crate::plan_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: String,
    pub action: Action,
    /// The post's file; absent for a delete (the file is gone).
    pub file: Option<PathBuf>,
    /// For a move: the key the tweets were recorded under.
    pub from: Option<String>,
    /// For a wait (and for information on others): when the post is due.
    pub publish_at: Option<Timestamp>,
    /// Every tweet of the post after the change (kept and created) and every
    /// tweet the change removes, in thread order; removed ones first where
    /// a replace swaps a position.
    pub tweets: Vec<TweetChange>,
    /// X refused this content before: `apply` does not send it again until
    /// the post is edited.
    pub refused: Option<Refused>,
    /// For a replace that `edits: true` could not make an edit: why (the
    /// first changed tweet is outside the edit window, has a poll, …).
    pub not_an_edit: Option<String>,
}

/// X's refusal of a post's content, as the state recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The refused tweet's position in the thread (0-based).
    pub index: usize,
    /// X's HTTP status.
    pub status: u16,
    /// X's `detail`.
    pub detail: String,
}

impl Change {
    /// The digest of the post's content after the change (every tweet kept
    /// or created, in thread order): what a refusal is recorded against.
    pub(crate) fn content_digest(&self) -> String {
        content_digest(
            self.tweets
                .iter()
                .filter(|t| !t.is_removal())
                .map(|t| t.digest.as_str()),
        )
    }

    /// Whether `apply` would send anything for it: not a wait, and not
    /// content X refused.
    pub(crate) fn is_applied(&self) -> bool {
        self.action != Action::Wait && self.action != Action::Unchanged && self.refused.is_none()
    }

    /// Whether the change deletes published tweets (a replace or a delete):
    /// `apply` runs it only when allowed to destroy.
    pub fn destructive(&self) -> bool {
        self.action.is_destructive()
    }
}

/// What happens to one tweet, with exactly what that needs: a kept or
/// deleted tweet is known by its ID, a created one by the body to send, a
/// repost and its undo by the reposted tweet's ID. A post with `repost:`
/// has one such "tweet"; once reposted, a renamed one is a move whose keep
/// names the reposted tweet.
/// Creates and edits carry whole bodies and are most of a plan's tweets:
/// boxing them would save nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum TweetOp {
    /// Published and stays as it is.
    Keep { id: String },
    /// To be published. `old_text` is the published tweet's text when this
    /// create replaces one, for the diff.
    Create {
        body: Tweet,
        old_text: Option<String>,
    },
    /// Published and to be edited in place: `body` is sent with
    /// `edit_options.previous_post_id` = `previous_id` (the newest ID of the
    /// tweet's edit chain); `old_text` is the published text, for the diff.
    Edit {
        previous_id: String,
        body: Tweet,
        old_text: String,
    },
    /// Published and to be deleted.
    Delete { id: String },
    /// Someone's tweet to repost (`POST /2/users/:id/retweets`).
    Repost { tweet_id: String },
    /// A repost to undo (`DELETE /2/users/:id/retweets/:tweet_id`).
    Unrepost { tweet_id: String },
}

impl TweetOp {
    /// The op as the plan's JSON spells it.
    pub fn name(&self) -> &'static str {
        match self {
            TweetOp::Keep { .. } => "keep",
            TweetOp::Create { .. } => "create",
            TweetOp::Edit { .. } => "edit",
            TweetOp::Delete { .. } => "delete",
            TweetOp::Repost { .. } => "repost",
            TweetOp::Unrepost { .. } => "unrepost",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TweetChange {
    /// Position in the thread (0-based).
    pub index: usize,
    pub op: TweetOp,
    pub text: String,
    pub weighted_length: usize,
    pub digest: String,
}

impl TweetChange {
    /// The published tweet's ID, for a keep or a delete; for an edit, the
    /// ID it edits.
    pub fn id(&self) -> Option<&str> {
        match &self.op {
            TweetOp::Keep { id }
            | TweetOp::Delete { id }
            | TweetOp::Edit {
                previous_id: id, ..
            } => Some(id),
            _ => None,
        }
    }

    /// The reposted tweet's ID, for a repost or its undo.
    pub fn reposted(&self) -> Option<&str> {
        match &self.op {
            TweetOp::Repost { tweet_id } | TweetOp::Unrepost { tweet_id } => Some(tweet_id),
            _ => None,
        }
    }

    /// The body to send, for a create or an edit.
    pub fn body(&self) -> Option<&Tweet> {
        match &self.op {
            TweetOp::Create { body, .. } | TweetOp::Edit { body, .. } => Some(body),
            _ => None,
        }
    }

    /// For a create that replaces a published tweet, or an edit: that
    /// tweet's text.
    pub fn old_text(&self) -> Option<&str> {
        match &self.op {
            TweetOp::Create { old_text, .. } => old_text.as_deref(),
            TweetOp::Edit { old_text, .. } => Some(old_text),
            _ => None,
        }
    }

    pub(crate) fn is_create(&self) -> bool {
        matches!(self.op, TweetOp::Create { .. })
    }

    pub(crate) fn is_edit(&self) -> bool {
        matches!(self.op, TweetOp::Edit { .. })
    }

    pub(crate) fn is_delete(&self) -> bool {
        matches!(self.op, TweetOp::Delete { .. })
    }

    /// A delete or the undo of a repost: gone after the change.
    pub(crate) fn is_removal(&self) -> bool {
        matches!(self.op, TweetOp::Delete { .. } | TweetOp::Unrepost { .. })
    }
}

/// Counts of posts per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub append: usize,
    /// Posts edited in place; absent from the JSON when none, as plans
    /// made without `edits: true` have none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub edit: usize,
    pub replace: usize,
    pub delete: usize,
    #[serde(rename = "move")]
    pub moved: usize,
    pub wait: usize,
    pub unchanged: usize,
    /// Posts whose content X refused: counted here instead of under their
    /// action, since `apply` sends nothing for them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Plan {
    /// Whether `apply` would change anything: posts that wait, or whose
    /// content X refused, do not count.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(Change::is_applied)
    }
}

impl Summary {
    pub(crate) fn count(&mut self, action: Action) {
        let n = match action {
            Action::Create => &mut self.create,
            Action::Append => &mut self.append,
            Action::Edit => &mut self.edit,
            Action::Replace => &mut self.replace,
            Action::Delete => &mut self.delete,
            Action::Move => &mut self.moved,
            Action::Wait => &mut self.wait,
            Action::Unchanged => &mut self.unchanged,
        };
        *n += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::post::Post;
    use crate::post::ReplySettings;
    use crate::state::PostState;
    use crate::state::{PublishedTweet, RepostRecord, State};

    fn now() -> Timestamp {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn post(key: &str, texts: &[&str]) -> Post {
        Post {
            key: key.into(),
            file: PathBuf::from(format!("posts/{key}.yaml")),
            publish_at: None,
            publish_at_pos: None,
            is_thread: texts.len() > 1,
            tweets: texts.iter().map(|t| Tweet::new(*t)).collect(),
            repost: None,
        }
    }

    fn published(id: &str, text: &str) -> PublishedTweet {
        PublishedTweet {
            id: id.into(),
            text: text.into(),
            digest: Tweet::new(text).digest(),
            published_at: None,
            edits: Vec::new(),
        }
    }

    /// A state from `(key, [(id, text)])`.
    fn state(entries: &[(&str, &[(&str, &str)])]) -> State {
        let mut state = State::new();
        state.serial = 5;
        for (key, tweets) in entries {
            state.posts.insert(
                (*key).into(),
                PostState {
                    tweets: tweets.iter().map(|(id, t)| published(id, t)).collect(),
                },
            );
        }
        state
    }

    /// `(index, op, id, text)` of each tweet change, for compact asserts.
    fn ops(change: &Change) -> Vec<(usize, &'static str, Option<&str>, &str)> {
        change
            .tweets
            .iter()
            .map(|t| (t.index, t.op.name(), t.id(), t.text.as_str()))
            .collect()
    }

    fn only(plan: &Plan) -> &Change {
        assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
        &plan.changes[0]
    }

    #[test]
    fn new_post_is_created_with_its_bodies() {
        let st = state(&[]);
        let p = post("2026/launch", &["hello https://example.com", "second"]);
        let plan = plan(std::slice::from_ref(&p), &st, now());

        assert_eq!(plan.format_version, PLAN_FORMAT_VERSION);
        assert_eq!(plan.lineage, st.lineage);
        assert_eq!(plan.serial, 5);
        assert_eq!(plan.planned_at, now());
        let c = only(&plan);
        assert_eq!(c.key, "2026/launch");
        assert_eq!(c.action, Action::Create);
        assert!(!c.destructive());
        assert_eq!(c.file.as_deref(), Some(Path::new("posts/2026/launch.yaml")));
        assert_eq!(c.from, None);
        assert_eq!(
            ops(c),
            [
                (0, "create", None, "hello https://example.com"),
                (1, "create", None, "second"),
            ]
        );
        assert_eq!(c.tweets[0].weighted_length, 6 + 23);
        assert_eq!(c.tweets[0].digest, p.tweets[0].digest());
        assert_eq!(c.tweets[1].body(), Some(&p.tweets[1]));
        assert_eq!(c.tweets[0].old_text(), None);
        assert_eq!(
            plan.summary,
            Summary {
                create: 1,
                ..Summary::default()
            }
        );
        assert!(plan.has_changes());
    }

    #[test]
    fn future_post_waits_and_due_post_is_created() {
        let mut later = post("later", &["soon"]);
        later.publish_at = Some("2026-03-01T12:00:01Z".parse().unwrap());
        let mut due = post("due", &["now"]);
        due.publish_at = Some(now());
        let mut past = post("past", &["then"]);
        past.publish_at = Some("2020-01-01T00:00:00Z".parse().unwrap());

        let plan = plan(&[later.clone(), due, past], &state(&[]), now());
        let actions: Vec<_> = plan.changes.iter().map(|c| (&*c.key, c.action)).collect();
        assert_eq!(
            actions,
            [
                ("due", Action::Create),
                ("later", Action::Wait),
                ("past", Action::Create)
            ]
        );
        let wait = &plan.changes[1];
        assert_eq!(wait.publish_at, later.publish_at);
        assert!(!wait.destructive());
        // What it will create when due.
        assert_eq!(ops(wait), [(0, "create", None, "soon")]);
        assert_eq!(plan.summary.wait, 1);
        assert_eq!(plan.summary.create, 2);

        let only_waiting = super::plan(&[later], &state(&[]), now());
        assert!(!only_waiting.has_changes());
    }

    #[test]
    fn published_post_with_same_content_is_unchanged() {
        let st = state(&[("a", &[("1", "one"), ("2", "two")])]);
        let plan = plan(&[post("a", &["one", "two"])], &st, now());
        assert!(plan.changes.is_empty());
        assert_eq!(
            plan.summary,
            Summary {
                unchanged: 1,
                ..Summary::default()
            }
        );
        assert!(!plan.has_changes());
    }

    #[test]
    fn tweets_added_at_the_end_are_appended() {
        let st = state(&[("t", &[("1", "one"), ("2", "two")])]);
        let plan = plan(&[post("t", &["one", "two", "three"])], &st, now());
        let c = only(&plan);
        assert_eq!(c.action, Action::Append);
        assert!(!c.destructive());
        assert_eq!(
            ops(c),
            [
                (0, "keep", Some("1"), "one"),
                (1, "keep", Some("2"), "two"),
                (2, "create", None, "three"),
            ]
        );
        assert!(c.tweets[0].body().is_none());
        assert!(c.tweets[2].body().is_some());
        assert_eq!(plan.summary.append, 1);
    }

    #[test]
    fn content_x_refused_is_marked_until_the_post_changes() {
        let mut st = state(&[("t", &[("1", "one"), ("2", "two")])]);
        let declared = post("t", &["one", "two", "three?"]);
        let digest = content_digest(declared.digests().iter().map(String::as_str));
        st.refused.insert(
            "t".into(),
            crate::state::RefusedPost {
                digest,
                index: 2,
                status: 400,
                detail: "Automated.".into(),
                at: now(),
            },
        );
        let p = plan(std::slice::from_ref(&declared), &st, now());
        let c = only(&p);
        assert_eq!(c.action, Action::Append);
        assert_eq!(
            c.refused,
            Some(Refused {
                index: 2,
                status: 400,
                detail: "Automated.".into()
            })
        );
        assert_eq!(c.content_digest(), st.refused["t"].digest);
        assert!(!c.is_applied());
        assert!(!p.has_changes(), "apply would send nothing");
        assert_eq!((p.summary.append, p.summary.refused), (0, 1));

        // Any edit, even to a tweet X accepted, is new content.
        for texts in [
            &["one", "two", "three!"][..],
            &["one", "two!", "three?"],
            &["one", "two", "three?", "four"],
        ] {
            let p = plan(&[post("t", texts)], &st, now());
            assert_eq!(only(&p).refused, None, "{texts:?}");
            assert!(p.has_changes());
        }
        // A new post under the key with the refused content is still refused;
        // its deletion never is.
        let mut unpublished = State::new();
        unpublished.refused = st.refused.clone();
        let p = plan(&[declared], &unpublished, now());
        assert!(only(&p).refused.is_some());
        assert!(plan(&[], &st, now()).changes[0].refused.is_none());
    }

    #[test]
    fn changed_middle_tweet_replaces_the_rest_of_the_thread() {
        let st = state(&[("t", &[("1", "one"), ("2", "two"), ("3", "three")])]);
        let plan = plan(&[post("t", &["one", "TWO", "three"])], &st, now());
        let c = only(&plan);
        assert_eq!(c.action, Action::Replace);
        assert!(c.destructive());
        assert_eq!(
            ops(c),
            [
                (0, "keep", Some("1"), "one"),
                (1, "delete", Some("2"), "two"),
                (1, "create", None, "TWO"),
                (2, "delete", Some("3"), "three"),
                (2, "create", None, "three"),
            ]
        );
        assert_eq!(c.tweets[2].old_text(), Some("two"));
        assert_eq!(c.tweets[4].old_text(), Some("three"));
        assert_eq!(c.tweets[1].digest, Tweet::new("two").digest());
        assert_eq!(c.tweets[1].weighted_length, 3);
        assert_eq!(plan.summary.replace, 1);
    }

    #[test]
    fn replace_that_also_grows_the_thread() {
        let st = state(&[("t", &[("1", "one")])]);
        let plan = plan(&[post("t", &["uno", "dos"])], &st, now());
        assert_eq!(
            ops(only(&plan)),
            [
                (0, "delete", Some("1"), "one"),
                (0, "create", None, "uno"),
                (1, "create", None, "dos"),
            ]
        );
        assert_eq!(plan.changes[0].tweets[2].old_text(), None);
    }

    #[test]
    fn shortened_thread_is_a_replace_that_only_deletes() {
        let st = state(&[("t", &[("1", "one"), ("2", "two"), ("3", "three")])]);
        let plan = plan(&[post("t", &["one"])], &st, now());
        let c = only(&plan);
        assert_eq!(c.action, Action::Replace);
        assert!(c.destructive());
        assert_eq!(
            ops(c),
            [
                (0, "keep", Some("1"), "one"),
                (1, "delete", Some("2"), "two"),
                (2, "delete", Some("3"), "three"),
            ]
        );
    }

    #[test]
    fn change_outside_the_text_is_a_replace() {
        let st = state(&[("a", &[("1", "hi")])]);
        let mut p = post("a", &["hi"]);
        p.tweets[0].reply_settings = Some(ReplySettings::Following);
        let plan = plan(&[p], &st, now());
        let c = only(&plan);
        assert_eq!(c.action, Action::Replace);
        assert_eq!(c.tweets[1].old_text(), Some("hi"));
        assert_eq!(
            c.tweets[1].body().unwrap().reply_settings,
            Some(ReplySettings::Following)
        );
    }

    #[test]
    fn published_post_whose_file_is_gone_is_deleted() {
        let st = state(&[("gone", &[("1", "one"), ("2", "two")])]);
        let plan = plan(&[], &st, now());
        let c = only(&plan);
        assert_eq!(c.action, Action::Delete);
        assert!(c.destructive());
        assert_eq!(c.file, None);
        assert_eq!(
            ops(c),
            [
                (0, "delete", Some("1"), "one"),
                (1, "delete", Some("2"), "two"),
            ]
        );
        assert_eq!(plan.summary.delete, 1);
    }

    #[test]
    fn renamed_file_with_same_content_is_a_move() {
        let st = state(&[("old", &[("1", "one"), ("2", "two")])]);
        let plan = plan(&[post("new", &["one", "two"])], &st, now());
        let c = only(&plan);
        assert_eq!(c.key, "new");
        assert_eq!(c.action, Action::Move);
        assert!(!c.destructive());
        assert_eq!(c.from.as_deref(), Some("old"));
        assert_eq!(c.file.as_deref(), Some(Path::new("posts/new.yaml")));
        assert_eq!(
            ops(c),
            [(0, "keep", Some("1"), "one"), (1, "keep", Some("2"), "two"),]
        );
        assert_eq!(
            plan.summary,
            Summary {
                moved: 1,
                ..Summary::default()
            }
        );
    }

    #[test]
    fn renamed_and_edited_is_a_delete_and_a_create() {
        let st = state(&[("old", &[("1", "one"), ("2", "two")])]);
        let plan = plan(&[post("new", &["one", "two", "three"])], &st, now());
        let actions: Vec<_> = plan.changes.iter().map(|c| (&*c.key, c.action)).collect();
        assert_eq!(actions, [("new", Action::Create), ("old", Action::Delete)]);
    }

    #[test]
    fn moves_pair_up_in_key_order_whatever_the_input_order() {
        let st = state(&[("old1", &[("1", "same")]), ("old2", &[("2", "same")])]);
        let posts = [
            post("new3", &["same"]),
            post("new1", &["same"]),
            post("new2", &["same"]),
        ];
        let p = plan(&posts, &st, now());
        let summary: Vec<_> = p
            .changes
            .iter()
            .map(|c| (&*c.key, c.action, c.from.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("new1", Action::Move, Some("old1")),
                ("new2", Action::Move, Some("old2")),
                ("new3", Action::Create, None),
            ]
        );
        let mut reversed = posts.to_vec();
        reversed.reverse();
        assert_eq!(plan(&reversed, &st, now()), p);
    }

    #[test]
    fn a_post_that_still_exists_is_never_a_move_source() {
        // "a" is still declared (edited): its tweets are replaced, not moved
        // to "b", even though "b" declares what "a" published.
        let st = state(&[("a", &[("1", "one")])]);
        let plan = plan(&[post("a", &["uno"]), post("b", &["one"])], &st, now());
        let actions: Vec<_> = plan.changes.iter().map(|c| (&*c.key, c.action)).collect();
        assert_eq!(actions, [("a", Action::Replace), ("b", Action::Create)]);
    }

    #[test]
    fn publish_at_only_gates_the_first_publication() {
        let future = Some("2027-01-01T00:00:00Z".parse().unwrap());
        let st = state(&[
            ("a", &[("1", "one")]),
            ("b", &[("2", "two")]),
            ("old", &[("3", "x")]),
        ]);
        let mut same = post("a", &["one"]);
        same.publish_at = future;
        let mut edited = post("b", &["TWO"]);
        edited.publish_at = future;
        let mut renamed = post("renamed", &["x"]);
        renamed.publish_at = future;
        let plan = plan(&[same, edited, renamed], &st, now());
        let actions: Vec<_> = plan.changes.iter().map(|c| (&*c.key, c.action)).collect();
        assert_eq!(actions, [("b", Action::Replace), ("renamed", Action::Move)]);
        assert_eq!(plan.summary.unchanged, 1);
        assert_eq!(plan.changes[0].publish_at, future);
    }

    #[test]
    fn state_entry_without_tweets_counts_as_unpublished() {
        let st = state(&[("a", &[]), ("gone", &[])]);
        let plan = plan(&[post("a", &["one"])], &st, now());
        let c = only(&plan);
        assert_eq!((c.key.as_str(), c.action), ("a", Action::Create));
        assert_eq!(plan.summary.delete, 0);
    }

    #[test]
    fn post_without_tweets_has_nothing_to_create() {
        let plan = plan(&[post("empty", &[])], &state(&[]), now());
        assert!(plan.changes.is_empty());
        assert_eq!(plan.summary.unchanged, 1);
        // Once published, emptying it deletes its tweets.
        let st = state(&[("empty", &[("1", "one")])]);
        let c = super::plan(&[post("empty", &[])], &st, now());
        assert_eq!(ops(only(&c)), [(0, "delete", Some("1"), "one")]);
        assert_eq!(c.changes[0].action, Action::Replace);
    }

    #[test]
    fn changes_are_sorted_and_counted() {
        let st = state(&[
            ("m-old", &[("1", "moved")]),
            ("d", &[("2", "deleted")]),
            ("u", &[("3", "same")]),
            ("r", &[("4", "before")]),
            ("ap", &[("5", "first")]),
        ]);
        let mut w = post("w", &["later"]);
        w.publish_at = Some("2027-01-01T00:00:00Z".parse().unwrap());
        let posts = [
            w,
            post("u", &["same"]),
            post("r", &["after"]),
            post("m-new", &["moved"]),
            post("c", &["new"]),
            post("ap", &["first", "second"]),
        ];
        let plan = plan(&posts, &st, now());
        let keys: Vec<_> = plan.changes.iter().map(|c| (&*c.key, c.action)).collect();
        assert_eq!(
            keys,
            [
                ("ap", Action::Append),
                ("c", Action::Create),
                ("d", Action::Delete),
                ("m-new", Action::Move),
                ("r", Action::Replace),
                ("w", Action::Wait),
            ]
        );
        assert_eq!(
            plan.summary,
            Summary {
                create: 1,
                append: 1,
                edit: 0,
                replace: 1,
                delete: 1,
                moved: 1,
                wait: 1,
                unchanged: 1,
                refused: 0,
            }
        );
        for c in &plan.changes {
            assert_eq!(c.destructive(), c.action.is_destructive());
        }
    }

    fn repost_post(key: &str, tweet_id: &str) -> Post {
        Post {
            tweets: Vec::new(),
            repost: Some(crate::post::Repost {
                tweet_id: tweet_id.into(),
                pos: crate::post::Pos { line: 1, column: 9 },
            }),
            ..post(key, &[])
        }
    }

    fn reposted(entries: &[(&str, &str)]) -> State {
        let mut st = state(&[]);
        for (key, tweet_id) in entries {
            st.reposts.insert(
                (*key).into(),
                RepostRecord {
                    tweet_id: (*tweet_id).into(),
                    reposted_at: now(),
                },
            );
        }
        st
    }

    /// `(op, reposted tweet)` of each tweet change.
    fn repost_ops(change: &Change) -> Vec<(&'static str, Option<&str>)> {
        change
            .tweets
            .iter()
            .map(|t| (t.op.name(), t.reposted()))
            .collect()
    }

    #[test]
    fn a_repost_is_created_then_unchanged() {
        let p = plan(&[repost_post("r", "20")], &state(&[]), now());
        let c = only(&p);
        assert_eq!(c.action, Action::Create);
        assert_eq!(repost_ops(c), [("repost", Some("20"))]);
        assert_eq!(c.tweets[0].text, "https://x.com/i/status/20");
        assert_eq!(p.summary.create, 1);

        let p = plan(&[repost_post("r", "20")], &reposted(&[("r", "20")]), now());
        assert!(p.changes.is_empty());
        assert_eq!(p.summary.unchanged, 1);

        let mut later = repost_post("r", "20");
        later.publish_at = Some("2027-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(
            only(&plan(&[later], &state(&[]), now())).action,
            Action::Wait
        );
    }

    #[test]
    fn a_repost_whose_file_is_gone_is_undone_destructively() {
        let p = plan(&[], &reposted(&[("r", "20")]), now());
        let c = only(&p);
        assert_eq!(c.action, Action::Delete);
        assert!(c.destructive());
        assert_eq!(repost_ops(c), [("unrepost", Some("20"))]);
        assert_eq!(p.summary.delete, 1);
    }

    #[test]
    fn a_new_target_is_an_undo_and_a_repost() {
        let p = plan(&[repost_post("r", "21")], &reposted(&[("r", "20")]), now());
        let c = only(&p);
        assert_eq!(c.action, Action::Replace);
        assert!(c.destructive());
        assert_eq!(
            repost_ops(c),
            [("unrepost", Some("20")), ("repost", Some("21"))]
        );
        assert_eq!(c.content_digest(), content_digest(["repost:21"]));
    }

    #[test]
    fn a_renamed_repost_is_a_move_and_tweets_turned_into_a_repost_are_replaced() {
        let p = plan(
            &[repost_post("new", "20")],
            &reposted(&[("old", "20")]),
            now(),
        );
        let c = only(&p);
        assert_eq!((c.action, c.from.as_deref()), (Action::Move, Some("old")));

        let p = plan(
            &[repost_post("t", "20")],
            &state(&[("t", &[("1", "mine")])]),
            now(),
        );
        let c = only(&p);
        assert_eq!(c.action, Action::Replace);
        assert_eq!(ops(c)[0], (0, "delete", Some("1"), "mine"));
        assert_eq!(repost_ops(c)[1], ("repost", Some("20")));
    }

    #[test]
    fn reposts_round_trip_through_the_plan_json() {
        let p = plan(&[repost_post("r", "21")], &reposted(&[("r", "20")]), now());
        let json = serde_json::to_value(&p).unwrap();
        let tweets = &json["changes"][0]["tweets"];
        assert_eq!(tweets[0]["op"], "unrepost");
        assert_eq!(tweets[0]["tweet_id"], "20");
        assert_eq!(tweets[1]["op"], "repost");
        assert!(tweets[1].get("id").is_none());
        let back: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn json_shape_is_the_documented_one() {
        let st = state(&[("old", &[("1", "x")])]);
        let plan = plan(&[post("new", &["x"]), post("c", &["y"])], &st, now());
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["format_version"], 1);
        assert_eq!(json["summary"]["move"], 1);
        assert_eq!(json["summary"]["create"], 1);
        assert_eq!(json["changes"][0]["action"], "create");
        assert_eq!(json["changes"][0]["tweets"][0]["op"], "create");
        assert_eq!(
            json["changes"][0]["tweets"][0]["body"],
            serde_json::json!({"text": "y"})
        );
        assert_eq!(json["changes"][1]["action"], "move");
        assert_eq!(json["changes"][1]["from"], "old");
        assert!(json["changes"][1]["tweets"][0].get("body").is_none());
        let back: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(back, plan);
    }
}
