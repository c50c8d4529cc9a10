//! The guest (keepers/guest, built by `./script/guest`) under the emulator: for every ledger
//! vector it accepts the native post-state root and rejects any other, reading the state through
//! the preimage channel from the host's preimages. Steps per transaction are printed
//! (`--nocapture`) for docs/vm.md.

use alloy_primitives::B256;
use baton_core::ledger::{L2Tx, vectors};
use baton_vm::{Machine, Program, Status};
use std::{path::PathBuf, sync::OnceLock};

/// The guest ELF `./script/guest` built.
fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let path = guest_path();
        let elf = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run ./script/guest first (./script/test does)",
                path.display()
            )
        });
        Program::load(&elf).expect("the guest is a VM program")
    })
}

fn guest_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../out/guest/baton-guest.elf")
}

/// Runs the guest on one claim to its end.
fn run(key: B256, preimages: &baton_core::ledger::preimages::PreimageMap) -> Machine {
    let mut machine = program().boot(key);
    machine
        .run(preimages, 1 << 32)
        .expect("the host has every preimage the guest reads");
    machine
}

#[test]
fn the_guest_accepts_exactly_the_native_root_for_every_vector() {
    let mut steps = Vec::new();
    for case in vectors::cases() {
        let mut state = case.pre.build();
        let mut after = state.clone();
        let outcome = after.apply(&case.config, &case.block, &case.tx);
        let post = after.root();

        let (input, preimages) = state.guest_claim(&case.config, &case.block, &case.tx, post);
        let machine = run(input.key(), &preimages);
        assert_eq!(
            machine.status,
            Status::Exited(0),
            "{}: the true root is refused",
            case.name
        );
        steps.push((
            case.name.clone(),
            outcome.is_ok(),
            matches!(case.tx, L2Tx::Deposit { .. }),
            machine.step,
        ));

        let wrong = B256::repeat_byte(0x77);
        let (input, preimages) = state.guest_claim(&case.config, &case.block, &case.tx, wrong);
        let machine = run(input.key(), &preimages);
        assert_eq!(
            machine.status,
            Status::Exited(1),
            "{}: a wrong root is accepted",
            case.name
        );
    }
    for (name, applied, deposit, n) in &steps {
        println!("{n:>10} steps  applied={applied:<5} deposit={deposit:<5} {name}");
    }
}
