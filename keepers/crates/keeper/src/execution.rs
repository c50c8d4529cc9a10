//! The execution level of a dispute game: the fault-proof VM's guest run on the disputed
//! position (a ledger transaction, or an EVM block), and the answers a keeper gives from that run.
//!
//! The guests are the ELFs committed at `keepers/guest/baton-guest.elf` (the ledger's) and
//! `keepers/guest-evm/baton-evm-guest.elf` (the EVM chain's), built into the keeper, so what a
//! keeper runs cannot drift from what it was tested with. Before playing, the keeper checks that
//! its memory image and entry point are the ones the dispute game was deployed with; a keeper
//! built from another guest refuses to play rather than lose.
//!
//! A run is recorded once per game (a [`Trace`] with a snapshot every [`SNAPSHOT_INTERVAL`]
//! steps) from the claim the game fixed on L1, which the keeper rebuilds from its own derivation
//! of the interval and checks against the game's input key. Every answer (the claim at a step,
//! the witness of a step) comes from that record, so a restart or a reorg only costs recording
//! it again.

use alloy::primitives::B256;
use baton_core::ledger::PreimageMap;
use baton_vm::{MissingPreimage, Program, StepWitness, Trace, VmStatus};

/// The ledger's guest ELF (see `./script/guest`).
pub const LEDGER_GUEST_ELF: &[u8] = include_bytes!("../../../guest/baton-guest.elf");
/// The EVM chain's guest ELF (see `./script/guest`).
pub const EVM_GUEST_ELF: &[u8] = include_bytes!("../../../guest-evm/baton-evm-guest.elf");

/// Steps between two snapshots of a recorded run: any step is answered by replaying at most this
/// many (about 30 ms at the emulator's speed). Snapshots share the memory pages the run did not
/// write, so a long run's snapshots stay small (docs/benchmarks.md).
pub const SNAPSHOT_INTERVAL: u64 = 1 << 20;

/// A guest program, checked against a deployment's image.
#[derive(Debug)]
pub struct Guest {
    program: Program,
}

impl Guest {
    /// Loads the built-in guest `elf` (committed with `image`, its image.json's path) and checks
    /// it is the program the game runs: memory root `memory_root` and entry point `entry`.
    pub fn load(elf: &[u8], image: &str, memory_root: B256, entry: u64) -> eyre::Result<Self> {
        let program = Program::load(elf)
            .map_err(|e| eyre::eyre!("the built-in guest ELF does not load: {e}"))?;
        let (ours, our_entry) = (program.image_root(), program.entry);
        eyre::ensure!(
            ours == memory_root && our_entry == entry,
            "this keeper's guest (memory root {ours}, entry {our_entry:#x}) is not the one the \
             dispute game runs (memory root {memory_root}, entry {entry:#x}): build the keeper from \
             the commit the contracts were deployed from ({image})"
        );
        Ok(Self { program })
    }
}

/// One recorded run of the guest on a game's input.
#[derive(Debug)]
pub struct Execution {
    /// The input key the run was booted on (the game's `Execution.inputKey`).
    pub input_key: B256,
    preimages: PreimageMap,
    trace: Trace,
}

impl Execution {
    /// Runs `guest` booted on `input_key` with `preimages` (the input among them) to its halt
    /// or `steps`, keeping snapshots.
    pub fn record(
        guest: &Guest,
        input_key: B256,
        preimages: PreimageMap,
        steps: u64,
    ) -> Result<Self, MissingPreimage> {
        let machine = guest.program.boot(input_key);
        let trace = Trace::record(machine, &preimages, SNAPSHOT_INTERVAL, steps)?;
        Ok(Self {
            input_key,
            preimages,
            trace,
        })
    }

    /// The step the guest halted at (or the step limit).
    pub fn last_step(&self) -> u64 {
        self.trace.last_step
    }

    /// The claim hash of the state after `step` steps.
    pub fn claim_at(&self, step: u64) -> Result<B256, MissingPreimage> {
        Ok(self.trace.at(step, &self.preimages)?.claim())
    }

    /// The witness of step `step` + 1, for the verifier on L1.
    pub fn witness_at(&self, step: u64) -> Result<StepWitness, MissingPreimage> {
        self.trace
            .at(step, &self.preimages)?
            .witness(&self.preimages)
    }

    /// The preimage of `key`, if the run had it.
    pub fn preimage(&self, key: &B256) -> Option<&[u8]> {
        self.preimages.get(key).map(Vec::as_slice)
    }
}

/// `claim` with its status byte saying "exited 0": the end claim a scripted liar posts when the
/// guest rejects its root.
pub fn as_valid(claim: B256) -> B256 {
    let mut valid = claim;
    valid[0] = VmStatus::Valid as u8;
    valid
}

/// Whether `claim` says the guest exited 0.
pub fn is_valid(claim: B256) -> bool {
    claim[0] == VmStatus::Valid as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_core::ledger::vectors;

    fn guest() -> Guest {
        let program = Program::load(LEDGER_GUEST_ELF).expect("the committed guest loads");
        Guest::load(LEDGER_GUEST_ELF, "", program.image_root(), program.entry)
            .expect("its own image")
    }

    #[test]
    fn the_built_in_guests_are_the_committed_images() {
        for (elf, image) in [
            (LEDGER_GUEST_ELF, include_str!("../../../guest/image.json")),
            (EVM_GUEST_ELF, include_str!("../../../guest-evm/image.json")),
        ] {
            let image: serde_json::Value = serde_json::from_str(image).expect("image.json");
            let program = Program::load(elf).expect("the committed guest loads");
            assert_eq!(
                program.image_root().to_string(),
                image["memoryRoot"].as_str().expect("memoryRoot")
            );
            assert_eq!(
                program.absolute_prestate().to_string(),
                image["absolutePrestate"]
                    .as_str()
                    .expect("absolutePrestate")
            );
            let err =
                Guest::load(elf, "image.json", B256::repeat_byte(1), program.entry).unwrap_err();
            assert!(
                err.to_string()
                    .contains("is not the one the dispute game runs"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_run_accepts_the_true_root_and_rejects_another_and_answers_every_step() {
        let guest = guest();
        let case = vectors::cases()
            .into_iter()
            .find(|c| c.name.contains("transfer"))
            .expect("a transfer vector");
        let mut state = case.pre.build();
        let mut after = state.clone();
        let _outcome = after.apply(&case.config, &case.block, &case.tx);
        for (claimed, valid) in [(after.root(), true), (B256::repeat_byte(7), false)] {
            let (input, preimages) =
                state.guest_claim(&case.config, &case.block, &case.tx, claimed);
            let run =
                Execution::record(&guest, input.key(), preimages, 1 << 28).expect("preimages");
            let end = run.claim_at(1 << 28).unwrap();
            assert_eq!(is_valid(end), valid, "claimed {claimed}");
            assert_eq!(
                run.claim_at(run.last_step()).unwrap(),
                end,
                "halted: steps to itself"
            );
            assert!(is_valid(as_valid(end)));
            // A witness names the state whose claim is asked, and the next one.
            let k = run.last_step() / 3;
            let w = run.witness_at(k).unwrap();
            assert_eq!(baton_vm::claim_hash(&w.state), run.claim_at(k).unwrap());
            assert_eq!(w.post, run.claim_at(k + 1).unwrap());
        }
    }
}
