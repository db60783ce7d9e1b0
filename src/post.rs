//! The post model: what a file under `posts/` asks to exist on X.
//!
//! A [`Tweet`] mirrors X's `CreatePostsRequest` body field for field, so that
//! serialising it gives exactly the JSON that `POST /2/tweets` expects: no
//! nulls, no unknown fields, and `reply_settings: everyone` left out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::field::{Field, FieldPath, TWEET_FIELDS};

/// A position in a source file, 1-based, as editors count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// One post: a single tweet or a thread, loaded from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// Path under `posts/` without the extension, with `/` separators: `2026/launch`.
    pub key: String,
    /// The file as the user would type it, relative to the project root: `posts/2026/launch.yaml`.
    pub file: PathBuf,
    /// Before this instant the post waits.
    pub publish_at: Option<jiff::Timestamp>,
    /// Where `publish_at` was written, for diagnostics.
    pub publish_at_pos: Option<Pos>,
    /// True when the file used `thread:`, even with a single entry.
    pub is_thread: bool,
    /// The tweets in order; a single tweet is a thread of one. Empty for
    /// a repost.
    pub tweets: Vec<Tweet>,
    /// `repost:`: someone's tweet to repost instead of tweets of our own.
    pub repost: Option<Repost>,
}

/// A repost of someone's tweet, named by its ID (a link is reduced to it
/// when the file is read, like every field that names a tweet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repost {
    pub tweet_id: String,
    /// Where `repost:` was written, for diagnostics.
    pub pos: Pos,
}

impl Repost {
    /// What the planner compares a repost by: its target, in a form no
    /// tweet's `sha256:` digest can take.
    pub fn digest(&self) -> String {
        repost_digest(&self.tweet_id)
    }
}

/// The digest of a repost of `tweet_id`.
pub fn repost_digest(tweet_id: &str) -> String {
    format!("repost:{tweet_id}")
}

/// One tweet: the body of `POST /2/tweets`, as the user declared it.
///
/// For the second and later tweets of a thread, `reply` is filled in by the
/// executor at publication time (it needs the previous tweet's ID), so it is
/// never part of the declared tweet nor of its digest.
///
/// Its JSON names and their order come from [`crate::field`]'s table (see
/// the `Serialize` impl below).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tweet {
    /// Always sent, even empty: X's backend rejects an absent text (see the
    /// schema's note on `CreatePostsRequest.text`).
    pub text: String,
    pub media: Option<Media>,
    pub poll: Option<Poll>,
    pub quote_tweet_id: Option<String>,
    pub reply: Option<Reply>,
    /// `None` means everyone may reply (YAML `everyone` loads as `None`).
    pub reply_settings: Option<ReplySettings>,
    pub geo: Option<Geo>,
    pub for_super_followers_only: Option<bool>,
    pub direct_message_deep_link: Option<String>,
    pub community_id: Option<String>,
    pub made_with_ai: Option<bool>,
    pub paid_partnership: Option<bool>,
    pub card_uri: Option<String>,
    pub nullcast: Option<bool>,
    pub share_with_followers: Option<bool>,
    /// Where each field was written (`text`, `poll.options`,
    /// `poll.options[2]`, `media.media_ids[0]`); [`FieldPath::TWEET`] is the
    /// tweet's own mapping. Never serialised.
    pub spans: BTreeMap<FieldPath, Pos>,
}

/// A tweet's media: IDs uploaded elsewhere (X's own form), or files of the
/// project that apply uploads just before the tweet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Media {
    /// Empty in a tweet with `files` until apply has uploaded them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub media_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tagged_user_ids: Vec<String>,
    /// Never sent to X: [`Tweet::request_body_with`] swaps them for the IDs
    /// of their uploads. In the digest and in saved plans.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub files: Vec<MediaFile>,
}

/// One file to attach: where it is, its alt text, and what the loader read
/// of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MediaFile {
    /// From the project root, `/`-separated: `media/chart.png`.
    #[serde(rename = "file")]
    pub path: String,
    /// The description X shows to those who cannot see the media.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alt: Option<String>,
    /// Its type, size and content digest, read from the file by the loader;
    /// `None` only before that (or when the file could not be read, which
    /// is an error of the load).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(crate) facts: Option<crate::media_file::MediaFacts>,
}

impl MediaFile {
    /// The content digest, once the loader has read the file.
    pub fn sha256(&self) -> Option<&str> {
        self.facts.as_ref().map(|f| f.sha256.as_str())
    }

    /// What the tweet's digest sees of the file: its content and alt text,
    /// not its name, so that moving an image is no change to the tweet and
    /// a new image under the old name is one.
    fn digest_form(&self) -> MediaFile {
        MediaFile {
            path: self.sha256().unwrap_or(&self.path).to_owned(),
            alt: self.alt.clone(),
            facts: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Poll {
    pub options: Vec<String>,
    pub duration_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reply {
    pub in_reply_to_tweet_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exclude_reply_user_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Geo {
    pub place_id: String,
}

/// X's `reply_settings` enum. "Everyone" is not a value: it is the field left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplySettings {
    #[serde(rename = "following")]
    Following,
    #[serde(rename = "mentionedUsers")]
    MentionedUsers,
    #[serde(rename = "subscribers")]
    Subscribers,
    #[serde(rename = "verified")]
    Verified,
}

impl ReplySettings {
    pub const NAMES: [&'static str; 5] = crate::field::REPLY_SETTINGS;

    /// X's name for the setting.
    pub fn name(self) -> &'static str {
        match self {
            Self::Following => "following",
            Self::MentionedUsers => "mentionedUsers",
            Self::Subscribers => "subscribers",
            Self::Verified => "verified",
        }
    }

    /// Parses a YAML value; `Ok(None)` is `everyone`.
    #[allow(clippy::result_unit_err)] // the only failure is "not a known name"; callers word it
    pub fn parse(s: &str) -> Result<Option<Self>, ()> {
        match s {
            "everyone" => Ok(None),
            "following" => Ok(Some(Self::Following)),
            "mentionedUsers" => Ok(Some(Self::MentionedUsers)),
            "subscribers" => Ok(Some(Self::Subscribers)),
            "verified" => Ok(Some(Self::Verified)),
            _ => Err(()),
        }
    }
}

impl Tweet {
    pub fn new(text: impl Into<String>) -> Self {
        Tweet {
            text: text.into(),
            ..Tweet::default()
        }
    }

    /// The JSON body for `POST /2/tweets`. `in_reply_to` chains a thread: it
    /// is the previous tweet's ID for every tweet of a thread after the first.
    pub fn request_body(&self, in_reply_to: Option<&str>) -> serde_json::Value {
        self.request_body_with(in_reply_to, &[])
    }

    /// The media files of this tweet; empty when it has none or names
    /// uploaded media by ID.
    pub fn media_files(&self) -> &[MediaFile] {
        self.media.as_ref().map_or(&[][..], |m| &m.files[..])
    }

    /// [`Tweet::request_body`] for a tweet whose `files` were uploaded as
    /// `uploaded` (their media IDs, in order): X gets the IDs, never the
    /// files.
    pub fn request_body_with(
        &self,
        in_reply_to: Option<&str>,
        uploaded: &[String],
    ) -> serde_json::Value {
        let mut tweet = self.clone();
        if let Some(media) = &mut tweet.media
            && !media.files.is_empty()
        {
            media.files.clear();
            media.media_ids = uploaded.to_vec();
        }
        if let Some(id) = in_reply_to {
            tweet.reply = Some(Reply {
                in_reply_to_tweet_id: id.to_owned(),
                exclude_reply_user_ids: Vec::new(),
            });
        }
        serde_json::to_value(&tweet).expect("a Tweet always serialises")
    }

    /// A stable digest of what the user declared (the body without thread
    /// chaining), so that the planner can tell whether a published tweet's
    /// content changed without the old YAML. Field order is the struct's, so
    /// the same content always gives the same digest.
    pub fn digest(&self) -> String {
        // Streamed straight into the hasher: the planner digests every tweet
        // of every post, and building the intermediate JSON doubled its time.
        // Same bytes as `request_body(None)` serialised, since that is this
        // struct serialised in declaration order.
        let mut hasher = Sha256::new();
        if self.media_files().is_empty() {
            serde_json::to_writer(&mut hasher, self).expect("a Tweet always serialises");
        } else {
            let mut t = self.clone();
            if let Some(media) = &mut t.media {
                media.files = media.files.iter().map(MediaFile::digest_form).collect();
            }
            serde_json::to_writer(&mut hasher, &t).expect("a Tweet always serialises");
        }
        format!("sha256:{}", hex::encode(hasher.finalize()))
    }

    /// The position of a field for diagnostics, falling back to its parent
    /// fields and then to the tweet itself.
    pub fn pos(&self, path: impl Into<FieldPath>) -> Pos {
        let mut path = Some(path.into());
        while let Some(p) = path {
            if let Some(pos) = self.spans.get(&p) {
                return *pos;
            }
            path = p.parent();
        }
        Pos { line: 1, column: 1 }
    }
}

impl Serialize for Tweet {
    /// The fields set, in the table's order: the body X expects, with no
    /// nulls and `text` always present.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn entry<M: SerializeMap, T: Serialize>(
            map: &mut M,
            field: Field,
            value: &Option<T>,
        ) -> Result<(), M::Error> {
            match value {
                Some(v) => map.serialize_entry(field.name(), v),
                None => Ok(()),
            }
        }
        let mut map = serializer.serialize_map(None)?;
        for field in TWEET_FIELDS {
            match field {
                Field::Text => map.serialize_entry(field.name(), &self.text)?,
                Field::Media => entry(&mut map, field, &self.media)?,
                Field::Poll => entry(&mut map, field, &self.poll)?,
                Field::QuoteTweetId => entry(&mut map, field, &self.quote_tweet_id)?,
                Field::Reply => entry(&mut map, field, &self.reply)?,
                Field::ReplySettings => entry(&mut map, field, &self.reply_settings)?,
                Field::Geo => entry(&mut map, field, &self.geo)?,
                Field::ForSuperFollowersOnly => {
                    entry(&mut map, field, &self.for_super_followers_only)?
                }
                Field::DirectMessageDeepLink => {
                    entry(&mut map, field, &self.direct_message_deep_link)?
                }
                Field::CommunityId => entry(&mut map, field, &self.community_id)?,
                Field::MadeWithAi => entry(&mut map, field, &self.made_with_ai)?,
                Field::PaidPartnership => entry(&mut map, field, &self.paid_partnership)?,
                Field::CardUri => entry(&mut map, field, &self.card_uri)?,
                Field::Nullcast => entry(&mut map, field, &self.nullcast)?,
                Field::ShareWithFollowers => entry(&mut map, field, &self.share_with_followers)?,
                // Members of objects are written by their object.
                _ => {}
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tweet {
    /// The inverse of `Serialize`, for saved plans; unknown names are
    /// skipped, as they were when this was derived.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TweetVisitor;
        impl<'de> Visitor<'de> for TweetVisitor {
            type Value = Tweet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tweet's body")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tweet, A::Error> {
                let mut t = Tweet::default();
                while let Some(name) = map.next_key::<String>()? {
                    let Some(field) = Field::named(&TWEET_FIELDS, &name) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    match field {
                        Field::Text => t.text = map.next_value()?,
                        Field::Media => t.media = map.next_value()?,
                        Field::Poll => t.poll = map.next_value()?,
                        Field::QuoteTweetId => t.quote_tweet_id = map.next_value()?,
                        Field::Reply => t.reply = map.next_value()?,
                        Field::ReplySettings => t.reply_settings = map.next_value()?,
                        Field::Geo => t.geo = map.next_value()?,
                        Field::ForSuperFollowersOnly => {
                            t.for_super_followers_only = map.next_value()?
                        }
                        Field::DirectMessageDeepLink => {
                            t.direct_message_deep_link = map.next_value()?
                        }
                        Field::CommunityId => t.community_id = map.next_value()?,
                        Field::MadeWithAi => t.made_with_ai = map.next_value()?,
                        Field::PaidPartnership => t.paid_partnership = map.next_value()?,
                        Field::CardUri => t.card_uri = map.next_value()?,
                        Field::Nullcast => t.nullcast = map.next_value()?,
                        Field::ShareWithFollowers => t.share_with_followers = map.next_value()?,
                        _ => map.next_value::<IgnoredAny>().map(drop)?,
                    }
                }
                Ok(t)
            }
        }
        deserializer.deserialize_map(TweetVisitor)
    }
}

impl Post {
    /// Digests of every tweet, in order; a repost's one digest.
    pub fn digests(&self) -> Vec<String> {
        match &self.repost {
            Some(repost) => vec![repost.digest()],
            None => self.tweets.iter().map(Tweet::digest).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_leaves_out_unset_fields_and_keeps_text() {
        let t = Tweet::new("");
        assert_eq!(t.request_body(None).to_string(), r#"{"text":""}"#);
    }

    #[test]
    fn thread_chaining_sets_reply_but_not_digest() {
        let t = Tweet::new("second");
        let body = t.request_body(Some("123"));
        assert_eq!(body["reply"]["in_reply_to_tweet_id"], "123");
        assert!(body["reply"].get("exclude_reply_user_ids").is_none());
        assert_eq!(t.digest(), Tweet::new("second").digest());
        let expected = Sha256::digest(serde_json::to_vec(&t.request_body(None)).unwrap());
        assert_eq!(t.digest(), format!("sha256:{}", hex::encode(expected)));
        assert_ne!(t.digest(), Tweet::new("other").digest());
    }

    fn with_file(path: &str, sha: &str, alt: Option<&str>) -> Tweet {
        Tweet {
            media: Some(Media {
                files: vec![MediaFile {
                    path: path.into(),
                    alt: alt.map(str::to_owned),
                    facts: Some(crate::media_file::MediaFacts {
                        kind: crate::media_file::MediaKind::Png,
                        bytes: 10,
                        sha256: sha.into(),
                        width: Some(1),
                        height: Some(1),
                        frames: None,
                        duration_ms: None,
                    }),
                }],
                ..Media::default()
            }),
            ..Tweet::new("look")
        }
    }

    #[test]
    fn a_media_file_counts_by_its_content_and_alt_text_not_its_name() {
        let a = with_file("media/a.png", "sha256:aa", Some("a chart"));
        assert_eq!(
            a.digest(),
            with_file("img/moved.png", "sha256:aa", Some("a chart")).digest()
        );
        assert_ne!(
            a.digest(),
            with_file("media/a.png", "sha256:bb", Some("a chart")).digest()
        );
        assert_ne!(
            a.digest(),
            with_file("media/a.png", "sha256:aa", Some("a graph")).digest()
        );
        assert_ne!(
            a.digest(),
            with_file("media/a.png", "sha256:aa", None).digest()
        );
        assert_ne!(a.digest(), Tweet::new("look").digest());
    }

    #[test]
    fn x_gets_the_uploads_ids_never_the_files() {
        let mut t = with_file("media/a.png", "sha256:aa", Some("a chart"));
        t.media.as_mut().unwrap().tagged_user_ids = vec!["5".into()];
        let body = t.request_body_with(Some("9"), &["111".into()]);
        assert_eq!(
            body,
            serde_json::json!({
                "text": "look",
                "media": {"media_ids": ["111"], "tagged_user_ids": ["5"]},
                "reply": {"in_reply_to_tweet_id": "9"},
            })
        );
        // A saved plan keeps the files and what was read of them.
        let saved = serde_json::to_value(&t).unwrap();
        assert_eq!(saved["media"]["files"][0]["file"], "media/a.png");
        assert_eq!(saved["media"]["files"][0]["alt"], "a chart");
        let back: Tweet = serde_json::from_value(saved).unwrap();
        assert_eq!(back.media, t.media);
    }

    #[test]
    fn reply_settings_serialise_with_x_names() {
        let t = Tweet {
            reply_settings: Some(ReplySettings::MentionedUsers),
            ..Tweet::new("hi")
        };
        assert_eq!(t.request_body(None)["reply_settings"], "mentionedUsers");
        assert_eq!(ReplySettings::parse("everyone"), Ok(None));
        assert!(ReplySettings::parse("nobody").is_err());
    }

    #[test]
    fn pos_falls_back_to_parent_field() {
        let mut t = Tweet::new("x");
        t.spans.insert(FieldPath::TWEET, Pos { line: 1, column: 1 });
        t.spans
            .insert(FieldPath::of(Field::Poll), Pos { line: 3, column: 3 });
        assert_eq!(
            t.pos(FieldPath::of(Field::Options).at(1)),
            Pos { line: 3, column: 3 }
        );
        assert_eq!(t.pos(Field::Media), Pos { line: 1, column: 1 });
    }

    #[test]
    fn a_body_reads_back_as_the_same_tweet() {
        let t = Tweet {
            poll: Some(Poll {
                options: vec!["a".into(), "b".into()],
                duration_minutes: 60,
            }),
            reply_settings: Some(ReplySettings::Verified),
            nullcast: Some(false),
            ..Tweet::new("hi")
        };
        let back: Tweet = serde_json::from_value(t.request_body(None)).unwrap();
        assert_eq!(back, t);
        let skipped: Tweet =
            serde_json::from_str(r#"{"text":"a","unknown":[1],"made_with_ai":true}"#).unwrap();
        assert_eq!(skipped.made_with_ai, Some(true));
        for s in ReplySettings::NAMES.iter().skip(1) {
            let v = ReplySettings::parse(s).unwrap().unwrap();
            assert_eq!(v.name(), *s);
            assert_eq!(serde_json::to_value(v).unwrap(), *s);
        }
    }
}
