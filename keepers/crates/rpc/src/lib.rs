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
    DebugApiClient, DebugApiServer, EthApiClient, EthApiServer, NetApiClient, NetApiServer,
    Web3ApiClient, Web3ApiServer,
};
pub use jsonrpsee::core::RpcResult;

/// The most calls one batch request may hold, as geth (`--rpc.batch-request-limit`): a larger
/// batch is answered with one error.
pub const MAX_BATCH_LEN: u32 = 1000;

/// The server settings every baton JSON-RPC server shares: requests up to `max_request_bytes`,
/// batches up to [`MAX_BATCH_LEN`] calls.
pub fn server_config(max_request_bytes: u32) -> jsonrpsee::server::ServerConfig {
    jsonrpsee::server::ServerConfig::builder()
        .max_request_body_size(max_request_bytes)
        .set_batch_request_config(jsonrpsee::server::BatchRequestConfig::Limit(MAX_BATCH_LEN))
        .build()
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
