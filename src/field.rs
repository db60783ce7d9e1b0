//! The body fields of X's `POST /2/tweets`, listed once.
//!
//! A field's name, what it holds and how a plan shows it are facts about X's
//! API; before this table each of the model, the loader, the validator and
//! the renderer kept its own copy of them. Now the model's JSON names and
//! order, the loader's known fields and "did you mean" lists, the validator's
//! ID and attachment rules, and the positions of diagnostics
//! ([`FieldPath`]) all come from here, so a new field is one entry in
//! [`FIELDS`] plus the code that makes it special, if anything does. (The
//! plan's lines for what a tweet sends besides its text are worded in
//! [`crate::render`], which knows the model this table must not import.)
//!
//! The emulator keeps its own schema, derived from X's OpenAPI document, on
//! purpose: it checks what this table makes tweetform send.

use std::fmt;

/// A field of a tweet's body, or of one of its objects (`poll.options`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Text,
    Media,
    Poll,
    QuoteTweetId,
    Reply,
    ReplySettings,
    Geo,
    ForSuperFollowersOnly,
    DirectMessageDeepLink,
    CommunityId,
    MadeWithAi,
    PaidPartnership,
    CardUri,
    Nullcast,
    ShareWithFollowers,
    MediaIds,
    TaggedUserIds,
    Options,
    DurationMinutes,
    InReplyToTweetId,
    ExcludeReplyUserIds,
    PlaceId,
    Files,
    File,
    Alt,
}

/// What a field holds, which decides how the loader reads it and which
/// generic rules the validator applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Free text.
    Text,
    /// An X ID (`^[0-9]{1,19}$`), written quoted or as a plain integer.
    Id,
    /// A tweet: its ID, or a link to it, which the loader reduces to the
    /// ID ([`crate::tweet_link`]).
    Tweet,
    /// A list of IDs.
    Ids,
    /// A list of strings.
    Strings,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Count,
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// A list of mappings of the given fields.
    Items {
        fields: &'static [Field],
        example: &'static str,
    },
    /// A path to a file of the project.
    Path,
    /// A mapping of the given fields; `example` shows one in YAML.
    Object {
        fields: &'static [Field],
        example: &'static str,
    },
}

/// One row of the table.
#[derive(Debug)]
pub struct Spec {
    pub field: Field,
    /// The name in X's JSON and in post files.
    pub name: &'static str,
    /// The object the field belongs to; `None` for a field of the tweet.
    pub parent: Option<Field>,
    pub shape: Shape,
    /// X accepts at most one attachment per tweet.
    pub(crate) attachment: bool,
}

const fn spec(field: Field, name: &'static str, shape: Shape) -> Spec {
    Spec {
        field,
        name,
        parent: None,
        shape,
        attachment: false,
    }
}

const fn attachment(field: Field, name: &'static str, shape: Shape) -> Spec {
    Spec {
        attachment: true,
        ..spec(field, name, shape)
    }
}

const fn member(parent: Field, field: Field, name: &'static str, shape: Shape) -> Spec {
    Spec {
        parent: Some(parent),
        ..spec(field, name, shape)
    }
}

/// The values of X's `reply_settings`, with "everyone" (the field left out).
pub const REPLY_SETTINGS: [&str; 5] = [
    "everyone",
    "following",
    "mentionedUsers",
    "subscribers",
    "verified",
];

/// Every field, in [`Field`] order: the tweet's in the order X's schema and
/// the request body list them (the digest of a published tweet depends on
/// it), then the objects' members.
pub(crate) static FIELDS: [Spec; 25] = [
    spec(Field::Text, "text", Shape::Text),
    attachment(
        Field::Media,
        "media",
        Shape::Object {
            fields: &[Field::MediaIds, Field::TaggedUserIds, Field::Files],
            example: "a list of files, `media: [{ file: ../media/chart.png, alt: \"…\" }]`, or X's form, `media: { media_ids: [\"1455952740635586573\"] }`",
        },
    ),
    attachment(
        Field::Poll,
        "poll",
        Shape::Object {
            fields: &[Field::Options, Field::DurationMinutes],
            example: "`poll: { options: [\"yes\", \"no\"], duration_minutes: 60 }`",
        },
    ),
    attachment(Field::QuoteTweetId, "quote_tweet_id", Shape::Tweet),
    spec(
        Field::Reply,
        "reply",
        Shape::Object {
            fields: &[Field::InReplyToTweetId, Field::ExcludeReplyUserIds],
            example: "`reply: { in_reply_to_tweet_id: \"1455953449422516226\" }`",
        },
    ),
    spec(
        Field::ReplySettings,
        "reply_settings",
        Shape::Choice(&REPLY_SETTINGS),
    ),
    spec(
        Field::Geo,
        "geo",
        Shape::Object {
            fields: &[Field::PlaceId],
            example: "`geo: { place_id: \"5a110d312052166f\" }`",
        },
    ),
    spec(
        Field::ForSuperFollowersOnly,
        "for_super_followers_only",
        Shape::Bool,
    ),
    spec(
        Field::DirectMessageDeepLink,
        "direct_message_deep_link",
        Shape::Text,
    ),
    spec(Field::CommunityId, "community_id", Shape::Id),
    spec(Field::MadeWithAi, "made_with_ai", Shape::Bool),
    spec(Field::PaidPartnership, "paid_partnership", Shape::Bool),
    attachment(Field::CardUri, "card_uri", Shape::Text),
    spec(Field::Nullcast, "nullcast", Shape::Bool),
    spec(
        Field::ShareWithFollowers,
        "share_with_followers",
        Shape::Bool,
    ),
    member(Field::Media, Field::MediaIds, "media_ids", Shape::Ids),
    member(
        Field::Media,
        Field::TaggedUserIds,
        "tagged_user_ids",
        Shape::Ids,
    ),
    member(Field::Poll, Field::Options, "options", Shape::Strings),
    member(
        Field::Poll,
        Field::DurationMinutes,
        "duration_minutes",
        Shape::Count,
    ),
    member(
        Field::Reply,
        Field::InReplyToTweetId,
        "in_reply_to_tweet_id",
        Shape::Tweet,
    ),
    member(
        Field::Reply,
        Field::ExcludeReplyUserIds,
        "exclude_reply_user_ids",
        Shape::Ids,
    ),
    member(Field::Geo, Field::PlaceId, "place_id", Shape::Text),
    member(
        Field::Media,
        Field::Files,
        "files",
        Shape::Items {
            fields: &[Field::File, Field::Alt],
            example: "`- file: ../media/chart.png` with `alt: \"…\"` under it",
        },
    ),
    member(Field::Files, Field::File, "file", Shape::Path),
    member(Field::Files, Field::Alt, "alt", Shape::Text),
];

/// The fields of a tweet itself, in body order.
pub(crate) const TWEET_FIELDS: [Field; 15] = [
    Field::Text,
    Field::Media,
    Field::Poll,
    Field::QuoteTweetId,
    Field::Reply,
    Field::ReplySettings,
    Field::Geo,
    Field::ForSuperFollowersOnly,
    Field::DirectMessageDeepLink,
    Field::CommunityId,
    Field::MadeWithAi,
    Field::PaidPartnership,
    Field::CardUri,
    Field::Nullcast,
    Field::ShareWithFollowers,
];

impl Field {
    pub fn spec(self) -> &'static Spec {
        &FIELDS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn shape(self) -> Shape {
        self.spec().shape
    }

    /// The members of an object field, or of the items of a list of
    /// objects; empty for any other.
    pub(crate) fn members(self) -> &'static [Field] {
        match self.shape() {
            Shape::Object { fields, .. } | Shape::Items { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The field called `name` among `fields`.
    pub fn named(fields: &[Field], name: &str) -> Option<Field> {
        fields.iter().copied().find(|f| f.name() == name)
    }

    /// The names of `fields`, for messages and suggestions.
    pub fn names(fields: &[Field]) -> Vec<&'static str> {
        fields.iter().map(|f| f.name()).collect()
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in a tweet something is: the tweet itself, one of its fields, a
/// member of an object field, an item of a list (`poll.options[2]`), or a
/// field of such an item (`media.files[1].alt`). Diagnostics find their
/// position by it ([`Tweet::pos`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FieldPath {
    /// The tweet's own field; `None` for the tweet itself.
    field: Option<Field>,
    /// A member of `field` when that is an object.
    member: Option<Field>,
    /// An item of the list at `field` or `member`.
    index: Option<usize>,
    /// A field of that item.
    leaf: Option<Field>,
}

impl FieldPath {
    /// The tweet as a whole.
    pub(crate) const TWEET: FieldPath = FieldPath {
        field: None,
        member: None,
        index: None,
        leaf: None,
    };

    /// The path of a field of the tweet or of one of its objects.
    pub fn of(field: Field) -> FieldPath {
        match field.spec().parent {
            Some(parent) => match parent.spec().parent {
                // A field of a list's items, with no item chosen yet.
                Some(grandparent) => FieldPath {
                    field: Some(grandparent),
                    member: Some(parent),
                    leaf: Some(field),
                    ..FieldPath::TWEET
                },
                None => FieldPath {
                    field: Some(parent),
                    member: Some(field),
                    ..FieldPath::TWEET
                },
            },
            None => FieldPath {
                field: Some(field),
                ..FieldPath::TWEET
            },
        }
    }

    /// Field `leaf` of the item at this path: `media.files[1]` → `media.files[1].alt`.
    pub(crate) fn then(self, leaf: Field) -> FieldPath {
        FieldPath {
            leaf: Some(leaf),
            ..self
        }
    }

    /// Item `index` of the list at this path.
    pub fn at(self, index: usize) -> FieldPath {
        FieldPath {
            index: Some(index),
            ..self
        }
    }

    /// The path one step up: the list of an item, the object of a member,
    /// the tweet of a field; `None` for the tweet.
    pub fn parent(self) -> Option<FieldPath> {
        if self.leaf.is_some() {
            Some(FieldPath { leaf: None, ..self })
        } else if self.index.is_some() {
            Some(FieldPath {
                index: None,
                ..self
            })
        } else if self.member.is_some() {
            Some(FieldPath {
                member: None,
                ..self
            })
        } else if self.field.is_some() {
            Some(FieldPath::TWEET)
        } else {
            None
        }
    }
}

impl From<Field> for FieldPath {
    fn from(field: Field) -> Self {
        FieldPath::of(field)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(field) = self.field {
            f.write_str(field.name())?;
        }
        if let Some(member) = self.member {
            write!(f, ".{}", member.name())?;
        }
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        if let Some(leaf) = self.leaf {
            write!(f, ".{}", leaf.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_field_order() {
        for (i, spec) in FIELDS.iter().enumerate() {
            assert_eq!(spec.field as usize, i, "{}", spec.name);
        }
        for f in TWEET_FIELDS {
            assert_eq!(f.spec().parent, None, "{f}");
        }
        for spec in FIELDS.iter().filter(|s| s.parent.is_some()) {
            let parent = spec.parent.unwrap();
            assert!(parent.members().contains(&spec.field), "{}", spec.name);
        }
    }

    #[test]
    fn paths_print_and_climb_as_dotted_names() {
        let item = FieldPath::of(Field::Options).at(2);
        assert_eq!(item.to_string(), "poll.options[2]");
        let list = item.parent().unwrap();
        assert_eq!(list.to_string(), "poll.options");
        let object = list.parent().unwrap();
        assert_eq!(object, FieldPath::of(Field::Poll));
        assert_eq!(object.parent(), Some(FieldPath::TWEET));
        assert_eq!(FieldPath::TWEET.parent(), None);
        assert_eq!(FieldPath::TWEET.to_string(), "");
        assert_eq!(
            FieldPath::of(Field::CommunityId).to_string(),
            "community_id"
        );
    }

    #[test]
    fn the_request_body_uses_the_table_names_in_order() {
        use crate::post::{Geo, Media, Poll, Reply, ReplySettings, Tweet};
        let tweet = Tweet {
            media: Some(Media {
                media_ids: vec!["1".into()],
                tagged_user_ids: vec!["2".into()],
                files: Vec::new(),
            }),
            poll: Some(Poll {
                options: vec!["a".into()],
                duration_minutes: 5,
            }),
            quote_tweet_id: Some("3".into()),
            reply: Some(Reply {
                in_reply_to_tweet_id: "4".into(),
                exclude_reply_user_ids: vec!["5".into()],
            }),
            reply_settings: Some(ReplySettings::Following),
            geo: Some(Geo {
                place_id: "p".into(),
            }),
            for_super_followers_only: Some(false),
            direct_message_deep_link: Some("d".into()),
            community_id: Some("6".into()),
            made_with_ai: Some(true),
            paid_partnership: Some(false),
            card_uri: Some("c".into()),
            nullcast: Some(true),
            share_with_followers: Some(false),
            ..Tweet::new("t")
        };
        let body = tweet.request_body(None);
        let object = body.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, Field::names(&TWEET_FIELDS));
        for f in TWEET_FIELDS {
            let members: Vec<&str> = match &object[f.name()] {
                serde_json::Value::Object(m) => m.keys().map(String::as_str).collect(),
                _ => continue,
            };
            // `media.files` is tweetform's: the body carries their uploads' IDs.
            let sent: Vec<&str> = Field::names(f.members())
                .into_iter()
                .filter(|n| *n != "files")
                .collect();
            assert_eq!(members, sent, "{f}");
        }
    }

    #[test]
    fn a_field_of_a_list_item_has_a_path_of_its_own() {
        let alt = FieldPath::of(Field::Files).at(1).then(Field::Alt);
        assert_eq!(alt.to_string(), "media.files[1].alt");
        assert_eq!(alt.parent().unwrap().to_string(), "media.files[1]");
        assert_eq!(FieldPath::of(Field::Alt).to_string(), "media.files.alt");
        assert_eq!(
            FieldPath::of(Field::Files).parent(),
            Some(FieldPath::of(Field::Media))
        );
    }
}
