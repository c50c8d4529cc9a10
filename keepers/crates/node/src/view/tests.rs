//! The view in-process: sealing, following, deriving records over preconfirmed blocks, and
//! dropping them, with real signed transactions and records built as the inbox would take them.

use super::*;
use alloy::primitives::{U256, address};
use baton_core::{
    L2Block, RecordContext,
    ledger::{
        Account,
        testkit::{TxFields, test_signer},
    },
};

const CHAIN_ID: u64 = 901;
const GWEI: u128 = 1_000_000_000;
const FEES: Address = address!("0x00000000000000000000000000000000000fee01");
const PORTAL: Address = address!("0x0000000000000000000000000000000000000b0b");

fn config() -> LedgerConfig {
    LedgerConfig {
        chain_id: CHAIN_ID,
        base_fee: GWEI,
    }
}

/// A view whose genesis funds test keys 1-3 with 10 ETH each.
fn view() -> View {
    let ether = U256::from(10u64) * U256::from(10u64).pow(U256::from(18u64));
    let genesis = LedgerState::with_accounts((1..=3).map(|i| {
        (
            test_signer(i).address(),
            Account {
                balance: ether,
                nonce: 0,
            },
        )
    }));
    View::new(genesis, config(), PORTAL, MempoolConfig::default())
}

/// A transfer of `wei` from test key `from` at `nonce`.
fn transfer(from: u64, nonce: u64, wei: u64) -> Bytes {
    let to = address!("0x00000000000000000000000000000000000000aa");
    TxFields::transfer(CHAIN_ID, nonce, to, U256::from(wei), 2 * GWEI).sign(&test_signer(from))
}

/// A block of `txs` for the next height, as a leader hands it to `View::seal`.
fn block(view: &View, txs: Vec<Bytes>) -> SignedBlock {
    SignedBlock {
        header: BlockHeader {
            number: view.head().number + 1,
            epoch: 7,
            timestamp: view.head().timestamp + 1,
            ..Default::default()
        },
        signature: Bytes::new(),
        fee_recipient: FEES,
        entries: Vec::new(),
        transactions: txs,
    }
}

/// Seals a block of `txs` and signs it with a placeholder signature; returns it as followers
/// receive it.
fn seal(view: &mut View, txs: Vec<Bytes>) -> SignedBlock {
    let next = block(view, txs);
    let number = view.seal(next, None).expect("seals").block.header.number;
    view.set_signature(number, Bytes::from(vec![1u8; 65]));
    view.block(number).unwrap().sealed.clone().unwrap()
}

/// The record L1 would hold for `blocks` (index `index`, no force-queue entries).
fn record(index: u64, blocks: &[SignedBlock]) -> StoredRecord {
    let context = RecordContext {
        chain_id: U256::from(CHAIN_ID),
        epoch: blocks[0].header.epoch,
        first_block: blocks[0].header.number,
        prev_record_hash: B256::ZERO,
        force_index: 0,
        fee_recipient: FEES,
    };
    let l2: Vec<L2Block> = blocks.iter().map(L2Block::from).collect();
    let (header, data) = context.seal(&l2).expect("encodes");
    StoredRecord {
        index,
        header,
        data,
        forced: false,
        l1_block: 100 + index,
        l1_timestamp: blocks.last().unwrap().header.timestamp,
    }
}

#[test]
fn a_sealed_block_is_indexed_and_pending_until_l1_holds_it() {
    let mut v = view();
    let tx = transfer(1, 0, 1_000);
    let hash = alloy::primitives::keccak256(&tx);
    let sealed = seal(&mut v, vec![tx]);
    assert_eq!(v.head().number, 1);
    assert_eq!(v.canonical().head().number, 0);
    assert_eq!(v.tx_location(&hash), Some((1, 0)));
    let entry = v.block(1).unwrap();
    assert!(!entry.on_l1);
    assert_eq!(
        v.block_by_hash(&entry.block.hash)
            .unwrap()
            .block
            .header
            .number,
        1
    );
    assert_eq!(v.unposted().len(), 1);
    assert_eq!(v.signed_blocks_after(0, 10), vec![sealed.clone()]);

    // L1 takes the same block: it becomes final, nothing is dropped.
    let dropped = v.apply_record(&record(0, &[sealed])).unwrap();
    assert!(dropped.is_empty());
    assert_eq!(v.canonical().head().number, 1);
    assert!(v.block(1).unwrap().on_l1);
    assert!(v.unposted().is_empty());
    assert_eq!(v.tx_location(&hash), Some((1, 0)));
}

#[test]
fn a_record_that_contradicts_preconfirmed_blocks_replaces_them_and_requeues_their_txs() {
    let mut v = view();
    let mine = transfer(1, 0, 1_000);
    seal(&mut v, vec![mine.clone()]);
    // Another leader's record takes height 1 with another transaction.
    let mut other = view();
    let theirs = seal(&mut other, vec![transfer(2, 0, 5)]);
    let dropped = v
        .apply_record(&record(0, std::slice::from_ref(&theirs)))
        .unwrap();
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        v.block(1).unwrap().block.hash,
        other.block(1).unwrap().block.hash
    );
    assert_eq!(v.head().number, 1);
    // The dropped transaction waits in the pool for the next block.
    assert_eq!(v.mempool.len(), 1);
    assert_eq!(
        v.tx_location(&alloy::primitives::keccak256(&theirs.transactions[0])),
        Some((1, 0))
    );
}

#[test]
fn dropping_pending_blocks_returns_to_the_derived_chain() {
    let mut v = view();
    seal(&mut v, vec![transfer(1, 0, 1)]);
    seal(&mut v, vec![transfer(1, 1, 1)]);
    let dropped = v.drop_pending();
    assert_eq!(dropped.len(), 2);
    assert_eq!(v.head().number, 0);
    assert!(v.block(1).is_none());
    assert_eq!(v.mempool.len(), 2, "both transactions are pooled again");
}

#[test]
fn a_follower_replays_a_leaders_block_and_refuses_a_tampered_one() {
    let mut leader = view();
    let sealed = seal(&mut leader, vec![transfer(1, 0, 7)]);

    let mut tampered = sealed.clone();
    tampered.transactions = vec![transfer(1, 0, 8)];
    let mut follower = view();
    match follower.follow(tampered) {
        Err(ViewError::HeaderMismatch { number: 1, .. }) => {}
        other => panic!("expected a header mismatch, got {other:?}"),
    }
    assert_eq!(follower.head().number, 0, "nothing applied");

    follower.follow(sealed.clone()).unwrap();
    assert_eq!(follower.head(), leader.head());
    assert_eq!(follower.block(1).unwrap().signature, Some(sealed.signature));
}

#[test]
fn a_block_must_follow_the_pending_head() {
    let mut v = view();
    let mut skip = block(&v, Vec::new());
    skip.header.number = 5;
    match v.seal(skip, None) {
        Err(ViewError::NotNext { got: 5, head: 0 }) => {}
        other => panic!("expected NotNext, got {other:?}"),
    }
    // A follower handed block 2 without block 1 derives another header for its next height.
    seal(&mut v, Vec::new());
    let second = seal(&mut v, Vec::new());
    match view().follow(second) {
        Err(ViewError::HeaderMismatch { number: 2, .. }) => {}
        other => panic!("expected a header mismatch, got {other:?}"),
    }
}

#[test]
fn record_size_and_count_are_what_the_inbox_will_see() {
    let mut v = view();
    let txs = vec![transfer(1, 0, 1), transfer(2, 0, 2), transfer(3, 0, 3)];
    let sealed = seal(&mut v, txs);
    let rec = record(0, &[sealed]);
    assert_eq!(v.record_bytes(1), rec.data.len());
    assert_eq!(v.record_txs(1), 3);
}
