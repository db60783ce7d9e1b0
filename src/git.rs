//! `apply --commit`: committing the updated state, and nothing else.
//!
//! Uses the `git` command rather than a library so that the user's own git
//! configuration (hooks, signing, credentials for the later push) applies
//! exactly as it would to a commit made by hand.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};

use crate::plan::Action;
use crate::problem::Problem;
use crate::report::ApplyLog;
use crate::text::{plural, tweet_url};

/// The identity used when the repository has none (a fresh CI runner).
pub(crate) const FALLBACK_NAME: &str = "tweetform";
pub(crate) const FALLBACK_EMAIL: &str = "tweetform@users.noreply.github.com";

/// The commit message for the state after an apply: a subject counting what
/// changed on X, then one line per post with its tweet URLs, so that `git
/// log` is the account's publication history.
///
/// `partial` says the apply stopped before the end of the plan (a failure,
/// the rate budget, an interruption); the message says so, because the
/// state is then knowingly behind the posts.
pub fn commit_message(log: &ApplyLog) -> String {
    let ApplyLog {
        published,
        deleted,
        failed,
        recovered,
        partial,
        ..
    } = log;
    let count = |a: Action| published.iter().filter(|p| p.action == a).count();
    let mut parts = Vec::new();
    let created = count(Action::Create);
    if created > 0 {
        parts.push(format!("publish {}", plural(created, "post", "posts")));
    }
    for (action, verb) in [
        (Action::Append, "append to"),
        (Action::Edit, "edit"),
        (Action::Replace, "replace"),
        (Action::Move, "move"),
    ] {
        let n = count(action);
        if n > 0 {
            parts.push(format!("{verb} {n}"));
        }
    }
    if !deleted.is_empty() {
        parts.push(format!("delete {}", deleted.len()));
    }
    if !recovered.is_empty() {
        let n: usize = recovered.iter().map(|r| r.tweet_ids.len()).sum();
        parts.push(format!(
            "record {} from an interrupted run",
            plural(n, "tweet", "tweets")
        ));
    }
    if !failed.is_empty() {
        parts.push(format!("{} failed", failed.len()));
    }
    let mut subject = if parts.is_empty() {
        "tweetform: update state".to_string()
    } else {
        format!("tweetform: {}", parts.join(", "))
    };
    if *partial {
        subject.push_str(" (partial)");
    }

    let mut body = String::new();
    if !published.is_empty() {
        body.push_str("Published:\n");
        for p in published {
            write_entry(&mut body, &p.key, p.action.past(), &p.tweet_ids);
            for id in &p.replaced_ids {
                let _ = writeln!(body, "  deleted {}", tweet_url(id));
            }
        }
    }
    if !deleted.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str("Deleted:\n");
        for d in deleted {
            write_entry(&mut body, &d.key, "deleted", &d.tweet_ids);
        }
    }
    if !recovered.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str("Recovered (published by an interrupted run, recorded now):\n");
        for r in recovered {
            write_entry(&mut body, &r.key, "recovered", &r.tweet_ids);
        }
    }
    if !failed.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str("Failed:\n");
        for f in failed {
            // One line per failure: X's detail may hold line breaks.
            let reason = f.reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(body, "- {}: {reason}", f.key);
        }
    }
    if *partial {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(
            "The apply stopped part-way: this state records what was done, \
             and the next apply continues from it.\n",
        );
    }
    if body.is_empty() {
        format!("{subject}\n")
    } else {
        format!("{subject}\n\n{body}")
    }
}

fn write_entry(body: &mut String, key: &str, verb: &str, ids: &[String]) {
    let _ = writeln!(body, "- {key} ({verb})");
    for id in ids {
        let _ = writeln!(body, "  {}", tweet_url(id));
    }
}

/// Commits the changes under `state_dir` (and nothing else) in the git
/// repository holding `root`; returns the new commit's SHA, or `None` when
/// the state did not change.
///
/// Other staged changes stay staged and out of the commit: the commit names
/// its paths (`git commit -- state/`). `state_dir` may be absolute or
/// relative to `root`, and must be inside the repository.
pub fn commit_state(
    root: &Path,
    state_dir: &Path,
    message: &str,
) -> Result<Option<String>, Problem> {
    commit_paths(root, state_dir, &[], message, &[])
}

/// `apply --commit`: commits the state after an apply, with the message
/// `log` gives. Only the lockfile (`Config::state_path`) is staged, by name:
/// never the apply lock beside it, a temporary file a killed save left, or
/// anything else someone put in `state/`.
pub fn commit_apply(
    root: &Path,
    state_file: &Path,
    log: &ApplyLog,
) -> Result<Option<String>, Problem> {
    commit_paths(root, state_file, &[], &commit_message(log), &[])
}

fn commit_paths(
    root: &Path,
    state_dir: &Path,
    exclude: &[PathBuf],
    message: &str,
    env: &[(&str, &OsStr)],
) -> Result<Option<String>, Problem> {
    let git = Git { root, env };
    let toplevel = git.toplevel()?;
    let pathspec = pathspec(root, state_dir, &toplevel)?;
    let mut specs = vec![pathspec.clone()];
    for path in exclude {
        let spec = self::pathspec(root, path, &toplevel)?;
        specs.push(spec.replacen(":(top)", ":(top,exclude)", 1));
    }
    let with = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|a| a.to_string())
            .chain(["--".to_string()])
            .chain(specs.iter().cloned())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        git.output(&args)
    };

    // A pathspec that matches nothing is an error for `git add`: with no
    // state directory and nothing tracked under it, there is nothing to commit.
    let tracked = git.run(&["ls-files", "--", &pathspec])?;
    if tracked.is_empty() && !absolute_state_dir(root, state_dir).exists() {
        return Ok(None);
    }

    // `--all` stages deletions under the pathspec too (a state file removed
    // by hand), and the pathspec keeps everything else out of the index.
    let add = run(with(&["add", "--all"]))?;
    if !add.status.success() {
        let stderr = String::from_utf8_lossy(&add.stderr);
        if stderr.contains("ignored by one of your .gitignore files") {
            return Err(Problem::new(format!(
                "cannot commit the state: {} is ignored by git",
                state_dir.display()
            ))
            .with_help(
                "remove it from .gitignore; the state must be committed, as it is the only record of the published tweet IDs",
            ));
        }
        return Err(Problem::new(format!("`git add` failed: {}", stderr.trim())));
    }
    let staged = run(with(&["diff", "--cached", "--quiet"]))?;
    match staged.status.code() {
        Some(0) => return Ok(None),
        Some(1) => {}
        _ => {
            return Err(Problem::new(format!(
                "git diff --cached failed: {}",
                String::from_utf8_lossy(&staged.stderr).trim()
            )));
        }
    }

    let mut args: Vec<String> = Vec::new();
    if !git.has_config("user.name") && std::env::var_os("GIT_AUTHOR_NAME").is_none() {
        args.extend(["-c".into(), format!("user.name={FALLBACK_NAME}")]);
    }
    if !git.has_config("user.email") && std::env::var_os("GIT_AUTHOR_EMAIL").is_none() {
        args.extend(["-c".into(), format!("user.email={FALLBACK_EMAIL}")]);
    }
    args.extend(["commit", "--quiet", "-m", message].map(String::from));
    args.push("--".into());
    args.extend(specs.iter().cloned());
    let out = run(args)?;
    if !out.status.success() {
        return Err(Problem::new(format!(
            "cannot commit the state: `git commit` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }

    let sha = git.run(&["rev-parse", "HEAD"])?;
    Ok(Some(sha.trim().to_string()))
}

/// `state_dir` as a pathspec relative to the repository's top level, with
/// `/` separators, so that it means the same whatever git's working directory.
fn pathspec(root: &Path, state_dir: &Path, toplevel: &Path) -> Result<String, Problem> {
    let joined = absolute_state_dir(root, state_dir);
    let absolute = normalize(&std::path::absolute(&joined).unwrap_or(joined.clone()));
    // The top level git reports is canonical; compare canonical paths (the
    // root may be under a symlink such as /tmp on macOS), also for a path
    // that does not exist yet, through its nearest existing ancestor.
    let absolute = canonical_lenient(&absolute);
    let toplevel = toplevel.canonicalize().unwrap_or(toplevel.to_path_buf());
    let relative = absolute.strip_prefix(&toplevel).map_err(|_| {
        Problem::new(format!(
            "the state directory {} is outside the git repository {}",
            joined.display(),
            toplevel.display()
        ))
        .with_help("set `state:` in tweetform.yaml to a path inside the repository")
    })?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // `:(top)` anchors the pathspec at the top level; `.` is the whole
    // repository when the state lives at its root.
    Ok(if parts.is_empty() {
        ":(top).".to_string()
    } else {
        format!(":(top){}", parts.join("/"))
    })
}

fn absolute_state_dir(root: &Path, state_dir: &Path) -> PathBuf {
    if state_dir.is_absolute() {
        state_dir.to_path_buf()
    } else {
        root.join(state_dir)
    }
}

/// `path` canonicalised through its nearest existing ancestor.
fn canonical_lenient(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut current = path;
    loop {
        if let Ok(canonical) = current.canonicalize() {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (current.parent(), current.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                current = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

struct Git<'a> {
    root: &'a Path,
    env: &'a [(&'a str, &'a OsStr)],
}

impl Git<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(self.root).args(args);
        // Messages are parsed only for errors shown to the user, but keep
        // them in one language for the tests.
        cmd.env("LC_ALL", "C");
        for (k, v) in self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn output(&self, args: &[&str]) -> Result<Output, Problem> {
        self.command(args).output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Problem::new("`git` was not found")
                    .with_help("install git, or run apply without --commit")
            } else {
                Problem::new("cannot run git").because(&e)
            }
        })
    }

    /// Runs git and returns its stdout; a failure carries git's own stderr.
    fn run(&self, args: &[&str]) -> Result<String, Problem> {
        let out = self.output(args)?;
        if !out.status.success() {
            let shown: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !a.contains('\n'))
                .take(4)
                .collect();
            return Err(Problem::new(format!(
                "`git {}` failed: {}",
                shown.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn toplevel(&self) -> Result<PathBuf, Problem> {
        if !self.root.is_dir() {
            return Err(Problem::new(format!(
                "{} is not a directory",
                self.root.display()
            )));
        }
        let out = self.output(&["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(Problem::new(format!(
                "{} is not in a git repository, so --commit cannot commit the state",
                self.root.display()
            ))
            .with_help(
                "run `git init` there (or clone the repository), or run apply without --commit",
            ));
        }
        Ok(PathBuf::from(
            String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r']),
        ))
    }

    fn has_config(&self, key: &str) -> bool {
        self.output(&["config", "--get", key])
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Deleted, Published};

    fn git(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {:?}", out);
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn a_repository_without_identity_gets_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        // No global or system configuration, so no identity at all.
        let env: Vec<(&str, &OsStr)> = vec![
            ("GIT_CONFIG_GLOBAL", OsStr::new("/dev/null")),
            ("GIT_CONFIG_NOSYSTEM", OsStr::new("1")),
            ("HOME", home.path().as_os_str()),
        ];
        git(dir.path(), &["init", "--quiet"], &env);
        std::fs::create_dir(dir.path().join("state")).unwrap();
        std::fs::write(dir.path().join("state/tweets.lock.json"), "{}\n").unwrap();
        // Each git command gets `env`: git is isolated from this machine's
        // configuration.
        let sha = commit_paths(dir.path(), Path::new("state"), &[], "tweetform: test", &env)
            .unwrap()
            .expect("a commit");
        let who = git(dir.path(), &["log", "-1", "--format=%an <%ae>", &sha], &env);
        assert_eq!(who.trim(), format!("{FALLBACK_NAME} <{FALLBACK_EMAIL}>"));
    }

    #[test]
    fn pathspecs_are_relative_to_the_top_level() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("sub/state")).unwrap();
        assert_eq!(
            pathspec(&top.join("sub"), Path::new("state"), &top).unwrap(),
            ":(top)sub/state"
        );
        assert_eq!(
            pathspec(&top, Path::new("./sub/../sub/state"), &top).unwrap(),
            ":(top)sub/state"
        );
        assert_eq!(pathspec(&top, Path::new("."), &top).unwrap(), ":(top).");
        let err = pathspec(&top, Path::new("/elsewhere"), &top).unwrap_err();
        assert!(err.to_string().contains("outside the git repository"));
    }

    #[test]
    fn the_message_lists_every_post_with_its_urls() {
        let msg = commit_message(&ApplyLog {
            published: vec![
                Published {
                    key: "2026/launch".into(),
                    action: Action::Create,
                    tweet_ids: vec!["111".into(), "112".into()],
                    replaced_ids: Vec::new(),
                },
                Published {
                    key: "hello".into(),
                    action: Action::Create,
                    tweet_ids: vec!["113".into()],
                    replaced_ids: Vec::new(),
                },
            ],
            deleted: vec![Deleted {
                key: "old".into(),
                tweet_ids: vec!["99".into()],
            }],
            ..ApplyLog::default()
        });
        assert_eq!(
            msg,
            "tweetform: publish 2 posts, delete 1\n\n\
             Published:\n\
             - 2026/launch (created)\n  https://x.com/i/status/111\n  https://x.com/i/status/112\n\
             - hello (created)\n  https://x.com/i/status/113\n\n\
             Deleted:\n\
             - old (deleted)\n  https://x.com/i/status/99\n"
        );
    }

    #[test]
    fn an_edit_is_named_in_the_subject_and_listed_with_its_new_version() {
        let msg = commit_message(&ApplyLog {
            published: vec![Published {
                key: "typo".into(),
                action: Action::Edit,
                tweet_ids: vec!["120".into()],
                replaced_ids: Vec::new(),
            }],
            ..ApplyLog::default()
        });
        assert!(msg.starts_with("tweetform: edit 1\n"), "{msg}");
        assert!(
            msg.contains("- typo (edited)\n  https://x.com/i/status/120"),
            "{msg}"
        );
    }

    #[test]
    fn a_run_that_only_recovered_says_so() {
        let msg = commit_message(&ApplyLog {
            recovered: vec![Deleted {
                key: "2026/launch".into(),
                tweet_ids: vec!["111".into(), "112".into()],
            }],
            ..ApplyLog::default()
        });
        assert_eq!(
            msg,
            "tweetform: record 2 tweets from an interrupted run\n\n\
             Recovered (published by an interrupted run, recorded now):\n\
             - 2026/launch (recovered)\n  https://x.com/i/status/111\n  https://x.com/i/status/112\n"
        );
        let summary = crate::github::apply_summary(&ApplyLog {
            recovered: vec![Deleted {
                key: "2026/launch".into(),
                tweet_ids: vec!["111".into()],
            }],
            ..ApplyLog::default()
        });
        assert!(
            summary.contains("**2026/launch** recovered from an interrupted run: [111](https://x.com/i/status/111)"),
            "{summary}"
        );
        assert!(!summary.contains("Nothing to do"), "{summary}");
    }
}
