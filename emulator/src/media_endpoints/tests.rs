//! The media routes through [`FakeX::respond`], with small real files built
//! here: a PNG signature and IHDR, a GIF header, an MP4 `ftyp` box.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::exchange::{MAX_BODY_BYTES, Via, WireAnswer, WireRequest};
use crate::fake::FakeX;
use crate::fake::test_support::fake;
use crate::media::{MediaKind, ProcessingState};
use crate::route::Endpoint;

struct Reply {
    status: u16,
    body: Value,
    wire: WireAnswer,
}

fn call(f: &mut FakeX, method: &str, target: &str, content_type: &str, body: &[u8]) -> Reply {
    let headers = [("Content-Type", content_type)];
    let wire = f.respond(&WireRequest {
        method,
        target,
        headers: &headers,
        body,
        via: Via::InProcess,
    });
    Reply {
        status: wire.status,
        body: serde_json::from_slice(&wire.body).unwrap_or(Value::Null),
        wire,
    }
}

fn post(f: &mut FakeX, target: &str, body: Value) -> Reply {
    call(
        f,
        "POST",
        target,
        "application/json",
        body.to_string().as_bytes(),
    )
}

fn status(f: &mut FakeX, id: &str) -> Reply {
    call(
        f,
        "GET",
        &format!("/2/media/upload?media_id={id}&command=STATUS"),
        "",
        b"",
    )
}

const BOUNDARY: &str = "tweetform-test-boundary";

fn multipart(fields: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let filename = if *name == "media" {
            "; filename=\"blob\""
        } else {
            ""
        };
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_form(f: &mut FakeX, target: &str, fields: &[(&str, &[u8])]) -> Reply {
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    call(f, "POST", target, &ct, &multipart(fields))
}

/// A PNG's signature and IHDR chunk, then `len` more bytes.
fn png(w: u32, h: u32, len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    b.extend((0..len).map(|i| (i % 251) as u8));
    b
}

fn gif(len: usize) -> Vec<u8> {
    let mut b = b"GIF89a\x40\x01\xf0\x00\xf7\0\0".to_vec();
    b.extend((0..len).map(|i| (i % 13) as u8));
    b
}

fn mp4(len: usize) -> Vec<u8> {
    let mut b = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    b.extend((0..len).map(|i| (i % 241) as u8));
    b
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn id_of(r: &Reply) -> String {
    r.body["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: {}", r.status, r.body))
        .to_owned()
}

fn upload_image(f: &mut FakeX) -> String {
    let r = post(
        f,
        "/2/media/upload",
        json!({"media": b64(&png(4, 4, 100)), "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    id_of(&r)
}

/// Initialize, append in `segment`-byte pieces, finalize: the finalize's
/// answer.
fn upload_chunked(
    f: &mut FakeX,
    category: &str,
    media_type: &str,
    bytes: &[u8],
    segment: usize,
) -> Reply {
    let r = post(
        f,
        "/2/media/upload/initialize",
        json!({"media_type": media_type, "total_bytes": bytes.len(), "media_category": category}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = id_of(&r);
    for (i, chunk) in bytes.chunks(segment).enumerate() {
        let r = post(
            f,
            &format!("/2/media/upload/{id}/append"),
            json!({"media": b64(chunk), "segment_index": i}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    post(f, &format!("/2/media/upload/{id}/finalize"), json!({}))
}

fn tweet(f: &mut FakeX, text: &str, media: &[&str]) -> Reply {
    post(
        f,
        "/2/tweets",
        json!({"text": text, "media": {"media_ids": media}}),
    )
}

fn refused_as_invalid(r: &Reply) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["message"],
        "Your media IDs are invalid."
    );
}

#[tokio::test(start_paused = true)]
async fn one_image_in_one_request_as_json_or_multipart() {
    let mut f = fake();
    let image = png(640, 480, 1000);
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&image), "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.wire.header("x-rate-limit-limit"), Some("500"));
    let id = id_of(&r);
    assert_eq!(
        r.body,
        json!({"data": {
            "id": id,
            "media_key": format!("3_{id}"),
            "size": image.len(),
            "expires_after_secs": 86400,
            "image": {"w": 640, "h": 480, "image_type": "image/png"},
        }})
    );
    let m = f.media(&id).unwrap();
    assert_eq!(m.sha256.as_deref(), Some(sha(&image).as_str()));
    assert_eq!(m.owner, f.user().id);
    assert_eq!(
        (m.kind, m.category.as_str()),
        (MediaKind::Image, "tweet_image")
    );
    assert!(m.is_ready(f.now()));

    let g = gif(50);
    let r = post_form(
        &mut f,
        "/2/media/upload",
        &[("media_category", b"tweet_image"), ("media", &g)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["image"]["image_type"], "image/gif");
    assert_eq!(r.body["data"]["image"]["w"], 320);
    let second = id_of(&r);
    assert_eq!(f.media(&second).unwrap().sha256, Some(sha(&g)));
    assert_eq!(f.uploads().len(), 2);

    // Unknown properties and bad base64 are refused as X refuses them.
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&image), "media_category": "tweet_image", "media_type": "image/png"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errors"][0]["message"],
        "$.media_type: is not defined in the schema and the schema does not allow additional properties"
    );
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": "not base64!", "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 400);
    let r = post_form(&mut f, "/2/media/upload", &[("media", &g)]);
    assert_eq!(
        r.body["errors"][0]["message"],
        "$.media_category: is missing but it is required"
    );
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&image), "media_category": "dm_image"}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(f.uploads().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_chunked_video_processes_on_the_fake_clock_then_posts() {
    let mut f = fake();
    let video = mp4(10_000);
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "video/mp4", "total_bytes": video.len(), "media_category": "tweet_video"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.wire.header("x-rate-limit-limit"), Some("1875"));
    let id = id_of(&r);
    assert_eq!(r.body["data"]["media_key"], format!("7_{id}"));
    assert_eq!(r.body["data"]["expires_after_secs"], 86400);

    // Segments as JSON and as multipart, the last one retried.
    let (a, rest) = video.split_at(4000);
    let (b, c) = rest.split_at(4000);
    let append = format!("/2/media/upload/{id}/append");
    let r = post(
        &mut f,
        &append,
        json!({"media": b64(a), "segment_index": 0}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let expires_at = f.now().as_second() + 86400;
    assert_eq!(r.body, json!({"data": {"expires_at": expires_at}}));
    let r = post_form(&mut f, &append, &[("segment_index", b"1"), ("media", b)]);
    assert_eq!(r.status, 200, "{}", r.body);
    for _ in 0..2 {
        let r = post_form(&mut f, &append, &[("segment_index", b"2"), ("media", c)]);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Still uploading: not yet a media ID a tweet can carry.
    refused_as_invalid(&tweet(&mut f, "too soon", &[&id]));
    assert_eq!(status(&mut f, &id).status, 400);

    let finalize = format!("/2/media/upload/{id}/finalize");
    let r = post(&mut f, &finalize, json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["size"], video.len());
    assert_eq!(r.body["data"]["video"]["video_type"], "video/mp4");
    assert_eq!(
        r.body["data"]["processing_info"],
        json!({"state": "pending", "check_after_secs": 1, "progress_percent": 0})
    );
    assert_eq!(f.media(&id).unwrap().sha256, Some(sha(&video)));
    // A finalize retried after a lost answer gets the same answer.
    assert_eq!(post(&mut f, &finalize, json!({})).status, 200);
    // Appends after finalize are refused.
    let r = post(
        &mut f,
        &append,
        json!({"media": b64(c), "segment_index": 3}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["detail"],
        "The media upload has already been finalized."
    );
    refused_as_invalid(&tweet(&mut f, "still processing", &[&id]));

    let clock = f.clock().clone();
    let mut seen = Vec::new();
    loop {
        let r = status(&mut f, &id);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.wire.header("x-rate-limit-limit"), Some("1000"));
        let info = &r.body["data"]["processing_info"];
        let state = info["state"].as_str().unwrap().to_owned();
        seen.push(state.clone());
        if state == "succeeded" {
            assert_eq!(info["progress_percent"], 100);
            assert!(info.get("check_after_secs").is_none());
            break;
        }
        let wait = info["check_after_secs"].as_u64().unwrap();
        clock.sleep(Duration::from_secs(wait)).await;
    }
    assert_eq!(seen, ["pending", "in_progress", "succeeded"]);
    assert_eq!(
        f.media(&id).unwrap().processing_at(f.now()).unwrap().state,
        ProcessingState::Succeeded
    );

    let r = tweet(&mut f, "a video", &[&id]);
    assert_eq!(r.status, 201, "{}", r.body);
    let tweet_id = id_of(&r);
    let r = call(
        &mut f,
        "GET",
        &format!("/2/tweets?ids={tweet_id}&tweet.fields=attachments,entities"),
        "",
        b"",
    );
    let t = &r.body["data"][0];
    assert_eq!(t["attachments"]["media_keys"], json!([format!("7_{id}")]));
    assert!(
        t["entities"]["urls"][0]["expanded_url"]
            .as_str()
            .unwrap()
            .ends_with("/video/1")
    );
}

#[tokio::test(start_paused = true)]
async fn processing_can_fail_with_xs_error() {
    let mut f = fake();
    f.fail_next_processing(1);
    let r = upload_chunked(&mut f, "tweet_gif", "image/gif", &gif(3000), 1000);
    assert_eq!(r.status, 200, "{}", r.body);
    let id = id_of(&r);
    assert_eq!(r.body["data"]["media_key"], format!("16_{id}"));
    f.clock().clone().sleep(Duration::from_secs(5)).await;
    let r = status(&mut f, &id);
    assert_eq!(
        r.body["data"]["processing_info"],
        json!({"state": "failed", "progress_percent": 100, "error": {
            "code": 1, "name": "InvalidMedia", "message": "Unsupported gif format",
        }})
    );
    refused_as_invalid(&tweet(&mut f, "broken gif", &[&id]));
    // A GIF in one request is processed too.
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&gif(10)), "media_category": "tweet_gif"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["processing_info"]["state"], "pending");
    let id = id_of(&r);
    refused_as_invalid(&tweet(&mut f, "gif too soon", &[&id]));
    f.clock().clone().sleep(Duration::from_secs(5)).await;
    assert_eq!(tweet(&mut f, "gif", &[&id]).status, 201);
    // Only the next one fails.
    let r = upload_chunked(&mut f, "tweet_gif", "image/gif", &gif(3000), 1000);
    let id = id_of(&r);
    f.clock().clone().sleep(Duration::from_secs(5)).await;
    assert_eq!(
        status(&mut f, &id).body["data"]["processing_info"]["state"],
        "succeeded"
    );
}

#[tokio::test(start_paused = true)]
async fn finalize_refuses_missing_segments_and_a_wrong_total() {
    let mut f = fake();
    let video = mp4(3000);
    let init = |f: &mut FakeX, total: usize| {
        let r = post(
            f,
            "/2/media/upload/initialize",
            json!({"media_type": "video/mp4", "total_bytes": total, "media_category": "tweet_video"}),
        );
        id_of(&r)
    };
    let id = init(&mut f, video.len());
    let append = format!("/2/media/upload/{id}/append");
    post(
        &mut f,
        &append,
        json!({"media": b64(&video[..1000]), "segment_index": 0}),
    );
    post(
        &mut f,
        &append,
        json!({"media": b64(&video[2000..]), "segment_index": 2}),
    );
    let r = post(&mut f, &format!("/2/media/upload/{id}/finalize"), json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.wire.header("content-type"),
        Some("application/problem+json")
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("segment 1 was never appended"),
        "{}",
        r.body
    );
    // The missing segment arrives late: complete, but out of order, so no
    // digest of the whole.
    post(
        &mut f,
        &append,
        json!({"media": b64(&video[1000..2000]), "segment_index": 1}),
    );
    let r = post(&mut f, &format!("/2/media/upload/{id}/finalize"), json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(f.media(&id).unwrap().sha256, None);

    let id = init(&mut f, video.len() + 1);
    post(
        &mut f,
        &format!("/2/media/upload/{id}/append"),
        json!({"media": b64(&video), "segment_index": 0}),
    );
    let r = post(&mut f, &format!("/2/media/upload/{id}/finalize"), json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["detail"],
        format!(
            "File size mismatch: total_bytes was {}, {} bytes were appended.",
            video.len() + 1,
            video.len()
        )
    );
    let id = init(&mut f, 10);
    let r = post(&mut f, &format!("/2/media/upload/{id}/finalize"), json!({}));
    assert_eq!(r.body["detail"], "No media was appended to this upload.");

    // Uploads the fake never issued, or another user's: 404.
    let r = post(
        &mut f,
        "/2/media/upload/42/append",
        json!({"media": "AA==", "segment_index": 0}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.body["resource_type"], "media");
    let other = f.insert_media(MediaKind::Video, "42", f.now());
    assert_eq!(
        post(
            &mut f,
            &format!("/2/media/upload/{other}/finalize"),
            json!({})
        )
        .status,
        404
    );
    assert_eq!(status(&mut f, &other).status, 404);
    let r = post(
        &mut f,
        "/2/media/upload/x1/append",
        json!({"media": "AA==", "segment_index": 0}),
    );
    assert_eq!(r.status, 400);
    let r = post(
        &mut f,
        &format!("/2/media/upload/{id}/append"),
        json!({"media": "AA==", "segment_index": 1000}),
    );
    assert_eq!(
        r.body["errors"][0]["message"],
        "$.segment_index: must have a maximum value of 999"
    );
}

#[tokio::test(start_paused = true)]
async fn content_must_be_what_was_declared() {
    let mut f = fake();
    // A video sent as an image, in one request.
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&mp4(100)), "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["detail"],
        "InvalidMedia: the content is not a PNG, JPEG, GIF or WEBP image (it reads as video/mp4)."
    );
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(b"plain text, not an image"), "media_category": "tweet_image"}),
    );
    assert_eq!(
        r.body["detail"],
        "InvalidMedia: the content is not a PNG, JPEG, GIF or WEBP image (media type unrecognized)."
    );
    // A PNG declared as JPEG, chunked: refused at finalize.
    let r = upload_chunked(&mut f, "tweet_image", "image/jpeg", &png(1, 1, 10), 10);
    assert_eq!(r.status, 400);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("of type image/jpeg (it reads as image/png)")
    );
    // A PNG as a GIF, a GIF as a video.
    let r = upload_chunked(&mut f, "tweet_gif", "image/gif", &png(1, 1, 10), 10);
    assert_eq!(r.status, 400);
    let r = upload_chunked(&mut f, "tweet_video", "video/mp4", &gif(10), 10);
    assert_eq!(r.status, 400);
    // A type the category does not take is refused at initialize.
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 400);
    // Without a category, X assumes a post's, by the type.
    let r = upload_chunked(&mut f, "tweet_video", "video/quicktime", &mp4(10), 10);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "image/gif", "total_bytes": 10}),
    );
    assert_eq!(f.media(&id_of(&r)).unwrap().category, "tweet_gif");
}

#[tokio::test(start_paused = true)]
async fn sizes_over_the_category_limit_are_refused() {
    let mut f = fake();
    for (category, media_type, max) in [
        ("tweet_image", "image/png", 5u64 << 20),
        ("tweet_gif", "image/gif", 15 << 20),
        ("tweet_video", "video/mp4", 512 << 20),
    ] {
        let init = |f: &mut FakeX, total: u64| {
            post(
                f,
                "/2/media/upload/initialize",
                json!({"media_type": media_type, "total_bytes": total, "media_category": category}),
            )
        };
        assert_eq!(init(&mut f, max).status, 200);
        let r = init(&mut f, max + 1);
        assert_eq!(r.status, 400, "{category}");
        assert_eq!(r.body["detail"], format!("File size exceeds {max} bytes."));
    }
    // In one request, the bytes themselves.
    let big = png(1, 1, 5 << 20);
    let r = post_form(
        &mut f,
        "/2/media/upload",
        &[("media_category", b"tweet_image"), ("media", &big)],
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body["detail"], "File size exceeds 5242880 bytes.");
    // Appends past the limit, total_bytes undeclared.
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "image/png", "media_category": "tweet_image"}),
    );
    let id = id_of(&r);
    let r = post_form(
        &mut f,
        &format!("/2/media/upload/{id}/append"),
        &[("segment_index", b"0"), ("media", &big)],
    );
    assert_eq!(r.status, 400);
    assert_eq!(f.media(&id).unwrap().bytes_received, 0);
    // A body over what the fake reads at all: 413.
    let huge = vec![b'a'; MAX_BODY_BYTES + 1];
    let r = call(&mut f, "POST", "/2/media/upload", "application/json", &huge);
    assert_eq!(r.status, 413);
}

#[tokio::test(start_paused = true)]
async fn alt_text_up_to_1000_characters_on_the_callers_media() {
    let mut f = fake();
    let id = upload_image(&mut f);
    let text = "é".repeat(1000);
    let r = post(
        &mut f,
        "/2/media/metadata",
        json!({"id": id, "metadata": {"alt_text": {"text": text}}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.wire.header("x-rate-limit-limit"), Some("500"));
    assert_eq!(
        r.body,
        json!({"data": {"id": id, "associated_metadata": {"alt_text": {"text": text}}}})
    );
    assert_eq!(
        f.media(&id).unwrap().alt_text.as_deref(),
        Some(text.as_str())
    );

    let r = post(
        &mut f,
        "/2/media/metadata",
        json!({"id": id, "metadata": {"alt_text": {"text": "a".repeat(1001)}}}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errors"][0]["message"],
        "$.metadata.alt_text.text: may only be 1000 characters long"
    );
    assert_eq!(
        f.media(&id).unwrap().alt_text.as_deref(),
        Some(text.as_str())
    );

    let other = f.insert_media(MediaKind::Image, "42", f.now());
    let r = post(
        &mut f,
        "/2/media/metadata",
        json!({"id": other, "metadata": {"alt_text": {"text": "mine?"}}}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(f.media(&other).unwrap().alt_text, None);
    let r = post(
        &mut f,
        "/2/media/metadata",
        json!({"id": "123", "metadata": {"alt_text": {"text": "?"}}}),
    );
    assert_eq!(r.status, 404);

    f.clock().clone().sleep(Duration::from_secs(86400)).await;
    let r = post(
        &mut f,
        "/2/media/metadata",
        json!({"id": id, "metadata": {"alt_text": {"text": "too late"}}}),
    );
    assert_eq!(r.status, 404);
}

#[tokio::test(start_paused = true)]
async fn a_tweet_carries_only_media_x_would_attach() {
    let mut f = fake();
    let me = f.user().id.clone();
    let before = f.tweets().len();

    refused_as_invalid(&tweet(&mut f, "unknown", &["1234"]));
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "image/png", "total_bytes": 10, "media_category": "tweet_image"}),
    );
    let unfinalized = id_of(&r);
    refused_as_invalid(&tweet(&mut f, "unfinalized", &[&unfinalized]));
    let others = f.insert_media(MediaKind::Image, "42", f.now());
    let r = tweet(&mut f, "someone else's", &[&others]);
    refused_as_invalid(&r);
    assert_eq!(
        r.wire.note.as_deref(),
        Some(format!("media {others}: another user's").as_str())
    );
    let old = f.insert_media(
        MediaKind::Image,
        &me,
        f.now() - jiff::SignedDuration::from_hours(24),
    );
    let r = tweet(&mut f, "expired", &[&old]);
    refused_as_invalid(&r);
    assert_eq!(
        r.wire.note.as_deref(),
        Some(format!("media {old}: expired").as_str())
    );

    let v1 = f.insert_media(MediaKind::Video, &me, f.now());
    let v2 = f.insert_media(MediaKind::Video, &me, f.now());
    let r = tweet(&mut f, "two videos", &[&v1, &v2]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errors"][0]["message"],
        "You may attach up to 4 photos, 1 animated GIF or 1 video in a Post."
    );
    let image = upload_image(&mut f);
    let g = f.insert_media(MediaKind::Gif, &me, f.now());
    assert_eq!(tweet(&mut f, "image and gif", &[&image, &g]).status, 400);
    assert_eq!(f.tweets().len(), before);

    // Media shared with the account through additional_owners can be used.
    let shared = f.insert_media(MediaKind::Image, "42", f.now());
    assert_eq!(tweet(&mut f, "shared?", &[&shared]).status, 400);
    let r = post_form(
        &mut f,
        "/2/media/upload",
        &[
            ("media_category", b"tweet_image"),
            ("additional_owners", me.as_bytes()),
            ("media", &png(2, 2, 10)),
        ],
    );
    assert_eq!(
        f.media(&id_of(&r)).unwrap().additional_owners,
        vec![me.clone()]
    );
}

#[tokio::test(start_paused = true)]
async fn four_images_post_with_their_media_keys() {
    let mut f = fake();
    let ids: Vec<String> = (0..4).map(|_| upload_image(&mut f)).collect();
    // Images are ready at once: STATUS has no processing_info for them.
    let r = status(&mut f, &ids[0]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body["data"].get("processing_info").is_none(),
        "{}",
        r.body
    );
    assert_eq!(r.body["data"]["image"]["image_type"], "image/png");
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let r = tweet(&mut f, "four", &refs);
    assert_eq!(r.status, 201, "{}", r.body);
    let tweet_id = id_of(&r);
    let r = call(
        &mut f,
        "GET",
        &format!("/2/tweets/{tweet_id}?tweet.fields=attachments,entities"),
        "",
        b"",
    );
    let keys: Vec<String> = ids.iter().map(|i| format!("3_{i}")).collect();
    assert_eq!(r.body["data"]["attachments"]["media_keys"], json!(keys));
    assert_eq!(r.body["data"]["entities"]["urls"][0]["media_key"], keys[0]);
    // A fifth is over X's schema.
    let fifth = upload_image(&mut f);
    let mut five = refs.clone();
    five.push(&fifth);
    assert_eq!(tweet(&mut f, "five", &five).status, 400);
}

#[tokio::test(start_paused = true)]
async fn planned_faults_apply_to_the_media_routes() {
    let mut f = fake();
    f.fail_next_on(Endpoint::MediaAppend, 1, 503);
    let r = post(
        &mut f,
        "/2/media/upload/initialize",
        json!({"media_type": "video/mp4", "media_category": "tweet_video"}),
    );
    let id = id_of(&r);
    let video = mp4(100);
    let append = format!("/2/media/upload/{id}/append");
    let body = json!({"media": b64(&video), "segment_index": 0});
    assert_eq!(post(&mut f, &append, body.clone()).status, 503);
    assert_eq!(f.media(&id).unwrap().bytes_received, 0);
    f.drop_after_commit_on(Endpoint::MediaAppend, 1);
    let r = post(&mut f, &append, body.clone());
    assert!(r.wire.drop_connection);
    assert_eq!(f.media(&id).unwrap().bytes_received, video.len() as u64);
    // The client retries the segment it got no answer for.
    let r = post(&mut f, &append, body);
    assert!(!r.wire.drop_connection);
    assert_eq!(f.media(&id).unwrap().bytes_received, video.len() as u64);
    let r = post(&mut f, &format!("/2/media/upload/{id}/finalize"), json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(f.media(&id).unwrap().sha256, Some(sha(&video)));
    assert_eq!(f.requests_to(Endpoint::MediaAppend), 3);

    f.set_delay(Some(Duration::from_secs(2)));
    assert_eq!(status(&mut f, &id).wire.delay, Some(Duration::from_secs(2)));
    f.set_delay(None);

    // Rate windows: the one-request upload's 500 per 15 minutes.
    let limits = crate::Limits {
        media_upload: crate::Window::minutes(1, 15),
        ..crate::Limits::x_defaults()
    };
    f.set_limits(limits);
    upload_image(&mut f);
    let r = post(
        &mut f,
        "/2/media/upload",
        json!({"media": b64(&png(1, 1, 1)), "media_category": "tweet_image"}),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.wire.header("x-rate-limit-remaining"), Some("0"));
}

#[tokio::test(start_paused = true)]
async fn over_http_the_query_is_signed_and_the_body_is_not() {
    use crate::TEST_CREDENTIALS as K;
    use crate::signature::{base_string, encode, sign};
    let mut f = fake();
    let id = upload_image(&mut f);
    let url = "http://127.0.0.1:9/2/media/upload";
    let mut params: Vec<(String, String)> = [
        ("oauth_consumer_key", K.consumer_key),
        ("oauth_nonce", "n1"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", &f.now().as_second().to_string()),
        ("oauth_token", K.access_token),
        ("oauth_version", "1.0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let oauth_only = params.clone();
    params.push(("media_id".into(), id.clone()));
    params.push(("command".into(), "STATUS".into()));
    let authorize = |params: &[(String, String)], oauth: &[(String, String)], method: &str| {
        let sig = sign(
            K.consumer_secret,
            K.access_token_secret,
            &base_string(method, url, params),
        );
        let mut parts: Vec<String> = oauth
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", encode(v)))
            .collect();
        parts.push(format!("oauth_signature=\"{}\"", encode(&sig)));
        format!("OAuth {}", parts.join(", "))
    };
    let header = authorize(&params, &oauth_only, "GET");
    let target = format!("/2/media/upload?media_id={id}&command=STATUS");
    let a = f.respond(&WireRequest {
        method: "GET",
        target: &target,
        headers: &[("Host", "127.0.0.1:9"), ("Authorization", &header)],
        body: b"",
        via: Via::Http {
            local: "127.0.0.1:9",
        },
    });
    assert_eq!(a.status, 200, "{:?}", a.note);

    // A multipart body is not part of the signature base string.
    let mut oauth = oauth_only.clone();
    oauth[1].1 = "n2".into();
    let header = authorize(&oauth, &oauth, "POST");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let body = multipart(&[("media_category", b"tweet_image"), ("media", &png(1, 1, 1))]);
    let a = f.respond(&WireRequest {
        method: "POST",
        target: "/2/media/upload",
        headers: &[
            ("Host", "127.0.0.1:9"),
            ("Authorization", &header),
            ("Content-Type", &ct),
        ],
        body: &body,
        via: Via::Http {
            local: "127.0.0.1:9",
        },
    });
    assert_eq!(a.status, 200, "{:?}", a.note);
    assert_eq!(f.uploads().len(), 2);
}
