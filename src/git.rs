//! `apply --commit`: committing the updated state.
