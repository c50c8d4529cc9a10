//! `baton proposer`: derives the chain, proposes each output once its last record is on L1,
//! finalizes outputs past their window, and defends every dispute against its outputs.
//!
//! It recovers by itself: a send that fails (an empty account, an L1 outage) is retried every
//! tick from L1's current state, so topping the account up or L1 coming back is all it takes,
//! and a proposer that was down while L1 moved on proposes the outputs it missed in order.

use crate::{
    Keeper,
    config::ProposerConfig,
    dispute::{FAULT_OUTPUT, FAULT_POSITION, Player, Side},
    metrics::Metrics,
    send::{Sent, send},
};
use alloy::primitives::U256;
use baton_bindings::IL1OutputOracle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Runs the proposer until `cancel` fires.
pub async fn run(config: ProposerConfig, cancel: CancellationToken) -> eyre::Result<()> {
    let mut keeper = Keeper::start(&config.common, "proposer", &cancel).await?;
    let registry = keeper.ctx.deployment.registry(&keeper.ctx.provider);
    let me = keeper.ctx.address();
    let operator = registry.operatorOf(me).call().await?;
    let party = if operator.is_zero() { me } else { operator };
    if !registry.isActive(party).call().await? {
        warn!(target: "baton::keeper", %party, "not an active sequencer: outputs will be refused until it bonds (baton bond)");
    }
    let mut player = Player::new(Side::Proposer, party);
    let mut refused = None;
    while keeper.tick(&cancel).await {
        let step = async {
            keeper.follow().await?;
            propose(&keeper, config.fault_invalid_output_at, &mut refused).await?;
            finalize(&keeper).await?;
            player.scan(&keeper.ctx).await?;
            player.play(&keeper.ctx, &keeper.deriver).await
        };
        if let Err(e) = step.await {
            keeper.failed(&e);
        }
    }
    info!(target: "baton::keeper", "proposer stopped");
    Ok(())
}

/// Proposes the next output if its last record is derived. `refused` remembers the last
/// refusal, so that a proposer that cannot propose (jailed, unbonded) says so once per cause.
async fn propose(
    keeper: &Keeper,
    fault_at: Option<u64>,
    refused: &mut Option<(u64, String)>,
) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let oracle = ctx.deployment.output_oracle(&ctx.provider);
    let next = u64::try_from(oracle.outputCount().call().await?)?;
    let Some(honest) = keeper.deriver.proposal_root(next) else {
        return Ok(());
    };
    let mut root = honest;
    if let Some(at) = fault_at
        && ctx.db().meta(FAULT_OUTPUT)?.is_none()
        && let Some(trace) = keeper.deriver.trace(next)
        && !trace.is_empty()
    {
        // The scripted lie: the output's root comes from a trace that goes wrong at `at`.
        let position = at % trace.len();
        let mut faulty = trace.with_fault(position);
        root = faulty.root_at(faulty.len());
        let generation = oracle.generation().call().await?;
        let db = ctx.db();
        db.set_meta(FAULT_POSITION, &position.to_string())?;
        db.set_meta(FAULT_OUTPUT, &format!("{next}:{generation}"))?;
        warn!(target: "baton::keeper", output = next, position, %root, %honest, "FAULT: proposing an invalid output");
    }
    match send(
        ctx,
        ctx.deployment.output_oracle,
        IL1OutputOracle::proposeOutputCall {
            index: U256::from(next),
            stateRoot: root,
        },
        U256::ZERO,
        "proposeOutput",
    )
    .await?
    {
        Sent::Mined(_) => {
            Metrics::inc(&ctx.metrics.outputs_proposed);
            info!(target: "baton::keeper", output = next, record = keeper.deriver.record_index_of(next), %root, "output proposed");
        }
        Sent::Refused(reason) => {
            let cause = Some((next, reason));
            if *refused != cause {
                let (_, reason) = cause.as_ref().expect("just set");
                warn!(target: "baton::keeper", output = next, %reason, "proposeOutput refused in simulation; retrying every tick");
                *refused = cause;
            }
        }
    }
    Ok(())
}

/// Finalizes every output past its window with no open dispute (permissionless; withdrawals
/// wait for it).
async fn finalize(keeper: &Keeper) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let oracle = ctx.deployment.output_oracle(&ctx.provider);
    let finalized = u64::try_from(oracle.finalizedCount().call().await?)?;
    let count = u64::try_from(oracle.outputCount().call().await?)?;
    let now = keeper.l1_time().await?;
    let period = ctx.deployment.parameters.finalization_period;
    let mut target = finalized;
    while target < count {
        let output = oracle.outputAt(U256::from(target)).call().await?;
        if output.openDisputes != 0 || now < output.proposedAt.to::<u64>() + period {
            break;
        }
        target += 1;
    }
    if target > finalized
        && let Sent::Mined(_) = send(
            ctx,
            ctx.deployment.output_oracle,
            IL1OutputOracle::finalizeCall {
                count: U256::from(target),
            },
            U256::ZERO,
            "finalize",
        )
        .await?
    {
        info!(target: "baton::keeper", count = target, "outputs finalized");
    }
    Ok(())
}
