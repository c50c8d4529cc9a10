//! The emulator against a reference CPU on the real program: Debian's `qemu-riscv64` runs the
//! guest ELF one instruction per block and logs every instruction's pc; the emulator must
//! execute the same pc sequence and end with the same exit code.
//!
//! qemu-user has no preimage oracle, but the guest's channel is plain `write(3, key, 32)` and
//! `read(4, …)` with every read inside one 32-byte leaf, so a file holding the preimages the
//! emulator served, framed and in the order asked, answers the same bytes in the same counts.
//! A sample of the ledger vectors runs in CI (each is millions of instructions logged);
//! `BATON_VM_QEMU_ALL=1` runs them all.

use alloy_primitives::B256;
use baton_core::ledger::{preimages::PreimageMap, vectors};
use baton_vm::{
    Machine, Program, Status,
    machine::{FD_PREIMAGE_KEY, SYS_WRITE, framed},
};
use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
};

fn guest_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../out/guest/baton-guest.elf")
}

/// Whether the machine is about to write a preimage key.
fn writes_key(machine: &Machine) -> bool {
    let word = machine.cpu.mem.read(machine.cpu.pc, 4);
    word == 0x73 && machine.cpu.reg(17) == SYS_WRITE && machine.cpu.reg(10) == FD_PREIMAGE_KEY
}

/// The preimages the guest reads, framed, in the order it asks for them.
fn channel_stream(program: &Program, key: B256, preimages: &PreimageMap) -> (Vec<u8>, u64) {
    let mut machine = program.boot(key);
    let mut stream = Vec::new();
    while machine.status == Status::Running {
        let asks = writes_key(&machine);
        machine.step(preimages).expect("every preimage is there");
        if asks {
            stream.extend(framed(&preimages[&machine.preimage_key]));
        }
    }
    let Status::Exited(code) = machine.status else {
        panic!("the guest trapped: {:?}", machine.status)
    };
    (stream, code)
}

/// Runs the guest under qemu and the emulator in lockstep; returns the instructions compared.
fn compare(program: &Program, key: B256, preimages: &PreimageMap, name: &str) -> u64 {
    let (stream, code) = channel_stream(program, key, preimages);
    let dir = std::env::temp_dir().join(format!("baton-qemu-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("preimages.bin");
    std::fs::write(&data, &stream).unwrap();
    // qemu logs each executed block to stderr; one instruction per block with -singlestep.
    let mut qemu = Command::new("bash")
        .arg("-c")
        .arg(r#"exec qemu-riscv64 -singlestep -d exec,nochain "$0" 3>/dev/null 4<"$1""#)
        .arg(guest_path())
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu-riscv64 runs (./script/guest installs qemu-user)");
    let log = BufReader::new(qemu.stderr.take().unwrap());
    let mut machine = program.boot(key);
    let mut executed = 0u64;
    for line in log.lines() {
        let line = line.unwrap();
        let Some(fields) = line.strip_prefix("Trace ") else {
            continue;
        };
        // "Trace 0: 0x… [cs_base/pc/flags/cflags] …"
        let pc = fields
            .split('[')
            .nth(1)
            .and_then(|f| f.split('/').nth(1))
            .and_then(|pc| u64::from_str_radix(pc, 16).ok())
            .unwrap_or_else(|| panic!("unreadable qemu trace line: {line}"));
        assert_eq!(
            machine.cpu.pc, pc,
            "{name}: instruction {executed}: the emulator is at {:#x}, qemu at {pc:#x}",
            machine.cpu.pc
        );
        machine.step(preimages).expect("every preimage is there");
        executed += 1;
    }
    let status = qemu.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        machine.status,
        Status::Exited(code),
        "{name}: the emulator did not end where qemu did"
    );
    assert_eq!(
        status.code(),
        Some(code as i32),
        "{name}: exit codes differ"
    );
    assert_eq!(executed, machine.step, "{name}: qemu logged every step");
    executed
}

#[test]
fn the_emulator_follows_qemu_instruction_by_instruction() {
    let elf = std::fs::read(guest_path()).expect("run ./script/guest first (./script/test does)");
    let program = Program::load(&elf).unwrap();
    let all = std::env::var("BATON_VM_QEMU_ALL").is_ok_and(|v| v == "1");
    // A malformed transaction, a deposit, an unrecoverable signature, a transfer, a rejected
    // nonce and a wrong claim: every path of the guest, at a cost CI bears.
    let sample = [
        "malformed_outer_string",
        "deposit_overflow",
        "signature_unrecoverable_r",
        "transfer",
        "nonce_too_high",
    ];
    let mut compared = 0;
    for case in vectors::cases() {
        if !all && !sample.contains(&case.name.as_str()) {
            continue;
        }
        let mut state = case.pre.build();
        let mut after = state.clone();
        let _ = after.apply(&case.config, &case.block, &case.tx);
        // The true root for each; a wrong one too for the cheapest (the path differs only at
        // the final comparison).
        let wrong = (case.name == sample[0]).then_some(B256::repeat_byte(0x77));
        for claimed in std::iter::once(after.root()).chain(wrong) {
            let (input, preimages) =
                state.guest_claim(&case.config, &case.block, &case.tx, claimed);
            let n = compare(&program, input.key(), &preimages, &case.name);
            println!("{n:>10} instructions match qemu: {}", case.name);
        }
        compared += 1;
    }
    if !all {
        assert_eq!(compared, sample.len(), "every sampled vector exists");
    }
}
