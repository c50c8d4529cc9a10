//! Emulator speed on the real program: the guest checking ledger transactions (a transfer, a
//! withdrawal, a deposit). Prints, per transaction: VM steps; fast-mode speed in instructions
//! per second (best of several runs, one core); and proof mode: the time to record a trace with
//! snapshots, to answer "the claim at step k" for a step in the middle, and to make that step's
//! witness. `cargo bench -p baton-vm --bench emulator` (after ./script/guest); docs/vm.md
//! records the figures.

use alloy_primitives::B256;
use baton_core::ledger::vectors;
use baton_vm::{Program, Trace};
use std::time::{Duration, Instant};

fn main() {
    let elf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../out/guest/baton-guest.elf"
    ))
    .expect("run ./script/guest first");
    let program = Program::load(&elf).expect("a VM program");
    println!(
        "{:<28} {:>11} {:>12} {:>10} {:>12} {:>10}",
        "transaction", "steps", "fast Minstr/s", "trace ms", "claim@k ms", "witness ms"
    );
    for name in [
        "transfer",
        "withdrawal_to_sender",
        "deposit_to_existing_account",
    ] {
        let case = vectors::cases()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no vector {name}"));
        let mut state = case.pre.build();
        let mut after = state.clone();
        let _ = after.apply(&case.config, &case.block, &case.tx);
        let (input, preimages) =
            state.guest_claim(&case.config, &case.block, &case.tx, after.root());

        // Fast mode: the whole run, best of five.
        let mut best = Duration::MAX;
        let mut steps = 0;
        for _ in 0..5 {
            let mut machine = program.boot(input.key());
            let start = Instant::now();
            steps = machine.run(&preimages, u64::MAX).expect("preimages");
            best = best.min(start.elapsed());
        }
        let speed = steps as f64 / best.as_secs_f64() / 1e6;

        // Proof mode: a trace with a snapshot every 2^20 steps, then the middle step.
        let start = Instant::now();
        let trace = Trace::record(program.boot(input.key()), &preimages, 1 << 20, 1 << 40).unwrap();
        let record = start.elapsed();
        let k = steps / 2;
        let start = Instant::now();
        let claim: B256 = trace.at(k, &preimages).unwrap().claim();
        let at = start.elapsed();
        let start = Instant::now();
        let witness = trace
            .at(k, &preimages)
            .unwrap()
            .witness(&preimages)
            .unwrap();
        let wit = start.elapsed();
        assert_eq!(baton_vm::claim_hash(&witness.state), claim);
        println!(
            "{name:<28} {steps:>11} {speed:>12.1} {:>10.0} {:>12.1} {:>10.1}",
            record.as_secs_f64() * 1e3,
            at.as_secs_f64() * 1e3,
            wit.as_secs_f64() * 1e3
        );
    }
}
