//! GitHub integration: annotations, job summary and step outputs written to
//! temporary files standing in for `GITHUB_STEP_SUMMARY` and
//! `GITHUB_OUTPUT`, and `apply --commit` in temporary git repositories.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tweetform::git;
use tweetform::github::{self, GithubEnv};
use tweetform::plan::{Action, Change, Plan, Summary};
use tweetform::post::Pos;
use tweetform::problem::Problem;
use tweetform::report::{ApplyLog, Deferred, Deleted, Failed, Published};

fn diag(file: &str, line: usize, column: usize, message: &str) -> Problem {
    Problem::at_pos(file, Pos { line, column }, message)
}

fn env_in(dir: &Path) -> GithubEnv {
    GithubEnv {
        actions: true,
        step_summary: Some(dir.join("summary.md")),
        output: Some(dir.join("output")),
        workspace: Some(dir.to_path_buf()),
        ..GithubEnv::default()
    }
}

// ---------------------------------------------------------------- annotations

#[test]
fn an_annotation_carries_the_file_line_and_column() {
    let d = diag("posts/2026/launch.yaml", 7, 3, "poll needs 2 to 4 options");
    assert_eq!(
        github::annotation(&d),
        "::error file=posts/2026/launch.yaml,line=7,col=3,title=tweetform::poll needs 2 to 4 options"
    );
}

#[test]
fn the_hint_goes_on_a_second_line_of_the_message() {
    let d = diag("posts/a.yaml", 2, 1, "unknown key `txt`").with_help("did you mean `text`?");
    assert_eq!(
        github::annotation(&d),
        "::error file=posts/a.yaml,line=2,col=1,title=tweetform::unknown key `txt`%0Ahelp: did you mean `text`?"
    );
}

#[test]
fn messages_and_properties_are_escaped() {
    let d = diag(
        "posts/a,b:c%.yaml",
        1,
        9,
        "100% too long:\r\nsee, here: 300 > 280",
    );
    assert_eq!(
        github::annotation(&d),
        "::error file=posts/a%2Cb%3Ac%25.yaml,line=1,col=9,title=tweetform::100%25 too long:%0D%0Asee, here: 300 > 280"
    );
    // A message cannot start a second workflow command on a line of its own.
    let evil = diag("posts/x.yaml", 1, 1, "x\n::set-output name=a::b");
    let line = github::annotation(&evil);
    assert_eq!(line.lines().count(), 1);
    assert!(line.ends_with("x%0A::set-output name=a::b"));
}

#[test]
fn every_diagnostic_gets_one_annotation_line_in_order() {
    let ds = vec![
        diag("posts/a.yaml", 1, 1, "empty file"),
        diag("posts/b.yaml", 4, 12, "text is 301 characters"),
    ];
    let out = github::annotations(&ds);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("::error file=posts/a.yaml,line=1,col=1,"));
    assert!(lines[1].starts_with("::error file=posts/b.yaml,line=4,col=12,"));
    assert_eq!(github::annotations(&[]), "");
}

#[test]
fn annotation_paths_are_relative_to_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("social");
    std::fs::create_dir_all(project.join("posts")).unwrap();
    std::fs::write(project.join("posts/a.yaml"), "text: x\n").unwrap();
    let env = env_in(dir.path());
    let ds = vec![diag("posts/a.yaml", 3, 5, "bad")];
    // `-C social` from the workspace: the project is a subdirectory.
    assert!(
        github::annotations_in(&env, &project, &ds)
            .starts_with("::error file=social/posts/a.yaml,line=3,col=5,")
    );
    // The project at the workspace's root: paths unchanged.
    let root_env = env_in(&project);
    assert!(
        github::annotations_in(&root_env, &project, &ds)
            .starts_with("::error file=posts/a.yaml,line=3,col=5,")
    );
    // No workspace known (outside Actions): as given.
    let none = GithubEnv::default();
    assert!(
        github::annotations_in(&none, Path::new("."), &ds)
            .starts_with("::error file=posts/a.yaml,")
    );
}

// ---------------------------------------------------------------- summary

#[test]
fn the_summary_is_appended_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let path = env.step_summary.clone().unwrap();
    std::fs::write(&path, "# from an earlier step\n").unwrap();
    github::append_summary(&env, "<!-- tweetform-plan -->\n## Plan\n").unwrap();
    github::append_summary(&env, "Published https://x.com/i/status/1").unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# from an earlier step\n<!-- tweetform-plan -->\n## Plan\nPublished https://x.com/i/status/1\n"
    );
}

#[test]
fn the_summary_is_created_when_missing_and_skipped_outside_actions() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    github::append_summary(&env, "hello\n").unwrap();
    assert_eq!(
        std::fs::read_to_string(env.step_summary.as_ref().unwrap()).unwrap(),
        "hello\n"
    );
    // Outside Actions there is no file to write, and that is not an error.
    github::append_summary(&GithubEnv::default(), "hello\n").unwrap();
    github::write_outputs(&GithubEnv::default(), &[("a", "1".into())]).unwrap();
}

#[test]
fn a_summary_over_githubs_limit_is_cut_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let big = "| a tweet | 280 |\n".repeat(100_000); // about 1.7 MiB
    github::append_summary(&env, &big).unwrap();
    let written = std::fs::read_to_string(env.step_summary.as_ref().unwrap()).unwrap();
    assert!(written.len() <= github::SUMMARY_LIMIT);
    assert!(written.starts_with("| a tweet | 280 |\n"));
    assert!(written.contains("GitHub limits a job summary to 1 MiB"));
}

// ---------------------------------------------------------------- outputs

/// Reads a `GITHUB_OUTPUT` file the way the runner does.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else {
            let (name, value) = line.split_once('=').expect("name=value");
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

fn plan_with(changes: &[(&str, Action)], summary: Summary) -> Plan {
    Plan {
        format_version: 1,
        lineage: "l".into(),
        serial: 3,
        planned_at: "2026-11-23T12:00:00Z".parse().unwrap(),
        changes: changes
            .iter()
            .map(|(key, action)| Change {
                key: key.to_string(),
                action: *action,
                file: None,
                from: None,
                publish_at: None,
                tweets: Vec::new(),
                refused: None,
                not_an_edit: None,
            })
            .collect(),
        summary,
        refresh: None,
        cost: None,
        forecast: None,
    }
}

#[test]
fn plan_outputs_count_posts_per_action() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let plan = plan_with(
        &[
            ("a", Action::Create),
            ("b", Action::Create),
            ("c", Action::Append),
            ("d", Action::Replace),
            ("e", Action::Delete),
            ("f", Action::Wait),
        ],
        Summary {
            create: 2,
            append: 1,
            edit: 0,
            replace: 1,
            delete: 1,
            moved: 0,
            wait: 1,
            unchanged: 4,
            refused: 0,
        },
    );
    github::write_outputs(&env, &github::plan_outputs(&plan)).unwrap();
    let outputs = parse_outputs(&std::fs::read_to_string(env.output.as_ref().unwrap()).unwrap());
    let expected: BTreeMap<String, String> = [
        ("has_changes", "true"),
        ("create", "2"),
        ("append", "1"),
        ("replace", "1"),
        ("delete", "1"),
        ("wait", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(outputs, expected);
}

#[test]
fn a_plan_of_waiting_posts_has_no_changes() {
    let plan = plan_with(
        &[("later", Action::Wait)],
        Summary {
            wait: 1,
            ..Summary::default()
        },
    );
    let outputs: BTreeMap<_, _> = github::plan_outputs(&plan).into_iter().collect();
    assert_eq!(outputs["has_changes"], "false");
    assert_eq!(outputs["wait"], "1");
}

#[test]
fn apply_outputs_and_earlier_outputs_accumulate() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let path = env.output.clone().unwrap();
    std::fs::write(&path, "earlier=yes\n").unwrap();
    github::write_outputs(&env, &github::apply_outputs(3, 2)).unwrap();
    let outputs = parse_outputs(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(outputs["earlier"], "yes");
    assert_eq!(outputs["published"], "3");
    assert_eq!(outputs["deferred"], "2");
}

#[test]
fn multiline_values_use_a_delimiter_that_cannot_be_forged() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let value = "line one\nEOF\nhas_changes=false\nline four".to_string();
    github::write_outputs(&env, &[("report", value.clone()), ("after", "1".into())]).unwrap();
    let text = std::fs::read_to_string(env.output.as_ref().unwrap()).unwrap();
    assert!(text.starts_with("report<<ghadelimiter_"), "{text}");
    let outputs = parse_outputs(&text);
    assert_eq!(outputs["report"], value);
    assert_eq!(outputs["after"], "1");
    assert!(!outputs.contains_key("has_changes"));
}

// ---------------------------------------------------------------- git

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A repository with one commit holding a post, a state file and a README.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "--quiet"]);
    git(root, &["config", "user.name", "Test"]);
    git(root, &["config", "user.email", "test@example.com"]);
    git(root, &["config", "commit.gpgsign", "false"]);
    std::fs::create_dir_all(root.join("posts")).unwrap();
    std::fs::create_dir_all(root.join("state")).unwrap();
    std::fs::write(root.join("posts/hello.yaml"), "text: hello\n").unwrap();
    std::fs::write(root.join("state/tweets.lock.json"), "{\"serial\": 1}\n").unwrap();
    std::fs::write(root.join("README.md"), "# test\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "initial"]);
    dir
}

fn published(key: &str, ids: &[&str]) -> Published {
    Published {
        key: key.into(),
        action: Action::Create,
        tweet_ids: ids.iter().map(|s| s.to_string()).collect(),
        replaced_ids: Vec::new(),
    }
}

#[test]
fn commit_state_commits_only_the_state() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("state/tweets.lock.json"), "{\"serial\": 2}\n").unwrap();
    std::fs::write(root.join("state/new-file.json"), "{}\n").unwrap();
    // Someone else's work: one change staged, one not, outside state/.
    std::fs::write(root.join("README.md"), "# staged elsewhere\n").unwrap();
    git(root, &["add", "README.md"]);
    std::fs::write(root.join("posts/hello.yaml"), "text: edited\n").unwrap();

    let message = git::commit_message(&ApplyLog {
        published: vec![published("hello", &["1800000000000000001"])],
        ..ApplyLog::default()
    });
    let sha = git::commit_state(root, Path::new("state"), &message)
        .unwrap()
        .expect("a commit");

    assert_eq!(git(root, &["rev-parse", "HEAD"]).trim(), sha);
    let files = git(root, &["show", "--name-only", "--format=", &sha]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        ["state/new-file.json", "state/tweets.lock.json"]
    );
    assert_eq!(
        git(root, &["log", "-1", "--format=%B", &sha]).trim_end(),
        message.trim_end()
    );
    // The other changes are where they were: README staged, the post not.
    let status = git(root, &["status", "--porcelain"]);
    assert_eq!(status, "M  README.md\n M posts/hello.yaml\n");
}

#[test]
fn commit_state_commits_nothing_when_the_state_did_not_change() {
    let dir = repo();
    let root = dir.path();
    let head = git(root, &["rev-parse", "HEAD"]);
    std::fs::write(root.join("README.md"), "# staged elsewhere\n").unwrap();
    git(root, &["add", "README.md"]);
    let result = git::commit_state(root, Path::new("state"), "tweetform: nothing").unwrap();
    assert_eq!(result, None);
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["status", "--porcelain"]), "M  README.md\n");
}

#[test]
fn commit_state_after_a_partial_apply_says_so() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("state/tweets.lock.json"), "{\"serial\": 5}\n").unwrap();
    let message = git::commit_message(&ApplyLog {
        published: vec![published("2026/launch", &["111", "112"])],
        failed: vec![Failed {
            key: "2026/poll".into(),
            reason: "Your Tweet text is too long.".into(),
        }],
        partial: true,
        ..ApplyLog::default()
    });
    let sha = git::commit_state(root, Path::new("state"), &message)
        .unwrap()
        .expect("a commit");
    let logged = git(root, &["log", "-1", "--format=%B", &sha]);
    let subject = logged.lines().next().unwrap();
    assert_eq!(subject, "tweetform: publish 1 post, 1 failed (partial)");
    assert!(logged.contains(
        "- 2026/launch (created)\n  https://x.com/i/status/111\n  https://x.com/i/status/112\n"
    ));
    assert!(logged.contains("Failed:\n- 2026/poll: Your Tweet text is too long.\n"));
    assert!(logged.contains("The apply stopped part-way"));
}

#[test]
fn commit_state_works_from_a_subdirectory_project_and_absolute_paths() {
    let dir = repo();
    let project = dir.path().join("social");
    std::fs::create_dir_all(project.join("state")).unwrap();
    std::fs::write(project.join("state/tweets.lock.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join("state/tweets.lock.json"),
        "{\"other\": 1}\n",
    )
    .unwrap();
    let sha = git::commit_state(
        &project,
        &project.join("state"),
        "tweetform: publish 1 post",
    )
    .unwrap()
    .expect("a commit");
    let files = git(dir.path(), &["show", "--name-only", "--format=", &sha]);
    assert_eq!(files, "social/state/tweets.lock.json\n");
}

#[test]
fn commit_state_records_a_removed_state_file() {
    let dir = repo();
    let root = dir.path();
    std::fs::remove_file(root.join("state/tweets.lock.json")).unwrap();
    std::fs::write(root.join("state/other.json"), "{}\n").unwrap();
    let sha = git::commit_state(root, &PathBuf::from("state"), "tweetform: update state")
        .unwrap()
        .expect("a commit");
    let files = git(root, &["show", "--name-status", "--format=", &sha]);
    assert_eq!(files, "A\tstate/other.json\nD\tstate/tweets.lock.json\n");
}

#[test]
fn commit_state_outside_a_repository_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("state")).unwrap();
    // GIT_CEILING_DIRECTORIES is not needed: a fresh temporary directory is
    // not inside a repository on any sane machine, and the test checks it.
    if Command::new("git")
        .arg("-C")
        .arg(dir.path())
        .args(["rev-parse", "--git-dir"])
        .output()
        .unwrap()
        .status
        .success()
    {
        panic!("the temporary directory is inside a git repository");
    }
    let err = git::commit_state(dir.path(), Path::new("state"), "x").unwrap_err();
    let text = err.render(false);
    assert!(text.contains("is not in a git repository"), "{text}");
    assert!(text.contains("help: run `git init`"), "{text}");
}

#[test]
fn the_message_lists_deletes_appends_and_replaces() {
    let message = git::commit_message(&ApplyLog {
        published: vec![
            published("a", &["1"]),
            Published {
                key: "thread".into(),
                action: Action::Append,
                tweet_ids: vec!["2".into()],
                replaced_ids: Vec::new(),
            },
            Published {
                key: "fixed".into(),
                action: Action::Replace,
                tweet_ids: vec!["3".into()],
                replaced_ids: vec!["30".into()],
            },
        ],
        deleted: vec![
            Deleted {
                key: "gone".into(),
                tweet_ids: vec!["4".into(), "5".into()],
            },
            Deleted {
                key: "gone2".into(),
                tweet_ids: vec!["6".into()],
            },
        ],
        ..ApplyLog::default()
    });
    let subject = message.lines().next().unwrap();
    assert_eq!(
        subject,
        "tweetform: publish 1 post, append to 1, replace 1, delete 2"
    );
    assert!(message.contains("- thread (appended)\n  https://x.com/i/status/2\n"));
    assert!(message.contains(
        "- fixed (replaced)\n  https://x.com/i/status/3\n  deleted https://x.com/i/status/30\n"
    ));
    assert!(message.contains(
        "Deleted:\n- gone (deleted)\n  https://x.com/i/status/4\n  https://x.com/i/status/5\n"
    ));
    assert!(!message.contains("part-way"));
    // A run that only recorded budget usage still says what it is.
    assert_eq!(
        git::commit_message(&ApplyLog::default()),
        "tweetform: update state\n"
    );
}

#[test]
fn the_apply_summary_links_every_tweet_and_says_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let markdown = github::apply_summary(&ApplyLog {
        published: vec![published("2026/launch_v2", &["111", "112"])],
        deleted: vec![Deleted {
            key: "old".into(),
            tweet_ids: vec!["99".into()],
        }],
        failed: vec![Failed {
            key: "bad".into(),
            reason: "Your Tweet text is too long.\n<b>".into(),
        }],
        deferred: vec![Deferred {
            key: "later".into(),
            earliest: Some("2026-11-23T14:15:00Z".parse().unwrap()),
            reason: "200 creates per 15 minutes used".into(),
        }],
        recovered: Vec::new(),
        partial: true,
        spent: Some("Spent: about $0.235 at X's pay-per-use prices of 2026-04-20 (1 post $0.015, 1 post with a link $0.20, 2 deletes $0.02).".into()),
    });
    github::append_summary(&env, &markdown).unwrap();
    let written = std::fs::read_to_string(env.step_summary.as_ref().unwrap()).unwrap();
    assert!(written.starts_with("## tweetform apply\n"));
    assert!(written.contains(
        "- **2026/launch_v2** published: [111](https://x.com/i/status/111), [112](https://x.com/i/status/112)\n"
    ));
    assert!(written.contains("- **old** deleted: [99](https://x.com/i/status/99)\n"));
    // One escape rule for all Markdown: an underscore inside a word is
    // literal, and `<` is an entity.
    assert!(written.contains("- **bad**: Your Tweet text is too long. &lt;b&gt;\n"));
    assert!(
        written
            .contains("- **later**: 200 creates per 15 minutes used (from 2026-11-23 14:15 UTC)\n")
    );
    assert!(written.contains("The apply stopped part-way"));
    // What the run spent, under the list.
    assert!(written.contains(
        "💲 Spent: about $0.235 at X's pay-per-use prices of 2026-04-20 (1 post $0.015, 1 post with a link $0.20, 2 deletes $0.02).\n"
    ));

    let nothing = github::apply_summary(&ApplyLog::default());
    assert!(nothing.contains("Nothing to do"));
    assert!(!nothing.contains("part-way"));
}

// ---------------------------------------------------------------- the action

/// The install step of `.github/actions/tweetform/action.yml`, run by bash
/// against a fake release directory (a `file://` URL) instead of
/// github.com, with the action's own files in a fake runner checkout.
struct ActionRun {
    dir: tempfile::TempDir,
}

const TARGET: &str = "x86_64-unknown-linux-gnu";

impl ActionRun {
    fn new() -> ActionRun {
        let dir = tempfile::tempdir().unwrap();
        for d in ["releases", "temp", "bin"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        // A `cargo` that records how it was called: a build from source.
        let cargo = dir.path().join("bin/cargo");
        std::fs::write(
            &cargo,
            "#!/bin/sh\necho \"$@\" >> \"$FAKE/cargo-calls\"\nexit 1\n",
        )
        .unwrap();
        make_executable(&cargo);
        ActionRun { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Publishes release `v{version}`'s archive for Linux x64, holding a
    /// `tweetform` that prints `prints`, with a matching `.sha256` beside
    /// it; returns the archive's SHA-256.
    fn publish(&self, version: &str, prints: &str) -> String {
        let stage = self.path(&format!("stage/tweetform-{TARGET}"));
        std::fs::create_dir_all(&stage).unwrap();
        let exe = stage.join("tweetform");
        std::fs::write(&exe, format!("#!/bin/sh\necho \"tweetform {prints}\"\n")).unwrap();
        make_executable(&exe);
        let assets = self.path(&format!("releases/v{version}"));
        std::fs::create_dir_all(&assets).unwrap();
        let archive = assets.join(format!("tweetform-{TARGET}.tar.gz"));
        let status = Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(self.path("stage"))
            .arg(format!("tweetform-{TARGET}"))
            .status()
            .unwrap();
        assert!(status.success());
        let digest = sha256_hex(&std::fs::read(&archive).unwrap());
        std::fs::write(
            assets.join(format!("tweetform-{TARGET}.tar.gz.sha256")),
            format!("{digest}  tweetform-{TARGET}.tar.gz\n"),
        )
        .unwrap();
        digest
    }

    /// The action as the runner checks it out at `git_ref`, pinning
    /// `version` with `checksums` (None: an unreleased commit); returns
    /// its path.
    fn action(&self, git_ref: &str, pin: Option<(&str, &str)>) -> PathBuf {
        let path = self.path(&format!(
            "_actions/tweetform/tweetform/{git_ref}/.github/actions/tweetform"
        ));
        std::fs::create_dir_all(&path).unwrap();
        if let Some((version, checksums)) = pin {
            std::fs::write(path.join("version"), format!("{version}\n")).unwrap();
            std::fs::write(path.join("checksums.txt"), checksums).unwrap();
        }
        path
    }

    fn run(&self, action_path: &Path, envs: &[(&str, &str)]) -> std::process::Output {
        let action = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/actions/tweetform/action.yml"),
        )
        .unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&action).unwrap();
        let step = doc["runs"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "install")
            .expect("an install step");
        assert_eq!(step["shell"], "bash --noprofile --norc -euo pipefail {0}");
        let script = step["run"].as_str().unwrap();
        assert!(!script.contains("${{"), "expressions belong in env:");
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-euo", "pipefail", "-c", script])
            .env("FAKE", self.dir.path())
            .env("PATH", path)
            .env("REPOSITORY", "tweetform/tweetform")
            .env("BUILD_FROM_SOURCE", "false")
            .env(
                "DOWNLOAD_URL",
                format!("file://{}", self.path("releases").display()),
            )
            .env("ACTION_PATH", action_path)
            .env("ACTION_REF", "")
            .env("RUNNER_OS_NAME", "Linux")
            .env("RUNNER_ARCH_NAME", "X64")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env("GITHUB_OUTPUT", self.path("github_output"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        parse_outputs(&std::fs::read_to_string(self.path("github_output")).unwrap_or_default())
    }

    fn built(&self) -> bool {
        self.path("cargo-calls").exists()
    }
}

fn checksums(digest: &str) -> String {
    format!("{digest}  tweetform-{TARGET}.tar.gz\n")
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn show(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
#[test]
fn the_action_installs_the_release_its_commit_pins() {
    let run = ActionRun::new();
    let digest = run.publish("1.2.3", "1.2.3");
    let action = run.action("v1.2.3", Some(("1.2.3", &checksums(&digest))));
    let out = run.run(&action, &[("ACTION_REF", "v1.2.3")]);
    assert!(out.status.success(), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified"));
    let outputs = run.outputs();
    assert_eq!(outputs["version"], "1.2.3");
    let bin = PathBuf::from(&outputs["bin"]);
    assert!(bin.starts_with(run.path("temp")), "{}", bin.display());
    let version = Command::new(&bin).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        "tweetform 1.2.3\n"
    );
    let github_path = std::fs::read_to_string(run.path("github_path")).unwrap();
    assert_eq!(github_path.trim(), bin.parent().unwrap().to_str().unwrap());
    assert!(!run.built(), "cargo must not run");
}

/// Pinned by commit SHA: the version comes from the commit's own files, not
/// from a `/vX.Y.Z/` path and not from the latest release.
#[cfg(unix)]
#[test]
fn a_sha_pinned_checkout_installs_its_own_version() {
    let run = ActionRun::new();
    let digest = run.publish("0.4.1", "0.4.1");
    run.publish("9.9.9", "9.9.9");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let action = run.action(sha, Some(("0.4.1", &checksums(&digest))));
    let out = run.run(&action, &[("ACTION_REF", sha)]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(run.outputs()["version"], "0.4.1");
    assert!(!run.built());
}

/// Whoever can replace a release's archive can replace the `.sha256` beside
/// it: the action checks only against its own checksums.txt.
#[cfg(unix)]
#[test]
fn a_swapped_archive_fails_even_with_a_matching_sha256_beside_it() {
    let run = ActionRun::new();
    let pinned = run.publish("1.0.0", "1.0.0");
    let action = run.action("v1.0.0", Some(("1.0.0", &checksums(&pinned))));
    // The attacker's archive, and a .sha256 that matches it.
    let planted = run.publish("1.0.0", "1.0.0 (planted)");
    assert_ne!(pinned, planted);
    let out = run.run(&action, &[]);
    assert!(!out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error title=tweetform::checksum mismatch"),
        "{}",
        show(&out)
    );
    assert!(!stdout.contains("Verified"));
    assert!(!run.outputs().contains_key("bin"));
    assert!(!run.built(), "a bad checksum must not build instead");
}

#[cfg(unix)]
#[test]
fn a_download_failure_fails_without_building() {
    let run = ActionRun::new();
    let action = run.action("v2.0.0", Some(("2.0.0", &checksums(&"a".repeat(64)))));
    let out = run.run(&action, &[]);
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("could not download"),
        "{}",
        show(&out)
    );
    assert!(!run.outputs().contains_key("bin"));
    assert!(!run.built());
}

#[cfg(unix)]
#[test]
fn a_runner_without_a_prebuilt_binary_is_told_about_build_from_source() {
    let run = ActionRun::new();
    let digest = run.publish("1.0.0", "1.0.0");
    let action = run.action("v1.0.0", Some(("1.0.0", &checksums(&digest))));
    for (os, arch) in [("Linux", "ARM"), ("Windows", "ARM64")] {
        let out = run.run(
            &action,
            &[("RUNNER_OS_NAME", os), ("RUNNER_ARCH_NAME", arch)],
        );
        assert!(!out.status.success(), "{}", show(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("build-from-source: true"), "{stdout}");
        assert!(!run.built());
    }
    // An unreleased commit of the action pins nothing, and says so.
    let unreleased = run.action("main", None);
    let out = run.run(&unreleased, &[("ACTION_REF", "main")]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("pins no release"), "{stdout}");
    assert!(stdout.contains("build-from-source: true"), "{stdout}");
    assert!(!run.built());
}

/// `build-from-source: true` builds the action's own commit from git, never
/// a name on crates.io.
#[cfg(unix)]
#[test]
fn build_from_source_builds_the_actions_own_commit() {
    let run = ActionRun::new();
    let sha = "89abcdef0123456789abcdef0123456789abcdef";
    let action = run.action(sha, None);
    let out = run.run(
        &action,
        &[("ACTION_REF", sha), ("BUILD_FROM_SOURCE", "true")],
    );
    // The fake cargo fails, so the step fails.
    assert!(!out.status.success(), "{}", show(&out));
    let calls = std::fs::read_to_string(run.path("cargo-calls")).unwrap();
    assert_eq!(
        calls,
        format!(
            "install --locked --root {} --git https://github.com/tweetform/tweetform --rev {sha} tweetform\n",
            run.path("temp/tweetform-action").display()
        )
    );

    // A local action (`uses: ./...`, no action_ref): the checkout it lies in.
    let run = ActionRun::new();
    let checkout = run.path("checkout");
    std::fs::create_dir_all(checkout.join(".github/actions/tweetform")).unwrap();
    git(&checkout, &["init", "--quiet"]);
    configure(&checkout);
    git(
        &checkout,
        &["commit", "--quiet", "--allow-empty", "-m", "c"],
    );
    let out = run.run(
        &checkout.join(".github/actions/tweetform"),
        &[("BUILD_FROM_SOURCE", "true")],
    );
    assert!(!out.status.success());
    let calls = std::fs::read_to_string(run.path("cargo-calls")).unwrap();
    let top = git(&checkout, &["rev-parse", "--show-toplevel"]);
    assert_eq!(
        calls,
        format!(
            "install --locked --root {} --path {}\n",
            run.path("temp/tweetform-action").display(),
            top.trim()
        )
    );
}

// ---------------------------------------------------------------- the plan comment

/// The sticky-comment step of `.github/workflows/tweets.yml`, run by bash
/// with a fake `gh` that serves `comments.json` and records what is sent.
struct CommentRun {
    dir: tempfile::TempDir,
}

impl CommentRun {
    fn new(existing_comments: serde_json::Value) -> CommentRun {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::create_dir_all(dir.path().join("temp")).unwrap();
        std::fs::write(
            dir.path().join("comments.json"),
            existing_comments.to_string(),
        )
        .unwrap();
        let gh = dir.path().join("bin/gh");
        std::fs::write(
            &gh,
            r#"#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE/gh-calls"
if [[ " $* " == *" --paginate "* ]]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --jq ]; then filter="$2"; fi
    shift
  done
  jq -r "$filter" "$FAKE/comments.json"
else
  cat > "$FAKE/sent.json"
fi
"#,
        )
        .unwrap();
        make_executable(&gh);
        CommentRun { dir }
    }

    fn run(&self, plan: Option<&str>) -> std::process::Output {
        self.run_after(if plan.is_some() { "success" } else { "failure" }, plan)
    }

    /// `validate`: the outcome of the Validate step; `plan`: the plan's
    /// Markdown, or `None` when the Plan step did not succeed.
    fn run_after(&self, validate: &str, plan: Option<&str>) -> std::process::Output {
        self.run_with(validate, plan, &[])
    }

    fn run_with(
        &self,
        validate: &str,
        plan: Option<&str>,
        envs: &[(&str, &str)],
    ) -> std::process::Output {
        let workflow = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/tweets.yml"),
        )
        .unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&workflow).unwrap();
        let step = doc["jobs"]["plan"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("Comment the plan"))
            })
            .expect("a comment step");
        let script = step["run"].as_str().unwrap();
        assert!(!script.contains("${{"), "expressions belong in env:");
        if let Some(plan) = plan {
            std::fs::write(self.dir.path().join("temp/plan.md"), plan).unwrap();
        }
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // The shell the workflow's `defaults` give every `run:`.
        Command::new("bash")
            .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", script])
            .envs(envs.iter().copied())
            .env("FAKE", self.dir.path())
            .env("PATH", path)
            .env("RUNNER_TEMP", self.dir.path().join("temp"))
            .env("GITHUB_REPOSITORY", "acme/social")
            .env("PR", "7")
            .env(
                "PLAN_OUTCOME",
                if plan.is_some() { "success" } else { "skipped" },
            )
            .env("VALIDATE_OUTCOME", validate)
            .env("RUN_URL", "https://github.com/acme/social/actions/runs/1")
            .output()
            .unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("gh-calls"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn sent_body(&self) -> String {
        let sent: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.dir.path().join("sent.json")).unwrap(),
        )
        .unwrap();
        sent["body"].as_str().unwrap().to_string()
    }
}

const PLAN_MD: &str = "<!-- tweetform-plan -->\n### Plan: 1 to create\n\n> hello `world` | $(x)\n";

#[cfg(unix)]
#[test]
fn the_first_plan_is_a_new_comment() {
    let run = CommentRun::new(serde_json::json!([
        { "id": 5, "user": { "login": "alice" }, "body": "looks good" }
    ]));
    let out = run.run(Some(PLAN_MD));
    assert!(out.status.success(), "{}", show(&out));
    let calls = run.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].starts_with("api --paginate repos/acme/social/issues/7/comments"));
    assert_eq!(
        calls[1],
        "api --method POST repos/acme/social/issues/7/comments --input -"
    );
    assert_eq!(run.sent_body(), PLAN_MD);
}

#[cfg(unix)]
#[test]
fn a_later_plan_updates_the_bots_marked_comment() {
    let run = CommentRun::new(serde_json::json!([
        { "id": 1, "user": { "login": "github-actions[bot]" }, "body": "some other bot comment" },
        { "id": 2, "user": { "login": "mallory" }, "body": "<!-- tweetform-plan -->\nfake" },
        { "id": 3, "user": { "login": "github-actions[bot]" }, "body": "<!-- tweetform-plan -->\nold plan" },
        { "id": 4, "user": { "login": "github-actions[bot]" }, "body": "<!-- tweetform-plan -->\nolder duplicate" }
    ]));
    let out = run.run(Some(PLAN_MD));
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(
        run.calls()[1],
        "api --method PATCH repos/acme/social/issues/comments/3 --input -"
    );
    assert_eq!(run.sent_body(), PLAN_MD);
}

#[cfg(unix)]
#[test]
fn invalid_posts_replace_the_plan_with_a_pointer_to_the_errors() {
    let run = CommentRun::new(serde_json::json!([
        { "id": 3, "user": { "login": "github-actions[bot]" }, "body": "<!-- tweetform-plan -->\nold plan" }
    ]));
    let out = run.run(None);
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(body.starts_with("<!-- tweetform-plan -->\n"), "{body}");
    assert!(body.contains("the posts have errors"), "{body}");
    assert!(
        body.contains("https://github.com/acme/social/actions/runs/1"),
        "{body}"
    );
}

#[cfg(unix)]
#[test]
fn a_failed_plan_of_valid_posts_says_so() {
    let run = CommentRun::new(serde_json::json!([]));
    let out = run.run_after("success", None);
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(body.starts_with("<!-- tweetform-plan -->\n"), "{body}");
    assert!(body.contains("### tweetform: no plan\n"), "{body}");
    assert!(body.contains("could not make a plan"), "{body}");
    assert!(!body.contains("errors"), "{body}");
}

#[cfg(unix)]
#[test]
fn a_failed_install_is_not_blamed_on_the_posts() {
    let run = CommentRun::new(serde_json::json!([]));
    let out = run.run_after("skipped", None);
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(body.contains("could not make a plan"), "{body}");
    assert!(!body.contains("errors"), "{body}");
}

#[cfg(unix)]
#[test]
fn the_comment_gets_the_marker_and_fits_githubs_limit() {
    let run = CommentRun::new(serde_json::json!([]));
    let plan = "### Plan\n".to_string() + &"- a tweet preview line\n".repeat(5000);
    let out = run.run(Some(&plan));
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(body.starts_with("<!-- tweetform-plan -->\n### Plan\n"));
    assert!(
        body.chars().count() < 65536,
        "{} characters",
        body.chars().count()
    );
    assert!(body.contains("the whole plan is in the [run's summary]"));
}

/// Runs the plan job's state check in a repository whose `HEAD` (the
/// pull request's merge commit) changes `files` over its first parent.
#[cfg(unix)]
fn state_check(files: &[&str], temp: &Path) -> (std::process::Output, BTreeMap<String, String>) {
    let repo = repo();
    for f in files {
        let path = repo.path().join(f);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"edited\": true}\n").unwrap();
    }
    git(repo.path(), &["add", "-A"]);
    git(
        repo.path(),
        &["commit", "--quiet", "--allow-empty", "-m", "pr"],
    );
    let script = workflow_step("plan", "Check the state is not edited by hand");
    assert!(!script.contains("${{"), "expressions belong in env:");
    let output = temp.join("output");
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", &script])
        .current_dir(repo.path())
        .env("STATE_PATH", "state/")
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    let outputs = parse_outputs(&std::fs::read_to_string(&output).unwrap_or_default());
    (out, outputs)
}

#[cfg(unix)]
#[test]
fn a_hand_edited_state_is_an_error_and_heads_the_plan_comment() {
    let run = CommentRun::new(serde_json::json!([]));
    let temp = run.dir.path().join("temp");
    let (out, outputs) = state_check(&["posts/b.yaml"], &temp);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(outputs["edited"], "false");
    assert!(!temp.join("state-banner.md").exists());

    let (out, outputs) = state_check(&["posts/b.yaml", "state/tweets.lock.json"], &temp);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(outputs["edited"], "true");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(
            "::error file=state/tweets.lock.json,title=tweetform::the state is edited by hand"
        ),
        "{stdout}"
    );

    let out = run.run(Some("## Plan\n\n1 to create\n"));
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(
        body.starts_with("<!-- tweetform-plan -->\n> [!CAUTION]\n> **This pull request edits the state by hand.**"),
        "{body}"
    );
    assert!(body.contains("> - `state/tweets.lock.json`"), "{body}");
    assert!(body.contains("## Plan\n\n1 to create"), "{body}");
    assert_eq!(body.matches("<!-- tweetform-plan -->").count(), 1);

    // The job then fails, after the comment.
    let wf = tweets_workflow();
    let steps = wf["jobs"]["plan"]["steps"].as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(last["name"], "Fail on a hand-edited state");
    assert!(
        last["if"]
            .as_str()
            .unwrap()
            .contains("steps.state.outputs.edited == 'true'")
    );
}

#[cfg(unix)]
#[test]
fn the_plan_comment_says_when_a_merge_would_hold_destructive_changes() {
    let run = CommentRun::new(serde_json::json!([]));
    let out = run.run_with(
        "success",
        Some("## Plan\n\n1 to delete\n"),
        &[("DELETES", "1"), ("REPLACES", "0")],
    );
    assert!(out.status.success(), "{}", show(&out));
    let body = run.sent_body();
    assert!(
        body.contains("**After the merge, the deletes and replaces above are held**"),
        "{body}"
    );
    assert!(body.contains("**allow destroy** checked"), "{body}");

    let run = CommentRun::new(serde_json::json!([]));
    let out = run.run_with(
        "success",
        Some("## Plan\n\n1 to create\n"),
        &[("DELETES", "0"), ("REPLACES", "0")],
    );
    assert!(out.status.success(), "{}", show(&out));
    assert!(!run.sent_body().contains("held"));
}

// ---------------------------------------------------------------- pushing the state

/// The push step of the apply job in `.github/workflows/tweets.yml`, run in
/// a clone of a local bare repository that someone else pushes to.
fn push_step_script() -> String {
    let script = workflow_step("apply", "Push the state");
    assert!(!script.contains("${{"), "expressions belong in env:");
    script
}

struct Remote {
    dir: tempfile::TempDir,
}

impl Remote {
    /// A bare `origin` with one commit on `main`, and two clones: `runner`
    /// (the apply job) and `human`.
    fn new() -> Remote {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(
            root,
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                "origin.git",
            ],
        );
        let seed = root.join("seed");
        git(root, &["init", "--quiet", "--initial-branch=main", "seed"]);
        configure(&seed);
        std::fs::create_dir_all(seed.join("state")).unwrap();
        std::fs::create_dir_all(seed.join("posts")).unwrap();
        std::fs::write(seed.join("state/tweets.lock.json"), "{\"serial\": 1}\n").unwrap();
        std::fs::write(seed.join("posts/a.yaml"), "text: a\n").unwrap();
        git(&seed, &["add", "."]);
        git(&seed, &["commit", "--quiet", "-m", "initial"]);
        git(&seed, &["push", "--quiet", "../origin.git", "main"]);
        for clone in ["runner", "human"] {
            git(root, &["clone", "--quiet", "origin.git", clone]);
            configure(&root.join(clone));
        }
        Remote { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn commit(&self, clone: &str, file: &str, contents: &str, message: &str) {
        let dir = self.path(clone);
        std::fs::write(dir.join(file), contents).unwrap();
        git(&dir, &["add", file]);
        git(&dir, &["commit", "--quiet", "-m", message]);
    }

    fn push_step(&self) -> std::process::Output {
        Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-euo",
                "pipefail",
                "-c",
                &push_step_script(),
            ])
            .current_dir(self.path("runner"))
            .env("BRANCH", "main")
            .env("RUN_ID", "42")
            .env_remove("GH_TOKEN")
            .output()
            .unwrap()
    }

    /// The branches of `origin`.
    fn origin_branches(&self) -> Vec<String> {
        git(
            &self.path("origin.git"),
            &["for-each-ref", "--format=%(refname:short)", "refs/heads"],
        )
        .lines()
        .map(String::from)
        .collect()
    }

    fn origin_log(&self) -> Vec<String> {
        git(&self.path("origin.git"), &["log", "--format=%s", "main"])
            .lines()
            .map(String::from)
            .collect()
    }
}

fn configure(dir: &Path) {
    git(dir, &["config", "user.name", "Test"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

#[cfg(unix)]
#[test]
fn the_push_step_does_nothing_without_a_state_commit() {
    let remote = Remote::new();
    let out = remote.push_step();
    assert!(out.status.success(), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing to push."));
    assert_eq!(remote.origin_log(), ["initial"]);
}

#[cfg(unix)]
#[test]
fn the_push_step_rebases_on_a_concurrent_push_and_retries() {
    let remote = Remote::new();
    remote.commit(
        "runner",
        "state/tweets.lock.json",
        "{\"serial\": 2}\n",
        "tweetform: publish 1 post",
    );
    // Meanwhile a pull request is merged.
    remote.commit("human", "posts/b.yaml", "text: b\n", "add post b");
    git(
        &remote.path("human"),
        &["push", "--quiet", "origin", "main"],
    );

    let out = remote.push_step();
    assert!(out.status.success(), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("push rejected (attempt 1 of 5)"));
    assert_eq!(
        remote.origin_log(),
        ["tweetform: publish 1 post", "add post b", "initial"]
    );
}

#[cfg(unix)]
#[test]
fn the_push_step_stops_on_a_conflicting_state() {
    let remote = Remote::new();
    remote.commit(
        "runner",
        "state/tweets.lock.json",
        "{\"serial\": 2}\n",
        "tweetform: publish 1 post",
    );
    remote.commit(
        "human",
        "state/tweets.lock.json",
        "{\"serial\": 9}\n",
        "hand-edited state",
    );
    git(
        &remote.path("human"),
        &["push", "--quiet", "origin", "main"],
    );

    let out = remote.push_step();
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("the state commit conflicts with main"),
        "{}",
        show(&out)
    );
    assert_eq!(remote.origin_log(), ["hand-edited state", "initial"]);
    // Nothing is lost: the commit is on a branch of its own.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("It is on the branch tweetform/state-42"),
        "{}",
        show(&out)
    );
    assert_eq!(remote.origin_branches(), ["main", "tweetform/state-42"]);
    // The runner's commit is intact (not left mid-rebase) for the artifact step.
    let runner = remote.path("runner");
    assert_eq!(
        git(&runner, &["log", "-1", "--format=%s"]).trim(),
        "tweetform: publish 1 post"
    );
    assert_eq!(
        std::fs::read_to_string(runner.join("state/tweets.lock.json")).unwrap(),
        "{\"serial\": 2}\n"
    );
}

/// Runs the apply job's steps from the state-branch check on, in `clone`,
/// the way the runner does: a step without `if:` (or with a `steps.`
/// condition) runs only while nothing failed, one with `!cancelled()`
/// always. The `tweetform` on PATH publishes `posts/a.yaml` when the state
/// does not record it, and appends to `$FAKE/published` each time.
#[cfg(unix)]
fn apply_job(remote: &Remote, clone: &str, run_id: &str) -> (String, Vec<String>) {
    let fake = remote.path("bin/tweetform");
    if !fake.exists() {
        std::fs::create_dir_all(remote.path("bin")).unwrap();
        std::fs::write(
            &fake,
            "#!/bin/sh\n\
             if grep -q published state/tweets.lock.json; then due=0; else due=2; fi\n\
             case \"$1\" in\n\
             plan) exit $due ;;\n\
             apply) [ $due = 2 ] || exit 0\n\
               echo a >> \"$FAKE/published\"\n\
               echo '{\"serial\": 2, \"published\": [\"a\"]}' > state/tweets.lock.json\n\
               git add state/tweets.lock.json && git commit --quiet -m 'tweetform: publish 1 post' ;;\n\
             esac\n",
        )
        .unwrap();
        make_executable(&fake);
    }
    let wf = tweets_workflow();
    let steps = wf["jobs"]["apply"]["steps"].as_array().unwrap();
    let first = steps
        .iter()
        .position(|s| s["name"] == "Refuse while a state branch is unmerged")
        .unwrap();
    let path = format!(
        "{}:{}",
        remote.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let outputs = remote.path(&format!("{clone}-output"));
    let mut failed = false;
    let mut log = String::new();
    let mut ran = Vec::new();
    for step in &steps[first..] {
        let name = step["name"].as_str().unwrap_or_default();
        let Some(script) = step["run"].as_str() else {
            continue; // the artifact upload
        };
        let cond = step["if"].as_str().unwrap_or_default();
        let runs = if cond.contains("!cancelled()") {
            true
        } else if cond.contains("steps.due.outputs.due") {
            !failed
                && parse_outputs(&std::fs::read_to_string(&outputs).unwrap_or_default())
                    .get("due")
                    .is_some_and(|d| d == "true")
        } else {
            assert!(cond.is_empty(), "{name}: {cond}");
            !failed
        };
        if !runs {
            continue;
        }
        assert!(!script.contains("${{"), "expressions belong in env:");
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", script])
            .current_dir(remote.path(clone))
            .env("FAKE", remote.path(""))
            .env("PATH", &path)
            .env("BRANCH", "main")
            .env("RUN_ID", run_id)
            .env("ALLOW_DESTROY", "false")
            .env("GITHUB_OUTPUT", &outputs)
            .env(
                "GITHUB_STEP_SUMMARY",
                remote.path(&format!("{clone}-summary")),
            )
            .env_remove("GH_TOKEN")
            .output()
            .unwrap();
        log.push_str(&show(&out));
        ran.push(name.to_string());
        failed |= !out.status.success();
    }
    (log, ran)
}

/// A protected default branch refuses the state commit: it goes to a
/// branch of its own, and the next run refuses to publish until that is
/// merged, saying which branch.
#[cfg(unix)]
#[test]
fn a_refused_push_loses_nothing_and_the_next_run_publishes_nothing_twice() {
    let remote = Remote::new();
    let hook = remote.path("origin.git/hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nwhile read old new ref; do\n\
         if [ \"$ref\" = refs/heads/main ]; then echo 'main is protected' >&2; exit 1; fi\n\
         done\n",
    )
    .unwrap();
    make_executable(&hook);

    let (log, ran) = apply_job(&remote, "runner", "1001");
    assert!(ran.contains(&"Publish".to_string()), "{log}");
    assert!(
        log.contains(
            "::error title=tweetform::could not push the state to main: main refused the push"
        ),
        "{log}"
    );
    assert!(
        log.contains("It is on the branch tweetform/state-1001"),
        "{log}"
    );
    assert_eq!(remote.origin_branches(), ["main", "tweetform/state-1001"]);
    let kept = git(
        &remote.path("origin.git"),
        &["show", "tweetform/state-1001:state/tweets.lock.json"],
    );
    assert!(kept.contains("published"), "{kept}");
    assert_eq!(
        std::fs::read_to_string(remote.path("published")).unwrap(),
        "a\n"
    );

    // The next run starts from main, whose state does not know about the
    // post: it must not publish it again.
    let (log, ran) = apply_job(&remote, "human", "1002");
    assert_eq!(
        ran,
        ["Refuse while a state branch is unmerged", "Push the state"],
        "{log}"
    );
    assert!(
        log.contains("::error title=tweetform::the branch tweetform/state-1001 holds the state"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(remote.path("published")).unwrap(),
        "a\n",
        "published twice"
    );

    // Merged and deleted: publishing goes on.
    std::fs::remove_file(&hook).unwrap();
    let human = remote.path("human");
    git(
        &human,
        &["fetch", "--quiet", "origin", "tweetform/state-1001"],
    );
    git(&human, &["merge", "--quiet", "--ff-only", "FETCH_HEAD"]);
    git(&human, &["push", "--quiet", "origin", "main"]);
    git(
        &human,
        &[
            "push",
            "--quiet",
            "origin",
            "--delete",
            "tweetform/state-1001",
        ],
    );
    let (log, ran) = apply_job(&remote, "human", "1003");
    assert!(log.contains("No unmerged state branch."), "{log}");
    assert!(
        !ran.contains(&"Publish".to_string()),
        "nothing is due: {log}"
    );
    assert_eq!(
        std::fs::read_to_string(remote.path("published")).unwrap(),
        "a\n"
    );
}

#[test]
fn commit_state_without_a_state_directory_commits_nothing() {
    let dir = repo();
    let root = dir.path();
    let result = git::commit_state(root, Path::new("never-written"), "x").unwrap();
    assert_eq!(result, None);
}

#[test]
fn commit_state_explains_an_ignored_state_directory() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join(".gitignore"), "data/\n").unwrap();
    std::fs::create_dir(root.join("data")).unwrap();
    std::fs::write(root.join("data/tweets.lock.json"), "{}\n").unwrap();
    let err = git::commit_state(root, Path::new("data"), "x").unwrap_err();
    let text = err.render(false);
    assert!(text.contains("data is ignored by git"), "{text}");
    assert!(text.contains("help: remove it from .gitignore"), "{text}");
}

// ---------------------------------------------------------------- what is due

fn workflow_step(job: &str, name: &str) -> String {
    step_script("tweets.yml", job, name)
}

/// The `run` script of step `name` of `job` in `.github/workflows/<file>`.
fn step_script(file: &str, job: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".github/workflows")
        .join(file);
    let doc: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let step = doc["jobs"][job]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name:?} in job {job} of {file}"));
    step["run"].as_str().unwrap().to_string()
}

/// Runs the "Check what is due" step with a `tweetform` that exits `code`;
/// returns the step's exit status and the outputs it wrote.
#[cfg(unix)]
fn due_step(code: i32) -> (Option<i32>, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    let fake = dir.path().join("bin/tweetform");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$@\" > \"$FAKE/args\"\nexit {code}\n"),
    )
    .unwrap();
    make_executable(&fake);
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c"])
        .arg(workflow_step("apply", "Check what is due"))
        .env("FAKE", dir.path())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("args")).unwrap(),
        "plan --detailed-exitcode\n"
    );
    let outputs =
        parse_outputs(&std::fs::read_to_string(dir.path().join("output")).unwrap_or_default());
    (out.status.code(), outputs)
}

#[cfg(unix)]
#[test]
fn the_apply_job_publishes_only_when_something_is_due() {
    let (status, outputs) = due_step(0);
    assert_eq!(status, Some(0));
    assert_eq!(outputs["due"], "false");
    let (status, outputs) = due_step(2);
    assert_eq!(status, Some(0));
    assert_eq!(outputs["due"], "true");
    // A plan that fails (a corrupt state, invalid posts) fails the job.
    let (status, outputs) = due_step(1);
    assert_eq!(status, Some(1));
    assert!(!outputs.contains_key("due"));
}

/// Runs the "Publish" step with a `tweetform` that exits `code`; returns
/// the step's exit status, its stdout and the job summary it wrote.
#[cfg(unix)]
fn publish_step(code: i32, allow_destroy: bool) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    let fake = dir.path().join("bin/tweetform");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$@\" > \"$FAKE/args\"\nexit {code}\n"),
    )
    .unwrap();
    make_executable(&fake);
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c"])
        .arg(workflow_step("apply", "Publish"))
        .env("FAKE", dir.path())
        .env("PATH", path)
        .env("ALLOW_DESTROY", allow_destroy.to_string())
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
        .output()
        .unwrap();
    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    let expected = if allow_destroy {
        "apply --commit --allow-destroy\n"
    } else {
        "apply --commit\n"
    };
    assert_eq!(args, expected);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(dir.path().join("summary")).unwrap_or_default(),
    )
}

#[cfg(unix)]
#[test]
fn held_destructive_changes_warn_and_do_not_fail_the_job() {
    let (status, stdout, summary) = publish_step(3, false);
    assert_eq!(status, Some(0), "{stdout}");
    assert!(stdout.starts_with("::warning title=tweetform::destructive changes were held"));
    assert!(
        summary.contains("**Destructive changes were held**"),
        "{summary}"
    );
    assert!(summary.contains("allow destroy"), "{summary}");
    assert!(summary.contains("`allow_destroy: true`"), "{summary}");

    // Done, or allowed: quiet. A failure fails the job (the push step still runs).
    for (code, allow) in [(0, false), (0, true)] {
        let (status, stdout, summary) = publish_step(code, allow);
        assert_eq!(status, Some(0));
        assert!(stdout.is_empty() && summary.is_empty());
    }
    let (status, stdout, _) = publish_step(1, false);
    assert_eq!(status, Some(1));
    assert!(!stdout.contains("::warning"));
    let (status, _, _) = publish_step(130, false);
    assert_eq!(status, Some(130));
}

// ---------------------------------------------------------------- workflow shape

fn tweets_workflow() -> serde_json::Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/tweets.yml"),
    )
    .unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

#[test]
fn secrets_reach_only_the_publish_step() {
    let wf = tweets_workflow();
    for (job_name, job) in wf["jobs"].as_object().unwrap() {
        for step in job["steps"].as_array().unwrap() {
            let text = step.to_string();
            let is_publish = job_name == "apply" && step["name"] == "Publish";
            assert_eq!(
                text.contains("secrets."),
                is_publish,
                "job {job_name}, step {}",
                step["name"]
            );
        }
        assert!(!job.to_string().contains("secrets.") || job_name == "apply");
    }
    let publish = wf["jobs"]["apply"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Publish")
        .unwrap();
    for name in [
        "X_API_KEY",
        "X_API_SECRET",
        "X_ACCESS_TOKEN",
        "X_ACCESS_TOKEN_SECRET",
    ] {
        assert_eq!(publish["env"][name], format!("${{{{ secrets.{name} }}}}"));
    }
    assert_eq!(publish["if"], "steps.due.outputs.due == 'true'");
}

#[test]
fn each_job_gets_the_least_permissions_and_applies_never_overlap() {
    let wf = tweets_workflow();
    assert_eq!(wf["permissions"], serde_json::json!({}));
    assert_eq!(
        wf["jobs"]["plan"]["permissions"],
        serde_json::json!({ "contents": "read", "pull-requests": "write" })
    );
    assert_eq!(
        wf["jobs"]["apply"]["permissions"],
        serde_json::json!({ "contents": "write" })
    );
    assert_eq!(
        wf["jobs"]["apply"]["concurrency"],
        serde_json::json!({ "group": "tweetform-apply", "cancel-in-progress": false })
    );
    // Superseded plans of a pull request are cancelled.
    assert_eq!(
        wf["jobs"]["plan"]["concurrency"],
        serde_json::json!({
            "group": "tweetform-plan-${{ github.event.pull_request.number }}",
            "cancel-in-progress": true
        })
    );
    // The X keys come from an environment limited to the default branch.
    assert_eq!(wf["jobs"]["apply"]["environment"], "x-publish");
    assert!(wf["jobs"]["plan"].get("environment").is_none());
    let on = &wf["on"];
    assert!(on.get("pull_request_target").is_none());
    assert_eq!(on["schedule"][0]["cron"], "7,22,37,52 * * * *");
    assert!(on.get("workflow_dispatch").is_some());
    assert_eq!(on["pull_request"]["branches"], serde_json::json!(["main"]));
    assert!(
        on["pull_request"]["paths"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("posts/**"))
    );
}

/// Every workflow: steps run bash with pipefail, and no checkout leaves a
/// token in `.git/config`.
#[test]
fn every_step_has_pipefail_and_no_checkout_keeps_credentials() {
    for file in ["tweets.yml", "release.yml", "ci.yml"] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(".github/workflows")
                .join(file),
        )
        .unwrap();
        let wf: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(
            wf["defaults"]["run"]["shell"], "bash --noprofile --norc -euo pipefail {0}",
            "{file}"
        );
        for (name, job) in wf["jobs"].as_object().unwrap() {
            for step in job["steps"].as_array().unwrap() {
                if step["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/checkout@"))
                {
                    assert_eq!(step["with"]["persist-credentials"], false, "{file} {name}");
                }
                if step.get("run").is_some() {
                    assert!(step.get("shell").is_none(), "{file} {name}: {step}");
                }
            }
        }
    }
    let apply = &tweets_workflow()["jobs"]["apply"]["steps"][0];
    assert_eq!(apply["with"]["ref"], "${{ github.ref }}");
}

/// The token reaches only the steps that talk to origin.
#[test]
fn the_token_reaches_only_the_steps_that_talk_to_origin() {
    let wf = tweets_workflow();
    for step in wf["jobs"]["apply"]["steps"].as_array().unwrap() {
        let talks = ["Refuse while a state branch is unmerged", "Push the state"]
            .contains(&step["name"].as_str().unwrap_or_default());
        assert_eq!(
            step.to_string().contains("github.token"),
            talks,
            "{}",
            step["name"]
        );
    }
}

/// This repository's workflow runs the tweetform of the commit it runs.
#[test]
fn this_repository_publishes_with_the_checked_out_commit() {
    let wf = tweets_workflow();
    for job in ["plan", "apply"] {
        let install = wf["jobs"][job]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "Install tweetform")
            .unwrap();
        assert_eq!(install["uses"], "./.github/actions/tweetform");
        assert_eq!(install["with"]["build-from-source"], true, "{job}");
    }
}

// ---------------------------------------------------------------- release → action

/// The release workflow's Package step and the action's install step agree
/// on the asset names, the archive layout and the checksum format: what the
/// one publishes, the other installs.
#[cfg(unix)]
#[test]
fn the_action_installs_what_the_release_workflow_packages() {
    let package = step_script("release.yml", "build", "Package");
    let release = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"),
    )
    .unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&release).unwrap();
    let targets: Vec<&str> = doc["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for expected in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&expected), "{expected} not built");
    }

    // A checkout with a built binary, packaged as on the Linux runner.
    let checkout = tempfile::tempdir().unwrap();
    let target = "x86_64-unknown-linux-gnu";
    let built = checkout.path().join(format!("target/{target}/release"));
    std::fs::create_dir_all(&built).unwrap();
    std::fs::write(checkout.path().join("README.md"), "# tweetform\n").unwrap();
    std::fs::write(
        built.join("tweetform"),
        "#!/bin/sh\necho \"tweetform 2.0.0\"\n",
    )
    .unwrap();
    make_executable(&built.join("tweetform"));
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", &package])
        .current_dir(checkout.path())
        .env("TARGET", target)
        .env("RUNNER_OS", "Linux")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));

    // The publish job pins what was packaged in the action's files...
    let pin = step_script("release.yml", "publish", "Pin the checksums in the action");
    let tagged = checkout.path();
    std::fs::create_dir_all(tagged.join(".github/actions/tweetform")).unwrap();
    git(tagged, &["init", "--quiet"]);
    configure(tagged);
    git(tagged, &["add", "README.md"]);
    git(tagged, &["commit", "--quiet", "-m", "v2.0.0"]);
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", &pin])
        .current_dir(tagged)
        .env("TAG", "v2.0.0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(
        git(tagged, &["log", "-1", "--format=%s"]).trim(),
        "release v2.0.0: pin the action's checksums"
    );
    let pinned = tagged.join(".github/actions/tweetform");
    assert_eq!(
        std::fs::read_to_string(pinned.join("version")).unwrap(),
        "2.0.0\n"
    );

    // ...and the action installs the release from those files.
    let run = ActionRun::new();
    let assets = run.path("releases/v2.0.0");
    std::fs::create_dir_all(&assets).unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(checkout.path().join("dist")).unwrap() {
        let entry = entry.unwrap();
        names.push(entry.file_name().to_string_lossy().into_owned());
        std::fs::copy(entry.path(), assets.join(entry.file_name())).unwrap();
    }
    names.sort();
    assert_eq!(
        names,
        [
            format!("tweetform-{target}.tar.gz"),
            format!("tweetform-{target}.tar.gz.sha256")
        ]
    );
    let out = run.run(&pinned, &[]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(run.outputs()["version"], "2.0.0");
}

// ---------------------------------------------------------------- from the executor's report

#[test]
fn the_apply_log_reads_the_executors_report() {
    use tweetform::report::{Outcome, PostReport, Report, TweetRef};

    let mut created = PostReport::new("2026/launch", Action::Create, None);
    created.published = vec![
        TweetRef::new(0, "101", false),
        TweetRef::new(1, "102", true),
    ];
    let mut replaced = PostReport::new("fixed", Action::Replace, None);
    replaced.deleted = vec![TweetRef::new(0, "50", false)];
    replaced.published = vec![TweetRef::new(0, "103", false)];
    let mut gone = PostReport::new("old", Action::Delete, None);
    gone.deleted = vec![TweetRef::new(0, "40", false)];
    let moved = PostReport::new("renamed", Action::Move, Some("before".into()));
    let mut failed = PostReport::new("bad", Action::Create, None);
    failed.outcome = Outcome::Failed {
        reason: "Your Tweet text is too long.".into(),
        help: None,
    };
    let mut later = PostReport::new("later", Action::Create, None);
    later.outcome = Outcome::Deferred {
        earliest: "2026-11-23T14:15:00Z".parse().unwrap(),
        reason: "create budget used".into(),
    };
    let report = Report {
        posts: vec![created, replaced, gone, moved, failed, later],
        ..Report::default()
    };

    let log = ApplyLog::from_report(&report);
    assert_eq!(log.counts(), (2, 1));
    assert!(log.partial);
    let message = git::commit_message(&log);
    assert_eq!(
        message.lines().next().unwrap(),
        "tweetform: publish 1 post, replace 1, move 1, delete 1, 1 failed (partial)"
    );
    assert!(message.contains(
        "- 2026/launch (created)\n  https://x.com/i/status/101\n  https://x.com/i/status/102\n"
    ));
    assert!(message.contains(
        "- fixed (replaced)\n  https://x.com/i/status/103\n  deleted https://x.com/i/status/50\n"
    ));
    assert!(message.contains("- renamed (moved)\n"));
    assert!(message.contains("Deleted:\n- old (deleted)\n  https://x.com/i/status/40\n"));
    assert!(message.contains("Failed:\n- bad: Your Tweet text is too long.\n"));
    let summary = github::apply_summary(&log);
    assert!(summary.contains("- **later**: create budget used (from 2026-11-23 14:15 UTC)"));
    assert!(summary.contains("[50](https://x.com/i/status/50)"));

    // Everything done: not partial.
    let mut one = PostReport::new("a", Action::Create, None);
    one.published = vec![TweetRef::new(0, "1", false)];
    let log = ApplyLog::from_report(&Report {
        posts: vec![one],
        ..Report::default()
    });
    assert!(!log.partial);
    assert_eq!(
        git::commit_message(&log).lines().next().unwrap(),
        "tweetform: publish 1 post"
    );
    // Aborted (the state could not be written): partial.
    let log = ApplyLog::from_report(&Report {
        aborted: Some("cannot write the state".into()),
        ..Report::default()
    });
    assert!(log.partial);
}

#[test]
fn commit_apply_leaves_out_the_apply_lock() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("state/tweets.lock.json"), "{\"serial\": 2}\n").unwrap();
    // The apply still holds its lock when it commits.
    std::fs::write(root.join("state/tweets.lock.json.lock"), "pid 1\n").unwrap();
    let log = ApplyLog {
        published: vec![published("hello", &["7"])],
        ..ApplyLog::default()
    };
    let state_file = root.join("state/tweets.lock.json");
    let sha = git::commit_apply(root, &state_file, &log)
        .unwrap()
        .expect("a commit");
    let files = git(root, &["show", "--name-only", "--format=", &sha]);
    assert_eq!(files, "state/tweets.lock.json\n");
    assert_eq!(
        git(root, &["log", "-1", "--format=%s", &sha]).trim(),
        "tweetform: publish 1 post"
    );
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "?? state/tweets.lock.json.lock\n"
    );
    // Nothing changed since: no commit, even with the lock still there.
    assert_eq!(git::commit_apply(root, &state_file, &log).unwrap(), None);
}

#[test]
fn commit_apply_stages_the_lockfile_by_name_and_nothing_else_in_state() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("state/tweets.lock.json"), "{\"serial\": 3}\n").unwrap();
    // Left by a save that a kill cut short, and a file someone dropped there.
    std::fs::write(root.join("state/.tweets.lock.json.Ab12Cd.tmp"), "{").unwrap();
    std::fs::write(root.join("state/notes.md"), "mine\n").unwrap();
    let state_file = root.join("state/tweets.lock.json");
    let sha = git::commit_apply(root, &state_file, &ApplyLog::default())
        .unwrap()
        .expect("a commit");
    let files = git(root, &["show", "--name-only", "--format=", &sha]);
    assert_eq!(files, "state/tweets.lock.json\n");
    assert_eq!(
        git(root, &["status", "--porcelain", "--untracked-files=all"]),
        "?? state/.tweets.lock.json.Ab12Cd.tmp\n?? state/notes.md\n"
    );
}

#[test]
fn commit_apply_with_the_state_at_the_root_commits_only_that_file() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(root.join("tweets.lock.json"), "{}\n").unwrap();
    std::fs::write(root.join("README.md"), "# staged elsewhere\n").unwrap();
    git(root, &["add", "README.md"]);
    std::fs::write(root.join("notes.txt"), "untracked\n").unwrap();
    let sha = git::commit_apply(root, Path::new("tweets.lock.json"), &ApplyLog::default())
        .unwrap()
        .expect("a commit");
    let files = git(root, &["show", "--name-only", "--format=", &sha]);
    assert_eq!(files, "tweets.lock.json\n");
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        "M  README.md\n?? notes.txt\n"
    );
}

#[test]
fn report_plan_and_report_apply_fill_summary_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let plan = plan_with(
        &[("a", Action::Create)],
        Summary {
            create: 1,
            ..Summary::default()
        },
    );
    github::report_plan(&env, &plan, "<!-- tweetform-plan -->\nPlan: 1 to create.\n").unwrap();
    let log = ApplyLog {
        published: vec![published("a", &["9"])],
        ..ApplyLog::default()
    };
    github::report_apply(&env, &plan, &log).unwrap();
    let summary = std::fs::read_to_string(env.step_summary.as_ref().unwrap()).unwrap();
    assert!(
        summary.starts_with("<!-- tweetform-plan -->\nPlan: 1 to create.\n## tweetform apply\n")
    );
    assert!(summary.contains("[9](https://x.com/i/status/9)"));
    let outputs = parse_outputs(&std::fs::read_to_string(env.output.as_ref().unwrap()).unwrap());
    assert_eq!(outputs["has_changes"], "true");
    assert_eq!(outputs["create"], "1");
    assert_eq!(outputs["published"], "1");
    assert_eq!(outputs["deferred"], "0");

    // Outside Actions: nothing written anywhere, no error.
    let none = GithubEnv::default();
    github::report_plan(&none, &plan, "x").unwrap();
    github::report_apply(&none, &plan, &log).unwrap();
    let stdout = tweetform::output::Stream::new("stdout", std::io::sink(), false);
    github::print_annotations(
        &stdout,
        &none,
        Path::new("."),
        &[diag("posts/a.yaml", 1, 1, "x")],
    )
    .unwrap();
}

#[test]
fn validation_problems_are_all_listed_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_in(dir.path());
    let ds: Vec<Problem> = (1..=12)
        .map(|i| diag(&format!("posts/p{i}.yaml"), i, 1, "text is required"))
        .chain([diag("posts/x.yaml", 2, 3, "unknown key `txt`").with_help("did you mean `text`?")])
        .collect();
    let stdout = tweetform::output::Stream::new("stdout", std::io::sink(), false);
    github::report_validation(&stdout, &env, dir.path(), &ds).unwrap();
    let summary = std::fs::read_to_string(env.step_summary.as_ref().unwrap()).unwrap();
    assert!(summary.starts_with("### tweetform: 13 problems in the posts\n\n"));
    assert!(summary.contains("- `posts/p12.yaml:12:1` text is required\n"));
    assert!(summary.contains(
        "- `posts/x.yaml:2:3` unknown key \\`txt\\`<br>help: did you mean \\`text\\`?\n"
    ));
    assert_eq!(summary.lines().filter(|l| l.starts_with("- ")).count(), 13);

    // Valid posts: no summary at all.
    let clean = tempfile::tempdir().unwrap();
    let env = env_in(clean.path());
    github::report_validation(&stdout, &env, clean.path(), &[]).unwrap();
    assert!(!clean.path().join("summary.md").exists());
}

// ---------------------------------------------------------------- no workflow commands from user text

/// Splits a log as GitHub's runner reads it: the lines it would interpret
/// as workflow commands (outside any `::stop-commands::` fence), and the
/// fenced ones. Panics on a fence that is never closed.
fn runner_view(log: &str) -> (Vec<String>, Vec<String>) {
    let (mut read, mut fenced) = (Vec::new(), Vec::new());
    let mut token: Option<String> = None;
    for line in log.lines() {
        match &token {
            Some(t) if line == format!("::{t}::") => token = None,
            Some(_) => fenced.push(line.to_string()),
            None => match line.strip_prefix("::stop-commands::") {
                Some(t) => token = Some(t.to_string()),
                None => read.push(line.to_string()),
            },
        }
    }
    assert!(token.is_none(), "an unclosed fence:\n{log}");
    (read, fenced)
}

/// What the runner would act on: a line starting with `::` (after leading
/// spaces), or holding `##[`.
fn is_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

#[test]
fn user_text_cannot_issue_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(
        posts.join("mask.yaml"),
        "text: |-\n  ::add-mask::x\n  ::error::x\n  ##[warning]x\n",
    )
    .unwrap();
    std::fs::write(posts.join("::error::x.yaml"), "text: \"##[warning]x\"\n").unwrap();
    let run = |args: &[&str], invalid: bool| {
        if invalid {
            std::fs::write(
                posts.join("bad.yaml"),
                "text: ok\n\"::add-mask::x\": 1\n\"##[warning]x\": 2\n",
            )
            .unwrap();
        }
        let out = Command::new(env!("CARGO_BIN_EXE_tweetform"))
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .env("GITHUB_ACTIONS", "true")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GITHUB_OUTPUT")
            .env("GITHUB_WORKSPACE", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    let (stdout, stderr) = run(&["plan"], false);
    for log in [&stdout, &stderr] {
        let (read, fenced) = runner_view(log);
        assert!(
            read.iter().all(|l| !is_command(l)),
            "unfenced: {read:?}\n{log}"
        );
        if log == &stdout {
            for text in ["::add-mask::x", "::error::x", "##[warning]x"] {
                assert!(
                    fenced.iter().any(|l| l.contains(text)),
                    "{text} not printed:\n{log}"
                );
            }
        }
    }

    // Invalid posts: tweetform's own annotations are read, the field names
    // they carry are escaped, and the human report is fenced.
    let (stdout, stderr) = run(&["validate"], true);
    let (read, fenced) = runner_view(&stdout);
    let annotations: Vec<&String> = read.iter().filter(|l| is_command(l)).collect();
    assert!(!annotations.is_empty(), "{stdout}");
    for a in &annotations {
        // One command a line: what it carries is its message, not a command.
        assert!(a.starts_with("::error file=posts/bad.yaml,"), "{a}");
    }
    let (read_err, fenced_err) = runner_view(&stderr);
    assert!(read_err.iter().all(|l| !is_command(l)), "{stderr}");
    assert!(
        fenced
            .iter()
            .chain(&fenced_err)
            .any(|l| l.contains("::add-mask::x")),
        "the field is named somewhere:\n{stdout}\n{stderr}"
    );

    // Into a file, the output is the output, without fences.
    let file = dir.path().join("plan.md");
    std::fs::remove_file(posts.join("bad.yaml")).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tweetform"))
        .arg("-C")
        .arg(dir.path())
        .args(["plan", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .stdout(std::fs::File::create(&file).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(!md.contains("::stop-commands::"), "{md}");
    assert!(md.contains("add-mask"), "{md}");
}
