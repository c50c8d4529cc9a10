//! What the JSON-RPC and its subscribers see of the EVM chain under the sequencer network:
//! `safe` and `finalized` at the last settled block, deposits as OP Stack serves them (full
//! blocks, by hash, receipts, both tracers), and an unwound block's logs taken back.

mod common;

use alloy::primitives::{Address, Bytes, U256};
use baton_core::RecordInput;
use baton_l2::BlockRoom;
use common::{
    GWEI, key,
    sequenced::{DEPOSITED_TO, entries, forced_header, inputs, open, record},
    transfer,
};

#[test]
fn the_rpc_serves_deposits_as_transactions_and_settled_blocks_as_safe() {
    use alloy::eips::{BlockId, BlockNumberOrTag};
    use baton_l2::L2Rpc;
    use baton_rpc::{DebugApiServer, EthApiServer};
    use serde_json::{Value, json};
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().unwrap();
    let mut chain = open(&dir.path().join("chain.sqlite"));
    chain.submit(&transfer(0, 0, GWEI)).unwrap();
    let entries = &entries()[..1];
    let one = chain
        .seal_block(&inputs(1, 10, entries), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    chain.submit(&transfer(0, 1, GWEI)).unwrap();
    chain
        .seal_block(&inputs(1, 11, &[]), BlockRoom::GAS_ONLY)
        .unwrap();
    // L1 holds block 1 only.
    let (header, batch) = record(std::slice::from_ref(&one), 1);
    let input = RecordInput {
        header: &header,
        batch: Some(&batch),
        entries,
        l1_timestamp: 20,
    };
    chain.derive_record(0, &input).unwrap();
    let deposit = chain.db().block_transactions(1).unwrap()[0].clone();
    let rpc = L2Rpc::new(Arc::new(Mutex::new(chain)));

    // `safe` and `finalized` are the last settled block, `latest` the preconfirmed head.
    let number = |tag| {
        rpc.block_by_number(tag, None)
            .unwrap()
            .unwrap()
            .header
            .number
    };
    assert_eq!(number(BlockNumberOrTag::Safe), 1);
    assert_eq!(number(BlockNumberOrTag::Finalized), 1);
    assert_eq!(number(BlockNumberOrTag::Latest), 2);
    let nonce_at = |tag| {
        rpc.transaction_count(key(0).address(), Some(BlockId::Number(tag)))
            .unwrap()
            .to::<u64>()
    };
    assert_eq!(nonce_at(BlockNumberOrTag::Safe), 1);
    assert_eq!(nonce_at(BlockNumberOrTag::Latest), 2);

    // The deposit is a transaction like any other, in OP Stack's form.
    let full = serde_json::to_value(
        rpc.block_by_number(BlockNumberOrTag::Number(1), Some(true))
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let hashes = serde_json::to_value(
        rpc.block_by_number(BlockNumberOrTag::Number(1), Some(false))
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let listed = full["transactions"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(hashes["transactions"].as_array().unwrap().len(), 2);
    let tx = &listed[0];
    assert_eq!(tx["hash"], json!(deposit.hash));
    assert_eq!(hashes["transactions"][0], json!(deposit.hash));
    assert_eq!(tx["type"], json!("0x7e"));
    assert_eq!(
        tx["sourceHash"],
        json!(baton_l2::entries::deposit_source(&entries[0]))
    );
    assert_eq!(tx["from"], json!(DEPOSITED_TO));
    assert_eq!(tx["to"], json!(DEPOSITED_TO));
    assert_eq!(tx["mint"], json!(U256::from(7 * GWEI)));
    assert_eq!(tx["isSystemTx"], json!(false));
    assert_eq!(tx["transactionIndex"], json!("0x0"));
    assert_eq!(tx["blockNumber"], json!("0x1"));
    let by_hash =
        serde_json::to_value(rpc.transaction_by_hash(deposit.hash).unwrap().unwrap()).unwrap();
    assert_eq!(&by_hash, tx);
    // alloy's catch-all network reads it back.
    serde_json::from_value::<alloy::network::AnyRpcBlock>(full.clone()).unwrap();

    let receipt =
        serde_json::to_value(rpc.transaction_receipt(deposit.hash).unwrap().unwrap()).unwrap();
    assert_eq!(receipt["type"], json!("0x7e"));
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(receipt["to"], json!(DEPOSITED_TO));
    assert_eq!(receipt["effectiveGasPrice"], json!("0x0"));
    assert_eq!(receipt["gasUsed"], json!("0x5208"));
    let receipts = rpc
        .block_receipts(BlockId::Number(BlockNumberOrTag::Number(1)))
        .unwrap()
        .unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(serde_json::to_value(&receipts[0]).unwrap(), receipt);
    // debug_traceTransaction replays it: its call on the state after the mint.
    let trace = rpc
        .trace_transaction(deposit.hash, Some(json!({ "tracer": "callTracer" })))
        .unwrap();
    assert_eq!(trace["type"], json!("CALL"));
    assert_eq!(trace["from"], json!(DEPOSITED_TO));
    assert_eq!(trace["to"], json!(DEPOSITED_TO));
    assert_eq!(trace["gas"], json!("0x5208"));
    assert_eq!(trace["gasUsed"], json!("0x5208"));
    assert!(trace.get("error").is_none(), "{trace}");
    let logs = rpc.trace_transaction(deposit.hash, None).unwrap();
    assert_eq!(logs["failed"], json!(false));
    assert_eq!(logs["gas"], json!(21_000));
    assert_eq!(
        logs["structLogs"],
        json!([]),
        "a call to an account without code"
    );

    // The transfer after it is an ordinary EIP-1559 transaction and receipt.
    let transfer: Value = serde_json::to_value(&receipts[1]).unwrap();
    assert_eq!(transfer["type"], json!("0x2"));
    assert_eq!(listed[1]["type"], json!("0x2"));
}

#[test]
fn an_unwound_block_takes_its_logs_back() {
    use alloy::primitives::{TxKind, hex};
    use baton_l2::ChainEvent;
    // A contract that emits one empty LOG0 on every call. Init code: PUSH1 6 DUP1 PUSH1 11
    // PUSH1 0 CODECOPY PUSH1 0 RETURN; runtime: PUSH1 0 PUSH1 0 LOG0 STOP.
    let init = hex!("600680600b6000396000f3" "60006000a000");
    let dir = tempfile::tempdir().unwrap();
    let mut chain = open(&dir.path().join("chain.sqlite"));
    chain
        .submit(&common::call(0, 0, TxKind::Create, init.to_vec().into()))
        .unwrap();
    let one = chain
        .seal_block(&inputs(1, 10, &[]), BlockRoom::GAS_ONLY)
        .unwrap()
        .block;
    let emitter = chain.db().block_transactions(1).unwrap()[0]
        .contract_address
        .expect("a creation");
    let call = chain
        .submit(&common::call(0, 1, TxKind::Call(emitter), Bytes::new()))
        .unwrap();
    chain
        .seal_block(&inputs(1, 11, &[]), BlockRoom::GAS_ONLY)
        .unwrap();
    assert_eq!(
        chain.db().transaction(&call).unwrap().unwrap().logs.len(),
        1
    );
    let (header, batch) = record(std::slice::from_ref(&one), 0);
    let settle_one = RecordInput {
        header: &header,
        batch: Some(&batch),
        entries: &[],
        l1_timestamp: 20,
    };
    chain.derive_record(0, &settle_one).unwrap();

    // L1 settles a forced block at height 2 instead: the call's block is unwound.
    let mut events = chain.events();
    let entries = &entries()[..1];
    let forced = forced_header(2, 1);
    let input = RecordInput {
        header: &forced,
        batch: None,
        entries,
        l1_timestamp: 30,
    };
    assert_eq!(chain.derive_record(1, &input).unwrap().unwound, 1);
    let ChainEvent::Unwound(removed) = events.try_recv().unwrap() else {
        panic!("the unwinding comes first");
    };
    assert_eq!(removed.len(), 1);
    let log = &removed[0];
    assert!(log.removed);
    assert_eq!(log.inner.address, emitter);
    assert_eq!(log.block_number, Some(2));
    assert_eq!(log.transaction_hash, Some(call));
    // Then its transaction is pooled again, and the replacing block is stored.
    assert_eq!(events.try_recv().unwrap(), ChainEvent::Pooled(call));
    let ChainEvent::Block(replacement) = events.try_recv().unwrap() else {
        panic!("then the replacing block");
    };
    assert_eq!(replacement.number, 2);
    assert_eq!(replacement.beneficiary, Address::ZERO);
    assert!(
        chain.pool().get(&call).is_some(),
        "the call is pooled again"
    );
}
