//! `eth_subscribe` over WebSocket: new heads, logs matching a filter, and transactions entering
//! the pool, from the chain's events ([`crate::ChainEvent`]).
//!
//! A subscriber that falls more than [`crate::chain::EVENT_BUFFER`] events behind is ended with
//! an error saying so, rather than silently missing some. When blocks are unwound (L1 settled
//! others at their heights), a logs subscriber is sent their matching logs again with
//! `removed: true`, newest block first, then the replacing blocks' logs, as geth does on a
//! reorganisation.

use crate::{
    ChainEvent, L2Rpc,
    convert::{rpc_header, rpc_pooled_tx},
    rpc::matching_logs,
};
use alloy::rpc::types::{
    Filter,
    pubsub::{Params, SubscriptionKind},
};
use baton_rpc::{
    EthPubSubApiServer,
    errors::{INVALID_PARAMS, rpc_error},
};
use jsonrpsee::{PendingSubscriptionSink, core::SubscriptionResult};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

/// What one subscription sends.
enum Feed {
    Heads,
    Logs(Box<Filter>),
    PooledHashes,
    PooledTransactions,
}

impl Feed {
    fn of(kind: SubscriptionKind, params: Option<Params>) -> Result<Self, String> {
        match (kind, params.unwrap_or_default()) {
            (SubscriptionKind::NewHeads, Params::None) => Ok(Self::Heads),
            (SubscriptionKind::Logs, Params::None) => Ok(Self::Logs(Box::default())),
            (SubscriptionKind::Logs, Params::Logs(filter)) => Ok(Self::Logs(filter)),
            (SubscriptionKind::NewPendingTransactions, Params::None | Params::Bool(false)) => {
                Ok(Self::PooledHashes)
            }
            (SubscriptionKind::NewPendingTransactions, Params::Bool(true)) => {
                Ok(Self::PooledTransactions)
            }
            (kind, Params::None) => Err(format!(
                "subscription {kind:?} is not supported: newHeads, logs and newPendingTransactions are"
            )),
            (kind, _) => Err(format!("wrong parameters for subscription {kind:?}")),
        }
    }
}

/// One notification's payload.
fn json(value: &impl Serialize) -> Result<Box<serde_json::value::RawValue>, String> {
    serde_json::value::to_raw_value(value).map_err(|e| e.to_string())
}

#[jsonrpsee::core::async_trait]
impl EthPubSubApiServer for L2Rpc {
    async fn subscribe(
        &self,
        pending: PendingSubscriptionSink,
        kind: SubscriptionKind,
        params: Option<Params>,
    ) -> SubscriptionResult {
        let feed = match Feed::of(kind, params) {
            Ok(feed) => feed,
            Err(reason) => {
                pending.reject(rpc_error(INVALID_PARAMS, reason)).await;
                return Ok(());
            }
        };
        let mut events = self.chain().events();
        let sink = pending.accept().await?;
        loop {
            let event = tokio::select! {
                _ = sink.closed() => return Ok(()),
                event = events.recv() => event,
            };
            let payloads = match event {
                Err(RecvError::Closed) => return Ok(()),
                Err(RecvError::Lagged(missed)) => {
                    return Err(format!(
                        "the subscriber fell {missed} events behind and was dropped: subscribe again"
                    )
                    .into());
                }
                Ok(event) => self.payloads(&feed, event)?,
            };
            for payload in payloads {
                sink.send(payload).await?;
            }
        }
    }
}

impl L2Rpc {
    /// What `feed` sends for `event` (nothing, one item, or a block's matching logs).
    fn payloads(
        &self,
        feed: &Feed,
        event: ChainEvent,
    ) -> Result<Vec<Box<serde_json::value::RawValue>>, String> {
        match (feed, event) {
            (Feed::Heads, ChainEvent::Block(header)) => Ok(vec![json(&rpc_header(&header))?]),
            (Feed::Logs(filter), ChainEvent::Block(header)) => {
                let chain = self.chain();
                // A block unwound since it was stored has no logs to send: the Unwound event
                // before its replacement's takes back what was sent of it.
                let stored = chain
                    .db()
                    .header(header.number)
                    .map_err(|e| e.to_string())?;
                if stored.is_none_or(|stored| stored.hash_slow() != header.hash_slow()) {
                    return Ok(Vec::new());
                }
                let logs = matching_logs(&chain, filter, header.number, header.number)
                    .map_err(|e| e.message().to_string())?;
                logs.iter().map(json).collect()
            }
            (Feed::Logs(filter), ChainEvent::Unwound(removed)) => removed
                .iter()
                .filter(|log| filter.matches(&log.inner))
                .map(json)
                .collect(),
            (Feed::PooledHashes, ChainEvent::Pooled(hash)) => Ok(vec![json(&hash)?]),
            (Feed::PooledTransactions, ChainEvent::Pooled(hash)) => {
                let chain = self.chain();
                // Gone when sealed (or replaced) before this subscriber read the event.
                let tx = chain.pool().get(&hash).and_then(rpc_pooled_tx);
                tx.iter().map(json).collect()
            }
            _ => Ok(Vec::new()),
        }
    }
}
