//! A node whose L1 RPC goes away: it keeps serving L2, retries with backoff, and catches up with
//! the others once L1 is back. The outage is real: the node reaches anvil through a TCP relay
//! that the test closes (dropping every open connection) and later reopens on the same port. On
//! the ledger and on the EVM chain.

use crate::harness::{free_port, rpc, start_network_on, transfer};
use alloy::signers::local::PrivateKeySigner;
use eyre::{WrapErr, ensure};
use serde_json::json;
use std::{net::SocketAddr, time::Duration};
use tokio::{net::TcpListener, task::JoinSet};

/// A TCP relay from a local port to `target`, which can be cut and restored.
struct Relay {
    port: u16,
    target: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    fn new(target: SocketAddr) -> Self {
        Self {
            port: free_port(),
            target,
            task: None,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Accepts connections again and relays each to the target.
    async fn open(&mut self) -> eyre::Result<()> {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .wrap_err("rebinding the relay port")?;
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            // Dropped with the task, which aborts every relayed connection.
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
        Ok(())
    }

    /// Closes the port and drops every open connection: the node's L1 RPC is gone.
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_node_survives_its_l1_rpc_going_away() -> eyre::Result<()> {
    survives_its_l1_rpc_going_away("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_survives_its_l1_rpc_going_away() -> eyre::Result<()> {
    survives_its_l1_rpc_going_away("devnet").await
}

async fn survives_its_l1_rpc_going_away(profile: &'static str) -> eyre::Result<()> {
    let mut net = start_network_on("outage", profile).await?;
    let user = PrivateKeySigner::from(net.devnet.anvil.keys()[7].clone());
    let anvil: SocketAddr = format!("127.0.0.1:{}", net.devnet.anvil.port()).parse()?;
    let mut relay = Relay::new(anvil);
    relay.open().await?;

    // Node 2 now reaches L1 only through the relay.
    let cut_off = 2;
    net.nodes[cut_off].kill9().await?;
    net.nodes[cut_off].l1 = relay.url();
    net.nodes[cut_off].start()?;
    net.wait_ready(&net.nodes[cut_off]).await?;

    relay.cut().await;
    let outage = Duration::from_secs(30);
    let started = std::time::Instant::now();
    let mut sent = Vec::new();
    let mut i = 0;
    while started.elapsed() < outage {
        // The cut-off node still answers L2 requests from what it holds...
        let status = rpc(&net.nodes[cut_off].url, "baton_status", json!([]))
            .await
            .wrap_err("the node stopped serving while L1 was away")?;
        ensure!(status["head"].is_u64(), "no head in {status}");
        // ...while the others go on sequencing and posting.
        let via = &net.nodes[i % 2].url;
        sent.push(transfer(via, &user, 10 + i as u64).await?);
        i += 1;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let safe_during: u64 = rpc(&net.nodes[0].url, "baton_status", json!([])).await?["safeHead"]
        .as_u64()
        .unwrap_or(0);

    // L1 is back: the node catches up with every record posted meanwhile.
    relay.open().await?;
    net.wait_safe(safe_during, Duration::from_secs(120)).await?;
    let last = sent.last().map(|(_, block)| *block).unwrap_or(0);
    net.wait_safe(last, Duration::from_secs(120)).await?;
    net.ensure_agree_at_safe_head().await?;
    let log = std::fs::read_to_string(net.nodes[cut_off].data_dir.join("node.log"))?;
    ensure!(
        log.contains("L1 unavailable"),
        "the node never noticed the outage:\n{}",
        net.nodes[cut_off].log()
    );
    Ok(())
}
