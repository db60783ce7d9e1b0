//! One apply at a time per state file.
