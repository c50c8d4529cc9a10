//! The posting loop: the open record is cut when full, old or its epoch is ending, and cut
//! records are posted in order; overdue force-queue entries are appended as a forced record
//! first. A record the inbox refuses drops the pending blocks (L1 is the truth).

use super::force_gate;
use crate::{chain::NodeChain, force::ForceGate, shared::Shared, store::SignedBlock};
use alloy::{primitives::U256, sol_types::SolCall};
use baton_bindings::IBatchInbox;
use baton_core::{L2Block, RecordContext, sign_digest};
use baton_l1::{TxError, force::overdue_entries};
use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// Cuts the open record when it is full, old or its epoch is ending.
fn maybe_cut<C: NodeChain>(shared: &Shared<C>) {
    let duty = shared.duty.borrow().clone();
    let mut records = shared.records.lock().expect("records lock");
    let Some((first, opened)) = records.open else {
        return;
    };
    let view = shared.view.lock().expect("view lock");
    let head = view.head().number;
    let bytes = view.record_bytes(first);
    let epoch_of_record = view.sealed(first).map(|b| b.header.epoch);
    // This epoch's open record is cut once it is the last that can still land in the epoch; a
    // record sealed ahead for the next epoch stays open until that epoch begins.
    let ending = match epoch_of_record {
        Some(e) if e == duty.epoch => {
            records.cut.len() as u64 + 2 >= duty.record_room(shared.config.epoch_margin)
        }
        Some(e) => e != duty.epoch + 1,
        None => true,
    };
    // The epoch's first record goes out at once: until it lands, backups may take the epoch.
    let first_of_epoch = !duty.posted && records.cut.is_empty();
    if bytes >= shared.config.max_record_bytes
        || view.record_txs(first) >= shared.config.max_record_txs
        || opened.elapsed() >= shared.config.max_record_age
        || ending
        || first_of_epoch
    {
        records.cut.push_back((first, head));
        records.open = None;
    }
}

/// When this node acts, has nothing of its own to post and an entry is overdue, appends the
/// forced record itself, so that it seals on top of it instead of racing anyone else's.
/// Returns whether one was sent.
async fn force_overdue<C: NodeChain>(shared: &Shared<C>) -> eyre::Result<bool> {
    let duty = shared.duty.borrow().clone();
    if shared.config.fault_censor || !duty.posting {
        return Ok(false);
    }
    {
        let records = shared.records.lock().expect("records lock");
        let view = shared.view.lock().expect("view lock");
        if records.open.is_some()
            || !records.cut.is_empty()
            || force_gate(shared, &view, &duty) != ForceGate::Force
            || shared.l1_cursor.load(Ordering::Relaxed)
                < shared.resync_until.load(Ordering::Relaxed)
        {
            return Ok(false);
        }
    }
    let Some(overdue) = overdue_entries(&shared.deployment, &shared.provider).await? else {
        return Ok(false);
    };
    let sent = shared
        .txmgr
        .send(
            shared.deployment.batch_inbox,
            overdue.forced_record_call().abi_encode().into(),
            U256::ZERO,
        )
        .await;
    // Either way, seal only once L1 has been read past this point: the forced record (this
    // node's or another's) must be derived before a block is built on it.
    let l1_head = shared.duty.borrow().l1_block;
    shared.resync_until.store(l1_head + 1, Ordering::Relaxed);
    match sent {
        Ok(receipt) => {
            shared
                .metrics
                .forced_records
                .fetch_add(1, Ordering::Relaxed);
            info!(target: "baton::sequencer", up_to = %overdue.required, l1_tx = %receipt.transaction_hash, "overdue force-queue entries appended as a forced record");
            Ok(true)
        }
        Err(e @ (TxError::Reverted(_) | TxError::MinedReverted(_))) => {
            // Someone else forced them first: nothing is lost, the chain goes on from theirs.
            debug!(target: "baton::sequencer", error = %e, "forced record not needed");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Posts the oldest cut record. Returns whether one was posted.
async fn post_once<C: NodeChain>(shared: &Shared<C>) -> eyre::Result<bool> {
    maybe_cut(shared);
    if force_overdue(shared).await? {
        return Ok(true);
    }
    let Some((first, last)) = shared
        .records
        .lock()
        .expect("records lock")
        .cut
        .front()
        .copied()
    else {
        return Ok(false);
    };
    let duty = shared.duty.borrow().clone();
    let inbox = shared.deployment.batch_inbox(shared.provider.clone());
    let queue = shared
        .deployment
        .force_inclusion_queue(shared.provider.clone());
    // L1's own view after the previous record was mined: the derived chain may lag behind it.
    let (prev_record_hash, last_l2, queue_cursor) = (
        inbox.lastRecordHash().call().await?,
        inbox.lastL2Block().call().await?,
        u64::try_from(queue.cursor().call().await?)?,
    );
    let (blocks, epoch) = {
        let view = shared.view.lock().expect("view lock");
        let blocks: Vec<SignedBlock> = (first..=last)
            .filter_map(|n| view.sealed(n).cloned())
            .collect();
        let epoch = blocks.first().map(|b| b.header.epoch);
        (blocks, epoch)
    };
    // The record's entries sit in its first block and must continue the queue where L1 is.
    let entries = blocks
        .first()
        .map(|b| b.entries.clone())
        .unwrap_or_default();
    let force_index = queue_cursor + entries.len() as u64;
    if epoch == Some(duty.epoch + 1) {
        // Sealed ahead: the inbox takes it once its epoch has begun.
        return Ok(false);
    }
    let stale = blocks.len() as u64 != last - first + 1
        || last_l2 + 1 != first
        || entries.first().is_some_and(|&i| i != queue_cursor)
        || epoch != Some(duty.epoch)
        || !duty.posting;
    if stale {
        warn!(target: "baton::sequencer", first, last, last_l2, "record can no longer be posted: dropping its blocks");
        drop_everything(shared);
        return Ok(false);
    }
    let rank = duty.my_rank.unwrap_or(0);
    let context = RecordContext {
        chain_id: U256::from(shared.deployment.parameters.l2_chain_id),
        epoch: duty.epoch,
        first_block: first,
        prev_record_hash,
        force_index,
        fee_recipient: shared.config.fee_recipient,
    };
    let l2_blocks: Vec<L2Block> = blocks.iter().map(L2Block::from).collect();
    let (header, data) = context.seal(&l2_blocks)?;
    let signature = sign_digest(&shared.signer, &header.signing_digest(&shared.domain))?;
    let call = IBatchInbox::submitRecordCall {
        header: header.clone().into(),
        rank: U256::from(rank),
        signature: signature.to_vec().into(),
        data,
    };
    match shared
        .txmgr
        .send(
            shared.deployment.batch_inbox,
            call.abi_encode().into(),
            U256::ZERO,
        )
        .await
    {
        Ok(receipt) => {
            shared.records.lock().expect("records lock").cut.pop_front();
            shared
                .metrics
                .records_posted
                .fetch_add(1, Ordering::Relaxed);
            info!(target: "baton::sequencer", first, last, epoch = header.epoch, txs = header.txCount, l1_tx = %receipt.transaction_hash, "record posted");
            Ok(true)
        }
        Err(e @ (TxError::Reverted(_) | TxError::MinedReverted(_))) => {
            warn!(target: "baton::sequencer", first, last, error = %e, "record rejected by the inbox: dropping its blocks");
            drop_everything(shared);
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

fn drop_everything<C: NodeChain>(shared: &Shared<C>) {
    shared.sealed_ahead.store(u64::MAX, Ordering::Relaxed);
    let l1_head = shared.duty.borrow().l1_block;
    shared.resync_until.store(l1_head, Ordering::Relaxed);
    let mut records = shared.records.lock().expect("records lock");
    records.open = None;
    records.cut.clear();
    let mut view = shared.view.lock().expect("view lock");
    let dropped = view.drop_pending();
    let canonical_head = view.safe_head();
    drop(view);
    if let Err(e) = shared
        .store
        .lock()
        .expect("store lock")
        .delete_blocks(None, Some(canonical_head))
    {
        warn!(target: "baton::sequencer", error = %e, "could not forget dropped blocks");
    }
    shared
        .metrics
        .blocks_dropped
        .fetch_add(dropped as u64, Ordering::Relaxed);
}

/// The posting loop. On shutdown it cuts and posts what is sealed (best effort, bounded).
pub async fn run_poster<C: NodeChain>(shared: Arc<Shared<C>>, cancel: CancellationToken) {
    loop {
        if cancel.is_cancelled() {
            {
                let mut records = shared.records.lock().expect("records lock");
                if let Some((first, _)) = records.open.take() {
                    let head = shared.view.lock().expect("view lock").head().number;
                    records.cut.push_back((first, head));
                }
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                match post_once(&shared).await {
                    Ok(true) => continue,
                    _ => break,
                }
            }
            return;
        }
        match post_once(&shared).await {
            Ok(true) => {}
            Ok(false) => {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
            Err(e) => {
                shared.metrics.l1_errors.fetch_add(1, Ordering::Relaxed);
                warn!(target: "baton::sequencer", error = %e, "posting failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
