//! The node's settings: every flag also reads a `BATON_*` environment variable.

use baton_core::{
    RecordLimits,
    batch::{BLOCK_HEADER_LEN, PREFIX_LEN, encoded_tx_len},
    mempool::MempoolConfig,
};
use baton_l1::{FollowArgs, KeyArgs, L1Args, args::parse_ms};
use clap::Args;
use eyre::bail;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// `baton node` settings.
#[derive(Clone, Debug, Args)]
pub struct NodeConfig {
    /// L1, the deployment and the genesis.
    #[command(flatten)]
    pub l1: L1Args,
    /// How L1 is followed.
    #[command(flatten)]
    pub follow: FollowArgs,
    /// The operator key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// A separate hex key that signs headers (the signer the operator bonded with).
    #[arg(long, env = "BATON_SIGNER_KEY", hide_env_values = true)]
    pub signer_key: Option<String>,
    /// Address of the L2 JSON-RPC server.
    #[arg(long, env = "BATON_RPC_ADDR", default_value = "127.0.0.1:9545")]
    pub rpc_addr: SocketAddr,
    /// Address of /healthz, /readyz and /metrics.
    #[arg(long, env = "BATON_METRICS_ADDR", default_value = "127.0.0.1:9645")]
    pub metrics_addr: SocketAddr,
    /// Directory of the node's SQLite database.
    #[arg(long, env = "BATON_DATA_DIR", default_value = ".devnet/node")]
    pub data_dir: PathBuf,
    /// Milliseconds between L2 blocks when sequencing.
    #[arg(long = "block-time-ms", env = "BATON_BLOCK_TIME_MS", default_value = "50", value_parser = parse_ms)]
    pub block_time: Duration,
    /// Post the open record once it holds this many bytes of batch data (lowered to the
    /// inbox's maxRecordBytes at start if above it).
    #[arg(long, env = "BATON_MAX_RECORD_BYTES", default_value_t = 120_000)]
    pub max_record_bytes: usize,
    /// Most transactions in one record: the inbox's maxRecordTxs (set at start).
    #[arg(skip)]
    pub max_record_txs: usize,
    /// Post the open record once it is this many milliseconds old.
    #[arg(long = "max-record-age-ms", env = "BATON_MAX_RECORD_AGE_MS", default_value = "2000", value_parser = parse_ms)]
    pub max_record_age: Duration,
    /// Stop sealing this many L1 blocks before the epoch ends (the last record must land in it).
    #[arg(long, env = "BATON_EPOCH_MARGIN", default_value_t = 2)]
    pub epoch_margin: u64,
    /// Other nodes' L2 RPC URLs (comma separated): followers fetch blocks from and forward
    /// transactions to whichever of them acts.
    #[arg(long, env = "BATON_PEERS", value_delimiter = ',')]
    pub peers: Vec<String>,
    /// L2 account credited with the fees of this node's records (default: the operator).
    #[arg(long = "fee-recipient", env = "BATON_FEE_RECIPIENT")]
    pub fee_recipient_arg: Option<alloy::primitives::Address>,
    /// Resolved fee recipient (set at start).
    #[arg(skip)]
    pub fee_recipient: alloy::primitives::Address,
    /// Most transactions in the mempool.
    #[arg(long, env = "BATON_MEMPOOL_MAX", default_value_t = 200_000)]
    pub mempool_max: usize,
    /// Most transactions of one sender in the mempool.
    #[arg(long, env = "BATON_MEMPOOL_MAX_PER_SENDER", default_value_t = 1_024)]
    pub mempool_max_per_sender: usize,
    /// Largest raw transaction accepted, in bytes (default: the inbox's maxTxLength, the
    /// queue's maxTxSize, which a record cannot exceed; lowered to it at start if above it).
    #[arg(long, env = "BATON_MAX_TX_BYTES")]
    pub max_tx_bytes: Option<usize>,
    /// Largest JSON-RPC request body, in bytes (batches included).
    #[arg(long, env = "BATON_MAX_REQUEST_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_request_bytes: u32,
    /// Scripted fault for the devnet's censorship scenario: never include force-queue entries.
    /// Once one is overdue the inbox refuses this node's records, a watcher forces the entries
    /// in, and the epoch's leader is slashed. Never set this on a real network.
    #[arg(long, env = "BATON_FAULT_CENSOR", hide = true)]
    pub fault_censor: bool,
    /// Scripted fault for the devnet's equivocation scenario: after signing the first block that
    /// holds a transaction, also sign a second header for that height (another tx root) and
    /// publish it in the block stream. A watcher slashes the operator. Never set this on a real
    /// network.
    #[arg(long, env = "BATON_FAULT_EQUIVOCATE", hide = true)]
    pub fault_equivocate: bool,
}

impl NodeConfig {
    /// Fits the record and transaction sizes under the inbox's caps, which would refuse a
    /// larger record: a flag above a cap is lowered to it, with a warning.
    pub fn fit_to(&mut self, limits: &RecordLimits) {
        if self.max_record_bytes > limits.max_record_bytes {
            tracing::warn!(
                target: "baton::node",
                "--max-record-bytes {} is above the inbox's maxRecordBytes {}: using {1}",
                self.max_record_bytes,
                limits.max_record_bytes
            );
            self.max_record_bytes = limits.max_record_bytes;
        }
        match self.max_tx_bytes {
            Some(asked) if asked > limits.max_tx_len => {
                tracing::warn!(
                    target: "baton::node",
                    "--max-tx-bytes {asked} is above the inbox's maxTxLength {}: using {0}",
                    limits.max_tx_len
                );
                self.max_tx_bytes = Some(limits.max_tx_len);
            }
            Some(_) => {}
            None => self.max_tx_bytes = Some(limits.max_tx_len),
        }
        self.max_record_txs = limits.max_record_txs;
    }

    /// Refuses limits that contradict each other.
    pub fn check(&self) -> eyre::Result<()> {
        let one_tx_record = PREFIX_LEN + BLOCK_HEADER_LEN + encoded_tx_len(self.tx_bytes());
        if self.max_record_bytes < one_tx_record {
            bail!(
                "--max-record-bytes {} cannot carry one block holding a transaction of \
                 --max-tx-bytes {} ({one_tx_record} bytes of batch data): raise \
                 --max-record-bytes or lower --max-tx-bytes",
                self.max_record_bytes,
                self.tx_bytes()
            );
        }
        Ok(())
    }

    /// The mempool limits.
    pub fn mempool(&self) -> MempoolConfig {
        MempoolConfig {
            max_per_sender: self.mempool_max_per_sender,
            max_total: self.mempool_max,
            max_tx_bytes: self.tx_bytes(),
        }
    }

    /// The largest raw transaction the node takes: `--max-tx-bytes`, else (before
    /// [`Self::fit_to`] sets it) the batch format's own bound.
    pub fn tx_bytes(&self) -> usize {
        self.max_tx_bytes.unwrap_or(baton_core::batch::MAX_TX_LEN)
    }

    /// The EVM chain's pool limits (the same flags).
    pub fn evm_pool(&self) -> baton_l2::PoolConfig {
        baton_l2::PoolConfig {
            max_per_sender: self.mempool_max_per_sender,
            max_total: self.mempool_max,
            max_tx_bytes: self.tx_bytes(),
        }
    }
}
