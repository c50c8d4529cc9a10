//! `baton devnet`'s flags, and the scenarios it can run.

use std::path::PathBuf;

/// `baton devnet` settings.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct DevnetArgs {
    /// L1 (anvil) RPC port.
    #[arg(long, env = "BATON_L1_PORT", default_value_t = 8545)]
    pub(crate) l1_port: u16,
    /// Seconds between L1 blocks.
    #[arg(long, env = "BATON_L1_BLOCK_TIME", default_value_t = 1)]
    pub(crate) block_time: u64,
    /// The first node's L2 RPC port; node i listens on this + i, its metrics on this + 100 + i,
    /// the watcher's RPC on this + 105, the keepers' metrics on this + 110, 111, 112.
    #[arg(long, env = "BATON_L2_PORT", default_value_t = 9545)]
    pub(crate) l2_port: u16,
    /// Sequencers to bond and run (1 to 5).
    #[arg(long, env = "BATON_SEQUENCERS", default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub(crate) sequencers: u8,
    /// Where the L1 state, the databases and the logs live.
    #[arg(long, env = "BATON_DEVNET_DIR", default_value = ".devnet")]
    pub(crate) data_dir: PathBuf,
    /// Deploy profile (`script/profiles/<name>.json`: `devnet`, the EVM chain on L2;
    /// `devnet-ledger` and `mainnet`, the ledger of transfers, until it is deleted).
    #[arg(long, env = "BATON_PROFILE", default_value = "devnet")]
    pub(crate) profile: String,
    /// Where the deployment record is written (relative to the repository root, under
    /// `deployments/`); the nodes, keepers and user commands read it.
    #[arg(
        long,
        env = "BATON_DEPLOYMENT_FILE",
        default_value = "deployments/31337.json"
    )]
    pub(crate) deployment_file: String,
    /// Start a new chain even when the data directory holds one.
    #[arg(long)]
    pub(crate) fresh: bool,
    /// Only anvil and the contracts: no nodes or keepers.
    #[arg(long)]
    pub(crate) contracts_only: bool,
    /// Run one adversarial scenario (or all) on a fresh network, print what the protocol did,
    /// and exit non-zero if its answer did not come.
    #[arg(long, value_enum)]
    pub(crate) scenario: Option<Scenario>,
}

impl DevnetArgs {
    pub(crate) fn node_port(&self, i: usize) -> u16 {
        self.l2_port + i as u16
    }
    pub(crate) fn node_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.node_port(i))
    }
    pub(crate) fn watcher_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l2_port + 105)
    }
    pub(crate) fn ports(&self) -> Vec<u16> {
        let mut ports = vec![self.l1_port];
        if !self.contracts_only {
            for i in 0..usize::from(self.sequencers) {
                ports.extend([self.node_port(i), self.l2_port + 100 + i as u16]);
            }
            ports.extend([105, 110, 111, 112].map(|o| self.l2_port + o));
        }
        ports
    }
}

/// A fault to inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Scenario {
    /// Every node signs two different blocks for one height when it leads; the watcher slashes.
    Equivocation,
    /// Every node ignores the force queue; a user's transfer is forced in and the leader slashed.
    Censorship,
    /// The next epoch's leader goes down; a backup posts, and the missed epoch is slashed.
    OfflineLeader,
    /// The proposer proposes a wrong root; the challenger wins the dispute game.
    InvalidOutput,
    /// Each of the above in turn, each on a fresh network.
    All,
}

impl Scenario {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Equivocation => "equivocation",
            Scenario::Censorship => "censorship",
            Scenario::OfflineLeader => "offline-leader",
            Scenario::InvalidOutput => "invalid-output",
            Scenario::All => "all",
        }
    }
}
