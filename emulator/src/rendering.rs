//! The text X returns, which is not the text it was sent: every URL (found
//! as X finds them, with twitter-text's extractor) becomes a
//! `https://t.co/<10 chars>` link, attached media add one more link at the
//! end, and `&`, `<`, `>` come back as `&amp;`, `&lt;`, `&gt;`. With
//! `tweet.fields=entities`, `entities.urls[]` says which link stands for
//! which URL (`url`, `expanded_url`, `display_url`, `start`, `end`, in code
//! points of the returned text). A client that compares texts must undo
//! all of this, which is what this file makes tests check.

use serde_json::{Value, json};

use crate::fake::StoredTweet;

/// A tweet's text as X returns it, and its URL entities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub text: String,
    pub urls: Vec<Value>,
}

/// A deterministic t.co code for the `n`th link of tweet `id`.
fn tco(id: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // FNV-1a of the ID and the position: the same tweet renders the same
    // way in every answer.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut code = String::with_capacity(10);
    for _ in 0..10 {
        code.push(ALPHABET[(h % 62) as usize] as char);
        h = (h / 62) ^ h.rotate_left(17);
    }
    format!("https://t.co/{code}")
}

/// `&`, `<`, `>` as X escapes them.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What `display_url` shows: no scheme, at most 23 characters then `…`.
fn display(url: &str) -> String {
    let bare = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let bare = bare.strip_prefix("www.").unwrap_or(bare);
    if bare.chars().count() > 23 {
        let cut: String = bare.chars().take(22).collect();
        format!("{cut}…")
    } else {
        bare.to_owned()
    }
}

/// The tweet's text as X returns it; `media_keys` are its media's, in order.
pub(crate) fn render(t: &StoredTweet, username: &str, media_keys: &[String]) -> Rendered {
    let extractor = twitter_text::extractor::Extractor::new();
    let found = extractor.extract_urls(&t.text);
    let mut text = String::new();
    let mut urls = Vec::new();
    let mut rest = t.text.as_str();
    for (n, url) in found.iter().enumerate() {
        let Some(at) = rest.find(url.as_str()) else {
            continue;
        };
        text.push_str(&escape(&rest[..at]));
        let link = tco(&t.id, n);
        let start = text.chars().count();
        text.push_str(&link);
        let expanded = if url.contains("://") {
            url.clone()
        } else {
            format!("http://{url}")
        };
        urls.push(json!({
            "start": start,
            "end": start + link.chars().count(),
            "url": link,
            "expanded_url": expanded,
            "display_url": display(url),
        }));
        rest = &rest[at + url.len()..];
    }
    text.push_str(&escape(rest));
    if let Some(first) = media_keys.first() {
        let link = tco(&t.id, found.len());
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.chars().count();
        text.push_str(&link);
        urls.push(json!({
            "start": start,
            "end": start + link.chars().count(),
            "url": link,
            "expanded_url": format!("https://x.com/{username}/status/{}/{}/1", t.id, if first.starts_with("3_") { "photo" } else { "video" }),
            "display_url": format!("pic.x.com/{}", &link["https://t.co/".len()..]),
            "media_key": first,
        }));
    }
    Rendered { text, urls }
}

/// The media IDs of a create body.
pub(crate) fn media_ids(body: &Value) -> Vec<String> {
    body.pointer("/media/media_ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// X's media key for an image: `3_<media id>` (GIFs and videos have theirs
/// from their upload, [`crate::media`]).
pub(crate) fn media_key(id: &str) -> String {
    format!("3_{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tweet(text: &str, body: Value) -> StoredTweet {
        StoredTweet {
            id: "1900000000000000000".into(),
            text: text.into(),
            author_id: "1".into(),
            created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            deleted_at: None,
            in_reply_to: None,
            body,
        }
    }

    #[test]
    fn urls_become_tco_links_and_entities_say_which() {
        let t = tweet(
            "Notes for v1.2: https://example.com/v1.2 & <more> at example.org",
            json!({}),
        );
        let r = render(&t, "me", &[]);
        assert!(!r.text.contains("example.com"), "{}", r.text);
        assert!(r.text.contains(" &amp; &lt;more&gt; at "), "{}", r.text);
        assert_eq!(r.urls.len(), 2);
        assert_eq!(r.urls[0]["expanded_url"], "https://example.com/v1.2");
        assert_eq!(r.urls[1]["expanded_url"], "http://example.org");
        for u in &r.urls {
            let link = u["url"].as_str().unwrap();
            assert_eq!(link.len(), "https://t.co/".len() + 10);
            let (s, e) = (
                u["start"].as_u64().unwrap() as usize,
                u["end"].as_u64().unwrap() as usize,
            );
            let cut: String = r.text.chars().skip(s).take(e - s).collect();
            assert_eq!(cut, link);
        }
        assert_ne!(r.urls[0]["url"], r.urls[1]["url"]);
        // The same tweet renders the same way every time.
        assert_eq!(render(&t, "me", &[]), r);
    }

    #[test]
    fn media_add_a_link_at_the_end() {
        let t = tweet("", json!({"media": {"media_ids": ["77"]}}));
        let r = render(&t, "me", &[media_key("77")]);
        assert!(r.text.starts_with("https://t.co/"), "{}", r.text);
        assert_eq!(r.urls[0]["media_key"], "3_77");
        assert!(
            r.urls[0]["expanded_url"]
                .as_str()
                .unwrap()
                .ends_with("/photo/1")
        );
        let t = tweet("caption", json!({"media": {"media_ids": ["77"]}}));
        let r = render(&t, "me", &["7_77".to_owned()]);
        assert!(r.text.starts_with("caption https://t.co/"));
        assert_eq!(r.urls[0]["media_key"], "7_77");
        assert!(
            r.urls[0]["expanded_url"]
                .as_str()
                .unwrap()
                .ends_with("/video/1")
        );
    }
}
