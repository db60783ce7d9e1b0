//! `tweetform plan`: load, validate, compare with the state, print.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{Context, Format, validate};
use crate::config::Config;
use crate::github::{self, GithubEnv};
use crate::plan::Plan;
use crate::problem::Problem;
use crate::state::State;
use crate::{markdown, plan, plan_json, terminal};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How to print the plan: for a terminal, as JSON (a stable, documented
    /// format), or as Markdown for a pull-request comment.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also save the plan (as JSON) to FILE, so that `tweetform apply FILE`
    /// executes exactly this plan, and only against the same state.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Exit with 2 when the plan has changes, 0 when it has none (waiting
    /// posts are not changes), 1 on error.
    #[arg(long)]
    pub(crate) detailed_exitcode: bool,

    /// Plan as if it were TIME (RFC 3339, such as `2026-11-23T12:00:00Z`):
    /// see what a scheduled run would do then. Posts whose `publish_at` is
    /// after TIME wait.
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<Timestamp>,

    /// Read every published tweet back from X first (credentials from the
    /// environment, as for `apply`), and show tweets deleted or edited on X
    /// outside tweetform. Each read costs X's owned-read price.
    #[arg(long)]
    pub refresh: bool,

    /// With `--refresh`: plan as `apply --refresh --recreate-deleted` would,
    /// publishing again the tweets deleted on X outside tweetform.
    #[arg(long, requires = "refresh")]
    pub recreate_deleted: bool,

    /// The X API's base URL, for `--refresh` (the emulator's, to rehearse).
    #[arg(
        long,
        value_name = "URL",
        env = "TWEETFORM_API_URL",
        default_value = crate::client::DEFAULT_API_URL
    )]
    pub(crate) api_url: String,
}

fn parse_at(s: &str) -> Result<Timestamp, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not an RFC 3339 time such as 2026-11-23T12:00:00Z"))
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    let at = args.at.unwrap_or_else(Timestamp::now);
    let refresh = args
        .refresh
        .then_some((args.api_url.as_str(), args.recreate_deleted));
    let Some(plan) = make_plan(ctx, at, refresh)? else {
        return Ok(1);
    };

    // Saved before anything is printed: when it cannot be, the command
    // fails without output rather than after a plan the user may act on.
    if let Some(out) = &args.out {
        // Relative to the current directory, not to `-C DIR`: the user names
        // the file from their shell (and `apply FILE` reads it the same way).
        save_plan(out, &plan)?;
    }

    let github = GithubEnv::from_env();
    let file_url = |file: &str| github.file_url(&ctx.root, file);
    let text = match args.format {
        Format::Human => terminal::human(&plan, ctx.out.stdout.color()),
        Format::Json => plan_json::json(&plan),
        Format::Markdown => markdown::markdown_with(&plan, &file_url),
    };
    ctx.out.stdout.print(&text)?;

    // Under GitHub Actions: the Markdown plan in the job summary (a pull
    // request from a fork gets no comment, but always the summary) and the
    // counts as step outputs, whatever `--format` printed.
    if github.actions {
        github::report_plan(&github, &plan, &markdown::markdown_with(&plan, &file_url))?;
    }

    if let Some(out) = &args.out {
        let mut apply = String::from("tweetform");
        if ctx.root != Path::new(".") {
            apply.push_str(&format!(" -C {}", ctx.root.display()));
        }
        ctx.out.stderr.println(&format!(
            "Saved this plan to {}. To execute exactly this plan, run:\n    {apply} apply {}",
            out.display(),
            out.display()
        ))?;
    }

    Ok(if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    })
}

/// Loads, validates and plans the project at `ctx.root`. Prints every
/// problem in the posts (as `tweetform validate` does) and returns `None`
/// when there is one: a plan made without a file that failed to parse would
/// delete that post's tweets. With `refresh` (the API's URL, and whether to
/// publish again what was deleted on X), the published
/// tweets are read back from X first and the plan is made against the
/// state as X says it is, with what changed there.
pub(crate) fn make_plan(
    ctx: &Context,
    now: Timestamp,
    refresh: Option<(&str, bool)>,
) -> Result<Option<Plan>, Problem> {
    let report = validate::check(ctx);
    if !report.is_valid() {
        let them = if report.diagnostics.len() == 1 {
            "it"
        } else {
            "them"
        };
        let help = format!("no plan was made; fix {them} and run `tweetform plan` again");
        validate::print(
            ctx,
            validate::DiagnosticsFormat::Human,
            &report,
            Some(&help),
        )?;
        // Under GitHub Actions: annotations on the pull request's diff and
        // the list in the job summary (nothing outside Actions).
        github::report_validation(
            &ctx.out.stdout,
            &GithubEnv::from_env(),
            &ctx.root,
            &report.diagnostics,
        )?;
        return Ok(None);
    }
    // Warnings refuse nothing, but the reviewer sees them on the diff.
    let warnings: Vec<Problem> = report.warnings().cloned().collect();
    for w in &warnings {
        ctx.out.stderr.problem(w)?;
    }
    github::print_annotations(
        &ctx.out.stdout,
        &GithubEnv::from_env(),
        &ctx.root,
        &warnings,
    )?;
    let config = Config::load(&ctx.root)?;
    let state_path = config.state_path(&ctx.root);
    let mut state = State::load(&state_path)?;
    let read = match refresh {
        Some((api_url, recreate)) => Some(read_back(
            &config,
            &state_path,
            &mut state,
            api_url,
            recreate,
        )?),
        None => None,
    };
    let mut plan = plan::plan_with(&report.posts, &state, now, config.edits());
    plan.refresh = read;
    let prices = config.prices();
    plan.cost = Some(crate::cost::Cost::of(&plan, &prices));
    plan.forecast = Some(forecast(&ctx.root, &config, &state, &plan, &prices)?);
    Ok(Some(plan))
}

/// When the plan's held posts can go out: the budget and the spend window
/// as `apply` would seed them from the state, and the workflow's schedule.
fn forecast(
    root: &Path,
    config: &Config,
    state: &State,
    plan: &Plan,
    prices: &crate::cost::Prices,
) -> Result<crate::forecast::Forecast, Problem> {
    let mut budget = crate::budget::Budget::from_config(&config.budget())?;
    budget.seed(&state.requests, &state.limits);
    let mut spend =
        crate::spend::SpendLane::new(crate::spend::SpendWindow::from_config(&config.budget())?);
    spend.seed(&state.spend);
    let schedule = crate::forecast::Schedule::read(root)?;
    Ok(crate::forecast::forecast(
        plan,
        crate::forecast::Inputs {
            budget,
            spend,
            prices,
            schedule: &schedule,
        },
    ))
}

/// `--refresh` for `plan`: reads the published tweets back under the
/// budget and brings `state` (in memory only: a plan writes nothing) in
/// line with X.
fn read_back(
    config: &Config,
    state_path: &Path,
    state: &mut State,
    api_url: &str,
    recreate_deleted: bool,
) -> Result<crate::drift::Refresh, Problem> {
    let credentials = crate::client::Credentials::from_env()?;
    let budget = crate::budget::Budget::from_config(&config.budget())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Problem::new("cannot start the async runtime").because(&e))?;
    runtime.block_on(async {
        let client = crate::client::XClient::new(api_url, credentials)
            .map_err(|e| Problem::from_error(&e))?;
        let options = crate::executor::ApplyOptions::default();
        let clock = crate::clock::Clock::system();
        crate::executor::Executor::new(client, clock, state_path, budget, options)
            .refresh(state, recreate_deleted)
            .await
    })
}

/// Writes the plan atomically: a half-written plan must never be applied.
fn save_plan(path: &Path, plan: &Plan) -> Result<(), Problem> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(plan_json::json(plan).as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| {
        Problem::new(format!("cannot save the plan to {}", path.display())).because(&e)
    })
}
