//! X's API access levels, as `access:` in `tweetform.yaml` names them. The
//! rules each level brings are [`crate::access`]'s; the budget preset each
//! picks is the configuration's.

use std::fmt;

use serde::{Deserialize, Serialize};

/// X's API access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Pay per request; what new apps get since 6 Feb 2026.
    #[default]
    PayPerUse,
    /// The older monthly subscriptions, kept by existing subscribers.
    Basic,
    Pro,
    /// By contract; none of the self-serve restrictions apply.
    Enterprise,
}

impl Access {
    /// Every level, as written in `tweetform.yaml`.
    pub const ALL: [Access; 4] = [
        Access::PayPerUse,
        Access::Basic,
        Access::Pro,
        Access::Enterprise,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Access::PayPerUse => "pay-per-use",
            Access::Basic => "basic",
            Access::Pro => "pro",
            Access::Enterprise => "enterprise",
        }
    }

    /// Whether X's restrictions on self-serve customers apply (every level
    /// but Enterprise).
    pub fn is_self_serve(self) -> bool {
        self != Access::Enterprise
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
