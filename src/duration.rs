//! Durations as `tweetform.yaml` and the command line write them: the
//! rate windows, `spend.window`, `edit_window`, `apply --wait`.

use jiff::SignedDuration;

/// A duration in jiff's friendly format (`90s`, `15m`, `3h`, `1h 30m`) or
/// ISO 8601 (`PT15M`). Shared with `apply --wait`.
pub(crate) fn parse_duration(s: &str) -> Result<SignedDuration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty".into());
    }
    if s == "0" {
        return Ok(SignedDuration::ZERO);
    }
    s.parse::<SignedDuration>().map_err(|e| e.to_string())
}
