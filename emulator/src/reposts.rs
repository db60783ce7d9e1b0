//! Reposts: `POST /2/users/:id/retweets` and its undo, `DELETE
//! /2/users/:id/retweets/:source_tweet_id`, checked as X checks them (the
//! body against `RepostPostRequest`, IDs against their pattern, the user in
//! the path against the caller) over the set of tweets the account
//! reposted.
//!
//! Both are idempotent, as on X's v2 API: reposting what the account
//! already reposted answers `retweeted: true` again (v1.1's "already
//! retweeted" error is gone), and undoing a repost that is not there
//! answers `retweeted: false`.

// An error answer is built at most once per request: its size does not matter.
#![allow(clippy::result_large_err)]

use serde_json::{Value, json};

use crate::answers::{Answer, not_found_problem};
use crate::fake::FakeX;
use crate::schema::is_id;

impl FakeX {
    pub(crate) fn repost(&mut self, user_id: &str, body: &[u8]) -> Answer {
        if let Err(a) = self.check_user(user_id) {
            return a;
        }
        let body: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return Answer::invalid_messages(vec![format!(
                    "Request body is not valid JSON: {e}"
                )]);
            }
        };
        let mut problems = Vec::new();
        match body.as_object() {
            None => problems.push("$: must be an object".to_owned()),
            Some(fields) => {
                for name in fields.keys().filter(|k| *k != "tweet_id") {
                    problems.push(format!(
                        "$.{name}: is not defined in the schema and the schema does not allow additional properties"
                    ));
                }
                match fields.get("tweet_id") {
                    None => problems.push("$.tweet_id: is missing but it is required".to_owned()),
                    Some(Value::String(id)) if is_id(id) => {}
                    Some(Value::String(_)) => {
                        problems.push(
                            "$.tweet_id: does not match the regex pattern ^[0-9]{1,19}$".to_owned(),
                        );
                    }
                    Some(_) => {
                        problems.push("$.tweet_id: string found, other type expected".to_owned())
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        let tweet_id = body["tweet_id"].as_str().unwrap_or_default().to_owned();
        if !self.tweets.iter().any(|t| t.id == tweet_id && t.is_live()) {
            let mut p = not_found_problem("tweet", "tweet_id", &tweet_id);
            p["status"] = json!(404);
            return Answer::problem(404, p);
        }
        self.reposted.insert(tweet_id.clone());
        Answer::json(
            200,
            json!({"data": {"retweeted": true, "rest_id": tweet_id}}),
        )
    }

    /// `user_and_source` is `USER/SOURCE`, as the routing table gives it.
    pub(crate) fn unrepost(&mut self, user_and_source: &str) -> Answer {
        let (user_id, source) = user_and_source
            .split_once('/')
            .unwrap_or((user_and_source, ""));
        if let Err(a) = self.check_user(user_id) {
            return a;
        }
        if !is_id(source) {
            return Answer::invalid_id("source_tweet_id", source);
        }
        self.reposted.remove(source);
        Answer::json(200, json!({"data": {"retweeted": false}}))
    }

    /// The user in the path: an ID, and the caller's own.
    fn check_user(&self, user_id: &str) -> Result<(), Answer> {
        if !is_id(user_id) {
            return Err(Answer::invalid_id("id", user_id));
        }
        if user_id != self.behaviour.user.id {
            return Err(Answer::forbidden(
                "You are not permitted to perform this action on behalf of another user.",
            ));
        }
        Ok(())
    }

    /// Whether the account reposted `tweet_id`.
    pub fn is_reposted(&self, tweet_id: &str) -> bool {
        self.reposted.contains(tweet_id)
    }

    /// The IDs of the tweets the account reposted, in ID order.
    pub fn reposts(&self) -> Vec<String> {
        self.reposted.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::answers::Answer;
    use crate::fake::test_support::{fake, post};
    use crate::fake::{Caller, FakeX, Request};

    fn send(f: &mut FakeX, method: &str, path: &str, body: &str) -> Answer {
        f.handle(&Request {
            method,
            path,
            query: None,
            body: body.as_bytes(),
            content_type: Some("application/json"),
            caller: Caller::InProcess,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn reposts_and_their_undo_are_idempotent_and_checked() {
        let mut f = fake();
        let me = f.user().id.clone();
        let id = post(&mut f, r#"{"text":"x"}"#).body["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/2/users/{me}/retweets");
        let body = json!({ "tweet_id": id }).to_string();

        let a = send(&mut f, "POST", &path, &body);
        assert_eq!(a.status, 200);
        assert_eq!(a.body, json!({"data": {"retweeted": true, "rest_id": id}}));
        assert_eq!(a.header("x-rate-limit-limit"), Some("50"));
        assert_eq!(send(&mut f, "POST", &path, &body).status, 200, "again");
        assert_eq!(f.reposts(), vec![id.clone()]);

        let undo = format!("/2/users/{me}/retweets/{id}");
        let a = send(&mut f, "DELETE", &undo, "");
        assert_eq!(a.body, json!({"data": {"retweeted": false}}));
        assert!(!f.is_reposted(&id));
        assert_eq!(send(&mut f, "DELETE", &undo, "").status, 200, "again");

        // Someone else's account, a bad body, a tweet it does not have.
        let other = send(&mut f, "POST", "/2/users/42/retweets", &body);
        assert_eq!(other.status, 403);
        let extra = send(&mut f, "POST", &path, r#"{"tweet_id":"1","text":"x"}"#);
        assert_eq!(extra.status, 400);
        assert_eq!(send(&mut f, "POST", &path, r#"{"tweet_id":1}"#).status, 400);
        assert_eq!(
            send(&mut f, "POST", &path, r#"{"tweet_id":"99"}"#).status,
            404
        );
        let bad = format!("/2/users/{me}/retweets/abc");
        assert_eq!(send(&mut f, "DELETE", &bad, "").status, 400);
    }
}
