//! The step vectors in `test/vectors/vm_steps.json`: one witness per instruction class and per
//! syscall, made by hand, and real steps from the guest checking a ledger transfer. The forge
//! test `test/gas/VmStepGas.t.sol` replays them on the Solidity verifier and records the gas of
//! each (snapshots/Gas.json, docs/vm.md). This test fails when the committed file is not what
//! the emulator gives; `BATON_WRITE_VECTORS=1` rewrites it.

use alloy_primitives::{B256, hex, keccak256};
use baton_core::ledger::vectors;
use baton_vm::{
    Cpu, Machine, Memory, Program, Status, StepWitness,
    machine::{FD_PREIMAGE_DATA, FD_PREIMAGE_KEY, SYS_EXIT, SYS_READ, SYS_WRITE, framed},
};
use serde_json::{Value, json};
use std::{collections::HashMap, path::PathBuf};

const CODE: u64 = 0x1000;
const DATA: u64 = 0x8000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn r_type(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, opcode: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
}

/// A machine with `word` at the code address, data around `DATA`, x10..x12 as given, and an
/// `lr` reservation on `DATA`.
fn machine(word: u32, regs: &[(usize, u64)]) -> Machine {
    let mut mem = Memory::new();
    mem.write(CODE, 4, u64::from(word));
    for k in 0..8 {
        mem.write(DATA + 8 * k, 8, 0x0123_4567_89ab_cdef ^ k);
    }
    let mut cpu = Cpu::new(CODE, mem);
    cpu.regs[5] = DATA;
    cpu.regs[6] = 0xdead_beef_1234_5678;
    cpu.regs[7] = 12_345;
    cpu.reservation = DATA;
    for &(r, v) in regs {
        cpu.regs[r] = v;
    }
    Machine::new(cpu)
}

fn case(name: &str, mut machine: Machine, oracle: &HashMap<B256, Vec<u8>>) -> Value {
    let w: StepWitness = machine.witness(oracle).expect("the step runs");
    let (preimage, offset) = match w.preimage {
        Some((key, offset)) => {
            let p = &oracle[&key];
            (p.clone(), offset.min(framed(p).len() as u64 - 1))
        }
        None => (Vec::new(), 0),
    };
    json!({
        "name": name,
        "post": w.post.to_string(),
        "pre": baton_vm::claim_hash(&w.state).to_string(),
        "preimage": format!("0x{}", hex::encode(preimage)),
        "preimageOffset": offset,
        "proofs": format!("0x{}", hex::encode(&w.proofs)),
        "state": format!("0x{}", hex::encode(w.state)),
    })
}

fn handmade() -> Vec<Value> {
    let preimage: Vec<u8> = (0..100).collect();
    let key = keccak256(&preimage);
    let oracle = HashMap::from([(key, preimage)]);
    let ecall = |a7: u64, a0: u64, a1: u64, a2: u64| {
        machine(0x73, &[(17, a7), (10, a0), (11, a1), (12, a2)])
    };
    let mut keyed = ecall(SYS_READ, FD_PREIMAGE_DATA, DATA, 32);
    keyed.preimage_key = key;
    keyed.preimage_offset = 8;
    let mut halted = machine(0x73, &[]);
    halted.status = Status::Exited(0);
    let none = HashMap::new();
    vec![
        case("add", machine(r_type(0, 7, 6, 0, 8, 0x33), &[]), &none),
        case("mulhu", machine(r_type(1, 7, 6, 3, 8, 0x33), &[]), &none),
        case("divw", machine(r_type(1, 7, 6, 4, 8, 0x3b), &[]), &none),
        case("lui", machine(0x1234_5037, &[]), &none),
        case(
            "beq_taken",
            machine(r_type(0, 6, 6, 0, 8, 0x63), &[]),
            &none,
        ),
        case("jal", machine(0x0100_00ef, &[]), &none),
        case("ld", machine(r_type(0, 8, 5, 3, 8, 0x03), &[]), &none),
        case("lbu", machine(r_type(0, 3, 5, 4, 8, 0x03), &[]), &none),
        case("sd", machine(r_type(0, 6, 5, 3, 8, 0x23), &[]), &none),
        case("sb", machine(r_type(0, 6, 5, 0, 3, 0x23), &[]), &none),
        case("amoadd_d", machine(r_type(0, 7, 5, 3, 8, 0x2f), &[]), &none),
        case(
            "sc_d_stored",
            machine(r_type(3 << 2, 7, 5, 3, 8, 0x2f), &[]),
            &none,
        ),
        case("ecall_exit", ecall(SYS_EXIT, 0, 0, 0), &none),
        case("ecall_write_stderr", ecall(SYS_WRITE, 2, DATA, 100), &none),
        case(
            "ecall_write_key",
            ecall(SYS_WRITE, FD_PREIMAGE_KEY, DATA, 32),
            &none,
        ),
        case("ecall_read_preimage", keyed, &oracle),
        case("trap_illegal", machine(0xffff_ffff, &[]), &none),
        case(
            "trap_misaligned_load",
            machine(r_type(0, 1, 5, 3, 8, 0x03), &[]),
            &none,
        ),
        case("halted", halted, &none),
    ]
}

/// Whether a step (its instruction word, the machine before it) is of a kind wanted.
type StepKind = Box<dyn Fn(u32, &Machine) -> bool>;

/// Real steps: the guest checking the vectors' plain transfer, at the first step of each kind.
fn from_the_guest() -> Vec<Value> {
    let elf = std::fs::read(root().join("out/guest/baton-guest.elf"))
        .expect("run ./script/guest first (./script/test does)");
    let program = Program::load(&elf).unwrap();
    let case_ = vectors::cases()
        .into_iter()
        .find(|c| c.name == "transfer")
        .unwrap();
    let mut state = case_.pre.build();
    let mut after = state.clone();
    let _ = after.apply(&case_.config, &case_.block, &case_.tx);
    let (input, preimages) =
        state.guest_claim(&case_.config, &case_.block, &case_.tx, after.root());
    let mut m = program.boot(input.key());
    let mut out = Vec::new();
    let mut wanted: Vec<(&str, StepKind)> = vec![
        ("guest_first_load", Box::new(|w, _| w & 0x7f == 0x03)),
        ("guest_first_store", Box::new(|w, _| w & 0x7f == 0x23)),
        (
            "guest_first_mul",
            Box::new(|w, _| w & 0x7f == 0x33 && w >> 25 == 1),
        ),
        (
            "guest_first_preimage_read",
            Box::new(|w, m| w == 0x73 && m.cpu.reg(17) == SYS_READ),
        ),
    ];
    while m.status == Status::Running && !wanted.is_empty() {
        let word = m.cpu.mem.read(m.cpu.pc, 4) as u32;
        if let Some(i) = wanted.iter().position(|(_, hit)| hit(word, &m)) {
            let (name, _) = wanted.remove(i);
            let name = format!("{name}_at_step_{}", m.step);
            out.push(case(&name, m.clone(), &preimages));
        }
        m.step(&preimages).unwrap();
    }
    assert!(wanted.is_empty(), "the guest ran every kind of step");
    out
}

#[test]
fn committed_step_vectors_are_current() {
    let mut cases = handmade();
    cases.extend(from_the_guest());
    baton_core::vectors::check_committed(
        "test/vectors/vm_steps.json",
        &json!({ "cases": cases }),
        "-p baton-vm --test step_vectors",
    );
}
