//! `--refresh` against the fake X: tweets deleted and edited on X outside
//! tweetform are found, the plan shows them, and the state follows:
//! deleted ones stay recorded unless they are to be published again, which
//! then happens exactly once.

use std::path::PathBuf;

use super::*;
use crate::drift::DriftKind;
use crate::plan::plan;
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

fn posts() -> Vec<Post> {
    vec![
        post("alpha", &["Alpha"]),
        post("echo", &["Echo"]),
        post("thread", &["One", "Two", "Three"]),
    ]
}

/// Publishes `posts()`, then deletes "Alpha" and "Two" and edits "Echo" on
/// X by hand. Returns the state and the edited tweet's new ID.
async fn published_then_changed_on_x(run: &Run) -> (State, String) {
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    ex.execute(&plan(&posts(), &state, t0()), &mut state).await;
    let id = |key: &str, i: usize| state.posts[key].tweets[i].id.clone();
    let mut fake = run.fake.fake();
    assert!(fake.remove_tweet(&id("alpha", 0)));
    assert!(fake.remove_tweet(&id("thread", 1)));
    let newest = fake
        .edit_tweet(&id("echo", 0), "Echo, edited on X")
        .unwrap();
    assert_eq!(fake.edit_history(&newest), [id("echo", 0), newest.clone()]);
    drop(fake);
    (state, newest)
}

#[tokio::test(start_paused = true)]
async fn deleted_and_edited_tweets_are_read_back_and_shown() {
    let run = Run::new();
    let (mut state, newest) = published_then_changed_on_x(&run).await;
    let recorded = state.clone();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let lookups = run.fake.fake().requests_to(Endpoint::LookupTweets);
    let refresh = ex.refresh(&mut state, false).await.unwrap();

    // Five tweets, then the edited one's newest version for its text.
    assert_eq!(refresh.read, 6);
    assert_eq!(
        run.fake.fake().requests_to(Endpoint::LookupTweets) - lookups,
        2
    );
    let found: Vec<_> = refresh
        .drift
        .iter()
        .map(|d| (d.key.as_str(), d.index, &d.kind))
        .collect();
    let edited = DriftKind::Edited {
        newest_id: newest.clone(),
        text: "Echo, edited on X".into(),
    };
    assert_eq!(
        found,
        [
            ("alpha", 0, &DriftKind::Deleted),
            ("echo", 0, &edited),
            ("thread", 1, &DriftKind::Deleted),
        ]
    );
    // The edit is recorded; deleted tweets stay recorded.
    assert_eq!(state.posts["echo"].tweets[0].id, newest);
    assert_eq!(state.posts["alpha"], recorded.posts["alpha"]);
    assert_eq!(state.posts["thread"], recorded.posts["thread"]);

    let mut p = plan(&posts(), &state, t0());
    assert!(!p.has_changes(), "nothing is published again: {p:?}");
    p.refresh = Some(refresh);
    let human = crate::terminal::human(&p, false);
    assert!(
        human.contains("Drift (changed on X outside tweetform):"),
        "{human}"
    );
    assert!(human.contains("alpha tweet 1"), "{human}");
    assert!(
        human.contains("read 6 published tweets (about $0.006"),
        "{human}"
    );
    let md = crate::markdown::markdown(&p);
    assert!(md.contains("**🔀 Drift**"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&crate::plan_json::json(&p)).unwrap();
    assert_eq!(json["refresh"]["drift"][0]["drift"], "deleted");
    assert_eq!(json["refresh"]["drift"][1]["newest_id"], newest.as_str());
}

#[tokio::test(start_paused = true)]
async fn recreating_deleted_tweets_publishes_them_once() {
    let run = Run::new();
    let (mut state, _) = published_then_changed_on_x(&run).await;
    let options = ApplyOptions {
        allow_destroy: true,
        ..ApplyOptions::default()
    };
    let mut ex = run.executor(default_budget(), options);
    ex.refresh(&mut state, true).await.unwrap();
    assert!(!state.posts.contains_key("alpha"), "forgotten");

    let p = plan(&posts(), &state, t0());
    let actions: Vec<_> = p
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.action))
        .collect();
    assert_eq!(
        actions,
        [("alpha", Action::Create), ("thread", Action::Replace)]
    );
    let report = ex.execute(&p, &mut state).await;
    assert_eq!(report.exit_code(), 0, "{report:?}");

    let live = live(&run.fake);
    let texts: Vec<&str> = live.iter().map(|t| t.text.as_str()).collect();
    // X keeps the edited tweet's first version beside the newest: "Echo"
    // is that one, not published again.
    for text in ["Alpha", "One", "Two", "Three", "Echo", "Echo, edited on X"] {
        assert_eq!(
            texts.iter().filter(|t| **t == text).count(),
            1,
            "{text}: {texts:?}"
        );
    }
    assert_eq!(texts.len(), 6, "{texts:?}");
    // Planned and refreshed again: in line with X.
    assert!(!plan(&posts(), &run.saved(), t0()).has_changes());
    let mut saved = run.saved();
    let again = ex.refresh(&mut saved, true).await.unwrap();
    assert!(again.drift.is_empty(), "{:?}", again.drift);
}
