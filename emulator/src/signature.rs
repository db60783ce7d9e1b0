//! OAuth 1.0a (RFC 5849, HMAC-SHA1) verification for the fake X.
//!
//! Deliberately written by hand, sharing nothing with the client's signing
//! path (which uses `oauth1-request`): percent-encoding, parameter
//! normalisation, the base string and the HMAC are all done here, so that a
//! bug in one side shows up as a 401 in the tests instead of cancelling out.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha1::Sha1;

/// The credentials the fake accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptedKeys {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token: String,
    pub token_secret: String,
}

impl fmt::Debug for AcceptedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceptedKeys")
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Why a request was refused. The answer is always X's plain 401; this is
/// for the emulator's log and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    MissingHeader,
    Malformed(String),
    UnsupportedSignatureMethod(String),
    UnknownConsumerKey,
    UnknownToken,
    BadSignature,
    StaleTimestamp { skew_seconds: i64 },
    ReusedNonce,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::MissingHeader => write!(f, "no OAuth Authorization header"),
            AuthFailure::Malformed(why) => write!(f, "malformed Authorization header: {why}"),
            AuthFailure::UnsupportedSignatureMethod(m) => {
                write!(f, "unsupported oauth_signature_method {m:?}")
            }
            AuthFailure::UnknownConsumerKey => write!(f, "unknown consumer key"),
            AuthFailure::UnknownToken => write!(f, "unknown access token"),
            AuthFailure::BadSignature => write!(f, "signature does not match"),
            AuthFailure::StaleTimestamp { skew_seconds } => {
                write!(
                    f,
                    "oauth_timestamp is {skew_seconds} s away from the server's clock"
                )
            }
            AuthFailure::ReusedNonce => write!(f, "oauth_nonce was already used"),
        }
    }
}

/// RFC 3986 percent-encoding as RFC 5849 section 3.6 requires: everything
/// but `ALPHA / DIGIT / "-" / "." / "_" / "~"` as `%XX` with upper-case hex.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 0xf)]));
        }
    }
    out
}

/// Percent-decodes; with `plus_is_space`, `+` decodes to a space (query
/// strings and form bodies). Invalid escapes stay as they are.
pub fn decode(s: &str, plus_is_space: bool) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=2` into decoded pairs (`+` is a space). Empty parts are skipped.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k, true), decode(v, true))
        })
        .collect()
}

/// The parameters of an `Authorization: OAuth k="v", …` header, decoded.
/// `realm` is dropped (RFC 5849 section 3.4.1.3.1).
pub fn parse_authorization(header: &str) -> Result<Vec<(String, String)>, AuthFailure> {
    let header = header.trim();
    let rest = match header.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("OAuth") => rest,
        _ => return Err(AuthFailure::MissingHeader),
    };
    let mut params = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| AuthFailure::Malformed(format!("no `=` in {part:?}")))?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| AuthFailure::Malformed(format!("value of {k} is not quoted")))?;
        let k = decode(k.trim(), false);
        if k == "realm" {
            continue;
        }
        params.push((k, decode(v, false)));
    }
    Ok(params)
}

/// The signature base string (RFC 5849 section 3.4.1): the upper-case
/// method, the encoded base URL, and the encoded, sorted, `&`-joined
/// parameters (`params` decoded; `oauth_signature` must not be among them).
pub fn base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(base_url),
        encode(&normalized)
    )
}

fn mac(consumer_secret: &str, token_secret: &str, base: &str) -> Hmac<Sha1> {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(base.as_bytes());
    mac
}

/// HMAC-SHA1 of the base string, base64-encoded.
pub fn sign(consumer_secret: &str, token_secret: &str, base: &str) -> String {
    let tag = mac(consumer_secret, token_secret, base)
        .finalize()
        .into_bytes();
    base64::engine::general_purpose::STANDARD.encode(tag)
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks signatures, timestamps and nonces; remembers nonces it has seen.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub max_skew: Duration,
    /// nonce → its timestamp, forgotten once older than twice the skew.
    seen: HashMap<String, i64>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new(Duration::from_secs(300))
    }
}

impl Verifier {
    pub fn new(max_skew: Duration) -> Self {
        Verifier {
            max_skew,
            seen: HashMap::new(),
        }
    }

    /// Verifies a request. `base_url` is scheme, host, non-default port and
    /// path, without the query; `query` the decoded query parameters.
    pub fn verify(
        &mut self,
        method: &str,
        base_url: &str,
        query: &[(String, String)],
        authorization: Option<&str>,
        keys: &AcceptedKeys,
        now: Timestamp,
    ) -> Result<(), AuthFailure> {
        let oauth = parse_authorization(authorization.ok_or(AuthFailure::MissingHeader)?)?;
        let get = |name: &str| -> Result<&str, AuthFailure> {
            let mut values = oauth
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str());
            let v = values
                .next()
                .ok_or_else(|| AuthFailure::Malformed(format!("no {name}")))?;
            if values.next().is_some() {
                return Err(AuthFailure::Malformed(format!("{name} given twice")));
            }
            Ok(v)
        };
        let method_name = get("oauth_signature_method")?;
        if method_name != "HMAC-SHA1" {
            return Err(AuthFailure::UnsupportedSignatureMethod(
                method_name.to_owned(),
            ));
        }
        if let Ok(version) = get("oauth_version")
            && version != "1.0"
        {
            return Err(AuthFailure::Malformed(format!("oauth_version {version:?}")));
        }
        let consumer_key = get("oauth_consumer_key")?;
        let token = get("oauth_token")?;
        let nonce = get("oauth_nonce")?;
        let timestamp: i64 = get("oauth_timestamp")?
            .parse()
            .map_err(|_| AuthFailure::Malformed("oauth_timestamp is not a number".into()))?;
        let signature = get("oauth_signature")?;
        if nonce.is_empty() {
            return Err(AuthFailure::Malformed("empty oauth_nonce".into()));
        }
        if !ct_eq(consumer_key.as_bytes(), keys.consumer_key.as_bytes()) {
            return Err(AuthFailure::UnknownConsumerKey);
        }
        if !ct_eq(token.as_bytes(), keys.token.as_bytes()) {
            return Err(AuthFailure::UnknownToken);
        }

        let mut params: Vec<(String, String)> = oauth
            .iter()
            .filter(|(k, _)| k != "oauth_signature")
            .cloned()
            .collect();
        params.extend(query.iter().cloned());
        let base = base_string(method, base_url, &params);
        let provided = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .map_err(|_| AuthFailure::BadSignature)?;
        mac(&keys.consumer_secret, &keys.token_secret, &base)
            .verify_slice(&provided)
            .map_err(|_| AuthFailure::BadSignature)?;

        // Only a correctly signed request may burn a nonce.
        // The timestamp is the client's: saturate rather than overflow.
        let skew = timestamp.saturating_sub(now.as_second());
        let max = i64::try_from(self.max_skew.as_secs()).unwrap_or(i64::MAX);
        if skew.unsigned_abs() > max.unsigned_abs() {
            return Err(AuthFailure::StaleTimestamp { skew_seconds: skew });
        }
        let horizon = now.as_second().saturating_sub(max.saturating_mul(2));
        self.seen.retain(|_, ts| *ts >= horizon);
        let key = format!("{consumer_key}\n{token}\n{nonce}");
        if self.seen.contains_key(&key) {
            return Err(AuthFailure::ReusedNonce);
        }
        self.seen.insert(key, timestamp);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_BASE: &str = "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521";

    fn vector_keys() -> AcceptedKeys {
        AcceptedKeys {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
            token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
        }
    }

    /// The documented request's header, as X's guide shows it.
    const VECTOR_HEADER: &str = r#"OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0""#;

    fn vector_params() -> Vec<(String, String)> {
        vec![
            ("include_entities".into(), "true".into()),
            (
                "status".into(),
                "Hello Ladies + Gentlemen, a signed OAuth request!".into(),
            ),
        ]
    }

    #[test]
    fn x_documented_vector() {
        let mut params = vector_params();
        params.extend(
            parse_authorization(VECTOR_HEADER)
                .unwrap()
                .into_iter()
                .filter(|(k, _)| k != "oauth_signature"),
        );
        let base = base_string(
            "post",
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
        );
        assert_eq!(base, VECTOR_BASE);
        let k = vector_keys();
        assert_eq!(
            sign(&k.consumer_secret, &k.token_secret, &base),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
    }

    #[test]
    fn verifier_accepts_the_vector_once_and_checks_everything() {
        let keys = vector_keys();
        let url = "https://api.twitter.com/1.1/statuses/update.json";
        let at = Timestamp::from_second(1318622958 + 60).unwrap();
        let mut v = Verifier::default();
        let run = |v: &mut Verifier,
                   method: &str,
                   params: &[(String, String)],
                   h: &str,
                   keys: &AcceptedKeys,
                   now| { v.verify(method, url, params, Some(h), keys, now) };
        // Wrong secret, wrong parameter, wrong method: bad signature.
        let mut wrong = keys.clone();
        wrong.token_secret.push('x');
        assert_eq!(
            run(&mut v, "POST", &vector_params(), VECTOR_HEADER, &wrong, at),
            Err(AuthFailure::BadSignature)
        );
        let mut tampered = vector_params();
        tampered[1].1.push('!');
        assert_eq!(
            run(&mut v, "POST", &tampered, VECTOR_HEADER, &keys, at),
            Err(AuthFailure::BadSignature)
        );
        assert_eq!(
            run(&mut v, "GET", &vector_params(), VECTOR_HEADER, &keys, at),
            Err(AuthFailure::BadSignature)
        );
        // Too far from the clock.
        let late = Timestamp::from_second(1318622958 + 301).unwrap();
        assert!(matches!(
            run(&mut v, "POST", &vector_params(), VECTOR_HEADER, &keys, late),
            Err(AuthFailure::StaleTimestamp { skew_seconds: -301 })
        ));
        // Good, then the same nonce again.
        assert_eq!(
            run(&mut v, "POST", &vector_params(), VECTOR_HEADER, &keys, at),
            Ok(())
        );
        assert_eq!(
            run(&mut v, "POST", &vector_params(), VECTOR_HEADER, &keys, at),
            Err(AuthFailure::ReusedNonce)
        );
        // Unknown keys and missing headers.
        let mut other = keys.clone();
        other.consumer_key = "someone-else".into();
        assert_eq!(
            run(
                &mut Verifier::default(),
                "POST",
                &vector_params(),
                VECTOR_HEADER,
                &other,
                at
            ),
            Err(AuthFailure::UnknownConsumerKey)
        );
        assert_eq!(
            v.verify("POST", url, &vector_params(), None, &keys, at),
            Err(AuthFailure::MissingHeader)
        );
        assert_eq!(
            v.verify("POST", url, &[], Some("Bearer abc"), &keys, at),
            Err(AuthFailure::MissingHeader)
        );
    }

    #[test]
    fn encoding_round_trips() {
        assert_eq!(
            encode("Hello Ladies + Gentlemen, a signed OAuth request!"),
            "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"
        );
        assert_eq!(encode("é~"), "%C3%A9~");
        assert_eq!(decode("a+b%20c%3a%zz%", true), "a b c:%zz%");
        assert_eq!(decode("a+b", false), "a+b");
        assert_eq!(
            parse_query("ids=1%2C2&x&tweet.fields=created_at"),
            vec![
                ("ids".into(), "1,2".into()),
                ("x".into(), "".into()),
                ("tweet.fields".into(), "created_at".into())
            ]
        );
    }
}
