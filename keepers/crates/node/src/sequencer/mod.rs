//! Sealing, signing and posting when this node acts; following when it does not. Three loops,
//! one module each: [`seal`], [`post`], [`sync`] (block sync from the acting node).
//!
//! - **Sealing** (every `block_time`): when the mempool has transactions, or the epoch still
//!   needs its first record, the node executes a block on the pending chain, writes
//!   `(height, header hash)` to the slashing-protection table, and only then signs the header.
//!   The first block of every record also consumes every force-queue entry read from L1 so far.
//! - **Posting**: the open record is cut when it holds `max_record_bytes` or the inbox's
//!   `maxRecordTxs`, is `max_record_age`
//!   old, or the epoch is about to end; cut records are posted in order through the tx manager.
//!   A record the inbox would reject (another poster got there first, an entry went overdue, the
//!   epoch ended) drops the pending blocks: L1 is the truth, and their transactions return to
//!   the mempool.
//! - **Following**: a node that does not act polls the acting node's signed blocks, checks each
//!   signature against the schedule and replays the block; a block that re-executes to another
//!   header is refused.

pub mod post;
pub mod seal;
pub mod sync;

pub use post::run_poster;
pub use seal::run_sealer;
pub use sync::run_follower;

use crate::{
    chain::NodeChain,
    duty::Duty,
    force::{self, ForceGate},
    shared::Shared,
};

/// Most transactions in one L2 block.
pub const MAX_BLOCK_TXS: usize = 2_000;
/// Most cut records waiting to be posted before the sealer pauses.
pub const MAX_QUEUED_RECORDS: usize = 4;
/// Most pooled transactions handed to a new acting node at once.
pub const MAX_HANDOFF: usize = 2_000;

/// L1 blocks within which a record sealed now is taken to land: sealing stops this close to a
/// force-queue deadline (force.rs). The cut records queued ahead of it, one per block, and the
/// epoch margin.
pub(crate) fn force_margin<C>(shared: &Shared<C>) -> u64 {
    MAX_QUEUED_RECORDS as u64 + shared.config.epoch_margin
}

pub(crate) fn force_gate<C: NodeChain>(shared: &Shared<C>, view: &C, duty: &Duty) -> ForceGate {
    force::gate(
        view.first_unconsumed(),
        view.pending_force_cursor(),
        duty.l1_block,
        force_margin(shared),
    )
}

/// A ticker at the block time that skips ticks it could not serve instead of bursting.
pub(crate) fn block_ticker<C>(shared: &Shared<C>) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(shared.config.block_time);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick
}
