//! The sealing loop: every `block_time`, when this node acts and may seal, one block executed on
//! the pending chain, guarded by slashing protection, then signed.

use super::{MAX_BLOCK_TXS, MAX_QUEUED_RECORDS, block_ticker, force_gate};
use crate::{
    chain::{NodeChain, SealRequest},
    duty::SealState,
    force::ForceGate,
    shared::Shared,
    store::SignedBlock,
};
use alloy::primitives::Bytes;
use baton_core::{
    batch::{BLOCK_HEADER_LEN, PREFIX_LEN},
    sign_digest,
};
use std::{
    sync::{Arc, atomic::Ordering},
    time::{Instant, SystemTime, UNIX_EPOCH},
};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Seals one block if there is something to seal. Returns its number.
pub fn seal_once<C: NodeChain>(shared: &Shared<C>) -> eyre::Result<Option<u64>> {
    let duty = shared.duty.borrow().clone();
    let l1_cursor = shared.l1_cursor.load(Ordering::Relaxed);
    let mut records = shared.records.lock().expect("records lock");
    let state = SealState {
        l1_cursor,
        sealed_ahead: shared.sealed_ahead.load(Ordering::Relaxed),
        resync_until: shared.resync_until.load(Ordering::Relaxed),
        followed_epoch: shared.followed_epoch.load(Ordering::Relaxed),
        queued_records: records.cut.len() as u64,
        epoch_margin: shared.config.epoch_margin,
    };
    // Whether and for which epoch this node seals now: a pure decision (duty.rs).
    let Some(epoch) = duty.seal_epoch(&state) else {
        return Ok(None);
    };
    let ahead = epoch != duty.epoch;
    let mut view = shared.view.lock().expect("view lock");
    // Never sign a height a forced record may take, never let an entry go overdue in hand
    // (force.rs). A censoring node (the devnet's scripted fault) ignores the queue altogether.
    let gate = if shared.config.fault_censor {
        ForceGate::Seal
    } else {
        force_gate(shared, &view, &duty)
    };
    match gate {
        ForceGate::Wait | ForceGate::Force => return Ok(None),
        ForceGate::StartRecord => {
            // The open record goes out as it is; this block starts the next with the entry.
            if let Some((first, _)) = records.open.take() {
                records.cut.push_back((first, view.head().number));
            }
        }
        ForceGate::Seal => {}
    }
    if records.open.is_none() && records.cut.is_empty() && l1_cursor >= duty.epoch_start {
        // Blocks another leader preconfirmed in an earlier epoch and never posted are dead: every
        // record of that epoch has been read. (This node's own posted blocks of the current epoch,
        // not derived yet, are not: a leader continuing into the next epoch builds on them.)
        let stale = view.unposted().iter().any(|b| b.header.epoch < duty.epoch);
        if stale {
            let dropped = view.drop_pending();
            shared
                .metrics
                .blocks_dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
    }
    // A record never spans two epochs: an open record of an earlier epoch waits for the poster,
    // unless this node is moving on to the next epoch's blocks, which start a record of their own.
    if let Some((first, _)) = records.open
        && view.sealed(first).map(|b| b.header.epoch) != Some(epoch)
    {
        if !ahead {
            return Ok(None);
        }
        records.cut.push_back((first, view.head().number));
        records.open = None;
    }
    // Backpressure: the inbox takes records one after another, one per L1 block at best.
    // Sealing further ahead would preconfirm blocks that may not reach L1 in time (and whose
    // heights could not be signed again in their epoch); transactions wait in the pool.
    if records.cut.len() >= MAX_QUEUED_RECORDS {
        return Ok(None);
    }
    // Every record must fit `max_record_bytes` and `max_record_txs` (the inbox refuses more), so
    // blocks are sized to the room the open record has left; when that is under a quarter of a
    // record's bytes, or no transaction fits, and transactions wait, the open record is cut here
    // and this block starts the next one.
    let max_bytes = shared.config.max_record_bytes;
    let max_txs = shared.config.max_record_txs;
    if let Some((first, _)) = records.open
        && view.pool_len() > 0
        && (view.record_bytes(first) > max_bytes - max_bytes / 4
            || view.record_txs(first) >= max_txs)
    {
        records.cut.push_back((first, view.head().number));
        records.open = None;
    }
    let starts_record = records.open.is_none();
    let (used, used_txs) = records.open.map_or((PREFIX_LEN, 0), |(first, _)| {
        (view.record_bytes(first), view.record_txs(first))
    });
    // A censoring node (the devnet's scripted fault) never consumes the force queue. A record
    // consumes at most the queue's maxRecordEntries, all in its first block.
    let entries = if starts_record && !shared.config.fault_censor {
        let cap =
            usize::try_from(shared.deployment.parameters.max_record_entries).unwrap_or(usize::MAX);
        view.queue().starting_at(view.pending_force_cursor(), cap)
    } else {
        Vec::new()
    };
    let request = SealRequest {
        epoch,
        timestamp: now_secs().max(view.head().timestamp),
        fee_recipient: shared.config.fee_recipient,
        entries,
        max_txs: MAX_BLOCK_TXS.min(max_txs.saturating_sub(used_txs)),
        max_bytes: max_bytes.saturating_sub(used + BLOCK_HEADER_LEN),
        even_empty: !ahead && !duty.posted && view.unposted().is_empty() && records.cut.is_empty(),
    };
    let Some(mut block) = view.seal(request)? else {
        return Ok(None);
    };
    let header = block.header.clone();
    let hash = baton_core::l2::block_hash(&header);
    // Slashing protection: durable before the signature exists.
    let store = shared.store.lock().expect("store lock");
    if let Err(e) = store.guard_signature(header.epoch, header.number, hash) {
        view.drop_pending();
        return Err(e.into());
    }
    let signature: Bytes = sign_digest(&shared.signer, &header.signing_digest(&shared.domain))?
        .to_vec()
        .into();
    block.signature = signature.clone();
    store.put_block(&block)?;
    drop(store);
    view.set_signature(header.number, signature);
    if shared.config.fault_equivocate && !block.transactions.is_empty() {
        sign_twin(shared, &block)?;
    }
    if starts_record && gate == ForceGate::StartRecord {
        // Sent alone and at once: it must land before the entry's deadline.
        records.cut.push_back((header.number, header.number));
    } else if starts_record {
        records.open = Some((header.number, Instant::now()));
    }
    if ahead {
        shared.sealed_ahead.store(epoch, Ordering::Relaxed);
    }
    shared.metrics.blocks_sealed.fetch_add(1, Ordering::Relaxed);
    shared
        .metrics
        .mempool_size
        .store(view.pool_len() as u64, Ordering::Relaxed);
    debug!(target: "baton::sequencer", number = header.number, epoch = header.epoch, ahead, txs = block.transactions.len(), entries = block.entries.len(), "sealed");
    Ok(Some(header.number))
}

/// The scripted equivocation (`--fault-equivocate`): once per process, a second header for the
/// height of `block`, with another tx root, signed past slashing protection and published in
/// the block stream.
fn sign_twin<C>(shared: &Shared<C>, block: &SignedBlock) -> eyre::Result<()> {
    let mut twins = shared.fault_twins.lock().expect("twins lock");
    if !twins.is_empty() {
        return Ok(());
    }
    let mut twin = block.clone();
    twin.header.txRoot = alloy::primitives::keccak256(block.header.txRoot);
    twin.signature = sign_digest(&shared.signer, &twin.header.signing_digest(&shared.domain))?
        .to_vec()
        .into();
    tracing::warn!(target: "baton::sequencer", number = twin.header.number, epoch = twin.header.epoch, "FAULT: signed a second header for this height");
    twins.push(twin);
    Ok(())
}

/// The sealing loop.
pub async fn run_sealer<C: NodeChain>(shared: Arc<Shared<C>>, cancel: CancellationToken) {
    let mut tick = block_ticker(&shared);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = seal_once(&shared) {
            warn!(target: "baton::sequencer", error = %e, "sealing failed");
        }
    }
}
