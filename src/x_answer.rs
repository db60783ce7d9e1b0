//! What X's answers mean, apart from what each operation asks: the rate
//! headers, X's clock (`date`), and its problem+json errors mapped onto
//! [`ApiError`] (a 429, a duplicate, a 5xx to retry). Every operation
//! ([`crate::operations`], [`crate::media_operations`]) reads its answer
//! through [`call`].

use std::fmt;

use jiff::Timestamp;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::api::{ApiError, Limit, RateInfo};
use crate::operations::{RawRequest, Transport};

/// `x-rate-limit-*` and `x-user-limit-24hour-*` of an answer.
pub(crate) fn rate_info(headers: &HeaderMap) -> RateInfo {
    RateInfo {
        window: limit_from(headers, "x-rate-limit"),
        user_24h: limit_from(headers, "x-user-limit-24hour"),
        app_24h: limit_from(headers, "x-app-limit-24hour"),
    }
}

fn limit_from(headers: &HeaderMap, prefix: &str) -> Option<Limit> {
    let get = |suffix: &str| -> Option<u64> {
        headers
            .get(format!("{prefix}-{suffix}"))?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let limit = u32::try_from(get("limit")?).ok()?;
    let remaining = u32::try_from(get("remaining")?).ok()?;
    let reset = Timestamp::from_second(i64::try_from(get("reset")?).ok()?).ok()?;
    Some(Limit {
        limit,
        remaining,
        reset,
    })
}

/// X's clock when it answered: the `date` header (an HTTP date).
pub(crate) fn date_of(headers: &HeaderMap) -> Option<Timestamp> {
    let raw = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    jiff::fmt::rfc2822::parse(raw.trim())
        .ok()
        .map(|z| z.timestamp())
}

/// X's duplicate-content refusal, recognised by its detail.
fn is_duplicate(detail: &str) -> bool {
    detail.to_ascii_lowercase().contains("duplicate content")
}

/// Maps an error answer (not 2xx) to an [`ApiError`], reading X's
/// problem+json: `detail`, `title`, or a validation error's
/// `errors[].message`.
pub(crate) fn error_from(status: u16, body: &[u8], rate: RateInfo) -> ApiError {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| -> Option<String> {
        json.as_ref()?
            .get(k)?
            .as_str()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
    };
    let messages: Vec<String> = json
        .as_ref()
        .and_then(|j| j.get("errors"))
        .and_then(|e| e.as_array())
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| {
                    e.get("message")
                        .or_else(|| e.get("detail"))
                        .and_then(|m| m.as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let title = field("title").unwrap_or_else(|| reason_phrase(status).to_owned());
    let detail = if !messages.is_empty() {
        messages.join("; ")
    } else if let Some(d) = field("detail") {
        d
    } else if let Some(t) = field("title") {
        t
    } else if !body.is_empty() && json.is_none() {
        // Not JSON (a proxy's HTML page, say): a short, printable excerpt.
        let text = String::from_utf8_lossy(body);
        let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        text.trim().to_owned()
    } else {
        reason_phrase(status).to_owned()
    };
    match status {
        429 => ApiError::RateLimited { rate },
        401 => ApiError::Unauthorized { detail },
        403 if is_duplicate(&detail) => ApiError::Duplicate { detail },
        404 => ApiError::NotFound { detail },
        500..=599 => ApiError::Server { status, detail },
        _ => ApiError::Client {
            status,
            title,
            detail,
        },
    }
}

fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown Status")
}

/// Sends and splits the answer: a success's parsed JSON, or the mapped
/// error; the rate headers either way.
pub(crate) async fn call<T: Transport>(
    t: &T,
    req: RawRequest,
) -> Result<(serde_json::Value, u16, RateInfo, Option<Timestamp>), (ApiError, RateInfo)> {
    let resp = t.send(req).await.map_err(|e| (e, RateInfo::default()))?;
    let rate = rate_info(&resp.headers);
    if !(200..300).contains(&resp.status) {
        return Err((error_from(resp.status, &resp.body, rate), rate));
    }
    let date = date_of(&resp.headers);
    match serde_json::from_slice(&resp.body) {
        Ok(json) => Ok((json, resp.status, rate, date)),
        // The request took effect but the answer is unreadable: as
        // uncertain as a dropped connection.
        Err(e) => Err((
            ApiError::Network(format!(
                "X answered {} with a body that is not JSON: {e}",
                resp.status
            )),
            rate,
        )),
    }
}

pub(crate) fn unreadable(status: u16, what: &str, e: impl fmt::Display) -> ApiError {
    ApiError::Network(format!(
        "X answered {status} but the answer has no readable {what}: {e}"
    ))
}

#[derive(Deserialize)]
pub(crate) struct Data<T> {
    pub(crate) data: T,
}
