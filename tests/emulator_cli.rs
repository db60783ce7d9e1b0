//! `tweetform emulator`'s flags: a value the fake cannot hold is a usage
//! error naming the flag and its range, never a panic.

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

fn emulator(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("tweetform")
        .unwrap()
        .arg("emulator")
        .args(["--port", "0", "--quiet"])
        .args(args)
        .env("NO_COLOR", "1")
        // Were a value accepted, the emulator would serve until killed.
        .timeout(Duration::from_secs(20))
        .assert()
}

#[test]
fn an_overflowing_window_is_a_usage_error() {
    emulator(&["--window", "2000000000000000000s"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--window"))
        .stderr(predicate::str::contains("from 1ms to 8760h"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn every_duration_flag_is_range_checked() {
    for flag in ["--daily-window", "--delay"] {
        emulator(&[flag, "9999999999999s"])
            .code(2)
            .stderr(predicate::str::contains(flag))
            .stderr(predicate::str::contains("from 1ms to 8760h"));
    }
    emulator(&["--create-limit", "4294967296"])
        .code(2)
        .stderr(predicate::str::contains("--create-limit"));
}
