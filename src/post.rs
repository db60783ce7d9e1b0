//! The post model: what a file under `posts/` asks to exist on X.
//!
//! A [`Tweet`] mirrors X's `CreatePostsRequest` body field for field, so that
//! serialising it gives exactly the JSON that `POST /2/tweets` expects: no
//! nulls, no unknown fields, and `reply_settings: everyone` left out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    /// The tweets in order; a single tweet is a thread of one.
    pub tweets: Vec<Tweet>,
}

/// One tweet: the body of `POST /2/tweets`, as the user declared it.
///
/// For the second and later tweets of a thread, `reply` is filled in by the
/// executor at publication time (it needs the previous tweet's ID), so it is
/// never part of the declared tweet nor of its digest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tweet {
    /// Always sent, even empty: X's backend rejects an absent text (see the
    /// schema's note on `CreatePostsRequest.text`).
    #[serde(default)]
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_tweet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    /// `None` means everyone may reply (YAML `everyone` loads as `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_settings: Option<ReplySettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_super_followers_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_message_deep_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_with_ai: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_partnership: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nullcast: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_with_followers: Option<bool>,
    /// Where each field was written, keyed by dotted path (`text`,
    /// `poll.options`, `poll.options[2]`, `media.media_ids[0]`); the empty
    /// key is the tweet's own mapping. Never serialised.
    #[serde(skip)]
    pub spans: BTreeMap<String, Pos>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Media {
    #[serde(default)]
    pub media_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tagged_user_ids: Vec<String>,
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
    pub const NAMES: [&'static str; 5] = [
        "everyone",
        "following",
        "mentionedUsers",
        "subscribers",
        "verified",
    ];

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
        let mut tweet = self.clone();
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
        serde_json::to_writer(&mut hasher, self).expect("a Tweet always serialises");
        format!("sha256:{}", hex::encode(hasher.finalize()))
    }

    /// The position of a field for diagnostics, falling back to its parent
    /// fields and then to the tweet itself.
    pub fn pos(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.spans.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => {
                    return self
                        .spans
                        .get("")
                        .copied()
                        .unwrap_or(Pos { line: 1, column: 1 });
                }
            }
        }
    }
}

impl Post {
    /// Digests of every tweet, in order.
    pub fn digests(&self) -> Vec<String> {
        self.tweets.iter().map(Tweet::digest).collect()
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
        t.spans.insert("".into(), Pos { line: 1, column: 1 });
        t.spans.insert("poll".into(), Pos { line: 3, column: 3 });
        assert_eq!(t.pos("poll.options[1]"), Pos { line: 3, column: 3 });
        assert_eq!(t.pos("media"), Pos { line: 1, column: 1 });
    }
}
