//! `tweetform import`: record in the state tweets that are already on X,
//! so that `apply` does not publish them again. Three forms:
//!
//! - `import KEY LINK_OR_ID…`: these tweets are the post KEY;
//! - `import --from-account`: every tweet and self-thread of the account
//!   becomes a post file under `--dir`;
//! - `import --adopt`: the project's unpublished posts found on the account.
//!
//! Nothing is recorded unless it matches (see [`crate::import`]). The
//! timeline forms show what reading it costs first, and read only with
//! `--yes`, or after a "y" when run at a terminal: never silently.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::Context;
use crate::budget::Budget;
use crate::clock::Clock;
use crate::config::Config;
use crate::executor::{ApplyOptions, Executor};
use crate::import::{Imported, import_ids};
use crate::import_account::{Adopted, Cost, Window, adopt, from_account, skipped_line};
use crate::lock::ApplyLock;
use crate::post::Post;
use crate::problem::Problem;
use crate::state::State;
use crate::text::tweet_url;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The post the tweets are: its key (`2026/launch`) or its file.
    #[arg(value_name = "KEY", required_unless_present_any = ["from_account", "adopt"])]
    pub(crate) key: Option<String>,

    /// One link or ID per tweet of the post, in the thread's order.
    #[arg(value_name = "LINK_OR_ID", requires = "key")]
    pub(crate) tweets: Vec<String>,

    /// Write a post file for every tweet and self-thread of the account.
    #[arg(long, conflicts_with_all = ["key", "adopt"])]
    pub(crate) from_account: bool,

    /// Record the project's unpublished posts that are already on the account.
    #[arg(long, conflicts_with = "key")]
    pub(crate) adopt: bool,

    /// Only tweets from this day (`2025-06-01`) or instant (RFC 3339) on.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub(crate) since: Option<Timestamp>,

    /// Read at most N tweets, the newest (`--from-account`).
    #[arg(long, value_name = "N", requires = "from_account", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) limit: Option<u64>,

    /// Where `--from-account` writes the post files [default: POSTS_DIR/imported].
    #[arg(long = "dir", value_name = "DIR", requires = "from_account")]
    pub(crate) into: Option<PathBuf>,

    /// Read the timeline without asking (it is paid per tweet read).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,

    /// The X API's base URL (the emulator's, to rehearse).
    #[arg(
        long,
        value_name = "URL",
        env = "TWEETFORM_API_URL",
        default_value = crate::client::DEFAULT_API_URL
    )]
    pub(crate) api_url: String,
}

pub(crate) fn parse_since(s: &str) -> Result<Timestamp, String> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    s.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            format!("`{s}` is not a date; write it like `2025-06-01` or `2025-06-01T12:00:00Z`")
        })
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    if args.adopt {
        return run_adopt(ctx, &args.api_url, args.since, args.yes);
    }
    let mut session = Session::open(ctx, &args.api_url)?;
    if args.from_account {
        let dir = args
            .into
            .clone()
            .unwrap_or_else(|| session.config.posts_dir.join("imported"));
        let window = Window {
            since: args.since,
            limit: args.limit.map(|n| n as usize),
        };
        let mut confirm = confirmer(ctx, args.yes);
        let outcome = runtime()?.block_on(from_account(
            &mut session.executor,
            &ctx.root,
            &session.config,
            &mut session.state,
            &dir,
            &window,
            &mut confirm,
        ))?;
        if outcome.declined {
            return Err(declined());
        }
        for (id, why) in &outcome.skipped {
            ctx.out.stdout.println(&skipped_line(id, why))?;
        }
        for (file, ids) in &outcome.written {
            ctx.out.stdout.println(&format!(
                "wrote {} ({})",
                file.display(),
                ids.iter()
                    .map(|id| tweet_url(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
        }
        ctx.out.stdout.println(&format!(
            "Imported {} post(s) from the account ({} tweet(s) read were recorded already, {} skipped); `tweetform plan` shows them unchanged.",
            outcome.written.len(),
            outcome.known,
            outcome.skipped.len()
        ))?;
        return Ok(0);
    }

    let key = args.key.as_deref().unwrap_or_default();
    if args.tweets.is_empty() {
        return Err(Problem::new("no tweet given: nothing was recorded")
            .with_help(format!("give the tweets' links or IDs: `tweetform import {key} https://x.com/USER/status/ID`")));
    }
    let mut ids = Vec::new();
    for value in &args.tweets {
        match crate::tweet_link::tweet_id(value) {
            Ok(id) => ids.push(id.to_owned()),
            Err(refused) => {
                return Err(Problem::new(format!(
                    "{refused} names no tweet; nothing was recorded"
                ))
                .with_help(
                    "give a tweet's link (https://x.com/USER/status/ID) or its ID (1 to 19 digits)",
                ));
            }
        }
    }
    let post = session.post(key)?.clone();
    let imported = runtime()?.block_on(import_ids(
        &mut session.executor,
        &mut session.state,
        &post,
        &ids,
    ))?;
    let line = match imported {
        Imported::Recorded => format!(
            "Imported {}: {} recorded; `tweetform plan` shows it unchanged.",
            post.key,
            ids.iter()
                .map(|id| tweet_url(id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Imported::AlreadyRecorded => format!(
            "{} is already recorded with these tweets: nothing to do.",
            post.key
        ),
    };
    ctx.out.stdout.println(&line)?;
    Ok(0)
}

/// `tweetform import --adopt`: records the posts of the project at
/// `ctx.root` that are already on the account, prints what was adopted and
/// what remains to publish. `yes` reads the timeline without asking.
pub(crate) fn run_adopt(
    ctx: &Context,
    api_url: &str,
    since: Option<Timestamp>,
    yes: bool,
) -> Result<u8, Problem> {
    let mut session = Session::open(ctx, api_url)?;
    let window = Window { since, limit: None };
    let mut confirm = confirmer(ctx, yes);
    let outcome: Adopted = runtime()?.block_on(adopt(
        &mut session.executor,
        &session.posts,
        &mut session.state,
        &window,
        &mut confirm,
    ))?;
    if outcome.declined {
        return Err(declined());
    }
    for (key, ids) in &outcome.adopted {
        ctx.out.stdout.println(&format!(
            "adopted {key} ({})",
            ids.iter()
                .map(|id| tweet_url(id))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    for key in &outcome.remaining {
        ctx.out
            .stdout
            .println(&format!("to publish: {key} (not found on the account)"))?;
    }
    for key in &outcome.reposts {
        ctx.out.stdout.println(&format!(
            "to repost: {key} (a repost is X's, not the account's own tweet; if it is reposted already, reposting it again changes nothing)"
        ))?;
    }
    ctx.out.stdout.println(&format!(
        "Adopted {} post(s); {} remain to publish with `tweetform apply`.",
        outcome.adopted.len(),
        outcome.remaining.len()
    ))?;
    Ok(0)
}

fn declined() -> Problem {
    Problem::new("the timeline was not read: nothing was recorded")
        .with_help("run it again with `--yes` to accept the cost")
}

/// Shows the cost and says whether to go on: `--yes`, else a "y" at a
/// terminal; without a terminal, no.
fn confirmer(ctx: &Context, yes: bool) -> impl FnMut(&Cost) -> Result<bool, Problem> {
    let out = ctx.out.stdout.clone();
    move |cost: &Cost| {
        out.println(&cost.line())?;
        if yes {
            return Ok(true);
        }
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            return Ok(false);
        }
        out.print("Read them? [y/N] ")?;
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Problem::new("cannot read the answer").because(&e))?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
    }
}

/// What every form needs: the checked posts, the state under the apply
/// lock, and an executor to read X with.
struct Session {
    config: Config,
    posts: Vec<Post>,
    state: State,
    executor: Executor<crate::client::XClient>,
    _lock: ApplyLock,
}

impl Session {
    fn open(ctx: &Context, api_url: &str) -> Result<Session, Problem> {
        let config = Config::load(&ctx.root)?;
        let budget = Budget::from_config(&config.budget())?;
        let checked = super::validate::check_for(ctx, super::validate::Purpose::Record);
        if !checked.is_valid() {
            super::validate::print_problems(ctx, &checked)?;
            return Err(Problem::new(format!(
                "{} problem(s) in the posts; nothing was recorded",
                checked.errors()
            ))
            .with_help("fix them (`tweetform validate` lists them), then import again"));
        }
        let credentials = crate::client::Credentials::from_env()?;
        let state_path = config.state_path(&ctx.root);
        let lock = ApplyLock::acquire(&state_path, Timestamp::now())?;
        if let Some(old) = lock.took_over() {
            ctx.out.stderr.println(&format!(
                "note: took over a stale lock left by pid {} on {} (started at {}), which is no longer running",
                old.pid, old.host, old.started_at
            ))?;
        }
        let state = State::load(&state_path)?;
        let client = crate::client::XClient::new(api_url, credentials)
            .map_err(|e| Problem::from_error(&e))?;
        let options = ApplyOptions {
            wait: Duration::ZERO,
            prices: config.prices(),
            // Kept, so that saving what the reads spent keeps the
            // payments the spend window still counts.
            spend: crate::spend::SpendWindow::from_config(&config.budget())?,
            ..ApplyOptions::default()
        };
        let executor = Executor::new(client, Clock::system(), &state_path, budget, options);
        Ok(Session {
            config,
            posts: checked.posts,
            state,
            executor,
            _lock: lock,
        })
    }

    /// The post named by its key or its file.
    fn post(&self, name: &str) -> Result<&Post, Problem> {
        let slashed = name.replace('\\', "/");
        let posts_dir = self.config.posts_dir.to_string_lossy().replace('\\', "/");
        let rel = slashed
            .strip_prefix(&format!("{posts_dir}/"))
            .unwrap_or(&slashed);
        let as_file = crate::load::post_key(rel);
        self.posts
            .iter()
            .find(|p| p.key == rel || p.key == as_file)
            .ok_or_else(|| {
                Problem::new(format!("no post {name}: nothing was recorded")).with_help(format!(
                    "write the post's file first (`{posts_dir}/{rel}.yaml`), with the content that was published"
                ))
            })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Problem> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Problem::new("cannot start the async runtime").because(&e))
}
