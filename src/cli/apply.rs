//! `tweetform apply`.

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("`tweetform apply` is not built yet")
}
