//! The committed machine state: the bytes the L1 step verifier reads and the hash the dispute
//! game's claims are made of.
//!
//! Layout ([`STATE_SIZE`] bytes, integers big-endian):
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 32 | memory root ([`crate::memory`]) |
//! | 32 | 32 | preimage key |
//! | 64 | 8 | preimage offset |
//! | 72 | 8 | `pc` |
//! | 80 | 8 | step |
//! | 88 | 1 | status: 0 running, 1 exited, 2 trapped |
//! | 89 | 8 | exit code, or trap cause |
//! | 97 | 8 | reservation |
//! | 105 | 248 | `x1`..`x31` (`x0` is zero and not stored) |
//!
//! The state's **claim hash** is `keccak256(state)` with its first byte replaced by the
//! [`VmStatus`], so the game reads whether a final state accepts its input without the preimage.

use crate::{
    cpu::Cpu,
    machine::{Machine, Status},
    memory::Memory,
};
use alloy_primitives::{B256, keccak256};

/// Bytes of an encoded state.
pub const STATE_SIZE: usize = 353;
/// Offset of `x1` in the encoding; `x_r` is at `REGS_OFFSET + 8 * (r - 1)`.
pub const REGS_OFFSET: usize = 105;

/// What a state says about its run, as the claim hash's first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum VmStatus {
    /// Exited with code 0: the guest accepted its input's claim.
    Valid = 0,
    /// Exited with another code: the guest rejected the claim.
    Invalid = 1,
    /// Trapped.
    Panic = 2,
    /// Still running.
    Unfinished = 3,
}

impl VmStatus {
    /// The status of `status`.
    pub fn of(status: Status) -> Self {
        match status {
            Status::Running => Self::Unfinished,
            Status::Exited(0) => Self::Valid,
            Status::Exited(_) => Self::Invalid,
            Status::Trapped(_) => Self::Panic,
        }
    }
}

/// The claim hash of an encoded state.
pub fn claim_hash(encoded: &[u8; STATE_SIZE]) -> B256 {
    let status = match encoded[88] {
        0 => VmStatus::Unfinished,
        1 if encoded[89..97] == [0; 8] => VmStatus::Valid,
        1 => VmStatus::Invalid,
        _ => VmStatus::Panic,
    };
    let mut hash = keccak256(encoded);
    hash.0[0] = status as u8;
    hash
}

impl Machine {
    /// The state's encoding (computing the memory root).
    pub fn encode(&mut self) -> [u8; STATE_SIZE] {
        let mut out = [0u8; STATE_SIZE];
        out[0..32].copy_from_slice(self.cpu.mem.root().as_slice());
        out[32..64].copy_from_slice(self.preimage_key.as_slice());
        out[64..72].copy_from_slice(&self.preimage_offset.to_be_bytes());
        out[72..80].copy_from_slice(&self.cpu.pc.to_be_bytes());
        out[80..88].copy_from_slice(&self.step.to_be_bytes());
        let (status, code) = match self.status {
            Status::Running => (0, 0),
            Status::Exited(code) => (1, code),
            Status::Trapped(cause) => (2, cause),
        };
        out[88] = status;
        out[89..97].copy_from_slice(&code.to_be_bytes());
        out[97..105].copy_from_slice(&self.cpu.reservation.to_be_bytes());
        for r in 1..32 {
            let at = REGS_OFFSET + 8 * (r - 1);
            out[at..at + 8].copy_from_slice(&self.cpu.regs[r].to_be_bytes());
        }
        out
    }

    /// The state's claim hash.
    pub fn claim(&mut self) -> B256 {
        claim_hash(&self.encode())
    }

    /// The machine an encoding describes, over `mem` (whose root the encoding must hold).
    /// `None` if the encoding is not one a machine can be in (unknown status, wrong root).
    pub fn decode(encoded: &[u8; STATE_SIZE], mut mem: Memory) -> Option<Self> {
        let word = |at: usize| u64::from_be_bytes(encoded[at..at + 8].try_into().expect("8"));
        if mem.root().as_slice() != &encoded[0..32] {
            return None;
        }
        let status = match encoded[88] {
            0 if word(89) == 0 => Status::Running,
            1 => Status::Exited(word(89)),
            2 => Status::Trapped(word(89)),
            _ => return None,
        };
        let mut cpu = Cpu::new(word(72), mem);
        cpu.reservation = word(97);
        for r in 1..32 {
            cpu.regs[r] = word(REGS_OFFSET + 8 * (r - 1));
        }
        Some(Self {
            cpu,
            step: word(80),
            status,
            preimage_key: B256::from_slice(&encoded[32..64]),
            preimage_offset: word(64),
        })
    }
}
