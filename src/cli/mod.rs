//! The command line: argument parsing and dispatch. Each subcommand lives in
//! its own file and returns the process exit code.

mod apply;
#[cfg(feature = "emulator")]
mod emulator;
mod init;
mod plan;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "tweetform", version, about = "Tweets as code: plan and apply posts to X from YAML files", long_about = None)]
pub struct Cli {
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
pub enum ColorChoice {
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
}

/// Parses the arguments, runs the command, and maps errors to exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => crate::render::color_on_stdout(),
    };
    let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // `init` sets up the directory it is given; the other commands work on
    // the project that directory is in.
    let root = match &cli.command {
        Command::Init(_) => Ok(dir),
        #[cfg(feature = "emulator")]
        Command::Emulator(_) => Ok(dir),
        _ => crate::project::find_root(&dir, cli.dir.is_some()),
    };
    let root = match root {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let ctx = Context { root, color };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Plan(args) => plan::run(&ctx, args),
        Command::Apply(args) => apply::run(&ctx, args),
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => emulator::run(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// What every subcommand needs to know about how it was started.
#[derive(Debug, Clone)]
pub struct Context {
    pub root: PathBuf,
    pub color: bool,
}
