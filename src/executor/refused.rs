//! Refused for good: X's refusal of a post's content (a 400 or 403 that no
//! retry changes) is recorded in the state against the post's content
//! digest, so that later runs do not send the same content again, and the
//! plan can say why. Editing the post changes the digest, which clears the
//! record. Not refusals for good: 401 (the credentials), 429 (the rate),
//! 5xx (X's trouble) and the duplicate-content 403 that settling explains.

use super::Executor;
use super::halt::{Failure, Fatal, Halt};
use crate::api::{ApiError, XApi};
use crate::plan::{Change, Plan};
use crate::render::refused_note;
use crate::report::NotSent;
use crate::state::{RefusedPost, State};

/// X's status and `detail`, when a step stopped on a refusal for good.
pub(super) fn refused_for_good(halt: &Halt) -> Option<(u16, &str)> {
    let Halt::Failed(failure) = halt else {
        return None;
    };
    let failure = match failure {
        Failure::During { cause, .. } => cause.as_ref(),
        other => other,
    };
    match failure {
        Failure::Refused(ApiError::Client { status, detail, .. }) => Some((*status, detail)),
        _ => None,
    }
}

/// The plan's posts X refused before, for the report: not sent this run.
pub(super) fn not_sent(plan: &Plan) -> Vec<NotSent> {
    plan.changes
        .iter()
        .filter_map(|c| {
            refused_note(c).map(|note| NotSent {
                key: c.key.clone(),
                reason: note,
            })
        })
        .collect()
}

impl<A: XApi> Executor<A> {
    /// Drops the records of posts whose content changed (or that are gone):
    /// only a change the plan still marks as refused keeps its record. Saved
    /// with the run's next write; alone, it is not worth one (the planner
    /// compares digests, so a stale record says nothing).
    pub(super) fn forget_stale_refusals(&self, plan: &Plan, state: &mut State) {
        state.refused.retain(|key, record| {
            plan.changes.iter().any(|c| {
                &c.key == key && c.refused.is_some() && c.content_digest() == record.digest
            })
        });
    }

    /// Records X's refusal of tweet `index` of `change`, if `halt` is one;
    /// saves only when the record is new.
    pub(super) fn record_refusal(
        &mut self,
        state: &mut State,
        change: &Change,
        index: usize,
        halt: &Halt,
    ) -> Result<(), Fatal> {
        let Some((status, detail)) = refused_for_good(halt) else {
            return Ok(());
        };
        let record = RefusedPost {
            digest: change.content_digest(),
            index,
            status,
            detail: detail.to_owned(),
            at: self.clock.now(),
        };
        let known = state.refused.get(&change.key).is_some_and(|r| {
            (&r.digest, r.index, r.status, &r.detail)
                == (&record.digest, record.index, record.status, &record.detail)
        });
        if known {
            return Ok(());
        }
        state.refused.insert(change.key.clone(), record);
        self.save(state).map_err(Fatal::StateWrite)
    }
}
