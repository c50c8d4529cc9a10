use super::*;
use crate::{
    batch::{L2Block, RecordContext, check_record},
    l2::{tx_proof, verify_tx_proof},
    ledger::{
        Account, Applied, Invalid,
        testkit::{TxFields, test_signer},
    },
};

const CONFIG: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: 1_000_000_000,
};
const PORTAL: Address = Address::repeat_byte(0x90);
const FEES: Address = Address::repeat_byte(0xfe);
const EPOCH: u64 = 7;
const FUNDS: u64 = 10_000_000_000_000_000_000;
/// `21000 × base fee`: the fee of every transfer below (no priority fee).
const FEE: u64 = 21_000 * 1_000_000_000;

fn addr(i: u64) -> Address {
    test_signer(i).address()
}

fn genesis() -> LedgerState {
    LedgerState::with_accounts((0..4).map(|i| {
        (
            addr(i),
            Account {
                balance: U256::from(FUNDS),
                nonce: 0,
            },
        )
    }))
}

fn chain() -> Chain {
    Chain::new(genesis(), CONFIG, PORTAL)
}

fn transfer(from: u64, nonce: u64, to: Address, value: u64) -> Bytes {
    TxFields::transfer(
        CONFIG.chain_id,
        nonce,
        to,
        U256::from(value),
        2 * CONFIG.base_fee,
    )
    .sign(&test_signer(from))
}

fn balance(chain: &Chain, who: Address) -> U256 {
    chain.state().account(&who).balance
}

fn nonce(chain: &Chain, who: Address) -> u64 {
    chain.state().account(&who).nonce
}

fn block(timestamp: u64, transactions: Vec<Bytes>) -> L2Block {
    L2Block {
        timestamp,
        transactions,
    }
}

/// A sequenced record after `chain`'s head, through the real codec and the inbox's checks.
fn seal(chain: &Chain, blocks: &[L2Block], force_index: u64) -> (BatchHeader, Batch) {
    let context = RecordContext {
        chain_id: U256::from(CONFIG.chain_id),
        epoch: EPOCH,
        first_block: chain.head().number + 1,
        prev_record_hash: B256::ZERO,
        force_index,
        fee_recipient: FEES,
    };
    let (header, data) = context.seal(blocks).unwrap();
    let batch = check_record(&header, &data, &crate::RecordLimits::UNLIMITED).unwrap();
    (header, batch)
}

/// The header `submitForcedRecord(upTo)` builds after `chain`'s head.
fn forced_header(chain: &Chain, force_index: u64) -> BatchHeader {
    let number = chain.head().number + 1;
    BatchHeader {
        chainId: U256::from(CONFIG.chain_id),
        epoch: EPOCH,
        firstBlock: number,
        lastBlock: number,
        prevRecordHash: B256::ZERO,
        dataHash: B256::ZERO,
        txCount: 0,
        forceIndex: force_index,
    }
}

fn sequenced<'a>(
    header: &'a BatchHeader,
    batch: &'a Batch,
    entries: &'a [QueueEntry],
) -> RecordInput<'a> {
    RecordInput {
        header,
        batch: Some(batch),
        entries,
        l1_timestamp: 1_000,
    }
}

fn forced_input<'a>(header: &'a BatchHeader, entries: &'a [QueueEntry]) -> RecordInput<'a> {
    RecordInput {
        header,
        batch: None,
        entries,
        l1_timestamp: 9,
    }
}

fn with(header: &BatchHeader, change: impl FnOnce(&mut BatchHeader)) -> BatchHeader {
    let mut header = header.clone();
    change(&mut header);
    header
}

fn entry(index: u64, sender: Address, data: impl Into<Bytes>) -> QueueEntry {
    QueueEntry {
        index,
        sender,
        data: data.into(),
        accumulator_before: B256::ZERO,
    }
}

/// Everything observable about a chain, to show an error changed nothing.
fn snapshot(chain: &mut Chain) -> (BlockHeader, B256, u64, u64, B256) {
    (
        chain.head().clone(),
        chain.head_hash(),
        chain.force_cursor(),
        chain.records(),
        chain.state_mut().root(),
    )
}

#[test]
fn a_new_chain_is_at_genesis() {
    let mut chain = chain();
    assert_eq!(chain.head(), &genesis_header(CONFIG.chain_id));
    assert_eq!(
        chain.head_hash(),
        block_hash(&genesis_header(CONFIG.chain_id))
    );
    assert_eq!((chain.force_cursor(), chain.records()), (0, 0));
    assert_eq!(chain.state_mut().root(), genesis().root());
    assert_eq!(chain.config(), &CONFIG);
    assert_eq!(chain.portal(), PORTAL);
}

#[test]
fn a_record_of_several_blocks_chains_its_headers_and_moves_funds() {
    let mut chain = chain();
    let (a, b) = (addr(0), addr(1));
    let fresh = Address::repeat_byte(0x42);
    let blocks = [
        block(100, vec![transfer(0, 0, b, 5), transfer(1, 0, fresh, 7)]),
        block(101, vec![]),
        block(102, vec![transfer(0, 1, fresh, 11)]),
    ];
    let (header, batch) = seal(&chain, &blocks, 0);
    let genesis_hash = chain.head_hash();
    let derived = chain
        .apply_record(&sequenced(&header, &batch, &[]))
        .unwrap();

    assert_eq!(derived.len(), 3);
    let mut parent = genesis_hash;
    for (i, (d, b)) in derived.iter().zip(&blocks).enumerate() {
        assert_eq!(d.header.chainId, U256::from(CONFIG.chain_id));
        assert_eq!(d.header.number, i as u64 + 1);
        assert_eq!(d.header.parentHash, parent);
        assert_eq!(d.header.epoch, EPOCH);
        assert_eq!(d.header.timestamp, b.timestamp);
        let hashes: Vec<B256> = b.transactions.iter().map(keccak256).collect();
        assert_eq!(d.header.txRoot, tx_root(&hashes));
        assert_eq!(d.txs.iter().map(|t| t.hash).collect::<Vec<_>>(), hashes);
        assert_eq!(d.hash, block_hash(&d.header));
        assert!(
            d.txs
                .iter()
                .all(|t| t.outcome.is_ok() && t.fee_recipient == FEES)
        );
        parent = d.hash;
    }
    assert_eq!(derived[1].header.txRoot, B256::ZERO, "an empty block");
    assert_eq!(chain.head(), &derived[2].header);
    assert_eq!(chain.head_hash(), derived[2].hash);
    assert_eq!((chain.records(), chain.force_cursor()), (1, 0));

    let funds = U256::from(FUNDS);
    assert_eq!(balance(&chain, a), funds - U256::from(5 + 11 + 2 * FEE));
    assert_eq!(
        balance(&chain, b),
        funds + U256::from(5) - U256::from(7 + FEE)
    );
    assert_eq!(balance(&chain, fresh), U256::from(7 + 11));
    assert_eq!(balance(&chain, FEES), U256::from(3 * FEE));
    assert_eq!((nonce(&chain, a), nonce(&chain, b)), (2, 1));
    assert_eq!(
        derived[2].state_root,
        Some(chain.state_root()),
        "a record's last block"
    );
    assert_ne!(derived[2].state_root, Some(genesis().root()));
    assert_eq!((derived[0].state_root, derived[1].state_root), (None, None));
}

#[test]
fn consumed_entries_come_first_in_the_first_block() {
    let mut chain = chain();
    let depositor = test_signer(9).address(); // no L2 funds until its deposit
    let deposit = L2Tx::deposit_entry(depositor, U256::from(FUNDS));
    let user_tx = transfer(1, 0, addr(2), 3);
    let entries = [
        entry(0, PORTAL, deposit.clone()),
        entry(1, addr(1), user_tx.clone()),
        // The same deposit bytes from anyone else are a malformed transaction.
        entry(2, addr(3), deposit.clone()),
    ];
    // The depositor spends in the same block: valid only because its deposit came first.
    let spend = TxFields::transfer(CONFIG.chain_id, 0, addr(0), U256::from(1), CONFIG.base_fee)
        .sign(&test_signer(9));
    let blocks = [block(50, vec![spend.clone()]), block(51, vec![])];
    let (header, batch) = seal(&chain, &blocks, 3);
    let derived = chain
        .apply_record(&sequenced(&header, &batch, &entries))
        .unwrap();

    let first = &derived[0];
    let hashes = [
        queue_entry_hash(&deposit),
        keccak256(&user_tx),
        queue_entry_hash(&deposit),
        keccak256(&spend),
    ];
    assert_eq!(first.txs.iter().map(|t| t.hash).collect::<Vec<_>>(), hashes);
    assert_eq!(first.header.txRoot, tx_root(&hashes));
    assert_eq!(
        first.txs[0].outcome,
        Ok(Applied::Deposit {
            recipient: depositor,
            amount: U256::from(FUNDS)
        })
    );
    assert!(matches!(first.txs[1].outcome, Ok(Applied::Transfer { .. })));
    assert_eq!(first.txs[2].tx, L2Tx::Signed(deposit.into()));
    assert_eq!(first.txs[2].outcome, Err(Invalid::Malformed));
    assert!(matches!(first.txs[3].outcome, Ok(Applied::Transfer { .. })));
    assert!(first.txs.iter().all(|t| t.fee_recipient == FEES));
    assert!(derived[1].txs.is_empty());
    assert_eq!(chain.force_cursor(), 3);

    // The user entry's fee and the batch tx's fee both went to the batch's fee recipient.
    assert_eq!(balance(&chain, FEES), U256::from(2 * FEE));
    assert_eq!(nonce(&chain, depositor), 1);
    assert_eq!(
        balance(&chain, depositor),
        U256::from(FUNDS) - U256::from(1 + FEE)
    );

    // Each transaction has an inclusion proof against the signed header's root.
    for (i, h) in hashes.iter().enumerate() {
        let proof = tx_proof(&hashes, i).unwrap();
        assert!(verify_tx_proof(first.header.txRoot, *h, i, &proof));
    }
}

#[test]
fn a_forced_record_burns_its_fees_at_the_l1_timestamp() {
    let mut chain = chain();
    let (header, batch) = seal(&chain, &[block(10, vec![])], 0);
    chain
        .apply_record(&sequenced(&header, &batch, &[]))
        .unwrap();

    let tx = transfer(2, 0, addr(3), 9);
    let entries = [entry(0, addr(2), tx.clone())];
    let header = forced_header(&chain, 1);
    let parent = chain.head_hash();
    let derived = chain
        .apply_record(&RecordInput {
            header: &header,
            batch: None,
            entries: &entries,
            l1_timestamp: 1_700_000_123,
        })
        .unwrap();
    assert_eq!(derived.len(), 1);
    let d = &derived[0];
    assert_eq!(d.header.number, 2);
    assert_eq!(d.header.parentHash, parent);
    assert_eq!(d.header.timestamp, 1_700_000_123);
    assert_eq!(d.header.epoch, EPOCH);
    assert_eq!(d.header.txRoot, keccak256(&tx), "one leaf is the root");
    assert_eq!(d.txs[0].fee_recipient, Address::ZERO);
    assert!(d.txs[0].outcome.is_ok());
    assert_eq!(balance(&chain, Address::ZERO), U256::from(FEE));
    assert_eq!(balance(&chain, FEES), U256::ZERO);
    assert_eq!(balance(&chain, addr(3)), U256::from(FUNDS) + U256::from(9));
    assert_eq!((chain.records(), chain.force_cursor()), (2, 1));

    // A forced record that consumes nothing is one empty block.
    let header = forced_header(&chain, 1);
    let derived = chain
        .apply_record(&RecordInput {
            header: &header,
            batch: None,
            entries: &[],
            l1_timestamp: 5,
        })
        .unwrap();
    assert_eq!(derived[0].header.txRoot, B256::ZERO);
    assert_eq!(chain.head().number, 3);
}

#[test]
fn sealing_and_deriving_give_the_same_blocks() {
    let start = {
        let mut c = chain();
        // Something before, so the leader starts from a non-genesis head and cursor.
        let (header, batch) = seal(&c, &[block(1, vec![transfer(3, 0, addr(0), 1)])], 1);
        let entries = [entry(
            0,
            PORTAL,
            L2Tx::deposit_entry(addr(3), U256::from(4)),
        )];
        c.apply_record(&sequenced(&header, &batch, &entries))
            .unwrap();
        c
    };
    let entries = [
        entry(1, addr(1), transfer(1, 0, addr(2), 1)),
        entry(2, PORTAL, L2Tx::deposit_entry(addr(2), U256::from(8))),
    ];
    let blocks = [
        block(
            20,
            vec![transfer(0, 0, addr(1), 2), vec![0xde, 0xad].into()],
        ),
        block(
            21,
            vec![transfer(0, 1, addr(1), 3), transfer(2, 0, addr(0), 4)],
        ),
        block(21, vec![]),
    ];

    let mut leader = start.clone();
    let mut sealed: Vec<DerivedBlock> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let entries: &[QueueEntry] = if i == 0 { &entries } else { &[] };
            leader
                .apply_block(EPOCH, b.timestamp, FEES, entries, &b.transactions)
                .unwrap()
        })
        .collect();

    let mut follower = start.clone();
    let (header, batch) = seal(&follower, &blocks, 3);
    let derived = follower
        .apply_record(&sequenced(&header, &batch, &entries))
        .unwrap();

    // Only the record's last block carries a root: the one the leader's chain reaches.
    sealed.last_mut().unwrap().state_root = Some(leader.state_root());
    assert_eq!(sealed, derived);
    assert_eq!(leader.head_hash(), follower.head_hash());
    assert_eq!(leader.force_cursor(), follower.force_cursor());
    assert_eq!(leader.state_mut().root(), follower.state_mut().root());
    assert_eq!(follower.records(), start.records() + 1);
    assert_eq!(leader.records(), start.records(), "sealing is not a record");
}

#[test]
fn invalid_transactions_are_no_ops_that_stay_in_the_block() {
    let mut chain = chain();
    let before = chain.state_mut().root();
    let txs: Vec<Bytes> = vec![
        transfer(0, 5, addr(1), 1),          // wrong nonce
        vec![0xde, 0xad, 0xbe, 0xef].into(), // not a transaction
        transfer(1, 0, addr(2), FUNDS),      // value + fee above the balance
        TxFields::transfer(902, 0, addr(1), U256::from(1), CONFIG.base_fee).sign(&test_signer(2)), // another chain
    ];
    let expected = [
        Invalid::WrongNonce,
        Invalid::Malformed,
        Invalid::InsufficientBalance,
        Invalid::WrongChainId,
    ];
    let d = chain.apply_block(EPOCH, 9, FEES, &[], &txs).unwrap();
    assert_eq!(d.txs.len(), 4);
    for ((t, raw), reason) in d.txs.iter().zip(&txs).zip(expected) {
        assert_eq!(t.outcome, Err(reason));
        assert_eq!(t.hash, keccak256(raw));
        assert_eq!(t.tx, L2Tx::Signed(raw.clone()));
    }
    let hashes: Vec<B256> = txs.iter().map(keccak256).collect();
    assert_eq!(d.header.txRoot, tx_root(&hashes));
    assert_eq!(d.state_root, None, "a sealed block carries no root");
    assert_eq!(chain.state_root(), before, "nothing applied");
    assert_eq!(chain.head().number, 1);
    assert_eq!(chain.head_hash(), d.hash);
}

#[test]
fn records_chain_one_after_another() {
    let mut chain = chain();
    let mut last = chain.head_hash();
    for r in 0..4u64 {
        let (header, batch) = seal(&chain, &[block(r, vec![transfer(0, r, addr(1), 1)])], 0);
        let derived = chain
            .apply_record(&sequenced(&header, &batch, &[]))
            .unwrap();
        assert_eq!(derived[0].header.parentHash, last);
        assert_eq!(derived[0].header.number, r + 1);
        last = derived[0].hash;
    }
    assert_eq!(chain.records(), 4);
    assert_eq!(nonce(&chain, addr(0)), 4);
}

/// Applies `record` to a copy of `chain`, expects `err`, and checks nothing changed.
fn rejects(chain: &Chain, record: &RecordInput<'_>, err: DeriveError) {
    let mut chain = chain.clone();
    let before = snapshot(&mut chain);
    assert_eq!(chain.apply_record(record), Err(err.clone()));
    assert_eq!(snapshot(&mut chain), before, "{err}");
    assert!(!err.to_string().is_empty());
}

#[test]
fn every_record_error_leaves_the_chain_unchanged() {
    // A chain with one record applied (cursor 1), so "unchanged" is not just genesis.
    let mut chain = chain();
    let (header, batch) = seal(&chain, &[block(1, vec![transfer(0, 0, addr(1), 1)])], 1);
    let first_entry = [entry(0, addr(1), transfer(1, 0, addr(0), 1))];
    chain
        .apply_record(&sequenced(&header, &batch, &first_entry))
        .unwrap();

    let txs = vec![transfer(0, 1, addr(2), 1)];
    let blocks = [block(2, txs.clone()), block(3, vec![])];
    let (good, batch) = seal(&chain, &blocks, 2);
    let entries = [entry(1, addr(2), transfer(2, 0, addr(0), 1))];

    let h = with(&good, |h| h.chainId = U256::from(902));
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::WrongChainId {
            expected: 901,
            got: U256::from(902),
        },
    );
    let h = with(&good, |h| h.firstBlock = 3);
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::DiscontinuousBlock {
            expected: 2,
            got: 3,
        },
    );
    let h = with(&good, |h| h.lastBlock = 1);
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::EmptyBlockRange {
            first_block: 2,
            last_block: 1,
        },
    );
    let h = with(&good, |h| h.lastBlock = 4);
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::BlockCountMismatch {
            header: 3,
            batch: 2,
        },
    );
    let h = with(&good, |h| h.txCount = 2);
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::TxCountMismatch {
            header: 2,
            actual: 1,
        },
    );
    let h = with(&good, |h| h.forceIndex = 0);
    rejects(
        &chain,
        &sequenced(&h, &batch, &entries),
        DeriveError::ForceIndexBehind {
            cursor: 1,
            force_index: 0,
        },
    );
    rejects(
        &chain,
        &sequenced(&good, &batch, &[]),
        DeriveError::EntryCountMismatch {
            expected: 1,
            got: 0,
        },
    );
    let stale = [entry(0, addr(2), transfer(2, 0, addr(0), 1))];
    rejects(
        &chain,
        &sequenced(&good, &batch, &stale),
        DeriveError::EntryIndexMismatch {
            position: 0,
            expected: 1,
            got: 0,
        },
    );

    // Forced records: exactly one block, no transactions.
    let mut two = forced_header(&chain, 2);
    two.lastBlock += 1;
    rejects(
        &chain,
        &forced_input(&two, &entries),
        DeriveError::ForcedBlockCount {
            first_block: 2,
            last_block: 3,
            blocks: 2,
        },
    );
    let mut counted = forced_header(&chain, 2);
    counted.txCount = 1;
    rejects(
        &chain,
        &forced_input(&counted, &entries),
        DeriveError::TxCountMismatch {
            header: 1,
            actual: 0,
        },
    );

    // A chain at the last block number cannot take another record or block.
    let mut end = chain.clone();
    end.head.number = u64::MAX;
    let mut h = forced_header(&chain, 2);
    h.firstBlock = 0;
    h.lastBlock = 0;
    rejects(
        &end,
        &forced_input(&h, &entries),
        DeriveError::BlockNumberOverflow { head: u64::MAX },
    );
    let before = snapshot(&mut end);
    assert_eq!(
        end.apply_block(EPOCH, 0, FEES, &[], &txs),
        Err(DeriveError::BlockNumberOverflow { head: u64::MAX })
    );
    assert_eq!(snapshot(&mut end), before);

    // And the untouched record still applies.
    chain
        .apply_record(&sequenced(&good, &batch, &entries))
        .unwrap();
    assert_eq!((chain.records(), chain.force_cursor()), (2, 2));
}

#[test]
fn apply_block_checks_its_entries_continue_the_queue() {
    let mut chain = chain();
    let before = snapshot(&mut chain);
    let skipping = [entry(0, addr(1), vec![1u8]), entry(2, addr(1), vec![2u8])];
    assert_eq!(
        chain.apply_block(EPOCH, 0, FEES, &skipping, &[]),
        Err(DeriveError::EntryIndexMismatch {
            position: 1,
            expected: 1,
            got: 2,
        })
    );
    assert_eq!(snapshot(&mut chain), before);
    let d = chain
        .apply_block(EPOCH, 0, FEES, &skipping[..1], &[])
        .unwrap();
    assert_eq!(d.txs[0].outcome, Err(Invalid::Malformed));
    assert_eq!(chain.force_cursor(), 1);
    // A record now consumes from the sealed block's cursor on.
    let (header, batch) = seal(&chain, &[block(1, vec![])], 1);
    chain
        .apply_record(&sequenced(&header, &batch, &[]))
        .unwrap();
    assert_eq!(chain.force_cursor(), 1);
}

#[test]
fn checking_a_record_on_several_cores_gives_the_sequential_outcomes() {
    // More than PARALLEL_CHECK_MIN transactions, valid and invalid interleaved, across senders
    // whose nonces depend on earlier transactions in the same record.
    let mut txs = Vec::new();
    for n in 0..40u64 {
        for from in 0..4 {
            txs.push(transfer(from, n, addr((from + 1) % 4), 1 + n));
        }
        txs.push(vec![0xc0, n as u8].into());
        txs.push(transfer(n % 4, 1_000 + n, addr(9), 1)); // nonce far ahead
    }
    assert!(txs.len() > PARALLEL_CHECK_MIN);
    let raw: Vec<&Bytes> = txs.iter().collect();
    let sequential: Vec<_> = txs.iter().map(|t| check_transaction(&CONFIG, t)).collect();
    assert_eq!(check_all(&CONFIG, &raw), sequential);

    // The same block applied through LedgerState::apply one by one.
    let mut by_hand = genesis();
    let context = BlockContext {
        fee_recipient: FEES,
    };
    let expected: Vec<Outcome> = txs
        .iter()
        .map(|t| by_hand.apply(&CONFIG, &context, &L2Tx::Signed(t.clone())))
        .collect();
    let mut chain = chain();
    let d = chain.apply_block(EPOCH, 9, FEES, &[], &txs).unwrap();
    assert_eq!(
        d.txs.iter().map(|t| t.outcome).collect::<Vec<_>>(),
        expected
    );
    assert!(expected.iter().filter(|o| o.is_ok()).count() == 160);
    assert_eq!(chain.state_root(), by_hand.root());
}

#[test]
fn reusing_known_checks_derives_the_same_blocks() {
    let txs = vec![
        transfer(0, 0, addr(1), 2),
        vec![0xde, 0xad].into(),
        transfer(1, 0, addr(2), 3),
    ];
    let (header, batch) = seal(&chain(), &[block(5, txs.clone())], 0);
    let input = sequenced(&header, &batch, &[]);
    let expected = chain().apply_record(&input).unwrap();

    // The first transaction's check is known; the others are checked by the chain.
    let first = check_transaction(&CONFIG, &txs[0]).unwrap();
    let asked = std::cell::Cell::new(0);
    let mut reusing = chain();
    let derived = reusing
        .apply_record_with(&input, |hash| {
            asked.set(asked.get() + 1);
            (*hash == keccak256(&txs[0])).then_some(first)
        })
        .unwrap();
    assert_eq!(derived, expected);
    assert_eq!(asked.get(), 3, "asked once per transaction");
}
