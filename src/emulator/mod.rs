//! A fake X API for tests and rehearsals: OAuth-checked, rate-limited, fault-injecting.
//!
//! - [`FakeX`] ([`core`]) is the state machine: one account, its tweets,
//!   fixed rate windows with X's headers, X's error bodies, and a plan of
//!   faults (5xx answers, a connection dropped after the tweet is stored,
//!   slow answers). Time comes from a [`crate::clock::Clock`].
//! - [`InProcess`] implements [`crate::api::XApi`] over a `FakeX` without
//!   sockets, through the client's own request and answer code, so that
//!   tests can run 15-minute, 3-hour and 24-hour windows on tokio's paused
//!   clock.
//! - [`spawn`] serves a `FakeX` over HTTP on 127.0.0.1, verifying OAuth 1.0a
//!   signatures with code of its own ([`signature`]); `tweetform emulator`
//!   runs it from the command line.

pub mod core;
mod in_process;
mod schema;
mod server;
pub mod signature;

pub use self::core::{
    Answer, Caller, Config, Endpoint, Failure, FakeX, Faults, Limits, Request, StoredTweet,
    TEST_CREDENTIALS, TestCredentials, User, Window,
};
pub use self::in_process::InProcess;
pub use self::server::{Options, Server, spawn, spawn_with};

/// A `FakeX` shared between a server or an [`InProcess`] and the test that
/// inspects it.
pub type SharedFake = std::sync::Arc<std::sync::Mutex<FakeX>>;

/// Locks a shared fake, ignoring poisoning (a panicking test thread must not
/// hide the state from the next assertion).
pub fn lock(fake: &SharedFake) -> std::sync::MutexGuard<'_, FakeX> {
    fake.lock().unwrap_or_else(|e| e.into_inner())
}
