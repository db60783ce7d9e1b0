//! X's media upload (API v2) over the same [`Transport`] seam as the tweet
//! operations ([`crate::operations`]): the one-request upload for images,
//! the chunked upload (initialize, append, finalize) for GIFs and videos,
//! the processing status, and alt text.
//!
//! Bytes travel as `multipart/form-data` ([`crate::multipart`]): raw, where
//! JSON would need base64. Each call is one request; the order, the
//! segments read from disk and the waits belong to the executor
//! ([`crate::executor`]'s media module).

use reqwest::Method;
use serde_json::json;

use crate::api::{ApiResult, RateInfo, Response, Upload};
use crate::multipart::Part;
use crate::operations::{
    Data, RawRequest, Transport, call, date_of, error_from, rate_info, segment, unreadable,
};

/// Reads `{"data": Upload}`.
async fn upload_answer<T: Transport>(t: &T, req: RawRequest, what: &str) -> ApiResult<Upload> {
    let (json, status, rate, date) = call(t, req).await?;
    let data: Data<Upload> =
        serde_json::from_value(json).map_err(|e| (unreadable(status, what, e), rate))?;
    Ok(Response {
        value: data.data,
        rate,
        date,
    })
}

/// A request whose success carries nothing we need: any 2xx will do,
/// whatever its body.
async fn no_answer<T: Transport>(t: &T, req: RawRequest) -> ApiResult<()> {
    let resp = t.send(req).await.map_err(|e| (e, RateInfo::default()))?;
    let rate = rate_info(&resp.headers);
    if !(200..300).contains(&resp.status) {
        return Err((error_from(resp.status, &resp.body, rate), rate));
    }
    Ok(Response {
        value: (),
        rate,
        date: date_of(&resp.headers),
    })
}

pub(crate) async fn upload_media<T: Transport>(
    t: &T,
    category: &str,
    bytes: Vec<u8>,
) -> ApiResult<Upload> {
    let req = RawRequest::new(Method::POST, "/2/media/upload").form(&[
        ("media_category", Part::Text(category)),
        ("media", Part::Bytes(&bytes)),
    ]);
    drop(bytes);
    upload_answer(t, req, "media upload").await
}

pub(crate) async fn initialize_upload<T: Transport>(
    t: &T,
    media_type: &str,
    category: &str,
    total_bytes: u64,
) -> ApiResult<Upload> {
    let req = RawRequest::new(Method::POST, "/2/media/upload/initialize").json(&json!({
        "media_type": media_type,
        "media_category": category,
        "total_bytes": total_bytes,
    }));
    upload_answer(t, req, "upload").await
}

pub(crate) async fn append_upload<T: Transport>(
    t: &T,
    id: &str,
    index: u32,
    bytes: Vec<u8>,
) -> ApiResult<()> {
    let index = index.to_string();
    let req = RawRequest::new(
        Method::POST,
        format!("/2/media/upload/{}/append", segment(id)),
    )
    .form(&[
        ("segment_index", Part::Text(&index)),
        ("media", Part::Bytes(&bytes)),
    ]);
    // The form holds its own copy: free this one before the request goes.
    drop(bytes);
    no_answer(t, req).await
}

pub(crate) async fn finalize_upload<T: Transport>(t: &T, id: &str) -> ApiResult<Upload> {
    let req = RawRequest::new(
        Method::POST,
        format!("/2/media/upload/{}/finalize", segment(id)),
    );
    upload_answer(t, req, "upload").await
}

pub(crate) async fn upload_status<T: Transport>(t: &T, id: &str) -> ApiResult<Upload> {
    let req = RawRequest::new(Method::GET, "/2/media/upload")
        .query("command", "STATUS")
        .query("media_id", id);
    upload_answer(t, req, "upload status").await
}

pub(crate) async fn set_alt_text<T: Transport>(t: &T, id: &str, text: &str) -> ApiResult<()> {
    let req = RawRequest::new(Method::POST, "/2/media/metadata").json(&json!({
        "id": id,
        "metadata": { "alt_text": { "text": text } },
    }));
    no_answer(t, req).await
}
