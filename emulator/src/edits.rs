//! Edits in place: a create with `edit_options.previous_post_id`. X lets an
//! account edit its own tweet, the newest version of it, within a window
//! after the tweet was first published, at most five times, and never a
//! poll, a reply to another account or a community post. An edit is a new
//! version with a new ID that keeps the tweet's place in its thread; every
//! version lists the chain in `edit_history_tweet_ids`, and the timeline
//! shows the newest only. Apart from the create handler because none of
//! these rules concern a plain create.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::answers::Answer;
use crate::endpoints::weighted_length;
use crate::fake::{FakeX, StoredTweet};
use crate::rendering;

/// X allows a tweet five edits.
pub const MAX_EDITS: usize = 5;

impl FakeX {
    /// `POST /2/tweets` with `edit_options`: the new version of `previous`,
    /// or X's 403 naming the rule the edit breaks.
    pub(crate) fn edit(&mut self, body: Value, previous: &str, now: Timestamp) -> Answer {
        let old = match self.editable(previous, now) {
            Ok(old) => old.clone(),
            Err(rule) => return Answer::forbidden(&rule),
        };
        let text = body["text"].as_str().unwrap_or_default().to_owned();
        if text.is_empty() && body.get("media").is_none() {
            return Answer::invalid_messages(vec![
                "$.text: must not be empty unless media is attached".to_owned(),
            ]);
        }
        if body.get("media").is_some()
            && let Err(a) = self.check_tweet_media(&body, now)
        {
            return a;
        }
        if let Some(max) = self.behaviour.max_weighted_length
            && weighted_length(&text) > max
        {
            return Answer::forbidden("Tweet needs to be a bit shorter.");
        }
        if let Some(r) = self.faults.rejection(&text) {
            return Answer::refused(r.status, &r.detail);
        }
        let id = self.new_tweet_id(now);
        // The new version keeps its place in the thread (`in_reply_to`);
        // its body is the request's, as received.
        self.tweets.push(StoredTweet {
            id: id.clone(),
            text: text.clone(),
            created_at: now,
            body,
            ..old
        });
        let chain = self.add_version(previous, &id);
        self.counters.published(now);
        let shown = self.tweets.last().map(|t| {
            rendering::render(t, &self.behaviour.user.username, &self.media_keys(&t.body)).text
        });
        let mut answer = Answer::json(
            201,
            json!({"data": {"id": id, "text": shown.unwrap_or(text), "edit_history_tweet_ids": chain}}),
        );
        if self.faults.drop_this_create() {
            answer.drop_connection = true;
            answer.note = Some(format!("stored edit {id}, then dropped the connection"));
        }
        answer
    }

    /// The tweet `previous` names when the account may edit it now, or the
    /// rule that forbids it.
    fn editable(&self, previous: &str, now: Timestamp) -> Result<&StoredTweet, String> {
        let Some(old) = self.tweets.iter().find(|t| t.id == previous && t.is_live()) else {
            return Err(format!(
                "You attempted to edit a Tweet that is deleted or not visible to you ({previous})."
            ));
        };
        let me = &self.behaviour.user;
        if old.author_id != me.id {
            return Err("You can only edit your own Posts.".to_owned());
        }
        if self.is_superseded(previous) {
            return Err(
                "previous_post_id must be the latest version of the Post: only it can be edited."
                    .to_owned(),
            );
        }
        let chain = self.edit_history(previous);
        if chain.len() > MAX_EDITS {
            return Err(format!(
                "This Post was edited {MAX_EDITS} times already, the most allowed."
            ));
        }
        let first = chain
            .first()
            .and_then(|id| self.tweets.iter().find(|t| &t.id == id))
            .unwrap_or(old);
        let window = SignedDuration::try_from(self.behaviour.edit_window).unwrap_or_default();
        let closes = first
            .created_at
            .saturating_add(window)
            .unwrap_or(first.created_at);
        if now >= closes {
            return Err(format!(
                "A Post can only be edited within {} minutes of being posted; this one's edit window closed at {closes}.",
                window.as_mins()
            ));
        }
        if old.body.get("poll").is_some_and(|p| !p.is_null()) {
            return Err("Posts with polls cannot be edited.".to_owned());
        }
        if old.body.get("community_id").is_some_and(|c| !c.is_null()) {
            return Err("Community Posts cannot be edited.".to_owned());
        }
        let replies_to_other = old.in_reply_to.as_deref().is_some_and(|target| {
            !self
                .tweets
                .iter()
                .any(|t| t.id == target && t.author_id == me.id)
        });
        if replies_to_other {
            return Err("Replies to another account's Posts cannot be edited.".to_owned());
        }
        Ok(old)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use crate::{Behaviour, Clock, FakeX};

    fn fake() -> FakeX {
        let clock = Clock::starting_at("2026-03-01T12:00:00Z".parse().unwrap());
        FakeX::new(Behaviour::default(), clock)
    }

    /// Another account's tweet, ID 9, that mentions the account (so that
    /// a self-serve level accepts a reply to it).
    fn others(f: &mut FakeX) -> String {
        let now = f.now();
        let text = format!("hello @{}", f.user().username);
        f.insert_others_tweet("9", "999", &text, now);
        "9".to_owned()
    }

    fn create(f: &mut FakeX, body: serde_json::Value) -> (u16, serde_json::Value) {
        let now = f.now();
        let a = f.create(body.to_string().as_bytes(), now);
        (a.status, a.body)
    }

    fn edit(f: &mut FakeX, previous: &str, text: &str) -> (u16, serde_json::Value) {
        create(
            f,
            json!({"text": text, "edit_options": {"previous_post_id": previous}}),
        )
    }

    fn id(body: &serde_json::Value) -> String {
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    #[tokio::test(start_paused = true)]
    async fn an_edit_is_a_new_version_listing_the_chain_and_the_old_one_leaves_the_timeline() {
        let mut f = fake();
        let (_, a) = create(&mut f, json!({"text": "first"}));
        let first = id(&a);
        tokio::time::advance(Duration::from_secs(60)).await;
        let (status, b) = edit(&mut f, &first, "second");
        assert_eq!(status, 201, "{b}");
        let second = id(&b);
        assert_ne!(first, second);
        assert_eq!(b["data"]["edit_history_tweet_ids"], json!([first, second]));
        assert_eq!(f.edit_history(&first), [first.clone(), second.clone()]);
        assert!(f.is_superseded(&first));
        // Only the newest version can be edited.
        let (status, c) = edit(&mut f, &first, "third");
        assert_eq!(status, 403);
        assert!(c["detail"].as_str().unwrap().contains("latest version"));
    }

    #[tokio::test(start_paused = true)]
    async fn outside_the_window_an_edit_is_refused_saying_so() {
        let mut f = fake();
        let (_, a) = create(&mut f, json!({"text": "first"}));
        tokio::time::advance(Duration::from_secs(30 * 60)).await;
        let (status, b) = edit(&mut f, &id(&a), "late");
        assert_eq!(status, 403);
        assert!(
            b["detail"].as_str().unwrap().contains("within 30 minutes"),
            "{b}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_sixth_edit_is_refused() {
        let mut f = fake();
        let (_, a) = create(&mut f, json!({"text": "v0"}));
        let mut newest = id(&a);
        for n in 1..=5 {
            let (status, b) = edit(&mut f, &newest, &format!("v{n}"));
            assert_eq!(status, 201, "{b}");
            newest = id(&b);
        }
        let (status, b) = edit(&mut f, &newest, "v6");
        assert_eq!(status, 403);
        assert!(b["detail"].as_str().unwrap().contains("5 times"), "{b}");
    }

    #[tokio::test(start_paused = true)]
    async fn polls_communities_and_replies_to_others_are_refused() {
        let mut f = fake();
        let other = others(&mut f);
        let bodies = [
            (
                json!({"text": "poll", "poll": {"options": ["a", "b"], "duration_minutes": 60}}),
                "polls",
            ),
            (json!({"text": "club", "community_id": "1234"}), "Community"),
            (
                json!({"text": "hi", "reply": {"in_reply_to_tweet_id": other}}),
                "another account",
            ),
        ];
        for (body, rule) in bodies {
            let (status, a) = create(&mut f, body);
            assert_eq!(status, 201, "{a}");
            let (status, b) = edit(&mut f, &id(&a), "changed");
            assert_eq!(status, 403, "{b}");
            assert!(b["detail"].as_str().unwrap().contains(rule), "{b}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_accounts_own_tweets_are_edited() {
        let mut f = fake();
        let other = others(&mut f);
        let (status, b) = edit(&mut f, &other, "mine now");
        assert_eq!(status, 403);
        assert!(b["detail"].as_str().unwrap().contains("your own"), "{b}");
    }
}
