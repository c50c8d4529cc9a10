//! `baton evm-dev`: the EVM chain alone, one sequencer and no L1, serving its JSON-RPC. What a
//! dapp developer points forge, cast, viem or ethers at to try contracts on baton's L2 without
//! a network (the nodes run the same chain on an EVM deployment, docs/evm.md).
//!
//! A block is sealed every `--block-time-ms` when transactions wait (empty if none can pay the
//! base fee yet: empty blocks bring it down), at the wall clock's second
//! (one after its parent's if the clock has not moved on). The chain lives in one SQLite file:
//! stopped and started again, even by `kill -9`, it goes on from its last block.

use crate::{L2Chain, L2Rpc, PoolConfig};
use alloy_primitives::{Address, address};
use baton_core::genesis::Genesis;
use baton_evm::{BaseFeeParams, ChainSpec, FEE_VAULT_PREDEPLOY};
use baton_state::genesis_diff;
use eyre::WrapErr;
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// `baton evm-dev`'s settings.
#[derive(Clone, Debug, clap::Args)]
pub struct DevConfig {
    /// The chain's SQLite file: created with the genesis if absent, continued if present.
    #[arg(
        long,
        env = "BATON_EVM_DEV_STATE",
        default_value = ".evm-dev/chain.sqlite"
    )]
    pub state: PathBuf,
    /// Where the JSON-RPC listens (port 0: any free port).
    #[arg(long, env = "BATON_EVM_DEV_RPC", default_value = "127.0.0.1:8547")]
    pub rpc: SocketAddr,
    /// The genesis file: the balances of `alloc` (the devnet's file funds anvil's ten keys).
    #[arg(long, default_value = "script/genesis/devnet.json")]
    pub genesis: PathBuf,
    /// The chain id (the devnet's L2 is 901).
    #[arg(long, default_value_t = DEV_CHAIN_ID)]
    pub chain_id: u64,
    /// Every block's gas limit.
    #[arg(long, default_value_t = DEV_GAS_LIMIT)]
    pub gas_limit: u64,
    /// The genesis block's base fee, in wei.
    #[arg(long, default_value_t = DEV_GENESIS_BASE_FEE)]
    pub genesis_base_fee: u64,
    /// Milliseconds between blocks (a block is sealed only when transactions wait).
    #[arg(long, default_value_t = DEV_BLOCK_TIME_MS)]
    pub block_time_ms: u64,
    /// Most pooled transactions per sender.
    #[arg(long, default_value_t = PoolConfig::default().max_per_sender)]
    pub pool_max_per_sender: usize,
    /// Most pooled transactions in all.
    #[arg(long, default_value_t = PoolConfig::default().max_total)]
    pub pool_max: usize,
    /// Who seals the blocks: the beneficiary that earns the tips.
    #[arg(long, default_value_t = DEV_SEQUENCER)]
    pub sequencer: Address,
    /// The L1 address the fee vault's base fees are owed to.
    #[arg(long, default_value_t = DEV_FEE_RECIPIENT)]
    pub fee_recipient: Address,
}

/// The dev chain's id: the devnet's L2 chain id.
pub const DEV_CHAIN_ID: u64 = 901;
/// The dev chain's block gas limit.
pub const DEV_GAS_LIMIT: u64 = 30_000_000;
/// The dev chain's genesis base fee (1 gwei).
pub const DEV_GENESIS_BASE_FEE: u64 = 1_000_000_000;
/// The dev chain's block time.
pub const DEV_BLOCK_TIME_MS: u64 = 1000;

impl DevConfig {
    /// `baton evm-dev`'s defaults over `state` and `genesis`, listening on any free port of
    /// 127.0.0.1 (tests and benches set what they need on top).
    pub fn on_free_port(state: PathBuf, genesis: PathBuf) -> Self {
        Self {
            state,
            rpc: SocketAddr::from(([127, 0, 0, 1], 0)),
            genesis,
            chain_id: DEV_CHAIN_ID,
            gas_limit: DEV_GAS_LIMIT,
            genesis_base_fee: DEV_GENESIS_BASE_FEE,
            block_time_ms: DEV_BLOCK_TIME_MS,
            pool_max_per_sender: PoolConfig::default().max_per_sender,
            pool_max: PoolConfig::default().max_total,
            sequencer: DEV_SEQUENCER,
            fee_recipient: DEV_FEE_RECIPIENT,
        }
    }
}

/// A running dev chain.
pub struct DevChain {
    /// Its JSON-RPC URL.
    pub url: String,
    /// The chain, shared with the RPC.
    pub chain: Arc<Mutex<L2Chain>>,
    cancel: CancellationToken,
    sealer: tokio::task::JoinHandle<()>,
    server: jsonrpsee::server::ServerHandle,
}

/// The default sequencer: a recognizable address, not a key anyone holds.
pub const DEV_SEQUENCER: Address = address!("00000000000000000000000000000000000b470e");

/// The default L1 fee recipient: a recognizable address, not a key anyone holds.
pub const DEV_FEE_RECIPIENT: Address = address!("00000000000000000000000000000000000f1ee5");

impl DevChain {
    /// Opens (or creates) the chain and starts its RPC and its sealer.
    pub async fn start(config: &DevConfig) -> eyre::Result<Self> {
        let text = std::fs::read_to_string(&config.genesis).wrap_err_with(|| {
            format!(
                "reading the genesis file {} (run from the repository root or pass --genesis)",
                config.genesis.display()
            )
        })?;
        let genesis = Genesis::from_json(&text)
            .wrap_err_with(|| format!("parsing {}", config.genesis.display()))?;
        let diff = genesis_diff(genesis.alloc(), config.fee_recipient)?;
        let spec = ChainSpec {
            chain_id: config.chain_id,
            gas_limit: config.gas_limit,
            base_fee_params: BaseFeeParams::ETHEREUM,
            genesis_base_fee: config.genesis_base_fee,
            fee_vault: FEE_VAULT_PREDEPLOY,
        };
        if let Some(dir) = config.state.parent() {
            std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
        }
        let pool = PoolConfig {
            max_per_sender: config.pool_max_per_sender,
            max_total: config.pool_max,
            ..PoolConfig::default()
        };
        let chain = L2Chain::open(&config.state, spec, &diff, 0, pool)
            .wrap_err_with(|| format!("opening the chain in {}", config.state.display()))?;
        let head = chain.head().clone();
        let chain = Arc::new(Mutex::new(chain));
        // 10 MiB a request: a contract deployment at the init code limit is 98 kB of hex.
        let server = jsonrpsee::server::Server::builder()
            .set_config(baton_rpc::server_config(10 * 1024 * 1024))
            .build(config.rpc)
            .await
            .wrap_err_with(|| format!("listening on {}", config.rpc))?;
        let url = format!("http://{}", server.local_addr()?);
        let server = server.start(L2Rpc::new(chain.clone()).into_module());
        info!(target: "baton::evm_dev", %url, head = head.number, chain_id = config.chain_id, "EVM dev chain serving");
        let cancel = CancellationToken::new();
        let sealer = tokio::spawn(seal_loop(
            chain.clone(),
            Duration::from_millis(config.block_time_ms.max(1)),
            config.sequencer,
            cancel.clone(),
        ));
        Ok(Self {
            url,
            chain,
            cancel,
            sealer,
            server,
        })
    }

    /// Stops sealing and serving; the file keeps the last sealed block.
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.sealer.await;
        let _ = self.server.stop();
        self.server.stopped().await;
    }
}

/// Seals a block every `interval` while transactions wait.
async fn seal_loop(
    chain: Arc<Mutex<L2Chain>>,
    interval: Duration,
    sequencer: Address,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let chain = chain.clone();
        let sealed = tokio::task::spawn_blocking(move || {
            let mut chain = chain.lock().unwrap_or_else(|p| p.into_inner());
            if chain.pool().is_empty() {
                return Ok(None);
            }
            let parent = chain.head().timestamp;
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            chain.seal(now.max(parent + 1), sequencer).map(Some)
        })
        .await;
        match sealed {
            Ok(Ok(Some(sealed))) => {
                info!(target: "baton::evm_dev", number = sealed.block.evm.number, txs = sealed.block.transactions.len(), dropped = sealed.dropped, gas = sealed.block.evm.gas_used, "sealed");
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => {
                warn!(target: "baton::evm_dev", %error, "sealing failed; retrying at the next tick")
            }
            Err(error) => {
                warn!(target: "baton::evm_dev", %error, "the sealer panicked; retrying at the next tick")
            }
        }
    }
}

/// `baton evm-dev`: runs until Ctrl-C.
pub async fn run(config: DevConfig, shutdown: CancellationToken) -> eyre::Result<()> {
    let dev = DevChain::start(&config).await?;
    println!(
        "baton EVM dev chain (chain id {}) at {}, state in {}",
        config.chain_id,
        dev.url,
        config.state.display()
    );
    shutdown.cancelled().await;
    dev.stop().await;
    Ok(())
}
