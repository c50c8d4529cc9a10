//! Instruction semantics against values worked out by hand from the ISA manual, a small program,
//! the defined results of every trap, and properties over random words and operands.

use super::*;
use crate::decode::{StoreOp, decode};
use proptest::prelude::*;

// An assembler for the tests, written from the ISA's encoding tables (independently of the
// decoder's bit extraction, which the round-trip properties below check against it).
fn r(f7: u32, rs2: u8, rs1: u8, f3: u32, rd: u8, opc: u32) -> u32 {
    f7 << 25 | u32::from(rs2) << 20 | u32::from(rs1) << 15 | f3 << 12 | u32::from(rd) << 7 | opc
}
fn i(imm: i64, rs1: u8, f3: u32, rd: u8, opc: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | u32::from(rs1) << 15 | f3 << 12 | u32::from(rd) << 7 | opc
}
fn s(imm: i64, rs2: u8, rs1: u8, f3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25
        | u32::from(rs2) << 20
        | u32::from(rs1) << 15
        | f3 << 12
        | (imm & 0x1f) << 7
        | 0x23
}
fn b(imm: i64, rs2: u8, rs1: u8, f3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 12) & 1) << 31
        | ((imm >> 5) & 0x3f) << 25
        | u32::from(rs2) << 20
        | u32::from(rs1) << 15
        | f3 << 12
        | ((imm >> 1) & 0xf) << 8
        | ((imm >> 11) & 1) << 7
        | 0x63
}
fn u(imm: i64, rd: u8, opc: u32) -> u32 {
    (imm as u32 & 0xffff_f000) | u32::from(rd) << 7 | opc
}
fn j(imm: i64, rd: u8) -> u32 {
    let imm = imm as u32;
    ((imm >> 20) & 1) << 31
        | ((imm >> 1) & 0x3ff) << 21
        | ((imm >> 11) & 1) << 20
        | ((imm >> 12) & 0xff) << 12
        | u32::from(rd) << 7
        | 0x6f
}
fn addi(rd: u8, rs1: u8, imm: i64) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}
const ECALL: u32 = 0x0000_0073;

/// A machine with `program` at 0x1000 and `pc` there.
fn load(program: &[u32]) -> Cpu {
    let mut mem = Memory::new();
    for (k, word) in program.iter().enumerate() {
        mem.write(0x1000 + 4 * k as u64, 4, u64::from(*word));
    }
    Cpu::new(0x1000, mem)
}

/// Runs until `ecall`; panics on a trap or after `limit` steps.
fn run(cpu: &mut Cpu, limit: usize) {
    for _ in 0..limit {
        if cpu.step().expect("no trap") == Step::Ecall {
            return;
        }
    }
    panic!("no ecall within {limit} steps");
}

/// One register-register operation on `a` and `b`.
fn op(f7: u32, f3: u32, opc: u32, a: u64, bv: u64) -> u64 {
    let mut cpu = load(&[r(f7, 2, 1, f3, 3, opc)]);
    cpu.regs[1] = a;
    cpu.regs[2] = bv;
    cpu.step().unwrap();
    cpu.reg(3)
}

#[test]
fn x0_reads_zero_whatever_is_written() {
    let mut cpu = load(&[addi(0, 0, 5), addi(1, 0, -1)]);
    cpu.step().unwrap();
    cpu.step().unwrap();
    assert_eq!(cpu.reg(0), 0);
    assert_eq!(cpu.reg(1), u64::MAX);
    assert_eq!(cpu.pc, 0x1008);
}

#[test]
fn upper_immediates_are_sign_extended() {
    let mut cpu = load(&[
        u(0x8000_0000_u32 as i32 as i64, 1, 0x37),
        u(0x1000, 2, 0x17),
    ]);
    cpu.step().unwrap();
    cpu.step().unwrap();
    assert_eq!(cpu.reg(1), 0xffff_ffff_8000_0000);
    assert_eq!(cpu.reg(2), 0x1004 + 0x1000);
}

#[test]
fn shifts_use_six_bits_and_the_word_forms_five() {
    // sll by 65 shifts by 1; sra keeps the sign.
    assert_eq!(op(0, 1, 0x33, 3, 65), 6);
    assert_eq!(op(0x20, 5, 0x33, (-16i64) as u64, 2), (-4i64) as u64);
    assert_eq!(op(0, 5, 0x33, (-16i64) as u64, 2), ((-16i64) as u64) >> 2);
    // sllw: 32-bit result, sign-extended; by 33 shifts by 1.
    assert_eq!(op(0, 1, 0x3b, 0x4000_0000, 33), 0xffff_ffff_8000_0000);
    // srlw of a negative word zero-fills from bit 31, then sign-extends bit 31 (0 here).
    assert_eq!(op(0, 5, 0x3b, 0xffff_ffff_8000_0000, 4), 0x0800_0000);
    // sraiw / slli from the immediate forms.
    let mut cpu = load(&[i(0x400 | 4, 1, 5, 2, 0x1b), i(63, 1, 1, 3, 0x13)]);
    cpu.regs[1] = 0x8000_0000;
    cpu.step().unwrap();
    cpu.step().unwrap();
    assert_eq!(cpu.reg(2), 0xffff_ffff_f800_0000);
    assert_eq!(cpu.reg(3), 0);
}

#[test]
fn comparisons_and_word_arithmetic() {
    assert_eq!(op(0, 2, 0x33, (-1i64) as u64, 0), 1); // slt
    assert_eq!(op(0, 3, 0x33, (-1i64) as u64, 0), 0); // sltu
    assert_eq!(op(0x20, 0, 0x33, 5, 7), (-2i64) as u64); // sub
    assert_eq!(op(0, 0, 0x3b, 0x7fff_ffff, 1), 0xffff_ffff_8000_0000); // addw overflows
    assert_eq!(op(0x20, 0, 0x3b, 0, 1), u64::MAX); // subw
}

#[test]
fn multiplication_high_halves() {
    let m1 = u64::MAX; // -1 signed
    assert_eq!(op(1, 0, 0x33, m1, m1), 1); // mul
    assert_eq!(op(1, 1, 0x33, m1, m1), 0); // mulh: (-1)(-1) = 1, high half 0
    assert_eq!(op(1, 2, 0x33, m1, m1), m1); // mulhsu: -1 × (2^64-1), high half -1
    assert_eq!(op(1, 3, 0x33, m1, m1), m1 - 1); // mulhu: (2^64-1)^2 >> 64
    assert_eq!(op(1, 0, 0x3b, 0x1_0000_0002, 0x8000_0000), 0); // mulw: low 32 bits of 2 × 2^31
}

#[test]
fn division_by_zero_and_overflow_have_the_defined_results() {
    let min = i64::MIN as u64;
    let m1 = u64::MAX;
    assert_eq!(op(1, 4, 0x33, 7, 0), m1); // div by 0
    assert_eq!(op(1, 5, 0x33, 7, 0), m1); // divu by 0
    assert_eq!(op(1, 6, 0x33, 7, 0), 7); // rem by 0
    assert_eq!(op(1, 7, 0x33, 7, 0), 7); // remu by 0
    assert_eq!(op(1, 4, 0x33, min, m1), min); // div overflow
    assert_eq!(op(1, 6, 0x33, min, m1), 0); // rem overflow
    assert_eq!(op(1, 4, 0x33, (-7i64) as u64, 2), (-3i64) as u64); // rounds toward zero
    assert_eq!(op(1, 6, 0x33, (-7i64) as u64, 2), m1); // remainder takes the dividend's sign
    // Word forms: on the low 32 bits, sign-extended.
    assert_eq!(op(1, 4, 0x3b, 0x8000_0000, u64::MAX), 0xffff_ffff_8000_0000); // divw overflow
    assert_eq!(op(1, 6, 0x3b, 0x8000_0000, u64::MAX), 0); // remw overflow
    assert_eq!(op(1, 5, 0x3b, 5, 0), u64::MAX); // divuw by 0: all ones, sign-extended
    assert_eq!(op(1, 7, 0x3b, 0x1_8000_0000, 0), 0xffff_ffff_8000_0000); // remuw by 0: the low word
}

#[test]
fn loads_extend_and_stores_write_little_endian() {
    let mut cpu = load(&[
        s(0, 2, 1, 3),                  // sd x2, 0(x1)
        i(7, 1, 0, 3, 0x03),            // lb x3, 7(x1)
        i(7, 1, 4, 4, 0x03),            // lbu x4, 7(x1)
        i(4, 1, 2, 5, 0x03),            // lw x5, 4(x1)
        i(4, 1, 6, 6, 0x03),            // lwu x6, 4(x1)
        i(0, 1, 1, 7, 0x03),            // lh x7, 0(x1)
        s(-8, 2, 8, StoreOp::B as u32), // sb x2, -8(x8)
    ]);
    cpu.regs[1] = 0x8000;
    cpu.regs[2] = 0x8899_aabb_ccdd_eeff;
    cpu.regs[8] = 0x9008;
    for _ in 0..7 {
        cpu.step().unwrap();
    }
    assert_eq!(cpu.mem.read(0x8000, 8), 0x8899_aabb_ccdd_eeff);
    assert_eq!(cpu.reg(3), 0xffff_ffff_ffff_ff88);
    assert_eq!(cpu.reg(4), 0x88);
    assert_eq!(cpu.reg(5), 0xffff_ffff_8899_aabb);
    assert_eq!(cpu.reg(6), 0x8899_aabb);
    assert_eq!(cpu.reg(7), 0xffff_ffff_ffff_eeff);
    assert_eq!(cpu.mem.read(0x9000, 1), 0xff);
    assert_eq!(cpu.mem.read(0x7000, 8), 0, "untouched memory reads zero");
}

#[test]
fn a_loop_sums_one_to_ten() {
    // x1 = 10; x2 = 0; loop: x2 += x1; x1 -= 1; bnez x1, loop; ecall
    let mut cpu = load(&[
        addi(1, 0, 10),
        addi(2, 0, 0),
        r(0, 1, 2, 0, 2, 0x33),
        addi(1, 1, -1),
        b(-8, 0, 1, 1),
        ECALL,
    ]);
    run(&mut cpu, 100);
    assert_eq!(cpu.reg(2), 55);
    assert_eq!(cpu.pc, 0x1018, "pc moves past the ecall");
}

#[test]
fn calls_and_returns() {
    // jal x1, +12 (to f); ecall; (pad); f: addi x5, x0, 42; jalr x0, 0(x1)
    let mut cpu = load(&[j(12, 1), ECALL, 0, addi(5, 0, 42), i(0, 1, 0, 0, 0x67)]);
    run(&mut cpu, 10);
    assert_eq!(cpu.reg(5), 42);
    assert_eq!(cpu.reg(1), 0x1004);
    // jalr clears bit 0 of the target and writes rd after reading rs1.
    let mut cpu = load(&[i(9, 1, 0, 1, 0x67)]);
    cpu.regs[1] = 0x2000;
    cpu.step().unwrap();
    assert_eq!((cpu.pc, cpu.reg(1)), (0x2008, 0x1004));
}

/// Every trap leaves the machine exactly as it was.
fn traps(cpu: &mut Cpu, expected: Trap) {
    let before = cpu.clone();
    assert_eq!(cpu.step(), Err(expected));
    assert_eq!(*cpu, before);
}

#[test]
fn traps_are_defined_and_change_nothing() {
    // A compressed instruction, a CSR access, a float load, an atomic with a reserved
    // operation, an `lr` naming a second source, and an atomic byte are illegal here.
    for word in [
        0x0000_4501_u32,
        0x3400_2073,
        0x0000_2007,
        0,
        r(0b00101 << 2, 1, 10, 3, 5, 0x2f),
        r(0b00010 << 2, 1, 10, 3, 5, 0x2f),
        r(0, 1, 10, 0, 5, 0x2f),
    ] {
        traps(
            &mut load(&[word]),
            Trap::IllegalInstruction { pc: 0x1000, word },
        );
    }
    let mut cpu = load(&[i(1, 1, 3, 2, 0x03)]); // ld x2, 1(x1)
    cpu.regs[1] = 0x8000;
    traps(
        &mut cpu,
        Trap::MisalignedAccess {
            pc: 0x1000,
            addr: 0x8001,
            width: 8,
        },
    );
    let mut cpu = load(&[s(2, 2, 1, 2)]); // sw x2, 2(x1)
    cpu.regs[1] = 0x8000;
    traps(
        &mut cpu,
        Trap::MisalignedAccess {
            pc: 0x1000,
            addr: 0x8002,
            width: 4,
        },
    );
    traps(
        &mut load(&[j(6, 1)]),
        Trap::MisalignedJump {
            pc: 0x1000,
            target: 0x1006,
        },
    );
    let mut cpu = load(&[b(2, 0, 0, 0)]); // beq x0, x0, +2
    traps(
        &mut cpu,
        Trap::MisalignedJump {
            pc: 0x1000,
            target: 0x1002,
        },
    );
    // Not taken, a misaligned branch target does not matter.
    let mut cpu = load(&[b(2, 0, 0, 1)]);
    assert_eq!(cpu.step(), Ok(Step::Next { access: None }));
    traps(&mut load(&[0x0010_0073]), Trap::Breakpoint { pc: 0x1000 });
    let mut cpu = load(&[]);
    cpu.pc = 0x1002;
    traps(&mut cpu, Trap::MisalignedPc { pc: 0x1002 });
}

proptest! {
    #[test]
    fn any_word_steps_or_traps_without_a_change(word: u32, a: u64, bv: u64) {
        let mut cpu = load(&[word]);
        cpu.regs[1..].iter_mut().enumerate().for_each(|(k, r)| *r = if k % 2 == 0 { a } else { bv });
        let before = cpu.clone();
        if cpu.step().is_err() {
            prop_assert_eq!(cpu, before);
        }
    }

    #[test]
    fn branch_and_jump_immediates_round_trip(half in -2048i64..2048, far in -(1i64 << 19)..(1 << 19)) {
        prop_assert_eq!(
            decode(b(half * 2, 3, 4, 5)),
            Some(Instr::Branch { op: crate::decode::BranchOp::Ge, rs1: 4, rs2: 3, imm: half * 2 })
        );
        prop_assert_eq!(decode(j(far * 2, 7)), Some(Instr::Jal { rd: 7, imm: far * 2 }));
    }

    #[test]
    fn store_and_load_immediates_round_trip(imm in -2048i64..2048) {
        prop_assert_eq!(
            decode(s(imm, 9, 10, 3)),
            Some(Instr::Store { op: StoreOp::D, rs1: 10, rs2: 9, imm })
        );
        prop_assert_eq!(
            decode(i(imm, 10, 3, 9, 0x03)),
            Some(Instr::Load { op: LoadOp::D, rd: 9, rs1: 10, imm })
        );
    }

    #[test]
    fn division_satisfies_its_identity(a: i64, bv: i64) {
        prop_assume!(bv != 0 && !(a == i64::MIN && bv == -1));
        let q = op(1, 4, 0x33, a as u64, bv as u64) as i64;
        let rem = op(1, 6, 0x33, a as u64, bv as u64) as i64;
        prop_assert_eq!(q.wrapping_mul(bv).wrapping_add(rem), a);
        prop_assert!(rem == 0 || (rem < 0) == (a < 0));
    }

    #[test]
    fn high_multiplication_matches_wide_products(a: u64, bv: u64) {
        let wide = |x: i128, y: i128| ((x * y) >> 64) as u64;
        prop_assert_eq!(op(1, 1, 0x33, a, bv), wide(i128::from(a as i64), i128::from(bv as i64)));
        prop_assert_eq!(op(1, 2, 0x33, a, bv), wide(i128::from(a as i64), i128::from(bv)));
        prop_assert_eq!(op(1, 3, 0x33, a, bv), ((u128::from(a) * u128::from(bv)) >> 64) as u64);
    }
}

fn amo_word(funct5: u32, width: u64, rd: u8, rs1: u8, rs2: u8) -> u32 {
    let f3 = if width == 4 { 2 } else { 3 };
    // aq and rl set on purpose: they mean nothing on one hart.
    r(funct5 << 2 | 0b11, rs2, rs1, f3, rd, 0x2f)
}

#[test]
fn atomics_read_modify_write_one_word() {
    // (funct5, old, operand, stored) for the 64-bit forms.
    let cases: [(u32, u64, u64, u64); 9] = [
        (0b00001, 5, 9, 9),
        (0b00000, u64::MAX, 2, 1),
        (0b00100, 0b1100, 0b1010, 0b0110),
        (0b01100, 0b1100, 0b1010, 0b1000),
        (0b01000, 0b1100, 0b1010, 0b1110),
        (0b10000, u64::MAX, 1, u64::MAX),
        (0b10100, u64::MAX, 1, 1),
        (0b11000, u64::MAX, 1, 1),
        (0b11100, u64::MAX, 1, u64::MAX),
    ];
    for (funct5, old, operand, stored) in cases {
        let mut cpu = load(&[amo_word(funct5, 8, 5, 10, 11)]);
        cpu.mem.write(0x8000, 8, old);
        cpu.regs[10] = 0x8000;
        cpu.regs[11] = operand;
        assert_eq!(
            cpu.step(),
            Ok(Step::Next {
                access: Some(0x8000)
            })
        );
        assert_eq!(
            (cpu.reg(5), cpu.mem.read(0x8000, 8)),
            (old, stored),
            "{funct5:05b}"
        );
    }
    // The 32-bit forms work on the low word, sign-extend what they load, compare as 32-bit
    // values, and leave the neighbouring word alone.
    let mut cpu = load(&[
        amo_word(0b10000, 4, 5, 10, 11),
        amo_word(0b11100, 4, 6, 10, 12),
    ]);
    cpu.mem.write(0x8000, 8, 0x1234_5678_8000_0000);
    cpu.regs[10] = 0x8000;
    cpu.regs[11] = 7; // amomin.w: -2^31 < 7
    cpu.regs[12] = 0xffff_ffff_0000_0001; // amomaxu.w: 0x8000_0000 > 1 (upper bits ignored)
    cpu.step().unwrap();
    assert_eq!(cpu.reg(5), 0xffff_ffff_8000_0000);
    assert_eq!(cpu.mem.read(0x8000, 8), 0x1234_5678_8000_0000);
    cpu.step().unwrap();
    assert_eq!(cpu.reg(6), 0xffff_ffff_8000_0000);
    assert_eq!(cpu.mem.read(0x8000, 8), 0x1234_5678_8000_0000);
}

#[test]
fn store_conditional_succeeds_only_on_the_reserved_address() {
    // lr.d x5, (x10); sc.d x6, x11, (x10); sc.d x7, x11, (x10)
    let mut cpu = load(&[
        amo_word(0b00010, 8, 5, 10, 0),
        amo_word(0b00011, 8, 6, 10, 11),
        amo_word(0b00011, 8, 7, 10, 12),
    ]);
    cpu.mem.write(0x8000, 8, 41);
    cpu.regs[10] = 0x8000;
    cpu.regs[11] = 42;
    cpu.regs[12] = 43;
    cpu.step().unwrap();
    assert_eq!((cpu.reg(5), cpu.reservation), (41, 0x8000));
    cpu.step().unwrap();
    assert_eq!(
        (cpu.reg(6), cpu.mem.read(0x8000, 8)),
        (0, 42),
        "reserved: stored"
    );
    assert_eq!(cpu.reservation, NO_RESERVATION);
    cpu.step().unwrap();
    assert_eq!(
        (cpu.reg(7), cpu.mem.read(0x8000, 8)),
        (1, 42),
        "no reservation: failed"
    );
    // A reservation of another address fails too, and is cleared.
    let mut cpu = load(&[amo_word(0b00011, 4, 6, 10, 11)]);
    cpu.regs[10] = 0x8000;
    cpu.reservation = 0x8008;
    cpu.step().unwrap();
    assert_eq!((cpu.reg(6), cpu.reservation), (1, NO_RESERVATION));
}

#[test]
fn accesses_past_memory_trap_and_misalignment_is_checked_first() {
    let mut cpu = load(&[i(0, 1, 3, 2, 0x03)]); // ld x2, 0(x1)
    cpu.regs[1] = MEMORY_SIZE;
    traps(
        &mut cpu,
        Trap::OutOfRange {
            pc: 0x1000,
            addr: MEMORY_SIZE,
        },
    );
    cpu.regs[1] = MEMORY_SIZE + 1;
    traps(
        &mut cpu,
        Trap::MisalignedAccess {
            pc: 0x1000,
            addr: MEMORY_SIZE + 1,
            width: 8,
        },
    );
    let mut cpu = Cpu::new(MEMORY_SIZE, Memory::new());
    traps(
        &mut cpu,
        Trap::OutOfRange {
            pc: MEMORY_SIZE,
            addr: MEMORY_SIZE,
        },
    );
    // The last word of memory is reachable.
    let mut cpu = load(&[s(0, 2, 1, 3)]); // sd x2, 0(x1)
    cpu.regs[1] = MEMORY_SIZE - 8;
    cpu.regs[2] = 7;
    cpu.step().unwrap();
    assert_eq!(cpu.mem.read(MEMORY_SIZE - 8, 8), 7);
}

#[test]
fn a_store_over_code_is_what_runs_next() {
    // The page's decoded instructions are dropped when the page is written: `sw` overwrites the
    // next word (an ebreak) with `addi x5, x0, 7`, which is then what executes.
    let patch = addi(5, 0, 7);
    let mut cpu = load(&[s(4, 2, 1, 2), 0x0010_0073]); // sw x2, 4(x1); ebreak
    cpu.regs[1] = 0x1000;
    cpu.regs[2] = u64::from(patch);
    cpu.step().unwrap();
    cpu.step().unwrap();
    assert_eq!(cpu.reg(5), 7);
}
