//! The L2's execution with state roots beside revm alone, on the same blocks of ERC-20 transfers
//! (OpenZeppelin's ERC20: `test/bench/BenchToken.sol`; run `forge build` first).
//!
//! - **baton**: each block through `BlockExecutor` over the state on disk (`StateDb`, SQLite,
//!   WAL, `synchronous = FULL`), then `commit`: every account and storage root and the state
//!   root, written durably, once per block.
//! - **revm alone**: the same transactions with `transact_commit` on revm's in-memory `CacheDB`:
//!   no root, no disk.
//!
//! Both run the same setup (the token deployed, the supply handed to every holder) untimed, and
//! must end with the same token balances. `BATON_BENCH_HOLDERS` (default 2,000),
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
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

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

/// The token's creation code with its constructor argument.
fn token_initcode(supply: U256) -> Bytes {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../out/BenchToken.sol/BenchToken.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run `forge build` at the repository root first",
            path.display()
        )
    });
    let artifact: serde_json::Value = serde_json::from_str(&text).expect("a forge artifact");
    let hex = artifact["bytecode"]["object"]
        .as_str()
        .expect("bytecode.object");
    let mut code = alloy_primitives::hex::decode(hex).expect("hex bytecode");
    code.extend_from_slice(&supply.to_be_bytes::<32>());
    code.into()
}

/// `transfer(to, amount)`.
fn transfer(to: Address, amount: U256) -> Bytes {
    let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(to.as_slice());
    data.extend_from_slice(&amount.to_be_bytes::<32>());
    data.into()
}

/// `balanceOf(who)`.
fn balance_of(who: Address) -> Bytes {
    let mut data = vec![0x70, 0xa0, 0x82, 0x31];
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(who.as_slice());
    data.into()
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

fn main() {
    let holders = env_or("BATON_BENCH_HOLDERS", 2_000);
    let blocks = env_or("BATON_BENCH_BLOCKS", 20);
    let block_txs = env_or("BATON_BENCH_BLOCK_TXS", 500);
    let deployer = holder(0);
    let token = deployer.create(0);
    let share = U256::from(1_000_000u64);
    let mut nonces = vec![0u64; holders as usize];

    // Setup, untimed: the token, then one block handing a share to every holder.
    let mut setup = vec![vec![tx(
        deployer,
        0,
        TxKind::Create,
        token_initcode(share * U256::from(holders)),
        3_000_000,
    )]];
    nonces[0] = 1;
    setup.push(
        (1..holders)
            .map(|i| {
                nonces[0] += 1;
                tx(
                    deployer,
                    nonces[0] - 1,
                    TxKind::Call(token),
                    transfer(holder(i), share),
                    100_000,
                )
            })
            .collect(),
    );
    // The timed blocks: each sender sends once per block, to a holder 7 places on.
    let timed: Vec<Vec<TxEnv>> = (0..blocks)
        .map(|b| {
            (0..block_txs)
                .map(|t| {
                    let from = (b * block_txs + t) % holders;
                    let to = (from + 7) % holders;
                    let nonce = nonces[from as usize];
                    nonces[from as usize] += 1;
                    tx(
                        holder(from),
                        nonce,
                        TxKind::Call(token),
                        transfer(holder(to), U256::from(1 + t % 5)),
                        100_000,
                    )
                })
                .collect()
        })
        .collect();

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
    run_baton(&mut db, &setup, 1);
    let (baton_gas, executing, committing) = run_baton(&mut db, &timed, 3);
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
    run_revm(&setup, 1);
    let started = Instant::now();
    let revm_gas = run_revm(&timed, 3);
    let revm_time = started.elapsed();
    assert_eq!(baton_gas, revm_gas, "both ran the same transactions");

    // The same balances on both sides.
    for i in [0, 1, holders / 2, holders - 1] {
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
        assert_eq!(ours, theirs, "holder {i}'s balance");
    }

    let mgas = |gas: u64, secs: f64| gas as f64 / secs / 1e6;
    let txs = blocks * block_txs;
    let (b, r) = (baton_time.as_secs_f64(), revm_time.as_secs_f64());
    println!(
        "{txs} ERC-20 transfers in {blocks} blocks of {block_txs}, {holders} holders, {:.1} Mgas",
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
