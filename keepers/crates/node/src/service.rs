//! The running node: start-up (replaying the store), the L1 loop, the servers, and shutdown.

use crate::{
    chain::NodeChain,
    config::NodeConfig,
    duty::{Duty, DutyReader},
    evm::{self, EvmChain},
    metrics::Metrics,
    rpc::{self, counting::CountCalls},
    sequencer,
    shared::{NodeCore, Records, Shared},
    store::Store,
    view::View,
};
use alloy::{
    network::EthereumWallet, primitives::U256, signers::local::PrivateKeySigner, sol_types::SolCall,
};
use baton_bindings::{ILeaderSchedule, L2Execution};
use baton_l1::{
    L1Reader, L1Store, Polled, TxManager,
    connect::ledger_config,
    endpoints::{Endpoints, serve_endpoints},
};
use eyre::WrapErr;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Brings the chain to what the stores hold: the entries and records read from L1, then this
/// node's preconfirmed blocks above the derived head (all of them dropped if one no longer
/// applies). Returns where the records being filled begin and end.
fn replay<C: NodeChain>(chain: &mut C, l1: &L1Store, store: &Store) -> eyre::Result<Records> {
    chain.resync(l1)?;
    let mut records = Records::default();
    for block in store.blocks_above(chain.safe_head())? {
        let number = block.header.number;
        let starts = !block.entries.is_empty() || records.open.is_none();
        if !chain.restore(block) {
            warn!(target: "baton::node", number, "stored preconfirmed block no longer applies: dropped");
            chain.drop_pending();
            return Ok(Records::default());
        }
        if starts {
            if let Some((first, _)) = records.open.take() {
                records.cut.push_back((first, number - 1));
            }
            records.open = Some((number, std::time::Instant::now()));
        }
    }
    Ok(records)
}

/// Starts the node and runs it until `cancel` fires.
pub async fn run(mut config: NodeConfig, cancel: CancellationToken) -> eyre::Result<()> {
    let baton_l1::L1 {
        deployment,
        provider,
        chain_id: l1_chain_id,
    } = config.l1.connect().await?;
    config.fit_to(&deployment.parameters.record_limits());
    config.check()?;
    let genesis = config.l1.load_genesis(&deployment)?;
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
    // One file, three connections: the signing store the tasks share, and the L1 loop's own
    // handles on the L1 tables and on the preconfirmed blocks it replays after a reorg.
    let opening = || format!("opening {}", db.display());
    let store = Store::open(&db).wrap_err_with(opening)?;
    let l1_store = L1Store::open(&db).wrap_err_with(opening)?;
    let l1_blocks = Store::open(&db).wrap_err_with(opening)?;
    let ledger = ledger_config(&deployment)?;
    let l1_cursor = l1_store.l1_cursor()?.unwrap_or(0);
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
    let parts = Parts {
        core: NodeCore {
            domain: deployment.domain(),
            config: config.clone(),
            deployment: deployment.clone(),
            provider: provider.clone(),
            ledger,
            pool: config.mempool(),
            signer,
            operator,
            txmgr,
            store: Mutex::new(store),
            records: Mutex::new(Records::default()),
            duty: watch::Sender::new(Duty::default()),
            peers: Mutex::new(HashMap::new()),
            metrics: Metrics::default(),
            l1_cursor: AtomicU64::new(l1_cursor),
            ready: AtomicBool::new(false),
            followed_epoch: AtomicU64::new(0),
            sealed_ahead: AtomicU64::new(u64::MAX),
            resync_until: AtomicU64::new(0),
            fault_twins: Mutex::new(Vec::new()),
        },
        l1_stores: (l1_store, l1_blocks),
        duty_reader,
        cancel,
    };
    match deployment.parameters.l2_execution {
        L2Execution::Ledger => {
            let view = View::new(genesis.state(), ledger, deployment.portal, config.mempool());
            start(parts, view, rpc::module).await
        }
        L2Execution::Evm => {
            let chain = evm::open_chain(
                &config.data_dir.join("chain.sqlite"),
                &deployment.parameters,
                &genesis,
                deployment.portal,
                config.evm_pool(),
            )?;
            let chain = Arc::new(Mutex::new(chain));
            let view = EvmChain::new(chain.clone())?;
            start(parts, view, |shared| rpc::evm_module(shared, chain)).await
        }
    }
}

/// What the node holds whatever chain it runs: the shared state without its chain, the L1
/// loop's stores and duty reader.
struct Parts {
    core: NodeCore,
    l1_stores: (L1Store, Store),
    duty_reader: DutyReader,
    cancel: CancellationToken,
}

/// Restores `chain` from the stores, then serves and runs the loops over it.
async fn start<C: NodeChain>(
    parts: Parts,
    mut chain: C,
    module: impl FnOnce(Arc<Shared<C>>) -> jsonrpsee::RpcModule<()>,
) -> eyre::Result<()> {
    let Parts {
        core,
        l1_stores,
        duty_reader,
        cancel,
    } = parts;
    *core.records.lock().expect("records lock") = replay(&mut chain, &l1_stores.0, &l1_stores.1)?;
    let shared = Arc::new(Shared {
        core,
        view: Mutex::new(chain),
    });
    let module = module(shared.clone());
    serve(shared, module, l1_stores, duty_reader, cancel).await
}

/// Serves the JSON-RPC and the endpoints and runs the loops over the chain until `cancel`.
async fn serve<C: NodeChain>(
    shared: Arc<Shared<C>>,
    module: jsonrpsee::RpcModule<()>,
    l1_stores: (L1Store, Store),
    duty_reader: DutyReader,
    cancel: CancellationToken,
) -> eyre::Result<()> {
    let (config, operator) = (shared.config.clone(), shared.operator);
    {
        let view = shared.view();
        info!(target: "baton::node", %operator, head = view.head().number, safe = view.safe_head(), l1_cursor = shared.l1_cursor.load(Ordering::Relaxed), "state restored");
    }
    let rpc_config = baton_rpc::server_config(config.max_request_bytes);
    let counting = shared.clone();
    let server = jsonrpsee::server::Server::builder()
        .set_config(rpc_config)
        .set_rpc_middleware(
            jsonrpsee::server::middleware::rpc::RpcServiceBuilder::new()
                .layer_fn(move |service| CountCalls::new(service, counting.clone())),
        )
        .build(config.rpc_addr)
        .await
        .wrap_err_with(|| format!("binding the L2 RPC on {}", config.rpc_addr))?;
    let rpc_addr = server.local_addr()?;
    let rpc_handle = server.start(module);
    let (m, r) = (shared.clone(), shared.clone());
    let endpoints = Endpoints {
        metrics: Arc::new(move || m.metrics.render()),
        ready: Arc::new(move || r.ready.load(Ordering::Relaxed)),
    };
    let metrics_addr = serve_endpoints(endpoints, config.metrics_addr, cancel.clone()).await?;
    info!(target: "baton::node", %rpc_addr, %metrics_addr, "serving");
    shared
        .peers
        .lock()
        .expect("peers lock")
        .insert(operator, format!("http://{rpc_addr}"));

    let reader = L1Reader::new(
        shared.provider.clone(),
        shared.deployment.clone(),
        config.follow.confirmations,
    );
    let tasks = vec![
        tokio::spawn(run_l1(
            shared.clone(),
            reader,
            l1_stores,
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
/// `blocks` is taken `&mut`: the L1 loop owns that connection, and a shared reference to it
/// could not be held across the loop's awaits (a SQLite connection is not `Sync`).
fn apply_polled<C: NodeChain>(
    shared: &Shared<C>,
    (l1, blocks): (&L1Store, &mut Store),
    polled: Polled,
) -> eyre::Result<()> {
    match polled {
        Polled::Idle => {}
        Polled::Advanced {
            records,
            entries,
            cursor,
        } => {
            let mut view = shared.view();
            for entry in entries {
                view.queue_mut().add(entry);
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
            *records = replay(&mut *view, l1, blocks)?;
            drop(view);
            drop(records);
            shared.l1_cursor.store(to, Ordering::Relaxed);
            shared.metrics.reorgs.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// The L1 loop: read records and entries, track the duty, take the epoch's checkpoint.
async fn run_l1<C: NodeChain>(
    shared: Arc<Shared<C>>,
    reader: L1Reader,
    (mut l1, mut blocks): (L1Store, Store),
    duty_reader: DutyReader,
    cancel: CancellationToken,
) {
    let mut backoff = shared.config.follow.l1_poll;
    let mut checkpointed_epoch = None;
    loop {
        let step = async {
            let polled = reader.poll(&mut l1).await?;
            let caught_up = polled == Polled::Idle;
            let rewound = matches!(polled, Polled::Rewound { .. });
            apply_polled(&shared, (&l1, &mut blocks), polled)?;
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
                backoff = shared.config.follow.l1_poll;
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
                        .store(view.safe_head(), Ordering::Relaxed);
                    shared
                        .metrics
                        .mempool_size
                        .store(view.pool_len() as u64, Ordering::Relaxed);
                }
                if caught_up {
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(shared.config.follow.l1_poll) => {}
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
async fn take_checkpoint<C: NodeChain>(shared: Arc<Shared<C>>) {
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
