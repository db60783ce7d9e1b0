//! `plan --refresh` and `apply --refresh`, the binary, against the fake X
//! over HTTP: a tweet deleted and one edited on X by hand are shown as
//! drift, the edit is recorded, and the deleted tweet is published again
//! only with `--recreate-deleted`, then exactly once.

use std::path::Path;
use std::process::{Command, Output};

use tweetform::clock::Clock;
use tweetform::state::State;
use tweetform_emulator::{self as emulator, FakeX, SharedFake, TEST_CREDENTIALS};

struct Fake {
    runtime: tokio::runtime::Runtime,
    shared: SharedFake,
    server: Option<emulator::Server>,
}

impl Fake {
    fn start() -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (shared, server) = runtime.block_on(async {
            let fake = FakeX::new(emulator::Behaviour::default(), Clock::system());
            let shared: SharedFake = std::sync::Arc::new(std::sync::Mutex::new(fake));
            let server = emulator::spawn(shared.clone(), "127.0.0.1:0")
                .await
                .unwrap();
            (shared, server)
        });
        Fake {
            runtime,
            shared,
            server: Some(server),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut FakeX) -> T) -> T {
        f(&mut emulator::lock(&self.shared))
    }

    /// How many live tweets have this text.
    fn live(&self, text: &str) -> usize {
        self.with(|f| f.live_tweets().iter().filter(|t| t.text == text).count())
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

fn tweetform(root: &Path, fake: &Fake, args: &[&str]) -> Output {
    let url = fake.server.as_ref().unwrap().url();
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
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "status {:?}\n{out}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn state(root: &Path) -> State {
    State::load(&root.join("state/tweets.lock.json")).unwrap()
}

#[test]
fn drift_is_shown_recorded_and_recreated_only_when_asked() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("posts")).unwrap();
    std::fs::write(root.join("posts/alpha.yaml"), "text: Alpha\n").unwrap();
    std::fs::write(root.join("posts/echo.yaml"), "text: Echo\n").unwrap();
    ok(&tweetform(root, &fake, &["apply"]));
    let published = state(root);
    let alpha = published.posts["alpha"].tweets[0].id.clone();
    let echo = published.posts["echo"].tweets[0].id.clone();

    // By hand on X.
    assert!(fake.with(|f| f.remove_tweet(&alpha)));
    let newest = fake.with(|f| f.edit_tweet(&echo, "Echo, edited")).unwrap();

    let plan = ok(&tweetform(root, &fake, &["plan", "--refresh"]));
    assert!(
        plan.contains("read 3 published tweets (about $0.003"),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "alpha tweet 1 https://x.com/i/status/{alpha}: deleted on X outside tweetform"
        )),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("edited on X, now https://x.com/i/status/{newest}")),
        "{plan}"
    );
    let json = ok(&tweetform(
        root,
        &fake,
        &["plan", "--refresh", "--format", "json"],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["refresh"]["drift"][0]["drift"], "deleted");
    let md = ok(&tweetform(
        root,
        &fake,
        &["plan", "--refresh", "--format", "markdown"],
    ));
    assert!(md.contains("Drift"), "{md}");
    assert_eq!(state(root), published, "a plan writes nothing");

    // Without --recreate-deleted: the edit is recorded, nothing published.
    ok(&tweetform(root, &fake, &["apply", "--refresh"]));
    let refreshed = state(root);
    assert_eq!(refreshed.posts["echo"].tweets[0].id, newest);
    assert_eq!(refreshed.posts["echo"].tweets[0].text, "Echo, edited");
    assert_eq!(refreshed.posts["alpha"], published.posts["alpha"]);
    assert_eq!(fake.live("Alpha"), 0);
    let plain = ok(&tweetform(root, &fake, &["plan"]));
    assert!(plain.contains("No changes"), "{plain}");

    // With it: published again, once, and again is a no-op.
    let plan = ok(&tweetform(
        root,
        &fake,
        &["plan", "--refresh", "--recreate-deleted"],
    ));
    assert!(plan.contains("alpha will be created"), "{plan}");
    ok(&tweetform(
        root,
        &fake,
        &["apply", "--refresh", "--recreate-deleted"],
    ));
    ok(&tweetform(
        root,
        &fake,
        &["apply", "--refresh", "--recreate-deleted"],
    ));
    assert_eq!(fake.live("Alpha"), 1);
    assert_eq!(fake.live("Echo, edited"), 1);
    let last = state(root);
    assert_ne!(last.posts["alpha"].tweets[0].id, alpha);
    assert_eq!(last.posts["echo"].tweets[0].id, newest);
}
