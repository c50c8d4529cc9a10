//! The CPU: 32 registers (`x0` reads zero), `pc`, the load reservation, memory, and one
//! instruction per [`Cpu::step`]. A step that traps changes nothing, so a trap is a defined,
//! final result the L1 verifier can reproduce from the same state.

use crate::{
    decode::{AluOp, AmoOp, BranchOp, Instr, LoadOp},
    memory::{MEMORY_SIZE, Memory},
};

/// What a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Executed; `pc` moved on. `access` is the data address read or written, if any: the
    /// leaf a step proof must carry besides the instruction's.
    Next {
        /// The data address.
        access: Option<u64>,
    },
    /// `ecall` executed (`pc` moved on): the host serves the syscall named in `a7` and writes
    /// its result to the registers before the next step.
    Ecall,
}

/// The reservation register's value when no address is reserved (never an aligned address).
pub const NO_RESERVATION: u64 = u64::MAX;

/// Why a step could not execute. The state is left as it was before the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Trap {
    /// `pc` is not a multiple of 4.
    #[error("pc {pc:#x} is not 4-byte aligned")]
    MisalignedPc {
        /// The program counter.
        pc: u64,
    },
    /// The word at `pc` is not an RV64IM instruction.
    #[error("illegal instruction {word:#010x} at {pc:#x}")]
    IllegalInstruction {
        /// The program counter.
        pc: u64,
        /// The word found there.
        word: u32,
    },
    /// A jump or taken branch to an address that is not a multiple of 4.
    #[error("jump from {pc:#x} to misaligned {target:#x}")]
    MisalignedJump {
        /// The program counter.
        pc: u64,
        /// The target.
        target: u64,
    },
    /// A load or store not aligned to its width.
    #[error("misaligned {width}-byte access at {addr:#x} (pc {pc:#x})")]
    MisalignedAccess {
        /// The program counter.
        pc: u64,
        /// The address.
        addr: u64,
        /// The access width in bytes.
        width: u64,
    },
    /// `ebreak`.
    #[error("ebreak at {pc:#x}")]
    Breakpoint {
        /// The program counter.
        pc: u64,
    },
    /// An instruction fetch or data access at or past the end of memory (4 GiB).
    #[error("access at {addr:#x} is outside memory (pc {pc:#x})")]
    OutOfRange {
        /// The program counter.
        pc: u64,
        /// The address.
        addr: u64,
    },
    /// An `ecall` with a syscall number, or a file descriptor, the machine does not serve.
    #[error("unsupported syscall {number} at {pc:#x}")]
    BadSyscall {
        /// The program counter.
        pc: u64,
        /// The syscall number (`a7`).
        number: u64,
    },
}

impl Trap {
    /// The cause's number, as the committed state and the L1 verifier record it.
    pub fn cause(&self) -> u64 {
        match self {
            Self::MisalignedPc { .. } => 1,
            Self::IllegalInstruction { .. } => 2,
            Self::MisalignedJump { .. } => 3,
            Self::MisalignedAccess { .. } => 4,
            Self::Breakpoint { .. } => 5,
            Self::OutOfRange { .. } => 6,
            Self::BadSyscall { .. } => 7,
        }
    }
}

/// The machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// `x0`..`x31`; `x0` is always zero.
    pub regs: [u64; 32],
    /// The program counter.
    pub pc: u64,
    /// The address `lr` reserved, or [`NO_RESERVATION`]. Any `sc` clears it.
    pub reservation: u64,
    /// Memory.
    pub mem: Memory,
}

/// The result of `op` on 64-bit operands.
fn alu64(op: AluOp, a: u64, b: u64) -> u64 {
    let (sa, sb) = (a as i64, b as i64);
    match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        AluOp::Sll => a << (b & 63),
        AluOp::Slt => u64::from(sa < sb),
        AluOp::Sltu => u64::from(a < b),
        AluOp::Xor => a ^ b,
        AluOp::Srl => a >> (b & 63),
        AluOp::Sra => (sa >> (b & 63)) as u64,
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::Mulh => ((i128::from(sa) * i128::from(sb)) >> 64) as u64,
        AluOp::Mulhsu => ((i128::from(sa) * i128::from(b)) >> 64) as u64,
        AluOp::Mulhu => ((u128::from(a) * u128::from(b)) >> 64) as u64,
        // Division by zero and overflow have the ISA's defined results, never a trap.
        // (Wrapping division gives the overflow case's results: MIN / -1 = MIN, MIN % -1 = 0.)
        AluOp::Div if sb == 0 => u64::MAX,
        AluOp::Div => sa.wrapping_div(sb) as u64,
        AluOp::Divu => a.checked_div(b).unwrap_or(u64::MAX),
        AluOp::Rem if sb == 0 => a,
        AluOp::Rem => sa.wrapping_rem(sb) as u64,
        AluOp::Remu => a.checked_rem(b).unwrap_or(a),
    }
}

/// The result of `op` on the low 32 bits of the operands, sign-extended to 64 bits.
fn alu32(op: AluOp, a: u64, b: u64) -> u64 {
    let (a32, b32) = (a as u32, b as u32);
    let (sa, sb) = (a32 as i32, b32 as i32);
    let r: u32 = match op {
        AluOp::Add => a32.wrapping_add(b32),
        AluOp::Sub => a32.wrapping_sub(b32),
        AluOp::Sll => a32 << (b32 & 31),
        AluOp::Srl => a32 >> (b32 & 31),
        AluOp::Sra => (sa >> (b32 & 31)) as u32,
        AluOp::Mul => a32.wrapping_mul(b32),
        AluOp::Div if sb == 0 => u32::MAX,
        AluOp::Div => sa.wrapping_div(sb) as u32,
        AluOp::Divu => a32.checked_div(b32).unwrap_or(u32::MAX),
        AluOp::Rem if sb == 0 => a32,
        AluOp::Rem => sa.wrapping_rem(sb) as u32,
        AluOp::Remu => a32.checked_rem(b32).unwrap_or(a32),
        // The decoder never makes another 32-bit operation.
        other => unreachable!("no 32-bit form of {other:?}"),
    };
    i64::from(r as i32) as u64
}

/// The value an atomic operation stores, from the old value in memory and the register's, both
/// already narrowed (and sign-extended) to the operation's width.
fn amo(op: AmoOp, old: u64, reg: u64) -> u64 {
    match op {
        AmoOp::Swap => reg,
        AmoOp::Add => old.wrapping_add(reg),
        AmoOp::Xor => old ^ reg,
        AmoOp::And => old & reg,
        AmoOp::Or => old | reg,
        AmoOp::Min => (old as i64).min(reg as i64) as u64,
        AmoOp::Max => (old as i64).max(reg as i64) as u64,
        AmoOp::Minu => old.min(reg),
        AmoOp::Maxu => old.max(reg),
    }
}

/// `value`'s low `width` bytes, sign-extended (a 4-byte word) or whole (8 bytes).
fn narrow(value: u64, width: u64) -> u64 {
    if width == 4 {
        i64::from(value as i32) as u64
    } else {
        value
    }
}

impl Default for Cpu {
    fn default() -> Self {
        Self::new(0, Memory::new())
    }
}

impl Cpu {
    /// A machine at `pc` with zeroed registers over `mem`.
    pub fn new(pc: u64, mem: Memory) -> Self {
        Self {
            regs: [0; 32],
            pc,
            reservation: NO_RESERVATION,
            mem,
        }
    }

    /// Register `r` (`x0` reads zero).
    pub fn reg(&self, r: u8) -> u64 {
        self.regs[r as usize]
    }

    fn set(&mut self, rd: u8, value: u64) {
        if rd != 0 {
            self.regs[rd as usize] = value;
        }
    }

    /// Executes one instruction.
    #[inline]
    pub fn step(&mut self) -> Result<Step, Trap> {
        let pc = self.pc;
        if !pc.is_multiple_of(4) {
            return Err(Trap::MisalignedPc { pc });
        }
        if pc >= MEMORY_SIZE {
            return Err(Trap::OutOfRange { pc, addr: pc });
        }
        let instr = self
            .mem
            .fetch(pc)
            .map_err(|word| Trap::IllegalInstruction { pc, word })?;
        let next = pc.wrapping_add(4);
        let jump = |target: u64| {
            if target.is_multiple_of(4) {
                Ok(target)
            } else {
                Err(Trap::MisalignedJump { pc, target })
            }
        };
        // Alignment is checked first: a misaligned access past the end is misaligned.
        let access = |addr: u64, width: u64| {
            if !addr.is_multiple_of(width) {
                Err(Trap::MisalignedAccess { pc, addr, width })
            } else if addr >= MEMORY_SIZE {
                Err(Trap::OutOfRange { pc, addr })
            } else {
                Ok(addr)
            }
        };
        let mut step = Step::Next { access: None };
        let new_pc = match instr {
            Instr::Lui { rd, imm } => {
                self.set(rd, imm as u64);
                next
            }
            Instr::Auipc { rd, imm } => {
                self.set(rd, pc.wrapping_add(imm as u64));
                next
            }
            Instr::Jal { rd, imm } => {
                let target = jump(pc.wrapping_add(imm as u64))?;
                self.set(rd, next);
                target
            }
            Instr::Jalr { rd, rs1, imm } => {
                let target = jump(self.reg(rs1).wrapping_add(imm as u64) & !1)?;
                self.set(rd, next);
                target
            }
            Instr::Branch { op, rs1, rs2, imm } => {
                let (a, b) = (self.reg(rs1), self.reg(rs2));
                let taken = match op {
                    BranchOp::Eq => a == b,
                    BranchOp::Ne => a != b,
                    BranchOp::Lt => (a as i64) < (b as i64),
                    BranchOp::Ge => (a as i64) >= (b as i64),
                    BranchOp::Ltu => a < b,
                    BranchOp::Geu => a >= b,
                };
                if taken {
                    jump(pc.wrapping_add(imm as u64))?
                } else {
                    next
                }
            }
            Instr::Load { op, rd, rs1, imm } => {
                let addr = access(self.reg(rs1).wrapping_add(imm as u64), op.width())?;
                let raw = self.mem.read(addr, op.width());
                let value = match op {
                    LoadOp::B => raw as u8 as i8 as i64 as u64,
                    LoadOp::H => raw as u16 as i16 as i64 as u64,
                    LoadOp::W => raw as u32 as i32 as i64 as u64,
                    LoadOp::D | LoadOp::Bu | LoadOp::Hu | LoadOp::Wu => raw,
                };
                self.set(rd, value);
                step = Step::Next { access: Some(addr) };
                next
            }
            Instr::Store { op, rs1, rs2, imm } => {
                let addr = access(self.reg(rs1).wrapping_add(imm as u64), op.width())?;
                self.mem.write(addr, op.width(), self.reg(rs2));
                step = Step::Next { access: Some(addr) };
                next
            }
            Instr::Lr { width, rd, rs1 } => {
                let addr = access(self.reg(rs1), width)?;
                self.set(rd, narrow(self.mem.read(addr, width), width));
                self.reservation = addr;
                step = Step::Next { access: Some(addr) };
                next
            }
            Instr::Sc {
                width,
                rd,
                rs1,
                rs2,
            } => {
                let addr = access(self.reg(rs1), width)?;
                let reserved = self.reservation == addr;
                if reserved {
                    self.mem.write(addr, width, self.reg(rs2));
                }
                self.reservation = NO_RESERVATION;
                self.set(rd, u64::from(!reserved));
                step = Step::Next { access: Some(addr) };
                next
            }
            Instr::Amo {
                op,
                width,
                rd,
                rs1,
                rs2,
            } => {
                let addr = access(self.reg(rs1), width)?;
                let old = narrow(self.mem.read(addr, width), width);
                let new = amo(op, old, narrow(self.reg(rs2), width));
                self.mem.write(addr, width, new);
                self.set(rd, old);
                step = Step::Next { access: Some(addr) };
                next
            }
            Instr::OpImm { op, rd, rs1, imm } => {
                self.set(rd, alu64(op, self.reg(rs1), imm as u64));
                next
            }
            Instr::OpImm32 { op, rd, rs1, imm } => {
                self.set(rd, alu32(op, self.reg(rs1), imm as u64));
                next
            }
            Instr::Op { op, rd, rs1, rs2 } => {
                self.set(rd, alu64(op, self.reg(rs1), self.reg(rs2)));
                next
            }
            Instr::Op32 { op, rd, rs1, rs2 } => {
                self.set(rd, alu32(op, self.reg(rs1), self.reg(rs2)));
                next
            }
            Instr::Fence => next,
            Instr::Ecall => {
                step = Step::Ecall;
                next
            }
            Instr::Ebreak => return Err(Trap::Breakpoint { pc }),
        };
        self.pc = new_pc;
        Ok(step)
    }
}

#[cfg(test)]
mod tests;
