//! The other nodes: their RPC URLs by operator (from `--peers` and their `baton_status`) and a
//! client for each.

use crate::shared::Shared;
use alloy::primitives::Address;
use baton_rpc::BatonApiClient;
use jsonrpsee::http_client::HttpClient;
use std::time::Duration;

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
