//! The fake X served on 127.0.0.1 by a runtime of the test that uses it,
//! with tweets seeded as if published earlier. Each test file that
//! includes it uses a part of it.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use tweetform::clock::Clock;
use tweetform_emulator::{self as emulator, FakeX, SharedFake, TEST_CREDENTIALS};

pub struct Fake {
    runtime: tokio::runtime::Runtime,
    shared: SharedFake,
    server: Option<emulator::Server>,
}

impl Fake {
    pub fn start() -> Fake {
        Fake::start_with(emulator::Behaviour::default())
    }

    pub fn start_with(behaviour: emulator::Behaviour) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (shared, server) = runtime.block_on(async {
            let fake = FakeX::new(behaviour, Clock::system());
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

    pub fn url(&self) -> String {
        self.server.as_ref().unwrap().url()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut FakeX) -> T) -> T {
        f(&mut emulator::lock(&self.shared))
    }

    /// A tweet created `ago` minutes before now from this create body.
    pub fn published(&self, body: serde_json::Value, ago: i64) -> String {
        let at = Timestamp::now() - SignedDuration::from_mins(ago);
        self.with(|f| f.insert_created(body, at))
    }

    /// Live tweets: text → IDs.
    pub fn live(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for t in self.with(|f| f.live_tweets().into_iter().cloned().collect::<Vec<_>>()) {
            out.entry(t.text).or_default().push(t.id);
        }
        out
    }

    /// Every create the fake ever stored.
    pub fn committed(&self) -> usize {
        self.with(|f| f.tweets().len())
    }

    /// The environment `apply` and `import` read the account from.
    pub fn env(&self, cmd: &mut std::process::Command) {
        cmd.env("TWEETFORM_API_URL", self.url())
            .env("X_API_KEY", TEST_CREDENTIALS.consumer_key)
            .env("X_API_SECRET", TEST_CREDENTIALS.consumer_secret)
            .env("X_ACCESS_TOKEN", TEST_CREDENTIALS.access_token)
            .env(
                "X_ACCESS_TOKEN_SECRET",
                TEST_CREDENTIALS.access_token_secret,
            );
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}
