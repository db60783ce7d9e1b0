//! Finding post files: the posts directory walked, `include`/`exclude`
//! globs applied, keys derived from paths, clashing keys reported, and every
//! file read (size-limited) and parsed on all cores.
//!
//! Apart from parsing ([`crate::parse`]) because it is the only part that
//! touches the file system; the result is the whole project, [`Loaded`].

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::{CONFIG_FILE, Config};
use crate::field::{Field, FieldPath};
pub use crate::parse::{MAX_FILE_BYTES, parse_post};
use crate::parse::{Unlocated, too_large};
use crate::post::{Pos, Post};
use crate::problem::Problem;

/// Everything found under the posts directory.
///
/// A file with a diagnostic is missing from `posts` although it exists, so a
/// caller must not take `posts` as the whole truth while `diagnostics` is not
/// empty: planning from it would delete the published tweets of a post whose
/// file merely has a typo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// Posts that parsed, sorted by key.
    pub posts: Vec<Post>,
    /// Files that could not be read or parsed, and clashing keys.
    pub diagnostics: Vec<Problem>,
}

/// Finds and parses every post of the project at `root`.
///
/// A missing posts directory is an error, not an empty project
/// ([`crate::project::missing_posts_dir`]).
pub fn load_project(root: &Path, config: &Config) -> Loaded {
    let mut loaded = Loaded::default();
    let start = Pos { line: 1, column: 1 };
    let include = match build_globset(&config.include) {
        Ok(set) => set,
        Err(msg) => {
            loaded.diagnostics.push(
                Problem::at_pos(CONFIG_FILE, start, format!("invalid `include` glob: {msg}"))
                    .with_help("fix the pattern, e.g. `**/*.yaml`"),
            );
            return loaded;
        }
    };
    let exclude = match build_globset(&config.exclude) {
        Ok(set) => set,
        Err(msg) => {
            loaded.diagnostics.push(
                Problem::at_pos(CONFIG_FILE, start, format!("invalid `exclude` glob: {msg}"))
                    .with_help("fix the pattern, e.g. `drafts/**`"),
            );
            return loaded;
        }
    };

    let dir = root.join(&config.posts_dir);
    if let Some(d) = crate::project::missing_posts_dir(root, config) {
        loaded.diagnostics.push(d);
        return loaded;
    }

    // key -> files with that key, in path order.
    let mut by_key: BTreeMap<String, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| config.posts_dir.clone(), Path::to_path_buf);
                loaded.diagnostics.push(
                    Problem::at_pos(file, start, format!("cannot read: {e}"))
                        .with_help("check the file's permissions"),
                );
                continue;
            }
        };
        // `Path::is_file` follows a symlinked file (directories are not
        // followed, so no loops) and is false for FIFOs and devices, which
        // would block or never end.
        if !entry.path().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let Some(rel_str) = slash_path(rel) else {
            loaded.diagnostics.push(
                Problem::at_pos(
                    config.posts_dir.join(rel),
                    start,
                    "the file name is not valid UTF-8",
                )
                .with_help("rename the file with a UTF-8 name"),
            );
            continue;
        };
        if !include.is_match(&rel_str) || exclude.is_match(&rel_str) {
            continue;
        }
        if let Some(d) =
            crate::project::link_outside_root(root, entry.path(), &config.posts_dir.join(rel))
        {
            loaded.diagnostics.push(d);
            continue;
        }
        let key = post_key(&rel_str);
        by_key
            .entry(key)
            .or_default()
            .push((entry.path().to_path_buf(), config.posts_dir.join(rel)));
    }

    let mut jobs: Vec<(String, PathBuf, PathBuf, bool)> = Vec::new();
    for (key, files) in by_key {
        if files.len() > 1 {
            let names: Vec<String> = files.iter().map(|(_, f)| display(f)).collect();
            for (_, file) in &files {
                let others: Vec<&str> = names
                    .iter()
                    .filter(|n| **n != display(file))
                    .map(String::as_str)
                    .collect();
                loaded.diagnostics.push(
                    Problem::at_pos(
                        file.clone(),
                        start,
                        format!("post key `{key}` is also used by {}", others.join(", ")),
                    )
                    .with_help(
                        "a post's key is its path without the extension: rename or delete one of the files",
                    ),
                );
            }
        }
        let sole = files.len() == 1;
        for (path, file) in files {
            jobs.push((key.clone(), path, file, sole));
        }
    }

    // Reading and parsing are independent per file and dominate a large
    // repository's plan, so they run on every core; results keep file order.
    let results = parallel_map(&jobs, |(key, path, file, sole)| match read_limited(path) {
        // Clashing files are still parsed, for their own problems,
        // but neither is a post until the clash is resolved.
        Ok(bytes) => match parse_post(key, file, &bytes) {
            Ok(mut post) if *sole => {
                let problems = read_media(root, &mut post);
                if problems.is_empty() {
                    Ok(Some(post))
                } else {
                    Err(problems)
                }
            }
            Ok(_) => Ok(None),
            Err(diags) => Err(diags),
        },
        Err(d) => Err(vec![d.located(file)]),
    });
    for result in results {
        match result {
            Ok(post) => loaded.posts.extend(post),
            Err(diags) => loaded.diagnostics.extend(diags),
        }
    }
    loaded.posts.sort_by(|a, b| a.key.cmp(&b.key));
    // Problems in file order, then position, whichever pass found them.
    loaded.diagnostics.sort();
    loaded
}

/// Reads what each media file of `post` is (type, size, content digest),
/// for the validator's limits and the planner's digest. A file that is
/// missing, unreadable, of a type X does not take, or outside the project
/// (through a link) makes the post fail to load: its tweets' digests
/// cannot be known without it.
fn read_media(root: &Path, post: &mut Post) -> Vec<Problem> {
    let mut problems = Vec::new();
    let canonical_root = root.canonicalize().ok();
    for tweet in &mut post.tweets {
        let positions: Vec<Pos> = (0..tweet.media_files().len())
            .map(|i| tweet.pos(FieldPath::of(Field::Files).at(i).then(Field::File)))
            .collect();
        let Some(media) = &mut tweet.media else {
            continue;
        };
        for (file, pos) in media.files.iter_mut().zip(positions) {
            if file.path.is_empty() {
                // Refused by the parser already.
                continue;
            }
            let path = root.join(&file.path);
            let problem = |message: String, help: String| {
                Problem::at_pos(post.file.clone(), pos, message).with_help(help)
            };
            if let (Some(root), Ok(target)) = (&canonical_root, path.canonicalize())
                && !target.starts_with(root)
            {
                problems.push(problem(
                    format!(
                        "`{}` leads outside the project, to {}",
                        file.path,
                        target.display()
                    ),
                    "copy the file into the repository (e.g. into `media/`) and name that copy"
                        .into(),
                ));
                continue;
            }
            match crate::media_file::inspect(&path) {
                Ok(facts) => file.facts = Some(facts),
                Err(e) => problems.push(problem(format!("`{}`: {e}", file.path), e.help())),
            }
        }
    }
    problems
}

/// `items.iter().map(f).collect()`, spread over the available cores in
/// contiguous chunks so that the output keeps the input's order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            // A panic in a parser thread is a bug; re-raise it where it belongs.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `2026/launch.yaml` -> `2026/launch`. Only the last extension goes, and a
/// leading dot is part of the name (`.yaml` stays `.yaml`), as in `Path::file_stem`.
pub(crate) fn post_key(rel: &str) -> String {
    let name_start = rel.rfind('/').map_or(0, |i| i + 1);
    match rel[name_start..].rfind('.') {
        Some(dot) if dot > 0 => rel[..name_start + dot].to_string(),
        _ => rel.to_string(),
    }
}

fn build_globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| e.to_string())?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

fn slash_path(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

fn display(p: &Path) -> String {
    slash_path(p).unwrap_or_else(|| p.display().to_string())
}

/// Reads a file, refusing it before reading when it is too big (and while
/// reading, should it grow in between).
fn read_limited(path: &Path) -> Result<Vec<u8>, Unlocated> {
    let start = Pos { line: 1, column: 1 };
    let io = |e: std::io::Error| {
        Unlocated(
            start,
            format!("cannot read: {e}"),
            "check that the file exists and is readable".into(),
        )
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(
            parallel_map(&items, |n| n * 2),
            (0..2000).step_by(2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn many_files_load_in_key_order_with_every_problem() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("posts");
        std::fs::create_dir(&posts).unwrap();
        for n in 0..150 {
            let text = if n % 50 == 7 {
                "txt: typo\n".to_string()
            } else {
                format!("text: post {n}\n")
            };
            std::fs::write(posts.join(format!("p{n:03}.yaml")), text).unwrap();
        }
        let loaded = load_project(dir.path(), &Config::default());
        assert_eq!(loaded.posts.len(), 147);
        assert!(loaded.posts.windows(2).all(|w| w[0].key < w[1].key));
        let files: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.position().0.display().to_string())
            .collect();
        assert_eq!(
            files,
            ["posts/p007.yaml", "posts/p057.yaml", "posts/p107.yaml"]
        );
    }

    #[test]
    fn keys_drop_the_last_extension_only() {
        assert_eq!(post_key("2026/launch.yaml"), "2026/launch");
        assert_eq!(post_key("a.b.yml"), "a.b");
        assert_eq!(post_key("v1.2/post"), "v1.2/post");
        assert_eq!(post_key("dir/.yaml"), "dir/.yaml");
    }

    fn write(root: &Path, rel: &str, content: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    #[test]
    fn project_discovery_sorts_by_key_and_applies_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "posts/b.yaml", b"text: b\n");
        write(root, "posts/2026/a.yml", b"text: a\n");
        write(root, "posts/2026/notes.md", b"not a post\n");
        write(root, "posts/drafts/x.yaml", b"text: draft\n");
        write(root, "posts/c.v2.yaml", b"text: c\n");
        let config = Config {
            exclude: vec!["drafts/**".into()],
            ..Config::default()
        };
        let loaded = load_project(root, &config);
        assert_eq!(loaded.diagnostics, []);
        let keys: Vec<_> = loaded.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2026/a", "b", "c.v2"]);
        assert_eq!(loaded.posts[0].file, Path::new("posts/2026/a.yml"));
    }

    #[test]
    fn project_reports_bad_files_and_keeps_good_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "posts/good.yaml", b"text: fine\n");
        write(root, "posts/bad.yaml", b"txt: oops\n");
        write(root, "posts/same.yaml", b"text: one\n");
        write(root, "posts/same.yml", b"text: two\n");
        write(root, "posts/huge.yaml", &vec![b'#'; 2 * 1024 * 1024]);
        let loaded = load_project(root, &Config::default());
        let keys: Vec<_> = loaded.posts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["good"]);
        let files: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| d.position().0.to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(
            files,
            [
                "posts/bad.yaml",
                "posts/huge.yaml",
                "posts/same.yaml",
                "posts/same.yml"
            ]
        );
        assert!(
            loaded.diagnostics[2]
                .message()
                .contains("also used by posts/same.yml")
        );
        assert!(loaded.diagnostics[1].message().contains("1 MiB"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_files_are_read_and_fifos_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "shared/a.yaml", b"text: shared\n");
        std::fs::create_dir_all(root.join("posts")).unwrap();
        std::os::unix::fs::symlink(root.join("shared/a.yaml"), root.join("posts/a.yaml")).unwrap();
        let fifo = root.join("posts/pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let loaded = load_project(root, &Config::default());
        assert_eq!(loaded.diagnostics, []);
        assert_eq!(loaded.posts.len(), 1);
        assert_eq!(loaded.posts[0].tweets[0].text, "shared");
        if made.is_ok_and(|s| s.success()) {
            assert!(fifo.exists());
        }
    }

    #[test]
    fn missing_posts_dir_is_an_error_not_an_empty_project() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load_project(dir.path(), &Config::default());
        assert!(loaded.posts.is_empty());
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        assert!(loaded.diagnostics[0].message().contains("does not exist"));
    }

    #[test]
    fn invalid_glob_is_reported_against_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            include: vec!["[".into()],
            ..Config::default()
        };
        let loaded = load_project(dir.path(), &config);
        assert_eq!(loaded.diagnostics[0].position().0, Path::new(CONFIG_FILE));
    }
}
