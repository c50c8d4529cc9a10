//! The node's counters and gauges, rendered for Prometheus `/metrics` (served by
//! [`baton_l1::endpoints`]).

use baton_l1::endpoints::{Row, exposition};
use std::sync::atomic::AtomicU64;

/// The node's counters and gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    /// L2 blocks sealed by this node (counter).
    pub blocks_sealed: AtomicU64,
    /// Preconfirmed blocks dropped because L1 never took them (counter).
    pub blocks_dropped: AtomicU64,
    /// Records posted to the BatchInbox (counter).
    pub records_posted: AtomicU64,
    /// Forced records this node appended for overdue force-queue entries (counter).
    pub forced_records: AtomicU64,
    /// JSON-RPC requests served (counter).
    pub rpc_requests: AtomicU64,
    /// JSON-RPC requests answered with an error (counter).
    pub rpc_errors: AtomicU64,
    /// L1 RPC failures (counter).
    pub l1_errors: AtomicU64,
    /// L1 reorgs that rewound the derived chain (counter).
    pub reorgs: AtomicU64,
    /// Transactions in the mempool (gauge).
    pub mempool_size: AtomicU64,
    /// L1 blocks between the L1 head and the last block read (gauge).
    pub l1_lag: AtomicU64,
    /// Pending (preconfirmed) L2 head (gauge).
    pub l2_head: AtomicU64,
    /// L2 head derived from L1 (gauge).
    pub safe_head: AtomicU64,
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let rows: [Row<'_>; 12] = [
            (
                "baton_blocks_sealed_total",
                "counter",
                "L2 blocks sealed and signed by this node",
                &self.blocks_sealed,
            ),
            (
                "baton_blocks_dropped_total",
                "counter",
                "preconfirmed blocks dropped because L1 never took them",
                &self.blocks_dropped,
            ),
            (
                "baton_records_posted_total",
                "counter",
                "records posted to the BatchInbox",
                &self.records_posted,
            ),
            (
                "baton_forced_records_total",
                "counter",
                "forced records this node appended for overdue force-queue entries",
                &self.forced_records,
            ),
            (
                "baton_rpc_requests_total",
                "counter",
                "L2 JSON-RPC requests",
                &self.rpc_requests,
            ),
            (
                "baton_rpc_errors_total",
                "counter",
                "L2 JSON-RPC requests answered with an error",
                &self.rpc_errors,
            ),
            (
                "baton_l1_errors_total",
                "counter",
                "L1 RPC failures",
                &self.l1_errors,
            ),
            (
                "baton_l1_reorgs_total",
                "counter",
                "L1 reorgs that rewound the derived chain",
                &self.reorgs,
            ),
            (
                "baton_mempool_size",
                "gauge",
                "transactions waiting in the mempool",
                &self.mempool_size,
            ),
            (
                "baton_l1_lag_blocks",
                "gauge",
                "L1 blocks not yet read",
                &self.l1_lag,
            ),
            (
                "baton_l2_head",
                "gauge",
                "preconfirmed L2 head",
                &self.l2_head,
            ),
            (
                "baton_l2_safe_head",
                "gauge",
                "L2 head derived from L1 records",
                &self.safe_head,
            ),
        ];
        exposition(&rows)
    }
}
