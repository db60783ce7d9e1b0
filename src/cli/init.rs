//! `tweetform init`.

use super::Context;
use crate::problem::Problem;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// Writes what is missing, prints what it did and what to do next. Exit 0
/// also when everything existed: a second run is not an error.
pub fn run(ctx: &Context, _args: Args) -> Result<u8, Problem> {
    let files = crate::init::init(&ctx.root)?;
    ctx.out.stdout.print(&crate::init::report(
        &files,
        crate::init::in_git_repository(&ctx.root),
    ))?;
    Ok(0)
}
