//! What the node's loops need from the L2 chain they run, whatever executes it.
//!
//! Sealing, posting, following, the L1 loop and the restart work on signed blocks, records and
//! queue entries; what a block *does* is the chain's business. [`NodeChain`] is that boundary.
//! The ledger's [`View`](crate::view::View) and the EVM chain's
//! [`EvmChain`](crate::evm::EvmChain) implement it; the node picks one from the deployment
//! record (docs/evm.md, "An EVM deployment").
//!
//! The force-queue entries read from L1 are the node's ([`QueueEntries`]): a chain is handed the
//! ones a block or a record consumes.

use crate::store::SignedBlock;
use alloy::primitives::{Address, B256, Bytes};
use baton_core::{
    BlockHeader,
    batch::{BLOCK_HEADER_LEN, PREFIX_LEN, encoded_tx_len},
    derive::QueueEntry,
};
use baton_l1::{
    L1Store,
    store::{StoredEntry, StoredRecord},
};
use baton_rpc::Preconfirmation;
use std::collections::BTreeMap;

/// The force-queue entries read from L1, by index.
#[derive(Clone, Debug, Default)]
pub struct QueueEntries(BTreeMap<u64, StoredEntry>);

/// A block or record consumes a queue entry this node has not read from L1 yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("queue entry {0} has not been read from L1 yet")]
pub struct MissingEntry(pub u64);

impl QueueEntries {
    /// Remembers an entry read from L1.
    pub fn add(&mut self, entry: StoredEntry) {
        self.0.insert(entry.index, entry);
    }

    /// Forgets every entry (after an L1 reorg, before the stored ones are read again).
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The entry at `cursor` as `(index, deadline)`.
    pub fn deadline_at(&self, cursor: u64) -> Option<(u64, u64)> {
        let e = self.0.get(&cursor)?;
        Some((e.index, e.deadline))
    }

    /// Known entries from `from` on, in order, at most `limit`.
    pub fn starting_at(&self, from: u64, limit: usize) -> Vec<QueueEntry> {
        self.0
            .range(from..)
            .take(limit)
            .map(|(_, e)| e.queue_entry())
            .collect()
    }

    /// The entries at `indices`, every one of which must be known.
    pub fn take(
        &self,
        indices: impl IntoIterator<Item = u64>,
    ) -> Result<Vec<QueueEntry>, MissingEntry> {
        indices
            .into_iter()
            .map(|i| {
                self.0
                    .get(&i)
                    .map(StoredEntry::queue_entry)
                    .ok_or(MissingEntry(i))
            })
            .collect()
    }
}

/// What the sealer asks of the chain for one block.
#[derive(Clone, Debug)]
pub struct SealRequest {
    /// The epoch it is sealed in.
    pub epoch: u64,
    /// Its timestamp (at least the head's).
    pub timestamp: u64,
    /// Who earns its fees.
    pub fee_recipient: Address,
    /// The queue entries it consumes first (the first block of a record only).
    pub entries: Vec<QueueEntry>,
    /// Most pooled transactions it may take.
    pub max_txs: usize,
    /// Most batch-data bytes its transactions may take.
    pub max_bytes: usize,
    /// Seal it even with nothing in it (the epoch still needs its first record).
    pub even_empty: bool,
}

/// The chain under the node's loops (see the module documentation).
///
/// "Pending" is the chain with the preconfirmed blocks (`latest`); "safe" is what the
/// BatchInbox records read from L1 derive. Sealed and followed blocks are kept as the
/// [`SignedBlock`]s they were sealed from, to re-offer them to followers and post them.
pub trait NodeChain: Send + 'static {
    /// The pending head's signed header.
    fn head(&self) -> BlockHeader;
    /// The number of the last block derived from L1.
    fn safe_head(&self) -> u64;
    /// How many records have been derived.
    fn derived_records(&self) -> u64;
    /// The queue cursor after the derived chain.
    fn force_cursor(&self) -> u64;
    /// The queue cursor after the pending chain.
    fn pending_force_cursor(&self) -> u64;
    /// The queue entries read from L1.
    fn queue(&self) -> &QueueEntries;
    /// The queue entries read from L1, to add to.
    fn queue_mut(&mut self) -> &mut QueueEntries;
    /// Derives a record read from L1, reconciling the preconfirmed blocks with it (those it
    /// contradicts are dropped and their transactions pooled again).
    fn apply_record(&mut self, record: &StoredRecord) -> eyre::Result<()>;
    /// Brings the derived chain to exactly the entries and records `l1` holds (at start-up,
    /// and after an L1 reorg removed some), dropping every preconfirmed block.
    fn resync(&mut self, l1: &L1Store) -> eyre::Result<()>;
    /// Takes a restarted node's preconfirmed block back, with its signature; `false` if it no
    /// longer follows the pending head (the caller then drops what is pending).
    fn restore(&mut self, block: SignedBlock) -> bool;
    /// Builds the next block from the pool, or nothing when there is nothing to seal. The
    /// block is returned unsigned, with its header.
    fn seal(&mut self, request: SealRequest) -> eyre::Result<Option<SignedBlock>>;
    /// Attaches the leader's signature to a sealed block.
    fn set_signature(&mut self, number: u64, signature: Bytes);
    /// Replays a leader's signed block on the pending head; refused if its contents do not
    /// give its signed header there.
    fn follow(&mut self, block: SignedBlock) -> eyre::Result<()>;
    /// Drops every preconfirmed block and pools their transactions again. Returns how many.
    fn drop_pending(&mut self) -> usize;
    /// The block `number` as sealed or followed here, if this node holds it.
    fn sealed(&self, number: u64) -> Option<&SignedBlock>;
    /// Transactions waiting in the pool.
    fn pool_len(&self) -> usize;
    /// At most `limit` pooled transactions, raw (handed to a new leader).
    fn pooled_raw(&self, limit: usize) -> Vec<Bytes>;
    /// The preconfirmation of transaction `tx_hash`: its block's signed header and the Merkle
    /// proof of the transaction under the header's `txRoot`.
    fn preconfirmation(&self, tx_hash: B256) -> Option<Preconfirmation>;

    /// The queue entry at the derived cursor as `(index, deadline)` (see
    /// [`QueueEntries::deadline_at`]).
    fn first_unconsumed(&self) -> Option<(u64, u64)> {
        self.queue().deadline_at(self.force_cursor())
    }

    /// Preconfirmed blocks not yet derived from L1, in order.
    fn unposted(&self) -> Vec<&SignedBlock> {
        (self.safe_head() + 1..=self.head().number)
            .filter_map(|n| self.sealed(n))
            .collect()
    }

    /// The sealed, unposted blocks from `first` to the head: what a record cut now would carry.
    fn record_blocks(&self, first: u64) -> Vec<&SignedBlock> {
        (first.max(self.safe_head() + 1)..=self.head().number)
            .filter_map(|n| self.sealed(n))
            .collect()
    }

    /// The size of the batch data of a record holding the unposted blocks from `first` to the
    /// head (what the inbox's calldata will carry).
    fn record_bytes(&self, first: u64) -> usize {
        PREFIX_LEN
            + self
                .record_blocks(first)
                .iter()
                .map(|s| {
                    BLOCK_HEADER_LEN
                        + s.transactions
                            .iter()
                            .map(|t| encoded_tx_len(t.len()))
                            .sum::<usize>()
                })
                .sum::<usize>()
    }

    /// The number of transactions (the header's `txCount`) of a record holding the unposted
    /// blocks from `first` to the head; force-queue entries are not batch data and not counted.
    fn record_txs(&self, first: u64) -> usize {
        self.record_blocks(first)
            .iter()
            .map(|s| s.transactions.len())
            .sum()
    }

    /// Signed blocks with numbers above `after`, at most `limit` (what followers fetch).
    fn signed_blocks_after(&self, after: u64, limit: usize) -> Vec<SignedBlock> {
        (after + 1..=self.head().number)
            .filter_map(|n| self.sealed(n))
            .filter(|s| !s.signature.is_empty())
            .take(limit)
            .cloned()
            .collect()
    }
}
