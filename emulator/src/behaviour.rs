//! Who the fake is: the one account it serves, the credentials it accepts,
//! its limits, its length rule, its tolerance for clock skew and how long
//! its media take to process and to expire. Named
//! `Behaviour` so as not to be taken for tweetform's own configuration.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::limits::Limits;
use crate::signature::AcceptedKeys;

/// The account the fake serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: String,
}

impl Default for User {
    fn default() -> Self {
        User {
            id: "1500000000000000001".into(),
            username: "tweetform_emulator".into(),
            name: "tweetform emulator".into(),
        }
    }
}

/// The four test credentials the emulator accepts by default, as plain
/// strings. They are fake and public: printing them is fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCredentials {
    pub consumer_key: &'static str,
    pub consumer_secret: &'static str,
    pub access_token: &'static str,
    pub access_token_secret: &'static str,
}

pub const TEST_CREDENTIALS: TestCredentials = TestCredentials {
    consumer_key: "emulator-consumer-key",
    consumer_secret: "emulator-consumer-secret",
    access_token: "1500000000000000001-emulator-access-token",
    access_token_secret: "emulator-access-token-secret",
};

impl TestCredentials {
    pub fn accepted_keys(&self) -> AcceptedKeys {
        AcceptedKeys {
            consumer_key: self.consumer_key.into(),
            consumer_secret: self.consumer_secret.into(),
            token: self.access_token.into(),
            token_secret: self.access_token_secret.into(),
        }
    }
}

/// How the fake behaves when nothing goes wrong on purpose (for that, see
/// [`crate::Faults`]).
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub user: User,
    pub keys: AcceptedKeys,
    pub limits: Limits,
    /// The API access level: self-serve levels refuse quotes and replies
    /// to accounts that did not summon this one.
    pub access: Access,
    /// Refuse texts longer than this weighted length (X: 280 for accounts
    /// without long posts). `None` accepts any length.
    pub max_weighted_length: Option<usize>,
    /// OAuth timestamps further than this from the clock are refused.
    pub max_clock_skew: Duration,
    /// How long a GIF or a video takes to process after finalize, on the
    /// fake's clock (`pending` for the first fifth, then `in_progress`).
    pub media_processing: Duration,
    /// `expires_after_secs` of an upload, from its finalize (X: 86400).
    pub media_expiry: Duration,
    /// How long after a tweet was first published it may be edited
    /// (`edit_options`): X's fundamentals page says 30 minutes.
    pub edit_window: Duration,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            user: User::default(),
            keys: TEST_CREDENTIALS.accepted_keys(),
            limits: Limits::default(),
            access: Access::default(),
            max_weighted_length: Some(280),
            max_clock_skew: Duration::from_secs(300),
            media_processing: Duration::from_secs(5),
            media_expiry: Duration::from_secs(86400),
            edit_window: Duration::from_secs(30 * 60),
        }
    }
}

/// X's API access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// What new apps get since 6 Feb 2026.
    #[default]
    PayPerUse,
    Basic,
    Pro,
    Enterprise,
}

impl Access {
    pub const ALL: [Access; 4] = [
        Access::PayPerUse,
        Access::Basic,
        Access::Pro,
        Access::Enterprise,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Access::PayPerUse => "pay-per-use",
            Access::Basic => "basic",
            Access::Pro => "pro",
            Access::Enterprise => "enterprise",
        }
    }

    /// Every level but Enterprise.
    pub fn is_self_serve(self) -> bool {
        self != Access::Enterprise
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Access {
    type Err = String;

    fn from_str(s: &str) -> Result<Access, String> {
        Access::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Access::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "unknown access level {s:?}: expected one of {}",
                    names.join(", ")
                )
            })
    }
}
