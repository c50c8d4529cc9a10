//! Block sync: a node that does not act polls the acting node's signed blocks, checks each
//! signature against the schedule and replays the block; a block that re-executes to another
//! header is refused. A new acting node is first handed this node's pool.

use super::{MAX_HANDOFF, block_ticker};
use crate::{
    chain::NodeChain,
    peers::{discover_peers, peer_client, peer_url},
    shared::Shared,
    store::SignedBlock,
};
use alloy::primitives::Bytes;
use baton_core::recover_signer;
use baton_rpc::{BatonApiClient, EthApiClient};
use std::sync::{Arc, atomic::Ordering};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// The following loop: replays the acting node's signed blocks.
pub async fn run_follower<C: NodeChain>(shared: Arc<Shared<C>>, cancel: CancellationToken) {
    let mut tick = block_ticker(&shared);
    let mut handed_off = None;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let duty = shared.duty.borrow().clone();
        let Some((operator, signer, _)) = duty.acting else {
            continue;
        };
        if operator == shared.operator {
            continue;
        }
        let Some(url) = peer_url(&shared, operator) else {
            discover_peers(&shared).await;
            continue;
        };
        let after = shared.view.lock().expect("view lock").head().number;
        let Some(client) = peer_client(&url) else {
            continue;
        };
        if handed_off != Some((duty.epoch, operator)) {
            // A new acting node: hand it what this node's pool holds. Transactions forwarded
            // to an earlier leader, or requeued from blocks this node had to drop, would
            // otherwise wait for this node's own turn to lead.
            handed_off = Some((duty.epoch, operator));
            let pooled: Vec<Bytes> = shared.view().pooled_raw(MAX_HANDOFF);
            if !pooled.is_empty() {
                debug!(target: "baton::follower", %url, txs = pooled.len(), "handing the pool to the acting node");
                let client = client.clone();
                tokio::spawn(async move {
                    for raw in pooled {
                        let _ = client.send_raw_transaction(raw).await;
                    }
                });
            }
        }
        let blocks: Vec<SignedBlock> = match client.signed_blocks(after, Some(500)).await {
            Ok(b) => b,
            Err(e) => {
                debug!(target: "baton::follower", %url, error = %e, "leader unreachable");
                continue;
            }
        };
        for block in blocks {
            let digest = block.header.signing_digest(&shared.domain);
            // The acting leader's blocks of this epoch, and of the next one when it leads that
            // one too and has moved on to it during this epoch's margin (`Duty::continues`).
            let current = block.header.epoch == duty.epoch || block.header.epoch == duty.epoch + 1;
            match recover_signer(&digest, &block.signature) {
                Ok(s) if s == signer && current => {}
                Ok(_) if !current => {
                    // Sealed in an earlier epoch: it reaches this node through L1 instead.
                    debug!(target: "baton::follower", number = block.header.number, epoch = block.header.epoch, "block of an earlier epoch: left to derivation");
                    break;
                }
                _ => {
                    warn!(target: "baton::follower", number = block.header.number, "block not signed by the acting sequencer: ignored");
                    break;
                }
            }
            let number = block.header.number;
            if let Err(e) = shared.view.lock().expect("view lock").follow(block) {
                warn!(target: "baton::follower", number, error = %e, "leader block refused");
                break;
            }
            shared
                .followed_epoch
                .store(duty.epoch + 1, Ordering::Relaxed);
        }
    }
}
