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

#[test]
fn skew_is_range_checked_both_ways() {
    for value in ["8761h", "-8761h", "later"] {
        emulator(&[&format!("--skew={value}")])
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("--skew"))
            .stderr(predicate::str::contains("from -8760h to 8760h"));
    }
}

/// X's clock as the emulator started with `--skew SKEW` reports it, minus
/// this machine's, in seconds.
fn measured_skew(skew: &str) -> (String, i64) {
    use std::io::{BufRead, BufReader, Read, Write};

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tweetform"))
        .args(["emulator", "--port", "0", "--quiet", "--skew", skew])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("Ctrl-C stops") {
            break;
        }
    }
    let url = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("export TWEETFORM_API_URL="))
        .unwrap_or_else(|| panic!("no URL in {banner}"))
        .to_owned();
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        tcp,
        "GET /2/users/me HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    let here = jiff::Timestamp::now();
    child.kill().unwrap();
    child.wait().unwrap();
    let date = answer
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("date")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no date header in {answer}"));
    let there = jiff::fmt::rfc2822::parse(&date).unwrap().timestamp();
    (banner, there.duration_since(here).as_secs())
}

#[test]
fn skew_runs_xs_clock_ahead_or_behind() {
    let (banner, behind) = measured_skew("-90s");
    assert!((-92..=-88).contains(&behind), "{behind} s");
    assert!(
        banner.contains("X's clock runs 1m 30s behind this machine's"),
        "{banner}"
    );
    let (banner, ahead) = measured_skew("90s");
    assert!((88..=92).contains(&ahead), "{ahead} s");
    assert!(banner.contains("ahead of"), "{banner}");
}
