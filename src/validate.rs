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
                    "the poll lasts {} minute{}; X allows 5 to 10080 (7 days)",
                    poll.duration_minutes,
                    if poll.duration_minutes == 1 { "" } else { "s" }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::{Media, Poll, Reply};
    use std::path::{Path, PathBuf};

    /// Parses a post the way the loader does, so positions are real.
    fn post(src: &str) -> Post {
        crate::load::parse_post("k", Path::new("posts/k.yaml"), src.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn problems(src: &str) -> Vec<(usize, usize, String)> {
        validate_post(&post(src))
            .into_iter()
            .map(|d| {
                assert!(d.hint.is_some(), "every problem says what to do: {d:?}");
                (d.line, d.column, d.message)
            })
            .collect()
    }

    fn tweet(t: Tweet) -> Post {
        Post {
            key: "k".into(),
            file: PathBuf::from("posts/k.yaml"),
            publish_at: None,
            publish_at_pos: None,
            is_thread: false,
            tweets: vec![t],
        }
    }

    #[test]
    fn valid_post_has_no_problems() {
        assert_eq!(problems("text: hello\n"), []);
    }

    #[test]
    fn weighted_length_at_most_280() {
        let ok = format!("text: {}\n", "a".repeat(280));
        assert_eq!(problems(&ok), []);
        let long = format!("text: {}\n", "日".repeat(141));
        assert_eq!(
            problems(&long),
            [(
                1,
                7,
                "text is 282 characters long as X counts them; the limit is 280".to_string()
            )]
        );
        // A URL counts 23 however long it is.
        let url = format!(
            "text: {} https://example.com/{}\n",
            "a".repeat(250),
            "x".repeat(100)
        );
        assert_eq!(problems(&url), []);
    }

    #[test]
    fn text_required_unless_media() {
        assert_eq!(
            problems("nullcast: true\n"),
            [(1, 1, "the tweet has no text".to_string())]
        );
        assert_eq!(problems("text: \"  \"\n")[0].2, "the tweet has no text");
        assert_eq!(problems("media: { media_ids: [\"1\"] }\n"), []);
    }

    #[test]
    fn poll_has_two_to_four_options() {
        let one = problems("text: q\npoll:\n  options: [a]\n  duration_minutes: 60\n");
        assert_eq!(
            one,
            [(3, 3, "the poll has 1 option; X allows 2 to 4".to_string())]
        );
        let five = problems("text: q\npoll: { options: [a, b, c, d, e], duration_minutes: 60 }\n");
        assert_eq!(five[0].2, "the poll has 5 options; X allows 2 to 4");
        assert_eq!(
            problems("text: q\npoll: { options: [a, b, c, d], duration_minutes: 60 }\n"),
            []
        );
    }

    #[test]
    fn poll_options_are_1_to_25_characters() {
        let p = problems(&format!(
            "text: q\npoll:\n  options: [\"\", ok, {}]\n  duration_minutes: 60\n",
            "x".repeat(26)
        ));
        assert_eq!(
            p,
            [
                (
                    3,
                    13,
                    "poll option 1 is 0 characters long; X allows 1 to 25".to_string()
                ),
                (
                    3,
                    21,
                    "poll option 3 is 26 characters long; X allows 1 to 25".to_string()
                ),
            ]
        );
        let exact = format!(
            "text: q\npoll: {{ options: [a, {}], duration_minutes: 60 }}\n",
            "é".repeat(25)
        );
        assert_eq!(problems(&exact), []);
    }

    #[test]
    fn poll_lasts_5_to_10080_minutes() {
        for (minutes, ok) in [
            (4, false),
            (5, true),
            (10080, true),
            (10081, false),
            (-1, false),
        ] {
            let p = problems(&format!(
                "text: q\npoll:\n  options: [a, b]\n  duration_minutes: {minutes}\n"
            ));
            assert_eq!(p.is_empty(), ok, "{minutes}: {p:?}");
            if !ok {
                assert_eq!((p[0].0, p[0].1), (4, 21));
            }
        }
    }

    #[test]
    fn one_to_four_media_ids() {
        let none = problems("text: a\nmedia:\n  media_ids: []\n");
        assert_eq!(
            none,
            [(
                3,
                3,
                "0 media_ids; X attaches 1 to 4 media to a tweet".to_string()
            )]
        );
        let five = problems("text: a\nmedia: { media_ids: [\"1\",\"2\",\"3\",\"4\",\"5\"] }\n");
        assert_eq!(five[0].2, "5 media_ids; X attaches 1 to 4 media to a tweet");
    }

    #[test]
    fn at_most_ten_tagged_users() {
        let ids: Vec<String> = (1..=11).map(|i| format!("\"{i}\"")).collect();
        let p = problems(&format!(
            "text: a\nmedia:\n  media_ids: [\"1\"]\n  tagged_user_ids: [{}]\n",
            ids.join(",")
        ));
        assert_eq!(
            p,
            [(4, 3, "11 tagged_user_ids; X allows at most 10".to_string())]
        );
    }

    #[test]
    fn tagged_users_only_with_media() {
        let p = problems("text: a\nmedia:\n  tagged_user_ids: [\"2\"]\n");
        assert!(
            p.contains(&(
                3,
                3,
                "tagged_user_ids without media: users are tagged in attached media".to_string()
            )),
            "{p:?}"
        );
    }

    #[test]
    fn exclude_reply_user_ids_only_with_in_reply_to() {
        let p = problems("text: a\nreply:\n  exclude_reply_user_ids: [\"1\"]\n");
        assert_eq!(
            p,
            [(
                3,
                3,
                "`exclude_reply_user_ids` without `in_reply_to_tweet_id`".to_string()
            )]
        );
        let p = problems("text: a\nreply: {}\n");
        assert_eq!(
            p,
            [(2, 1, "`reply` without `in_reply_to_tweet_id`".to_string())]
        );
    }

    #[test]
    fn attachments_are_mutually_exclusive() {
        let p = problems(
            "text: a\npoll: { options: [a, b], duration_minutes: 60 }\nquote_tweet_id: \"1\"\n",
        );
        assert_eq!(
            p,
            [(
                3,
                17,
                "`poll` and `quote_tweet_id` cannot be combined in one tweet".to_string()
            )]
        );
        let p = problems("text: a\ncard_uri: card://1\nmedia: { media_ids: [\"1\"] }\n");
        assert_eq!(
            p[0].2,
            "`media` and `card_uri` cannot be combined in one tweet"
        );
        assert_eq!((p[0].0, p[0].1), (3, 1));
        let all = tweet(Tweet {
            media: Some(Media {
                media_ids: vec!["1".into()],
                ..Media::default()
            }),
            poll: Some(Poll {
                options: vec!["a".into(), "b".into()],
                duration_minutes: 5,
            }),
            quote_tweet_id: Some("2".into()),
            card_uri: Some("c".into()),
            ..Tweet::new("x")
        });
        let d = validate_post(&all);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .starts_with("`media` and `poll` and `quote_tweet_id` and `card_uri`")
        );
    }

    #[test]
    fn every_id_is_1_to_19_digits() {
        assert!(is_valid_id("1"));
        assert!(is_valid_id("1234567890123456789"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("12345678901234567890"));
        assert!(!is_valid_id("12a"));
        assert!(!is_valid_id("١٢"));
        let p = problems(
            "text: a\nquote_tweet_id: x1\ncommunity_id: \"\"\nmedia: { media_ids: [\"1\", \"m\"], tagged_user_ids: [\"-3\"] }\nreply: { in_reply_to_tweet_id: \"12345678901234567890\", exclude_reply_user_ids: [\"u\"] }\n",
        );
        let fields: Vec<&str> = p
            .iter()
            .filter(|p| p.2.contains("is not an ID"))
            .map(|p| p.2.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "media.media_ids[1]",
                "media.tagged_user_ids[0]",
                "quote_tweet_id",
                "community_id",
                "reply.in_reply_to_tweet_id",
                "reply.exclude_reply_user_ids[0]",
            ]
        );
        let media_id = p.iter().find(|p| p.2.contains("media_ids[1]")).unwrap();
        assert_eq!((media_id.0, media_id.1), (4, 27));
    }

    #[test]
    fn reply_only_on_the_first_tweet_of_a_thread() {
        let p = problems(
            "thread:\n  - text: a\n    reply: { in_reply_to_tweet_id: \"1\" }\n  - text: b\n    reply: { in_reply_to_tweet_id: \"2\" }\n",
        );
        assert_eq!(
            p,
            [(
                5,
                5,
                "tweet 2 of the thread: `reply` on a later tweet of a thread".to_string()
            )]
        );
    }

    #[test]
    fn empty_thread() {
        let mut p = tweet(Tweet::new("x"));
        p.is_thread = true;
        p.tweets.clear();
        let d = validate_post(&p);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("empty thread"));
    }

    #[test]
    fn every_problem_of_every_tweet_is_reported() {
        let p = problems(&format!(
            "thread:\n  - text: {}\n    quote_tweet_id: q\n  - poll: {{ options: [a], duration_minutes: 1 }}\n",
            "a".repeat(281)
        ));
        assert_eq!(p.len(), 5, "{p:?}");
        let posts = [post("text: ok\n"), post("text: \"\"\n")];
        assert_eq!(validate(&posts).len(), 1);
    }

    #[test]
    fn programmatic_tweets_fall_back_to_line_one() {
        let d = validate_post(&tweet(Tweet {
            reply: Some(Reply::default()),
            ..Tweet::new("x")
        }));
        assert_eq!((d[0].line, d[0].column), (1, 1));
        assert_eq!(d[0].file, Path::new("posts/k.yaml"));
    }
}
