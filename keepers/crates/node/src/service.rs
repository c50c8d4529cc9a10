//! The running node: shared state, start-up (replaying the store), the L1 loop, the servers,
//! and shutdown.

use crate::{
    config::NodeConfig,
    duty::{Duty, DutyReader},
    follow::{L1Reader, Polled},
    metrics::Metrics,
    rpc,
    sequencer::{self, Records},
    store::Store,
    txmgr::TxManager,
    view::View,
};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{Provider, RootProvider},
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use baton_bindings::{Deployment, ILeaderSchedule};
use baton_core::{Eip712Domain, Genesis, ledger::LedgerConfig};
use eyre::{WrapErr, bail};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Everything the node's tasks share.
#[derive(Debug)]
pub struct Shared {
    /// Settings.
    pub config: NodeConfig,
    /// The contracts.
    pub deployment: Deployment,
    /// The EIP-712 domain of headers.
    pub domain: Eip712Domain,
    /// L1 reads.
    pub provider: RootProvider,
    /// The ledger parameters.
    pub ledger: LedgerConfig,
    /// The mempool limits.
    pub pool: baton_core::MempoolConfig,
    /// The key that signs headers.
    pub signer: PrivateKeySigner,
    /// The operator this node sequences for.
    pub operator: Address,
    /// L1 sends.
    pub txmgr: TxManager,
    /// The L2 view.
    pub view: Mutex<View>,
    /// The database (slashing protection, preconfirmed blocks).
    pub store: Mutex<Store>,
    /// Record boundaries.
    pub records: Mutex<Records>,
    /// The current duty.
    pub duty: watch::Sender<Duty>,
    /// Peer RPC URLs by operator.
    pub peers: Mutex<HashMap<Address, String>>,
    /// Counters.
    pub metrics: Metrics,
    /// Last L1 block read into the view.
    pub l1_cursor: AtomicU64,
    /// Whether the node has caught up with L1 and serves.
    pub ready: AtomicBool,
    /// One more than the last epoch in which this node applied a block from the acting node
    /// (0: never). A backup rank defers to a leader it still hears from.
    pub followed_epoch: AtomicU64,
    /// The last epoch this node sealed blocks of ahead, during the margin of the one before
    /// (`u64::MAX`: none). It goes on sealing that epoch without waiting to read its first L1
    /// block.
    pub sealed_ahead: AtomicU64,
    /// The L1 block the view must have read before sealing again (the L1 head when this node
    /// last dropped its pending blocks: its own records up to there must be derived first).
    pub resync_until: AtomicU64,
    /// Second headers signed under `--fault-equivocate` (the scripted equivocation), served in
    /// the block stream beside the real ones.
    pub fault_twins: Mutex<Vec<crate::store::SignedBlock>>,
}

impl Shared {
    /// The view, locked.
    pub fn view(&self) -> MutexGuard<'_, View> {
        self.view.lock().expect("view lock")
    }

    /// The L2 base fee (from the deployment: taking no lock, callers may hold the view).
    pub fn base_fee(&self) -> u128 {
        self.deployment.parameters.l2_base_fee.saturating_to()
    }

    /// What `baton_status` reports.
    pub fn status(&self) -> Value {
        let duty = self.duty.borrow().clone();
        let view = self.view();
        let safe = view.canonical().head().number;
        json!({
            "operator": self.operator,
            "signer": self.signer.address(),
            "l1Block": duty.l1_block,
            "l1Cursor": self.l1_cursor.load(Ordering::Relaxed),
            "epoch": duty.epoch,
            "acting": duty.acting.map(|(op, signer, rank)| json!({"operator": op, "signer": signer, "rank": rank})),
            "sequencing": duty.sealing,
            "myRank": duty.my_rank,
            "head": view.head().number,
            "safeHead": safe,
            "records": view.canonical().records(),
            "forceCursor": view.canonical().force_cursor(),
            "mempool": view.mempool.len(),
            "ready": self.ready.load(Ordering::Relaxed),
        })
    }
}

/// The ledger parameters the deployment fixes.
pub fn ledger_config(d: &Deployment) -> eyre::Result<LedgerConfig> {
    Ok(LedgerConfig {
        chain_id: d.parameters.l2_chain_id,
        base_fee: d
            .parameters
            .l2_base_fee
            .try_into()
            .wrap_err("l2BaseFee does not fit u128")?,
    })
}

/// Rebuilds the view from what the store holds: entries and records from L1, then the
/// preconfirmed blocks above the derived head (dropping those that no longer apply).
fn replay(view: &mut View, store: &Store) -> eyre::Result<Records> {
    for entry in store.entries()? {
        view.add_entry(entry);
    }
    for record in store.records()? {
        view.apply_record(&record)
            .wrap_err_with(|| format!("re-deriving stored record {}", record.index))?;
    }
    let head = view.canonical().head().number;
    let mut records = Records::default();
    for block in store.blocks_above(head)? {
        let number = block.header.number;
        let signature = block.signature.clone();
        let expected = baton_core::l2::block_hash(&block.header);
        let starts = !block.entries.is_empty() || records.open.is_none();
        match view.seal(block, None) {
            Ok(entry) if entry.block.hash == expected => {
                view.set_signature(number, signature);
                if starts {
                    if let Some((first, _)) = records.open.take() {
                        records.cut.push_back((first, number - 1));
                    }
                    records.open = Some((number, std::time::Instant::now()));
                }
            }
            _ => {
                warn!(target: "baton::node", number, "stored preconfirmed block no longer applies: dropped");
                view.drop_pending();
                return Ok(Records::default());
            }
        }
    }
    Ok(records)
}

/// Reads the deployment record at `path`.
pub fn load_deployment(path: &std::path::Path) -> eyre::Result<Deployment> {
    Deployment::from_file(path)
        .wrap_err_with(|| format!("reading the deployment record {}", path.display()))
}

/// Reads the L2 genesis at `path`, which must be the one `deployment` commits to.
pub fn load_genesis(path: &std::path::Path, deployment: &Deployment) -> eyre::Result<Genesis> {
    let genesis = Genesis::from_json(
        &std::fs::read_to_string(path)
            .wrap_err_with(|| format!("reading the L2 genesis {}", path.display()))?,
    )?;
    if genesis.state_root() != deployment.parameters.genesis_state_root {
        bail!(
            "the genesis file {} has state root {}, but the deployment commits to {}: pass the genesis file of the profile that was deployed (--genesis)",
            path.display(),
            genesis.state_root(),
            deployment.parameters.genesis_state_root
        );
    }
    Ok(genesis)
}

/// Connects to the L1 RPC at `url`, which must serve the chain `deployment` is on; returns the
/// provider and the chain id.
pub async fn connect_l1(
    url: &alloy::transports::http::reqwest::Url,
    deployment: &Deployment,
) -> eyre::Result<(RootProvider, u64)> {
    let provider = RootProvider::new_http(url.clone());
    let chain_id = provider
        .get_chain_id()
        .await
        .wrap_err_with(|| format!("L1 RPC {url} is unreachable"))?;
    if chain_id != deployment.chain_id {
        bail!(
            "L1 RPC {url} is chain {chain_id}, but the deployment is on chain {}",
            deployment.chain_id
        );
    }
    Ok((provider, chain_id))
}

/// Starts the node and runs it until `cancel` fires.
pub async fn run(mut config: NodeConfig, cancel: CancellationToken) -> eyre::Result<()> {
    let deployment = load_deployment(&config.deployment)?;
    config.fit_to(&deployment.parameters.record_limits());
    config.check()?;
    let genesis = load_genesis(&config.genesis_path(&deployment), &deployment)?;
    let (provider, l1_chain_id) = connect_l1(&config.l1_rpc, &deployment).await?;
    let key = config.key.load()?;
    let signer = match &config.signer_key {
        Some(k) => k
            .parse::<PrivateKeySigner>()
            .wrap_err("--signer-key is not a private key")?,
        None => key.clone(),
    };
    let operator = key.address();
    config.fee_recipient = config.fee_recipient_arg.unwrap_or(operator);
    std::fs::create_dir_all(&config.data_dir)
        .wrap_err_with(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let db = config.data_dir.join("node.sqlite");
    let store = Store::open(&db).wrap_err_with(|| format!("opening {}", db.display()))?;
    let l1_store = Store::open(&db)?;
    let ledger = ledger_config(&deployment)?;
    let mut view = View::new(genesis.state(), ledger, deployment.portal, config.mempool());
    let records = replay(&mut view, &store)?;
    let l1_cursor = store.l1_cursor()?.unwrap_or(0);
    info!(target: "baton::node", %operator, head = view.head().number, safe = view.canonical().head().number, l1_cursor, "state restored");

    let txmgr = TxManager::new(
        provider.clone(),
        EthereumWallet::from(key.clone()),
        operator,
        l1_chain_id,
        Default::default(),
    );
    let duty_reader = DutyReader::new(
        provider.clone(),
        deployment.clone(),
        operator,
        config.epoch_margin,
    )
    .await?;
    let shared = Arc::new(Shared {
        domain: deployment.domain(),
        config: config.clone(),
        deployment: deployment.clone(),
        provider: provider.clone(),
        ledger,
        pool: config.mempool(),
        signer,
        operator,
        txmgr,
        view: Mutex::new(view),
        store: Mutex::new(store),
        records: Mutex::new(records),
        duty: watch::Sender::new(Duty::default()),
        peers: Mutex::new(HashMap::new()),
        metrics: Metrics::default(),
        l1_cursor: AtomicU64::new(l1_cursor),
        ready: AtomicBool::new(false),
        followed_epoch: AtomicU64::new(0),
        sealed_ahead: AtomicU64::new(u64::MAX),
        resync_until: AtomicU64::new(0),
        fault_twins: Mutex::new(Vec::new()),
    });

    let rpc_config = jsonrpsee::server::ServerConfig::builder()
        .max_request_body_size(config.max_request_bytes)
        .build();
    let server = jsonrpsee::server::Server::builder()
        .set_config(rpc_config)
        .build(config.rpc_addr)
        .await
        .wrap_err_with(|| format!("binding the L2 RPC on {}", config.rpc_addr))?;
    let rpc_addr = server.local_addr()?;
    let rpc_handle = server.start(rpc::module(shared.clone()));
    let metrics_addr =
        crate::metrics::serve(shared.clone(), config.metrics_addr, cancel.clone()).await?;
    info!(target: "baton::node", %rpc_addr, %metrics_addr, "serving");
    shared
        .peers
        .lock()
        .expect("peers lock")
        .insert(operator, format!("http://{rpc_addr}"));

    let reader = L1Reader::new(provider.clone(), deployment.clone(), config.confirmations);
    let tasks = vec![
        tokio::spawn(run_l1(
            shared.clone(),
            reader,
            l1_store,
            duty_reader,
            cancel.clone(),
        )),
        tokio::spawn(sequencer::run_sealer(shared.clone(), cancel.clone())),
        tokio::spawn(sequencer::run_poster(shared.clone(), cancel.clone())),
        tokio::spawn(sequencer::run_follower(shared.clone(), cancel.clone())),
    ];
    cancel.cancelled().await;
    info!(target: "baton::node", "shutting down: posting what is sealed");
    for task in tasks {
        let _ = task.await;
    }
    let _ = rpc_handle.stop();
    rpc_handle.stopped().await;
    info!(target: "baton::node", "stopped");
    Ok(())
}

/// Applies what a poll read to the view.
fn apply_polled(shared: &Shared, store: &Store, polled: Polled) -> eyre::Result<()> {
    match polled {
        Polled::Idle => {}
        Polled::Advanced {
            records,
            entries,
            cursor,
        } => {
            let mut view = shared.view();
            for entry in entries {
                view.add_entry(entry);
            }
            for record in &records {
                view.apply_record(record)?;
            }
            drop(view);
            shared.l1_cursor.store(cursor, Ordering::Relaxed);
        }
        Polled::Rewound { to } => {
            // Re-derive without the removed records, then offer this node's own signed blocks
            // again on top: re-posting the same blocks is safe, signing new ones at those
            // heights would not be.
            let mut records = shared.records.lock().expect("records lock");
            let mut view = shared.view();
            view.reset_to_genesis();
            *records = replay(&mut view, store)?;
            drop(view);
            drop(records);
            shared.l1_cursor.store(to, Ordering::Relaxed);
            shared.metrics.reorgs.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// The L1 loop: read records and entries, track the duty, take the epoch's checkpoint.
async fn run_l1(
    shared: Arc<Shared>,
    reader: L1Reader,
    mut store: Store,
    duty_reader: DutyReader,
    cancel: CancellationToken,
) {
    let mut backoff = shared.config.l1_poll;
    let mut checkpointed_epoch = None;
    loop {
        let step = async {
            let polled = reader.poll(&mut store).await?;
            let caught_up = polled == Polled::Idle;
            let rewound = matches!(polled, Polled::Rewound { .. });
            apply_polled(&shared, &store, polled)?;
            if rewound {
                shared.txmgr.resync().await;
            }
            let head = reader.head().await?;
            let duty = duty_reader.duty_at(head).await?;
            shared.metrics.l1_lag.store(
                head.saturating_sub(shared.l1_cursor.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
            if checkpointed_epoch != Some(duty.epoch) {
                checkpointed_epoch = Some(duty.epoch);
                tokio::spawn(take_checkpoint(shared.clone()));
            }
            shared.duty.send_replace(duty);
            eyre::Ok(caught_up)
        };
        match step.await {
            Ok(caught_up) => {
                backoff = shared.config.l1_poll;
                if caught_up {
                    shared.ready.store(true, Ordering::Relaxed);
                }
                {
                    let view = shared.view();
                    shared
                        .metrics
                        .l2_head
                        .store(view.head().number, Ordering::Relaxed);
                    shared
                        .metrics
                        .safe_head
                        .store(view.canonical().head().number, Ordering::Relaxed);
                    shared
                        .metrics
                        .mempool_size
                        .store(view.mempool.len() as u64, Ordering::Relaxed);
                }
                if caught_up {
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(shared.config.l1_poll) => {}
                    }
                } else if cancel.is_cancelled() {
                    return;
                }
            }
            Err(e) => {
                shared.metrics.l1_errors.fetch_add(1, Ordering::Relaxed);
                warn!(target: "baton::node", error = %e, retry_in_ms = backoff.as_millis() as u64, "L1 unavailable");
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Takes the epoch's checkpoint when nobody has yet (simulated first: a taken checkpoint
/// returns false and costs nothing).
async fn take_checkpoint(shared: Arc<Shared>) {
    let schedule = shared.deployment.leader_schedule(shared.provider.clone());
    let Ok(taken) = schedule.checkpoint().from(shared.operator).call().await else {
        return;
    };
    if !taken {
        return;
    }
    let input = ILeaderSchedule::checkpointCall {}.abi_encode();
    if let Err(e) = shared
        .txmgr
        .send(
            shared.deployment.sequencer_registry,
            input.into(),
            U256::ZERO,
        )
        .await
    {
        tracing::debug!(target: "baton::node", error = %e, "checkpoint not taken (another node was first?)");
    }
}
