//! baton's L2 JSON-RPC interface, as typed traits: one per namespace, with alloy's RPC types for
//! everything Ethereum tooling already knows. `jsonrpsee` generates from each trait the server
//! side (`…Server`, implemented by `baton node` and the watcher) and a client (`…Client`,
//! implemented for any jsonrpsee client), so both ends of every method share one signature.
//!
//! - [`eth`]: the Ethereum methods wallets, `cast` and alloy call ([`EthApi`], [`NetApi`],
//!   [`Web3Api`]).
//! - [`baton`]: the node's own ([`BatonApi`]): its status, preconfirmation receipts, the signed
//!   block stream; and the watcher's ([`WatcherApi`]).
//! - [`errors`]: the error codes and how an error is built.
//!
//! The CLI and the keepers read Ethereum methods through an alloy `Provider` (it speaks the same
//! wire format), and the `baton_*` methods through the generated clients.

pub mod baton;
pub mod errors;
pub mod eth;

pub use baton::{
    ActingSequencer, BatonApiClient, BatonApiServer, EvidenceReceipt, NodeStatus, Preconfirmation,
    WatcherApiClient, WatcherApiServer,
};
pub use eth::{
    DebugApiClient, DebugApiServer, EthApiClient, EthApiServer, EthPubSubApiServer, NetApiClient,
    NetApiServer, RpcBlock, RpcReceipt, RpcTransaction, Web3ApiClient, Web3ApiServer, rpc_receipt,
};
pub use jsonrpsee::core::RpcResult;

/// The most calls one batch request may hold, as geth (`--rpc.batch-request-limit`): a larger
/// batch is answered with one error.
pub const MAX_BATCH_LEN: u32 = 1000;

/// The server settings every baton JSON-RPC server shares: requests up to `max_request_bytes`,
/// batches up to [`MAX_BATCH_LEN`] calls, subscription ids as Ethereum clients expect them.
pub fn server_config(max_request_bytes: u32) -> jsonrpsee::server::ServerConfig {
    jsonrpsee::server::ServerConfig::builder()
        .max_request_body_size(max_request_bytes)
        .set_batch_request_config(jsonrpsee::server::BatchRequestConfig::Limit(MAX_BATCH_LEN))
        .set_id_provider(HexIdProvider::default())
        .build()
}

/// Subscription ids as geth makes them: 16 bytes in `0x` hex (jsonrpsee's own are numbers, which
/// viem and ethers do not take). Each is keccak-256 of a per-server secret and a counter: unique,
/// and not guessable from another.
#[derive(Debug)]
pub struct HexIdProvider {
    secret: alloy::primitives::B256,
    next: std::sync::atomic::AtomicU64,
}

impl Default for HexIdProvider {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secret = alloy::primitives::keccak256(
            [
                now.as_nanos().to_be_bytes().as_slice(),
                &std::process::id().to_be_bytes(),
                &(&now as *const _ as usize).to_be_bytes(),
            ]
            .concat(),
        );
        Self {
            secret,
            next: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl jsonrpsee::core::traits::IdProvider for HexIdProvider {
    fn next_id(&self) -> jsonrpsee::types::SubscriptionId<'static> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = alloy::primitives::keccak256([self.secret.as_slice(), &n.to_be_bytes()].concat());
        alloy::primitives::hex::encode_prefixed(&id[..16]).into()
    }
}

/// A JSON-RPC client over HTTP for another process's API (a node, a watcher), with `timeout` per
/// request: the generated `…Client` traits are implemented for it.
pub fn http_client(
    url: &str,
    timeout: std::time::Duration,
) -> Result<jsonrpsee::http_client::HttpClient, jsonrpsee::core::client::Error> {
    jsonrpsee::http_client::HttpClientBuilder::default()
        .request_timeout(timeout)
        .build(url)
}
