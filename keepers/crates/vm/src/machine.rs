//! The whole machine the dispute game steps through: the CPU, the step counter, the halt status,
//! the preimage channel, and the three syscalls.
//!
//! The syscalls are Linux's numbers and calling convention (`a7` the number, `a0`.. the
//! arguments, `a0` the result), so the same guest ELF runs unchanged under `qemu-riscv64`:
//! - `exit(code)` (93): the machine halts with `code`.
//! - `write(fd, buf, count)` (64): to `stdout`/`stderr` (1, 2) it returns `count` and changes
//!   nothing (the host may show the bytes); to [`FD_PREIMAGE_KEY`] it shifts up to the rest of
//!   `buf`'s 32-byte leaf into the preimage key and rewinds the preimage to its start.
//! - `read(fd, buf, count)` (63): from [`FD_PREIMAGE_DATA`] it copies the next bytes of the
//!   keyed preimage, framed as its 8-byte big-endian length followed by the bytes, stopping at
//!   the end of `buf`'s 32-byte leaf; it returns how many it copied (0 at the end).
//!
//! Any other descriptor gets `-EBADF`; any other number traps. One step touches at most two
//! memory leaves (the instruction and one data leaf), which is what keeps the L1 step cheap.

use crate::{
    cpu::{Cpu, Step, Trap},
    memory::{LEAF_SIZE, MEMORY_SIZE},
};
use alloy_primitives::B256;
use std::collections::HashMap;

/// `read`.
pub const SYS_READ: u64 = 63;
/// `write`.
pub const SYS_WRITE: u64 = 64;
/// `exit`.
pub const SYS_EXIT: u64 = 93;
/// The descriptor a guest writes a preimage key to.
pub const FD_PREIMAGE_KEY: u64 = 3;
/// The descriptor a guest reads the keyed preimage from.
pub const FD_PREIMAGE_DATA: u64 = 4;
/// `-EBADF`, returned for a descriptor the machine does not serve.
pub const EBADF: u64 = (-9i64) as u64;

/// Where the machine stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Still running.
    Running,
    /// Halted by `exit(code)`.
    Exited(u64),
    /// Halted by a trap; the number is [`Trap::cause`].
    Trapped(u64),
}

/// Preimages by their keccak-256 hash: what the guest can ask the host for.
pub trait PreimageOracle {
    /// The preimage of `key`, if the host has it.
    fn preimage(&self, key: &B256) -> Option<&[u8]>;
}

impl PreimageOracle for HashMap<B256, Vec<u8>> {
    fn preimage(&self, key: &B256) -> Option<&[u8]> {
        self.get(key).map(Vec::as_slice)
    }
}

/// A step that could not run: the host lacks the preimage the guest asked for. Nothing changed;
/// the same step runs once the preimage is supplied (on L1, once it is loaded into the oracle).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the guest reads preimage {key} but the host does not have it")]
pub struct MissingPreimage {
    /// The key asked for.
    pub key: B256,
}

/// What one step touched, beyond the instruction word: what its L1 proof must carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// The data address read or written.
    pub data: Option<u64>,
    /// The preimage part read: its key and the offset into the framed preimage.
    pub preimage: Option<(B256, u64)>,
}

/// The machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// Registers, `pc`, reservation and memory.
    pub cpu: Cpu,
    /// Steps taken while running.
    pub step: u64,
    /// Running or halted.
    pub status: Status,
    /// The key the guest wrote to [`FD_PREIMAGE_KEY`].
    pub preimage_key: B256,
    /// How far into the framed preimage the guest has read.
    pub preimage_offset: u64,
}

/// The preimage framed as the guest reads it: 8-byte big-endian length, then the bytes.
pub fn framed(preimage: &[u8]) -> Vec<u8> {
    framed_part(preimage, 0, 8 + preimage.len())
}

/// `len` bytes of the framed preimage from `offset` on (inside it).
pub fn framed_part(preimage: &[u8], offset: usize, len: usize) -> Vec<u8> {
    let prefix = (preimage.len() as u64).to_be_bytes();
    (offset..offset + len)
        .map(|i| if i < 8 { prefix[i] } else { preimage[i - 8] })
        .collect()
}

/// Bytes from `addr` to the end of its 32-byte leaf.
fn leaf_room(addr: u64) -> u64 {
    LEAF_SIZE - addr % LEAF_SIZE
}

impl Machine {
    /// A running machine at step 0 over `cpu`.
    pub fn new(cpu: Cpu) -> Self {
        Self {
            cpu,
            step: 0,
            status: Status::Running,
            preimage_key: B256::ZERO,
            preimage_offset: 0,
        }
    }

    /// Runs one step. A halted machine does not change. The only error leaves the machine as it
    /// was: the host lacks a preimage.
    pub fn step(&mut self, oracle: &impl PreimageOracle) -> Result<Touched, MissingPreimage> {
        if self.status != Status::Running {
            return Ok(Touched::default());
        }
        let pc = self.cpu.pc;
        let executed = self.cpu.step();
        self.finish(pc, executed, oracle)
    }

    /// Completes the step the CPU took from `pc`: serves a syscall, records a trap, counts it.
    fn finish(
        &mut self,
        pc: u64,
        executed: Result<Step, Trap>,
        oracle: &impl PreimageOracle,
    ) -> Result<Touched, MissingPreimage> {
        let touched = match executed {
            Ok(Step::Next { access }) => Touched {
                data: access,
                preimage: None,
            },
            Ok(Step::Ecall) => match self.syscall(oracle) {
                Ok(touched) => touched,
                Err(SyscallError::Missing(missing)) => {
                    self.cpu.pc = pc;
                    return Err(missing);
                }
                Err(SyscallError::Trap(trap)) => {
                    self.cpu.pc = pc;
                    self.status = Status::Trapped(trap.cause());
                    Touched::default()
                }
            },
            Err(trap) => {
                self.status = Status::Trapped(trap.cause());
                Touched::default()
            }
        };
        // The counter wraps as the L1 verifier's does; no game runs 2^64 steps.
        self.step = self.step.wrapping_add(1);
        Ok(touched)
    }

    /// Runs until halted or `max_steps` steps have run; returns the steps run. Fast mode: the
    /// same steps as [`Machine::step`], without reporting what each touched.
    pub fn run(
        &mut self,
        oracle: &impl PreimageOracle,
        max_steps: u64,
    ) -> Result<u64, MissingPreimage> {
        let start = self.step;
        while self.status == Status::Running && self.step.wrapping_sub(start) < max_steps {
            let pc = self.cpu.pc;
            match self.cpu.step() {
                Ok(Step::Next { .. }) => self.step = self.step.wrapping_add(1),
                other => {
                    self.finish(pc, other, oracle)?;
                }
            }
        }
        Ok(self.step.wrapping_sub(start))
    }

    /// Serves the `ecall` just executed (`pc` already past it).
    fn syscall(&mut self, oracle: &impl PreimageOracle) -> Result<Touched, SyscallError> {
        let pc = self.cpu.pc.wrapping_sub(4);
        let [number, fd, buf, count] = [17, 10, 11, 12].map(|r| self.cpu.reg(r));
        let in_memory = |addr: u64| {
            if addr < MEMORY_SIZE {
                Ok(addr)
            } else {
                Err(SyscallError::Trap(Trap::OutOfRange { pc, addr }))
            }
        };
        let mut touched = Touched::default();
        let result = match (number, fd) {
            (SYS_EXIT, _) => {
                self.status = Status::Exited(fd);
                return Ok(touched);
            }
            (SYS_WRITE, 1 | 2) => count,
            (SYS_WRITE, FD_PREIMAGE_KEY) => {
                let buf = in_memory(buf)?;
                let n = count.min(leaf_room(buf));
                let bytes = self.cpu.mem.read_bytes(buf, n as usize);
                let mut key = [0u8; 64];
                key[..32].copy_from_slice(self.preimage_key.as_slice());
                key[32..32 + n as usize].copy_from_slice(&bytes);
                self.preimage_key = B256::from_slice(&key[n as usize..n as usize + 32]);
                self.preimage_offset = 0;
                touched.data = Some(buf);
                n
            }
            (SYS_READ, FD_PREIMAGE_DATA) => {
                let buf = in_memory(buf)?;
                let key = self.preimage_key;
                let preimage = oracle
                    .preimage(&key)
                    .ok_or(SyscallError::Missing(MissingPreimage { key }))?;
                let framed_len = 8 + preimage.len() as u64;
                let offset = self.preimage_offset;
                let n = count
                    .min(leaf_room(buf))
                    .min(framed_len.saturating_sub(offset));
                let part = framed_part(preimage, offset as usize, n as usize);
                self.cpu.mem.write_bytes(buf, &part);
                self.preimage_offset = offset + n;
                touched.data = Some(buf);
                touched.preimage = Some((key, offset));
                n
            }
            (SYS_READ | SYS_WRITE, _) => EBADF,
            _ => return Err(SyscallError::Trap(Trap::BadSyscall { pc, number })),
        };
        self.cpu.regs[10] = result;
        Ok(touched)
    }
}

enum SyscallError {
    Missing(MissingPreimage),
    Trap(Trap),
}
