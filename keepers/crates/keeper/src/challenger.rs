//! `baton challenger`: derives on its own, disputes the earliest output whose root it cannot
//! reproduce while its window is open, plays the game to its last VM step and claims.
//!
//! It never disputes a correct output: a dispute is opened only when the output root L1 holds
//! differs from the one computed from this keeper's own derivation of the same records, and
//! only for the earliest such output (winning it deletes every later one).

use crate::{
    Keeper,
    config::ChallengerConfig,
    dispute::{FAULT_OUTPUT, FAULT_POSITION, Player, Side, output_root},
    metrics::Metrics,
    send::{Sent, send},
};
use alloy::primitives::U256;
use baton_bindings::IBisectionGame;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Runs the challenger until `cancel` fires.
pub async fn run(config: ChallengerConfig, cancel: CancellationToken) -> eyre::Result<()> {
    let mut keeper = Keeper::start(&config.common, "challenger", &cancel).await?;
    let mut player = Player::new(Side::Challenger, keeper.ctx.address());
    while keeper.tick(&cancel).await {
        let step = async {
            keeper.follow().await?;
            player.scan(&keeper.ctx).await?;
            check_outputs(&keeper, config.fault_dispute_valid_at).await?;
            player.scan(&keeper.ctx).await?;
            player.play(&keeper.ctx, &keeper.deriver).await
        };
        if let Err(e) = step.await {
            keeper.failed(&e);
        }
    }
    info!(target: "baton::keeper", "challenger stopped");
    Ok(())
}

/// Checks the outputs not yet checked against this keeper's derivation and disputes the
/// earliest wrong one.
async fn check_outputs(keeper: &Keeper, fault_at: Option<u64>) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let oracle = ctx.deployment.output_oracle(&ctx.provider);
    let count = u64::try_from(oracle.outputCount().call().await?)?;
    let generation = u64::try_from(oracle.generation().call().await?)?;
    let finalized = u64::try_from(oracle.finalizedCount().call().await?)?;
    // After a deletion, outputs from the deleted index on are new: check again from the
    // finalized prefix (finalized outputs can never change).
    let mut next = if ctx.db().meta_u64("checked_generation", u64::MAX)? == generation {
        ctx.db().meta_u64("outputs_checked", 0)?
    } else {
        finalized
    }
    .clamp(finalized, count);
    let now = keeper.l1_time().await?;
    let period = ctx.deployment.parameters.finalization_period;
    let games = ctx.db().games()?;
    while next < count {
        let Some(root) = keeper.deriver.proposal_root(next) else {
            break; // not derived that far yet
        };
        let record = keeper.deriver.record_index_of(next);
        let record_hash = keeper
            .deriver
            .record_hash(record)
            .expect("a derived boundary has its record");
        let output = oracle.outputAt(U256::from(next)).call().await?;
        let ours = output_root(root, record, record_hash);
        let open = now < output.proposedAt.to::<u64>() + period;
        let disputed = games.iter().any(|g| g.output_index == next && !g.done);
        if output.outputRoot != ours {
            if disputed {
                break; // our game over it decides it, and every later output with it
            }
            if !open {
                warn!(target: "baton::keeper", output = next, "wrong output past its challenge window: too late to dispute");
                next += 1;
                continue;
            }
            warn!(target: "baton::keeper", output = next, claimed = %output.outputRoot, ours = %ours, "output root differs from ours: disputing");
            challenge(keeper, next, None).await?;
            break;
        }
        if let Some(at) = fault_at
            && open
            && ctx.db().meta(FAULT_OUTPUT)?.is_none()
            && let Some(trace) = keeper.deriver.trace(next)
            && !trace.is_empty()
        {
            let position = at % trace.len();
            {
                let db = ctx.db();
                db.set_meta(FAULT_POSITION, &position.to_string())?;
                db.set_meta(FAULT_OUTPUT, &format!("{next}:{generation}"))?;
            }
            warn!(target: "baton::keeper", output = next, position, "FAULT: disputing a correct output");
            challenge(keeper, next, Some(position)).await?;
        }
        next += 1;
    }
    ctx.metrics
        .outputs_checked
        .store(next, std::sync::atomic::Ordering::Relaxed);
    let db = ctx.db();
    db.set_meta("outputs_checked", &next.to_string())?;
    db.set_meta("checked_generation", &generation.to_string())?;
    Ok(())
}

/// Opens a game over `output`, bonding `challengeBond`.
async fn challenge(keeper: &Keeper, output: u64, fault: Option<u64>) -> eyre::Result<()> {
    let ctx = &keeper.ctx;
    let d = &keeper.deriver;
    let (Some(start), Some(ours), Some(headers)) = (
        d.start_root(output),
        d.proposal_root(output),
        d.game_headers(output),
    ) else {
        return Ok(());
    };
    // The claimed root is the proposer's: the oracle only accepts the one it committed to,
    // which the keeper reads from the proposal event's state root.
    let claimed = proposed_root(keeper, output).await?.unwrap_or(ours);
    let bond = ctx.deployment.parameters.challenge_bond;
    match send(
        ctx,
        ctx.deployment.dispute_game,
        IBisectionGame::challengeCall {
            outputIndex: U256::from(output),
            startRoot: start,
            claimedRoot: claimed,
            headers: headers.into_iter().map(Into::into).collect(),
        },
        bond,
        "challenge",
    )
    .await?
    {
        Sent::Mined(_) => {
            Metrics::inc(&ctx.metrics.moves_made);
            info!(target: "baton::keeper", output, ?fault, bond = %bond, "dispute opened");
        }
        Sent::Refused(reason) => {
            warn!(target: "baton::keeper", output, %reason, "challenge refused in simulation")
        }
    }
    Ok(())
}

/// The root the proposer posted for `output` (the `OutputProposed` event of the live
/// generation: the latest one for that index).
async fn proposed_root(
    keeper: &Keeper,
    output: u64,
) -> eyre::Result<Option<alloy::primitives::B256>> {
    use alloy::{providers::Provider, rpc::types::Filter, sol_types::SolEvent};
    let ctx = &keeper.ctx;
    let filter = Filter::new()
        .address(ctx.deployment.output_oracle)
        .event_signature(baton_bindings::IL1OutputOracle::OutputProposed::SIGNATURE_HASH)
        .topic1(U256::from(output))
        .from_block(ctx.deployment.deploy_block);
    let logs = ctx.provider.get_logs(&filter).await?;
    Ok(logs.last().and_then(|log| {
        baton_bindings::IL1OutputOracle::OutputProposed::decode_log(&log.inner)
            .ok()
            .map(|e| e.data.stateRoot)
    }))
}
