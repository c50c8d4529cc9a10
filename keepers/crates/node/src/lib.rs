//! baton's sequencer node.
//!
//! - [`store`]: the SQLite database (slashing protection, preconfirmed blocks, L1 data).
//! - [`txmgr`]: the L1 transaction manager (owned nonces, fee bumps, resubmission).
//! - [`follow`]: reorg-safe reading of BatchInbox records and force-queue entries.
//! - [`duty`]: the epoch clock and who sequences now.
//! - [`view`]: the derived chain, the preconfirmed blocks on top, the mempool.
//! - [`sequencer`]: sealing, signing, posting, following.
//! - [`force`]: the gate that keeps a leader off heights a forced record can take.
//! - [`rpc`]: the L2 JSON-RPC.
//! - [`metrics`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`service`]: start-up, the L1 loop, shutdown.
//! - [`config`]: the flags (each also a `BATON_*` variable) and the key arguments.

pub mod config;
pub mod duty;
pub mod follow;
pub mod force;
pub mod metrics;
pub mod rpc;
pub mod sequencer;
pub mod service;
pub mod store;
pub mod txmgr;
pub mod view;

pub use config::{KeyArgs, NodeConfig};
pub use service::run;
