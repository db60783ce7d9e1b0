//! `cargo bench --bench upload`: a 200 MB video uploaded by `apply` to the
//! fake X over HTTP on 127.0.0.1 — throughput and peak memory.
//!
//! The fake runs in this process; the apply runs in a child process of its
//! own (this binary again), so that the child's high-water mark (`VmHWM`
//! in /proc/self/status) is the publisher's alone: loading the project
//! (which reads the whole file to hash it), planning, uploading in
//! segments read from disk, polling X's processing, and the tweet.
//!
//! Target: peak memory under 64 MB whatever the file's size (the file is
//! never held whole). Also measured at 50 MB: a flat peak is the proof.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tweetform::budget::Budget;
use tweetform::clock::Clock;
use tweetform::config::Config;
use tweetform::emulator_transport::ClientCredentials as _;
use tweetform::executor::{ApplyOptions, Executor};
use tweetform::state::State;
use tweetform_emulator::{self as emulator, Behaviour, FakeX, TEST_CREDENTIALS};

const CHILD: &str = "TWEETFORM_BENCH_UPLOAD";
const MIB: usize = 1 << 20;

/// A field of /proc/self/status, in MiB (Linux only; 0 elsewhere).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A project with one post carrying a video of `size` bytes: the example
/// clip, padded with a `free` box (an MP4 ends where its boxes say, and
/// readers skip `free`), so that it is a real MP4 of 2.5 s by its headers.
fn project(dir: &Path, size: usize) {
    let clip = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/media/clip.mp4"))
        .unwrap();
    let pad = size - clip.len() - 8;
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("video.mp4")).unwrap());
    use std::io::Write;
    file.write_all(&clip).unwrap();
    file.write_all(&u32::try_from(pad + 8).unwrap().to_be_bytes())
        .unwrap();
    file.write_all(b"free").unwrap();
    let chunk = vec![0x5au8; MIB];
    let mut left = pad;
    while left > 0 {
        let n = left.min(MIB);
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
    std::fs::create_dir_all(dir.join("posts")).unwrap();
    std::fs::write(
        dir.join("posts/video.yaml"),
        "text: A long video\nmedia:\n  - file: /video.mp4\n    alt: Test bars\n",
    )
    .unwrap();
}

/// In the child: load, plan and apply the project at `root` against `url`.
fn child(root: &Path, url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let start = Instant::now();
    let config = Config::load(root).unwrap();
    let loaded = tweetform::load::load_project(root, &config);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let loaded_in = start.elapsed();
    let mut state = State::new();
    let clock = Clock::system();
    let plan = tweetform::plan::plan(&loaded.posts, &state, clock.now());
    let client = tweetform::client::XClient::new(url, TEST_CREDENTIALS.credentials()).unwrap();
    let uploaded_in = runtime.block_on(async {
        let mut ex = Executor::new(
            client,
            clock,
            root.join("state/tweets.lock.json"),
            Budget::unlimited(),
            ApplyOptions::default(),
        )
        .with_media_root(root);
        let start = Instant::now();
        let report = ex.execute(&plan, &mut state).await;
        assert_eq!(report.exit_code(), 0, "{}", report.render_summary(false));
        start.elapsed()
    });
    println!(
        "{:.3} {:.3} {:.1}",
        loaded_in.as_secs_f64(),
        uploaded_in.as_secs_f64(),
        status_mib("VmHWM:")
    );
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        let (root, url) = spec.split_once(' ').expect("root url");
        child(Path::new(root), url);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let behaviour = Behaviour {
        media_processing: Duration::from_secs(1),
        ..Behaviour::default()
    };
    let shared = emulator::share(FakeX::new(behaviour, emulator::Clock::system()));
    let server = runtime
        .block_on(emulator::spawn(shared.clone(), "127.0.0.1:0"))
        .unwrap();
    println!("upload: a video published by apply over HTTP on 127.0.0.1 (segments of 4 MiB)");
    for size_mb in [50, 200] {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path(), size_mb * MIB);
        let exe = std::env::current_exe().unwrap();
        let out = Command::new(exe)
            .env(CHILD, format!("{} {}", dir.path().display(), server.url()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).unwrap();
        let fields: Vec<f64> = line
            .split_whitespace()
            .map(|f| f.parse().unwrap())
            .collect();
        let (load, upload, peak) = (fields[0], fields[1], fields[2]);
        // Processing (1 s on the fake) is part of the upload's time.
        println!(
            "  {size_mb:>3} MiB: load+hash {load:.2} s; upload+processing+tweet {upload:.2} s = {:.0} MiB/s; peak RSS of the publisher {peak:.1} MiB",
            size_mb as f64 / upload
        );
        let media = emulator::lock(&shared).uploads().last().unwrap().clone();
        assert_eq!(media.bytes_received, (size_mb * MIB) as u64);
    }
    runtime.block_on(server.shutdown());
}
