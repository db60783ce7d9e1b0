//! OAuth 1.0a user-context signing, through the `oauth1-request` crate.
//!
//! The signature covers the method, the normalised URL and the query, so the
//! query that is sent must be encoded exactly as it was signed: both come
//! from here. The emulator verifies signatures with its own code, never this.

use std::num::NonZeroU64;

use reqwest::Method;

use crate::credentials::Credentials;

/// The `Authorization` header for a request. `url` is the normalised base
/// URL (scheme, host, non-default port, path; no query); `params` are the
/// query parameters. A JSON body is not signed. `fixed` pins the nonce and
/// timestamp, for reproducible tests.
pub(crate) fn authorization_header(
    method: &Method,
    url: &str,
    params: &[(String, String)],
    creds: &Credentials,
    fixed: Option<(&str, u64)>,
) -> String {
    let token = oauth1_request::Token::from_parts(
        creds.consumer_key.as_str(),
        creds.consumer_secret.as_str(),
        creds.access_token.as_str(),
        creds.access_token_secret.as_str(),
    );
    let mut builder = oauth1_request::Builder::with_token(token, oauth1_request::HMAC_SHA1);
    builder.version(true);
    if let Some((nonce, timestamp)) = fixed {
        builder.nonce(nonce).timestamp(NonZeroU64::new(timestamp));
    }
    let request = oauth1_request::ParameterList::new(
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    builder.authorize(method.as_str(), url, &request)
}

/// `url?k=v&…` with the parameters sorted and percent-encoded exactly as
/// they were signed.
pub(crate) fn url_with_query(url: &str, params: &[(String, String)]) -> String {
    let request = oauth1_request::ParameterList::new(
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    oauth1_request::to_query(url.to_owned(), &request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_param(header: &str, name: &str) -> String {
        let rest = header.strip_prefix("OAuth ").unwrap();
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=').unwrap();
            if k == name {
                let v = v.trim_matches('"');
                return percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap()
                    .into_owned();
            }
        }
        panic!("no {name} in {header}")
    }

    #[test]
    fn signs_x_documented_vector() {
        let params = vec![
            ("include_entities".to_owned(), "true".to_owned()),
            (
                "status".to_owned(),
                "Hello Ladies + Gentlemen, a signed OAuth request!".to_owned(),
            ),
        ];
        let header = authorization_header(
            &Method::POST,
            "https://api.twitter.com/1.1/statuses/update.json",
            &params,
            &crate::credentials::documented_example(),
            Some(("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958)),
        );
        assert_eq!(
            header_param(&header, "oauth_signature"),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
        assert_eq!(header_param(&header, "oauth_version"), "1.0");
        assert_eq!(
            header_param(&header, "oauth_consumer_key"),
            "xvz1evFS4wEEPTGEFPHBog"
        );
        // The header carries the signature, never the secrets.
        assert!(!header.contains("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"));
        assert!(!header.contains("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"));
    }
}
