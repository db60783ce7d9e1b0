//! `tweetform import`, the binary, against the fake X over HTTP: tweets
//! named by link or ID recorded only when they match their post, the
//! account's timeline written out as post files, and the project's
//! unpublished posts adopted from the timeline so that the next `apply`
//! publishes only the others.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;
use tweetform::state::State;

#[path = "support/http_fake.rs"]
mod http_fake;
use http_fake::Fake;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(posts: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("posts")).unwrap();
        let p = Project { dir };
        for (key, yaml) in posts {
            p.write(key, yaml);
        }
        p
    }

    fn write(&self, key: &str, yaml: &str) {
        let path = self.root().join("posts").join(format!("{key}.yaml"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, yaml).unwrap();
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn state_path(&self) -> PathBuf {
        self.root().join("state/tweets.lock.json")
    }

    fn state(&self) -> State {
        State::load(&self.state_path()).unwrap()
    }

    fn run(&self, fake: &Fake, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tweetform"));
        cmd.arg("-C")
            .arg(self.root())
            .arg("--color")
            .arg("never")
            .args(args)
            .env_remove("TWITTER_API_KEY")
            .env_remove("NO_COLOR");
        fake.env(&mut cmd);
        cmd.output().unwrap()
    }

    /// `plan --detailed-exitcode` says there is nothing to do.
    fn assert_unchanged(&self, fake: &Fake) {
        let out = self.run(fake, &["plan", "--detailed-exitcode"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ids(state: &State, key: &str) -> Vec<String> {
    state.posts[key]
        .tweets
        .iter()
        .map(|t| t.id.clone())
        .collect()
}

#[test]
fn a_matching_thread_is_recorded_once_and_plans_unchanged() {
    let fake = Fake::start();
    let first = fake.published(
        json!({"text": "Launch day & more: https://example.com/launch"}),
        30,
    );
    let second = fake.published(
        json!({"text": "Part two.", "reply": {"in_reply_to_tweet_id": first}}),
        29,
    );
    let p = Project::new(&[(
        "launch",
        "thread:\n  - text: \"Launch day & more: https://example.com/launch\"\n  - text: Part two.\n",
    )]);
    let link = format!("https://x.com/someone/status/{first}?s=20");
    let out = p.run(&fake, &["import", "launch", &link, &second]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Imported launch"), "{}", text(&out));
    assert_eq!(ids(&p.state(), "launch"), [first.clone(), second.clone()]);
    let published_at = p.state().posts["launch"].tweets[0].published_at;
    assert!(published_at.is_some());
    p.assert_unchanged(&fake);

    // Again: nothing changes.
    let serial = p.state().serial;
    let out = p.run(&fake, &["import", "posts/launch.yaml", &first, &second]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("already recorded"), "{}", text(&out));
    assert_eq!(p.state().serial, serial);

    // Other IDs for a recorded post are refused.
    let out = p.run(&fake, &["import", "launch", &second, &first]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(ids(&p.state(), "launch"), [first, second]);
    // And nothing was published.
    assert_eq!(fake.committed(), 2);
}

#[test]
fn a_mismatch_shows_the_difference_and_records_nothing() {
    let fake = Fake::start();
    let id = fake.published(json!({"text": "Hello world"}), 10);
    let other = fake.published(json!({"text": "Hello"}), 9);
    let reply = fake.published(
        json!({"text": "two", "reply": {"in_reply_to_tweet_id": other}}),
        8,
    );
    let p = Project::new(&[
        ("hello", "text: Hello, world\n"),
        ("thread", "thread:\n  - text: Hello world\n  - text: two\n"),
    ]);
    let out = p.run(&fake, &["import", "hello", &id]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(
            "the text differs:\n  expected: \"Hello, world\"\n  on X:     \"Hello world\"\n"
        ),
        "{said}"
    );
    // A thread whose second tweet answers another tweet.
    let out = p.run(&fake, &["import", "thread", &id, &reply]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("expected a reply to tweet {id}")),
        "{}",
        text(&out)
    );
    // Too few tweets for the thread.
    let out = p.run(&fake, &["import", "thread", &id]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("declares 2 tweet(s)"), "{}", text(&out));
    // A tweet X does not have.
    let out = p.run(&fake, &["import", "hello", "1234567890123"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("X has no tweet https://x.com/i/status/1234567890123"),
        "{}",
        text(&out)
    );
    // Neither a link nor an ID.
    let out = p.run(&fake, &["import", "hello", "https://example.com/x"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!p.state_path().exists(), "the state was written");
}

#[test]
fn the_account_becomes_post_files_that_plan_unchanged() {
    let fake = Fake::start();
    let single = fake.published(json!({"text": "Tom &amp; Jerry? No: Tom & Jerry."}), 50);
    let a = fake.published(
        json!({"text": "A thread about links https://example.com/docs"}),
        40,
    );
    let b = fake.published(
        json!({"text": "second part", "reply": {"in_reply_to_tweet_id": a}}),
        39,
    );
    let pic = fake.published(
        json!({"text": "A picture", "media": {"media_ids": ["1500000000000000001"]}}),
        30,
    );
    let answer = fake.published(
        json!({"text": "Thanks!", "reply": {"in_reply_to_tweet_id": "20"}}),
        20,
    );
    let known = fake.published(json!({"text": "Already a post of the project"}), 10);
    let p = Project::new(&[("mine", "text: Already a post of the project\n")]);
    // Without --yes and without a terminal: the cost is shown, nothing read.
    let out = p.run(&fake, &["import", "--from-account"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out)
            .contains("The account has 6 tweet(s); reading up to 6 of them costs at most $0.006"),
        "{}",
        text(&out)
    );
    assert!(!p.root().join("posts/imported").exists());

    let out = p.run(&fake, &["import", "--from-account", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "skipped https://x.com/i/status/{known}: it is the post mine (record it with `tweetform import --adopt`)"
        )),
        "{}",
        text(&out)
    );
    let state = p.state();
    assert_eq!(state.posts.len(), 4, "{:?}", state.posts.keys());
    let recorded: Vec<Vec<String>> = state
        .posts
        .values()
        .map(|p| p.tweets.iter().map(|t| t.id.clone()).collect())
        .collect();
    for expected in [vec![single], vec![a, b], vec![pic], vec![answer]] {
        assert!(recorded.contains(&expected), "{expected:?} in {recorded:?}");
    }
    let files: Vec<String> = std::fs::read_dir(p.root().join("posts/imported"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    let picture = files
        .iter()
        .find(|f| f.ends_with("a-picture.yaml"))
        .unwrap();
    let yaml = std::fs::read_to_string(p.root().join("posts/imported").join(picture)).unwrap();
    assert!(
        yaml.contains("media_ids: [\"1500000000000000001\"]"),
        "{yaml}"
    );
    let thread = files.iter().find(|f| f.contains("a-thread-about")).unwrap();
    let yaml = std::fs::read_to_string(p.root().join("posts/imported").join(thread)).unwrap();
    assert!(
        yaml.contains("thread:\n  - text: \"A thread about links https://example.com/docs\"\n  - text: \"second part\"\n"),
        "{yaml}"
    );
    let reply = files.iter().find(|f| f.ends_with("thanks.yaml")).unwrap();
    let yaml = std::fs::read_to_string(p.root().join("posts/imported").join(reply)).unwrap();
    assert!(yaml.contains("in_reply_to_tweet_id: \"20\""), "{yaml}");
    let out = p.run(&fake, &["import", "--adopt", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(ids(&p.state(), "mine"), [known]);
    p.assert_unchanged(&fake);

    // A second import finds nothing new and replaces no file.
    let out = p.run(
        &fake,
        &["import", "--from-account", "--yes", "--limit", "3"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("reading up to 3 of them"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("Imported 0 post(s)"), "{}", text(&out));
    assert_eq!(
        std::fs::read_dir(p.root().join("posts/imported"))
            .unwrap()
            .count(),
        4
    );
    // Outside the posts directory, tweetform would never see the files.
    let out = p.run(
        &fake,
        &["import", "--from-account", "--yes", "--dir", "elsewhere"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn the_first_apply_after_adopting_publishes_only_what_was_never_published() {
    let fake = Fake::start();
    let old = fake.published(
        json!({"text": "Already out, with a link https://example.com/a"}),
        60,
    );
    let t1 = fake.published(json!({"text": "Thread one"}), 50);
    let t2 = fake.published(
        json!({"text": "Thread two", "reply": {"in_reply_to_tweet_id": t1}}),
        49,
    );
    // Another release: the post's link is not this tweet's.
    fake.published(
        json!({"text": "Release notes https://example.com/v1.2"}),
        55,
    );
    // Only the first tweet of this thread went out.
    let half = fake.published(json!({"text": "Half one"}), 40);
    let p = Project::new(&[
        (
            "old",
            "text: \"Already out, with a link https://example.com/a\"\n",
        ),
        (
            "thread",
            "thread:\n  - text: Thread one\n  - text: Thread two\n",
        ),
        ("half", "thread:\n  - text: Half one\n  - text: Half two\n"),
        ("new", "text: Never published\n"),
        ("release", "text: Release notes https://example.com/v1.3\n"),
    ]);
    let out = p.run(&fake, &["import", "--adopt", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("adopted old") && said.contains("adopted thread"),
        "{said}"
    );
    assert!(
        said.contains("to publish: half") && said.contains("to publish: new"),
        "{said}"
    );
    assert!(said.contains("to publish: release"), "{said}");
    let state = p.state();
    assert_eq!(ids(&state, "old"), [old]);
    assert_eq!(ids(&state, "thread"), [t1, t2]);
    assert!(!state.posts.contains_key("half"));
    // X would refuse its first tweet again as a duplicate: deleted by hand,
    // the whole thread goes out.
    assert!(fake.with(|f| f.remove_tweet(&half)));

    let before = fake.committed();
    let out = p.run(&fake, &["apply"]);
    assert!(out.status.success(), "{}", text(&out));
    // Half (two tweets), new and release: nothing adopted went out again.
    assert_eq!(fake.committed(), before + 4);
    p.assert_unchanged(&fake);
}
