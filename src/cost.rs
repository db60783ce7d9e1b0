//! What a plan costs at X's pay-per-use prices.
//!
//! Since 6 February 2026 new apps pay X per request, and since 20 April
//! 2026 a post that contains a link costs 13 times a post without one: a
//! reviewer must see the bill before the merge, not on X's invoice. The
//! prices are a dated table (X changes them), overridable in
//! `tweetform.yaml` under `prices:`; money is counted in whole
//! micro-dollars, never in floats, so that totals add up exactly.
//!
//! The cost of a plan is a pure function of the plan and the table: one
//! item per request that X charges for (a create, a delete, the undo of a
//! repost, an alt-text call, the reads of `--refresh`), each with why it
//! costs what it does when that is not obvious.

use serde::{Deserialize, Serialize};

use crate::text::plural;

pub use crate::money::Usd;
pub use crate::prices::{PRICES_SOURCE, PriceOverrides, Prices};

impl Prices {
    /// The price of a post with `text`: more when X will link a URL in it.
    pub fn post(&self, text: &str) -> (CostKind, Usd) {
        if has_link(text) {
            (CostKind::CreateWithUrl, self.post_create_with_url)
        } else {
            (CostKind::Create, self.post_create)
        }
    }
}

/// Whether X will link a URL in `text` (twitter-text's rule, as X's).
pub(crate) fn has_link(text: &str) -> bool {
    !crate::tweet_match::urls_in(text).is_empty()
}

/// What one item of a cost pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    Create,
    CreateWithUrl,
    Delete,
    /// The undo of a repost: an interaction delete.
    Unrepost,
    /// X's table gives reposts no price: counted as nothing, with a note.
    Repost,
    AltText,
    /// The reads of `--refresh`, one per tweet.
    Read,
}

/// One request (or, for reads, one batch) X charges for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostItem {
    /// The post; absent for the reads of a refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The tweet's position in the thread (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub kind: CostKind,
    pub usd: Usd,
    /// Why it costs this, when a reviewer would ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// What applying a plan costs: the `cost` object of the JSON plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    pub total_usd: Usd,
    pub prices_date: jiff::civil::Date,
    pub items: Vec<CostItem>,
    /// The table the items were priced with.
    pub prices: Prices,
}

impl Cost {
    /// The tweets whose link makes them cost more.
    pub(crate) fn with_links(&self) -> impl Iterator<Item = &CostItem> {
        self.items
            .iter()
            .filter(|i| i.kind == CostKind::CreateWithUrl)
    }

    /// The items of one tweet of a post that a reviewer should notice (a
    /// link's price, alt text, a repost's missing price).
    pub(crate) fn marks(&self, key: &str, index: usize) -> impl Iterator<Item = &CostItem> {
        self.items.iter().filter(move |i| {
            i.why.is_some() && i.key.as_deref() == Some(key) && i.index == Some(index)
        })
    }

    /// The total, then what it is made of, on one line:
    /// `Cost: $0.235 at X's pay-per-use prices of 2026-04-20 (1 post $0.015, 1 post with a link $0.20, 2 deletes $0.02).`
    pub(crate) fn line(&self) -> String {
        let mut tally = Tally::default();
        for item in &self.items {
            let count = match item.kind {
                CostKind::Read => 0,
                _ => 1,
            };
            tally.add(item.kind, count, item.usd);
        }
        format!(
            "Cost: {} at X's pay-per-use prices of {}{}.",
            self.total_usd,
            self.prices_date,
            tally.breakdown()
        )
    }
}

/// Requests and dollars per kind, in the order [`KINDS`] lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// Per kind: how many requests (tweets read, for reads), and what they cost.
    pub kinds: Vec<KindTally>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindTally {
    pub kind: CostKind,
    pub count: usize,
    pub usd: Usd,
}

/// How each kind is counted in a line: one, many.
const KINDS: [(CostKind, &str, &str); 7] = [
    (CostKind::Create, "post", "posts"),
    (
        CostKind::CreateWithUrl,
        "post with a link",
        "posts with a link",
    ),
    (CostKind::Delete, "delete", "deletes"),
    (CostKind::Unrepost, "undone repost", "undone reposts"),
    (CostKind::Repost, "repost", "reposts"),
    (CostKind::AltText, "alt text", "alt texts"),
    (CostKind::Read, "tweet read", "tweets read"),
];

impl Tally {
    pub(crate) fn add(&mut self, kind: CostKind, count: usize, usd: Usd) {
        match self.kinds.iter_mut().find(|k| k.kind == kind) {
            Some(k) => {
                k.count += count;
                k.usd = k.usd + usd;
            }
            None => {
                self.kinds.push(KindTally { kind, count, usd });
                let order = |k: &KindTally| KINDS.iter().position(|(o, ..)| *o == k.kind);
                self.kinds.sort_by_key(order);
            }
        }
    }

    pub fn total(&self) -> Usd {
        self.kinds.iter().map(|k| k.usd).sum()
    }

    /// ` (1 post $0.015, 2 deletes $0.02)`, or nothing when empty.
    fn breakdown(&self) -> String {
        let parts: Vec<String> = self
            .kinds
            .iter()
            .map(|k| {
                let (_, one, many) = KINDS
                    .iter()
                    .find(|(o, ..)| *o == k.kind)
                    .copied()
                    .unwrap_or((k.kind, "request", "requests"));
                let what = if k.kind == CostKind::Read && k.count == 0 {
                    "reads".to_owned()
                } else {
                    plural(k.count, one, many)
                };
                match k.kind {
                    CostKind::Repost => format!("{what} {} (X gives them no price)", k.usd),
                    CostKind::AltText | CostKind::Read => format!("{what} at most {}", k.usd),
                    _ => format!("{what} {}", k.usd),
                }
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// What an apply spent: the requests X charges for that it sent, priced
/// with the same table as the plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Spent {
    pub total_usd: Usd,
    /// The date of the price table, once anything was priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices_date: Option<jiff::civil::Date>,
    #[serde(flatten)]
    pub tally: Tally,
}

impl Spent {
    /// Counts `count` requests (tweets, for reads) of `kind` costing `usd`
    /// at the table of `date`.
    pub(crate) fn add(&mut self, kind: CostKind, count: usize, usd: Usd, date: jiff::civil::Date) {
        self.tally.add(kind, count, usd);
        self.total_usd = self.tally.total();
        self.prices_date = Some(date);
    }

    pub fn is_empty(&self) -> bool {
        self.tally.kinds.is_empty()
    }

    /// `Spent: about $0.235 at X's pay-per-use prices of 2026-04-20 (…).`,
    /// or `None` when nothing was sent that X charges for.
    pub fn line(&self) -> Option<String> {
        let date = self.prices_date.filter(|_| !self.is_empty())?;
        Some(format!(
            "Spent: about {} at X's pay-per-use prices of {date}{}.",
            self.total_usd,
            self.tally.breakdown()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Plan, TweetOp};

    #[test]
    fn amounts_parse_exactly_and_print_with_at_least_two_decimals() {
        assert_eq!(Usd::parse("0.015"), Ok(Usd(15_000)));
        assert_eq!(Usd::parse("5"), Ok(Usd(5_000_000)));
        assert_eq!(Usd::parse("5.00"), Ok(Usd(5_000_000)));
        assert_eq!(Usd::parse(".5"), Ok(Usd(500_000)));
        assert_eq!(Usd::parse("0.000001"), Ok(Usd(1)));
        assert!(Usd::parse("0.0000001").is_err());
        assert!(Usd::parse("-1").is_err());
        assert!(Usd::parse("1e3").is_err());
        assert!(Usd::parse(".").is_err());
        assert!(Usd::parse("").is_err());
        assert_eq!(Usd(215_000).to_string(), "$0.215");
        assert_eq!(Usd(200_000).to_string(), "$0.20");
        assert_eq!(Usd(5_000_000).to_string(), "$5.00");
        assert_eq!(Usd(1).to_string(), "$0.000001");
        assert_eq!(Usd(0).decimal(), "0.00");
    }

    #[test]
    fn the_default_table_is_xs_of_20_april_2026() {
        let p = Prices::default();
        assert_eq!(p.date.to_string(), "2026-04-20");
        assert_eq!(p.post_create, Usd(15_000));
        assert_eq!(p.post_create_with_url, Usd(200_000));
        assert_eq!(p.interaction_delete, Usd(10_000));
        assert_eq!(p.media_metadata, Usd(5_000));
        assert_eq!(p.owned_read, Usd(1_000));
    }

    #[test]
    fn a_post_costs_more_when_x_finds_a_url_in_it() {
        let p = Prices::default();
        assert_eq!(p.post("no link here"), (CostKind::Create, Usd(15_000)));
        for text in [
            "see https://example.com/x",
            "see example.com",
            "docs at github.com/o/r.",
        ] {
            assert_eq!(p.post(text).0, CostKind::CreateWithUrl, "{text}");
        }
        // Not a domain X links.
        assert_eq!(p.post("version 1.2 and a.b").0, CostKind::Create);
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let o: PriceOverrides =
            serde_saphyr::from_str("date: 2026-09-01\npost_create_with_url: 0.25\n").unwrap();
        let p = Prices::with(Some(&o));
        assert_eq!(p.date.to_string(), "2026-09-01");
        assert_eq!(p.post_create_with_url, Usd(250_000));
        assert_eq!(p.post_create, Prices::default().post_create);
        assert_eq!(Prices::with(None), Prices::default());
    }

    use crate::drift::Refresh;
    use crate::plan::{Action, Change, PLAN_FORMAT_VERSION, Summary, TweetChange};
    use crate::post::{Media, MediaFile, Tweet};

    fn tweet(index: usize, op: TweetOp) -> TweetChange {
        TweetChange {
            index,
            op,
            text: String::new(),
            weighted_length: 0,
            digest: String::new(),
        }
    }

    fn create(index: usize, text: &str) -> TweetChange {
        tweet(
            index,
            TweetOp::Create {
                body: Tweet::new(text),
                old_text: None,
            },
        )
    }

    fn change(key: &str, action: Action, tweets: Vec<TweetChange>) -> Change {
        Change {
            key: key.to_owned(),
            action,
            file: None,
            from: None,
            publish_at: None,
            tweets,
            refused: None,
            not_an_edit: None,
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            lineage: String::new(),
            serial: 0,
            planned_at: jiff::Timestamp::UNIX_EPOCH,
            changes,
            summary: Summary::default(),
            refresh: None,
            cost: None,
            forecast: None,
        }
    }

    fn kinds(cost: &Cost) -> Vec<(CostKind, u64)> {
        cost.items.iter().map(|i| (i.kind, i.usd.0)).collect()
    }

    #[test]
    fn a_create_costs_a_post_and_a_link_marks_why() {
        let cost = Cost::of(
            &plan(vec![change(
                "a",
                Action::Create,
                vec![create(0, "hello"), create(1, "more at example.com/x")],
            )]),
            &Prices::default(),
        );
        assert_eq!(
            kinds(&cost),
            [
                (CostKind::Create, 15_000),
                (CostKind::CreateWithUrl, 200_000)
            ]
        );
        assert_eq!(cost.items[0].why, None);
        assert_eq!(cost.items[1].why.as_deref(), Some("contains a link: $0.20"));
        assert_eq!(cost.items[1].index, Some(1));
        assert_eq!(cost.total_usd.to_string(), "$0.215");
    }

    #[test]
    fn a_delete_and_the_delete_half_of_a_replace_cost_an_interaction_delete() {
        let delete = |i| tweet(i, TweetOp::Delete { id: "1".into() });
        let cost = Cost::of(
            &plan(vec![
                change("gone", Action::Delete, vec![delete(0)]),
                change(
                    "typo",
                    Action::Replace,
                    vec![
                        tweet(0, TweetOp::Keep { id: "2".into() }),
                        delete(1),
                        create(1, "fixed"),
                    ],
                ),
            ]),
            &Prices::default(),
        );
        assert_eq!(
            kinds(&cost),
            [
                (CostKind::Delete, 10_000),
                (CostKind::Delete, 10_000),
                (CostKind::Create, 15_000)
            ]
        );
        assert_eq!(cost.total_usd, Usd(35_000));
    }

    #[test]
    fn a_repost_has_no_price_and_its_undo_is_an_interaction_delete() {
        let cost = Cost::of(
            &plan(vec![
                change(
                    "r",
                    Action::Create,
                    vec![tweet(
                        0,
                        TweetOp::Repost {
                            tweet_id: "9".into(),
                        },
                    )],
                ),
                change(
                    "u",
                    Action::Delete,
                    vec![tweet(
                        0,
                        TweetOp::Unrepost {
                            tweet_id: "8".into(),
                        },
                    )],
                ),
            ]),
            &Prices::default(),
        );
        assert_eq!(
            kinds(&cost),
            [(CostKind::Repost, 0), (CostKind::Unrepost, 10_000)]
        );
        assert!(cost.items[0].why.as_deref().unwrap().contains("no price"));
        assert!(
            cost.items[1]
                .why
                .as_deref()
                .unwrap()
                .contains("interaction delete")
        );
    }

    #[test]
    fn each_file_with_alt_text_costs_at_most_one_metadata_call() {
        let mut body = Tweet::new("pictures");
        let file = |path: &str, alt: Option<&str>| MediaFile {
            path: path.into(),
            alt: alt.map(str::to_owned),
            facts: None,
        };
        body.media = Some(Media {
            files: vec![
                file("a.png", Some("a chart")),
                file("b.png", None),
                file("c.png", Some("a map")),
            ],
            ..Media::default()
        });
        let cost = Cost::of(
            &plan(vec![change(
                "m",
                Action::Create,
                vec![tweet(
                    0,
                    TweetOp::Create {
                        body,
                        old_text: None,
                    },
                )],
            )]),
            &Prices::default(),
        );
        assert_eq!(
            kinds(&cost),
            [
                (CostKind::Create, 15_000),
                (CostKind::AltText, 5_000),
                (CostKind::AltText, 5_000)
            ]
        );
        assert!(cost.items[1].why.as_deref().unwrap().contains("at most"));
        assert!(cost.items[2].why.as_deref().unwrap().contains("c.png"));
    }

    #[test]
    fn refresh_reads_cost_the_owned_read_price_each() {
        let mut p = plan(Vec::new());
        p.refresh = Some(Refresh {
            read: 12,
            ..Refresh::default()
        });
        let cost = Cost::of(&p, &Prices::default());
        assert_eq!(kinds(&cost), [(CostKind::Read, 12_000)]);
        assert_eq!(cost.items[0].key, None);
        assert!(
            cost.line().contains("reads at most $0.012"),
            "{}",
            cost.line()
        );
    }

    #[test]
    fn waiting_and_refused_posts_cost_nothing_now() {
        let mut refused = change("r", Action::Create, vec![create(0, "x")]);
        refused.refused = Some(crate::plan::Refused {
            index: 0,
            status: 403,
            detail: "no".into(),
        });
        let cost = Cost::of(
            &plan(vec![
                change("w", Action::Wait, vec![create(0, "later")]),
                refused,
            ]),
            &Prices::default(),
        );
        assert!(cost.items.is_empty());
        assert_eq!(cost.total_usd, Usd(0));
    }

    #[test]
    fn overridden_prices_price_the_plan() {
        let o: PriceOverrides = serde_saphyr::from_str(
            "date: 2026-09-01\npost_create: 0.02\npost_create_with_url: '0.25'\n",
        )
        .unwrap();
        let prices = Prices::with(Some(&o));
        let cost = Cost::of(
            &plan(vec![change(
                "a",
                Action::Create,
                vec![create(0, "plain"), create(1, "https://example.com")],
            )]),
            &prices,
        );
        assert_eq!(cost.total_usd.to_string(), "$0.27");
        assert_eq!(cost.prices_date.to_string(), "2026-09-01");
        assert!(
            cost.line()
                .starts_with("Cost: $0.27 at X's pay-per-use prices of 2026-09-01")
        );
    }

    #[test]
    fn the_cost_round_trips_through_json_with_amounts_as_strings() {
        let cost = Cost::of(
            &plan(vec![change("a", Action::Create, vec![create(0, "a.com")])]),
            &Prices::default(),
        );
        let json = serde_json::to_value(&cost).unwrap();
        assert_eq!(json["total_usd"], "0.20");
        assert_eq!(json["prices_date"], "2026-04-20");
        assert_eq!(json["items"][0]["kind"], "create_with_url");
        assert_eq!(json["items"][0]["key"], "a");
        assert_eq!(json["items"][0]["index"], 0);
        assert_eq!(json["items"][0]["usd"], "0.20");
        let back: Cost = serde_json::from_value(json).unwrap();
        assert_eq!(back, cost);
    }

    #[test]
    fn a_bad_price_in_the_config_is_an_error_at_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let load = |text: &str| {
            std::fs::write(dir.path().join("tweetform.yaml"), text).unwrap();
            crate::config::Config::load(dir.path())
        };
        for (text, line, says) in [
            (
                "prices:\n  date: 2026-09-01\n  post_create: -0.5\n",
                3,
                "not an amount",
            ),
            (
                "prices:\n  date: 2026-09-01\n  post_create: 0.0000001\n",
                3,
                "at most 6 decimals",
            ),
            (
                "prices:\n  date: 2026-09-01\n  per_post: 0.1\n",
                3,
                "per_post",
            ),
            ("prices:\n  post_create: 0.1\n", 2, "date"),
        ] {
            let e = load(text).unwrap_err();
            let crate::config::ConfigError::Parse {
                line: l, message, ..
            } = &e
            else {
                panic!("{e}");
            };
            assert_eq!(*l, line, "{text}: {e}");
            assert!(message.contains(says), "{text}: {message}");
            assert!(e.to_string().starts_with("tweetform.yaml:"), "{e}");
        }
        let config = load("prices:\n  date: 2026-09-01\n  owned_read: 0.002\n").unwrap();
        assert_eq!(config.prices().owned_read, Usd(2_000));
    }
}
