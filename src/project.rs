//! The project root, and the paths inside it.
//!
//! Every command but `init` works on one project, found as cargo and git
//! find theirs: the starting directory (the current one, or `-C DIR`) when
//! it has a `tweetform.yaml`, a posts directory or a state file; otherwise
//! the nearest directory above it with a `tweetform.yaml`. It matters because
//! a wrong root reads as "no posts", and a plan from no posts deletes every
//! published tweet: so does a posts directory that does not exist, and so
//! would posts read from outside the repository. Each of these is an error
//! here rather than an empty project.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config, setting_pos};
use crate::post::Pos;
use crate::problem::Problem;

/// Why no project could be found. Converts into a [`Problem`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProjectError {
    #[error("-C {}: no such directory", .0.display())]
    NoSuchDirectory(PathBuf),
    #[error(
        "{} is not in a tweetform project: neither it nor a parent directory has a {CONFIG_FILE}, and it has no posts/ directory or state file",
        .0.display()
    )]
    NotAProject(PathBuf),
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<ProjectError> for Problem {
    fn from(e: ProjectError) -> Problem {
        let problem = Problem::new(e.to_string());
        match e {
            ProjectError::NoSuchDirectory(_) => problem.with_help(
                "name the directory that holds the project (its tweetform.yaml or posts/)",
            ),
            ProjectError::NotAProject(_) => problem.with_help(
                "run `tweetform init` to set one up here, or run tweetform from the project (or with `-C DIR`)",
            ),
            ProjectError::Io { .. } => problem,
        }
    }
}

/// The root of the project that `dir` (the current directory, or `-C DIR`)
/// is in. When it is `dir` itself, `dir` is returned as given, so that
/// messages keep the user's spelling; a parent is returned absolute.
pub(crate) fn find_root(dir: &Path, explicit: bool) -> Result<PathBuf, ProjectError> {
    if !dir.is_dir() {
        return Err(if explicit || !dir.exists() {
            ProjectError::NoSuchDirectory(dir.to_path_buf())
        } else {
            ProjectError::NotAProject(dir.to_path_buf())
        });
    }
    let start = dir.canonicalize().map_err(|source| ProjectError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    // The nearest project wins: a directory that is a project by its
    // contents (a `posts/` or a state file) is not swallowed by a
    // `tweetform.yaml` further up, such as a repository whose test fixtures
    // or sub-accounts are projects of their own.
    if dir.join(CONFIG_FILE).is_file() {
        return Ok(dir.to_path_buf());
    }
    let defaults = Config::default();
    if dir.join(&defaults.posts_dir).is_dir() || dir.join(&defaults.state).is_file() {
        return Ok(dir.to_path_buf());
    }
    if let Some(found) = start
        .ancestors()
        .skip(1)
        .find(|candidate| candidate.join(CONFIG_FILE).is_file())
    {
        return Ok(found.to_path_buf());
    }
    Err(ProjectError::NotAProject(
        std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
    ))
}

/// The posts directory of the project at `root`, or why it is missing: a
/// missing one is not an empty project (planning from it would delete every
/// published tweet).
pub(crate) fn missing_posts_dir(root: &Path, config: &Config) -> Option<Problem> {
    let dir = root.join(&config.posts_dir);
    if dir.is_dir() {
        return None;
    }
    let text = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
    let shown = config.posts_dir.display();
    let d = match setting_pos(&text, "posts_dir") {
        Some(pos) => Problem::at_pos(
            CONFIG_FILE,
            pos,
            format!("`posts_dir: {shown}`: the posts directory does not exist"),
        ),
        None => Problem::at_pos(
            config.posts_dir.clone(),
            Pos { line: 1, column: 1 },
            format!("the posts directory `{shown}` does not exist (the default of `posts_dir`)"),
        ),
    };
    Some(d.with_help(format!(
        "create {shown}/ (with a .gitkeep when it has no posts yet), or set `posts_dir` in {CONFIG_FILE} to the directory that holds the posts"
    )))
}

/// A post file that is a symlink whose target is outside the project root
/// at `root` is refused: tweetform publishes the repository's own files.
/// `shown` is the file as messages name it.
pub(crate) fn link_outside_root(root: &Path, path: &Path, shown: &Path) -> Option<Problem> {
    let is_link = std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    if !is_link {
        return None;
    }
    let target = path.canonicalize().ok()?;
    let canonical_root = root.canonicalize().ok()?;
    if target.starts_with(&canonical_root) {
        return None;
    }
    Some(
        Problem::at_pos(
            shown,
            Pos { line: 1, column: 1 },
            format!(
                "the file is a symlink to {}, outside the project root",
                target.display()
            ),
        )
        .with_help("copy the post into the project, or point the link at a file inside it"),
    )
}
