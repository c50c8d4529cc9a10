//! The EVM chain under the sequencer network, on real SQLite files: a leader seals blocks with
//! force-queue entries (a portal deposit, a forced transaction, bytes that only look like a
//! deposit), a follower replays them from the signed stream, a node that saw nothing derives
//! them from the record, and the three agree block for block. A record that contradicts the
//! preconfirmed blocks replaces them and their transactions go back to the pool. Every derived
//! block's claim for a dispute over blocks gives its stored header. What a follower
//! and the derivation refuse, what a reopened file remembers, and what a SIGKILL leaves. (What
//! the JSON-RPC serves over such a chain: `sequenced_rpc.rs`.)

mod common;

use alloy::primitives::{Address, B256, U256, address};
use baton_core::{BatchHeader, DeriveError, QueueEntry, RecordInput, l2::block_hash, ledger::L2Tx};
use baton_evm::{DEPOSIT_TX_TYPE, StateReader};
use baton_l2::{BlockError, BlockRoom, L2Chain, records::record_blocks};
use common::{
    CHAIN_ID, GWEI, key,
    sequenced::{
        DEPOSITED_TO, NOT_MINTED_TO, PORTAL, entries, evm_headers, forced_header, inputs, open,
        record, signed,
    },
    transfer,
};
use std::path::Path;

/// Every block of a derived record, claimed the keepers' way (`L2Chain::block_claim`: the
/// record split as derivation splits it, run over the parent's stored state), claims the
/// stored header's hash, and the claim gives that hash from its preimages alone, as the EVM
/// guest reads them (the guest itself runs such claims in baton-state's `block_claims` test).
fn claims_give_the_stored_blocks(chain: &L2Chain, record: &RecordInput<'_>) {
    for block in record_blocks(record) {
        let stored = chain
            .db()
            .header(block.number)
            .unwrap()
            .unwrap()
            .hash_slow();
        let (claim, preimages) = chain.block_claim(record, block.number).unwrap();
        assert_eq!(claim.claimed_hash, stored, "block {}", block.number);
        assert_eq!(claim.post_hash(preimages), stored, "block {}", block.number);
    }
}

#[test]
fn sealed_followed_and_derived_blocks_are_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut leader = open(&dir.path().join("leader.sqlite"));
    let mut follower = open(&dir.path().join("follower.sqlite"));
    let mut deriver = open(&dir.path().join("deriver.sqlite"));
    for nonce in 0..4 {
        leader.submit(&transfer(0, nonce, GWEI)).unwrap();
    }
    for nonce in 0..2 {
        leader.submit(&transfer(1, nonce, 2 * GWEI)).unwrap();
    }
    let entries = entries();

    // Block 1: the entries first, then the two transactions the record has room for.
    let room = BlockRoom {
        transactions: 2,
        batch_bytes: usize::MAX,
    };
    let one = leader.seal_block(&inputs(1, 10, &entries), room).unwrap();
    assert_eq!(one.dropped, 0);
    let one = one.block;
    assert_eq!(one.transactions.len(), 2);
    let txs = leader.db().block_transactions(1).unwrap();
    // The deposit, the forced transfer and the two pooled ones; the deposit-shaped bytes of a
    // sender other than the portal are no transaction and not in the EVM block.
    assert_eq!(txs.len(), 4);
    assert_eq!(txs[0].tx_type(), DEPOSIT_TX_TYPE);
    assert!(txs[0].success, "the deposit's call succeeds");
    assert_eq!(txs[1].sender, key(2).address());
    // ... but the signed header covers every input, the skipped entry included.
    let mut hashes: Vec<B256> = entries
        .iter()
        .map(|e| alloy::primitives::keccak256(&e.data))
        .collect();
    hashes.extend(one.transactions.iter().map(alloy::primitives::keccak256));
    assert_eq!(one.header.txRoot, baton_core::l2::tx_root(&hashes));
    // Stored with the block: what a preconfirmation's proof is over.
    assert_eq!(leader.block_inputs(1).unwrap().unwrap(), hashes);
    assert_eq!(
        one.header.parentHash,
        block_hash(&leader.signed_header(0).unwrap().unwrap())
    );
    assert_eq!(leader.force_cursor().unwrap(), 3);

    let two = leader
        .seal_block(&inputs(1, 10, &[]), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    assert_eq!(two.transactions.len(), 4);
    assert!(leader.pool().is_empty());
    let three = leader
        .seal_block(&inputs(1, 11, &[]), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    assert!(three.transactions.is_empty());
    assert_eq!(leader.signed_header(3).unwrap().unwrap(), three.header);

    // A follower replays the signed stream; it ends on the same EVM chain.
    follower.follow(&signed(&one, &entries), &entries).unwrap();
    follower.follow(&signed(&two, &[]), &[]).unwrap();
    follower.follow(&signed(&three, &[]), &[]).unwrap();
    assert_eq!(evm_headers(&follower), evm_headers(&leader));

    // A node that saw none of it derives the record and gets the same chain too.
    let blocks = [one, two, three];
    let (header, batch) = record(&blocks, 3);
    let input = RecordInput {
        header: &header,
        batch: Some(&batch),
        entries: &entries,
        l1_timestamp: 20,
    };
    let derived = deriver.derive_record(0, &input).unwrap();
    assert_eq!((derived.kept, derived.executed, derived.unwound), (0, 3, 0));
    assert_eq!(evm_headers(&deriver), evm_headers(&leader));
    claims_give_the_stored_blocks(&deriver, &input);
    for n in 1..=3 {
        assert_eq!(
            deriver.signed_header(n).unwrap(),
            leader.signed_header(n).unwrap()
        );
    }
    let l1 = deriver.l1_head().unwrap();
    assert_eq!((l1.records, l1.block), (1, 3));
    assert_eq!(
        deriver.db().account(DEPOSITED_TO).unwrap().unwrap().balance,
        U256::from(7 * GWEI),
        "the deposit minted to its recipient"
    );
    assert!(
        deriver.db().account(NOT_MINTED_TO).unwrap().is_none(),
        "an entry that only looks like a deposit mints nothing"
    );

    // The leader and the follower settle their blocks without running them again.
    for chain in [&mut leader, &mut follower] {
        let derived = chain.derive_record(0, &input).unwrap();
        assert_eq!((derived.kept, derived.executed, derived.unwound), (3, 0, 0));
        assert_eq!(chain.l1_head().unwrap(), l1);
    }
    // Deriving it again is refused: records come in order.
    assert!(matches!(
        leader.derive_record(0, &input),
        Err(BlockError::Chain(_))
    ));
}

#[test]
fn a_record_that_contradicts_preconfirmed_blocks_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = open(&dir.path().join("chain.sqlite"));
    let sent: Vec<B256> = (0..3)
        .map(|nonce| chain.submit(&transfer(0, nonce, GWEI)).unwrap())
        .collect();
    let room = BlockRoom {
        transactions: 2,
        batch_bytes: usize::MAX,
    };
    chain.seal_block(&inputs(1, 10, &[]), room).unwrap();
    chain.seal_block(&inputs(1, 11, &[]), room).unwrap();
    assert!(chain.pool().is_empty());

    // L1 holds a forced record for block 1 instead: the portal's deposit, alone.
    let entries = &entries()[..1];
    let header = forced_header(1, 1);
    let forced = RecordInput {
        header: &header,
        batch: None,
        entries,
        l1_timestamp: 5,
    };
    let derived = chain.derive_record(0, &forced).unwrap();
    assert_eq!((derived.kept, derived.executed, derived.unwound), (0, 1, 2));
    claims_give_the_stored_blocks(&chain, &forced);
    assert_eq!(chain.head().number, 1);
    let block = chain.db().header(1).unwrap().unwrap();
    assert_eq!(
        block.beneficiary,
        Address::ZERO,
        "a forced record's fees go to no one"
    );
    let txs = chain.db().block_transactions(1).unwrap();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].tx_type(), DEPOSIT_TX_TYPE);
    // The unwound blocks' transactions are pooled again, and the next block takes them.
    for hash in &sent {
        assert!(chain.pool().get(hash).is_some());
    }
    let next = chain
        .seal_block(&inputs(2, 12, &[]), BlockRoom::GAS_ONLY)
        .unwrap();
    assert_eq!(next.block.transactions.len(), 3);
    assert_eq!(chain.l1_head().unwrap().block, 1);

    // A record naming another fee recipient for a preconfirmed block is another block.
    let (mut header, batch) = record(std::slice::from_ref(&next.block), 1);
    let mut batch = batch;
    batch.fee_recipient = address!("0000000000000000000000000000000000000fee");
    header.dataHash = batch.commitment().data_hash();
    let input = RecordInput {
        header: &header,
        batch: Some(&batch),
        entries: &[],
        l1_timestamp: 20,
    };
    let derived = chain.derive_record(1, &input).unwrap();
    assert_eq!((derived.kept, derived.executed, derived.unwound), (0, 1, 1));
    claims_give_the_stored_blocks(&chain, &input);
    assert_eq!(
        chain.db().header(2).unwrap().unwrap().beneficiary,
        batch.fee_recipient
    );

    // Dropping what no record holds: nothing is left to drop.
    assert_eq!(chain.drop_unsettled().unwrap(), 0);
}

#[test]
fn a_follower_refuses_what_its_signed_header_does_not_cover() {
    let dir = tempfile::tempdir().unwrap();
    let mut leader = open(&dir.path().join("leader.sqlite"));
    let mut follower = open(&dir.path().join("follower.sqlite"));
    for nonce in 0..2 {
        leader.submit(&transfer(0, nonce, GWEI)).unwrap();
    }
    let entries = &entries()[..1];
    let block = leader
        .seal_block(&inputs(1, 10, entries), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    let good = signed(&block, entries);

    let mut dropped_tx = good.clone();
    dropped_tx.transactions.pop();
    assert!(matches!(
        follower.follow(&dropped_tx, entries),
        Err(BlockError::HeaderMismatch { number: 1, .. })
    ));
    let mut other_parent = good.clone();
    other_parent.header.parentHash = B256::repeat_byte(1);
    assert!(matches!(
        follower.follow(&other_parent, entries),
        Err(BlockError::HeaderMismatch { .. })
    ));
    assert!(matches!(
        follower.follow(&good, &[]),
        Err(BlockError::HeaderMismatch { .. })
    ));
    let skipped_entry = QueueEntry {
        index: 1,
        ..entries[0].clone()
    };
    assert!(matches!(
        follower.follow(&good, &[skipped_entry]),
        Err(BlockError::Derive(DeriveError::EntryIndexMismatch {
            expected: 0,
            got: 1,
            ..
        }))
    ));
    let mut later = good.clone();
    later.header.number = 2;
    assert!(matches!(
        follower.follow(&later, entries),
        Err(BlockError::NotNext { got: 2, head: 0 })
    ));
    assert_eq!(follower.head().number, 0, "nothing refused was stored");

    follower.follow(&good, entries).unwrap();
    assert_eq!(follower.head(), leader.head());
}

#[test]
fn refused_records_change_nothing_and_a_reopened_chain_remembers_l1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.sqlite");
    let mut chain = open(&path);
    chain.submit(&transfer(0, 0, GWEI)).unwrap();
    let entries = entries();
    let block = chain
        .seal_block(&inputs(1, 10, &entries), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    let (header, batch) = record(std::slice::from_ref(&block), 3);

    let mut other_chain = header.clone();
    other_chain.chainId = U256::from(CHAIN_ID + 1);
    let mut behind = header.clone();
    behind.forceIndex = 2;
    for (bad, given) in [(&other_chain, &entries[..]), (&behind, &entries[..])] {
        let input = RecordInput {
            header: bad,
            batch: Some(&batch),
            entries: given,
            l1_timestamp: 20,
        };
        assert!(matches!(
            chain.derive_record(0, &input),
            Err(BlockError::Derive(_))
        ));
    }
    assert!(matches!(
        chain.derive_record(
            1,
            &RecordInput {
                header: &header,
                batch: Some(&batch),
                entries: &entries,
                l1_timestamp: 20,
            }
        ),
        Err(BlockError::Chain(_))
    ));
    assert_eq!(chain.l1_head().unwrap().records, 0);
    assert_eq!(
        chain.head().number,
        1,
        "the preconfirmed block is still there"
    );

    let input = RecordInput {
        header: &header,
        batch: Some(&batch),
        entries: &entries,
        l1_timestamp: 20,
    };
    chain.derive_record(0, &input).unwrap();
    let (head, l1, signed) = (
        chain.head().clone(),
        chain.l1_head().unwrap(),
        chain.signed_header(1).unwrap(),
    );
    drop(chain);

    let mut chain = open(&path);
    assert_eq!(*chain.head(), head);
    assert_eq!(chain.l1_head().unwrap(), l1);
    assert_eq!(chain.signed_header(1).unwrap(), signed);
    assert_eq!(chain.force_cursor().unwrap(), 3);
    // L1 reorganised the record away: the block stays, preconfirmed, and can be dropped.
    chain.forget_records_from(0).unwrap();
    assert_eq!(chain.l1_head().unwrap().records, 0);
    assert_eq!(chain.drop_unsettled().unwrap(), 1);
    assert_eq!(chain.head().number, 0);
    assert_eq!(chain.force_cursor().unwrap(), 0);
    // Its signed transactions are pooled again, the forced one too: it runs once all the same,
    // whichever of the pool and the queue brings it second is refused for its nonce.
    assert_eq!(chain.pool().len(), 2);
}

/// Records in the kill test's stream, and blocks in each.
const KILL_RECORDS: u64 = 100;
const KILL_BLOCKS_PER_RECORD: u64 = 3;
/// Set by [`a_sequencer_killed_mid_stream_reopens_on_a_prefix_and_derives_on`] for its child.
const KILL_CHILD_FILE: &str = "BATON_L2_KILL_CHILD_FILE";

/// The kill test's stream, on `chain` from where it stands: each record's blocks sealed as a
/// leader seals them (two transfers of keys 0 and 1 each, the first block consuming a portal
/// deposit), then the record derived over them. Returns the records, as L1 would hold them.
fn kill_stream(chain: &mut L2Chain) -> Vec<(BatchHeader, baton_core::Batch, Vec<QueueEntry>)> {
    let mut records = Vec::new();
    for r in 0..KILL_RECORDS {
        let entries = vec![QueueEntry {
            index: r,
            sender: PORTAL,
            data: L2Tx::deposit_entry(DEPOSITED_TO, U256::from(GWEI + u128::from(r))).into(),
            accumulator_before: B256::repeat_byte(r as u8),
        }];
        let mut blocks = Vec::new();
        for b in 0..KILL_BLOCKS_PER_RECORD {
            let n = r * KILL_BLOCKS_PER_RECORD + b;
            chain.submit(&transfer(0, n, GWEI)).unwrap();
            chain.submit(&transfer(1, n, 2 * GWEI)).unwrap();
            let block_entries = if b == 0 { &entries[..] } else { &[] };
            let sealed = chain
                .seal_block(&inputs(1, 100 + n, block_entries), BlockRoom::GAS_ONLY)
                .unwrap();
            blocks.push(sealed.block);
        }
        let (header, batch) = record(&blocks, r + 1);
        let input = RecordInput {
            header: &header,
            batch: Some(&batch),
            entries: &entries,
            l1_timestamp: 1_000 + r,
        };
        chain.derive_record(r, &input).unwrap();
        records.push((header, batch, entries));
    }
    records
}

/// Not a test of its own: the child process of the kill test (a no-op in a normal run) runs
/// the stream on the file until it is killed.
#[test]
fn kill_child_sequencer() {
    let Some(path) = std::env::var_os(KILL_CHILD_FILE) else {
        return;
    };
    kill_stream(&mut open(Path::new(&path)));
    // Stay alive to be killed like a sequencer that had more to do.
    std::thread::sleep(std::time::Duration::from_secs(600));
}

#[test]
fn a_sequencer_killed_mid_stream_reopens_on_a_prefix_and_derives_on() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let mut reference = open(&dir.path().join("reference.sqlite"));
    let records = kill_stream(&mut reference);
    let last = reference.head().number;

    for round in 0..3u64 {
        let path = dir.path().join(format!("killed-{round}.sqlite"));
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["kill_child_sequencer", "--exact", "--nocapture"])
            .env(KILL_CHILD_FILE, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it run for a while (longer each round), then SIGKILL it mid-stream.
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(100 + 150 * round) {
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap();
        child.wait().unwrap();

        // Reopened, the chain is a prefix of the stream's, each block whole: its state, its
        // header, its signed header; and the records it noted are the stream's.
        let mut chain = open(&path);
        let head = chain.head().number;
        assert!(head > 0, "round {round}: the child stored no block");
        for n in 0..=head {
            assert_eq!(
                chain.db().header(n).unwrap(),
                reference.db().header(n).unwrap(),
                "round {round}: block {n}"
            );
            assert_eq!(
                chain.signed_header(n).unwrap(),
                reference.signed_header(n).unwrap(),
                "round {round}: block {n}'s signed header"
            );
        }
        assert_eq!(chain.db().root().unwrap(), chain.head().state_root);
        let settled = chain.l1_head().unwrap();
        assert!(settled.block <= head);
        assert_eq!(settled.block, settled.records * KILL_BLOCKS_PER_RECORD);
        eprintln!(
            "round {round}: killed at block {head}, {} records derived",
            settled.records
        );

        // Deriving the rest from L1's records ends on the stream's chain: the blocks it
        // sealed before the kill are kept, the others run.
        let mut kept = 0;
        for (r, (header, batch, entries)) in
            records.iter().enumerate().skip(settled.records as usize)
        {
            let input = RecordInput {
                header,
                batch: Some(batch),
                entries,
                l1_timestamp: 1_000 + r as u64,
            };
            let derived = chain.derive_record(r as u64, &input).unwrap();
            assert_eq!(derived.unwound, 0, "round {round}: record {r}");
            kept += derived.kept;
        }
        assert_eq!(
            kept,
            head - settled.block,
            "round {round}: the unsettled blocks are kept"
        );
        assert_eq!(chain.head(), reference.head(), "round {round}");
        assert_eq!(chain.l1_head().unwrap().block, last);
    }
}
