//! `tweetform init`: setting up a repository.
