//! The `CreatePostsRequest` schema of X's OpenAPI document, transcribed
//! here on its own (not derived from tweetform's field table, which it
//! checks): every field and nested object, `additionalProperties: false`
//! everywhere, types, patterns, sizes and enums, with messages worded the
//! way X's validator words them (`$.poll.options: there must be a minimum
//! of 2 items in the array`).

use serde_json::Value;

/// `^[0-9]{1,19}$`: X's tweet and user IDs.
pub fn is_id(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Appends one message per problem in a create body.
pub fn check_create(body: &Value, out: &mut Vec<String>) {
    check(body, &CREATE_SCHEMA, "$", out);
}

pub(crate) enum Schema {
    /// Anything (a property X declares without constraining it).
    Any,
    Str,
    Id,
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    StrLen {
        min: usize,
        max: usize,
    },
    Enum(&'static [&'static str]),
    Array {
        item: &'static Schema,
        min: Option<usize>,
        max: Option<usize>,
    },
    Object {
        fields: &'static [(&'static str, Schema)],
        required: &'static [&'static str],
    },
    /// An object whose schema allows properties it does not declare.
    Open {
        fields: &'static [(&'static str, Schema)],
        required: &'static [&'static str],
    },
}

const REPLY_SETTINGS: &[&str] = &["following", "mentionedUsers", "subscribers", "verified"];

/// `CreatePostsMediaCallToActions`: at most one button of each kind.
const CALL_TO_ACTIONS: Schema = Schema::Object {
    fields: &[
        (
            "app_install",
            Schema::Object {
                fields: &[
                    ("app_store_id", Schema::Str),
                    ("ipad_app_store_id", Schema::Str),
                    ("play_store_id", Schema::Str),
                ],
                required: &[],
            },
        ),
        (
            "visit_site",
            Schema::Object {
                fields: &[("url", Schema::Str)],
                required: &["url"],
            },
        ),
        (
            "watch_now",
            Schema::Object {
                fields: &[("url", Schema::Str)],
                required: &["url"],
            },
        ),
    ],
    required: &[],
};

static CREATE_SCHEMA: Schema = Schema::Object {
    fields: &[
        ("card_uri", Schema::Str),
        ("community_id", Schema::Id),
        ("direct_message_deep_link", Schema::Str),
        (
            "edit_options",
            Schema::Object {
                fields: &[("previous_post_id", Schema::Id)],
                required: &["previous_post_id"],
            },
        ),
        ("for_super_followers_only", Schema::Bool),
        (
            "geo",
            Schema::Object {
                fields: &[("place_id", Schema::Str)],
                required: &["place_id"],
            },
        ),
        ("made_with_ai", Schema::Bool),
        (
            "media",
            Schema::Object {
                fields: &[
                    ("call_to_actions", CALL_TO_ACTIONS),
                    ("description", Schema::Str),
                    ("embeddable", Schema::Bool),
                    (
                        "media_ids",
                        Schema::Array {
                            item: &Schema::Id,
                            min: Some(1),
                            max: Some(4),
                        },
                    ),
                    ("preview_media_id", Schema::Id),
                    (
                        "tagged_user_ids",
                        Schema::Array {
                            item: &Schema::Id,
                            min: None,
                            max: Some(10),
                        },
                    ),
                    ("title", Schema::Str),
                ],
                required: &["media_ids"],
            },
        ),
        ("nullcast", Schema::Bool),
        ("paid_partnership", Schema::Bool),
        (
            "poll",
            Schema::Object {
                fields: &[
                    ("duration_minutes", Schema::Int { min: 5, max: 10080 }),
                    (
                        "options",
                        Schema::Array {
                            item: &Schema::StrLen { min: 1, max: 25 },
                            min: Some(2),
                            max: Some(4),
                        },
                    ),
                    ("reply_settings", Schema::Enum(REPLY_SETTINGS)),
                ],
                required: &["options", "duration_minutes"],
            },
        ),
        ("quote_tweet_id", Schema::Id),
        (
            "reply",
            Schema::Object {
                fields: &[
                    ("auto_populate_reply_metadata", Schema::Bool),
                    (
                        "exclude_reply_user_ids",
                        Schema::Array {
                            item: &Schema::Str,
                            min: None,
                            max: None,
                        },
                    ),
                    ("in_reply_to_tweet_id", Schema::Id),
                ],
                required: &["in_reply_to_tweet_id"],
            },
        ),
        ("reply_settings", Schema::Enum(REPLY_SETTINGS)),
        ("share_with_followers", Schema::Bool),
        ("text", Schema::Str),
    ],
    required: &[],
};

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// JSON-schema-style messages, as X's validator words them.
pub(crate) fn check(v: &Value, schema: &Schema, path: &str, out: &mut Vec<String>) {
    let wrong = |out: &mut Vec<String>, expected: &str| {
        out.push(format!(
            "{path}: {} found, {expected} expected",
            type_name(v)
        ));
    };
    match schema {
        Schema::Any => {}
        Schema::Str => {
            if !v.is_string() {
                wrong(out, "string");
            }
        }
        Schema::Id => match v.as_str() {
            Some(s) if is_id(s) => {}
            Some(_) => out.push(format!(
                "{path}: does not match the regex pattern ^[0-9]{{1,19}}$"
            )),
            None => wrong(out, "string"),
        },
        Schema::Bool => {
            if !v.is_boolean() {
                wrong(out, "boolean");
            }
        }
        Schema::Int { min, max } => match v.as_i64() {
            Some(n) if n < *min => out.push(format!("{path}: must have a minimum value of {min}")),
            Some(n) if n > *max => out.push(format!("{path}: must have a maximum value of {max}")),
            Some(_) => {}
            None => wrong(out, "integer"),
        },
        Schema::StrLen { min, max } => match v.as_str() {
            Some(s) if s.chars().count() < *min => {
                out.push(format!("{path}: must be at least {min} characters long"))
            }
            Some(s) if s.chars().count() > *max => {
                out.push(format!("{path}: may only be {max} characters long"))
            }
            Some(_) => {}
            None => wrong(out, "string"),
        },
        Schema::Enum(values) => match v.as_str() {
            Some(s) if values.contains(&s) => {}
            None => wrong(out, "string"),
            Some(_) => out.push(format!(
                "{path}: does not have a value in the enumeration [{}]",
                values.join(", ")
            )),
        },
        Schema::Array { item, min, max } => match v.as_array() {
            Some(a) => {
                if let Some(min) = min
                    && a.len() < *min
                {
                    out.push(format!(
                        "{path}: there must be a minimum of {min} items in the array"
                    ));
                }
                if let Some(max) = max
                    && a.len() > *max
                {
                    out.push(format!(
                        "{path}: there must be a maximum of {max} items in the array"
                    ));
                }
                for (i, x) in a.iter().enumerate() {
                    check(x, item, &format!("{path}[{i}]"), out);
                }
            }
            None => wrong(out, "array"),
        },
        Schema::Object { fields, required } => match v.as_object() {
            Some(o) => {
                for r in *required {
                    if !o.contains_key(*r) {
                        out.push(format!("{path}.{r}: is missing but it is required"));
                    }
                }
                for (k, x) in o {
                    match fields.iter().find(|(name, _)| name == k) {
                        Some((_, s)) => check(x, s, &format!("{path}.{k}"), out),
                        None => out.push(format!(
                            "{path}.{k}: is not defined in the schema and the schema does not allow additional properties"
                        )),
                    }
                }
            }
            None => wrong(out, "object"),
        },
        Schema::Open { fields, required } => match v.as_object() {
            Some(o) => {
                for r in *required {
                    if !o.contains_key(*r) {
                        out.push(format!("{path}.{r}: is missing but it is required"));
                    }
                }
                for (k, x) in o {
                    if let Some((_, s)) = fields.iter().find(|(name, _)| name == k) {
                        check(x, s, &format!("{path}.{k}"), out);
                    }
                }
            }
            None => wrong(out, "object"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(body: Value) -> Vec<String> {
        let mut out = Vec::new();
        check_create(&body, &mut out);
        out
    }

    #[test]
    fn a_declared_tweet_body_passes() {
        let body = json!({
            "text": "hi",
            "media": {"media_ids": ["1", "2"], "tagged_user_ids": ["3"]},
            "reply": {"in_reply_to_tweet_id": "4", "exclude_reply_user_ids": ["5"]},
            "reply_settings": "mentionedUsers",
            "geo": {"place_id": "abc"},
            "made_with_ai": false,
            "community_id": "6",
        });
        assert_eq!(problems(body), Vec::<String>::new());
    }

    #[test]
    fn nested_problems_are_all_reported() {
        assert_eq!(
            problems(json!({
                "text": 1,
                "media": {"media_ids": ["1", "2", "3", "4", "x5"], "alt": "no"},
                "poll": {"options": ["ok", "this option is longer than 25"], "duration_minutes": 10081},
                "reply": {"exclude_reply_user_ids": []},
                "reply_settings": "everyone",
            })),
            [
                "$.text: integer found, string expected",
                "$.media.media_ids: there must be a maximum of 4 items in the array",
                "$.media.media_ids[4]: does not match the regex pattern ^[0-9]{1,19}$",
                "$.media.alt: is not defined in the schema and the schema does not allow additional properties",
                "$.poll.options[1]: may only be 25 characters long",
                "$.poll.duration_minutes: must have a maximum value of 10080",
                "$.reply.in_reply_to_tweet_id: is missing but it is required",
                "$.reply_settings: does not have a value in the enumeration [following, mentionedUsers, subscribers, verified]",
            ]
        );
        assert_eq!(problems(json!([])), ["$: array found, object expected"]);
    }

    #[test]
    fn media_call_to_actions_follow_their_schema() {
        let ok = json!({"media": {"media_ids": ["1"], "call_to_actions": {
            "visit_site": {"url": "https://example.com"},
            "app_install": {"play_store_id": "com.example"},
        }}});
        assert_eq!(problems(ok), Vec::<String>::new());
        assert_eq!(
            problems(json!({"media": {"media_ids": ["1"], "call_to_actions": {
                "watch_now": {},
                "visit_site": {"url": 1},
                "call_now": {},
            }}})),
            [
                "$.media.call_to_actions.watch_now.url: is missing but it is required",
                "$.media.call_to_actions.visit_site.url: integer found, string expected",
                "$.media.call_to_actions.call_now: is not defined in the schema and the schema does not allow additional properties",
            ]
        );
    }
}
