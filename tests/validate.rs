//! `tweetform validate` end to end: exit codes, `file:line:column` messages,
//! the JSON shape, and the repository's own examples and posts.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn tweetform(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.arg("-C").arg(root).arg("--color").arg("never");
    cmd.env_remove("GITHUB_ACTIONS");
    cmd
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn valid_project_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/a.yaml", "text: hello\n");
    write(
        dir.path(),
        "posts/2026/b.yml",
        "thread:\n  - text: one\n  - text: two\n",
    );
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 2 posts valid\n")
        .stderr("");
}

#[test]
fn empty_project_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("posts")).unwrap();
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 0 posts valid\n");
}

#[test]
fn every_problem_is_reported_with_file_line_column_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/ok.yaml", "text: fine\n");
    write(dir.path(), "posts/typo.yaml", "txt: hello\n");
    write(
        dir.path(),
        "posts/2026/poll.yaml",
        "text: q\npoll:\n  options: [a]\n  duration_minutes: 3\n",
    );
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "posts/typo.yaml:1:1: unknown field `txt`\n  = help: did you mean `text`?",
        ))
        .stderr(predicate::str::contains(
            "posts/2026/poll.yaml:3:3: the poll has 1 option; X allows 2 to 4",
        ))
        .stderr(predicate::str::contains(
            "posts/2026/poll.yaml:4:21: the poll lasts 3 minutes",
        ))
        .stderr(predicate::str::ends_with("error: 3 problems in 2 files\n"));
}

#[test]
fn json_output_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/a.yaml", "text: hello\n");
    write(
        dir.path(),
        "posts/t.yaml",
        &format!("thread:\n  - text: ok\n  - text: {}\n", "x".repeat(300)),
    );
    write(dir.path(), "posts/bad.yaml", "- not a mapping\n");
    let out = tweetform(dir.path())
        .args(["validate", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "posts": [
                {"key": "a", "file": "posts/a.yaml", "tweets": [{"weighted_length": 5, "valid": true}]},
                {"key": "t", "file": "posts/t.yaml", "tweets": [
                    {"weighted_length": 2, "valid": true},
                    {"weighted_length": 300, "valid": false},
                ]},
            ],
            "errors": [
                {"file": "posts/bad.yaml", "line": 1, "column": 1,
                 "message": "the top level must be a mapping of fields such as `text:`; found a list"},
                {"file": "posts/t.yaml", "line": 3, "column": 11,
                 "message": "tweet 2 of the thread: text is 300 characters long as X counts them; the limit is 280"},
            ],
            "warnings": [],
        })
    );
}

#[test]
fn config_errors_are_reported_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tweetform.yaml", "post_dir: elsewhere\n");
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("tweetform.yaml:1:"))
        .stderr(predicate::str::contains("post_dir"));
}

#[test]
fn config_moves_the_posts_dir_and_excludes_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tweetform.yaml",
        "posts_dir: content\nexclude: [\"drafts/**\"]\n",
    );
    write(dir.path(), "content/a.yaml", "text: hello\n");
    write(dir.path(), "content/drafts/b.yaml", "not: valid\n");
    write(dir.path(), "posts/ignored.yaml", "not: valid\n");
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 1 post valid\n");
}

/// Every shipped example and every real post of this repository validates.
#[test]
fn examples_and_posts_validate() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    tweetform(manifest)
        .arg("validate")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok: "));

    let mut examples = 0;
    for entry in std::fs::read_dir(manifest.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let bytes = std::fs::read(&path).unwrap();
            let post = tweetform::load::parse_post("example", &path, &bytes)
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let problems = tweetform::validate::validate_post(&post);
            assert!(problems.is_empty(), "{}: {problems:?}", path.display());
            examples += 1;
        }
    }
    assert!(examples >= 11, "only {examples} examples");

    // As a project of their own, with their media files read and checked:
    // no error, and no warning either (every file has its alt text).
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir_all(posts.join("media")).unwrap();
    for entry in std::fs::read_dir(manifest.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, posts.join(path.file_name().unwrap())).unwrap();
        }
    }
    for entry in std::fs::read_dir(manifest.join("examples/media")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, posts.join("media").join(path.file_name().unwrap())).unwrap();
    }
    // On the default access level (pay-per-use) X takes neither quotes nor
    // replies to others that did not summon the account: the examples show
    // every field, Enterprise's included.
    let out = tweetform(dir.path())
        .args(["validate", "--strict"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let places: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: posts/"))
        .filter_map(|l| l.split(": ").next())
        .collect();
    assert_eq!(
        places,
        [
            "everything.yaml:7:29",
            "everything.yaml:25:21",
            "quote.yaml:7:17",
            "reply.yaml:8:25",
        ],
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: 4 problems in 3 files\n"),
        "{stderr}"
    );
    write(dir.path(), "tweetform.yaml", "access: enterprise\n");
    tweetform(dir.path())
        .args(["validate", "--strict"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok: "));
}

/// Problems are coloured with `--color always`, plain with `never` (and
/// with `auto` off a terminal, whatever `NO_COLOR` says).
#[test]
fn problems_are_coloured_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/typo.yaml", "txt: hello\n");
    let run = |color: &str| {
        let out = Command::cargo_bin("tweetform")
            .unwrap()
            .arg("-C")
            .arg(dir.path())
            .args(["--color", color, "validate"])
            .env_remove("GITHUB_ACTIONS")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let coloured = run("always");
    assert!(coloured.contains('\u{1b}'), "{coloured:?}");
    assert!(coloured.contains("= help:"), "{coloured:?}");
    for plain in [run("never"), run("auto")] {
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert!(plain.starts_with("error: posts/typo.yaml:1:1: unknown field `txt`\n  = help: "));
    }
}

#[test]
fn the_same_text_twice_is_an_error_naming_both_places() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/a.yaml", "text: hello\n");
    write(dir.path(), "posts/b.yaml", "text: \"hello \"\n");
    write(
        dir.path(),
        "posts/t.yaml",
        "thread:\n  - text: once\n  - text: once\n",
    );
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "posts/b.yaml:1:7: the same text as posts/a.yaml:1:7\n  = help: X refuses duplicate content from one account: change one of them",
        ))
        .stderr(predicate::str::contains(
            "posts/t.yaml:3:11: tweet 2 of the thread: the same text as tweet 1 of this thread (posts/t.yaml:2:11)",
        ))
        .stderr(predicate::str::ends_with("error: 2 problems in 2 files\n"));
    // `plan` validates first: no plan is made.
    tweetform(dir.path())
        .arg("plan")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the same text as posts/a.yaml:1:7",
        ));

    // Both already published (and unchanged): neither is sent again.
    std::fs::remove_file(dir.path().join("posts/t.yaml")).unwrap();
    let mut state = tweetform::state::State::new();
    for (key, text) in [("a", "hello"), ("b", "hello ")] {
        let tweet = tweetform::post::Tweet::new(text);
        state.posts.insert(
            key.into(),
            tweetform::state::PostState {
                tweets: vec![tweetform::state::PublishedTweet {
                    id: format!("1{}", key.len()),
                    text: text.into(),
                    digest: tweet.digest(),
                    published_at: None,
                    edits: Vec::new(),
                }],
            },
        );
    }
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    state
        .save(&dir.path().join("state/tweets.lock.json"))
        .unwrap();
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 2 posts valid\n");
}

#[test]
fn a_tweet_is_named_by_its_link_and_anything_else_is_refused_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "posts/quote.yaml",
        "text: worth a read\nquote_tweet_id: https://x.com/jack/status/20?s=46\n",
    );
    write(
        dir.path(),
        "posts/reply.yaml",
        "text: thanks\nreply:\n  in_reply_to_tweet_id: \"https://mobile.twitter.com/i/web/status/21/photo/1\"\n",
    );
    // Quotes and unsummoned replies are Enterprise's (tests of `access`).
    write(dir.path(), "tweetform.yaml", "access: enterprise\n");
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 2 posts valid\n");
    let plan = tweetform(dir.path())
        .args(["plan", "--at", "2026-11-23T12:00:00Z"])
        .assert()
        .success();
    let out = String::from_utf8(plan.get_output().stdout.clone()).unwrap();
    assert!(out.contains("quotes https://x.com/i/status/20"), "{out}");
    assert!(
        out.contains("replies to https://x.com/i/status/21"),
        "{out}"
    );
    // X gets the ID, and the digest is that of the same post written with it.
    let tweets_of = |root: &Path| -> Vec<serde_json::Value> {
        let out = tweetform(root)
            .args(["plan", "--format", "json", "--at", "2026-11-23T12:00:00Z"])
            .assert()
            .success();
        let plan: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tweets"][0].clone())
            .collect()
    };
    let by_link = tweets_of(dir.path());
    assert_eq!(by_link[0]["body"]["quote_tweet_id"], "20");
    assert_eq!(by_link[1]["body"]["reply"]["in_reply_to_tweet_id"], "21");
    let ids = tempfile::tempdir().unwrap();
    write(ids.path(), "tweetform.yaml", "access: enterprise\n");
    write(
        ids.path(),
        "posts/quote.yaml",
        "text: worth a read\nquote_tweet_id: \"20\"\n",
    );
    write(
        ids.path(),
        "posts/reply.yaml",
        "text: thanks\nreply: { in_reply_to_tweet_id: 21 }\n",
    );
    let by_id = tweets_of(ids.path());
    assert_eq!(by_link, by_id);

    write(
        dir.path(),
        "posts/quote.yaml",
        "text: worth a read\nquote_tweet_id: https://x.com/jack\n",
    );
    write(
        dir.path(),
        "posts/reply.yaml",
        "text: thanks\nreply:\n  in_reply_to_tweet_id: \"https://x.com/jack/status/\"\n",
    );
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "posts/quote.yaml:2:17: `quote_tweet_id`: expected an ID of 1 to 19 digits or a link to a tweet such as https://x.com/USER/status/ID; found a link to a profile, not to a tweet",
        ))
        .stderr(predicate::str::contains(
            "posts/reply.yaml:3:25: `reply.in_reply_to_tweet_id`: expected an ID of 1 to 19 digits or a link to a tweet such as https://x.com/USER/status/ID; found a link with no tweet ID after `status/`",
        ))
        .stderr(predicate::str::ends_with("error: 2 problems in 2 files\n"));
    tweetform(dir.path())
        .args(["plan", "--at", "2026-11-23T12:00:00Z"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("posts/quote.yaml:2:17:"));
}

/// The access level decides what X takes: a reply to a tweet the project
/// did not publish is a warning (an error with `--strict`) on self-serve
/// levels, nothing on Enterprise; a level that does not exist is an error
/// in tweetform.yaml.
#[test]
fn the_access_level_decides_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "posts/reply.yaml",
        "text: thanks\nreply:\n  in_reply_to_tweet_id: \"21\"\n",
    );
    let out = tweetform(dir.path()).arg("validate").assert().code(0);
    let output = out.get_output();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "ok: 1 post valid, 1 warning (`--strict` refuses them)\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "warning: posts/reply.yaml:3:25: `reply.in_reply_to_tweet_id`: since 23 Feb 2026"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("(this project's is `pay-per-use`)"),
        "{stderr}"
    );
    tweetform(dir.path())
        .args(["validate", "--strict"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: posts/reply.yaml:3:25: `reply.in_reply_to_tweet_id`",
        ));

    write(dir.path(), "tweetform.yaml", "access: enterprise\n");
    tweetform(dir.path())
        .args(["validate", "--strict"])
        .assert()
        .code(0)
        .stdout("ok: 1 post valid\n");

    write(dir.path(), "tweetform.yaml", "access: premium\n");
    tweetform(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: tweetform.yaml:1:9: unknown variant `premium`, expected one of pay-per-use, basic, pro, enterprise",
        ));
}
