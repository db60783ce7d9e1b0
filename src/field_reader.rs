//! Reading one YAML node as the value a field expects, and saying what is
//! wrong when it is not one.
//!
//! Apart from [`crate::parse`], which knows the shape of a post, because
//! these rules are about YAML values and not about tweets: a key is a
//! string, known and given once; a string is not a number, an ID is not a
//! float, a time has an offset. Every mistake is collected with its position
//! and what to do, so that one run reports all of a file's problems.

use std::collections::BTreeMap;
use std::path::Path;

use crate::field::{Field, FieldPath};
use crate::post::Pos;
use crate::problem::Problem;
use crate::suggest::closest;
use crate::yaml::{Kind, Node};

/// The fields of one mapping: name -> (key position, value).
pub(crate) type Fields<'a> = BTreeMap<String, (Pos, &'a Node)>;

/// Conversion context: the file for diagnostics and the errors so far.
pub(crate) struct Cx<'a> {
    pub(crate) file: &'a Path,
    pub(crate) errors: Vec<Problem>,
}

impl<'a> Cx<'a> {
    pub(crate) fn error(&mut self, pos: Pos, message: impl Into<String>, hint: impl Into<String>) {
        self.errors
            .push(Problem::at_pos(self.file, pos, message).with_help(hint));
    }

    /// Checks a mapping's keys: strings, known, each once. `context` names
    /// the mapping in messages (`""` for a tweet, `"poll."` for a poll).
    pub(crate) fn fields<'n>(
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

    pub(crate) fn mapping<'n>(
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

    pub(crate) fn string(&mut self, name: &str, node: &Node) -> Option<String> {
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
    pub(crate) fn id(&mut self, name: &str, node: &Node) -> Option<String> {
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

    /// A tweet named by its ID or its link, reduced to the ID
    /// ([`crate::tweet_link`]); anything else is refused here, at the value.
    /// A refused value is kept as written, so that the validator still sees
    /// the field (an attachment, a reply) and adds nothing but consequences
    /// on this line, which are not reported twice.
    pub(crate) fn tweet_ref(&mut self, name: &str, node: &Node) -> Option<String> {
        let (found, kept) = match &node.kind {
            Kind::Str(_) | Kind::Int(_) | Kind::Float(_) => {
                let value = self.id(name, node)?;
                match crate::tweet_link::tweet_id(&value) {
                    Ok(id) => return Some(id.to_owned()),
                    Err(found) => (found.to_string(), Some(value)),
                }
            }
            other => (other.describe().to_string(), None),
        };
        self.error(
            node.pos,
            format!(
                "`{name}`: expected an ID of 1 to 19 digits or a link to a tweet such as https://x.com/USER/status/ID; found {found}"
            ),
            "copy the tweet's link from X (Share, then Copy link) or write its ID in quotes, e.g. \"1455953449422516226\"",
        );
        kept
    }

    pub(crate) fn bool(&mut self, name: &str, node: &Node) -> Option<bool> {
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
    pub(crate) fn list(
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

    pub(crate) fn timestamp(&mut self, node: &Node) -> Option<jiff::Timestamp> {
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
}
