//! baton's fault-proof VM (issue 17): a RISC-V machine with no I/O, in fast mode for replay
//! and in proof mode for the dispute game.
//!
//! The dispute game ends on one instruction of this machine executed on L1, so its semantics
//! are the protocol: every instruction, misaligned access, out-of-range access, illegal word
//! and syscall has one defined result here, which the L1 step verifier must reproduce bit for
//! bit (`contracts/vm/RiscV.sol`, held to this crate by a differential test).
//!
//! The ISA is **RV64IMA without compressed instructions**: the base integer set, multiply and
//! divide, and atomics; no floating point, no CSRs. It is what Rust's
//! `riscv64imac-unknown-none-elf` emits with `-C target-feature=-c,-zca`. Dropping the
//! compressed set keeps every instruction one aligned 32-bit word inside one memory leaf, so a
//! step proves at most two leaves; the atomics stay because `alloc`'s `Arc` (which revm uses)
//! needs compare-and-swap, and on one hart they are a load and a store of one leaf. Words
//! outside the set are [`Trap::IllegalInstruction`].
//!
//! Read in this order:
//! - [`decode`]: a 32-bit word to an [`Instr`], or why it is not one.
//! - [`memory`]: 4 GiB of paged little-endian memory and its Merkle commitment.
//! - [`cpu`]: registers, `pc`, the load reservation, one [`Cpu::step`].
//! - [`machine`]: the step counter, halting, and the syscalls (read a preimage, write, exit).
//! - [`state`]: the committed state's encoding and claim hash.
//! - [`elf`]: loading a guest.
//! - [`witness`]: one step's witness for L1, and snapshots to answer any step.
//!
//! The guest is `keepers/guest`, the L1 side `contracts/vm/` (docs/vm.md). Not here yet: the
//! dispute game's second level; no role uses this crate so far.

pub mod cpu;
pub mod decode;
pub mod elf;
pub mod machine;
pub mod memory;
pub mod state;
pub mod witness;

pub use cpu::{Cpu, Step, Trap};
pub use decode::{Instr, decode};
pub use elf::{ElfError, Program};
pub use machine::{Machine, MissingPreimage, PreimageOracle, Status};
pub use memory::{MEMORY_SIZE, Memory, MemoryProof, PAGE_SIZE};
pub use state::{STATE_SIZE, VmStatus, claim_hash};
pub use witness::{PROOF_SIZE, StepWitness, Trace};
