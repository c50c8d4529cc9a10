//! Every rejection of the L2 RPC, from malformed or hostile requests: the code and a message
//! that says what is wrong. Batch requests work.

use crate::harness::{reqwest_post, rpc, rpc_raw, start_network, transfer};
use alloy::{
    primitives::{Address, Bytes, U256, hex},
    signers::local::PrivateKeySigner,
};
use baton_core::ledger::{WITHDRAWAL_ADDRESS, testkit::TxFields};
use eyre::ensure;
use serde_json::{Value, json};

/// Sends raw bytes and returns the error object.
async fn reject(url: &str, raw: &[u8]) -> eyre::Result<Value> {
    let response = rpc_raw(
        url,
        "eth_sendRawTransaction",
        json!([hex::encode_prefixed(raw)]),
    )
    .await?;
    ensure!(response.get("error").is_some(), "accepted: {response}");
    Ok(response["error"].clone())
}

fn expect(error: &Value, code: i64, needle: &str) -> eyre::Result<()> {
    ensure!(
        error["code"] == json!(code),
        "code {} (want {code}): {error}",
        error["code"]
    );
    let message = error["message"].as_str().unwrap_or_default();
    ensure!(
        message.contains(needle),
        "message {message:?} does not say {needle:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_rejection_has_a_code_and_a_message() -> eyre::Result<()> {
    let net = start_network("reject").await?;
    let url = net.nodes[0].url.as_str();
    let chain_id = net.devnet.deployment.parameters.l2_chain_id;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[7].clone());
    let to = Address::repeat_byte(0x11);
    let fee = 10_000_000_000u128;

    // One good transfer first, so nonce 0 is used.
    transfer(url, &user, 1).await?;

    expect(&reject(url, &[0x02, 0xc0]).await?, -32602, "malformed")?;
    expect(
        &reject(url, &hex::decode("0xdeadbeef")?).await?,
        -32602,
        "malformed",
    )?;
    let stale = TxFields::transfer(chain_id, 0, to, U256::from(1), fee).sign(&user);
    expect(&reject(url, &stale).await?, -32000, "nonce too low")?;
    let other_chain = TxFields::transfer(chain_id + 1, 1, to, U256::from(1), fee).sign(&user);
    expect(&reject(url, &other_chain).await?, -32000, "chain id")?;
    let pauper = PrivateKeySigner::random();
    let broke = TxFields::transfer(chain_id, 0, to, U256::from(1), fee).sign(&pauper);
    expect(&reject(url, &broke).await?, -32000, "insufficient funds")?;
    let mut call = TxFields::transfer(chain_id, 1, to, U256::from(1), fee);
    call.data = Bytes::from(vec![0xa9, 0x05, 0x9c, 0xbb]);
    expect(
        &reject(url, &call.sign(&user)).await?,
        -32000,
        "not a transfer",
    )?;
    let mut huge = TxFields::transfer(chain_id, 1, WITHDRAWAL_ADDRESS, U256::from(1), fee);
    huge.data = Bytes::from(vec![1u8; 8_000]);
    expect(&reject(url, &huge.sign(&user)).await?, -32000, "oversized")?;

    // Parameters that do not parse.
    let bad = rpc_raw(url, "eth_getBalance", json!(["not-an-address", "latest"])).await?;
    ensure!(bad["error"]["code"] == json!(-32602), "bad address: {bad}");
    let unknown = rpc_raw(url, "eth_mine", json!([])).await?;
    ensure!(
        unknown["error"]["code"] == json!(-32601),
        "unknown method: {unknown}"
    );
    let future = rpc_raw(url, "eth_getBalance", json!([to, "0xffffff"])).await?;
    ensure!(
        future["error"]["code"] == json!(-32001),
        "future block: {future}"
    );
    ensure!(
        future["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("does not exist"),
        "future block: {future}"
    );
    let call_err = rpc_raw(
        url,
        "eth_estimateGas",
        json!([{"to": to, "data": "0x1234"}]),
    )
    .await?;
    ensure!(
        call_err["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a transfer"),
        "estimate: {call_err}"
    );

    // A batch request answers each member.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_getTransactionCount", "params": [user.address(), "pending"]},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_sendRawTransaction", "params": ["0x00"]},
    ]);
    let answers = reqwest_post(url, &batch).await?;
    let answers = answers.as_array().cloned().unwrap_or_default();
    ensure!(answers.len() == 3, "batch answered {answers:?}");
    let by_id = |id: u64| {
        answers
            .iter()
            .find(|a| a["id"] == json!(id))
            .cloned()
            .unwrap_or_default()
    };
    ensure!(
        by_id(1)["result"] == json!(format!("{chain_id:#x}")),
        "chain id in batch: {:?}",
        by_id(1)
    );
    ensure!(
        by_id(2)["result"] == json!("0x1"),
        "pending nonce in batch: {:?}",
        by_id(2)
    );
    ensure!(
        by_id(3)["error"]["code"] == json!(-32602),
        "malformed in batch: {:?}",
        by_id(3)
    );

    // Good requests still work afterwards.
    ensure!(rpc(url, "eth_chainId", json!([])).await? == json!(format!("{chain_id:#x}")));
    ensure!(
        rpc(
            url,
            "eth_getTransactionCount",
            json!([user.address(), "latest"])
        )
        .await?
            == json!("0x1")
    );
    Ok(())
}
