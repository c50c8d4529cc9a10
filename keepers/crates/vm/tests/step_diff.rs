//! Differential fuzzing of the two implementations of one VM step: the Solidity verifier
//! (`contracts/vm/RiscV.sol`, compiled by forge, with the `PreimageOracle` beside it) runs in
//! revm on an in-memory database, the Rust machine runs natively, and both see the same random
//! machine states: random instruction words of every class (valid fields and random ones), edge
//! register values, addresses that are aligned, misaligned, at the end of memory and past it,
//! syscalls with every descriptor, preimage reads at every offset, halted machines and wrapped
//! step counters. The pre- and post-state claim hashes must agree; a step the Rust machine
//! cannot take (a missing preimage) must revert on L1, and a tampered proof must revert.
//!
//! 10,000 cases from a fixed seed by default; `BATON_VM_DIFF_CASES=100000` for a longer run and
//! `BATON_VM_DIFF_SEED=<n>` for other inputs. Needs `forge build`
//! to have run (`./script/test` does it first).

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_sol_types::{SolCall, SolError, sol};
use baton_core::evm_harness::{InMemoryEvm, forge_artifact};
use baton_vm::{
    Cpu, Instr, Machine, Memory, PROOF_SIZE, Status,
    machine::{EBADF, FD_PREIMAGE_DATA, FD_PREIMAGE_KEY, SYS_EXIT, SYS_READ, SYS_WRITE, framed},
    memory::MEMORY_SIZE,
};
use proptest::{
    prelude::*,
    test_runner::{RngAlgorithm, TestCaseError, TestRng},
};
use std::collections::{BTreeMap, HashMap};

sol! {
    function step(bytes state, bytes proofs) external view returns (bytes32 pre, bytes32 post);
    function loadKeccak256PreimagePart(uint256 offset, bytes preimage) external;
    error PreimagePartNotLoaded(bytes32 key, uint256 offset);
    error InvalidMemoryProof(uint256 which);
    error InvalidState();
}

const DEPLOYER: Address = address!("0x00000000000000000000000000000000000ca11e");
const CODE: u64 = 0x1000;
const DATA: u64 = 0x8000;

/// The L1 side: the oracle and the verifier deployed in an in-memory EVM.
struct Solidity {
    evm: InMemoryEvm,
    oracle: Address,
    verifier: Address,
}

/// What the verifier did.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Stepped { pre: B256, post: B256 },
    Reverted(Bytes),
}

impl Solidity {
    fn new() -> Self {
        let mut evm = InMemoryEvm::new(DEPLOYER);
        let oracle = evm.deploy(forge_artifact("PreimageOracle").0);
        let mut verifier_code = forge_artifact("RiscV").0;
        verifier_code.extend_from_slice(&oracle.into_word().0);
        let verifier = evm.deploy(verifier_code);
        Self {
            evm,
            oracle,
            verifier,
        }
    }

    fn load_part(&mut self, preimage: &[u8], offset: u64) {
        let data = loadKeccak256PreimagePartCall {
            offset: U256::from(offset),
            preimage: Bytes::copy_from_slice(preimage),
        }
        .abi_encode();
        let result = self.evm.commit_call(self.oracle, data);
        assert!(result.is_ok(), "loading a part failed: {result:?}");
    }

    fn step(&mut self, state: &[u8], proofs: &[u8]) -> Outcome {
        let data = stepCall {
            state: Bytes::copy_from_slice(state),
            proofs: Bytes::copy_from_slice(proofs),
        }
        .abi_encode();
        match self.evm.call(self.verifier, data) {
            Ok((output, _gas)) => {
                let r = stepCall::abi_decode_returns(&output).expect("abi output");
                Outcome::Stepped {
                    pre: r.pre,
                    post: r.post,
                }
            }
            Err(revert) => Outcome::Reverted(revert),
        }
    }
}

// ---- Scenario generation -------------------------------------------------------------------

fn r_type(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, opcode: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
}

fn reg() -> impl Strategy<Value = u32> {
    0u32..32
}

/// Instruction words of every class, with the fields that decode and the ones that do not.
fn word() -> impl Strategy<Value = u32> {
    let f7 = prop_oneof![Just(0u32), Just(0x20), Just(1), 0u32..128];
    prop_oneof![
        // A third of the words are valid encodings drawn evenly, so that every instruction is
        // compared often; the rest stress the decoder's edges.
        20 => valid_word(),
        // OP and OP-32.
        4 => (f7.clone(), reg(), reg(), 0u32..8, reg(), prop_oneof![Just(0x33u32), Just(0x3b)])
            .prop_map(|(f7, rs2, rs1, f3, rd, op)| r_type(f7, rs2, rs1, f3, rd, op)),
        // OP-IMM, OP-IMM-32 (shifts' upper bits from f7), jalr, fence; mostly with the funct3
        // values each defines.
        5 => (any::<u16>(), f7, reg(), reg(), prop::sample::select(vec![0x13u32, 0x1b, 0x67, 0x0f]),
              prop_oneof![3 => Just(None), 1 => (0u32..8).prop_map(Some)], 0usize..8)
            .prop_map(|(imm, f7, rs1, rd, op, any_f3, pick)| {
                let f3 = any_f3.unwrap_or(match op {
                    0x13 => pick as u32,
                    0x1b => [0, 1, 5][pick % 3],
                    _ => 0,
                });
                let imm = if f3 == 1 || f3 == 5 { f7 << 5 | u32::from(imm) & 0x3f } else { u32::from(imm) & 0xfff };
                imm << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
            }),
        // Loads, mostly at small offsets from a register that may hold an address.
        4 => (offset(), reg(), 0u32..8, reg())
            .prop_map(|(imm, rs1, f3, rd)| u32::from(imm) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x03),
        // Stores likewise.
        3 => (offset(), reg(), reg(), 0u32..8)
            .prop_map(|(imm, rs2, rs1, f3)| {
                let imm = u32::from(imm);
                (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23
            }),
        // Branches, comparing a register with itself a quarter of the time.
        4 => (any::<u16>(), reg(), reg(), 0u32..8, Just(0x63u32), prop::bool::weighted(0.25))
            .prop_map(|(imm, rs2, rs1, f3, op, same)| {
                let rs2 = if same { rs1 } else { rs2 };
                let imm = u32::from(imm) & 0xfff;
                (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | op
            }),
        // lui, auipc, jal: any upper bits.
        2 => (any::<u32>(), reg(), prop::sample::select(vec![0x37u32, 0x17, 0x6f]))
            .prop_map(|(hi, rd, op)| hi & 0xffff_f000 | rd << 7 | op),
        // Atomics: every funct5, width field and ordering bits.
        6 => (
            prop_oneof![3 => prop::sample::select(vec![0u32, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28]), 1 => 0u32..32],
            0u32..4,
            prop_oneof![Just(0u32), reg()],
            reg(),
            prop_oneof![3 => Just(2u32), 3 => Just(3), 1 => 0u32..8],
            reg(),
        )
            .prop_map(|(f5, aqrl, rs2, rs1, f3, rd)| r_type(f5 << 2 | aqrl, rs2, rs1, f3, rd, 0x2f)),
        // ecall (the syscall registers are drawn below), ebreak, other SYSTEM words.
        12 => Just(0x73u32),
        1 => Just(0x0010_0073u32),
        1 => any::<u32>().prop_map(|w| w & !0x7f | 0x73),
        1 => any::<u32>(),
    ]
}

/// Every valid encoding's fixed fields: (opcode, funct3, the bits above rs2 or the shift amount).
/// `None` for the upper bits means any (an immediate).
const VALID: &[(u32, u32, Option<u32>)] = &[
    // OP: the base set, sub/sra, and M.
    (0x33, 0, Some(0)),
    (0x33, 1, Some(0)),
    (0x33, 2, Some(0)),
    (0x33, 3, Some(0)),
    (0x33, 4, Some(0)),
    (0x33, 5, Some(0)),
    (0x33, 6, Some(0)),
    (0x33, 7, Some(0)),
    (0x33, 0, Some(0x20)),
    (0x33, 5, Some(0x20)),
    (0x33, 0, Some(1)),
    (0x33, 1, Some(1)),
    (0x33, 2, Some(1)),
    (0x33, 3, Some(1)),
    (0x33, 4, Some(1)),
    (0x33, 5, Some(1)),
    (0x33, 6, Some(1)),
    (0x33, 7, Some(1)),
    // OP-32.
    (0x3b, 0, Some(0)),
    (0x3b, 1, Some(0)),
    (0x3b, 5, Some(0)),
    (0x3b, 0, Some(0x20)),
    (0x3b, 5, Some(0x20)),
    (0x3b, 0, Some(1)),
    (0x3b, 4, Some(1)),
    (0x3b, 5, Some(1)),
    (0x3b, 6, Some(1)),
    (0x3b, 7, Some(1)),
    // OP-IMM (shifts: funct6 in the upper bits), OP-IMM-32 (shifts: funct7).
    (0x13, 0, None),
    (0x13, 2, None),
    (0x13, 3, None),
    (0x13, 4, None),
    (0x13, 6, None),
    (0x13, 7, None),
    (0x13, 1, Some(0)),
    (0x13, 5, Some(0)),
    (0x13, 5, Some(0x20)),
    (0x1b, 0, None),
    (0x1b, 1, Some(0)),
    (0x1b, 5, Some(0)),
    (0x1b, 5, Some(0x20)),
    // Loads, stores, branches.
    (0x03, 0, None),
    (0x03, 1, None),
    (0x03, 2, None),
    (0x03, 3, None),
    (0x03, 4, None),
    (0x03, 5, None),
    (0x03, 6, None),
    (0x23, 0, None),
    (0x23, 1, None),
    (0x23, 2, None),
    (0x23, 3, None),
    (0x63, 0, None),
    (0x63, 1, None),
    (0x63, 4, None),
    (0x63, 5, None),
    (0x63, 6, None),
    (0x63, 7, None),
    // lui, auipc, jal, jalr, fence.
    (0x37, 0, None),
    (0x17, 0, None),
    (0x6f, 0, None),
    (0x67, 0, None),
    (0x0f, 0, None),
    // Atomics (funct5 in the upper bits' top): lr, sc, then the nine operations, both widths.
    (0x2f, 2, Some(2 << 2)),
    (0x2f, 3, Some(2 << 2)),
    (0x2f, 2, Some(3 << 2)),
    (0x2f, 3, Some(3 << 2)),
    (0x2f, 2, Some(0)),
    (0x2f, 2, Some(1 << 2)),
    (0x2f, 2, Some(4 << 2)),
    (0x2f, 2, Some(8 << 2)),
    (0x2f, 2, Some(12 << 2)),
    (0x2f, 2, Some(16 << 2)),
    (0x2f, 2, Some(20 << 2)),
    (0x2f, 2, Some(24 << 2)),
    (0x2f, 2, Some(28 << 2)),
    (0x2f, 3, Some(0)),
    (0x2f, 3, Some(1 << 2)),
    (0x2f, 3, Some(4 << 2)),
    (0x2f, 3, Some(8 << 2)),
    (0x2f, 3, Some(12 << 2)),
    (0x2f, 3, Some(16 << 2)),
    (0x2f, 3, Some(20 << 2)),
    (0x2f, 3, Some(24 << 2)),
    (0x2f, 3, Some(28 << 2)),
];

/// A valid instruction, each encoding equally likely: registers random (a branch compares a
/// register with itself a quarter of the time, `lr` names no rs2), loads and stores mostly at
/// small offsets.
fn valid_word() -> impl Strategy<Value = u32> {
    (
        0..VALID.len(),
        any::<u32>(),
        reg(),
        reg(),
        reg(),
        offset(),
        prop::bool::weighted(0.25),
    )
        .prop_map(|(k, bits, rd, rs1, rs2, offset, same)| {
            let (op, f3, upper) = VALID[k];
            let imm = match op {
                0x03 | 0x23 => u32::from(offset),
                _ => bits >> 20,
            };
            let rs2 = match (op, upper) {
                (0x63, _) if same => rs1,
                (0x2f, Some(u)) if u == 2 << 2 => 0,
                _ => rs2,
            };
            let base = rs1 << 15 | f3 << 12 | op;
            match op {
                0x33 | 0x3b => upper.unwrap() << 25 | rs2 << 20 | base | rd << 7,
                // The atomics' ordering bits (aq, rl) random.
                0x2f => (upper.unwrap() | bits >> 30) << 25 | rs2 << 20 | base | rd << 7,
                0x13 | 0x1b => match upper {
                    // The shift amount: 6 bits in OP-IMM, 5 in OP-IMM-32.
                    Some(u) => {
                        let shamt_mask = if op == 0x13 { 0x3f } else { 0x1f };
                        u << 25 | (bits >> 20 & shamt_mask) << 20 | base | rd << 7
                    }
                    None => imm << 20 | base | rd << 7,
                },
                0x23 | 0x63 => (imm >> 5) << 25 | rs2 << 20 | base | (imm & 0x1f) << 7,
                0x37 | 0x17 | 0x6f => bits & 0xffff_f000 | rd << 7 | op,
                _ => imm << 20 | base | rd << 7,
            }
        })
}

/// A 12-bit load or store offset: mostly small and 8-aligned, sometimes anything.
fn offset() -> impl Strategy<Value = u16> {
    prop_oneof![3 => (0u16..4).prop_map(|k| k * 8), 1 => Just(0xff8), 1 => any::<u16>().prop_map(|i| i & 0xfff)]
}

/// An address aligned for every width, among few, so that an `lr` and an `sc` meet.
fn aligned_address() -> impl Strategy<Value = u64> {
    (0u64..2).prop_map(|k| DATA + 8 * k)
}

/// A register value: edges of signed and unsigned arithmetic, and addresses.
fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        10 => aligned_address(),
        1 => Just(0u64),
        1 => Just(1),
        1 => Just(u64::MAX),
        1 => Just(i64::MIN as u64),
        1 => Just(i64::MAX as u64),
        1 => Just(0x8000_0000),
        1 => Just(0xffff_ffff),
        1 => Just(0xffff_ffff_8000_0000),
        3 => 0u64..128,
        1 => any::<u64>(),
        1 => address(),
    ]
}

/// An address: in the code or data region (aligned or not), at the end of memory, or past it.
fn address() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => aligned_address(),
        4 => (0u64..256).prop_map(|o| DATA + o),
        2 => (0u64..64).prop_map(|o| CODE + o),
        1 => (1u64..64).prop_map(|o| MEMORY_SIZE - o),
        1 => (0u64..16).prop_map(|o| MEMORY_SIZE + o),
        1 => any::<u64>(),
    ]
}

#[derive(Clone, Debug)]
struct Scenario {
    word: u32,
    regs: Vec<u64>,
    pc: u64,
    data: Vec<u8>,
    end_data: [u8; 64],
    reservation: u64,
    step: u64,
    status: Status,
    /// Index into the preimages (past the end: a key nobody has), and the offset.
    preimage: (usize, u64),
    /// Syscall registers, when the word is an ecall: a7, a0, a1, a2.
    syscall: Option<(u64, u64, u64, u64)>,
    tamper: Option<(usize, u8)>,
}

fn preimages() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0xab],
        (0..24).collect(),
        (0..32).map(|i| i * 7).collect(),
        (0..100).map(|i| (i * 13) as u8).collect(),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let syscall = (
        prop_oneof![3 => Just(SYS_READ), 3 => Just(SYS_WRITE), 1 => Just(SYS_EXIT), 1 => 0u64..300, 1 => any::<u64>()],
        prop_oneof![
            1 => Just(1u64),
            1 => Just(2),
            4 => Just(FD_PREIMAGE_KEY),
            4 => Just(FD_PREIMAGE_DATA),
            1 => 0u64..8,
            1 => any::<u64>(),
        ],
        prop_oneof![Just(DATA), address()],
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(8),
            Just(31),
            Just(32),
            Just(33),
            Just(1000),
            Just(u64::MAX)
        ],
    );
    (
        (
            word(),
            prop::collection::vec(value(), 31),
            prop_oneof![30 => Just(CODE), 1 => Just(CODE + 2), 1 => Just(MEMORY_SIZE), 1 => Just(MEMORY_SIZE - 4)],
            prop::collection::vec(any::<u8>(), 256),
            any::<[u8; 64]>(),
        ),
        (
            prop_oneof![1 => Just(u64::MAX), 6 => aligned_address(), 1 => address()],
            prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()],
            prop_oneof![
                24 => Just(Status::Running),
                1 => any::<u64>().prop_map(Status::Exited),
                1 => (1u64..8).prop_map(Status::Trapped),
            ],
            (0usize..6, prop_oneof![Just(0u64), Just(7), Just(8), Just(9), 0u64..140, any::<u64>()]),
            prop::option::weighted(0.9, syscall),
            prop::option::weighted(0.05, (0usize..2 * PROOF_SIZE, 1u8..=255)),
        ),
    )
        .prop_map(
            |((word, regs, pc, data, end_data), (reservation, step, status, preimage, syscall, tamper))| {
                Scenario { word, regs, pc, data, end_data, reservation, step, status, preimage, syscall, tamper }
            },
        )
}

fn build(s: &Scenario, preimages: &[Vec<u8>]) -> Machine {
    let mut mem = Memory::new();
    mem.write_bytes(DATA, &s.data);
    mem.write_bytes(MEMORY_SIZE - 64, &s.end_data);
    for pc in [s.pc, CODE] {
        if pc.is_multiple_of(4) && pc < MEMORY_SIZE {
            mem.write(pc, 4, u64::from(s.word));
        }
    }
    let mut cpu = Cpu::new(s.pc, mem);
    cpu.regs[1..].copy_from_slice(&s.regs);
    cpu.reservation = s.reservation;
    if s.word == 0x73
        && let Some((a7, a0, a1, a2)) = s.syscall
    {
        cpu.regs[17] = a7;
        cpu.regs[10] = a0;
        cpu.regs[11] = a1;
        cpu.regs[12] = a2;
    }
    let mut machine = Machine::new(cpu);
    machine.step = s.step;
    machine.status = s.status;
    let (index, offset) = s.preimage;
    machine.preimage_key = match preimages.get(index) {
        Some(p) => keccak256(p),
        None => B256::repeat_byte(0x5a),
    };
    machine.preimage_offset = offset;
    machine
}

/// What a case exercised, for the coverage check: the instruction (with its operation and
/// width), the syscall, the trap, or why nothing ran.
fn category(before: &Machine, after: Result<&Machine, ()>, tampered: bool) -> String {
    if tampered {
        return "tampered proof".into();
    }
    if before.status != Status::Running {
        return "halted".into();
    }
    let Ok(after) = after else {
        return "missing preimage".into();
    };
    if let Status::Trapped(cause) = after.status {
        return format!("trap {cause}");
    }
    let word = before.cpu.mem.read(before.cpu.pc, 4) as u32;
    match baton_vm::decode(word).expect("it did not trap") {
        Instr::Ecall => {
            let (a7, fd) = (before.cpu.reg(17), before.cpu.reg(10));
            match (a7, fd, after.cpu.reg(10)) {
                (SYS_EXIT, ..) => "exit".into(),
                (_, _, EBADF) => "bad descriptor".into(),
                (SYS_WRITE, FD_PREIMAGE_KEY, n) => {
                    format!("write key {}", if n < 32 { "part" } else { "whole" })
                }
                (SYS_WRITE, ..) => "write output".into(),
                (_, _, 0) => "read preimage nothing".into(),
                _ => "read preimage".into(),
            }
        }
        Instr::Op { op, .. } => format!("op {op:?}"),
        Instr::OpImm { op, .. } => format!("op-imm {op:?}"),
        Instr::Op32 { op, .. } => format!("op-32 {op:?}"),
        Instr::OpImm32 { op, .. } => format!("op-imm-32 {op:?}"),
        Instr::Load { op, .. } => format!("load {op:?}"),
        Instr::Store { op, .. } => format!("store {op:?}"),
        Instr::Branch { op, .. } => {
            let taken = after.cpu.pc != before.cpu.pc.wrapping_add(4);
            format!(
                "branch {op:?} {}",
                if taken { "taken" } else { "not taken" }
            )
        }
        Instr::Amo { op, width, .. } => format!("amo {op:?} {width}"),
        Instr::Sc { width, rd, .. } => {
            let stored = rd == 0 || after.cpu.reg(rd) == 0;
            format!("sc {width} {}", if stored { "stored" } else { "failed" })
        }
        other => format!("{other:?}")
            .split([' ', '{'])
            .next()
            .unwrap()
            .to_string(),
    }
}

fn check(sol: &mut Solidity, s: &Scenario) -> Result<String, TestCaseError> {
    let preimages = preimages();
    let oracle: HashMap<B256, Vec<u8>> = preimages
        .iter()
        .map(|p| (keccak256(p), p.clone()))
        .collect();
    let mut machine = build(s, &preimages);
    let mut after = machine.clone();
    let stepped = after.step(&oracle);
    let tampered =
        matches!(s.tamper, Some((at, _)) if at < expected_proofs(&mut machine.clone(), &oracle));
    let category = category(
        &machine,
        stepped.as_ref().map(|_| &after).map_err(|_| ()),
        tampered,
    );
    match machine.witness(&oracle) {
        Ok(witness) => {
            if let Some((key, offset)) = witness.preimage {
                let preimage = &oracle[&key];
                let last = framed(preimage).len() as u64 - 1;
                sol.load_part(preimage, offset.min(last));
            }
            let pre = baton_vm::claim_hash(&witness.state);
            match s.tamper {
                Some((at, flip)) if at < witness.proofs.len() => {
                    let mut proofs = witness.proofs.clone();
                    proofs[at] ^= flip;
                    let outcome = sol.step(&witness.state, &proofs);
                    let which = (at / PROOF_SIZE) as u64;
                    // The instruction proof is always checked; a data proof is checked by every
                    // step that carries one. Either way the tampered proof must not pass.
                    prop_assert_eq!(
                        outcome,
                        Outcome::Reverted(
                            InvalidMemoryProof {
                                which: U256::from(which)
                            }
                            .abi_encode()
                            .into()
                        ),
                        "tampered byte {} of {:?}",
                        at,
                        s
                    );
                }
                _ => {
                    let outcome = sol.step(&witness.state, &witness.proofs);
                    prop_assert_eq!(
                        outcome,
                        Outcome::Stepped {
                            pre,
                            post: witness.post
                        },
                        "{:?}",
                        s
                    );
                }
            }
        }
        Err(missing) => {
            // The Rust machine cannot step without the preimage; L1 must refuse too.
            let state = machine.encode();
            let mut proofs = Vec::new();
            for addr in [machine.cpu.pc, machine.cpu.reg(11)] {
                let proof = machine.cpu.mem.proof(addr);
                proofs.extend_from_slice(proof.leaf.as_slice());
                for sibling in &proof.siblings {
                    proofs.extend_from_slice(sibling.as_slice());
                }
            }
            let outcome = sol.step(&state, &proofs);
            let expected = PreimagePartNotLoaded {
                key: missing.key,
                offset: U256::from(machine.preimage_offset),
            };
            prop_assert_eq!(
                outcome,
                Outcome::Reverted(expected.abi_encode().into()),
                "{:?}",
                s
            );
        }
    }
    Ok(category)
}

fn expected_proofs(machine: &mut Machine, oracle: &HashMap<B256, Vec<u8>>) -> usize {
    machine.witness(oracle).map_or(0, |w| w.proofs.len())
}

fn cases() -> u32 {
    std::env::var("BATON_VM_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

#[test]
fn solidity_step_matches_the_emulator() {
    let sol = std::cell::RefCell::new(Solidity::new());
    let seen = std::cell::RefCell::new(BTreeMap::<String, u32>::new());
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // A fixed seed by default, so the coverage check below is stable in CI;
    // `BATON_VM_DIFF_SEED=<n>` explores other inputs.
    let seed: u64 = std::env::var("BATON_VM_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xba7011);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    proptest::test_runner::TestRunner::new_with_rng(config, rng)
        .run(&scenario(), |s| {
            let category = check(&mut sol.borrow_mut(), &s)?;
            *seen.borrow_mut().entry(category).or_default() += 1;
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    println!("{seen:#?}");
    // Every instruction, every operation and width, every trap and syscall path must have been
    // compared, or the fuzzer's distribution has drifted and the test proves less than it says.
    let mut required: Vec<String> = Vec::new();
    let alu = [
        "Add", "Sub", "Sll", "Slt", "Sltu", "Xor", "Srl", "Sra", "Or", "And",
    ];
    let mul = [
        "Mul", "Mulh", "Mulhsu", "Mulhu", "Div", "Divu", "Rem", "Remu",
    ];
    required.extend(alu.iter().chain(&mul).map(|op| format!("op {op}")));
    required.extend(
        alu.iter()
            .filter(|op| **op != "Sub")
            .map(|op| format!("op-imm {op}")),
    );
    required.extend(
        [
            "Add", "Sub", "Sll", "Srl", "Sra", "Mul", "Div", "Divu", "Rem", "Remu",
        ]
        .map(|op| format!("op-32 {op}")),
    );
    required.extend(["Add", "Sll", "Srl", "Sra"].map(|op| format!("op-imm-32 {op}")));
    required.extend(["B", "H", "W", "D", "Bu", "Hu", "Wu"].map(|op| format!("load {op}")));
    required.extend(["B", "H", "W", "D"].map(|op| format!("store {op}")));
    for op in ["Eq", "Ne", "Lt", "Ge", "Ltu", "Geu"] {
        required.extend(["taken", "not taken"].map(|t| format!("branch {op} {t}")));
    }
    for width in [4, 8] {
        for op in [
            "Swap", "Add", "Xor", "And", "Or", "Min", "Max", "Minu", "Maxu",
        ] {
            required.push(format!("amo {op} {width}"));
        }
        required.push("Lr".to_string());
        required.extend(["stored", "failed"].map(|r| format!("sc {width} {r}")));
    }
    required.extend(["Lui", "Auipc", "Jal", "Jalr", "Fence"].map(String::from));
    required.extend((1..=7).map(|cause| format!("trap {cause}")));
    required.extend(
        [
            "exit",
            "bad descriptor",
            "write key part",
            "write key whole",
            "write output",
            "read preimage",
            "read preimage nothing",
            "missing preimage",
            "halted",
            "tampered proof",
        ]
        .map(String::from),
    );
    if cases() >= 10_000 {
        for category in &required {
            let n = seen.get(category).copied().unwrap_or(0);
            assert!(
                n >= 3,
                "only {n} cases of `{category}` in {} (see the histogram above)",
                cases()
            );
        }
    }
}

#[test]
fn malformed_states_are_refused_on_both_sides() {
    let mut sol = Solidity::new();
    let mut machine = Machine::new(Cpu::new(CODE, Memory::new()));
    let good = machine.encode();
    let invalid: Vec<u8> = InvalidState {}.abi_encode();
    // An unknown status byte, and a running state with a code.
    let mut cases = Vec::new();
    for status in [3u8, 4, 0xff] {
        let mut bad = good;
        bad[88] = status;
        cases.push(bad);
    }
    let mut running_with_code = good;
    running_with_code[96] = 1;
    cases.push(running_with_code);
    for bad in cases {
        assert!(Machine::decode(&bad, Memory::new()).is_none());
        assert_eq!(
            sol.step(&bad, &[]),
            Outcome::Reverted(invalid.clone().into())
        );
    }
    // A state of the wrong length.
    match sol.step(&good[..352], &[]) {
        Outcome::Reverted(data) => assert_eq!(
            &data[..4],
            &alloy_primitives::keccak256("InvalidStateLength(uint256)")[..4]
        ),
        other => panic!("{other:?}"),
    }
    // A missing instruction proof.
    assert_eq!(
        sol.step(&good, &[]),
        Outcome::Reverted(InvalidMemoryProof { which: U256::ZERO }.abi_encode().into())
    );
}
