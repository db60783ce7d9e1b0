//! The rate budget: how many creates and deletes X will accept, and when.
