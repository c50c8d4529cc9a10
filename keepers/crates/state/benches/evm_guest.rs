//! The EVM guest (keepers/guest-evm) on the witness test's block
//! (`tests/common/scenario.rs`: ERC-20 transfers, a contract deployed and called, withdrawals,
//! an invalid transaction, a revert), one transaction at a time as a dispute ends. Per
//! transaction it prints: VM steps; the keeper's time to run it over a recording of its state
//! and build the claim with its preimages; the claim checked natively; the emulator's fast mode
//! (best of five, one core); and proof mode: recording a trace with a snapshot every 2^20 steps,
//! the claim at the middle step, and that step's witness (what a keeper needs to answer any move).
//!
//! Then a whole stored block: the time `StateDb::block_claims` takes to replay a block of
//! ERC-20 transfers from its parent's state and make every transaction's claim with its
//! preimages (what a keeper does when a game reaches that block).
//!
//! Then whole blocks of 50 and 500 ERC-20 transfers as one `BlockClaim` each (the dispute over
//! blocks): the keeper's claim, the guest's steps and speed, proof mode over the long run, and
//! a whole bisection answered from a trace focused on the disputed segment.
//!
//! `cargo bench -p baton-state --bench evm_guest` after `forge build` and `./script/guest`;
//! docs/evm.md records the figures.

#[path = "../tests/common/mod.rs"]
mod common;

use alloy_primitives::{B256, Bytes, TxKind, U256};
use baton_evm::{
    BaseFeeParams, BlockTx, ChainSpec, ClaimChain, ClaimInputs, FEE_VAULT_PREDEPLOY, PartialState,
    build_block,
};
use baton_state::{StateDb, genesis_diff};
use baton_vm::Trace;
use common::{
    artifact,
    scenario::{
        CHAIN_ID, USER, call, guest, holder, keeper_step, oracle, prepared, signed, witness_block,
    },
};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let (mut db, token) = prepared();
    let program = guest();
    let mut root = db.root().unwrap();
    let mut keeper = PartialState::new(root, &mut db);
    println!(
        "{:<62} {:>10} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}",
        "transaction",
        "steps",
        "keeper ms",
        "native ms",
        "Minstr/s",
        "trace ms",
        "claim@k",
        "witness"
    );
    for (what, raw) in witness_block(token) {
        let start = Instant::now();
        let step = keeper_step(&mut keeper, root, &raw);
        let keeper_time = start.elapsed();

        let start = Instant::now();
        assert_eq!(step.claim.post_root(step.preimages.clone()), step.after);
        let native = start.elapsed();

        let oracle = oracle(&step.claim, &step.preimages);
        let mut best = Duration::MAX;
        let mut steps = 0;
        for _ in 0..5 {
            let mut machine = program.boot(step.claim.key());
            let start = Instant::now();
            steps = machine.run(&oracle, u64::MAX).expect("preimages");
            best = best.min(start.elapsed());
            assert_eq!(machine.status, baton_vm::Status::Exited(0));
        }
        let speed = steps as f64 / best.as_secs_f64() / 1e6;

        let start = Instant::now();
        let trace = Trace::record(program.boot(step.claim.key()), &oracle, 1 << 20, 1 << 40)
            .expect("preimages");
        let record = start.elapsed();
        let k = steps / 2;
        let start = Instant::now();
        let claim = trace.at(k, &oracle).expect("preimages").claim();
        let at = start.elapsed();
        let start = Instant::now();
        let witness = trace
            .at(k, &oracle)
            .expect("preimages")
            .witness(&oracle)
            .expect("preimages");
        let witness_time = start.elapsed();
        assert_eq!(baton_vm::claim_hash(&witness.state), claim);

        println!(
            "{what:<62} {steps:>10} {:>9.2} {:>9.2} {speed:>8.1} {:>9.0} {:>9.1} {:>9.1}",
            ms(keeper_time),
            ms(native),
            ms(record),
            ms(at),
            ms(witness_time)
        );
        if let Ok(executed) = &step.outcome {
            keeper.apply(&executed.diff).unwrap();
        }
        root = step.after;
    }

    block_claims_of_a_stored_block(500);
    for transfers in [50, 500] {
        whole_block_claim(transfers);
    }
}

/// A whole block of `transfers` ERC-20 transfers as the dispute over blocks ends on it
/// (`BlockClaim`): the keeper's time to make the claim with its preimages, the guest's steps and
/// speed, then proof mode with a snapshot every 2^24 steps (the pages one snapshot holds, the
/// time to record the trace) and the claim and witness of the middle step.
fn whole_block_claim(transfers: u64) {
    let (db, spec, txs) = erc20_chain(transfers);
    let inputs = ClaimInputs {
        timestamp: db.header(2).unwrap().unwrap().timestamp,
        beneficiary: holder(USER),
        first_entry: 0,
        accumulator_before: B256::ZERO,
        entries: vec![],
        record_txs: &txs,
        first_tx: 0,
        block_txs: txs.len(),
    };
    let start = Instant::now();
    let (claim, preimages) = db
        .block_claim(ClaimChain::of(&spec, None), 2, &inputs)
        .unwrap();
    let keeper = start.elapsed();
    assert_eq!(
        claim.claimed_hash,
        db.header(2).unwrap().unwrap().hash_slow()
    );
    let mut oracle: HashMap<B256, Vec<u8>> = preimages.into_iter().collect();
    oracle.insert(claim.key(), claim.encode());
    let program = guest();
    let mut machine = program.boot(claim.key());
    let start = Instant::now();
    let steps = machine.run(&oracle, u64::MAX).expect("preimages");
    let run = start.elapsed();
    assert_eq!(machine.status, baton_vm::Status::Exited(0));
    let interval = 1 << 24;
    let start = Instant::now();
    let trace =
        Trace::record(program.boot(claim.key()), &oracle, interval, 1 << 40).expect("preimages");
    let record = start.elapsed();
    let k = steps / 2;
    let start = Instant::now();
    let mut middle = trace.at(k, &oracle).expect("preimages");
    let witness = middle.clone().witness(&oracle).expect("preimages");
    let answer = start.elapsed();
    assert_eq!(baton_vm::claim_hash(&witness.state), middle.claim());
    // The same questions as a bisection asks them, the trace focused on the disputed segment
    // (64 snapshots) each round: its total replay time and what it holds at most.
    let target = steps / 3;
    let (mut lo, mut hi) = (0, steps);
    let mut focused = trace.clone();
    let (mut held, mut held_pages, mut rounds) = (0, 0, 0);
    let start = Instant::now();
    while hi - lo > 1 {
        focused.focus(lo, hi, 64, &oracle).expect("preimages");
        held = held.max(focused.snapshots());
        held_pages = held_pages.max(focused.held_pages());
        let mid = lo + (hi - lo) / 2;
        focused.at(mid, &oracle).expect("preimages");
        if mid <= target {
            lo = mid;
        } else {
            hi = mid;
        }
        rounds += 1;
    }
    let bisection = start.elapsed();
    println!(
        "a block of {transfers} ERC-20 transfers: keeper's claim {:.0} ms; {steps} VM steps \
         ({:.2} M a transfer), {:.1} s at {:.1} M instr/s; trace with {} snapshots of up to {} \
         pages, {} distinct pages held ({} MiB) recorded in {:.1} s; the middle step's claim and \
         witness in {:.0} ms",
        ms(keeper),
        steps as f64 / transfers as f64 / 1e6,
        run.as_secs_f64(),
        steps as f64 / run.as_secs_f64() / 1e6,
        trace.snapshots(),
        machine.cpu.mem.pages(),
        trace.held_pages(),
        trace.held_pages() * 4096 / (1 << 20),
        record.as_secs_f64(),
        ms(answer)
    );
    println!(
        "  bisected to step {lo} in {rounds} rounds, the trace focused each round: {:.1} s in all, \
         at most {held} snapshots held, {held_pages} distinct pages ({} MiB)",
        bisection.as_secs_f64(),
        held_pages * 4096 / (1 << 20)
    );
}

/// A chain whose block 2 holds `transfers` ERC-20 transfers among 100 holders (block 1 deploys
/// the token and funds them); its spec and block 2's transactions.
fn erc20_chain(transfers: u64) -> (StateDb, ChainSpec, Vec<Bytes>) {
    let spec = ChainSpec {
        chain_id: CHAIN_ID,
        gas_limit: 100_000_000,
        base_fee_params: BaseFeeParams::ETHEREUM,
        genesis_base_fee: 1_000_000_000,
        fee_vault: FEE_VAULT_PREDEPLOY,
    };
    let ether = U256::from(10u64).pow(U256::from(19));
    let alloc = (0..100).chain([USER]).map(|i| (holder(i), ether)).collect();
    let mut db = StateDb::in_memory().unwrap();
    let genesis = genesis_diff(&alloc, holder(USER)).unwrap();
    let mut head = db.init_chain(&spec, &genesis, 1_700_000_000).unwrap();
    let transfer = |to: u64, amount: u64| {
        call(
            "transfer(address,uint256)",
            &[holder(to).into_word().0, U256::from(amount).to_be_bytes()],
        )
    };
    let mut initcode = artifact("BenchToken", "bytecode");
    initcode.extend_from_slice(&U256::from(1_000_000_000u64).to_be_bytes::<32>());
    let token = holder(USER).create(0);
    let mut setup = vec![signed(USER, 0, TxKind::Create, U256::ZERO, initcode)];
    setup.extend((0..100).map(|i| {
        signed(
            USER,
            1 + i,
            TxKind::Call(token),
            U256::ZERO,
            transfer(i, 1_000_000),
        )
    }));
    let mut nonces = [0u64; 100];
    let timed: Vec<Bytes> = (0..transfers)
        .map(|t| {
            let from = t % 100;
            nonces[from as usize] += 1;
            let data = transfer((from + 7) % 100, 1 + t % 5);
            signed(
                from,
                nonces[from as usize] - 1,
                TxKind::Call(token),
                U256::ZERO,
                data,
            )
        })
        .collect();
    for txs in [&setup, &timed] {
        let inputs: Vec<BlockTx> = txs.iter().cloned().map(BlockTx::Signed).collect();
        let built =
            build_block(&spec, &head, &db, head.timestamp + 1, holder(USER), &inputs).unwrap();
        assert!(built.skipped.is_empty());
        head = db.append_block(&built).unwrap();
    }
    (db, spec, timed)
}

/// Times making the claims of every transaction of a stored block of `transfers` ERC-20
/// transfers.
fn block_claims_of_a_stored_block(transfers: u64) {
    let (db, spec, _) = erc20_chain(transfers);
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let start = Instant::now();
        count = db.block_claims(&spec, 2).unwrap().len();
        best = best.min(start.elapsed());
    }
    println!(
        "block_claims of a stored block of {count} ERC-20 transfers: {:.0} ms (best of 3), {:.2} ms a transaction",
        ms(best),
        ms(best) / count as f64
    );
}
