//! Small adapters over serde-saphyr, shared by every YAML reader: error
//! locations and messages, and a positioned generic tree for user files.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::post::Pos;

/// Line and column (1-based) of a YAML error, when the parser knows them.
pub(crate) fn error_location(e: &serde_saphyr::Error) -> Option<(usize, usize)> {
    let loc = e.location()?;
    Some((loc.line() as usize, loc.column() as usize))
}

/// The error's message without the source snippet (we print our own
/// `file:line:column` prefix).
pub(crate) fn error_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    // The message may end with its own " at line X column Y"; keep the first line.
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    strip_location_suffix(first).to_string()
}

/// Drops a trailing " at line X, column Y": we print the position ourselves.
fn strip_location_suffix(s: &str) -> &str {
    if let Some(i) = s.rfind(" at line ") {
        let tail = &s[i + " at line ".len()..];
        if tail.contains("column")
            && tail
                .chars()
                .all(|c| c.is_ascii_digit() || ", column".contains(c))
        {
            return &s[..i];
        }
    }
    s
}

/// A YAML value with the position it was written at: the generic tree that
/// post files are read into before [`crate::load`] checks them field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub(crate) pos: Pos,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; duplicate keys are kept so that the caller can
    /// report each of them with its position.
    Map(Vec<(Node, Node)>),
}

impl Kind {
    /// What a user would call this kind of value, for "expected X, found Y".
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) | Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        Ok(Node {
            pos: pos_of(&spanned.referenced),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Kind, E> {
        Ok(i128::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Kind, E> {
        Ok(Kind::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
    }
}

fn pos_of(loc: &serde_saphyr::Location) -> Pos {
    if loc.line() == 0 {
        // Location unknown: the start of the file is the best we can say.
        return Pos { line: 1, column: 1 };
    }
    Pos {
        line: usize::try_from(loc.line()).unwrap_or(usize::MAX),
        column: usize::try_from(loc.column()).unwrap_or(usize::MAX).max(1),
    }
}

/// Parser settings for user-written files.
///
/// - Duplicate keys are passed through so that the loader reports every one
///   of them (with both positions) instead of stopping at the first.
/// - YAML 1.2 booleans only: a poll option `No` or `yes` stays a string.
/// - `0012` and `.inf` stay strings rather than turning into numbers.
/// - The budget is far below the library's defaults: a post is a handful of
///   values, so anything bigger is a mistake or an alias bomb, and must stop
///   within milliseconds.
pub(crate) fn user_file_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 200_000;
    budget.max_nodes = 100_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_depth = 32;
    budget.max_recorded_anchor_events = 5_000;
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = 5_000;
    alias_limits.max_replay_stack_depth = 16;
    alias_limits.max_alias_expansions_per_anchor = 1_000;
    serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: alias_limits,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::PassThrough,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
        with_snippet: false,
    }
}

/// Parses one YAML document into a positioned tree.
pub(crate) fn parse_node(text: &str) -> Result<Node, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options::<Node>(text, user_file_options())
}

/// A parse error in words a post author can act on, with a hint.
pub(crate) fn describe_error(e: &serde_saphyr::Error) -> (String, Option<String>) {
    use serde_saphyr::Error as E;
    let mut e = e.without_snippet();
    // An error met while replaying an alias wraps the real one.
    while let E::AliasError { error, .. } = e {
        e = error.without_snippet();
    }
    match e {
        E::MultipleDocuments { .. } => (
            "a second YAML document (`---`) in a post file".into(),
            Some(
                "a file holds one post: remove the `---` line or move the rest to its own file"
                    .into(),
            ),
        ),
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => (
            "the file is too large or too deeply nested once its YAML aliases are expanded".into(),
            Some(
                "write the values out instead of using YAML anchors (`&a`) and aliases (`*a`)"
                    .into(),
            ),
        ),
        _ => {
            let message = error_message(e);
            let hint = if message.contains("tab") {
                "indent with spaces: YAML does not allow tabs for indentation"
            } else if message.contains("quote") {
                "close the quote, or write a long text as a block: `text: |-` and the text indented on the next lines"
            } else if message.contains("mapping values are not allowed") {
                "a value containing `: ` must be quoted, or written as a block (`text: |-`)"
            } else {
                "check the YAML syntax at this position"
            };
            (message, Some(hint.into()))
        }
    }
}
