//! A fake X API v2 for tests and rehearsals: OAuth-checked, rate-limited,
//! fault-injecting. It shares no code with tweetform, the client it checks:
//! it counts length with twitter-text itself, verifies OAuth 1.0a by hand,
//! keeps its own clock, and answers in X's own shapes.
//!
//! - [`FakeX`] ([`fake`]) is the state machine: one account, its tweets and
//!   its media uploads. Around it, one file per idea: [`limits`] (fixed
//!   windows and X's rate headers), [`access`] (the access level and the
//!   quotes and replies it refuses), `route` (which endpoint a request is
//!   for), `answers` (X's statuses and error bodies), `endpoints` (the
//!   tweet and user routes' handlers), `media_endpoints` (the v2 media
//!   routes' handlers and the check of a tweet's media IDs), [`media`] (the
//!   state of uploads: segment counts, running SHA-256, processing on the
//!   fake's clock, expiry, alt text; never the bytes), `magic` (a file's
//!   type and size from its first bytes), `multipart` (`multipart/form-data`
//!   bodies), `media_schema` (the media request bodies as X's OpenAPI
//!   document declares them), [`faults`] (planned 5xx, dropped connections,
//!   delays, timeline lag, clock skew, refused texts, failed processing),
//!   `rendering` (the text X returns: t.co links, entities, HTML escapes),
//!   [`schema`] (the create body as X's OpenAPI document declares it),
//!   [`signature`] (OAuth), [`clock`].
//! - [`FakeX::respond`] ([`exchange`]) is the fake as one function from an
//!   HTTP request to an HTTP answer. [`spawn`] ([`server`]) serves it with
//!   hyper on 127.0.0.1; tweetform's in-process transport calls it without
//!   sockets, so that tests run 15-minute, 3-hour and 24-hour windows on
//!   tokio's paused clock.

pub mod access;
mod answers;
pub mod behaviour;
pub mod clock;
mod edits;
mod endpoints;
pub mod exchange;
pub mod fake;
pub mod faults;
pub mod limits;
mod magic;
pub mod media;
mod media_endpoints;
mod media_schema;
mod multipart;
mod rendering;
mod reposts;
mod route;
pub mod schema;
pub mod server;
pub mod signature;

pub use behaviour::Access;
pub use behaviour::{Behaviour, TEST_CREDENTIALS, TestCredentials, User};
pub use clock::Clock;
pub use exchange::{Via, WireAnswer, WireRequest};
pub use fake::{FakeX, StoredTweet};
pub use faults::{Failure, Faults, Rejection};
pub use limits::{Limits, Window};
pub use media::{
    MediaKind, Processing, ProcessingError, ProcessingNow, ProcessingState, StoredMedia,
};
pub use route::Endpoint;
pub use server::{ServeOptions, Server, spawn, spawn_with};

/// A `FakeX` shared between a server or an in-process transport and the
/// test that inspects it.
pub type SharedFake = std::sync::Arc<std::sync::Mutex<FakeX>>;

/// Locks a shared fake, ignoring poisoning (a panicking test thread must not
/// hide the state from the next assertion).
pub fn lock(fake: &SharedFake) -> std::sync::MutexGuard<'_, FakeX> {
    fake.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fake shared, ready for [`spawn`].
pub fn share(fake: FakeX) -> SharedFake {
    std::sync::Arc::new(std::sync::Mutex::new(fake))
}
