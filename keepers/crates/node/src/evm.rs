//! The node on the EVM chain (baton-l2's [`L2Chain`]), for deployments whose `l2Execution` is
//! `evm`: the chain in `chain.sqlite` beside the node's store, shared with the JSON-RPC
//! ([`baton_l2::L2Rpc`]) behind one lock.
//!
//! The chain keeps its blocks, preconfirmed or derived, across restarts; this side keeps the
//! signed blocks this node sealed or followed (their signatures are in the node's store) and
//! the queue entries read from L1.

use crate::{
    chain::{NodeChain, QueueEntries, SealRequest},
    store::SignedBlock,
};
use alloy::primitives::{B256, Bytes};
use baton_core::{BlockHeader, RecordInput};
use baton_l1::{L1Store, store::StoredRecord};
pub use baton_l2::deployment::{chain_spec, open_chain};
use baton_l2::{BlockInputs, BlockRoom, L2Chain};
use baton_rpc::Preconfirmation;
use eyre::WrapErr;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
};
use tracing::{info, warn};

/// Signed blocks kept below the derived head, for followers that are behind (older ones reach
/// them through L1).
const KEEP_SETTLED: u64 = 2_000;

/// The heads and cursors of the chain, read after every change.
#[derive(Clone, Debug)]
struct Heads {
    head: BlockHeader,
    safe: u64,
    records: u64,
    force_cursor: u64,
    pending_force_cursor: u64,
}

/// The EVM chain under the node's loops (see the module documentation).
pub struct EvmChain {
    chain: Arc<Mutex<L2Chain>>,
    queue: QueueEntries,
    /// Blocks this node sealed or followed, by number, with their signatures once signed.
    signed: BTreeMap<u64, SignedBlock>,
    heads: Heads,
}

impl std::fmt::Debug for EvmChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmChain")
            .field("heads", &self.heads)
            .finish_non_exhaustive()
    }
}

impl EvmChain {
    /// The chain under the loops, shared with the JSON-RPC.
    pub fn new(chain: Arc<Mutex<L2Chain>>) -> eyre::Result<Self> {
        let heads = read_heads(&lock(&chain))?;
        Ok(Self {
            chain,
            queue: QueueEntries::default(),
            signed: BTreeMap::new(),
            heads,
        })
    }

    fn chain(&self) -> MutexGuard<'_, L2Chain> {
        lock(&self.chain)
    }

    /// Reads the heads again, forgets the signed blocks above `valid_to` (the chain unwound
    /// them or derivation replaced them) and old settled ones.
    fn refresh(&mut self, valid_to: Option<u64>) -> eyre::Result<()> {
        let heads = read_heads(&self.chain())?;
        self.heads = heads;
        if let Some(number) = valid_to {
            self.signed.split_off(&(number + 1));
        }
        let oldest = self.heads.safe.saturating_sub(KEEP_SETTLED);
        self.signed = self.signed.split_off(&oldest);
        Ok(())
    }

    fn derive(&mut self, record: &StoredRecord) -> eyre::Result<()> {
        let batch = record
            .batch()
            .wrap_err_with(|| format!("record {}", record.index))?;
        let entries = self
            .queue
            .take(self.heads.force_cursor..record.header.forceIndex)?;
        let input = RecordInput {
            header: &record.header,
            batch: batch.as_ref(),
            entries: &entries,
            l1_timestamp: record.l1_timestamp,
        };
        let derived = self
            .chain()
            .derive_record(record.index, &input)
            .wrap_err_with(|| format!("deriving record {}", record.index))?;
        let valid_to = (derived.unwound > 0).then(|| {
            warn!(target: "baton::node", record = record.index, dropped = derived.unwound, "preconfirmed blocks contradicted by L1: dropped");
            record.header.firstBlock + derived.kept - 1
        });
        self.refresh(valid_to)?;
        info!(target: "baton::node", record = record.index, head = self.heads.safe, kept = derived.kept, executed = derived.executed, "record derived");
        Ok(())
    }
}

fn lock(chain: &Mutex<L2Chain>) -> MutexGuard<'_, L2Chain> {
    // A panic while holding the lock leaves the chain as its last committed block: SQLite
    // rolled back whatever was half-written.
    chain
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read_heads(chain: &L2Chain) -> eyre::Result<Heads> {
    let number = chain.head().number;
    let head = chain
        .signed_header(number)?
        .ok_or_else(|| eyre::eyre!("block {number} has no signed header"))?;
    let settled = chain.l1_head()?;
    Ok(Heads {
        head,
        safe: settled.block,
        records: settled.records,
        force_cursor: chain.force_cursor_after(settled.block)?,
        pending_force_cursor: chain.force_cursor()?,
    })
}

impl NodeChain for EvmChain {
    fn head(&self) -> BlockHeader {
        self.heads.head.clone()
    }

    fn safe_head(&self) -> u64 {
        self.heads.safe
    }

    fn derived_records(&self) -> u64 {
        self.heads.records
    }

    fn force_cursor(&self) -> u64 {
        self.heads.force_cursor
    }

    fn pending_force_cursor(&self) -> u64 {
        self.heads.pending_force_cursor
    }

    fn queue(&self) -> &QueueEntries {
        &self.queue
    }

    fn queue_mut(&mut self) -> &mut QueueEntries {
        &mut self.queue
    }

    fn apply_record(&mut self, record: &StoredRecord) -> eyre::Result<()> {
        self.derive(record)
    }

    /// The chain keeps what it derived: records L1 no longer holds are forgotten, those it
    /// holds and the chain has not derived yet are derived, then the preconfirmed blocks are
    /// unwound (the caller restores this node's own from its store).
    fn resync(&mut self, l1: &L1Store) -> eyre::Result<()> {
        self.queue.clear();
        for entry in l1.entries()? {
            self.queue.add(entry);
        }
        let records = l1.records()?;
        let held = records.last().map_or(0, |r| r.index + 1);
        if self.heads.records > held {
            self.chain().forget_records_from(held)?;
            self.refresh(None)?;
        }
        let derived = self.heads.records;
        for record in records.iter().filter(|r| r.index >= derived) {
            self.derive(record)?;
        }
        self.chain().drop_unsettled()?;
        let safe = self.chain().l1_head()?.block;
        self.refresh(Some(safe))
    }

    fn restore(&mut self, block: SignedBlock) -> bool {
        self.follow(block).is_ok()
    }

    fn seal(&mut self, request: SealRequest) -> eyre::Result<Option<SignedBlock>> {
        // A pool of transactions that cannot run yet (fee caps under a base fee that rose)
        // still gets blocks: empty ones bring the base fee down to them, as on Ethereum.
        if request.entries.is_empty() && !request.even_empty && self.chain().pool().is_empty() {
            return Ok(None);
        }
        let inputs = BlockInputs {
            epoch: request.epoch,
            timestamp: request.timestamp,
            fee_recipient: request.fee_recipient,
            entries: &request.entries,
        };
        let room = BlockRoom {
            transactions: request.max_txs,
            batch_bytes: request.max_bytes,
        };
        let sealed = self.chain().seal_block(&inputs, room)?;
        let block = SignedBlock {
            header: sealed.block.header,
            signature: Bytes::new(),
            fee_recipient: request.fee_recipient,
            entries: request.entries.iter().map(|e| e.index).collect(),
            transactions: sealed.block.transactions,
        };
        self.signed.insert(block.header.number, block.clone());
        self.refresh(None)?;
        Ok(Some(block))
    }

    fn set_signature(&mut self, number: u64, signature: Bytes) {
        if let Some(block) = self.signed.get_mut(&number) {
            block.signature = signature;
        }
    }

    fn follow(&mut self, block: SignedBlock) -> eyre::Result<()> {
        let entries = self.queue.take(block.entries.iter().copied())?;
        self.chain().follow(&block, &entries)?;
        self.signed.insert(block.header.number, block);
        self.refresh(None)
    }

    fn drop_pending(&mut self) -> usize {
        let dropped = self.chain().drop_unsettled();
        if let Err(error) = self.refresh(Some(self.heads.safe)) {
            // The chain is consistent; only the cached heads are stale until the next change.
            warn!(target: "baton::node", %error, "reading the EVM chain's heads failed");
        }
        match dropped {
            Ok(n) => n as usize,
            Err(error) => {
                warn!(target: "baton::node", %error, "dropping the preconfirmed blocks failed");
                0
            }
        }
    }

    fn sealed(&self, number: u64) -> Option<&SignedBlock> {
        self.signed.get(&number)
    }

    fn pool_len(&self) -> usize {
        self.chain().pool().len()
    }

    fn pooled_raw(&self, limit: usize) -> Vec<Bytes> {
        self.chain()
            .pool()
            .iter()
            .take(limit)
            .map(|t| t.raw.clone())
            .collect()
    }

    /// The proof is over the block's inputs (queue entries, then signed transactions), which
    /// is what the signed header's `txRoot` covers; the signature is there when this node sealed
    /// or followed the block.
    fn preconfirmation(&self, tx_hash: B256) -> Option<Preconfirmation> {
        let chain = self.chain();
        let number = chain.db().transaction(&tx_hash).ok()??.block;
        let header = chain.signed_header(number).ok()??;
        let hashes = chain.block_inputs(number).ok()??;
        drop(chain);
        let index = hashes.iter().position(|h| *h == tx_hash)?;
        let signature = self
            .signed
            .get(&number)
            .filter(|b| b.header == header && !b.signature.is_empty())
            .map(|b| b.signature.clone());
        Some(Preconfirmation {
            block_hash: baton_core::l2::block_hash(&header),
            header,
            signature,
            tx_hash,
            tx_index: index,
            proof: baton_core::l2::tx_proof(&hashes, index).unwrap_or_default(),
            on_l1: number <= self.heads.safe,
        })
    }
}
