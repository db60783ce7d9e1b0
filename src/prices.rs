//! X's prices for what tweetform sends: the dated default table, and the
//! `prices:` of `tweetform.yaml` that override it. Apart from the cost of a
//! plan ([`crate::cost`]) because the configuration names them too.

use serde::{Deserialize, Serialize};

use crate::money::Usd;

/// Where the default prices come from.
pub const PRICES_SOURCE: &str = "X's pricing page (x-api/getting-started/pricing)";

/// X's prices for what tweetform sends, as of `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prices {
    /// When these were X's prices (`2026-04-20`).
    pub date: jiff::civil::Date,
    /// A post (`POST /2/tweets`) without a link.
    pub post_create: Usd,
    /// A post whose text has a URL (any URL twitter-text finds).
    pub post_create_with_url: Usd,
    /// A delete of a post or the undo of a repost ("Interaction: Delete").
    pub interaction_delete: Usd,
    /// An alt-text call (`POST /2/media/metadata`).
    pub media_metadata: Usd,
    /// A read of the account's own data, per resource (a tweet by ID).
    pub owned_read: Usd,
}

impl Default for Prices {
    /// X's pay-per-use prices since 20 April 2026 ([`PRICES_SOURCE`]).
    fn default() -> Self {
        Prices {
            date: jiff::civil::date(2026, 4, 20),
            post_create: Usd::new(0, 15_000),
            post_create_with_url: Usd::new(0, 200_000),
            interaction_delete: Usd::new(0, 10_000),
            media_metadata: Usd::new(0, 5_000),
            owned_read: Usd::new(0, 1_000),
        }
    }
}

/// `prices:` in `tweetform.yaml`: the date of the table, and the prices
/// that differ from the defaults.
///
/// ```yaml
/// prices:
///   date: 2026-09-01
///   post_create_with_url: 0.25
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverrides {
    pub date: jiff::civil::Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_create: Option<Usd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_create_with_url: Option<Usd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_delete: Option<Usd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_metadata: Option<Usd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_read: Option<Usd>,
}

impl Prices {
    /// The defaults with `overrides` applied, if any.
    pub fn with(overrides: Option<&PriceOverrides>) -> Prices {
        let d = Prices::default();
        let Some(o) = overrides else {
            return d;
        };
        Prices {
            date: o.date,
            post_create: o.post_create.unwrap_or(d.post_create),
            post_create_with_url: o.post_create_with_url.unwrap_or(d.post_create_with_url),
            interaction_delete: o.interaction_delete.unwrap_or(d.interaction_delete),
            media_metadata: o.media_metadata.unwrap_or(d.media_metadata),
            owned_read: o.owned_read.unwrap_or(d.owned_read),
        }
    }
}
