//! `tweetform migrate twitter-together` end to end: the binary on a copy of
//! the twitter-together repository in tests/fixtures/twitter-together.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;

#[path = "support/http_fake.rs"]
mod http_fake;
use http_fake::Fake;

const FIXTURE: &str = "tests/fixtures/twitter-together";

/// Every file under `dir`, relative, with its bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// A copy of the fixture in a temporary directory.
fn copy_fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    for (rel, bytes) in files(Path::new(FIXTURE)) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    (tmp, root)
}

fn tweetform(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("tweetform")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn migrate(root: &Path) -> (i32, String, String) {
    tweetform(root, &["migrate", "twitter-together"])
}

/// What each `.tweet` file of the fixture becomes.
const EXPECTED: [(&str, &str); 9] = [
    (
        "posts/hello-world.yaml",
        "text: \"Hello, world! Tweets as code: #tweetform\"\n",
    ),
    (
        "posts/polls/favorite-color.yaml",
        "text: What is your favorite color?\npoll:\n  options:\n  - Red\n  - Blue\n  - Green\n  duration_minutes: 1440\n",
    ),
    (
        "posts/polls/front-matter.yaml",
        "text: Which one, and why \"obviously\"?\npoll:\n  options:\n  - Tabs\n  - Spaces\n  duration_minutes: 1440\n",
    ),
    (
        "posts/reply.yaml",
        "text: \"@gr2m I love your work!\"\nreply:\n  in_reply_to_tweet_id: https://twitter.com/gr2m/status/1409601188362809349\n",
    ),
    (
        "posts/quote.yaml",
        "text: twitter-together is awesome!\nquote_tweet_id: https://twitter.com/gr2m/status/1409601188362809350\n",
    ),
    (
        "posts/retweet.yaml",
        "repost: https://twitter.com/gr2m/status/1409601188362809351\n",
    ),
    (
        "posts/2026/launch/announcement.yaml",
        "text: \"We launched: plan & apply for tweets 🚀\"\nmedia:\n- file: /media/launch.png\n  alt: The tweetform logo on a launch pad\n",
    ),
    (
        "posts/thread.yaml",
        "thread:\n- text: How we publish, a thread 🧵\n  media:\n  - file: /media/launch.png\n    alt: A rocket, for the thread\n- text: Which step matters most?\n  poll:\n    options:\n    - Review\n    - Merge\n    duration_minutes: 1440\n- text: \"Thanks for reading: 'til next time.\"\n",
    ),
    (
        "posts/custom-delimiter.yaml",
        "thread:\n- text: |-\n    A thread whose first tweet shows a YAML block:\n    ---\n    key: value\n    ---\n- text: The second tweet, after the custom delimiter.\n",
    ),
];

#[test]
fn the_fixture_converts_construct_by_construct() {
    let (_tmp, root) = copy_fixture();
    let tweets_before = files(&root.join("tweets"));
    let media_before = files(&root.join("media"));

    let (code, stdout, stderr) = migrate(&root);
    assert_eq!(code, 1, "two files cannot be converted\n{stdout}{stderr}");

    let written = files(&root.join("posts"));
    let mut expected: Vec<(String, Vec<u8>)> = EXPECTED
        .iter()
        .map(|(path, yaml)| {
            (
                path.strip_prefix("posts/").unwrap().to_string(),
                yaml.as_bytes().to_vec(),
            )
        })
        .collect();
    expected.sort();
    let as_text = |f: &[(String, Vec<u8>)]| -> Vec<(String, String)> {
        f.iter()
            .map(|(p, b)| (p.clone(), String::from_utf8_lossy(b).into_owned()))
            .collect()
    };
    assert_eq!(as_text(&written), as_text(&expected));

    for (path, _) in EXPECTED {
        let tweet = path.replace("posts/", "tweets/").replace(".yaml", ".tweet");
        assert!(
            stdout.contains(&format!("converted      {tweet} -> {path}\n")),
            "{stdout}"
        );
    }
    assert!(stdout.contains(
        "not converted  tweets/broken/five-options.tweet\n  tweets/broken/five-options.tweet:1: twitter-together refuses this tweet (\"Polls cannot have more than four options, found 5 options\"), so it was never published\n"
    ), "{stdout}");
    assert!(
        stdout.contains(
            "not converted  tweets/broken/missing-image.tweet\n  tweets/broken/missing-image.tweet:3: `media/not-there.png`: no such file\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "9 converted, 0 skipped (already there), 2 not converted, of 11 .tweet files"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("`tweetform init` sets up the rest"),
        "{stdout}"
    );
    assert!(!root.join("tweetform.yaml").exists());

    // The twitter-together repository is left as it was.
    assert_eq!(files(&root.join("tweets")), tweets_before);
    assert_eq!(files(&root.join("media")), media_before);

    // A second run overwrites nothing and says so.
    let posts_before = files(&root.join("posts"));
    let (code, stdout, _) = migrate(&root);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("0 converted, 9 skipped (already there), 2 not converted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped        tweets/thread.tweet: posts/thread.yaml exists\n"),
        "{stdout}"
    );
    assert_eq!(files(&root.join("posts")), posts_before);
    assert_eq!(files(&root.join("tweets")), tweets_before);

    // tweetform reads every converted post, the repost included; the quote
    // twitter-together published is one X now takes from Enterprise only.
    let (code, stdout, stderr) = tweetform(&root, &["validate"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("error: posts/quote.yaml:2:17: `quote_tweet_id`: X accepts quote posts through the API on Enterprise access only"),
        "{stderr}"
    );
    assert!(stderr.contains("error: 1 problem in 1 file"), "{stderr}");
    std::fs::write(root.join("tweetform.yaml"), "access: enterprise\n").unwrap();
    let (code, stdout, stderr) = tweetform(&root, &["validate"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn posts_go_to_the_configured_directory() {
    let (_tmp, root) = copy_fixture();
    std::fs::write(root.join("tweetform.yaml"), "posts_dir: content/posts\n").unwrap();
    std::fs::remove_dir_all(root.join("tweets/broken")).unwrap();
    let (code, stdout, stderr) = migrate(&root);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(root.join("content/posts/hello-world.yaml").is_file());
    assert!(!root.join("posts").exists());
    assert!(!stdout.contains("tweetform init"), "{stdout}");
    assert!(
        stdout.contains(
            "converted      tweets/hello-world.tweet -> content/posts/hello-world.yaml\n"
        ),
        "{stdout}"
    );
}

#[test]
fn the_repository_may_be_elsewhere() {
    let (tmp, repo) = copy_fixture();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    let (code, stdout, _) = tweetform(
        &project,
        &["migrate", "twitter-together", repo.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(project.join("posts/hello-world.yaml").is_file());
    // Posts name media from the project root: a file only in the other
    // repository would be missing at apply.
    assert!(
        stdout
            .contains("tweets/thread.tweet:3: `media/launch.png`: not in this project's `media/`"),
        "{stdout}"
    );
    assert!(!repo.join("posts").exists());
}

#[test]
fn a_directory_without_tweets_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = migrate(tmp.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("tweets: no such directory"), "{stderr}");
}

/// The first `apply` after `migrate twitter-together --adopt` publishes
/// none of what twitter-together had published: only the rest.
#[test]
fn after_adopting_the_first_apply_publishes_only_what_was_never_published() {
    let fake = Fake::start();
    let (_tmp, root) = copy_fixture();
    // To read what the posts send, the fixture's quote is planned as
    // Enterprise may send it; the account itself is pay-per-use (below).
    std::fs::write(root.join("tweetform.yaml"), "access: enterprise\n").unwrap();
    let (code, _, stderr) = migrate(&root);
    assert_eq!(code, 1, "the fixture's broken files: {stderr}");
    // What the converted posts send, as the plan says.
    let (_, plan, _) = tweetform(&root, &["plan", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let mut bodies: std::collections::BTreeMap<String, Vec<serde_json::Value>> = Default::default();
    for change in plan["changes"].as_array().unwrap() {
        let tweets = change["tweets"].as_array().unwrap();
        let list: Vec<serde_json::Value> = tweets.iter().map(|t| t["body"].clone()).collect();
        bodies.insert(change["key"].as_str().unwrap().to_owned(), list);
    }
    // Reposts create no tweet.
    // On pay-per-use, quoting is X's Enterprise's now; the quote
    // twitter-together published before is still adopted, and then left alone.
    std::fs::remove_file(root.join("tweetform.yaml")).unwrap();
    let total: usize = bodies
        .values()
        .map(|b| b.iter().filter(|b| !b.is_null()).count())
        .sum();
    // The retweet.tweet of the fixture reposted someone's tweet, which
    // twitter-together did too.
    let reposted = "1409601188362809351";
    fake.with(|f| {
        f.insert_others_tweet(
            reposted,
            "583",
            "A tweet worth sharing",
            jiff::Timestamp::now(),
        );
        f.insert_repost(reposted);
    });
    // twitter-together published these before the move; their pictures
    // were uploads X holds under its own media IDs.
    let published = [
        "hello-world",
        "thread",
        "polls/favorite-color",
        "quote",
        "reply",
    ];
    let mut seeded = 0;
    for (n, key) in published.iter().enumerate() {
        let mut previous: Option<String> = None;
        for body in &bodies[*key] {
            let mut body = body.clone();
            if let Some(files) = body["media"]["files"].as_array().cloned() {
                let ids: Vec<String> = files
                    .iter()
                    .map(|_| {
                        fake.with(|f| {
                            let owner = f.behaviour().user.id.clone();
                            f.insert_media(
                                tweetform_emulator::MediaKind::Image,
                                &owner,
                                jiff::Timestamp::now(),
                            )
                        })
                    })
                    .collect();
                body["media"] = serde_json::json!({ "media_ids": ids });
            }
            if let Some(id) = &previous {
                body["reply"] = serde_json::json!({ "in_reply_to_tweet_id": id });
            }
            previous = Some(fake.published(body, 600 - 10 * n as i64));
            seeded += 1;
        }
    }
    let before = fake.committed();

    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.arg("-C")
        .arg(&root)
        .args(["migrate", "twitter-together", "--adopt", "--yes"])
        .env("NO_COLOR", "1");
    fake.env(&mut cmd);
    let out = cmd.output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for key in published {
        assert!(said.contains(&format!("adopted {key}")), "{key}: {said}");
    }
    assert!(
        said.contains("skipped"),
        "the posts are converted already: {said}"
    );

    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.arg("-C").arg(&root).arg("apply").env("NO_COLOR", "1");
    fake.env(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fake.committed(),
        before + total - seeded,
        "only what was never published went out"
    );
    assert!(
        fake.with(|f| f.is_reposted(reposted)),
        "still reposted, once"
    );
    let (code, plan, _) = tweetform(&root, &["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan}");
}
