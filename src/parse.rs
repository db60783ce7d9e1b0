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
use crate::post::{Geo, Media, Poll, Pos, Post, Reply, ReplySettings, Tweet};
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
pub const POST_FIELDS: [&str; 2] = ["publish_at", "thread"];

pub(crate) static MEDIA_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| Field::names(Field::Media.members()));
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
    };
    if let Some((_, value)) = fields.get("publish_at") {
        post.publish_at_pos = Some(value.pos);
        post.publish_at = cx.timestamp(value);
    }
    if let Some((thread_pos, value)) = fields.get("thread") {
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

/// The fields of one mapping: name -> (key position, value).
type Fields<'a> = BTreeMap<String, (Pos, &'a Node)>;

/// Conversion context: the file for diagnostics and the errors so far.
struct Cx<'a> {
    file: &'a Path,
    errors: Vec<Problem>,
}

impl<'a> Cx<'a> {
    fn error(&mut self, pos: Pos, message: impl Into<String>, hint: impl Into<String>) {
        self.errors
            .push(Problem::at_pos(self.file, pos, message).with_help(hint));
    }

    /// Checks a mapping's keys: strings, known, each once. `context` names
    /// the mapping in messages (`""` for a tweet, `"poll."` for a poll).
    fn fields<'n>(
        &mut self,
        entries: &'n [(Node, Node)],
        allowed: &[&str],
        context: &str,
    ) -> Fields<'n> {
        let mut out: Fields<'n> = BTreeMap::new();
        for (key, value) in entries {
            let Kind::Str(name) = &key.kind else {
                self.error(
                    key.pos,
                    format!(
                        "a field name must be a string; found {}",
                        key.kind.describe()
                    ),
                    format!("use one of: {}", allowed.join(", ")),
                );
                continue;
            };
            if !allowed.contains(&name.as_str()) {
                let place = match context.trim_end_matches('.') {
                    "" => String::new(),
                    c => format!(" in `{c}`"),
                };
                let hint = match closest(name, allowed) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the fields here are: {}", allowed.join(", ")),
                };
                let hint = if context.starts_with("thread[") && name == "publish_at" {
                    "`publish_at` belongs to the whole post: put it at the top level, next to `thread:`".to_string()
                } else if context.starts_with("thread[") && name == "thread" {
                    "a thread cannot be nested: list every tweet directly under the top-level `thread:`".into()
                } else {
                    hint
                };
                self.error(key.pos, format!("unknown field `{name}`{place}"), hint);
                continue;
            }
            if let Some((first, _)) = out.get(name.as_str()) {
                let first = *first;
                self.error(
                    key.pos,
                    format!("duplicate field `{name}`"),
                    format!(
                        "`{name}` is already set at line {}, column {}: keep only one",
                        first.line, first.column
                    ),
                );
                continue;
            }
            out.insert(name.clone(), (key.pos, value));
        }
        out
    }

    fn mapping<'n>(
        &mut self,
        name: &str,
        node: &'n Node,
        allowed: &[&str],
        example: &str,
    ) -> Option<Fields<'n>> {
        match &node.kind {
            Kind::Map(entries) => Some(self.fields(entries, allowed, &format!("{name}."))),
            other => {
                self.error(
                    node.pos,
                    format!("`{name}` must be a mapping; found {}", other.describe()),
                    format!("write it as {example}"),
                );
                None
            }
        }
    }

    fn string(&mut self, name: &str, node: &Node) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            other => {
                let hint = match other {
                    Kind::Null => "write a value after the colon, or remove the field".to_string(),
                    Kind::Seq(_) | Kind::Map(_) => "write a single value on the same line".into(),
                    _ => "put the value in quotes to make it a string".into(),
                };
                self.error(
                    node.pos,
                    format!("`{name}`: expected a string, found {}", other.describe()),
                    hint,
                );
                None
            }
        }
    }

    /// An ID: a quoted string, or a plain integer (kept exactly). Whether it
    /// is well-formed (`^[0-9]{1,19}$`) is the validator's job.
    fn id(&mut self, name: &str, node: &Node) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(_) => {
                self.error(
                    node.pos,
                    format!("`{name}`: this number cannot be an ID exactly"),
                    "put the ID in quotes, e.g. \"1455953449422516226\"",
                );
                None
            }
            other => {
                self.error(
                    node.pos,
                    format!(
                        "`{name}`: expected an ID (a string of digits), found {}",
                        other.describe()
                    ),
                    "write the ID in quotes, e.g. \"1455953449422516226\"",
                );
                None
            }
        }
    }

    fn bool(&mut self, name: &str, node: &Node) -> Option<bool> {
        match &node.kind {
            Kind::Bool(b) => Some(*b),
            other => {
                self.error(
                    node.pos,
                    format!(
                        "`{name}`: expected true or false, found {}",
                        other.describe()
                    ),
                    format!("write `{name}: true` or `{name}: false`"),
                );
                None
            }
        }
    }

    /// A list of values, each converted by `item`; positions go to `spans`
    /// as `path[i]`.
    fn list(
        &mut self,
        field: Field,
        node: &Node,
        spans: &mut BTreeMap<FieldPath, Pos>,
        mut item: impl FnMut(&mut Self, &str, &Node) -> Option<String>,
    ) -> Vec<String> {
        let path = FieldPath::of(field);
        let Kind::Seq(items) = &node.kind else {
            self.error(
                node.pos,
                format!("`{path}` must be a list; found {}", node.kind.describe()),
                format!("write it as `[\"a\", \"b\"]` or as `- ` lines under `{path}:`"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, node) in items.iter().enumerate() {
            let p = path.at(i);
            spans.insert(p, node.pos);
            // A bad item keeps its place (as an empty value at its own
            // position) so that counts and indexes stay true for validation.
            out.push(item(self, &p.to_string(), node).unwrap_or_default());
        }
        out
    }

    fn timestamp(&mut self, node: &Node) -> Option<jiff::Timestamp> {
        let s = self.string("publish_at", node)?;
        let s = s.trim();
        match s.parse::<jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(e) => {
                let no_offset = s.parse::<jiff::civil::DateTime>().is_ok()
                    || s.parse::<jiff::civil::Date>().is_ok();
                if no_offset {
                    self.error(
                        node.pos,
                        format!("`publish_at` `{s}` has no UTC offset, so the instant is ambiguous"),
                        "add an offset: `2027-03-01T09:00:00Z` for UTC, or `2027-03-01T09:00:00+01:00`",
                    );
                } else {
                    self.error(
                        node.pos,
                        format!("`publish_at` is not an RFC 3339 time: {e}"),
                        "write it as `2027-03-01T09:00:00Z` or `2027-03-01T09:00:00+01:00`",
                    );
                }
                None
            }
        }
    }

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
                "quote_tweet_id" => t.quote_tweet_id = self.id(name, node),
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

    fn media(&mut self, node: &Node, spans: &mut BTreeMap<FieldPath, Pos>) -> Option<Media> {
        let f = self.mapping(
            "media",
            node,
            &MEDIA_FIELDS,
            "`media: { media_ids: [\"1455952740635586573\"] }`",
        )?;
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
        Some(media)
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
            reply.in_reply_to_tweet_id =
                self.id("reply.in_reply_to_tweet_id", v).unwrap_or_default();
        }
        if let Some((pos, v)) = f.get("exclude_reply_user_ids") {
            spans.insert(FieldPath::of(Field::ExcludeReplyUserIds), *pos);
            reply.exclude_reply_user_ids =
                self.list(Field::ExcludeReplyUserIds, v, spans, |cx, p, n| cx.id(p, n));
        }
        Some(reply)
    }
}
