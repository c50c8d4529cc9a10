//! Proof mode: the witness of one step for the L1 verifier, and a [`Trace`] that answers "the
//! state at step k" from snapshots instead of replaying from zero.

use crate::{
    machine::{Machine, MissingPreimage, PreimageOracle, Status},
    memory::{MEMORY_SIZE, MemoryProof, TREE_DEPTH},
    state::STATE_SIZE,
};
use alloy_primitives::B256;

/// Bytes of one encoded memory proof: the leaf, then its siblings from the bottom up.
pub const PROOF_SIZE: usize = 32 * (1 + TREE_DEPTH);

/// Everything the L1 verifier needs to run one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepWitness {
    /// The pre-state's encoding.
    pub state: [u8; STATE_SIZE],
    /// The instruction leaf's proof (when the step fetches one: running, `pc` aligned and inside
    /// memory), then the data leaf's proof (when the step reads or writes memory).
    pub proofs: Vec<u8>,
    /// The preimage part the L1 oracle must hold for this step: key and framed offset.
    pub preimage: Option<(B256, u64)>,
    /// The post-state's claim hash, as the verifier must compute it.
    pub post: B256,
}

fn encode_proof(proof: &MemoryProof, out: &mut Vec<u8>) {
    out.extend_from_slice(proof.leaf.as_slice());
    for sibling in &proof.siblings {
        out.extend_from_slice(sibling.as_slice());
    }
}

impl Machine {
    /// The witness of the next step.
    pub fn witness(
        &mut self,
        oracle: &impl PreimageOracle,
    ) -> Result<StepWitness, MissingPreimage> {
        let state = self.encode();
        let mut after = self.clone();
        let touched = after.step(oracle)?;
        let mut proofs = Vec::new();
        let pc = self.cpu.pc;
        if self.status == Status::Running && pc.is_multiple_of(4) && pc < MEMORY_SIZE {
            encode_proof(&self.cpu.mem.proof(pc), &mut proofs);
        }
        if let Some(addr) = touched.data {
            encode_proof(&self.cpu.mem.proof(addr), &mut proofs);
        }
        Ok(StepWitness {
            state,
            proofs,
            preimage: touched.preimage,
            post: after.claim(),
        })
    }
}

/// A run kept for answering a dispute: snapshots of the machine every `interval` steps.
#[derive(Clone, Debug)]
pub struct Trace {
    snapshots: Vec<Machine>,
    interval: u64,
    /// The step the machine halted at (or the step limit, if it never halted).
    pub last_step: u64,
}

impl Trace {
    /// Runs `machine` to its halt or `max_steps`, keeping a snapshot every `interval` steps.
    pub fn record(
        mut machine: Machine,
        oracle: &impl PreimageOracle,
        interval: u64,
        max_steps: u64,
    ) -> Result<Self, MissingPreimage> {
        assert!(interval > 0, "a snapshot interval of at least one step");
        let mut snapshots = vec![machine.clone()];
        while machine.status == Status::Running && machine.step < max_steps {
            let target = (machine.step + interval).min(max_steps);
            machine.run(oracle, target - machine.step)?;
            if machine.step.is_multiple_of(interval) {
                snapshots.push(machine.clone());
            }
        }
        Ok(Self {
            last_step: machine.step,
            snapshots,
            interval,
        })
    }

    /// The machine at step `k`: a halted machine stays as it halted for every later step.
    pub fn at(&self, k: u64, oracle: &impl PreimageOracle) -> Result<Machine, MissingPreimage> {
        let index = ((k / self.interval) as usize).min(self.snapshots.len() - 1);
        let mut machine = self.snapshots[index].clone();
        let to_run = k.saturating_sub(machine.step);
        machine.run(oracle, to_run)?;
        Ok(machine)
    }
}
