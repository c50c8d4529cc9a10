//! The L2 JSON-RPC server: the node's side of the typed traits in `baton-rpc` (`eth`, `net`,
//! `web3` in [`eth`], `baton` in [`baton`]), over the shared state; [`convert`] turns baton's
//! blocks into alloy's RPC types. Every request and every error is counted for `/metrics`.

pub mod baton;
pub mod convert;
pub mod eth;

use crate::shared::Shared;
use baton_rpc::{BatonApiServer, EthApiServer, NetApiServer, RpcResult, Web3ApiServer};
use jsonrpsee::RpcModule;
use std::sync::{Arc, atomic::Ordering};

/// The priority fee the node suggests, wei per gas.
pub const SUGGESTED_TIP: u128 = 1_000_000_000;

/// The server side of every namespace, over the node's shared state.
#[derive(Clone, Debug)]
pub struct NodeRpc {
    shared: Arc<Shared>,
}

impl NodeRpc {
    /// Counts a request and, if it failed, an error (`baton_rpc_requests_total`,
    /// `baton_rpc_errors_total`).
    fn counted<T>(&self, result: RpcResult<T>) -> RpcResult<T> {
        let m = &self.shared.metrics;
        m.rpc_requests.fetch_add(1, Ordering::Relaxed);
        if result.is_err() {
            m.rpc_errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

/// Builds the module serving every namespace over the node's shared state.
pub fn module(shared: Arc<Shared>) -> RpcModule<()> {
    let api = NodeRpc { shared };
    let mut m = RpcModule::new(());
    m.merge(EthApiServer::into_rpc(api.clone()))
        .expect("method names are unique");
    m.merge(NetApiServer::into_rpc(api.clone()))
        .expect("method names are unique");
    m.merge(Web3ApiServer::into_rpc(api.clone()))
        .expect("method names are unique");
    m.merge(BatonApiServer::into_rpc(api))
        .expect("method names are unique");
    m
}
