//! `/healthz`, `/readyz` and Prometheus `/metrics`: what the node and every keeper serve, each
//! with its own counters.

use axum::{Router, extract::State, http::StatusCode, routing::get};
use std::{
    fmt::Write,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio_util::sync::CancellationToken;

/// The endpoints' address could not be bound (in use, or not this machine's).
#[derive(Debug, thiserror::Error)]
#[error("binding the metrics server on {addr}: {source} (choose another address)")]
pub struct EndpointsError {
    /// The address asked for.
    pub addr: SocketAddr,
    /// What the OS said.
    #[source]
    pub source: std::io::Error,
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
) -> Result<SocketAddr, EndpointsError> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(endpoints);
    let bind = |source| EndpointsError { addr, source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind)?;
    let bound = listener.local_addr().map_err(bind)?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { cancel.cancelled().await })
            .await;
    });
    Ok(bound)
}
