//! The access level end to end: `tweetform apply`, the binary, against the
//! fake X over HTTP at the level each side is set to. On pay-per-use, X
//! refuses a reply to an account that did not summon this one (validate
//! only warned: it cannot tell offline) and takes one that did; a quote
//! never leaves tweetform; on Enterprise both sides take the quote.

use std::path::Path;
use std::process::{Command, Output};

use jiff::Timestamp;
use tweetform::state::State;
use tweetform_emulator::{self as emulator, Access, Endpoint};

#[path = "support/http_fake.rs"]
mod http_fake;
use http_fake::Fake;

fn apply(fake: &Fake, root: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tweetform"));
    cmd.arg("-C")
        .arg(root)
        .args(["--color", "never", "apply"])
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TWITTER_API_KEY");
    fake.env(&mut cmd);
    cmd.output().unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "status: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn on_pay_per_use_x_takes_replies_only_when_summoned_and_no_quotes() {
    let fake = Fake::start();
    let username = fake.with(|f| f.user().username.clone());
    fake.with(|f| {
        let now = f.now();
        f.insert_others_tweet("20", "583", "nothing to do with you", now);
        f.insert_others_tweet(
            "21",
            "583",
            &format!("what do you think, @{username}?"),
            now,
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "posts/uninvited.yaml",
        "text: an opinion nobody asked for\nreply:\n  in_reply_to_tweet_id: \"20\"\n",
    );
    write(
        root,
        "posts/asked.yaml",
        "text: since you ask\nreply:\n  in_reply_to_tweet_id: \"21\"\n",
    );

    let run = apply(&fake, root);
    let out = said(&run);
    assert_eq!(run.status.code(), Some(1), "{out}");
    // Both warned about before anything was sent, as tweetform cannot tell.
    assert_eq!(out.matches("warning: posts/").count(), 2, "{out}");
    // X took the summoned one and refused the other, for the state to keep.
    let state = State::load(&root.join("state/tweets.lock.json")).unwrap();
    assert!(state.posts.contains_key("asked"), "{out}");
    assert!(!state.posts.contains_key("uninvited"), "{out}");
    assert_eq!(state.refused["uninvited"].status, 403, "{out}");
    assert!(
        state.refused["uninvited"]
            .detail
            .contains("mentioned you or quoted one of your posts"),
        "{out}"
    );

    // A quote is refused before a request is made.
    write(
        root,
        "posts/quote.yaml",
        "text: worth a read\nquote_tweet_id: \"20\"\n",
    );
    let creates = fake.with(|f| f.requests_to(Endpoint::CreateTweet));
    let run = apply(&fake, root);
    let out = said(&run);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error: posts/quote.yaml:2:17: `quote_tweet_id`"),
        "{out}"
    );
    assert_eq!(fake.with(|f| f.requests_to(Endpoint::CreateTweet)), creates);
}

#[test]
fn on_enterprise_a_quote_goes_out() {
    let fake = Fake::start_with(emulator::Behaviour {
        access: Access::Enterprise,
        ..emulator::Behaviour::default()
    });
    fake.with(|f| f.insert_others_tweet("20", "583", "worth quoting", Timestamp::now()));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "tweetform.yaml", "access: enterprise\n");
    write(
        root,
        "posts/quote.yaml",
        "text: worth a read\nquote_tweet_id: \"20\"\n",
    );
    let run = apply(&fake, root);
    assert_eq!(run.status.code(), Some(0), "{}", said(&run));
    assert_eq!(fake.live()["worth a read"].len(), 1);
}
