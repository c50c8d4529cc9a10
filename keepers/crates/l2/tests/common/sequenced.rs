//! The sequenced chain's test fixtures: a chain settled by L1 with a portal, queue entries,
//! the leader's signed stream and the records L1 would hold.

use super::{CHAIN_ID, GWEI, key, transfer};
use alloy::primitives::{Address, B256, Bytes, U256, address};
use baton_core::{
    BatchHeader, QueueEntry, RecordLimits,
    batch::{L2Block, RecordContext},
    check_record,
    l2::SignedBlock,
    ledger::L2Tx,
};
use baton_evm::{
    BaseFeeParams, ChainSpec, FEE_VAULT_PREDEPLOY, queue_accumulate, queue_commitment,
};
use baton_l2::{BlockInputs, ChainBlock, L2Chain, PoolConfig};
use std::path::Path;

pub const PORTAL: Address = address!("000000000000000000000000000000000000b0a1");
pub const LEADER_FEES: Address = address!("00000000000000000000000000000000000b470e");
pub const DEPOSITED_TO: Address = address!("00000000000000000000000000000000000d0d0d");
pub const NOT_MINTED_TO: Address = address!("00000000000000000000000000000000000bad00");
pub const SPEC: ChainSpec = ChainSpec {
    chain_id: CHAIN_ID,
    gas_limit: 30_000_000,
    base_fee_params: BaseFeeParams::ETHEREUM,
    genesis_base_fee: GWEI as u64,
    fee_vault: FEE_VAULT_PREDEPLOY,
};

pub fn open(path: &Path) -> L2Chain {
    L2Chain::open(path, SPEC, &super::genesis(), 0, PoolConfig::default())
        .unwrap()
        .with_portal(PORTAL)
}

/// Queue entries 0..3: a portal deposit, a transfer key 2 forced through L1, and a
/// deposit-shaped entry enqueued by someone other than the portal, each with the queue's
/// accumulator before it.
pub fn entries() -> Vec<QueueEntry> {
    let mut entries = vec![
        QueueEntry {
            index: 0,
            sender: PORTAL,
            data: L2Tx::deposit_entry(DEPOSITED_TO, U256::from(7 * GWEI)).into(),
            accumulator_before: B256::ZERO,
        },
        QueueEntry {
            index: 1,
            sender: key(2).address(),
            data: transfer(2, 0, GWEI),
            accumulator_before: B256::ZERO,
        },
        QueueEntry {
            index: 2,
            sender: key(2).address(),
            data: L2Tx::deposit_entry(NOT_MINTED_TO, U256::from(GWEI)).into(),
            accumulator_before: B256::ZERO,
        },
    ];
    let mut accumulator = B256::ZERO;
    for entry in &mut entries {
        entry.accumulator_before = accumulator;
        accumulator = queue_accumulate(accumulator, queue_commitment(entry.sender, &entry.data));
    }
    entries
}

/// What the leader streams of a block it sealed (its signature is not the chain's to check).
pub fn signed(block: &ChainBlock, entries: &[QueueEntry]) -> SignedBlock {
    SignedBlock {
        header: block.header.clone(),
        signature: Bytes::new(),
        fee_recipient: LEADER_FEES,
        entries: entries.iter().map(|e| e.index).collect(),
        transactions: block.transactions.clone(),
    }
}

pub fn inputs(epoch: u64, timestamp: u64, entries: &[QueueEntry]) -> BlockInputs<'_> {
    BlockInputs {
        epoch,
        timestamp,
        fee_recipient: LEADER_FEES,
        entries,
    }
}

/// The record posting `blocks` (the first consuming `entries`), decoded as derivation reads it.
pub fn record(blocks: &[ChainBlock], force_index: u64) -> (BatchHeader, baton_core::Batch) {
    let context = RecordContext {
        chain_id: U256::from(CHAIN_ID),
        epoch: blocks[0].header.epoch,
        first_block: blocks[0].header.number,
        prev_record_hash: B256::ZERO,
        force_index,
        fee_recipient: LEADER_FEES,
    };
    let l2_blocks: Vec<L2Block> = blocks
        .iter()
        .map(|b| L2Block {
            timestamp: b.header.timestamp,
            transactions: b.transactions.clone(),
        })
        .collect();
    let (header, data) = context.seal(&l2_blocks).unwrap();
    let batch = check_record(&header, &data, &RecordLimits::UNLIMITED).unwrap();
    (header, batch)
}

/// The header of a forced record (epoch 2) of block `number` consuming the queue up to
/// `force_index`, as the inbox emits it.
pub fn forced_header(number: u64, force_index: u64) -> BatchHeader {
    BatchHeader {
        chainId: U256::from(CHAIN_ID),
        epoch: 2,
        firstBlock: number,
        lastBlock: number,
        forceIndex: force_index,
        ..Default::default()
    }
}

pub fn evm_headers(chain: &L2Chain) -> Vec<alloy::consensus::Header> {
    (0..=chain.head().number)
        .map(|n| chain.db().header(n).unwrap().unwrap())
        .collect()
}
