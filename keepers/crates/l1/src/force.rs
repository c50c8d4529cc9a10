//! Overdue force-queue entries: whether L1 would take a forced record now, and up to where. The
//! node (when it acts and has nothing of its own to post) and the watcher (against censorship)
//! both append the forced record this reads.

use alloy::{primitives::U256, providers::Provider};
use baton_bindings::{Deployment, IBatchInbox};

/// Force-queue entries past their deadline that no record consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overdue {
    /// The queue's cursor: the first entry not consumed.
    pub cursor: U256,
    /// The cursor a forced record must reach (`requiredCursor`): one past the last overdue entry.
    pub required: U256,
}

impl Overdue {
    /// The `BatchInbox` call that appends the forced record consuming them.
    pub fn forced_record_call(&self) -> IBatchInbox::submitForcedRecordCall {
        IBatchInbox::submitForcedRecordCall {
            upTo: self.required,
        }
    }
}

/// Reads the queue at L1's latest state: the overdue entries, if any.
pub async fn overdue_entries<P: Provider>(
    deployment: &Deployment,
    provider: P,
) -> Result<Option<Overdue>, alloy::contract::Error> {
    let queue = deployment.force_inclusion_queue(provider);
    let cursor = queue.cursor().call().await?;
    let required = queue.requiredCursor().call().await?;
    Ok((required > cursor).then_some(Overdue { cursor, required }))
}
