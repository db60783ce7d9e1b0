//! What applying a plan costs: each request `apply` would send, priced.
//! Apart from the money and its table ([`crate::cost`]), which the plan
//! carries and the configuration names, so that those depend on no plan.

use crate::cost::{Cost, CostItem, CostKind, Prices, Usd};
use crate::plan::{Plan, TweetOp};
use crate::text::plural;

impl Cost {
    /// The cost of applying `plan` at `prices`: every change `apply` would
    /// send (not waiting posts, not content X refused), and the reads of
    /// its refresh.
    pub fn of(plan: &Plan, prices: &Prices) -> Cost {
        let mut items = Vec::new();
        for change in plan.changes.iter().filter(|c| c.is_applied()) {
            for tweet in &change.tweets {
                let item = |kind, usd, why: Option<String>| CostItem {
                    key: Some(change.key.clone()),
                    index: Some(tweet.index),
                    kind,
                    usd,
                    why,
                };
                match &tweet.op {
                    TweetOp::Keep { .. } => {}
                    // X prices an edit as the post it creates.
                    TweetOp::Create { body, .. } | TweetOp::Edit { body, .. } => {
                        let (kind, usd) = prices.post(&body.text);
                        let why = (kind == CostKind::CreateWithUrl)
                            .then(|| format!("contains a link: {usd}"));
                        items.push(item(kind, usd, why));
                        for file in body.media_files().iter().filter(|f| f.alt.is_some()) {
                            items.push(item(
                                CostKind::AltText,
                                prices.media_metadata,
                                Some(format!(
                                    "alt text of {}: at most {} (none when an earlier upload of it is reused)",
                                    file.path, prices.media_metadata
                                )),
                            ));
                        }
                    }
                    TweetOp::Delete { .. } => {
                        items.push(item(CostKind::Delete, prices.interaction_delete, None));
                    }
                    TweetOp::Unrepost { .. } => items.push(item(
                        CostKind::Unrepost,
                        prices.interaction_delete,
                        Some(format!(
                            "undoing a repost is an interaction delete: {}",
                            prices.interaction_delete
                        )),
                    )),
                    TweetOp::Repost { .. } => items.push(item(
                        CostKind::Repost,
                        Usd(0),
                        Some("X's price table gives reposts no price: counted as $0".to_owned()),
                    )),
                }
            }
        }
        if let Some(refresh) = plan.refresh.as_ref().filter(|r| r.read > 0) {
            items.push(CostItem {
                key: None,
                index: None,
                kind: CostKind::Read,
                usd: prices.owned_read.times(refresh.read),
                why: Some(format!(
                    "at most: {} read by --refresh at {} each (X charges each once per UTC day)",
                    plural(refresh.read, "published tweet", "published tweets"),
                    prices.owned_read
                )),
            });
        }
        Cost {
            total_usd: items.iter().map(|i| i.usd).sum(),
            prices_date: prices.date,
            items,
            prices: prices.clone(),
        }
    }
}
