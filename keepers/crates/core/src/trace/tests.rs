use super::*;
use crate::{
    derive::{Chain, QueueEntry},
    ledger::{
        Account,
        testkit::{TxFields, test_signer},
    },
};
use alloy_primitives::Bytes;

const CONFIG: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: 1_000_000_000,
};
const PORTAL: Address = Address::repeat_byte(0x90);
const FEES: Address = Address::repeat_byte(0xfe);

fn genesis() -> LedgerState {
    LedgerState::with_accounts((0..4).map(|i| {
        (
            test_signer(i).address(),
            Account {
                balance: U256::from(10u128.pow(19)),
                nonce: 0,
            },
        )
    }))
}

/// A chain of three blocks: a deposit entry, transfers, a withdrawal-shaped junk transaction.
fn derived() -> (Chain, Vec<DerivedBlock>) {
    let mut chain = Chain::new(genesis(), CONFIG, PORTAL);
    let mut blocks = Vec::new();
    let deposit = QueueEntry {
        index: 0,
        sender: PORTAL,
        data: L2Tx::deposit_entry(Address::repeat_byte(7), U256::from(5)).into(),
        accumulator_before: B256::ZERO,
    };
    let transfer = |from: u64, nonce: u64| -> Bytes {
        TxFields::transfer(
            901,
            nonce,
            Address::repeat_byte(9),
            U256::from(1_000 + nonce),
            2_000_000_000,
        )
        .sign(&test_signer(from))
    };
    blocks.push(
        chain
            .apply_block(1, 10, FEES, &[deposit], &[transfer(0, 0), transfer(1, 0)])
            .unwrap(),
    );
    blocks.push(
        chain
            .apply_block(
                1,
                11,
                FEES,
                &[],
                &[transfer(0, 1), Bytes::from_static(b"junk")],
            )
            .unwrap(),
    );
    blocks.push(
        chain
            .apply_block(2, 12, Address::ZERO, &[], &[transfer(2, 0)])
            .unwrap(),
    );
    (chain, blocks)
}

#[test]
fn the_last_root_is_the_chains_root() {
    let (mut chain, blocks) = derived();
    let mut trace = Trace::new(genesis(), CONFIG, Trace::steps_of(&blocks));
    assert_eq!(trace.len(), 6);
    assert_eq!(trace.root_at(0), genesis().root());
    assert_eq!(trace.root_at(6), chain.state_root());
}

#[test]
fn roots_do_not_depend_on_the_order_they_are_asked_in() {
    let (_, blocks) = derived();
    let steps = Trace::steps_of(&blocks);
    let mut forward = Trace::new(genesis(), CONFIG, steps.clone());
    let ascending: Vec<B256> = (0..=6).map(|p| forward.root_at(p)).collect();
    let mut backward = Trace::new(genesis(), CONFIG, steps);
    for p in (0..=6).rev() {
        assert_eq!(backward.root_at(p), ascending[p as usize], "root at {p}");
    }
    // Every transaction changes the state (the junk one pays nothing and changes nothing).
    assert_ne!(ascending[0], ascending[1]);
    assert_eq!(
        ascending[4], ascending[5],
        "an invalid transaction is a no-op"
    );
}

#[test]
fn a_witness_leads_to_the_next_honest_root() {
    let (_, blocks) = derived();
    let mut trace = Trace::new(genesis(), CONFIG, Trace::steps_of(&blocks));
    for p in 0..6 {
        let (witness, post) = trace.witness_at(p);
        assert_eq!(post, trace.root_at(p + 1), "post root of {p}");
        // A malformed transaction reads no leaf, so it needs no witness.
        assert_eq!(witness.is_empty(), p == 4, "witness of {p}");
    }
}

#[test]
fn a_fault_changes_exactly_the_roots_after_its_position() {
    let (_, blocks) = derived();
    let steps = Trace::steps_of(&blocks);
    let mut honest = Trace::new(genesis(), CONFIG, steps.clone());
    for fault in 0..6 {
        let mut faulty = Trace::new(genesis(), CONFIG, steps.clone()).with_fault(fault);
        for p in 0..=6 {
            let same = honest.root_at(p) == faulty.root_at(p);
            assert_eq!(same, p <= fault, "fault at {fault}, root at {p}");
        }
        // The one-step proof of the faulty step still yields the honest root.
        assert_eq!(faulty.witness_at(fault).1, honest.root_at(fault + 1));
    }
    assert_eq!(
        Trace::new(genesis(), CONFIG, steps).with_fault(99).fault(),
        Some(5),
        "clamped to the last transaction"
    );
}
