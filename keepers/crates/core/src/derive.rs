//! Derivation: the L2 chain is what follows from the BatchInbox records, in order.
//!
//! Record `i` carries L2 blocks `firstBlock ..= lastBlock` and consumes the force-queue entries
//! `[previous forceIndex, forceIndex)`. Those entries come first, in the record's first block,
//! before that block's batch transactions (`docs/protocol.md`, "Batch data" and "Force
//! inclusion"; `docs/outputs.md`, "The trace").
//!
//! - A **sequenced** record has batch data ([`Batch`]): a fee recipient, which receives the fees
//!   of every transaction of the record (the entries it consumes included), and one timestamp
//!   and list of raw transactions per block.
//! - A **forced** record has no data and exactly one block. Its fees go to [`Address::ZERO`]
//!   (burned) and its block's timestamp is the L1 timestamp of the record.
//!
//! Every derived block's header names the L2 chain id, its number, the previous block's
//! [`block_hash`], the record's epoch, its timestamp and the [`tx_root`] over the hashes of all
//! its transactions in order. The chain starts at [`genesis_header`] (block 0) over a genesis
//! state.
//!
//! A leader seals its own blocks with [`Chain::apply_block`], and [`Chain::apply_record`] runs
//! every block of a record through that same function, so the blocks a leader preconfirms and
//! the blocks everyone derives from its record cannot differ.

use crate::{
    batch::Batch,
    eip712::{BatchHeader, BlockHeader},
    l2::{block_hash, genesis_header, queue_entry_hash, tx_root},
    ledger::{
        BlockContext, CheckedTx, Invalid, L2Tx, LedgerConfig, LedgerState, Outcome,
        check_transaction,
    },
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};

/// One force-inclusion queue entry, as the `Enqueued` event gives it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueEntry {
    /// Its position in the queue.
    pub index: u64,
    /// Who enqueued it (the portal for a deposit).
    pub sender: Address,
    /// The raw bytes.
    pub data: Bytes,
    /// The queue's accumulator before it (`Enqueued.accumulatorBefore`): what a dispute over
    /// EVM blocks names a block's entries by (docs/evm.md, "A block's claim").
    pub accumulator_before: B256,
}

/// One transaction of a derived block and what the STF made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivedTx {
    /// Its leaf in the block's tx tree: keccak256 of the raw bytes (entry or transaction).
    pub hash: B256,
    /// The transaction as the STF read it.
    pub tx: L2Tx,
    /// What it did, or why it was a no-op (it stays in the block either way).
    pub outcome: Outcome,
    /// The block's fee recipient: credited the fee when the transaction applied (the zero
    /// address, where it is burned, in a forced record).
    pub fee_recipient: Address,
}

/// One derived (or sealed) L2 block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivedBlock {
    /// Its header.
    pub header: BlockHeader,
    /// [`block_hash`] of the header.
    pub hash: B256,
    /// Its transactions in order: the consumed force-queue entries, then the batch's.
    pub txs: Vec<DerivedTx>,
    /// The L2 state root after the block, for the last block of a record (what outputs and
    /// the dispute game commit to). `None` inside a record and for a block a leader seals: the
    /// header does not hold a root, and hashing the touched paths of the sparse Merkle tree
    /// once per record instead of once per block is most of what sealing and derivation cost
    /// (`docs/benchmarks.md`). [`Chain::state_root`] gives it at the head on demand.
    pub state_root: Option<B256>,
}

/// One BatchInbox record, with what derivation needs besides its header.
#[derive(Clone, Copy, Debug)]
pub struct RecordInput<'a> {
    /// The record's header (for a forced record, the one the contract built and emitted).
    pub header: &'a BatchHeader,
    /// The batch data, decoded and checked against the header (`check_record`); `None` for a
    /// forced record.
    pub batch: Option<&'a Batch>,
    /// Exactly the force-queue entries the record consumes, in queue order.
    pub entries: &'a [QueueEntry],
    /// The timestamp of the L1 block the record was appended in (a forced block's timestamp).
    pub l1_timestamp: u64,
}

/// Why a record or block does not extend the chain. The chain is unchanged when one is
/// returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeriveError {
    /// The record's header names another L2 chain.
    #[error("record is for L2 chain {got}, this chain is {expected}")]
    WrongChainId {
        /// This chain's id.
        expected: u64,
        /// The header's `chainId`.
        got: U256,
    },
    /// The record does not start right after the chain's head.
    #[error("record starts at L2 block {got}, expected block {expected} (head + 1)")]
    DiscontinuousBlock {
        /// The head's number + 1.
        expected: u64,
        /// The header's `firstBlock`.
        got: u64,
    },
    /// `lastBlock < firstBlock`.
    #[error("record has an empty block range {first_block}..={last_block}")]
    EmptyBlockRange {
        /// The header's `firstBlock`.
        first_block: u64,
        /// The header's `lastBlock`.
        last_block: u64,
    },
    /// A forced record covers other than exactly one block.
    #[error("forced record covers {blocks} blocks ({first_block}..={last_block}), not exactly 1")]
    ForcedBlockCount {
        /// The header's `firstBlock`.
        first_block: u64,
        /// The header's `lastBlock`.
        last_block: u64,
        /// How many blocks that is.
        blocks: u64,
    },
    /// The batch holds a different number of blocks than the header's range.
    #[error("header covers {header} blocks, batch data holds {batch}")]
    BlockCountMismatch {
        /// `lastBlock - firstBlock + 1`.
        header: u64,
        /// Blocks in the batch.
        batch: usize,
    },
    /// The batch holds a different number of transactions than the header's `txCount` (a
    /// forced record holds none).
    #[error("header says {header} transactions, record holds {actual}")]
    TxCountMismatch {
        /// The header's `txCount`.
        header: u32,
        /// Transactions in the batch (0 for a forced record).
        actual: u64,
    },
    /// The header's `forceIndex` is below the chain's force cursor.
    #[error("record's forceIndex {force_index} is below the force cursor {cursor}")]
    ForceIndexBehind {
        /// The chain's force cursor (the previous record's `forceIndex`).
        cursor: u64,
        /// The header's `forceIndex`.
        force_index: u64,
    },
    /// The record is given a different number of entries than it consumes.
    #[error("record consumes {expected} queue entries, {got} were given")]
    EntryCountMismatch {
        /// `forceIndex - cursor`.
        expected: u64,
        /// Entries given.
        got: usize,
    },
    /// An entry is not the next one of the queue.
    #[error("queue entry {position} has index {got}, expected {expected}")]
    EntryIndexMismatch {
        /// Its position in the given entries.
        position: usize,
        /// The queue index it should have (force cursor + position).
        expected: u64,
        /// Its index.
        got: u64,
    },
    /// The chain's head is the last block number a u64 can hold.
    #[error("L2 block number overflow after block {head}")]
    BlockNumberOverflow {
        /// The head's number.
        head: u64,
    },
}

/// The derived L2 chain: its state, head and position in the BatchInbox and force queue.
#[derive(Clone, Debug)]
pub struct Chain {
    state: LedgerState,
    config: LedgerConfig,
    portal: Address,
    head: BlockHeader,
    head_hash: B256,
    force_cursor: u64,
    records: u64,
}

impl Chain {
    /// The chain at block 0 ([`genesis_header`]) over the genesis `state`; `portal` is the only
    /// sender whose queue entries can be deposits.
    pub fn new(genesis: LedgerState, config: LedgerConfig, portal: Address) -> Self {
        let head = genesis_header(config.chain_id);
        Self {
            state: genesis,
            config,
            portal,
            head_hash: block_hash(&head),
            head,
            force_cursor: 0,
            records: 0,
        }
    }

    /// The header of the last block.
    pub fn head(&self) -> &BlockHeader {
        &self.head
    }

    /// The hash of the last block.
    pub fn head_hash(&self) -> B256 {
        self.head_hash
    }

    /// The next force-queue index to consume (the last applied record's `forceIndex`, plus
    /// the entries of blocks sealed since).
    pub fn force_cursor(&self) -> u64 {
        self.force_cursor
    }

    /// How many records have been applied.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The ledger parameters.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// The portal address (the sender of deposit entries).
    pub fn portal(&self) -> Address {
        self.portal
    }

    /// The L2 state after the head.
    pub fn state(&self) -> &LedgerState {
        &self.state
    }

    /// The L2 state, mutably: its root and proofs are computed lazily and need `&mut`. Changing
    /// accounts through it puts the chain off what derivation gives.
    pub fn state_mut(&mut self) -> &mut LedgerState {
        &mut self.state
    }

    /// The state root at the head (hashes the paths touched since it was last asked for).
    pub fn state_root(&mut self) -> B256 {
        self.state.root()
    }

    /// Applies one record: every block of its header's range, the consumed entries first in the
    /// first block. Everything is checked before the chain changes, so on `Err` it is as it was.
    /// The record's last block carries the state root.
    pub fn apply_record(
        &mut self,
        record: &RecordInput<'_>,
    ) -> Result<Vec<DerivedBlock>, DeriveError> {
        self.apply_record_with(record, |_| None)
    }

    /// [`Chain::apply_record`] reusing stateless checks the caller holds: `known(hash)` is the
    /// [`check_transaction`] result of the transaction whose raw bytes hash to `hash`, under this
    /// chain's config, when the caller has it (a node has it for every transaction it sealed or
    /// replayed as a preconfirmed block, so deriving its own record recovers no sender twice).
    /// The rest are checked here.
    pub fn apply_record_with(
        &mut self,
        record: &RecordInput<'_>,
        known: impl Fn(&B256) -> Option<CheckedTx>,
    ) -> Result<Vec<DerivedBlock>, DeriveError> {
        record.check(self.config.chain_id, self.next_number()?, self.force_cursor)?;
        let header = record.header;
        let mut blocks = match record.batch {
            None => vec![
                self.apply_block_checked(
                    header.epoch,
                    record.l1_timestamp,
                    Address::ZERO,
                    record.entries,
                    &[],
                    Vec::new(),
                )
                .expect("apply_record checked the block number and the entries"),
            ],
            Some(batch) => {
                // The stateless checks (decoding, sender recovery) of the whole record at once,
                // on every core; the state transitions then run in order.
                let raw: Vec<&Bytes> = batch
                    .blocks
                    .iter()
                    .flat_map(|b| b.transactions.iter())
                    .collect();
                let reused: Vec<Option<CheckedTx>> =
                    raw.iter().map(|tx| known(&keccak256(tx))).collect();
                let missing: Vec<&Bytes> = raw
                    .iter()
                    .zip(&reused)
                    .filter(|(_, r)| r.is_none())
                    .map(|(tx, _)| *tx)
                    .collect();
                let mut fresh = check_all(&self.config, &missing).into_iter();
                let mut checks = reused.into_iter().map(|r| match r {
                    Some(checked) => Ok(checked),
                    None => fresh.next().expect("one fresh check per missing one"),
                });
                let mut derived = Vec::with_capacity(batch.blocks.len());
                for (i, block) in batch.blocks.iter().enumerate() {
                    let entries = if i == 0 { record.entries } else { &[] };
                    let block_checks = checks.by_ref().take(block.transactions.len()).collect();
                    derived.push(
                        self.apply_block_checked(
                            header.epoch,
                            block.timestamp,
                            batch.fee_recipient,
                            entries,
                            &block.transactions,
                            block_checks,
                        )
                        .expect("apply_record checked the block numbers and the entries"),
                    );
                }
                derived
            }
        };
        if let Some(last) = blocks.last_mut() {
            last.state_root = Some(self.state.root());
        }
        self.records += 1;
        debug_assert_eq!(self.force_cursor, header.forceIndex);
        debug_assert_eq!(self.head.number, header.lastBlock);
        Ok(blocks)
    }

    /// What a leader uses to seal a block itself (the same code path as derivation): applies
    /// `entries` (which must continue the force queue from [`Chain::force_cursor`]) then the raw
    /// `txs` as block head + 1, crediting fees to `fee_recipient`. Invalid transactions are
    /// no-ops but stay in the block and its tx root.
    pub fn apply_block(
        &mut self,
        epoch: u64,
        timestamp: u64,
        fee_recipient: Address,
        entries: &[QueueEntry],
        txs: &[Bytes],
    ) -> Result<DerivedBlock, DeriveError> {
        let checks = check_all(&self.config, &txs.iter().collect::<Vec<_>>());
        self.apply_block_checked(epoch, timestamp, fee_recipient, entries, txs, checks)
    }

    /// [`Chain::apply_block`] for transactions whose stateless checks already ran: `checks[i]`
    /// must be [`check_transaction`] of `txs[i]` under this chain's config (a leader has that
    /// from admitting them to its pool).
    ///
    /// # Panics
    /// When `checks` and `txs` differ in length.
    pub fn apply_block_checked(
        &mut self,
        epoch: u64,
        timestamp: u64,
        fee_recipient: Address,
        entries: &[QueueEntry],
        txs: &[Bytes],
        checks: Vec<Result<CheckedTx, Invalid>>,
    ) -> Result<DerivedBlock, DeriveError> {
        assert_eq!(txs.len(), checks.len(), "one check per transaction");
        let number = self.next_number()?;
        check_entries(entries, self.force_cursor)?;

        let context = BlockContext { fee_recipient };
        let mut derived = Vec::with_capacity(entries.len() + txs.len());
        for entry in entries {
            let tx = L2Tx::from_queue_entry(entry.sender, &entry.data, self.portal);
            let outcome = self.state.apply(&self.config, &context, &tx);
            derived.push(DerivedTx {
                hash: queue_entry_hash(&entry.data),
                tx,
                outcome,
                fee_recipient,
            });
        }
        for (raw, check) in txs.iter().zip(checks) {
            let outcome = self.state.apply_checked(&context, check);
            derived.push(DerivedTx {
                hash: keccak256(raw),
                tx: L2Tx::Signed(raw.clone()),
                outcome,
                fee_recipient,
            });
        }

        let hashes: Vec<B256> = derived.iter().map(|t| t.hash).collect();
        let header = BlockHeader {
            chainId: U256::from(self.config.chain_id),
            number,
            parentHash: self.head_hash,
            epoch,
            timestamp,
            txRoot: tx_root(&hashes),
        };
        let hash = block_hash(&header);
        self.head = header.clone();
        self.head_hash = hash;
        self.force_cursor += entries.len() as u64;
        Ok(DerivedBlock {
            header,
            hash,
            txs: derived,
            state_root: None,
        })
    }

    fn next_number(&self) -> Result<u64, DeriveError> {
        self.head
            .number
            .checked_add(1)
            .ok_or(DeriveError::BlockNumberOverflow {
                head: self.head.number,
            })
    }
}

impl RecordInput<'_> {
    /// Everything a chain refuses a record for before running anything: its chain id, that it
    /// starts at `next_block`, its block range and transaction count against its batch, and
    /// that it consumes exactly `entries`, in queue order, from `force_cursor` on. The ledger's
    /// [`Chain`] and the EVM chain (baton-l2) check records with this one function.
    pub fn check(
        &self,
        chain_id: u64,
        next_block: u64,
        force_cursor: u64,
    ) -> Result<(), DeriveError> {
        let header = self.header;
        if header.chainId != U256::from(chain_id) {
            return Err(DeriveError::WrongChainId {
                expected: chain_id,
                got: header.chainId,
            });
        }
        if header.firstBlock != next_block {
            return Err(DeriveError::DiscontinuousBlock {
                expected: next_block,
                got: header.firstBlock,
            });
        }
        let blocks = header.block_count().ok_or(DeriveError::EmptyBlockRange {
            first_block: header.firstBlock,
            last_block: header.lastBlock,
        })?;
        let tx_count = match self.batch {
            None if blocks != 1 => {
                return Err(DeriveError::ForcedBlockCount {
                    first_block: header.firstBlock,
                    last_block: header.lastBlock,
                    blocks,
                });
            }
            None => 0,
            Some(batch) => {
                if batch.blocks.len() as u64 != blocks {
                    return Err(DeriveError::BlockCountMismatch {
                        header: blocks,
                        batch: batch.blocks.len(),
                    });
                }
                batch
                    .blocks
                    .iter()
                    .map(|b| b.transactions.len() as u64)
                    .sum()
            }
        };
        if tx_count != u64::from(header.txCount) {
            return Err(DeriveError::TxCountMismatch {
                header: header.txCount,
                actual: tx_count,
            });
        }
        let consumed =
            header
                .forceIndex
                .checked_sub(force_cursor)
                .ok_or(DeriveError::ForceIndexBehind {
                    cursor: force_cursor,
                    force_index: header.forceIndex,
                })?;
        if self.entries.len() as u64 != consumed {
            return Err(DeriveError::EntryCountMismatch {
                expected: consumed,
                got: self.entries.len(),
            });
        }
        check_entries(self.entries, force_cursor)
    }
}

/// The entries must be the queue's, in order, from `force_cursor` on.
pub fn check_entries(entries: &[QueueEntry], force_cursor: u64) -> Result<(), DeriveError> {
    for (position, entry) in entries.iter().enumerate() {
        let expected = force_cursor + position as u64;
        if entry.index != expected {
            return Err(DeriveError::EntryIndexMismatch {
                position,
                expected,
                got: entry.index,
            });
        }
    }
    Ok(())
}

/// Fewest transactions worth spreading over threads (a thread costs tens of µs to start; one
/// check costs about as much).
const PARALLEL_CHECK_MIN: usize = 64;

/// [`check_transaction`] of every raw transaction, in order, spread over the machine's cores
/// when there are enough of them: the checks are independent and the sender recovery in them
/// is most of a transfer's cost.
pub fn check_all(config: &LedgerConfig, txs: &[&Bytes]) -> Vec<Result<CheckedTx, Invalid>> {
    crate::parallel::map(txs, PARALLEL_CHECK_MIN, |raw| {
        check_transaction(config, raw)
    })
}

#[cfg(test)]
mod tests;
