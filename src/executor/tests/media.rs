//! Media uploaded by apply, against the fake X's v2 media endpoints on a
//! virtual clock: one image, four with alt text, a GIF and a video that X
//! processes, an expired upload, an interruption between an upload and its
//! tweet, and a file changed since the plan.

use sha2::{Digest, Sha256};

use super::*;
use crate::interrupt::Signal;
use crate::media_file::inspect;
use crate::post::{Media, MediaFile};
use crate::state::IntentShape;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies an example or fixture file into the run's project as `name`.
fn put(run: &Run, from: &str, name: &str) -> String {
    let to = run.dir.path().join("media").join(name);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(manifest().join(from), &to).unwrap();
    format!("media/{name}")
}

/// A tweet carrying these project files (with these alt texts), read as
/// the loader reads them.
fn with_files(run: &Run, text: &str, files: &[(&str, Option<&str>)]) -> Tweet {
    Tweet {
        media: Some(Media {
            files: files
                .iter()
                .map(|(path, alt)| MediaFile {
                    path: (*path).to_owned(),
                    alt: alt.map(str::to_owned),
                    facts: Some(inspect(&run.dir.path().join(path)).unwrap()),
                })
                .collect(),
            ..Media::default()
        }),
        ..Tweet::new(text)
    }
}

fn media_run() -> Run {
    Run::new()
}

fn executor(run: &Run) -> Executor<Fake> {
    run.executor(default_budget(), ApplyOptions::default())
        .with_media_root(run.dir.path())
}

/// The media IDs the tweet X stored for `text` carries.
fn media_of(run: &Run, text: &str) -> Vec<String> {
    let tweet = live(&run.fake)
        .into_iter()
        .find(|t| t.text.starts_with(text))
        .unwrap_or_else(|| panic!("no tweet {text:?} on X"));
    tweet.body["media"]["media_ids"]
        .as_array()
        .map(|ids| ids.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn uploads_sent(run: &Run) -> u64 {
    let f = run.fake.fake();
    f.requests_to(Endpoint::MediaUpload) + f.requests_to(Endpoint::MediaInitialize)
}

#[tokio::test(start_paused = true)]
async fn one_image_is_uploaded_with_its_alt_text_and_tweeted_once() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let tweet = with_files(&run, "launch day", &[(&png, Some("The launch card"))]);
    let plan = plan_of(vec![change_of("launch", &[tweet])]);
    let mut state = empty_state();
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));

    let ids = media_of(&run, "launch day");
    assert_eq!(ids.len(), 1);
    let fake = run.fake.fake();
    let stored = fake.media(&ids[0]).expect("an upload the fake issued");
    assert_eq!(stored.alt_text.as_deref(), Some("The launch card"));
    assert_eq!(
        fake.requests_to(Endpoint::MediaUpload),
        1,
        "images go in one request"
    );
    assert_eq!(fake.requests_to(Endpoint::MediaInitialize), 0);
    drop(fake);
    // Recorded by content, with the expiry X gave.
    let saved = run.saved();
    let record = saved.uploads.values().next().unwrap();
    assert_eq!(record.id, ids[0]);
    assert_eq!(record.file, png);
    assert_eq!(record.alt.as_deref(), Some("The launch card"));
    assert!(record.expires_at > t0() + SignedDuration::from_hours(23));
    assert_eq!(saved.posts["launch"].tweets.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn four_images_go_in_their_order_each_with_its_alt_text() {
    let run = media_run();
    let mut files = vec![
        put(&run, "examples/media/launch.png", "a.png"),
        put(&run, "tests/fixtures/media/tiny.jpg", "b.jpg"),
        put(&run, "tests/fixtures/media/tiny.webp", "c.webp"),
    ];
    // Another PNG: the same picture with one more byte after its end.
    let mut other = std::fs::read(manifest().join("examples/media/launch.png")).unwrap();
    other.push(0);
    std::fs::write(run.dir.path().join("media/d.png"), other).unwrap();
    files.push("media/d.png".into());
    let alts = ["first", "second", "third", "fourth"];
    let named: Vec<(&str, Option<&str>)> = files
        .iter()
        .zip(alts)
        .map(|(f, a)| (f.as_str(), Some(a)))
        .collect();
    let tweet = with_files(&run, "four", &named);
    let plan = plan_of(vec![change_of("four", &[tweet])]);
    let mut state = empty_state();
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    let ids = media_of(&run, "four");
    assert_eq!(ids.len(), 4);
    let fake = run.fake.fake();
    assert_eq!(fake.requests_to(Endpoint::MediaUpload), 4);
    assert_eq!(fake.requests_to(Endpoint::MediaMetadata), 4);
    // The run spent one post and four alt-text calls.
    let spent = report.spent.line().unwrap();
    assert!(
        spent.contains("$0.035") && spent.contains("1 post $0.015, 4 alt texts at most $0.02"),
        "{spent}"
    );
    let held: Vec<Option<&str>> = ids
        .iter()
        .map(|id| fake.media(id).unwrap().alt_text.as_deref())
        .collect();
    assert_eq!(held, alts.map(Some), "in the post's order");
}

#[tokio::test(start_paused = true)]
async fn a_gif_and_a_video_are_chunked_and_wait_for_x_to_process_them() {
    let run = media_run();
    let gif = put(&run, "examples/media/demo.gif", "demo.gif");
    // A video of three segments: the clip, padded past 2 × SEGMENT (an
    // MP4 ends where its boxes say; the padding is a free box's).
    let clip = std::fs::read(manifest().join("examples/media/clip.mp4")).unwrap();
    let pad = 2 * super::super::media::SEGMENT + 1000;
    let mut video = clip.clone();
    video.extend_from_slice(&u32::try_from(pad + 8).unwrap().to_be_bytes());
    video.extend_from_slice(b"free");
    video.resize(video.len() + pad, 0);
    std::fs::write(run.dir.path().join("media/big.mp4"), &video).unwrap();
    let plan = plan_of(vec![
        change_of(
            "gif",
            &[with_files(&run, "a gif", &[(&gif, Some("moving bars"))])],
        ),
        change_of(
            "video",
            &[with_files(
                &run,
                "a video",
                &[("media/big.mp4", Some("a test card"))],
            )],
        ),
    ]);
    let mut state = empty_state();
    let started = run.clock.now();
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    let fake = run.fake.fake();
    assert_eq!(fake.requests_to(Endpoint::MediaInitialize), 2);
    assert_eq!(fake.requests_to(Endpoint::MediaAppend), 1 + 3);
    assert!(
        fake.requests_to(Endpoint::MediaStatus) >= 2,
        "processing was polled"
    );
    drop(fake);
    let ids = media_of(&run, "a video");
    let fake = run.fake.fake();
    let stored = fake.media(&ids[0]).unwrap();
    assert_eq!(stored.bytes_received, video.len() as u64);
    assert!(stored.media_key.starts_with("7_"), "{}", stored.media_key);
    drop(fake);
    assert!(
        run.clock.now() >= started + SignedDuration::from_secs(5),
        "the tweets waited for X's processing"
    );
    assert!(run.saved().uploads.values().all(|u| !u.processing));
}

#[tokio::test(start_paused = true)]
async fn failed_processing_stops_the_post_with_xs_reason_and_forgets_the_upload() {
    let run = media_run();
    let gif = put(&run, "examples/media/demo.gif", "demo.gif");
    run.fake.fake().fail_next_processing(1);
    let plan = plan_of(vec![change_of(
        "gif",
        &[with_files(&run, "a gif", &[(&gif, Some("bars"))])],
    )]);
    let mut state = empty_state();
    let report = executor(&run).execute(&plan, &mut state).await;
    let summary = report.render_summary(false);
    assert!(report.exit_code() != 0, "{summary}");
    assert!(
        summary.contains("X could not process media/demo.gif"),
        "{summary}"
    );
    assert!(live(&run.fake).is_empty());
    assert!(
        run.saved().uploads.is_empty(),
        "a failed upload is not reused"
    );
    assert!(run.saved().refused.is_empty() || summary.contains("process"));
}

#[tokio::test(start_paused = true)]
async fn an_upload_is_reused_while_x_keeps_it_and_made_again_once_expired() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let first = with_files(&run, "first", &[(&png, Some("card"))]);
    let second = with_files(&run, "second", &[(&png, Some("card"))]);
    let mut state = empty_state();
    let plan = plan_of(vec![change_of("one", &[first])]);
    assert!(executor(&run).execute(&plan, &mut state).await.exit_code() == 0);
    assert_eq!(uploads_sent(&run), 1);

    // An hour later the upload is still X's for a day: reused, alt text and all.
    tokio::time::advance(Duration::from_secs(3600)).await;
    let plan = plan_of(vec![change_of("two", &[second])]);
    assert!(executor(&run).execute(&plan, &mut state).await.exit_code() == 0);
    assert_eq!(uploads_sent(&run), 1, "reused");
    assert_eq!(run.fake.fake().requests_to(Endpoint::MediaMetadata), 1);
    assert_eq!(media_of(&run, "first"), media_of(&run, "second"));

    // A day later it has expired: uploaded again, under a new ID.
    tokio::time::advance(Duration::from_secs(86_400)).await;
    let third = with_files(&run, "third", &[(&png, Some("card"))]);
    let plan = plan_of(vec![change_of("three", &[third])]);
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    assert_eq!(uploads_sent(&run), 2);
    assert_ne!(media_of(&run, "third"), media_of(&run, "first"));
    assert_eq!(run.saved().uploads.len(), 1, "the expired record is gone");
}

#[tokio::test(start_paused = true)]
async fn an_upload_is_reused_only_with_its_own_alt_text() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let mut state = empty_state();
    for (key, alt) in [
        ("one", Some("a card")),
        ("two", Some("another text")),
        ("three", None),
    ] {
        let plan = plan_of(vec![change_of(
            key,
            &[with_files(&run, key, &[(&png, alt)])],
        )]);
        let report = executor(&run).execute(&plan, &mut state).await;
        assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    }
    // X holds one alt text per upload, and cannot take one back.
    assert_eq!(uploads_sent(&run), 3);
    let ids: Vec<Vec<String>> = ["one", "two", "three"]
        .iter()
        .map(|k| media_of(&run, k))
        .collect();
    let fake = run.fake.fake();
    assert_eq!(
        fake.media(&ids[0][0]).unwrap().alt_text.as_deref(),
        Some("a card")
    );
    assert_eq!(
        fake.media(&ids[1][0]).unwrap().alt_text.as_deref(),
        Some("another text")
    );
    assert_eq!(fake.media(&ids[2][0]).unwrap().alt_text, None);
}

#[tokio::test(start_paused = true)]
async fn an_upload_x_no_longer_holds_is_forgotten_and_not_a_refusal() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let mut state = empty_state();
    let plan = plan_of(vec![change_of(
        "one",
        &[with_files(&run, "first", &[(&png, Some("card"))])],
    )]);
    assert!(executor(&run).execute(&plan, &mut state).await.exit_code() == 0);
    // The state says X holds it for a day; X says otherwise.
    for record in state.uploads.values_mut() {
        record.id = "999999999".into();
    }
    let plan = plan_of(vec![change_of(
        "two",
        &[with_files(&run, "second", &[(&png, Some("card"))])],
    )]);
    let report = executor(&run).execute(&plan, &mut state).await;
    let summary = report.render_summary(false);
    assert!(report.exit_code() != 0, "{summary}");
    assert!(
        summary.contains("the next apply uploads the files again"),
        "{summary}"
    );
    assert!(state.uploads.is_empty());
    assert!(state.refused.is_empty(), "not refused for its content");
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
}

#[tokio::test(start_paused = true)]
async fn interrupted_between_the_upload_and_its_tweet_the_next_run_reuses_the_upload() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let tweet = with_files(&run, "launch", &[(&png, Some("card"))]);
    let plan = plan_of(vec![change_of("launch", &[tweet])]);
    let mut state = empty_state();
    // The signal arrives the moment the upload is done.
    let interrupt = crate::interrupt::Interrupt::default();
    let raise = interrupt.clone();
    let ex = executor(&run)
        .with_interrupt(interrupt)
        .with_progress(Box::new(move |e| {
            if matches!(e, Event::Uploaded { .. }) {
                raise.raise(Signal::Terminate);
            }
        }));
    let mut ex = ex;
    let report = ex.execute(&plan, &mut state).await;
    assert!(
        report.interrupted.is_some(),
        "{}",
        report.render_summary(false)
    );
    assert!(live(&run.fake).is_empty(), "no tweet yet");
    assert_eq!(run.saved().uploads.len(), 1, "the upload is on disk");

    let mut state = run.saved();
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    assert_eq!(uploads_sent(&run), 1, "not uploaded twice");
    assert_eq!(live(&run.fake).len(), 1);
    assert_eq!(
        media_of(&run, "launch"),
        vec![state.uploads.values().next().unwrap().id.clone()]
    );
}

#[tokio::test(start_paused = true)]
async fn a_tweet_whose_answer_was_lost_is_recognised_by_its_uploads() {
    let run = media_run();
    let a = put(&run, "examples/media/launch.png", "a.png");
    let b = put(&run, "tests/fixtures/media/tiny.jpg", "b.jpg");
    let plan = plan_of(vec![change_of(
        "pa",
        &[with_files(&run, "same words", &[(&a, Some("a"))])],
    )]);
    let mut state = empty_state();
    run.fake.fake().drop_after_commit(1);
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() == 0, "{}", report.render_summary(false));
    assert_eq!(
        live(&run.fake).len(),
        1,
        "published once despite the lost answer"
    );
    assert_eq!(state.posts["pa"].tweets[0].id, live(&run.fake)[0].id);
    assert_eq!(creates_sent(&run.fake), 1, "found on X, not sent again");

    // A tweet with the same words but other uploads is not this intent's.
    let on_x = live(&run.fake)[0].clone();
    let id = media_of(&run, "same words")[0].clone();
    let key = run.fake.fake().media(&id).unwrap().media_key.clone();
    let remote = crate::api::RemoteTweet {
        attachments: Some(crate::api::Attachments {
            media_keys: vec![key.clone()],
            poll_ids: vec![],
        }),
        ..crate::api::RemoteTweet::new(on_x.id.clone(), "same words")
    };
    let other = with_files(&run, "same words", &[(&b, Some("b"))]);
    let intent = |keys: Vec<String>| Intent {
        key: "pb".into(),
        index: 0,
        digest: other.digest(),
        text: "same words".into(),
        at: run.clock.now() - SignedDuration::from_secs(30),
        shape: Some(IntentShape {
            media: 1,
            media_keys: keys,
            ..IntentShape::default()
        }),
        edit_of: None,
    };
    assert!(!super::super::settle::belongs(
        &remote,
        &intent(vec!["3_1".into()])
    ));
    assert!(super::super::settle::belongs(&remote, &intent(vec![key])));
}

#[tokio::test(start_paused = true)]
async fn a_file_changed_since_the_plan_is_never_sent() {
    let run = media_run();
    let png = put(&run, "examples/media/launch.png", "launch.png");
    let tweet = with_files(&run, "launch", &[(&png, Some("card"))]);
    let plan = plan_of(vec![change_of("launch", &[tweet])]);
    // Another picture in its place after the plan was made.
    put(&run, "tests/fixtures/media/tiny.jpg", "launch.png");
    let mut state = empty_state();
    let report = executor(&run).execute(&plan, &mut state).await;
    let summary = report.render_summary(false);
    assert!(summary.contains("media/launch.png"), "{summary}");
    assert!(summary.contains("since the plan was made"), "{summary}");
    assert_eq!(uploads_sent(&run), 0);
    assert!(live(&run.fake).is_empty());
    // Same size, other bytes: hashed as read, and still never finalized.
    let bytes = std::fs::read(manifest().join("examples/media/clip.mp4")).unwrap();
    std::fs::write(run.dir.path().join("media/clip.mp4"), &bytes).unwrap();
    let video = with_files(&run, "clip", &[("media/clip.mp4", Some("card"))]);
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    std::fs::write(run.dir.path().join("media/clip.mp4"), &flipped).unwrap();
    assert_ne!(Sha256::digest(&flipped), Sha256::digest(&bytes));
    let plan = plan_of(vec![change_of("clip", &[video])]);
    let report = executor(&run).execute(&plan, &mut state).await;
    assert!(report.exit_code() != 0);
    assert_eq!(run.fake.fake().requests_to(Endpoint::MediaFinalize), 0);
    assert!(live(&run.fake).is_empty());
}
