//! A post X refuses for good (a 400 or 403 that no retry changes): the
//! refusal is recorded in the state, `plan` shows it with X's words, `apply`
//! does not send it again and writes nothing, and editing the post clears it.

use std::path::Path;
use std::process::{Command, Output};

use tweetform::clock::Clock;
use tweetform::state::State;
use tweetform_emulator::{self as emulator, Endpoint, FakeX, SharedFake, TEST_CREDENTIALS};

const DETAIL: &str = "This request looks like it might be automated.";

fn tweetform(root: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tweetform"))
        .arg("-C")
        .arg(root)
        .args(["--color", "never"])
        .args(args)
        .env("TWEETFORM_API_URL", url)
        .env("X_API_KEY", TEST_CREDENTIALS.consumer_key)
        .env("X_API_SECRET", TEST_CREDENTIALS.consumer_secret)
        .env("X_ACCESS_TOKEN", TEST_CREDENTIALS.access_token)
        .env(
            "X_ACCESS_TOKEN_SECRET",
            TEST_CREDENTIALS.access_token_secret,
        )
        .env_remove("TWITTER_API_KEY")
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "status: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn thread(root: &Path, third: &str) {
    std::fs::write(
        root.join("posts/launch.yaml"),
        format!("thread:\n  - text: \"one\"\n  - text: \"two\"\n  - text: \"{third}\"\n"),
    )
    .unwrap();
}

#[test]
fn a_refused_post_is_shown_not_resent_and_cleared_by_an_edit() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let shared: SharedFake = emulator::share(FakeX::with_defaults(Clock::system()));
    let server = runtime
        .block_on(emulator::spawn(shared.clone(), "127.0.0.1:0"))
        .unwrap();
    let url = server.url();
    emulator::lock(&shared).reject_text("three?", 400, DETAIL);
    let creates = || emulator::lock(&shared).requests_to(Endpoint::CreateTweet);

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("posts")).unwrap();
    thread(root, "three?");
    std::fs::write(root.join("posts/other.yaml"), "text: \"fine\"\n").unwrap();
    let state_path = root.join("state/tweets.lock.json");

    // The first apply publishes what X accepts and records the refusal.
    let first = tweetform(root, &url, &["apply"]);
    assert_eq!(first.status.code(), Some(1), "{}", said(&first));
    assert!(said(&first).contains("tweet 3 of 3"), "{}", said(&first));
    assert!(said(&first).contains(DETAIL), "{}", said(&first));
    let state = State::load(&state_path).unwrap();
    assert_eq!(state.posts["launch"].tweets.len(), 2);
    assert!(state.posts.contains_key("other"));
    let record = &state.refused["launch"];
    assert_eq!((record.index, record.status), (2, 400));
    assert_eq!(record.detail, DETAIL);
    assert_eq!(creates(), 4);

    // `plan` says so, with X's words and what to do.
    let plan = tweetform(root, &url, &["plan"]);
    let out = said(&plan);
    assert!(out.contains("launch was refused by X"), "{out}");
    assert!(
        out.contains(&format!("X refused tweet 3 of 3 (400): {DETAIL}")),
        "{out}"
    );
    assert!(out.contains("edit the post to try again"), "{out}");
    let json = tweetform(root, &url, &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let change = &v["changes"][0];
    assert_eq!(change["key"], "launch");
    assert_eq!(
        change["refused"],
        serde_json::json!({"index": 2, "status": 400, "detail": DETAIL})
    );

    // The next apply sends nothing and leaves the state as it was.
    let before = std::fs::read(&state_path).unwrap();
    let again = tweetform(root, &url, &["apply"]);
    assert_eq!(again.status.code(), Some(0), "{}", said(&again));
    assert!(
        said(&again).contains(&format!("launch: X refused tweet 3 of 3 (400): {DETAIL}")),
        "{}",
        said(&again)
    );
    assert_eq!(creates(), 4, "the refused tweet was sent again");
    assert_eq!(std::fs::read(&state_path).unwrap(), before);

    // Editing the post clears the refusal: it goes out.
    thread(root, "three, reworded");
    let plan = tweetform(root, &url, &["plan"]);
    assert!(!said(&plan).contains("refused"), "{}", said(&plan));
    let edited = tweetform(root, &url, &["apply"]);
    assert_eq!(edited.status.code(), Some(0), "{}", said(&edited));
    let state = State::load(&state_path).unwrap();
    assert_eq!(state.posts["launch"].tweets.len(), 3);
    assert!(state.refused.is_empty(), "{:?}", state.refused);
    assert_eq!(creates(), 5);

    runtime.block_on(server.shutdown());
}
