//! A block's transactions run the way the fault-proof guest will run them, one at a time on
//! the state known only by its root, and the way a keeper finds what the guest needs.
//!
//! The database holds a few hundred funded accounts, the withdrawal predeploy and an
//! OpenZeppelin ERC-20 spread over 40 holders. A block of ERC-20 transfers (one emptying a
//! balance, so its slot leaves the trie), withdrawals (direct and through a contract deployed in
//! the block, whose code the witness must carry) and an invalid transaction runs three ways:
//! - the node's way: `BlockExecutor` over the database, then one commit;
//! - the keeper's way: each transaction over a `Recording` of the state after the ones before
//!   (held in memory over the database, uncommitted);
//! - the guest's way: each transaction over its recorded witness alone.
//!
//! All three give the same results, diffs and roots, and each transaction's claim (its bytes,
//! block and roots, `baton_evm::Claim`) computed from preimages alone gives the keeper's root,
//! natively and in the EVM guest (keepers/guest-evm) under the VM's emulator, which accepts the
//! true root and refuses any other. The witness sizes and the guest's steps are printed
//! (`--nocapture`; docs/evm.md). Needs `forge build` and `./script/guest` first, as
//! `./script/test` runs them.

mod common;

use alloy_primitives::{B256, Bytes, TxKind, U256, keccak256};
use baton_evm::{
    BlockExecutor, Claim, ClaimTx, Deposit, PartialState, Recording, StateReader,
    decode_transaction, execute_deposit,
};
use baton_vm::Status;
use common::scenario::*;
use std::collections::BTreeMap;

/// Runs the guest on `claim` to its end; its exit status and steps.
fn run_guest(claim: &Claim, preimages: &BTreeMap<B256, Vec<u8>>) -> (Status, u64) {
    let oracle = oracle(claim, preimages);
    let mut machine = guest().boot(claim.key());
    let steps = machine
        .run(&oracle, 1 << 32)
        .expect("the witness has every preimage the guest reads");
    (machine.status, steps)
}

/// The guest accepts `claim` and refuses the same claim with another root; its steps.
fn guest_decides(claim: &Claim, preimages: &BTreeMap<B256, Vec<u8>>, what: &str) -> u64 {
    let (status, steps) = run_guest(claim, preimages);
    assert_eq!(
        status,
        Status::Exited(0),
        "{what}: the guest refuses the true root"
    );
    let wrong = Claim {
        claimed_post_root: B256::repeat_byte(0x77),
        ..*claim
    };
    let (status, _) = run_guest(&wrong, preimages);
    assert_eq!(
        status,
        Status::Exited(1),
        "{what}: the guest accepts a wrong root"
    );
    steps
}

#[test]
fn transactions_run_the_same_natively_for_the_keeper_and_on_the_witness_alone() {
    let (mut db, token) = prepared();
    let txs = witness_block(token);

    // The node: the whole block over the database, one commit.
    let mut executor = BlockExecutor::new(&db, rules(), block(2).env());
    let included: Vec<bool> = txs
        .iter()
        .map(|(_, raw)| {
            decode_transaction(raw).is_ok_and(|tx| executor.transaction(tx.env).is_ok())
        })
        .collect();
    let block_diff = executor.finish().diff;

    // The keeper and the guest, one transaction at a time.
    let mut root = db.root().unwrap();
    let mut keeper = PartialState::new(root, &mut db);
    for ((what, raw), included) in txs.iter().zip(included) {
        let step = keeper_step(&mut keeper, root, raw);
        assert_eq!(step.outcome.is_ok(), included, "{what}");

        // The guest's view: the witness alone.
        let mut guest = PartialState::new(root, step.witness.clone());
        let guest_run = outcome(&guest, raw);
        assert_eq!(guest_run, step.outcome, "{what}");
        if let Ok(executed) = &guest_run {
            assert_eq!(executed.success, !what.contains("reverts"), "{what}");
            guest.apply(&executed.diff).unwrap();
            keeper.apply(&executed.diff).unwrap();
        }
        assert_eq!(guest.root(), step.after, "{what}");
        assert_eq!(keeper.root(), step.after, "{what}");

        // The claim, from preimages alone, natively and in the guest.
        let claim = step.claim;
        assert_eq!(Claim::decode(&claim.encode()), Some(claim));
        assert_eq!(
            claim.post_root(step.preimages.clone()),
            step.after,
            "{what}"
        );
        let steps = guest_decides(&claim, &step.preimages, what);

        let witness = &step.witness;
        let bytes: usize = witness.nodes.values().map(Vec::len).sum::<usize>()
            + witness.codes.values().map(|code| code.len()).sum::<usize>();
        println!(
            "{what}: {steps} VM steps; witness {} trie nodes, {} codes, {bytes} bytes",
            witness.nodes.len(),
            witness.codes.len()
        );
        root = step.after;
    }
    drop(keeper);
    assert_eq!(db.commit(&block_diff).unwrap(), root, "the node's commit");
}

#[test]
fn a_deposit_calling_a_contract_that_reads_blockhash_is_claimed_from_preimages() {
    let (mut db, _) = prepared();
    let root = db.root().unwrap();
    let deposit = Deposit {
        from: holder(11),
        to: TxKind::Call(BLOCKHASH_READER),
        mint: ether(1),
        value: U256::from(5),
        gas_limit: 100_000,
        data: Bytes::new(),
    };
    let native = execute_deposit(&db, &rules(), &block(2).env(), &deposit).unwrap();
    assert!(native.success);

    let mut recording = PartialState::new(root, Recording::new(&mut db));
    let recorded = execute_deposit(&recording, &rules(), &block(2).env(), &deposit).unwrap();
    assert_eq!(recorded, native);
    recording.apply(&native.diff).unwrap();
    let after = recording.root();
    let witness = recording.into_source().witness;
    assert_eq!(witness.block_hashes.get(&1), Some(&BLOCK_1_HASH));

    assert_eq!(db.commit(&native.diff).unwrap(), after);
    assert_eq!(
        db.storage(BLOCKHASH_READER, U256::ZERO).unwrap(),
        U256::from_be_bytes(BLOCK_1_HASH.0)
    );

    let claim = Claim {
        pre_root: root,
        claimed_post_root: after,
        chain_id: CHAIN_ID,
        fee_vault: FEE_VAULT,
        block: block(2),
        tx: ClaimTx::Deposit {
            from: deposit.from,
            to: deposit.to,
            mint: deposit.mint,
            value: deposit.value,
            gas_limit: deposit.gas_limit,
            data_hash: keccak256(&deposit.data),
        },
    };
    assert_eq!(Claim::decode(&claim.encode()), Some(claim));
    let mut preimages = witness.preimages();
    preimages.insert(keccak256(&deposit.data), deposit.data.to_vec());
    let without_hashes = preimages.clone();
    preimages.insert(block(2).block_hashes, hashes_before(2).concat());
    assert_eq!(claim.post_root(preimages.clone()), after);
    let steps = guest_decides(&claim, &preimages, "a deposit reading BLOCKHASH");
    println!("a deposit calling a contract that reads BLOCKHASH: {steps} VM steps");

    // Without the 256 hashes the claim cannot be decided: no hash is taken for zero.
    let undecided = std::panic::catch_unwind(|| claim.post_root(without_hashes));
    assert!(undecided.is_err());
}
