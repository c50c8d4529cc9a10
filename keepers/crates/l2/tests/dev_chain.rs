//! The EVM chain's JSON-RPC driven by the tools users have: `forge create` deploys
//! OpenZeppelin's ERC-20, `cast send`/`cast call`/`cast logs`/`cast estimate` use it, the
//! receipts, blocks, fee history and proofs are Ethereum's (the proof verifies against the
//! block's state root with alloy-trie), refusals carry geth's codes and messages, and the chain
//! goes on from its file after a restart.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::{BlockNumberOrTag, eip2718::Encodable2718},
    primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::{EIP1186AccountProofResponse, TransactionReceipt},
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_trie::{Nibbles, TrieAccount, proof::verify_proof};
use baton_devnet::{foundry_tool, repo_root};
use baton_l2::{DevChain, DevConfig};
use serde_json::Value;
use std::{path::Path, process::Command};

/// anvil's first two keys, funded by the devnet genesis.
const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDRESS_0: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const ADDRESS_1: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
const SUPPLY: &str = "1000000000000000000000";

fn config(state: &Path) -> DevConfig {
    DevConfig {
        state: state.to_path_buf(),
        rpc: "127.0.0.1:0".parse().unwrap(),
        genesis: repo_root().join("script/genesis/devnet.json"),
        chain_id: 901,
        gas_limit: 30_000_000,
        genesis_base_fee: 1_000_000_000,
        block_time_ms: 100,
        pool_max_per_sender: 64,
        pool_max: 8192,
        sequencer: baton_l2::dev::DEV_SEQUENCER,
        fee_recipient: baton_l2::dev::DEV_FEE_RECIPIENT,
    }
}

/// Runs a foundry tool from the repository root; its stdout, or its stderr as the error.
fn run(tool: &str, args: &[&str]) -> Result<String, String> {
    let path = foundry_tool(&format!("BATON_{}", tool.to_uppercase()), tool).unwrap();
    let output = Command::new(path)
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap();
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap().trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn cast(args: &[&str]) -> String {
    run("cast", args).unwrap_or_else(|stderr| panic!("cast {args:?} failed: {stderr}"))
}

fn balance_of(url: &str, token: &str, holder: Address, block: &str) -> String {
    cast(&[
        "call",
        token,
        "balanceOf(address)(uint256)",
        &holder.to_string(),
        "--block",
        block,
        "--rpc-url",
        url,
    ])
    .split_whitespace()
    .next()
    .unwrap()
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_and_cast_drive_an_erc20_on_the_evm_chain() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("chain.sqlite");
    let dev = DevChain::start(&config(&state)).await.unwrap();
    let url = dev.url.clone();

    // forge create: OpenZeppelin's ERC-20, the whole supply to the deployer.
    let created = run(
        "forge",
        &[
            "create",
            "test/bench/BenchToken.sol:BenchToken",
            "--rpc-url",
            &url,
            "--private-key",
            KEY_0,
            "--broadcast",
            "--json",
            "--constructor-args",
            SUPPLY,
        ],
    )
    .unwrap_or_else(|stderr| panic!("forge create failed: {stderr}"));
    // The JSON follows whatever forge printed about compiling.
    let json = &created[created.find('{').expect("forge create prints JSON")..];
    let created: Value = serde_json::from_str(json).unwrap();
    let token = created["deployedTo"].as_str().unwrap().to_string();
    let deployment: TransactionReceipt = serde_json::from_str(&cast(&[
        "receipt",
        created["transactionHash"].as_str().unwrap(),
        "--json",
        "--rpc-url",
        &url,
    ]))
    .unwrap();
    assert!(deployment.status());
    assert_eq!(
        deployment
            .contract_address
            .unwrap()
            .to_string()
            .to_lowercase(),
        token.to_lowercase()
    );
    let deployed_in = deployment.block_number.unwrap();
    assert!(!cast(&["code", &token, "--rpc-url", &url]).is_empty());
    assert_eq!(balance_of(&url, &token, ADDRESS_0, "latest"), SUPPLY);

    // cast estimate, then cast send with that estimate as the gas limit: it is enough.
    let estimate: u64 = cast(&[
        "estimate",
        &token,
        "transfer(address,uint256)",
        &ADDRESS_1.to_string(),
        "1000",
        "--from",
        &ADDRESS_0.to_string(),
        "--rpc-url",
        &url,
    ])
    .parse()
    .unwrap();
    let sent: TransactionReceipt = serde_json::from_str(&cast(&[
        "send",
        &token,
        "transfer(address,uint256)",
        &ADDRESS_1.to_string(),
        "1000",
        "--gas-limit",
        &estimate.to_string(),
        "--private-key",
        KEY_0,
        "--json",
        "--rpc-url",
        &url,
    ]))
    .unwrap();
    assert!(sent.status(), "the estimate is enough: {sent:?}");
    assert!(
        sent.gas_used <= estimate && estimate - sent.gas_used < sent.gas_used / 10,
        "used {}, estimated {estimate}",
        sent.gas_used
    );
    assert_eq!(sent.inner.logs().len(), 1);
    assert_eq!(balance_of(&url, &token, ADDRESS_1, "latest"), "1000");
    // The state before the transfer is kept: a call at the deployment's block sees none.
    assert_eq!(
        balance_of(&url, &token, ADDRESS_1, &deployed_in.to_string()),
        "0"
    );

    // State overrides: one balance slot changed for the call only, or the whole storage.
    let slot_1 = keccak256([ADDRESS_1.into_word().0, [0u8; 32]].concat());
    let over = |flag: &str| {
        cast(&[
            "call",
            &token,
            "balanceOf(address)(uint256)",
            &ADDRESS_0.to_string(),
            flag,
            &format!("{token}:{slot_1}:{}", B256::from(U256::from(12345))),
            "--rpc-url",
            &url,
        ])
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
    };
    assert_eq!(
        over("--override-state-diff"),
        balance_of(&url, &token, ADDRESS_0, "latest"),
        "another holder's slot changed"
    );
    assert_eq!(
        over("--override-state"),
        "0",
        "the whole storage is replaced"
    );
    let diffed = cast(&[
        "call",
        &token,
        "balanceOf(address)(uint256)",
        &ADDRESS_1.to_string(),
        "--override-state-diff",
        &format!("{token}:{slot_1}:{}", B256::from(U256::from(12345))),
        "--rpc-url",
        &url,
    ]);
    assert_eq!(diffed, "12345 [1.234e4]");
    assert_eq!(
        balance_of(&url, &token, ADDRESS_1, "latest"),
        "1000",
        "for the call only"
    );

    // cast logs: the mint and the transfer, by event and by indexed recipient.
    let event = "Transfer(address indexed from,address indexed to,uint256 value)";
    let logs: Vec<Value> = serde_json::from_str(&cast(&[
        "logs",
        "--from-block",
        "0",
        "--address",
        &token,
        event,
        "--json",
        "--rpc-url",
        &url,
    ]))
    .unwrap();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(
        logs[1]["transactionHash"],
        sent.transaction_hash.to_string()
    );
    let to_1: Vec<Value> = serde_json::from_str(&cast(&[
        "logs",
        "--from-block",
        "0",
        "--address",
        &token,
        event,
        "",
        &ADDRESS_1.to_string(),
        "--json",
        "--rpc-url",
        &url,
    ]))
    .unwrap();
    assert_eq!(to_1.len(), 1);

    // A call that reverts: geth's code 3 with OpenZeppelin's custom error as data.
    let reverted = run(
        "cast",
        &[
            "call",
            &token,
            "transfer(address,uint256)",
            &ADDRESS_0.to_string(),
            "5000",
            "--from",
            &ADDRESS_1.to_string(),
            "--rpc-url",
            &url,
        ],
    )
    .unwrap_err();
    let insufficient =
        &alloy::hex::encode(&keccak256("ERC20InsufficientBalance(address,uint256,uint256)")[..4]);
    assert!(
        reverted.contains("execution reverted") && reverted.contains(insufficient.as_str()),
        "{reverted}"
    );

    // A used nonce is refused with geth's message.
    let stale = run(
        "cast",
        &[
            "send",
            &token,
            "transfer(address,uint256)",
            &ADDRESS_1.to_string(),
            "1",
            "--nonce",
            "0",
            "--private-key",
            KEY_0,
            "--rpc-url",
            &url,
        ],
    )
    .unwrap_err();
    assert!(stale.contains("nonce too low"), "{stale}");

    check_traces(&url, &token, &sent);

    let provider = ProviderBuilder::new().connect_http(url.parse().unwrap());
    check_typed_answers(&provider, &token, &sent).await;
    check_refusals(&provider).await;
    check_batches(&url).await;

    // Stopped and started again on its file, the chain goes on where it was.
    let head = provider.get_block_number().await.unwrap();
    dev.stop().await;
    let dev = DevChain::start(&config(&state)).await.unwrap();
    let provider = ProviderBuilder::new().connect_http(dev.url.parse().unwrap());
    assert_eq!(provider.get_block_number().await.unwrap(), head);
    assert_eq!(balance_of(&dev.url, &token, ADDRESS_1, "latest"), "1000");
    dev.stop().await;
}

/// Blocks, receipts, fee history and an EIP-1186 proof through alloy's typed provider.
async fn check_typed_answers(provider: &impl Provider, token: &str, sent: &TransactionReceipt) {
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
async fn check_refusals(provider: &impl Provider) {
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

/// Batches of up to 1,000 calls are answered call by call, a larger one is refused whole; and
/// contradicting state overrides.
async fn check_batches(url: &str) {
    let client = alloy::transports::http::reqwest::Client::new();
    let batch = |n: usize| {
        (0..n)
            .map(|id| serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "eth_chainId", "params": []}))
            .collect::<Vec<_>>()
    };
    let answers: Value = client
        .post(url)
        .json(&batch(1000))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answers.as_array().unwrap().len(), 1000);
    assert_eq!(answers[999]["result"], "0x385");
    let refused: Value = client
        .post(url)
        .json(&batch(1001))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error"]["code"], -32010, "{refused}");
    assert_eq!(refused["error"]["data"], "Exceeded max limit of 1000");

    // Overrides that contradict each other are refused, not half applied.
    let both = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [
        {"to": ADDRESS_1}, "latest", {ADDRESS_1.to_string(): {"state": {}, "stateDiff": {}}}
    ]});
    let refused: Value = client
        .post(url)
        .json(&both)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
fn check_traces(url: &str, token: &str, sent: &TransactionReceipt) {
    let hash = sent.transaction_hash.to_string();
    let calls: Value = serde_json::from_str(&cast(&[
        "rpc",
        "debug_traceTransaction",
        &hash,
        r#"{"tracer":"callTracer"}"#,
        "--rpc-url",
        url,
    ]))
    .unwrap();
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

    let logs: Value = serde_json::from_str(&cast(&[
        "rpc",
        "debug_traceTransaction",
        &hash,
        "--rpc-url",
        url,
    ]))
    .unwrap();
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
    let reverted: Value = serde_json::from_str(&cast(&[
        "rpc",
        "debug_traceCall",
        &call,
        "latest",
        r#"{"tracer":"callTracer"}"#,
        "--rpc-url",
        url,
    ]))
    .unwrap();
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
