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
            Ok(post) if *sole => Ok(Some(post)),
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
pub fn post_key(rel: &str) -> String {
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
    use crate::parse::{MEDIA_FIELDS, TWEET_FIELDS};
    use crate::post::{ReplySettings, Tweet};
    use crate::suggest::{closest, edit_distance};

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

    fn parse(src: &str) -> Result<Post, Vec<Problem>> {
        parse_post("k", Path::new("posts/k.yaml"), src.as_bytes())
    }

    fn errors(src: &str) -> Vec<Problem> {
        match parse(src) {
            Ok(p) => panic!("expected errors, parsed {p:?}"),
            Err(e) => e,
        }
    }

    fn at(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    /// Where the loader put the field printed as `path` (`poll.options[1]`).
    fn span(t: &Tweet, path: &str) -> Pos {
        let found = t.spans.iter().find(|(p, _)| p.to_string() == path);
        *found.unwrap_or_else(|| panic!("no span at {path:?}")).1
    }

    #[test]
    fn single_tweet_with_every_field() {
        let post = parse(
            r#"publish_at: 2027-01-01T09:00:00+01:00
text: hello
media:
  media_ids: ["1", 2]
  tagged_user_ids: ["3"]
poll:
  options: [Yes, No]
  duration_minutes: 60
quote_tweet_id: "4"
reply:
  in_reply_to_tweet_id: "5"
  exclude_reply_user_ids: ["6"]
reply_settings: mentionedUsers
geo: { place_id: 5a110d312052166f }
for_super_followers_only: true
direct_message_deep_link: https://x.com/messages/compose?recipient_id=7
community_id: "8"
made_with_ai: false
paid_partnership: true
card_uri: card://9
nullcast: false
share_with_followers: true
"#,
        )
        .unwrap();
        assert_eq!(post.key, "k");
        assert_eq!(post.file, Path::new("posts/k.yaml"));
        assert!(!post.is_thread);
        assert_eq!(
            post.publish_at,
            Some("2027-01-01T08:00:00Z".parse().unwrap())
        );
        assert_eq!(post.publish_at_pos, Some(at(1, 13)));
        let t = &post.tweets[0];
        assert_eq!(t.text, "hello");
        let media = t.media.as_ref().unwrap();
        assert_eq!(media.media_ids, ["1", "2"]);
        assert_eq!(media.tagged_user_ids, ["3"]);
        let poll = t.poll.as_ref().unwrap();
        assert_eq!(poll.options, ["Yes", "No"]);
        assert_eq!(poll.duration_minutes, 60);
        assert_eq!(t.quote_tweet_id.as_deref(), Some("4"));
        let reply = t.reply.as_ref().unwrap();
        assert_eq!(reply.in_reply_to_tweet_id, "5");
        assert_eq!(reply.exclude_reply_user_ids, ["6"]);
        assert_eq!(t.reply_settings, Some(ReplySettings::MentionedUsers));
        assert_eq!(t.geo.as_ref().unwrap().place_id, "5a110d312052166f");
        assert_eq!(t.for_super_followers_only, Some(true));
        assert_eq!(
            t.direct_message_deep_link.as_deref(),
            Some("https://x.com/messages/compose?recipient_id=7")
        );
        assert_eq!(t.community_id.as_deref(), Some("8"));
        assert_eq!(t.made_with_ai, Some(false));
        assert_eq!(t.paid_partnership, Some(true));
        assert_eq!(t.card_uri.as_deref(), Some("card://9"));
        assert_eq!(t.nullcast, Some(false));
        assert_eq!(t.share_with_followers, Some(true));

        assert_eq!(span(t, ""), at(1, 1));
        assert_eq!(span(t, "text"), at(2, 7));
        assert_eq!(span(t, "media"), at(3, 1));
        assert_eq!(span(t, "media.media_ids[1]"), at(4, 20));
        assert_eq!(span(t, "poll"), at(6, 1));
        assert_eq!(span(t, "poll.options"), at(7, 3));
        assert_eq!(span(t, "poll.options[1]"), at(7, 18));
        assert_eq!(span(t, "poll.duration_minutes"), at(8, 21));
        assert_eq!(span(t, "reply.in_reply_to_tweet_id"), at(11, 25));
        assert_eq!(span(t, "reply.exclude_reply_user_ids[0]"), at(12, 28));
    }

    #[test]
    fn thread_with_spans_per_tweet() {
        let post = parse(
            "publish_at: 2027-01-01T00:00:00Z\nthread:\n  - text: one\n    reply: { in_reply_to_tweet_id: \"1\" }\n  - text: two\n",
        )
        .unwrap();
        assert!(post.is_thread);
        assert_eq!(post.tweets.len(), 2);
        assert_eq!(span(&post.tweets[0], ""), at(3, 5));
        assert_eq!(post.tweets[1].text, "two");
        assert_eq!(span(&post.tweets[1], "text"), at(5, 11));
        assert!(post.tweets[1].reply.is_none());
    }

    #[test]
    fn a_thread_of_one_is_still_a_thread() {
        let post = parse("thread:\n  - text: only\n").unwrap();
        assert!(post.is_thread);
        assert_eq!(post.tweets.len(), 1);
    }

    #[test]
    fn reply_settings_everyone_is_left_out() {
        let post = parse("text: hi\nreply_settings: everyone\n").unwrap();
        assert_eq!(post.tweets[0].reply_settings, None);
        assert!(
            post.tweets[0]
                .request_body(None)
                .get("reply_settings")
                .is_none()
        );
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings_and_leading_zeros_stay() {
        let post = parse(
            "text: no\npoll: { options: [yes, off], duration_minutes: 5 }\nquote_tweet_id: 0012\n",
        )
        .unwrap();
        let t = &post.tweets[0];
        assert_eq!(t.text, "no");
        assert_eq!(t.poll.as_ref().unwrap().options, ["yes", "off"]);
        assert_eq!(t.quote_tweet_id.as_deref(), Some("0012"));
    }

    #[test]
    fn unknown_key_suggests_the_closest_field() {
        let e = errors("txt: hello\n");
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].position().1, e[0].position().2), (1, 1));
        assert_eq!(e[0].message(), "unknown field `txt`");
        assert_eq!(e[0].help(), Some("did you mean `text`?"));
        assert_eq!(
            e[0].to_string().lines().next(),
            Some("posts/k.yaml:1:1: unknown field `txt`")
        );

        let e = errors("text: a\npoll:\n  option: [a, b]\n  duration_minutes: 5\n");
        assert!(
            e.iter()
                .any(|d| d.message() == "unknown field `option` in `poll`"
                    && d.help() == Some("did you mean `options`?")
                    && (d.position().1, d.position().2) == (3, 3))
        );

        let e = errors("text: a\nzzzzzzzz: 1\n");
        assert!(
            e[0].help()
                .unwrap()
                .starts_with("the fields here are: text, media")
        );
    }

    #[test]
    fn duplicate_keys_are_each_reported() {
        let e = errors("text: a\ntext: b\nmedia: { media_ids: [\"1\"], media_ids: [\"2\"] }\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].message(), "duplicate field `text`");
        assert_eq!((e[0].position().1, e[0].position().2), (2, 1));
        assert!(e[0].help().unwrap().contains("line 1, column 1"));
        assert_eq!(e[1].message(), "duplicate field `media_ids`");
    }

    #[test]
    fn every_problem_in_a_file_is_reported() {
        let e = errors("txt: a\ntext: 1\nnullcast: maybe\ngeo: {}\nreply_settings: all\n");
        let msgs: Vec<_> = e.iter().map(|d| (d.position().1, d.message())).collect();
        assert_eq!(
            msgs,
            [
                (1, "unknown field `txt`"),
                (2, "`text`: expected a string, found a number"),
                (3, "`nullcast`: expected true or false, found a string"),
                (4, "`geo` needs a `place_id`"),
                (5, "unknown `reply_settings` value `all`"),
            ]
        );
        assert_eq!(
            e[1].help(),
            Some("put the value in quotes to make it a string")
        );
    }

    #[test]
    fn a_file_with_parse_errors_still_gets_its_rules_checked() {
        let e = errors(&format!(
            "txt: typo\ntext: {}\npoll:\n  options:\n    - a\n    - 2\n  duration_minutes: 1\n",
            "a".repeat(281)
        ));
        let msgs: Vec<_> = e.iter().map(|d| (d.position().1, d.message())).collect();
        assert_eq!(
            msgs,
            [
                (1, "unknown field `txt`"),
                (
                    2,
                    "text is 281 characters long as X counts them; the limit is 280"
                ),
                (6, "`poll.options[1]`: expected a string, found a number"),
                (7, "the poll lasts 1 minute; X allows 5 to 10080 (7 days)"),
            ]
        );
        // A consequence of an error on the same line is not reported twice.
        let e = errors("text: 12\n");
        assert_eq!(e.len(), 1);
        let e =
            errors("thread:\n  - hello\n  - text: b\n    reply: { in_reply_to_tweet_id: \"1\" }\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[1].message().starts_with("tweet 2 of the thread: `reply`"));
    }

    #[test]
    fn publish_at_needs_an_offset() {
        let e = errors("publish_at: 2027-01-01T09:00:00\ntext: hi\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 13));
        assert!(
            e[0].message().contains("no UTC offset"),
            "{}",
            e[0].message()
        );
        assert!(e[0].help().unwrap().contains("Z"));
        let e = errors("publish_at: 2027-01-01\ntext: hi\n");
        assert!(e[0].message().contains("no UTC offset"));
        let e = errors("publish_at: tomorrow\ntext: hi\n");
        assert!(
            e[0].message()
                .starts_with("`publish_at` is not an RFC 3339 time")
        );
        let e = errors("thread:\n  - text: a\n    publish_at: 2027-01-01T00:00:00Z\n");
        assert!(e[0].help().unwrap().contains("top level"));
    }

    #[test]
    fn empty_and_comment_only_files() {
        for src in ["", "  \n\n", "# just a comment\n"] {
            let e = errors(src);
            assert_eq!(e[0].message(), "empty file: no post here");
            assert_eq!((e[0].position().1, e[0].position().2), (1, 1));
        }
    }

    #[test]
    fn non_utf8_names_the_first_bad_byte() {
        let e = parse_post(
            "k",
            Path::new("posts/k.yaml"),
            b"text: ok\ntext2: caf\xe9\n",
        )
        .unwrap_err();
        assert_eq!((e[0].position().1, e[0].position().2), (2, 11));
        assert!(e[0].message().contains("0xE9"), "{}", e[0].message());
        assert!(e[0].message().contains("byte offset 19"));
    }

    #[test]
    fn files_over_one_mebibyte_are_refused() {
        let big = vec![b' '; (MAX_FILE_BYTES + 1) as usize];
        let e = parse_post("k", Path::new("posts/k.yaml"), &big).unwrap_err();
        assert!(e[0].message().contains("limited to 1 MiB"));
    }

    #[test]
    fn alias_bomb_stops_quickly_with_an_error() {
        let mut src = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            src.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let started = std::time::Instant::now();
        let e = errors(&src);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(e[0].message().contains("aliases"), "{}", e[0].message());
        assert!(e[0].position().1 > 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for src in [
            format!("text: {}", "[".repeat(100_000)),
            format!("text: {}{}", "[".repeat(5_000), "]".repeat(5_000)),
            "a:\n".to_string()
                + &(1..2_000)
                    .map(|i| format!("{}b:\n", " ".repeat(i)))
                    .collect::<String>(),
        ] {
            let e = errors(&src);
            assert!(e[0].position().1 >= 1);
        }
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let e = errors("- text: a\n- text: b\n");
        assert!(e[0].message().ends_with("found a list"));
        assert!(e[0].help().unwrap().contains("thread:"));
        let e = errors("just words\n");
        assert!(e[0].message().ends_with("found a string"));
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let e = errors("text: [a, b]\n");
        assert_eq!(e[0].message(), "`text`: expected a string, found a list");
        let e = errors("text: a\npoll: yes\n");
        assert_eq!(e[0].message(), "`poll` must be a mapping; found a string");
        let e = errors("text: a\npoll: { options: [a, 2], duration_minutes: soon }\n");
        assert_eq!(
            e[0].message(),
            "`poll.options[1]`: expected a string, found a number"
        );
        assert_eq!((e[0].position().1, e[0].position().2), (2, 22));
        assert!(e[1].message().contains("whole number of minutes"));
        let e = errors("text: a\nquote_tweet_id: 12345678901234567890123\n");
        assert!(e[0].help().unwrap().contains("quotes"));
        let e = errors("text: a\nmedia: { media_ids: \"1\" }\n");
        assert_eq!(
            e[0].message(),
            "`media.media_ids` must be a list; found a string"
        );
        let e = errors("text: a\n1: b\n");
        assert!(e[0].message().starts_with("a field name must be a string"));
    }

    #[test]
    fn poll_needs_options_and_duration() {
        let e = errors("text: a\npoll: {}\n");
        let msgs: Vec<_> = e.iter().map(|d| d.message()).collect();
        assert_eq!(
            msgs,
            ["`poll` needs `options`", "`poll` needs `duration_minutes`"]
        );
    }

    #[test]
    fn thread_shape_errors() {
        let e = errors("text: a\nthread:\n  - text: b\n");
        assert_eq!(e[0].message(), "`text` cannot sit next to `thread:`");
        let e = errors("thread: []\n");
        assert_eq!(e[0].message(), "empty thread: `thread:` has no tweets");
        let e = errors("thread:\n");
        assert_eq!(e[0].message(), "empty thread: `thread:` has no tweets");
        let e = errors("thread:\n  - hello\n");
        assert!(
            e[0].message()
                .starts_with("thread entry 1 must be a mapping")
        );
        let e = errors("thread: hello\n");
        assert!(e[0].message().starts_with("`thread` must be a list"));
        let e = errors("thread:\n  - thread: []\n");
        assert!(e[0].help().unwrap().contains("cannot be nested"));
    }

    #[test]
    fn syntax_errors_and_extra_documents_have_positions() {
        let e = errors("text: \"unterminated\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 7));
        assert!(!e[0].message().contains("at line"), "{}", e[0].message());
        let e = errors("text: a\n---\ntext: b\n");
        assert_eq!(e[0].position().1, 3);
        assert!(e[0].message().contains("second YAML document"));
    }

    #[test]
    fn common_yaml_mistakes_get_a_specific_hint() {
        let e = errors("text: Note: a colon\n");
        assert_eq!((e[0].position().1, e[0].position().2), (1, 11));
        assert!(e[0].help().unwrap().contains("quoted"));
        let e = errors("poll:\n\toptions: [a, b]\n");
        assert_eq!(e[0].position().1, 2);
        assert!(e[0].help().unwrap().contains("spaces"));
    }

    #[test]
    fn crlf_line_endings_are_fine() {
        let post = parse("text: |-\r\n  one\r\n  two\r\nnullcast: true\r\n").unwrap();
        assert_eq!(post.tweets[0].text, "one\ntwo");
        assert_eq!(span(&post.tweets[0], "nullcast"), at(4, 11));
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let post = parse("\u{feff}text: hi\n").unwrap();
        assert_eq!(post.tweets[0].text, "hi");
    }

    #[test]
    fn keys_drop_the_last_extension_only() {
        assert_eq!(post_key("2026/launch.yaml"), "2026/launch");
        assert_eq!(post_key("a.b.yml"), "a.b");
        assert_eq!(post_key("v1.2/post"), "v1.2/post");
        assert_eq!(post_key("dir/.yaml"), "dir/.yaml");
    }

    #[test]
    fn closest_name() {
        assert_eq!(closest("txt", &TWEET_FIELDS), Some("text"));
        assert_eq!(closest("quote_id", &TWEET_FIELDS), None);
        assert_eq!(
            closest("quote_tweet", &TWEET_FIELDS),
            Some("quote_tweet_id")
        );
        assert_eq!(closest("Nullcast", &TWEET_FIELDS), Some("nullcast"));
        assert_eq!(closest("media_id", &MEDIA_FIELDS), Some("media_ids"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
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

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn yamlish() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("text".to_string()),
            Just("thread".to_string()),
            Just("poll".to_string()),
            Just("options".to_string()),
            Just("media".to_string()),
            Just("media_ids".to_string()),
            Just("publish_at".to_string()),
            Just("reply".to_string()),
            Just(": ".to_string()),
            Just(":".to_string()),
            Just("\n".to_string()),
            Just("\n  ".to_string()),
            Just("- ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(", ".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("<<: ".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("|\n  ".to_string()),
            Just("---\n".to_string()),
            Just("!!str ".to_string()),
            Just("# c\n".to_string()),
            Just("? ".to_string()),
            Just("~".to_string()),
            Just("123".to_string()),
            Just("2027-01-01T00:00:00Z".to_string()),
            "[a-zA-Z0-9 _é🧵]{0,8}",
        ];
        proptest::collection::vec(token, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_post("k", Path::new("posts/k.yaml"), &bytes);
        }

        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
            let _ = parse_post("k", Path::new("posts/k.yaml"), src.as_bytes());
        }

        #[test]
        fn arbitrary_yamlish_text_never_panics(src in yamlish()) {
            let started = std::time::Instant::now();
            match parse_post("k", Path::new("posts/k.yaml"), src.as_bytes()) {
                Ok(post) => { let _ = crate::validate::validate_post(&post); }
                Err(diags) => {
                    prop_assert!(!diags.is_empty());
                    for d in diags {
                        prop_assert!(d.position().1 >= 1 && d.position().2 >= 1);
                    }
                }
            }
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }

    }

    proptest! {
        // Each case parses until the alias budget is spent: fewer cases.
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn nested_alias_bombs_return_an_error(width in 2usize..12, depth in 4usize..12) {
            let mut src = String::from("a0: &a0 [x]\n");
            for d in 1..=depth {
                let refs = vec![format!("*a{}", d - 1); width].join(", ");
                src.push_str(&format!("a{d}: &a{d} [{refs}]\n"));
            }
            let started = std::time::Instant::now();
            let result = parse_post("k", Path::new("posts/k.yaml"), src.as_bytes());
            prop_assert!(result.is_err());
            prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
}
