//! Offline validation of posts: X's weighted length and the body rules of `POST /2/tweets`.
