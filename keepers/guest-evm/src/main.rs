//! baton's fault-proof guest for the EVM chain: checks a block's claim (`BlockClaim`) or one
//! transaction's (`Claim`) with the nodes' own executor (baton-evm, revm at Cancun).
//!
//! The VM boots with the claim's key (`BlockClaim::key`, `Claim::key`) in `a0`..`a3`. The guest
//! reads the claim through the preimage channel, opens the pre-state node by node from
//! preimages, builds the block (or runs the transaction or deposit) and exits 0 if the claimed
//! header hash (or post-state root) is the one it computed, 1 if not, 2 if the input is not a
//! claim, 101 on a panic (message on stderr).

#![no_std]
#![no_main]

extern crate alloc;

// The ledger guest's runtime (entry, heap, panic handler) and syscalls, shared as they are.
#[path = "../../guest/src/runtime.rs"]
mod runtime;
#[path = "../../guest/src/syscall.rs"]
mod syscall;

use alloc::vec::Vec;
use alloy_primitives::B256;
use baton_evm::{BlockClaim, Claim, Preimages};

impl Preimages for syscall::Channel {
    fn preimage(&mut self, hash: &B256) -> Option<Vec<u8>> {
        Some(syscall::read_preimage(hash))
    }
}

/// Entered from `_start` with the input key's four big-endian words in `a0`..`a3`.
#[unsafe(no_mangle)]
extern "C" fn guest_main(k0: u64, k1: u64, k2: u64, k3: u64) -> ! {
    let mut key = [0u8; 32];
    for (i, word) in [k0, k1, k2, k3].into_iter().enumerate() {
        key[8 * i..8 * i + 8].copy_from_slice(&word.to_be_bytes());
    }
    let input = syscall::read_preimage(&B256::from(key));
    let right = if let Some(claim) = BlockClaim::decode(&input) {
        claim.post_hash(syscall::Channel) == claim.claimed_hash
    } else if let Some(claim) = Claim::decode(&input) {
        claim.post_root(syscall::Channel) == claim.claimed_post_root
    } else {
        syscall::exit(2)
    };
    syscall::exit(if right { 0 } else { 1 })
}
