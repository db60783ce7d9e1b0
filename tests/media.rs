//! Media files in posts, end to end through the binary: what `validate`
//! reads of real files and refuses, and what `plan` shows of them in each
//! format (the Markdown plan's images served from the commit under review).

use std::path::Path;

use assert_cmd::Command;

const NOW: &str = "2026-11-23T12:00:00Z";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A project with the example media under `media/` and these posts.
fn project(posts: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    for name in ["launch.png", "demo.gif", "clip.mp4"] {
        std::fs::copy(
            manifest().join("examples/media").join(name),
            media.join(name),
        )
        .unwrap();
    }
    std::fs::copy(
        manifest().join("tests/fixtures/media/tiny.jpg"),
        media.join("photo.png"),
    )
    .unwrap();
    std::fs::write(media.join("notes.png"), "not a picture at all\n").unwrap();
    std::fs::create_dir_all(media.join("folder.png")).unwrap();
    for (name, body) in posts {
        let path = dir.path().join("posts").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn tweetform(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tweetform").unwrap();
    for var in [
        "NO_COLOR",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GITHUB_EVENT_PATH",
        "GITHUB_WORKSPACE",
        "GITHUB_SERVER_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("-C").arg(dir);
    cmd
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn files_are_read_by_their_content_and_refused_where_they_are_named() {
    let dir = project(&[(
        "bad.yaml",
        "text: hi\nmedia:\n  - file: ../media/missing.png\n    alt: a\n  - file: ../media/notes.png\n    alt: b\n  - file: ../media/folder.png\n    alt: c\n",
    )]);
    let (code, _, stderr) = output(tweetform(dir.path()).arg("validate"));
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: posts/"))
        .collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with("error: posts/bad.yaml:3:11: `media/missing.png`"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("error: posts/bad.yaml:5:11: `media/notes.png`"),
        "{stderr}"
    );
    assert!(
        lines[1].contains("text"),
        "says what the file looks like: {stderr}"
    );
    assert!(
        lines[2].starts_with("error: posts/bad.yaml:7:11: `media/folder.png`"),
        "{stderr}"
    );
    assert!(stderr.contains("= help:"), "{stderr}");
    // No plan is made from a post whose media cannot be read.
    let (code, stdout, stderr) = output(tweetform(dir.path()).args(["plan", "--at", NOW]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("no plan was made"), "{stderr}");
}

#[test]
fn a_link_out_of_the_project_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        manifest().join("examples/media/launch.png"),
        outside.path().join("secret.png"),
    )
    .unwrap();
    let dir = project(&[(
        "a.yaml",
        "text: hi\nmedia:\n  - file: ../media/link.png\n    alt: a\n",
    )]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.png"),
        dir.path().join("media/link.png"),
    )
    .unwrap();
    let (code, _, stderr) = output(tweetform(dir.path()).arg("validate"));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("posts/a.yaml:3:11: `media/link.png` leads outside the project"),
        "{stderr}"
    );
}

#[test]
fn media_without_alt_text_warns_and_strict_refuses_it() {
    let dir = project(&[("a.yaml", "text: hi\nmedia:\n  - ../media/launch.png\n")]);
    let (code, stdout, stderr) = output(tweetform(dir.path()).arg("validate"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: posts/a.yaml:3:5: `media/launch.png` has no alt text"),
        "{stderr}"
    );
    assert!(
        stdout.contains("1 post valid, 1 warning (`--strict` refuses them)"),
        "{stdout}"
    );
    let (code, _, stderr) = output(tweetform(dir.path()).args(["validate", "--strict"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error: posts/a.yaml:3:5: `media/launch.png` has no alt text"),
        "{stderr}"
    );
    let (_, stdout, _) = output(tweetform(dir.path()).args(["validate", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(json["warnings"][0]["line"], 3);
    // Under Actions the warning is an annotation of its own kind.
    let (_, stdout, stderr) = output(
        tweetform(dir.path())
            .args(["plan", "--at", NOW])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", dir.path()),
    );
    assert!(stderr.contains("warning: posts/a.yaml:3:5"), "{stderr}");
    assert!(
        stdout.contains("::warning file=posts/a.yaml,line=3,col=5"),
        "{stdout}"
    );
}

#[test]
fn the_plan_shows_each_file_and_its_alt_text_in_every_format() {
    let dir = project(&[
        (
            "images.yaml",
            "text: pictures\nmedia:\n  - file: ../media/launch.png\n    alt: The *launch* card\n  - file: /media/photo.png\n    alt: A photo\n",
        ),
        (
            "video.yaml",
            "text: watch\nmedia:\n  - file: ../media/clip.mp4\n    alt: A test card\n",
        ),
        ("gif.yaml", "text: moving\nmedia: [../media/demo.gif]\n"),
    ]);
    let (code, human, stderr) = output(tweetform(dir.path()).args(["plan", "--at", NOW]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        human.contains("image media/launch.png · PNG 1200×676 · 8."),
        "{human}"
    );
    assert!(human.contains("alt: \"The *launch* card\""), "{human}");
    // Read from its content: a JPEG named .png is a JPEG.
    assert!(
        human.contains("image media/photo.png · JPEG 24×16"),
        "{human}"
    );
    assert!(
        human.contains("video media/clip.mp4 · MP4 640×360 · 2.5 s"),
        "{human}"
    );
    assert!(
        human.contains("GIF media/demo.gif · GIF 320×180 · 12 frames"),
        "{human}"
    );
    assert!(human.contains("no alt text"), "{human}");

    let (_, json, _) =
        output(tweetform(dir.path()).args(["plan", "--at", NOW, "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let text = json.to_string();
    assert!(text.contains("\"file\":\"media/launch.png\""), "{text}");
    assert!(text.contains("\"sha256\":\"sha256:"), "{text}");

    // Under Actions on a pull request: the images from its head commit.
    let event = dir.path().join("event.json");
    let head = "0123456789abcdef0123456789abcdef01234567";
    std::fs::write(
        &event,
        format!(r#"{{"pull_request": {{"head": {{"sha": "{head}"}}}}}}"#),
    )
    .unwrap();
    let (_, md, _) = output(
        tweetform(dir.path())
            .args(["plan", "--at", NOW, "--format", "markdown"])
            .env("GITHUB_REPOSITORY", "acme/posts")
            .env("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_WORKSPACE", dir.path()),
    );
    let url = format!("https://github.com/acme/posts/blob/{head}/media/launch.png?raw=true");
    assert!(
        md.contains(&format!("[![The \\*launch\\* card]({url})]({url})")),
        "{md}"
    );
    assert!(md.contains("> **alt:** The \\*launch\\* card"), "{md}");
    assert!(md.contains(&format!("[▶ `media/clip.mp4`](https://github.com/acme/posts/blob/{head}/media/clip.mp4?raw=true)")), "{md}");
    assert!(md.contains("⚠️ _no alt text_"), "{md}");
    // Outside Actions there is no address to show, only the file and its alt text.
    let (_, md, _) =
        output(tweetform(dir.path()).args(["plan", "--at", NOW, "--format", "markdown"]));
    assert!(!md.contains("?raw=true"), "{md}");
    assert!(md.contains("> **alt:** A photo"), "{md}");
}

#[test]
fn a_new_image_under_the_old_name_replaces_the_tweet_and_a_move_changes_nothing() {
    let dir = project(&[(
        "a.yaml",
        "text: pictures\nmedia:\n  - file: ../media/launch.png\n    alt: The card\n",
    )]);
    let plan_json = |dir: &Path| -> serde_json::Value {
        let (_, out, err) = output(tweetform(dir).args(["plan", "--at", NOW, "--format", "json"]));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };
    // Publish it, as far as the state is concerned: record the planned digest.
    let plan = plan_json(dir.path());
    let digest = plan["changes"][0]["tweets"][0]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let state = serde_json::json!({
        "format_version": 1, "lineage": "t", "serial": 1,
        "posts": {"a": {"tweets": [{"id": "1", "text": "pictures", "digest": digest}]}},
        "requests": {"creates": [], "deletes": []}
    });
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    std::fs::write(dir.path().join("state/tweets.lock.json"), state.to_string()).unwrap();
    assert_eq!(plan_json(dir.path())["summary"]["unchanged"], 1);

    // Moved to another folder: same content, same tweet.
    std::fs::create_dir_all(dir.path().join("img")).unwrap();
    std::fs::rename(
        dir.path().join("media/launch.png"),
        dir.path().join("img/card.png"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("posts/a.yaml"),
        "text: pictures\nmedia:\n  - file: /img/card.png\n    alt: The card\n",
    )
    .unwrap();
    assert_eq!(plan_json(dir.path())["summary"]["unchanged"], 1);

    // Another picture under the same name: the tweet is replaced.
    std::fs::copy(
        manifest().join("tests/fixtures/media/tiny.webp"),
        dir.path().join("img/card.png"),
    )
    .unwrap();
    let plan = plan_json(dir.path());
    assert_eq!(plan["summary"]["replace"], 1, "{plan}");
}
