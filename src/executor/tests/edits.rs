//! Edits in place against the fake X: the edit sent with
//! `edit_options`, the new version recorded with the chain, the rest of
//! the thread kept, and an edit whose answer was lost settled to exactly
//! one edit, in the same run and in the next one.

use std::path::PathBuf;

use super::*;
use crate::plan::{Edits, plan_with};
use crate::post::Post;

fn post(key: &str, texts: &[&str]) -> Post {
    Post {
        key: key.into(),
        file: PathBuf::from(format!("posts/{key}.yaml")),
        publish_at: None,
        publish_at_pos: None,
        is_thread: texts.len() > 1,
        tweets: texts.iter().map(|t| Tweet::new(*t)).collect(),
        repost: None,
    }
}

fn edits_on() -> Edits {
    Edits {
        enabled: true,
        ..Edits::default()
    }
}

/// `one, two, three` published as a thread five minutes ago.
async fn published_thread(run: &Run) -> State {
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let p = plan_with(
        &[post("t", &["one", "two", "three"])],
        &state,
        run.clock.now(),
        edits_on(),
    );
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    tokio::time::advance(Duration::from_secs(5 * 60)).await;
    state
}

/// The plan that edits tweet 2 of the thread, made now.
fn edit_two(run: &Run, state: &State) -> Plan {
    let p = plan_with(
        &[post("t", &["one", "TWO", "three"])],
        state,
        run.clock.now(),
        edits_on(),
    );
    assert_eq!(p.changes[0].action, Action::Edit, "{p:#?}");
    p
}

/// Exactly one edit of tweet 2: one more create sent, the state's tweet 2
/// the newest version with the chain, tweets 1 and 3 as they were, and
/// tweet 3 still replying to the chain.
fn assert_one_edit(run: &Run, before: &State, after: &State, creates: u64) {
    assert_eq!(creates_sent(&run.fake), creates, "one edit sent");
    assert!(after.pending.is_empty(), "{:?}", after.pending);
    let (old, new) = (&before.posts["t"].tweets, &after.posts["t"].tweets);
    assert_eq!(new.len(), 3);
    assert_eq!((&new[0], &new[2]), (&old[0], &old[2]));
    assert_ne!(new[1].id, old[1].id);
    assert_eq!(new[1].text, "TWO");
    assert_eq!(new[1].edits, [old[1].id.clone()]);
    assert_eq!(new[1].published_at, old[1].published_at);
    let fake = run.fake.fake();
    assert_eq!(
        fake.edit_history(&new[1].id),
        [old[1].id.clone(), new[1].id.clone()]
    );
    let third = fake.tweet(&new[2].id).unwrap();
    assert_eq!(third.in_reply_to.as_deref(), Some(old[1].id.as_str()));
    let versions = fake.tweets().iter().filter(|t| t.text == "TWO").count();
    assert_eq!(versions, 1, "exactly one edit on X");
}

#[tokio::test(start_paused = true)]
async fn an_edit_inside_the_window_is_sent_once_and_recorded_with_its_chain() {
    let run = Run::new();
    let mut state = published_thread(&run).await;
    let before = state.clone();
    let p = edit_two(&run, &state);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    let body = &bodies(&run.fake)[3];
    assert_eq!(
        body["edit_options"]["previous_post_id"],
        json!(before.posts["t"].tweets[1].id)
    );
    assert_one_edit(&run, &before, &state, 4);
    assert_eq!(run.saved().posts, state.posts);
    // Planned again: nothing to do.
    let again = plan_with(
        &[post("t", &["one", "TWO", "three"])],
        &state,
        run.clock.now(),
        edits_on(),
    );
    assert!(!again.has_changes(), "{again:#?}");
}

#[tokio::test(start_paused = true)]
async fn an_edit_whose_answer_was_lost_is_found_not_sent_again() {
    let run = Run::new();
    let mut state = published_thread(&run).await;
    let before = state.clone();
    let p = edit_two(&run, &state);
    run.fake.fake().drop_after_commit(1);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    assert_one_edit(&run, &before, &state, 4);
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_edit_is_settled_by_the_next_run_to_exactly_one_edit() {
    let run = Run::new();
    let mut state = published_thread(&run).await;
    let before = state.clone();
    let p = edit_two(&run, &state);
    // The last run saved its intent, X made the edit, and the run died
    // before it heard the answer.
    let old = before.posts["t"].tweets[1].id.clone();
    state.pending.push(Intent {
        key: "t".into(),
        index: 1,
        digest: Tweet::new("TWO").digest(),
        text: "TWO".into(),
        at: run.clock.now(),
        shape: None,
        edit_of: Some(old.clone()),
    });
    tokio::time::advance(Duration::from_secs(1)).await;
    run.fake.fake().edit_tweet(&old, "TWO").unwrap();
    tokio::time::advance(Duration::from_secs(10)).await;
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    // Nothing sent: the edit was found on the timeline and adopted.
    assert_one_edit(&run, &before, &state, 3);
}

#[tokio::test(start_paused = true)]
async fn an_edit_x_refuses_fails_its_post_and_leaves_the_state() {
    let run = Run::new();
    let mut state = published_thread(&run).await;
    let before = state.clone();
    let p = edit_two(&run, &state);
    // The window closed between the plan and the apply.
    tokio::time::advance(Duration::from_secs(30 * 60)).await;
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&p, &mut state).await;
    assert_ne!(report.exit_code(), 0);
    let summary = report.render_summary(false);
    assert!(summary.contains("within 30 minutes"), "{summary}");
    assert_eq!(state.posts, before.posts);
    assert!(state.pending.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_edited_reply_is_sent_without_its_reply_and_keeps_its_place() {
    let run = Run::new();
    let mut state = published_thread(&run).await;
    let own = state.posts["t"].tweets[0].id.clone();
    let reply = |text: &str| {
        let mut p = post("r", &[text]);
        p.tweets[0].reply = Some(crate::post::Reply {
            in_reply_to_tweet_id: own.clone(),
            ..crate::post::Reply::default()
        });
        p
    };
    let thread = post("t", &["one", "two", "three"]);
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let first = plan_with(
        &[thread.clone(), reply("me too")],
        &state,
        run.clock.now(),
        edits_on(),
    );
    assert_eq!(ex.execute(&first, &mut state).await.exit_code(), 0);
    let p = plan_with(
        &[thread, reply("me three")],
        &state,
        run.clock.now(),
        edits_on(),
    );
    assert_eq!(p.changes[0].action, Action::Edit, "{p:#?}");
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
    let sent = bodies(&run.fake).pop().unwrap();
    assert_eq!(sent["text"], "me three");
    assert!(sent.get("reply").is_none(), "{sent}");
    let edited = run
        .fake
        .fake()
        .tweet(&state.posts["r"].tweets[0].id)
        .cloned()
        .unwrap();
    assert_eq!(edited.in_reply_to.as_deref(), Some(own.as_str()));
}
