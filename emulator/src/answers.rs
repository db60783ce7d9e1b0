//! What the fake sends back, and X's exact wording for each refusal: the
//! problem+json bodies (`about:blank` problems, validation errors, missing
//! resources) with their statuses and content types. One place, so that
//! the client's error mapping is tested against X's shapes, not ours.

use std::time::Duration;

use serde_json::{Value, json};

use crate::route::Endpoint;

/// What to send back, before [`FakeX::respond`](crate::FakeX::respond)
/// puts it in HTTP's terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    /// Rate headers, lower-case names.
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
    /// Close the connection without answering (the request took effect).
    pub drop_connection: bool,
    /// Wait this long before answering (the request already took effect).
    pub delay: Option<Duration>,
    pub endpoint: Option<Endpoint>,
    /// Why, for the emulator's log (a refused signature, say). Never sent.
    pub note: Option<String>,
}

impl Answer {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body,
            drop_connection: false,
            delay: None,
            endpoint: None,
            note: None,
        }
    }

    pub(crate) fn problem(status: u16, body: Value) -> Self {
        Answer {
            content_type: "application/problem+json",
            ..Answer::json(status, body)
        }
    }

    /// `{"title","detail","type":"about:blank","status"}`, both texts the
    /// status's reason phrase (as X's front end answers a 5xx).
    pub(crate) fn server_error(status: u16) -> Self {
        let reason = reason_phrase(status);
        Answer::problem(
            status,
            json!({"title": reason, "detail": reason, "type": "about:blank", "status": status}),
        )
    }

    /// X's problem answer for `status` with its own `detail`.
    pub(crate) fn refused(status: u16, detail: &str) -> Self {
        Answer::problem(
            status,
            json!({"detail": detail, "type": "about:blank", "title": reason_phrase(status), "status": status}),
        )
    }

    pub(crate) fn forbidden(detail: &str) -> Self {
        Answer::problem(
            403,
            json!({"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}),
        )
    }

    /// X's validation error: one entry per problem.
    pub(crate) fn invalid(errors: Vec<Value>) -> Self {
        Answer::problem(
            400,
            json!({
                "errors": errors,
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            }),
        )
    }

    pub(crate) fn invalid_messages(messages: Vec<String>) -> Self {
        Answer::invalid(
            messages
                .into_iter()
                .map(|m| json!({ "message": m }))
                .collect(),
        )
    }

    /// A query parameter X refuses, with why.
    pub(crate) fn invalid_parameter(name: &str, value: &str, why: &str) -> Self {
        Answer::invalid(vec![json!({
            "parameters": {name: [value]},
            "message": format!("The `{name}` query parameter value [{value}] {why}"),
        })])
    }

    pub(crate) fn invalid_id(name: &str, value: &str) -> Self {
        Answer::invalid_parameter(name, value, "does not match ^[0-9]{1,19}$")
    }

    pub(crate) fn unauthorized() -> Self {
        Answer::problem(
            401,
            json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
        )
    }

    pub(crate) fn too_many_requests() -> Self {
        Answer::problem(
            429,
            json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        )
    }

    /// A body over [`crate::limits::MAX_BODY_BYTES`], as a front end
    /// refuses it.
    pub(crate) fn payload_too_large() -> Self {
        Answer::server_error(413)
    }

    pub(crate) fn no_such_page() -> Self {
        Answer::json(
            404,
            json!({"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}),
        )
    }

    /// The header's value, if present.
    #[cfg(test)]
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// X's "resource not found" problem, found inside a 200's `errors` or as a
/// 404's body.
pub(crate) fn not_found_problem(resource_type: &str, parameter: &str, id: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Could not find {resource_type} with {parameter}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    })
}

fn reason_phrase(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Server Error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_carry_the_reason_phrase() {
        let a = Answer::server_error(503);
        assert_eq!(a.content_type, "application/problem+json");
        assert_eq!(
            a.body,
            json!({"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503})
        );
        assert_eq!(Answer::server_error(599).body["title"], "Server Error");
    }
}
