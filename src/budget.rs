//! The rate budget: how many creates, deletes and reads X will accept, and when.
//!
//! Creates, deletes and reads are budgeted separately (X counts them
//! separately), each as a set of windows `(limit, length)`: "200 creates per
//! 15 minutes and 300 per 3 hours". A budget belongs to one account, like
//! the state file it is seeded from.
//!
//! # Why a sliding window when X's windows are fixed
//!
//! X counts each limit over fixed windows: the counter resets at
//! `x-rate-limit-reset`. From our own history alone we do not know where a
//! window starts (its phase). A sliding model — at most `limit` requests in
//! *any* interval of `length` — is safe for every phase, because each fixed
//! window is one such interval. It can only be slower than X needs when we
//! know the phase, and for a burst that starts a run (the common case in CI)
//! it is not slower at all: the first `limit` requests go at once, the next
//! when the oldest leaves the window.
//!
//! When X's headers are present they are the truth about the current fixed
//! window: a `remaining` of 0 means nothing more until `reset`, whatever our
//! model thinks. We take the later of the two answers, so the budget never
//! sends what either says will be refused. Headers that say *more* remains
//! than our model does are not trusted to loosen it: our history may include
//! requests X has not counted yet, and a refused request costs a 429.
//!
//! # Remembered across runs
//!
//! Both halves live in the state: the history ([`RequestLog`]) and what X
//! last reported per endpoint and scope ([`ReportedLimit`]). X's daily caps
//! are often tighter than any configured window, and a fresh CI run that
//! only knew its own history would earn the 429 the previous run was
//! warned of. A reported limit is dropped once its reset has passed: from
//! then on it says nothing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use jiff::{SignedDuration, Timestamp};

use crate::api::{Limit, RateInfo};
use crate::config::{BudgetConfig, BudgetPreset, CONFIG_FILE, WindowConfig};
pub(crate) use crate::duration::parse_duration;
pub(crate) use crate::endpoint::Scope;
pub use crate::endpoint::{Endpoint, RequestKind};
use crate::problem::Problem;
use crate::state::{ReportedLimit, RequestLog};

/// X's reset times are whole Unix seconds and its clock is not ours: wait
/// this much past a reset before believing the window is fresh.
const RESET_MARGIN: SignedDuration = SignedDuration::from_secs(1);

/// A 429 without rate headers says "not now" but not until when: assume the
/// shortest window, or this when no window is configured.
const UNKNOWN_RESET: SignedDuration = SignedDuration::from_mins(15);

/// Why the budget holds a request back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hold {
    /// A window with a limit of 0.
    NoneAllowed(RequestKind),
    /// A configured window is full.
    WindowUsed(RequestKind, Window),
    /// X's headers said none remain; the header's name.
    XSaysNone(&'static str),
    /// X answered 429 without rate-limit headers: the shortest configured
    /// window is waited out.
    XRefusedUnsaid,
}

impl fmt::Display for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hold::NoneAllowed(kind) => write!(f, "the budget allows no {kind}s"),
            Hold::WindowUsed(kind, w) => write!(f, "the budget of {w} {kind}s is used"),
            Hold::XSaysNone(header) => write!(f, "X says none remain ({header}: 0)"),
            Hold::XRefusedUnsaid => {
                f.write_str("X answered 429 Too Many Requests without saying when its limit resets")
            }
        }
    }
}

/// At most `limit` requests in any `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub length: SignedDuration,
}

impl Window {
    pub const fn new(limit: u32, length: SignedDuration) -> Self {
        Window { limit, length }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {:#}", self.limit, self.length)
    }
}

const MIN_15: SignedDuration = SignedDuration::from_mins(15);
const HOURS_3: SignedDuration = SignedDuration::from_hours(3);
const HOURS_24: SignedDuration = SignedDuration::from_hours(24);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{CONFIG_FILE}: budget.{kind}s[{index}]: {message}")]
pub(crate) struct BudgetError {
    pub kind: RequestKind,
    pub index: usize,
    pub message: String,
}

impl From<BudgetError> for Problem {
    fn from(e: BudgetError) -> Problem {
        Problem::new(e.to_string()).with_help(
            "write each window as `{ limit: 100, window: 15m }`; durations look like `90s`, `15m`, `3h` or `24h`",
        )
    }
}

/// The rate budget of one account.
#[derive(Debug, Clone)]
pub struct Budget {
    creates: Lane,
    deletes: Lane,
    reads: Lane,
    uploads: Lane,
    /// What X's headers last said, per endpoint and scope.
    reported: BTreeMap<(Endpoint, Scope), Limit>,
    /// Endpoints whose window in `reported` is a guess made from a 429
    /// without headers, not X's word (so a message must not quote X).
    guessed: BTreeSet<Endpoint>,
}

/// One kind's windows and history.
#[derive(Debug, Clone, Default)]
struct Lane {
    windows: Vec<Window>,
    /// Times of requests sent, oldest first.
    history: VecDeque<Timestamp>,
}

impl Lane {
    fn of(windows: Vec<Window>) -> Lane {
        Lane {
            windows,
            ..Lane::default()
        }
    }
}

/// X's rate-limit table for the reads a run makes: `GET /2/users/me` allows
/// 75 per 15 minutes per user, the tightest of them (the timeline and
/// lookups allow 900). A run makes a handful.
pub(crate) fn default_reads() -> Vec<Window> {
    vec![Window::new(75, MIN_15)]
}

/// X's rate-limit table gives the one-request upload 500 per 15 minutes
/// per user and the chunked endpoints 1,875: one window of the tighter
/// number over every media request is safe for both, and only slows a run
/// that appends more than 500 segments (2 GB) in 15 minutes.
pub(crate) fn default_uploads() -> Vec<Window> {
    vec![Window::new(500, MIN_15)]
}

impl Budget {
    /// A budget with these windows for creates and deletes, the default
    /// ones for reads, and no history.
    pub fn new(creates: Vec<Window>, deletes: Vec<Window>) -> Self {
        Budget::with_reads(creates, deletes, default_reads())
    }

    /// A budget with these windows and no history.
    pub(crate) fn with_reads(
        creates: Vec<Window>,
        deletes: Vec<Window>,
        reads: Vec<Window>,
    ) -> Self {
        Budget {
            creates: Lane::of(creates),
            deletes: Lane::of(deletes),
            reads: Lane::of(reads),
            uploads: Lane::of(default_uploads()),
            reported: BTreeMap::new(),
            guessed: BTreeSet::new(),
        }
    }

    /// No limits at all (benchmarks of raw throughput, and X's headers still apply).
    pub fn unlimited() -> Self {
        let mut budget = Budget::with_reads(Vec::new(), Vec::new(), Vec::new());
        budget.uploads = Lane::default();
        budget
    }

    /// The windows of a preset.
    pub fn preset(preset: BudgetPreset) -> Self {
        let deletes = vec![Window::new(50, MIN_15)];
        let creates = match preset {
            BudgetPreset::Default => vec![Window::new(200, MIN_15), Window::new(300, HOURS_3)],
            BudgetPreset::Current => vec![Window::new(100, MIN_15)],
            BudgetPreset::Free => vec![Window::new(100, MIN_15), Window::new(17, HOURS_24)],
            BudgetPreset::Basic => vec![Window::new(100, MIN_15), Window::new(100, HOURS_24)],
        };
        Budget::new(creates, deletes)
    }

    /// The budget `tweetform.yaml` asks for; errors name the file and the value.
    /// Custom numbers without `reads` keep the default reads.
    pub(crate) fn from_config(config: &BudgetConfig) -> Result<Self, BudgetError> {
        match config {
            BudgetConfig::Preset(p) => Ok(Budget::preset(*p)),
            BudgetConfig::Custom(c) => {
                let mut budget = Budget::with_reads(
                    parse_windows(RequestKind::Create, &c.creates)?,
                    parse_windows(RequestKind::Delete, &c.deletes)?,
                    match &c.reads {
                        Some(reads) => parse_windows(RequestKind::Read, reads)?,
                        None => default_reads(),
                    },
                );
                if let Some(uploads) = &c.uploads {
                    budget.uploads = Lane::of(parse_windows(RequestKind::Upload, uploads)?);
                }
                Ok(budget)
            }
        }
    }

    pub fn windows(&self, kind: RequestKind) -> &[Window] {
        &self.lane(kind).windows
    }

    /// Replaces the history and X's last reports with what the state
    /// recorded, so that a fresh run knows what the previous ones used and
    /// were told. Reports this build does not know are skipped.
    pub fn seed(&mut self, log: &RequestLog, reported: &[ReportedLimit]) {
        for (kind, times) in [
            (RequestKind::Create, &log.creates),
            (RequestKind::Delete, &log.deletes),
            (RequestKind::Read, &log.reads),
            (RequestKind::Upload, &log.uploads),
        ] {
            let mut sorted = times.clone();
            sorted.sort();
            self.lane_mut(kind).history = sorted.into();
        }
        self.reported = reported
            .iter()
            .filter_map(|r| {
                let endpoint = Endpoint::from_name(&r.endpoint)?;
                let scope = Scope::ALL.into_iter().find(|s| s.prefix() == r.scope)?;
                let limit = Limit {
                    limit: r.limit,
                    remaining: r.remaining,
                    reset: r.reset,
                };
                Some(((endpoint, scope), limit))
            })
            .collect();
    }

    /// Counts a request to `endpoint` sent at `at`.
    pub fn record(&mut self, endpoint: Endpoint, at: Timestamp) {
        let lane = self.lane_mut(endpoint.kind());
        // Keep the history sorted even if the clock stepped back.
        let pos = lane.history.partition_point(|t| *t <= at);
        lane.history.insert(pos, at);
        for ((e, _), limit) in self.reported.iter_mut() {
            if *e == endpoint && at < limit.reset {
                limit.remaining = limit.remaining.saturating_sub(1);
            }
        }
    }

    /// Takes back what [`Budget::record`] counted for a request to
    /// `endpoint` at `at` that never reached X (no connection was made).
    pub(crate) fn unrecord(&mut self, endpoint: Endpoint, at: Timestamp) {
        let lane = self.lane_mut(endpoint.kind());
        if let Some(pos) = lane.history.iter().rposition(|t| *t == at) {
            lane.history.remove(pos);
        }
        for ((e, _), limit) in self.reported.iter_mut() {
            if *e == endpoint && at < limit.reset {
                limit.remaining = (limit.remaining + 1).min(limit.limit);
            }
        }
    }

    /// Learns X's live numbers from the rate headers of an answer from
    /// `endpoint`.
    pub(crate) fn learn(&mut self, endpoint: Endpoint, rate: &RateInfo) {
        if rate.window.is_some() {
            self.guessed.remove(&endpoint);
        }
        for scope in Scope::ALL {
            if let Some(limit) = scope.of(rate) {
                self.reported.insert((endpoint, scope), limit);
            }
        }
    }

    /// Learns from a 429: the window the headers show as spent is closed
    /// until its reset; without headers, for the shortest configured window.
    pub(crate) fn learn_refusal(&mut self, endpoint: Endpoint, rate: &RateInfo, now: Timestamp) {
        self.learn(endpoint, rate);
        let spent = self
            .reported_for(endpoint)
            .any(|(_, l)| l.remaining == 0 && l.reset > now);
        if !spent {
            // X refused without telling us which window: trust the refusal.
            let wait = self
                .lane(endpoint.kind())
                .windows
                .iter()
                .map(|w| w.length)
                .min()
                .unwrap_or(UNKNOWN_RESET);
            let reset = now.saturating_add(wait).unwrap_or(Timestamp::MAX);
            let limit = rate.window.map_or(0, |w| w.limit);
            self.reported.insert(
                (endpoint, Scope::Window),
                Limit {
                    limit,
                    remaining: 0,
                    reset,
                },
            );
            if rate.window.is_none() {
                self.guessed.insert(endpoint);
            }
        }
    }

    /// The earliest instant, not before `now`, at which a request to
    /// `endpoint` is expected to be accepted.
    pub fn earliest(&self, endpoint: Endpoint, now: Timestamp) -> Timestamp {
        self.earliest_why(endpoint, now).0
    }

    /// [`Budget::earliest`], and what holds the request back until then
    /// (nothing when it may go now).
    pub(crate) fn earliest_why(
        &self,
        endpoint: Endpoint,
        now: Timestamp,
    ) -> (Timestamp, Option<Hold>) {
        let kind = endpoint.kind();
        let lane = self.lane(kind);
        let mut t = now;
        let mut why = None;
        let mut later = |at: Timestamp, reason: Hold| {
            if at > t {
                t = at;
                why = Some(reason);
            }
        };
        let n = lane.history.len();
        for w in &lane.windows {
            let limit = w.limit as usize;
            if limit == 0 {
                later(Timestamp::MAX, Hold::NoneAllowed(kind));
            } else if n >= limit {
                // The window ending at `t` holds the requests in (t - length, t].
                // It has room once the limit-th most recent request has left it.
                let h = lane.history[n - limit];
                let at = h.saturating_add(w.length).unwrap_or(Timestamp::MAX);
                later(at, Hold::WindowUsed(kind, *w));
            }
        }
        for (scope, l) in self.reported_for(endpoint) {
            if l.remaining == 0 && l.reset > now.saturating_sub(RESET_MARGIN).unwrap_or(now) {
                let at = l
                    .reset
                    .saturating_add(RESET_MARGIN)
                    .unwrap_or(Timestamp::MAX);
                let why = if scope == Scope::Window && self.guessed.contains(&endpoint) {
                    Hold::XRefusedUnsaid
                } else {
                    Hold::XSaysNone(scope.remaining_header())
                };
                later(at, why);
            }
        }
        (t, why)
    }

    /// Drops history older than the longest window as of `now` (it no
    /// longer limits anything), and X's reports whose reset has passed.
    pub(crate) fn prune(&mut self, now: Timestamp) {
        for kind in [
            RequestKind::Create,
            RequestKind::Delete,
            RequestKind::Read,
            RequestKind::Upload,
        ] {
            let lane = self.lane_mut(kind);
            let Some(longest) = lane.windows.iter().map(|w| w.length).max() else {
                lane.history.clear();
                continue;
            };
            let cutoff = now.saturating_sub(longest).unwrap_or(Timestamp::MIN);
            while lane.history.front().is_some_and(|t| *t <= cutoff) {
                lane.history.pop_front();
            }
        }
        self.reported.retain(|_, l| {
            l.reset
                .saturating_add(RESET_MARGIN)
                .unwrap_or(Timestamp::MAX)
                > now
        });
    }

    /// The history to keep in the state (call [`Budget::prune`] first).
    pub fn log(&self) -> RequestLog {
        let times = |lane: &Lane| lane.history.iter().copied().collect();
        RequestLog {
            creates: times(&self.creates),
            deletes: times(&self.deletes),
            reads: times(&self.reads),
            uploads: times(&self.uploads),
        }
    }

    /// X's reports to keep in the state (call [`Budget::prune`] first).
    pub(crate) fn reported(&self) -> Vec<ReportedLimit> {
        self.reported
            .iter()
            .map(|((endpoint, scope), l)| ReportedLimit {
                endpoint: endpoint.name().to_owned(),
                scope: scope.prefix().to_owned(),
                limit: l.limit,
                remaining: l.remaining,
                reset: l.reset,
            })
            .collect()
    }

    fn reported_for(&self, endpoint: Endpoint) -> impl Iterator<Item = (Scope, &Limit)> {
        self.reported
            .iter()
            .filter(move |((e, _), _)| *e == endpoint)
            .map(|((_, s), l)| (*s, l))
    }

    fn lane(&self, kind: RequestKind) -> &Lane {
        match kind {
            RequestKind::Create => &self.creates,
            RequestKind::Delete => &self.deletes,
            RequestKind::Read => &self.reads,
            RequestKind::Upload => &self.uploads,
        }
    }

    fn lane_mut(&mut self, kind: RequestKind) -> &mut Lane {
        match kind {
            RequestKind::Create => &mut self.creates,
            RequestKind::Delete => &mut self.deletes,
            RequestKind::Read => &mut self.reads,
            RequestKind::Upload => &mut self.uploads,
        }
    }
}

fn parse_windows(kind: RequestKind, windows: &[WindowConfig]) -> Result<Vec<Window>, BudgetError> {
    windows
        .iter()
        .enumerate()
        .map(|(index, w)| {
            let err = |message: String| BudgetError {
                kind,
                index,
                message,
            };
            let length = parse_duration(&w.window).map_err(|e| {
                err(format!(
                    "`window: {}` is not a duration ({e})",
                    w.window.trim()
                ))
            })?;
            if !length.is_positive() {
                return Err(err(format!(
                    "`window: {}` must be longer than zero",
                    w.window.trim()
                )));
            }
            if w.limit == 0 {
                return Err(err(
                    "`limit: 0` would never allow a request; remove the window or set a limit of 1 or more"
                        .into(),
                ));
            }
            Ok(Window::new(w.limit, length))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CustomBudget;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn t0() -> Timestamp {
        ts("2026-01-01T00:00:00Z")
    }

    fn plus(t: Timestamp, secs: i64) -> Timestamp {
        t + SignedDuration::from_secs(secs)
    }

    #[test]
    fn presets_have_the_documented_windows() {
        let d = Budget::preset(BudgetPreset::Default);
        assert_eq!(
            d.windows(RequestKind::Create),
            &[Window::new(200, MIN_15), Window::new(300, HOURS_3)]
        );
        assert_eq!(d.windows(RequestKind::Delete), &[Window::new(50, MIN_15)]);
        let free = Budget::preset(BudgetPreset::Free);
        assert!(
            free.windows(RequestKind::Create)
                .contains(&Window::new(17, HOURS_24))
        );
        let basic = Budget::preset(BudgetPreset::Basic);
        assert!(
            basic
                .windows(RequestKind::Create)
                .contains(&Window::new(100, HOURS_24))
        );
        let current = Budget::preset(BudgetPreset::Current);
        assert_eq!(
            current.windows(RequestKind::Create),
            &[Window::new(100, MIN_15)]
        );
    }

    #[test]
    fn custom_windows_parse_friendly_durations() {
        let c = BudgetConfig::Custom(CustomBudget {
            creates: vec![
                WindowConfig {
                    limit: 10,
                    window: "15m".into(),
                },
                WindowConfig {
                    limit: 20,
                    window: "1h 30m".into(),
                },
            ],
            deletes: vec![WindowConfig {
                limit: 5,
                window: "24h".into(),
            }],
            reads: None,
            uploads: None,
            spend: None,
        });
        let b = Budget::from_config(&c).unwrap();
        assert_eq!(
            b.windows(RequestKind::Create),
            &[
                Window::new(10, MIN_15),
                Window::new(20, SignedDuration::from_mins(90))
            ]
        );
        assert_eq!(b.windows(RequestKind::Delete), &[Window::new(5, HOURS_24)]);
    }

    #[test]
    fn bad_custom_window_names_the_file_and_the_value() {
        let c = BudgetConfig::Custom(CustomBudget {
            creates: vec![],
            deletes: vec![
                WindowConfig {
                    limit: 5,
                    window: "15m".into(),
                },
                WindowConfig {
                    limit: 5,
                    window: "fortnight".into(),
                },
            ],
            reads: None,
            uploads: None,
            spend: None,
        });
        let err = Budget::from_config(&c).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("tweetform.yaml: budget.deletes[1]: `window: fortnight`"));
        assert!(Problem::from(err).help().unwrap().contains("limit: 100"));
        let zero = BudgetConfig::Custom(CustomBudget {
            creates: vec![WindowConfig {
                limit: 0,
                window: "15m".into(),
            }],
            deletes: vec![],
            reads: None,
            uploads: None,
            spend: None,
        });
        assert!(
            Budget::from_config(&zero)
                .unwrap_err()
                .to_string()
                .contains("limit: 0")
        );
    }

    #[test]
    fn sliding_window_frees_a_slot_when_the_oldest_request_leaves() {
        let mut b = Budget::new(vec![Window::new(3, MIN_15)], vec![]);
        let now = t0();
        for i in 0..3 {
            assert_eq!(
                b.earliest(Endpoint::CreateTweet, plus(now, i)),
                plus(now, i)
            );
            b.record(Endpoint::CreateTweet, plus(now, i));
        }
        // The 4th waits until the 1st is 15 minutes old.
        assert_eq!(
            b.earliest(Endpoint::CreateTweet, plus(now, 3)),
            plus(now, 900)
        );
        // Deletes are a separate lane.
        assert_eq!(b.earliest(Endpoint::DeleteTweet, now), now);
    }

    #[test]
    fn every_window_must_have_room() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        for _ in 0..200 {
            b.record(Endpoint::CreateTweet, now);
        }
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), plus(now, 900));
        let later = plus(now, 900);
        for _ in 0..100 {
            b.record(Endpoint::CreateTweet, later);
        }
        // 300 in 3 hours: the next one waits for the first 200 to age out.
        assert_eq!(
            b.earliest(Endpoint::CreateTweet, later),
            plus(now, 3 * 3600)
        );
    }

    #[test]
    fn a_request_that_never_left_is_taken_back() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        b.record(Endpoint::CreateTweet, now);
        b.record(Endpoint::CreateTweet, plus(now, 1));
        b.unrecord(Endpoint::CreateTweet, plus(now, 1));
        assert_eq!(b.log().creates, vec![now]);
        // Nothing recorded at that time: nothing changes.
        b.unrecord(Endpoint::CreateTweet, plus(now, 5));
        assert_eq!(b.log().creates, vec![now]);
    }

    #[test]
    fn seeded_history_carries_over_and_prune_keeps_what_still_counts() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        let log = RequestLog {
            creates: (0..300).rev().map(|i| plus(now, -i)).collect(),
            deletes: vec![plus(now, -4 * 3600)],
            reads: vec![],
            uploads: vec![],
        };
        b.seed(&log, &[]);
        assert_eq!(
            b.earliest(Endpoint::CreateTweet, now),
            plus(now, 3 * 3600 - 299)
        );
        b.prune(plus(now, 3600));
        let kept = b.log();
        assert_eq!(kept.creates.len(), 300);
        assert!(
            kept.deletes.is_empty(),
            "older than the 15 min delete window"
        );
        b.prune(plus(now, 3 * 3600 - 100));
        assert_eq!(b.log().creates.len(), 100);
    }

    #[test]
    fn headers_close_the_window_until_reset() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        let reset = plus(now, 600);
        b.learn(
            Endpoint::CreateTweet,
            &RateInfo {
                window: Some(Limit {
                    limit: 100,
                    remaining: 2,
                    reset,
                }),
                user_24h: None,
                app_24h: None,
            },
        );
        b.record(Endpoint::CreateTweet, now);
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), now);
        b.record(Endpoint::CreateTweet, now);
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), plus(reset, 1));
        // Once past the reset, the old numbers no longer bind.
        assert_eq!(
            b.earliest(Endpoint::CreateTweet, plus(now, 700)),
            plus(now, 700)
        );
    }

    #[test]
    fn the_binding_limit_is_named() {
        let mut b = Budget::new(vec![Window::new(1, MIN_15)], vec![]);
        let now = t0();
        b.record(Endpoint::CreateTweet, now);
        let (at, why) = b.earliest_why(Endpoint::CreateTweet, now);
        assert_eq!(at, plus(now, 900));
        assert_eq!(
            why.unwrap().to_string(),
            "the budget of 1 per 15m creates is used"
        );
        b.learn_refusal(
            Endpoint::CreateTweet,
            &RateInfo {
                window: None,
                user_24h: Some(Limit {
                    limit: 17,
                    remaining: 0,
                    reset: plus(now, 3600),
                }),
                app_24h: None,
            },
            now,
        );
        let (at, why) = b.earliest_why(Endpoint::CreateTweet, now);
        assert_eq!(at, plus(now, 3601));
        assert_eq!(
            why.unwrap().to_string(),
            "X says none remain (x-user-limit-24hour-remaining: 0)"
        );
    }

    #[test]
    fn daily_cap_header_blocks_until_its_reset() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        let reset = plus(now, 20 * 3600);
        b.learn(
            Endpoint::CreateTweet,
            &RateInfo {
                window: None,
                user_24h: Some(Limit {
                    limit: 17,
                    remaining: 0,
                    reset,
                }),
                app_24h: None,
            },
        );
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), plus(reset, 1));
    }

    #[test]
    fn refusal_without_headers_waits_the_shortest_window() {
        let mut b = Budget::preset(BudgetPreset::Default);
        let now = t0();
        b.learn_refusal(Endpoint::DeleteTweet, &RateInfo::default(), now);
        assert_eq!(b.earliest(Endpoint::DeleteTweet, now), plus(now, 901));
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), now);
        // X said nothing about its limit: the reason must not claim it did.
        let (_, why) = b.earliest_why(Endpoint::DeleteTweet, now);
        let why = why.unwrap().to_string();
        assert!(!why.contains("remaining: 0"), "{why}");
        assert!(why.contains("429"), "{why}");
    }

    #[test]
    fn durations_for_wait() {
        assert_eq!(parse_duration("0"), Ok(SignedDuration::ZERO));
        assert_eq!(parse_duration("90s"), Ok(SignedDuration::from_secs(90)));
        assert_eq!(parse_duration("3h"), Ok(SignedDuration::from_hours(3)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn reports_round_trip_through_the_state_per_endpoint_and_are_pruned_after_reset() {
        let now = t0();
        let mut b = Budget::preset(BudgetPreset::Default);
        let spent = |reset| Limit {
            limit: 10,
            remaining: 0,
            reset,
        };
        b.learn(
            Endpoint::CreateTweet,
            &RateInfo {
                window: None,
                user_24h: None,
                app_24h: Some(spent(plus(now, 3600))),
            },
        );
        b.learn(
            Endpoint::UserTweets,
            &RateInfo {
                window: Some(spent(plus(now, 600))),
                user_24h: None,
                app_24h: None,
            },
        );
        let saved = b.reported();
        assert_eq!(saved.len(), 2);
        assert_eq!(saved[0].endpoint, "POST /2/tweets");
        assert_eq!(saved[0].scope, "x-app-limit-24hour");

        let mut fresh = Budget::preset(BudgetPreset::Default);
        let unknown = ReportedLimit {
            endpoint: "GET /2/spaces".into(),
            ..saved[0].clone()
        };
        fresh.seed(
            &RequestLog::default(),
            &[saved.clone(), vec![unknown]].concat(),
        );
        let (at, why) = fresh.earliest_why(Endpoint::CreateTweet, now);
        assert_eq!(at, plus(now, 3601));
        assert_eq!(
            why.unwrap().to_string(),
            "X says none remain (x-app-limit-24hour-remaining: 0)"
        );
        // Reads: only the endpoint X reported on is held.
        assert_eq!(fresh.earliest(Endpoint::UserTweets, now), plus(now, 601));
        assert_eq!(fresh.earliest(Endpoint::Me, now), now);
        assert_eq!(fresh.earliest(Endpoint::DeleteTweet, now), now);

        fresh.prune(plus(now, 700));
        assert_eq!(fresh.reported().len(), 1, "the timeline's reset has passed");
        fresh.prune(plus(now, 3700));
        assert!(fresh.reported().is_empty());
    }

    #[test]
    fn reads_have_their_own_windows() {
        let mut b = Budget::preset(BudgetPreset::Free);
        assert_eq!(b.windows(RequestKind::Read), &default_reads()[..]);
        let now = t0();
        for _ in 0..75 {
            b.record(Endpoint::Me, now);
        }
        let (at, why) = b.earliest_why(Endpoint::UserTweets, now);
        assert_eq!(at, plus(now, 900));
        assert_eq!(
            why.unwrap().to_string(),
            "the budget of 75 per 15m reads is used"
        );
        assert_eq!(b.earliest(Endpoint::CreateTweet, now), now);
        assert_eq!(b.log().reads.len(), 75);

        let custom = BudgetConfig::Custom(CustomBudget {
            creates: vec![],
            deletes: vec![],
            reads: Some(vec![WindowConfig {
                limit: 5,
                window: "1h".into(),
            }]),
            uploads: None,
            spend: None,
        });
        let b = Budget::from_config(&custom).unwrap();
        assert_eq!(
            b.windows(RequestKind::Read),
            &[Window::new(5, SignedDuration::from_hours(1))]
        );
        let bad = BudgetConfig::Custom(CustomBudget {
            creates: vec![],
            deletes: vec![],
            reads: Some(vec![WindowConfig {
                limit: 5,
                window: "later".into(),
            }]),
            uploads: None,
            spend: None,
        });
        let msg = Budget::from_config(&bad).unwrap_err().to_string();
        assert!(msg.starts_with("tweetform.yaml: budget.reads[0]:"), "{msg}");
    }

    #[test]
    fn media_requests_have_their_own_windows() {
        let mut b = Budget::preset(BudgetPreset::Default);
        assert_eq!(b.windows(RequestKind::Upload), &[Window::new(500, MIN_15)]);
        let now = t0();
        for i in 0..500 {
            b.record(Endpoint::MediaAppend, plus(now, i / 100));
        }
        assert_eq!(
            b.earliest(Endpoint::MediaUpload, plus(now, 10)),
            plus(now, 900)
        );
        assert_eq!(
            b.earliest(Endpoint::CreateTweet, now),
            now,
            "apart from creates"
        );
        assert_eq!(b.log().uploads.len(), 500);

        let custom = BudgetConfig::Custom(CustomBudget {
            creates: vec![],
            deletes: vec![],
            reads: None,
            uploads: Some(vec![WindowConfig {
                limit: 20,
                window: "1m".into(),
            }]),
            spend: None,
        });
        let b = Budget::from_config(&custom).unwrap();
        assert_eq!(
            b.windows(RequestKind::Upload),
            &[Window::new(20, SignedDuration::from_mins(1))]
        );
        assert_eq!(b.windows(RequestKind::Read), default_reads());
    }
}
