//! The budget's spend window on the virtual clock: what would exceed it is
//! deferred until the oldest payments leave it, the payments carry over in
//! the state, and the report says what the run spent.

use super::*;
use crate::cost::{CostKind, Usd};
use crate::spend::SpendWindow;

/// At most `limit` micro-dollars per hour.
fn spending(limit: u64, wait: Duration) -> ApplyOptions {
    ApplyOptions {
        wait,
        spend: Some(SpendWindow {
            limit: Usd(limit),
            length: SignedDuration::from_hours(1),
        }),
        ..ApplyOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_tight_spend_window_defers_then_the_window_passes() {
    let run = Run::new();
    let mut state = empty_state();
    // $0.05 an hour: three posts at $0.015, not a fourth.
    let mut ex = run.executor(default_budget(), spending(50_000, Duration::ZERO));
    let report = ex.execute(&singles(5), &mut state).await;
    assert_eq!(report.done().count(), 3, "{}", report.render_summary(false));
    let deferred: Vec<_> = report.deferred().collect();
    assert_eq!(deferred.len(), 2);
    let earliest = deferred[0].1;
    assert_eq!(earliest, t0() + SignedDuration::from_hours(1));
    let summary = report.render_summary(false);
    assert!(
        summary.contains("the spend budget of $0.05 per 1h has no room for $0.015 more"),
        "{summary}"
    );
    assert_eq!(creates_sent(&run.fake), 3);
    assert_eq!(state.spend.len(), 3, "the payments are in the state");
    assert_eq!(run.saved().spend, state.spend);

    // An hour later a fresh run, seeded from the state, sends the rest.
    run.clock.sleep(Duration::from_secs(3600)).await;
    let mut ex = run.executor(default_budget(), spending(50_000, Duration::ZERO));
    let rest = plan_of(
        (3..5)
            .map(|i| create_change(&format!("p{i:04}"), &[&format!("post number {i}")]))
            .collect(),
    );
    let report = ex.execute(&rest, &mut state).await;
    assert_eq!(report.done().count(), 2, "{}", report.render_summary(false));
    assert_exactly_once(&run.fake, &state, 5);
    // The payments of the first run left the window and the state.
    assert_eq!(state.spend.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn within_wait_the_run_waits_for_the_window_instead() {
    let run = Run::new();
    let mut state = empty_state();
    let mut ex = run.executor(
        default_budget(),
        spending(30_000, Duration::from_secs(2 * 3600)),
    );
    let report = ex.execute(&singles(3), &mut state).await;
    assert_eq!(report.done().count(), 3, "{}", report.render_summary(false));
    let live = live(&run.fake);
    assert!(live[1].created_at < t0() + SignedDuration::from_mins(1));
    assert!(live[2].created_at >= t0() + SignedDuration::from_hours(1));
}

#[tokio::test(start_paused = true)]
async fn a_post_dearer_than_the_whole_window_is_deferred_and_says_why() {
    let run = Run::new();
    let mut state = empty_state();
    // $0.10 an hour: a post with a link ($0.20) never fits; the plain one does.
    let mut ex = run.executor(default_budget(), spending(100_000, Duration::ZERO));
    let plan = plan_of(vec![
        create_change("a-link", &["read https://example.com/notes"]),
        create_change("b-plain", &["no link"]),
    ]);
    let report = ex.execute(&plan, &mut state).await;
    let deferred: Vec<_> = report.deferred().collect();
    assert_eq!(deferred.len(), 1);
    assert_eq!(deferred[0].0.key, "a-link");
    assert!(
        report
            .render_summary(false)
            .contains("it costs $0.20, more than the spend budget of $0.10 per 1h allows"),
        "{}",
        report.render_summary(false)
    );
    assert_eq!(report.done().count(), 1);
    assert_eq!(creates_sent(&run.fake), 1);
}

#[tokio::test(start_paused = true)]
async fn the_report_says_what_the_run_spent() {
    let run = Run::new();
    let mut state = empty_state();
    let mut ex = run.executor(default_budget(), ApplyOptions::default());
    let plan = plan_of(vec![create_change(
        "launch",
        &["we shipped", "notes at example.com/notes"],
    )]);
    let report = ex.execute(&plan, &mut state).await;
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.spent.total_usd, Usd(215_000));
    let kinds: Vec<(CostKind, usize)> = report
        .spent
        .tally
        .kinds
        .iter()
        .map(|k| (k.kind, k.count))
        .collect();
    assert_eq!(kinds, [(CostKind::Create, 1), (CostKind::CreateWithUrl, 1)]);
    let summary = report.render_summary(false);
    assert!(
        summary.contains(
            "Spent: about $0.215 at X's pay-per-use prices of 2026-04-20 (1 post $0.015, 1 post with a link $0.20)."
        ),
        "{summary}"
    );
    // Without a spend window, nothing is kept in the state.
    assert!(state.spend.is_empty());
    // The job summary and the commit read the same line.
    let log = crate::report::ApplyLog::from_report(&report);
    assert_eq!(log.spent, report.spent.line());
}
