//! `validate`, `plan`, `init` and `emulator` when the reader of their output has gone
//! away: a pipe whose other end is closed (`tweetform plan | head`) or a
//! closed descriptor (`>&-`). They print nothing more, never panic, and
//! exit with the code of their own outcome. (`apply` is in tests/apply.rs,
//! beside the fake X it publishes to.)

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Which outputs have no reader.
#[derive(Debug, Clone, Copy)]
enum Gone {
    /// stdout is a pipe whose read end is closed (EPIPE).
    Stdout,
    /// stderr is such a pipe.
    Stderr,
    /// Both are.
    Both,
    /// Both descriptors are closed, as `>&- 2>&-` does in a shell.
    Closed,
}

const ALL: [Gone; 4] = [Gone::Stdout, Gone::Stderr, Gone::Both, Gone::Closed];

/// A pipe nobody reads: its read end is dropped at once.
fn broken_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer.into()
}

/// Runs `tweetform -C root ARGS…` with `gone` outputs; the others piped.
fn run(root: &Path, args: &[&str], gone: Gone) -> Output {
    let binary = env!("CARGO_BIN_EXE_tweetform");
    let mut full: Vec<OsString> = vec!["-C".into(), root.into(), "--color".into(), "never".into()];
    full.extend(args.iter().map(OsString::from));
    let mut cmd = match gone {
        Gone::Closed => {
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(r#"exec "$0" "$@" >&- 2>&-"#)
                .arg(binary)
                .args(&full);
            sh
        }
        _ => {
            let mut cmd = Command::new(binary);
            cmd.args(&full);
            cmd
        }
    };
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .stdin(Stdio::null());
    match gone {
        Gone::Stdout => {
            cmd.stdout(broken_pipe());
        }
        Gone::Stderr => {
            cmd.stderr(broken_pipe());
        }
        Gone::Both => {
            cmd.stdout(broken_pipe()).stderr(broken_pipe());
        }
        Gone::Closed => {}
    }
    cmd.output().expect("tweetform runs")
}

fn code(out: &Output, gone: Gone) -> i32 {
    out.status.code().unwrap_or_else(|| {
        panic!(
            "{gone:?}: killed by a signal: {:?}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn validate_of_valid_posts_exits_0_whoever_reads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/a.yaml", "text: hello\n");
    for format in ["human", "json"] {
        for gone in ALL {
            let out = run(dir.path(), &["validate", "--format", format], gone);
            assert_eq!(code(&out, gone), 0, "{format} {gone:?}: {}", stderr(&out));
            if let Gone::Stdout = gone {
                assert_eq!(stderr(&out), "", "{format}: a closed pipe is not an error");
            }
        }
    }
}

#[test]
fn validate_of_invalid_posts_exits_1_whoever_reads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "posts/typo.yaml", "txt: hello\n");
    for format in ["human", "json"] {
        for gone in ALL {
            let out = run(dir.path(), &["validate", "--format", format], gone);
            assert_eq!(
                code(&out, gone),
                1,
                "{format} {gone:?}: the failure is not hidden: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn plan_in_each_format_saves_and_exits_0_whoever_reads() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "json", "markdown"] {
        for gone in ALL {
            let file = dir.path().join(format!("{format}-{gone:?}.plan"));
            let out = run(
                &fixture("mixed"),
                &["plan", "--format", format, "--out", file.to_str().unwrap()],
                gone,
            );
            assert_eq!(code(&out, gone), 0, "{format} {gone:?}: {}", stderr(&out));
            let saved = std::fs::read_to_string(&file).unwrap();
            serde_json::from_str::<serde_json::Value>(&saved).expect("the plan was saved whole");
        }
    }
}

#[test]
fn plan_keeps_its_detailed_exit_code_whoever_reads() {
    for gone in ALL {
        let out = run(&fixture("mixed"), &["plan", "--detailed-exitcode"], gone);
        assert_eq!(code(&out, gone), 2, "{gone:?}: {}", stderr(&out));
    }
}

#[test]
fn plan_of_invalid_posts_exits_1_whoever_reads() {
    for gone in ALL {
        let out = run(&fixture("invalid"), &["plan"], gone);
        assert_eq!(code(&out, gone), 1, "{gone:?}: {}", stderr(&out));
    }
}

#[test]
fn init_writes_its_files_and_exits_0_whoever_reads() {
    for gone in ALL {
        let dir = tempfile::tempdir().unwrap();
        let out = run(dir.path(), &["init"], gone);
        assert_eq!(code(&out, gone), 0, "{gone:?}: {}", stderr(&out));
        for file in ["tweetform.yaml", ".github/workflows/tweets.yml"] {
            assert!(dir.path().join(file).is_file(), "{gone:?}: {file}");
        }
    }
}

#[test]
fn init_that_fails_exits_1_whoever_reads() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-directory");
    for gone in ALL {
        let out = run(&missing, &["init"], gone);
        assert_eq!(code(&out, gone), 1, "{gone:?}: {}", stderr(&out));
    }
}

#[cfg(feature = "emulator")]
#[test]
fn the_emulator_serves_and_stops_cleanly_whoever_reads() {
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    for gone in [Gone::Stdout, Gone::Both] {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tweetform"));
        cmd.args(["emulator", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(broken_pipe())
            .stderr(match gone {
                Gone::Both => broken_pipe(),
                _ => Stdio::piped(),
            });
        let mut child = cmd.spawn().unwrap();
        // Serving: it answers on its port (its banner has no reader).
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{gone:?}: the emulator ended before serving: {status:?}");
            }
            assert!(Instant::now() < deadline, "{gone:?}: never served");
            std::thread::sleep(Duration::from_millis(20));
        }
        // Then, a moment later, waiting for Ctrl-C.
        std::thread::sleep(Duration::from_millis(500));
        let interrupted = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(interrupted.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out, gone), 0, "{gone:?}: {}", stderr(&out));
    }
}
