//! The chain under the sequencer network: blocks a leader seals from the pool, blocks a node
//! replays from a leader's signed stream, and BatchInbox records that settle them
//! (docs/evm.md, "The node's chain").
//!
//! Every block has two headers. The **signed header** is the sequencing layer's, unchanged from
//! the ledger (`baton_core::BlockHeader`: chain id, number, parent, epoch, timestamp and a root
//! over the hashes of the block's inputs): the leader signs it, L1 judges equivocation on it,
//! and it binds the block's inputs before they run. The **EVM header** is Ethereum's, over what
//! the inputs did; it is the one the JSON-RPC serves. The inputs are the force-queue entries the
//! block consumes (a deposit of the portal runs as a deposit transaction, anything else as the
//! signed transaction it should be) and the signed transactions of the batch, in that order;
//! an input that is invalid on its turn is in the signed header but not in the EVM block.
//!
//! Derivation is the truth: a record's blocks are rebuilt from L1 data alone. A stored block at
//! the same number whose signed header and fee recipient equal the derived one's is the same
//! block (the EVM block is a function of the parent state and exactly those), so it is kept
//! without running anything; at the first that differs, the stored blocks from there on are
//! unwound, their transactions go back to the pool, and the record's blocks are run instead.

use crate::{
    chain::{ChainError, ChainEvent, L2Chain},
    entries::entry_tx,
    records::record_blocks,
};
use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use baton_core::{
    BlockHeader, DeriveError, QueueEntry, RecordInput,
    batch::encoded_tx_len,
    derive::check_entries,
    l2::{SignedBlock, block_hash, genesis_header, queue_entry_hash, tx_root},
};
use baton_evm::{BlockTx, BuiltBlock, Skipped, build_block};
use baton_state::{L1Head, Sequencing, StoreError};
use std::{collections::HashMap, sync::Arc};

/// What a block is built from besides its transactions.
#[derive(Clone, Copy, Debug)]
pub struct BlockInputs<'a> {
    /// The leader's epoch.
    pub epoch: u64,
    /// The signed header's timestamp (the EVM header's is never below its parent's).
    pub timestamp: u64,
    /// Who receives the priority fees (the zero address in a forced record).
    pub fee_recipient: Address,
    /// The force-queue entries the block consumes first, from the head's cursor on.
    pub entries: &'a [QueueEntry],
}

/// Limits on what a leader takes from the pool into one block (what the record that carries it
/// has room for).
#[derive(Clone, Copy, Debug)]
pub struct BlockRoom {
    /// Signed transactions at most.
    pub transactions: usize,
    /// Bytes of batch data at most (`encoded_tx_len` of each transaction).
    pub batch_bytes: usize,
}

impl BlockRoom {
    /// No limit but the block's gas.
    pub const GAS_ONLY: Self = Self {
        transactions: usize::MAX,
        batch_bytes: usize::MAX,
    };
}

/// A block stored on the chain, as the sequencing layer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBlock {
    /// The signed header (to sign, or as checked).
    pub header: BlockHeader,
    /// Its hash.
    pub hash: B256,
    /// The EVM header stored.
    pub evm: Header,
    /// The signed transactions the block carries, in order (what a record posts of it).
    pub transactions: Vec<Bytes>,
}

/// What sealing a block did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The block.
    pub block: ChainBlock,
    /// Pooled transactions dropped because they cannot run (invalid on their turn, or
    /// overtaken by their sender's nonce).
    pub dropped: usize,
}

/// What deriving a record did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Derived {
    /// Its blocks that were stored already, preconfirmed, and are now settled as they were.
    pub kept: u64,
    /// Its blocks run from L1 data (none was stored, or the stored one differed).
    pub executed: u64,
    /// Stored blocks the record contradicted, unwound; their transactions went back to the
    /// pool where still valid.
    pub unwound: u64,
}

/// Why a block or a record does not extend the chain (nothing is stored).
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// It is not the block after the head.
    #[error("block {got} does not follow the head, block {head}")]
    NotNext {
        /// Its number.
        got: u64,
        /// The head's.
        head: u64,
    },
    /// Its inputs on this chain give another signed header.
    #[error(
        "block {number}: its inputs on this chain give header {derived}, not the signed {signed}"
    )]
    HeaderMismatch {
        /// Its number.
        number: u64,
        /// The hash the inputs give.
        derived: B256,
        /// The signed header's.
        signed: B256,
    },
    /// The record (or the block's force-queue entries) does not continue the chain.
    #[error(transparent)]
    Derive(#[from] DeriveError),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl From<StoreError> for BlockError {
    fn from(error: StoreError) -> Self {
        Self::Chain(error.into())
    }
}

/// The leaves of a signed header's transaction root: the hashes of a block's inputs, its
/// force-queue entries first.
fn input_hashes(entries: &[QueueEntry], transactions: &[Bytes]) -> Vec<B256> {
    entries
        .iter()
        .map(|e| queue_entry_hash(&e.data))
        .chain(transactions.iter().map(keccak256))
        .collect()
}

impl L2Chain {
    /// Block `number`'s signed header, rebuilt from what the chain stores (block 0's is
    /// [`genesis_header`]); `None` above the head or for a block stored without one.
    pub fn signed_header(&self, number: u64) -> Result<Option<BlockHeader>, StoreError> {
        if number == 0 {
            return Ok(Some(genesis_header(self.spec().chain_id)));
        }
        let (Some(s), Some(parent)) =
            (self.db().sequencing(number)?, self.signed_hash(number - 1)?)
        else {
            return Ok(None);
        };
        Ok(Some(BlockHeader {
            chainId: U256::from(self.spec().chain_id),
            number,
            parentHash: parent,
            epoch: s.epoch,
            timestamp: s.timestamp,
            txRoot: s.tx_root,
        }))
    }

    /// The hashes of block `number`'s inputs (the leaves of its signed header's transaction
    /// root), if it was stored with them.
    pub fn block_inputs(&self, number: u64) -> Result<Option<Vec<B256>>, StoreError> {
        self.db().block_inputs(number)
    }

    /// The hash of block `number`'s signed header.
    fn signed_hash(&self, number: u64) -> Result<Option<B256>, StoreError> {
        if number == 0 {
            return Ok(Some(block_hash(&genesis_header(self.spec().chain_id))));
        }
        Ok(self.db().sequencing(number)?.map(|s| s.hash))
    }

    /// The next force-queue entry after block `number` (at the settled head: the cursor the
    /// next record continues from).
    pub fn force_cursor_after(&self, number: u64) -> Result<u64, StoreError> {
        if number == 0 {
            return Ok(0);
        }
        Ok(self.db().sequencing(number)?.map_or(0, |s| s.force_cursor))
    }

    /// The next force-queue entry the head's successor consumes.
    pub fn force_cursor(&self) -> Result<u64, StoreError> {
        self.force_cursor_after(self.head().number)
    }

    /// How far derived records settle the chain (`safe` and `finalized` in the JSON-RPC).
    pub fn l1_head(&self) -> Result<L1Head, StoreError> {
        self.db().l1_head()
    }

    /// The last block final for the JSON-RPC's `safe` and `finalized`: the last block of the
    /// last derived record on a chain settled by L1, the head on a chain without L1.
    pub fn settled_head(&self) -> Result<u64, StoreError> {
        match self.portal() {
            Some(_) => Ok(self.l1_head()?.block),
            None => Ok(self.head().number),
        }
    }

    /// The signed header of the block after block `parent` over `inputs` whose hashes are
    /// `hashes`.
    fn signed_header_after(
        &self,
        parent: u64,
        inputs: &BlockInputs<'_>,
        hashes: &[B256],
    ) -> Result<BlockHeader, ChainError> {
        let parent_hash = self.signed_hash(parent)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "block {parent} has no signed header: a chain sealed without one cannot be \
                 sequenced"
            ))
        })?;
        Ok(BlockHeader {
            chainId: U256::from(self.spec().chain_id),
            number: parent + 1,
            parentHash: parent_hash,
            epoch: inputs.epoch,
            timestamp: inputs.timestamp,
            txRoot: tx_root(hashes),
        })
    }

    /// Runs `txs` (the entries' transactions, then signed ones) as the block after the head.
    fn build(&self, inputs: &BlockInputs<'_>, txs: &[BlockTx]) -> Result<BuiltBlock, ChainError> {
        // Timestamps never go back on the EVM chain, whatever the signed header says
        // (`build_block` takes the parent's time if the block's is earlier).
        build_block(
            self.spec(),
            self.head(),
            self.db(),
            inputs.timestamp,
            inputs.fee_recipient,
            txs,
        )
        .map_err(|e| match e {
            baton_evm::ReadError::Store(store) => ChainError::Store(store),
            other => ChainError::Store(StoreError::Corrupt(other.to_string())),
        })
    }

    /// Stores a built block under its signed header, whose transaction root is over `hashes`
    /// (the block's inputs), and tells subscribers.
    fn store(
        &mut self,
        built: &BuiltBlock,
        header: BlockHeader,
        hashes: &[B256],
        entries: usize,
        transactions: Vec<Bytes>,
    ) -> Result<ChainBlock, ChainError> {
        let hash = block_hash(&header);
        let sequencing = Sequencing {
            hash,
            epoch: header.epoch,
            timestamp: header.timestamp,
            tx_root: header.txRoot,
            force_cursor: self.force_cursor()? + entries as u64,
        };
        let evm = self.db_mut().append_sequenced(built, &sequencing, hashes)?;
        self.set_head(evm.clone());
        Ok(ChainBlock {
            header,
            hash,
            evm,
            transactions,
        })
    }

    /// Every pooled sender's nonce at the head (read once, so a database error is an error).
    fn pool_nonces(&self) -> Result<HashMap<Address, u64>, StoreError> {
        self.pool()
            .senders()
            .map(|sender| Ok((sender, self.account_nonce(sender)?)))
            .collect()
    }

    /// Seals the block after the head (a leader): the entries first, then pooled transactions,
    /// best paying first, as many as the block's gas and `room` take. A transaction that does
    /// not fit stays pooled; one that is invalid on its turn is left out and dropped, and so is
    /// any its sender's nonce has passed. The signed header covers exactly what the block
    /// holds, so deriving its record later runs the same block.
    pub fn seal_block(
        &mut self,
        inputs: &BlockInputs<'_>,
        room: BlockRoom,
    ) -> Result<Sealed, BlockError> {
        check_entries(inputs.entries, self.force_cursor()?)?;
        let base_fee = self.next_base_fee();
        let nonces = self.pool_nonces()?;
        // No block holds more transactions than its gas limit buys at 21,000 each: the rest of
        // the pool waits without being looked at.
        let most = usize::try_from(self.spec().gas_limit / 21_000)
            .unwrap_or(usize::MAX)
            .min(room.transactions);
        let mut bytes = 0usize;
        let candidates: Vec<_> = self
            .pool()
            .ordered(base_fee, |sender| nonces.get(&sender).copied().unwrap_or(0))
            .into_iter()
            .take_while(|tx| {
                bytes = bytes.saturating_add(encoded_tx_len(tx.raw.len()));
                bytes <= room.batch_bytes
            })
            .take(most)
            .map(|tx| {
                (
                    tx.hash,
                    tx.sender,
                    tx.nonce,
                    tx.raw.clone(),
                    tx.decoded.clone(),
                )
            })
            .collect();
        let entries = inputs.entries.len();
        let mut txs: Vec<BlockTx> = inputs
            .entries
            .iter()
            .map(|e| entry_tx(e, self.portal()))
            .collect();
        txs.extend(
            candidates
                .iter()
                .map(|(_, _, _, raw, tx)| BlockTx::Recovered {
                    raw: raw.clone(),
                    tx: tx.clone(),
                }),
        );
        let built = self.build(inputs, &txs)?;
        // The signed header covers what ran: every entry, and the pooled transactions included.
        let carried: Vec<Bytes> = built
            .included
            .iter()
            .filter(|i| i.input >= entries)
            .map(|i| candidates[i.input - entries].3.clone())
            .collect();
        let hashes = input_hashes(inputs.entries, &carried);
        let header = self.signed_header_after(self.head().number, inputs, &hashes)?;
        let block = self.store(&built, header, &hashes, entries, carried)?;
        for included in built.included.iter().filter(|i| i.input >= entries) {
            self.pool_mut()
                .remove(&candidates[included.input - entries].0);
        }
        let mut dropped = 0;
        for (input, why) in &built.skipped {
            if matches!(why, Skipped::BlockFull { .. }) || *input < entries {
                continue;
            }
            let (hash, sender, nonce, _, _) = &candidates[input - entries];
            if self.account_nonce(*sender)? == *nonce {
                self.pool_mut().remove(hash);
                dropped += 1;
            }
        }
        dropped += self.prune_pool()?;
        self.announce(&block);
        Ok(Sealed { block, dropped })
    }

    /// [`L2Chain::seal_block`] for a lone sequencer (`baton evm-dev`): epoch 0, no force
    /// queue, no record to fit.
    pub fn seal(&mut self, timestamp: u64, beneficiary: Address) -> Result<Sealed, BlockError> {
        let inputs = BlockInputs {
            epoch: 0,
            timestamp,
            fee_recipient: beneficiary,
            entries: &[],
        };
        self.seal_block(&inputs, BlockRoom::GAS_ONLY)
    }

    /// Drops pooled transactions their senders' nonces have passed; returns how many.
    fn prune_pool(&mut self) -> Result<usize, StoreError> {
        let nonces = self.pool_nonces()?;
        Ok(self
            .pool_mut()
            .prune(|sender| nonces.get(&sender).copied().unwrap_or(0)))
    }

    fn announce(&self, block: &ChainBlock) {
        // No subscriber is not an error.
        let _ = self
            .events_sender()
            .send(ChainEvent::Block(Arc::new(block.evm.clone())));
    }

    /// Runs a block from its inputs as the block after the head and stores it: `entries` are
    /// the queue entries it consumes, `transactions` its signed ones.
    fn apply(
        &mut self,
        inputs: &BlockInputs<'_>,
        transactions: &[Bytes],
    ) -> Result<ChainBlock, ChainError> {
        let hashes = input_hashes(inputs.entries, transactions);
        let header = self.signed_header_after(self.head().number, inputs, &hashes)?;
        let mut txs: Vec<BlockTx> = inputs
            .entries
            .iter()
            .map(|e| entry_tx(e, self.portal()))
            .collect();
        txs.extend(transactions.iter().cloned().map(BlockTx::Signed));
        let built = self.build(inputs, &txs)?;
        let block = self.store(
            &built,
            header,
            &hashes,
            inputs.entries.len(),
            transactions.to_vec(),
        )?;
        for tx in &built.included {
            self.pool_mut().remove(&tx.hash);
        }
        self.prune_pool()?;
        self.announce(&block);
        Ok(block)
    }

    /// Replays a leader's signed block after the head (a node following the leader's stream).
    /// The signed header is checked against the block's inputs before anything runs:
    /// `entries` are the queue entries `block.entries` names. The signature is the caller's to
    /// check.
    pub fn follow(
        &mut self,
        block: &SignedBlock,
        entries: &[QueueEntry],
    ) -> Result<ChainBlock, BlockError> {
        let head = self.head().number;
        if block.header.number != head + 1 {
            return Err(BlockError::NotNext {
                got: block.header.number,
                head,
            });
        }
        check_entries(entries, self.force_cursor()?)?;
        let inputs = BlockInputs {
            epoch: block.header.epoch,
            timestamp: block.header.timestamp,
            fee_recipient: block.fee_recipient,
            entries,
        };
        let hashes = input_hashes(entries, &block.transactions);
        let derived = block_hash(&self.signed_header_after(head, &inputs, &hashes)?);
        let signed = block_hash(&block.header);
        if derived != signed {
            return Err(BlockError::HeaderMismatch {
                number: block.header.number,
                derived,
                signed,
            });
        }
        Ok(self.apply(&inputs, &block.transactions)?)
    }

    /// Derives BatchInbox record `index` (the next one) on the chain: keeps the stored blocks
    /// it settles as they are, unwinds from the first it contradicts and runs its blocks from
    /// L1 data instead (module documentation). On a refused record nothing changes.
    pub fn derive_record(
        &mut self,
        index: u64,
        record: &RecordInput<'_>,
    ) -> Result<Derived, BlockError> {
        let settled = self.l1_head()?;
        if index != settled.records {
            return Err(StoreError::Corrupt(format!(
                "record {index} derived after {} records: records are derived in order",
                settled.records
            ))
            .into());
        }
        let cursor = self.force_cursor_after(settled.block)?;
        record.check(self.spec().chain_id, settled.block + 1, cursor)?;
        let header = record.header;
        let mut derived = Derived::default();
        let mut unwound = false;
        for block in record_blocks(record) {
            let (number, transactions) = (block.number, block.transactions);
            let inputs = BlockInputs {
                epoch: header.epoch,
                timestamp: block.timestamp,
                fee_recipient: block.fee_recipient,
                entries: block.entries,
            };
            if !unwound && self.head().number >= number {
                // Is the stored block this one? Its signed header binds its parent, number,
                // epoch, timestamp and inputs; the fee recipient is the rest of what it ran on.
                let hashes = input_hashes(inputs.entries, transactions);
                let expected =
                    block_hash(&self.signed_header_after(number - 1, &inputs, &hashes)?);
                let stored = self.db().sequencing(number)?.map(|s| s.hash);
                let beneficiary = self.db().header(number)?.map(|h| h.beneficiary);
                let same = stored == Some(expected) && beneficiary == Some(block.fee_recipient);
                if same {
                    derived.kept += 1;
                    continue;
                }
                derived.unwound = self.unwind_requeue(number - 1)?;
                unwound = true;
            }
            self.apply(&inputs, transactions)?;
            derived.executed += 1;
        }
        self.db_mut().record_derived(index, header.lastBlock)?;
        Ok(derived)
    }

    /// Unwinds the chain to block `number` and offers the unwound blocks' signed transactions
    /// to the pool again (those still valid on the new head return). Returns how many blocks
    /// were unwound.
    fn unwind_requeue(&mut self, number: u64) -> Result<u64, ChainError> {
        let head = self.head().number;
        if head <= number {
            return Ok(0);
        }
        let (mut raw, mut removed) = (Vec::new(), Vec::new());
        for n in (number + 1..=head).rev() {
            let header = self
                .db()
                .header(n)?
                .ok_or_else(|| StoreError::Corrupt(format!("block {n} has no header")))?;
            let txs = self.db().block_transactions(n)?;
            removed.extend(
                crate::convert::block_logs(&header, &txs)
                    .into_iter()
                    .flatten(),
            );
            raw.push(
                txs.into_iter()
                    .filter(|tx| tx.tx_type() != baton_evm::DEPOSIT_TX_TYPE)
                    .map(|tx| tx.encoded),
            );
        }
        for log in &mut removed {
            log.removed = true;
        }
        self.db_mut().unwind_to(number)?;
        let header = self
            .db()
            .header(number)?
            .ok_or_else(|| StoreError::Corrupt(format!("block {number} has no header")))?;
        self.set_head(header);
        // No subscriber is not an error.
        let _ = self
            .events_sender()
            .send(ChainEvent::Unwound(Arc::new(removed)));
        self.prune_pool()?;
        // Oldest block first, so that each sender's nonces come back in order.
        for tx in raw.into_iter().rev().flatten() {
            // Best effort: a transaction the new head makes invalid is simply gone.
            let _ = self.submit(&tx);
        }
        Ok(head - number)
    }

    /// Unwinds every block no derived record holds (a leader's preconfirmed blocks that will
    /// not reach L1), returning their transactions to the pool. Returns how many were unwound.
    pub fn drop_unsettled(&mut self) -> Result<u64, ChainError> {
        let settled = self.l1_head()?.block;
        self.unwind_requeue(settled)
    }

    /// Forgets the derived records from `index` on (L1 reorganised them away): their blocks
    /// stay, preconfirmed only, until the records derived again settle or replace them.
    pub fn forget_records_from(&mut self, index: u64) -> Result<(), ChainError> {
        Ok(self.db_mut().forget_records_from(index)?)
    }
}
