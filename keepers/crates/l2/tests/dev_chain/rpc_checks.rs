//! The answers the dev chain test checks through alloy's provider, raw JSON-RPC and `cast rpc`.

use super::{ADDRESS_0, ADDRESS_1, KEY_0, cast_json, run};
use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::{BlockNumberOrTag, eip2718::Encodable2718},
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    providers::Provider,
    rpc::types::{EIP1186AccountProofResponse, TransactionReceipt},
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_trie::{Nibbles, TrieAccount, proof::verify_proof};
use serde_json::Value;

/// Blocks, receipts, fee history and an EIP-1186 proof through alloy's typed provider.
pub(crate) async fn check_typed_answers(
    provider: &impl Provider,
    token: &str,
    sent: &TransactionReceipt,
) {
    let number = sent.block_number.unwrap();
    let block = provider
        .get_block_by_number(BlockNumberOrTag::Number(number))
        .full()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.header.hash, sent.block_hash.unwrap());
    assert_eq!(block.header.hash, block.header.inner.hash_slow());
    let full = block.transactions.as_transactions().unwrap();
    assert_eq!(full.len(), 1);
    assert_eq!(*full[0].inner.tx_hash(), sent.transaction_hash);
    let receipts = provider
        .get_block_receipts(number.into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].transaction_hash, sent.transaction_hash);

    let history = provider
        .get_fee_history(2, BlockNumberOrTag::Latest, &[50.0])
        .await
        .unwrap();
    assert_eq!(history.base_fee_per_gas.len(), 3);
    assert_eq!(history.reward.as_ref().unwrap().len(), 2);

    // The proof of the token's account and of its balance slot for ADDRESS_1 (OpenZeppelin's
    // `_balances` is slot 0) verifies against the block's state root.
    let token: Address = token.parse().unwrap();
    let slot = keccak256([ADDRESS_1.into_word().0, [0u8; 32]].concat());
    let proof: EIP1186AccountProofResponse = provider.get_proof(token, vec![slot]).await.unwrap();
    let head = provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    let account = TrieAccount {
        nonce: proof.nonce,
        balance: proof.balance,
        storage_root: proof.storage_hash,
        code_hash: proof.code_hash,
    };
    verify_proof(
        head.header.state_root,
        Nibbles::unpack(keccak256(token)),
        Some(alloy::rlp::encode(account)),
        &proof.account_proof,
    )
    .expect("the account proof verifies against the state root");
    let stored = &proof.storage_proof[0];
    assert_eq!(stored.value, U256::from(1000));
    verify_proof(
        proof.storage_hash,
        Nibbles::unpack(keccak256(slot)),
        Some(alloy::rlp::encode(stored.value)),
        &stored.proof,
    )
    .expect("the storage proof verifies against the account's storage root");
    let past = provider
        .get_proof(token, vec![slot])
        .number(number - 1)
        .await
        .unwrap_err();
    assert!(past.to_string().contains("latest block"), "{past}");
}

/// Bytes that are no transaction, another chain's transaction, and a block not yet made.
pub(crate) async fn check_refusals(provider: &impl Provider) {
    let garbage = provider
        .send_raw_transaction(b"\x02not a transaction")
        .await
        .unwrap_err();
    let garbage = garbage.as_error_resp().unwrap();
    assert_eq!(garbage.code, -32602, "{garbage:?}");

    let key: PrivateKeySigner = KEY_0.parse().unwrap();
    let tx = TxEip1559 {
        chain_id: 1,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(ADDRESS_1),
        value: U256::from(1),
        access_list: Default::default(),
        input: Default::default(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw: Bytes = TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into();
    let other_chain = provider.send_raw_transaction(&raw).await.unwrap_err();
    let other_chain = other_chain.as_error_resp().unwrap();
    assert_eq!(other_chain.code, -32000);
    assert!(
        other_chain.message.contains("this L2 is chain 901"),
        "{other_chain:?}"
    );

    let future = provider
        .get_block_by_number(BlockNumberOrTag::Number(1_000_000))
        .await
        .unwrap();
    assert!(future.is_none());
    let balance_later = provider
        .get_balance(ADDRESS_0)
        .number(1_000_000)
        .await
        .unwrap_err();
    assert!(
        balance_later.to_string().contains("does not exist yet"),
        "{balance_later}"
    );
}

/// A raw JSON-RPC request (or batch) and its answer.
async fn post(
    client: &alloy::transports::http::reqwest::Client,
    url: &str,
    body: &impl serde::Serialize,
) -> Value {
    let answer = client.post(url).json(body).send().await.unwrap();
    answer.json().await.unwrap()
}

/// Batches of up to 1,000 calls are answered call by call, a larger one is refused whole; and
/// contradicting state overrides.
pub(crate) async fn check_batches(url: &str) {
    let client = alloy::transports::http::reqwest::Client::new();
    let batch = |n: usize| {
        (0..n)
            .map(|id| serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "eth_chainId", "params": []}))
            .collect::<Vec<_>>()
    };
    let answers: Value = post(&client, url, &batch(1000)).await;
    assert_eq!(answers.as_array().unwrap().len(), 1000);
    assert_eq!(answers[999]["result"], "0x385");
    let refused: Value = post(&client, url, &batch(1001)).await;
    assert_eq!(refused["error"]["code"], -32010, "{refused}");
    assert_eq!(refused["error"]["data"], "Exceeded max limit of 1000");

    // Overrides that contradict each other are refused, not half applied.
    let both = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [
        {"to": ADDRESS_1}, "latest", {ADDRESS_1.to_string(): {"state": {}, "stateDiff": {}}}
    ]});
    let refused: Value = post(&client, url, &both).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("both state and stateDiff"),
        "{refused}"
    );
}

/// `debug_traceTransaction` and `debug_traceCall` through `cast rpc`: the call tree and the
/// struct logs of the transfer, and a reverting call's frame.
pub(crate) fn check_traces(url: &str, token: &str, sent: &TransactionReceipt) {
    let hash = sent.transaction_hash.to_string();
    let calls: Value = cast_json(&[
        "rpc",
        "debug_traceTransaction",
        &hash,
        r#"{"tracer":"callTracer"}"#,
        "--rpc-url",
        url,
    ]);
    assert_eq!(calls["type"], "CALL");
    assert_eq!(calls["from"], ADDRESS_0.to_string().to_lowercase());
    assert_eq!(calls["to"], token.to_lowercase());
    assert_eq!(
        calls["gasUsed"],
        format!("0x{:x}", sent.gas_used),
        "{calls}"
    );
    assert!(calls["input"].as_str().unwrap().starts_with("0xa9059cbb"));
    assert_eq!(
        calls["output"],
        format!("0x{}", "0".repeat(63) + "1"),
        "returns true"
    );
    assert!(calls.get("error").is_none());

    let logs: Value = cast_json(&["rpc", "debug_traceTransaction", &hash, "--rpc-url", url]);
    assert_eq!(logs["failed"], false);
    assert_eq!(logs["gas"], sent.gas_used);
    let steps = logs["structLogs"].as_array().unwrap();
    assert!(steps.len() > 100, "{} steps", steps.len());
    assert_eq!(steps[0]["pc"], 0);
    assert_eq!(steps[0]["depth"], 1);
    // The recipient's balance slot is written 1000.
    let slot_1 = keccak256([ADDRESS_1.into_word().0, [0u8; 32]].concat());
    let stores: Vec<&Value> = steps.iter().filter(|s| s["op"] == "SSTORE").collect();
    assert_eq!(stores.len(), 2, "sender and recipient balances");
    let written = &stores[1]["storage"][slot_1.to_string()];
    assert_eq!(
        *written,
        B256::from(U256::from(1000)).to_string(),
        "{}",
        stores[1]
    );
    assert_eq!(steps.last().unwrap()["op"], "RETURN");

    // A call that reverts: its frame says so, with OpenZeppelin's custom error as output.
    let call = format!(
        r#"{{"from":"{ADDRESS_1}","to":"{token}","data":"0xa9059cbb{}{}"}}"#,
        hex_word(ADDRESS_0.into_word()),
        hex_word(B256::from(U256::from(5000)))
    );
    let reverted: Value = cast_json(&[
        "rpc",
        "debug_traceCall",
        &call,
        "latest",
        r#"{"tracer":"callTracer"}"#,
        "--rpc-url",
        url,
    ]);
    assert_eq!(reverted["error"], "execution reverted", "{reverted}");
    assert!(
        reverted["output"]
            .as_str()
            .unwrap()
            .starts_with("0xe450d38c")
    );
    let unknown = run(
        "cast",
        &[
            "rpc",
            "debug_traceTransaction",
            &hash,
            r#"{"tracer":"prestateTracer"}"#,
            "--rpc-url",
            url,
        ],
    )
    .unwrap_err();
    assert!(
        unknown.contains("prestateTracer is not supported"),
        "{unknown}"
    );
}

fn hex_word(word: B256) -> String {
    alloy::hex::encode(word)
}
