//! baton's fault-proof guest: checks one transaction's claim with the nodes' own STF.
//!
//! The VM boots with the claim's key (`GuestInput::key`) in `a0`..`a3`. The guest reads the
//! claim through the preimage channel, opens the pre-state from preimages, applies the
//! transaction with `baton_stf::apply` and exits 0 if the claimed post-state root is the one it
//! computed, 1 if not, 2 if the claim is not a claim, 101 on a panic (message on stderr).

#![no_std]
#![no_main]

extern crate alloc;

mod runtime;
mod syscall;

use alloy_primitives::B256;
use alloc::vec::Vec;
use baton_stf::GuestInput;

impl baton_stf::Preimages for &mut syscall::Channel {
    fn preimage(&mut self, hash: &B256) -> Vec<u8> {
        syscall::read_preimage(hash)
    }
}

/// Entered from `_start` with the input key's four big-endian words in `a0`..`a3`.
#[unsafe(no_mangle)]
extern "C" fn guest_main(k0: u64, k1: u64, k2: u64, k3: u64) -> ! {
    let mut key = [0u8; 32];
    for (i, word) in [k0, k1, k2, k3].into_iter().enumerate() {
        key[8 * i..8 * i + 8].copy_from_slice(&word.to_be_bytes());
    }
    let mut channel = syscall::Channel;
    let input = syscall::read_preimage(&B256::from(key));
    let Some(input) = GuestInput::decode(&input) else {
        syscall::exit(2)
    };
    let post = input.post_root(&mut channel);
    syscall::exit(if post == input.claimed_post_root { 0 } else { 1 })
}
