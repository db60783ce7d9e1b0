//! The four secrets of an X app and account, read from the environment.
//!
//! Kept apart from the HTTP client because they are the one input that must
//! never be printed: everything that holds them redacts them in `Debug`, and
//! their errors name the variables, never a value. The names are both
//! tweetform's `X_*` and twitter-together's `TWITTER_*`, so a repository that
//! moves over keeps its secrets.

use std::fmt;

use crate::problem::Problem;

/// The four OAuth 1.0a user-context secrets of an X app and account.
///
/// `Debug` never prints them, and no error of this crate carries them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub access_token: String,
    pub access_token_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &"<redacted>")
            .field("consumer_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("access_token_secret", &"<redacted>")
            .finish()
    }
}

/// Each credential under its name and the name twitter-together used.
pub const CREDENTIAL_VARIABLES: [(&str, &str); 4] = [
    ("X_API_KEY", "TWITTER_API_KEY"),
    ("X_API_SECRET", "TWITTER_API_SECRET_KEY"),
    ("X_ACCESS_TOKEN", "TWITTER_ACCESS_TOKEN"),
    ("X_ACCESS_TOKEN_SECRET", "TWITTER_ACCESS_TOKEN_SECRET"),
];

/// Some credentials are not set. Names the variables, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MissingCredentials {
    /// `(name, twitter-together's name)` of every missing credential.
    pub missing: Vec<(&'static str, &'static str)>,
}

impl fmt::Display for MissingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .missing
            .iter()
            .map(|(x, tw)| format!("{x} (or {tw})"))
            .collect();
        write!(
            f,
            "missing X API credentials: {} {} not set or empty",
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" },
        )
    }
}

impl From<MissingCredentials> for Problem {
    fn from(e: MissingCredentials) -> Problem {
        Problem::new(e.to_string()).with_help(
            "create them in the X developer portal (your app's \"Keys and tokens\", \
             with Read and Write permissions) and pass them as environment variables; \
             in GitHub Actions, store them as repository secrets and map them in the \
             workflow's `env:` (for example `X_API_KEY: ${{ secrets.X_API_KEY }}`)",
        )
    }
}

impl Credentials {
    pub fn new(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        access_token: impl Into<String>,
        access_token_secret: impl Into<String>,
    ) -> Self {
        Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            access_token: access_token.into(),
            access_token_secret: access_token_secret.into(),
        }
    }

    /// Reads the credentials from the process environment.
    pub fn from_env() -> Result<Self, MissingCredentials> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the credentials through `lookup` (an environment). Each one is
    /// taken from its `X_*` name, else from twitter-together's `TWITTER_*`
    /// name. Surrounding whitespace is trimmed (a pasted secret often ends
    /// with a newline); an empty value counts as missing, since GitHub
    /// Actions expands an undefined secret to the empty string.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, MissingCredentials> {
        let mut values: Vec<String> = Vec::with_capacity(4);
        let mut missing = Vec::new();
        for (x, tw) in CREDENTIAL_VARIABLES {
            let get = |name: &str| {
                lookup(name)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            match get(x).or_else(|| get(tw)) {
                Some(v) => values.push(v),
                None => {
                    missing.push((x, tw));
                    values.push(String::new());
                }
            }
        }
        if !missing.is_empty() {
            return Err(MissingCredentials { missing });
        }
        let mut it = values.into_iter();
        let mut next = || it.next().unwrap_or_default();
        Ok(Credentials::new(next(), next(), next(), next()))
    }
}

/// The user ID an OAuth 1.0a access token was issued for: X's tokens are
/// `USERID-RANDOM`. Anything else says nothing.
pub(crate) fn token_user_id(token: &str) -> Option<String> {
    let (id, rest) = token.split_once('-')?;
    let digits = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
    (digits && !rest.is_empty()).then(|| id.to_owned())
}

/// The credentials of X's documented signing example, for tests.
#[cfg(test)]
pub(crate) fn documented_example() -> Credentials {
    Credentials::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_from_either_name_and_missing_ones_named() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let c = Credentials::from_lookup(env(&[
            ("X_API_KEY", "ck"),
            ("TWITTER_API_SECRET_KEY", "cs\n"),
            ("X_ACCESS_TOKEN", "at"),
            ("TWITTER_ACCESS_TOKEN", "ignored"),
            ("TWITTER_ACCESS_TOKEN_SECRET", "ats"),
        ]))
        .unwrap();
        assert_eq!(c, Credentials::new("ck", "cs", "at", "ats"));

        let err = Credentials::from_lookup(env(&[
            ("X_API_KEY", "ck"),
            ("X_API_SECRET", "   "),
            ("TWITTER_ACCESS_TOKEN", "at"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.missing,
            vec![
                ("X_API_SECRET", "TWITTER_API_SECRET_KEY"),
                ("X_ACCESS_TOKEN_SECRET", "TWITTER_ACCESS_TOKEN_SECRET")
            ]
        );
        let msg = err.to_string();
        assert!(
            msg.contains("X_API_SECRET (or TWITTER_API_SECRET_KEY)"),
            "{msg}"
        );
        assert!(msg.contains("X_ACCESS_TOKEN_SECRET (or TWITTER_ACCESS_TOKEN_SECRET)"));
        assert!(!msg.contains("X_API_KEY (or"), "{msg}");
        let help = Problem::from(err).help().unwrap().to_owned();
        assert!(help.contains("${{ secrets.X_API_KEY }}"), "{help}");
    }

    #[test]
    fn the_access_token_names_its_user() {
        assert_eq!(
            token_user_id("1500000000000000001-emulator-access-token").as_deref(),
            Some("1500000000000000001")
        );
        for token in ["", "abc-def", "-x", "123", "123-", "12a-xyz"] {
            assert_eq!(token_user_id(token), None, "{token}");
        }
    }
}
