//! `cargo bench --bench plan_memory`: peak memory (and one-shot time) of
//! planning 1k, 10k and 100k generated posts. Each measurement runs in a
//! fresh child process, because the kernel's high-water mark (`VmHWM` in
//! /proc/self/status) only ever grows.
//!
//! Two measurements per size:
//! - `plan`: the planner alone, over posts and state already in memory;
//! - `tweetform plan`: what the command does, from a generated repository
//!   on disk: read tweetform.yaml, find and parse every post, validate,
//!   read the lockfile, plan, render for a terminal.
//!
//! Target on a 2-core machine: 10k posts under 150 MB peak.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use tweetform::config::Config;
use tweetform::state::State;
use tweetform::{load, plan, terminal, validate};

#[path = "support/generate.rs"]
mod generate;

const CHILD: &str = "TWEETFORM_BENCH_CHILD";
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_mib;

fn child(spec: &str) {
    let (mode, arg) = spec.split_once(':').expect("mode:arg");
    let before = status_mib("VmRSS:");
    let start = Instant::now();
    let changes = match mode {
        "plan" => {
            let n: usize = arg.parse().expect("size");
            let mut project = generate::project(n);
            project.yaml = Vec::new(); // the planner never sees the files
            let before = status_mib("VmRSS:");
            let start = Instant::now();
            let plan = plan::plan(&project.posts, &project.state, generate::now());
            let elapsed = start.elapsed();
            println!(
                "plan            n={n:>6}  time {:>8.1} ms  peak {:>7.1} MiB  (inputs {:.1} MiB)  changes {}",
                elapsed.as_secs_f64() * 1e3,
                status_mib("VmHWM:"),
                before,
                plan.changes.len()
            );
            return;
        }
        "e2e" => {
            let root = Path::new(arg);
            let mut stages = Vec::new();
            let mut lap = Instant::now();
            let mut mark = |name: &'static str| {
                stages.push(format!("{name} {:.0}", lap.elapsed().as_secs_f64() * 1e3));
                lap = Instant::now();
            };
            let config = Config::load(root).expect("config");
            let loaded = load::load_project(root, &config);
            assert!(
                loaded.diagnostics.is_empty(),
                "{:?}",
                loaded.diagnostics.first()
            );
            mark("load");
            let problems = validate::validate(&loaded.posts);
            assert!(problems.is_empty(), "{:?}", problems.first());
            mark("validate");
            let state = State::load(&config.state_path(root)).expect("state");
            mark("state");
            let plan = plan::plan(&loaded.posts, &state, generate::now());
            mark("plan");
            let text = terminal::human(&plan, false);
            assert!(!text.is_empty());
            mark("render");
            println!("    stages (ms): {}", stages.join(", "));
            plan.changes.len()
        }
        _ => panic!("unknown mode {mode}"),
    };
    let n = std::env::var("TWEETFORM_BENCH_N").unwrap_or_default();
    println!(
        "tweetform plan  n={n:>6}  time {:>8.1} ms  peak {:>7.1} MiB  (process start {before:.1} MiB)  changes {changes}",
        start.elapsed().as_secs_f64() * 1e3,
        status_mib("VmHWM:"),
    );
}

fn run_child(spec: &str, n: usize) {
    let exe = std::env::current_exe().expect("own path");
    let status = Command::new(exe)
        .env(CHILD, spec)
        .env("TWEETFORM_BENCH_N", n.to_string())
        .status()
        .expect("child runs");
    assert!(status.success(), "{spec} failed");
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        child(&spec);
        return;
    }
    // `cargo test --benches` runs this with no `--bench`: keep it quick.
    let sizes: &[usize] = if std::env::args().any(|a| a == "--bench") {
        &SIZES
    } else {
        &SIZES[..1]
    };
    for &n in sizes {
        run_child(&format!("plan:{n}"), n);
    }
    for &n in sizes {
        let dir = tempfile::tempdir().expect("temporary directory");
        generate::write_project(dir.path(), &generate::project(n)).expect("write project");
        run_child(&format!("e2e:{}", dir.path().display()), n);
    }
}
