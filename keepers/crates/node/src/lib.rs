//! baton's sequencer node.
//!
//! The L1 layer (tx manager, log follower, L1 tables, connecting) is `baton-l1`. Read in this
//! order:
//! - [`config`]: the flags (each also a `BATON_*` variable).
//! - [`store`]: slashing protection and preconfirmed blocks, in SQLite.
//! - [`duty`]: the epoch clock and who sequences now; whether to seal (pure, unit-tested).
//! - [`force`]: the gate that keeps a leader off heights a forced record can take (pure).
//! - [`chain`]: what the loops need from the chain they run ([`chain::NodeChain`]), and the
//!   force-queue entries read from L1.
//! - [`evm`]: the EVM chain (baton-l2) under the loops, for EVM deployments.
//! - [`view`]: the ledger's chain: the derived chain, the preconfirmed blocks on top, the
//!   mempool.
//! - [`metrics`]: the node's counters.
//! - [`shared`]: what the tasks share (a leaf every task imports).
//! - [`peers`]: the other nodes' RPC URLs and clients.
//! - [`sequencer`]: the three loops: seal, post, block sync.
//! - [`rpc`]: the L2 JSON-RPC.
//! - [`service`]: start-up, the L1 loop, shutdown.

pub mod chain;
pub mod config;
pub mod duty;
pub mod evm;
pub mod force;
pub mod metrics;
pub mod peers;
pub mod rpc;
pub mod sequencer;
pub mod service;
pub mod shared;
pub mod store;
pub mod view;

pub use config::NodeConfig;
pub use service::run;
