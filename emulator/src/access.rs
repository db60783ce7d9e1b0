//! The account's API access level and the creates it refuses. X's
//! self-serve levels (pay-per-use, Basic, Pro) refuse quote posts since
//! 16 Apr 2026, and since 23 Feb 2026 a reply to another account's post
//! unless that account summoned this one (mentioned it, or quoted one of
//! its posts); Enterprise is not restricted. Kept apart from tweetform's own
//! rules (this crate shares no code with it), so that the fake checks them.
//!
//! X's exact wording for these refusals is not in the reference notes the
//! fake is built from: the details below say what X's pages say the rule
//! is, in X's problem shape (403, `about:blank`).

use std::sync::LazyLock;

use serde_json::Value;

use crate::answers::Answer;
use crate::fake::FakeX;

pub(crate) const QUOTE_REFUSED: &str = "Quote posts are not available at your access level: \
     creating a post with quote_tweet_id requires Enterprise access.";

pub(crate) const REPLY_REFUSED: &str = "Replying to this post is not allowed: at your access \
     level, a reply to another account's post is accepted only when that account mentioned \
     you or quoted one of your posts.";

static EXTRACTOR: LazyLock<twitter_text::extractor::Extractor> =
    LazyLock::new(twitter_text::extractor::Extractor::new);

impl FakeX {
    /// X's refusal of a create `body` that the access level does not allow;
    /// `in_reply_to` names a live tweet (checked before).
    pub(crate) fn access_refusal(&self, body: &Value, in_reply_to: Option<&str>) -> Option<Answer> {
        if !self.behaviour.access.is_self_serve() {
            return None;
        }
        if body.get("quote_tweet_id").is_some() {
            return Some(Answer::forbidden(QUOTE_REFUSED));
        }
        let target = self
            .tweets
            .iter()
            .find(|t| Some(t.id.as_str()) == in_reply_to && t.is_live())?;
        let me = &self.behaviour.user;
        if target.author_id == me.id || self.summoned_by(target) {
            return None;
        }
        Some(Answer::forbidden(REPLY_REFUSED))
    }

    /// Whether `tweet` mentions the account or quotes one of its tweets.
    fn summoned_by(&self, tweet: &crate::StoredTweet) -> bool {
        let me = &self.behaviour.user;
        let mentions = EXTRACTOR
            .extract_mentioned_screennames(&tweet.text)
            .iter()
            .any(|name| name.eq_ignore_ascii_case(&me.username));
        let quotes_mine = tweet
            .body
            .get("quote_tweet_id")
            .and_then(Value::as_str)
            .is_some_and(|quoted| {
                self.tweets
                    .iter()
                    .any(|t| t.id == quoted && t.author_id == me.id)
            });
        mentions || quotes_mine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::Access;
    use crate::fake::test_support::{fake, post};
    use serde_json::json;

    fn at(access: Access) -> FakeX {
        let mut f = fake();
        f.behaviour.access = access;
        f
    }

    #[test]
    fn only_enterprise_is_not_self_serve() {
        let self_serve: Vec<_> = Access::ALL
            .into_iter()
            .filter(|a| a.is_self_serve())
            .collect();
        assert_eq!(self_serve, [Access::PayPerUse, Access::Basic, Access::Pro]);
    }

    #[test]
    fn levels_parse_by_name_and_the_default_is_pay_per_use() {
        assert_eq!(Access::default(), Access::PayPerUse);
        for a in Access::ALL {
            assert_eq!(a.name().parse::<Access>(), Ok(a));
        }
        let e = "premium".parse::<Access>().unwrap_err();
        assert!(e.contains("pay-per-use, basic, pro, enterprise"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn quotes_are_refused_on_self_serve_levels_only() {
        for access in Access::ALL {
            let mut f = at(access);
            f.insert_others_tweet("20", "583", "worth quoting", f.now());
            let a = post(&mut f, r#"{"text":"look","quote_tweet_id":"20"}"#);
            if access.is_self_serve() {
                assert_eq!(a.status, 403, "{access}");
                assert_eq!(a.body["detail"], QUOTE_REFUSED);
                assert_eq!(a.body["title"], "Forbidden");
                assert_eq!(f.live_tweets().len(), 1, "nothing stored");
            } else {
                assert_eq!(a.status, 201, "{access}: {}", a.body);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn replies_to_others_need_a_summons_on_self_serve_levels() {
        for access in Access::ALL {
            let mut f = at(access);
            let me = f.user().clone();
            let now = f.now();
            let mine = f.insert_tweet("my own", now);
            f.insert_others_tweet("20", "583", "not about you", now);
            f.insert_others_tweet(
                "21",
                "583",
                &format!("hey @{}", me.username.to_uppercase()),
                now,
            );
            f.insert_others_created(
                "22",
                "584",
                json!({"text": "see this", "quote_tweet_id": mine}),
                now,
            );
            let reply = |to: &str, text: &str| {
                json!({"text": text, "reply": {"in_reply_to_tweet_id": to}}).to_string()
            };
            let unsummoned = post(&mut f, &reply("20", "uninvited"));
            if access.is_self_serve() {
                assert_eq!(unsummoned.status, 403, "{access}");
                assert_eq!(unsummoned.body["detail"], REPLY_REFUSED);
            } else {
                assert_eq!(unsummoned.status, 201, "{access}: {}", unsummoned.body);
            }
            // A mention (any case) or a quote of the account's tweet summons it.
            assert_eq!(
                post(&mut f, &reply("21", "mentioned")).status,
                201,
                "{access}"
            );
            assert_eq!(post(&mut f, &reply("22", "quoted")).status, 201, "{access}");
            // The account's own tweets take replies (threads).
            assert_eq!(
                post(&mut f, &reply(&mine, "my thread")).status,
                201,
                "{access}"
            );
        }
    }
}
