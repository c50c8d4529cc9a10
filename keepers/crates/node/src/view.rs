//! The node's view of L2: the chain derived from L1 (the truth), the preconfirmed blocks on top of
//! it, the transaction index the RPC answers from, and the mempool.
//!
//! Two ledgers are kept. `canonical` has applied exactly the BatchInbox records read from L1.
//! `pending` is `canonical` plus the preconfirmed blocks that L1 does not hold yet: what the RPC
//! calls `latest`. When a record arrives, its blocks are derived on `canonical`; where they equal
//! the preconfirmed blocks at the same numbers those simply become final, and where they differ
//! (or a preconfirmed block never reached L1 and a later record took its number) the pending
//! blocks are dropped, `pending` restarts from `canonical`, and their transactions go back to the
//! mempool. Sealing and derivation run the same `Chain::apply_block`, so an honest leader's
//! blocks always match what L1 later derives.

use crate::{
    chain::{MissingEntry, NodeChain, QueueEntries, SealRequest},
    store::SignedBlock,
};
use alloy::primitives::{Address, B256, Bytes};
use baton_core::{
    BlockHeader,
    derive::{Chain, DeriveError, DerivedBlock, RecordInput},
    ledger::{Applied, CheckedTx, Invalid, LedgerConfig, LedgerState},
    mempool::{Mempool, MempoolConfig, PooledTx, Prechecked, RejectReason},
};
use baton_l1::{L1Store, store::StoredRecord};
use baton_rpc::Preconfirmation;
use eyre::WrapErr;
use std::collections::{BTreeMap, HashMap};
use tracing::{info, warn};

/// Why a record or a block could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The derivation refused it.
    #[error(transparent)]
    Derive(#[from] DeriveError),
    /// A record's data does not parse (the inbox checks it, so L1 data that fails is corrupt).
    #[error("record {index}: {reason}")]
    BadRecord {
        /// Record index.
        index: u64,
        /// What is wrong.
        reason: String,
    },
    /// A record or block consumes force-queue entries this node has not read yet.
    #[error(transparent)]
    MissingEntry(#[from] MissingEntry),
    /// A received block does not follow the pending head.
    #[error("block {got} does not follow the pending head {head}")]
    NotNext {
        /// Its number.
        got: u64,
        /// The pending head.
        head: u64,
    },
    /// A received block's contents on the pending head give another header than the signed one.
    #[error(
        "block {number}: its contents on the pending head give header {derived}, not the signed {signed}"
    )]
    HeaderMismatch {
        /// Block number.
        number: u64,
        /// Hash derived here.
        derived: B256,
        /// Hash of the signed header.
        signed: B256,
    },
}

/// One L2 block as the RPC serves it.
#[derive(Clone, Debug)]
pub struct BlockEntry {
    /// The executed block.
    pub block: DerivedBlock,
    /// The leader's signature, when this node holds the preconfirmation.
    pub signature: Option<Bytes>,
    /// Whether the block is derived from an L1 record (and not only preconfirmed).
    pub on_l1: bool,
    /// The inputs it was sealed from (to re-offer it to followers and re-post it).
    pub sealed: Option<SignedBlock>,
}

/// See the module documentation.
#[derive(Debug)]
pub struct View {
    config: LedgerConfig,
    portal: Address,
    genesis: LedgerState,
    canonical: Chain,
    pending: Chain,
    blocks: BTreeMap<u64, BlockEntry>,
    tx_index: HashMap<B256, (u64, usize)>,
    entries: QueueEntries,
    pool_config: MempoolConfig,
    /// The mempool of transactions waiting for a block.
    pub mempool: Mempool,
}

impl View {
    /// A view at genesis.
    pub fn new(
        genesis: LedgerState,
        config: LedgerConfig,
        portal: Address,
        pool: MempoolConfig,
    ) -> Self {
        let canonical = Chain::new(genesis.clone(), config, portal);
        let pending = canonical.clone();
        let mut view = Self {
            config,
            portal,
            genesis,
            canonical,
            pending,
            blocks: BTreeMap::new(),
            tx_index: HashMap::new(),
            entries: QueueEntries::default(),
            pool_config: pool,
            mempool: Mempool::new(pool, config),
        };
        view.insert_genesis();
        view
    }

    fn insert_genesis(&mut self) {
        let header = self.canonical.head().clone();
        let hash = self.canonical.head_hash();
        let state_root = Some(self.canonical.state_root());
        self.blocks.insert(
            0,
            BlockEntry {
                block: DerivedBlock {
                    header,
                    hash,
                    txs: Vec::new(),
                    state_root,
                },
                signature: None,
                on_l1: true,
                sealed: None,
            },
        );
    }

    /// Forgets everything derived and every queue entry (after an L1 reorg) and starts again
    /// from genesis, keeping the mempool; the caller then replays the stored entries and records.
    pub fn reset_to_genesis(&mut self) {
        let pool = std::mem::replace(
            &mut self.mempool,
            Mempool::new(self.pool_config, self.config),
        );
        *self = Self::new(
            self.genesis.clone(),
            self.config,
            self.portal,
            self.pool_config,
        );
        self.mempool = pool;
    }

    /// The ledger parameters.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// The L2 chain derived from L1.
    pub fn canonical(&self) -> &Chain {
        &self.canonical
    }

    /// `canonical` plus preconfirmed blocks: the `latest` state.
    pub fn pending(&self) -> &Chain {
        &self.pending
    }

    /// The pending state, mutable (root computation caches tree nodes).
    pub fn pending_state_mut(&mut self) -> &mut LedgerState {
        self.pending.state_mut()
    }

    /// The block at `number`.
    pub fn block(&self, number: u64) -> Option<&BlockEntry> {
        self.blocks.get(&number)
    }

    /// The block with hash `hash`.
    pub fn block_by_hash(&self, hash: &B256) -> Option<&BlockEntry> {
        // Blocks are few per second and hash lookups rare: a scan from the head is enough.
        self.blocks.values().rev().find(|b| &b.block.hash == hash)
    }

    /// Where transaction `hash` is: (block number, position).
    pub fn tx_location(&self, hash: &B256) -> Option<(u64, usize)> {
        self.tx_index.get(hash).copied()
    }

    fn index_block(&mut self, entry: BlockEntry) {
        let number = entry.block.header.number;
        for (i, tx) in entry.block.txs.iter().enumerate() {
            self.tx_index.insert(tx.hash, (number, i));
        }
        self.blocks.insert(number, entry);
    }

    fn unindex_above(&mut self, number: u64) -> Vec<BlockEntry> {
        let dropped: Vec<BlockEntry> = self.blocks.split_off(&(number + 1)).into_values().collect();
        for entry in &dropped {
            for tx in &entry.block.txs {
                self.tx_index.remove(&tx.hash);
            }
        }
        dropped
    }

    /// Applies a record read from L1 to the canonical chain and reconciles the preconfirmed
    /// blocks with it. Returns the preconfirmed blocks that L1 contradicted (dropped).
    pub fn apply_record(&mut self, record: &StoredRecord) -> Result<Vec<BlockEntry>, ViewError> {
        let batch = record.batch().map_err(|e| ViewError::BadRecord {
            index: record.index,
            reason: e.to_string(),
        })?;
        let entries = self
            .entries
            .take(self.canonical.force_cursor()..record.header.forceIndex)?;
        let input = RecordInput {
            header: &record.header,
            batch: batch.as_ref(),
            entries: &entries,
            l1_timestamp: record.l1_timestamp,
        };
        // Transactions this node already executed (sealed or replayed) keep their recovered
        // senders: only applied outcomes carry the check, the others are checked again.
        let (tx_index, blocks) = (&self.tx_index, &self.blocks);
        let known = |hash: &B256| {
            let (number, position) = tx_index.get(hash)?;
            match blocks.get(number)?.block.txs.get(*position)?.outcome {
                Ok(Applied::Transfer { tx } | Applied::Withdrawal { tx, .. }) => Some(tx),
                _ => None,
            }
        };
        let derived = self.canonical.apply_record_with(&input, known)?;
        let mut dropped = Vec::new();
        let mut diverged = false;
        for block in derived {
            let number = block.header.number;
            match self.blocks.get_mut(&number) {
                Some(existing) if !diverged && existing.block.hash == block.hash => {
                    existing.on_l1 = true;
                    // A sealed block has no root; the record's last block has it now.
                    existing.block.state_root = block.state_root;
                }
                _ => {
                    if !diverged {
                        diverged = true;
                        dropped = self.unindex_above(number - 1);
                    }
                    self.index_block(BlockEntry {
                        block,
                        signature: None,
                        on_l1: true,
                        sealed: None,
                    });
                }
            }
        }
        if diverged || self.pending.head().number < self.canonical.head().number {
            if !dropped.is_empty() {
                warn!(target: "baton::node", record = record.index, dropped = dropped.len(), "preconfirmed blocks contradicted by L1: dropped");
            }
            dropped.extend(self.unindex_above(self.canonical.head().number));
            self.pending = self.canonical.clone();
            self.requeue(&dropped);
        }
        self.mempool.prune(self.pending.state());
        info!(target: "baton::node", record = record.index, head = self.canonical.head().number, "record derived");
        Ok(dropped)
    }

    /// Puts the signed transactions of dropped blocks back into the mempool (best effort: some
    /// may no longer be valid).
    fn requeue(&mut self, dropped: &[BlockEntry]) {
        for entry in dropped {
            if let Some(sealed) = &entry.sealed {
                for raw in &sealed.transactions {
                    let _ = self.mempool.insert(raw.clone(), self.pending.state());
                }
            }
        }
    }

    /// Drops every preconfirmed block (a record could not be posted) and requeues their txs.
    pub fn drop_pending(&mut self) -> Vec<BlockEntry> {
        let dropped = self.unindex_above(self.canonical.head().number);
        self.pending = self.canonical.clone();
        self.requeue(&dropped);
        dropped
    }

    /// Executes a block on the pending chain (the leader sealing, or a follower replaying a
    /// leader's block) and indexes it. The header is returned for signing or checking.
    /// `checks` are the stateless checks of `block.transactions` when the caller has them (a
    /// leader admitted them to its pool); otherwise they are run here.
    pub fn seal(
        &mut self,
        block: SignedBlock,
        checks: Option<Vec<Result<CheckedTx, Invalid>>>,
    ) -> Result<&BlockEntry, ViewError> {
        let entries = self.entries.take(block.entries.iter().copied())?;
        let head = self.pending.head().number;
        if block.header.number != head + 1 {
            return Err(ViewError::NotNext {
                got: block.header.number,
                head,
            });
        }
        let derived = match checks {
            Some(checks) => self.pending.apply_block_checked(
                block.header.epoch,
                block.header.timestamp,
                block.fee_recipient,
                &entries,
                &block.transactions,
                checks,
            )?,
            None => self.pending.apply_block(
                block.header.epoch,
                block.header.timestamp,
                block.fee_recipient,
                &entries,
                &block.transactions,
            )?,
        };
        let number = derived.header.number;
        // The caller's header only gave epoch and timestamp; keep the real one.
        let block = SignedBlock {
            header: derived.header.clone(),
            ..block
        };
        self.index_block(BlockEntry {
            block: derived,
            signature: None,
            on_l1: false,
            sealed: Some(block),
        });
        Ok(&self.blocks[&number])
    }

    /// Attaches the signature to a sealed block.
    pub fn set_signature(&mut self, number: u64, signature: Bytes) {
        if let Some(entry) = self.blocks.get_mut(&number) {
            if let Some(sealed) = &mut entry.sealed {
                sealed.signature = signature.clone();
            }
            entry.signature = Some(signature);
        }
    }

    /// Replays a leader's signed block on the pending chain. The header does not depend on the
    /// execution (its `txRoot` covers transaction hashes, not outcomes), so it is checked against
    /// the block's contents first and nothing is applied when they differ.
    pub fn follow(&mut self, block: SignedBlock) -> Result<(), ViewError> {
        let signed_hash = baton_core::l2::block_hash(&block.header);
        let mut hashes: Vec<B256> = self
            .entries
            .take(block.entries.iter().copied())?
            .iter()
            .map(|e| baton_core::l2::queue_entry_hash(&e.data))
            .collect();
        hashes.extend(block.transactions.iter().map(alloy::primitives::keccak256));
        let expected = BlockHeader {
            chainId: alloy::primitives::U256::from(self.config.chain_id),
            number: self.pending.head().number + 1,
            parentHash: self.pending.head_hash(),
            epoch: block.header.epoch,
            timestamp: block.header.timestamp,
            txRoot: baton_core::l2::tx_root(&hashes),
        };
        let derived = baton_core::l2::block_hash(&expected);
        if derived != signed_hash {
            return Err(ViewError::HeaderMismatch {
                number: block.header.number,
                derived,
                signed: signed_hash,
            });
        }
        let number = block.header.number;
        let signature = block.signature.clone();
        self.seal(block, None)?;
        self.set_signature(number, signature);
        self.mempool.prune(self.pending.state());
        Ok(())
    }

    /// The pending head header.
    pub fn head(&self) -> &BlockHeader {
        self.pending.head()
    }

    /// Validates a raw transaction against the pending state and pools it.
    pub fn submit(&mut self, raw: Bytes) -> Result<(B256, Option<B256>), RejectReason> {
        self.mempool.insert(raw, self.pending.state())
    }

    /// Pools a transaction whose stateless checks already passed (outside the lock).
    pub fn submit_prechecked(
        &mut self,
        pre: Prechecked,
    ) -> Result<(B256, Option<B256>), RejectReason> {
        self.mempool.insert_prechecked(pre, self.pending.state())
    }

    /// Takes at most `max` transactions, of at most `max_bytes` in batch data, for the next
    /// block from the mempool.
    pub fn take_block_txs(&mut self, max: usize, max_bytes: usize) -> Vec<PooledTx> {
        self.mempool
            .take_block_within(self.pending.state(), max, max_bytes)
    }
}

impl NodeChain for View {
    fn head(&self) -> BlockHeader {
        self.pending.head().clone()
    }

    fn safe_head(&self) -> u64 {
        self.canonical.head().number
    }

    fn derived_records(&self) -> u64 {
        self.canonical.records()
    }

    fn force_cursor(&self) -> u64 {
        self.canonical.force_cursor()
    }

    fn pending_force_cursor(&self) -> u64 {
        self.pending.force_cursor()
    }

    fn queue(&self) -> &QueueEntries {
        &self.entries
    }

    fn queue_mut(&mut self) -> &mut QueueEntries {
        &mut self.entries
    }

    fn apply_record(&mut self, record: &StoredRecord) -> eyre::Result<()> {
        View::apply_record(self, record)?;
        Ok(())
    }

    /// The ledger is in memory: it starts again from genesis and derives every stored record.
    fn resync(&mut self, l1: &L1Store) -> eyre::Result<()> {
        self.reset_to_genesis();
        for entry in l1.entries()? {
            self.entries.add(entry);
        }
        for record in l1.records()? {
            View::apply_record(self, &record)
                .wrap_err_with(|| format!("re-deriving stored record {}", record.index))?;
        }
        Ok(())
    }

    fn restore(&mut self, block: SignedBlock) -> bool {
        let (number, signature) = (block.header.number, block.signature.clone());
        let expected = baton_core::l2::block_hash(&block.header);
        match View::seal(self, block, None) {
            Ok(entry) if entry.block.hash == expected => {
                self.set_signature(number, signature);
                true
            }
            _ => false,
        }
    }

    fn seal(&mut self, request: SealRequest) -> eyre::Result<Option<SignedBlock>> {
        let txs = self.take_block_txs(request.max_txs, request.max_bytes);
        if txs.is_empty() && request.entries.is_empty() && !request.even_empty {
            return Ok(None);
        }
        let head = self.pending.head().clone();
        let block = SignedBlock {
            // Only number, epoch and timestamp are read; the sealed header replaces it.
            header: BlockHeader {
                number: head.number + 1,
                epoch: request.epoch,
                timestamp: request.timestamp,
                ..head
            },
            signature: Bytes::new(),
            fee_recipient: request.fee_recipient,
            entries: request.entries.iter().map(|e| e.index).collect(),
            transactions: txs.iter().map(|t| t.raw.clone()).collect(),
        };
        let checks = txs.iter().map(|t| Ok(t.checked())).collect();
        match View::seal(self, block.clone(), Some(checks)) {
            Ok(entry) => Ok(Some(SignedBlock {
                header: entry.block.header.clone(),
                ..block
            })),
            Err(e) => {
                // Nothing was applied: the transactions go back to the pool.
                for tx in &block.transactions {
                    let _ = self.submit(tx.clone());
                }
                Err(e.into())
            }
        }
    }

    fn set_signature(&mut self, number: u64, signature: Bytes) {
        View::set_signature(self, number, signature);
    }

    fn follow(&mut self, block: SignedBlock) -> eyre::Result<()> {
        View::follow(self, block)?;
        Ok(())
    }

    fn drop_pending(&mut self) -> usize {
        View::drop_pending(self).len()
    }

    fn sealed(&self, number: u64) -> Option<&SignedBlock> {
        self.blocks.get(&number)?.sealed.as_ref()
    }

    fn pool_len(&self) -> usize {
        self.mempool.len()
    }

    fn pooled_raw(&self, limit: usize) -> Vec<Bytes> {
        self.mempool
            .iter()
            .take(limit)
            .map(|t| t.raw.clone())
            .collect()
    }

    fn preconfirmation(&self, tx_hash: B256) -> Option<Preconfirmation> {
        let (n, i) = self.tx_location(&tx_hash)?;
        let entry = self.block(n)?;
        let hashes: Vec<B256> = entry.block.txs.iter().map(|t| t.hash).collect();
        Some(Preconfirmation {
            header: entry.block.header.clone(),
            block_hash: entry.block.hash,
            signature: entry.signature.clone(),
            tx_hash,
            tx_index: i,
            proof: baton_core::l2::tx_proof(&hashes, i).unwrap_or_default(),
            on_l1: entry.on_l1,
        })
    }
}

#[cfg(test)]
mod tests;
