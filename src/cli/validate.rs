//! `tweetform validate`: load every post, check it offline, report every
//! problem as `file:line:column: message` with what to do.

use std::collections::BTreeSet;

use owo_colors::OwoColorize;
use serde_json::json;

use super::Context;
use crate::config::{Config, ConfigError};
use crate::load::{Loaded, load_project};
use crate::post::{Pos, Post};
use crate::problem::{Problem, slash};
use crate::state::State;
use crate::text::plural;
use crate::validate::{validate_post, validate_tweet, weighted_length};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format: `human` (diagnostics on stderr) or `json` (on stdout).
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
    /// Treat warnings (media without alt text) as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticsFormat {
    Human,
    Json,
}

/// What one validation run found.
pub(crate) struct Validation {
    pub posts: Vec<Post>,
    /// Every problem, warnings included, sorted by file and position.
    pub diagnostics: Vec<Problem>,
}

impl Validation {
    /// No errors (warnings refuse nothing).
    pub(crate) fn is_valid(&self) -> bool {
        self.errors() == 0
    }

    pub(crate) fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_warning()).count()
    }

    pub(crate) fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.diagnostics.iter().filter(|d| d.is_warning())
    }

    /// `--strict`: every warning becomes an error.
    fn strict(mut self) -> Validation {
        self.diagnostics = self
            .diagnostics
            .into_iter()
            .map(Problem::into_error)
            .collect();
        self
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<u8, Problem> {
    let report = check(ctx);
    let report = if args.strict { report.strict() } else { report };
    print(ctx, args.format, &report, None)?;
    // On GitHub Actions the problems also show on the pull request's diff.
    crate::github::report_validation(
        &ctx.out.stdout,
        &crate::github::GithubEnv::from_env(),
        &ctx.root,
        &report.diagnostics,
    )?;
    Ok(if report.is_valid() { 0 } else { 1 })
}

/// Loads the config and posts under `ctx.root` and validates them.
pub fn check(ctx: &Context) -> Validation {
    check_for(ctx, Purpose::Send)
}

/// What the posts are checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// `validate`, `plan`, `apply`: what X takes from a new tweet now.
    Send,
    /// `import`: recording tweets X already published, which the access
    /// level's rules for new tweets (no quotes on self-serve levels, say)
    /// must not keep out of the state.
    Record,
}

pub(crate) fn check_for(ctx: &Context, purpose: Purpose) -> Validation {
    let config = match Config::load(&ctx.root) {
        Ok(c) => c,
        Err(e) => {
            return Validation {
                posts: Vec::new(),
                diagnostics: vec![config_problem(e)],
            };
        }
    };
    let Loaded {
        posts,
        mut diagnostics,
    } = load_project(&ctx.root, &config);
    for post in &posts {
        diagnostics.extend(validate_post(post));
    }
    // A state that cannot be read is reported by `plan` and `apply`; here
    // it only means that every tweet counts as one to send.
    let state = State::load(&config.state_path(&ctx.root)).unwrap_or_else(|_| State::new());
    diagnostics.extend(crate::repeated_text::check(&posts, &state));
    if purpose == Purpose::Send {
        diagnostics.extend(crate::access::check(config.access, &posts, &state));
    }
    diagnostics.sort();
    diagnostics.dedup();
    Validation { posts, diagnostics }
}

fn config_problem(e: ConfigError) -> Problem {
    let help = e.help().unwrap_or_default().to_owned();
    match e {
        ConfigError::Read { path, source } => Problem::at_pos(
            crate::config::CONFIG_FILE,
            Pos { line: 1, column: 1 },
            format!("cannot read {}: {source}", path.display()),
        )
        .with_help(help),
        ConfigError::Parse {
            path,
            line,
            column,
            message,
        } => Problem::at_pos(path, Pos { line, column }, message).with_help(help),
        ConfigError::Setting(d) => d,
    }
}

/// Prints the report: every diagnostic and a final line (with `advice` as
/// its help when there are problems), or the JSON document. All of validate's
/// output goes through here, so that other renderings (GitHub annotations)
/// can hook in one place.
pub fn print(
    ctx: &Context,
    format: DiagnosticsFormat,
    report: &Validation,
    advice: Option<&str>,
) -> Result<(), Problem> {
    match format {
        DiagnosticsFormat::Json => {
            let json = serde_json::to_string_pretty(&to_json(report))
                .map_err(|e| Problem::new("cannot write the report as JSON").because(&e))?;
            ctx.out.stdout.println(&json)?;
        }
        DiagnosticsFormat::Human => {
            print_problems(ctx, report)?;
            if report.is_valid() {
                let n = report.posts.len();
                let mut line = format!("{} valid", plural(n, "post", "posts"));
                let warnings = report.warnings().count();
                if warnings > 0 {
                    line.push_str(&format!(
                        ", {} (`--strict` refuses them)",
                        plural(warnings, "warning", "warnings")
                    ));
                }
                if ctx.out.stdout.color() {
                    ctx.out
                        .stdout
                        .println(&format!("{} {line}", "ok:".green().bold()))?;
                } else {
                    ctx.out.stdout.println(&format!("ok: {line}"))?;
                }
            } else {
                let files: BTreeSet<_> = report
                    .diagnostics
                    .iter()
                    .filter(|d| !d.is_warning())
                    .map(|d| d.position().0)
                    .collect();
                let (n, f) = (report.errors(), files.len());
                let mut problem = Problem::new(format!(
                    "{} in {}",
                    plural(n, "problem", "problems"),
                    plural(f, "file", "files")
                ));
                if let Some(advice) = advice {
                    problem = problem.with_help(advice);
                }
                ctx.out.stderr.problem(&problem)?;
            }
        }
    }
    Ok(())
}

/// Every problem in the posts, on stderr.
pub(crate) fn print_problems(ctx: &Context, report: &Validation) -> Result<(), Problem> {
    for d in &report.diagnostics {
        ctx.out.stderr.problem(d)?;
    }
    Ok(())
}

/// The documented `--format json` shape:
/// `{"posts":[{"key","file","tweets":[{"weighted_length","valid"}]}],"errors":[{"file","line","column","message"}],"warnings":[…]}`.
pub(crate) fn to_json(report: &Validation) -> serde_json::Value {
    let posts: Vec<_> = report
        .posts
        .iter()
        .map(|post| {
            let tweets: Vec<_> = post
                .tweets
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    json!({
                        "weighted_length": weighted_length(&t.text),
                        "valid": validate_tweet(post, i).iter().all(Problem::is_warning),
                    })
                })
                .collect();
            json!({ "key": post.key, "file": slash(&post.file), "tweets": tweets })
        })
        .collect();
    let listed = |warnings: bool| -> Vec<serde_json::Value> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.is_warning() == warnings)
            .map(|d| {
                let (file, line, column) = d.position();
                json!({
                    "file": slash(file),
                    "line": line,
                    "column": column,
                    "message": d.message(),
                })
            })
            .collect()
    };
    json!({ "posts": posts, "errors": listed(false), "warnings": listed(true) })
}
