//! Whether a tweet on X is a given tweet: the one rule that settling (an
//! interrupted run's tweet found on the timeline) and importing (a tweet
//! published outside tweetform adopted by a post) both apply, so that the
//! two never disagree about what counts as the same tweet.
//!
//! A tweet matches when its whole content does: the text, once X's t.co
//! links are mapped back to the URLs sent (`entities.urls[].expanded_url`)
//! and `&amp;`, `&lt;`, `&gt;` decoded; the tweet it replies to (so a
//! thread's chain must match), the tweet it quotes, its poll, its media
//! count, and its very media when they are known (the media keys of
//! tweetform's uploads, or the IDs a post names). Each part that differs is
//! reported, so that a refusal can show what to fix.

use std::fmt;
use std::sync::LazyLock;

use crate::api::RemoteTweet;

/// What a tweet must be, in X's terms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected<'a> {
    pub text: &'a str,
    /// The tweet it must reply to; `None`: it must not be a reply.
    pub reply_to: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub media: usize,
    /// The media keys it must carry, in order, when known (`3_ID`).
    pub media_keys: &'a [String],
    /// The media IDs it must carry, in order, when the post names them.
    pub media_ids: &'a [String],
    pub poll: bool,
}

/// One way a tweet on X differs from what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Difference {
    /// X's text with its links mapped back and its escapes decoded.
    Text {
        expected: String,
        found: String,
    },
    Reply {
        expected: Option<String>,
        found: Option<String>,
    },
    Quote {
        expected: Option<String>,
        found: Option<String>,
    },
    MediaCount {
        expected: usize,
        found: usize,
    },
    /// The same number of media, but not these.
    Media {
        expected: Vec<String>,
        found: Vec<String>,
    },
    Poll {
        expected: bool,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tweet = |id: &Option<String>| match id {
            Some(id) => format!("tweet {id}"),
            None => "no tweet".to_owned(),
        };
        match self {
            Difference::Text { expected, found } => {
                write!(
                    f,
                    "the text differs:\n  expected: {expected:?}\n  on X:     {found:?}"
                )
            }
            Difference::Reply { expected, found } => write!(
                f,
                "it replies to {}, expected a reply to {}",
                tweet(found),
                tweet(expected)
            ),
            Difference::Quote { expected, found } => write!(
                f,
                "it quotes {}, expected {}",
                tweet(found),
                tweet(expected)
            ),
            Difference::MediaCount { expected, found } if found < expected => write!(
                f,
                "missing media: it has {found}, the post declares {expected}"
            ),
            Difference::MediaCount { expected, found } => write!(
                f,
                "more media than declared: it has {found}, the post declares {expected}"
            ),
            Difference::Media { expected, found } => write!(
                f,
                "other media: it has {}, expected {}",
                found.join(", "),
                expected.join(", ")
            ),
            Difference::Poll { expected: true } => {
                f.write_str("it has no poll, the post declares one")
            }
            Difference::Poll { expected: false } => {
                f.write_str("it has a poll, the post declares none")
            }
        }
    }
}

/// The media keys of a tweet on X (`3_ID`, `7_ID`, `16_ID`).
pub(crate) fn media_keys(remote: &RemoteTweet) -> &[String] {
    remote
        .attachments
        .as_ref()
        .map_or(&[][..], |a| &a.media_keys[..])
}

/// The media ID a media key carries (after its `_`).
pub(crate) fn media_id(key: &str) -> &str {
    key.split_once('_').map_or(key, |(_, id)| id)
}

/// Every way `remote` differs from `expected`; empty when it is that tweet.
pub(crate) fn differences(remote: &RemoteTweet, expected: &Expected<'_>) -> Vec<Difference> {
    let mut out = Vec::new();
    if !same_text(remote, expected.text) {
        out.push(Difference::Text {
            expected: expected.text.to_owned(),
            found: expanded_text(remote).unwrap_or_else(|| remote.text.clone()),
        });
    }
    let owned = |s: Option<&str>| s.map(str::to_owned);
    let reply = remote.referenced("replied_to");
    if reply != expected.reply_to {
        out.push(Difference::Reply {
            expected: owned(expected.reply_to),
            found: owned(reply),
        });
    }
    let quote = remote.referenced("quoted");
    if quote != expected.quote {
        out.push(Difference::Quote {
            expected: owned(expected.quote),
            found: owned(quote),
        });
    }
    let keys = media_keys(remote);
    if keys.len() != expected.media {
        out.push(Difference::MediaCount {
            expected: expected.media,
            found: keys.len(),
        });
    } else if !expected.media_keys.is_empty() && expected.media_keys != keys {
        // Uploaded by us: the very uploads, not merely as many.
        out.push(Difference::Media {
            expected: expected.media_keys.to_vec(),
            found: keys.to_vec(),
        });
    } else if !expected.media_ids.is_empty()
        && !keys
            .iter()
            .map(|k| media_id(k))
            .eq(expected.media_ids.iter().map(String::as_str))
    {
        out.push(Difference::Media {
            expected: expected.media_ids.to_vec(),
            found: keys.iter().map(|k| media_id(k).to_owned()).collect(),
        });
    }
    let poll = remote
        .attachments
        .as_ref()
        .is_some_and(|a| !a.poll_ids.is_empty());
    if poll != expected.poll {
        out.push(Difference::Poll {
            expected: expected.poll,
        });
    }
    out
}

/// Whether a text is empty or only links.
pub(crate) fn only_links(text: &str) -> bool {
    let mut rest = text.to_owned();
    for url in urls_in(text) {
        rest = rest.replacen(&url, "", 1);
    }
    rest.trim().is_empty()
}

static EXTRACTOR: LazyLock<twitter_text::extractor::Extractor> =
    LazyLock::new(twitter_text::extractor::Extractor::new);

/// The URLs X will link in a text, found as X finds them.
pub(crate) fn urls_in(text: &str) -> Vec<String> {
    EXTRACTOR.extract_urls(text)
}

/// Whether a tweet from X has the text we sent. X returns each URL as a
/// t.co link (its original in the entities' `expanded_url`, with `http://`
/// added where the text had no scheme), appends one for attached media,
/// and escapes `&`, `<`, `>`: the text is rebuilt from that and compared
/// whole, so texts that differ only in a link are told apart. Whitespace
/// runs compare equal.
pub fn same_text(remote: &RemoteTweet, sent: &str) -> bool {
    match expanded_text(remote) {
        Some(rebuilt) => words(&rebuilt) == words(&canonical(sent)),
        None => false,
    }
}

/// A tweet's text as its author wrote it: t.co links mapped back to their
/// URLs, the link X appends for media left out, escapes decoded. `None`
/// when X's text has links it did not explain (never guess which URL one
/// stands for).
pub(crate) fn expanded_text(remote: &RemoteTweet) -> Option<String> {
    let Some(entities) = &remote.entities else {
        if remote.text.contains("https://t.co/") {
            return None;
        }
        return Some(decode(&remote.text));
    };
    let mut links: Vec<_> = entities.urls.iter().collect();
    links.sort_by_key(|u| u.start);
    let mut rebuilt = String::new();
    let mut rest = remote.text.as_str();
    for link in links {
        let short = link.url.as_deref()?;
        let at = rest.find(short)?;
        rebuilt.push_str(&decode(&rest[..at]));
        if link.media_key.is_none() {
            rebuilt.push_str(link.expanded_url.as_deref()?);
        }
        rest = &rest[at + short.len()..];
    }
    rebuilt.push_str(&decode(rest));
    Some(rebuilt)
}

/// X's three HTML escapes undone.
fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The sent text as X expands it: a URL without a scheme gets `http://`.
fn canonical(sent: &str) -> String {
    let mut out = String::new();
    let mut rest = sent;
    for url in urls_in(sent) {
        let Some(at) = rest.find(url.as_str()) else {
            continue;
        };
        out.push_str(&rest[..at]);
        if !url.contains("://") {
            out.push_str("http://");
        }
        out.push_str(&url);
        rest = &rest[at + url.len()..];
    }
    out.push_str(rest);
    out
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}
