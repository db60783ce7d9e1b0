//! `--refresh`: reading every published tweet back from X, 100 per
//! request, under the budget's reads, so that [`crate::drift`] can tell
//! what changed on X outside tweetform.

use super::Executor;
use super::halt::{Doing, Halt};
use crate::api::{RemoteTweet, XApi};
use crate::budget::Endpoint;
use crate::drift::{self, Refresh};
use crate::operations::LOOKUP_BATCH;
use crate::problem::Problem;
use crate::state::State;

impl<A: XApi> Executor<A> {
    /// Reads back every tweet `state` records (and the newest version of
    /// each edited one), and brings `state` in line with what X said, in
    /// memory ([`drift::refresh`]). Returns what was read and found.
    pub async fn refresh(
        &mut self,
        state: &mut State,
        recreate_deleted: bool,
    ) -> Result<Refresh, Problem> {
        self.seed(state);
        let ids = drift::published_ids(state);
        let mut found = self.read_back(&ids).await?;
        let newest = drift::newest_versions_to_read(&found);
        found.extend(self.read_back(&newest).await?);
        let drift = drift::detect(state, &found);
        drift::refresh(state, &drift, recreate_deleted);
        Ok(Refresh {
            read: ids.len() + newest.len(),
            drift,
            recreate_deleted,
        })
    }

    /// `GET /2/tweets?ids=`, one request per 100 IDs, each retried and
    /// budgeted like the other reads.
    async fn read_back(&mut self, ids: &[String]) -> Result<Vec<RemoteTweet>, Problem> {
        let mut found = Vec::new();
        for batch in ids.chunks(LOOKUP_BATCH) {
            let (mut attempt, mut limited) = (0, 0);
            loop {
                let step = async {
                    self.check_interrupt()?;
                    self.spend(Endpoint::Lookup).await?;
                    attempt += 1;
                    let answer = self.api.lookup(batch).await;
                    self.read_answer(
                        Endpoint::Lookup,
                        Doing::ReadingBack,
                        answer,
                        attempt,
                        &mut limited,
                    )
                    .await
                };
                match step.await {
                    Ok(Some(tweets)) => {
                        // X charges each tweet asked for by ID.
                        self.pay_reads(batch.len(), self.clock.now());
                        found.extend(tweets);
                        break;
                    }
                    Ok(None) => {}
                    Err(halt) => return Err(problem(halt)),
                }
            }
        }
        Ok(found)
    }
}

/// Why the reads stopped, for the command line.
fn problem(halt: Halt) -> Problem {
    match halt {
        Halt::Failed(failure) => Problem::from(&failure),
        Halt::Fatal(fatal) => Problem::from(&fatal),
        Halt::Deferred(at, why) => Problem::new(format!(
            "cannot read the published tweets back before {at}: {why}"
        ))
        .with_help("run it again once the read budget allows it"),
    }
}
