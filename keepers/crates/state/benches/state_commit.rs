//! The state on disk at size: builds a file of `BATON_BENCH_ACCOUNTS` accounts (default
//! 100,000) with two storage slots each, then commits blocks shaped like ERC-20 transfers (per
//! transfer: the sender's nonce and balance, the token's two balance slots), and reports:
//! - the time to commit a block, state root included, against computing the root over the whole
//!   state again (what a node without an incremental trie would do);
//! - the time to reopen the file and read its root (a restart);
//! - the time to produce an `eth_getProof` for one account and one slot.
//!
//! `cargo bench -p baton-state --bench state_commit` (release build).

use alloy_primitives::{Address, U256, keccak256};
use baton_evm::{AccountChange, AccountInfo, StateDiff};
use baton_state::StateDb;
use std::time::Instant;

fn address(i: u64) -> Address {
    Address::from_word(keccak256(i.to_be_bytes()))
}

fn main() {
    let accounts: u64 = std::env::var("BATON_BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let transfers_per_block = 200u64;
    let blocks = 20u64;
    let path =
        std::env::temp_dir().join(format!("baton-bench-state-{}.sqlite", std::process::id()));
    let token = address(u64::MAX);

    let started = Instant::now();
    let mut db = StateDb::open(&path).expect("open");
    for chunk in (0..accounts).collect::<Vec<_>>().chunks(10_000) {
        let mut diff = StateDiff::default();
        for &i in chunk {
            let storage = [
                (U256::from(0), U256::from(i + 1)),
                (U256::from(1), U256::from(i * 2 + 1)),
            ]
            .into_iter()
            .collect();
            diff.accounts.insert(
                address(i),
                AccountChange::Updated {
                    info: AccountInfo {
                        nonce: 1,
                        balance: U256::from(10u64).pow(U256::from(18)),
                        ..Default::default()
                    },
                    storage_cleared: false,
                    storage,
                },
            );
        }
        db.commit(&diff).expect("commit");
    }
    let built = started.elapsed();
    println!("state: {accounts} accounts with 2 slots each, written in {built:.1?}");

    let mut commit_ms = Vec::new();
    for block in 0..blocks {
        let mut diff = StateDiff::default();
        let mut token_slots = std::collections::BTreeMap::new();
        for t in 0..transfers_per_block {
            let from = (block * 7_919 + t * 104_729) % accounts;
            let to = (from + 1 + t) % accounts;
            diff.accounts.insert(
                address(from),
                AccountChange::Updated {
                    info: AccountInfo {
                        nonce: 2 + block,
                        balance: U256::from(10u64).pow(U256::from(18)) - U256::from(block + 1),
                        ..Default::default()
                    },
                    storage_cleared: false,
                    storage: Default::default(),
                },
            );
            // The token's balances mapping: slot keccak(holder . 0).
            for holder in [from, to] {
                token_slots.insert(
                    mapping_slot(address(holder), 0),
                    U256::from(block * 1_000 + t + 1),
                );
            }
        }
        diff.accounts.insert(
            token,
            AccountChange::Updated {
                info: AccountInfo {
                    nonce: 1,
                    ..Default::default()
                },
                storage_cleared: false,
                storage: token_slots,
            },
        );
        let started = Instant::now();
        db.commit(&diff).expect("commit");
        commit_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    commit_ms.sort_by(f64::total_cmp);
    let median = commit_ms[commit_ms.len() / 2];
    println!(
        "commit of a block of {transfers_per_block} ERC-20-shaped transfers ({} accounts, {} token slots), root included: median {median:.1} ms, max {:.1} ms over {blocks} blocks",
        transfers_per_block + 1,
        transfers_per_block * 2,
        commit_ms.last().expect("blocks")
    );

    let started = Instant::now();
    let whole = db.recompute_root().expect("recompute");
    let recompute = started.elapsed();
    assert_eq!(
        whole,
        db.root().expect("root"),
        "the incremental root is the whole root"
    );
    println!(
        "the root over the whole state, computed again from the rows: {:.0} ms ({:.0}x a block's commit)",
        recompute.as_secs_f64() * 1e3,
        recompute.as_secs_f64() * 1e3 / median
    );
    drop(db);

    let started = Instant::now();
    let db = StateDb::open(&path).expect("reopen");
    let root = db.root().expect("root");
    println!(
        "reopen and read the root: {:.1?} ({root})",
        started.elapsed()
    );

    let started = Instant::now();
    let proofs = 100;
    for i in 0..proofs {
        let proof = db.proof(address(i * 31), &[U256::ZERO]).expect("proof");
        assert!(!proof.account_proof.is_empty());
    }
    println!(
        "eth_getProof of one account and one slot: {:.2} ms each",
        started.elapsed().as_secs_f64() * 1e3 / f64::from(proofs as u32)
    );
    drop(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The slot of `mapping(address => uint)` at slot `p` for `holder`, as Solidity lays it out:
/// `keccak256(pad32(holder) . pad32(p))`.
fn mapping_slot(holder: Address, p: u64) -> U256 {
    let mut preimage = [0u8; 64];
    preimage[12..32].copy_from_slice(holder.as_slice());
    preimage[56..64].copy_from_slice(&p.to_be_bytes());
    U256::from_be_bytes(keccak256(preimage).0)
}
