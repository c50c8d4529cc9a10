//! What every keeper starts from: the deployment, the genesis, the L1 provider and the tx
//! manager of its key, each checked against the others with an error that says what to fix.

use crate::{config::CommonArgs, db::KeeperDb, metrics::Metrics};
use alloy::{network::EthereumWallet, primitives::Address, providers::RootProvider};
use baton_bindings::Deployment;
use baton_core::Genesis;
use baton_l1::{L1, TxManager};
use eyre::WrapErr;
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

/// A keeper's fixed surroundings.
#[derive(Debug)]
pub struct Context {
    /// The contracts and parameters.
    pub deployment: Deployment,
    /// The L2 genesis.
    pub genesis: Genesis,
    /// L1 reads.
    pub provider: RootProvider,
    /// L1 sends from the keeper's key.
    pub txmgr: TxManager,
    /// The keeper's database.
    pub db: std::sync::Mutex<KeeperDb>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Whether the keeper has caught up with L1.
    pub ready: Arc<AtomicBool>,
}

impl Context {
    /// Loads and checks everything `args` names; `role` names the database file.
    pub async fn load(args: &CommonArgs, role: &str) -> eyre::Result<Self> {
        let L1 {
            deployment,
            provider,
            chain_id: l1_chain_id,
        } = args.l1.connect().await?;
        let genesis = args.l1.load_genesis(&deployment)?;
        let key = args.key.load()?;
        let txmgr = TxManager::new(
            provider.clone(),
            EthereumWallet::from(key.clone()),
            key.address(),
            l1_chain_id,
            Default::default(),
        );
        std::fs::create_dir_all(&args.data_dir)
            .wrap_err_with(|| format!("creating the data directory {}", args.data_dir.display()))?;
        let path = args.data_dir.join(format!("{role}.sqlite"));
        let db = KeeperDb::open(&path).wrap_err_with(|| format!("opening {}", path.display()))?;
        Ok(Self {
            deployment,
            genesis,
            provider,
            txmgr,
            db: std::sync::Mutex::new(db),
            metrics: Arc::new(Metrics::default()),
            ready: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The keeper's L1 account.
    pub fn address(&self) -> Address {
        self.txmgr.address()
    }

    /// The database, locked.
    pub fn db(&self) -> std::sync::MutexGuard<'_, KeeperDb> {
        self.db.lock().expect("db lock")
    }

    /// Marks the keeper caught up (or not).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }
}
