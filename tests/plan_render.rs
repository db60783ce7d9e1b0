//! Snapshots of the three plan renderings over a plan that holds every
//! action, built by hand so that each case is exactly what it claims.

use std::path::PathBuf;

use jiff::Timestamp;
use tweetform::cost::{Cost, Prices};
use tweetform::plan::{Action, Change, PLAN_FORMAT_VERSION, Plan, Summary, TweetChange, TweetOp};
use tweetform::post::Tweet;
use tweetform::validate::weighted_length;
use tweetform::{markdown, plan_json, terminal};

fn create(index: usize, text: &str, old_text: Option<&str>) -> TweetChange {
    TweetChange {
        weighted_length: weighted_length(text),
        ..create_unmeasured(index, text, old_text)
    }
}

/// A create whose length is the character count: for generated texts, as
/// twitter-text 0.3.1 panics on some (an `@` after one ASCII character
/// after a multi-byte one, such as `éa@`), which rendering does not need.
fn create_unmeasured(index: usize, text: &str, old_text: Option<&str>) -> TweetChange {
    let body = Tweet::new(text);
    TweetChange {
        index,
        text: text.to_string(),
        weighted_length: text.chars().count(),
        digest: body.digest(),
        op: TweetOp::Create {
            body,
            old_text: old_text.map(str::to_string),
        },
    }
}

/// A published tweet kept (`delete` false) or deleted.
fn published(index: usize, delete: bool, id: &str, text: &str) -> TweetChange {
    let id = id.to_string();
    TweetChange {
        index,
        op: if delete {
            TweetOp::Delete { id }
        } else {
            TweetOp::Keep { id }
        },
        text: text.to_string(),
        weighted_length: weighted_length(text),
        digest: Tweet::new(text).digest(),
    }
}

fn change(key: &str, action: Action, tweets: Vec<TweetChange>) -> Change {
    Change {
        key: key.to_string(),
        action,
        file: (action != Action::Delete).then(|| PathBuf::from(format!("posts/{key}.yaml"))),
        from: None,
        publish_at: None,
        tweets,
        refused: None,
        not_an_edit: None,
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// One post per action, with the awkward cases each renderer must handle:
/// multi-line text, Markdown and HTML in tweets, a mention, a thread
/// replaced from its second tweet, a post due in the past.
fn every_action() -> Plan {
    let mut launch = change(
        "2026/launch",
        Action::Create,
        vec![
            create(
                0,
                "tweetform 0.1 is out: tweets as code 🎉\n\nPlan in pull requests, publish on merge.",
                None,
            ),
            create(
                1,
                "Thanks @octocat for *all* the <b>reviews</b> — see #12 https://example.com/changelog_v0_1",
                None,
            ),
        ],
    );
    launch.publish_at = Some(ts("2026-11-20T09:00:00Z"));

    let append = change(
        "2026/thread",
        Action::Append,
        vec![
            published(0, false, "1850000000000000001", "A thread about YAML."),
            create(1, "Part two: anchors and aliases.", None),
        ],
    );

    let replace = change(
        "2026/typo",
        Action::Replace,
        vec![
            published(0, false, "1850000000000000002", "First tweet stays."),
            published(
                1,
                true,
                "1850000000000000003",
                "We shipped teh fix\nfor threads.",
            ),
            create(
                1,
                "We shipped the fix\nfor threads.",
                Some("We shipped teh fix\nfor threads."),
            ),
            published(2, true, "1850000000000000004", "Last words."),
            create(2, "Last words.", Some("Last words.")),
        ],
    );

    let delete = change(
        "2025/old",
        Action::Delete,
        vec![published(
            0,
            true,
            "1850000000000000005",
            "An old announcement.",
        )],
    );

    let mut moved = change(
        "2026/renamed",
        Action::Move,
        vec![published(
            0,
            false,
            "1850000000000000006",
            "Same words, new file.",
        )],
    );
    moved.from = Some("drafts/renamed".to_string());

    let mut wait = change(
        "2026/later",
        Action::Wait,
        vec![create(0, "Scheduled for next week.", None)],
    );
    wait.publish_at = Some(ts("2026-12-01T09:30:00Z"));

    let mut changes = vec![launch, append, replace, delete, moved, wait];
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        lineage: "4f1c2a9e-0000-4000-8000-000000000001".to_string(),
        serial: 7,
        planned_at: ts("2026-11-23T12:00:00Z"),
        changes,
        summary: Summary {
            create: 1,
            append: 1,
            edit: 0,
            replace: 1,
            delete: 1,
            moved: 1,
            wait: 1,
            unchanged: 4,
            refused: 0,
        },
        refresh: None,
        cost: None,
        forecast: None,
    };
    // Costed as `plan` costs it: at the default prices.
    plan.cost = Some(Cost::of(&plan, &Prices::default()));
    plan
}

fn no_changes() -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        lineage: "4f1c2a9e-0000-4000-8000-000000000001".to_string(),
        serial: 8,
        planned_at: ts("2026-11-23T12:00:00Z"),
        changes: Vec::new(),
        summary: Summary {
            unchanged: 5,
            ..Summary::default()
        },
        refresh: None,
        cost: None,
        forecast: None,
    }
}

#[test]
fn human_plain() {
    insta::assert_snapshot!(terminal::human(&every_action(), false));
}

#[test]
fn human_color() {
    insta::assert_snapshot!(terminal::human(&every_action(), true));
}

#[test]
fn human_no_changes() {
    assert_eq!(
        terminal::human(&no_changes(), false),
        "No changes. 5 posts up to date.\n"
    );
}

#[test]
fn markdown_no_changes() {
    let md = markdown::markdown(&no_changes());
    assert!(md.starts_with("<!-- tweetform-plan -->\n"));
    assert!(md.contains("**No changes. 5 posts up to date.**"));
    assert!(!md.contains("Destructive"));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(markdown::markdown(&every_action()));
}

#[test]
fn json() {
    insta::assert_snapshot!(plan_json::json(&every_action()));
}

#[test]
fn no_trailing_whitespace_in_any_rendering() {
    let plan = every_action();
    for (name, text) in [
        ("human", terminal::human(&plan, false)),
        ("human colour", terminal::human(&plan, true)),
        ("markdown", markdown::markdown(&plan)),
    ] {
        for (i, line) in text.lines().enumerate() {
            assert_eq!(
                line,
                line.trim_end(),
                "{name} line {} has trailing whitespace",
                i + 1
            );
        }
    }
}

#[test]
fn json_round_trips_to_the_same_plan() {
    let plan = every_action();
    let back: Plan = serde_json::from_str(&plan_json::json(&plan)).expect("plan JSON parses");
    assert_eq!(back, plan);
}

#[test]
fn json_has_the_documented_shape() {
    let v: serde_json::Value = serde_json::from_str(&plan_json::json(&every_action())).unwrap();
    assert_eq!(v["format_version"], 1);
    for key in [
        "create",
        "append",
        "replace",
        "delete",
        "move",
        "wait",
        "unchanged",
    ] {
        assert!(v["summary"][key].is_u64(), "summary.{key}");
    }
    for c in v["changes"].as_array().unwrap() {
        assert!(c["key"].is_string() && c["action"].is_string());
        assert!(c["destructive"].is_boolean() && c["tweets"].is_array());
    }
}

#[test]
fn markdown_starts_with_the_sticky_marker_and_flags_destruction() {
    let md = markdown::markdown(&every_action());
    assert!(md.starts_with("<!-- tweetform-plan -->\n"));
    assert!(md.contains("⚠️ Destructive changes"));
    assert!(md.contains(
        "[https://x.com/i/status/1850000000000000005](https://x.com/i/status/1850000000000000005)"
    ));
    assert!(
        !md.contains("@octocat"),
        "mentions must not ping GitHub users"
    );
}

#[test]
fn markdown_folds_long_groups_and_stays_under_githubs_limit() {
    let mut plan = every_action();
    let long = "x".repeat(270);
    plan.changes = (0..400)
        .map(|i| {
            change(
                &format!("bulk/{i:03}"),
                Action::Create,
                vec![create(0, &long, None)],
            )
        })
        .collect();
    plan.summary = Summary {
        create: 400,
        ..Summary::default()
    };
    let md = markdown::markdown(&plan);
    assert!(md.contains("<details>") && md.contains("</details>"));
    assert!(md.len() < 65_536, "{} bytes", md.len());
    assert!(md.contains("more posts not shown"));
}

const ESC: char = '\u{1b}';
const RLO: char = '\u{202e}';

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever a post's key and text hold (they come from files anyone can
    /// propose), rendering never panics, never leaves trailing whitespace,
    /// never lets a terminal escape through, and Markdown previews stay
    /// inside their quote.
    #[test]
    fn any_text_renders_safely(
        key in "\\PC{0,20}",
        old in "\\PC{0,40}(\n\\PC{0,40}){0,3}",
        new in "(\\PC|[\u{1b}\u{202e}\r\t ]){0,60}(\n\\PC{0,40}){0,3}",
    ) {
        let mut plan = every_action();
        plan.changes[0].key = key;
        plan.changes[0].tweets = vec![
            TweetChange {
                op: TweetOp::Delete { id: "1".to_string() },
                ..create_unmeasured(0, &old, None)
            },
            create_unmeasured(0, &new, Some(&old)),
            create_unmeasured(1, &new, None),
        ];
        for color in [false, true] {
            let text = terminal::human(&plan, color);
            for line in text.lines() {
                proptest::prop_assert_eq!(line, line.trim_end());
            }
            if !color {
                proptest::prop_assert!(!text.contains(ESC), "raw escape");
            }
            proptest::prop_assert!(!text.contains(RLO), "raw bidi override");
        }
        let md = markdown::markdown(&plan);
        proptest::prop_assert!(!md.contains(ESC) && !md.contains(RLO), "raw control");
        for line in md.lines() {
            proptest::prop_assert_eq!(line, line.trim_end());
        }
    }
}

#[test]
fn a_change_of_the_final_line_break_alone_says_so() {
    let mut plan = every_action();
    plan.changes[0].tweets = vec![
        published(0, true, "1", "Same words"),
        create(0, "Same words\n", Some("Same words")),
    ];
    for text in [terminal::human(&plan, false), terminal::human(&plan, true)] {
        assert!(
            text.contains("(only the line break at the end changed)"),
            "{text}"
        );
    }
    assert!(markdown::markdown(&plan).contains("_only the line break at the end changed_"));
}

/// A thread X refused at its third tweet: two published, one it will not
/// be sent again until the post is edited.
fn refused_thread() -> Plan {
    let mut c = change(
        "threads/launch",
        Action::Append,
        vec![
            published(0, false, "1800000000000000001", "one"),
            published(1, false, "1800000000000000002", "two"),
            create(2, "three?", None),
        ],
    );
    c.refused = Some(tweetform::plan::Refused {
        index: 2,
        status: 400,
        detail: "This request looks like it might be automated.".into(),
    });
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        lineage: "0123456789abcdef".into(),
        serial: 3,
        planned_at: ts("2026-03-01T12:00:00Z"),
        changes: vec![c],
        summary: Summary {
            refused: 1,
            unchanged: 2,
            ..Summary::default()
        },
        refresh: None,
        cost: None,
        forecast: None,
    }
}

#[test]
fn refused() {
    let plan = refused_thread();
    assert!(!plan.has_changes(), "nothing in it would be sent");
    let rendered = format!(
        "{}\n---\n{}\n---\n{}",
        terminal::human(&plan, false),
        markdown::markdown(&plan),
        plan_json::json(&plan)
    );
    insta::assert_snapshot!(rendered);
    let back: Plan = serde_json::from_str(&plan_json::json(&plan)).unwrap();
    assert_eq!(back, plan);
}

/// A create with two pictures, one described, and a refresh that read 4
/// tweets: alt text and reads are costed "at most", in every format.
fn alt_text_and_refresh() -> Plan {
    let mut body = Tweet::new("Two charts");
    let file = |path: &str, alt: Option<&str>| {
        let mut f = tweetform::post::MediaFile::default();
        f.path = path.into();
        f.alt = alt.map(str::to_owned);
        f
    };
    body.media = Some(tweetform::post::Media {
        files: vec![
            file("media/a.png", Some("Sales by month")),
            file("media/b.png", None),
        ],
        ..Default::default()
    });
    let tweet = TweetChange {
        index: 0,
        text: body.text.clone(),
        weighted_length: weighted_length(&body.text),
        digest: body.digest(),
        op: TweetOp::Create {
            body,
            old_text: None,
        },
    };
    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        lineage: "4f1c2a9e-0000-4000-8000-000000000001".to_string(),
        serial: 9,
        planned_at: ts("2026-11-23T12:00:00Z"),
        changes: vec![change("2026/charts", Action::Create, vec![tweet])],
        summary: Summary {
            create: 1,
            ..Summary::default()
        },
        refresh: Some(tweetform::drift::Refresh {
            read: 4,
            ..Default::default()
        }),
        cost: None,
        forecast: None,
    };
    plan.cost = Some(Cost::of(&plan, &Prices::default()));
    plan
}

#[test]
fn alt_text_and_reads_are_costed_at_most_in_every_format() {
    let plan = alt_text_and_refresh();
    let line = "Cost: $0.024 at X's pay-per-use prices of 2026-04-20 (1 post $0.015, 1 alt text at most $0.005, reads at most $0.004).";
    let mark =
        "alt text of media/a.png: at most $0.005 (none when an earlier upload of it is reused)";
    let human = terminal::human(&plan, false);
    assert!(human.contains(line), "{human}");
    assert!(human.contains(&format!("          $ {mark}\n")), "{human}");
    assert!(
        !human.contains("media/b.png: at most"),
        "no alt text, no call"
    );
    let md = markdown::markdown(&plan);
    assert!(md.contains(&format!("💲 {line}")), "{md}");
    assert!(md.contains(&format!("  💲 _{mark}_")), "{md}");
    assert!(
        !md.contains("| Post | Tweet |"),
        "the table lists only links: {md}"
    );
    let json: serde_json::Value = serde_json::from_str(&plan_json::json(&plan)).unwrap();
    let kinds: Vec<&str> = json["cost"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["create", "alt_text", "read"]);
    assert_eq!(json["cost"]["items"][2].get("key"), None);
    assert_eq!(json["cost"]["total_usd"], "0.024");
    let back: Plan = serde_json::from_str(&plan_json::json(&plan)).unwrap();
    assert_eq!(back, plan);
}
