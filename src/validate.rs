//! Offline validation of posts: X's weighted length and the body rules of `POST /2/tweets`.

use std::sync::LazyLock;

/// X's limit on a tweet's weighted length.
pub const MAX_WEIGHTED_LENGTH: usize = 280;

static TWITTER_TEXT_V3: LazyLock<twitter_text_config::Configuration> =
    LazyLock::new(|| twitter_text_config::config_v3().clone());

/// A tweet's length as X counts it (twitter-text configuration v3): most
/// code points weigh 2, Latin and common punctuation 1, every URL 23, an
/// emoji sequence 2.
pub fn weighted_length(text: &str) -> usize {
    let results = twitter_text::parse(text, &TWITTER_TEXT_V3, true);
    usize::try_from(results.weighted_length).unwrap_or(0)
}

#[cfg(test)]
mod length_tests {
    use super::*;

    #[test]
    fn weighted_length_follows_twitter_text_v3() {
        assert_eq!(weighted_length("hello"), 5);
        assert_eq!(
            weighted_length("https://example.com/a/very/long/path/indeed/yes"),
            23
        );
        assert_eq!(weighted_length("日本"), 4);
        assert_eq!(weighted_length("👩‍👩‍👧‍👦"), 2);
    }
}
