//! `tweetform migrate twitter-together [DIR]`: a twitter-together
//! repository's `.tweet` files written as tweetform posts.
//!
//! The way in for teams that publish with twitter-together today. Each
//! `tweets/**/*.tweet` becomes `<posts_dir>/**/*.yaml` under the same name
//! ([`crate::twitter_together`] reads it); nothing of the old repository is
//! changed or deleted, no file is overwritten, and the media files stay in
//! `media/`, where the posts name them from the project root. What could not
//! be converted is said with the `.tweet` file's line and why, and makes the
//! exit code 1; everything else is still written.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Context;
use crate::config::{CONFIG_FILE, Config};
use crate::problem::{Problem, slash};
use crate::twitter_together::{Issue, convert};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    from: From,
}

#[derive(Debug, clap::Subcommand)]
enum From {
    /// Convert a twitter-together repository: tweets/**/*.tweet become
    /// posts/**/*.yaml (never overwrites; the .tweet files are left alone).
    TwitterTogether(TwitterTogether),
}

#[derive(Debug, clap::Args)]
struct TwitterTogether {
    /// The twitter-together repository (the directory that holds `tweets/`
    /// and `media/`); by default the project itself: `-C DIR`, or the current
    /// directory.
    // Not named `dir`: clap would take it for the global `-C DIR`.
    #[arg(value_name = "DIR")]
    repository: Option<PathBuf>,
    /// Then adopt what twitter-together already published: find the
    /// converted posts on the account's timeline and record them, so that
    /// `apply` does not publish them again (needs X credentials).
    #[arg(long)]
    adopt: bool,
    /// With `--adopt`: read the timeline back to this time only.
    #[arg(long, value_name = "DATE", requires = "adopt", value_parser = super::import::parse_since)]
    since: Option<jiff::Timestamp>,
    /// With `--adopt`: read the timeline without asking (it is paid per tweet read).
    #[arg(long, short = 'y', requires = "adopt")]
    yes: bool,
    /// The X API's base URL (the emulator's, to rehearse).
    #[arg(
        long,
        value_name = "URL",
        env = "TWEETFORM_API_URL",
        default_value = crate::client::DEFAULT_API_URL
    )]
    api_url: String,
}

/// What a migration wrote, for the adoption that follows it.
#[derive(Debug, Default)]
pub(crate) struct Migrated {
    /// The post files written, relative to the project root.
    pub written: Vec<PathBuf>,
    /// How many `.tweet` files could not be converted.
    pub not_converted: usize,
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    let From::TwitterTogether(args) = args.from;
    let repo = args.repository.clone().unwrap_or_else(|| ctx.root.clone());
    let migrated = twitter_together(ctx, &repo)?;
    if args.adopt {
        // What twitter-together published, found by `tweetform import
        // --adopt`'s rules: the first apply publishes only the rest.
        let adopted = super::import::run_adopt(ctx, &args.api_url, args.since, args.yes)?;
        return Ok(adopted.max(u8::from(migrated.not_converted > 0)));
    }
    Ok(u8::from(migrated.not_converted > 0))
}

/// Converts every `.tweet` file of the twitter-together repository `repo`
/// into a post of the project, printing one line per file and a summary.
pub(crate) fn twitter_together(ctx: &Context, repo: &Path) -> Result<Migrated, Problem> {
    if !ctx.root.is_dir() {
        return Err(
            Problem::new(format!("-C {}: no such directory", ctx.root.display()))
                .with_help("name the directory of the project the posts go to"),
        );
    }
    let tweets_dir = repo.join("tweets");
    if !tweets_dir.is_dir() {
        return Err(Problem::new(format!(
            "{}: no such directory: twitter-together keeps its tweets there",
            tweets_dir.display()
        ))
        .with_help(
            "name the twitter-together repository: `tweetform migrate twitter-together DIR`",
        ));
    }
    let has_config = ctx.root.join(CONFIG_FILE).is_file();
    let config = Config::load(&ctx.root)?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&tweets_dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Problem::new(format!("{}: {e}", tweets_dir.display())))?;
        let is_tweet = entry.path().extension().is_some_and(|x| x == "tweet");
        if is_tweet && !entry.file_type().is_dir() {
            files.push(entry.into_path());
        }
    }
    let same_repo = same_dir(repo, &ctx.root);
    let read_media = |name: &str| -> Result<crate::media_file::MediaFacts, String> {
        let facts = crate::media_file::inspect(&repo.join("media").join(name))
            .map_err(|e| e.to_string())?;
        if !same_repo && !ctx.root.join("media").join(name).is_file() {
            return Err(format!(
                "not in this project's `media/`: copy {} into it",
                repo.join("media").display()
            ));
        }
        Ok(facts)
    };

    let out = &ctx.out.stdout;
    let mut migrated = Migrated::default();
    let mut skipped = 0;
    for path in &files {
        let rel = path.strip_prefix(&tweets_dir).unwrap_or(path);
        let shown = format!("tweets/{}", slash(rel));
        let post_rel = config.posts_dir.join(rel.with_extension("yaml"));
        let post_path = ctx.root.join(&post_rel);
        let shown_post = slash(&post_rel);
        if post_path.exists() || post_path.with_extension("yml").exists() {
            skipped += 1;
            out.println(&format!("skipped        {shown}: {shown_post} exists"))?;
            continue;
        }
        let issues = match read_tweet(path) {
            Ok(source) => match convert(&source, &read_media) {
                Ok(converted) => match write_new(&post_path, &converted.yaml) {
                    Ok(()) => {
                        out.println(&format!("converted      {shown} -> {shown_post}"))?;
                        for note in &converted.notes {
                            out.println(&format!(
                                "  note: {shown}:{}: {}",
                                note.line, note.message
                            ))?;
                        }
                        migrated.written.push(post_rel);
                        continue;
                    }
                    Err(e) => vec![Issue {
                        line: 1,
                        message: format!("cannot write {shown_post}: {e}"),
                    }],
                },
                Err(issues) => issues,
            },
            Err(why) => vec![Issue {
                line: 1,
                message: why,
            }],
        };
        migrated.not_converted += 1;
        out.println(&format!("not converted  {shown}"))?;
        for issue in issues {
            out.println(&format!("  {shown}:{}: {}", issue.line, issue.message))?;
        }
    }

    out.println(&format!(
        "{} converted, {skipped} skipped (already there), {} not converted, of {} .tweet files; the .tweet files are unchanged",
        migrated.written.len(),
        migrated.not_converted,
        files.len()
    ))?;
    if migrated.not_converted > 0 {
        out.println("  write the files not converted by hand (see examples/), or leave them out")?;
    }
    if !has_config {
        out.println("  no tweetform.yaml here yet: `tweetform init` sets up the rest (it never overwrites a file)")?;
    }
    if !migrated.written.is_empty() {
        out.println("  next: `tweetform validate`, then adopt what twitter-together already published before any apply: apply would publish it again")?;
    }
    Ok(migrated)
}

/// A `.tweet` file's text, or why it cannot be read as one.
fn read_tweet(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > crate::parse::MAX_FILE_BYTES {
        return Err(format!(
            "the file is {} bytes; a tweet is a few hundred",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (byte offset {}): save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Writes a file that must not exist yet, with the directories above it.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
