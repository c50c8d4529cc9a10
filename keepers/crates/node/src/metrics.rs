//! `/healthz`, `/readyz` and Prometheus `/metrics`.

use crate::service::Shared;
use axum::{Router, extract::State, http::StatusCode, routing::get};
use eyre::WrapErr;
use std::{
    fmt::Write,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio_util::sync::CancellationToken;

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
        let rows: [(&str, &str, &str, &AtomicU64); 12] = [
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

/// One metric: its name, kind (`counter` or `gauge`), help text and value.
pub type Row<'a> = (&'a str, &'a str, &'a str, &'a AtomicU64);

/// The Prometheus text exposition of `rows`.
pub fn exposition(rows: &[Row<'_>]) -> String {
    let mut out = String::new();
    for (name, kind, help, value) in rows {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
            value.load(Ordering::Relaxed)
        );
    }
    out
}

/// What the endpoints answer: the metrics text, and whether the process is ready.
#[derive(Clone)]
pub struct Endpoints {
    /// Renders `/metrics`.
    pub metrics: Arc<dyn Fn() -> String + Send + Sync>,
    /// Whether `/readyz` answers 200 (caught up with L1) or 503.
    pub ready: Arc<dyn Fn() -> bool + Send + Sync>,
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(e): State<Endpoints>) -> (StatusCode, &'static str) {
    if (e.ready)() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "catching up with L1\n")
    }
}

async fn metrics(State(e): State<Endpoints>) -> String {
    (e.metrics)()
}

/// Serves `/healthz`, `/readyz` and `/metrics` on `addr` until `cancel` fires; returns the bound
/// address. The node and every keeper serve through this.
pub async fn serve_endpoints(
    endpoints: Endpoints,
    addr: SocketAddr,
    cancel: CancellationToken,
) -> eyre::Result<SocketAddr> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(endpoints);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .wrap_err_with(|| format!("binding the metrics server on {addr}"))?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { cancel.cancelled().await })
            .await;
    });
    Ok(bound)
}

/// Serves the node's endpoints on `addr` until `cancel` fires; returns the bound address.
pub async fn serve(
    shared: Arc<Shared>,
    addr: SocketAddr,
    cancel: CancellationToken,
) -> eyre::Result<SocketAddr> {
    let (m, r) = (shared.clone(), shared);
    let endpoints = Endpoints {
        metrics: Arc::new(move || m.metrics.render()),
        ready: Arc::new(move || r.ready.load(Ordering::Relaxed)),
    };
    serve_endpoints(endpoints, addr, cancel).await
}
