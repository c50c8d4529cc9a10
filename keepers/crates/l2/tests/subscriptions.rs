//! `eth_subscribe` over WebSocket on `baton evm-dev`'s port: a contract deployment is heard as a
//! pooled transaction (hash and whole), a new head, and the logs its constructor emitted; a
//! subscription the chain does not offer is refused; when a record settles another block at its
//! height, the logs subscriber hears the deployment's log again, removed.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{B256, Bytes, TxKind, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    signers::{SignerSync, local::PrivateKeySigner},
};
use baton_devnet::repo_root;
use baton_l2::{DevChain, DevConfig};
use serde_json::{Value, json};
use soketto::handshake::{Client, ServerResponse};
use tokio_util::compat::{Compat, TokioAsyncReadCompatExt};

type Socket = Compat<tokio::net::TcpStream>;

/// anvil's first key, funded by the devnet genesis.
const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Ws {
    sender: soketto::Sender<Socket>,
    receiver: soketto::Receiver<Socket>,
}

impl Ws {
    async fn connect(http_url: &str) -> Self {
        let host = http_url.trim_start_matches("http://");
        let stream = tokio::net::TcpStream::connect(host).await.unwrap();
        let mut client = Client::new(stream.compat(), host, "/");
        match client.handshake().await.unwrap() {
            ServerResponse::Accepted { .. } => {}
            other => panic!("WebSocket handshake refused: {other:?}"),
        }
        let (sender, receiver) = client.into_builder().finish();
        Self { sender, receiver }
    }

    async fn request(&mut self, id: u64, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.sender.send_text(body.to_string()).await.unwrap();
        self.sender.flush().await.unwrap();
    }

    async fn next(&mut self) -> Value {
        let mut data = Vec::new();
        self.receiver.receive_data(&mut data).await.unwrap();
        serde_json::from_slice(&data).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_hear_pooled_transactions_heads_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let dev = DevChain::start(&DevConfig {
        block_time_ms: 100,
        ..DevConfig::on_free_port(
            dir.path().join("chain.sqlite"),
            repo_root().join("script/genesis/devnet.json"),
        )
    })
    .await
    .unwrap();
    let mut ws = Ws::connect(&dev.url).await;
    ws.request(1, "eth_subscribe", json!(["newHeads"])).await;
    ws.request(
        2,
        "eth_subscribe",
        json!(["logs", {"topics": [keccak256("Transfer(address,address,uint256)")]}]),
    )
    .await;
    ws.request(3, "eth_subscribe", json!(["newPendingTransactions"]))
        .await;
    ws.request(4, "eth_subscribe", json!(["newPendingTransactions", true]))
        .await;
    ws.request(5, "eth_subscribe", json!(["syncing"])).await;
    let mut ids = std::collections::HashMap::new();
    for _ in 0..5 {
        let answer = ws.next().await;
        let id = answer["id"].as_u64().unwrap();
        if id == 5 {
            assert_eq!(answer["error"]["code"], -32602, "{answer}");
            continue;
        }
        let subscription = answer["result"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"));
        assert!(
            subscription.starts_with("0x") && subscription.len() == 34,
            "a geth-style id: {subscription}"
        );
        ids.insert(subscription.to_string(), id);
    }
    assert_eq!(ids.len(), 4);

    // The token's deployment: its constructor mints, emitting a Transfer.
    let artifact: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("out/BenchToken.sol/BenchToken.json")).unwrap(),
    )
    .unwrap();
    let mut creation =
        alloy::hex::decode(artifact["bytecode"]["object"].as_str().unwrap()).unwrap();
    creation.extend_from_slice(&U256::from(1000).to_be_bytes::<32>());
    let key: PrivateKeySigner = KEY_0.parse().unwrap();
    let tx = TxEip1559 {
        chain_id: 901,
        nonce: 0,
        gas_limit: 2_000_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: creation.into(),
    };
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw: Bytes = TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into();
    let provider = ProviderBuilder::new().connect_http(dev.url.parse().unwrap());
    let hash = *provider.send_raw_transaction(&raw).await.unwrap().tx_hash();
    let token = key.address().create(0);

    // One notification per subscription, in whatever order they arrive.
    let mut heard = std::collections::HashMap::new();
    while heard.len() < 4 {
        let note = ws.next().await;
        assert_eq!(note["method"], "eth_subscription", "{note}");
        let id = ids[note["params"]["subscription"].as_str().unwrap()];
        heard.entry(id).or_insert(note["params"]["result"].clone());
    }
    assert_eq!(heard[&1]["number"], "0x1");
    let head = provider.get_block_number().await.unwrap();
    assert_eq!(head, 1);
    assert_eq!(heard[&2]["address"], token.to_string().to_lowercase());
    assert_eq!(heard[&2]["transactionHash"], hash.to_string());
    assert_eq!(
        heard[&2]["topics"][1],
        B256::ZERO.to_string(),
        "minted from zero"
    );
    assert_eq!(heard[&3], hash.to_string());
    assert_eq!(heard[&4]["hash"], hash.to_string());
    assert_eq!(heard[&4]["from"], key.address().to_string().to_lowercase());

    // Unsubscribed, a feed says so.
    let heads = ids.iter().find(|(_, id)| **id == 1).unwrap().0.clone();
    ws.request(6, "eth_unsubscribe", json!([heads])).await;
    loop {
        let answer = ws.next().await;
        if answer["id"] == 6 {
            assert_eq!(answer["result"], true, "{answer}");
            break;
        }
    }

    // A record on L1 settles another block 1 (an empty one): the deployment's block is unwound,
    // and the logs subscriber hears its Transfer again, marked removed.
    let logs_id = ids.iter().find(|(_, id)| **id == 2).unwrap().0.clone();
    {
        use baton_core::{
            RecordInput, RecordLimits,
            batch::{L2Block, RecordContext},
            check_record,
        };
        let context = RecordContext {
            chain_id: U256::from(901),
            epoch: 0,
            first_block: 1,
            prev_record_hash: B256::ZERO,
            force_index: 0,
            fee_recipient: baton_l2::dev::DEV_SEQUENCER,
        };
        let empty = L2Block {
            timestamp: 1,
            transactions: Vec::new(),
        };
        let (header, data) = context.seal(&[empty]).unwrap();
        let batch = check_record(&header, &data, &RecordLimits::UNLIMITED).unwrap();
        let input = RecordInput {
            header: &header,
            batch: Some(&batch),
            entries: &[],
            l1_timestamp: 1,
        };
        let mut chain = dev.chain.lock().unwrap();
        assert_eq!(chain.derive_record(0, &input).unwrap().unwound, 1);
    }
    let removed = loop {
        let note = ws.next().await;
        if note["params"]["subscription"] == logs_id.as_str()
            && note["params"]["result"]["removed"] == true
        {
            break note["params"]["result"].clone();
        }
    };
    assert_eq!(removed["transactionHash"], hash.to_string());
    assert_eq!(removed["blockNumber"], "0x1");
    assert_eq!(removed["address"], token.to_string().to_lowercase());
    dev.stop().await;
}
