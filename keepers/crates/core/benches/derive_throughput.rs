//! Re-deriving the L2 chain from L1 data: records of signed transfers, encoded as the BatchInbox
//! holds them, replayed through `Chain::apply_record` the way a node re-derives its chain at
//! start-up or after a reorg (batch data decoded and checked, every transaction decoded and its
//! sender recovered, state and tx roots computed per block).
//!
//! `cargo bench -p baton-core --bench derive_throughput -- [accounts] [transactions] [txs per block] [blocks per record]`
//! (defaults 10,000 / 50,000 / 500 / 4). Figures go to docs/benchmarks.md by hand.

use alloy_primitives::{Address, B256, Bytes, U256};
use baton_core::{
    BatchHeader, L2Block, RecordContext, RecordLimits, check_record,
    derive::{Chain, RecordInput},
    ledger::{
        Account, LedgerConfig, LedgerState,
        testkit::{TxFields, bench_arg, test_signer},
    },
};
use std::time::Instant;

const CONFIG: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: 1_000_000_000,
};

fn main() {
    let (accounts, transactions, per_block, blocks_per_record) = (
        bench_arg(0, 10_000),
        bench_arg(1, 50_000),
        bench_arg(2, 500),
        bench_arg(3, 4),
    );
    let signers: Vec<_> = (0..accounts as u64).map(test_signer).collect();
    let balance = U256::from(10u64).pow(U256::from(24u8));
    let genesis = LedgerState::with_accounts(
        signers
            .iter()
            .map(|s| (s.address(), Account { balance, nonce: 0 })),
    );
    let signing = Instant::now();
    let mut nonces = vec![0u64; accounts];
    let txs: Vec<Bytes> = (0..transactions)
        .map(|i| {
            let from = (i * 7919) % accounts;
            let to = signers[(i * 104_729 + 1) % accounts].address();
            let tx = TxFields::transfer(
                CONFIG.chain_id,
                nonces[from],
                to,
                U256::from(1_000u64),
                2_000_000_000,
            )
            .sign(&signers[from]);
            nonces[from] += 1;
            tx
        })
        .collect();
    eprintln!(
        "signed {transactions} transfers in {:.1?}",
        signing.elapsed()
    );

    // Encode the records a leader would have posted.
    let mut records: Vec<(BatchHeader, Bytes)> = Vec::new();
    let mut prev = B256::ZERO;
    let mut next_block = 1u64;
    for chunk in txs.chunks(per_block * blocks_per_record) {
        let blocks: Vec<L2Block> = chunk
            .chunks(per_block)
            .enumerate()
            .map(|(i, t)| L2Block {
                timestamp: 1_700_000_000 + next_block + i as u64,
                transactions: t.to_vec(),
            })
            .collect();
        let context = RecordContext {
            chain_id: U256::from(CONFIG.chain_id),
            epoch: 1,
            first_block: next_block,
            prev_record_hash: prev,
            force_index: 0,
            fee_recipient: Address::repeat_byte(0xfe),
        };
        let (header, data) = context.seal(&blocks).expect("encodes");
        prev = header.record_hash();
        next_block = header.lastBlock + 1;
        records.push((header, data));
    }

    let mut chain = Chain::new(genesis, CONFIG, Address::repeat_byte(0x90));
    let started = Instant::now();
    let mut applied = 0usize;
    for (header, data) in &records {
        let batch = check_record(header, data, &RecordLimits::UNLIMITED).expect("valid record");
        let input = RecordInput {
            header,
            batch: Some(&batch),
            entries: &[],
            l1_timestamp: 0,
        };
        for block in chain.apply_record(&input).expect("derives") {
            applied += block.txs.iter().filter(|t| t.outcome.is_ok()).count();
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(applied, transactions, "every transfer applies");
    println!(
        "| re-derivation | {accounts} accounts | {transactions} transfers | {} records of {blocks_per_record} × {per_block} | {:.2?} | **{:.0} tx/s** |",
        records.len(),
        elapsed,
        transactions as f64 / elapsed.as_secs_f64()
    );
}
