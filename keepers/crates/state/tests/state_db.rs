//! The state on disk against the state in memory: random diffs give the same roots and reads,
//! its proofs verify with alloy-trie, a reopened file is the state it was, and a writer killed
//! with SIGKILL mid-stream leaves exactly the state of one of its commits, tries included. The
//! guest's view of it (a `PartialState` opened node by node) reads and writes the same, from the
//! database, from a keeper's uncommitted state, and from a recorded witness alone.

mod common;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_trie::{Nibbles, proof::verify_proof};
use baton_evm::{
    AccountChange, AccountInfo, MemoryState, PartialState, Recording, StateDiff, StateReader,
};
use baton_state::{AccountProof, StateDb};
use baton_trie::account_leaf;
use common::TempFile;
use proptest::prelude::*;
use std::{
    path::Path,
    time::{Duration, Instant},
};

/// One random account change over a small set of addresses and slots, so that diffs overwrite,
/// delete and recreate what earlier ones wrote; codes are drawn from a few.
fn change() -> impl Strategy<Value = (u8, AccountChange)> {
    let info = (0u64..3, 0u64..1_000, 0usize..3).prop_map(|(nonce, balance, code)| AccountInfo {
        nonce,
        balance: U256::from(balance),
        code_hash: if code == 0 {
            baton_trie::EMPTY_CODE_HASH
        } else {
            keccak256(code_of(code))
        },
    });
    let storage = prop::collection::btree_map(
        (0u64..40).prop_map(U256::from),
        prop_oneof![
            Just(U256::ZERO),
            (1u64..5).prop_map(U256::from),
            any::<[u8; 32]>().prop_map(U256::from_be_bytes)
        ],
        0..8,
    );
    let updated =
        (info, prop::bool::weighted(0.1), storage).prop_map(|(info, storage_cleared, storage)| {
            AccountChange::Updated {
                info,
                storage_cleared,
                storage,
            }
        });
    (
        0u8..12,
        prop_oneof![1 => Just(AccountChange::Deleted), 6 => updated],
    )
}

fn code_of(n: usize) -> Bytes {
    Bytes::from(vec![0x60, n as u8, 0x00])
}

fn diff() -> impl Strategy<Value = StateDiff> {
    prop::collection::vec(change(), 0..8).prop_map(|changes| {
        let accounts: std::collections::BTreeMap<_, _> = changes
            .into_iter()
            .map(|(a, c)| (Address::with_last_byte(a), c))
            .collect();
        let codes = (1..3)
            .map(|n| (keccak256(code_of(n)), code_of(n)))
            .collect();
        StateDiff { accounts, codes }
    })
}

/// The slots whose proofs are checked.
fn proven_slots() -> Vec<U256> {
    (0u64..40).step_by(7).map(U256::from).collect()
}

/// Checks `db`'s account proof and storage proofs of `address` against its root and `memory`.
fn check_proofs(db: &StateDb, memory: &MemoryState, address: Address) -> Result<(), TestCaseError> {
    let proof = db.proof(address, &proven_slots()).unwrap();
    check_proof(db.root().unwrap(), &proof, memory, address)
}

/// Checks `proof` of `address` against `root` and the state `memory` it is a proof of.
fn check_proof(
    root: B256,
    proof: &AccountProof,
    memory: &MemoryState,
    address: Address,
) -> Result<(), TestCaseError> {
    let account = memory.accounts.get(&address);
    let expected = account.map(|a| account_leaf(a.nonce, a.balance, a.storage_root(), a.code_hash));
    let verified = verify_proof(
        root,
        Nibbles::unpack(keccak256(address)),
        expected,
        &proof.account_proof,
    );
    prop_assert!(verified.is_ok(), "account {address}: {verified:?}");
    for (slot, value, nodes) in &proof.storage_proofs {
        prop_assert_eq!(*value, memory.storage(address, *slot).unwrap());
        let expected = (!value.is_zero()).then(|| alloy_rlp::encode(value));
        let verified = verify_proof(
            proof.storage_root,
            Nibbles::unpack(keccak256(slot.to_be_bytes::<32>())),
            expected,
            nodes,
        );
        prop_assert!(verified.is_ok(), "slot {slot} of {address}: {verified:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn commits_agree_with_the_state_in_memory(diffs in prop::collection::vec(diff(), 1..8)) {
        let mut db = StateDb::in_memory().unwrap();
        let mut memory = MemoryState::default();
        for diff in &diffs {
            memory.apply(diff);
            let root = db.commit(diff).unwrap();
            prop_assert_eq!(root, memory.root());
            prop_assert_eq!(db.root().unwrap(), root);
            for a in 0u8..12 {
                let address = Address::with_last_byte(a);
                prop_assert_eq!(db.account(address).unwrap(), memory.account(address).unwrap());
                for slot in 0u64..40 {
                    let slot = U256::from(slot);
                    prop_assert_eq!(db.storage(address, slot).unwrap(), memory.storage(address, slot).unwrap());
                }
            }
            for a in [0u8, 3, 11] {
                check_proofs(&db, &memory, Address::with_last_byte(a))?;
            }
        }
        prop_assert_eq!(db.recompute_root().unwrap(), memory.root());
        for (hash, code) in &memory.codes {
            prop_assert_eq!(db.code(*hash).unwrap(), Some(code.clone()));
        }
    }
}

/// What a transaction might read: every account the diffs use, its code, and some slots.
type Reads = Vec<(Option<AccountInfo>, Option<Bytes>, Vec<U256>)>;

fn reads<S: StateReader>(state: &S) -> Reads
where
    S::Error: std::fmt::Debug,
{
    (0u8..12)
        .map(|a| {
            let address = Address::with_last_byte(a);
            let info = state.account(address).unwrap();
            let code = info.and_then(|i| state.code(i.code_hash).unwrap());
            let slots = (0u64..40)
                .step_by(3 + usize::from(a % 4))
                .map(|slot| state.storage(address, U256::from(slot)).unwrap())
                .collect();
            (info, code, slots)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A keeper holds the state after a block's earlier transactions in memory, over the
    /// database; each next step runs on a `PartialState` recording what it opens from the
    /// keeper's; the guest, given that witness alone, reads and writes the same.
    #[test]
    fn a_partial_state_reads_and_writes_as_the_database(
        base in prop::collection::vec(diff(), 0..4),
        diffs in prop::collection::vec(diff(), 1..5),
    ) {
        let mut db = StateDb::in_memory().unwrap();
        let mut memory = MemoryState::default();
        for diff in &base {
            db.commit(diff).unwrap();
            memory.apply(diff);
        }
        let mut root = db.root().unwrap();
        let mut keeper = PartialState::new(root, &mut db);
        for diff in &diffs {
            let expected = reads(&memory);
            let mut step = PartialState::new(root, Recording::new(&mut keeper));
            prop_assert_eq!(&reads(&step), &expected);
            step.apply(diff).unwrap();
            memory.apply(diff);
            let after = step.root();
            prop_assert_eq!(after, memory.root());
            let witness = step.into_source().witness;

            let mut guest = PartialState::new(root, witness);
            prop_assert_eq!(&reads(&guest), &expected);
            guest.apply(diff).unwrap();
            prop_assert_eq!(guest.root(), after);

            keeper.apply(diff).unwrap();
            prop_assert_eq!(keeper.root(), after);
            root = after;
        }
        drop(keeper);
        for diff in &diffs {
            db.commit(diff).unwrap();
        }
        prop_assert_eq!(db.root().unwrap(), root);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Blocks committed with their history: the state after each reads as it was, and its tries
    /// open node by node for a witness; unwinding to any of them gives its root, reads and
    /// proofs back, and blocks go on from there.
    #[test]
    fn older_states_read_and_unwind_as_they_were(
        diffs in prop::collection::vec(diff(), 1..8),
        unwind in any::<prop::sample::Index>(),
        after in prop::collection::vec(diff(), 0..3),
    ) {
        let mut db = StateDb::in_memory().unwrap();
        let mut memory = MemoryState::default();
        let mut snapshots = Vec::new();
        for (n, diff) in (1u64..).zip(&diffs) {
            memory.apply(diff);
            prop_assert_eq!(db.commit_block(n, diff).unwrap(), memory.root());
            snapshots.push(memory.clone());
        }
        prop_assert_eq!(db.head().unwrap(), Some(diffs.len() as u64));
        for (n, snapshot) in (1u64..).zip(&snapshots) {
            let at = db.at(n).unwrap();
            prop_assert_eq!(at.root(), snapshot.root());
            prop_assert_eq!(reads(&at), reads(snapshot));

            // Its tries, opened node by node as a dispute's witness over it: the next block's
            // diff gives the next root, and the witness alone gives it again.
            let root = snapshot.root();
            // Its proofs (`eth_getProof` at block n) verify against its root.
            for a in [0u8, 3, 11] {
                let address = Address::with_last_byte(a);
                let proof = db.proof_at(n, address, &proven_slots()).unwrap();
                check_proof(root, &proof, snapshot, address)?;
                prop_assert_eq!(proof.info, snapshot.account(address).unwrap().unwrap_or_default());
            }
            let mut past = PartialState::new(root, Recording::new(db.nodes_at(n).unwrap()));
            prop_assert_eq!(&reads(&past), &reads(snapshot));
            if let Some(next) = diffs.get(n as usize) {
                past.apply(next).unwrap();
                let after = past.root();
                prop_assert_eq!(after, snapshots[n as usize].root());
                let mut guest = PartialState::new(root, past.into_source().witness);
                prop_assert_eq!(&reads(&guest), &reads(snapshot));
                guest.apply(next).unwrap();
                prop_assert_eq!(guest.root(), after);
            }
        }
        let error = db.commit_block(1, &StateDiff::default()).unwrap_err();
        prop_assert!(error.to_string().contains("in order"), "{}", error);

        let k = unwind.index(snapshots.len()) + 1;
        let root = db.unwind_to(k as u64).unwrap();
        let mut memory = snapshots[k - 1].clone();
        prop_assert_eq!(root, memory.root());
        prop_assert_eq!(db.root().unwrap(), root);
        prop_assert_eq!(db.recompute_root().unwrap(), root);
        prop_assert_eq!(reads(&db), reads(&memory));
        prop_assert!(db.at(k as u64 + 1).is_err());
        for a in [0u8, 5, 11] {
            check_proofs(&db, &memory, Address::with_last_byte(a))?;
        }
        for (n, diff) in (k as u64 + 1..).zip(&after) {
            memory.apply(diff);
            prop_assert_eq!(db.commit_block(n, diff).unwrap(), memory.root());
        }
        prop_assert_eq!(db.recompute_root().unwrap(), memory.root());
    }
}

#[test]
fn pruned_history_keeps_the_newer_states_only() {
    let mut db = StateDb::in_memory().unwrap();
    let mut roots = Vec::new();
    for n in 1..=5 {
        roots.push(db.commit_block(n, &stream_diff(n)).unwrap());
    }
    db.prune_history(3).unwrap();
    for n in 3..=5u64 {
        assert_eq!(db.at(n).unwrap().root(), roots[n as usize - 1]);
    }
    let error = db.at(2).err().expect("pruned");
    assert!(error.to_string().contains("blocks 3 to 5"), "{error}");
    assert_eq!(db.unwind_to(3).unwrap(), roots[2]);
    assert_eq!(db.recompute_root().unwrap(), roots[2]);
}

/// The `n`th diff of a fixed stream: a few hundred accounts, each diff touching some of them.
fn stream_diff(n: u64) -> StateDiff {
    let mut diff = StateDiff::default();
    for i in 0..20u64 {
        let a = (n * 7 + i * 13) % 300;
        let address = Address::from_word(keccak256(a.to_be_bytes()));
        let storage = (0..4u64)
            .map(|s| (U256::from((n + s) % 50), U256::from(n * 4 + s + 1)))
            .collect();
        diff.accounts.insert(
            address,
            AccountChange::Updated {
                info: AccountInfo {
                    nonce: n,
                    balance: U256::from(n * 1_000 + i),
                    ..Default::default()
                },
                storage_cleared: false,
                storage,
            },
        );
    }
    if n % 5 == 4 {
        diff.accounts.insert(
            Address::from_word(keccak256((n % 300).to_be_bytes())),
            AccountChange::Deleted,
        );
    }
    diff
}

#[test]
fn a_reopened_file_is_the_state_it_was() {
    let file = TempFile::new("reopen");
    let mut memory = MemoryState::default();
    let root = {
        let mut db = StateDb::open(&file.0).unwrap();
        let mut root = db.root().unwrap();
        for n in 0..10 {
            let diff = stream_diff(n);
            memory.apply(&diff);
            root = db.commit(&diff).unwrap();
        }
        db.set_block_hash(9, B256::repeat_byte(9)).unwrap();
        root
    };
    let db = StateDb::open(&file.0).unwrap();
    assert_eq!(db.root().unwrap(), root);
    assert_eq!(root, memory.root());
    assert_eq!(db.block_hash(9).unwrap(), B256::repeat_byte(9));
    for address in memory.accounts.keys().take(20) {
        assert_eq!(
            db.account(*address).unwrap(),
            memory.account(*address).unwrap()
        );
    }
}

/// Set by [`a_writer_killed_mid_commit_leaves_one_commits_state`] for the child it kills.
const CHILD_FILE: &str = "BATON_STATE_CHILD_FILE";

/// Not a test of its own: the child process of the kill test (a no-op in a normal run) commits
/// the stream to the file until it is killed.
#[test]
fn child_writer() {
    let Some(path) = std::env::var_os(CHILD_FILE) else {
        return;
    };
    let mut db = StateDb::open(Path::new(&path)).unwrap();
    for n in 0..STREAM_LENGTH {
        db.commit(&stream_diff(n)).unwrap();
    }
    // Stay alive to be killed like a writer that had more to do.
    std::thread::sleep(Duration::from_secs(600));
}

/// How many diffs the stream has.
const STREAM_LENGTH: u64 = 400;

#[test]
fn a_writer_killed_mid_commit_leaves_one_commits_state() {
    // Every root the stream passes through, from the empty state on.
    let mut memory = MemoryState::default();
    let mut roots = vec![memory.root()];
    for n in 0..STREAM_LENGTH {
        memory.apply(&stream_diff(n));
        roots.push(memory.root());
    }

    for round in 0..3 {
        let file = TempFile::new("kill");
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["child_writer", "--exact", "--nocapture"])
            .env(CHILD_FILE, &file.0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it commit for a while (longer each round), then SIGKILL it mid-stream.
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(300 + 400 * round) {
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let db = StateDb::open(&file.0).unwrap();
        let root = db.root().unwrap();
        let at = roots.iter().position(|r| *r == root);
        assert!(at.is_some(), "round {round}: root {root} is no commit's");
        assert!(at > Some(0), "round {round}: the writer committed nothing");
        // The cached trie nodes belong to the same commit as the rows.
        assert_eq!(db.recompute_root().unwrap(), root, "round {round}");
        eprintln!("round {round}: killed after commit {}", at.unwrap());
    }
}
