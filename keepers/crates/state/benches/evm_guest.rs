//! The EVM guest (keepers/guest-evm) on the witness test's block
//! (`tests/common/scenario.rs`: ERC-20 transfers, a contract deployed and called, withdrawals,
//! an invalid transaction, a revert), one transaction at a time as a dispute ends. Per
//! transaction it prints: VM steps; the keeper's time to run it over a recording of its state
//! and build the claim with its preimages; the claim checked natively; the emulator's fast mode
//! (best of five, one core); and proof mode: recording a trace with a snapshot every 2^20 steps,
//! the claim at the middle step, and that step's witness (what a keeper needs to answer any move).
//!
//! `cargo bench -p baton-state --bench evm_guest` after `forge build` and `./script/guest`;
//! docs/evm.md records the figures.

#[path = "../tests/common/mod.rs"]
mod common;

use baton_evm::PartialState;
use baton_vm::Trace;
use common::scenario::{guest, keeper_step, oracle, prepared, witness_block};
use std::time::{Duration, Instant};

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
}
