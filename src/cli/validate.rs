//! `tweetform validate`.

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("`tweetform validate` is not built yet")
}
