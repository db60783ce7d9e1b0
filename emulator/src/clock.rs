//! The fake's own wall clock, so that it shares no code with the client it
//! checks.
//!
//! Wall time is a base instant plus the time tokio's monotonic clock has
//! advanced since. Tests run under `#[tokio::test(start_paused = true)]`,
//! where tokio's clock jumps over every sleep: 15-minute, 3-hour and 24-hour
//! windows pass in milliseconds while `x-rate-limit-reset` stays coherent.

use std::time::Duration;

use jiff::Timestamp;

#[derive(Debug, Clone)]
pub struct Clock {
    base: Timestamp,
    start: tokio::time::Instant,
}

impl Clock {
    /// The real clock. Must be called inside a tokio runtime.
    pub fn system() -> Self {
        Self::starting_at(Timestamp::now())
    }

    /// A clock that reads `base` now and advances with tokio's clock.
    pub fn starting_at(base: Timestamp) -> Self {
        Clock::from_origin(base, tokio::time::Instant::now())
    }

    /// A clock that read `base` at tokio's instant `start`: the way to
    /// follow another clock built the same way, to the nanosecond.
    pub fn from_origin(base: Timestamp, start: tokio::time::Instant) -> Self {
        Clock { base, start }
    }

    pub fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.start);
        self.base.saturating_add(elapsed).unwrap_or(Timestamp::MAX)
    }

    pub async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await
    }

    pub async fn sleep_until(&self, t: Timestamp) {
        let d = t.duration_since(self.now());
        if d.is_positive() {
            self.sleep(d.unsigned_abs()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn follows_tokios_paused_clock() {
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let real = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3 * 3600)).await;
        assert_eq!(clock.now(), "2026-01-01T03:00:00Z".parse().unwrap());
        clock
            .sleep_until("2026-01-02T00:00:00Z".parse().unwrap())
            .await;
        assert_eq!(clock.now(), "2026-01-02T00:00:00Z".parse().unwrap());
        assert!(real.elapsed() < Duration::from_secs(5));
    }
}
