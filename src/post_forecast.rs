//! When a held post can go out, as the plan carries it and every output
//! words it. Worked out by [`crate::forecast`]; apart from it so that the
//! plan, which carries the result, does not depend on the replay.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::Serialize;

/// When each held post can go out, by post key. Posts that the next apply
/// publishes at once have none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forecast {
    pub posts: BTreeMap<String, PostForecast>,
}

impl Forecast {
    pub fn of(&self, key: &str) -> Option<&PostForecast> {
        self.posts.get(key)
    }
}

/// One post's forecast, as the JSON plan writes it (`forecast` of a change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostForecast {
    /// The earliest time it can be published; absent when it never can
    /// (a window that allows none, or a post that alone costs more than the
    /// spend window allows).
    pub not_before: Option<Timestamp>,
    /// What holds it back until then: `publish_at`, `rate window: …`,
    /// `spend window: …` or `workflow schedule: …`.
    pub why: String,
    /// How the workflow picks it up: `cron: …` when its schedule gave the
    /// time, else why no schedule could (the post goes at the next run
    /// after `not_before`, whenever that is).
    pub schedule: String,
}

impl PostForecast {
    /// "goes out not before 2026-… (why)", the wording every output uses.
    pub fn line(&self) -> String {
        let (head, at, tail) = self.parts();
        match at {
            Some(at) => format!("{head}{at}{tail}"),
            None => format!("{head}{tail}"),
        }
    }

    /// [`PostForecast::line`] around its time, for a format that marks it.
    pub fn parts(&self) -> (&'static str, Option<Timestamp>, String) {
        match self.not_before {
            None => (
                "never goes out as planned",
                None,
                format!(" ({})", self.why),
            ),
            Some(at) if self.schedule.starts_with("cron: ") => {
                ("goes out not before ", Some(at), format!(" ({})", self.why))
            }
            Some(at) => (
                "goes out at the next run after ",
                Some(at),
                format!(" ({}; {})", self.why, self.schedule),
            ),
        }
    }
}

impl fmt::Display for PostForecast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}
