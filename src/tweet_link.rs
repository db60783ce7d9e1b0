//! A tweet named by its link or by its ID.
//!
//! People find the tweet they want to quote or answer in a browser, so the
//! fields that name a tweet (`quote_tweet_id`, `reply.in_reply_to_tweet_id`)
//! take the link they copy as well as the bare ID. X's body wants the ID, so
//! the link is reduced to it when the file is read: the model, the request
//! and the content digest never see the link, and a post written with the
//! link is the same post as one written with the ID. Anything that is
//! neither is refused here with what it looked like, so the message can say
//! what was expected instead of "not an ID".

use std::fmt;

use crate::validate::is_valid_id;

/// Why a value names no tweet: what it was found to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Digits, but more than X's 19.
    TooManyDigits(usize),
    /// A link to a site other than X.
    OtherSite(String),
    /// A link to an account rather than to one of its tweets.
    Profile,
    /// A link on X that names no tweet.
    NoStatus,
    /// `status/` with no ID after it.
    NoId,
    /// Neither an ID nor an http(s) link.
    Other(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::TooManyDigits(n) => write!(f, "an ID of {n} digits"),
            Refused::OtherSite(host) => write!(f, "a link to {host}, not to X"),
            Refused::Profile => f.write_str("a link to a profile, not to a tweet"),
            Refused::NoStatus => f.write_str("a link to X that names no tweet"),
            Refused::NoId => f.write_str("a link with no tweet ID after `status/`"),
            Refused::Other(v) => write!(f, "`{v}`"),
        }
    }
}

/// The ID of the tweet `value` names: `value` itself when it is an ID
/// (1 to 19 digits), or the ID in a link to the tweet on x.com or
/// twitter.com (`www.` and `mobile.` hosts too, http or https), written as
/// `/USER/status/ID`, `/i/status/ID` or `/i/web/status/ID`, with or without
/// a trailing path (`/photo/1`), query or fragment.
pub(crate) fn tweet_id(value: &str) -> Result<&str, Refused> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return checked(value);
    }
    let Some(rest) = strip_prefix_ignore_case(value, "https://")
        .or_else(|| strip_prefix_ignore_case(value, "http://"))
    else {
        return Err(Refused::Other(value.to_owned()));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(end);
    let host = host.to_ascii_lowercase();
    let site = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(&host);
    if site != "x.com" && site != "twitter.com" {
        return Err(Refused::OtherSite(host));
    }
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // `/i/web/status/ID` has one more segment before `status` than the others.
    let after_account = match segments.as_slice() {
        ["i", "web", rest @ ..] => rest,
        [_, rest @ ..] => rest,
        [] => return Err(Refused::NoStatus),
    };
    match after_account {
        [] => Err(Refused::Profile),
        [status, id, ..] if status.eq_ignore_ascii_case("status") => {
            if id.bytes().all(|b| b.is_ascii_digit()) {
                checked(id)
            } else {
                Err(Refused::NoId)
            }
        }
        [status] if status.eq_ignore_ascii_case("status") => Err(Refused::NoId),
        _ => Err(Refused::NoStatus),
    }
}

fn checked(id: &str) -> Result<&str, Refused> {
    if is_valid_id(id) {
        Ok(id)
    } else {
        Err(Refused::TooManyDigits(id.len()))
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1455953449422516226";

    #[test]
    fn a_bare_id_is_itself() {
        assert_eq!(tweet_id(ID), Ok(ID));
        assert_eq!(tweet_id("1"), Ok("1"));
        assert_eq!(tweet_id(" 20 "), Ok("20"));
        assert_eq!(tweet_id("1234567890123456789"), Ok("1234567890123456789"));
    }

    #[test]
    fn every_link_form_gives_the_id() {
        for link in [
            "https://x.com/jack/status/1455953449422516226",
            "http://x.com/jack/status/1455953449422516226",
            "https://www.x.com/jack/status/1455953449422516226",
            "https://mobile.x.com/jack/status/1455953449422516226",
            "https://twitter.com/jack/status/1455953449422516226",
            "https://www.twitter.com/jack/status/1455953449422516226",
            "https://mobile.twitter.com/jack/status/1455953449422516226",
            "http://mobile.twitter.com/jack/status/1455953449422516226",
            "https://x.com/i/status/1455953449422516226",
            "https://x.com/i/web/status/1455953449422516226",
            "https://twitter.com/i/web/status/1455953449422516226",
            "https://x.com/jack/status/1455953449422516226?s=20",
            "https://x.com/jack/status/1455953449422516226?s=20&t=abc",
            "https://x.com/jack/status/1455953449422516226#m",
            "https://x.com/jack/status/1455953449422516226/",
            "https://x.com/jack/status/1455953449422516226/photo/1",
            "https://x.com/jack/status/1455953449422516226/analytics",
            "https://x.com/jack/status/1455953449422516226/video/1?s=46",
            "https://X.com/jack/status/1455953449422516226",
            "HTTPS://x.com/jack/status/1455953449422516226",
            "  https://x.com/jack/status/1455953449422516226\n",
        ] {
            assert_eq!(tweet_id(link), Ok(ID), "{link}");
        }
    }

    #[test]
    fn what_names_no_tweet_is_refused_with_what_it_is() {
        let refused = [
            ("12345678901234567890", Refused::TooManyDigits(20)),
            (
                "https://x.com/jack/status/12345678901234567890",
                Refused::TooManyDigits(20),
            ),
            ("https://x.com/jack", Refused::Profile),
            ("https://twitter.com/jack/", Refused::Profile),
            ("https://x.com/jack?s=20", Refused::Profile),
            ("https://x.com", Refused::NoStatus),
            ("https://x.com/", Refused::NoStatus),
            ("https://x.com/jack/likes", Refused::NoStatus),
            ("https://x.com/i/web/jack", Refused::NoStatus),
            ("https://x.com/jack/status/", Refused::NoId),
            ("https://x.com/jack/status", Refused::NoId),
            ("https://x.com/jack/status/abc", Refused::NoId),
            ("https://x.com/jack/status/?s=1", Refused::NoId),
            ("https://x.com/i/status/", Refused::NoId),
            (
                "https://example.com/jack/status/1",
                Refused::OtherSite("example.com".into()),
            ),
            (
                "https://notx.com/jack/status/1",
                Refused::OtherSite("notx.com".into()),
            ),
            (
                "https://x.com.evil.test/jack/status/1",
                Refused::OtherSite("x.com.evil.test".into()),
            ),
            (
                "https://jack@x.com/jack/status/1",
                Refused::OtherSite("jack@x.com".into()),
            ),
            (
                "x.com/jack/status/1",
                Refused::Other("x.com/jack/status/1".into()),
            ),
            (
                "ftp://x.com/jack/status/1",
                Refused::Other("ftp://x.com/jack/status/1".into()),
            ),
            ("", Refused::Other(String::new())),
            ("x1", Refused::Other("x1".into())),
            ("-3", Refused::Other("-3".into())),
            ("12a", Refused::Other("12a".into())),
            ("١٢", Refused::Other("١٢".into())),
        ];
        for (value, why) in refused {
            assert_eq!(tweet_id(value), Err(why), "{value}");
        }
    }

    #[test]
    fn refusals_say_what_was_found() {
        assert_eq!(Refused::TooManyDigits(20).to_string(), "an ID of 20 digits");
        assert_eq!(
            Refused::OtherSite("example.com".into()).to_string(),
            "a link to example.com, not to X"
        );
        assert_eq!(
            Refused::Profile.to_string(),
            "a link to a profile, not to a tweet"
        );
        assert_eq!(
            Refused::NoId.to_string(),
            "a link with no tweet ID after `status/`"
        );
        assert_eq!(Refused::Other("x1".into()).to_string(), "`x1`");
    }
}
