//! Parsing one post file: bytes into the positioned YAML tree
//! ([`crate::yaml`]), and that tree into a [`Post`] with the position of
//! every field.
//!
//! This is apart from discovery ([`crate::load`]) because it needs no file
//! system: the planner's benches and `init`'s tests parse bytes directly.
//! The tree is walked by hand rather than through `#[derive(Deserialize)]`:
//!
//! - serde stops at the first error; walking the tree ourselves reports every
//!   unknown key, wrong type and duplicate key in a file in one run;
//! - every field's position is at hand, so `Tweet::spans` is filled for the
//!   validator without wrapping each field of the public model in `Spanned`;
//! - the messages are ours: "unknown field `txt`" with "did you mean `text`?",
//!   "expected a string, found a number" with "put it in quotes", instead of
//!   serde's generic wording.
//!
//! Errors in the bytes themselves (size, UTF-8, YAML syntax, alias bombs)
//! come first and stop the file, since there is no tree to walk.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use crate::field::{Field, FieldPath};
use crate::field_reader::{Cx, Fields};
use crate::post::{Geo, Media, MediaFile, Poll, Pos, Post, Reply, ReplySettings, Repost, Tweet};
use crate::problem::Problem;
use crate::suggest::closest;
use crate::yaml::{Kind, Node};

/// Post files larger than this are refused before they are read: a post is a
/// few hundred bytes, and the limit keeps a stray binary from being parsed.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The names of a tweet's fields, from [`crate::field`]'s table.
pub(crate) static TWEET_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(&crate::field::TWEET_FIELDS));

/// Fields that only make sense once per post, at the top level.
pub(crate) const POST_FIELDS: [&str; 3] = ["publish_at", "repost", "thread"];

pub(crate) static MEDIA_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Media.members()));
static MEDIA_FILE_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Files.members()));

const MEDIA_EXAMPLE: &str =
    "`media: [{ file: ../media/chart.png, alt: \"What the chart shows\" }]`";
static POLL_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Poll.members()));
static REPLY_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Reply.members()));
static GEO_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Geo.members()));

/// A diagnostic waiting for its file name.
pub(crate) struct Unlocated(pub(crate) Pos, pub(crate) String, pub(crate) String);

impl Unlocated {
    pub(crate) fn located(self, file: &Path) -> Problem {
        Problem::at_pos(file, self.0, self.1).with_help(self.2)
    }
}

pub(crate) fn too_large(size: u64) -> Unlocated {
    Unlocated(
        Pos { line: 1, column: 1 },
        format!("file is {size} bytes; post files are limited to 1 MiB"),
        "a post is a few tweets of text: is this the right file? Exclude it with `exclude:` in tweetform.yaml".into(),
    )
}

/// Parses one post file. `file` is the path shown in diagnostics.
///
/// Returns every problem found in the file, not only the first.
pub fn parse_post(key: &str, file: &Path, bytes: &[u8]) -> Result<Post, Vec<Problem>> {
    let start = Pos { line: 1, column: 1 };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(vec![too_large(bytes.len() as u64).located(file)]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // The prefix is valid UTF-8 by definition.
            let good = std::str::from_utf8(good).unwrap_or_default();
            let line = good.matches('\n').count() + 1;
            let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
            return Err(vec![
                Problem::at_pos(
                    file,
                    Pos { line, column },
                    format!(
                        "not valid UTF-8: byte 0x{byte:02X} at line {line}, column {column} (byte offset {})",
                        e.valid_up_to()
                    ),
                )
                .with_help("save the file as UTF-8"),
            ]);
        }
    };
    let empty = || {
        vec![
            Problem::at_pos(file, start, "empty file: no post here").with_help(
                "write `text: ...` for a tweet or `thread:` with a list of tweets (see examples/), or delete the file",
            ),
        ]
    };
    if text.trim().is_empty() {
        return Err(empty());
    }
    let root = match crate::yaml::parse_node(text) {
        Ok(node) => node,
        Err(e) => {
            let (line, column) = crate::yaml::error_location(&e).unwrap_or((1, 1));
            let (message, hint) = crate::yaml::describe_error(&e);
            let d = Problem::at_pos(
                file,
                Pos {
                    line: line.max(1),
                    column: column.max(1),
                },
                message,
            );
            return Err(vec![match hint {
                Some(hint) => d.with_help(hint),
                None => d,
            }]);
        }
    };

    let mut cx = Cx {
        file,
        errors: Vec::new(),
    };
    let entries = match &root.kind {
        Kind::Map(entries) => entries,
        Kind::Null => return Err(empty()),
        other => {
            let hint = if matches!(other, Kind::Seq(_)) {
                "for a thread, write `thread:` on the first line and indent the list under it"
            } else {
                "start with `text: ...` for a tweet or `thread:` for a thread (see examples/)"
            };
            cx.error(
                root.pos,
                format!(
                    "the top level must be a mapping of fields such as `text:`; found {}",
                    other.describe()
                ),
                hint,
            );
            return Err(cx.errors);
        }
    };

    let fields = cx.fields(entries, &[&TWEET_FIELDS[..], &POST_FIELDS[..]].concat(), "");
    let mut post = Post {
        key: key.to_string(),
        file: file.to_path_buf(),
        publish_at: None,
        publish_at_pos: None,
        is_thread: false,
        tweets: Vec::new(),
        repost: None,
    };
    if let Some((_, value)) = fields.get("publish_at") {
        post.publish_at_pos = Some(value.pos);
        post.publish_at = cx.timestamp(value);
    }
    if let Some((_, value)) = fields.get("repost") {
        // A repost is the other tweet as it is: nothing of ours goes with it.
        for (name, (pos, _)) in &fields {
            if name != "repost" && name != "publish_at" {
                cx.error(
                    *pos,
                    format!("`{name}` cannot sit next to `repost:`"),
                    "a repost shares someone's tweet as it is: to add words, quote it in a post of its own with `quote_tweet_id:`",
                );
            }
        }
        if let Some(tweet_id) = cx.tweet_ref("repost", value) {
            post.repost = Some(Repost {
                tweet_id,
                pos: value.pos,
            });
        }
    } else if let Some((thread_pos, value)) = fields.get("thread") {
        post.is_thread = true;
        for (name, (pos, _)) in &fields {
            if TWEET_FIELDS.contains(&name.as_str()) {
                cx.error(
                    *pos,
                    format!("`{name}` cannot sit next to `thread:`"),
                    "move it into one of the thread's tweets (indent it under a `- ` entry)",
                );
            }
        }
        match &value.kind {
            Kind::Seq(items) => {
                if items.is_empty() {
                    cx.error(
                        *thread_pos,
                        "empty thread: `thread:` has no tweets",
                        "add tweets as `- text: ...` entries under `thread:`",
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    match &item.kind {
                        Kind::Map(entries) => {
                            let prefix = format!("thread[{i}].");
                            let fields = cx.fields(entries, &TWEET_FIELDS, &prefix);
                            post.tweets.push(cx.tweet(item.pos, &fields));
                        }
                        other => {
                            cx.error(
                                item.pos,
                                format!(
                                    "thread entry {} must be a mapping of tweet fields; found {}",
                                    i + 1,
                                    other.describe()
                                ),
                                "write each tweet as `- text: ...`",
                            );
                            // Keeps the later tweets' numbers right.
                            post.tweets.push(cx.tweet(item.pos, &Fields::new()));
                        }
                    }
                }
            }
            Kind::Null => cx.error(
                *thread_pos,
                "empty thread: `thread:` has no tweets",
                "add tweets as `- text: ...` entries under `thread:`",
            ),
            other => cx.error(
                value.pos,
                format!(
                    "`thread` must be a list of tweets; found {}",
                    other.describe()
                ),
                "write each tweet as `- text: ...` on its own line under `thread:`",
            ),
        }
    } else {
        post.tweets.push(cx.tweet(root.pos, &fields));
    }

    if cx.errors.is_empty() {
        return Ok(post);
    }
    // The post is left out, but its other problems are still worth knowing
    // in the same run: validate what could be read. A rule that fires on a
    // line that already has an error is most likely a consequence of it (a
    // `text: 12` that is not a string also leaves the tweet without text),
    // so those are dropped.
    let mut errors = cx.errors;
    let lines: std::collections::BTreeSet<usize> = errors.iter().map(|d| d.position().1).collect();
    errors.extend(
        crate::validate::validate_post(&post)
            .into_iter()
            .filter(|d| !lines.contains(&d.position().1)),
    );
    errors.sort_by_key(|d| {
        let (_, line, column) = d.position();
        (line, column)
    });
    Err(errors)
}

impl Cx<'_> {
    /// Builds one tweet from its checked fields; `pos` is the tweet's mapping.
    fn tweet(&mut self, pos: Pos, fields: &Fields<'_>) -> Tweet {
        let mut t = Tweet::default();
        t.spans.insert(FieldPath::TWEET, pos);
        for (name, (key_pos, node)) in fields {
            let node: &Node = node;
            let name = name.as_str();
            // Scalars point at their value; collections at their key, which
            // is where a reader looks for "the poll".
            let is_collection = matches!(node.kind, Kind::Map(_) | Kind::Seq(_));
            if let Some(field) = Field::named(&crate::field::TWEET_FIELDS, name) {
                t.spans.insert(
                    FieldPath::of(field),
                    if is_collection { *key_pos } else { node.pos },
                );
            }
            match name {
                "text" => {
                    if let Some(s) = self.string(name, node) {
                        t.text = s;
                    }
                }
                "media" => t.media = self.media(node, &mut t.spans),
                "poll" => t.poll = self.poll(*key_pos, node, &mut t.spans),
                "quote_tweet_id" => t.quote_tweet_id = self.tweet_ref(name, node),
                "reply" => t.reply = self.reply(node, &mut t.spans),
                "reply_settings" => {
                    if let Some(s) = self.string(name, node) {
                        match ReplySettings::parse(&s) {
                            Ok(v) => t.reply_settings = v,
                            Err(()) => {
                                let hint = match closest(&s, &ReplySettings::NAMES) {
                                    Some(c) => format!("did you mean `{c}`?"),
                                    None => {
                                        format!("use one of: {}", ReplySettings::NAMES.join(", "))
                                    }
                                };
                                self.error(
                                    node.pos,
                                    format!("unknown `reply_settings` value `{s}`"),
                                    hint,
                                );
                            }
                        }
                    }
                }
                "geo" => {
                    if let Some(f) = self.mapping(
                        name,
                        node,
                        &GEO_FIELDS,
                        "`geo: { place_id: \"5a110d312052166f\" }`",
                    ) {
                        match f.get("place_id") {
                            Some((_, v)) => {
                                t.spans.insert(FieldPath::of(Field::PlaceId), v.pos);
                                if let Some(place_id) = self.string("geo.place_id", v) {
                                    t.geo = Some(Geo { place_id });
                                }
                            }
                            None => self.error(
                                *key_pos,
                                "`geo` needs a `place_id`",
                                "add `place_id: \"...\"` under `geo:`",
                            ),
                        }
                    }
                }
                "for_super_followers_only" => t.for_super_followers_only = self.bool(name, node),
                "direct_message_deep_link" => t.direct_message_deep_link = self.string(name, node),
                "community_id" => t.community_id = self.id(name, node),
                "made_with_ai" => t.made_with_ai = self.bool(name, node),
                "paid_partnership" => t.paid_partnership = self.bool(name, node),
                "card_uri" => t.card_uri = self.string(name, node),
                "nullcast" => t.nullcast = self.bool(name, node),
                "share_with_followers" => t.share_with_followers = self.bool(name, node),
                // `publish_at` and `thread` are post-level, handled by the caller.
                _ => {}
            }
        }
        t
    }

    /// `media:` is a list of files (the common case), or X's own mapping
    /// with `media_ids`, `tagged_user_ids` and, for tagging users in
    /// uploaded files, `files`.
    fn media(&mut self, node: &Node, spans: &mut BTreeMap<FieldPath, Pos>) -> Option<Media> {
        if matches!(node.kind, Kind::Seq(_)) {
            return Some(Media {
                files: self.media_files(node, spans),
                ..Media::default()
            });
        }
        let f = self.mapping("media", node, &MEDIA_FIELDS, MEDIA_EXAMPLE)?;
        let mut media = Media::default();
        if let Some((pos, v)) = f.get("media_ids") {
            spans.insert(FieldPath::of(Field::MediaIds), *pos);
            media.media_ids = self.list(Field::MediaIds, v, spans, |cx, p, n| cx.id(p, n));
        }
        if let Some((pos, v)) = f.get("tagged_user_ids") {
            spans.insert(FieldPath::of(Field::TaggedUserIds), *pos);
            media.tagged_user_ids =
                self.list(Field::TaggedUserIds, v, spans, |cx, p, n| cx.id(p, n));
        }
        if let Some((pos, v)) = f.get("files") {
            spans.insert(FieldPath::of(Field::Files), *pos);
            media.files = self.media_files(v, spans);
        }
        Some(media)
    }

    /// A list of `{file, alt}` mappings, or of bare paths.
    fn media_files(&mut self, node: &Node, spans: &mut BTreeMap<FieldPath, Pos>) -> Vec<MediaFile> {
        let path = FieldPath::of(Field::Files);
        let Kind::Seq(items) = &node.kind else {
            self.error(
                node.pos,
                format!("`{path}` must be a list; found {}", node.kind.describe()),
                format!("write each file as an item: {MEDIA_EXAMPLE}"),
            );
            return Vec::new();
        };
        let mut files = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = path.at(i);
            spans.insert(at, item.pos);
            let name = at.to_string();
            let (file, alt) = match &item.kind {
                Kind::Str(_) => (Some((item.pos, item)), None),
                Kind::Map(_) => {
                    let Some(f) = self.mapping(&name, item, &MEDIA_FILE_FIELDS, MEDIA_EXAMPLE)
                    else {
                        continue;
                    };
                    if !f.contains_key("file") {
                        self.error(
                            item.pos,
                            format!("`{name}` names no `file`"),
                            "add `file: ../media/picture.png` (relative to this post's file, or `/media/…` from the project root)",
                        );
                    }
                    (
                        f.get("file").map(|(_, v)| (v.pos, *v)),
                        f.get("alt").map(|(_, v)| (v.pos, *v)),
                    )
                }
                other => {
                    self.error(
                        item.pos,
                        format!("`{name}` must be a file; found {}", other.describe()),
                        format!("write it as {MEDIA_EXAMPLE}"),
                    );
                    continue;
                }
            };
            let mut media_file = MediaFile::default();
            if let Some((pos, v)) = file {
                spans.insert(at.then(Field::File), pos);
                if let Some(written) = self.string(&format!("{name}.file"), v) {
                    media_file.path = self.project_path(pos, &written).unwrap_or_default();
                }
            }
            if let Some((pos, v)) = alt {
                spans.insert(at.then(Field::Alt), pos);
                media_file.alt = self.string(&format!("{name}.alt"), v);
            }
            files.push(media_file);
        }
        files
    }

    /// `written` (relative to this post's file, or from the project root
    /// when it starts with `/`) as a path from the project root, worked
    /// out from the names alone: a path that climbs out of the project is
    /// refused here, and one that leaves it through a link by the loader.
    fn project_path(&mut self, pos: Pos, written: &str) -> Option<String> {
        let trimmed = written.trim();
        if trimmed.is_empty() {
            self.error(
                pos,
                "empty file name",
                "write the file's path, e.g. `../media/picture.png`",
            );
            return None;
        }
        let (mut parts, rest): (Vec<&str>, &str) = match trimmed.strip_prefix('/') {
            Some(rest) => (Vec::new(), rest),
            None => {
                let dir = self.file.parent().unwrap_or(Path::new(""));
                let parts = dir
                    .components()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(s) => s.to_str(),
                        _ => None,
                    })
                    .collect();
                (parts, trimmed)
            }
        };
        for part in rest.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        self.error(
                            pos,
                            format!("`{written}` is outside the project"),
                            "keep media inside the repository, e.g. in `media/`, and write its path relative to this post's file or from the project root as `/media/…`",
                        );
                        return None;
                    }
                }
                p => parts.push(p),
            }
        }
        if parts.is_empty() {
            self.error(
                pos,
                format!("`{written}` names the project's root, not a file"),
                "write the file's path, e.g. `../media/picture.png`",
            );
            return None;
        }
        Some(parts.join("/"))
    }

    fn poll(
        &mut self,
        key_pos: Pos,
        node: &Node,
        spans: &mut BTreeMap<FieldPath, Pos>,
    ) -> Option<Poll> {
        let f = self.mapping(
            "poll",
            node,
            &POLL_FIELDS,
            "`poll: { options: [\"yes\", \"no\"], duration_minutes: 60 }`",
        )?;
        let mut poll = Poll::default();
        match f.get("options") {
            Some((pos, v)) => {
                spans.insert(FieldPath::of(Field::Options), *pos);
                poll.options = self.list(Field::Options, v, spans, |cx, p, n| cx.string(p, n));
            }
            None => {
                self.error(
                    key_pos,
                    "`poll` needs `options`",
                    "add `options: [\"yes\", \"no\"]` under `poll:`",
                );
            }
        }
        match f.get("duration_minutes") {
            Some((_, v)) => {
                spans.insert(FieldPath::of(Field::DurationMinutes), v.pos);
                match &v.kind {
                    // Out-of-range values are kept (saturated) so that the
                    // validator reports them with the allowed range.
                    Kind::Int(i) => {
                        poll.duration_minutes =
                            u32::try_from(*i).unwrap_or(if *i < 0 { 0 } else { u32::MAX })
                    }
                    other => {
                        self.error(
                            v.pos,
                            format!("`poll.duration_minutes`: expected a whole number of minutes, found {}", other.describe()),
                            "write a number from 5 to 10080 (7 days), e.g. `duration_minutes: 1440`",
                        );
                    }
                }
            }
            None => {
                self.error(
                    key_pos,
                    "`poll` needs `duration_minutes`",
                    "add `duration_minutes: 1440` (5 to 10080) under `poll:`",
                );
            }
        }
        Some(poll)
    }

    fn reply(&mut self, node: &Node, spans: &mut BTreeMap<FieldPath, Pos>) -> Option<Reply> {
        let f = self.mapping(
            "reply",
            node,
            &REPLY_FIELDS,
            "`reply: { in_reply_to_tweet_id: \"1455953449422516226\" }`",
        )?;
        let mut reply = Reply::default();
        if let Some((_, v)) = f.get("in_reply_to_tweet_id") {
            spans.insert(FieldPath::of(Field::InReplyToTweetId), v.pos);
            reply.in_reply_to_tweet_id = self
                .tweet_ref("reply.in_reply_to_tweet_id", v)
                .unwrap_or_default();
        }
        if let Some((pos, v)) = f.get("exclude_reply_user_ids") {
            spans.insert(FieldPath::of(Field::ExcludeReplyUserIds), *pos);
            reply.exclude_reply_user_ids =
                self.list(Field::ExcludeReplyUserIds, v, spans, |cx, p, n| cx.id(p, n));
        }
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::edit_distance;

    fn parse(src: &str) -> Result<Post, Vec<Problem>> {
        parse_post("k", Path::new("posts/k.yaml"), src.as_bytes())
    }

    fn errors(src: &str) -> Vec<Problem> {
        match parse(src) {
            Ok(p) => panic!("expected errors, parsed {p:?}"),
            Err(e) => e,
        }
    }

    fn at(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    /// Where the loader put the field printed as `path` (`poll.options[1]`).
    fn span(t: &Tweet, path: &str) -> Pos {
        let found = t.spans.iter().find(|(p, _)| p.to_string() == path);
        *found.unwrap_or_else(|| panic!("no span at {path:?}")).1
    }

    fn parse_at(file: &str, src: &str) -> Result<Post, Vec<Problem>> {
        parse_post("k", Path::new(file), src.as_bytes())
    }

    #[test]
    fn media_files_are_listed_with_alt_text_and_paths_from_the_project_root() {
        let post = parse_at(
            "posts/2026/launch.yaml",
            "text: out now\nmedia:\n  - file: ../../media/plan.png\n    alt: The plan comment\n  - /media/chart.png\n  - file: ./shots/a.gif\n",
        )
        .unwrap();
        let t = &post.tweets[0];
        let files = t.media_files();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "media/plan.png",
                "media/chart.png",
                "posts/2026/shots/a.gif"
            ]
        );
        assert_eq!(files[0].alt.as_deref(), Some("The plan comment"));
        assert_eq!(files[1].alt, None);
        assert_eq!(span(t, "media.files[0].file"), at(3, 11));
        assert_eq!(span(t, "media.files[0].alt"), at(4, 10));
        assert_eq!(span(t, "media.files[1]"), at(5, 5));
        assert!(t.media.as_ref().unwrap().media_ids.is_empty());
    }

    #[test]
    fn x_form_of_media_takes_files_beside_tagged_users() {
        let post = parse(
            "text: hi\nmedia:\n  files: [{ file: a.png, alt: A }]\n  tagged_user_ids: [\"12\"]\n",
        )
        .unwrap();
        let media = post.tweets[0].media.as_ref().unwrap();
        assert_eq!(media.files[0].path, "posts/a.png");
        assert_eq!(media.tagged_user_ids, ["12"]);
    }

    #[test]
    fn media_paths_that_leave_the_project_or_name_nothing_are_refused_where_written() {
        let e = errors("text: hi\nmedia:\n  - file: ../../secret.png\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message(), "`../../secret.png` is outside the project");
        assert_eq!(e[0].position().1, 3);
        assert_eq!(e[0].position().2, 11);
        assert!(e[0].help().unwrap().contains("media/"));
        let e = errors(
            "text: hi\nmedia:\n  - file: \"\"\n  - alt: no file\n  - 3\n  - file: a.png\n    atl: typo\n",
        );
        let messages: Vec<&str> = e.iter().map(|p| p.message()).collect();
        assert_eq!(
            messages,
            [
                "empty file name",
                "`media.files[1]` names no `file`",
                "`media.files[2]` must be a file; found a number",
                "unknown field `atl` in `media.files[3]`",
            ]
        );
        assert_eq!(e[3].help(), Some("did you mean `alt`?"));
        let e = errors("text: hi\nmedia:\n  - file: ..\n");
        assert_eq!(e[0].message(), "`..` names the project's root, not a file");
        let e = errors("text: hi\nmedia: picture.png\n");
        assert!(
            e[0].message().starts_with("`media` must be a mapping"),
            "{}",
            e[0].message()
        );
        assert!(e[0].help().unwrap().contains("file: ../media/chart.png"));
    }

    #[test]
    fn single_tweet_with_every_field() {
        let post = parse(
            r#"publish_at: 2027-01-01T09:00:00+01:00
text: hello
media:
  media_ids: ["1", 2]
  tagged_user_ids: ["3"]
poll:
  options: [Yes, No]
  duration_minutes: 60
quote_tweet_id: "4"
reply:
  in_reply_to_tweet_id: "5"
  exclude_reply_user_ids: ["6"]
reply_settings: mentionedUsers
geo: { place_id: 5a110d312052166f }
for_super_followers_only: true
direct_message_deep_link: https://x.com/messages/compose?recipient_id=7
community_id: "8"
made_with_ai: false
paid_partnership: true
card_uri: card://9
nullcast: false
share_with_followers: true
"#,
        )
        .unwrap();
        assert_eq!(post.key, "k");
        assert_eq!(post.file, Path::new("posts/k.yaml"));
        assert!(!post.is_thread);
        assert_eq!(
            post.publish_at,
            Some("2027-01-01T08:00:00Z".parse().unwrap())
        );
        assert_eq!(post.publish_at_pos, Some(at(1, 13)));
        let t = &post.tweets[0];
        assert_eq!(t.text, "hello");
        let media = t.media.as_ref().unwrap();
        assert_eq!(media.media_ids, ["1", "2"]);
        assert_eq!(media.tagged_user_ids, ["3"]);
        let poll = t.poll.as_ref().unwrap();
        assert_eq!(poll.options, ["Yes", "No"]);
        assert_eq!(poll.duration_minutes, 60);
        assert_eq!(t.quote_tweet_id.as_deref(), Some("4"));
        let reply = t.reply.as_ref().unwrap();
        assert_eq!(reply.in_reply_to_tweet_id, "5");
        assert_eq!(reply.exclude_reply_user_ids, ["6"]);
        assert_eq!(t.reply_settings, Some(ReplySettings::MentionedUsers));
        assert_eq!(t.geo.as_ref().unwrap().place_id, "5a110d312052166f");
        assert_eq!(t.for_super_followers_only, Some(true));
        assert_eq!(
            t.direct_message_deep_link.as_deref(),
            Some("https://x.com/messages/compose?recipient_id=7")
        );
        assert_eq!(t.community_id.as_deref(), Some("8"));
        assert_eq!(t.made_with_ai, Some(false));
        assert_eq!(t.paid_partnership, Some(true));
        assert_eq!(t.card_uri.as_deref(), Some("card://9"));
        assert_eq!(t.nullcast, Some(false));
        assert_eq!(t.share_with_followers, Some(true));

        assert_eq!(span(t, ""), at(1, 1));
        assert_eq!(span(t, "text"), at(2, 7));
        assert_eq!(span(t, "media"), at(3, 1));
        assert_eq!(span(t, "media.media_ids[1]"), at(4, 20));
        assert_eq!(span(t, "poll"), at(6, 1));
        assert_eq!(span(t, "poll.options"), at(7, 3));
        assert_eq!(span(t, "poll.options[1]"), at(7, 18));
        assert_eq!(span(t, "poll.duration_minutes"), at(8, 21));
        assert_eq!(span(t, "reply.in_reply_to_tweet_id"), at(11, 25));
        assert_eq!(span(t, "reply.exclude_reply_user_ids[0]"), at(12, 28));
    }

    #[test]
    fn thread_with_spans_per_tweet() {
        let post = parse(
            "publish_at: 2027-01-01T00:00:00Z\nthread:\n  - text: one\n    reply: { in_reply_to_tweet_id: \"1\" }\n  - text: two\n",
        )
        .unwrap();
        assert!(post.is_thread);
        assert_eq!(post.tweets.len(), 2);
        assert_eq!(span(&post.tweets[0], ""), at(3, 5));
        assert_eq!(post.tweets[1].text, "two");
        assert_eq!(span(&post.tweets[1], "text"), at(5, 11));
        assert!(post.tweets[1].reply.is_none());
    }

    #[test]
    fn a_thread_of_one_is_still_a_thread() {
        let post = parse("thread:\n  - text: only\n").unwrap();
        assert!(post.is_thread);
        assert_eq!(post.tweets.len(), 1);
    }

    #[test]
    fn reply_settings_everyone_is_left_out() {
        let post = parse("text: hi\nreply_settings: everyone\n").unwrap();
        assert_eq!(post.tweets[0].reply_settings, None);
        assert!(
            post.tweets[0]
                .request_body(None)
                .get("reply_settings")
                .is_none()
        );
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings_and_leading_zeros_stay() {
        let post = parse(
            "text: no\npoll: { options: [yes, off], duration_minutes: 5 }\nquote_tweet_id: 0012\n",
        )
        .unwrap();
        let t = &post.tweets[0];
        assert_eq!(t.text, "no");
        assert_eq!(t.poll.as_ref().unwrap().options, ["yes", "off"]);
        assert_eq!(t.quote_tweet_id.as_deref(), Some("0012"));
    }

    #[test]
    fn unknown_key_suggests_the_closest_field() {
        let e = errors("txt: hello\n");
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].position().1, e[0].position().2), (1, 1));
        assert_eq!(e[0].message(), "unknown field `txt`");
        assert_eq!(e[0].help(), Some("did you mean `text`?"));
        assert_eq!(
            e[0].to_string().lines().next(),
            Some("posts/k.yaml:1:1: unknown field `txt`")
        );

        let e = errors("text: a\npoll:\n  option: [a, b]\n  duration_minutes: 5\n");
        assert!(
            e.iter()
                .any(|d| d.message() == "unknown field `option` in `poll`"
                    && d.help() == Some("did you mean `options`?")
                    && (d.position().1, d.position().2) == (3, 3))
        );

        let e = errors("text: a\nzzzzzzzz: 1\n");
        assert!(
            e[0].help()
                .unwrap()
                .starts_with("the fields here are: text, media")
        );
    }

    #[test]
    fn duplicate_keys_are_each_reported() {
        let e = errors("text: a\ntext: b\nmedia: { media_ids: [\"1\"], media_ids: [\"2\"] }\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].message(), "duplicate field `text`");
        assert_eq!((e[0].position().1, e[0].position().2), (2, 1));
        assert!(e[0].help().unwrap().contains("line 1, column 1"));
        assert_eq!(e[1].message(), "duplicate field `media_ids`");
    }

    #[test]
    fn every_problem_in_a_file_is_reported() {
        let e = errors("txt: a\ntext: 1\nnullcast: maybe\ngeo: {}\nreply_settings: all\n");
        let msgs: Vec<_> = e.iter().map(|d| (d.position().1, d.message())).collect();
        assert_eq!(
            msgs,
            [
                (1, "unknown field `txt`"),
                (2, "`text`: expected a string, found a number"),
                (3, "`nullcast`: expected true or false, found a string"),
                (4, "`geo` needs a `place_id`"),
                (5, "unknown `reply_settings` value `all`"),
            ]
        );
        assert_eq!(
            e[1].help(),
            Some("put the value in quotes to make it a string")
        );
    }

    #[test]
    fn a_file_with_parse_errors_still_gets_its_rules_checked() {
        let e = errors(&format!(
            "txt: typo\ntext: {}\npoll:\n  options:\n    - a\n    - 2\n  duration_minutes: 1\n",
            "a".repeat(281)
        ));
        let msgs: Vec<_> = e.iter().map(|d| (d.position().1, d.message())).collect();
        assert_eq!(
            msgs,
            [
                (1, "unknown field `txt`"),
                (
                    2,
                    "text is 281 characters long as X counts them; the limit is 280"
                ),
                (6, "`poll.options[1]`: expected a string, found a number"),
                (7, "the poll lasts 1 minute; X allows 5 to 10080 (7 days)"),
            ]
        );
        // A consequence of an error on the same line is not reported twice.
        let e = errors("text: 12\n");
        assert_eq!(e.len(), 1);
        let e =
            errors("thread:\n  - hello\n  - text: b\n    reply: { in_reply_to_tweet_id: \"1\" }\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[1].message().starts_with("tweet 2 of the thread: `reply`"));
    }

    #[test]
    fn publish_at_needs_an_offset() {
        let e = errors("publish_at: 2027-01-01T09:00:00\ntext: hi\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 13));
        assert!(
            e[0].message().contains("no UTC offset"),
            "{}",
            e[0].message()
        );
        assert!(e[0].help().unwrap().contains("Z"));
        let e = errors("publish_at: 2027-01-01\ntext: hi\n");
        assert!(e[0].message().contains("no UTC offset"));
        let e = errors("publish_at: tomorrow\ntext: hi\n");
        assert!(
            e[0].message()
                .starts_with("`publish_at` is not an RFC 3339 time")
        );
        let e = errors("thread:\n  - text: a\n    publish_at: 2027-01-01T00:00:00Z\n");
        assert!(e[0].help().unwrap().contains("top level"));
    }

    #[test]
    fn empty_and_comment_only_files() {
        for src in ["", "  \n\n", "# just a comment\n"] {
            let e = errors(src);
            assert_eq!(e[0].message(), "empty file: no post here");
            assert_eq!((e[0].position().1, e[0].position().2), (1, 1));
        }
    }

    #[test]
    fn non_utf8_names_the_first_bad_byte() {
        let e = parse_post(
            "k",
            Path::new("posts/k.yaml"),
            b"text: ok\ntext2: caf\xe9\n",
        )
        .unwrap_err();
        assert_eq!((e[0].position().1, e[0].position().2), (2, 11));
        assert!(e[0].message().contains("0xE9"), "{}", e[0].message());
        assert!(e[0].message().contains("byte offset 19"));
    }

    #[test]
    fn files_over_one_mebibyte_are_refused() {
        let big = vec![b' '; (MAX_FILE_BYTES + 1) as usize];
        let e = parse_post("k", Path::new("posts/k.yaml"), &big).unwrap_err();
        assert!(e[0].message().contains("limited to 1 MiB"));
    }

    #[test]
    fn alias_bomb_stops_quickly_with_an_error() {
        let mut src = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            src.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let started = std::time::Instant::now();
        let e = errors(&src);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(e[0].message().contains("aliases"), "{}", e[0].message());
        assert!(e[0].position().1 > 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for src in [
            format!("text: {}", "[".repeat(100_000)),
            format!("text: {}{}", "[".repeat(5_000), "]".repeat(5_000)),
            "a:\n".to_string()
                + &(1..2_000)
                    .map(|i| format!("{}b:\n", " ".repeat(i)))
                    .collect::<String>(),
        ] {
            let e = errors(&src);
            assert!(e[0].position().1 >= 1);
        }
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let e = errors("- text: a\n- text: b\n");
        assert!(e[0].message().ends_with("found a list"));
        assert!(e[0].help().unwrap().contains("thread:"));
        let e = errors("just words\n");
        assert!(e[0].message().ends_with("found a string"));
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = errors("text: [a, b]\n");
        assert_eq!(e[0].message(), "`text`: expected a string, found a list");
        let e = errors("text: a\npoll: yes\n");
        assert_eq!(e[0].message(), "`poll` must be a mapping; found a string");
        let e = errors("text: a\npoll: { options: [a, 2], duration_minutes: soon }\n");
        assert_eq!(
            e[0].message(),
            "`poll.options[1]`: expected a string, found a number"
        );
        assert_eq!((e[0].position().1, e[0].position().2), (2, 22));
        assert!(e[1].message().contains("whole number of minutes"));
        let e = errors("text: a\nquote_tweet_id: 12345678901234567890123\n");
        assert!(e[0].help().unwrap().contains("quotes"));
        let e = errors("text: a\nmedia: { media_ids: \"1\" }\n");
        assert_eq!(
            e[0].message(),
            "`media.media_ids` must be a list; found a string"
        );
        let e = errors("text: a\n1: b\n");
        assert!(e[0].message().starts_with("a field name must be a string"));
    }

    #[test]
    fn a_tweet_is_named_by_its_link_or_its_id() {
        let by_id = parse("text: a\nquote_tweet_id: \"20\"\nreply: { in_reply_to_tweet_id: 21 }\n")
            .unwrap();
        let by_link = parse(
            "text: a\nquote_tweet_id: https://x.com/jack/status/20?s=46\nreply: { in_reply_to_tweet_id: \"https://mobile.twitter.com/i/web/status/21/photo/1\" }\n",
        )
        .unwrap();
        let (id, link) = (&by_id.tweets[0], &by_link.tweets[0]);
        assert_eq!(link.quote_tweet_id.as_deref(), Some("20"));
        assert_eq!(link.reply.as_ref().unwrap().in_reply_to_tweet_id, "21");
        // The link is gone once read: X gets the ID, and the post is the same.
        assert_eq!(link.request_body(None), id.request_body(None));
        assert_eq!(link.digest(), id.digest());
        assert_eq!(by_link.digests(), by_id.digests());
    }

    #[test]
    fn what_names_no_tweet_is_refused_at_the_value() {
        let e = errors(
            "text: a\nquote_tweet_id: https://x.com/jack\nreply:\n  in_reply_to_tweet_id: \"12345678901234567890\"\n",
        );
        let found: Vec<_> = e
            .iter()
            .map(|d| (d.position().1, d.position().2, d.message()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    17,
                    "`quote_tweet_id`: expected an ID of 1 to 19 digits or a link to a tweet such as https://x.com/USER/status/ID; found a link to a profile, not to a tweet"
                ),
                (
                    4,
                    25,
                    "`reply.in_reply_to_tweet_id`: expected an ID of 1 to 19 digits or a link to a tweet such as https://x.com/USER/status/ID; found an ID of 20 digits"
                ),
            ]
        );
        assert!(e[0].help().unwrap().contains("Copy link"));
        for (value, found) in [
            (
                "https://example.com/a/status/1",
                "a link to example.com, not to X",
            ),
            (
                "https://x.com/jack/status/",
                "a link with no tweet ID after `status/`",
            ),
            ("-4", "`-4`"),
            ("[1]", "a list"),
            ("true", "a boolean"),
        ] {
            let e = errors(&format!("text: a\nquote_tweet_id: {value}\n"));
            assert!(
                e[0].message().ends_with(&format!("; found {found}")),
                "{value}: {}",
                e[0].message()
            );
            assert_eq!((e[0].position().1, e[0].position().2), (2, 17), "{value}");
        }
    }

    #[test]
    fn a_repost_names_its_tweet_by_link_or_id_and_stands_alone() {
        let by_link = parse("repost: https://x.com/jack/status/20?s=21\n").unwrap();
        let by_id = parse("publish_at: 2027-01-01T00:00:00Z\nrepost: \"20\"\n").unwrap();
        let repost = by_link.repost.as_ref().unwrap();
        assert_eq!((repost.tweet_id.as_str(), repost.pos), ("20", at(1, 9)));
        assert!(by_link.tweets.is_empty());
        assert_eq!(by_id.repost.as_ref().unwrap().tweet_id, "20");
        assert_eq!(by_link.digests(), by_id.digests());
        assert_eq!(by_link.digests(), ["repost:20"]);

        let e = errors("repost: https://example.com/status/20\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].to_string().contains("`repost`: expected an ID"),
            "{}",
            e[0]
        );
        assert_eq!(e[0].position().1, 1);

        let e = errors("text: my words\nrepost: \"20\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].to_string()
                .contains("`text` cannot sit next to `repost:`"),
            "{}",
            e[0]
        );
        let e = errors("repost: \"20\"\nthread:\n  - text: a\n");
        assert!(e.iter().any(|d| {
            d.to_string()
                .contains("`thread` cannot sit next to `repost:`")
        }));
    }

    #[test]
    fn poll_needs_options_and_duration() {
        let e = errors("text: a\npoll: {}\n");
        let msgs: Vec<_> = e.iter().map(|d| d.message()).collect();
        assert_eq!(
            msgs,
            ["`poll` needs `options`", "`poll` needs `duration_minutes`"]
        );
    }

    #[test]
    fn thread_shape_errors() {
        let e = errors("text: a\nthread:\n  - text: b\n");
        assert_eq!(e[0].message(), "`text` cannot sit next to `thread:`");
        let e = errors("thread: []\n");
        assert_eq!(e[0].message(), "empty thread: `thread:` has no tweets");
        let e = errors("thread:\n");
        assert_eq!(e[0].message(), "empty thread: `thread:` has no tweets");
        let e = errors("thread:\n  - hello\n");
        assert!(
            e[0].message()
                .starts_with("thread entry 1 must be a mapping")
        );
        let e = errors("thread: hello\n");
        assert!(e[0].message().starts_with("`thread` must be a list"));
        let e = errors("thread:\n  - thread: []\n");
        assert!(e[0].help().unwrap().contains("cannot be nested"));
    }

    #[test]
    fn syntax_errors_and_extra_documents_have_positions() {
        let e = errors("text: \"unterminated\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 7));
        assert!(!e[0].message().contains("at line"), "{}", e[0].message());
        let e = errors("text: a\n---\ntext: b\n");
        assert_eq!(e[0].position().1, 3);
        assert!(e[0].message().contains("second YAML document"));
    }

    #[test]
    fn common_yaml_mistakes_get_a_specific_hint() {
        let e = errors("text: Note: a colon\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 11));
        assert!(e[0].help().unwrap().contains("quoted"));
        let e = errors("poll:\n\toptions: [a, b]\n");
        assert_eq!(e[0].position().1, 2);
        assert!(e[0].help().unwrap().contains("spaces"));
    }

    #[test]
    fn crlf_line_endings_are_fine() {
        let post = parse("text: |-\r\n  one\r\n  two\r\nnullcast: true\r\n").unwrap();
        assert_eq!(post.tweets[0].text, "one\ntwo");
        assert_eq!(span(&post.tweets[0], "nullcast"), at(4, 11));
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let post = parse("\u{feff}text: hi\n").unwrap();
        assert_eq!(post.tweets[0].text, "hi");
    }

    #[test]
    fn closest_name() {
        assert_eq!(closest("txt", &TWEET_FIELDS), Some("text"));
        assert_eq!(closest("quote_id", &TWEET_FIELDS), None);
        assert_eq!(
            closest("quote_tweet", &TWEET_FIELDS),
            Some("quote_tweet_id")
        );
        assert_eq!(closest("Nullcast", &TWEET_FIELDS), Some("nullcast"));
        assert_eq!(closest("media_id", &MEDIA_FIELDS), Some("media_ids"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn yamlish() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("text".to_string()),
            Just("thread".to_string()),
            Just("poll".to_string()),
            Just("options".to_string()),
            Just("media".to_string()),
            Just("media_ids".to_string()),
            Just("publish_at".to_string()),
            Just("reply".to_string()),
            Just(": ".to_string()),
            Just(":".to_string()),
            Just("\n".to_string()),
            Just("\n  ".to_string()),
            Just("- ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("<<: ".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("|\n  ".to_string()),
            Just("---\n".to_string()),
            Just("!!str ".to_string()),
            Just("# c\n".to_string()),
            Just("? ".to_string()),
            Just("~".to_string()),
            Just("123".to_string()),
            Just("2027-01-01T00:00:00Z".to_string()),
            "[a-zA-Z0-9 _é🧵]{0,8}",
        ];
        proptest::collection::vec(token, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_post("k", Path::new("posts/k.yaml"), &bytes);
        }

        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
            let _ = parse_post("k", Path::new("posts/k.yaml"), src.as_bytes());
        }

        #[test]
        fn arbitrary_yamlish_text_never_panics(src in yamlish()) {
            let started = std::time::Instant::now();
            match parse_post("k", Path::new("posts/k.yaml"), src.as_bytes()) {
                Ok(post) => { let _ = crate::validate::validate_post(&post); }
                Err(diags) => {
                    prop_assert!(!diags.is_empty());
                    for d in diags {
                        prop_assert!(d.position().1 >= 1 && d.position().2 >= 1);
                    }
                }
            }
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }

    }

    proptest! {
        // Each case parses until the alias budget is spent: fewer cases.
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn nested_alias_bombs_return_an_error(width in 2usize..12, depth in 4usize..12) {
            let mut src = String::from("a0: &a0 [x]\n");
            for d in 1..=depth {
                let refs = vec![format!("*a{}", d - 1); width].join(", ");
                src.push_str(&format!("a{d}: &a{d} [{refs}]\n"));
            }
            let started = std::time::Instant::now();
            let result = parse_post("k", Path::new("posts/k.yaml"), src.as_bytes());
            prop_assert!(result.is_err());
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
}
