//! The X API over HTTP: reqwest with rustls, OAuth 1.0a user context.
