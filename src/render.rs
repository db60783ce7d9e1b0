//! What the plan's forms for people share: the terminal's
//! ([`crate::terminal`]) and the pull request's ([`crate::markdown`]) say
//! the summary line, times relative to the plan, what a create sends
//! besides its text, and text made safe to show through these. (The form
//! for machines is [`crate::plan_json`].)
//!
//! Tweet text comes from files anyone can propose in a pull request, so it
//! is never printed raw: control and bidirectional-override characters are
//! shown escaped (a reviewer must see what will be published, not what a
//! terminal makes of it), and in Markdown every character that would
//! format, link or mention is neutralised.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use jiff::Timestamp;

use crate::field::Field;
use crate::media_file::MediaClass;
use crate::plan::{Change, Summary};
use crate::post::{MediaFile, Tweet};
use crate::text::{plural, tweet_url};

/// The closing line of a plan, Terraform style:
/// `Plan: 2 to create, 1 to replace, 3 waiting.` or
/// `No changes. 5 posts up to date.`
pub(crate) fn summary_line(summary: &Summary) -> String {
    let counted = [
        (summary.create, "to create"),
        (summary.append, "to append"),
        (summary.edit, "to edit"),
        (summary.replace, "to replace"),
        (summary.delete, "to delete"),
        (summary.moved, "to move"),
    ];
    let mut parts: Vec<String> = counted
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if parts.is_empty() {
        let mut line = format!(
            "No changes. {} up to date",
            plural(summary.unchanged, "post", "posts")
        );
        if summary.wait > 0 {
            let _ = write!(line, ", {} waiting", summary.wait);
        }
        if summary.refused > 0 {
            let _ = write!(line, ", {} refused by X", summary.refused);
        }
        line.push('.');
        return line;
    }
    if summary.wait > 0 {
        parts.push(format!("{} waiting", summary.wait));
    }
    if summary.refused > 0 {
        parts.push(format!("{} refused by X", summary.refused));
    }
    format!("Plan: {}.", parts.join(", "))
}

/// Makes text safe and visible on a terminal or in a code block: control
/// characters other than newline and tab, and the bidirectional controls
/// that can make text read differently from what it is, are shown as
/// `\u{…}` escapes.
pub fn visible(text: &str) -> Cow<'_, str> {
    fn hidden(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How long until `to`, from `from`: `in 7d 14h`, `in 3h 5m`, `in 12m`,
/// `in 40s`; `due now` when it is not in the future.
pub fn relative(from: Timestamp, to: Timestamp) -> String {
    let secs = to.as_second() - from.as_second();
    if secs <= 0 {
        return "due now".to_string();
    }
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let text = if d > 0 {
        if h > 0 {
            format!("{d}d {h}h")
        } else {
            format!("{d}d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h}h {m}m")
        } else {
            format!("{h}h")
        }
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    };
    format!("in {text}")
}

/// Positions re-created with a diff against the published text: their
/// deleted tweet needs no text of its own, the diff shows it.
pub(crate) fn diffed_positions(change: &Change) -> BTreeSet<usize> {
    change
        .tweets
        .iter()
        .filter(|t| t.old_text().is_some())
        .map(|t| t.index)
        .collect()
}

/// What a destructive change destroys, for its header: `deletes 2
/// published tweets`, `undoes a repost`, or both.
pub(crate) fn destroys(change: &Change) -> String {
    let deleted = change.tweets.iter().filter(|t| t.is_delete()).count();
    let undone = change
        .tweets
        .iter()
        .any(|t| matches!(t.op, crate::plan::TweetOp::Unrepost { .. }));
    let deletes = format!(
        "deletes {}",
        plural(deleted, "published tweet", "published tweets")
    );
    match (deleted, undone) {
        (0, true) => "undoes a repost".to_owned(),
        (_, true) => format!("{deletes} and undoes a repost"),
        _ => deletes,
    }
}

/// Whether the change only reposts (a post with `repost:` not yet reposted).
pub(crate) fn only_reposts(change: &Change) -> bool {
    !change.tweets.is_empty()
        && change
            .tweets
            .iter()
            .all(|t| matches!(t.op, crate::plan::TweetOp::Repost { .. }))
}

/// What `--refresh` read and found, for every plan format: a headline
/// with the reads' cost, then one line per tweet that changed on X.
pub(crate) fn refresh_lines(
    r: &crate::drift::Refresh,
    prices: &crate::cost::Prices,
) -> (String, Vec<String>) {
    use crate::drift::DriftKind;
    let mut head = format!(
        "Refreshed from X: read {} (about {} at X's owned-read price of {} per tweet, as of {}).",
        plural(r.read, "published tweet", "published tweets"),
        r.cost(prices),
        prices.owned_read,
        prices.date
    );
    if r.drift.is_empty() {
        head.push_str(" No drift: X has every tweet as recorded.");
    }
    let lines = r
        .drift
        .iter()
        .map(|d| {
            let at = format!(
                "{} tweet {} {}",
                visible(&d.key),
                d.index + 1,
                tweet_url(&d.id)
            );
            match &d.kind {
                DriftKind::Deleted if r.recreate_deleted => {
                    format!("{at}: deleted on X outside tweetform; published again")
                }
                DriftKind::Deleted => format!(
                    "{at}: deleted on X outside tweetform; stays recorded, not published again (--recreate-deleted publishes it again)"
                ),
                DriftKind::Edited { newest_id, .. } => {
                    format!("{at}: edited on X, now {}", tweet_url(newest_id))
                }
            }
        })
        .collect();
    (head, lines)
}

/// The prices a plan was costed with (the defaults for a plan without a
/// cost), for the lines that name a price.
pub(crate) fn plan_prices(plan: &crate::plan::Plan) -> crate::cost::Prices {
    plan.cost
        .as_ref()
        .map(|c| c.prices.clone())
        .unwrap_or_default()
}

/// Why a created tweet of a change costs what it does, one line per
/// costly item (its link, its alt text). Deletes, reposts and their undo
/// are counted in the cost line alone: their price never depends on the
/// tweet.
pub(crate) fn cost_marks(
    cost: Option<&crate::cost::Cost>,
    key: &str,
    tweet: &crate::plan::TweetChange,
) -> Vec<String> {
    use crate::cost::CostKind;
    match (cost, tweet.is_create()) {
        (Some(c), true) => c
            .marks(key, tweet.index)
            .filter(|i| matches!(i.kind, CostKind::CreateWithUrl | CostKind::AltText))
            .filter_map(|i| i.why.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// What to do about a post X refused for good.
pub(crate) const REFUSED_HELP: &str = "edit the post to try again";

/// Why a change is not sent: X refused this content before. Names the
/// tweet of a thread, with X's status and its own words.
pub(crate) fn refused_note(change: &Change) -> Option<String> {
    let r = change.refused.as_ref()?;
    let of = change.tweets.iter().filter(|t| !t.is_removal()).count();
    let tweet = if of > 1 {
        format!("tweet {} of {of}", r.index + 1)
    } else {
        format!("tweet {}", r.index + 1)
    };
    Some(format!(
        "X refused {tweet} ({}): {}",
        r.status,
        visible(&r.detail)
    ))
}

/// Everything a create sends besides its text, one line each, so that a
/// reviewer sees the poll, the media, the quoted tweet and the audience that
/// will go out, not only the words.
pub(crate) fn attributes(tweet: &Tweet) -> Vec<String> {
    attributes_with(tweet, tweet_url, true)
}

/// [`attributes`] without the media files, for an output that shows them
/// its own way (the Markdown plan shows the images themselves).
pub(crate) fn attributes_but_files(tweet: &Tweet) -> Vec<String> {
    attributes_with(tweet, tweet_url, false)
}

/// The order in which a plan lists what a tweet sends besides its text.
const SHOWN: [Field; 14] = [
    Field::Poll,
    Field::Media,
    Field::QuoteTweetId,
    Field::Reply,
    Field::ReplySettings,
    Field::Geo,
    Field::DirectMessageDeepLink,
    Field::CommunityId,
    Field::CardUri,
    Field::ForSuperFollowersOnly,
    Field::ShareWithFollowers,
    Field::MadeWithAi,
    Field::PaidPartnership,
    Field::Nullcast,
];

/// The lines a plan shows for what `tweet` sends besides its text, in the
/// order of [`SHOWN`]; `tweet_url` turns a tweet ID into the link shown.
fn attributes_with(tweet: &Tweet, tweet_url: impl Fn(&str) -> String, files: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for field in SHOWN {
        show(field, tweet, &tweet_url, files, &mut lines);
    }
    lines
}

/// How one field reads in a plan, if the tweet sets it.
fn show(
    field: Field,
    tweet: &Tweet,
    tweet_url: &dyn Fn(&str) -> String,
    files: bool,
    lines: &mut Vec<String>,
) {
    let ids = |ids: &[String]| ids.join(", ");
    let flag = |value: Option<bool>, name: &str, lines: &mut Vec<String>| match value {
        Some(true) => lines.push(name.to_string()),
        Some(false) => lines.push(format!("not {name}")),
        None => {}
    };
    match field {
        Field::Poll => {
            if let Some(poll) = &tweet.poll {
                let options: Vec<String> =
                    poll.options.iter().map(|o| format!("\"{o}\"")).collect();
                let minutes = i64::from(poll.duration_minutes);
                let parts = [
                    (minutes / 1440, "d"),
                    (minutes % 1440 / 60, "h"),
                    (minutes % 60, "m"),
                ];
                let duration: Vec<String> = parts
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, unit)| format!("{n}{unit}"))
                    .collect();
                let duration = duration.join(" ");
                lines.push(format!("poll: {} · open {duration}", options.join(" / ")));
            }
        }
        Field::Media => {
            if let Some(media) = &tweet.media {
                if !media.media_ids.is_empty() {
                    lines.push(format!("media: {}", ids(&media.media_ids)));
                }
                for file in media.files.iter().filter(|_| files) {
                    lines.push(media_line(file));
                    lines.push(alt_line(file));
                }
                if !media.tagged_user_ids.is_empty() {
                    lines.push(format!("tagged users: {}", ids(&media.tagged_user_ids)));
                }
            }
        }
        Field::QuoteTweetId => {
            if let Some(id) = &tweet.quote_tweet_id {
                lines.push(format!("quotes {}", tweet_url(id)));
            }
        }
        Field::Reply => {
            if let Some(reply) = &tweet.reply {
                lines.push(format!(
                    "replies to {}",
                    tweet_url(&reply.in_reply_to_tweet_id)
                ));
                if !reply.exclude_reply_user_ids.is_empty() {
                    lines.push(format!(
                        "leaves out of the reply: {}",
                        ids(&reply.exclude_reply_user_ids)
                    ));
                }
            }
        }
        Field::ReplySettings => {
            if let Some(settings) = tweet.reply_settings {
                lines.push(format!("who can reply: {}", settings.name()));
            }
        }
        Field::Geo => {
            if let Some(geo) = &tweet.geo {
                lines.push(format!("place: {}", geo.place_id));
            }
        }
        Field::DirectMessageDeepLink => {
            if let Some(link) = &tweet.direct_message_deep_link {
                lines.push(format!("DM link: {link}"));
            }
        }
        Field::CommunityId => {
            if let Some(id) = &tweet.community_id {
                lines.push(format!("community: {id}"));
            }
        }
        Field::CardUri => {
            if let Some(card) = &tweet.card_uri {
                lines.push(format!("card: {card}"));
            }
        }
        Field::ForSuperFollowersOnly => {
            flag(
                tweet.for_super_followers_only,
                "super followers only",
                lines,
            );
        }
        Field::ShareWithFollowers => {
            flag(
                tweet.share_with_followers,
                "shared with all followers",
                lines,
            );
        }
        Field::MadeWithAi => flag(tweet.made_with_ai, "made with AI", lines),
        Field::PaidPartnership => flag(tweet.paid_partnership, "paid partnership", lines),
        Field::Nullcast => flag(
            tweet.nullcast,
            "nullcast (not in the public timeline)",
            lines,
        ),
        // The text is shown as a block of its own, and members with their object.
        Field::Text
        | Field::MediaIds
        | Field::TaggedUserIds
        | Field::Options
        | Field::DurationMinutes
        | Field::InReplyToTweetId
        | Field::ExcludeReplyUserIds
        | Field::PlaceId
        | Field::Files
        | Field::File
        | Field::Alt => {}
    }
}

/// One media file as a plan lists it: what X will take it for, where it
/// is, and what the loader read of it.
/// `image media/chart.png · PNG 1200×675 · 84.2 KB`
pub(crate) fn media_line(file: &MediaFile) -> String {
    let Some(facts) = &file.facts else {
        return format!("file {}", file.path);
    };
    let class = match facts.class() {
        MediaClass::Image => "image",
        MediaClass::Gif => "GIF",
        MediaClass::Video => "video",
    };
    let mut line = format!("{class} {} · {}", file.path, facts.kind.name());
    if let (Some(w), Some(h)) = (facts.width, facts.height) {
        let _ = write!(line, " {w}×{h}");
    }
    if let Some(frames) = facts.frames.filter(|n| *n > 1) {
        let _ = write!(line, " · {frames} frames");
    }
    if let Some(ms) = facts.duration_ms {
        let _ = write!(line, " · {}.{} s", ms / 1000, ms % 1000 / 100);
    }
    let _ = write!(line, " · {}", size(facts.bytes));
    line
}

/// The alt text line under a media file.
pub(crate) fn alt_line(file: &MediaFile) -> String {
    match &file.alt {
        Some(alt) => format!("  alt: \"{alt}\""),
        None => "  no alt text".to_owned(),
    }
}

/// A size in X's units, whose media limits count a MB as 2^20 bytes.
pub(crate) fn size(bytes: u64) -> String {
    const KB: u64 = 1 << 10;
    const MB: u64 = 1 << 20;
    match bytes {
        0..KB => plural(bytes as usize, "byte", "bytes"),
        KB..MB => format!("{:.1} KB", bytes as f64 / KB as f64),
        _ => format!("{:.1} MB", bytes as f64 / MB as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_a_tweet_is_shown_or_is_its_text() {
        let mut shown = SHOWN.to_vec();
        shown.push(Field::Text);
        shown.sort();
        let mut all = crate::field::TWEET_FIELDS.to_vec();
        all.sort();
        assert_eq!(shown, all);
    }

    #[test]
    fn attributes_show_what_a_create_sends_besides_text() {
        use crate::post::{Poll, Reply, ReplySettings};
        let tweet = Tweet {
            poll: Some(Poll {
                options: vec!["yes".into(), "no".into()],
                duration_minutes: 1500,
            }),
            reply: Some(Reply {
                in_reply_to_tweet_id: "42".into(),
                exclude_reply_user_ids: vec![],
            }),
            reply_settings: Some(ReplySettings::MentionedUsers),
            made_with_ai: Some(true),
            ..Tweet::new("q")
        };
        assert_eq!(
            attributes(&tweet),
            [
                "poll: \"yes\" / \"no\" · open 1d 1h",
                "replies to https://x.com/i/status/42",
                "who can reply: mentionedUsers",
                "made with AI",
            ]
        );
        assert!(attributes(&Tweet::new("plain")).is_empty());
    }

    #[test]
    fn summary_line_lists_nonzero_counts_in_order() {
        let s = Summary {
            create: 2,
            append: 1,
            edit: 0,
            replace: 1,
            delete: 1,
            moved: 1,
            wait: 3,
            unchanged: 7,
            refused: 0,
        };
        assert_eq!(
            summary_line(&s),
            "Plan: 2 to create, 1 to append, 1 to replace, 1 to delete, 1 to move, 3 waiting."
        );
        let s = Summary {
            create: 2,
            delete: 1,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "Plan: 2 to create, 1 to delete.");
    }

    #[test]
    fn summary_line_without_changes_counts_posts() {
        let s = Summary {
            unchanged: 5,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "No changes. 5 posts up to date.");
        let s = Summary {
            unchanged: 1,
            wait: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "No changes. 1 post up to date, 2 waiting."
        );
        let s = Summary {
            unchanged: 1,
            refused: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&s),
            "No changes. 1 post up to date, 1 refused by X."
        );
        let s = Summary {
            create: 1,
            refused: 2,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "Plan: 1 to create, 2 refused by X.");
    }

    #[test]
    fn visible_escapes_terminal_controls_and_bidi() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(visible("line\nnext\ttab"), "line\nnext\ttab");
    }

    #[test]
    fn relative_times() {
        let t0: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        assert_eq!(relative(t0, at("2026-11-08T14:30:00Z")), "in 7d 14h");
        assert_eq!(relative(t0, at("2026-11-01T03:05:00Z")), "in 3h 5m");
        assert_eq!(relative(t0, at("2026-11-01T00:00:40Z")), "in 40s");
        assert_eq!(relative(t0, t0), "due now");
    }
}
