//! The spend window: at most so many dollars in any interval of a given
//! length (`budget: { spend: { limit: 5.00, window: 24h } }`).
//!
//! A team on pay-per-use access pays X per post, and a post with a link
//! costs $0.20: a merge of a hundred posts with links is a $20 bill. The
//! spend window holds back what would exceed the team's limit the way a
//! rate window holds back what X would refuse: the request is deferred to
//! the run after the oldest payments leave the window. It is sliding for
//! the reason the rate windows are (see [`crate::budget`]); the payments
//! are kept in the state (`spend`), so that a fresh CI run knows what the
//! previous ones spent.

use std::collections::VecDeque;
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::{BudgetConfig, CONFIG_FILE};
use crate::cost::Usd;
use crate::problem::Problem;

/// At most `limit` spent in any `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendWindow {
    pub limit: Usd,
    pub length: SignedDuration,
}

impl fmt::Display for SpendWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {:#}", self.limit, self.length)
    }
}

pub use crate::config::SpendConfig;

impl SpendWindow {
    /// The spend window `tweetform.yaml`'s budget asks for, if any.
    pub(crate) fn from_config(config: &BudgetConfig) -> Result<Option<SpendWindow>, Problem> {
        let BudgetConfig::Custom(custom) = config else {
            return Ok(None);
        };
        let Some(spend) = &custom.spend else {
            return Ok(None);
        };
        let length = crate::duration::parse_duration(&spend.window).map_err(|message| {
            Problem::new(format!("{CONFIG_FILE}: budget.spend.window: {message}"))
                .with_help("write the spend window as `{ limit: 5.00, window: 24h }`")
        })?;
        Ok(Some(SpendWindow {
            limit: spend.limit,
            length,
        }))
    }
}

/// One request X charges for, as the state keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub at: Timestamp,
    pub usd: Usd,
}

/// The spend window and what was paid within it, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpendLane {
    window: Option<SpendWindow>,
    history: VecDeque<Payment>,
}

impl SpendLane {
    pub(crate) fn new(window: Option<SpendWindow>) -> SpendLane {
        SpendLane {
            window,
            history: VecDeque::new(),
        }
    }

    pub(crate) fn window(&self) -> Option<SpendWindow> {
        self.window
    }

    /// Takes what earlier runs paid, from the state.
    pub(crate) fn seed(&mut self, payments: &[Payment]) {
        let mut sorted = payments.to_vec();
        sorted.sort_by_key(|p| p.at);
        self.history = sorted.into();
    }

    /// Counts a payment of `usd` at `at` (nothing for a free request).
    pub(crate) fn record(&mut self, at: Timestamp, usd: Usd) {
        if usd == Usd(0) {
            return;
        }
        let pos = self.history.partition_point(|p| p.at <= at);
        self.history.insert(pos, Payment { at, usd });
    }

    /// The earliest instant, not before `now`, at which paying `usd` keeps
    /// every interval of the window within its limit; `Timestamp::MAX`
    /// when `usd` alone exceeds it.
    pub(crate) fn earliest(&self, usd: Usd, now: Timestamp) -> Timestamp {
        let Some(w) = self.window else {
            return now;
        };
        if usd == Usd(0) {
            return now;
        }
        if usd > w.limit {
            return Timestamp::MAX;
        }
        // The window ending at `t` holds the payments in (t - length, t].
        let start = now.saturating_sub(w.length).unwrap_or(Timestamp::MIN);
        let inside: Vec<&Payment> = self.history.iter().filter(|p| p.at > start).collect();
        let mut spent: Usd = inside.iter().map(|p| p.usd).sum();
        let mut t = now;
        for p in inside {
            if spent + usd <= w.limit {
                break;
            }
            spent = Usd(spent.0 - p.usd.0);
            t = p.at.saturating_add(w.length).unwrap_or(Timestamp::MAX);
        }
        t
    }

    /// Drops what no longer counts as of `now`; everything when there is
    /// no window.
    pub(crate) fn prune(&mut self, now: Timestamp) {
        let Some(w) = self.window else {
            self.history.clear();
            return;
        };
        let cutoff = now.saturating_sub(w.length).unwrap_or(Timestamp::MIN);
        while self.history.front().is_some_and(|p| p.at <= cutoff) {
            self.history.pop_front();
        }
    }

    /// The payments to keep in the state (call [`SpendLane::prune`] first).
    pub(crate) fn log(&self) -> Vec<Payment> {
        self.history.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    fn lane(limit: u64, hours: i64) -> SpendLane {
        SpendLane::new(Some(SpendWindow {
            limit: Usd(limit),
            length: SignedDuration::from_hours(hours),
        }))
    }

    #[test]
    fn what_fits_goes_now_and_what_does_not_waits_for_the_oldest_payments() {
        let mut l = lane(500_000, 24);
        l.record(t(0), Usd(200_000));
        l.record(t(60), Usd(200_000));
        assert_eq!(l.earliest(Usd(15_000), t(120)), t(120));
        // $0.40 spent: another $0.20 exceeds $0.50 until the first leaves.
        assert_eq!(l.earliest(Usd(200_000), t(120)), t(86_400));
        l.record(t(120), Usd(100_000));
        // $0.50 spent: $0.30 needs the first two gone.
        assert_eq!(l.earliest(Usd(300_000), t(180)), t(86_460));
    }

    #[test]
    fn more_than_the_limit_alone_never_goes_and_free_requests_always_do() {
        let l = lane(100_000, 1);
        assert_eq!(l.earliest(Usd(200_000), t(0)), Timestamp::MAX);
        let mut full = lane(100_000, 1);
        full.record(t(0), Usd(100_000));
        assert_eq!(full.earliest(Usd(0), t(1)), t(1));
        assert_eq!(SpendLane::new(None).earliest(Usd(9_000_000), t(1)), t(1));
    }

    #[test]
    fn payments_carry_over_through_the_state_and_are_pruned_after_the_window() {
        let mut l = lane(1_000_000, 1);
        l.record(t(0), Usd(10_000));
        l.record(t(3_000), Usd(20_000));
        l.prune(t(3_700));
        assert_eq!(
            l.log(),
            [Payment {
                at: t(3_000),
                usd: Usd(20_000)
            }]
        );
        let mut next = lane(1_000_000, 1);
        next.seed(&l.log());
        assert_eq!(next.log(), l.log());
        let mut none = SpendLane::new(None);
        none.seed(&l.log());
        none.prune(t(3_700));
        assert!(none.log().is_empty());
    }

    #[test]
    fn the_window_is_read_from_a_custom_budget() {
        let config: crate::config::Config = serde_saphyr::from_str(
            "budget:\n  creates: [{ limit: 100, window: 15m }]\n  spend: { limit: 5.00, window: 24h }\n",
        )
        .unwrap();
        let w = SpendWindow::from_config(&config.budget()).unwrap().unwrap();
        assert_eq!(w.limit, Usd(5_000_000));
        assert_eq!(w.length, SignedDuration::from_hours(24));
        assert_eq!(w.to_string(), "$5.00 per 24h");
        let bad: crate::config::Config =
            serde_saphyr::from_str("budget:\n  spend: { limit: 5, window: soon }\n").unwrap();
        let e = SpendWindow::from_config(&bad.budget()).unwrap_err();
        assert!(e.to_string().contains("budget.spend.window"), "{e}");
        assert_eq!(
            SpendWindow::from_config(&crate::config::BudgetConfig::default()).unwrap(),
            None
        );
    }
}
