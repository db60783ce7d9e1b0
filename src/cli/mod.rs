//! The command line: argument parsing and dispatch. Each subcommand lives in
//! its own file and returns the process exit code or the [`Problem`] that
//! stopped it, which is rendered here, once, on stderr. Everything goes
//! through one [`Output`], which also deals, once, with a reader that went
//! away: a closed pipe never changes the exit code.

mod apply;
#[cfg(feature = "emulator")]
mod emulator;
mod import;
mod init;
mod migrate;
mod plan;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::output::Output;
use crate::problem::Problem;

#[derive(Debug, Parser)]
#[command(name = "tweetform", version, about = "Tweets as code: plan and apply posts to X from YAML files", long_about = None)]
pub(crate) struct Cli {
    /// Run as if started in DIR: the project is found from there (the
    /// nearest directory upward with a tweetform.yaml).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every post offline and report every problem as file:line:column.
    Validate(validate::Args),
    /// Show what `apply` would do: create, append, replace, delete, move, wait.
    Plan(plan::Args),
    /// Publish to X: execute a fresh plan, or a plan saved with `plan --out`.
    Apply(apply::Args),
    /// Run a local fake X API to rehearse an apply without an X account.
    #[cfg(feature = "emulator")]
    Emulator(emulator::Args),
    /// Set up tweetform in an existing repository (never overwrites a file).
    Init(init::Args),
    /// Convert posts from another tool (twitter-together) into tweetform posts.
    Migrate(migrate::Args),
    /// Record tweets already on X (by link, from the account, or adopted).
    Import(import::Args),
}

/// Parses the arguments, runs the command, and renders the problem that
/// stopped it (exit code 1).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::std(|terminal| wants_color(cli.color, terminal));
    let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // `init` and `migrate` set up the directory they are given (it may not
    // be a project yet); the other commands work on the project that
    // directory is in.
    let root = match &cli.command {
        Command::Init(_) | Command::Migrate(_) => Ok(dir),
        #[cfg(feature = "emulator")]
        Command::Emulator(_) => Ok(dir),
        _ => crate::project::find_root(&dir, cli.dir.is_some()),
    };
    let root = match root {
        Ok(root) => root,
        Err(e) => {
            let _ = out.stderr.problem(&e.into());
            return ExitCode::from(1);
        }
    };
    let ctx = Context { root, out };
    let result: Result<u8, Problem> = match cli.command {
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Plan(args) => plan::run(&ctx, args),
        Command::Apply(args) => apply::run(&ctx, args),
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => emulator::run(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
        Command::Migrate(args) => migrate::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(problem) => {
            // Nowhere is left to report a failure to report it.
            let _ = ctx.out.stderr.problem(&problem);
            ExitCode::from(1)
        }
    }
}

/// Whether to colour an output: `--color`, else on a terminal unless
/// `NO_COLOR` is set (to anything but the empty string).
fn wants_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// What every subcommand needs to know about how it was started.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub root: PathBuf,
    /// Where everything is printed, each stream coloured or not.
    pub out: Output,
}
