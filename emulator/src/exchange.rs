//! The fake as a function from an HTTP request to an HTTP answer: method,
//! path and query, headers and body in; status, headers and body out (and
//! whether to answer late, or drop the connection instead). The hyper
//! server and tweetform's in-process transport both call it, so the two
//! ways of reaching the fake differ only in how the bytes travel.

use std::time::Duration;

use crate::fake::{Caller, FakeX, Request};

pub use crate::limits::MAX_BODY_BYTES;

/// One request as it arrives.
#[derive(Debug, Clone, Copy)]
pub struct WireRequest<'a> {
    pub method: &'a str,
    /// Path and query as on the request line: `/2/tweets?ids=1%2C2`.
    pub target: &'a str,
    /// Header names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    pub via: Via<'a>,
}

/// How a request reached the fake.
#[derive(Debug, Clone, Copy)]
pub enum Via<'a> {
    /// From code in the same process: trusted, no OAuth.
    InProcess,
    /// Over HTTP, on the address `local` (`127.0.0.1:8080`): OAuth is
    /// verified against the URL the client signed, whose host is the
    /// `Host` header's (`local` if there is none).
    Http { local: &'a str },
}

/// One answer, or what to do instead of answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireAnswer {
    pub status: u16,
    /// `content-type` and the rate headers, lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Answer this late (the request already took effect).
    pub delay: Option<Duration>,
    /// Close the connection without answering (the request took effect).
    pub drop_connection: bool,
    /// Why, for a log line (a refused signature, say). Never sent.
    pub note: Option<String>,
}

impl WireAnswer {
    /// The header's value, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP date (RFC 9110's IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

impl FakeX {
    /// Answers one request.
    pub fn respond(&mut self, req: &WireRequest<'_>) -> WireAnswer {
        let (path, query) = match req.target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (req.target, None),
        };
        let origin;
        let caller = match req.via {
            Via::InProcess => Caller::InProcess,
            Via::Http { local } => {
                let host = header(req.headers, "host")
                    .map(str::to_ascii_lowercase)
                    .unwrap_or_else(|| local.to_owned());
                // A default port in Host is not part of the signed URL.
                let host = host.strip_suffix(":80").unwrap_or(&host);
                origin = format!("http://{host}");
                Caller::Http {
                    origin: &origin,
                    authorization: header(req.headers, "authorization"),
                }
            }
        };
        let answer = self.handle(&Request {
            method: req.method,
            path,
            query,
            body: req.body,
            content_type: header(req.headers, "content-type"),
            caller,
        });
        let mut headers = vec![
            ("content-type".to_owned(), answer.content_type.to_owned()),
            // X's clock, as every HTTP server sends it.
            ("date".to_owned(), http_date(self.now())),
        ];
        headers.extend(
            answer
                .headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone())),
        );
        WireAnswer {
            status: answer.status,
            headers,
            body: answer.body.to_string().into_bytes(),
            delay: answer.delay,
            drop_connection: answer.drop_connection,
            note: answer.note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;

    #[tokio::test(start_paused = true)]
    async fn every_answer_carries_xs_clock_skewed_as_planned() {
        let mut f =
            FakeX::with_defaults(Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap()));
        let req = WireRequest {
            method: "POST",
            target: "/2/tweets",
            headers: &[],
            body: br#"{"text":"hi"}"#,
            via: Via::InProcess,
        };
        let a = f.respond(&req);
        assert_eq!(a.header("date"), Some("Thu, 01 Jan 2026 00:00:00 GMT"));
        f.set_skew(jiff::SignedDuration::from_secs(-90));
        let a = f.respond(&WireRequest {
            body: br#"{"text":"later"}"#,
            ..req
        });
        assert_eq!(a.header("date"), Some("Wed, 31 Dec 2025 23:58:30 GMT"));
        // What it stores is on its own (skewed) clock too.
        assert_eq!(
            f.tweets()[1].created_at,
            "2025-12-31T23:58:30Z".parse().unwrap()
        );
        // Refusals carry it as well.
        let a = f.respond(&WireRequest {
            target: "/2/nowhere",
            ..req
        });
        assert_eq!(a.status, 404);
        assert!(a.header("date").is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn requests_over_http_need_a_signature_and_in_process_ones_do_not() {
        let mut f =
            FakeX::with_defaults(Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap()));
        let req = |via| WireRequest {
            method: "GET",
            target: "/2/users/me?user.fields=id",
            headers: &[("Host", "127.0.0.1:9")],
            body: b"",
            via,
        };
        let a = f.respond(&req(Via::InProcess));
        assert_eq!(a.status, 200);
        assert_eq!(
            a.header("Content-Type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(a.header("x-rate-limit-remaining"), Some("74"));
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["data"]["username"], "tweetform_emulator");

        let a = f.respond(&req(Via::Http {
            local: "127.0.0.1:9",
        }));
        assert_eq!(a.status, 401);
        assert_eq!(a.note.as_deref(), Some("no OAuth Authorization header"));
        assert_eq!(f.requests_seen(), 2);
    }
}
