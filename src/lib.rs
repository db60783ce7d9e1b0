//! tweetform: tweets as code.
//!
//! Data flows one way: files ([`load`]) → posts ([`post`], checked by
//! [`validate`]) → plan ([`plan`], against [`state`]) → [`executor`] (through
//! [`api::XApi`], within [`budget`]) → state.

pub mod access;
pub(crate) mod access_level;
pub(crate) mod action;
pub mod api;
pub(crate) mod atomic_file;
pub mod budget;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod cost;
pub(crate) mod credentials;
pub(crate) mod diff;
pub mod drift;
pub(crate) mod duration;
#[cfg(any(test, feature = "emulator"))]
pub mod emulator_transport;
pub(crate) mod endpoint;
pub mod executor;
pub(crate) mod field;
pub(crate) mod field_reader;
pub mod forecast;
pub mod git;
pub mod github;
pub(crate) mod import;
pub(crate) mod import_account;
pub(crate) mod imported_post;
pub(crate) mod init;
pub(crate) mod interrupt;
pub mod load;
pub mod lock;
pub mod markdown;
pub(crate) mod media_file;
pub(crate) mod media_operations;
pub(crate) mod money;
pub(crate) mod multipart;
pub(crate) mod oauth;
pub(crate) mod operations;
pub mod output;
pub(crate) mod parse;
pub mod plan;
pub(crate) mod plan_cost;
pub mod plan_json;
pub(crate) mod planner;
pub mod post;
pub(crate) mod post_forecast;
pub(crate) mod prices;
pub mod problem;
pub(crate) mod progress;
pub(crate) mod project;
pub(crate) mod render;
pub(crate) mod repeated_text;
pub mod report;
pub mod spend;
pub mod state;
pub(crate) mod suggest;
pub mod terminal;
pub(crate) mod text;
pub(crate) mod tweet_link;
pub(crate) mod tweet_match;
pub(crate) mod twitter_together;
pub mod validate;
pub(crate) mod x_answer;
pub(crate) mod yaml;
