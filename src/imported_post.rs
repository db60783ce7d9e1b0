//! A post file written from tweets already on X (`tweetform import
//! --from-account`): the text as its author wrote it (X's t.co links
//! mapped back, escapes decoded), the tweet it quotes or replies to, and
//! the media it carries by X's media IDs (they are published already, so
//! there is nothing to upload), under a name made of its date and first
//! words that never replaces a file.
//!
//! Strings are written as YAML's double-quoted scalars, which are JSON
//! strings: whatever a tweet says reads back as exactly that text.

use std::fmt::Write;
use std::path::Path;

use crate::api::RemoteTweet;
use crate::text::tweet_url;
use crate::tweet_match::{expanded_text, media_id, media_keys};

/// Why a tweet cannot become (part of) a post file.
pub(crate) fn not_importable(tweet: &RemoteTweet) -> Option<&'static str> {
    if tweet.referenced("retweeted").is_some() {
        return Some("a repost");
    }
    let attachments = tweet.attachments.as_ref();
    if attachments.is_some_and(|a| !a.poll_ids.is_empty()) {
        return Some("a poll (X's timeline does not give its options)");
    }
    if expanded_text(tweet).is_none() {
        return Some("links X did not explain");
    }
    if !media_keys(tweet).is_empty() && tweet.referenced("quoted").is_some() {
        return Some("media and a quote together (a post has one of them)");
    }
    None
}

/// The post file for a tweet or a self-thread, oldest first; the first
/// tweet may reply to someone else's. Every tweet must be importable.
pub(crate) fn render(thread: &[&RemoteTweet]) -> String {
    let mut out = String::new();
    let first = thread[0];
    let when = first
        .created_at
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let _ = writeln!(out, "# Imported from {}{when}", tweet_url(&first.id));
    if thread.len() == 1 {
        write_tweet(&mut out, first, true, "");
    } else {
        out.push_str("thread:\n");
        for (i, t) in thread.iter().enumerate() {
            let mut fields = String::new();
            write_tweet(&mut fields, t, i == 0, "    ");
            // The first line of each entry carries the list's dash.
            out.push_str("  - ");
            out.push_str(fields.trim_start());
        }
    }
    out
}

/// A tweet's fields at `indent`; `first` (a post's first tweet) keeps
/// what it replies to, the others reply to the tweet before them.
fn write_tweet(out: &mut String, tweet: &RemoteTweet, first: bool, indent: &str) {
    let text = expanded_text(tweet).unwrap_or_default();
    let _ = writeln!(out, "{indent}text: {}", quoted(text.trim_end()));
    if let Some(id) = tweet.referenced("quoted") {
        let _ = writeln!(out, "{indent}quote_tweet_id: {}", quoted(id));
    }
    if first && let Some(id) = tweet.referenced("replied_to") {
        let _ = writeln!(
            out,
            "{indent}reply:\n{indent}  in_reply_to_tweet_id: {}",
            quoted(id)
        );
    }
    let keys = media_keys(tweet);
    if !keys.is_empty() {
        let ids: Vec<String> = keys.iter().map(|k| quoted(media_id(k))).collect();
        let _ = writeln!(
            out,
            "{indent}media:\n{indent}  media_ids: [{}]",
            ids.join(", ")
        );
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// A file name under `dir` for a post first published at `tweet`: its
/// date and first words (`2026-01-05-we-shipped-the-new.yaml`), with
/// `-2`, `-3`… when a post file of that name (`.yaml` or `.yml`) exists.
pub(crate) fn file_name(dir: &Path, tweet: &RemoteTweet) -> String {
    let date = tweet.created_at.map(|t| t.strftime("%Y-%m-%d").to_string());
    let text = expanded_text(tweet).unwrap_or_default();
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    let mut slug = words.join("-");
    if let Some((cut, _)) = slug.char_indices().nth(40) {
        slug.truncate(cut);
        slug = slug.trim_end_matches('-').to_owned();
    }
    let base = match (date, slug.is_empty()) {
        (Some(d), false) => format!("{d}-{slug}"),
        (Some(d), true) => format!("{d}-tweet"),
        (None, false) => slug,
        (None, true) => format!("tweet-{}", tweet.id),
    };
    let taken = |name: &str| {
        ["yaml", "yml"]
            .iter()
            .any(|ext| dir.join(format!("{name}.{ext}")).exists())
    };
    let mut name = base.clone();
    let mut n = 1;
    while taken(&name) {
        n += 1;
        name = format!("{base}-{n}");
    }
    format!("{name}.yaml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Attachments, Entities, UrlEntity};

    fn tweet(id: &str, text: &str) -> RemoteTweet {
        let mut t = RemoteTweet::new(id, text);
        t.created_at = Some("2026-01-05T10:00:00Z".parse().unwrap());
        t
    }

    #[test]
    fn a_single_tweet_keeps_its_links_quote_and_media_ids() {
        let mut t = tweet("10", "Ship &amp; tell https://t.co/a https://t.co/m");
        t.entities = Some(Entities {
            urls: vec![
                UrlEntity {
                    url: Some("https://t.co/a".into()),
                    expanded_url: Some("https://example.com/x".into()),
                    display_url: None,
                    start: 14,
                    end: 28,
                    media_key: None,
                },
                UrlEntity {
                    url: Some("https://t.co/m".into()),
                    expanded_url: Some("https://x.com/i/photo".into()),
                    display_url: None,
                    start: 29,
                    end: 43,
                    media_key: Some("3_77".into()),
                },
            ],
        });
        t.attachments = Some(Attachments {
            media_keys: vec!["3_77".into(), "16_78".into()],
            poll_ids: vec![],
        });
        assert_eq!(
            render(&[&t]),
            "# Imported from https://x.com/i/status/10 (2026-01-05T10:00:00Z)\n\
             text: \"Ship & tell https://example.com/x\"\n\
             media:\n  media_ids: [\"77\", \"78\"]\n"
        );
    }

    #[test]
    fn a_thread_is_a_list_and_only_its_first_tweet_names_a_reply() {
        let mut a = tweet("10", "one\n\"two\"");
        a.referenced_tweets = Some(vec![crate::api::Reference {
            kind: "replied_to".into(),
            id: "5".into(),
        }]);
        let mut b = tweet("11", "three");
        b.referenced_tweets = Some(vec![crate::api::Reference {
            kind: "replied_to".into(),
            id: "10".into(),
        }]);
        assert_eq!(
            render(&[&a, &b]),
            "# Imported from https://x.com/i/status/10 (2026-01-05T10:00:00Z)\n\
             thread:\n  - text: \"one\\n\\\"two\\\"\"\n    reply:\n      in_reply_to_tweet_id: \"5\"\n\
             \x20 - text: \"three\"\n"
        );
    }

    #[test]
    fn names_come_from_the_date_and_first_words_and_never_replace_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let t = tweet(
            "10",
            "We shipped the NEW thing, finally! https://example.com",
        );
        assert_eq!(
            file_name(dir.path(), &t),
            "2026-01-05-we-shipped-the-new-thing.yaml"
        );
        std::fs::write(
            dir.path().join("2026-01-05-we-shipped-the-new-thing.yaml"),
            "",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("2026-01-05-we-shipped-the-new-thing-2.yml"),
            "",
        )
        .unwrap();
        assert_eq!(
            file_name(dir.path(), &t),
            "2026-01-05-we-shipped-the-new-thing-3.yaml"
        );
        assert_eq!(
            file_name(dir.path(), &tweet("11", "🎉")),
            "2026-01-05-tweet.yaml"
        );
    }

    #[test]
    fn reposts_and_polls_are_not_importable() {
        let mut r = tweet("10", "RT @a: hi");
        r.referenced_tweets = Some(vec![crate::api::Reference {
            kind: "retweeted".into(),
            id: "3".into(),
        }]);
        assert_eq!(not_importable(&r), Some("a repost"));
        let mut p = tweet("11", "which?");
        p.attachments = Some(Attachments {
            media_keys: vec![],
            poll_ids: vec!["9".into()],
        });
        assert!(not_importable(&p).unwrap().starts_with("a poll"));
        assert_eq!(not_importable(&tweet("12", "fine")), None);
    }
}
