//! The other nodes: their RPC URLs by operator (from `--peers` and their `baton_status`) and a
//! client for each.

use crate::shared::Shared;
use alloy::primitives::{Address, B256, Bytes};
use baton_rpc::{BatonApiClient, EthApiClient};
use jsonrpsee::http_client::HttpClient;
use std::{sync::Arc, time::Duration};

/// A JSON-RPC client for another node, with a short timeout: peers answer fast or not at all.
pub fn peer_client(url: &str) -> Option<HttpClient> {
    baton_rpc::http_client(url, Duration::from_secs(2)).ok()
}

/// The RPC URL of `operator`, from the peers' `baton_status`.
pub fn peer_url<C>(shared: &Shared<C>, operator: Address) -> Option<String> {
    shared
        .peers
        .lock()
        .expect("peers lock")
        .get(&operator)
        .cloned()
}

/// Asks every configured peer who it is.
pub async fn discover_peers<C>(shared: &Shared<C>) {
    for url in &shared.config.peers {
        let Some(client) = peer_client(url) else {
            continue;
        };
        if let Ok(status) = BatonApiClient::status(&client).await {
            let op = status.operator;
            shared
                .peers
                .lock()
                .expect("peers lock")
                .insert(op, url.clone());
        }
    }
}

/// Hands a transaction this node pooled to the acting node when that is another (off the
/// request path: the caller has its hash, and it stays in the local pool either way).
pub fn hand_to_acting<C: Send + Sync + 'static>(shared: &Arc<Shared<C>>, raw: Bytes, hash: B256) {
    let duty = shared.duty.borrow().clone();
    if let Some((operator, _, _)) = duty.acting
        && operator != shared.operator
    {
        tokio::spawn(forward(shared.clone(), operator, raw, hash));
    }
}

async fn forward<C>(s: Arc<Shared<C>>, operator: Address, raw: Bytes, hash: B256) {
    if peer_url(&s, operator).is_none() {
        discover_peers(&s).await;
    }
    let Some(url) = peer_url(&s, operator) else {
        tracing::debug!(target: "baton::rpc", %hash, %operator, "acting node unknown; kept in the local pool");
        return;
    };
    let Some(client) = peer_client(&url) else {
        return;
    };
    let sent = client.send_raw_transaction(raw).await;
    if let Err(e) = sent {
        tracing::debug!(target: "baton::rpc", %hash, %url, error = %e, "forwarding failed; kept in the local pool");
    }
}
