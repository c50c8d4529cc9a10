//! `baton watcher`: turns misbehaviour into slashes.
//!
//! - **Equivocation.** It collects signed L2 headers from every watched node's block stream
//!   (`baton_getSignedBlocks`) and from preconfirmation receipts users hand in
//!   (`baton_submitEvidence` on its own JSON-RPC, or `baton watcher submit-evidence`). Two
//!   different headers for one height and epoch signed by one key are sent to
//!   `Slasher.slashBlockEquivocation` on the next tick (ticks are a fraction of an L1 block, and a
//!   handed-in receipt wakes the loop at once).
//! - **Censorship.** Once a force-queue entry is past its deadline and no record consumed it,
//!   it appends a forced record holding every overdue entry (`BatchInbox.submitForcedRecord`)
//!   and reports the censoring epoch (`Slasher.slashCensorship`).
//! - **Missed epochs.** For every ended epoch inside the slashing window whose leader posted
//!   nothing, it calls `Slasher.slashLiveness`.
//!
//! Each piece of evidence is settled in SQLite once its slash is mined or L1 refuses it for good
//! (already used, leader jailed, outside the window), so a restart re-submits only what is not
//! settled, and the simulation refuses anything L1 already took.

use crate::{
    Keeper,
    config::WatcherConfig,
    db::{HeaderRow, KeeperDb},
    metrics::Metrics,
    reorg::{REORG_WINDOW, head_block, replaced},
    send::{Sent, send},
};
use alloy::{
    primitives::{Address, Bytes, U256},
    providers::RootProvider,
    sol_types::SolEvent,
};
use baton_bindings::{Deployment, IBatchInbox, ISlasher};
use baton_core::{BlockHeader, Eip712Domain, recover_signer};
use baton_l1::force::overdue_entries;
use baton_rpc::{
    BatonApiClient, EvidenceReceipt, RpcResult, WatcherApiServer,
    errors::{INTERNAL, INVALID_PARAMS, rpc_error},
};
use serde::Deserialize;
use serde_json::Value;
use std::{path::PathBuf, sync::Arc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// How far below the last height read a stream is read again each tick: a leader that signs a
/// second header for a recent height after it was read is still caught.
const STREAM_OVERLAP: u64 = 64;
/// Signed blocks asked for at once.
const STREAM_PAGE: usize = 500;

/// A signed header as a node streams it or a receipt carries it.
#[derive(Clone, Debug, Deserialize)]
pub struct SignedHeader {
    /// The header.
    pub header: BlockHeader,
    /// The 65-byte signature over its EIP-712 digest.
    pub signature: Bytes,
}

/// Checks a signed header and turns it into a row: the signature must recover, and to a key
/// that L1 knows as a sequencer's.
async fn verify(
    provider: &RootProvider,
    deployment: &Deployment,
    domain: &Eip712Domain,
    signed: &SignedHeader,
    source: &str,
) -> Result<HeaderRow, String> {
    let chain = deployment.parameters.l2_chain_id;
    if signed.header.chainId != U256::from(chain) {
        return Err(format!(
            "the header is for L2 chain {}, this watcher guards chain {chain}",
            signed.header.chainId
        ));
    }
    let hash = signed.header.signing_digest(domain);
    let signer = recover_signer(&hash, &signed.signature)
        .map_err(|e| format!("the signature does not recover: {e}"))?;
    let operator = deployment
        .registry(provider)
        .operatorOf(signer)
        .call()
        .await
        .map_err(|e| format!("L1 RPC: {e}"))?;
    if operator == Address::ZERO {
        return Err(format!(
            "the header is signed by {signer}, which is no sequencer's signer key"
        ));
    }
    Ok(HeaderRow {
        number: signed.header.number,
        epoch: signed.header.epoch,
        hash: baton_core::block_hash(&signed.header),
        signer,
        header: serde_json::to_string(&signed.header).expect("headers serialize"),
        signature: signed.signature.to_vec(),
        source: source.to_string(),
    })
}

/// Runs the watcher until `cancel` fires.
pub async fn run(config: WatcherConfig, cancel: CancellationToken) -> eyre::Result<()> {
    let mut keeper = Keeper::start(&config.common, "watcher", &cancel).await?;
    let wake = Arc::new(Notify::new());
    let rpc = serve_rpc(&keeper, &config, wake.clone()).await?;
    info!(target: "baton::keeper", rpc = %rpc, nodes = ?config.nodes, "watching");
    let domain = keeper.ctx.deployment.domain();
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            more = keeper.tick(&cancel) => if !more { break },
        }
        let step = async {
            keeper.follow().await?;
            recheck_settled(&keeper).await?;
            for url in &config.nodes {
                if let Err(e) = collect(&keeper, &domain, url).await {
                    warn!(target: "baton::keeper", node = %url, error = %e, "cannot read the node's block stream");
                }
            }
            submit_equivocations(&keeper).await?;
            enforce_inclusion(&keeper).await?;
            slash_missed_epochs(&keeper, config.liveness_lookback).await?;
            crate::dispute::claim_reward(&keeper.ctx).await
        };
        if let Err(e) = step.await {
            keeper.failed(&e);
        }
    }
    info!(target: "baton::keeper", "watcher stopped");
    Ok(())
}

/// Reads one node's signed blocks since the last height read (less the overlap).
async fn collect(keeper: &Keeper, domain: &Eip712Domain, url: &str) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let key = format!("stream:{url}");
    let mut after = ctx.db().meta_u64(&key, 0)?.saturating_sub(STREAM_OVERLAP);
    let client = baton_rpc::http_client(url, std::time::Duration::from_secs(5))?;
    loop {
        let blocks: Vec<SignedHeader> = client
            .signed_blocks(after, Some(STREAM_PAGE))
            .await?
            .into_iter()
            .map(|b| SignedHeader {
                header: b.header,
                signature: b.signature,
            })
            .collect();
        let Some(last) = blocks.iter().map(|b| b.header.number).max() else {
            return Ok(());
        };
        for block in &blocks {
            match verify(&ctx.provider, &ctx.deployment, domain, block, url).await {
                Ok(row) => {
                    if ctx.db().put_header(&row)? {
                        Metrics::inc(&ctx.metrics.headers_collected);
                    }
                }
                Err(reason) => {
                    warn!(target: "baton::keeper", node = %url, number = block.header.number, %reason, "ignored a streamed header")
                }
            }
        }
        let read = ctx.db().meta_u64(&key, 0)?;
        ctx.db().set_meta(&key, &last.max(read).to_string())?;
        if blocks.len() < STREAM_PAGE {
            return Ok(());
        }
        after = last;
    }
}

/// Submits every conflict held and not settled.
async fn submit_equivocations(keeper: &Keeper) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let conflicts = ctx.db().conflicts()?;
    for (number, epoch) in conflicts {
        let rows = ctx.db().headers_at(number, epoch)?;
        let pair = rows.iter().enumerate().find_map(|(i, a)| {
            rows[i + 1..]
                .iter()
                .find(|b| b.signer == a.signer && b.hash != a.hash)
                .map(|b| (a, b))
        });
        let Some((a, b)) = pair else { continue };
        let key = format!("equivocation:{}:{epoch}:{number}", a.signer);
        if ctx.db().evidence_done(&key)? {
            continue;
        }
        let header_a: BlockHeader = serde_json::from_str(&a.header)?;
        let header_b: BlockHeader = serde_json::from_str(&b.header)?;
        warn!(target: "baton::keeper", signer = %a.signer, number, epoch, from_a = %a.source, from_b = %b.source, "equivocation: two signed headers for one height");
        let call = ISlasher::slashBlockEquivocationCall {
            a: header_a.into(),
            sigA: a.signature.clone().into(),
            b: header_b.into(),
            sigB: b.signature.clone().into(),
        };
        settle(
            keeper,
            &key,
            ctx.deployment.slasher,
            call,
            "slashBlockEquivocation",
        )
        .await?;
    }
    Ok(())
}

/// Sends a slash unless its evidence is settled; settles it once mined or refused.
async fn settle<C: alloy::sol_types::SolCall>(
    keeper: &Keeper,
    key: &str,
    to: Address,
    call: C,
    what: &str,
) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    match send(ctx, to, call, U256::ZERO, what).await? {
        Sent::Mined(receipt) => {
            Metrics::inc(&ctx.metrics.slashes_submitted);
            let slashed = receipt
                .inner
                .logs()
                .iter()
                .find_map(|l| ISlasher::OffenceSlashed::decode_log(&l.inner).ok())
                .map(|e| e.data.amount)
                .unwrap_or_default();
            info!(target: "baton::keeper", evidence = key, tx = %receipt.transaction_hash, wei = %slashed, "slashed");
            ctx.db().settle_evidence(
                key,
                what,
                &receipt.transaction_hash.to_string(),
                receipt.block_number.unwrap_or_default(),
                receipt.block_hash.unwrap_or_default(),
            )?;
        }
        Sent::Refused(reason) => {
            // A refusal is final for evidence on this chain: the state it depends on (an ended
            // epoch, a used evidence key, a jailed leader) does not change back, except by a
            // reorg, which `recheck_settled` catches through the block it was refused at.
            info!(target: "baton::keeper", evidence = key, %reason, "L1 refuses this evidence: settled without a slash");
            let (number, hash) = head_block(&ctx.provider).await?;
            ctx.db()
                .settle_evidence(key, what, &format!("refused: {reason}"), number, hash)?;
        }
    }
    Ok(())
}

/// Forgets evidence settled in an L1 block a reorg replaced, so it is judged again: a slash
/// that vanished with its block is sent again, a refusal based on vanished state is retried.
async fn recheck_settled(keeper: &Keeper) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let (head, _) = head_block(&ctx.provider).await?;
    let settled = ctx.db().settled_since(head.saturating_sub(REORG_WINDOW))?;
    for key in replaced(&ctx.provider, settled).await? {
        warn!(target: "baton::keeper", evidence = %key, "L1 reorg removed the block this evidence was settled in: judging it again");
        ctx.db().unsettle(&key)?;
    }
    Ok(())
}

/// Appends a forced record once entries are overdue, then reports the censoring epoch.
async fn enforce_inclusion(keeper: &Keeper) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    if let Some(overdue) = overdue_entries(&ctx.deployment, &ctx.provider).await? {
        warn!(target: "baton::keeper", from = %overdue.cursor, to = %overdue.required, "force-queue entries overdue: appending a forced record");
        if let Sent::Mined(receipt) = send(
            ctx,
            ctx.deployment.batch_inbox,
            overdue.forced_record_call(),
            U256::ZERO,
            "submitForcedRecord",
        )
        .await?
        {
            Metrics::inc(&ctx.metrics.forced_records);
            if let Some(event) = receipt
                .inner
                .logs()
                .iter()
                .find_map(|l| IBatchInbox::RecordAppended::decode_log(&l.inner).ok())
            {
                info!(target: "baton::keeper", record = %event.data.index, "forced record appended");
            }
        }
    }
    // Every forced record this keeper derived whose report is not settled (just appended,
    // found after a restart, or reported in a block a reorg removed). Outside the slashing
    // window the slasher refuses it, which settles it.
    for index in keeper.deriver.forced_records() {
        let key = format!("censorship:{index}");
        if ctx.db().evidence_done(&key)? {
            continue;
        }
        warn!(target: "baton::keeper", record = index, "forced record: reporting the censoring leader");
        settle(
            keeper,
            &key,
            ctx.deployment.slasher,
            ISlasher::slashCensorshipCall {
                index: U256::from(index),
            },
            "slashCensorship",
        )
        .await?;
    }
    Ok(())
}

/// Reports every ended epoch in the slashing window whose leader posted nothing (from the
/// epoch the watcher first ran in, less `lookback`).
async fn slash_missed_epochs(keeper: &Keeper, lookback: u64) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let current = u64::try_from(
        ctx.deployment
            .leader_schedule(&ctx.provider)
            .currentEpoch()
            .call()
            .await?,
    )?;
    let window = ctx.deployment.parameters.slashing_window_epochs;
    let first = {
        let db = ctx.db();
        let first = db.meta_u64("watching_since_epoch", current)?;
        db.set_meta("watching_since_epoch", &first.to_string())?;
        first
    };
    let inbox = ctx.deployment.batch_inbox(&ctx.provider);
    let from = current
        .saturating_sub(window)
        .max(first.saturating_sub(lookback));
    for epoch in from..current {
        let key = format!("liveness:{epoch}");
        if ctx.db().evidence_done(&key)? {
            continue;
        }
        let posting = inbox.epochPosting(U256::from(epoch)).call().await?;
        if posting.leaderPosted {
            let (number, hash) = head_block(&ctx.provider).await?;
            ctx.db()
                .settle_evidence(&key, "leader posted", "none", number, hash)?;
            continue;
        }
        Metrics::inc(&ctx.metrics.missed_epochs);
        warn!(target: "baton::keeper", epoch, backup_posted = posting.posted, "missed epoch: the leader posted no record");
        settle(
            keeper,
            &key,
            ctx.deployment.slasher,
            ISlasher::slashLivenessCall {
                epoch: U256::from(epoch),
            },
            "slashLiveness",
        )
        .await?;
    }
    Ok(())
}

/// What the RPC handler needs: its own connection to the database, and what `verify` reads.
struct RpcState {
    db: std::sync::Mutex<KeeperDb>,
    provider: RootProvider,
    deployment: Deployment,
    domain: Eip712Domain,
    wake: Arc<Notify>,
}

/// Serves `baton_submitEvidence(receipt)`: a preconfirmation receipt as `baton_getPreconfirmation`
/// returns it (or any object with `header` and `signature`).
async fn serve_rpc(
    keeper: &Keeper,
    config: &WatcherConfig,
    wake: Arc<Notify>,
) -> eyre::Result<std::net::SocketAddr> {
    let path: PathBuf = config.common.data_dir.join("watcher.sqlite");
    let state = RpcState {
        db: std::sync::Mutex::new(KeeperDb::open(&path)?),
        provider: keeper.ctx.provider.clone(),
        deployment: keeper.ctx.deployment.clone(),
        domain: keeper.ctx.deployment.domain(),
        wake,
    };
    let module = WatcherApiServer::into_rpc(state);
    let server = jsonrpsee::server::Server::builder()
        .build(config.rpc_addr)
        .await
        .map_err(|e| eyre::eyre!("binding the watcher RPC on {}: {e}", config.rpc_addr))?;
    let addr = server.local_addr()?;
    let handle = server.start(module);
    tokio::spawn(async move {
        // Runs for the process's life; the loop's shutdown ends the process.
        handle.stopped().await;
    });
    Ok(addr)
}

#[jsonrpsee::core::async_trait]
impl WatcherApiServer for RpcState {
    async fn submit_evidence(&self, receipt: Value) -> RpcResult<EvidenceReceipt> {
        let signed: SignedHeader = serde_json::from_value(receipt).map_err(|e| {
            rpc_error(
                INVALID_PARAMS,
                format!("a receipt needs `header` (a signed L2 block header) and `signature`: {e}"),
            )
        })?;
        let row = verify(
            &self.provider,
            &self.deployment,
            &self.domain,
            &signed,
            "receipt",
        )
        .await
        .map_err(|reason| rpc_error(INVALID_PARAMS, reason))?;
        let db = self.db.lock().expect("db lock");
        let stored = db
            .put_header(&row)
            .map_err(|e| rpc_error(INTERNAL, format!("database: {e}")))?;
        let held = db
            .headers_at(row.number, row.epoch)
            .map_err(|e| rpc_error(INTERNAL, format!("database: {e}")))?;
        let conflict = held
            .iter()
            .any(|h| h.signer == row.signer && h.hash != row.hash);
        drop(db);
        self.wake.notify_one();
        Ok(EvidenceReceipt {
            stored,
            signer: row.signer,
            number: row.number,
            epoch: row.epoch,
            block_hash: row.hash,
            conflict,
        })
    }
}
