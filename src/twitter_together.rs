//! twitter-together's `.tweet` files, read as its parser
//! (`lib/common/parse-tweet-file-content.js`) reads them, and written as
//! tweetform posts.
//!
//! Teams come to tweetform with a repository of `.tweet` files that were
//! already published; a conversion that reads them differently from
//! twitter-together would describe tweets that never went out, and the
//! first `apply` would publish them again. So this module follows
//! twitter-together's rules to the letter (front matter only at the very
//! top, a thread split at the first delimiter line, poll options taken from
//! the last lines, `thread-delimiter` spelled as its code spells it) and
//! says, for each file, what it could not convert and why, at the line of
//! the `.tweet` file. No file system here: the caller reads the media files
//! (through [`ReadMedia`]) and writes the result. `post.rs` writes the post
//! and reads it back as tweetform will.

use crate::media_file::MediaFacts;
use crate::yaml::{Kind, Node};

mod post;

/// twitter-together gives every poll a day; the file cannot say otherwise.
const POLL_MINUTES: u32 = 1440;

/// A `.tweet` file as a tweetform post.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Converted {
    /// The post file's text (YAML).
    pub yaml: String,
    /// Front matter twitter-together ignores, dropped here as it was there.
    pub notes: Vec<Issue>,
}

/// Something about a line of a `.tweet` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    pub line: usize,
    pub message: String,
}

fn issue(line: usize, message: impl Into<String>) -> Issue {
    Issue {
        line,
        message: message.into(),
    }
}

/// One tweet of a `.tweet` file, as twitter-together understood it.
#[derive(Debug, Default)]
struct Tweet {
    /// Where the tweet starts in the file.
    line: usize,
    text: String,
    poll: Option<Vec<String>>,
    reply: Option<String>,
    retweet: Option<String>,
    /// File names under `media/` (normalised), alt text, line.
    media: Vec<(String, Option<String>, usize)>,
}

/// What the caller read of a media file (named relative to `media/`), or
/// why it could not.
pub(crate) type ReadMedia<'a> = &'a dyn Fn(&str) -> Result<MediaFacts, String>;

/// Converts the text of one `.tweet` file into the YAML of a tweetform
/// post, or says everything that stops it. `read_media` is asked about each
/// media file, so that the post is checked against X's media rules too.
pub(crate) fn convert(source: &str, read_media: ReadMedia<'_>) -> Result<Converted, Vec<Issue>> {
    // twitter-together splits on the platform's line ending (`\n` on the
    // runners that publish); a file saved with CRLF reads the same here.
    let source = source.replace("\r\n", "\n");
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let tweets = read_tweets(&source, &mut problems, &mut notes);
    if !problems.is_empty() {
        return Err(problems);
    }
    let (yaml, checked) = post::write(&tweets, read_media)?;
    notes.extend(checked);
    Ok(Converted { yaml, notes })
}

/// The whitespace JavaScript's `String.prototype.trim` removes.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// Reads the tweets of a file: each with its front matter, split at the
/// first thread delimiter, the rest read again as the next tweet
/// (twitter-together recurses; this loops, so a long thread cannot exhaust
/// the stack).
fn read_tweets(source: &str, problems: &mut Vec<Issue>, notes: &mut Vec<Issue>) -> Vec<Tweet> {
    let newlines: Vec<usize> = source.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |offset: usize| newlines.partition_point(|&n| n < offset) + 1;
    let mut tweets = Vec::new();
    let mut start = 0;
    loop {
        let is_thread = !tweets.is_empty();
        let rest = &source[start..];
        let trimmed = rest.trim_start_matches(is_js_space);
        let mut at = start + (rest.len() - trimmed.len());
        let end = at + trimmed.trim_end_matches(is_js_space).len();
        let mut tweet = Tweet {
            line: line_at(at),
            ..Tweet::default()
        };
        let mut delimiter = "---".to_string();
        if let Some((yaml_start, yaml_end, after)) = front_matter(&source[at..end]) {
            let front = FrontMatter::read(
                &source[at + yaml_start..at + yaml_end],
                line_at(at + yaml_start) - 1,
                problems,
                notes,
            );
            if is_thread && front.reply.is_some() {
                problems.push(issue(
                    tweet.line,
                    "`reply` in a tweet of a thread: twitter-together refuses it (\"Cannot set a tweet to reply to when in a thread\"), so it was never published",
                ));
            }
            if let Some(d) = front.delimiter {
                delimiter = d;
            }
            tweet.reply = front.reply;
            tweet.retweet = front.retweet;
            tweet.poll = front.poll;
            tweet.media = front.media;
            at += after;
        }
        let mut text_end = end;
        let mut next = None;
        if !delimiter.is_empty() {
            if delimiter.contains([
                '\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}',
            ]) {
                problems.push(issue(
                    tweet.line,
                    format!(
                        "`thread-delimiter: {delimiter}`: twitter-together reads the delimiter as a regular expression, which this conversion does not follow; convert this file by hand"
                    ),
                ));
            } else if let Some((cut, resume)) = thread_split(&source[at..end], &delimiter) {
                text_end = at + cut;
                next = Some(at + resume);
            }
        }
        let mut text = source[at..text_end].trim_matches(is_js_space).to_string();
        if tweet.poll.is_none() {
            let mut options = Vec::new();
            while let Some((option, shorter)) = last_poll_option(&text) {
                options.push(option);
                text = shorter;
            }
            if !options.is_empty() {
                options.reverse();
                tweet.poll = Some(options);
            }
        }
        tweet.text = text;
        check_tweet(&tweet, next.is_some(), is_thread, problems);
        tweets.push(tweet);
        match next {
            Some(n) => start = n,
            None => return tweets,
        }
    }
}

/// twitter-together's `^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:$|\n+)`: the
/// YAML's range and where the text after it starts.
fn front_matter(text: &str) -> Option<(usize, usize, usize)> {
    let after_dashes = text.strip_prefix("---")?;
    let spaces = after_dashes.len() - after_dashes.trim_start_matches([' ', '\t']).len();
    let yaml_start = 3 + spaces;
    if !text[yaml_start..].starts_with('\n') {
        return None;
    }
    let yaml_start = yaml_start + 1;
    let mut from = yaml_start;
    // The shortest YAML block that a closing line follows.
    while let Some(found) = text[from..].find("\n---") {
        let yaml_end = from + found;
        let after = &text[yaml_end + 4..];
        let rest = after.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some((yaml_start, yaml_end, text.len()));
        }
        if rest.starts_with('\n') {
            let body = rest.trim_start_matches('\n');
            return Some((yaml_start, yaml_end, text.len() - body.len()));
        }
        from = yaml_end + 1;
    }
    None
}

/// twitter-together's first match of `\n+DELIMITER[ \t]*\n+`: where the
/// tweet's text ends and where the next tweet starts.
fn thread_split(text: &str, delimiter: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\n' {
            i += 1;
            continue;
        }
        let run_end = i + bytes[i..].iter().take_while(|&&b| b == b'\n').count();
        // Greedy `\n+`, giving newlines back as a regular expression does.
        for k in (i + 1..=run_end).rev() {
            let Some(after) = text[k..].strip_prefix(delimiter) else {
                continue;
            };
            let after = after.trim_start_matches([' ', '\t']);
            if after.starts_with('\n') {
                let next = after.trim_start_matches('\n');
                return Some((i, text.len() - next.len()));
            }
        }
        i = run_end;
    }
    None
}

/// The last line of `text` when it is a poll option (`( ) Red`, `() Red`),
/// with the option and the text without that line.
fn last_poll_option(text: &str) -> Option<(String, String)> {
    let text = text.trim_matches(is_js_space);
    let (before, last) = match text.rfind('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => ("", text),
    };
    // `^\(\s?\)\s+`
    let rest = last.strip_prefix('(')?;
    let rest = match rest.chars().next() {
        Some(c) if is_js_space(c) => &rest[c.len_utf8()..],
        _ => rest,
    };
    let rest = rest.strip_prefix(')')?;
    let option = rest.trim_start_matches(is_js_space);
    if option.len() == rest.len() {
        return None;
    }
    Some((
        option.to_string(),
        before.trim_matches(is_js_space).to_string(),
    ))
}

/// What twitter-together takes from a tweet's front matter.
#[derive(Default)]
struct FrontMatter {
    delimiter: Option<String>,
    reply: Option<String>,
    retweet: Option<String>,
    poll: Option<Vec<String>>,
    media: Vec<(String, Option<String>, usize)>,
}

impl FrontMatter {
    /// `lines_before` is the line of the file just above the YAML.
    fn read(
        yaml: &str,
        lines_before: usize,
        problems: &mut Vec<Issue>,
        notes: &mut Vec<Issue>,
    ) -> FrontMatter {
        let mut front = FrontMatter::default();
        let line = |node: &Node| lines_before + node.pos.line;
        let root = match crate::yaml::parse_node(yaml) {
            Ok(root) => root,
            Err(e) => {
                let at = crate::yaml::error_location(&e).map_or(1, |(l, _)| l.max(1));
                problems.push(issue(
                    lines_before + at,
                    format!(
                        "the front matter is not valid YAML ({}): twitter-together stops at it, so this file was never published",
                        crate::yaml::error_message(&e)
                    ),
                ));
                return front;
            }
        };
        let Kind::Map(entries) = &root.kind else {
            if !matches!(root.kind, Kind::Null) {
                notes.push(issue(
                    lines_before + 1,
                    format!(
                        "the front matter is {}, not a mapping of settings: ignored, as twitter-together ignores it",
                        root.kind.describe()
                    ),
                ));
            }
            return front;
        };
        for (key, value) in entries {
            let Kind::Str(name) = &key.kind else {
                notes.push(issue(
                    line(key),
                    "a setting whose name is not text: ignored, as twitter-together ignores it",
                ));
                continue;
            };
            let ignored = |why: &str| {
                issue(
                    line(key),
                    format!("`{name}`: {why}; ignored, as twitter-together ignores it"),
                )
            };
            match (name.as_str(), &value.kind) {
                ("thread-delimiter", Kind::Str(d)) => front.delimiter = Some(d.clone()),
                ("reply" | "retweet", Kind::Str(link)) => {
                    if let Err(what) = crate::tweet_link::tweet_id(link) {
                        problems.push(issue(
                            line(value),
                            format!(
                                "`{name}`: {what} is not a link to a tweet (https://twitter.com/USER/status/ID)"
                            ),
                        ));
                    } else if !is_v3_link(link) {
                        notes.push(issue(
                            line(value),
                            format!(
                                "`{name}`: twitter-together 3 reads only links written https://twitter.com/USER/status/ID and ignores others (later versions read them): check on X that this tweet went out with its {name}"
                            ),
                        ));
                    }
                    if name == "reply" {
                        front.reply = Some(link.clone());
                    } else {
                        front.retweet = Some(link.clone());
                    }
                }
                ("reply" | "retweet", Kind::Int(_) | Kind::Float(_)) => problems.push(issue(
                    line(value),
                    format!(
                        "`{name}` is an unquoted number, which YAML readers round; write the tweet's link instead"
                    ),
                )),
                ("media", Kind::Seq(items)) => {
                    for item in items {
                        match media_item(item) {
                            Some((file, alt)) => front.media.push((file, alt, line(item))),
                            None => notes.push(issue(
                                line(item),
                                "a media item without `file:`: ignored, as twitter-together ignores it",
                            )),
                        }
                    }
                }
                ("poll", Kind::Seq(items)) => {
                    let mut options = Vec::new();
                    for item in items {
                        match &item.kind {
                            Kind::Str(s) => options.push(s.clone()),
                            other => notes.push(issue(
                                line(item),
                                format!(
                                    "a poll option that is {}: dropped, as twitter-together drops it (quote it to keep it)",
                                    other.describe()
                                ),
                            )),
                        }
                    }
                    front.poll = Some(options);
                }
                ("threadDelimiter", _) => notes.push(ignored(
                    "twitter-together's code reads `thread-delimiter`, not this spelling from its README",
                )),
                ("schedule", _) => notes.push(ignored(
                    "twitter-together published on merge whatever it said (tweetform's `publish_at` schedules)",
                )),
                ("thread-delimiter" | "reply" | "retweet" | "media" | "poll", other) => {
                    notes.push(ignored(&format!("{} where twitter-together reads only a {}", other.describe(), if name == "media" || name == "poll" { "list" } else { "string" })))
                }
                _ => notes.push(ignored("not a setting of twitter-together")),
            }
        }
        front
    }
}

/// Whether twitter-together 3's `^https://twitter\.com/[^/]+/status/(\d+)$`
/// matches `link`: the only links its `tweet.js` acts on.
fn is_v3_link(link: &str) -> bool {
    let Some(rest) = link.strip_prefix("https://twitter.com/") else {
        return false;
    };
    match rest.split_once("/status/") {
        Some((user, id)) => {
            !user.is_empty()
                && !user.contains('/')
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// `{file, alt}`, with `file` resolved as twitter-together's
/// `path.join(dir, "media", file)` would, relative to `media/`. A file
/// outside `media/` is `("..", _)`, refused by the caller.
fn media_item(item: &Node) -> Option<(String, Option<String>)> {
    let Kind::Map(entries) = &item.kind else {
        return None;
    };
    let get = |name: &str| {
        entries.iter().find_map(|(k, v)| match (&k.kind, &v.kind) {
            (Kind::Str(k), Kind::Str(v)) if k == name => Some(v.clone()),
            _ => None,
        })
    };
    let file = get("file")?;
    let mut parts: Vec<&str> = Vec::new();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some(("..".to_string(), get("alt")));
                }
            }
            p => parts.push(p),
        }
    }
    Some((parts.join("/"), get("alt")))
}

/// twitter-together's own refusals (`validateOptions`): a file it refused
/// was never published.
fn check_tweet(tweet: &Tweet, continues: bool, is_thread: bool, problems: &mut Vec<Issue>) {
    let refused = |why: &str| {
        issue(
            tweet.line,
            format!("twitter-together refuses this tweet (\"{why}\"), so it was never published"),
        )
    };
    let plain_retweet = tweet.retweet.is_some() && tweet.text.is_empty();
    if plain_retweet {
        if tweet.poll.is_some() {
            problems.push(refused("Cannot attach a poll to a retweet"));
        }
        if tweet.reply.is_some() {
            problems.push(refused("Cannot reply to a tweet with a retweet"));
        }
        if continues {
            problems.push(refused("Cannot create a thread from a retweet"));
        }
        if !tweet.media.is_empty() {
            problems.push(refused("Cannot attach media to a retweet"));
        }
        if is_thread && !continues {
            problems.push(issue(
                tweet.line,
                "a retweet without text at the end of a thread: tweetform writes a repost as a post of its own; move it to a file of its own",
            ));
        }
    }
    if let Some(poll) = &tweet.poll {
        let n = poll.len();
        if n > 4 {
            problems.push(refused(&format!(
                "Polls cannot have more than four options, found {n} options"
            )));
        } else if n < 2 {
            problems.push(refused(&format!(
                "Polls must have at least two options, found {n} options"
            )));
        }
    }
    for (file, _, line) in &tweet.media {
        if file == ".." || file.is_empty() {
            problems.push(issue(
                *line,
                "the media file is not inside `media/`: twitter-together refuses it (\"Media file should be within the media directory\")",
            ));
        }
    }
    if tweet.text.is_empty() && tweet.retweet.is_none() && tweet.media.is_empty() {
        problems.push(issue(
            tweet.line,
            "the tweet has no text (nor media, nor a retweet): X refuses it, so it was never published",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small PNG, whatever the name.
    fn png(_: &str) -> Result<MediaFacts, String> {
        Ok(MediaFacts {
            kind: crate::media_file::MediaKind::Png,
            bytes: 100,
            sha256: "sha256:00".into(),
            width: Some(10),
            height: Some(10),
            frames: None,
            duration_ms: None,
        })
    }

    fn convert(source: &str) -> Result<Converted, Vec<Issue>> {
        super::convert(source, &png)
    }

    fn yaml(source: &str) -> String {
        match convert(source) {
            Ok(c) => c.yaml,
            Err(e) => panic!("not converted: {e:?}"),
        }
    }

    fn refused(source: &str) -> Vec<Issue> {
        match convert(source) {
            Ok(c) => panic!("converted: {}", c.yaml),
            Err(e) => e,
        }
    }

    use std::path::Path;

    #[test]
    fn a_plain_tweet() {
        assert_eq!(yaml("Hello, world!\n"), "text: Hello, world!\n");
    }

    #[test]
    fn texts_that_yaml_would_misread_are_quoted() {
        for text in [
            "Good idea :)",
            "@gr2m I love your work!",
            "#hashtag first",
            "yes",
            "1234",
            "- not a list",
            "key: value",
            "\"quoted\" and 'single'",
            "emoji 🎉 and ünïcödé",
            "ends with a colon:",
            "{ not: a map }",
            "a # not a comment",
            "null",
            "~",
            "!tag",
            "%percent",
            "`backtick`",
            "*star*",
            "&anchor",
        ] {
            let post = yaml(text);
            let parsed = crate::parse::parse_post("k", Path::new("k.yaml"), post.as_bytes())
                .unwrap_or_else(|e| panic!("{text:?} -> {post}: {e:?}"));
            assert_eq!(parsed.tweets[0].text, text, "{post}");
        }
    }

    #[test]
    fn a_text_of_several_lines_is_a_block() {
        let text = "Line one: with a colon\n\n  indented # hash\nlast";
        let post = yaml(text);
        assert!(post.starts_with("text: |"), "{post}");
        let parsed = crate::parse::parse_post("k", Path::new("k.yaml"), post.as_bytes()).unwrap();
        assert_eq!(parsed.tweets[0].text, text);
    }

    #[test]
    fn the_text_is_trimmed_as_twitter_together_trims_it() {
        assert_eq!(yaml("\n\n  Hello  \n\n"), "text: Hello\n");
    }

    #[test]
    fn crlf_reads_as_lf() {
        assert_eq!(
            yaml("---\r\nreply: https://twitter.com/gr2m/status/1\r\n---\r\n\r\nHi\r\n"),
            "text: Hi\nreply:\n  in_reply_to_tweet_id: https://twitter.com/gr2m/status/1\n"
        );
    }

    #[test]
    fn a_poll_in_front_matter() {
        assert_eq!(
            yaml("---\npoll:\n- a\n- b\n---\n\nHello, world!\n"),
            "text: Hello, world!\npoll:\n  options:\n  - a\n  - b\n  duration_minutes: 1440\n"
        );
    }

    #[test]
    fn a_poll_in_the_body() {
        assert_eq!(
            yaml("Here is my poll\n\n( ) option 1\n() option 2\n( )  option 3\n()  option 4"),
            "text: Here is my poll\npoll:\n  options:\n  - option 1\n  - option 2\n  - option 3\n  - option 4\n  duration_minutes: 1440\n"
        );
    }

    #[test]
    fn only_trailing_option_lines_make_a_poll() {
        // `( ) a` in the middle stays text; `(x) b` is no option.
        let post = yaml("( ) a\nmiddle\n(x) b\n");
        assert_eq!(post, "text: |-\n  ( ) a\n  middle\n  (x) b\n");
    }

    #[test]
    fn a_front_matter_poll_leaves_option_lines_in_the_text() {
        let post = yaml("---\npoll: [a, b]\n---\nPick\n( ) c\n( ) d\n");
        assert!(
            post.starts_with("text: |-\n  Pick\n  ( ) c\n  ( ) d\n"),
            "{post}"
        );
        assert!(post.contains("  - a\n  - b\n"), "{post}");
    }

    #[test]
    fn polls_of_one_or_five_options_were_refused() {
        let e = refused("Pick\n( ) a\n");
        assert!(
            e[0].message.contains("at least two options, found 1"),
            "{e:?}"
        );
        let e = refused("Pick\n( ) a\n( ) b\n( ) c\n( ) d\n( ) e\n");
        assert!(
            e[0].message.contains("more than four options, found 5"),
            "{e:?}"
        );
        let e = refused("---\npoll: []\n---\nPick\n");
        assert!(e[0].message.contains("found 0 options"), "{e:?}");
    }

    #[test]
    fn non_text_poll_options_are_dropped_with_a_note() {
        let c = convert("---\npoll: [a, b, 3]\n---\nPick\n").unwrap();
        assert!(c.yaml.contains("  - a\n  - b\n  duration"), "{}", c.yaml);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].line, 2);
        assert!(c.notes[0].message.contains("a number"), "{:?}", c.notes);
    }

    #[test]
    fn a_reply() {
        assert_eq!(
            yaml(
                "---\nreply: https://twitter.com/gr2m/status/0000000000000000001\n---\n\nGood idea :)\n"
            ),
            "text: Good idea :)\nreply:\n  in_reply_to_tweet_id: https://twitter.com/gr2m/status/0000000000000000001\n"
        );
    }

    #[test]
    fn a_retweet_with_text_is_a_quote() {
        assert_eq!(
            yaml(
                "---\nretweet: https://twitter.com/m2rg/status/0000000000000000001\n---\n\nSmart thinking!\n"
            ),
            "text: Smart thinking!\nquote_tweet_id: https://twitter.com/m2rg/status/0000000000000000001\n"
        );
    }

    #[test]
    fn a_retweet_without_text_is_a_repost() {
        assert_eq!(
            yaml("---\nretweet: https://twitter.com/m2rg/status/0000000000000000001\n---\n"),
            "repost: https://twitter.com/m2rg/status/0000000000000000001\n"
        );
    }

    #[test]
    fn what_twitter_together_refuses_of_a_retweet() {
        let e = refused("---\nretweet: https://twitter.com/a/status/1\npoll: [a, b]\n---\n");
        assert!(
            e.iter()
                .any(|e| e.message.contains("Cannot attach a poll to a retweet"))
        );
        let e = refused(
            "---\nretweet: https://twitter.com/a/status/1\nreply: https://twitter.com/a/status/2\n---\n",
        );
        assert!(
            e.iter()
                .any(|e| e.message.contains("Cannot reply to a tweet with a retweet"))
        );
        // A delimiter right after the front matter has no newline before it, so
        // only a line of spaces leaves the retweet empty and splits the thread.
        let e = refused("---\nretweet: https://twitter.com/a/status/1\n---\n  \n---\n\nNext\n");
        assert!(
            e.iter()
                .any(|e| e.message.contains("Cannot create a thread from a retweet")),
            "{e:?}"
        );
    }

    #[test]
    fn links_that_name_no_tweet_are_refused() {
        let e = refused("---\nreply: https://twitter.com/gr2m\n---\nHi\n");
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("profile"), "{e:?}");
        let e = refused("---\nretweet: 1409601188362809349\n---\nHi\n");
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("unquoted number"), "{e:?}");
    }

    #[test]
    fn links_twitter_together_3_ignored_are_noted() {
        let c = convert("---\nretweet: https://x.com/jack/status/20\n---\nHi\n").unwrap();
        assert_eq!(
            c.yaml,
            "text: Hi\nquote_tweet_id: https://x.com/jack/status/20\n"
        );
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert_eq!(c.notes[0].line, 2);
        assert!(
            c.notes[0].message.contains("with its retweet"),
            "{:?}",
            c.notes
        );
        for link in [
            "https://twitter.com/jack/status/20?s=20",
            "https://twitter.com/i/web/status/20",
            "http://twitter.com/jack/status/20",
        ] {
            assert!(!is_v3_link(link), "{link}");
        }
        assert!(is_v3_link("https://twitter.com/jack/status/20"));
        assert!(is_v3_link("https://twitter.com/i/status/20"));
    }

    #[test]
    fn media_with_alt_text() {
        let c = convert("---\nmedia:\n  - file: blahaj.png\n    alt: Blahaj!\n  - file: ./more/../dog.jpg\n---\n\nCuddly :)\n").unwrap();
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(c.notes[0].message.contains("no alt text"), "{:?}", c.notes);
        assert_eq!(
            c.yaml,
            "text: Cuddly :)\nmedia:\n- file: /media/blahaj.png\n  alt: Blahaj!\n- file: /media/dog.jpg\n"
        );
    }

    #[test]
    fn media_the_caller_cannot_read_is_refused() {
        let missing = |_: &str| Err("no such file".to_string());
        let e = super::convert("---\nmedia:\n  - file: cat.png\n---\nHi\n", &missing).unwrap_err();
        assert_eq!(e, vec![issue(3, "`media/cat.png`: no such file")]);
    }

    #[test]
    fn media_x_would_refuse_is_refused() {
        let five =
            "---\nmedia:\n".to_string() + &"  - { file: a.png, alt: A }\n".repeat(5) + "---\nHi\n";
        let e = refused(&five);
        assert!(e[0].message.contains("tweetform refuses"), "{e:?}");
    }

    #[test]
    fn a_tweet_of_media_alone_has_no_text_field() {
        assert_eq!(
            yaml("---\nmedia:\n  - file: cat.png\n    alt: A cat\n---\n"),
            "media:\n- file: /media/cat.png\n  alt: A cat\n"
        );
    }

    #[test]
    fn media_outside_the_media_directory_was_refused() {
        let e = refused("---\nmedia:\n  - file: ../secret.png\n---\nHi\n");
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("within the media directory"), "{e:?}");
    }

    #[test]
    fn a_thread_with_front_matter_per_tweet() {
        let source = "---\nreply: https://twitter.com/gr2m/status/1\n---\n\nHere are some cute animals!\n\n---\n---\npoll:\n  - Cat\n  - Dog\n---\n\nWhich one is cuter?\n\n---\n\nThe end\n";
        assert_eq!(
            yaml(source),
            "thread:\n- text: Here are some cute animals!\n  reply:\n    in_reply_to_tweet_id: https://twitter.com/gr2m/status/1\n- text: Which one is cuter?\n  poll:\n    options:\n    - Cat\n    - Dog\n    duration_minutes: 1440\n- text: The end\n"
        );
    }

    #[test]
    fn delimiter_lines_may_end_in_spaces() {
        assert_eq!(
            yaml(
                "--- \nreply: https://twitter.com/gr2m/status/1\n--- \n\nHello, world!\n\n--- \n\nSecond Tweet!\n"
            ),
            "thread:\n- text: Hello, world!\n  reply:\n    in_reply_to_tweet_id: https://twitter.com/gr2m/status/1\n- text: Second Tweet!\n"
        );
    }

    #[test]
    fn a_custom_delimiter_applies_to_the_next_split() {
        let source = "---\nthread-delimiter: \"~~~\"\n---\nOne\n---\nstill one\n\n~~~\n\nTwo\n\n---\n\nThree\n";
        assert_eq!(
            yaml(source),
            "thread:\n- text: |-\n    One\n    ---\n    still one\n- text: Two\n- text: Three\n"
        );
    }

    #[test]
    fn the_readme_spelling_of_the_delimiter_is_ignored_with_a_note() {
        let c = convert("---\nthreadDelimiter: \"~~~\"\n---\nOne\n\n~~~\n\nstill one\n").unwrap();
        assert_eq!(c.yaml, "text: |-\n  One\n\n  ~~~\n\n  still one\n");
        assert!(
            c.notes[0].message.contains("thread-delimiter"),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn a_delimiter_read_as_a_regular_expression_is_not_followed() {
        let e = refused("---\nthread-delimiter: \"***\"\n---\nOne\n\n***\n\nTwo\n");
        assert!(e[0].message.contains("regular expression"), "{e:?}");
    }

    #[test]
    fn reply_inside_a_thread_was_refused() {
        let e = refused("One\n\n---\n---\nreply: https://twitter.com/a/status/1\n---\nTwo\n");
        assert_eq!(e[0].line, 4);
        assert!(
            e[0].message.contains("Cannot set a tweet to reply to"),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_settings_and_schedule_are_notes() {
        let c = convert("---\nschedule: 2020-01-01\nfoo: 1\n---\nHi\n").unwrap();
        assert_eq!(c.yaml, "text: Hi\n");
        let lines: Vec<usize> = c.notes.iter().map(|n| n.line).collect();
        assert_eq!(lines, vec![2, 3]);
        assert!(c.notes[0].message.contains("publish_at"));
    }

    #[test]
    fn broken_front_matter_was_never_published() {
        let e = refused("---\npoll: [a, b\n---\nHi\n");
        assert!(e[0].message.contains("not valid YAML"), "{e:?}");
    }

    #[test]
    fn a_text_too_long_for_x_is_refused_by_tweetform() {
        let e = refused(&"word ".repeat(60));
        assert!(e[0].message.contains("tweetform refuses"), "{e:?}");
        assert!(e[0].message.contains("characters long"), "{e:?}");
    }

    #[test]
    fn an_empty_file_has_no_tweet() {
        let e = refused("  \n\n");
        assert!(e[0].message.contains("no text"), "{e:?}");
    }

    #[test]
    fn a_long_thread_does_not_exhaust_the_stack() {
        let source = (0..3_000)
            .map(|i| format!("tweet {i}"))
            .collect::<Vec<_>>()
            .join("\n\n---\n\n");
        let c = convert(&source).unwrap();
        assert!(c.yaml.contains("- text: tweet 2999\n"));
    }

    proptest::proptest! {
        /// Whatever the text, the written post reads back as the same text
        /// (the conversion checks it and reports a mismatch as a bug).
        #[test]
        fn every_text_survives_the_yaml(text in "[a-z :#'\"@!&*%|>{}\\[\\],`~?\\-\t\n🎉é ]{1,120}") {
            match super::convert(&text, &png) {
                Ok(c) => {
                    let post = crate::parse::parse_post("k", Path::new("k.yaml"), c.yaml.as_bytes());
                    proptest::prop_assert!(post.is_ok() || c.yaml.starts_with("repost:"), "{}", c.yaml);
                }
                Err(issues) => {
                    for i in issues {
                        proptest::prop_assert!(!i.message.contains("bug"), "{text:?}: {}", i.message);
                    }
                }
            }
        }
    }
}
