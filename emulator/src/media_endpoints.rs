//! The handlers of X's v2 media routes: the one-request upload, the
//! chunked initialize, append and finalize, STATUS while a GIF or a video
//! processes, alt text, and the check a create makes of the media IDs it
//! names. Each reads a JSON or `multipart/form-data` body ([`crate::multipart`])
//! checked against X's schema ([`crate::media_schema`]) and the uploads'
//! state ([`crate::media`]), and answers 200 as X's media routes do.
//!
//! An upload ID the fake never issued, another user's, or one expired is
//! answered 404 with X's resource-not-found problem, as the fake answers a
//! delete of an unknown tweet: X's pages do not say, and a 404 neither
//! reveals another user's upload nor reads as a client's mistake to fix.
//! Refusals of the content (a missing segment, a size over the limit, bytes
//! that are not what was declared) are 400 problems with X's `detail`.

// An error answer is built at most once per request: its size does not matter.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;

use base64::Engine as _;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::answers::{Answer, not_found_problem};
use crate::endpoints::{check_query, param};
use crate::fake::{FakeX, Request};
use crate::media::{self, MediaKind, ProcessingError, ProcessingState, StoredMedia};
use crate::media_schema;
use crate::multipart;
use crate::rendering;
use crate::schema::is_id;

/// X's answer to a create naming media it cannot attach.
const INVALID_MEDIA_IDS: &str = "Your media IDs are invalid.";

/// X's rule for media in one post (its best practices page).
const MEDIA_MIX: &str = "You may attach up to 4 photos, 1 animated GIF or 1 video in a Post.";

/// A media request's fields as JSON values (a multipart form's text parts
/// read as such), and the media bytes of a multipart form.
struct Form<'a> {
    fields: Value,
    /// The `media` part's bytes, when the body was multipart.
    part: Option<Cow<'a, [u8]>>,
}

impl Form<'_> {
    /// The media bytes: the part's, or the JSON's base64 string decoded.
    fn take_media(&mut self) -> Result<Cow<'_, [u8]>, Answer> {
        if let Some(p) = self.part.take() {
            return Ok(p);
        }
        let text = match self.fields.get_mut("media").map(Value::take) {
            Some(Value::String(s)) => s,
            _ => return Err(Answer::invalid_messages(vec![missing("media")])),
        };
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Cow::Owned)
            .map_err(|e| {
                Answer::invalid_messages(vec![format!("$.media: is not valid base64 ({e})")])
            })
    }
}

fn missing(field: &str) -> String {
    format!("$.{field}: is missing but it is required")
}

fn read_json(body: &[u8]) -> Result<Value, Answer> {
    serde_json::from_slice(body)
        .map_err(|e| Answer::invalid_messages(vec![format!("Request body is not valid JSON: {e}")]))
}

/// Reads a body sent as JSON or as `multipart/form-data`.
fn read_form<'a>(body: &'a [u8], content_type: Option<&str>) -> Result<Form<'a>, Answer> {
    let Some(boundary) = content_type.and_then(multipart::boundary) else {
        return Ok(Form {
            fields: read_json(body)?,
            part: None,
        });
    };
    let parts = multipart::parse(body, &boundary).map_err(|why| {
        Answer::invalid_messages(vec![format!(
            "Request body is not valid multipart/form-data: {why}"
        )])
    })?;
    let mut fields = Map::new();
    let mut part = None;
    for p in parts {
        if p.name == "media" {
            fields.insert("media".into(), json!(""));
            part = Some(if p.base64 {
                let clean: Vec<u8> = p
                    .data
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map_err(|e| {
                        Answer::invalid_messages(vec![format!(
                            "$.media: is not valid base64 ({e})"
                        )])
                    })?;
                Cow::Owned(bytes)
            } else {
                Cow::Borrowed(p.data)
            });
            continue;
        }
        let text = String::from_utf8_lossy(p.data).into_owned();
        // Form fields are text; the schema's integers are read as numbers.
        let value = match text.parse::<i64>() {
            Ok(n) if matches!(p.name.as_str(), "segment_index" | "total_bytes") => json!(n),
            _ => json!(text),
        };
        fields.insert(p.name, value);
    }
    Ok(Form {
        fields: Value::Object(fields),
        part,
    })
}

fn too_large(kind: MediaKind) -> Answer {
    Answer::refused(
        400,
        &format!("File size exceeds {} bytes.", kind.max_bytes()),
    )
}

fn unsupported_category(category: &str) -> Answer {
    Answer::forbidden(&format!(
        "The tweetform emulator does not support media_category {category} (only tweet_image, tweet_gif, tweet_video and amplify_video)."
    ))
}

/// X's `processing_info.error` for a GIF or a video it could not process.
fn processing_error(kind: MediaKind) -> ProcessingError {
    ProcessingError {
        code: 1,
        name: "InvalidMedia".into(),
        message: match kind {
            MediaKind::Gif => "Unsupported gif format",
            _ => "Unsupported video format",
        }
        .into(),
    }
}

fn not_found(id: &str) -> Answer {
    let mut p = not_found_problem("media", "id", id);
    p["status"] = json!(404);
    Answer::problem(404, p)
}

fn secs_until(t: Timestamp, now: Timestamp) -> i64 {
    t.duration_since(now).as_secs().max(0)
}

/// An upload as X's media answers show it (`MediaUploadResponseData`,
/// `FinalizeMediaUploadResponseData`, `GetMediaUploadStatusResponseData`).
fn media_json(m: &StoredMedia, now: Timestamp) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(m.id));
    o.insert("media_key".into(), json!(m.media_key));
    o.insert("size".into(), json!(m.bytes_received));
    o.insert(
        "expires_after_secs".into(),
        json!(secs_until(m.expires_at, now)),
    );
    if let Some(t) = m.sniffed_type {
        if m.kind == MediaKind::Video {
            o.insert("video".into(), json!({ "video_type": t }));
        } else {
            let mut image = Map::new();
            if let Some((w, h)) = m.dimensions {
                image.insert("w".into(), json!(w));
                image.insert("h".into(), json!(h));
            }
            image.insert("image_type".into(), json!(t));
            o.insert("image".into(), Value::Object(image));
        }
    }
    if let Some(p) = &m.processing {
        let now_p = p.at(now);
        let mut info = Map::new();
        info.insert("state".into(), json!(now_p.state.as_str()));
        if let Some(s) = now_p.check_after_secs {
            info.insert("check_after_secs".into(), json!(s));
        }
        info.insert("progress_percent".into(), json!(now_p.progress_percent));
        if let (ProcessingState::Failed, Some(e)) = (now_p.state, &p.failure) {
            info.insert(
                "error".into(),
                json!({"code": e.code, "name": e.name, "message": e.message}),
            );
        }
        o.insert("processing_info".into(), Value::Object(info));
    }
    Value::Object(o)
}

impl FakeX {
    fn caller(&self) -> String {
        self.behaviour.user.id.clone()
    }

    /// The index of upload `id` if the caller may use it and it has not
    /// expired; `uploader_only` for appends and finalize.
    fn upload_index(&self, id: &str, now: Timestamp, uploader_only: bool) -> Result<usize, Answer> {
        if !is_id(id) {
            return Err(Answer::invalid_id("id", id));
        }
        let caller = self.caller();
        self.uploads
            .iter()
            .position(|m| {
                m.id == id
                    && !m.is_expired(now)
                    && if uploader_only {
                        m.owner == caller
                    } else {
                        m.usable_by(&caller)
                    }
            })
            .ok_or_else(|| not_found(id))
    }

    /// Finalizes upload `i`: its digest, expiry and, for GIFs and videos,
    /// processing (failing if planned).
    fn finish_upload(&mut self, i: usize, now: Timestamp) {
        let kind = self.uploads[i].kind;
        let failure = (kind != MediaKind::Image && self.faults.fail_this_processing())
            .then(|| processing_error(kind));
        let (expiry, processing) = (self.behaviour.media_expiry, self.behaviour.media_processing);
        self.uploads[i].finalize(now, expiry, processing, failure);
    }

    pub(crate) fn media_upload(&mut self, req: &Request<'_>, now: Timestamp) -> Answer {
        let mut form = match read_form(req.body, req.content_type) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let mut problems = Vec::new();
        media_schema::check_upload(&form.fields, &mut problems);
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        let category = form.fields["media_category"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some((kind, _)) = media::category(&category) else {
            return unsupported_category(&category);
        };
        let owners: Vec<String> = form
            .fields
            .get("additional_owners")
            .and_then(Value::as_str)
            .map(|s| s.split(',').map(|o| o.trim().to_owned()).collect())
            .unwrap_or_default();
        if let Some(bad) = owners.iter().find(|o| !is_id(o)) {
            return Answer::invalid_messages(vec![format!(
                "$.additional_owners: [{bad}] does not match the regex pattern ^[0-9]{{1,19}}$"
            )]);
        }
        let bytes = match form.take_media() {
            Ok(b) => b,
            Err(a) => return a,
        };
        if bytes.len() as u64 > kind.max_bytes() {
            return too_large(kind);
        }
        let id = self.new_tweet_id(now);
        let expiry = self.behaviour.media_expiry;
        let Some(mut m) = StoredMedia::new(id, &category, self.caller(), now, expiry) else {
            return unsupported_category(&category);
        };
        m.additional_owners = owners;
        m.append(0, &bytes);
        drop(bytes);
        if let Err(why) = m.sniff() {
            return Answer::refused(400, &why);
        }
        self.uploads.push(m);
        let i = self.uploads.len() - 1;
        self.finish_upload(i, now);
        Answer::json(200, json!({ "data": media_json(&self.uploads[i], now) }))
    }

    pub(crate) fn media_initialize(&mut self, body: &[u8], now: Timestamp) -> Answer {
        let fields = match read_json(body) {
            Ok(v) => v,
            Err(a) => return a,
        };
        let mut problems = Vec::new();
        media_schema::check_initialize(&fields, &mut problems);
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        let media_type = fields.get("media_type").and_then(Value::as_str);
        let category = match fields.get("media_category").and_then(Value::as_str) {
            Some(c) => c,
            None => match media_type.and_then(media::default_category) {
                Some(c) => c,
                None => return Answer::invalid_messages(vec![missing("media_type")]),
            },
        };
        let Some((kind, _)) = media::category(category) else {
            return unsupported_category(category);
        };
        if let Some(t) = media_type
            && !kind.takes_media_type(t)
        {
            return Answer::refused(
                400,
                &format!(
                    "InvalidMedia: media_type {t} is not one media_category {category} takes."
                ),
            );
        }
        let total = fields.get("total_bytes").and_then(Value::as_u64);
        if total.is_some_and(|t| t > kind.max_bytes()) {
            return too_large(kind);
        }
        let id = self.new_tweet_id(now);
        let expiry = self.behaviour.media_expiry;
        let Some(mut m) = StoredMedia::new(id, category, self.caller(), now, expiry) else {
            return unsupported_category(category);
        };
        m.media_type = media_type.map(str::to_owned);
        m.total_bytes = total;
        m.additional_owners = fields
            .get("additional_owners")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let answer = json!({"data": {
            "id": m.id,
            "media_key": m.media_key,
            "expires_after_secs": secs_until(m.expires_at, now),
        }});
        self.uploads.push(m);
        Answer::json(200, answer)
    }

    pub(crate) fn media_append(&mut self, id: &str, req: &Request<'_>, now: Timestamp) -> Answer {
        let i = match self.upload_index(id, now, true) {
            Ok(i) => i,
            Err(a) => return a,
        };
        let mut form = match read_form(req.body, req.content_type) {
            Ok(f) => f,
            Err(a) => return a,
        };
        let mut problems = Vec::new();
        media_schema::check_append(&form.fields, &mut problems);
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        if self.uploads[i].is_finalized() {
            return Answer::refused(400, "The media upload has already been finalized.");
        }
        let index = form.fields["segment_index"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_default();
        let bytes = match form.take_media() {
            Ok(b) => b,
            Err(a) => return a,
        };
        let m = &mut self.uploads[i];
        let before = m.segments.get(&index).copied().unwrap_or(0);
        let after = m
            .bytes_received
            .saturating_sub(before)
            .saturating_add(bytes.len() as u64);
        if after > m.kind.max_bytes() {
            return too_large(m.kind);
        }
        m.append(index, &bytes);
        Answer::json(
            200,
            json!({"data": {"expires_at": m.expires_at.as_second()}}),
        )
    }

    pub(crate) fn media_finalize(&mut self, id: &str, now: Timestamp) -> Answer {
        let i = match self.upload_index(id, now, true) {
            Ok(i) => i,
            Err(a) => return a,
        };
        // A finalize retried after a lost answer gets the same answer.
        if !self.uploads[i].is_finalized() {
            let m = &mut self.uploads[i];
            if let Some(why) = m.incomplete() {
                return Answer::refused(400, &why);
            }
            if m.bytes_received > m.kind.max_bytes() {
                return too_large(m.kind);
            }
            if let Err(why) = m.sniff() {
                return Answer::refused(400, &why);
            }
            self.finish_upload(i, now);
        }
        Answer::json(200, json!({ "data": media_json(&self.uploads[i], now) }))
    }

    pub(crate) fn media_status(&mut self, query: &[(String, String)], now: Timestamp) -> Answer {
        if let Some(a) = check_query(query, &["media_id", "command"]) {
            return a;
        }
        let Some(id) = param(query, "media_id") else {
            return Answer::invalid(vec![json!({
                "parameters": {"media_id": []},
                "message": "The `media_id` query parameter can not be empty",
            })]);
        };
        if let Some(c) = param(query, "command")
            && c != "STATUS"
        {
            return Answer::invalid_parameter("command", c, "is not one of [STATUS]");
        }
        if !is_id(id) {
            return Answer::invalid_id("media_id", id);
        }
        let i = match self.upload_index(id, now, false) {
            Ok(i) => i,
            Err(a) => return a,
        };
        if !self.uploads[i].is_finalized() {
            return Answer::refused(400, "The media upload has not been finalized.");
        }
        Answer::json(200, json!({ "data": media_json(&self.uploads[i], now) }))
    }

    pub(crate) fn media_metadata(&mut self, body: &[u8], now: Timestamp) -> Answer {
        let fields = match read_json(body) {
            Ok(v) => v,
            Err(a) => return a,
        };
        let mut problems = Vec::new();
        media_schema::check_metadata(&fields, &mut problems);
        if !problems.is_empty() {
            return Answer::invalid_messages(problems);
        }
        let id = fields["id"].as_str().unwrap_or_default();
        let i = match self.upload_index(id, now, false) {
            Ok(i) => i,
            Err(a) => return a,
        };
        let m = &mut self.uploads[i];
        if !m.is_finalized() {
            return Answer::refused(400, "The media upload has not been finalized.");
        }
        if let Some(text) = fields
            .pointer("/metadata/alt_text/text")
            .and_then(Value::as_str)
        {
            m.alt_text = Some(text.to_owned());
        }
        let metadata = fields.get("metadata").cloned().unwrap_or_else(|| json!({}));
        Answer::json(
            200,
            json!({"data": {"id": m.id, "associated_metadata": metadata}}),
        )
    }

    /// Refuses a create whose media X would not attach: every ID issued
    /// here, the caller's, finalized, processed and unexpired; then 4
    /// images at most, or 1 GIF, or 1 video.
    pub(crate) fn check_tweet_media(&self, body: &Value, now: Timestamp) -> Result<(), Answer> {
        let caller = self.caller();
        let mut kinds = Vec::new();
        for id in rendering::media_ids(body) {
            let why = match self.media(&id) {
                None => "never issued",
                Some(m) if !m.usable_by(&caller) => "another user's",
                Some(m) if !m.is_finalized() => "not finalized",
                Some(m) if m.is_expired(now) => "expired",
                Some(m) if !m.is_ready(now) => match m.processing_at(now).map(|p| p.state) {
                    Some(ProcessingState::Failed) => "processing failed",
                    _ => "still processing",
                },
                Some(m) => {
                    kinds.push(m.kind);
                    continue;
                }
            };
            return Err(Answer {
                note: Some(format!("media {id}: {why}")),
                ..Answer::invalid_messages(vec![INVALID_MEDIA_IDS.to_owned()])
            });
        }
        if kinds.len() > 1 && kinds.iter().any(|k| *k != MediaKind::Image) {
            return Err(Answer::invalid_messages(vec![MEDIA_MIX.to_owned()]));
        }
        Ok(())
    }

    /// The media keys of a create body's media: the upload's, or an image's
    /// (`3_`) for IDs the fake did not issue (tweets seeded by tests).
    pub(crate) fn media_keys(&self, body: &Value) -> Vec<String> {
        rendering::media_ids(body)
            .iter()
            .map(|id| {
                self.media(id)
                    .map(|m| m.media_key.clone())
                    .unwrap_or_else(|| rendering::media_key(id))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
