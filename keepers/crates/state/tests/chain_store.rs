//! The EVM chain on disk: the genesis as block 0, blocks built by `build_block` appended with
//! their headers, transactions and receipts, read back after reopening the file; `BLOCKHASH`
//! sees the stored hashes; an unwind drops the later blocks whole, and the chain goes on. Logs
//! are found by address and topics, within the query's bounds. Stored blocks replay as the
//! claims of a dispute, which the EVM guest accepts.

mod common;

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address};
use baton_evm::{
    BlockDeposit, BlockTx, Claim, ClaimBlock, DEPOSIT_TX_TYPE, Deposit, StateReader, build_block,
};
use baton_state::{
    ClaimsError, GenesisError, LogFilter, LogQueryError, MAX_LOG_BLOCK_RANGE, StateDb, genesis_diff,
};
use baton_vm::Status;
use common::{
    TempFile,
    scenario::{SPEC, USER, guest, holder, oracle, signed, signed_with_gas},
};

const GENESIS_TIME: u64 = 1_700_000_000;
const SEQUENCER: Address = address!("00000000000000000000000000000000000c0ffe");

/// `SSTORE(0, BLOCKHASH(1))` run as init code: the created account keeps block 1's hash.
const BLOCKHASH_1_INITCODE: [u8; 7] = [0x60, 0x01, 0x40, 0x60, 0x00, 0x55, 0x00];

/// The block after `parent`: the user's creation (nonce `nonce`) whose init code stores
/// `BLOCKHASH(1)`.
fn creation_block(
    db: &StateDb,
    parent: &alloy_consensus::Header,
    nonce: u64,
) -> baton_evm::BuiltBlock {
    let create = signed(
        USER,
        nonce,
        TxKind::Create,
        U256::ZERO,
        BLOCKHASH_1_INITCODE.to_vec(),
    );
    let txs = [BlockTx::Signed(create)];
    build_block(&SPEC, parent, db, parent.timestamp + 1, SEQUENCER, &txs).unwrap()
}

/// A deposit to holder 1 with `data`, from force-queue entry `0x<source>…`.
fn deposit(source: u8, data: Bytes) -> BlockTx {
    BlockTx::Deposit(BlockDeposit {
        source: B256::repeat_byte(source),
        deposit: Deposit {
            from: address!("000000000000000000000000000000000000d0d0"),
            to: TxKind::Call(holder(1)),
            mint: U256::from(1_000),
            value: U256::from(10),
            gas_limit: 100_000,
            data,
        },
    })
}

fn genesis() -> baton_evm::StateDiff {
    let alloc = [(holder(USER), U256::from(10u64).pow(U256::from(19)))].into();
    genesis_diff(&alloc, address!("00000000000000000000000000000000000f1ee5")).unwrap()
}

#[test]
fn blocks_are_stored_with_their_state_and_unwound_whole() {
    let file = TempFile::new("chain");
    let mut db = StateDb::open(&file.0).unwrap();
    let block_0 = db.init_chain(&SPEC, &genesis(), GENESIS_TIME).unwrap();
    assert_eq!(
        db.init_chain(&SPEC, &genesis(), GENESIS_TIME).unwrap(),
        block_0
    );
    assert_eq!(block_0.state_root, db.root().unwrap());
    let error = db
        .init_chain(&SPEC, &genesis(), GENESIS_TIME + 1)
        .unwrap_err();
    assert!(matches!(error, GenesisError::OtherState { .. }), "{error}");

    // Block 1: a deposit, three transfers, bytes that are no transaction.
    let mut txs = vec![deposit(0xd0, Bytes::new())];
    txs.extend((0..3).map(|n| {
        BlockTx::Signed(signed(
            USER,
            n,
            TxKind::Call(holder(2)),
            U256::from(5),
            Vec::new(),
        ))
    }));
    txs.push(BlockTx::Signed(Bytes::from_static(b"no transaction")));
    let built = build_block(&SPEC, &block_0, &db, GENESIS_TIME + 1, SEQUENCER, &txs).unwrap();
    assert_eq!(built.skipped.len(), 1);
    let block_1 = db.append_block(&built).unwrap();
    assert_eq!(block_1.state_root, db.root().unwrap());
    assert_eq!(db.head().unwrap(), Some(1));
    let stored = db.block_transactions(1).unwrap();
    assert_eq!(stored.len(), 4);
    assert_eq!(stored[0].tx_type(), DEPOSIT_TX_TYPE);
    assert_eq!(stored[1].tx_type(), 2);
    for (tx, included) in stored.iter().zip(&built.included) {
        assert_eq!(db.transaction(&included.hash).unwrap().as_ref(), Some(tx));
        assert_eq!(
            (tx.sender, tx.block, &tx.encoded),
            (included.sender, 1, &included.encoded)
        );
    }
    assert_eq!(stored[3].cumulative_gas_used, block_1.gas_used);

    // Block 2: a creation whose init code stores BLOCKHASH(1).
    let built = creation_block(&db, &block_1, 3);
    let created = built.included[0].result.contract_address.expect("created");
    let block_2 = db.append_block(&built).unwrap();
    assert_eq!(
        db.storage(created, U256::ZERO).unwrap(),
        U256::from_be_bytes(block_1.hash_slow().0),
        "BLOCKHASH(1) is block 1's header hash"
    );
    assert_eq!(
        db.transaction(&built.included[0].hash)
            .unwrap()
            .unwrap()
            .contract_address,
        Some(created)
    );

    // Reopened, the file is the chain it was.
    drop(db);
    let mut db = StateDb::open(&file.0).unwrap();
    assert_eq!(db.latest_header().unwrap(), Some(block_2.clone()));
    assert_eq!(
        db.header_by_hash(&block_1.hash_slow()).unwrap(),
        Some(block_1.clone())
    );
    assert_eq!(db.block_transactions(1).unwrap(), stored);

    // A block that does not follow the head is refused.
    let stale = build_block(&SPEC, &block_1, &db, GENESIS_TIME + 3, SEQUENCER, &[]).unwrap();
    let error = db.append_block(&stale).unwrap_err();
    assert!(error.to_string().contains("does not follow"), "{error}");

    // Unwound to block 1: block 2 is gone whole, and another block 2 follows.
    assert_eq!(db.unwind_to(1).unwrap(), block_1.state_root);
    assert_eq!(db.latest_header().unwrap(), Some(block_1.clone()));
    assert_eq!(db.header(2).unwrap(), None);
    assert_eq!(db.block_transactions(2).unwrap(), Vec::new());
    assert_eq!(db.account(created).unwrap(), None);
    let other = build_block(&SPEC, &block_1, &db, GENESIS_TIME + 3, SEQUENCER, &[]).unwrap();
    let block_2b = db.append_block(&other).unwrap();
    assert_eq!(block_2b.parent_hash, block_1.hash_slow());
    assert_eq!(db.recompute_root().unwrap(), block_2b.state_root);
}

/// Init code that emits `LOG0` 10,001 times: one more log than a query may return.
const MANY_LOGS_INITCODE: [u8; 23] = [
    0x61, 0x27, 0x11, // PUSH2 10001
    0x5b, // loop: JUMPDEST
    0x80, 0x15, 0x60, 0x15, 0x57, // DUP1 ISZERO PUSH1 end JUMPI
    0x60, 0x00, 0x60, 0x00, 0xa0, // LOG0(0, 0)
    0x60, 0x01, 0x90, 0x03, // counter - 1
    0x60, 0x03, 0x56, // PUSH1 loop JUMP
    0x5b, 0x00, // end: JUMPDEST STOP
];

#[test]
fn logs_are_found_by_address_and_topics_within_bounds() {
    let mut db = StateDb::in_memory().unwrap();
    let mut head = db.init_chain(&SPEC, &genesis(), GENESIS_TIME).unwrap();
    let mut token_initcode = common::artifact("BenchToken", "bytecode");
    token_initcode.extend_from_slice(&U256::from(1_000_000u64).to_be_bytes::<32>());
    let token = holder(USER).create(0);
    let transfer = |to: Address, amount: u64| {
        common::scenario::call(
            "transfer(address,uint256)",
            &[to.into_word().0, U256::from(amount).to_be_bytes()],
        )
    };
    // Block 1: the token (its mint logs a Transfer); blocks 2 and 3: transfers to holders 1-3.
    let blocks: Vec<Vec<Bytes>> = vec![
        vec![signed(USER, 0, TxKind::Create, U256::ZERO, token_initcode)],
        (1..=3)
            .map(|i| {
                signed(
                    USER,
                    i,
                    TxKind::Call(token),
                    U256::ZERO,
                    transfer(holder(i), i),
                )
            })
            .collect(),
        (4..=5)
            .map(|i| {
                signed(
                    USER,
                    i,
                    TxKind::Call(token),
                    U256::ZERO,
                    transfer(holder(1), i),
                )
            })
            .collect(),
    ];
    for txs in blocks {
        let txs: Vec<BlockTx> = txs.into_iter().map(BlockTx::Signed).collect();
        let built = build_block(&SPEC, &head, &db, head.timestamp + 1, SEQUENCER, &txs).unwrap();
        assert!(built.skipped.is_empty());
        head = db.append_block(&built).unwrap();
    }
    let transfer_topic = alloy_primitives::keccak256("Transfer(address,address,uint256)");
    let all = LogFilter {
        from: 0,
        to: 3,
        addresses: vec![token],
        ..Default::default()
    };
    let logs = db.logs(&all).unwrap();
    assert_eq!(logs.len(), 6, "the mint and five transfers");
    assert!(logs.iter().all(|l| l.log.topics()[0] == transfer_topic));
    assert_eq!((logs[0].block, logs[1].block, logs[5].block), (1, 2, 3));
    assert_eq!(logs[3].log_index, 2, "position in the block");
    let tx = db.transaction(&logs[3].tx_hash).unwrap().unwrap();
    assert_eq!((tx.block, tx.index), (logs[3].block, logs[3].tx_index));

    // To holder 1 (topic 2), then in block 3 only.
    let to_holder_1 = LogFilter {
        topics: [
            Some(vec![transfer_topic]),
            None,
            Some(vec![holder(1).into_word()]),
            None,
        ],
        ..all.clone()
    };
    assert_eq!(db.logs(&to_holder_1).unwrap().len(), 3);
    assert_eq!(
        db.logs(&LogFilter {
            from: 3,
            ..to_holder_1.clone()
        })
        .unwrap()
        .len(),
        2
    );
    let nobody = LogFilter {
        addresses: vec![Address::with_last_byte(1)],
        ..all.clone()
    };
    assert!(db.logs(&nobody).unwrap().is_empty());

    // Bounds: a reversed range, a range too large, too many logs.
    let error = db
        .logs(&LogFilter {
            from: 3,
            to: 2,
            ..all.clone()
        })
        .unwrap_err();
    assert!(matches!(error, LogQueryError::Reversed { .. }), "{error}");
    let error = db
        .logs(&LogFilter {
            from: 0,
            to: MAX_LOG_BLOCK_RANGE,
            ..all.clone()
        })
        .unwrap_err();
    assert!(
        error.to_string().contains("at most 10000 blocks"),
        "{error}"
    );
    let many = signed_with_gas(
        USER,
        6,
        TxKind::Create,
        U256::ZERO,
        MANY_LOGS_INITCODE.to_vec(),
        6_000_000,
    );
    let built = build_block(
        &SPEC,
        &head,
        &db,
        head.timestamp + 1,
        SEQUENCER,
        &[BlockTx::Signed(many)],
    )
    .unwrap();
    let emitter = built.included[0].result.contract_address.expect("created");
    db.append_block(&built).unwrap();
    let error = db
        .logs(&LogFilter {
            from: 0,
            to: 4,
            addresses: vec![emitter],
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(error, LogQueryError::TooManyLogs { last_block: 4 }),
        "{error}"
    );

    // Unwound, the later logs are gone.
    db.unwind_to(2).unwrap();
    assert_eq!(db.logs(&all).unwrap().len(), 4);
}

#[test]
fn stored_blocks_replay_as_claims_the_evm_guest_accepts() {
    let mut db = StateDb::in_memory().unwrap();
    let block_0 = db.init_chain(&SPEC, &genesis(), GENESIS_TIME).unwrap();
    // Block 1: a deposit that calls, two transfers; block 2: a creation reading BLOCKHASH(1).
    let mut txs = vec![deposit(0xd1, Bytes::from_static(b"calldata"))];
    txs.extend((0..2).map(|n| {
        BlockTx::Signed(signed(
            USER,
            n,
            TxKind::Call(holder(2)),
            U256::from(5),
            Vec::new(),
        ))
    }));
    let built = build_block(&SPEC, &block_0, &db, GENESIS_TIME + 1, SEQUENCER, &txs).unwrap();
    let block_1 = db.append_block(&built).unwrap();
    let block_2 = db.append_block(&creation_block(&db, &block_1, 2)).unwrap();

    for (number, header, parent, count) in [(1, &block_1, &block_0, 3), (2, &block_2, &block_1, 1)]
    {
        let claims = db.block_claims(&SPEC, number).unwrap();
        assert_eq!(claims.len(), count);
        let mut root = parent.state_root;
        for (claim, stored) in claims.iter().zip(db.block_transactions(number).unwrap()) {
            assert_eq!(claim.tx_hash, stored.hash);
            assert_eq!(claim.claim.pre_root, root);
            assert_eq!(
                claim.claim.block,
                ClaimBlock::of(header, claim.claim.block.block_hashes)
            );
            assert_eq!(
                claim.claim.post_root(claim.preimages.clone()),
                claim.claim.claimed_post_root
            );
            root = claim.claim.claimed_post_root;
        }
        assert_eq!(
            root, header.state_root,
            "the claims end at the block's root"
        );
    }

    // The guest accepts the deposit's claim and the creation's (whose BLOCKHASH reads the
    // committed hashes), and refuses a wrong root.
    let deposit_claim = &db.block_claims(&SPEC, 1).unwrap()[0];
    let creation_claim = &db.block_claims(&SPEC, 2).unwrap()[0];
    for claim in [deposit_claim, creation_claim] {
        let oracle = oracle(&claim.claim, &claim.preimages);
        let mut machine = guest().boot(claim.claim.key());
        machine.run(&oracle, 1 << 32).expect("every preimage");
        assert_eq!(machine.status, Status::Exited(0));
    }
    let wrong = Claim {
        claimed_post_root: B256::repeat_byte(7),
        ..creation_claim.claim
    };
    let oracle = oracle(&wrong, &creation_claim.preimages);
    let mut machine = guest().boot(wrong.key());
    machine.run(&oracle, 1 << 32).expect("every preimage");
    assert_eq!(machine.status, Status::Exited(1));

    // A block not stored has no claims.
    assert!(matches!(
        db.block_claims(&SPEC, 3),
        Err(ClaimsError::Missing(3))
    ));
}
