//! Offline validation of posts: X's weighted length and the body rules of `POST /2/tweets`.

use std::sync::LazyLock;

use crate::diagnostic::Diagnostic;
use crate::post::{Post, Tweet};

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

/// Poll limits from `CreatePostsPoll`.
pub const POLL_OPTIONS: std::ops::RangeInclusive<usize> = 2..=4;
pub const POLL_OPTION_CHARS: std::ops::RangeInclusive<usize> = 1..=25;
pub const POLL_MINUTES: std::ops::RangeInclusive<u32> = 5..=10_080;
/// Media limits from `CreatePostsMedia`.
pub const MEDIA_IDS: std::ops::RangeInclusive<usize> = 1..=4;
pub const MAX_TAGGED_USERS: usize = 10;

/// Fields of which a tweet may carry at most one (X: media, poll and quote
/// are mutually exclusive, and a card is an attachment of its own).
const ATTACHMENTS: [&str; 4] = ["media", "poll", "quote_tweet_id", "card_uri"];

/// Every problem of every post, in post order.
pub fn validate(posts: &[Post]) -> Vec<Diagnostic> {
    posts.iter().flat_map(validate_post).collect()
}

/// Every problem of one post: its thread as a whole, then each tweet.
pub fn validate_post(post: &Post) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if post.tweets.is_empty() {
        let pos = crate::post::Pos { line: 1, column: 1 };
        out.push(
            Diagnostic::new(&post.file, pos, "empty thread: the post has no tweets")
                .with_hint("add tweets as `- text: ...` entries under `thread:`"),
        );
    }
    for i in 0..post.tweets.len() {
        out.extend(validate_tweet(post, i));
    }
    out
}

/// The problems of tweet `index` of `post` (its place in the thread matters:
/// only the first tweet may reply to another tweet).
pub fn validate_tweet(post: &Post, index: usize) -> Vec<Diagnostic> {
    let Some(t) = post.tweets.get(index) else {
        return Vec::new();
    };
    let mut c = Check {
        post,
        tweet: t,
        which: if post.tweets.len() > 1 || post.is_thread {
            format!("tweet {} of the thread: ", index + 1)
        } else {
            String::new()
        },
        out: Vec::new(),
    };

    let len = weighted_length(&t.text);
    if len > MAX_WEIGHTED_LENGTH {
        let split = if post.is_thread {
            "; or move the rest into the next tweet of the thread"
        } else {
            "; or make the post a `thread:` of several tweets"
        };
        c.error(
            "text",
            format!(
                "text is {len} characters long as X counts them; the limit is {MAX_WEIGHTED_LENGTH}"
            ),
            format!(
                "shorten it by {} (a link counts 23, most CJK characters and each emoji 2){split}",
                len - MAX_WEIGHTED_LENGTH
            ),
        );
    }
    if t.text.trim().is_empty() && t.media.is_none() {
        c.error(
            "text",
            "the tweet has no text",
            "write `text: ...`; only a tweet with `media` may go without text",
        );
    }

    if let Some(poll) = &t.poll {
        let n = poll.options.len();
        if !POLL_OPTIONS.contains(&n) {
            c.error(
                "poll.options",
                format!(
                    "the poll has {n} option{}; X allows 2 to 4",
                    if n == 1 { "" } else { "s" }
                ),
                if n < 2 {
                    "add options"
                } else {
                    "remove options"
                },
            );
        }
        for (i, option) in poll.options.iter().enumerate() {
            let chars = option.chars().count();
            if !POLL_OPTION_CHARS.contains(&chars) {
                c.error(
                    &format!("poll.options[{i}]"),
                    format!(
                        "poll option {} is {chars} characters long; X allows 1 to 25",
                        i + 1
                    ),
                    if chars == 0 {
                        "write the option's text, or remove it"
                    } else {
                        "shorten the option"
                    },
                );
            }
        }
        if !POLL_MINUTES.contains(&poll.duration_minutes) {
            c.error(
                "poll.duration_minutes",
                format!(
                    "the poll lasts {} minutes; X allows 5 to 10080 (7 days)",
                    poll.duration_minutes
                ),
                "set `duration_minutes` between 5 and 10080, e.g. 1440 for a day",
            );
        }
    }

    if let Some(media) = &t.media {
        let n = media.media_ids.len();
        if !MEDIA_IDS.contains(&n) {
            c.error(
                "media.media_ids",
                format!("{n} media_ids; X attaches 1 to 4 media to a tweet"),
                if n == 0 {
                    "add the IDs of uploaded media under `media_ids:`, or remove `media`"
                } else {
                    "keep at most 4, and move the others to another tweet of a thread"
                },
            );
        }
        let tagged = media.tagged_user_ids.len();
        if tagged > MAX_TAGGED_USERS {
            c.error(
                "media.tagged_user_ids",
                format!("{tagged} tagged_user_ids; X allows at most {MAX_TAGGED_USERS}"),
                "tag at most 10 users",
            );
        }
        if tagged > 0 && n == 0 {
            c.error(
                "media.tagged_user_ids",
                "tagged_user_ids without media: users are tagged in attached media",
                "add `media_ids`, or remove `tagged_user_ids`",
            );
        }
        c.ids("media.media_ids", &media.media_ids);
        c.ids("media.tagged_user_ids", &media.tagged_user_ids);
    }

    let present: Vec<&str> = ATTACHMENTS
        .iter()
        .copied()
        .filter(|f| match *f {
            "media" => t.media.is_some(),
            "poll" => t.poll.is_some(),
            "quote_tweet_id" => t.quote_tweet_id.is_some(),
            _ => t.card_uri.is_some(),
        })
        .collect();
    if present.len() > 1 {
        // Point at the later field: the first one is usually the intended one.
        let at = present
            .iter()
            .copied()
            .max_by_key(|f| t.pos(f))
            .unwrap_or(present[1]);
        let list: Vec<String> = present.iter().map(|f| format!("`{f}`")).collect();
        c.error(
            at,
            format!("{} cannot be combined in one tweet", list.join(" and ")),
            "X accepts only one of media, poll, quote_tweet_id and card_uri per tweet: keep one, or put the other in another tweet of a thread",
        );
    }

    if let Some(id) = &t.quote_tweet_id {
        c.id("quote_tweet_id", id);
    }
    if let Some(id) = &t.community_id {
        c.id("community_id", id);
    }

    if let Some(reply) = &t.reply {
        if index > 0 {
            c.error(
                "reply",
                "`reply` on a later tweet of a thread",
                "each tweet after the first replies to the one before it automatically: remove `reply` here (only the first tweet may reply to another tweet)",
            );
        }
        if reply.in_reply_to_tweet_id.is_empty() {
            if reply.exclude_reply_user_ids.is_empty() {
                c.error(
                    "reply",
                    "`reply` without `in_reply_to_tweet_id`",
                    "add `in_reply_to_tweet_id: \"...\"` (the ID of the tweet to reply to), or remove `reply`",
                );
            } else {
                c.error(
                    "reply.exclude_reply_user_ids",
                    "`exclude_reply_user_ids` without `in_reply_to_tweet_id`",
                    "users can only be left out of a reply: add `in_reply_to_tweet_id`, or remove `exclude_reply_user_ids`",
                );
            }
        } else {
            c.id("reply.in_reply_to_tweet_id", &reply.in_reply_to_tweet_id);
        }
        c.ids(
            "reply.exclude_reply_user_ids",
            &reply.exclude_reply_user_ids,
        );
    }
    c.out
}

/// `^[0-9]{1,19}$`, X's pattern for every ID.
pub fn is_valid_id(id: &str) -> bool {
    (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

struct Check<'a> {
    post: &'a Post,
    tweet: &'a Tweet,
    which: String,
    out: Vec<Diagnostic>,
}

impl Check<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.out.push(
            Diagnostic::new(
                &self.post.file,
                self.tweet.pos(field),
                format!("{}{}", self.which, message.into()),
            )
            .with_hint(hint),
        );
    }

    fn id(&mut self, field: &str, id: &str) {
        if !is_valid_id(id) {
            self.error(
                field,
                format!("`{field}` is not an ID: `{id}`"),
                "an ID is 1 to 19 digits, e.g. \"1455953449422516226\"; copy it from the tweet's or user's URL",
            );
        }
    }

    fn ids(&mut self, field: &str, ids: &[String]) {
        for (i, id) in ids.iter().enumerate() {
            self.id(&format!("{field}[{i}]"), id);
        }
    }
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
