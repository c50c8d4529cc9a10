//! Every refusal of the L2 RPC of a node on the EVM chain, from malformed or hostile requests:
//! geth's code and a message that says what is wrong. Batch requests work, and the largest
//! contract creation Ethereum allows is taken.

use crate::harness::{metric, reqwest_post, rpc, rpc_raw, send_and_wait, start_network, transfer};
use alloy::{
    consensus::{SignableTransaction, Signed, TxEip1559, TxEip4844, TxEnvelope},
    eips::{Decodable2718, Encodable2718},
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, Signature, U256, hex, keccak256},
    rpc::types::TransactionRequest,
    signers::{SignerSync, local::PrivateKeySigner},
};
use eyre::{OptionExt, ensure};
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

/// An EIP-1559 transfer of 1 wei from `key` with a 10 gwei fee cap, which `edit` may change
/// before it is signed (a request without a chain id or a tip is a legacy one).
async fn signed(
    key: &PrivateKeySigner,
    chain_id: u64,
    nonce: u64,
    edit: impl FnOnce(TransactionRequest) -> TransactionRequest,
) -> eyre::Result<Vec<u8>> {
    let request = TransactionRequest::default()
        .with_chain_id(chain_id)
        .with_nonce(nonce)
        .with_gas_limit(21_000)
        .with_max_fee_per_gas(10_000_000_000)
        .with_max_priority_fee_per_gas(1)
        .with_to(Address::repeat_byte(0x11))
        .with_value(U256::from(1));
    let envelope = edit(request)
        .build(&EthereumWallet::from(key.clone()))
        .await?;
    Ok(envelope.encoded_2718())
}

/// The same EIP-1559 transaction with the other of its two valid-looking signatures: `s`
/// replaced by `n - s` and the parity flipped, which recovers the same sender (EIP-2 forbids it).
fn malleated(raw: &[u8]) -> eyre::Result<Vec<u8>> {
    let TxEnvelope::Eip1559(signed) = TxEnvelope::decode_2718(&mut &raw[..])? else {
        eyre::bail!("not an EIP-1559 transaction");
    };
    let order = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )?;
    let signature = signed.signature();
    let high = Signature::new(signature.r(), order - signature.s(), !signature.v());
    let tx: TxEip1559 = signed.tx().clone();
    let hash = *signed.hash();
    Ok(TxEnvelope::from(Signed::new_unchecked(tx, high, hash)).encoded_2718())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_rejection_has_a_code_and_a_message() -> eyre::Result<()> {
    let net = start_network("reject").await?;
    let url = net.nodes[0].url.as_str();
    let chain_id = net.devnet.deployment.parameters.l2_chain_id;
    let gas_limit = net
        .devnet
        .deployment
        .parameters
        .l2_gas_limit
        .ok_or_eyre("the devnet profile sets the L2 gas limit")?;
    let max_tx_size = usize::try_from(net.devnet.deployment.parameters.max_tx_size)?;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[7].clone());

    // One good transfer first, so nonce 0 is used.
    transfer(url, &user, 1).await?;

    let counted = |text: &str| {
        (
            metric(text, "baton_rpc_requests_total").unwrap_or(0),
            metric(text, "baton_rpc_errors_total").unwrap_or(0),
        )
    };
    let (requests_before, errors_before) = counted(&net.metrics(0).await?);

    // Bytes that are no transaction the L2 runs: invalid parameters.
    expect(
        &reject(url, &[0x02, 0xc0]).await?,
        -32602,
        "not a signed transaction",
    )?;
    expect(
        &reject(url, &hex::decode("0xdeadbeef")?).await?,
        -32602,
        "not a signed transaction",
    )?;
    let blob = TxEip4844 {
        chain_id,
        nonce: 1,
        gas_limit: 21_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: Address::repeat_byte(0x11),
        value: U256::from(1),
        access_list: Default::default(),
        blob_versioned_hashes: vec![B256::with_last_byte(1)],
        max_fee_per_blob_gas: 1,
        input: Bytes::new(),
    };
    let signature = user.sign_hash_sync(&blob.signature_hash())?;
    let blob = blob.into_signed(signature).encoded_2718();
    expect(&reject(url, &blob).await?, -32602, "type 3 is not accepted")?;
    let good = signed(&user, chain_id, 1, |r| r).await?;
    expect(
        &reject(url, &malleated(&good)?).await?,
        -32602,
        "above half the secp256k1 order",
    )?;

    // Transactions the pool refuses, with geth's code and words.
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (signed(&user, chain_id, 0, |r| r).await?, "nonce too low"),
        (signed(&user, chain_id, 5, |r| r).await?, "nonce too high"),
        (
            signed(&user, chain_id + 1, 1, |r| r).await?,
            "invalid chain id",
        ),
        (
            signed(&PrivateKeySigner::random(), chain_id, 0, |r| r).await?,
            "insufficient funds",
        ),
        (
            signed(&user, chain_id, 1, |r| r.with_gas_limit(20_000)).await?,
            "intrinsic gas too low",
        ),
        (
            signed(&user, chain_id, 1, |r| r.with_gas_limit(gas_limit + 1)).await?,
            "exceeds block gas limit",
        ),
        (
            signed(&user, chain_id, 1, |r| {
                r.with_max_fee_per_gas(1).with_max_priority_fee_per_gas(0)
            })
            .await?,
            "less than block base fee",
        ),
        (
            signed(&user, chain_id, 1, |r| {
                r.with_max_priority_fee_per_gas(20_000_000_000)
            })
            .await?,
            "higher than max fee per gas",
        ),
        (
            signed(&user, chain_id, 1, |r| {
                r.with_gas_limit(2_000_000)
                    .with_input(Bytes::from(vec![1u8; max_tx_size]))
            })
            .await?,
            "oversized data",
        ),
    ];
    for (raw, needle) in cases {
        expect(&reject(url, &raw).await?, -32000, needle)?;
    }
    // A legacy transaction without a chain id (no EIP-155 replay protection).
    let unprotected = signed(&user, chain_id, 1, |mut r| {
        r.chain_id = None;
        r.max_fee_per_gas = None;
        r.max_priority_fee_per_gas = None;
        r.with_gas_price(10_000_000_000)
    })
    .await?;
    expect(
        &reject(url, &unprotected).await?,
        -32000,
        "replay-protected",
    )?;

    // Parameters that do not parse, methods that do not exist, blocks not yet sealed.
    let bad = rpc_raw(url, "eth_getBalance", json!(["not-an-address", "latest"])).await?;
    ensure!(bad["error"]["code"] == json!(-32602), "bad address: {bad}");
    let unknown = rpc_raw(url, "eth_mine", json!([])).await?;
    ensure!(
        unknown["error"]["code"] == json!(-32601),
        "unknown method: {unknown}"
    );
    let future = rpc_raw(url, "eth_getBalance", json!([user.address(), "0xffffff"])).await?;
    expect(&future["error"], -32001, "does not exist yet")?;

    // A call that reverts: code 3 with the revert data (init code `PUSH1 0xab PUSH1 0 MSTORE8
    // PUSH1 1 PUSH1 0 REVERT`, which reverts with the one byte 0xab).
    let reverted = rpc_raw(
        url,
        "eth_estimateGas",
        json!([{"from": user.address(), "data": "0x60ab60005360016000fd"}]),
    )
    .await?;
    expect(&reverted["error"], 3, "execution reverted")?;
    ensure!(
        reverted["error"]["data"] == json!("0xab"),
        "revert data: {reverted}"
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

    // The node's metrics counted every refusal above (19, one of them in the batch) and every
    // call (the batch's three among them), whichever namespace answered.
    let (requests, errors) = counted(&net.metrics(0).await?);
    ensure!(
        errors - errors_before >= 19 && requests - requests_before >= 21,
        "metrics counted {} requests and {} errors for the 21 calls and 19 refusals",
        requests - requests_before,
        errors - errors_before
    );

    // Nothing refused was pooled, and good requests still work afterwards.
    for tag in ["latest", "pending"] {
        ensure!(
            rpc(url, "eth_getTransactionCount", json!([user.address(), tag])).await?
                == json!("0x1"),
            "{tag} nonce after the refusals"
        );
    }
    ensure!(rpc(url, "eth_chainId", json!([])).await? == json!(format!("{chain_id:#x}")));
    let accepted = rpc(
        url,
        "eth_sendRawTransaction",
        json!([hex::encode_prefixed(&good)]),
    )
    .await?;
    ensure!(
        accepted == json!(keccak256(&good)),
        "the well-formed twin of the refused transactions: {accepted}"
    );

    // The largest creation Ethereum allows fits a transaction: 49,152 bytes of init code
    // (EIP-3860) that return 24,576 bytes of code (EIP-170): `PUSH2 0x6000 PUSH1 0 RETURN`,
    // padded.
    let mut init_code = vec![0x61, 0x60, 0x00, 0x60, 0x00, 0xf3];
    init_code.resize(49_152, 0);
    let creation = TransactionRequest::default()
        .with_deploy_code(init_code)
        .with_gas_limit(6_000_000);
    let receipt = send_and_wait(url, &user, creation).await?;
    ensure!(receipt.status(), "the largest creation failed: {receipt:?}");
    let created = receipt
        .contract_address
        .ok_or_eyre("a creation's receipt names its contract")?;
    let code = rpc(url, "eth_getCode", json!([created, "latest"])).await?;
    ensure!(
        code.as_str().map(str::len) == Some(2 + 2 * 24_576),
        "the created contract's code is not 24,576 bytes"
    );
    Ok(())
}
