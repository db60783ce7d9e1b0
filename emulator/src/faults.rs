//! Planned misbehaviour: what X does on a bad day, on demand. Server errors
//! before a request is handled, a connection dropped after a tweet was
//! stored (the case that makes a retry publish twice), slow answers, and
//! a timeline that lags behind lookups by ID, a text X refuses for good.
//! Tests of the client and the
//! executor set these up; `tweetform emulator` exposes some as flags.

use std::time::Duration;

use jiff::Timestamp;

use crate::fake::{Endpoint, FakeX};

/// Planned misbehaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next N successful creates are stored, then the connection is
    /// closed without an answer.
    pub drop_after_commit: u32,
    /// Answer the next requests with a server error instead of handling
    /// them, first matching rule first.
    pub failures: Vec<Failure>,
    /// Answer every request this late (after it took effect).
    pub delay: Option<Duration>,
    /// A new tweet shows in the user's timeline only this long after it
    /// was created (X's timelines lag behind; lookups by ID do not).
    pub timeline_lag: Option<Duration>,
    /// Creates of these texts are refused, every time (X's policy on one
    /// tweet: a 400 or a 403 that no retry changes).
    pub rejections: Vec<Rejection>,
}

/// Refuse a create whose text is `text` with `status` and X's `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub text: String,
    pub status: u16,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `None`: any endpoint.
    pub endpoint: Option<Endpoint>,
    pub status: u16,
    pub remaining: u32,
}

impl Faults {
    /// The status to fail a request to `endpoint` with, if one is planned;
    /// uses it up.
    pub(crate) fn next_failure(&mut self, endpoint: Endpoint) -> Option<u16> {
        let f = self
            .failures
            .iter_mut()
            .find(|f| f.remaining > 0 && f.endpoint.is_none_or(|e| e == endpoint))?;
        f.remaining -= 1;
        let status = f.status;
        self.failures.retain(|f| f.remaining > 0);
        Some(status)
    }

    /// Whether to drop the connection after storing this create; uses one
    /// up.
    pub(crate) fn drop_this_create(&mut self) -> bool {
        if self.drop_after_commit == 0 {
            return false;
        }
        self.drop_after_commit -= 1;
        true
    }

    /// The refusal planned for a create of `text`, if any.
    pub(crate) fn rejection(&self, text: &str) -> Option<&Rejection> {
        self.rejections.iter().find(|r| r.text == text)
    }

    /// Tweets created after this instant are not in the timeline yet.
    pub(crate) fn timeline_visible_before(&self, now: Timestamp) -> Timestamp {
        self.timeline_lag
            .and_then(|lag| now.checked_sub(lag).ok())
            .unwrap_or(Timestamp::MAX)
    }
}

impl FakeX {
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// Store the next `n` successful creates, then close the connection
    /// without answering.
    pub fn drop_after_commit(&mut self, n: u32) {
        self.faults.drop_after_commit = n;
    }

    /// Answer the next `n` requests (any endpoint) with `status` (a 5xx).
    pub fn fail_next(&mut self, n: u32, status: u16) {
        self.faults.failures.push(Failure {
            endpoint: None,
            status,
            remaining: n,
        });
    }

    /// Answer the next `n` requests to `endpoint` with `status`.
    pub fn fail_next_on(&mut self, endpoint: Endpoint, n: u32, status: u16) {
        self.faults.failures.push(Failure {
            endpoint: Some(endpoint),
            status,
            remaining: n,
        });
    }

    /// Answer every request `delay` late; `None` to stop.
    pub fn set_delay(&mut self, delay: Option<Duration>) {
        self.faults.delay = delay;
    }

    /// Refuse every create of `text` with `status` and `detail`.
    pub fn reject_text(&mut self, text: &str, status: u16, detail: &str) {
        self.faults.rejections.push(Rejection {
            text: text.to_owned(),
            status,
            detail: detail.to_owned(),
        });
    }

    /// Hide tweets younger than `lag` from the timeline; `None` to stop.
    pub fn set_timeline_lag(&mut self, lag: Option<Duration>) {
        self.faults.timeline_lag = lag;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_used_up_in_order() {
        let mut f = Faults::default();
        f.failures.push(Failure {
            endpoint: Some(Endpoint::DeleteTweet),
            status: 502,
            remaining: 1,
        });
        f.failures.push(Failure {
            endpoint: None,
            status: 503,
            remaining: 2,
        });
        assert_eq!(f.next_failure(Endpoint::Me), Some(503));
        assert_eq!(f.next_failure(Endpoint::DeleteTweet), Some(502));
        assert_eq!(f.next_failure(Endpoint::DeleteTweet), Some(503));
        assert_eq!(f.next_failure(Endpoint::DeleteTweet), None);
        assert!(f.failures.is_empty());
    }

    #[test]
    fn a_rejected_text_is_refused_every_time_with_its_status_and_detail() {
        use crate::fake::test_support::post;
        let clock = crate::clock::Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let mut f = FakeX::with_defaults(clock);
        f.reject_text("spam?", 400, "This post breaks the rules.");
        for _ in 0..2 {
            let a = post(&mut f, r#"{"text":"spam?"}"#);
            assert_eq!(a.status, 400);
            assert_eq!(a.body["detail"], "This post breaks the rules.");
            assert_eq!(a.body["title"], "Bad Request");
        }
        assert_eq!(post(&mut f, r#"{"text":"fine"}"#).status, 201);
        assert_eq!(f.live_tweets().len(), 1);
    }

    #[test]
    fn a_lag_beyond_the_epoch_hides_nothing_it_cannot_compute() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let f = Faults {
            timeline_lag: Some(Duration::from_secs(60)),
            ..Faults::default()
        };
        assert_eq!(
            f.timeline_visible_before(now),
            "2025-12-31T23:59:00Z".parse().unwrap()
        );
        let huge = Faults {
            timeline_lag: Some(Duration::MAX),
            ..Faults::default()
        };
        assert_eq!(huge.timeline_visible_before(now), Timestamp::MAX);
    }
}
