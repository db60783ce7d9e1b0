//! `tweetform plan` end to end: the binary run on the fixture projects under
//! tests/fixtures, checking output, exit codes and error messages.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tweetform::plan::{Action, Plan};

/// The instant every plan here is made at (`plan --at`).
const NOW: &str = "2026-11-23T12:00:00Z";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `tweetform -C <fixture> plan ARGS…` with a fixed clock and no colour.
fn plan(name: &str, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("tweetform").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .arg("-C")
        .arg(fixture(name))
        .args(["plan", "--at", NOW])
        .args(args);
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn human_plan_of_create_wait_and_replace() {
    let assert = plan("mixed", &[]).assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_plan() {
    let out = stdout_of(&mut plan("mixed", &["--format", "markdown"]));
    insta::assert_snapshot!(out);
}

#[test]
fn json_plan_is_the_documented_document() {
    let out = stdout_of(&mut plan("mixed", &["--format", "json"]));
    let parsed: Plan = serde_json::from_str(&out).expect("JSON plan parses as a Plan");
    assert_eq!(parsed.lineage, "0f3a9c1e5b7d4e2f8a6b1c3d5e7f9a0b");
    assert_eq!(parsed.serial, 3);
    let actions: Vec<(&str, Action)> = parsed
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("hello", Action::Create),
            ("later", Action::Wait),
            ("typo", Action::Replace)
        ]
    );
    assert_eq!(parsed.summary.unchanged, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn reposts_in_every_format() {
    let out = stdout_of(&mut plan("reposts", &[]));
    assert!(out.contains("+ repost https://x.com/i/status/20"), "{out}");
    assert!(
        out.contains("- undo repost https://x.com/i/status/1860000000000000008"),
        "{out}"
    );
    insta::assert_snapshot!("reposts_terminal", out);

    let md = stdout_of(&mut plan("reposts", &["--format", "markdown"]));
    assert!(
        md.contains("**Repost** · [https://x.com/i/status/20]"),
        "{md}"
    );
    insta::assert_snapshot!("reposts_markdown", md);

    let json = stdout_of(&mut plan("reposts", &["--format", "json"]));
    let parsed: Plan = serde_json::from_str(&json).expect("JSON plan parses as a Plan");
    let actions: Vec<(&str, Action)> = parsed
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("gone", Action::Delete),
            ("share", Action::Create),
            ("switch", Action::Replace)
        ]
    );
    assert_eq!(parsed.summary.unchanged, 1);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["changes"][1]["tweets"][0]["op"], "repost");
    assert_eq!(value["changes"][1]["tweets"][0]["tweet_id"], "20");
}

#[test]
fn a_repost_with_text_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("posts")).unwrap();
    std::fs::write(
        dir.path().join("posts/both.yaml"),
        "repost: \"20\"\ntext: my words\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("tweetform").expect("binary built");
    cmd.arg("-C")
        .arg(dir.path())
        .args(["plan", "--at", NOW])
        .assert()
        .failure()
        .stderr(predicate::str::contains("posts/both.yaml:2:1"))
        .stderr(predicate::str::contains(
            "`text` cannot sit next to `repost:`",
        ));
}

#[test]
fn color_always_colours_and_never_does_not() {
    let coloured = stdout_of(plan("mixed", &[]).arg("--color").arg("always"));
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    let plain = stdout_of(plan("mixed", &[]).arg("--color").arg("never"));
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn detailed_exitcode_is_2_with_changes() {
    plan("mixed", &["--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "Plan: 1 to create, 1 to replace, 1 waiting.",
        ));
}

#[test]
fn detailed_exitcode_is_0_without_changes() {
    plan("uptodate", &["--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout("No changes. 1 post up to date.\n");
}

#[test]
fn waiting_posts_alone_are_not_changes() {
    plan("waiting", &["--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "will wait until 2027-01-15T09:00:00Z",
        ))
        .stdout(predicate::str::contains(
            "No changes. 0 posts up to date, 1 waiting.",
        ));
}

#[test]
fn changes_exit_0_without_detailed_exitcode() {
    plan("mixed", &[]).assert().code(0);
}

#[test]
fn validation_errors_are_located_and_stop_the_plan() {
    plan("invalid", &[])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("posts/x.yaml:3:7: "))
        .stderr(predicate::str::contains("no plan was made"));
}

#[test]
fn conflict_markers_in_the_state_are_an_error_naming_the_file() {
    let state = fixture("conflict").join("state/tweets.lock.json");
    let before = std::fs::read(&state).unwrap();
    plan("conflict", &[])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("state/tweets.lock.json:9:"))
        .stderr(predicate::str::contains("conflict markers"));
    assert_eq!(std::fs::read(&state).unwrap(), before, "state untouched");
}

#[test]
fn dash_c_is_the_same_as_running_in_the_directory() {
    let with_c = stdout_of(&mut plan("mixed", &[]));
    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.current_dir(fixture("mixed"))
        .env_remove("GITHUB_ACTIONS")
        .args(["plan", "--at", NOW]);
    assert_eq!(stdout_of(&mut cmd), with_c);
}

#[test]
fn out_saves_the_plan_atomically_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tweets.plan");
    plan("mixed", &["--out"])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "tweetform -C {} apply {}",
            fixture("mixed").display(),
            file.display()
        )));
    let saved: Plan =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("saved plan parses");
    let printed: Plan =
        serde_json::from_str(&stdout_of(&mut plan("mixed", &["--format", "json"]))).unwrap();
    assert_eq!(saved, printed);
    // The create carries the body apply will send.
    let hello = saved.changes.iter().find(|c| c.key == "hello").unwrap();
    assert!(hello.tweets[0].body().is_some());
    // Only the plan is left in the directory: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn out_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    plan("mixed", &["--out"])
        .arg(dir.path().join("no/such/dir/tweets.plan"))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("cannot save the plan"));
}

#[test]
fn a_bad_at_time_is_an_error() {
    Command::cargo_bin("tweetform")
        .unwrap()
        .arg("-C")
        .arg(fixture("mixed"))
        .args(["plan", "--at", "tomorrow"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "`tomorrow` is not an RFC 3339 time such as 2026-11-23T12:00:00Z",
        ));
}

#[test]
fn at_plans_as_if_it_were_that_time() {
    // The fixture's waiting post is due at some point: well before it, it
    // waits; long after, it is created.
    let before: Plan =
        serde_json::from_str(&stdout_of(&mut plan("mixed", &["--format", "json"]))).unwrap();
    assert_eq!(before.planned_at.to_string(), NOW);
    let waiting = before
        .changes
        .iter()
        .find(|c| c.action == Action::Wait)
        .expect("the fixture has a waiting post");
    let due = waiting.publish_at.unwrap().to_string();
    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    cmd.env_remove("GITHUB_ACTIONS")
        .arg("-C")
        .arg(fixture("mixed"))
        .args(["plan", "--format", "json", "--at", &due]);
    let then: Plan = serde_json::from_str(&stdout_of(&mut cmd)).unwrap();
    assert_eq!(then.planned_at.to_string(), due);
    let c = then.changes.iter().find(|c| c.key == waiting.key).unwrap();
    assert_eq!(c.action, Action::Create);
}

/// A project whose plan has every action, made by the real loader and
/// planner from files and a committed state.
#[test]
fn every_action_in_every_format() {
    let human = stdout_of(&mut plan("everything", &[]));
    assert!(human.contains(
        "Plan: 1 to create, 1 to append, 1 to replace, 1 to delete, 1 to move, 1 waiting."
    ));
    insta::assert_snapshot!("everything_human", human);
    insta::assert_snapshot!(
        "everything_human_color",
        stdout_of(&mut plan("everything", &["--color", "always"]))
    );
    insta::assert_snapshot!(
        "everything_markdown",
        stdout_of(&mut plan("everything", &["--format", "markdown"]))
    );
    let json = stdout_of(&mut plan("everything", &["--format", "json"]));
    let parsed: Plan = serde_json::from_str(&json).expect("JSON plan parses");
    assert_eq!(parsed.changes.len(), 6);
    insta::assert_snapshot!("everything_json", json);
}

#[test]
fn under_github_actions_the_plan_goes_to_the_summary_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, outputs) = (dir.path().join("summary.md"), dir.path().join("output"));
    std::fs::write(&summary, "earlier step\n").unwrap();
    let human = stdout_of(
        plan("mixed", &[])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs),
    );
    // Fenced from the runner's workflow commands (tests/github.rs), and
    // otherwise in the chosen format.
    let (fence, human) = human.split_once('\n').unwrap();
    assert!(fence.starts_with("::stop-commands::"), "{fence}");
    assert!(
        human.starts_with("Actions are shown"),
        "stdout keeps the chosen format"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("earlier step\n<!-- tweetform-plan -->\n"));
    assert!(summary.contains("**Plan: 1 to create, 1 to replace, 1 waiting.**"));
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    for line in [
        "has_changes=true",
        "create=1",
        "append=0",
        "replace=1",
        "delete=0",
        "wait=1",
    ] {
        assert!(outputs.lines().any(|l| l == line), "{line} in {outputs}");
    }
}

#[test]
fn outside_github_actions_no_summary_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    plan("mixed", &[])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .success();
    assert!(!summary.exists());
}

#[test]
fn under_github_actions_invalid_posts_are_annotated() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let assert = plan("invalid", &[])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .code(1);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.starts_with("::error file=") && stdout.contains(",line=3,col=7"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("x.yaml:3:7"), "{summary}");
    assert!(
        !summary.contains("tweetform-plan"),
        "no plan in the summary"
    );
}

/// The fixture `name` copied into a scratch directory, with this
/// `tweetform.yaml`.
fn fixture_with_config(name: &str, config: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture(name), dir.path());
    std::fs::write(dir.path().join("tweetform.yaml"), config).unwrap();
    dir
}

fn plan_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("tweetform").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .arg("-C")
        .arg(dir)
        .args(["plan", "--at", NOW])
        .args(args);
    cmd
}

#[test]
fn prices_in_the_config_price_the_plan_in_every_format() {
    // `mixed` creates one post and replaces one: two posts and a delete.
    let dir = fixture_with_config(
        "mixed",
        "prices:\n  date: 2026-09-01\n  post_create: 0.02\n  interaction_delete: '0.005'\n",
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut plan_in(dir.path(), &["--format", "json"]))).unwrap();
    assert_eq!(json["cost"]["total_usd"], "0.045");
    assert_eq!(json["cost"]["prices_date"], "2026-09-01");
    assert_eq!(json["cost"]["prices"]["post_create_with_url"], "0.20");
    let line =
        "Cost: $0.045 at X's pay-per-use prices of 2026-09-01 (2 posts $0.04, 1 delete $0.005).";
    let human = stdout_of(&mut plan_in(dir.path(), &[]));
    assert!(human.contains(line), "{human}");
    let markdown = stdout_of(&mut plan_in(dir.path(), &["--format", "markdown"]));
    assert!(markdown.contains(&format!("💲 {line}")), "{markdown}");
}

#[test]
fn a_bad_price_is_an_error_at_its_line_and_column() {
    let dir = fixture_with_config(
        "mixed",
        "prices:\n  date: 2026-09-01\n  post_create: free\n",
    );
    plan_in(dir.path(), &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains("tweetform.yaml:3:16"))
        .stderr(predicate::str::contains("not an amount of US dollars"));
}

/// `mixed` (a create, a wait, a replace) with a budget of 1 create per 15
/// minutes, one create 5 minutes before [`NOW`] in the state, and a
/// publishing workflow with two cron lines.
fn tight_project() -> tempfile::TempDir {
    let dir = fixture_with_config(
        "mixed",
        "budget:\n  creates: [{ limit: 1, window: 15m }]\n  deletes: [{ limit: 50, window: 15m }]\n",
    );
    let state_path = dir.path().join("state/tweets.lock.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["requests"]["creates"] = serde_json::json!(["2026-11-23T11:55:00Z"]);
    std::fs::write(&state_path, state.to_string()).unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("tweets.yml"),
        "name: tweets\non:\n  push:\n    branches: [main]\n  schedule:\n    - cron: \"0,30 * * * *\"\n    - cron: \"12 12 * * *\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn held_posts_are_forecast_from_the_budget_history_and_the_workflow_schedule() {
    let dir = tight_project();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut plan_in(dir.path(), &["--format", "json"]))).unwrap();
    let forecast = |key: &str| {
        json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .unwrap()["forecast"]
            .clone()
    };
    // The create of 11:55 leaves the window at 12:10; the daily run at
    // 12:12 is the first after it.
    assert_eq!(forecast("hello")["not_before"], "2026-11-23T12:12:00Z");
    assert_eq!(forecast("hello")["schedule"], "cron: 12 12 * * *");
    let why = forecast("hello")["why"].as_str().unwrap().to_owned();
    assert!(
        why.starts_with("workflow schedule: the first run of \"12 12 * * *\" at or after 2026-11-23T12:10:00Z, held by rate window:"),
        "{why}"
    );
    // The replace deletes now; its create follows hello's, at 12:25: the
    // run at 12:30 takes it.
    assert_eq!(forecast("typo")["not_before"], "2026-11-23T12:30:00Z");
    // A run falls on the waiting post's publish_at itself.
    assert_eq!(
        forecast("later"),
        serde_json::json!({
            "not_before": "2027-01-15T08:00:00Z",
            "why": "publish_at",
            "schedule": "cron: 0,30 * * * *"
        })
    );
    insta::assert_snapshot!(
        "forecast_json",
        stdout_of(&mut plan_in(dir.path(), &["--format", "json"]))
    );
    insta::assert_snapshot!("forecast_human", stdout_of(&mut plan_in(dir.path(), &[])));
    insta::assert_snapshot!(
        "forecast_markdown",
        stdout_of(&mut plan_in(dir.path(), &["--format", "markdown"]))
    );
}

#[test]
fn a_bad_cron_in_the_workflow_is_an_error_at_its_line() {
    let dir = tight_project();
    std::fs::write(
        dir.path().join(".github/workflows/tweets.yml"),
        "on:\n  schedule:\n    - cron: \"every hour\"\n",
    )
    .unwrap();
    plan_in(dir.path(), &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            ".github/workflows/tweets.yml:3:14: on.schedule: `every hour` is not a cron schedule",
        ));
}

/// `mixed` with `edits: true`, its typo tweet published at `published_at`.
fn mixed_with_edits(published_at: &str) -> tempfile::TempDir {
    let dir = fixture_with_config("mixed", "edits: true\n");
    let path = dir.path().join("state/tweets.lock.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    state["posts"]["typo"]["tweets"][0]["published_at"] = published_at.into();
    std::fs::write(&path, state.to_string()).unwrap();
    dir
}

#[test]
fn a_typo_fixed_inside_the_edit_window_is_an_edit() {
    let dir = mixed_with_edits("2026-11-23T11:50:00Z");
    let human = stdout_of(&mut plan_in(dir.path(), &[]));
    insta::assert_snapshot!("edit_human", human);
    let json: Plan =
        serde_json::from_str(&stdout_of(&mut plan_in(dir.path(), &["--format", "json"]))).unwrap();
    let typo = json.changes.iter().find(|c| c.key == "typo").unwrap();
    assert_eq!(typo.action, Action::Edit);
    assert!(!typo.destructive());
    assert_eq!(typo.tweets[0].op.name(), "edit");
    assert_eq!(json.summary.edit, 1);
    let markdown = stdout_of(&mut plan_in(dir.path(), &["--format", "markdown"]));
    assert!(
        markdown.contains("#### ✏️ Edit (1 post)")
            && markdown.contains("· edits [https://x.com/i/status/1860000000000000001]"),
        "{markdown}"
    );
}

#[test]
fn outside_the_edit_window_the_plan_says_why_it_replaces() {
    let dir = mixed_with_edits("2026-11-23T11:00:00Z");
    let human = stdout_of(&mut plan_in(dir.path(), &[]));
    assert!(
        human.contains(
            "not an edit: tweet 1 is outside the edit window since 2026-11-23T11:30:00Z (30m after it was published)"
        ),
        "{human}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&mut plan_in(dir.path(), &["--format", "json"]))).unwrap();
    let typo = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "typo")
        .unwrap();
    assert_eq!(typo["action"], "replace");
    assert!(
        typo["not_an_edit"]
            .as_str()
            .unwrap()
            .contains("outside the edit window")
    );
}
