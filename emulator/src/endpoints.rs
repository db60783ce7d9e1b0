//! The handlers of the tweet and user routes X serves to tweetform: create
//! (checked against X's schema, its length rule and, through
//! `media_endpoints`, the uploads its media IDs name), delete, the
//! signed-in user, a tweet by ID, lookup by IDs, and the user's timeline
//! with its paging. The media routes have their own file.
//! Each reads the request's body or query and the fake's state, and
//! returns X's answer; routing, OAuth and rate limits came before.

// An error answer is built at most once per request: its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::LazyLock;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::answers::{Answer, not_found_problem};
use crate::fake::{FakeX, StoredTweet};
use crate::rendering;
use crate::schema::{self, is_id};

/// twitter-text's configuration v3, the one X counts with.
static TWITTER_TEXT_V3: LazyLock<twitter_text_config::Configuration> =
    LazyLock::new(|| twitter_text_config::config_v3().clone());

/// A text's weighted length as X counts it: twitter-text itself, not
/// tweetform's validator, so that the fake checks tweetform's count instead
/// of repeating it.
pub(crate) fn weighted_length(text: &str) -> usize {
    let parsed = twitter_text::parse(text, &TWITTER_TEXT_V3, true);
    usize::try_from(parsed.weighted_length).unwrap_or(usize::MAX)
}

impl FakeX {
    pub(crate) fn create(&mut self, body: &[u8], now: Timestamp) -> Answer {
        let body: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return Answer::invalid_messages(vec![format!(
                    "Request body is not valid JSON: {e}"
                )]);
            }
        };
        let mut problems = Vec::new();
        schema::check_create(&body, &mut problems);
        // `text` defaults to "" in X's schema, which only media may leave empty.
        if problems.is_empty() && body.get("text").is_none() && body.get("media").is_none() {
            problems.push("$.text: is missing but it is required".to_owned());
        }
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        if let Some(previous) = body.pointer("/edit_options/previous_post_id") {
            let previous = previous.as_str().unwrap_or_default().to_owned();
            return self.edit(body, &previous, now);
        }
        let text = body["text"].as_str().unwrap_or_default().to_owned();
        let has_media = body.get("media").is_some();
        if text.is_empty() && !has_media {
            return Answer::invalid_messages(vec![
                "$.text: must not be empty unless media is attached".to_owned(),
            ]);
        }
        if has_media && let Err(a) = self.check_tweet_media(&body, now) {
            return a;
        }
        if let Some(max) = self.behaviour.max_weighted_length
            && weighted_length(&text) > max
        {
            return Answer::forbidden("Tweet needs to be a bit shorter.");
        }
        let in_reply_to = body
            .pointer("/reply/in_reply_to_tweet_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(target) = &in_reply_to
            && !self.tweets.iter().any(|t| &t.id == target && t.is_live())
        {
            return Answer::forbidden(
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            );
        }
        if let Some(a) = self.access_refusal(&body, in_reply_to.as_deref()) {
            return a;
        }
        if let Some(r) = self.faults.rejection(&text) {
            return Answer::refused(r.status, &r.detail);
        }
        if !text.is_empty() && self.tweets.iter().any(|t| t.is_live() && t.text == text) {
            return Answer::forbidden(
                "You are not allowed to create a Tweet with duplicate content.",
            );
        }

        let id = self.new_tweet_id(now);
        self.tweets.push(StoredTweet {
            id: id.clone(),
            text: text.clone(),
            author_id: self.behaviour.user.id.clone(),
            created_at: now,
            deleted_at: None,
            in_reply_to,
            body,
        });
        self.counters.published(now);
        let shown = self.tweets.last().map(|t| {
            rendering::render(t, &self.behaviour.user.username, &self.media_keys(&t.body)).text
        });
        let mut answer = Answer::json(
            201,
            json!({"data": {"id": id, "text": shown.unwrap_or(text), "edit_history_tweet_ids": [id]}}),
        );
        if self.faults.drop_this_create() {
            answer.drop_connection = true;
            answer.note = Some(format!("stored {id}, then dropped the connection"));
        }
        answer
    }

    pub(crate) fn delete(
        &mut self,
        id: &str,
        query: &[(String, String)],
        now: Timestamp,
    ) -> Answer {
        if let Some(a) = check_query(query, &[]) {
            return a;
        }
        if !is_id(id) {
            return Answer::invalid_id("id", id);
        }
        match self.tweets.iter_mut().find(|t| t.id == id) {
            Some(t) if t.is_live() => {
                t.deleted_at = Some(now);
                Answer::json(200, json!({"data": {"deleted": true}}))
            }
            Some(_) => Answer::json(200, json!({"data": {"deleted": false}})),
            None => {
                let mut p = not_found_problem("tweet", "id", id);
                p["status"] = json!(404);
                Answer::problem(404, p)
            }
        }
    }

    pub(crate) fn me(&mut self, query: &[(String, String)]) -> Answer {
        if let Some(a) = check_query(
            query,
            &["user.fields", "expansions", "tweet.fields", "post.fields"],
        ) {
            return a;
        }
        let u = &self.behaviour.user;
        let mut data = json!({"id": u.id, "name": u.name, "username": u.username});
        let wants = |field: &str| {
            param(query, "user.fields").is_some_and(|v| v.split(',').any(|f| f == field))
        };
        if wants("public_metrics") {
            // Counted as X counts them: the account's tweets that still exist.
            let tweets = self
                .tweets
                .iter()
                .filter(|t| t.is_live() && t.author_id == u.id)
                .count();
            data["public_metrics"] = json!({
                "followers_count": 0,
                "following_count": 0,
                "tweet_count": tweets,
                "listed_count": 0,
                "like_count": 0,
                "media_count": 0,
            });
        }
        Answer::json(200, json!({ "data": data }))
    }

    pub(crate) fn get_tweet(&mut self, id: &str, query: &[(String, String)]) -> Answer {
        if let Some(a) = check_query(query, READ_FIELDS) {
            return a;
        }
        if !is_id(id) {
            return Answer::invalid_id("id", id);
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        match self.tweets.iter().find(|t| t.id == id && t.is_live()) {
            Some(t) => Answer::json(
                200,
                json!({"data": tweet_json(t, &fields, &self.behaviour.user.username, &self.media_keys(&t.body), &self.edit_history(&t.id))}),
            ),
            None => Answer::json(
                200,
                json!({"errors": [not_found_problem("tweet", "id", id)]}),
            ),
        }
    }

    pub(crate) fn lookup(&mut self, query: &[(String, String)]) -> Answer {
        let mut allowed = vec!["ids"];
        allowed.extend_from_slice(READ_FIELDS);
        if let Some(a) = check_query(query, &allowed) {
            return a;
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let Some(ids) = param(query, "ids") else {
            return Answer::invalid(vec![json!({
                "parameters": {"ids": []},
                "message": "The `ids` query parameter can not be empty",
            })]);
        };
        let mut wanted: Vec<&str> = Vec::new();
        for id in ids.split(',') {
            if !is_id(id) {
                return Answer::invalid(vec![json!({
                    "parameters": {"ids": [id]},
                    "message": format!("The `ids` query parameter value [{id}] is not valid"),
                })]);
            }
            if !wanted.contains(&id) {
                wanted.push(id);
            }
        }
        if wanted.is_empty() || wanted.len() > 100 {
            return Answer::invalid(vec![json!({
                "parameters": {"ids": [ids]},
                "message": format!("The number of values in the `ids` query parameter list [{}] is not between 1 and 100", wanted.len()),
            })]);
        }
        let mut data = Vec::new();
        let mut errors = Vec::new();
        for id in wanted {
            match self.tweets.iter().find(|t| t.id == id && t.is_live()) {
                Some(t) => data.push(tweet_json(
                    t,
                    &fields,
                    &self.behaviour.user.username,
                    &self.media_keys(&t.body),
                    &self.edit_history(&t.id),
                )),
                None => errors.push(not_found_problem("tweet", "ids", id)),
            }
        }
        let mut body = serde_json::Map::new();
        if !data.is_empty() {
            body.insert("data".into(), Value::Array(data));
        }
        if !errors.is_empty() {
            body.insert("errors".into(), Value::Array(errors));
        }
        Answer::json(200, Value::Object(body))
    }

    pub(crate) fn user_tweets(&mut self, user_id: &str, query: &[(String, String)]) -> Answer {
        let mut allowed = vec![
            "max_results",
            "pagination_token",
            "start_time",
            "end_time",
            "since_id",
            "until_id",
            "exclude",
        ];
        allowed.extend_from_slice(READ_FIELDS);
        if let Some(a) = check_query(query, &allowed) {
            return a;
        }
        if !is_id(user_id) {
            return Answer::invalid_id("id", user_id);
        }
        let fields = match tweet_fields(query) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let bad = Answer::invalid_parameter;
        let max_results = match param(query, "max_results") {
            None => 10,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (5..=100).contains(&n) => n,
                _ => return bad("max_results", v, "is not between 5 and 100"),
            },
        };
        let time = |name: &str| -> Result<Option<Timestamp>, Answer> {
            match param(query, name) {
                None => Ok(None),
                Some(v) => v
                    .parse::<Timestamp>()
                    .map(Some)
                    .map_err(|_| bad(name, v, "is not a valid RFC 3339 date-time")),
            }
        };
        let id_param = |name: &str| -> Result<Option<u64>, Answer> {
            match param(query, name) {
                None => Ok(None),
                Some(v) if is_id(v) => Ok(v.parse().ok()),
                Some(v) => Err(bad(name, v, "does not match ^[0-9]{1,19}$")),
            }
        };
        let (start, end, since_id, until_id) = match (
            time("start_time"),
            time("end_time"),
            id_param("since_id"),
            id_param("until_id"),
        ) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
        };
        let exclude_replies =
            param(query, "exclude").is_some_and(|v| v.split(',').any(|x| x == "replies"));
        let page_from: Option<u64> = match param(query, "pagination_token") {
            None => None,
            Some(tok) => match u64::from_str_radix(tok, 36) {
                Ok(n) => Some(n),
                Err(_) => return bad("pagination_token", tok, "is not a valid pagination token"),
            },
        };
        if user_id != self.behaviour.user.id {
            return Answer::json(
                200,
                json!({"errors": [not_found_problem("user", "id", user_id)], "meta": {"result_count": 0}}),
            );
        }
        let now = self.now();
        let visible_before = self.faults.timeline_visible_before(now);
        // X serves a timeline's latest 3,200 tweets, newest first (IDs grow
        // with time), no older ones.
        let mut recent: Vec<&StoredTweet> = self
            .tweets
            .iter()
            .filter(|t| t.is_live() && t.created_at <= visible_before)
            .collect();
        recent.sort_by_key(|t| std::cmp::Reverse(t.id.parse::<u64>().unwrap_or(0)));
        recent.truncate(TIMELINE_DEPTH);
        let mut matching: Vec<&StoredTweet> = recent
            .into_iter()
            .filter(|t| start.is_none_or(|s| t.created_at >= s))
            .filter(|t| end.is_none_or(|e| t.created_at <= e))
            .filter(|t| {
                let n: u64 = t.id.parse().unwrap_or(0);
                since_id.is_none_or(|s| n > s)
                    && until_id.is_none_or(|u| n < u)
                    && page_from.is_none_or(|p| n <= p)
            })
            .filter(|t| !(exclude_replies && t.in_reply_to.is_some()))
            // An edited tweet shows as its newest version only.
            .filter(|t| !self.is_superseded(&t.id))
            .collect();
        let next = matching
            .get(max_results)
            .map(|t| t.id.parse::<u64>().unwrap_or(0));
        matching.truncate(max_results);

        let mut meta = serde_json::Map::new();
        meta.insert("result_count".into(), json!(matching.len()));
        if let (Some(first), Some(last)) = (matching.first(), matching.last()) {
            meta.insert("newest_id".into(), json!(first.id));
            meta.insert("oldest_id".into(), json!(last.id));
        }
        if let Some(n) = next {
            meta.insert("next_token".into(), json!(to_base36(n)));
        }
        let mut body = serde_json::Map::new();
        if !matching.is_empty() {
            body.insert(
                "data".into(),
                Value::Array(
                    matching
                        .iter()
                        .map(|t| {
                            tweet_json(
                                t,
                                &fields,
                                &self.behaviour.user.username,
                                &self.media_keys(&t.body),
                                &self.edit_history(&t.id),
                            )
                        })
                        .collect(),
                ),
            );
        }
        body.insert("meta".into(), Value::Object(meta));
        Answer::json(200, Value::Object(body))
    }
}

/// How far back X's user timeline goes.
const TIMELINE_DEPTH: usize = 3200;

const READ_FIELDS: &[&str] = &[
    "tweet.fields",
    "post.fields",
    "expansions",
    "user.fields",
    "media.fields",
    "poll.fields",
    "place.fields",
];

/// Post fields X knows (its OpenAPI enum plus the long-standing ones).
const POST_FIELDS: &[&str] = &[
    "article",
    "article_title",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "matched_media_notes",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "note_post",
    "note_request_suggestions",
    "organic_metrics",
    "paid_partnership",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
];

fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn param<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// X refuses unknown query parameters.
pub(crate) fn check_query(query: &[(String, String)], allowed: &[&str]) -> Option<Answer> {
    let errors: Vec<Value> = query
        .iter()
        .filter(|(k, _)| !allowed.contains(&k.as_str()))
        .map(|(k, v)| {
            json!({
                "parameters": {k.as_str(): [v]},
                "message": format!("The query parameter [{k}] is not one of [{}]", allowed.join(",")),
            })
        })
        .collect();
    (!errors.is_empty()).then(|| Answer::invalid(errors))
}

/// The requested post fields (`tweet.fields` or `post.fields`).
fn tweet_fields(query: &[(String, String)]) -> Result<Vec<String>, Answer> {
    let mut fields = Vec::new();
    for name in ["tweet.fields", "post.fields"] {
        if let Some(v) = param(query, name) {
            for f in v.split(',') {
                if !POST_FIELDS.contains(&f) {
                    return Err(Answer::invalid(vec![json!({
                        "parameters": {name: [v]},
                        "message": format!("The `{name}` query parameter value [{f}] is not one of [{}]", POST_FIELDS.join(",")),
                    })]));
                }
                fields.push(f.to_owned());
            }
        }
    }
    Ok(fields)
}

/// A tweet as X returns it: its text rewritten ([`rendering`]), its
/// versions oldest first (`history`), and the fields asked for.
fn tweet_json(
    t: &StoredTweet,
    fields: &[String],
    username: &str,
    media_keys: &[String],
    history: &[String],
) -> Value {
    let rendered = rendering::render(t, username, media_keys);
    let mut o = serde_json::Map::new();
    o.insert("id".into(), json!(t.id));
    o.insert("text".into(), json!(rendered.text));
    o.insert("edit_history_tweet_ids".into(), json!(history));
    let has = |f: &str| fields.iter().any(|x| x == f);
    if has("entities") && !rendered.urls.is_empty() {
        o.insert("entities".into(), json!({ "urls": rendered.urls }));
    }
    // X leaves out what a tweet does not have.
    let mut refs = Vec::new();
    if let Some(id) = &t.in_reply_to {
        refs.push(json!({"type": "replied_to", "id": id}));
    }
    if let Some(id) = t.body.get("quote_tweet_id").and_then(Value::as_str) {
        refs.push(json!({"type": "quoted", "id": id}));
    }
    for name in ["referenced_tweets", "referenced_posts"] {
        if has(name) && !refs.is_empty() {
            o.insert(name.into(), Value::Array(refs.clone()));
        }
    }
    if has("attachments") {
        let mut a = serde_json::Map::new();
        if !media_keys.is_empty() {
            a.insert("media_keys".into(), json!(media_keys));
        }
        if t.body.get("poll").is_some() {
            // One poll per tweet: its ID follows the tweet's.
            a.insert("poll_ids".into(), json!([format!("{}0", t.id)]));
        }
        if !a.is_empty() {
            o.insert("attachments".into(), Value::Object(a));
        }
    }
    if has("created_at") {
        o.insert(
            "created_at".into(),
            json!(t.created_at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        );
    }
    if has("author_id") {
        o.insert("author_id".into(), json!(t.author_id));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::fake::test_support::{fake, get, post};
    use crate::fake::{Caller, Request};
    use crate::media::MediaKind;
    use crate::route::Endpoint;

    #[test]
    fn length_is_twitter_texts() {
        assert_eq!(weighted_length("hello"), 5);
        assert_eq!(weighted_length("日本"), 4);
        assert_eq!(weighted_length("see https://example.com/a/long/path"), 27);
    }

    #[tokio::test(start_paused = true)]
    async fn create_refuses_texts_over_280() {
        let mut f = fake();
        let fits = "日".repeat(140);
        assert_eq!(
            post(&mut f, &json!({ "text": fits }).to_string()).status,
            201
        );
        let over = "本".repeat(141);
        let a = post(&mut f, &json!({ "text": over }).to_string());
        assert_eq!(a.status, 403);
        assert_eq!(a.body["detail"], "Tweet needs to be a bit shorter.");
    }

    #[tokio::test(start_paused = true)]
    async fn create_validates_the_body_like_x() {
        let mut f = fake();
        let a = post(
            &mut f,
            r#"{"text":"hi","reply_setings":"following","poll":{"options":["a"],"duration_minutes":1},"quote_tweet_id":12,"media":null}"#,
        );
        assert_eq!(a.status, 400);
        let messages: Vec<&str> = a.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert_eq!(
            messages,
            [
                "$.reply_setings: is not defined in the schema and the schema does not allow additional properties",
                "$.poll.options: there must be a minimum of 2 items in the array",
                "$.poll.duration_minutes: must have a minimum value of 5",
                "$.quote_tweet_id: integer found, string expected",
                "$.media: null found, object expected",
            ]
        );
        assert_eq!(a.body["title"], "Invalid Request");
        assert_eq!(
            post(&mut f, r#"{"reply_settings":"following"}"#).status,
            400
        );
        assert_eq!(post(&mut f, "not json").status, 400);
        assert_eq!(post(&mut f, r#"{"text":""}"#).status, 400);
        assert!(f.tweets().is_empty());
        // Rejected requests still count against the window, as at X.
        assert_eq!(a.header("x-rate-limit-remaining"), Some("199"));
    }

    #[tokio::test(start_paused = true)]
    async fn create_duplicate_reply_and_headers() {
        let mut f = fake();
        let a = post(&mut f, r#"{"text":"hello"}"#);
        assert_eq!(a.status, 201);
        let id = a.body["data"]["id"].as_str().unwrap().to_owned();
        assert_eq!(a.body["data"]["edit_history_tweet_ids"][0], id.as_str());
        assert_eq!(a.header("x-rate-limit-limit"), Some("200"));
        assert_eq!(a.header("x-rate-limit-remaining"), Some("199"));
        let reset: i64 = a.header("x-rate-limit-reset").unwrap().parse().unwrap();
        assert_eq!(reset, Timestamp::from_second(reset).unwrap().as_second());
        assert_eq!(reset - f.clock().now().as_second(), 900);
        assert_eq!(a.header("x-user-limit-24hour-limit"), None);

        let dup = post(&mut f, r#"{"text":"hello"}"#);
        assert_eq!(dup.status, 403);
        assert_eq!(
            dup.body["detail"],
            "You are not allowed to create a Tweet with duplicate content."
        );

        let reply = format!(r#"{{"text":"second","reply":{{"in_reply_to_tweet_id":"{id}"}}}}"#);
        assert_eq!(post(&mut f, &reply).status, 201);
        let orphan = r#"{"text":"third","reply":{"in_reply_to_tweet_id":"42"}}"#;
        assert_eq!(post(&mut f, orphan).status, 403);

        // Deleting frees the text again.
        assert!(f.remove_tweet(&id));
        assert_eq!(post(&mut f, r#"{"text":"hello"}"#).status, 201);
        assert_eq!(f.tweets().len(), 3);
        assert_eq!(f.live_tweets().len(), 2);

        // Media alone needs no text: it defaults to "" in X's schema.
        let me = f.user().id.clone();
        let image = f.insert_media(MediaKind::Image, &me, f.now());
        let media_only = post(
            &mut f,
            &json!({"media": {"media_ids": [image]}}).to_string(),
        );
        assert_eq!(media_only.status, 201, "{}", media_only.body);
        // X's text for it is the link it adds for the media.
        let shown = media_only.body["data"]["text"].as_str().unwrap();
        assert!(shown.starts_with("https://t.co/"), "{shown}");
        assert_eq!(f.tweets().last().unwrap().text, "");
    }

    #[tokio::test(start_paused = true)]
    async fn answers_show_text_as_x_does_with_the_fields_asked_for() {
        let mut f = fake();
        // Quotes are Enterprise's (crate::access).
        f.behaviour.access = crate::Access::Enterprise;
        let a = post(
            &mut f,
            r#"{"text":"Notes & fixes: https://example.com/v1.2","poll":{"options":["a","b"],"duration_minutes":5}}"#,
        );
        let first = a.body["data"]["id"].as_str().unwrap().to_owned();
        let shown = a.body["data"]["text"].as_str().unwrap();
        assert!(
            shown.starts_with("Notes &amp; fixes: https://t.co/"),
            "{shown}"
        );
        // Stored as sent.
        assert_eq!(
            f.tweets()[0].text,
            "Notes & fixes: https://example.com/v1.2"
        );
        let me = f.user().id.clone();
        let (five, six) = (
            f.insert_media(MediaKind::Image, &me, f.now()),
            f.insert_media(MediaKind::Image, &me, f.now()),
        );
        let reply = format!(
            r#"{{"text":"more","reply":{{"in_reply_to_tweet_id":"{first}"}},"quote_tweet_id":"{first}","media":{{"media_ids":["{five}","{six}"]}}}}"#
        );
        assert_eq!(post(&mut f, &reply).status, 201);

        let path = format!("/2/users/{}/tweets", f.user().id);
        let fields = "tweet.fields=created_at%2Centities%2Creferenced_tweets%2Cattachments";
        let a = get(&mut f, &path, fields);
        assert_eq!(a.status, 200, "{}", a.body);
        let (newest, oldest) = (&a.body["data"][0], &a.body["data"][1]);
        assert_eq!(oldest["text"], shown);
        let url = &oldest["entities"]["urls"][0];
        assert_eq!(url["expanded_url"], "https://example.com/v1.2");
        assert_eq!(url["display_url"], "example.com/v1.2");
        assert_eq!(url["start"], 19);
        assert_eq!(url["end"], 19 + 23);
        assert_eq!(
            oldest["attachments"]["poll_ids"].as_array().unwrap().len(),
            1
        );
        assert!(oldest.get("referenced_tweets").is_none());
        assert_eq!(
            newest["referenced_tweets"],
            json!([{"type": "replied_to", "id": first}, {"type": "quoted", "id": first}])
        );
        assert_eq!(
            newest["attachments"]["media_keys"],
            json!([format!("3_{five}"), format!("3_{six}")])
        );
        // The media link comes last, marked with its media key.
        assert_eq!(
            newest["entities"]["urls"][0]["media_key"],
            format!("3_{five}")
        );
        assert!(
            newest["text"]
                .as_str()
                .unwrap()
                .starts_with("more https://t.co/")
        );
        assert!(newest["created_at"].is_string());

        // Without the fields: only the text, rewritten all the same.
        let a = get(&mut f, &path, "");
        assert!(a.body["data"][1].get("entities").is_none());
        assert_eq!(a.body["data"][1]["text"], shown);
        // A lookup by ID answers the same way.
        let a = get(&mut f, "/2/tweets", &format!("ids={first}&{fields}"));
        assert_eq!(
            a.body["data"][0]["entities"]["urls"][0]["expanded_url"],
            "https://example.com/v1.2"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_text_can_be_refused_on_demand() {
        let mut f = fake();
        f.reject_text(
            "no",
            403,
            "You are not allowed to create a Tweet with duplicate content.",
        );
        let a = post(&mut f, r#"{"text":"no"}"#);
        assert_eq!(a.status, 403);
        assert_eq!(a.content_type, "application/problem+json");
        assert_eq!(
            a.body,
            json!({"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403})
        );
        assert!(f.tweets().is_empty());
        assert_eq!(post(&mut f, r#"{"text":"yes"}"#).status, 201);
        f.reject_text("bad", 400, "Your Tweet text is invalid.");
        assert_eq!(
            post(&mut f, r#"{"text":"bad"}"#).body["title"],
            "Bad Request"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn timeline_pages_newest_first_and_lookup() {
        let mut f = fake();
        let clock = f.clock().clone();
        let mut ids = Vec::new();
        for i in 0..12 {
            let a = post(&mut f, &format!(r#"{{"text":"t{i}"}}"#));
            ids.push(a.body["data"]["id"].as_str().unwrap().to_owned());
            clock.sleep(Duration::from_secs(60)).await;
        }
        let user = f.user().id.clone();
        let path = format!("/2/users/{user}/tweets");
        let a = get(
            &mut f,
            &path,
            "max_results=5&tweet.fields=created_at&start_time=2026-01-01T00%3A01%3A00Z",
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.body["meta"]["result_count"], 5);
        assert_eq!(a.body["data"][0]["id"], ids[11].as_str());
        assert_eq!(a.body["data"][0]["created_at"], "2026-01-01T00:11:00.000Z");
        let token = a.body["meta"]["next_token"].as_str().unwrap().to_owned();
        let a = get(
            &mut f,
            &path,
            &format!("max_results=5&start_time=2026-01-01T00:01:00Z&pagination_token={token}"),
        );
        assert_eq!(a.body["data"][0]["id"], ids[6].as_str());
        assert!(a.body["data"][0].get("created_at").is_none());
        let token = a.body["meta"]["next_token"].as_str().unwrap().to_owned();
        let a = get(
            &mut f,
            &path,
            &format!("max_results=5&start_time=2026-01-01T00:01:00Z&pagination_token={token}"),
        );
        assert_eq!(a.body["meta"]["result_count"], 1);
        assert!(a.body["meta"].get("next_token").is_none());

        f.set_timeline_lag(Some(Duration::from_secs(90)));
        let a = get(&mut f, &path, "max_results=5");
        assert_eq!(
            a.body["data"][0]["id"],
            ids[10].as_str(),
            "the newest is not visible yet"
        );
        f.set_timeline_lag(None);

        assert_eq!(get(&mut f, &path, "tweet.fields=created_At").status, 400);
        assert_eq!(get(&mut f, &path, "max_results=500").status, 400);
        assert_eq!(get(&mut f, &path, "bogus=1").status, 400);

        f.remove_tweet(&ids[0]);
        let a = get(
            &mut f,
            "/2/tweets",
            &format!("ids={},{},99", ids[0], ids[1]),
        );
        assert_eq!(a.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(a.body["data"][0]["id"], ids[1].as_str());
        assert_eq!(a.body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(a.body["errors"][0]["resource_id"], ids[0].as_str());
        let a = get(&mut f, "/2/tweets", "ids=99");
        assert!(a.body.get("data").is_none());
        assert_eq!(get(&mut f, "/2/tweets", "ids=abc").status, 400);
    }

    #[tokio::test(start_paused = true)]
    async fn delete_and_faults() {
        let mut f = fake();
        let id = post(&mut f, r#"{"text":"x"}"#).body["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let del = |f: &mut FakeX, id: &str| {
            f.handle(&Request {
                method: "DELETE",
                path: &format!("/2/tweets/{id}"),
                query: None,
                body: b"",
                content_type: None,
                caller: Caller::InProcess,
            })
        };
        let a = del(&mut f, &id);
        assert_eq!(
            (a.status, &a.body),
            (200, &json!({"data": {"deleted": true}}))
        );
        assert_eq!(a.header("x-rate-limit-limit"), Some("50"));
        assert_eq!(del(&mut f, &id).body, json!({"data": {"deleted": false}}));
        assert_eq!(del(&mut f, "42").status, 404);

        f.fail_next_on(Endpoint::CreateTweet, 1, 503);
        assert_eq!(get(&mut f, "/2/users/me", "").status, 200);
        let a = post(&mut f, r#"{"text":"y"}"#);
        assert_eq!(a.status, 503);
        assert_eq!(f.live_tweets().len(), 0);
        f.drop_after_commit(1);
        let a = post(&mut f, r#"{"text":"y"}"#);
        assert!(a.drop_connection);
        assert_eq!(f.live_tweets().len(), 1);
        assert!(!post(&mut f, r#"{"text":"z"}"#).drop_connection);
        f.set_delay(Some(Duration::from_secs(2)));
        assert_eq!(
            get(&mut f, "/2/users/me", "").delay,
            Some(Duration::from_secs(2))
        );
        assert_eq!(f.requests_to(Endpoint::CreateTweet), 4);
        assert_eq!(get(&mut f, "/2/nothing", "").status, 404);
    }

    #[test]
    fn me_counts_the_account_tweets_when_asked() {
        let mut f = fake();
        let now = f.now();
        f.insert_tweet("one", now);
        let gone = f.insert_tweet("two", now);
        f.insert_tweet("three", now);
        f.remove_tweet(&gone);
        let a = get(&mut f, "/2/users/me", "user.fields=public_metrics");
        assert_eq!(a.status, 200);
        assert_eq!(a.body["data"]["public_metrics"]["tweet_count"], json!(2));
        let a = get(&mut f, "/2/users/me", "");
        assert!(a.body["data"].get("public_metrics").is_none());
    }
}
