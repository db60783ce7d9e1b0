//! `tweetform apply [PLANFILE]`: publish to X within the rate budget,
//! exactly once.
//!
//! Everything that can be refused is checked before anything changes: the
//! configuration, the posts, the credentials, the lock, the state, a saved
//! plan's binding. Then the executor runs, printing one line per action,
//! and a summary says what was done, what failed and why, what is deferred
//! until when, and which destructive changes were held for want of
//! `--allow-destroy`. Exit codes: 0 all done, 1 something failed, 3
//! destructive changes were held (and nothing failed), 130 or 143 when
//! SIGINT or SIGTERM interrupted the run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;

use super::Context;
use crate::api::XApi;
use crate::budget::{Budget, parse_duration};
use crate::clock::Clock;
use crate::config::Config;
use crate::executor::{ApplyOptions, Executor};
use crate::interrupt::Interrupt;
use crate::lock::ApplyLock;
use crate::plan::{Action, Change, Plan};
use crate::post::Post;
use crate::problem::{Location, Problem};
use crate::report::Report;
use crate::state::State;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved with `tweetform plan --out FILE`: execute exactly it
    /// (refused when the state or the posts changed since).
    #[arg(value_name = "PLANFILE")]
    pub(crate) planfile: Option<PathBuf>,

    /// The X API's base URL (the emulator's, to rehearse).
    #[arg(
        long,
        value_name = "URL",
        env = "TWEETFORM_API_URL",
        default_value = crate::client::DEFAULT_API_URL
    )]
    pub(crate) api_url: String,

    /// Wait up to DURATION in all (`90s`, `15m`, `3h`) for the rate budget
    /// or X's limits; with 0, do what fits now and defer the rest.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_wait)]
    pub wait: Duration,

    /// Delete and replace published tweets when the plan says so (without
    /// it, those changes are held, everything else is applied, and the exit
    /// code is 3).
    #[arg(long)]
    pub allow_destroy: bool,

    /// Commit the updated lockfile (and nothing else) with a message listing
    /// what was published and deleted.
    #[arg(long)]
    pub commit: bool,

    /// Read every published tweet back from X first: record the newest ID
    /// and text of tweets edited on X, and list the ones deleted on X
    /// outside tweetform (which stay recorded, and are not published again).
    #[arg(long, conflicts_with = "planfile")]
    pub refresh: bool,

    /// With `--refresh`: forget the tweets deleted on X outside tweetform
    /// and publish them again.
    #[arg(long, requires = "refresh")]
    pub recreate_deleted: bool,
}

fn parse_wait(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| {
        format!("`{s}` is not a duration ({e}); write it like `90s`, `15m` or `3h`")
    })?;
    if d.is_negative() {
        return Err(format!("`{s}` is negative"));
    }
    Ok(d.unsigned_abs())
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    let config = Config::load(&ctx.root)?;
    let budget = Budget::from_config(&config.budget())?;
    let spend = crate::spend::SpendWindow::from_config(&config.budget())?;

    let checked = super::validate::check(ctx);
    if !checked.is_valid() {
        super::validate::print_problems(ctx, &checked)?;
        return Err(Problem::new(format!(
            "{} problem(s) in the posts; nothing was sent",
            checked.diagnostics.len()
        ))
        .with_help(
            "fix them (`tweetform validate` lists them), then run `tweetform apply` again",
        ));
    }
    for w in checked.warnings() {
        ctx.out.stderr.problem(w)?;
    }
    let posts = checked.posts;

    let credentials = crate::client::Credentials::from_env()?;
    let saved_plan = args.planfile.as_deref().map(read_plan).transpose()?;

    let state_path = config.state_path(&ctx.root);
    let lock = ApplyLock::acquire(&state_path, Timestamp::now())?;
    if let Some(old) = lock.took_over() {
        ctx.out.stderr.println(&format!(
            "note: took over a stale lock left by pid {} on {} (started at {}), which is no longer running",
            old.pid, old.host, old.started_at
        ))?;
    }
    // Temporary files of a save that a kill cut short; only an apply holding
    // the lock writes them, so none is in use now.
    crate::atomic_file::remove_stale_temporaries(&state_path).map_err(|e| {
        Problem::new(format!(
            "cannot remove the temporary files an interrupted save left beside {}",
            state_path.display()
        ))
        .because(&e)
    })?;
    let state_existed = state_path.exists();
    let mut state = State::load(&state_path)?;
    if let Some(plan) = &saved_plan
        && !state_existed
        && plan.serial == state.serial
    {
        // A plan made before anything was published was bound to a state
        // that did not exist yet: the state this apply creates takes its
        // lineage.
        state.lineage = plan.lineage.clone();
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Problem::new("cannot start the async runtime").because(&e))?;
    let interrupt = Interrupt::new(ctx.out.stderr.clone());
    let report = runtime.block_on(async {
        // From here, SIGINT and SIGTERM stop the run between two requests.
        // The listener stays for the rest of the command (the runtime
        // lives on), so a signal during the commit still sets the exit code.
        interrupt.listen();
        let clock = Clock::system();
        let client = crate::client::XClient::new(&args.api_url, credentials)
            .map_err(|e| Problem::from_error(&e))?;
        let options = ApplyOptions {
            wait: args.wait,
            allow_destroy: args.allow_destroy || config.allow_destroy,
            prices: config.prices(),
            spend,
            edits: config.edits(),
            ..ApplyOptions::default()
        };
        // The work goes on whatever becomes of stdout: a failure to print
        // (other than a closed pipe, which is not one) is reported at the end.
        let stdout = ctx.out.stdout.clone();
        let mut executor = Executor::new(client, clock, &state_path, budget, options)
            .with_media_root(&ctx.root)
            .with_interrupt(interrupt.clone())
            .with_progress(Box::new(move |e| {
                let _ = stdout.println(&e.render(stdout.color()));
            }));
        if args.refresh {
            let read = executor.refresh(&mut state, args.recreate_deleted).await?;
            // What X said reaches the state before anything is sent.
            state.save(&state_path)?;
            let (head, lines) = crate::render::refresh_lines(&read, &config.prices());
            let mut text = head;
            for line in lines {
                text.push_str(&format!("\n  ! {line}"));
            }
            let _ = ctx.out.stdout.println(&text);
        }
        apply(executor, saved_plan, &posts, &mut state).await
    })?;
    let mut report = report;
    // A deferred post goes out at the publishing workflow's next run after
    // its earliest time, as the plan's forecast says. A workflow that cannot
    // be read changes nothing here: the run is over, and `plan` reports it.
    if let Ok(schedule) = crate::forecast::Schedule::read(&ctx.root) {
        report.round_deferred_to(&schedule);
    }

    // From here on the state is saved: nothing printed may stop the commit
    // or the job summary, so a failure to print waits until they are done.
    let mut printed = ctx
        .out
        .stdout
        .println(report.render_summary(ctx.out.stdout.color()).trim_end());
    if let Some(aborted) = &report.aborted {
        printed = printed.and(ctx.out.stderr.problem(aborted));
    }
    // The lock file lives beside the state: release it before the state is
    // committed, so that it is never part of the commit.
    drop(lock);
    // The same account of the run goes to the job summary and the commit.
    let log = crate::report::ApplyLog::from_report(&report);
    // The commit first: the IDs of what was published must reach git even
    // when the job summary or the step outputs cannot be written.
    let committed = args
        .commit
        .then(|| crate::git::commit_apply(&ctx.root, &state_path, &log));
    let env = crate::github::GithubEnv::from_env();
    let reported = if env.actions {
        let (published, deferred) = log.counts();
        crate::github::append_summary(&env, &crate::github::apply_summary(&log)).and_then(|()| {
            crate::github::write_outputs(&env, &crate::github::apply_outputs(published, deferred))
        })
    } else {
        Ok(())
    };
    if let Some(committed) = committed {
        let line = match committed? {
            Some(sha) => format!("Committed the state: {sha}"),
            None => "The state did not change: nothing to commit.".to_string(),
        };
        printed = printed.and(ctx.out.stdout.println(&line));
    }
    reported?;
    printed?;
    Ok(match interrupt.signal() {
        Some(signal) => signal.exit_code(),
        None => report.exit_code(),
    })
}

/// Plans (or checks a saved plan), settles what an interrupted run left,
/// and executes (holding destructive changes unless allowed).
pub async fn apply<A: XApi>(
    mut executor: Executor<A>,
    saved: Option<Plan>,
    posts: &[Post],
    state: &mut State,
) -> Result<Report, Problem> {
    let now = Timestamp::now();
    let edits = executor.edits();
    let fresh = crate::plan::plan_with(posts, state, now, edits);
    let replan = saved.is_none();
    let mut plan = match saved {
        Some(saved) => {
            check_saved_plan(&saved, &fresh, state)?;
            saved
        }
        None => fresh,
    };
    if !state.pending.is_empty() {
        let settled = executor
            .settle_pending(state)
            .await
            .map_err(|fatal| Problem::from(&fatal))?;
        if settled && replan {
            // What an interrupted run published is now recorded: plan again
            // so that it is not published twice.
            plan = crate::plan::plan_with(posts, state, now, edits);
        }
    }
    Ok(executor.execute(&plan, state).await)
}

fn read_plan(path: &Path) -> Result<Plan, Problem> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problem::new("cannot read the plan")
            .at(Location::file(path))
            .because(&e)
    })?;
    let plan: Plan =
        serde_json::from_str(&text).map_err(|e| {
            Problem::new(format!("not a plan saved by `tweetform plan --out`: {e}"))
                .at(Location::at(path, e.line(), e.column()))
        })?;
    if plan.format_version != crate::plan::PLAN_FORMAT_VERSION {
        return Err(Problem::new(format!(
            "plan format version {} is not {}",
            plan.format_version,
            crate::plan::PLAN_FORMAT_VERSION
        ))
        .at(Location::file(path))
        .with_help("make the plan again with this tweetform (`tweetform plan --out FILE`)"));
    }
    Ok(plan)
}

/// What a change does on X, without the parts that do not affect it
/// (diff text, lengths, positions), to compare a saved plan with a fresh one.
#[derive(Debug, PartialEq, Eq)]
struct Effect {
    key: String,
    action: Action,
    from: Option<String>,
    tweets: Vec<(usize, &'static str, Option<String>, String)>,
}

fn effect(c: &Change) -> Effect {
    Effect {
        key: c.key.clone(),
        action: c.action,
        from: c.from.clone(),
        tweets: c
            .tweets
            .iter()
            .map(|t| {
                let id = t.id().map(str::to_owned);
                (t.index, t.op.name(), id, t.digest.clone())
            })
            .collect(),
    }
}

/// A saved plan runs only against the state it was made for and while the
/// posts still ask for the same changes.
pub(crate) fn check_saved_plan(saved: &Plan, fresh: &Plan, state: &State) -> Result<(), Problem> {
    let stale = |message: String| {
        Problem::new(message).with_help(
            "make a new plan (`tweetform plan --out FILE`) and review it, or run `tweetform apply` without a plan file",
        )
    };
    if saved.lineage != state.lineage {
        return Err(stale(format!(
            "the plan was made for another state (lineage {}, this one is {}); nothing was changed",
            saved.lineage, state.lineage
        )));
    }
    if saved.serial != state.serial {
        return Err(stale(format!(
            "the state changed since the plan was made (serial {} then, {} now); nothing was changed",
            saved.serial, state.serial
        )));
    }
    let waiting: Vec<&str> = saved
        .changes
        .iter()
        .filter(|c| c.action == Action::Wait)
        .map(|c| c.key.as_str())
        .collect();
    let acting = |p: &Plan| -> Vec<_> {
        p.changes
            .iter()
            .filter(|c| c.action != Action::Wait && c.action != Action::Unchanged)
            .map(effect)
            .collect()
    };
    let (then, now) = (acting(saved), acting(fresh));
    let mut differ: Vec<String> = Vec::new();
    for e in &then {
        if !now.contains(e) {
            differ.push(format!("{} ({})", e.key, e.action.name()));
        }
    }
    for e in &now {
        // A post that was waiting and has come due is simply not in this plan.
        if !then.contains(e) && !waiting.contains(&e.key.as_str()) {
            differ.push(format!("{} ({})", e.key, e.action.name()));
        }
    }
    if !differ.is_empty() {
        differ.sort();
        differ.dedup();
        return Err(stale(format!(
            "the posts no longer match the plan; nothing was changed. Changed since: {}",
            differ.join(", ")
        )));
    }
    Ok(())
}
