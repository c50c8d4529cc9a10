//! Reorg-safe reading of L1: BatchInbox records and force-queue entries, into the L1 tables.
//!
//! Each poll reads the logs of L1 blocks `(cursor, head − confirmations]` (at most
//! `max_range` blocks at a time) and saves them with the hash of every block they came from and
//! of the new cursor block, in one SQLite transaction. Before reading on, it checks that the
//! cursor block's hash is still the canonical one; a reorg changes it (and every later block),
//! and the reader then walks its stored hashes back to the newest block that is still canonical,
//! deletes everything read above it and reports [`Polled::Rewound`], so the caller re-derives
//! the L2 chain without the removed records.

use crate::store::{L1Store, StoreError, StoredEntry, StoredRecord};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{B256, Bytes},
    providers::{Provider, RootProvider},
    rpc::types::{Filter, Log},
    sol_types::{SolCall, SolEvent},
    transports::{RpcError, TransportErrorKind},
};
use baton_bindings::{Deployment, IBatchInbox, IForceInclusionQueue};
use tracing::{info, warn};

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The L1 RPC failed; polling again later is the remedy.
    #[error("L1 RPC error: {0}")]
    Rpc(#[from] RpcError<TransportErrorKind>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// L1 returned something that cannot be: a log without its transaction, a block missing.
    #[error("inconsistent L1 data: {0}")]
    Inconsistent(String),
}

/// What a poll found.
#[derive(Debug, PartialEq, Eq)]
pub enum Polled {
    /// Nothing new below the confirmation depth.
    Idle,
    /// New records and entries were stored (either list may be empty).
    Advanced {
        /// Records read, in order.
        records: Vec<StoredRecord>,
        /// Entries read, in order.
        entries: Vec<StoredEntry>,
        /// The new cursor.
        cursor: u64,
    },
    /// A reorg removed L1 blocks above `to`: everything read from them was deleted.
    Rewound {
        /// The newest block still canonical.
        to: u64,
    },
}

/// Reads the inbox and the queue.
#[derive(Debug, Clone)]
pub struct L1Reader {
    provider: RootProvider,
    deployment: Deployment,
    /// Blocks behind the head a log must be before it is read.
    pub confirmations: u64,
    /// Most blocks read in one poll.
    pub max_range: u64,
}

impl L1Reader {
    /// A reader over `deployment` through `provider`.
    pub fn new(provider: RootProvider, deployment: Deployment, confirmations: u64) -> Self {
        Self {
            provider,
            deployment,
            confirmations,
            max_range: 2_000,
        }
    }

    async fn block_hash(&self, number: u64) -> Result<Option<(B256, u64)>, FollowError> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await?;
        Ok(block.map(|b| (b.header.hash, b.header.timestamp)))
    }

    /// The L1 head block number.
    pub async fn head(&self) -> Result<u64, FollowError> {
        Ok(self.provider.get_block_number().await?)
    }

    /// Reads what is new, or detects a reorg.
    pub async fn poll(&self, store: &mut L1Store) -> Result<Polled, FollowError> {
        let start = self.deployment.deploy_block.saturating_sub(1);
        let cursor = store.l1_cursor()?.unwrap_or(start);
        if let Some(stored) = store.l1_block_hash(cursor)? {
            let current = self.block_hash(cursor).await?.map(|(h, _)| h);
            if current != Some(stored) {
                let to = self.fork_point(store, cursor).await?;
                warn!(target: "baton::follow", from = cursor, to, "L1 reorg: rewinding");
                store.rewind_l1(to)?;
                return Ok(Polled::Rewound { to });
            }
        }
        let head = self.head().await?;
        let safe = head.saturating_sub(self.confirmations);
        if safe <= cursor {
            return Ok(Polled::Idle);
        }
        let to = safe.min(cursor + self.max_range);
        let from = cursor + 1;
        let d = &self.deployment;
        let filter = Filter::new()
            .address(vec![d.batch_inbox, d.force_inclusion_queue])
            .event_signature(vec![
                IBatchInbox::RecordAppended::SIGNATURE_HASH,
                IForceInclusionQueue::Enqueued::SIGNATURE_HASH,
            ])
            .from_block(from)
            .to_block(to);
        let logs = self.provider.get_logs(&filter).await?;
        let mut records = Vec::new();
        let mut entries = Vec::new();
        let mut hashes = Vec::new();
        for log in &logs {
            let number = log
                .block_number
                .ok_or_else(|| FollowError::Inconsistent("log without a block number".into()))?;
            let hash = log
                .block_hash
                .ok_or_else(|| FollowError::Inconsistent("log without a block hash".into()))?;
            hashes.push((number, hash));
            if log.address() == d.batch_inbox {
                records.push(self.record_from(log, number).await?);
            } else if let Ok(event) = IForceInclusionQueue::Enqueued::decode_log(&log.inner) {
                entries.push(StoredEntry {
                    index: u64::try_from(event.data.index)
                        .map_err(|_| FollowError::Inconsistent("queue index".into()))?,
                    sender: event.data.sender,
                    data: event.data.transaction.clone(),
                    accumulator_before: event.data.accumulatorBefore,
                    l1_block: number,
                    deadline: event.data.deadline,
                });
            }
        }
        let (to_hash, _) = self
            .block_hash(to)
            .await?
            .ok_or_else(|| FollowError::Inconsistent(format!("L1 block {to} missing")))?;
        hashes.push((to, to_hash));
        store.put_l1(&records, &entries, &hashes, to)?;
        if !records.is_empty() || !entries.is_empty() {
            info!(target: "baton::follow", from, to, records = records.len(), entries = entries.len(), "read L1");
        }
        Ok(Polled::Advanced {
            records,
            entries,
            cursor: to,
        })
    }

    /// The newest stored block at or below `cursor` whose hash is still canonical.
    async fn fork_point(&self, store: &mut L1Store, cursor: u64) -> Result<u64, FollowError> {
        let floor = self.deployment.deploy_block.saturating_sub(1);
        let mut n = cursor;
        while n > floor {
            n -= 1;
            if let Some(stored) = store.l1_block_hash(n)?
                && self.block_hash(n).await?.map(|(h, _)| h) == Some(stored)
            {
                return Ok(n);
            }
        }
        Ok(floor)
    }

    async fn record_from(&self, log: &Log, number: u64) -> Result<StoredRecord, FollowError> {
        let event = IBatchInbox::RecordAppended::decode_log(&log.inner)
            .map_err(|e| FollowError::Inconsistent(format!("RecordAppended: {e}")))?
            .data;
        let index = u64::try_from(event.index)
            .map_err(|_| FollowError::Inconsistent("record index".into()))?;
        let data = if event.forced {
            Bytes::new()
        } else {
            // The data is only in the calldata. v1 reads direct calls to the inbox; a record
            // posted through a contract would need a trace.
            let tx_hash = log
                .transaction_hash
                .ok_or_else(|| FollowError::Inconsistent("log without a transaction".into()))?;
            let tx = self
                .provider
                .get_transaction_by_hash(tx_hash)
                .await?
                .ok_or_else(|| {
                    FollowError::Inconsistent(format!("transaction {tx_hash} missing"))
                })?;
            let input = alloy::consensus::Transaction::input(&tx);
            let call = IBatchInbox::submitRecordCall::abi_decode(input).map_err(|e| {
                FollowError::Inconsistent(format!(
                    "record {index} was not posted by a direct submitRecord call: {e}"
                ))
            })?;
            call.data
        };
        let (_, l1_timestamp) = self
            .block_hash(number)
            .await?
            .ok_or_else(|| FollowError::Inconsistent(format!("L1 block {number} missing")))?;
        Ok(StoredRecord {
            index,
            header: event.header.into(),
            data,
            forced: event.forced,
            l1_block: number,
            l1_timestamp,
        })
    }
}
