//! When waiting and deferred posts will go out.
//!
//! A reviewer who merges a plan wants to know when its posts reach X, and
//! "later" is not an answer: a post waits for its `publish_at`, then for
//! the rate windows and the spend window (whose history the state keeps),
//! then for the next run of the publishing workflow, which is what picks
//! it up once the merge's own run is over. This module works that out
//! without sending anything: it replays the plan through a copy of the
//! budget as `apply` would spend it, in the plan's order (each tweet a
//! create, each removal a delete), then rounds each held post up to the
//! workflow's next scheduled run.
//!
//! GitHub starts scheduled runs late, often by minutes and more under load,
//! so every answer is a lower bound: "not before".

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::Timestamp;

use crate::budget::{Budget, Endpoint, RequestKind};
use crate::cost::{Prices, Usd};
use crate::plan::{Action, Change, Plan, TweetOp};
use crate::problem::Problem;
use crate::spend::SpendLane;

/// The publishing workflow, relative to the project's root.
pub const WORKFLOW_FILE: &str = ".github/workflows/tweets.yml";

pub use crate::post_forecast::{Forecast, PostForecast};

/// The publishing workflow's schedule.
#[derive(Debug, Clone)]
pub(crate) enum Schedule {
    /// No workflow file: when the next run happens is not known here.
    NoWorkflow,
    /// A workflow without `on.schedule`: it runs on pushes and by hand only.
    Unscheduled,
    /// Its `on.schedule[].cron` entries, as written and parsed (UTC, as
    /// GitHub reads them).
    Cron(Vec<(String, croner::Cron)>),
}

impl Schedule {
    /// Reads the schedule of [`WORKFLOW_FILE`] under `root`, if the file
    /// exists. A cron line that does not parse is an error at its line.
    pub(crate) fn read(root: &Path) -> Result<Schedule, Problem> {
        let path = root.join(WORKFLOW_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Schedule::NoWorkflow),
            Err(e) => {
                return Err(Problem::new(format!("cannot read {WORKFLOW_FILE}")).because(&e));
            }
        };
        Schedule::parse(&text)
    }

    /// The schedule of a workflow's text.
    pub(crate) fn parse(text: &str) -> Result<Schedule, Problem> {
        let doc: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
            Problem::new(format!("{WORKFLOW_FILE}: not a YAML workflow: {e}")).with_help(
                "fix the workflow file, or delete it (`tweetform init` writes a new one)",
            )
        })?;
        let Some(entries) = doc
            .get("on")
            .and_then(|on| on.get("schedule"))
            .and_then(|s| s.as_array())
        else {
            return Ok(Schedule::Unscheduled);
        };
        let mut crons = Vec::new();
        for entry in entries {
            let Some(pattern) = entry.get("cron").and_then(|c| c.as_str()) else {
                continue;
            };
            let cron = croner::parser::CronParser::new()
                .parse(pattern)
                .map_err(|e| {
                    Problem::new(format!(
                        "{}: on.schedule: `{pattern}` is not a cron schedule: {e}",
                        position(text, pattern)
                    ))
                    .with_help(
                        "write five fields, minute hour day month weekday, such as \"*/15 * * * *\"",
                    )
                })?;
            crons.push((pattern.to_owned(), cron));
        }
        if crons.is_empty() {
            return Ok(Schedule::Unscheduled);
        }
        Ok(Schedule::Cron(crons))
    }

    /// The first scheduled run at or after `t`, and the cron that gives it.
    pub(crate) fn next_run(&self, t: Timestamp) -> Option<(Timestamp, &str)> {
        let Schedule::Cron(crons) = self else {
            return None;
        };
        let zoned = t.to_zoned(jiff::tz::TimeZone::UTC);
        crons
            .iter()
            .filter_map(|(pattern, cron)| {
                let next = cron.find_next_occurrence(&zoned, true).ok()?;
                Some((next.timestamp(), pattern.as_str()))
            })
            .min_by_key(|(at, _)| *at)
    }

    /// How a held post is picked up, as [`PostForecast::schedule`] says it.
    fn note(&self, pattern: Option<&str>) -> String {
        match (self, pattern) {
            (_, Some(p)) => format!("cron: {p}"),
            (Schedule::NoWorkflow, _) => format!("no {WORKFLOW_FILE} to read the schedule from"),
            (Schedule::Unscheduled, _) => {
                format!("{WORKFLOW_FILE} has no on.schedule: it runs on pushes and by hand")
            }
            (Schedule::Cron(_), None) => "no scheduled run after it".to_owned(),
        }
    }
}

/// `file:line:column` of `needle` in the workflow's text (its first line
/// when it is not found as written).
fn position(text: &str, needle: &str) -> String {
    for (n, line) in text.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return format!("{WORKFLOW_FILE}:{}:{}", n + 1, col + 1);
        }
    }
    format!("{WORKFLOW_FILE}:1:1")
}

/// What the replay knows: the budget and the spend window, seeded with the
/// state's history, and the prices of what is sent.
pub(crate) struct Inputs<'a> {
    pub(crate) budget: Budget,
    pub(crate) spend: SpendLane,
    pub(crate) prices: &'a Prices,
    pub(crate) schedule: &'a Schedule,
}

/// The forecast of every post the plan publishes and every waiting post:
/// those applied now first, in the plan's order, then the waiting ones in
/// the order they fall due. Only posts held past `planned_at` get one.
pub(crate) fn forecast(plan: &Plan, inputs: Inputs<'_>) -> Forecast {
    let Inputs {
        mut budget,
        mut spend,
        prices,
        schedule,
    } = inputs;
    let now = plan.planned_at;
    let mut order: Vec<(&Change, Timestamp)> = plan
        .changes
        .iter()
        .filter(|c| c.is_applied())
        .map(|c| (c, now))
        .collect();
    let mut waiting: Vec<(&Change, Timestamp)> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Wait && c.refused.is_none())
        .map(|c| (c, c.publish_at.unwrap_or(now).max(now)))
        .collect();
    waiting.sort_by_key(|(_, at)| *at);
    order.extend(waiting);

    // Apply sends one request at a time: a lane's requests go in order, and
    // one held back holds back those after it, for the same reason.
    let mut lanes: HashMap<RequestKind, (Timestamp, String)> = HashMap::new();
    let mut spent_until: Option<(Timestamp, String)> = None;
    let mut posts = BTreeMap::new();
    for (change, ready) in order {
        let mut t = Some(ready);
        let mut why = (ready > now).then(|| "publish_at".to_owned());
        for tweet in &change.tweets {
            let Some(at) = t else { break };
            let (endpoint, usd) = match &tweet.op {
                TweetOp::Keep { .. } => continue,
                // An edit is a create with `edit_options`, priced as a post.
                TweetOp::Create { body, .. } | TweetOp::Edit { body, .. } => {
                    (Endpoint::CreateTweet, prices.post(&body.text).1)
                }
                TweetOp::Delete { .. } => (Endpoint::DeleteTweet, prices.interaction_delete),
                TweetOp::Repost { .. } => (Endpoint::Repost, Usd(0)),
                TweetOp::Unrepost { .. } => (Endpoint::Unrepost, prices.interaction_delete),
            };
            let mut at = at;
            if let Some((after, reason)) = lanes.get(&endpoint.kind()).filter(|(l, _)| *l > at) {
                at = *after;
                why = Some(reason.clone());
            }
            if let (true, Some((after, reason))) =
                (usd > Usd(0), spent_until.as_ref().filter(|(l, _)| *l > at))
            {
                at = *after;
                why = Some(reason.clone());
            }
            let (allowed, hold) = budget.earliest_why(endpoint, at);
            if let Some(hold) = hold.filter(|_| allowed > at) {
                at = allowed;
                why = Some(format!("rate window: {hold}"));
            }
            if let Some(window) = spend.window() {
                let paid = spend.earliest(usd, at);
                if paid > at {
                    at = paid;
                    why = Some(format!("spend window: {usd} more would exceed {window}"));
                    // The rate windows only open further with time.
                    at = budget.earliest(endpoint, at);
                }
            }
            if at == Timestamp::MAX {
                t = None;
                continue;
            }
            budget.record(endpoint, at);
            spend.record(at, usd);
            let reason = why.clone().unwrap_or_default();
            if at > now {
                lanes.insert(endpoint.kind(), (at, reason.clone()));
                if usd > Usd(0) {
                    spent_until = Some((at, reason));
                }
            }
            t = Some(at);
        }
        let Some(why) = why else { continue };
        let post = match t {
            None => PostForecast {
                not_before: None,
                why,
                schedule: schedule.note(None),
            },
            Some(at) => match schedule.next_run(at) {
                Some((run, pattern)) => PostForecast {
                    not_before: Some(run),
                    why: if run > at {
                        format!(
                            "workflow schedule: the first run of \"{pattern}\" at or after {at}, held by {why}"
                        )
                    } else {
                        why
                    },
                    schedule: schedule.note(Some(pattern)),
                },
                None => PostForecast {
                    not_before: Some(at),
                    why,
                    schedule: schedule.note(None),
                },
            },
        };
        posts.insert(change.key.clone(), post);
    }
    Forecast { posts }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use jiff::SignedDuration;

    use super::*;
    use crate::budget::Window;
    use crate::post::{Post, Tweet};
    use crate::spend::SpendWindow;
    use crate::state::{RequestLog, State};

    fn now() -> Timestamp {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn mins(m: i64) -> Timestamp {
        now() + SignedDuration::from_mins(m)
    }

    fn post(key: &str, text: &str, publish_at: Option<Timestamp>) -> Post {
        Post {
            key: key.into(),
            file: PathBuf::from(format!("posts/{key}.yaml")),
            publish_at,
            publish_at_pos: None,
            is_thread: false,
            tweets: vec![Tweet::new(text)],
            repost: None,
        }
    }

    /// Posts `a`, `b`, … with no link, due now.
    fn posts(n: usize) -> Vec<Post> {
        (0..n)
            .map(|i| {
                let key = ((b'a' + i as u8) as char).to_string();
                post(&key, &format!("post {key}"), None)
            })
            .collect()
    }

    /// 3 creates per 15 minutes, with 3 spent 5 minutes ago.
    fn tight_budget() -> Budget {
        let mut budget = Budget::new(
            vec![Window::new(3, SignedDuration::from_mins(15))],
            vec![Window::new(50, SignedDuration::from_mins(15))],
        );
        let log = RequestLog {
            creates: vec![mins(-5); 3],
            ..RequestLog::default()
        };
        budget.seed(&log, &[]);
        budget
    }

    fn run(posts: &[Post], budget: Budget, spend: SpendLane, schedule: &Schedule) -> Forecast {
        run_on(&State::new(), posts, budget, spend, schedule)
    }

    fn run_on(
        state: &State,
        posts: &[Post],
        budget: Budget,
        spend: SpendLane,
        schedule: &Schedule,
    ) -> Forecast {
        let plan = crate::plan::plan(posts, state, now());
        forecast(
            &plan,
            Inputs {
                budget,
                spend,
                prices: &Prices::default(),
                schedule,
            },
        )
    }

    fn cron(lines: &[&str]) -> Schedule {
        let mut yaml =
            String::from("name: tweets\non:\n  push:\n    branches: [main]\n  schedule:\n");
        for l in lines {
            yaml.push_str(&format!("    - cron: \"{l}\"\n"));
        }
        Schedule::parse(&yaml).unwrap()
    }

    #[test]
    fn a_full_rate_window_holds_the_next_post_until_its_oldest_request_leaves() {
        let f = run(
            &posts(4),
            tight_budget(),
            SpendLane::new(None),
            &Schedule::NoWorkflow,
        );
        // The 3 spent 5 minutes ago leave at +10: then 3 more fit, the 4th
        // waits for those 3 to leave (+25).
        for key in ["a", "b", "c"] {
            assert_eq!(f.of(key).unwrap().not_before, Some(mins(10)), "{key}");
        }
        let d = f.of("d").unwrap();
        assert_eq!(d.not_before, Some(mins(25)));
        assert_eq!(
            d.why,
            "rate window: the budget of 3 per 15m creates is used"
        );
        assert_eq!(
            d.line(),
            format!(
                "goes out at the next run after {} (rate window: the budget of 3 per 15m creates is used; no {WORKFLOW_FILE} to read the schedule from)",
                mins(25)
            )
        );
    }

    #[test]
    fn what_fits_now_has_no_forecast_and_the_fourth_post_waits_ten_minutes() {
        let mut budget = tight_budget();
        // Only one of the three is still in the window: two fit now.
        budget.seed(
            &RequestLog {
                creates: vec![mins(-20), mins(-20), mins(-5)],
                ..RequestLog::default()
            },
            &[],
        );
        let f = run(
            &posts(4),
            budget,
            SpendLane::new(None),
            &Schedule::NoWorkflow,
        );
        assert_eq!(f.of("a"), None);
        assert_eq!(f.of("b"), None);
        assert_eq!(f.of("c").unwrap().not_before, Some(mins(10)));
        assert_eq!(f.of("d").unwrap().not_before, Some(mins(15)));
    }

    #[test]
    fn the_workflow_schedule_rounds_up_to_its_next_run() {
        // 12:10 is held by the window; the workflow runs at :00, :15, … .
        let f = run(
            &posts(4),
            tight_budget(),
            SpendLane::new(None),
            &cron(&["*/15 * * * *"]),
        );
        let a = f.of("a").unwrap();
        assert_eq!(a.not_before, Some(mins(15)));
        assert_eq!(a.schedule, "cron: */15 * * * *");
        assert!(a.why.starts_with("workflow schedule: the first run of \"*/15 * * * *\" at or after 2026-03-01T12:10:00Z, held by rate window:"), "{}", a.why);
        assert!(
            a.line()
                .starts_with("goes out not before 2026-03-01T12:15:00Z (workflow schedule"),
            "{}",
            a.line()
        );
        // +25 is 12:25: the next run is 12:30.
        assert_eq!(f.of("d").unwrap().not_before, Some(mins(30)));
    }

    #[test]
    fn the_readme_example_one_post_after_three_creates_goes_with_the_run_of_12_22() {
        let f = run(
            &posts(1),
            tight_budget(),
            SpendLane::new(None),
            &cron(&["7,22,37,52 * * * *"]),
        );
        let a = f.of("a").unwrap();
        assert_eq!(
            a.line(),
            "goes out not before 2026-03-01T12:22:00Z (workflow schedule: the first run of \"7,22,37,52 * * * *\" at or after 2026-03-01T12:10:00Z, held by rate window: the budget of 3 per 15m creates is used)"
        );
    }

    #[test]
    fn a_replace_spends_a_delete_first_and_a_full_delete_window_holds_it() {
        let mut state = State::new();
        state.posts.insert(
            "a".into(),
            crate::state::PostState {
                tweets: vec![crate::state::PublishedTweet {
                    edits: Vec::new(),
                    id: "1".into(),
                    text: "old".into(),
                    digest: Tweet::new("old").digest(),
                    published_at: None,
                }],
            },
        );
        let mut budget = Budget::new(
            vec![Window::new(100, SignedDuration::from_mins(15))],
            vec![Window::new(1, SignedDuration::from_mins(15))],
        );
        budget.seed(
            &RequestLog {
                deletes: vec![mins(-1)],
                ..RequestLog::default()
            },
            &[],
        );
        let f = run_on(
            &state,
            &[post("a", "new", None)],
            budget,
            SpendLane::new(None),
            &Schedule::NoWorkflow,
        );
        let a = f.of("a").unwrap();
        assert_eq!(a.not_before, Some(mins(14)));
        assert_eq!(
            a.why,
            "rate window: the budget of 1 per 15m deletes is used"
        );
    }

    #[test]
    fn with_two_cron_lines_the_earlier_next_run_wins() {
        let schedule = cron(&["0 * * * *", "20 12 * * *"]);
        let f = run(&posts(4), tight_budget(), SpendLane::new(None), &schedule);
        assert_eq!(f.of("a").unwrap().not_before, Some(mins(20)));
        assert_eq!(f.of("a").unwrap().schedule, "cron: 20 12 * * *");
        // 12:25: the daily run at 12:20 is past, the hourly one is next.
        assert_eq!(f.of("d").unwrap().not_before, Some(mins(60)));
        assert_eq!(f.of("d").unwrap().schedule, "cron: 0 * * * *");
    }

    #[test]
    fn a_future_publish_at_holds_a_post_and_a_run_at_that_minute_takes_it() {
        let at = mins(45);
        let later = post("later", "later", Some(at));
        let budget = Budget::new(
            vec![Window::new(100, SignedDuration::from_mins(15))],
            vec![],
        );
        let f = run(
            std::slice::from_ref(&later),
            budget.clone(),
            SpendLane::new(None),
            &Schedule::NoWorkflow,
        );
        let p = f.of("later").unwrap();
        assert_eq!((p.not_before, p.why.as_str()), (Some(at), "publish_at"));
        let f = run(
            &[later],
            budget,
            SpendLane::new(None),
            &cron(&["*/15 * * * *"]),
        );
        // A run at exactly publish_at publishes it: no rounding, no schedule reason.
        let p = f.of("later").unwrap();
        assert_eq!((p.not_before, p.why.as_str()), (Some(at), "publish_at"));
    }

    #[test]
    fn the_spend_window_holds_what_would_exceed_it_until_payments_leave() {
        let window = SpendWindow {
            limit: Usd::new(0, 30_000),
            length: SignedDuration::from_hours(24),
        };
        let mut spend = SpendLane::new(Some(window));
        spend.seed(&[crate::spend::Payment {
            at: mins(-60),
            usd: Usd::new(0, 15_000),
        }]);
        let budget = Budget::new(
            vec![Window::new(100, SignedDuration::from_mins(15))],
            vec![],
        );
        let f = run(&posts(2), budget, spend, &Schedule::Unscheduled);
        // $0.015 spent an hour ago, $0.03 a day: one more fits now, the
        // second once the payment leaves.
        assert_eq!(f.of("a"), None);
        let b = f.of("b").unwrap();
        assert_eq!(
            b.not_before,
            Some(mins(-60) + SignedDuration::from_hours(24))
        );
        assert_eq!(
            b.why,
            "spend window: $0.015 more would exceed $0.03 per 24h"
        );
        assert!(b.schedule.contains("no on.schedule"), "{}", b.schedule);
    }

    #[test]
    fn a_post_that_can_never_go_says_so() {
        let budget = Budget::new(vec![Window::new(0, SignedDuration::from_mins(15))], vec![]);
        let f = run(
            &posts(1),
            budget,
            SpendLane::new(None),
            &Schedule::NoWorkflow,
        );
        let a = f.of("a").unwrap();
        assert_eq!(a.not_before, None);
        assert_eq!(
            a.line(),
            "never goes out as planned (rate window: the budget allows no creates)"
        );
    }

    #[test]
    fn a_workflow_without_schedule_or_with_a_bad_cron_is_read_as_such() {
        assert!(matches!(
            Schedule::parse("on:\n  push:\n    branches: [main]\n").unwrap(),
            Schedule::Unscheduled
        ));
        let e = Schedule::parse("on:\n  schedule:\n    - cron: \"every day\"\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{WORKFLOW_FILE}:3:14: on.schedule: `every day`")),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Schedule::read(dir.path()).unwrap(),
            Schedule::NoWorkflow
        ));
    }

    #[test]
    fn the_projects_own_workflow_is_read_from_its_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let schedule = Schedule::read(root).unwrap();
        let (run, pattern) = schedule.next_run(mins(10)).unwrap();
        assert_eq!((run, pattern), (mins(22), "7,22,37,52 * * * *"));
    }
}
