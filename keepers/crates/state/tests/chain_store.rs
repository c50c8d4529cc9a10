//! The EVM chain on disk: the genesis as block 0, blocks built by `build_block` appended with
//! their headers, transactions and receipts, read back after reopening the file; `BLOCKHASH`
//! sees the stored hashes; an unwind drops the later blocks whole, and the chain goes on.

mod common;

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address};
use baton_evm::{
    BaseFeeParams, BlockDeposit, BlockTx, ChainSpec, DEPOSIT_TX_TYPE, Deposit, FEE_VAULT_PREDEPLOY,
    StateReader, build_block,
};
use baton_state::{GenesisError, StateDb, genesis_diff};
use common::{
    TempFile,
    scenario::{CHAIN_ID, USER, holder, signed},
};

const SPEC: ChainSpec = ChainSpec {
    chain_id: CHAIN_ID,
    gas_limit: 30_000_000,
    base_fee_params: BaseFeeParams::ETHEREUM,
    genesis_base_fee: 1_000_000_000,
    fee_vault: FEE_VAULT_PREDEPLOY,
};
const GENESIS_TIME: u64 = 1_700_000_000;
const SEQUENCER: Address = address!("00000000000000000000000000000000000c0ffe");

/// `SSTORE(0, BLOCKHASH(1))` run as init code: the created account keeps block 1's hash.
const BLOCKHASH_1_INITCODE: [u8; 7] = [0x60, 0x01, 0x40, 0x60, 0x00, 0x55, 0x00];

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
    let deposit = BlockDeposit {
        source: B256::repeat_byte(0xd0),
        deposit: Deposit {
            from: address!("000000000000000000000000000000000000d0d0"),
            to: TxKind::Call(holder(1)),
            mint: U256::from(1_000),
            value: U256::from(10),
            gas_limit: 100_000,
            data: Bytes::new(),
        },
    };
    let mut txs = vec![BlockTx::Deposit(deposit)];
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
    let create = signed(
        USER,
        3,
        TxKind::Create,
        U256::ZERO,
        BLOCKHASH_1_INITCODE.to_vec(),
    );
    let built = build_block(
        &SPEC,
        &block_1,
        &db,
        GENESIS_TIME + 2,
        SEQUENCER,
        &[BlockTx::Signed(create)],
    )
    .unwrap();
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
