//! Wording that every output shares, so that each says it the same way:
//! a count with its noun, and a tweet's address.

/// `n` and the noun in the right number: `1 post`, `2 posts`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The public address of a tweet, which X resolves whatever the account's
/// handle.
pub(crate) fn tweet_url(id: &str) -> String {
    format!("https://x.com/i/status/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_noun_in_their_number() {
        assert_eq!(plural(0, "post", "posts"), "0 posts");
        assert_eq!(plural(1, "post", "posts"), "1 post");
        assert_eq!(plural(2, "new tweet", "new tweets"), "2 new tweets");
        assert_eq!(tweet_url("12"), "https://x.com/i/status/12");
    }
}
