//! RV64IMA instruction decoding: a 32-bit word to an [`Instr`], or `None` for any word outside
//! the set (compressed, floating-point, CSR and reserved encodings alike).

/// A conditional branch's comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchOp {
    /// `beq`
    Eq,
    /// `bne`
    Ne,
    /// `blt` (signed)
    Lt,
    /// `bge` (signed)
    Ge,
    /// `bltu`
    Ltu,
    /// `bgeu`
    Geu,
}

/// A load's width and extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadOp {
    /// `lb`: 1 byte, sign-extended.
    B,
    /// `lh`: 2 bytes, sign-extended.
    H,
    /// `lw`: 4 bytes, sign-extended.
    W,
    /// `ld`: 8 bytes.
    D,
    /// `lbu`: 1 byte, zero-extended.
    Bu,
    /// `lhu`: 2 bytes, zero-extended.
    Hu,
    /// `lwu`: 4 bytes, zero-extended.
    Wu,
}

impl LoadOp {
    /// Bytes read.
    pub fn width(self) -> u64 {
        match self {
            Self::B | Self::Bu => 1,
            Self::H | Self::Hu => 2,
            Self::W | Self::Wu => 4,
            Self::D => 8,
        }
    }
}

/// A store's width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOp {
    /// `sb`
    B,
    /// `sh`
    H,
    /// `sw`
    W,
    /// `sd`
    D,
}

impl StoreOp {
    /// Bytes written.
    pub fn width(self) -> u64 {
        match self {
            Self::B => 1,
            Self::H => 2,
            Self::W => 4,
            Self::D => 8,
        }
    }
}

/// An integer operation (the register-register and register-immediate forms share it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluOp {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `sll`
    Sll,
    /// `slt`
    Slt,
    /// `sltu`
    Sltu,
    /// `xor`
    Xor,
    /// `srl`
    Srl,
    /// `sra`
    Sra,
    /// `or`
    Or,
    /// `and`
    And,
    /// `mul`
    Mul,
    /// `mulh` (signed × signed, high half)
    Mulh,
    /// `mulhsu` (signed × unsigned, high half)
    Mulhsu,
    /// `mulhu` (unsigned × unsigned, high half)
    Mulhu,
    /// `div`
    Div,
    /// `divu`
    Divu,
    /// `rem`
    Rem,
    /// `remu`
    Remu,
}

/// How an atomic memory operation combines the value in memory with the register's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmoOp {
    /// `amoswap`: the register's value.
    Swap,
    /// `amoadd`
    Add,
    /// `amoxor`
    Xor,
    /// `amoand`
    And,
    /// `amoor`
    Or,
    /// `amomin` (signed)
    Min,
    /// `amomax` (signed)
    Max,
    /// `amominu`
    Minu,
    /// `amomaxu`
    Maxu,
}

/// One decoded instruction. The fields carry the ISA's names: `rd` the destination register,
/// `rs1`/`rs2` the sources, `imm` the immediate, sign-extended to 64 bits as the ISA defines (for
/// the shift-immediate forms, the shift amount).
#[allow(missing_docs)] // the fields are the ISA's operands, named as the manual names them
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// `lui rd, imm`
    Lui { rd: u8, imm: i64 },
    /// `auipc rd, imm`
    Auipc { rd: u8, imm: i64 },
    /// `jal rd, imm`
    Jal { rd: u8, imm: i64 },
    /// `jalr rd, imm(rs1)`
    Jalr { rd: u8, rs1: u8, imm: i64 },
    /// A conditional branch.
    Branch {
        op: BranchOp,
        rs1: u8,
        rs2: u8,
        imm: i64,
    },
    /// A load.
    Load {
        op: LoadOp,
        rd: u8,
        rs1: u8,
        imm: i64,
    },
    /// A store.
    Store {
        op: StoreOp,
        rs1: u8,
        rs2: u8,
        imm: i64,
    },
    /// A 64-bit register-immediate operation.
    OpImm {
        op: AluOp,
        rd: u8,
        rs1: u8,
        imm: i64,
    },
    /// A 32-bit register-immediate operation (`addiw`, `slliw`, `srliw`, `sraiw`).
    OpImm32 {
        op: AluOp,
        rd: u8,
        rs1: u8,
        imm: i64,
    },
    /// A 64-bit register-register operation.
    Op { op: AluOp, rd: u8, rs1: u8, rs2: u8 },
    /// A 32-bit register-register operation (the `…w` forms).
    Op32 { op: AluOp, rd: u8, rs1: u8, rs2: u8 },
    /// `fence`: a no-op on one hart.
    Fence,
    /// `lr.w`/`lr.d`: a load that reserves its address. `width` is 4 or 8.
    Lr { width: u64, rd: u8, rs1: u8 },
    /// `sc.w`/`sc.d`: a store that happens only if the address is reserved.
    Sc {
        width: u64,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    /// An atomic read-modify-write (`amoadd.d`, …): `rd` gets the old value.
    Amo {
        op: AmoOp,
        width: u64,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    /// `ecall`: a syscall, handed to the host.
    Ecall,
    /// `ebreak`
    Ebreak,
}

fn rd(w: u32) -> u8 {
    ((w >> 7) & 31) as u8
}
fn rs1(w: u32) -> u8 {
    ((w >> 15) & 31) as u8
}
fn rs2(w: u32) -> u8 {
    ((w >> 20) & 31) as u8
}
fn funct3(w: u32) -> u32 {
    (w >> 12) & 7
}
fn funct7(w: u32) -> u32 {
    w >> 25
}
fn imm_i(w: u32) -> i64 {
    i64::from((w as i32) >> 20)
}
fn imm_s(w: u32) -> i64 {
    i64::from(((w as i32) >> 20) & !0x1f | ((w >> 7) & 0x1f) as i32)
}
fn imm_b(w: u32) -> i64 {
    let v = (((w as i32) >> 31) << 12) as u32
        | ((w >> 7) & 1) << 11
        | ((w >> 25) & 0x3f) << 5
        | ((w >> 8) & 0xf) << 1;
    i64::from(v as i32)
}
fn imm_u(w: u32) -> i64 {
    i64::from((w & 0xffff_f000) as i32)
}
fn imm_j(w: u32) -> i64 {
    let v = (((w as i32) >> 31) << 20) as u32
        | ((w >> 12) & 0xff) << 12
        | ((w >> 20) & 1) << 11
        | ((w >> 21) & 0x3ff) << 1;
    i64::from(v as i32)
}

/// Decodes one instruction word; `None` when it is not an RV64IMA instruction. The atomics'
/// ordering bits (`aq`, `rl`) mean nothing on one hart and are accepted whatever they hold.
pub fn decode(w: u32) -> Option<Instr> {
    use AluOp::*;
    let (rd, rs1, rs2, f3, f7) = (rd(w), rs1(w), rs2(w), funct3(w), funct7(w));
    Some(match w & 0x7f {
        0x37 => Instr::Lui { rd, imm: imm_u(w) },
        0x17 => Instr::Auipc { rd, imm: imm_u(w) },
        0x6f => Instr::Jal { rd, imm: imm_j(w) },
        0x67 if f3 == 0 => Instr::Jalr {
            rd,
            rs1,
            imm: imm_i(w),
        },
        0x63 => Instr::Branch {
            op: match f3 {
                0 => BranchOp::Eq,
                1 => BranchOp::Ne,
                4 => BranchOp::Lt,
                5 => BranchOp::Ge,
                6 => BranchOp::Ltu,
                7 => BranchOp::Geu,
                _ => return None,
            },
            rs1,
            rs2,
            imm: imm_b(w),
        },
        0x03 => Instr::Load {
            op: match f3 {
                0 => LoadOp::B,
                1 => LoadOp::H,
                2 => LoadOp::W,
                3 => LoadOp::D,
                4 => LoadOp::Bu,
                5 => LoadOp::Hu,
                6 => LoadOp::Wu,
                _ => return None,
            },
            rd,
            rs1,
            imm: imm_i(w),
        },
        0x23 => Instr::Store {
            op: match f3 {
                0 => StoreOp::B,
                1 => StoreOp::H,
                2 => StoreOp::W,
                3 => StoreOp::D,
                _ => return None,
            },
            rs1,
            rs2,
            imm: imm_s(w),
        },
        0x13 => {
            let shamt = i64::from((w >> 20) & 0x3f);
            let (op, imm) = match (f3, w >> 26) {
                (0, _) => (Add, imm_i(w)),
                (2, _) => (Slt, imm_i(w)),
                (3, _) => (Sltu, imm_i(w)),
                (4, _) => (Xor, imm_i(w)),
                (6, _) => (Or, imm_i(w)),
                (7, _) => (And, imm_i(w)),
                (1, 0) => (Sll, shamt),
                (5, 0) => (Srl, shamt),
                (5, 0x10) => (Sra, shamt),
                _ => return None,
            };
            Instr::OpImm { op, rd, rs1, imm }
        }
        0x1b => {
            let shamt = i64::from((w >> 20) & 0x1f);
            let (op, imm) = match (f3, f7) {
                (0, _) => (Add, imm_i(w)),
                (1, 0) => (Sll, shamt),
                (5, 0) => (Srl, shamt),
                (5, 0x20) => (Sra, shamt),
                _ => return None,
            };
            Instr::OpImm32 { op, rd, rs1, imm }
        }
        0x33 => Instr::Op {
            op: match (f7, f3) {
                (0, 0) => Add,
                (0x20, 0) => Sub,
                (0, 1) => Sll,
                (0, 2) => Slt,
                (0, 3) => Sltu,
                (0, 4) => Xor,
                (0, 5) => Srl,
                (0x20, 5) => Sra,
                (0, 6) => Or,
                (0, 7) => And,
                (1, 0) => Mul,
                (1, 1) => Mulh,
                (1, 2) => Mulhsu,
                (1, 3) => Mulhu,
                (1, 4) => Div,
                (1, 5) => Divu,
                (1, 6) => Rem,
                (1, 7) => Remu,
                _ => return None,
            },
            rd,
            rs1,
            rs2,
        },
        0x3b => Instr::Op32 {
            op: match (f7, f3) {
                (0, 0) => Add,
                (0x20, 0) => Sub,
                (0, 1) => Sll,
                (0, 5) => Srl,
                (0x20, 5) => Sra,
                (1, 0) => Mul,
                (1, 4) => Div,
                (1, 5) => Divu,
                (1, 6) => Rem,
                (1, 7) => Remu,
                _ => return None,
            },
            rd,
            rs1,
            rs2,
        },
        0x0f if f3 == 0 => Instr::Fence,
        0x2f if f3 == 2 || f3 == 3 => {
            let width = if f3 == 2 { 4 } else { 8 };
            let op = match w >> 27 {
                0b00010 if rs2 == 0 => return Some(Instr::Lr { width, rd, rs1 }),
                0b00011 => {
                    return Some(Instr::Sc {
                        width,
                        rd,
                        rs1,
                        rs2,
                    });
                }
                0b00001 => AmoOp::Swap,
                0b00000 => AmoOp::Add,
                0b00100 => AmoOp::Xor,
                0b01100 => AmoOp::And,
                0b01000 => AmoOp::Or,
                0b10000 => AmoOp::Min,
                0b10100 => AmoOp::Max,
                0b11000 => AmoOp::Minu,
                0b11100 => AmoOp::Maxu,
                _ => return None,
            };
            Instr::Amo {
                op,
                width,
                rd,
                rs1,
                rs2,
            }
        }
        0x73 if w == 0x0000_0073 => Instr::Ecall,
        0x73 if w == 0x0010_0073 => Instr::Ebreak,
        _ => return None,
    })
}
