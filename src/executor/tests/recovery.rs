//! Exact recovery: an interrupted run's intents against what X shows,
//! rewritten as X rewrites it (t.co links, escapes), on a clock that may be
//! off from X's. Each tweet must end up under the post that sent it.

use proptest::prelude::*;

use super::*;
use crate::post::Media;
use crate::state::IntentShape;
use tweetform_emulator::MediaKind;

/// The intent a run saves before sending tweet `index` of `key`.
fn intent_for(
    key: &str,
    index: usize,
    body: &Tweet,
    reply_to: Option<&str>,
    at: Timestamp,
) -> Intent {
    Intent {
        key: key.into(),
        index,
        digest: body.digest(),
        text: body.text.clone(),
        at,
        shape: Some(IntentShape::of_request(&body.request_body(reply_to))),
        edit_of: None,
    }
}

fn with_media(text: &str, n: usize) -> Tweet {
    Tweet {
        media: Some(Media {
            media_ids: (1..=n).map(|i| i.to_string()).collect(),
            tagged_user_ids: Vec::new(),
            files: Vec::new(),
        }),
        ..Tweet::new(text)
    }
}

fn recorded(state: &State, key: &str) -> Vec<String> {
    state
        .posts
        .get(key)
        .map(|p| p.tweets.iter().map(|t| t.id.clone()).collect())
        .unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn release_notes_differing_only_in_their_link_are_told_apart() {
    // The run sent v1.3's tweet and was killed; v1.2's create never left.
    // Without their links the two texts are the same: v1.2 must not take
    // v1.3's tweet.
    let run = Run::new();
    let v12 = Tweet::new("Release notes: https://example.com/releases/v1.2");
    let v13 = Tweet::new("Release notes: https://example.com/releases/v1.3");
    let at = t0() - SignedDuration::from_mins(3);
    let mut state = empty_state();
    state.pending = vec![
        intent_for("v1.2", 0, &v12, None, at),
        intent_for("v1.3", 0, &v13, None, at + SignedDuration::from_secs(1)),
    ];
    let id13 = run
        .fake
        .fake()
        .insert_created(v13.request_body(None), at + SignedDuration::from_secs(2));
    let plan = plan_of(vec![
        change_of("v1.2", std::slice::from_ref(&v12)),
        change_of("v1.3", &[v13]),
    ]);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(recorded(&state, "v1.3"), vec![id13.clone()]);
    let id12 = recorded(&state, "v1.2");
    assert_eq!(id12.len(), 1);
    assert_ne!(id12[0], id13);
    assert_eq!(run.fake.fake().tweet(&id12[0]).unwrap().text, v12.text);
    assert_exactly_once(&run.fake, &state, 2);
}

#[tokio::test(start_paused = true)]
async fn a_threads_chain_decides_which_post_a_reply_belongs_to() {
    // Two threads whose second tweets say the same: the one on X replies
    // to B's first tweet, so it is B's, whichever intent is older.
    let run = Run::new();
    let a1 = insert(&run.fake, "Thread A", t0() - SignedDuration::from_mins(9));
    let b1 = insert(&run.fake, "Thread B", t0() - SignedDuration::from_mins(9));
    let mut state = empty_state();
    for (key, id) in [("a", &a1), ("b", &b1)] {
        state.posts.insert(
            key.into(),
            PostState {
                tweets: vec![PublishedTweet {
                    id: id.clone(),
                    text: format!("Thread {}", key.to_uppercase()),
                    digest: Tweet::new(format!("Thread {}", key.to_uppercase())).digest(),
                    published_at: None,
                    edits: Vec::new(),
                }],
            },
        );
    }
    let second = Tweet::new("Details below.");
    let at = t0() - SignedDuration::from_mins(2);
    state.pending = vec![
        intent_for("a", 1, &second, Some(&a1), at),
        intent_for(
            "b",
            1,
            &second,
            Some(&b1),
            at + SignedDuration::from_secs(1),
        ),
    ];
    let reply = run.fake.fake().insert_created(
        second.request_body(Some(&b1)),
        at + SignedDuration::from_secs(2),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    assert!(ex.settle_pending(&mut state).await.unwrap());
    assert_eq!(recorded(&state, "b"), vec![b1, reply]);
    assert_eq!(recorded(&state, "a"), vec![a1], "A's reply was not sent");
    assert_eq!(state.pending.len(), 1, "A's young intent stays");
}

#[tokio::test(start_paused = true)]
async fn one_timeline_read_settles_every_intent() {
    let run = Run::new();
    let mut state = empty_state();
    let at = t0() - SignedDuration::from_mins(2);
    state.pending = (0..3)
        .map(|i| intent(i, at + SignedDuration::from_secs(i as i64)))
        .collect();
    insert(
        &run.fake,
        "post number 1",
        at + SignedDuration::from_secs(5),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.settle_pending(&mut state).await.unwrap();
    let report = ex.execute(&singles(3), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 3);
    assert_eq!(run.fake.fake().requests_to(Endpoint::UserTweets), 1);
}

#[tokio::test(start_paused = true)]
async fn a_clock_90_seconds_ahead_of_xs_keeps_its_tweet() {
    // The answer is lost; X dates the tweet 90 s before this machine's
    // clock says it was sent. Measured from X's `date`, it is ours.
    let run = Run::new();
    run.fake.fake().set_skew(SignedDuration::from_secs(-90));
    run.fake.fake().drop_after_commit(1);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 2);
    assert_eq!(creates_sent(&run.fake), 2, "nothing sent twice");
    assert_eq!(
        run.fake.fake().requests_to(Endpoint::UserTweets),
        1,
        "one look after the lost answer"
    );
}

#[tokio::test(start_paused = true)]
async fn a_clock_far_ahead_of_xs_reads_again_from_the_measured_offset() {
    // X's clock is 15 minutes behind: a read from the first guess starts
    // after the tweet; the offset measured from it says where to start.
    let run = Run::new();
    run.fake.fake().set_skew(SignedDuration::from_mins(-15));
    run.fake.fake().drop_after_commit(1);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(1), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 1);
    assert_eq!(creates_sent(&run.fake), 1);
    assert_eq!(run.fake.fake().requests_to(Endpoint::UserTweets), 2);
}

#[tokio::test(start_paused = true)]
async fn a_clock_90_seconds_behind_xs_does_not_take_an_older_tweet() {
    // X is 90 s ahead, and the account has the same text from 40 s before
    // the create (X's time): within a fixed 60 s tolerance of this
    // machine's clock, but older. It is not ours: the post fails as a
    // duplicate instead of recording someone else's tweet.
    let run = Run::new();
    run.fake.fake().set_skew(SignedDuration::from_secs(90));
    let other = insert(
        &run.fake,
        "post number 0",
        t0() + SignedDuration::from_secs(50),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(1), &mut state).await;
    let (_, reason) = report.failed().next().expect("a failure");
    assert!(reason.contains("duplicate"), "{reason}");
    assert!(recorded(&state, "p0000").is_empty(), "{other} is not ours");
    assert!(state.pending.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_text_of_only_links_is_never_matched_on_text_alone() {
    let run = Run::new();
    let body = Tweet::new("https://example.com/a");
    let at = t0() - SignedDuration::from_mins(20);
    let id = run
        .fake
        .fake()
        .insert_created(body.request_body(None), at + SignedDuration::from_secs(1));
    // Saved without its shape (an older version): text alone cannot tell.
    let mut legacy = intent_for("l", 0, &body, None, at);
    legacy.shape = None;
    let mut state = empty_state();
    state.pending = vec![legacy];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.settle_pending(&mut state).await.unwrap();
    assert!(recorded(&state, "l").is_empty());
    // With its shape, the whole content matches.
    let mut state = empty_state();
    state.pending = vec![intent_for("l", 0, &body, None, at)];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.settle_pending(&mut state).await.unwrap();
    assert_eq!(recorded(&state, "l"), vec![id]);
}

/// What a post of the property test says.
#[derive(Debug, Clone)]
enum Spec {
    /// Release notes for one version: texts differing only in the link.
    Notes(u8),
    /// No text, only media: tweets differing only in the media count.
    Media(u8),
    /// Escaped characters and a link.
    Escaped(u8),
}

impl Spec {
    fn tweet(&self) -> Tweet {
        match self {
            Spec::Notes(v) => Tweet::new(format!(
                "Release notes: https://example.com/releases/v1.{v}"
            )),
            Spec::Media(n) => with_media("", usize::from(*n)),
            Spec::Escaped(k) => Tweet::new(format!("Q&A <live> at example.org/{k} & more")),
        }
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        (0u8..4).prop_map(Spec::Notes),
        (1u8..5).prop_map(Spec::Media),
        (0u8..3).prop_map(Spec::Escaped),
    ]
}

/// How far an interrupted run got with one post.
#[derive(Debug, Clone, Copy)]
enum Got {
    Nothing,
    /// The intent was saved; the create never reached X.
    Intent,
    /// X stored the tweet, this many seconds after the intent; the answer
    /// was lost.
    Sent(u8),
}

fn got() -> impl Strategy<Value = Got> {
    prop_oneof![
        Just(Got::Nothing),
        Just(Got::Intent),
        (1u8..120).prop_map(Got::Sent),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// For any posts (pairs differing only in a link or in media count
    /// included), any interruption point, any timeline order and X's
    /// clock off by up to 90 s either way: each tweet is recorded under
    /// the post that sent it, none twice, and nothing is sent twice.
    #[test]
    fn recovery_records_each_tweet_under_the_post_that_sent_it(
        specs in prop::collection::vec((spec(), got()), 1..7),
        skew in prop_oneof![Just(-90i64), Just(0i64), Just(90i64)],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async move {
            // One post per distinct content: X refuses the same text twice.
            let mut posts: Vec<(String, Tweet, Got)> = Vec::new();
            for (s, g) in specs {
                let t = s.tweet();
                if posts.iter().all(|(_, o, _)| o.digest() != t.digest()) {
                    posts.push((format!("p{}", posts.len()), t, g));
                }
            }
            let run = Run::new();
            let skew = SignedDuration::from_secs(skew);
            run.fake.fake().set_skew(skew);
            let start = t0() - SignedDuration::from_mins(4);
            // The media IDs `with_media` names, uploaded by the account before.
            let me = run.fake.fake().user().id.clone();
            for id in 1..=4 {
                run.fake.fake().insert_media_with_id(&id.to_string(), MediaKind::Image, &me, start);
            }
            let mut state = empty_state();
            let mut sent = 0;
            for (i, (key, t, g)) in posts.iter().enumerate() {
                let at = start + SignedDuration::from_secs(i as i64);
                if matches!(g, Got::Nothing) {
                    continue;
                }
                state.pending.push(intent_for(key, 0, t, None, at));
                if let Got::Sent(after) = g {
                    // On X's clock; the delays shuffle the timeline's order.
                    let created = at + skew + SignedDuration::from_secs(i64::from(*after));
                    run.fake.fake().insert_created(t.request_body(None), created);
                    sent += 1;
                }
            }
            let plan = plan_of(posts.iter().map(|(k, t, _)| change_of(k, std::slice::from_ref(t))).collect());
            let mut ex = run.executor(default_budget(), ApplyOptions::default());
            let report = ex.execute(&plan, &mut state).await;
            assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
            let mut ids = HashSet::new();
            for (key, t, _) in &posts {
                let got = recorded(&state, key);
                assert_eq!(got.len(), 1, "{key}");
                assert!(ids.insert(got[0].clone()), "{} recorded twice", got[0]);
                let on_x = run.fake.fake().tweet(&got[0]).cloned().unwrap();
                assert_eq!(on_x.text, t.text, "{key}");
                assert_eq!(on_x.body.get("media"), t.request_body(None).get("media"), "{key}");
            }
            assert!(state.pending.is_empty(), "{:?}", state.pending);
            assert_eq!(live(&run.fake).len(), posts.len());
            assert_eq!(creates_sent(&run.fake) as usize, posts.len() - sent);
        });
    }
}

/// The fake X behind a network that refuses connections while `down`.
#[derive(Clone)]
struct Unreachable {
    x: Fake,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Unreachable {
    fn refused<T>(&self, what: &str) -> Option<crate::api::ApiResult<T>> {
        if !self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        Some(Err((
            crate::api::ApiError::Connect(format!("{what}: connection refused")),
            crate::api::RateInfo::default(),
        )))
    }
}

impl XApi for Unreachable {
    async fn create_tweet(&self, body: &Value) -> crate::api::ApiResult<crate::api::RemoteTweet> {
        match self.refused("POST /2/tweets") {
            Some(r) => r,
            None => self.x.create_tweet(body).await,
        }
    }
    async fn delete_tweet(&self, id: &str) -> crate::api::ApiResult<bool> {
        self.x.delete_tweet(id).await
    }
    async fn me(&self) -> crate::api::ApiResult<String> {
        match self.refused("GET /2/users/me") {
            Some(r) => r,
            None => self.x.me().await,
        }
    }
    async fn user_tweets(
        &self,
        user_id: &str,
        since: Timestamp,
    ) -> crate::api::ApiResult<Vec<crate::api::RemoteTweet>> {
        match self.refused("GET /2/users/:id/tweets") {
            Some(r) => r,
            None => self.x.user_tweets(user_id, since).await,
        }
    }
    async fn lookup(&self, ids: &[String]) -> crate::api::ApiResult<Vec<crate::api::RemoteTweet>> {
        self.x.lookup(ids).await
    }
    media_through!(x);
}

#[tokio::test(start_paused = true)]
async fn a_connection_never_made_leaves_no_intent_and_is_not_retried() {
    let run = Run::new();
    let api = Unreachable {
        x: run.fake.clone(),
        down: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
    };
    let mut ex = Executor::new(
        api.clone(),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 2);
    let (post, reason) = failed[0];
    assert_eq!(reason.matches("connection refused").count(), 1, "{reason}");
    assert!(reason.contains("nothing was sent"), "{reason}");
    let Outcome::Failed { help, .. } = &post.outcome else {
        panic!("{:?}", post.outcome)
    };
    assert!(
        help.as_deref().is_some_and(|h| h.contains("--api-url")),
        "{help:?}"
    );
    assert!(!reason.contains("attempts"), "not retried: {reason}");
    assert!(state.pending.is_empty(), "{:?}", state.pending);
    assert_eq!(run.saved().pending, vec![]);

    // An intent from an earlier run may have reached X: it stays.
    let mut state = empty_state();
    state.pending = vec![intent(0, t0())];
    let mut ex = Executor::new(
        api.clone(),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    let report = ex.execute(&singles(1), &mut state).await;
    assert_eq!(report.failed().count(), 1);
    assert_eq!(state.pending, vec![intent(0, t0())]);

    // Once X is reachable, it goes out once.
    api.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 2);
}

#[tokio::test(start_paused = true)]
async fn a_create_that_never_connected_spends_no_budget() {
    let run = Run::new();
    let api = Unreachable {
        x: run.fake.clone(),
        down: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
    };
    let mut ex = Executor::new(
        api.clone(),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.failed().count(), 2);
    // X counted nothing, so neither does the budget the next run reads.
    assert_eq!(state.requests.creates, vec![]);
    assert_eq!(run.saved().requests.creates, vec![]);

    // Once a create does reach X, it is counted.
    api.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut ex = Executor::new(
        api.clone(),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    let report = ex.execute(&singles(1), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(run.saved().requests.creates.len(), 1);
}
