//! The keepers' settings: every flag also reads a `BATON_*` environment variable.

use baton_l1::{FollowArgs, KeyArgs, L1Args};
use clap::Args;
use std::{net::SocketAddr, path::PathBuf};

/// What every keeper takes.
#[derive(Clone, Debug, Args)]
pub struct CommonArgs {
    /// L1, the deployment and the genesis.
    #[command(flatten)]
    pub l1: L1Args,
    /// How L1 is followed.
    #[command(flatten)]
    pub follow: FollowArgs,
    /// The key that sends this keeper's L1 transactions.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Directory of the keeper's SQLite databases (L1 data, games, evidence).
    /// Each role keeps its own files (`<role>.sqlite`, `<role>-l1.sqlite`), so one directory can
    /// serve all three.
    #[arg(
        long = "keeper-data-dir",
        env = "BATON_KEEPER_DATA_DIR",
        default_value = ".devnet/keepers"
    )]
    pub data_dir: PathBuf,
    /// Address of /healthz, /readyz and /metrics.
    #[arg(
        long = "keeper-metrics-addr",
        env = "BATON_KEEPER_METRICS_ADDR",
        default_value = "127.0.0.1:9655"
    )]
    pub metrics_addr: SocketAddr,
}

/// `baton proposer` settings.
#[derive(Clone, Debug, Args)]
pub struct ProposerConfig {
    /// Shared settings.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Scripted fault for the devnet's invalid-output scenario: the first output with at least
    /// one position (a ledger transaction, an EVM block) is built from a trace that goes wrong
    /// at this position (taken modulo the trace length), and the proposer defends it. Never set
    /// this on a real network: it gets the operator slashed.
    #[arg(long, env = "BATON_FAULT_INVALID_OUTPUT_AT", hide = true)]
    pub fault_invalid_output_at: Option<u64>,
}

/// `baton challenger` settings.
#[derive(Clone, Debug, Args)]
pub struct ChallengerConfig {
    /// Shared settings.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Scripted fault for the devnet: dispute the first correct output with at least one
    /// position (a ledger transaction, an EVM block), playing a trace that goes wrong at this
    /// position (modulo its length). The challenger loses its bond.
    #[arg(long, env = "BATON_FAULT_DISPUTE_VALID_AT", hide = true)]
    pub fault_dispute_valid_at: Option<u64>,
}

/// `baton watcher` settings.
#[derive(Clone, Debug, Args)]
pub struct WatcherConfig {
    /// Shared settings.
    #[command(flatten)]
    pub common: CommonArgs,
    /// L2 RPC URLs of the nodes whose signed block streams are watched (comma separated).
    #[arg(long, env = "BATON_WATCH_NODES", value_delimiter = ',')]
    pub nodes: Vec<String>,
    /// Address of the watcher's JSON-RPC server (`baton_submitEvidence`).
    #[arg(
        long = "watcher-rpc-addr",
        env = "BATON_WATCHER_RPC_ADDR",
        default_value = "127.0.0.1:9650"
    )]
    pub rpc_addr: SocketAddr,
    /// Also report missed epochs this many epochs before the one the watcher first started in
    /// (still inside the slashing window). By default a new watcher judges only epochs that
    /// ended while it watched, so that starting one on a network that is still coming up does
    /// not slash operators for the epochs before their nodes ran.
    #[arg(long, env = "BATON_LIVENESS_LOOKBACK", default_value_t = 0)]
    pub liveness_lookback: u64,
}
