//! The EVM chain's JSON-RPC driven by the tools users have: `forge create` deploys
//! OpenZeppelin's ERC-20, `cast send`/`cast call`/`cast logs`/`cast estimate` use it, the
//! receipts, blocks, fee history and proofs are Ethereum's (the proof verifies against the
//! block's state root with alloy-trie), refusals carry geth's codes and messages, and the chain
//! goes on from its file after a restart.

use alloy::{
    primitives::{Address, B256, U256, address, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
};
use baton_devnet::{foundry_tool, repo_root};
use baton_l2::{DevChain, DevConfig};
use serde_json::Value;
use std::{path::Path, process::Command};

#[path = "dev_chain/rpc_checks.rs"]
mod rpc_checks;
use rpc_checks::{check_batches, check_refusals, check_traces, check_typed_answers};

/// anvil's first two keys, funded by the devnet genesis.
const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDRESS_0: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const ADDRESS_1: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
const SUPPLY: &str = "1000000000000000000000";

fn config(state: &Path) -> DevConfig {
    DevConfig {
        block_time_ms: 100,
        ..DevConfig::on_free_port(
            state.to_path_buf(),
            repo_root().join("script/genesis/devnet.json"),
        )
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

/// `cast` with `--json` (or a JSON answer), parsed.
fn cast_json<T: serde::de::DeserializeOwned>(args: &[&str]) -> T {
    let out = cast(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("cast {args:?} printed {out}: {e}"))
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
    let deployment: TransactionReceipt = cast_json(&[
        "receipt",
        created["transactionHash"].as_str().unwrap(),
        "--json",
        "--rpc-url",
        &url,
    ]);
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
    let sent: TransactionReceipt = cast_json(&[
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
    ]);
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

    // cast access-list: the two balance slots a transfer touches (the token itself is warm as
    // the recipient, its slots are not).
    let listed: Value = cast_json(&[
        "access-list",
        &token,
        "transfer(address,uint256)",
        &ADDRESS_1.to_string(),
        "1",
        "--from",
        &ADDRESS_0.to_string(),
        "--json",
        "--rpc-url",
        &url,
    ]);
    let list = listed["accessList"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{listed}");
    assert_eq!(list[0]["address"], token.to_lowercase());
    let slot_0 = keccak256([ADDRESS_0.into_word().0, [0u8; 32]].concat());
    let mut slots: Vec<String> = list[0]["storageKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    slots.sort();
    let mut expected = vec![slot_0.to_string(), slot_1.to_string()];
    expected.sort();
    assert_eq!(slots, expected);

    // cast logs: the mint and the transfer, by event and by indexed recipient.
    let event = "Transfer(address indexed from,address indexed to,uint256 value)";
    let logs: Vec<Value> = cast_json(&[
        "logs",
        "--from-block",
        "0",
        "--address",
        &token,
        event,
        "--json",
        "--rpc-url",
        &url,
    ]);
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(
        logs[1]["transactionHash"],
        sent.transaction_hash.to_string()
    );
    let to_1: Vec<Value> = cast_json(&[
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
    ]);
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
