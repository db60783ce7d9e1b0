//! How an apply behaves: the options the CLI sets (`--wait`,
//! `--allow-destroy`, the prices and spend window, edits) and the retry and
//! recovery tunings the tests shorten. Apart from the run ([`super`]) so
//! that the run reads as what it does, not as what it may be told.

use std::time::Duration;

/// How an apply behaves; the defaults are the CLI's.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The longest the apply may wait, from its start, for the budget or a
    /// 429's reset. Work that cannot start by then is deferred.
    pub wait: Duration,
    /// Run deletes and replaces; without it they are held, and everything
    /// else runs.
    pub allow_destroy: bool,
    /// Attempts per request for network errors and 5xx.
    pub max_attempts: u32,
    /// First backoff after a failed attempt; doubles each time, with jitter.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// 429s tolerated for one request before it is deferred.
    pub max_rate_limited: u32,
    /// Clock difference allowed between us and X when looking for a tweet
    /// an interrupted run may have published, if X sends no `date` header
    /// to measure it from.
    pub settle_skew: Duration,
    /// X's timelines lag behind its writes. After X refused a text as a
    /// duplicate of a tweet we may have sent, keep looking this long for it
    /// to appear before leaving the question to the next run.
    pub settle_patience: Duration,
    /// An intent older than this that X's timeline does not show was never
    /// sent (no timeline lags this much) and is forgotten; a younger one is
    /// kept, and its create is sent again under it (X's duplicate answer
    /// then tells that it had been published).
    pub settle_horizon: Duration,
    /// The longest to wait for X to process a GIF or video before its post
    /// is deferred to the next run (which checks the same upload again).
    pub processing_wait: Duration,
    /// X's prices: what the spend window counts and the report says was spent.
    pub prices: crate::cost::Prices,
    /// The budget's spend window, if it has one.
    pub spend: Option<crate::spend::SpendWindow>,
    /// Whether changed tweets may be edited in place: `apply` plans with it.
    pub edits: crate::plan::Edits,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            wait: Duration::ZERO,
            allow_destroy: false,
            max_attempts: 5,
            retry_base: Duration::from_millis(500),
            retry_max: Duration::from_secs(30),
            max_rate_limited: 5,
            settle_skew: Duration::from_secs(60),
            settle_patience: Duration::from_secs(180),
            settle_horizon: Duration::from_secs(600),
            processing_wait: Duration::from_secs(600),
            prices: crate::cost::Prices::default(),
            spend: None,
            edits: crate::plan::Edits::default(),
        }
    }
}
