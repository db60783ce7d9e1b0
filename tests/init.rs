//! `tweetform init` end to end: the binary in a temporary repository.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use predicates::prelude::*;

const CREATED: [&str; 4] = [
    "tweetform.yaml",
    "posts/hello-world.yaml",
    "state/README.md",
    ".github/workflows/tweets.yml",
];

fn init(dir: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("tweetform")
        .unwrap()
        .arg("-C")
        .arg(dir)
        .arg("init")
        .env("NO_COLOR", "1")
        .assert()
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn init_creates_the_files_and_names_the_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = init(dir.path()).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for path in CREATED {
        assert!(dir.path().join(path).is_file(), "{path} missing");
        assert!(stdout.contains(&format!("created  {path}")), "{stdout}");
    }
    for secret in [
        "X_API_KEY",
        "X_API_SECRET",
        "X_ACCESS_TOKEN",
        "X_ACCESS_TOKEN_SECRET",
    ] {
        assert!(stdout.contains(secret), "{secret} not named:\n{stdout}");
    }
    // The keys go in an environment limited to the default branch, which
    // the workflow's publishing job names.
    assert!(stdout.contains("Settings > Environments"), "{stdout}");
    assert!(stdout.contains("name it x-publish"), "{stdout}");
    assert!(stdout.contains("default"), "{stdout}");
    assert!(stdout.contains("gh secret set X_API_KEY --env x-publish"));
    assert!(!stdout.contains("git init"), "{stdout}");

    let workflow =
        std::fs::read_to_string(dir.path().join(".github/workflows/tweets.yml")).unwrap();
    assert!(workflow.contains("uses: tweetform/tweetform/.github/actions/tweetform@v"));
    assert!(!workflow.contains("uses: ./.github/actions/tweetform"));
    // The released action installs the binary it pins: no source build.
    assert!(!workflow.contains("build-from-source"), "{workflow}");
    assert!(workflow.contains("    environment: x-publish\n"));
    assert!(workflow.contains("cron: \"7,22,37,52 * * * *\""));
    assert!(workflow.contains("tweetform apply --commit"));

    let post = std::fs::read_to_string(dir.path().join("posts/hello-world.yaml")).unwrap();
    assert!(post.contains("publish_at: \"2099-"), "{post}");

    // The generated workflow passes actionlint where it is installed (CI
    // installs it before running the tests).
    if let Ok(out) = Command::new("actionlint")
        .current_dir(dir.path())
        .arg(".github/workflows/tweets.yml")
        .output()
    {
        assert!(
            out.status.success(),
            "actionlint:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path()).success();
    let before = snapshot(dir.path());
    let out = init(dir.path()).success();
    assert_eq!(snapshot(dir.path()), before);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for path in CREATED {
        assert!(
            stdout.contains(&format!("exists   {path} (left alone)")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("created "), "{stdout}");
}

#[test]
fn existing_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(root.join(".github/workflows/tweets.yml"), "# mine\n").unwrap();
    std::fs::write(root.join("tweetform.yaml"), "allow_destroy: true\n").unwrap();
    init(root)
        .success()
        .stdout(predicate::str::contains(
            "exists   tweetform.yaml (left alone)",
        ))
        .stdout(predicate::str::contains(
            "exists   .github/workflows/tweets.yml (left alone)",
        ))
        .stdout(predicate::str::contains("created  posts/hello-world.yaml"))
        .stdout(predicate::str::contains("not in a git repository"));
    assert_eq!(
        std::fs::read_to_string(root.join(".github/workflows/tweets.yml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("tweetform.yaml")).unwrap(),
        "allow_destroy: true\n"
    );
}

#[test]
fn an_existing_config_decides_where_posts_and_state_go() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("tweetform.yaml"),
        "posts_dir: social\nstate: social-state/lock.json\n",
    )
    .unwrap();
    init(root).success();
    assert!(root.join("social/hello-world.yaml").is_file());
    assert!(root.join("social-state/README.md").is_file());
    assert!(!root.join("posts").exists());
    let workflow = std::fs::read_to_string(root.join(".github/workflows/tweets.yml")).unwrap();
    assert!(workflow.contains("- \"social/**\""), "{workflow}");
    assert!(workflow.contains("- \"social-state/**\""), "{workflow}");
}

#[test]
fn a_broken_config_is_reported_not_guessed_around() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tweetform.yaml"), "posts_dri: x\n").unwrap();
    init(dir.path())
        .failure()
        .code(1)
        .stderr(predicate::str::contains("tweetform.yaml:1:"));
    assert!(!dir.path().join("posts").exists());
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    init(&dir.path().join("nope"))
        .failure()
        .stderr(predicate::str::contains("is not a directory"));
}

#[test]
fn the_example_post_is_valid_and_the_project_validates() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path()).success();
    let out = Command::cargo_bin("tweetform")
        .unwrap()
        .arg("-C")
        .arg(dir.path())
        .args(["validate", "--format", "json"])
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(report["posts"][0]["key"], "hello-world");
    assert_eq!(report["posts"].as_array().unwrap().len(), 1, "{report}");
}

#[test]
fn no_example_is_added_next_to_existing_posts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("posts/2026")).unwrap();
    std::fs::write(root.join("posts/2026/launch.yaml"), "text: We launched!\n").unwrap();
    init(root)
        .success()
        .stdout(predicate::str::contains(
            "skipped  posts/hello-world.yaml (there are posts already)",
        ))
        .stdout(predicate::str::contains("created  tweetform.yaml"));
    assert!(!root.join("posts/hello-world.yaml").exists());
}

#[test]
fn the_workflow_publishes_from_the_repositorys_branch() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let status = Command::new("git")
        .args(["init", "--quiet", "--initial-branch=trunk"])
        .arg(root)
        .status()
        .unwrap();
    assert!(status.success());
    init(root).success();
    let workflow = std::fs::read_to_string(root.join(".github/workflows/tweets.yml")).unwrap();
    assert!(
        workflow.contains("    branches: [\"trunk\"]\n"),
        "{workflow}"
    );
    assert!(!workflow.contains("branches: [main]"));
}
