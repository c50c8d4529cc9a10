//! baton's fault-proof VM (issue 17, first step): a RISC-V interpreter with no I/O.
//!
//! The dispute game will end on one instruction of this machine executed on L1, so its
//! semantics are the protocol: every instruction, every misaligned access and every illegal
//! word has one defined result here, which the L1 step verifier must reproduce bit for bit.
//!
//! The ISA is **RV64IM**: the base integer set and multiply/divide, no compressed instructions,
//! no atomics, no floating point, no CSRs. It is the smallest set a `no_std` Rust program
//! compiles to (`riscv64im` with `-C target-feature=-c,-a`), and every instruction the verifier
//! must decode costs L1 gas, so nothing else is decoded. Words outside it are
//! [`Trap::IllegalInstruction`].
//!
//! Read in this order:
//! - [`decode`]: a 32-bit word to an [`Instr`], or why it is not one.
//! - [`memory`]: byte-addressed, paged, little-endian memory; naturally aligned accesses only.
//! - [`cpu`]: registers, `pc`, one [`Cpu::step`]; `ecall` is handed to the caller (the syscalls
//!   are the host's: read preimage, write output, exit).
//!
//! Not here yet: the merkleized state commitment and step witnesses, the ELF loader, the
//! syscalls, the guest program and the Solidity verifier. Nothing in the node uses this crate.

pub mod cpu;
pub mod decode;
pub mod memory;

pub use cpu::{Cpu, Step, Trap};
pub use decode::{Instr, decode};
pub use memory::{Memory, PAGE_SIZE};
