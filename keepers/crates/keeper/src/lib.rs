//! baton's protocol keepers (`docs/keepers.md`).
//!
//! - [`proposer`]: proposes outputs, finalizes them, defends disputes against them.
//! - [`challenger`]: disputes outputs whose root it cannot reproduce and plays them to the
//!   last VM step.
//! - [`watcher`]: turns equivocation, censorship and missed epochs into slashes.
//!
//! They stand on `baton-l1` (arguments, connecting, tx manager, reorg-safe following) and share
//! their own derivation ([`deriver`], on the ledger or the EVM chain, whichever the deployment
//! runs), the game player ([`dispute`], carrying out what [`moves`] decides from a game's state
//! alone, over the interval's [`trace`], with the last position's [`proofs`] and the guest's runs
//! in [`execution`]), a SQLite database ([`db`]) and `/healthz`, `/readyz`, `/metrics`
//! ([`metrics`]). Around them: [`config`] (the flags),
//! [`context`] (deployment, genesis, provider and tx manager, checked against each other),
//! [`send`] (one call through the tx manager, simulated first with [`simulate`], revm on a fork
//! of L1) and [`reorg`] (noticing that a reorg undid something settled).

pub mod challenger;
pub mod config;
pub mod context;
pub mod db;
pub mod deriver;
pub mod dispute;
pub mod execution;
pub mod metrics;
pub mod moves;
pub mod proofs;
pub mod proposer;
pub mod reorg;
pub mod send;
pub mod simulate;
pub mod trace;
pub mod watcher;

pub use config::{ChallengerConfig, CommonArgs, ProposerConfig, WatcherConfig};

use alloy::providers::Provider;
use baton_l1::{L1Reader, connect::ledger_config};
use context::Context;
use deriver::{DerivedChain, Deriver, evm::EvmDerivation, ledger::LedgerDerivation};
use std::{sync::atomic::Ordering, time::Duration};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// What a running keeper holds: its surroundings and its derived chain.
#[derive(Debug)]
pub struct Keeper {
    /// Deployment, provider, tx manager, database, metrics.
    pub ctx: Context,
    /// The keeper's own derivation.
    pub deriver: Deriver,
    poll: Duration,
    backoff: Duration,
    first: bool,
}

impl Keeper {
    /// Loads the context, opens the derivation store and serves the metrics endpoints.
    pub async fn start(
        args: &CommonArgs,
        role: &str,
        cancel: &CancellationToken,
    ) -> eyre::Result<Self> {
        let ctx = Context::load(args, role).await?;
        let reader = L1Reader::new(
            ctx.provider.clone(),
            ctx.deployment.clone(),
            args.follow.confirmations,
        );
        let d = &ctx.deployment;
        let chain = if d.parameters.l2_execution.is_ledger() {
            DerivedChain::Ledger(LedgerDerivation::new(
                ctx.genesis.state(),
                ledger_config(d)?,
                d.portal,
            ))
        } else {
            DerivedChain::Evm(EvmDerivation::open(
                &args.data_dir.join(format!("{role}-l2.sqlite")),
                &d.parameters,
                &ctx.genesis,
                d.portal,
            )?)
        };
        let deriver = Deriver::open(
            &args.data_dir.join(format!("{role}-l1.sqlite")),
            reader,
            chain,
            d.parameters.output_interval,
        )?;
        let addr = metrics::serve(
            ctx.metrics.clone(),
            ctx.ready.clone(),
            args.metrics_addr,
            cancel.clone(),
        )
        .await?;
        info!(target: "baton::keeper", role, account = %ctx.address(), metrics = %addr, records = deriver.record_count(), "started");
        Ok(Self {
            ctx,
            deriver,
            poll: args.follow.l1_poll,
            backoff: args.follow.l1_poll,
            first: true,
        })
    }

    /// Waits for the next tick; `false` once `cancel` fired (graceful shutdown: the current
    /// step always finishes, so no send is cut off between signing and recording).
    pub async fn tick(&mut self, cancel: &CancellationToken) -> bool {
        if std::mem::take(&mut self.first) {
            return !cancel.is_cancelled();
        }
        tokio::select! {
            _ = cancel.cancelled() => false,
            _ = tokio::time::sleep(self.backoff) => true,
        }
    }

    /// Reads L1 up to the head and derives it; after a reorg, forgets the tx manager's nonce.
    pub async fn follow(&mut self) -> eyre::Result<()> {
        if self.deriver.catch_up().await? {
            warn!(target: "baton::keeper", "L1 reorg: derived again");
            self.ctx.txmgr.resync().await;
            self.ctx.db().unsettle_all()?;
        }
        let (head, cursor) = self.deriver.l1_position().await?;
        self.ctx
            .metrics
            .l1_lag
            .store(head.saturating_sub(cursor), Ordering::Relaxed);
        self.ctx.set_ready(true);
        self.backoff = self.poll;
        Ok(())
    }

    /// Logs a failed step and backs off (up to 10 s) before the next.
    pub fn failed(&mut self, e: &eyre::Report) {
        metrics::Metrics::inc(&self.ctx.metrics.errors);
        warn!(target: "baton::keeper", error = %format!("{e:#}"), "step failed; retrying");
        self.backoff = (self.backoff * 2).min(Duration::from_secs(10));
    }

    /// The timestamp of the latest L1 block.
    pub async fn l1_time(&self) -> eyre::Result<u64> {
        let block = self
            .ctx
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| eyre::eyre!("L1 has no latest block"))?;
        Ok(block.header.timestamp)
    }
}
