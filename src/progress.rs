//! What an apply prints as it goes: one line per tweet published or
//! deleted, per post moved, failed or deferred, and per pause or retry, so
//! that a long run (a `--wait` under the rate budget) shows its progress.
//! The executor emits these events; the command line renders them.

use jiff::Timestamp;
use owo_colors::OwoColorize;

use crate::plan::Action;
use crate::report::{TweetRef, when};

/// Something that happened during an apply, reported as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    Published {
        key: String,
        tweet: TweetRef,
    },
    Deleted {
        key: String,
        tweet: TweetRef,
    },
    Moved {
        from: String,
        to: String,
    },
    /// Someone's tweet reposted, or (`undone`) a repost undone.
    Reposted {
        key: String,
        tweet: TweetRef,
        undone: bool,
    },
    Failed {
        key: String,
        reason: String,
    },
    Deferred {
        key: String,
        earliest: Timestamp,
    },
    /// Sleeping within `--wait` for the budget or a 429's reset.
    Pausing {
        until: Timestamp,
        reason: String,
    },
    Retrying {
        what: String,
        attempt: u32,
        error: String,
    },
    /// A media file X now holds for the post's tweet.
    Uploaded {
        key: String,
        file: String,
        bytes: u64,
        /// Uploaded by an earlier, interrupted run and still held by X.
        reused: bool,
    },
}

impl Event {
    /// One line for the terminal, as in `+ key  https://x.com/i/status/ID`.
    pub(crate) fn render(&self, color: bool) -> String {
        let sym = |s: &'static str, f: fn(&str) -> String| if color { f(s) } else { s.to_owned() };
        match self {
            Event::Published { key, tweet } => {
                let note = if tweet.already {
                    "  (found on X from an interrupted run; recorded)"
                } else {
                    ""
                };
                format!(
                    "{} {key}{}  {}{note}",
                    sym("+", |s| s.green().to_string()),
                    thread_pos(tweet.index),
                    tweet.url
                )
            }
            Event::Deleted { key, tweet } => {
                let note = if tweet.already {
                    "  (already gone)"
                } else {
                    ""
                };
                format!(
                    "{} {key}{}  {}{note}",
                    sym("-", |s| s.red().to_string()),
                    thread_pos(tweet.index),
                    tweet.url
                )
            }
            Event::Reposted { key, tweet, undone } => {
                let (symbol, what) = if *undone {
                    (sym("-", |s| s.red().to_string()), "repost undone")
                } else {
                    (sym("+", |s| s.green().to_string()), "reposted")
                };
                format!("{symbol} {key}  {what} {}", tweet.url)
            }
            Event::Moved { from, to } => {
                // The plan's move symbol, so the two outputs read alike.
                let symbol = Action::Move.symbol();
                let symbol = if color {
                    symbol.cyan().to_string()
                } else {
                    symbol.to_owned()
                };
                format!("{symbol} {to}  (moved from {from}; state only)")
            }
            Event::Failed { key, reason } => {
                format!(
                    "{} {key}  failed: {reason}",
                    sym("!", |s| s.red().bold().to_string())
                )
            }
            Event::Deferred { key, earliest } => format!(
                "{} {key}  deferred until {}",
                sym("…", |s| s.yellow().to_string()),
                when(*earliest)
            ),
            Event::Pausing { until, reason } => {
                format!("  waiting until {}: {reason}", when(*until))
            }
            Event::Retrying {
                what,
                attempt,
                error,
            } => format!("  retrying {what} (attempt {attempt}): {error}"),
            Event::Uploaded {
                key,
                file,
                bytes,
                reused,
            } => {
                let how = if *reused {
                    "uploaded by an earlier run, reused".to_owned()
                } else {
                    format!("uploaded, {}", crate::render::size(*bytes))
                };
                format!(
                    "{} {key}  {file}  ({how})",
                    sym("↑", |s| s.cyan().to_string())
                )
            }
        }
    }
}

fn thread_pos(index: usize) -> String {
    if index == 0 {
        String::new()
    } else {
        format!(" [{}]", index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines_carry_the_tweet_url() {
        let e = Event::Published {
            key: "2026/launch".into(),
            tweet: TweetRef::new(1, "123", false),
        };
        assert_eq!(
            e.render(false),
            "+ 2026/launch [2]  https://x.com/i/status/123"
        );
    }
}
