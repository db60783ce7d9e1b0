//! `cargo bench --bench apply`: how close `apply` comes to what the rate
//! budget allows, and how fast it goes when nothing limits it.
//!
//! 1. 1,000 single-tweet posts against the in-process fake X (X's default
//!    limits: 200 creates per 15 minutes, 300 per 3 hours) on a virtual
//!    clock, with the default budget: the virtual time the apply takes,
//!    against the least the windows allow, and the 429s X answered (the
//!    target: within 1%, and none).
//! 2. With the budget and the fake's limits lifted, creates per second
//!    sustained in real time against the fake over HTTP on 127.0.0.1, with
//!    the state saved (fsync) before and after every create as always; and
//!    the client alone, without the executor.

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tweetform::budget::{Budget, RequestKind};
use tweetform::clock::Clock;
use tweetform::config::BudgetPreset;
use tweetform::emulator_transport::{ClientCredentials as _, InProcess};
use tweetform::executor::{ApplyOptions, Executor};
use tweetform::post::{Post, Tweet};
use tweetform::state::State;
use tweetform_emulator::{self as emulator, FakeX, Limits, TEST_CREDENTIALS, Window};

const POSTS: usize = 1_000;

fn posts(n: usize) -> Vec<Post> {
    (0..n)
        .map(|i| Post {
            key: format!("bench/{i:05}"),
            file: format!("posts/bench/{i:05}.yaml").into(),
            publish_at: None,
            publish_at_pos: None,
            is_thread: false,
            tweets: vec![Tweet::new(format!(
                "Benchmark post {i}: tweets as code, within the budget."
            ))],
            repost: None,
        })
        .collect()
}

/// The least time in which `n` requests fit the windows: with "at most
/// `limit` in any `length`", the k-th request (0-based) can go no earlier
/// than the (k - limit)-th plus `length`, for every window; sending each as
/// early as that allows is optimal. X's fixed windows allow no less: any
/// `length`-long interval holds at most `limit` of them whatever the phase.
fn minimum(windows: &[(usize, SignedDuration)], n: usize) -> SignedDuration {
    let mut t = vec![SignedDuration::ZERO; n];
    for k in 0..n {
        for &(limit, length) in windows {
            if k >= limit {
                t[k] = t[k].max(t[k - limit] + length);
            }
        }
    }
    t[n - 1]
}

fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

fn budgeted_on_virtual_clock() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let t0: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let dir = scratch_dir();
    let state_path = dir.path().join("tweets.lock.json");
    let posts = posts(POSTS);
    let real = Instant::now();
    let (elapsed, first, last, too_many, published) = runtime.block_on(async {
        let clock = Clock::starting_at(t0);
        let x = InProcess::new(clock.clone());
        let budget = Budget::preset(BudgetPreset::Default);
        let options = ApplyOptions {
            wait: Duration::from_secs(48 * 3600),
            ..ApplyOptions::default()
        };
        let mut state = State::new();
        let plan = tweetform::plan::plan(&posts, &state, t0);
        let mut ex = Executor::new(x.clone(), clock.clone(), &state_path, budget, options);
        let report = ex.execute(&plan, &mut state).await;
        assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
        let tweets = x.live_tweets();
        let first = tweets.first().unwrap().created_at;
        let last = tweets.last().unwrap().created_at;
        (
            clock.now().duration_since(t0),
            first,
            last,
            x.too_many_requests_sent(),
            report.published().count(),
        )
    });
    let budget = Budget::preset(BudgetPreset::Default);
    let windows: Vec<(usize, SignedDuration)> = budget
        .windows(RequestKind::Create)
        .iter()
        .map(|w| (w.limit as usize, w.length))
        .collect();
    let min = minimum(&windows, POSTS);
    let span = last.duration_since(first);
    let over = (span.as_secs_f64() - min.as_secs_f64()) / min.as_secs_f64() * 100.0;
    println!(
        "apply/budgeted: {published} creates under the default budget (200/15m + 300/3h), virtual clock"
    );
    println!("  first to last create:   {span:#}");
    println!("  minimum the windows allow: {min:#}");
    println!("  over the minimum:        {over:.4}%  (target < 1%)");
    println!("  whole apply (virtual):   {elapsed:#}");
    println!("  429 answers:             {too_many}  (target 0)");
    println!("  real time:               {:.2?}", real.elapsed());
    assert_eq!(published, POSTS);
    assert!(over < 1.0, "{over}% over the minimum");
    assert_eq!(too_many, 0);
}

fn unlimited_over_http() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for (label, on_disk) in [("state on disk", true), ("state in tmpfs", false)] {
        let dir = if on_disk {
            tempfile::tempdir().unwrap()
        } else {
            scratch_dir()
        };
        let state_path = dir.path().join("tweets.lock.json");
        let posts = posts(POSTS);
        let (secs, published, requests) = runtime.block_on(async {
            let clock = Clock::system();
            let lifted = Limits {
                create: vec![Window::minutes(u32::MAX, 15)],
                ..Limits::x_defaults()
            };
            let fake = FakeX::with_limits(lifted, clock.clone());
            let shared = std::sync::Arc::new(std::sync::Mutex::new(fake));
            let server = emulator::spawn(shared.clone(), "127.0.0.1:0")
                .await
                .unwrap();
            let client =
                tweetform::client::XClient::new(&server.url(), TEST_CREDENTIALS.credentials())
                    .unwrap();
            let mut state = State::new();
            let plan = tweetform::plan::plan(&posts, &state, clock.now());
            let mut ex = Executor::new(
                client,
                clock,
                &state_path,
                Budget::unlimited(),
                ApplyOptions::default(),
            );
            let start = Instant::now();
            let report = ex.execute(&plan, &mut state).await;
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
            let requests = emulator::lock(&shared).requests_seen();
            server.shutdown().await;
            (secs, report.published().count(), requests)
        });
        println!(
            "apply/unlimited over HTTP ({label}): {published} creates in {secs:.2}s = {:.0} creates/s ({requests} requests)",
            published as f64 / secs
        );
    }
}

/// The client alone, without the executor's state writes: sequential
/// creates over one keep-alive connection pool.
fn client_alone_over_http() {
    use tweetform::api::XApi;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (secs, n) = runtime.block_on(async {
        let clock = Clock::system();
        let lifted = Limits {
            create: vec![Window::minutes(u32::MAX, 15)],
            ..Limits::x_defaults()
        };
        let fake = FakeX::with_limits(lifted, clock);
        let shared = std::sync::Arc::new(std::sync::Mutex::new(fake));
        let server = emulator::spawn(shared.clone(), "127.0.0.1:0")
            .await
            .unwrap();
        let client =
            tweetform::client::XClient::new(&server.url(), TEST_CREDENTIALS.credentials()).unwrap();
        let start = Instant::now();
        for i in 0..POSTS {
            let body = serde_json::json!({ "text": format!("client alone {i}") });
            client.create_tweet(&body).await.unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        server.shutdown().await;
        (secs, POSTS)
    });
    println!(
        "client alone over HTTP: {n} creates in {secs:.2}s = {:.0} requests/s (signing, HTTP/1.1 on 127.0.0.1, the fake's OAuth check)",
        n as f64 / secs
    );
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep it quick then.
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        println!("apply benchmark: run with `cargo bench --bench apply`");
        return;
    }
    budgeted_on_virtual_clock();
    unlimited_over_http();
    client_alone_over_http();
}
