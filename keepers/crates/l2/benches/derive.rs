//! What a node pays to settle blocks from L1 on the EVM chain (`sequenced.rs`), release build,
//! one thread, real SQLite files in a temp dir:
//!
//! 1. **Seal**: a leader admits `records × blocks` blocks of `transfers` ETH transfers each
//!    (distinct senders, to new accounts) to its pool, recovering their senders, and seals
//!    them.
//! 2. **Follow**: a node replays the leader's signed blocks (each sender recovered again).
//! 3. **Derive**: a node that saw nothing derives the records from their batch data.
//! 4. **Settle**: the leader derives its own records: every block is already stored with the
//!    same signed header, so nothing runs.
//!
//! Figures: transfers per second and Mgas/s for 1–3, microseconds per block for 4.
//!
//! `cargo bench -p baton-l2 --bench derive -- [records] [blocks per record] [transfers per block]`
//! (defaults 10 / 5 / 200). Figures go to docs/benchmarks.md by hand.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Address, B256, Bytes, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
};
use baton_core::{BatchHeader, RecordInput, batch::Batch, l2::SignedBlock};
use baton_l2::{BlockInputs, BlockRoom, L2Chain, PoolConfig};
use std::{collections::BTreeMap, path::Path, time::Instant};

// The sequenced chain tests' fixtures: the chain's parameters and the record L1 would hold.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{
    CHAIN_ID, GWEI,
    sequenced::{LEADER_FEES as LEADER, SPEC, record},
};

fn arg(index: usize, default: u64) -> u64 {
    std::env::args()
        .filter(|a| !a.starts_with("--"))
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn key(i: u64) -> PrivateKeySigner {
    let mut bytes = [0u8; 32];
    bytes[24..].copy_from_slice(&(i + 1).to_be_bytes());
    PrivateKeySigner::from_bytes(&bytes.into()).unwrap()
}

fn transfer(key: &PrivateKeySigner, nonce: u64, to: Address) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: TxKind::Call(to),
        value: U256::from(1),
        access_list: Default::default(),
        input: Default::default(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into()
}

fn open(path: &Path, senders: &[PrivateKeySigner]) -> L2Chain {
    let alloc: BTreeMap<Address, U256> = senders
        .iter()
        .map(|k| (k.address(), U256::from(10u128.pow(20))))
        .collect();
    let genesis = baton_state::genesis_diff(&alloc, Address::repeat_byte(0xfe)).unwrap();
    L2Chain::open(path, SPEC, &genesis, 0, PoolConfig::default())
        .unwrap()
        .with_portal(Address::repeat_byte(0xa1))
}

fn derive_all(chain: &mut L2Chain, records: &[(BatchHeader, Batch)]) -> (u64, u64) {
    let (mut kept, mut executed) = (0, 0);
    for (index, (header, batch)) in records.iter().enumerate() {
        let input = RecordInput {
            header,
            batch: Some(batch),
            entries: &[],
            l1_timestamp: 0,
        };
        let derived = chain.derive_record(index as u64, &input).unwrap();
        kept += derived.kept;
        executed += derived.executed;
    }
    (kept, executed)
}

fn report(what: &str, started: Instant, transfers: u64, gas: u64) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{what:<8} {transfers} transfers in {seconds:.2} s: {:.0} tx/s, {:.1} Mgas/s",
        transfers as f64 / seconds,
        gas as f64 / seconds / 1e6
    );
}

fn main() {
    let (records, blocks_per_record, per_block) = (arg(1, 10), arg(2, 5), arg(3, 200));
    let blocks = records * blocks_per_record;
    let transfers = blocks * per_block;
    let gas = transfers * 21_000;
    println!(
        "{records} records × {blocks_per_record} blocks × {per_block} ETH transfers ({per_block} senders, new recipients)"
    );
    let senders: Vec<PrivateKeySigner> = (0..per_block).map(key).collect();
    let signed: Vec<Vec<Bytes>> = (0..blocks)
        .map(|b| {
            senders
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    transfer(
                        k,
                        b,
                        Address::from_word(B256::from(U256::from(b * per_block + i as u64 + 1))),
                    )
                })
                .collect()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();

    // 1. The leader seals.
    let mut leader = open(&dir.path().join("leader.sqlite"), &senders);
    let mut sealed = Vec::new();
    let started = Instant::now();
    for (b, txs) in signed.iter().enumerate() {
        for raw in txs {
            leader.submit(raw).unwrap();
        }
        let inputs = BlockInputs {
            epoch: 1,
            timestamp: 1 + b as u64,
            fee_recipient: LEADER,
            entries: &[],
        };
        let block = leader
            .seal_block(&inputs, BlockRoom::GAS_ONLY)
            .unwrap()
            .block;
        assert_eq!(block.transactions.len() as u64, per_block);
        sealed.push(block);
    }
    report("seal", started, transfers, gas);
    let records: Vec<(BatchHeader, Batch)> = sealed
        .chunks(blocks_per_record as usize)
        .map(|blocks| record(blocks, 0))
        .collect();

    // 2. A follower replays the signed stream.
    let mut follower = open(&dir.path().join("follower.sqlite"), &senders);
    let started = Instant::now();
    for block in &sealed {
        let stream = SignedBlock {
            header: block.header.clone(),
            signature: Bytes::new(),
            fee_recipient: LEADER,
            entries: Vec::new(),
            transactions: block.transactions.clone(),
        };
        follower.follow(&stream, &[]).unwrap();
    }
    report("follow", started, transfers, gas);
    assert_eq!(follower.head(), leader.head());

    // 3. A node that saw nothing derives the records.
    let mut deriver = open(&dir.path().join("deriver.sqlite"), &senders);
    let started = Instant::now();
    let (kept, executed) = derive_all(&mut deriver, &records);
    report("derive", started, transfers, gas);
    assert_eq!((kept, executed), (0, blocks));
    assert_eq!(deriver.head(), leader.head());

    // 4. The leader settles its own records.
    let started = Instant::now();
    let (kept, executed) = derive_all(&mut leader, &records);
    let micros = started.elapsed().as_secs_f64() * 1e6;
    assert_eq!((kept, executed), (blocks, 0));
    println!(
        "settle   {blocks} preconfirmed blocks kept in {:.1} ms: {:.0} µs per block ({:.1} µs per transfer)",
        micros / 1e3,
        micros / blocks as f64,
        micros / transfers as f64
    );
}
