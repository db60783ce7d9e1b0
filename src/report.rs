//! What an apply did: the report at the end (what was done, what failed and why, what is deferred and until when,
//! when the next scheduled post is due).
//!
//! The report is also data for later steps (`apply --commit` writes its
//! commit message from it, the GitHub job summary lists its links), so it
//! is serialisable and its rendering lives here, apart from the executor.

use std::fmt::Write as _;

use jiff::Timestamp;
use owo_colors::OwoColorize;
use serde::Serialize;

use crate::plan::Action;
use crate::problem::{Problem, help_line};
use crate::render::REFUSED_HELP;
use crate::text::tweet_url;

/// Deferred posts listed one by one in the summary; the rest are counted.
const DEFERRED_SHOWN: usize = 20;

/// One tweet the apply published or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TweetRef {
    pub index: usize,
    pub id: String,
    pub url: String,
    /// For a publish: found already on X (sent by an earlier, interrupted
    /// run) and recorded rather than sent again. For a delete: already gone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub already: bool,
}

impl TweetRef {
    pub fn new(index: usize, id: &str, already: bool) -> Self {
        TweetRef {
            index,
            id: id.to_owned(),
            url: tweet_url(id),
            already,
        }
    }
}

/// How a post's change ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Failed {
        reason: String,
        /// What the user can do about it, when tweetform knows.
        #[serde(skip_serializing_if = "Option::is_none")]
        help: Option<String>,
    },
    /// Not (fully) run now: the rate budget or X's limits allow it from `earliest`.
    Deferred {
        earliest: Timestamp,
        reason: String,
    },
}

/// One post of the plan and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostReport {
    pub key: String,
    pub action: Action,
    /// For a move: the key it was recorded under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<TweetRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<TweetRef>,
}

impl PostReport {
    pub fn new(key: &str, action: Action, from: Option<String>) -> Self {
        PostReport {
            key: key.to_owned(),
            action,
            from,
            outcome: Outcome::Done,
            published: Vec::new(),
            deleted: Vec::new(),
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.outcome == Outcome::Done
    }
}

/// A post not sent because X refused its content on an earlier run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotSent {
    pub key: String,
    /// Which tweet X refused, its status and its words.
    pub reason: String,
}

/// A post left for later because its `publish_at` is in the future.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheduled {
    pub key: String,
    pub publish_at: Timestamp,
}

/// A destructive change held back: `apply` deletes and replaces published
/// tweets only with `--allow-destroy` (or `allow_destroy: true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    pub key: String,
    pub action: Action,
    /// Why the change is destructive.
    pub reason: String,
    /// The published tweets it would delete.
    pub deletes: Vec<TweetRef>,
}

/// A tweet an interrupted run published, found on X and recorded by this
/// run's settling before the plan it ran was made (so no change of that
/// plan reports it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recovered {
    pub key: String,
    pub tweet: TweetRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// Every change of the plan that is not a wait, in the order run.
    pub posts: Vec<PostReport>,
    /// Posts waiting for their `publish_at`, soonest first.
    pub scheduled: Vec<Scheduled>,
    /// Tweets recovered from an earlier run outside the changes above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<Recovered>,
    /// Posts X refused before, not sent again until edited.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<NotSent>,
    /// Set when the apply had to stop at once (the state could not be
    /// written); what it says must reach the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aborted: Option<Problem>,
    /// 429 answers X gave (the budget aims for none).
    pub rate_limited: u32,
    /// What the requests X charges for cost, at the configured prices.
    #[serde(skip_serializing_if = "crate::cost::Spent::is_empty")]
    pub spent: crate::cost::Spent,
    /// Destructive changes not applied for want of permission.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Held>,
    /// The signal (`SIGINT`, `SIGTERM`) that stopped the apply between two
    /// requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
}

impl Report {
    /// Moves each deferred post's earliest time to the publishing
    /// workflow's first scheduled run at or after it, and says so.
    pub(crate) fn round_deferred_to(&mut self, schedule: &crate::forecast::Schedule) {
        for post in &mut self.posts {
            if let Outcome::Deferred { earliest, reason } = &mut post.outcome
                && let Some((run, cron)) = schedule.next_run(*earliest)
                && run > *earliest
            {
                *reason = format!("{reason}; then the workflow's run of \"{cron}\"");
                *earliest = run;
            }
        }
    }

    pub fn done(&self) -> impl Iterator<Item = &PostReport> {
        self.posts.iter().filter(|p| p.is_done())
    }

    pub fn failed(&self) -> impl Iterator<Item = (&PostReport, &str)> {
        self.posts.iter().filter_map(|p| match &p.outcome {
            Outcome::Failed { reason, .. } => Some((p, reason.as_str())),
            _ => None,
        })
    }

    pub fn deferred(&self) -> impl Iterator<Item = (&PostReport, Timestamp)> {
        self.posts.iter().filter_map(|p| match &p.outcome {
            Outcome::Deferred { earliest, .. } => Some((p, *earliest)),
            _ => None,
        })
    }

    /// Every tweet published, across posts (for commit messages and summaries).
    pub fn published(&self) -> impl Iterator<Item = (&str, &TweetRef)> {
        self.posts
            .iter()
            .flat_map(|p| p.published.iter().map(move |t| (p.key.as_str(), t)))
    }

    pub fn deleted(&self) -> impl Iterator<Item = (&str, &TweetRef)> {
        self.posts
            .iter()
            .flat_map(|p| p.deleted.iter().map(move |t| (p.key.as_str(), t)))
    }

    /// The earliest time deferred work can run.
    pub(crate) fn deferred_until(&self) -> Option<Timestamp> {
        self.deferred().map(|(_, t)| t).min()
    }

    pub(crate) fn next_scheduled(&self) -> Option<&Scheduled> {
        self.scheduled.iter().min_by_key(|s| s.publish_at)
    }

    /// 1 when anything failed or the apply was aborted, else 3 when
    /// destructive changes were held, else 0. (An interruption's code is the
    /// signal's, which the command line knows.)
    pub fn exit_code(&self) -> u8 {
        if self.aborted.is_some() || self.failed().next().is_some() {
            1
        } else if !self.held.is_empty() {
            3
        } else {
            0
        }
    }

    /// The summary printed at the end of an apply.
    pub fn render_summary(&self, color: bool) -> String {
        let mut out = String::new();
        let paint = |s: &str, f: fn(&str) -> String| if color { f(s) } else { s.to_owned() };
        // An edit sends a new version of a tweet: counted apart, so that a
        // reader does not look for a new tweet on the account.
        let edited = self
            .posts
            .iter()
            .filter(|p| p.action == Action::Edit)
            .flat_map(|p| &p.published)
            .filter(|t| !t.already)
            .count();
        let published = self.published().filter(|(_, t)| !t.already).count() - edited;
        let adopted = self.published().filter(|(_, t)| t.already).count() + self.recovered.len();
        let deleted = self.deleted().count();
        let moved = self
            .posts
            .iter()
            .filter(|p| p.action == Action::Move && p.is_done())
            .count();
        let failed: Vec<_> = self.failed().collect();
        let deferred: Vec<_> = self.deferred().collect();

        if !failed.is_empty() {
            let _ = writeln!(out, "\nFailed:");
            for (p, reason) in &failed {
                let _ = writeln!(
                    out,
                    "  {} {}: {reason}",
                    paint("!", |s| s.red().bold().to_string()),
                    p.key
                );
                if let Outcome::Failed {
                    help: Some(help), ..
                } = &p.outcome
                {
                    out.push_str(&help_line(help, color));
                }
            }
        }
        if !deferred.is_empty() {
            let _ = writeln!(
                out,
                "\nDeferred (run `tweetform apply` again from the time given):"
            );
            for (p, at) in deferred.iter().take(DEFERRED_SHOWN) {
                let reason = match &p.outcome {
                    Outcome::Deferred { reason, .. } => reason.as_str(),
                    _ => "",
                };
                let _ = writeln!(
                    out,
                    "  {} {}: goes out not before {} ({reason})",
                    paint("…", |s| s.yellow().to_string()),
                    p.key,
                    when(*at)
                );
            }
        }
        if deferred.len() > DEFERRED_SHOWN {
            let _ = writeln!(out, "  … and {} more", deferred.len() - DEFERRED_SHOWN);
        }
        if !self.held.is_empty() {
            let _ = writeln!(
                out,
                "\nHeld (destructive; applied only with --allow-destroy):"
            );
            for h in &self.held {
                let _ = write!(
                    out,
                    "  {} {} ({}): {}",
                    paint("-", |s| s.red().bold().to_string()),
                    h.key,
                    h.action.name(),
                    h.reason
                );
                for (i, t) in h.deletes.iter().enumerate() {
                    let _ = write!(out, "{}{}", if i == 0 { ": " } else { " " }, t.url);
                }
                out.push('\n');
            }
            out.push_str(&help_line(
                "review `tweetform plan`, then run `tweetform apply --allow-destroy` (or set `allow_destroy: true` in tweetform.yaml)",
                color,
            ));
        }
        if let Some(signal) = &self.interrupted {
            let _ = writeln!(
                out,
                "\n{} by {signal}: no request was started after it; what was done is saved. Run `tweetform apply` again to continue.",
                paint("Interrupted", |s| s.yellow().bold().to_string())
            );
        }
        if !self.refused.is_empty() {
            let _ = writeln!(out, "\nNot sent, refused by X before ({REFUSED_HELP}):");
            for r in &self.refused {
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    paint("!", |s| s.red().bold().to_string()),
                    r.key,
                    r.reason
                );
            }
        }
        // Nothing else to tell only when nothing at all was done or held.
        let quiet = self.posts.is_empty()
            && self.aborted.is_none()
            && self.held.is_empty()
            && self.recovered.is_empty();
        if quiet && !self.refused.is_empty() {
            let _ = writeln!(out, "\nNothing sent: X refused the posts left to publish.");
        } else if quiet {
            let _ = writeln!(out, "\nNothing to do: X matches the posts.");
        } else {
            let mut parts = vec![format!("{published} published")];
            if edited > 0 {
                parts.push(format!("{edited} edited"));
            }
            if adopted > 0 {
                parts.push(format!("{adopted} recovered from an earlier run"));
            }
            parts.push(format!("{deleted} deleted"));
            if moved > 0 {
                parts.push(format!("{moved} moved"));
            }
            parts.push(format!("{} failed", failed.len()));
            parts.push(format!("{} deferred", deferred.len()));
            if !self.held.is_empty() {
                parts.push(format!("{} held", self.held.len()));
            }
            let head = if self.interrupted.is_some() {
                "Apply (interrupted)"
            } else {
                "Apply"
            };
            let _ = writeln!(out, "\n{head}: {}.", parts.join(", "));
        }
        if let Some(spent) = self.spent.line() {
            let _ = writeln!(out, "{spent}");
        }
        if let Some(until) = self.deferred_until() {
            let _ = writeln!(out, "Deferred work can run from {}.", when(until));
        }
        if let Some(next) = self.next_scheduled() {
            let _ = writeln!(
                out,
                "Next scheduled: {} at {} ({} waiting).",
                next.key,
                next.publish_at,
                self.scheduled.len()
            );
        }
        if self.rate_limited > 0 {
            let _ = writeln!(
                out,
                "X answered 429 Too Many Requests {} time(s); consider a smaller `budget:` in tweetform.yaml.",
                self.rate_limited
            );
        }
        out
    }
}

/// A post whose tweets this apply published (create, append, replace) or
/// re-recorded (move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub key: String,
    pub action: Action,
    /// The IDs of the tweets this apply created, in thread order.
    pub tweet_ids: Vec<String>,
    /// For a replace: the IDs of the published tweets it deleted.
    pub replaced_ids: Vec<String>,
}

/// A post whose tweets this apply deleted (the file was removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub key: String,
    pub tweet_ids: Vec<String>,
}

/// A post this apply could not complete, and X's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub key: String,
    pub reason: String,
}

/// A post the apply left for a later run (rate budget, X's limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    pub key: String,
    /// The earliest time it can go, when known.
    pub earliest: Option<jiff::Timestamp>,
    pub reason: String,
}

/// What an apply did, in the terms of the commit message
/// ([`crate::git::commit_message`]) and the job summary
/// ([`crate::github::apply_summary`]), so that both say the same.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyLog {
    pub published: Vec<Published>,
    pub deleted: Vec<Deleted>,
    pub failed: Vec<Failed>,
    pub deferred: Vec<Deferred>,
    /// Tweets an interrupted run published that this run found on X and
    /// recorded, outside the plan's changes: post key and tweet IDs.
    pub recovered: Vec<Deleted>,
    /// The apply did not get through the plan: something failed or was
    /// deferred, or it was aborted.
    pub partial: bool,
    /// What the run spent at X's prices, when it sent anything X charges for.
    pub spent: Option<String>,
}

impl ApplyLog {
    /// Reads the executor's report. A tweet adopted from an earlier,
    /// interrupted run counts as published: this run recorded it.
    pub fn from_report(report: &Report) -> ApplyLog {
        let ids = |tweets: &[TweetRef]| tweets.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        let mut log = ApplyLog::default();
        for p in &report.posts {
            match p.action {
                Action::Delete => {
                    if !p.deleted.is_empty() {
                        log.deleted.push(Deleted {
                            key: p.key.clone(),
                            tweet_ids: ids(&p.deleted),
                        });
                    }
                }
                Action::Create | Action::Append | Action::Edit | Action::Replace | Action::Move => {
                    let replaced = if p.action == Action::Replace {
                        ids(&p.deleted)
                    } else {
                        Vec::new()
                    };
                    let moved = p.action == Action::Move && p.is_done();
                    if !p.published.is_empty() || !replaced.is_empty() || moved {
                        log.published.push(Published {
                            key: p.key.clone(),
                            action: p.action,
                            tweet_ids: ids(&p.published),
                            replaced_ids: replaced,
                        });
                    }
                }
                Action::Wait | Action::Unchanged => {}
            }
            match &p.outcome {
                Outcome::Done => {}
                Outcome::Failed { reason, .. } => log.failed.push(Failed {
                    key: p.key.clone(),
                    reason: reason.clone(),
                }),
                Outcome::Deferred { earliest, reason } => log.deferred.push(Deferred {
                    key: p.key.clone(),
                    earliest: Some(*earliest),
                    reason: reason.clone(),
                }),
            }
        }
        for r in &report.recovered {
            match log.recovered.iter_mut().find(|e| e.key == r.key) {
                Some(entry) => entry.tweet_ids.push(r.tweet.id.clone()),
                None => log.recovered.push(Deleted {
                    key: r.key.clone(),
                    tweet_ids: vec![r.tweet.id.clone()],
                }),
            }
        }
        log.spent = report.spent.line();
        log.partial = report.aborted.is_some()
            || report.interrupted.is_some()
            || !log.failed.is_empty()
            || !log.deferred.is_empty();
        log
    }

    /// Posts published (created, appended to or replaced) and posts deferred,
    /// for [`crate::github::apply_outputs`].
    pub fn counts(&self) -> (usize, usize) {
        let published = self
            .published
            .iter()
            .filter(|p| !p.tweet_ids.is_empty())
            .count();
        (published, self.deferred.len())
    }
}

/// A time for people: whole seconds, rounded up (so that "from T" is never
/// a moment too early).
pub fn when(t: Timestamp) -> Timestamp {
    let round = jiff::TimestampRound::new()
        .smallest(jiff::Unit::Second)
        .mode(jiff::RoundMode::Ceil);
    t.round(round).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn sample() -> Report {
        let mut done = PostReport::new("2026/launch", Action::Create, None);
        done.published.push(TweetRef::new(0, "111", false));
        done.published.push(TweetRef::new(1, "112", true));
        let mut failed = PostReport::new("bad", Action::Create, None);
        failed.outcome = Outcome::Failed {
            reason: "X refused the request (400 Bad Request): invalid poll".into(),
            help: None,
        };
        let mut deferred = PostReport::new("later", Action::Create, None);
        deferred.outcome = Outcome::Deferred {
            earliest: ts("2026-01-01T00:15:00Z"),
            reason: "create budget: 200 per 15m".into(),
        };
        let mut gone = PostReport::new("old", Action::Delete, None);
        gone.deleted.push(TweetRef::new(0, "99", false));
        Report {
            posts: vec![done, failed, deferred, gone],
            scheduled: vec![
                Scheduled {
                    key: "b".into(),
                    publish_at: ts("2026-02-01T00:00:00Z"),
                },
                Scheduled {
                    key: "a".into(),
                    publish_at: ts("2026-01-10T00:00:00Z"),
                },
            ],
            recovered: Vec::new(),
            refused: Vec::new(),
            aborted: None,
            rate_limited: 0,
            spent: Default::default(),
            held: Vec::new(),
            interrupted: None,
        }
    }

    #[test]
    fn summary_says_what_was_done_failed_and_deferred() {
        let r = sample();
        assert_eq!(r.exit_code(), 1);
        assert_eq!(r.deferred_until(), Some(ts("2026-01-01T00:15:00Z")));
        assert_eq!(r.next_scheduled().unwrap().key, "a");
        let s = r.render_summary(false);
        assert!(s.contains("! bad: X refused the request (400 Bad Request): invalid poll"));
        assert!(s.contains("… later: goes out not before 2026-01-01T00:15:00Z"));
        assert!(s.contains(
            "Apply: 1 published, 1 recovered from an earlier run, 1 deleted, 1 failed, 1 deferred."
        ));
        assert!(s.contains("Next scheduled: a at 2026-01-10T00:00:00Z (2 waiting)."));
    }

    #[test]
    fn deferred_posts_wait_for_the_workflows_next_run() {
        let mut r = sample();
        let schedule =
            crate::forecast::Schedule::parse("on:\n  schedule:\n    - cron: \"7,37 * * * *\"\n")
                .unwrap();
        r.round_deferred_to(&schedule);
        assert_eq!(r.deferred_until(), Some(ts("2026-01-01T00:37:00Z")));
        let s = r.render_summary(false);
        assert!(
            s.contains("… later: goes out not before 2026-01-01T00:37:00Z ("),
            "{s}"
        );
        assert!(
            s.contains("then the workflow's run of \"7,37 * * * *\")"),
            "{s}"
        );
        // Without a schedule, nothing moves.
        let mut r = sample();
        r.round_deferred_to(&crate::forecast::Schedule::parse("on: push\n").unwrap());
        assert_eq!(r.deferred_until(), Some(ts("2026-01-01T00:15:00Z")));
    }

    #[test]
    fn an_edit_is_counted_as_edited_not_published() {
        let mut r = sample();
        let mut edit = PostReport::new("typo", Action::Edit, None);
        edit.published.push(TweetRef::new(0, "200", false));
        r.posts.push(edit);
        let s = r.render_summary(false);
        assert!(
            s.contains("Apply: 1 published, 1 edited, 1 recovered from an earlier run"),
            "{s}"
        );
    }

    #[test]
    fn exit_code_is_zero_when_nothing_failed() {
        let mut r = sample();
        r.posts.remove(1);
        assert_eq!(r.exit_code(), 0);
        r.aborted = Some("cannot write".into());
        assert_eq!(r.exit_code(), 1);
    }

    #[test]
    fn times_for_people_are_whole_seconds_rounded_up() {
        assert_eq!(
            when(ts("2026-01-01T00:15:00.000000001Z")),
            ts("2026-01-01T00:15:01Z")
        );
        assert_eq!(when(ts("2026-01-01T00:15:00Z")), ts("2026-01-01T00:15:00Z"));
        let empty = Report::default();
        assert!(
            empty
                .render_summary(false)
                .contains("Nothing to do: X matches the posts.")
        );
    }

    #[test]
    fn the_report_serialises_with_urls_and_times() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(json["posts"][0]["status"], "done");
        assert_eq!(
            json["posts"][0]["published"][0]["url"],
            "https://x.com/i/status/111"
        );
        assert_eq!(json["posts"][2]["earliest"], "2026-01-01T00:15:00Z");
    }
}
