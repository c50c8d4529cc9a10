//! The L2 JSON-RPC server: the node's side of the typed traits in `baton-rpc` (`eth`, `net`,
//! `web3` in [`eth`], `baton` in [`baton`]), over the shared state; [`convert`] turns baton's
//! blocks into alloy's RPC types. Every request and every error is counted for `/metrics` by
//! the server's middleware ([`counting`]).

pub mod baton;
pub mod convert;
pub mod counting;
pub mod eth;

use crate::{chain::NodeChain, evm::EvmChain, peers::hand_to_acting, shared::Shared, view::View};
use baton_l2::{L2Chain, L2Rpc, rpc::OnPooled};
use baton_rpc::{BatonApiServer, EthApiServer, NetApiServer, Web3ApiServer};
use jsonrpsee::RpcModule;
use std::sync::{Arc, Mutex};

/// The priority fee the node suggests, wei per gas.
pub const SUGGESTED_TIP: u128 = 1_000_000_000;

/// The server side of every namespace, over the node's shared state (`baton_*` over any chain,
/// the others over the ledger's).
#[derive(Debug)]
pub struct NodeRpc<C = View> {
    shared: Arc<Shared<C>>,
}

impl<C> Clone for NodeRpc<C> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<C: NodeChain> NodeRpc<C> {
    /// The API over the node's shared state.
    pub fn new(shared: Arc<Shared<C>>) -> Self {
        Self { shared }
    }
}

/// Builds the module of an EVM node: baton-l2's `eth_*`, `net_*`, `web3_*`, `debug_*` and
/// `eth_subscribe` over the chain, `baton_*` over the node; a transaction it pools is also
/// handed to the acting node.
pub fn evm_module(shared: Arc<Shared<EvmChain>>, chain: Arc<Mutex<L2Chain>>) -> RpcModule<()> {
    let forwarding = shared.clone();
    let on_pooled: OnPooled = Arc::new(move |raw, hash| hand_to_acting(&forwarding, raw, hash));
    let mut m = L2Rpc::new(chain).with_on_pooled(on_pooled).into_module();
    m.merge(BatonApiServer::into_rpc(NodeRpc::new(shared)))
        .expect("method names are unique");
    m
}

/// Builds the module serving every namespace over the ledger node's shared state.
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
