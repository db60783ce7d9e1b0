//! Time as the budget and the executor see it.
//!
//! Wall-clock instants are derived from tokio's monotonic clock plus the wall
//! time at start. In production the two advance together; in tests under
//! `#[tokio::test(start_paused = true)]` tokio's clock jumps over every sleep,
//! so 15-minute, 3-hour and 24-hour windows run in milliseconds while the
//! code under test still reads coherent wall-clock times (which X's
//! `x-rate-limit-reset` headers need).

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

    /// A clock that reads `base` now and advances with tokio's clock (which
    /// tests pause).
    pub fn starting_at(base: Timestamp) -> Self {
        Clock {
            base,
            start: tokio::time::Instant::now(),
        }
    }

    /// The wall time this clock read at tokio's instant `start`: what a
    /// clock of another crate needs to follow this one exactly.
    #[cfg(any(test, feature = "emulator"))]
    pub(crate) fn origin(&self) -> (Timestamp, tokio::time::Instant) {
        (self.base, self.start)
    }

    pub fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().duration_since(self.start);
        // Adding a std Duration cannot fail; saturate rather than panic anyway.
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
    async fn paused_clock_jumps_over_long_sleeps() {
        let base: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(base);
        let real = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3 * 3600)).await;
        assert_eq!(clock.now(), "2026-01-01T03:00:00Z".parse().unwrap());
        assert!(real.elapsed() < Duration::from_secs(5));
    }
}
