//! The L2's execution with state roots beside revm alone, on the same blocks of ERC-20 transfers
//! and swaps (OpenZeppelin's ERC20: `test/bench/BenchToken.sol`; run `forge build` first).
//!
//! - **baton**: each block through `BlockExecutor` over the state on disk (`StateDb`, SQLite,
//!   WAL, `synchronous = FULL`), then `commit`: every account and storage root and the state
//!   root, written durably, once per block.
//! - **revm alone**: the same transactions with `transact_commit` on revm's in-memory `CacheDB`:
//!   no root, no disk.
//!
//! Two workloads: ERC-20 transfers alone, and the same with one transaction in five a swap
//! through a Uniswap-V2-style pair (`test/bench/BenchPair.sol`). Both sides run the same setup
//! (the tokens and the pair deployed, a share of each token to every holder, liquidity, the
//! holders' approvals) untimed, and must end with the same token balances. `BATON_BENCH_HOLDERS` (default 2,000),
//! `BATON_BENCH_BLOCKS` (default 20) and `BATON_BENCH_BLOCK_TXS` (default 500) size the run.
//!
//! `cargo bench -p baton-state --bench evm_blocks` (release build).

use alloy_primitives::{Address, Bytes, TxKind, U256, keccak256};
use baton_evm::{
    BlockExecutor, Rules, StateReader,
    revm::{
        Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext,
        context::{BlockEnv, CfgEnv, TxEnv},
        database::{CacheDB, EmptyDB},
        primitives::hardfork::SpecId,
        state::AccountInfo,
    },
};
use baton_state::StateDb;
use common::{artifact, scenario::call};
use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;

const CHAIN_ID: u64 = 901;
const RULES: Rules = Rules {
    chain_id: CHAIN_ID,
    fee_vault: Some(Address::new([0xba; 20])),
    blob_transactions: false,
};
const GWEI: u128 = 1_000_000_000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn holder(i: u64) -> Address {
    Address::from_word(keccak256(i.to_be_bytes()))
}

fn word(value: impl Into<U256>) -> [u8; 32] {
    value.into().to_be_bytes()
}

/// Creation code with its constructor arguments (forge's build, metadata kept: the arguments
/// are read from after it).
fn initcode(contract: &str, args: &[[u8; 32]]) -> Bytes {
    let mut code = artifact(contract, "bytecode");
    for arg in args {
        code.extend_from_slice(arg);
    }
    code.into()
}

/// `transfer(to, amount)`.
fn transfer(to: Address, amount: U256) -> Bytes {
    call(
        "transfer(address,uint256)",
        &[to.into_word().0, word(amount)],
    )
    .into()
}

/// `balanceOf(who)`.
fn balance_of(who: Address) -> Bytes {
    call("balanceOf(address)", &[who.into_word().0]).into()
}

fn tx(from: Address, nonce: u64, kind: TxKind, data: Bytes, gas_limit: u64) -> TxEnv {
    TxEnv::builder()
        .tx_type(Some(2))
        .caller(from)
        .kind(kind)
        .data(data)
        .gas_limit(gas_limit)
        .gas_price(3 * GWEI)
        .gas_priority_fee(Some(GWEI))
        .nonce(nonce)
        .chain_id(Some(CHAIN_ID))
        .build_fill()
}

fn block_env(number: u64) -> BlockEnv {
    BlockEnv {
        number: U256::from(number),
        beneficiary: Address::new([0xc0; 20]),
        timestamp: U256::from(1_700_000_000 + number),
        gas_limit: 1_000_000_000,
        basefee: GWEI as u64,
        ..Default::default()
    }
}

/// One workload's blocks: the untimed setup and the timed blocks, as transactions.
struct Workload {
    setup: Vec<Vec<TxEnv>>,
    timed: Vec<Vec<TxEnv>>,
    /// The tokens whose balances both sides must agree on.
    tokens: Vec<Address>,
    transfers: u64,
    swaps: u64,
}

/// Token A (and, with swaps, token B and an A/B pair with liquidity, which every holder
/// approves), a share of each for every holder; then `blocks` timed blocks of `block_txs`
/// transactions where each sender sends once per block: an ERC-20 transfer to the holder 7
/// places on, or, every `swap_every`th transaction, a swap through the pair (alternating sides).
fn workload(holders: u64, blocks: u64, block_txs: u64, swap_every: u64) -> Workload {
    let deployer = holder(0);
    let share = U256::from(1_000_000u64);
    let supply = share * U256::from(holders + 1_000);
    let (token_a, token_b, pair) = (deployer.create(0), deployer.create(1), deployer.create(2));
    let mut nonces = vec![0u64; holders as usize];
    let next = |nonces: &mut Vec<u64>, i: u64| {
        nonces[i as usize] += 1;
        nonces[i as usize] - 1
    };
    let swaps = swap_every > 0;
    let mut deploy = vec![tx(
        deployer,
        next(&mut nonces, 0),
        TxKind::Create,
        initcode("BenchToken", &[word(supply)]),
        3_000_000,
    )];
    if swaps {
        deploy.push(tx(
            deployer,
            next(&mut nonces, 0),
            TxKind::Create,
            initcode("BenchToken", &[word(supply)]),
            3_000_000,
        ));
        deploy.push(tx(
            deployer,
            next(&mut nonces, 0),
            TxKind::Create,
            initcode("BenchPair", &[token_a.into_word().0, token_b.into_word().0]),
            3_000_000,
        ));
    }
    let tokens: Vec<Address> = if swaps {
        vec![token_a, token_b]
    } else {
        vec![token_a]
    };
    let mut shares = Vec::new();
    for token in &tokens {
        for i in 1..holders {
            shares.push(tx(
                deployer,
                next(&mut nonces, 0),
                TxKind::Call(*token),
                transfer(holder(i), share),
                100_000,
            ));
        }
    }
    let mut setup = vec![deploy, shares];
    if swaps {
        // Liquidity: the deployer's remaining 1,000 shares of each token, then `sync`.
        let mut liquidity: Vec<TxEnv> = tokens
            .iter()
            .map(|token| {
                let amount = share * U256::from(1_000u64);
                tx(
                    deployer,
                    next(&mut nonces, 0),
                    TxKind::Call(*token),
                    transfer(pair, amount),
                    100_000,
                )
            })
            .collect();
        liquidity.push(tx(
            deployer,
            next(&mut nonces, 0),
            TxKind::Call(pair),
            call("sync()", &[]).into(),
            200_000,
        ));
        setup.push(liquidity);
        let approvals = (1..holders)
            .flat_map(|i| tokens.iter().map(move |token| (i, *token)))
            .map(|(i, token)| {
                let data = call(
                    "approve(address,uint256)",
                    &[pair.into_word().0, word(U256::MAX)],
                );
                tx(
                    holder(i),
                    next(&mut nonces, i),
                    TxKind::Call(token),
                    data.into(),
                    100_000,
                )
            })
            .collect();
        setup.push(approvals);
    }
    let (mut transfers, mut swapped) = (0, 0);
    let timed = (0..blocks)
        .map(|b| {
            (0..block_txs)
                .map(|t| {
                    // Holder 0 is the deployer, who holds no share after the setup.
                    let from = 1 + (b * block_txs + t) % (holders - 1);
                    let nonce = next(&mut nonces, from);
                    if swaps && t % swap_every == swap_every - 1 {
                        swapped += 1;
                        let zero_for_one = (b + t) % 2 == 0;
                        let data = call(
                            "swapExactIn(bool,uint256,uint256,address)",
                            &[
                                word(U256::from(u8::from(zero_for_one))),
                                word(U256::from(1_000 + t)),
                                word(U256::from(1)),
                                holder(from).into_word().0,
                            ],
                        );
                        tx(
                            holder(from),
                            nonce,
                            TxKind::Call(pair),
                            data.into(),
                            200_000,
                        )
                    } else {
                        transfers += 1;
                        let to = 1 + (from + 6) % (holders - 1);
                        tx(
                            holder(from),
                            nonce,
                            TxKind::Call(token_a),
                            transfer(holder(to), U256::from(1 + t % 5)),
                            100_000,
                        )
                    }
                })
                .collect()
        })
        .collect();
    Workload {
        setup,
        timed,
        tokens,
        transfers,
        swaps: swapped,
    }
}

fn main() {
    let holders = env_or("BATON_BENCH_HOLDERS", 2_000);
    let blocks = env_or("BATON_BENCH_BLOCKS", 20);
    let block_txs = env_or("BATON_BENCH_BLOCK_TXS", 500);
    for (name, swap_every) in [
        ("ERC-20 transfers", 0),
        ("ERC-20 transfers with one swap in five", 5),
    ] {
        let workload = workload(holders, blocks, block_txs, swap_every);
        println!("== {name}");
        compare(&workload, holders, blocks, block_txs);
    }
}

/// Runs `workload` through baton and through revm alone, checks they agree, prints the figures.
fn compare(workload: &Workload, holders: u64, blocks: u64, block_txs: u64) {
    let Workload {
        setup,
        timed,
        tokens,
        transfers,
        swaps,
    } = workload;
    // baton: BlockExecutor over the state on disk, a commit with roots per block.
    let path = std::env::temp_dir().join(format!("baton-bench-evm-{}.sqlite", std::process::id()));
    let mut db = StateDb::open(&path).expect("open");
    let mut genesis = baton_evm::StateDiff::default();
    for i in 0..holders {
        genesis.set_info(
            holder(i),
            baton_evm::AccountInfo {
                balance: U256::from(10u64).pow(U256::from(18)),
                ..Default::default()
            },
        );
    }
    db.commit(&genesis).expect("genesis");
    // Gas, and the time spent executing and committing.
    let run_baton = |db: &mut StateDb, blocks: &[Vec<TxEnv>], first: u64| {
        let (mut gas, mut executing, mut committing) = (0, Duration::ZERO, Duration::ZERO);
        for (i, txs) in blocks.iter().enumerate() {
            let started = Instant::now();
            let mut block = BlockExecutor::new(&*db, RULES, block_env(first + i as u64));
            for tx in txs {
                let included = block.transaction(tx.clone()).expect("a valid transaction");
                assert!(included.success, "transaction reverted");
            }
            let outcome = block.finish();
            gas += outcome.gas_used;
            executing += started.elapsed();
            let started = Instant::now();
            db.commit(&outcome.diff).expect("commit");
            committing += started.elapsed();
        }
        (gas, executing, committing)
    };
    run_baton(&mut db, setup, 1);
    let first = 1 + setup.len() as u64;
    let (baton_gas, executing, committing) = run_baton(&mut db, timed, first);
    let baton_time = executing + committing;

    // revm alone: the same transactions on its in-memory database, committed after each.
    let mut cache = CacheDB::new(EmptyDB::default());
    for i in 0..holders {
        cache.insert_account_info(
            holder(i),
            AccountInfo {
                balance: U256::from(10u64).pow(U256::from(18)),
                ..Default::default()
            },
        );
    }
    let mut evm = Context::mainnet()
        .with_db(cache)
        .with_cfg(CfgEnv::new_with_spec(SpecId::CANCUN).with_chain_id(CHAIN_ID))
        .with_block(block_env(1))
        .build_mainnet();
    let mut run_revm = |blocks: &[Vec<TxEnv>], first: u64| -> u64 {
        let mut gas = 0;
        for (i, txs) in blocks.iter().enumerate() {
            evm.ctx.block = block_env(first + i as u64);
            for tx in txs {
                let result = evm
                    .transact_commit(tx.clone())
                    .expect("a valid transaction");
                assert!(result.is_success(), "transaction reverted");
                gas += result.tx_gas_used();
            }
        }
        gas
    };
    run_revm(setup, 1);
    let started = Instant::now();
    let revm_gas = run_revm(timed, first);
    let revm_time = started.elapsed();
    assert_eq!(baton_gas, revm_gas, "both ran the same transactions");

    // The same balances on both sides.
    for (token, i) in tokens
        .iter()
        .flat_map(|token| [0, 1, holders / 2, holders - 1].map(|i| (*token, i)))
    {
        let call = tx(
            holder(i),
            0,
            TxKind::Call(token),
            balance_of(holder(i)),
            100_000,
        );
        let ours = baton_evm::execute_transaction(
            &db,
            &RULES,
            &block_env(0),
            TxEnv {
                nonce: db.account(holder(i)).unwrap().unwrap().nonce,
                ..call.clone()
            },
        )
        .expect("balanceOf")
        .output;
        let theirs = evm
            .transact(TxEnv {
                nonce: evm.ctx.journaled_state.database.cache.accounts[&holder(i)]
                    .info
                    .nonce,
                ..call
            })
            .expect("balanceOf")
            .result
            .into_output()
            .expect("output");
        assert_eq!(ours, theirs, "holder {i}'s balance of {token}");
    }

    let mgas = |gas: u64, secs: f64| gas as f64 / secs / 1e6;
    let txs = blocks * block_txs;
    let (b, r) = (baton_time.as_secs_f64(), revm_time.as_secs_f64());
    println!(
        "{transfers} ERC-20 transfers and {swaps} swaps in {blocks} blocks of {block_txs}, {holders} holders, {:.1} Mgas",
        baton_gas as f64 / 1e6
    );
    println!(
        "baton (BlockExecutor + StateDb commit with every root, per block): {:.0} ms, {:.1} Mgas/s, {:.0} tx/s",
        b * 1e3,
        mgas(baton_gas, b),
        txs as f64 / b
    );
    println!(
        "revm alone (CacheDB in memory, no root): {:.0} ms, {:.1} Mgas/s, {:.0} tx/s",
        r * 1e3,
        mgas(revm_gas, r),
        txs as f64 / r
    );
    println!(
        "  of which executing (revm over the state on disk): {:.0} ms, committing (diff and roots): {:.0} ms",
        executing.as_secs_f64() * 1e3,
        committing.as_secs_f64() * 1e3
    );
    println!("baton / revm: {:.2}x revm's gas/s", r / b);
    drop(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
