//! The JSON form of a plan's changes (docs/plan-json.md), and what reading
//! a saved plan refuses.
//!
//! In memory a tweet's op carries exactly what it needs (an ID to keep or
//! delete, a body to create) and `destructive` follows from the action. The
//! JSON form is flat and says both, so it is written from the typed form and
//! read back through a check: a saved plan whose tweet lacks what its op
//! needs is refused when it is read, not discovered halfway through an apply.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::plan::{Action, Change, Plan, Refused, TweetChange, TweetOp};
use crate::post::Tweet;

/// The plan as pretty JSON: the documented, stable document of
/// `plan --format json` and `plan --out` (see docs/plan-json.md).
pub fn json(plan: &Plan) -> String {
    // A plan holds only strings, numbers and timestamps: it always serialises.
    let mut text = with_forecast(plan)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::String(e.to_string())));
    text.push('\n');
    text
}

/// The plan as a JSON value, each held post's change with its `forecast`
/// (see [`crate::forecast`]), last among its fields.
fn with_forecast(plan: &Plan) -> Result<serde_json::Value, serde_json::Error> {
    let mut value = serde_json::to_value(plan)?;
    let forecast = plan.forecast.as_ref().filter(|f| !f.posts.is_empty());
    if let (Some(forecast), Some(changes)) = (forecast, value["changes"].as_array_mut()) {
        for change in changes {
            let key = change["key"].as_str().unwrap_or_default().to_owned();
            if let (Some(f), Some(fields)) = (forecast.of(&key), change.as_object_mut()) {
                fields.insert("forecast".to_owned(), serde_json::to_value(f)?);
            }
        }
    }
    Ok(value)
}

/// A change as written: the fields in their documented order.
#[derive(Serialize)]
struct ChangeOut<'a> {
    key: &'a str,
    action: Action,
    destructive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publish_at: Option<Timestamp>,
    tweets: &'a [TweetChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<&'a Refused>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_an_edit: Option<&'a str>,
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ChangeOut {
            key: &self.key,
            action: self.action,
            destructive: self.destructive(),
            file: self.file.as_ref(),
            from: self.from.as_deref(),
            publish_at: self.publish_at,
            tweets: &self.tweets,
            refused: self.refused.as_ref(),
            not_an_edit: self.not_an_edit.as_deref(),
        }
        .serialize(serializer)
    }
}

/// A change as read.
#[derive(Deserialize)]
struct ChangeIn {
    key: String,
    action: Action,
    destructive: bool,
    #[serde(default)]
    file: Option<PathBuf>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    publish_at: Option<Timestamp>,
    tweets: Vec<TweetChange>,
    #[serde(default)]
    refused: Option<Refused>,
    #[serde(default)]
    not_an_edit: Option<String>,
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let c = ChangeIn::deserialize(deserializer)?;
        let change = Change {
            key: c.key,
            action: c.action,
            file: c.file,
            from: c.from,
            publish_at: c.publish_at,
            tweets: c.tweets,
            refused: c.refused,
            not_an_edit: c.not_an_edit,
        };
        if c.destructive != change.destructive() {
            return Err(serde::de::Error::custom(format!(
                "{}: `destructive` is {} but a {} is {}destructive",
                change.key,
                c.destructive,
                change.action.name(),
                if change.destructive() { "" } else { "never " }
            )));
        }
        if change.action == Action::Move && change.from.is_none() {
            return Err(serde::de::Error::custom(format!(
                "{}: a move needs `from`, the key its tweets were recorded under",
                change.key
            )));
        }
        Ok(change)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OpName {
    Keep,
    Create,
    Edit,
    Delete,
    Repost,
    Unrepost,
}

/// A tweet's change as written and read: flat, every field optional that
/// some op does without.
#[derive(Serialize, Deserialize)]
struct TweetChangeJson<'a> {
    index: usize,
    op: OpName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<std::borrow::Cow<'a, str>>,
    /// The reposted tweet, for a repost or its undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tweet_id: Option<std::borrow::Cow<'a, str>>,
    text: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    old_text: Option<std::borrow::Cow<'a, str>>,
    weighted_length: usize,
    digest: std::borrow::Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<std::borrow::Cow<'a, Tweet>>,
}

impl Serialize for TweetChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (op, id, old_text, body) = match &self.op {
            TweetOp::Keep { id } => (OpName::Keep, Some(id.as_str()), None, None),
            TweetOp::Delete { id } => (OpName::Delete, Some(id.as_str()), None, None),
            TweetOp::Create { body, old_text } => {
                (OpName::Create, None, old_text.as_deref(), Some(body))
            }
            TweetOp::Edit {
                previous_id,
                body,
                old_text,
            } => (
                OpName::Edit,
                Some(previous_id.as_str()),
                Some(old_text.as_str()),
                Some(body),
            ),
            TweetOp::Repost { .. } => (OpName::Repost, None, None, None),
            TweetOp::Unrepost { .. } => (OpName::Unrepost, None, None, None),
        };
        TweetChangeJson {
            index: self.index,
            op,
            id: id.map(Into::into),
            tweet_id: self.reposted().map(Into::into),
            text: self.text.as_str().into(),
            old_text: old_text.map(Into::into),
            weighted_length: self.weighted_length,
            digest: self.digest.as_str().into(),
            body: body.map(std::borrow::Cow::Borrowed),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TweetChange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let t = TweetChangeJson::deserialize(deserializer)?;
        let tweet = t.index + 1;
        let refuse = |what: String| Err(serde::de::Error::custom(format!("tweet {tweet}: {what}")));
        let op = match t.op {
            OpName::Keep | OpName::Delete => {
                let name = if t.op == OpName::Keep {
                    "keep"
                } else {
                    "delete"
                };
                let Some(id) = t.id else {
                    return refuse(format!("a {name} needs `id`, the published tweet's ID"));
                };
                if t.body.is_some() || t.old_text.is_some() {
                    return refuse(format!(
                        "a {name} carries no `body` or `old_text` (only a create does)"
                    ));
                }
                if t.tweet_id.is_some() {
                    return refuse(format!(
                        "a {name} carries no `tweet_id` (only a repost or an unrepost does)"
                    ));
                }
                let id = id.into_owned();
                if t.op == OpName::Keep {
                    TweetOp::Keep { id }
                } else {
                    TweetOp::Delete { id }
                }
            }
            OpName::Repost | OpName::Unrepost => {
                let name = if t.op == OpName::Repost {
                    "a repost"
                } else {
                    "an unrepost"
                };
                let Some(tweet_id) = t.tweet_id else {
                    return refuse(format!("{name} needs `tweet_id`, the reposted tweet's ID"));
                };
                if t.id.is_some() || t.body.is_some() || t.old_text.is_some() {
                    return refuse(format!(
                        "{name} carries only `tweet_id` (no `id`, `body` or `old_text`)"
                    ));
                }
                let tweet_id = tweet_id.into_owned();
                if t.op == OpName::Repost {
                    TweetOp::Repost { tweet_id }
                } else {
                    TweetOp::Unrepost { tweet_id }
                }
            }
            OpName::Create => {
                let Some(body) = t.body else {
                    return refuse("a create needs `body`, what it sends to X".to_owned());
                };
                if t.id.is_some() {
                    return refuse(
                        "a create has no `id` yet (only a keep or a delete does)".to_owned(),
                    );
                }
                if t.tweet_id.is_some() {
                    return refuse(
                        "a create carries no `tweet_id` (only a repost or an unrepost does)"
                            .to_owned(),
                    );
                }
                if body.text != t.text {
                    return refuse("`text` differs from the text of `body`".to_owned());
                }
                TweetOp::Create {
                    body: body.into_owned(),
                    old_text: t.old_text.map(std::borrow::Cow::into_owned),
                }
            }
            OpName::Edit => {
                let (Some(id), Some(body), Some(old_text)) = (t.id, t.body, t.old_text) else {
                    return refuse(
                        "an edit needs `id` (the ID it edits), `body` and `old_text`".to_owned(),
                    );
                };
                if t.tweet_id.is_some() {
                    return refuse(
                        "an edit carries no `tweet_id` (only a repost or an unrepost does)"
                            .to_owned(),
                    );
                }
                if body.text != t.text {
                    return refuse("`text` differs from the text of `body`".to_owned());
                }
                TweetOp::Edit {
                    previous_id: id.into_owned(),
                    body: body.into_owned(),
                    old_text: old_text.into_owned(),
                }
            }
        };
        Ok(TweetChange {
            index: t.index,
            op,
            text: t.text.into_owned(),
            weighted_length: t.weighted_length,
            digest: t.digest.into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::plan::Change;

    /// A replace as `plan --out` writes it: a delete, then its re-creation.
    fn replace() -> Value {
        json!({
            "key": "typo",
            "action": "replace",
            "destructive": true,
            "file": "posts/typo.yaml",
            "tweets": [
                {"index": 0, "op": "delete", "id": "1", "text": "fixx",
                 "weighted_length": 4, "digest": "sha256:a"},
                {"index": 0, "op": "create", "text": "fix", "old_text": "fixx",
                 "weighted_length": 3, "digest": "sha256:b", "body": {"text": "fix"}}
            ]
        })
    }

    fn read(v: &Value) -> Result<Change, String> {
        serde_json::from_str(&v.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_change_reads_back_to_the_same_json() {
        let v = replace();
        let change = read(&v).unwrap();
        assert!(change.destructive());
        assert_eq!(change.tweets[0].id(), Some("1"));
        assert_eq!(change.tweets[1].old_text(), Some("fixx"));
        assert_eq!(serde_json::to_value(&change).unwrap(), v);
    }

    #[test]
    fn an_edit_reads_back_and_needs_what_it_sends() {
        let v = json!({
            "key": "typo",
            "action": "edit",
            "destructive": false,
            "file": "posts/typo.yaml",
            "not_an_edit": null,
            "tweets": [
                {"index": 0, "op": "edit", "id": "1", "text": "fix", "old_text": "fixx",
                 "weighted_length": 3, "digest": "sha256:b", "body": {"text": "fix"}}
            ]
        });
        let change = read(&v).unwrap();
        assert!(!change.destructive());
        assert_eq!(change.tweets[0].id(), Some("1"));
        assert_eq!(change.tweets[0].old_text(), Some("fixx"));
        let mut written = v.clone();
        written.as_object_mut().unwrap().remove("not_an_edit");
        assert_eq!(serde_json::to_value(&change).unwrap(), written);
        // An edit called destructive, or without the ID it edits, is refused.
        let mut lying = v.clone();
        lying["destructive"] = json!(true);
        assert!(read(&lying).unwrap_err().contains("never destructive"));
        let mut no_id = v;
        no_id["tweets"][0].as_object_mut().unwrap().remove("id");
        assert!(read(&no_id).unwrap_err().contains("an edit needs `id`"));
    }

    #[test]
    fn a_replace_says_why_it_is_not_an_edit() {
        let mut v = replace();
        v["not_an_edit"] = json!("tweet 1 has a poll, and X does not edit polls");
        let change = read(&v).unwrap();
        assert_eq!(
            change.not_an_edit.as_deref(),
            Some("tweet 1 has a poll, and X does not edit polls")
        );
        assert_eq!(serde_json::to_value(&change).unwrap(), v);
    }

    #[test]
    fn a_delete_without_its_id_is_refused() {
        let mut v = replace();
        v["tweets"][0].as_object_mut().unwrap().remove("id");
        let err = read(&v).unwrap_err();
        assert!(
            err.starts_with("tweet 1: a delete needs `id`, the published tweet's ID"),
            "{err}"
        );
        assert!(err.contains("line 1 column"), "{err}");
    }

    #[test]
    fn a_keep_without_its_id_is_refused() {
        let mut v = replace();
        v["tweets"][0]["op"] = json!("keep");
        v["tweets"][0].as_object_mut().unwrap().remove("id");
        assert!(read(&v).unwrap_err().contains("a keep needs `id`"));
    }

    #[test]
    fn a_create_without_its_body_is_refused() {
        let mut v = replace();
        v["tweets"][1].as_object_mut().unwrap().remove("body");
        let err = read(&v).unwrap_err();
        assert!(err.starts_with("tweet 1: a create needs `body`"), "{err}");
    }

    #[test]
    fn reposts_need_their_tweet_id_and_nothing_else() {
        let repost = |op: &str| {
            json!({"index": 0, "op": op, "tweet_id": "20", "text": "https://x.com/i/status/20",
                   "weighted_length": 0, "digest": "repost:20"})
        };
        let v = json!({
            "key": "share", "action": "replace", "destructive": true,
            "file": "posts/share.yaml",
            "tweets": [repost("unrepost"), repost("repost")]
        });
        let change = read(&v).unwrap();
        assert_eq!(change.tweets[0].reposted(), Some("20"));
        assert_eq!(serde_json::to_value(&change).unwrap(), v);

        let mut bad = v.clone();
        bad["tweets"][1].as_object_mut().unwrap().remove("tweet_id");
        assert!(
            read(&bad)
                .unwrap_err()
                .contains("a repost needs `tweet_id`")
        );
        let mut bad = v.clone();
        bad["tweets"][0]["id"] = json!("1");
        assert!(
            read(&bad)
                .unwrap_err()
                .contains("an unrepost carries only `tweet_id`")
        );
        let mut bad = replace();
        bad["tweets"][0]["tweet_id"] = json!("20");
        assert!(
            read(&bad)
                .unwrap_err()
                .contains("a delete carries no `tweet_id`")
        );
    }

    #[test]
    fn a_tweet_with_what_its_op_does_not_take_is_refused() {
        let mut v = replace();
        v["tweets"][1]["id"] = json!("9");
        assert!(read(&v).unwrap_err().contains("a create has no `id` yet"));
        let mut v = replace();
        v["tweets"][0]["body"] = json!({"text": "fixx"});
        assert!(read(&v).unwrap_err().contains("a delete carries no `body`"));
        let mut v = replace();
        v["tweets"][1]["text"] = json!("not what the body says");
        assert!(
            read(&v)
                .unwrap_err()
                .contains("`text` differs from the text of `body`")
        );
    }

    #[test]
    fn destructive_must_follow_from_the_action() {
        let mut v = replace();
        v["destructive"] = json!(false);
        let err = read(&v).unwrap_err();
        assert!(
            err.starts_with("typo: `destructive` is false but a replace is destructive"),
            "{err}"
        );
        let mut v = replace();
        v["action"] = json!("move");
        v["destructive"] = json!(false);
        assert!(read(&v).unwrap_err().contains("a move needs `from`"));
    }
}
