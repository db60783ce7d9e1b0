//! `tweetform init`.

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("`tweetform init` is not built yet")
}
