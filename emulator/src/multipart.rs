//! `multipart/form-data` bodies (RFC 7578), the other way X's media
//! endpoints take their fields: each part a name, maybe a filename and
//! headers, and its bytes. Written by hand rather than taken from a crate:
//! the fake has the whole body in memory already and answers from a plain
//! function, where the multipart crates want an async stream; the format
//! needs only a boundary search. Parts borrow from the body, so reading a
//! segment of several megabytes copies nothing.

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    pub name: String,
    pub filename: Option<String>,
    /// `Content-Transfer-Encoding: base64` (X's best practices mention it
    /// for base64 images sent in a part).
    pub base64: bool,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type; `None` for any
/// other content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        (!v.is_empty()).then(|| v.to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        match hay[i..].iter().position(|&b| b == first) {
            None => return None,
            Some(p) => {
                i += p;
                if hay.get(i..i + needle.len()) == Some(needle) {
                    return Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

/// A parameter of `Content-Disposition`: `name="media"`.
fn disposition_param(value: &str, param: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case(param) {
            return None;
        }
        let v = v.trim();
        Some(
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
                .to_owned(),
        )
    })
}

/// The parts of `body`, or why it is not a well-formed form.
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The first boundary may open the body, without the CRLF before it.
    let mut at = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(body, delimiter.as_bytes(), 0).ok_or("the body has no boundary")? + delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err("a boundary is not followed by CRLF".into());
        }
        let head_start = at + 2;
        let head_end = find(body, b"\r\n\r\n", head_start)
            .ok_or("a part's headers do not end with an empty line")?;
        let head = std::str::from_utf8(&body[head_start..head_end])
            .map_err(|_| "a part's headers are not UTF-8")?;
        let data_start = head_end + 4;
        let data_end = find(body, delimiter.as_bytes(), data_start)
            .or_else(|| {
                // An empty part: its delimiter follows the blank line at once.
                (body.get(head_end + 2..head_end + 2 + delimiter.len())
                    == Some(delimiter.as_bytes()))
                .then_some(head_end + 2)
            })
            .ok_or("the closing boundary is missing")?;
        let mut name = None;
        let mut filename = None;
        let mut base64 = false;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(v, "name");
                filename = disposition_param(v, "filename");
            } else if k.eq_ignore_ascii_case("content-transfer-encoding") {
                base64 = v.eq_ignore_ascii_case("base64");
            }
        }
        let name = name.ok_or("a part has no Content-Disposition name")?;
        parts.push(Part {
            name,
            filename,
            base64,
            data: body.get(data_start..data_end).unwrap_or_default(),
        });
        at = data_end + delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_borrow_their_bytes_and_closing_boundaries_end_the_form() {
        let ct = r#"multipart/form-data; boundary="XyZ""#;
        assert_eq!(boundary(ct).as_deref(), Some("XyZ"));
        assert_eq!(boundary("application/json"), None);
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"media_category\"\r\n\r\ntweet_image\r\n--XyZ\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].name, "media_category");
        assert_eq!(parts[0].data, b"tweet_image");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[1].data, b"\x89PNG\r\n--X");
        assert_eq!(parts[2].data, b"");
        assert!(
            parse(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
                "XyZ"
            )
            .is_err()
        );
        assert!(parse(b"nothing here", "XyZ").is_err());
    }
}
