//! The EVM L2 as a node holds it (issue 18): the chain in its database with the pool of
//! transactions waiting for the next block, sealing, and the `eth` namespace over them.
//!
//! Read in this order:
//! - [`pool`]: admission and block order of signed transactions (pure);
//! - [`chain`]: [`L2Chain`], the database, the chain's parameters and the pool;
//! - [`sequenced`]: the chain under the sequencer network: sealing a block from the pool
//!   under its signed header, replaying a leader's signed block, deriving BatchInbox records
//!   (keeping the blocks they settle, unwinding those they contradict), and [`entries`]: the
//!   force-queue entries a block consumes as the EVM chain runs them (deposits), and
//!   [`records`]: a record's blocks, as derivation splits it and as a dispute claims each one;
//! - [`call`]: `eth_call` and `eth_estimateGas` over any state, and [`overrides`]: a state
//!   with a call's state overrides on top;
//! - `block_state`, `convert` and [`rpc`]: the block and state a request names, the stored
//!   chain as alloy's RPC types, and [`L2Rpc`], the server of `eth_*`, `net_*` and `web3_*`
//!   (and, in `debug`, of `debug_*`, in `pubsub` of `eth_subscribe`);
//! - [`trace`]: the call tracer and the struct logger of `debug_trace*`;
//! - [`deployment`]: the chain an EVM deployment record names (the node's and the keepers');
//! - [`dev`]: `baton evm-dev`, the chain alone with one sequencer and no L1.
//!
//! The sequencer node runs this chain on an EVM deployment (baton-node's `evm.rs`); the
//! default deployment still runs the ledger (docs/ledger.md). docs/evm.md says what is left.

mod block_state;
pub mod call;
pub mod chain;
mod convert;
mod debug;
pub mod deployment;
pub mod dev;
pub mod entries;
pub mod overrides;
pub mod pool;
mod pubsub;
pub mod records;
pub mod rpc;
pub mod sequenced;
pub mod trace;

pub use chain::{ChainError, ChainEvent, L2Chain, SubmitError};
pub use dev::{DevChain, DevConfig};
pub use pool::{PoolConfig, PoolError, TxPool};
pub use rpc::L2Rpc;
pub use sequenced::{BlockError, BlockInputs, BlockRoom, ChainBlock, Derived, Sealed};
