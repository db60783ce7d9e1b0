//! `tweetform apply`, the binary, against the fake X over HTTP on
//! 127.0.0.1: killed with SIGKILL at random instants and run again, a
//! connection dropped after X committed a tweet, bursts of 503. Each test
//! ends with exactly one tweet per post on the server and the matching IDs
//! in the state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tweetform::state::State;
use tweetform_emulator::{self as emulator, Endpoint, TEST_CREDENTIALS};

#[path = "support/http_fake.rs"]
mod http_fake;
use http_fake::Fake;

struct Project {
    dir: tempfile::TempDir,
    texts: BTreeMap<String, Vec<String>>,
    /// Creates X should have stored in all (deleted tweets included).
    creates: usize,
}

impl Project {
    /// `singles` one-tweet posts and one thread of three.
    fn new(singles: usize) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("posts");
        std::fs::create_dir_all(posts.join("threads")).unwrap();
        let mut texts = BTreeMap::new();
        for i in 0..singles {
            let key = format!("p{i:02}");
            let text = format!("Post number {i}: tweets as code, published exactly once.");
            std::fs::write(
                posts.join(format!("{key}.yaml")),
                format!("text: \"{text}\"\n"),
            )
            .unwrap();
            texts.insert(key, vec![text]);
        }
        let thread: Vec<String> = (1..=3)
            .map(|i| format!("A thread, part {i} of 3."))
            .collect();
        let yaml: String = thread
            .iter()
            .map(|t| format!("  - text: \"{t}\"\n"))
            .collect();
        std::fs::write(
            posts.join("threads/launch.yaml"),
            format!("thread:\n{yaml}"),
        )
        .unwrap();
        texts.insert("threads/launch".into(), thread);
        let creates = texts.values().map(Vec::len).sum();
        Project {
            dir,
            texts,
            creates,
        }
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

    fn command(&self, fake: &Fake) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tweetform"));
        cmd.arg("-C")
            .arg(self.root())
            .arg("--color")
            .arg("never")
            .arg("apply")
            .env_remove("TWITTER_API_KEY")
            .env_remove("NO_COLOR");
        fake.env(&mut cmd);
        cmd
    }

    fn apply(&self, fake: &Fake) -> Output {
        self.command(fake).output().unwrap()
    }

    /// Exactly one live tweet per post tweet, no other tweet ever created,
    /// the state holding exactly those IDs in thread order, no intent left.
    fn assert_published_exactly_once(&self, fake: &Fake) {
        let live = fake.live();
        let state = self.state();
        assert!(
            state.pending.is_empty(),
            "intents left: {:?}",
            state.pending
        );
        assert_eq!(fake.committed(), self.creates, "a tweet was created twice");
        let mut recorded = BTreeSet::new();
        for (key, texts) in &self.texts {
            let post = state
                .posts
                .get(key)
                .unwrap_or_else(|| panic!("{key} not in the state"));
            assert_eq!(post.tweets.len(), texts.len(), "{key}");
            for (t, text) in post.tweets.iter().zip(texts) {
                assert_eq!(live.get(text), Some(&vec![t.id.clone()]), "{key}: {text}");
                recorded.insert(t.id.clone());
            }
            // Thread chaining survived the interruptions.
            for pair in post.tweets.windows(2) {
                let child = fake.with(|f| f.tweet(&pair[1].id).cloned()).unwrap();
                assert_eq!(child.in_reply_to.as_deref(), Some(pair[0].id.as_str()));
            }
        }
        let on_x: BTreeSet<String> = live.values().flatten().cloned().collect();
        assert_eq!(recorded, on_x);
    }
}

fn text(o: &Output) -> String {
    format!(
        "status: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `apply` again and again, each run killed with SIGKILL after a
/// random moment, until one finishes. Returns the kills and what every run
/// printed (a killed run's pipes keep what it wrote).
fn kill_until_done(project: &Project, fake: &Fake, args: &[&str]) -> (u32, String) {
    let mut kills = 0;
    let mut said = String::new();
    for round in 0..200u64 {
        let mut child = project
            .command(fake)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Later rounds get longer, so that the loop ends whatever the luck.
        let after = Duration::from_millis(rand::random_range(20..250) + round * 10);
        let deadline = Instant::now() + after;
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if finished.is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let out = child.wait_with_output().unwrap();
        said.push_str(&String::from_utf8_lossy(&out.stdout));
        said.push_str(&String::from_utf8_lossy(&out.stderr));
        if let Some(status) = finished {
            assert!(
                status.success(),
                "round {round}: apply failed:\n{}",
                text(&out)
            );
            return (kills, said);
        }
    }
    panic!("apply never finished");
}

#[test]
fn kill_9_at_random_instants_then_rerun_until_done() {
    let fake = Fake::start();
    // Slow answers (after the tweet is stored) widen the window in which a
    // kill lands between X committing and the state recording it.
    fake.with(|f| f.set_delay(Some(Duration::from_millis(15))));
    let mut project = Project::new(20);
    let started = Instant::now();

    let (kills, said) = kill_until_done(&project, &fake, &[]);
    assert!(
        kills >= 2,
        "the test must actually interrupt applies ({kills} kills)"
    );
    let last = project.apply(&fake);
    assert!(last.status.success(), "{}", text(&last));
    assert!(
        String::from_utf8_lossy(&last.stdout).contains("Nothing to do: X matches the posts."),
        "{}",
        text(&last)
    );
    project.assert_published_exactly_once(&fake);
    let adopted = said.matches("found on X from an interrupted run").count();
    let stale = said.matches("took over a stale lock").count();
    assert!(
        adopted >= 1,
        "no kill landed between X's commit and the state's write"
    );

    // Then deletes and a replace, killed the same way: five posts removed,
    // the thread's second tweet edited (its tail is deleted and posted again).
    for i in 0..5 {
        let key = format!("p{i:02}");
        std::fs::remove_file(project.root().join(format!("posts/{key}.yaml"))).unwrap();
        project.texts.remove(&key);
    }
    let thread = vec![
        "A thread, part 1 of 3.".to_owned(),
        "A thread, part 2 of 3, edited.".to_owned(),
        "A thread, part 3 of 3.".to_owned(),
    ];
    let yaml: String = thread
        .iter()
        .map(|t| format!("  - text: \"{t}\"\n"))
        .collect();
    std::fs::write(
        project.root().join("posts/threads/launch.yaml"),
        format!("thread:\n{yaml}"),
    )
    .unwrap();
    project.texts.insert("threads/launch".into(), thread);
    project.creates += 2;
    let (kills2, said2) = kill_until_done(&project, &fake, &["--allow-destroy"]);
    let last = project
        .command(&fake)
        .arg("--allow-destroy")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&last.stdout).contains("Nothing to do: X matches the posts."),
        "{}",
        text(&last)
    );
    project.assert_published_exactly_once(&fake);
    assert_eq!(fake.with(|f| f.too_many_requests_sent()), 0);
    eprintln!(
        "publish: {kills} kills, {adopted} tweets recovered from killed runs, {stale} stale locks taken over; \
         delete and replace: {kills2} kills, {} deletes found already done; {:?}",
        said2.matches("(already gone)").count(),
        started.elapsed()
    );
}

#[test]
fn connection_dropped_after_commit_is_recorded_once() {
    let fake = Fake::start();
    fake.with(|f| f.drop_after_commit(2));
    let project = Project::new(5);
    let out = project.apply(&fake);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("https://x.com/i/status/"), "{stdout}");
    project.assert_published_exactly_once(&fake);
}

#[test]
fn bursts_of_503_are_retried() {
    let fake = Fake::start();
    fake.with(|f| f.fail_next(3, 503));
    let project = Project::new(5);
    let out = project.apply(&fake);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("retrying"), "{stdout}");
    project.assert_published_exactly_once(&fake);
    // A second run has nothing to do.
    let again = project.apply(&fake);
    assert!(again.status.success(), "{}", text(&again));
    project.assert_published_exactly_once(&fake);
}

#[test]
fn missing_credentials_are_named_before_any_change() {
    let fake = Fake::start();
    let project = Project::new(1);
    let out = project
        .command(&fake)
        .env_remove("X_API_SECRET")
        .env_remove("TWITTER_API_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("X_API_SECRET"), "{stderr}");
    assert!(!stderr.contains(TEST_CREDENTIALS.consumer_key), "{stderr}");
    assert!(!project.state_path().exists());
    assert_eq!(fake.committed(), 0);
}

#[test]
fn invalid_posts_send_nothing() {
    let fake = Fake::start();
    let project = Project::new(2);
    std::fs::write(project.root().join("posts/bad.yaml"), "txet: typo\n").unwrap();
    let out = project.apply(&fake);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("posts/bad.yaml:1:1"));
    assert_eq!(fake.committed(), 0);
}

#[test]
fn destructive_changes_are_held_and_the_rest_is_applied() {
    let fake = Fake::start();
    let project = Project::new(2);
    let out = project.apply(&fake);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::remove_file(project.root().join("posts/p01.yaml")).unwrap();
    std::fs::write(
        project.root().join("posts/p02.yaml"),
        "text: \"A new post goes out while the delete is held.\"\n",
    )
    .unwrap();

    let held = project.apply(&fake);
    assert_eq!(held.status.code(), Some(3), "{}", text(&held));
    let stdout = String::from_utf8_lossy(&held.stdout);
    assert!(
        stdout.contains("p01 (delete): its file is gone"),
        "{stdout}"
    );
    assert!(stdout.contains("--allow-destroy"), "{stdout}");
    assert!(stdout.contains("1 published"), "{stdout}");
    assert!(stdout.contains("1 held"), "{stdout}");
    let state = project.state();
    assert!(state.posts.contains_key("p01"), "the delete was held");
    assert!(state.posts.contains_key("p02"), "the create went out");
    assert_eq!(fake.live().len(), 3 + 2 + 1);

    // A saved plan follows the same rule.
    let plan = project.root().join("plan.json");
    save_plan(&project, &plan);
    let before = std::fs::read(project.state_path()).unwrap();
    let again = project.command(&fake).arg(&plan).output().unwrap();
    assert_eq!(again.status.code(), Some(3), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("p01 (delete)"));
    assert_eq!(std::fs::read(project.state_path()).unwrap(), before);

    let allowed = project
        .command(&fake)
        .arg("--allow-destroy")
        .output()
        .unwrap();
    assert!(allowed.status.success(), "{}", text(&allowed));
    assert!(!project.state().posts.contains_key("p01"));
    assert_eq!(fake.live().len(), 3 + 1 + 1);
}

#[test]
fn a_held_lock_is_reported() {
    let fake = Fake::start();
    let project = Project::new(1);
    let _held =
        tweetform::lock::ApplyLock::acquire(&project.state_path(), jiff::Timestamp::now()).unwrap();
    let out = project.apply(&fake);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another apply (pid"), "{stderr}");
    assert_eq!(fake.committed(), 0);
}

/// `tweetform plan --out FILE`.
fn save_plan(project: &Project, path: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_tweetform"))
        .arg("-C")
        .arg(project.root())
        .args(["--color", "never", "plan", "--out"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_saved_plan_runs_once_and_only_against_its_state_and_posts() {
    let fake = Fake::start();
    let project = Project::new(2);
    let plan = project.root().join("plan.json");
    save_plan(&project, &plan);
    let out = project.command(&fake).arg(&plan).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    project.assert_published_exactly_once(&fake);

    // The state moved on: the same plan is refused, nothing changes.
    let before = std::fs::read(project.state_path()).unwrap();
    let again = project.command(&fake).arg(&plan).output().unwrap();
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("the state changed since the plan was made"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(project.state_path()).unwrap(), before);

    // A new plan, then the posts change: refused too.
    std::fs::write(
        project.root().join("posts/new.yaml"),
        "text: \"brand new\"\n",
    )
    .unwrap();
    save_plan(&project, &plan);
    std::fs::write(
        project.root().join("posts/new.yaml"),
        "text: \"edited after review\"\n",
    )
    .unwrap();
    let edited = project.command(&fake).arg(&plan).output().unwrap();
    assert_eq!(edited.status.code(), Some(1), "{}", text(&edited));
    let stderr = String::from_utf8_lossy(&edited.stderr);
    assert!(
        stderr.contains("the posts no longer match the plan"),
        "{stderr}"
    );
    assert!(stderr.contains("new (create)"), "{stderr}");
    assert_eq!(std::fs::read(project.state_path()).unwrap(), before);
    assert!(!fake.live().contains_key("edited after review"));
}

#[test]
fn a_saved_plan_missing_what_a_tweet_needs_is_refused_when_read() {
    let fake = Fake::start();
    let project = Project::new(1);
    let plan = project.root().join("plan.json");
    save_plan(&project, &plan);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    json["changes"][0]["tweets"][0]
        .as_object_mut()
        .unwrap()
        .remove("body");
    std::fs::write(&plan, serde_json::to_string_pretty(&json).unwrap()).unwrap();

    let out = project.command(&fake).arg(&plan).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plan.json:"), "{stderr}");
    assert!(
        stderr.contains("tweet 1: a create needs `body`, what it sends to X"),
        "{stderr}"
    );
    assert!(fake.live().is_empty());
    assert!(!project.state_path().exists());
}

fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn commit_records_the_state_and_nothing_else() {
    let fake = Fake::start();
    let project = Project::new(2);
    let root = project.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "posts"]);
    git(root, &["commit", "-q", "-m", "posts"]);
    let out = project
        .command(&fake)
        .arg("--commit")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let files = git(root, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(
        files.trim(),
        "state/tweets.lock.json",
        "the lock file stays out"
    );
    let message = git(root, &["log", "-1", "--format=%B"]);
    let state = project.state();
    for post in state.posts.values() {
        for t in &post.tweets {
            assert!(
                message.contains(&format!("https://x.com/i/status/{}", t.id)),
                "{message}"
            );
        }
    }
    // Nothing changed: no new commit.
    let head = git(root, &["rev-parse", "HEAD"]);
    let again = project
        .command(&fake)
        .arg("--commit")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
}

#[test]
fn github_actions_get_a_summary_and_outputs() {
    let fake = Fake::start();
    let project = Project::new(2);
    let summary = project.root().join("summary.md");
    let outputs = project.root().join("outputs.txt");
    let out = project
        .command(&fake)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert!(outputs.contains("published=3"), "{outputs}");
    assert!(outputs.contains("deferred=0"), "{outputs}");
    let summary = std::fs::read_to_string(summary).unwrap();
    let state = project.state();
    let id = &state.posts["threads/launch"].tweets[2].id;
    assert!(
        summary.contains(&format!("https://x.com/i/status/{id}")),
        "{summary}"
    );
}

#[test]
fn rejected_credentials_stop_the_apply_at_the_first_refusal() {
    let fake = Fake::start();
    let project = Project::new(5);
    let out = project
        .command(&fake)
        .env("X_API_SECRET", "not-the-secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("X rejected the credentials"), "{all}");
    assert!(all.contains("= help: check X_API_KEY"), "{all}");
    assert!(!all.contains("not-the-secret"), "{all}");
    assert_eq!(fake.committed(), 0);
    assert_eq!(
        fake.with(|f| f.requests_to(emulator::Endpoint::CreateTweet)),
        1,
        "one refusal is enough"
    );
    assert!(project.state().pending.is_empty());
}

#[test]
fn a_custom_budget_defers_then_wait_publishes_the_rest() {
    let fake = Fake::start();
    let project = Project::new(3);
    std::fs::write(
        project.root().join("tweetform.yaml"),
        "budget:\n  creates:\n    - { limit: 4, window: 2s }\n  deletes:\n    - { limit: 1, window: 2s }\n",
    )
    .unwrap();
    // 6 tweets (3 singles, a thread of 3): 4 fit now.
    let first = project.apply(&fake);
    assert!(first.status.success(), "{}", text(&first));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("deferred until"), "{stdout}");
    assert!(stdout.contains("Deferred work can run from"), "{stdout}");
    assert_eq!(fake.committed(), 4);
    let state = project.state();
    assert_eq!(
        state.requests.creates.len(),
        4,
        "request times kept for the next run"
    );

    // The next run knows the window is full from the state alone, and waits.
    let second = project
        .command(&fake)
        .args(["--wait", "10s"])
        .output()
        .unwrap();
    assert!(second.status.success(), "{}", text(&second));
    assert!(String::from_utf8_lossy(&second.stdout).contains("waiting until"));
    project.assert_published_exactly_once(&fake);
    assert_eq!(fake.with(|f| f.too_many_requests_sent()), 0);
}

#[test]
fn x_headers_hold_the_apply_back_before_a_429() {
    let fake = Fake::start();
    // X allows 3 creates per 2 seconds; tweetform's default budget thinks 200.
    fake.with(|f| {
        f.set_limits(emulator::Limits {
            create: vec![emulator::Window::seconds(3, 2)],
            ..emulator::Limits::x_defaults()
        })
    });
    let project = Project::new(2);
    let out = project
        .command(&fake)
        .args(["--wait", "30s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    project.assert_published_exactly_once(&fake);
    assert_eq!(fake.with(|f| f.too_many_requests_sent()), 0);
}

#[test]
fn a_bad_wait_duration_is_refused() {
    let fake = Fake::start();
    let project = Project::new(1);
    let out = project
        .command(&fake)
        .args(["--wait", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("write it like `90s`, `15m` or `3h`"));
    assert_eq!(fake.committed(), 0);
}

/// Starts `apply`, waits for a line of its output that `ready` accepts,
/// sends `signal` with `kill`, and returns the run's whole output.
#[cfg(unix)]
fn signal_when(mut cmd: Command, ready: impl Fn(&str) -> bool, signal: &str) -> (Output, Duration) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "apply ended before the signal:\n{seen}"
        );
        seen.push_str(&line);
        if ready(&line) {
            break;
        }
    }
    let sent = Instant::now();
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    stdout.read_to_string(&mut seen).unwrap();
    let mut out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    out.stdout = seen.into_bytes();
    (out, took)
}

#[cfg(unix)]
#[test]
fn sigint_mid_run_finishes_the_request_in_flight_saves_and_exits_130() {
    let fake = Fake::start();
    fake.with(|f| f.set_delay(Some(Duration::from_millis(150))));
    let project = Project::new(12);
    // Left by a save that a kill cut short: the next run removes it.
    std::fs::create_dir_all(project.root().join("state")).unwrap();
    let leftover = project.root().join("state/.tweets.lock.json.k1LLd.tmp");
    std::fs::write(&leftover, "{").unwrap();

    let (out, _) = signal_when(project.command(&fake), |l| l.starts_with("+ "), "INT");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Interrupted by SIGINT"), "{stdout}");
    assert!(stdout.contains("Apply (interrupted):"), "{stdout}");
    assert!(!leftover.exists(), "the temporary file was removed");
    assert!(
        !tweetform::lock::lock_path(&project.state_path()).exists(),
        "the lock was released"
    );
    // The state is valid, and holds every tweet X has: the one in flight
    // was recorded, and no intent is left.
    let state = project.state();
    assert!(state.pending.is_empty(), "{:?}", state.pending);
    let recorded: usize = state.posts.values().map(|p| p.tweets.len()).sum();
    assert_eq!(recorded, fake.committed());
    assert!(recorded < project.creates, "the run stopped early");

    let rest = project.apply(&fake);
    assert!(rest.status.success(), "{}", text(&rest));
    project.assert_published_exactly_once(&fake);
}

#[cfg(unix)]
#[test]
fn sigterm_wakes_a_wait_for_the_budget_and_exits_143() {
    let fake = Fake::start();
    let project = Project::new(3);
    std::fs::write(
        project.root().join("tweetform.yaml"),
        "budget:\n  creates: [{ limit: 2, window: 1h }]\n",
    )
    .unwrap();
    let mut cmd = project.command(&fake);
    cmd.args(["--wait", "2h"]);
    let (out, took) = signal_when(cmd, |l| l.contains("waiting until"), "TERM");
    assert_eq!(out.status.code(), Some(143), "{}", text(&out));
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Interrupted by SIGTERM"), "{stdout}");
    assert_eq!(fake.committed(), 2);
    let state = project.state();
    assert!(state.pending.is_empty());
    assert_eq!(
        state.posts.values().map(|p| p.tweets.len()).sum::<usize>(),
        2
    );
    assert!(!tweetform::lock::lock_path(&project.state_path()).exists());
}

#[cfg(unix)]
#[test]
fn a_second_sigint_stops_at_once_and_the_next_run_recovers() {
    let fake = Fake::start();
    fake.with(|f| f.set_delay(Some(Duration::from_millis(1500))));
    let project = Project::new(3);
    let child = project
        .command(&fake)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Well inside the first (slow) request.
    std::thread::sleep(Duration::from_millis(700));
    let kill = || {
        let ok = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    };
    kill();
    std::thread::sleep(Duration::from_millis(100));
    kill();
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(
        sent.elapsed() < Duration::from_millis(1200),
        "{:?}",
        sent.elapsed()
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted again (SIGINT)"),
        "{}",
        text(&out)
    );

    fake.with(|f| f.set_delay(None));
    let rest = project.apply(&fake);
    assert!(rest.status.success(), "{}", text(&rest));
    project.assert_published_exactly_once(&fake);
}

#[test]
fn nothing_reachable_leaves_nothing_pending_and_says_so_once() {
    let project = Project::new(1);
    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let fake = Fake::start();
    let out = project
        .command(&fake)
        .env("TWEETFORM_API_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("could not connect to X"), "{all}");
    assert!(all.contains("nothing was sent"), "{all}");
    assert!(all.contains("--api-url"), "{all}");
    for line in all.lines() {
        assert!(
            line.matches("Connection refused").count() <= 1,
            "the error is said once: {line}"
        );
    }
    let state = project.state();
    assert!(state.pending.is_empty(), "{:?}", state.pending);
    assert!(state.posts.is_empty());
    assert_eq!(fake.committed(), 0);
}

#[test]
fn a_text_x_refuses_as_a_duplicate_fails_at_once_with_that_reason() {
    let fake = Fake::start();
    let project = Project::new(2);
    let text0 = project.texts["p00"][0].clone();
    fake.with(|f| {
        f.reject_text(
            &text0,
            403,
            "You are not allowed to create a Tweet with duplicate content.",
        )
    });
    let started = Instant::now();
    let out = project.apply(&fake);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("duplicate content"), "{all}");
    assert!(!all.contains("not visible"), "{all}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "no three-minute wait: {:?}",
        started.elapsed()
    );
    let state = project.state();
    assert!(state.pending.is_empty(), "{:?}", state.pending);
    assert!(!state.posts.contains_key("p00"));
    assert!(state.posts.contains_key("p01"), "the others went out");
}

#[test]
fn a_clock_90_seconds_ahead_of_xs_keeps_its_tweets() {
    // X's clock runs 90 s behind this machine's; answers are lost after X
    // stored the tweets. Recovery measures the offset and adopts them.
    let fake = Fake::start();
    fake.with(|f| {
        f.set_skew(jiff::SignedDuration::from_secs(-90));
        f.drop_after_commit(2);
    });
    let project = Project::new(3);
    let out = project.apply(&fake);
    assert!(out.status.success(), "{}", text(&out));
    project.assert_published_exactly_once(&fake);
}
/// A pipe nobody reads: its read end is dropped at once (EPIPE on write).
fn broken_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

#[test]
fn closed_stdout_still_publishes_saves_commits_and_summarises() {
    // stdout alone, and stdout and stderr both, without a reader.
    for both in [false, true] {
        let fake = Fake::start();
        let project = Project::new(2);
        let root = project.root();
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["add", "posts"]);
        git(root, &["commit", "-q", "-m", "posts"]);
        let summary = root.join("summary.md");
        let outputs = root.join("outputs.txt");
        let mut cmd = project.command(&fake);
        cmd.arg("--commit")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .stdout(broken_pipe());
        if both {
            cmd.stderr(broken_pipe());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "both: {both}: {}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "not an error");
        project.assert_published_exactly_once(&fake);
        assert_eq!(
            git(root, &["show", "--name-only", "--format=", "HEAD"]).trim(),
            "state/tweets.lock.json",
            "the state was committed"
        );
        let outputs = std::fs::read_to_string(outputs).unwrap();
        assert!(outputs.contains("published=3"), "{outputs}");
        let summary = std::fs::read_to_string(summary).unwrap();
        let id = &project.state().posts["threads/launch"].tweets[2].id;
        assert!(summary.contains(id.as_str()), "{summary}");
    }
}

#[test]
fn closed_descriptors_still_publish() {
    let fake = Fake::start();
    let project = Project::new(1);
    // The same command, started by a shell with stdout and stderr closed.
    let cmd = project.command(&fake);
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(r#"exec "$0" "$@" >&- 2>&-"#)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    let out = sh.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    project.assert_published_exactly_once(&fake);
}

#[test]
fn closed_outputs_never_hide_a_failure() {
    // Refused before anything is sent: its problems have no reader.
    let fake = Fake::start();
    let project = Project::new(1);
    std::fs::write(project.root().join("posts/bad.yaml"), "txet: typo\n").unwrap();
    let out = project
        .command(&fake)
        .stdout(broken_pipe())
        .stderr(broken_pipe())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(fake.committed(), 0);

    // Failed while sending: X refuses the credentials.
    std::fs::remove_file(project.root().join("posts/bad.yaml")).unwrap();
    for both in [false, true] {
        let mut cmd = project.command(&fake);
        cmd.env("X_API_SECRET", "not-the-secret")
            .stdout(broken_pipe());
        if both {
            cmd.stderr(broken_pipe());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "both: {both}: {}", text(&out));
        if !both {
            // What stopped it is a problem, on stderr, which is still read.
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("X rejected the credentials"), "{stderr}");
            assert!(stderr.contains("= help: check X_API_KEY"), "{stderr}");
        }
    }
    assert_eq!(fake.committed(), 0);
}

/// The state commit comes before the job summary and the step outputs: a
/// summary that cannot be written must not lose the IDs of what was
/// published.
#[test]
fn the_commit_survives_a_summary_that_cannot_be_written() {
    let fake = Fake::start();
    let project = Project::new(1);
    let root = project.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "posts"]);
    git(root, &["commit", "-q", "-m", "posts"]);
    // A directory where the summary file should be: appending to it fails.
    let unwritable = tempfile::tempdir().unwrap();
    let out = project
        .command(&fake)
        .arg("--commit")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", unwritable.path())
        .env("GITHUB_OUTPUT", unwritable.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(
        git(root, &["show", "--name-only", "--format=", "HEAD"]).trim(),
        "state/tweets.lock.json",
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("Committed the state"), "{}", text(&out));
}

/// SIGKILL after a post's media is uploaded and before its tweet reached X:
/// the next run reuses the uploads the state recorded (no second upload)
/// and publishes each tweet once, carrying exactly those uploads.
#[cfg(unix)]
#[test]
fn kill_9_between_an_upload_and_its_tweet_reuses_the_upload() {
    let fake = Fake::start_with(emulator::Behaviour {
        media_processing: Duration::from_millis(1500),
        ..emulator::Behaviour::default()
    });
    let project = Project::new(0);
    let media = project.root().join("media");
    std::fs::create_dir_all(&media).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/media");
    for name in ["launch.png", "clip.mp4"] {
        std::fs::copy(examples.join(name), media.join(name)).unwrap();
    }
    std::fs::write(
        project.root().join("posts/picture.yaml"),
        "text: A picture\nmedia:\n  - file: /media/launch.png\n    alt: The launch card\n",
    )
    .unwrap();
    std::fs::write(
        project.root().join("posts/video.yaml"),
        "text: A video\nmedia:\n  - file: /media/clip.mp4\n    alt: A test card\n",
    )
    .unwrap();
    // X refuses every create for now (a 503, retried with backoff): the
    // kill lands after the first upload, before any tweet exists.
    fake.with(|f| f.fail_next_on(Endpoint::CreateTweet, 1000, 503));
    let (out, _) = signal_when(project.command(&fake), |l| l.contains("↑ "), "KILL");
    assert!(!out.status.success());
    assert!(
        fake.live().keys().all(|t| !t.starts_with('A')),
        "no tweet yet"
    );
    let recorded = project.state().uploads;
    assert_eq!(recorded.len(), 1, "the upload was on disk before the kill");
    let uploads_before = fake.with(|f| f.uploads().len());

    fake.with(|f| f.faults_mut().failures.clear());
    let out = project.apply(&fake);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("uploaded by an earlier run, reused"),
        "{}",
        text(&out)
    );
    assert_eq!(
        fake.with(|f| f.uploads().len()),
        uploads_before + 1,
        "only the file not uploaded before the kill is uploaded now"
    );
    let live = fake.live();
    assert_eq!(live["A picture"].len(), 1);
    assert_eq!(live["A video"].len(), 1);
    let state = project.state();
    for (text, key) in [("A picture", "picture"), ("A video", "video")] {
        let id = &state.posts[key].tweets[0].id;
        assert_eq!(&live[text][0], id);
        let carried = fake.with(|f| {
            f.tweets()
                .iter()
                .find(|t| &t.id == id)
                .map(|t| t.body["media"]["media_ids"][0].as_str().unwrap().to_owned())
                .unwrap()
        });
        let record = state.uploads.values().find(|u| u.id == carried);
        assert!(
            record.is_some(),
            "{key}: the tweet carries a recorded upload"
        );
    }
    for (content, record) in &recorded {
        assert_eq!(
            state.uploads[content].id, record.id,
            "reused, not uploaded again"
        );
    }
}
