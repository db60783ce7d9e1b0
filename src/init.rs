//! `tweetform init`: setting up an existing repository.
//!
//! Writes the settings, an example post, the state directory and the
//! publishing workflow, each only if it does not exist: a file that is
//! already there is the user's, and is left exactly as it is.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config};
use crate::problem::Problem;

/// The settings file, commented, with every default spelled out.
pub const CONFIG_TEMPLATE: &str = include_str!("templates/tweetform.yaml");
/// The example post: scheduled in 2099 so that merging it publishes nothing.
pub const EXAMPLE_POST: &str = include_str!("templates/hello-world.yaml");
/// What `state/` is for, so that the directory exists in git before the
/// first apply.
pub const STATE_README: &str = include_str!("templates/state-README.md");
/// This repository's own publishing workflow: the template is the workflow
/// that runs here, so that what users copy is what is tested.
const OWN_WORKFLOW: &str = include_str!("../.github/workflows/tweets.yml");
/// How this repository's workflow gets tweetform: built from the commit it
/// runs (the action, as a local path, building its own checkout).
const LOCAL_ACTION: &str = "uses: ./.github/actions/tweetform
        with:
          build-from-source: true";

/// Why this repository's workflow spells its action as a local path: no
/// longer true of the released action that replaces it.
const LOCAL_ACTION_NOTE: &str =
    "      # zizmor (low, self-repository) suggests another spelling of this
      # local path: `./` is the spelling every runner knows, and the one
      # `tweetform init` replaces by the released action.
";

/// The GitHub environment that holds the X keys.
pub const ENVIRONMENT: &str = "x-publish";

/// Where the publishing workflow goes.
pub const WORKFLOW_PATH: &str = ".github/workflows/tweets.yml";

/// The environment secrets the workflow passes to `apply`.
pub const SECRETS: [&str; 4] = [
    "X_API_KEY",
    "X_API_SECRET",
    "X_ACCESS_TOKEN",
    "X_ACCESS_TOKEN_SECRET",
];

/// The publishing workflow for another repository: this repository's own,
/// with the action (and so the binary it pins) taken from the release
/// matching this build.
pub fn workflow_template() -> String {
    let remote = format!(
        "uses: tweetform/tweetform/.github/actions/tweetform@v{}",
        env!("CARGO_PKG_VERSION")
    );
    OWN_WORKFLOW
        .replace(LOCAL_ACTION_NOTE, "")
        .replace(LOCAL_ACTION, &remote)
}

/// [`workflow_template`] for a repository whose default branch is `branch`,
/// with its path filters (and the state artifact) following `config`'s
/// posts and state directories.
pub fn workflow_for(config: &Config, branch: &str) -> String {
    let slash = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let posts = slash(&config.posts_dir);
    let state = slash(&state_dir(config));
    let mut wf = workflow_template();
    if branch != "main" {
        let quoted = serde_json::to_string(branch).unwrap_or_else(|_| format!("\"{branch}\""));
        wf = wf.replace(
            "    branches: [main]\n",
            &format!("    branches: [{quoted}]\n"),
        );
    }
    if posts != "posts" {
        wf = wf.replace("- \"posts/**\"", &format!("- \"{posts}/**\""));
    }
    if state != "state" {
        let filter = if state == "." {
            format!("- \"{}\"", slash(&config.state))
        } else {
            format!("- \"{state}/**\"")
        };
        wf = wf.replace("- \"state/**\"", &filter);
        let artifact = if state == "." {
            slash(&config.state)
        } else {
            format!("{state}/")
        };
        wf = wf.replace("path: state/\n", &format!("path: {artifact}\n"));
        wf = wf.replace("STATE_PATH: state/\n", &format!("STATE_PATH: {artifact}\n"));
    }
    wf
}

/// The directory of the state file, `.` when it is at the root.
fn state_dir(config: &Config) -> PathBuf {
    config
        .state
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// The path existed (file or directory) and was not touched.
    Exists,
    /// The example post, not written because the posts directory already
    /// holds posts.
    Skipped,
}

/// One file `init` wrote or left alone, relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitFile {
    pub path: PathBuf,
    pub outcome: Outcome,
}

/// The files `init` writes, relative to `root`, with their contents. The
/// example post and the state directory follow `tweetform.yaml` when one
/// already exists; the workflow publishes from `branch`.
pub fn files(config: &Config, branch: &str) -> Vec<(PathBuf, String)> {
    let state_dir = state_dir(config);
    let mut files = vec![
        (PathBuf::from(CONFIG_FILE), CONFIG_TEMPLATE.to_string()),
        (
            config.posts_dir.join("hello-world.yaml"),
            EXAMPLE_POST.to_string(),
        ),
    ];
    // A state file at the root has no directory of its own to document.
    if state_dir != Path::new(".") {
        files.push((state_dir.join("README.md"), STATE_README.to_string()));
    }
    files.push((PathBuf::from(WORKFLOW_PATH), workflow_for(config, branch)));
    files
}

/// Sets up `root`: writes each of [`files`] that does not exist yet.
pub fn init(root: &Path) -> Result<Vec<InitFile>, Problem> {
    if !root.is_dir() {
        return Err(
            Problem::new(format!("{} is not a directory", root.display())).with_help(
                "run `tweetform init` in (or with -C pointing at) an existing repository",
            ),
        );
    }
    // An existing tweetform.yaml decides where posts and state go; one that
    // does not parse is an error to fix first, not something to guess around.
    let config = Config::load(root)?;
    let example = config.posts_dir.join("hello-world.yaml");
    let has_posts = has_yaml_files(&root.join(&config.posts_dir));
    let branch = default_branch(root).unwrap_or_else(|| "main".to_string());
    let mut done = Vec::new();
    for (path, contents) in files(&config, &branch) {
        let outcome = if path == example && has_posts && !root.join(&path).exists() {
            Outcome::Skipped
        } else {
            create_new(&root.join(&path), &contents)?
        };
        done.push(InitFile { path, outcome });
    }
    Ok(done)
}

/// The repository's default branch: the remote's (`origin/HEAD`) when
/// known, else the branch checked out; `None` outside git.
pub fn default_branch(root: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    git(&[
        "symbolic-ref",
        "--quiet",
        "--short",
        "refs/remotes/origin/HEAD",
    ])
    .map(|r| r.strip_prefix("origin/").unwrap_or(&r).to_string())
    .or_else(|| git(&["symbolic-ref", "--quiet", "--short", "HEAD"]))
}

/// True when `dir` holds a YAML file at any depth: a repository that
/// already has posts needs no example.
fn has_yaml_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml")
        })
}

/// Writes `contents` to `path` unless something is there already. Uses
/// `create_new`, so that a file appearing meanwhile is not overwritten either.
fn create_new(path: &Path, contents: &str) -> Result<Outcome, Problem> {
    if path.symlink_metadata().is_ok() {
        return Ok(Outcome::Exists);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Problem::new(format!("cannot create the directory {}", parent.display())).because(&e)
        })?;
    }
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Outcome::Exists),
        Err(e) => {
            return Err(Problem::new(format!("cannot create {}", path.display())).because(&e));
        }
    };
    if let Err(e) = file
        .write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
    {
        // Never leave a half-written file that a second run would keep.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(Problem::new(format!("cannot write {}", path.display())).because(&e));
    }
    Ok(Outcome::Created)
}

/// What `init` tells the user: each file, then the next steps.
pub fn report(files: &[InitFile], in_git: bool) -> String {
    let mut out = String::new();
    for f in files {
        let path = f.path.to_string_lossy().replace('\\', "/");
        match f.outcome {
            Outcome::Created => {
                let _ = writeln!(out, "  created  {path}");
            }
            Outcome::Exists => {
                let _ = writeln!(out, "  exists   {path} (left alone)");
            }
            Outcome::Skipped => {
                let _ = writeln!(out, "  skipped  {path} (there are posts already)");
            }
        }
    }
    out.push_str("\nNext steps:\n");
    if !in_git {
        out.push_str("  0. This directory is not in a git repository: run `git init` first.\n");
    }
    let _ = write!(
        out,
        "  1. Create the environment that holds the X keys, limited to the default branch:\n     \
         Settings > Environments > New environment, name it {ENVIRONMENT}; under\n     \
         Deployment branches and tags choose Selected branches and add your default\n     \
         branch only. Then add four environment secrets to it, with the keys of your\n     \
         X app (developer.x.com > your app > Keys and tokens; the access token must\n     \
         have Read and Write permission):\n"
    );
    for s in SECRETS {
        let _ = writeln!(out, "       {s}");
    }
    let _ = write!(
        out,
        "     or from a terminal: gh secret set X_API_KEY --env {ENVIRONMENT} (and the same for the three others).\n\
         \x20 2. Commit and push these files. Then open a pull request that adds a file under\n     \
         posts/: the plan appears on it as a comment; merging publishes the post.\n\
         \x20 3. Check the plan now: tweetform plan\n",
    );
    out
}

/// True when `dir` is inside a git work tree (a `.git` here or above).
pub fn in_git_repository(dir: &Path) -> bool {
    let start = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    start.ancestors().any(|d| d.join(".git").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_template_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), CONFIG_TEMPLATE).unwrap();
        assert_eq!(Config::load(dir.path()).unwrap(), Config::default());
    }

    #[test]
    fn the_workflow_template_uses_the_released_action() {
        let wf = workflow_template();
        assert!(OWN_WORKFLOW.contains(LOCAL_ACTION));
        assert!(!wf.contains(LOCAL_ACTION));
        assert!(wf.contains(&format!(
            "uses: tweetform/tweetform/.github/actions/tweetform@v{}",
            env!("CARGO_PKG_VERSION")
        )));
        for s in SECRETS {
            assert!(wf.contains(&format!("secrets.{s}")), "{s}");
        }
        assert!(wf.contains(&format!("    environment: {ENVIRONMENT}\n")));
        assert!(!wf.contains("build-from-source"));
        assert!(OWN_WORKFLOW.contains(LOCAL_ACTION_NOTE));
        assert!(!wf.contains("self-repository"));
    }

    #[test]
    fn the_example_post_waits_instead_of_publishing() {
        let post = crate::load::parse_post(
            "hello-world",
            Path::new("posts/hello-world.yaml"),
            EXAMPLE_POST.as_bytes(),
        )
        .expect("the example parses");
        assert!(crate::validate::validate_post(&post).is_empty());
        let now: jiff::Timestamp = "2030-06-01T00:00:00Z".parse().unwrap();
        let plan = crate::plan::plan(&[post], &crate::state::State::new(), now);
        assert!(!plan.has_changes());
        assert_eq!(plan.summary.wait, 1);
    }

    #[test]
    fn files_follow_an_existing_config() {
        let config = Config {
            posts_dir: "content/tweets".into(),
            state: "data/lock.json".into(),
            ..Config::default()
        };
        let paths: Vec<PathBuf> = files(&config, "main").into_iter().map(|(p, _)| p).collect();
        assert!(paths.contains(&PathBuf::from("content/tweets/hello-world.yaml")));
        assert!(paths.contains(&PathBuf::from("data/README.md")));
        let wf = workflow_for(&config, "trunk");
        assert!(wf.contains("    branches: [\"trunk\"]\n"));
        assert!(wf.contains("- \"content/tweets/**\""));
        assert!(wf.contains("- \"data/**\""));
        assert!(wf.contains("path: data/\n"));
        assert!(wf.contains("STATE_PATH: data/\n"));
        assert!(!wf.contains("\"posts/**\"") && !wf.contains("\"state/**\""));
        assert!(!wf.contains("path: state/"));
        // The defaults leave the template as it is.
        assert_eq!(
            workflow_for(&Config::default(), "main"),
            workflow_template()
        );
    }
}
