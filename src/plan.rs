//! The planner: a pure function of (posts, state, now) → plan.
//!
//! The plan is also the JSON document printed by `plan --format json` and
//! saved by `plan --out`, so its serialised shape is a stable interface:
//! fields may be added, never renamed or removed, within a `format_version`.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::post::Tweet;

pub const PLAN_FORMAT_VERSION: u32 = 1;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Append,
    Replace,
    Delete,
    Move,
    Wait,
    Unchanged,
}

impl Action {
    pub fn is_destructive(self) -> bool {
        matches!(self, Action::Replace | Action::Delete)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub action: Action,
    pub destructive: bool,
    /// The post's file; absent for a delete (the file is gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// For a move: the key the tweets were recorded under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// For a wait (and for information on others): when the post is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<Timestamp>,
    /// Every tweet of the post after the change (kept and created) and every
    /// tweet the change removes, in thread order; removed ones first where
    /// a replace swaps a position.
    pub tweets: Vec<TweetChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TweetOp {
    /// Published and stays as it is.
    Keep,
    /// To be published.
    Create,
    /// Published and to be deleted.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TweetChange {
    /// Position in the thread (0-based).
    pub index: usize,
    pub op: TweetOp,
    /// The published tweet's ID, for keep and delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub text: String,
    /// For a create that replaces a published tweet: its text, for the diff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_text: Option<String>,
    pub weighted_length: usize,
    pub digest: String,
    /// The declared body, for a create (so that a saved plan carries exactly
    /// what `apply` will send).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Tweet>,
}

/// Counts of posts per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub append: usize,
    pub replace: usize,
    pub delete: usize,
    #[serde(rename = "move")]
    pub moved: usize,
    pub wait: usize,
    pub unchanged: usize,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::Wait)
    }
}
