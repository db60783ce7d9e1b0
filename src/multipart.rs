//! `multipart/form-data` bodies (RFC 7578), the form X's media endpoints
//! take raw bytes in: the JSON form would carry them in base64, a third
//! larger, and hold both copies in memory at once.
//!
//! Written here rather than through reqwest's `multipart` because requests
//! are built as bytes apart from any HTTP library (the `Transport` seam in
//! [`crate::operations`]), so that the in-process emulator receives exactly
//! what X would.

/// One part of a form.
pub(crate) enum Part<'a> {
    Text(&'a str),
    /// Bytes sent as they are, as a file.
    Bytes(&'a [u8]),
}

/// The body and its `Content-Type` (with the boundary) for these parts.
pub(crate) fn form(parts: &[(&str, Part<'_>)]) -> (String, Vec<u8>) {
    // 128 random bits: no file will hold them by chance, so the body need
    // not be scanned for the boundary.
    let boundary = format!("tweetform-{}", hex::encode(rand::random::<[u8; 16]>()));
    let size: usize = parts
        .iter()
        .map(|(_, p)| match p {
            Part::Text(t) => t.len(),
            Part::Bytes(b) => b.len(),
        })
        .sum();
    let mut body = Vec::with_capacity(size + 200 * (parts.len() + 1));
    for (name, part) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(text) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(text.as_bytes());
            }
            Part::Bytes(bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_delimited_by_the_boundary_and_bytes_are_kept_as_they_are() {
        let bytes = [0u8, 13, 10, 45, 45, 255];
        let (content_type, body) = form(&[
            ("segment_index", Part::Text("3")),
            ("media", Part::Bytes(&bytes)),
        ]);
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n3\r\n"
        )));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let marker = b"Content-Type: application/octet-stream\r\n\r\n";
        let at = body
            .windows(marker.len())
            .position(|w| w == marker)
            .unwrap()
            + marker.len();
        assert_eq!(&body[at..at + bytes.len()], &bytes);
        assert_eq!(&body[at + bytes.len()..at + bytes.len() + 2], b"\r\n");
        let (other, _) = form(&[]);
        assert_ne!(other, content_type, "a fresh boundary each time");
    }
}
