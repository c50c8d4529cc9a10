//! Proof mode: the witness of one step for the L1 verifier, and a [`Trace`] that answers "the
//! state at step k" from snapshots instead of replaying from zero.

use crate::{
    machine::{Machine, MissingPreimage, PreimageOracle, Status},
    memory::{MEMORY_SIZE, MemoryProof, TREE_DEPTH},
    state::STATE_SIZE,
};
use alloy_primitives::B256;
use std::collections::BTreeMap;

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

/// A run kept for answering a dispute: snapshots of the machine, by step.
///
/// [`Trace::record`] keeps one every `interval` steps of the whole run, which is what a run of
/// some million steps (one transaction) affords. A run of billions (a whole EVM block,
/// docs/evm.md) would hold gigabytes that way; [`Trace::focus`] keeps snapshots of the segment
/// a bisection still disputes only, refined as it narrows.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Always holds step 0 (the booted machine).
    snapshots: BTreeMap<u64, Machine>,
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
        let mut snapshots = BTreeMap::from([(machine.step, machine.clone())]);
        while machine.status == Status::Running && machine.step < max_steps {
            let target = (machine.step + interval).min(max_steps);
            machine.run(oracle, target - machine.step)?;
            if machine.step.is_multiple_of(interval) {
                snapshots.insert(machine.step, machine.clone());
            }
        }
        Ok(Self {
            last_step: machine.step,
            snapshots,
        })
    }

    /// The machine at step `k`: a halted machine stays as it halted for every later step.
    pub fn at(&self, k: u64, oracle: &impl PreimageOracle) -> Result<Machine, MissingPreimage> {
        let (_, snapshot) = self
            .snapshots
            .range(..=k)
            .next_back()
            .expect("step 0 is always kept");
        let mut machine = snapshot.clone();
        let to_run = k.saturating_sub(machine.step);
        machine.run(oracle, to_run)?;
        Ok(machine)
    }

    /// Narrows the snapshots to the steps `[lo, hi]` a bisection still disputes: every other
    /// one is forgotten (but step 0's), and the segment is replayed from its start keeping
    /// `count` snapshots evenly spaced in it. Memory stays at about `count` machines whatever
    /// the run's length; each round replays a segment half as long as the last, about one more
    /// run over a whole bisection. A step outside the segment is still answered, from further
    /// back.
    pub fn focus(
        &mut self,
        lo: u64,
        hi: u64,
        count: u64,
        oracle: &impl PreimageOracle,
    ) -> Result<(), MissingPreimage> {
        assert!(lo <= hi && count > 0, "a segment and at least one snapshot");
        let mut machine = self.at(lo, oracle)?;
        let end = hi.min(self.last_step).max(lo);
        let interval = (end - lo).div_ceil(count).max(1);
        self.snapshots.retain(|&step, _| step == 0);
        while machine.status == Status::Running && machine.step < end {
            self.snapshots.insert(machine.step, machine.clone());
            let target = (machine.step + interval).min(end);
            machine.run(oracle, target - machine.step)?;
        }
        self.snapshots.insert(machine.step, machine);
        Ok(())
    }

    /// How many machines the trace holds.
    pub fn snapshots(&self) -> usize {
        self.snapshots.len()
    }

    /// The distinct memory pages its snapshots hold: snapshots share the pages the run did not
    /// write between them, so this, not snapshots × pages, is what a trace costs.
    pub fn held_pages(&self) -> usize {
        let mut pages = std::collections::HashSet::new();
        for machine in self.snapshots.values() {
            pages.extend(machine.cpu.mem.page_ids());
        }
        pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, Memory, machine::SYS_EXIT};
    use std::collections::HashMap;

    /// x5 counts down from 40 storing each value, then the machine exits with x5 (0).
    fn countdown() -> Machine {
        let words: [u32; 6] = [
            0x0280_0293, // addi x5, x0, 40
            0x0053_3023, // sd x5, 0(x6)
            0xfff2_8293, // addi x5, x5, -1
            0xfe02_9ce3, // bne x5, x0, -8
            0x05d0_0893, // addi x17, x0, 93
            0x0000_0073, // ecall
        ];
        let mut mem = Memory::new();
        for (k, w) in words.iter().enumerate() {
            mem.write(0x1000 + 4 * k as u64, 4, u64::from(*w));
        }
        let mut cpu = Cpu::new(0x1000, mem);
        cpu.regs[6] = 0x8000;
        Machine::new(cpu)
    }

    #[test]
    fn a_trace_answers_every_step_as_a_run_from_the_start_does() {
        let oracle = HashMap::new();
        let mut whole = countdown();
        whole.run(&oracle, u64::MAX).unwrap();
        assert_eq!(whole.status, Status::Exited(0));
        assert_eq!(whole.cpu.reg(17), SYS_EXIT);
        let trace = Trace::record(countdown(), &oracle, 7, 1 << 20).unwrap();
        assert_eq!(trace.last_step, whole.step);
        for k in 0..whole.step + 5 {
            let mut from_start = countdown();
            from_start.run(&oracle, k).unwrap();
            let mut answered = trace.at(k, &oracle).unwrap();
            assert_eq!(answered.claim(), from_start.claim(), "step {k}");
        }
    }

    #[test]
    fn snapshots_share_the_pages_the_run_did_not_write() {
        let oracle = HashMap::new();
        let mut boot = countdown();
        // Pages the countdown never writes: one snapshot holds them for all.
        for page in 0..50u64 {
            boot.cpu.mem.write(0x10_0000 + page * 4096, 8, page + 1);
        }
        let pages = boot.cpu.mem.pages();
        let trace = Trace::record(boot, &oracle, 7, 1 << 20).unwrap();
        assert!(trace.snapshots() > 10);
        // The code page is never written after boot; the data page is written between most
        // snapshots: each of those holds its own copy of it, and nothing else of its own.
        assert!(trace.held_pages() <= pages + trace.snapshots());
        assert!(
            trace.held_pages() > pages,
            "the written page is copied, not shared"
        );
    }

    #[test]
    fn a_focused_trace_still_answers_every_step_from_few_snapshots() {
        let oracle = HashMap::new();
        let mut whole = countdown();
        whole.run(&oracle, u64::MAX).unwrap();
        let mut trace = Trace::record(countdown(), &oracle, 3, 1 << 20).unwrap();
        // A bisection narrowing down, then a segment past the halt.
        for (lo, hi) in [
            (0, 200),
            (40, 100),
            (70, 100),
            (70, 85),
            (77, 78),
            (150, 300),
        ] {
            trace.focus(lo, hi, 4, &oracle).unwrap();
            assert!(
                trace.snapshots() <= 4 + 2,
                "{lo}..{hi}: {}",
                trace.snapshots()
            );
            for k in 0..whole.step + 5 {
                let mut from_start = countdown();
                from_start.run(&oracle, k).unwrap();
                let mut answered = trace.at(k, &oracle).unwrap();
                assert_eq!(answered.claim(), from_start.claim(), "{lo}..{hi}: step {k}");
            }
        }
    }

    #[test]
    fn a_witness_names_the_state_and_the_step_it_leads_to() {
        let oracle = HashMap::new();
        let mut machine = countdown();
        for _ in 0..50 {
            let witness = machine.witness(&oracle).unwrap();
            assert_eq!(witness.state, machine.encode());
            // Every step here fetches; the store also proves its data leaf.
            let store = machine.cpu.mem.read(machine.cpu.pc, 4) == 0x0053_3023;
            let proofs = if machine.status != Status::Running {
                0
            } else if store {
                2
            } else {
                1
            };
            assert_eq!(witness.proofs.len(), proofs * PROOF_SIZE);
            machine.step(&oracle).unwrap();
            assert_eq!(witness.post, machine.claim());
            // The encoding reads back to the same machine.
            let encoded = machine.encode();
            let decoded = Machine::decode(&encoded, machine.cpu.mem.clone()).unwrap();
            assert_eq!(decoded.clone().encode(), encoded);
        }
    }
}
