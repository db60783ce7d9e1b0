//! Reposts against the fake X: a repost recorded once, its undo held
//! without `allow_destroy` and run with it, and an answer lost after X
//! reposted, settled by sending again.

use std::path::PathBuf;

use super::*;
use crate::plan::plan;
use crate::post::{Post, Repost};

fn repost_post(key: &str, tweet_id: &str) -> Post {
    Post {
        key: key.into(),
        file: PathBuf::from(format!("posts/{key}.yaml")),
        publish_at: None,
        publish_at_pos: None,
        is_thread: false,
        tweets: Vec::new(),
        repost: Some(Repost {
            tweet_id: tweet_id.into(),
            pos: crate::post::Pos { line: 1, column: 9 },
        }),
    }
}

/// Someone's tweet on the fake, to repost.
fn someone_tweeted(run: &Run, text: &str) -> String {
    run.fake.fake().insert_tweet(text, t0())
}

fn allow_destroy() -> ApplyOptions {
    ApplyOptions {
        allow_destroy: true,
        ..ApplyOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_repost_is_sent_once_recorded_and_not_sent_again() {
    let run = Run::new();
    let source = someone_tweeted(&run, "worth sharing");
    let mut state = empty_state();
    let posts = [repost_post("share", &source)];
    let p = plan(&posts, &state, t0());
    assert_eq!(p.changes[0].action, Action::Create);

    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert!(run.fake.fake().is_reposted(&source));
    assert_eq!(run.fake.fake().requests_to(Endpoint::Repost), 1);
    let saved = run.saved();
    assert_eq!(saved.reposts["share"].tweet_id, source);
    assert_eq!(saved.format_version, crate::state::FORMAT_VERSION);
    // The repost spent the create lane.
    assert_eq!(saved.requests.creates.len(), 1);
    assert_eq!(report.posts[0].published[0].id, source);

    // Planned again: nothing to do.
    assert!(!plan(&posts, &saved, t0()).has_changes());
}

#[tokio::test(start_paused = true)]
async fn an_undo_is_held_without_allow_destroy_and_runs_with_it() {
    let run = Run::new();
    let source = someone_tweeted(&run, "worth sharing");
    let mut state = empty_state();
    let posts = [repost_post("share", &source)];
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.execute(&plan(&posts, &state, t0()), &mut state).await;

    // The file is gone.
    let undo = plan(&[], &state, t0());
    assert_eq!(undo.changes[0].action, Action::Delete);
    assert!(undo.changes[0].destructive());
    let report = ex.execute(&undo, &mut state).await;
    assert_eq!(report.held.len(), 1);
    assert_eq!(
        report.held[0].reason,
        format!("its repost of https://x.com/i/status/{source} would be undone")
    );
    assert!(run.fake.fake().is_reposted(&source), "held: still reposted");
    assert_eq!(run.fake.fake().requests_to(Endpoint::Unrepost), 0);

    let mut ex = run.executor(default_budget(), allow_destroy());
    let report = ex.execute(&undo, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert!(!run.fake.fake().is_reposted(&source));
    assert!(run.saved().reposts.is_empty());
    assert_eq!(run.saved().requests.deletes.len(), 1, "the delete lane");
    assert!(!plan(&[], &run.saved(), t0()).has_changes());
}

#[tokio::test(start_paused = true)]
async fn a_new_target_undoes_the_old_repost_then_reposts() {
    let run = Run::new();
    let old = someone_tweeted(&run, "first");
    let new = someone_tweeted(&run, "second");
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), allow_destroy());
    ex.execute(
        &plan(&[repost_post("share", &old)], &state, t0()),
        &mut state,
    )
    .await;
    let change = plan(&[repost_post("share", &new)], &state, t0());
    assert_eq!(change.changes[0].action, Action::Replace);
    let report = ex.execute(&change, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert_eq!(run.fake.fake().reposts(), vec![new.clone()]);
    assert_eq!(run.saved().reposts["share"].tweet_id, new);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_is_settled_by_sending_again() {
    let run = Run::new();
    let source = someone_tweeted(&run, "worth sharing");
    run.fake.fake().drop_after_commit_on(Endpoint::Repost, 1);
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let p = plan(&[repost_post("share", &source)], &state, t0());
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert_eq!(run.fake.fake().requests_to(Endpoint::Repost), 2);
    assert_eq!(run.fake.fake().reposts(), vec![source.clone()]);
    assert_eq!(run.saved().reposts["share"].tweet_id, source);
}

#[tokio::test(start_paused = true)]
async fn a_tweet_x_does_not_have_fails_the_post_and_records_nothing() {
    let run = Run::new();
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let p = plan(&[repost_post("share", "1234567890")], &state, t0());
    let report = ex.execute(&p, &mut state).await;
    assert_ne!(report.exit_code(), 0);
    assert!(matches!(report.posts[0].outcome, Outcome::Failed { .. }));
    assert!(state.reposts.is_empty());
}
