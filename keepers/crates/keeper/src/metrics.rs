//! A keeper's counters, and its `/healthz`, `/readyz` and Prometheus `/metrics` (served by
//! [`serve_endpoints`]).

use baton_l1::endpoints::{Endpoints, Row, exposition, serve_endpoints};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};
use tokio_util::sync::CancellationToken;

/// A keeper's counters and gauges (each role uses the ones that apply to it).
#[derive(Debug, Default)]
pub struct Metrics {
    /// Dispute games this keeper plays that are still in progress (gauge).
    pub games_open: AtomicU64,
    /// Moves sent and mined: challenges, bisections, responses, proofs, resolutions (counter).
    pub moves_made: AtomicU64,
    /// Wei this keeper has bonded in open games (gauge).
    pub bonds_open_wei: AtomicU64,
    /// Wei claimed from the dispute game (counter).
    pub bonds_claimed_wei: AtomicU64,
    /// Outputs proposed (counter).
    pub outputs_proposed: AtomicU64,
    /// Outputs of the live generation the challenger has checked, from the first: each matched
    /// its own derivation or was too late to dispute (gauge: the next output it checks).
    pub outputs_checked: AtomicU64,
    /// Slashing transactions submitted and mined: equivocation, liveness, censorship (counter).
    pub slashes_submitted: AtomicU64,
    /// Forced records appended (counter).
    pub forced_records: AtomicU64,
    /// Epochs whose leader posted nothing, seen by the watcher (counter).
    pub missed_epochs: AtomicU64,
    /// Signed headers collected (counter).
    pub headers_collected: AtomicU64,
    /// L1 blocks between the L1 head and the last block read (gauge).
    pub l1_lag: AtomicU64,
    /// L1 RPC or transaction failures (counter).
    pub errors: AtomicU64,
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let rows: [Row<'_>; 12] = [
            (
                "baton_keeper_games_open",
                "gauge",
                "dispute games in progress that this keeper plays",
                &self.games_open,
            ),
            (
                "baton_keeper_moves_total",
                "counter",
                "dispute moves mined (challenge, bisect, respond, prove, resolve)",
                &self.moves_made,
            ),
            (
                "baton_keeper_bonds_open_wei",
                "gauge",
                "wei bonded in open games",
                &self.bonds_open_wei,
            ),
            (
                "baton_keeper_bonds_claimed_wei_total",
                "counter",
                "wei claimed from the dispute game",
                &self.bonds_claimed_wei,
            ),
            (
                "baton_keeper_outputs_proposed_total",
                "counter",
                "outputs proposed",
                &self.outputs_proposed,
            ),
            (
                "baton_keeper_outputs_checked",
                "gauge",
                "outputs the challenger has checked against its own derivation (the next one it checks)",
                &self.outputs_checked,
            ),
            (
                "baton_keeper_slashes_submitted_total",
                "counter",
                "slashing transactions mined",
                &self.slashes_submitted,
            ),
            (
                "baton_keeper_forced_records_total",
                "counter",
                "forced records appended",
                &self.forced_records,
            ),
            (
                "baton_keeper_missed_epochs_total",
                "counter",
                "ended epochs whose leader posted no record",
                &self.missed_epochs,
            ),
            (
                "baton_keeper_headers_collected_total",
                "counter",
                "signed L2 headers collected",
                &self.headers_collected,
            ),
            (
                "baton_keeper_l1_lag_blocks",
                "gauge",
                "L1 blocks between the head and the last block read",
                &self.l1_lag,
            ),
            (
                "baton_keeper_errors_total",
                "counter",
                "L1 RPC and transaction failures",
                &self.errors,
            ),
        ];
        exposition(&rows)
    }

    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Serves the endpoints on `addr` until `cancel` fires; returns the bound address.
pub async fn serve(
    metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
    addr: SocketAddr,
    cancel: CancellationToken,
) -> eyre::Result<SocketAddr> {
    let endpoints = Endpoints {
        metrics: Arc::new(move || metrics.render()),
        ready: Arc::new(move || ready.load(Ordering::Relaxed)),
    };
    Ok(serve_endpoints(endpoints, addr, cancel).await?)
}
