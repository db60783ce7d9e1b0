//! What happens to a post, and every word and mark that names it: the
//! plan's JSON, the terminal, Markdown, the commit message and the job
//! summary all say an action the same way because they all ask it here.

use owo_colors::Style;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Append,
    /// Published tweets edited in place (`edit_options`): they keep their
    /// IDs' chain, their place in the thread, their replies and likes.
    Edit,
    Replace,
    Delete,
    Move,
    Wait,
    Unchanged,
}

impl Action {
    /// The order in which actions are listed in legends and summaries.
    pub(crate) const LISTED: [Action; 7] = [
        Action::Create,
        Action::Append,
        Action::Edit,
        Action::Replace,
        Action::Delete,
        Action::Move,
        Action::Wait,
    ];

    /// The action's name as the plan's JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Append => "append",
            Action::Edit => "edit",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Move => "move",
            Action::Wait => "wait",
            Action::Unchanged => "unchanged",
        }
    }

    /// Whether it deletes published tweets.
    pub fn is_destructive(self) -> bool {
        matches!(self, Action::Replace | Action::Delete)
    }

    /// What was done, as the commit message lists a post: `- key (created)`.
    pub fn past(self) -> &'static str {
        match self {
            Action::Create => "created",
            Action::Append => "appended",
            Action::Edit => "edited",
            Action::Replace => "replaced",
            Action::Move => "moved",
            Action::Delete => "deleted",
            Action::Wait => "waiting",
            Action::Unchanged => "unchanged",
        }
    }

    /// What was done, as the job summary says it of a post with its links:
    /// `**key** published: …`, `**key** appended to: …`.
    pub(crate) fn past_with_links(self) -> &'static str {
        match self {
            Action::Create => "published",
            Action::Append => "appended to",
            other => other.past(),
        }
    }

    /// The symbol printed before a post in the terminal.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Append => ">",
            Action::Edit => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Move => "->",
            Action::Wait => "@",
            Action::Unchanged => "=",
        }
    }

    /// The symbol's meaning, for the terminal's legend.
    pub(crate) fn legend(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Append => "append to a published thread",
            Action::Edit => "edit in place: published tweets keep their place, replies and likes",
            Action::Replace => "replace: delete published tweets, then create them anew",
            Action::Delete => "delete published tweets",
            Action::Move => "move: rename in the state only, no API call",
            Action::Wait => "wait until publish_at",
            Action::Unchanged => "unchanged",
        }
    }

    /// The terminal colour of its symbol.
    pub(crate) fn term_style(self) -> Style {
        match self {
            Action::Create => Style::new().green(),
            Action::Append | Action::Edit | Action::Replace => Style::new().yellow(),
            Action::Delete => Style::new().red(),
            Action::Move => Style::new().cyan(),
            Action::Wait | Action::Unchanged => Style::new().dimmed(),
        }
    }

    /// The emoji of its group in Markdown.
    pub(crate) fn md_emoji(self) -> &'static str {
        match self {
            Action::Create => "➕",
            Action::Append => "🧵",
            Action::Edit => "✏️",
            Action::Replace => "♻️",
            Action::Delete => "🗑️",
            Action::Move => "🚚",
            Action::Wait => "⏳",
            Action::Unchanged => "✔️",
        }
    }

    /// The title of its group in Markdown.
    pub(crate) fn md_title(self) -> &'static str {
        match self {
            Action::Create => "Create",
            Action::Append => "Append",
            Action::Edit => "Edit",
            Action::Replace => "Replace",
            Action::Delete => "Delete",
            Action::Move => "Move",
            Action::Wait => "Waiting",
            Action::Unchanged => "Unchanged",
        }
    }
}
