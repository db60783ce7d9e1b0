//! GitHub integration: annotations, job summary and step outputs written to
//! temporary files standing in for `GITHUB_STEP_SUMMARY` and
//! `GITHUB_OUTPUT`, and `apply --commit` in temporary git repositories.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tweetform::diagnostic::Diagnostic;
use tweetform::git::{self, Deleted, Failed, Published};
use tweetform::github::{self, GithubEnv};
use tweetform::plan::{Action, Change, Plan, Summary};
use tweetform::post::Pos;

fn diag(file: &str, line: usize, column: usize, message: &str) -> Diagnostic {
    Diagnostic::new(file, Pos { line, column }, message)
}

fn env_in(dir: &Path) -> GithubEnv {
    GithubEnv {
        actions: true,
        step_summary: Some(dir.join("summary.md")),
        output: Some(dir.join("output")),
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
    let d = diag("posts/a.yaml", 2, 1, "unknown key `txt`").with_hint("did you mean `text`?");
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
                destructive: action.is_destructive(),
                file: None,
                from: None,
                publish_at: None,
                tweets: Vec::new(),
            })
            .collect(),
        summary,
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
            replace: 1,
            delete: 1,
            moved: 0,
            wait: 1,
            unchanged: 4,
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

    let message = git::commit_message(
        &[published("hello", &["1800000000000000001"])],
        &[],
        &[],
        false,
    );
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
    let message = git::commit_message(
        &[published("2026/launch", &["111", "112"])],
        &[],
        &[Failed {
            key: "2026/poll".into(),
            reason: "Your Tweet text is too long.".into(),
        }],
        true,
    );
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
    let text = format!("{err:#}");
    assert!(text.contains("is not in a git repository"), "{text}");
    assert!(text.contains("help: run `git init`"), "{text}");
}

#[test]
fn the_message_lists_deletes_appends_and_replaces() {
    let message = git::commit_message(
        &[
            published("a", &["1"]),
            Published {
                key: "thread".into(),
                action: Action::Append,
                tweet_ids: vec!["2".into()],
            },
            Published {
                key: "fixed".into(),
                action: Action::Replace,
                tweet_ids: vec!["3".into()],
            },
        ],
        &[
            Deleted {
                key: "gone".into(),
                tweet_ids: vec!["4".into(), "5".into()],
            },
            Deleted {
                key: "gone2".into(),
                tweet_ids: vec!["6".into()],
            },
        ],
        &[],
        false,
    );
    let subject = message.lines().next().unwrap();
    assert_eq!(
        subject,
        "tweetform: publish 1 post, append to 1, replace 1, delete 2"
    );
    assert!(message.contains("- thread (appended)\n  https://x.com/i/status/2\n"));
    assert!(message.contains("- fixed (replaced)\n  https://x.com/i/status/3\n"));
    assert!(message.contains(
        "Deleted:\n- gone (deleted)\n  https://x.com/i/status/4\n  https://x.com/i/status/5\n"
    ));
    assert!(!message.contains("part-way"));
    // A run that only recorded budget usage still says what it is.
    assert_eq!(
        git::commit_message(&[], &[], &[], false),
        "tweetform: update state\n"
    );
}
