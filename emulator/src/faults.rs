//! Planned misbehaviour: what X does on a bad day, on demand. Server errors
//! before a request is handled, a connection dropped after a tweet was
//! stored (the case that makes a retry publish twice), slow answers, and
//! a timeline that lags behind lookups by ID, a text X refuses for good,
//! a connection dropped after any endpoint took effect, a video whose
//! processing fails.
//! Tests of the client and the
//! executor set these up (through `FakeX`'s setters, which live with the
//! state they change); `tweetform emulator` exposes some as flags.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::route::Endpoint;

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
    /// How far X's clock is from the fake's own (the client's, in tests):
    /// positive when X is ahead. `created_at`, rate resets and the `date`
    /// header are all on X's clock.
    pub skew: SignedDuration,
    /// Creates with these exact texts are refused, every time.
    pub rejections: Vec<Rejection>,
    /// The next successful requests to an endpoint take effect, then the
    /// connection is closed without an answer (`status` unused).
    pub drops: Vec<Failure>,
    /// The next N GIFs or videos finalized end their processing `failed`.
    pub failing_processings: u32,
}

/// A text X refuses, with the status and `detail` of its problem body.
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

    /// Whether to drop the connection after a successful request to
    /// `endpoint`; uses one up.
    pub(crate) fn drop_this(&mut self, endpoint: Endpoint) -> bool {
        let Some(d) = self
            .drops
            .iter_mut()
            .find(|d| d.remaining > 0 && d.endpoint.is_none_or(|e| e == endpoint))
        else {
            return false;
        };
        d.remaining -= 1;
        self.drops.retain(|d| d.remaining > 0);
        true
    }

    /// Whether the processing starting now is to fail; uses one up.
    pub(crate) fn fail_this_processing(&mut self) -> bool {
        if self.failing_processings == 0 {
            return false;
        }
        self.failing_processings -= 1;
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
        let mut f = crate::fake::FakeX::with_defaults(clock);
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
