//! Finding the project root, and keeping every path inside it: a typo, a
//! wrong `-C` or a subfolder must never read as "no posts" (a plan that
//! deletes every published tweet).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tweetform::state::{PostState, PublishedTweet, State};

fn tweetform() -> Command {
    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.arg("--color").arg("never").env_remove("GITHUB_ACTIONS");
    cmd
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A project with one post, published (recorded in the state).
fn published_project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    if !config.is_empty() {
        write(root, "tweetform.yaml", config);
    }
    write(root, "posts/2026/hello.yaml", "text: hello\n");
    let post = tweetform::load::parse_post(
        "2026/hello",
        Path::new("posts/2026/hello.yaml"),
        b"text: hello\n",
    )
    .unwrap();
    let mut state = State::new();
    state.posts.insert(
        "2026/hello".into(),
        PostState {
            tweets: vec![PublishedTweet {
                id: "1900000000000000001".into(),
                text: "hello".into(),
                digest: post.digests()[0].clone(),
                published_at: None,
                edits: Vec::new(),
            }],
        },
    );
    std::fs::create_dir_all(root.join("state")).unwrap();
    state.save(&root.join("state/tweets.lock.json")).unwrap();
    dir
}

#[test]
fn a_subfolder_finds_the_project_upward() {
    let dir = published_project("posts_dir: posts\n");
    tweetform()
        .current_dir(dir.path().join("posts/2026"))
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 1 post valid\n");
    // The plan from the subfolder is the project's: nothing to delete.
    tweetform()
        .current_dir(dir.path().join("posts/2026"))
        .args(["plan", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"changes\": []"));
}

#[test]
fn a_nested_project_is_its_own_root_not_its_parents() {
    // A repository with a tweetform.yaml whose subfolder is a project of its
    // own (a fixture, a second account): the nearest project wins.
    let dir = published_project("posts_dir: posts\n");
    let nested = dir.path().join("accounts/other");
    write(&nested, "posts/only.yaml", "text: the other account\n");
    for (cwd, args) in [
        (nested.clone(), vec!["validate"]),
        (
            dir.path().to_path_buf(),
            vec!["-C", "accounts/other", "validate"],
        ),
    ] {
        tweetform()
            .current_dir(&cwd)
            .args(&args)
            .assert()
            .code(0)
            .stdout("ok: 1 post valid\n");
    }
    // Its plan is its own: one post to create, none of the parent's deleted.
    tweetform()
        .current_dir(&nested)
        .args(["plan", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"create\": 1"))
        .stdout(predicate::str::contains("\"delete\": 0"));
}

#[test]
fn c_to_a_subfolder_finds_the_project_upward() {
    let dir = published_project("posts_dir: posts\n");
    tweetform()
        .arg("-C")
        .arg(dir.path().join("posts"))
        .arg("validate")
        .assert()
        .code(0)
        .stdout("ok: 1 post valid\n");
}

#[test]
fn c_to_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    tweetform()
        .arg("-C")
        .arg(dir.path().join("nope"))
        .arg("plan")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("nope: no such directory"));
}

#[test]
fn a_directory_without_a_project_suggests_init() {
    let dir = tempfile::tempdir().unwrap();
    tweetform()
        .current_dir(dir.path())
        .arg("plan")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("is not in a tweetform project"))
        .stderr(predicate::str::contains("run `tweetform init`"));
    // `init` works right there.
    tweetform()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0);
    tweetform()
        .current_dir(dir.path())
        .arg("validate")
        .assert()
        .code(0);
}

#[test]
fn a_posts_dir_typo_is_an_error_at_its_line_not_a_delete() {
    let dir = published_project("# settings\nposts_dir: Posts\n");
    tweetform()
        .arg("-C")
        .arg(dir.path())
        .arg("plan")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "tweetform.yaml:2:12: `posts_dir: Posts`: the posts directory does not exist",
        ));
}

#[test]
fn a_missing_default_posts_dir_is_an_error_not_a_delete() {
    let dir = published_project("");
    std::fs::remove_dir_all(dir.path().join("posts")).unwrap();
    tweetform()
        .arg("-C")
        .arg(dir.path())
        .arg("plan")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "the posts directory `posts` does not exist",
        ));
}

#[test]
fn configured_paths_outside_the_root_are_refused_with_their_position() {
    for (config, at) in [
        (
            "posts_dir: /etc\n",
            "tweetform.yaml:1:12: `posts_dir: /etc` is outside",
        ),
        (
            "budget: basic\nstate: ../x\n",
            "tweetform.yaml:2:8: `state: ../x` is outside",
        ),
    ] {
        let dir = published_project(config);
        tweetform()
            .arg("-C")
            .arg(dir.path())
            .arg("validate")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(at));
    }
}

#[cfg(unix)]
#[test]
fn a_posts_dir_symlinked_out_of_the_root_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "x.yaml", "text: elsewhere\n");
    let dir = published_project("posts_dir: linked\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    tweetform()
        .arg("-C")
        .arg(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "tweetform.yaml:1:12: `posts_dir: linked` is outside the project root (a symlink leads out of it)",
        ));
}

#[cfg(unix)]
#[test]
fn a_post_symlinked_out_of_the_root_is_refused_with_its_path() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.yaml", "text: not ours\n");
    let dir = published_project("");
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("posts/leak.yaml"),
    )
    .unwrap();
    // A link that stays inside the project is fine. (Not to another post:
    // that would be the same text twice, which X refuses.)
    write(dir.path(), "shared/alias.yaml", "text: kept elsewhere\n");
    std::os::unix::fs::symlink("../shared/alias.yaml", dir.path().join("posts/alias.yaml"))
        .unwrap();
    tweetform()
        .arg("-C")
        .arg(dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "posts/leak.yaml:1:1: the file is a symlink to",
        ))
        .stderr(predicate::str::contains("outside the project root"))
        .stderr(predicate::str::contains("alias.yaml").not());
}
