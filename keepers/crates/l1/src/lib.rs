//! baton's L1 layer: what the node, the keepers and the user commands share to reach L1, kept
//! apart from the node so that a keeper or a user command links none of the node's RPC server,
//! mempool or slashing protection.
//!
//! Read in this order:
//! - [`args`]: `--l1-rpc`, `--deployment`, `--genesis` ([`L1Args`]), how to follow L1
//!   ([`FollowArgs`]) and where the key comes from ([`KeyArgs`]), declared once.
//! - [`connect`]: loading the deployment and the genesis and connecting to L1, each checked
//!   against the others.
//! - [`txmgr`]: the transaction manager (owned nonces, fee bumps, resubmission).
//! - [`store`]: the L1 tables (records, queue entries, L1 block hashes) in SQLite.
//! - [`follow`]: the reorg-safe reader that fills them.
//! - [`force`]: overdue force-queue entries and the forced-record call.
//! - [`endpoints`]: `/healthz`, `/readyz`, `/metrics` of every long-running process.
//!
//! Every function here returns this crate's own error types; the binaries add context.

pub mod args;
pub mod connect;
pub mod endpoints;
pub mod follow;
pub mod force;
pub mod store;
pub mod txmgr;

pub use args::{FollowArgs, KeyArgs, L1Args};
pub use connect::{ConnectError, L1};
pub use follow::{L1Reader, Polled};
pub use store::L1Store;
pub use txmgr::{TxConfig, TxError, TxManager};
