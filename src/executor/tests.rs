//! The executor on a virtual clock (tokio's paused clock) against an
//! in-process fake X: windows of 15 minutes, 3 hours and 24 hours run in
//! milliseconds.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;
use crate::budget::Window;
use crate::config::BudgetPreset;
use crate::emulator_transport::InProcess;
use crate::plan::{Summary, TweetChange};
use crate::state::{Intent, PostState, PublishedTweet};
use tweetform_emulator::{self as emulator, Endpoint, FakeX, Limits, StoredTweet};

/// The shared fake X, in process, on the test's virtual clock.
type Fake = InProcess;

/// The media calls of a test's wrapper around the fake, passed on to the
/// fake (`$($x)+` names it: `0`, `x`).
macro_rules! media_through {
    ($($x:tt)+) => {
        async fn repost(&self, user_id: &str, tweet_id: &str) -> crate::api::ApiResult<bool> {
            self.$($x)+.repost(user_id, tweet_id).await
        }
        async fn unrepost(&self, user_id: &str, tweet_id: &str) -> crate::api::ApiResult<bool> {
            self.$($x)+.unrepost(user_id, tweet_id).await
        }
        async fn upload_media(&self, category: &str, bytes: Vec<u8>) -> crate::api::ApiResult<crate::api::Upload> {
            self.$($x)+.upload_media(category, bytes).await
        }
        async fn initialize_upload(&self, media_type: &str, category: &str, total: u64) -> crate::api::ApiResult<crate::api::Upload> {
            self.$($x)+.initialize_upload(media_type, category, total).await
        }
        async fn append_upload(&self, id: &str, segment: u32, bytes: Vec<u8>) -> crate::api::ApiResult<()> {
            self.$($x)+.append_upload(id, segment, bytes).await
        }
        async fn finalize_upload(&self, id: &str) -> crate::api::ApiResult<crate::api::Upload> {
            self.$($x)+.finalize_upload(id).await
        }
        async fn upload_status(&self, id: &str) -> crate::api::ApiResult<crate::api::Upload> {
            self.$($x)+.upload_status(id).await
        }
        async fn set_alt_text(&self, id: &str, text: &str) -> crate::api::ApiResult<()> {
            self.$($x)+.set_alt_text(id, text).await
        }
    };
}

fn live(x: &Fake) -> Vec<StoredTweet> {
    x.live_tweets()
}

/// The bodies of the creates X stored (tweets seeded by a test included).
fn bodies(x: &Fake) -> Vec<Value> {
    x.tweets().into_iter().map(|t| t.body).collect()
}

fn creates_sent(x: &Fake) -> u64 {
    x.fake().requests_to(Endpoint::CreateTweet)
}

fn insert(x: &Fake, text: &str, at: Timestamp) -> String {
    x.fake().insert_tweet(text, at)
}

// ---------------------------------------------------------------------------
// Plans built by hand, so that these tests depend only on the executor.

fn t0() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn empty_state() -> State {
    State {
        format_version: crate::state::FORMAT_VERSION,
        lineage: "test".into(),
        serial: 0,
        posts: Default::default(),
        pending: Vec::new(),
        requests: Default::default(),
        user_id: None,
        limits: Vec::new(),
        refused: Default::default(),
        uploads: Default::default(),
        reposts: Default::default(),
        spend: Vec::new(),
    }
}

fn create_change(key: &str, texts: &[&str]) -> Change {
    let tweets: Vec<Tweet> = texts.iter().map(|t| Tweet::new(*t)).collect();
    change_of(key, &tweets)
}

fn plan_of(changes: Vec<Change>) -> Plan {
    Plan {
        format_version: 1,
        lineage: "test".into(),
        serial: 0,
        planned_at: t0(),
        changes,
        summary: Summary::default(),
        refresh: None,
        cost: None,
        forecast: None,
    }
}

/// A create of these tweets under `key`.
fn change_of(key: &str, tweets: &[Tweet]) -> Change {
    Change {
        key: key.into(),
        action: Action::Create,
        file: None,
        from: None,
        publish_at: None,
        refused: None,
        not_an_edit: None,
        tweets: tweets
            .iter()
            .enumerate()
            .map(|(index, body)| TweetChange {
                index,
                text: body.text.clone(),
                weighted_length: body.text.len(),
                digest: body.digest(),
                op: TweetOp::Create {
                    body: body.clone(),
                    old_text: None,
                },
            })
            .collect(),
    }
}

fn singles(n: usize) -> Plan {
    plan_of(
        (0..n)
            .map(|i| create_change(&format!("p{i:04}"), &[&format!("post number {i}")]))
            .collect(),
    )
}

/// A scratch directory in memory where there is one: every create saves
/// the state twice with fsync, which a disk makes the slowest part of
/// these tests (durability is not what they test).
fn fast_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

struct Run {
    fake: Fake,
    dir: tempfile::TempDir,
    clock: Clock,
}

impl Run {
    fn new() -> Self {
        Run::with_limits(Limits::x_defaults())
    }
    fn with_limits(limits: Limits) -> Self {
        let clock = Clock::starting_at(t0());
        Run {
            fake: InProcess::from_fake(FakeX::with_limits(limits, clock.clone())),
            dir: fast_tempdir(),
            clock,
        }
    }
    fn state_path(&self) -> PathBuf {
        self.dir.path().join("state/tweets.lock.json")
    }
    fn executor(&self, budget: Budget, options: ApplyOptions) -> Executor<Fake> {
        Executor::new(
            self.fake.clone(),
            self.clock.clone(),
            self.state_path(),
            budget,
            options,
        )
    }
    fn saved(&self) -> State {
        serde_json::from_str(&std::fs::read_to_string(self.state_path()).unwrap()).unwrap()
    }
}

fn wait(d: Duration) -> ApplyOptions {
    ApplyOptions {
        wait: d,
        ..ApplyOptions::default()
    }
}

fn default_budget() -> Budget {
    Budget::preset(BudgetPreset::Default)
}

fn ids(state: &State, key: &str) -> Vec<String> {
    state.posts[key]
        .tweets
        .iter()
        .map(|t| t.id.clone())
        .collect()
}

/// Each live tweet on X once, and every one recorded in the state.
fn assert_exactly_once(fake: &Fake, state: &State, expected_posts: usize) {
    let live = live(fake);
    let mut texts: Vec<&str> = live.iter().map(|t| t.text.as_str()).collect();
    texts.sort();
    let before = texts.len();
    texts.dedup();
    assert_eq!(before, texts.len(), "a text was published twice");
    let recorded: HashSet<&str> = state
        .posts
        .values()
        .flat_map(|p| p.tweets.iter().map(|t| t.id.as_str()))
        .collect();
    let on_x: HashSet<&str> = live.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(recorded, on_x, "state and X disagree");
    assert_eq!(state.posts.len(), expected_posts);
    assert!(
        state.pending.is_empty(),
        "no intent left: {:?}",
        state.pending
    );
}

// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_201st_create_waits_for_the_15_minute_window() {
    let run = Run::new();
    let mut ex = run.executor(default_budget(), wait(Duration::from_secs(3600)));
    let mut state = empty_state();
    let report = ex.execute(&singles(201), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(report.done().count(), 201);
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    let last = &live(&run.fake)[200];
    assert!(last.created_at >= t0() + SignedDuration::from_mins(15));
    assert!(last.created_at <= t0() + SignedDuration::from_secs(15 * 60 + 2));
    assert_exactly_once(&run.fake, &state, 201);
    assert_eq!(run.saved(), state, "what is in memory is on disk");
}

#[tokio::test(start_paused = true)]
async fn with_no_wait_the_201st_create_is_deferred_until_the_window_ends() {
    let run = Run::new();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(201), &mut state).await;
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.done().count(), 200);
    let deferred: Vec<_> = report.deferred().collect();
    assert_eq!(deferred.len(), 1);
    assert_eq!(deferred[0].0.key, "p0200");
    let earliest = deferred[0].1;
    assert!(
        earliest >= t0() + SignedDuration::from_mins(15),
        "{earliest}"
    );
    assert!(
        earliest <= t0() + SignedDuration::from_secs(15 * 60 + 1),
        "{earliest}"
    );
    assert_eq!(run.clock.now(), t0(), "nothing waited");
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    assert_eq!(state.requests.creates.len(), 200);
    assert!(report.render_summary(false).contains("1 deferred"));
}

#[tokio::test(start_paused = true)]
async fn three_hundred_creates_fill_the_3_hour_window() {
    let run = Run::new();
    let mut ex = run.executor(default_budget(), wait(Duration::from_secs(4 * 3600)));
    let mut state = empty_state();
    let report = ex.execute(&singles(301), &mut state).await;
    assert_eq!(report.done().count(), 301);
    let live = live(&run.fake);
    assert!(live[299].created_at < t0() + SignedDuration::from_mins(16));
    assert!(live[300].created_at >= t0() + SignedDuration::from_hours(3));
    assert!(live[300].created_at <= t0() + SignedDuration::from_secs(3 * 3600 + 2));
    assert_eq!(run.fake.too_many_requests_sent(), 0);
}

#[tokio::test(start_paused = true)]
async fn free_level_daily_cap_of_17() {
    let run = Run::with_limits(Limits::x_defaults().with_daily_cap(17));
    let fake = run.fake.clone();
    let mut ex = Executor::new(
        fake.clone(),
        run.clock.clone(),
        run.state_path(),
        Budget::preset(BudgetPreset::Free),
        ApplyOptions::default(),
    );
    let mut state = empty_state();
    let report = ex.execute(&singles(20), &mut state).await;
    assert_eq!(report.done().count(), 17);
    let deferred: Vec<_> = report.deferred().collect();
    assert_eq!(deferred.len(), 3);
    assert!(deferred[0].1 >= t0() + SignedDuration::from_hours(24));
    assert_eq!(fake.too_many_requests_sent(), 0);

    // A day later a fresh run, seeded from the state, publishes the rest.
    run.clock.sleep(Duration::from_secs(24 * 3600 + 5)).await;
    let mut ex = run.executor(Budget::preset(BudgetPreset::Free), ApplyOptions::default());
    let rest = plan_of(
        (17..20)
            .map(|i| create_change(&format!("p{i:04}"), &[&format!("post number {i}")]))
            .collect(),
    );
    let report = ex.execute(&rest, &mut state).await;
    assert_eq!(report.done().count(), 3);
    assert_exactly_once(&fake, &state, 20);
}

#[tokio::test(start_paused = true)]
async fn history_in_the_state_carries_over_to_a_fresh_run() {
    let run = Run::new();
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&singles(150), &mut state).await;
    assert_eq!(report.done().count(), 150);

    // Ten minutes later, a new process (new executor, state from disk).
    run.clock.sleep(Duration::from_secs(600)).await;
    let mut state = run.saved();
    assert_eq!(state.requests.creates.len(), 150);
    let more = plan_of(
        (150..250)
            .map(|i| create_change(&format!("p{i:04}"), &[&format!("post number {i}")]))
            .collect(),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&more, &mut state).await;
    assert_eq!(
        report.done().count(),
        50,
        "only 50 fit in the 15-minute window"
    );
    assert_eq!(report.deferred().count(), 50);
    let (_, earliest) = report.deferred().next().unwrap();
    assert!(earliest >= t0() + SignedDuration::from_mins(15));
    assert_eq!(run.fake.too_many_requests_sent(), 0);
}

#[tokio::test(start_paused = true)]
async fn headers_teach_a_limit_lower_than_the_configured_one() {
    // X says 100 per window; the configured budget thinks 200.
    let run = Run::with_limits(Limits {
        create: vec![emulator::Window::minutes(100, 15)],
        ..Limits::x_defaults()
    });
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(120), &mut state).await;
    assert_eq!(report.done().count(), 100);
    assert_eq!(report.deferred().count(), 20);
    assert_eq!(
        run.fake.too_many_requests_sent(),
        0,
        "remaining 0 in the headers stops the budget before X refuses"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_for_the_reset_within_wait() {
    // Another client used the window: X refuses although our history is empty.
    let run = Run::new();
    for i in 0..200 {
        let other = json!({ "text": format!("sent by another client {i}") });
        run.fake.create_tweet(&other).await.unwrap();
    }
    let mut ex = run.executor(default_budget(), wait(Duration::from_secs(1800)));
    let mut state = empty_state();
    let report = ex.execute(&singles(3), &mut state).await;
    assert_eq!(report.done().count(), 3);
    assert_eq!(
        report.rate_limited, 1,
        "one 429, then the reset is respected"
    );
    assert!(run.clock.now() >= t0() + SignedDuration::from_mins(15));
}

#[tokio::test(start_paused = true)]
async fn fifty_deletes_per_15_minutes() {
    let run = Run::new();
    let mut state = empty_state();
    let mut changes = Vec::new();
    for i in 0..55 {
        let key = format!("old{i:02}");
        let text = format!("old post {i}");
        let id = insert(&run.fake, &text, t0() - SignedDuration::from_hours(48));
        state.posts.insert(
            key.clone(),
            PostState {
                tweets: vec![PublishedTweet {
                    id: id.clone(),
                    text: text.clone(),
                    digest: Tweet::new(&text).digest(),
                    published_at: None,
                    edits: Vec::new(),
                }],
            },
        );
        changes.push(Change {
            key,
            action: Action::Delete,
            file: None,
            from: None,
            publish_at: None,
            tweets: vec![TweetChange {
                index: 0,
                op: TweetOp::Delete { id },
                text,
                weighted_length: 10,
                digest: String::new(),
            }],
            refused: None,
            not_an_edit: None,
        });
    }
    let plan = plan_of(changes);
    let options = ApplyOptions {
        allow_destroy: true,
        ..ApplyOptions::default()
    };
    let mut ex = run.executor(default_budget(), options.clone());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.done().count(), 50);
    assert_eq!(report.deferred().count(), 5);
    assert_eq!(state.posts.len(), 5);
    assert_eq!(live(&run.fake).len(), 5);

    let mut ex = run.executor(
        default_budget(),
        ApplyOptions {
            wait: Duration::from_secs(3600),
            ..options
        },
    );
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0);
    assert!(state.posts.is_empty());
    assert!(live(&run.fake).is_empty());
    // The 50 already gone count as done (X says deleted: false).
    assert_eq!(report.deleted().filter(|(_, t)| t.already).count(), 50);
    assert_eq!(run.fake.too_many_requests_sent(), 0);
}

#[tokio::test(start_paused = true)]
async fn bursts_of_503_are_retried_with_backoff() {
    let run = Run::new();
    run.fake.fake().fail_next_on(Endpoint::CreateTweet, 3, 503);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 2);
    // 0.25..0.5 + 0.5..1 + 1..2 seconds of backoff.
    assert!(run.clock.now() >= t0() + SignedDuration::from_millis(1750));
    assert_eq!(state.requests.creates.len(), 5, "every attempt is counted");
}

#[tokio::test(start_paused = true)]
async fn too_many_503s_fail_the_post_and_leave_the_intent_for_the_next_run() {
    let run = Run::new();
    run.fake.fake().fail_next_on(Endpoint::CreateTweet, 5, 503);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 1);
    let (failed, reason) = report.failed().next().unwrap();
    assert_eq!(failed.key, "p0000");
    assert!(reason.contains("503"), "{reason}");
    assert_eq!(report.done().count(), 1, "the rest of the plan goes on");
    assert_eq!(state.pending.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn connection_dropped_after_commit_is_adopted_not_resent() {
    let run = Run::new();
    run.fake.fake().drop_after_commit(1);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(3), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(live(&run.fake).len(), 3);
    assert_eq!(creates_sent(&run.fake), 3, "no second create was sent");
    assert_exactly_once(&run.fake, &state, 3);
    // This run sent it: found again, not "recovered from an earlier run".
    assert!(report.published().any(|(k, t)| k == "p0000" && !t.already));
    assert!(
        !report.render_summary(false).contains("earlier run"),
        "{}",
        report.render_summary(false)
    );
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_403_is_settled_by_adoption() {
    // An earlier run sent it, then died before recording the intent's
    // outcome and the intent was lost with a stale state: X says duplicate.
    let run = Run::new();
    let id = insert(&run.fake, "post number 0", t0());
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(1), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(ids(&state, "p0000"), vec![id]);
    assert_exactly_once(&run.fake, &state, 1);
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_of_an_old_tweet_fails_clearly() {
    let run = Run::new();
    insert(
        &run.fake,
        "post number 0",
        t0() - SignedDuration::from_hours(30),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 1);
    let (p, reason) = report.failed().next().unwrap();
    assert_eq!(p.key, "p0000");
    assert!(reason.contains("duplicate"), "{reason}");
    let Outcome::Failed { help, .. } = &p.outcome else {
        panic!("{:?}", p.outcome)
    };
    assert!(
        help.as_deref()
            .is_some_and(|h| h.contains("change the text")),
        "{help:?}"
    );
    assert!(state.pending.is_empty());
    assert_eq!(state.posts.len(), 1);
}

fn intent(i: usize, at: Timestamp) -> Intent {
    let text = format!("post number {i}");
    Intent {
        key: format!("p{i:04}"),
        index: 0,
        digest: Tweet::new(&text).digest(),
        text,
        at,
        shape: Some(crate::state::IntentShape::default()),
        edit_of: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_pending_intent_is_settled_first() {
    let run = Run::new();
    // A previous run recorded intents for three posts and died: it had sent
    // the first; the second, a minute ago, may still be in flight; the
    // third is an hour old and not on X: never sent.
    let mut state = empty_state();
    let sent_at = t0() - SignedDuration::from_mins(5);
    state.pending = vec![
        intent(0, sent_at),
        intent(1, t0() - SignedDuration::from_mins(1)),
        intent(2, t0() - SignedDuration::from_hours(1)),
    ];
    let id = insert(
        &run.fake,
        "post number 0",
        sent_at + SignedDuration::from_secs(1),
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    assert!(ex.settle_pending(&mut state).await.unwrap());
    assert_eq!(ids(&state, "p0000"), vec![id.clone()]);
    assert_eq!(
        state.pending,
        vec![intent(1, t0() - SignedDuration::from_mins(1))],
        "the young one is kept, the old one forgotten"
    );
    assert_eq!(run.saved(), state);

    // The plan made before settling still lists all three; the adopted one
    // is not sent again, the kept intent's create goes under it.
    let report = ex.execute(&singles(3), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(creates_sent(&run.fake), 2, "p0001 and p0002 were sent");
    assert_exactly_once(&run.fake, &state, 3);
}

#[tokio::test(start_paused = true)]
async fn a_lagging_timeline_does_not_cause_a_second_tweet() {
    // X published the tweet, the answer was lost, and X's timeline shows
    // it only 90 seconds later: the retry's duplicate answer is waited out.
    let run = Run::new();
    run.fake
        .fake()
        .set_timeline_lag(Some(Duration::from_secs(90)));
    run.fake.fake().drop_after_commit(1);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 2);
    assert!(report.published().any(|(k, t)| k == "p0000" && !t.already));
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_run_seen_late_is_adopted_on_the_rerun() {
    // Killed right after X committed; the rerun starts 10 seconds later
    // while the timeline still hides the tweet.
    let run = Run::new();
    run.fake
        .fake()
        .set_timeline_lag(Some(Duration::from_secs(90)));
    let at = t0() - SignedDuration::from_secs(10);
    let id = insert(
        &run.fake,
        "post number 0",
        at + SignedDuration::from_millis(200),
    );
    let mut state = empty_state();
    state.pending = vec![intent(0, at)];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.settle_pending(&mut state).await.unwrap();
    assert_eq!(
        state.pending.len(),
        1,
        "not visible yet: kept, not forgotten"
    );
    let report = ex.execute(&singles(1), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_eq!(ids(&state, "p0000"), vec![id]);
    assert_exactly_once(&run.fake, &state, 1);
}

#[tokio::test(start_paused = true)]
async fn thread_tweets_reply_to_the_one_before() {
    let run = Run::new();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let plan = plan_of(vec![create_change("thread", &["one", "two", "three"])]);
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0);
    let bodies = bodies(&run.fake);
    let ids = ids(&state, "thread");
    assert!(bodies[0].get("reply").is_none());
    assert_eq!(bodies[1]["reply"]["in_reply_to_tweet_id"], ids[0].as_str());
    assert_eq!(bodies[2]["reply"]["in_reply_to_tweet_id"], ids[1].as_str());
    assert_eq!(
        bodies[2].as_object().unwrap().len(),
        2,
        "text and reply only"
    );
    let live = live(&run.fake);
    assert_eq!(live[2].in_reply_to.as_deref(), Some(ids[1].as_str()));
}

#[tokio::test(start_paused = true)]
async fn appended_tweets_reply_to_the_last_published_one() {
    let run = Run::new();
    let mut state = empty_state();
    let first = insert(&run.fake, "one", t0());
    state.posts.insert(
        "thread".into(),
        PostState {
            tweets: vec![PublishedTweet {
                id: first.clone(),
                text: "one".into(),
                digest: Tweet::new("one").digest(),
                published_at: None,
                edits: Vec::new(),
            }],
        },
    );
    let mut change = create_change("thread", &["one", "two"]);
    change.action = Action::Append;
    change.tweets[0].op = TweetOp::Keep { id: first.clone() };
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&plan_of(vec![change]), &mut state).await;
    assert_eq!(report.exit_code(), 0);
    assert_eq!(
        bodies(&run.fake).last().unwrap()["reply"]["in_reply_to_tweet_id"],
        first.as_str()
    );
    assert_eq!(state.posts["thread"].tweets.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_4xx_stops_its_thread_but_not_other_posts() {
    let run = Run::new();
    let mut state = empty_state();
    // The second tweet of the thread duplicates an old tweet: X refuses it.
    insert(&run.fake, "two", t0() - SignedDuration::from_hours(30));
    let plan = plan_of(vec![
        create_change("a-thread", &["one", "two", "three"]),
        create_change("b-single", &["hello"]),
    ]);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 1);
    let (p, _) = report.failed().next().unwrap();
    assert_eq!(p.key, "a-thread");
    assert_eq!(
        p.published.len(),
        1,
        "the first tweet went out and is reported"
    );
    assert_eq!(state.posts["a-thread"].tweets.len(), 1);
    assert!(
        !live(&run.fake).iter().any(|t| t.text == "three"),
        "later tweets of the thread stop"
    );
    assert!(state.posts.contains_key("b-single"));
}

#[tokio::test(start_paused = true)]
async fn destructive_changes_are_held_and_the_rest_goes_out_without_allow_destroy() {
    let run = Run::new();
    let mut state = empty_state();
    state.posts.insert(
        "old".into(),
        PostState {
            tweets: vec![PublishedTweet {
                id: "77".into(),
                text: "x".into(),
                digest: "d".into(),
                published_at: None,
                edits: Vec::new(),
            }],
        },
    );
    let mut plan = singles(1);
    plan.changes.push(Change {
        key: "old".into(),
        action: Action::Delete,
        file: None,
        from: None,
        publish_at: None,
        tweets: vec![TweetChange {
            index: 0,
            op: TweetOp::Delete { id: "77".into() },
            text: "x".into(),
            weighted_length: 1,
            digest: "d".into(),
        }],
        refused: None,
        not_an_edit: None,
    });
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.held.len(), 1, "{}", report.render_summary(false));
    assert_eq!(report.held[0].key, "old");
    assert_eq!(report.held[0].deletes[0].url, "https://x.com/i/status/77");
    let summary = report.render_summary(false);
    assert!(
        summary.contains("old (delete): its file is gone"),
        "{summary}"
    );
    assert!(summary.contains("https://x.com/i/status/77"), "{summary}");
    assert!(summary.contains("--allow-destroy"), "{summary}");
    assert!(summary.contains("1 held"), "{summary}");
    assert_eq!(report.exit_code(), 3);
    // The create went out; the delete did not.
    assert_eq!(creates_sent(&run.fake), 1);
    assert_eq!(run.fake.fake().requests_to(Endpoint::DeleteTweet), 0);
    assert!(state.posts.contains_key("old"));
    assert!(state.posts.contains_key("p0000"));

    // A failure elsewhere outranks the held change: exit code 1.
    let mut failed = report.clone();
    failed.posts[0].outcome = Outcome::Failed {
        reason: "refused".into(),
        help: None,
    };
    assert_eq!(failed.exit_code(), 1);
}

#[tokio::test(start_paused = true)]
async fn moves_rename_in_the_state_only() {
    let run = Run::new();
    let mut state = empty_state();
    let tweets = PostState {
        tweets: vec![PublishedTweet {
            id: "5".into(),
            text: "x".into(),
            digest: "d".into(),
            published_at: None,
            edits: Vec::new(),
        }],
    };
    state.posts.insert("old/name".into(), tweets.clone());
    let plan = plan_of(vec![Change {
        key: "new/name".into(),
        action: Action::Move,
        file: None,
        from: Some("old/name".into()),
        publish_at: None,
        tweets: vec![],
        refused: None,
        not_an_edit: None,
    }]);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0);
    assert_eq!(state.posts.get("new/name"), Some(&tweets));
    assert!(!state.posts.contains_key("old/name"));
    assert_eq!(creates_sent(&run.fake), 0);
}

#[tokio::test(start_paused = true)]
async fn waiting_posts_are_left_and_the_next_is_reported() {
    let run = Run::new();
    let mut plan = singles(1);
    for (key, hours) in [("later", 5), ("soon", 2)] {
        let mut c = create_change(key, &[key]);
        c.action = Action::Wait;
        c.publish_at = Some(t0() + SignedDuration::from_hours(hours));
        plan.changes.push(c);
    }
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let mut state = empty_state();
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(live(&run.fake).len(), 1);
    let next = report.next_scheduled().unwrap();
    assert_eq!(next.key, "soon");
    assert_eq!(next.publish_at, t0() + SignedDuration::from_hours(2));
}

#[tokio::test(start_paused = true)]
async fn replace_deletes_then_republishes_from_the_first_changed_tweet() {
    let run = Run::new();
    let mut state = empty_state();
    let a = insert(&run.fake, "one", t0());
    let b = insert(&run.fake, "two", t0());
    state.posts.insert(
        "t".into(),
        PostState {
            tweets: [("one", &a), ("two", &b)]
                .iter()
                .map(|(text, id)| PublishedTweet {
                    id: (*id).clone(),
                    text: (*text).into(),
                    digest: Tweet::new(*text).digest(),
                    published_at: None,
                    edits: Vec::new(),
                })
                .collect(),
        },
    );
    let mut change = create_change("t", &["one", "TWO"]);
    change.action = Action::Replace;
    change.tweets[0].op = TweetOp::Keep { id: a.clone() };
    change.tweets.insert(
        1,
        TweetChange {
            index: 1,
            op: TweetOp::Delete { id: b.clone() },
            text: "two".into(),
            weighted_length: 3,
            digest: Tweet::new("two").digest(),
        },
    );
    let options = ApplyOptions {
        allow_destroy: true,
        ..ApplyOptions::default()
    };
    let mut ex = run.executor(default_budget(), options);
    let report = ex.execute(&plan_of(vec![change]), &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    let recorded = ids(&state, "t");
    assert_eq!(recorded[0], a);
    assert_ne!(recorded[1], b);
    assert_eq!(
        bodies(&run.fake).last().unwrap()["reply"]["in_reply_to_tweet_id"],
        a.as_str()
    );
    assert_exactly_once(&run.fake, &state, 1);
}

fn remote(text: &str, urls: &[(&str, &str)]) -> crate::api::RemoteTweet {
    let mut t = crate::api::RemoteTweet::new("1", text);
    t.entities = Some(crate::api::Entities {
        urls: urls
            .iter()
            .map(|(short, long)| crate::api::UrlEntity {
                url: Some((*short).into()),
                expanded_url: Some((*long).into()),
                display_url: None,
                start: text.find(short).unwrap() as i64,
                end: (text.find(short).unwrap() + short.len()) as i64,
                media_key: None,
            })
            .collect(),
    });
    t
}

#[test]
fn same_text_maps_links_back_and_decodes_entities() {
    let x = remote(
        "Launch &amp; more https://t.co/abcdefghij",
        &[("https://t.co/abcdefghij", "https://example.com/launch")],
    );
    assert!(same_text(&x, "Launch & more https://example.com/launch"));
    // A text that differs only in its link is another tweet.
    assert!(!same_text(&x, "Launch & more https://example.com/other"));
    assert!(!same_text(&x, "Launch & more"));
    // Without entities, a t.co link cannot be told apart: no match.
    let bare = crate::api::RemoteTweet::new("1", "Launch https://t.co/abcdefghij");
    assert!(!same_text(&bare, "Launch https://example.com/launch"));
    assert!(same_text(
        &crate::api::RemoteTweet::new("1", "a &lt;b&gt;"),
        "a <b>"
    ));
    assert!(!same_text(
        &crate::api::RemoteTweet::new("1", "hello"),
        "hello world"
    ));
    // X adds a scheme to a URL written without one.
    let x = remote(
        "see https://t.co/abcdefghij",
        &[("https://t.co/abcdefghij", "http://example.org")],
    );
    assert!(same_text(&x, "see example.org"));
}

#[test]
fn budget_windows_are_shown_in_deferral_reasons() {
    let w = Window::new(200, SignedDuration::from_mins(15));
    assert_eq!(w.to_string(), "200 per 15m");
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_nothing_explains_fails_at_once_with_xs_reason() {
    // Another post already published this text (five minutes ago, or long
    // before the timeline reaches): X refuses it, recovery finds nothing
    // sent by this intent, and the post fails at once, saying why.
    for age in [
        SignedDuration::from_mins(5),
        SignedDuration::from_hours(24 * 60),
    ] {
        let run = Run::new();
        insert(&run.fake, "post number 0", t0() - age);
        let mut state = empty_state();
        let mut ex = run.executor(default_budget(), ApplyOptions::default());
        let report = ex.execute(&singles(1), &mut state).await;
        let (p, reason) = report.failed().next().unwrap();
        assert!(reason.contains("duplicate"), "{reason}");
        let Outcome::Failed { help, .. } = &p.outcome else {
            panic!("{:?}", p.outcome)
        };
        assert!(
            help.as_deref()
                .is_some_and(|h| h.contains("change the text")),
            "{help:?}"
        );
        assert!(!reason.contains("not visible"), "{reason}");
        assert!(
            run.clock.now().duration_since(t0()) < SignedDuration::from_secs(10),
            "no waiting: {:?}",
            run.clock.now().duration_since(t0())
        );
        assert!(state.pending.is_empty());
        assert_eq!(live(&run.fake).len(), 1, "nothing published twice");
    }
}

// ---------------------------------------------------------------------------
// Deletes through the same request loop as creates: retries, give-up, gone.

/// A state with one published single-tweet post per text (on X too), and
/// the plan that deletes them all.
fn published_for_deletion(run: &Run, texts: &[&str]) -> (State, Plan, Vec<String>) {
    let mut state = empty_state();
    let mut changes = Vec::new();
    let mut ids = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let key = format!("gone{i}");
        let id = insert(&run.fake, text, t0() - SignedDuration::from_hours(48));
        let tweet = PublishedTweet {
            id: id.clone(),
            text: (*text).into(),
            digest: Tweet::new(*text).digest(),
            published_at: None,
            edits: Vec::new(),
        };
        state.posts.insert(
            key.clone(),
            PostState {
                tweets: vec![tweet],
            },
        );
        changes.push(Change {
            key,
            action: Action::Delete,
            file: None,
            from: None,
            publish_at: None,
            tweets: vec![TweetChange {
                index: 0,
                op: TweetOp::Delete { id: id.clone() },
                text: (*text).into(),
                weighted_length: text.len(),
                digest: Tweet::new(*text).digest(),
            }],
            refused: None,
            not_an_edit: None,
        });
        ids.push(id);
    }
    (state, plan_of(changes), ids)
}

fn destroying() -> ApplyOptions {
    ApplyOptions {
        allow_destroy: true,
        ..ApplyOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn bursts_of_503_on_deletes_are_retried_with_backoff() {
    let run = Run::new();
    let (mut state, plan, _) = published_for_deletion(&run, &["one", "two"]);
    run.fake.fake().fail_next_on(Endpoint::DeleteTweet, 3, 503);
    let mut ex = run.executor(default_budget(), destroying());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert!(state.posts.is_empty());
    assert!(live(&run.fake).is_empty());
    // 0.25..0.5 + 0.5..1 + 1..2 seconds of backoff.
    assert!(run.clock.now() >= t0() + SignedDuration::from_millis(1750));
    assert_eq!(state.requests.deletes.len(), 5, "every attempt is counted");
}

#[tokio::test(start_paused = true)]
async fn too_many_503s_on_a_delete_fail_its_post_only() {
    let run = Run::new();
    let (mut state, plan, sent) = published_for_deletion(&run, &["one", "two"]);
    run.fake.fake().fail_next_on(Endpoint::DeleteTweet, 5, 503);
    let mut ex = run.executor(default_budget(), destroying());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 1);
    let (failed, reason) = report.failed().next().unwrap();
    assert_eq!(failed.key, "gone0");
    assert!(
        reason.starts_with(&format!(
            "deleting https://x.com/i/status/{}: X failed (503)",
            sent[0]
        )),
        "{reason}"
    );
    assert_eq!(report.done().count(), 1, "the rest of the plan goes on");
    assert_eq!(ids(&state, "gone0"), [sent[0].clone()], "still recorded");
    assert!(!state.posts.contains_key("gone1"));
}

#[tokio::test(start_paused = true)]
async fn deleting_a_tweet_already_gone_counts_as_done() {
    let run = Run::new();
    let (mut state, plan, ids) = published_for_deletion(&run, &["one"]);
    assert!(run.fake.fake().remove_tweet(&ids[0]));
    let mut ex = run.executor(default_budget(), destroying());
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert!(report.posts[0].deleted[0].already);
    assert!(state.posts.is_empty());
}

// ---------------------------------------------------------------------------
// X's limits, remembered across runs: each run below is a new executor that
// shares nothing with the one before but the state file.

fn rest_of(from: usize, to: usize) -> Plan {
    plan_of(
        (from..to)
            .map(|i| create_change(&format!("p{i:04}"), &[&format!("post number {i}")]))
            .collect(),
    )
}

#[tokio::test(start_paused = true)]
async fn a_daily_cap_reported_by_x_holds_the_next_runs_too() {
    // X allows 5 a day; the configured budget thinks 300 per 3 hours.
    let run = Run::with_limits(Limits::x_defaults().with_daily_cap(5));
    let mut state = empty_state();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&singles(8), &mut state)
        .await;
    assert_eq!(report.done().count(), 5);
    let saved = run.saved();
    assert!(
        saved
            .limits
            .iter()
            .any(|l| l.scope == "x-user-limit-24hour" && l.remaining == 0),
        "{:?}",
        saved.limits
    );
    // Every 15 minutes for the rest of the day, a fresh run sends nothing.
    for _ in 0..4 {
        run.clock.sleep(Duration::from_secs(15 * 60)).await;
        let mut state = run.saved();
        let report = run
            .executor(default_budget(), ApplyOptions::default())
            .execute(&rest_of(5, 8), &mut state)
            .await;
        assert_eq!(report.deferred().count(), 3);
        let (_, earliest) = report.deferred().next().unwrap();
        assert!(earliest >= t0() + SignedDuration::from_hours(24));
    }
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    assert_eq!(creates_sent(&run.fake), 5);

    // Past the reset, the report is stale: pruned, and the rest goes out.
    run.clock.sleep(Duration::from_secs(24 * 3600)).await;
    let mut state = run.saved();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&rest_of(5, 8), &mut state)
        .await;
    assert_eq!(report.done().count(), 3);
    assert!(
        run.saved().limits.iter().all(|l| l.reset > run.clock.now()),
        "entries past their reset are pruned"
    );
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    assert_exactly_once(&run.fake, &state, 8);
}

#[tokio::test(start_paused = true)]
async fn a_15_minute_window_reported_by_x_holds_the_next_run() {
    // X allows 3 per 15 minutes; the configured budget thinks 200.
    let run = Run::with_limits(Limits {
        create: vec![emulator::Window::minutes(3, 15)],
        ..Limits::x_defaults()
    });
    let mut state = empty_state();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&singles(5), &mut state)
        .await;
    assert_eq!(report.done().count(), 3);
    run.clock.sleep(Duration::from_secs(5 * 60)).await;
    let mut state = run.saved();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&rest_of(3, 5), &mut state)
        .await;
    assert_eq!(report.deferred().count(), 2);
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    // Once the window has turned, the next run publishes the rest.
    run.clock.sleep(Duration::from_secs(10 * 60 + 2)).await;
    let mut state = run.saved();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&rest_of(3, 5), &mut state)
        .await;
    assert_eq!(report.done().count(), 2);
    assert_eq!(run.fake.too_many_requests_sent(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_headers_is_the_only_one_across_runs() {
    // The first run knows nothing: X's refusal is its first word on limits.
    let run = Run::new();
    for i in 0..200 {
        let other = json!({ "text": format!("sent by another client {i}") });
        run.fake.create_tweet(&other).await.unwrap();
    }
    let mut state = empty_state();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&singles(2), &mut state)
        .await;
    assert_eq!(report.deferred().count(), 2);
    assert_eq!(run.fake.too_many_requests_sent(), 1);
    assert!(
        run.saved().pending.is_empty(),
        "a create X answered 429 was not sent: no intent to settle"
    );
    for _ in 0..3 {
        run.clock.sleep(Duration::from_secs(60)).await;
        let mut state = run.saved();
        run.executor(default_budget(), ApplyOptions::default())
            .execute(&singles(2), &mut state)
            .await;
    }
    assert_eq!(run.fake.too_many_requests_sent(), 1, "no second 429");
}

#[tokio::test(start_paused = true)]
async fn reads_are_budgeted_and_the_account_is_asked_once() {
    // X allows one timeline read per 15 minutes.
    let run = Run::with_limits(Limits {
        user_tweets: emulator::Window::minutes(1, 15),
        ..Limits::x_defaults()
    });
    let mut state = empty_state();
    // An old intent X does not show: read once, then forgotten.
    state.pending = vec![intent(0, t0() - SignedDuration::from_hours(1))];
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&singles(1), &mut state)
        .await;
    assert_eq!(report.done().count(), 1);
    let saved = run.saved();
    assert_eq!(saved.user_id.as_deref(), Some("1500000000000000001"));
    assert_eq!(
        saved.requests.reads.len(),
        2,
        "the account and the timeline"
    );

    // A minute later another run has an intent to settle: the timeline's
    // window is spent, so it waits instead of earning a 429.
    run.clock.sleep(Duration::from_secs(60)).await;
    let mut state = run.saved();
    state.pending = vec![intent(1, t0() - SignedDuration::from_mins(30))];
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&rest_of(1, 2), &mut state)
        .await;
    assert_eq!(
        report.deferred().count(),
        1,
        "{}",
        report.render_summary(false)
    );
    assert_eq!(run.fake.too_many_requests_sent(), 0);
    assert_eq!(run.fake.fake().requests_to(Endpoint::Me), 1);
    assert_eq!(run.fake.fake().requests_to(Endpoint::UserTweets), 1);

    // A configured reads budget holds reads the same way: 2 per 15
    // minutes, both used by the first run.
    let tight = Budget::with_reads(
        vec![Window::new(200, SignedDuration::from_mins(15))],
        vec![],
        vec![Window::new(2, SignedDuration::from_mins(15))],
    );
    let mut ex = run.executor(tight, ApplyOptions::default());
    ex.seed(&run.saved());
    let now = run.clock.now();
    assert!(
        ex.budget()
            .earliest(crate::budget::Endpoint::UserTweets, now)
            > now
    );
}

#[tokio::test(start_paused = true)]
async fn another_accounts_user_id_in_the_state_is_not_used() {
    struct Hinted(Fake);
    impl XApi for Hinted {
        fn create_tweet(
            &self,
            body: &Value,
        ) -> impl Future<Output = crate::api::ApiResult<crate::api::RemoteTweet>> + Send {
            self.0.create_tweet(body)
        }
        fn delete_tweet(
            &self,
            id: &str,
        ) -> impl Future<Output = crate::api::ApiResult<bool>> + Send {
            self.0.delete_tweet(id)
        }
        fn me(&self) -> impl Future<Output = crate::api::ApiResult<String>> + Send {
            self.0.me()
        }
        fn user_tweets(
            &self,
            user_id: &str,
            since: Timestamp,
        ) -> impl Future<Output = crate::api::ApiResult<Vec<crate::api::RemoteTweet>>> + Send
        {
            self.0.user_tweets(user_id, since)
        }
        fn lookup(
            &self,
            ids: &[String],
        ) -> impl Future<Output = crate::api::ApiResult<Vec<crate::api::RemoteTweet>>> + Send
        {
            self.0.lookup(ids)
        }
        fn account_hint(&self) -> Option<String> {
            Some("1500000000000000001".into())
        }
        media_through!(0);
    }
    let run = Run::new();
    let mut state = empty_state();
    state.user_id = Some("42".into());
    state.pending = vec![intent(0, t0() - SignedDuration::from_hours(1))];
    let mut ex = Executor::new(
        Hinted(run.fake.clone()),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    ex.settle_pending(&mut state).await.unwrap();
    assert_eq!(run.fake.fake().requests_to(Endpoint::Me), 1);
    assert_eq!(state.user_id.as_deref(), Some("1500000000000000001"));
}

// ---------------------------------------------------------------------------
// Refused for good.

#[tokio::test(start_paused = true)]
async fn a_refusal_for_good_is_recorded_once_and_names_the_tweet_of_the_thread() {
    let run = Run::new();
    run.fake.fake().reject_text(
        "three?",
        400,
        "This request looks like it might be automated.",
    );
    let mut state = empty_state();
    let mut thread = create_change("a-thread", &["one", "two", "three?", "four", "five"]);
    let plan = plan_of(vec![thread.clone(), create_change("b-single", &["hello"])]);
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&plan, &mut state)
        .await;
    assert_eq!(report.exit_code(), 1);
    let (p, reason) = report.failed().next().unwrap();
    assert_eq!(p.key, "a-thread");
    assert!(reason.contains("a-thread tweet 3 of 5"), "{reason}");
    assert!(reason.contains("might be automated"), "{reason}");
    assert!(state.posts.contains_key("b-single"), "other posts go on");
    let record = &state.refused["a-thread"];
    assert_eq!((record.index, record.status), (2, 400));
    assert_eq!(record.digest, thread.content_digest());
    assert_eq!(run.saved(), state, "the record is on disk");
    assert!(state.pending.is_empty());

    // The plan marks it: nothing is sent and the state is not written.
    thread.refused = Some(crate::plan::Refused {
        index: 2,
        status: 400,
        detail: record.detail.clone(),
    });
    for (i, t) in thread.tweets.iter_mut().enumerate().take(2) {
        t.op = TweetOp::Keep {
            id: state.posts["a-thread"].tweets[i].id.clone(),
        };
    }
    thread.action = Action::Append;
    let sent = creates_sent(&run.fake);
    let serial = run.saved().serial;
    let mut state = run.saved();
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&plan_of(vec![thread]), &mut state)
        .await;
    assert_eq!(report.exit_code(), 0);
    assert!(report.posts.is_empty(), "{:?}", report.posts);
    assert_eq!(report.refused.len(), 1);
    let summary = report.render_summary(false);
    assert!(
        summary.contains("refused by X before (edit the post to try again)")
            && summary.contains("a-thread: X refused tweet 3 of 5 (400): This request")
            && summary.contains("Nothing sent"),
        "{summary}"
    );
    assert_eq!(creates_sent(&run.fake), sent);
    assert_eq!(run.saved().serial, serial);

    // Edited: the record goes with the next write.
    let edited = create_change("a-thread", &["one", "two", "three!", "four", "five"]);
    let mut edited = edited;
    for (i, t) in edited.tweets.iter_mut().enumerate().take(2) {
        t.op = TweetOp::Keep {
            id: state.posts["a-thread"].tweets[i].id.clone(),
        };
    }
    edited.action = Action::Append;
    let report = run
        .executor(default_budget(), ApplyOptions::default())
        .execute(&plan_of(vec![edited]), &mut state)
        .await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert!(run.saved().refused.is_empty());
    assert_eq!(run.saved().posts["a-thread"].tweets.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn refusals_that_are_not_for_good_are_not_recorded() {
    let run = Run::new();
    let mut state = empty_state();
    // A duplicate of an old tweet (settling explains it), and a 503 burst.
    insert(&run.fake, "old text", t0() - SignedDuration::from_hours(30));
    run.fake.fake().fail_next_on(Endpoint::CreateTweet, 10, 503);
    let plan = plan_of(vec![
        create_change("a", &["old text"]),
        create_change("b", &["new text"]),
    ]);
    run.executor(default_budget(), ApplyOptions::default())
        .execute(&plan, &mut state)
        .await;
    assert!(state.refused.is_empty(), "{:?}", state.refused);
}
mod edits;
mod media;
mod recovery;
mod refresh;
mod reposts;
mod spend;

#[tokio::test(start_paused = true)]
async fn a_signal_ends_the_patient_wait_for_a_lost_create() {
    // The answer was lost and the timeline hides the tweet for an hour:
    // settling would wait its full patience, but a signal stops it.
    let run = Run::new();
    run.fake
        .fake()
        .set_timeline_lag(Some(Duration::from_secs(3600)));
    run.fake.fake().drop_after_commit(1);
    let interrupt = crate::interrupt::Interrupt::default();
    let mut ex = run
        .executor(default_budget(), ApplyOptions::default())
        .with_interrupt(interrupt.clone());
    let raiser = interrupt.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        raiser.raise(crate::interrupt::Signal::Interrupt);
    });
    let start = run.clock.now();
    let mut state = empty_state();
    let report = ex.execute(&singles(2), &mut state).await;
    let waited = run.clock.now().duration_since(start);
    assert!(
        waited < SignedDuration::from_secs(21),
        "woken by the signal (20 s in), not at the end of a sleep or of the patience: {waited:?}"
    );
    assert_eq!(report.interrupted.as_deref(), Some("SIGINT"));
    assert_eq!(
        state.pending.len(),
        1,
        "the create may be on X: its intent stays for the next run"
    );
    assert_eq!(run.saved().pending, state.pending);
    assert_eq!(live(&run.fake).len(), 1, "p0001 was not started");
}

#[tokio::test(start_paused = true)]
async fn a_tweet_settled_before_planning_is_reported_beside_held_changes() {
    // An interrupted run published p0000; this run settles it before it
    // plans, so the plan has nothing for it, and only a held delete.
    let run = Run::new();
    let at = t0() - SignedDuration::from_mins(2);
    let id = insert(&run.fake, "post number 0", at);
    let mut state = empty_state();
    state.pending = vec![intent(0, at)];
    state.posts.insert(
        "old".into(),
        PostState {
            tweets: vec![PublishedTweet {
                id: "77".into(),
                text: "x".into(),
                digest: "d".into(),
                published_at: None,
                edits: Vec::new(),
            }],
        },
    );
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    assert!(ex.settle_pending(&mut state).await.unwrap());
    let plan = plan_of(vec![Change {
        key: "old".into(),
        action: Action::Delete,
        file: None,
        from: None,
        publish_at: None,
        tweets: vec![TweetChange {
            index: 0,
            op: TweetOp::Delete { id: "77".into() },
            text: "x".into(),
            weighted_length: 1,
            digest: "d".into(),
        }],
        refused: None,
        not_an_edit: None,
    }]);
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 3);
    assert_eq!(report.recovered.len(), 1);
    assert_eq!(report.recovered[0].key, "p0000");
    assert_eq!(report.recovered[0].tweet.id, id);
    let summary = report.render_summary(false);
    assert!(
        summary.contains("Apply: 0 published, 1 recovered from an earlier run, 0 deleted, 0 failed, 0 deferred, 1 held."),
        "{summary}"
    );

    // Settled and nothing else to do: not "Nothing to do".
    let mut state = empty_state();
    let at = t0() - SignedDuration::from_mins(1);
    insert(&run.fake, "post number 1", at);
    state.pending = vec![intent(1, at)];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    assert!(ex.settle_pending(&mut state).await.unwrap());
    let report = ex.execute(&plan_of(vec![]), &mut state).await;
    assert_eq!(report.exit_code(), 0);
    let summary = report.render_summary(false);
    assert!(!summary.contains("Nothing to do"), "{summary}");
    assert!(
        summary.contains("1 recovered from an earlier run"),
        "{summary}"
    );

    // Settled by `execute` itself while the plan still creates the post:
    // reported once, as that change's.
    let mut state = empty_state();
    let at = t0() - SignedDuration::from_secs(30);
    insert(&run.fake, "post number 2", at);
    state.pending = vec![intent(2, at)];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex
        .execute(
            &plan_of(vec![create_change("p0002", &["post number 2"])]),
            &mut state,
        )
        .await;
    assert_eq!(report.recovered, vec![]);
    assert!(
        report
            .render_summary(false)
            .contains("Apply: 0 published, 1 recovered from an earlier run,"),
        "{}",
        report.render_summary(false)
    );
}

/// The fake X, but every create answers 429 with no rate headers at all.
#[derive(Clone)]
struct BareRefusals(Fake);

impl XApi for BareRefusals {
    async fn create_tweet(&self, _body: &Value) -> crate::api::ApiResult<crate::api::RemoteTweet> {
        Err((
            crate::api::ApiError::RateLimited {
                rate: crate::api::RateInfo::default(),
            },
            crate::api::RateInfo::default(),
        ))
    }
    async fn delete_tweet(&self, id: &str) -> crate::api::ApiResult<bool> {
        self.0.delete_tweet(id).await
    }
    async fn me(&self) -> crate::api::ApiResult<String> {
        self.0.me().await
    }
    async fn user_tweets(
        &self,
        user_id: &str,
        since: Timestamp,
    ) -> crate::api::ApiResult<Vec<crate::api::RemoteTweet>> {
        self.0.user_tweets(user_id, since).await
    }
    async fn lookup(&self, ids: &[String]) -> crate::api::ApiResult<Vec<crate::api::RemoteTweet>> {
        self.0.lookup(ids).await
    }
    media_through!(0);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_headers_is_reported_as_such() {
    let run = Run::new();
    let mut ex = Executor::new(
        BareRefusals(run.fake.clone()),
        run.clock.clone(),
        run.state_path(),
        default_budget(),
        ApplyOptions::default(),
    );
    let mut state = empty_state();
    let report = ex.execute(&singles(1), &mut state).await;
    let deferred: Vec<_> = report.deferred().collect();
    assert_eq!(deferred.len(), 1, "{}", report.render_summary(false));
    let summary = report.render_summary(false);
    assert!(summary.contains("429"), "{summary}");
    assert!(
        !summary.contains("remaining: 0"),
        "X sent no headers: {summary}"
    );
    assert!(
        !summary.contains("x-rate-limit"),
        "X sent no headers: {summary}"
    );
    assert_eq!(state.pending, vec![], "nothing reached X");
}
