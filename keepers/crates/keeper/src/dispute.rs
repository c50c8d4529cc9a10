//! Playing dispute games: what the proposer and the challenger share.
//!
//! Every tick the player reads each of its games from L1 and makes the one move the game's
//! state asks of its side, computed from its own trace (`trace.rs`): the proposer bisects with
//! the root at the midpoint, the challenger agrees or disagrees with it and, at one position,
//! proves which transaction (the ledger) or block (the EVM chain) it is (`proofs.rs`). Then the
//! same over the VM steps of that position's execution, answered from a recorded run of the
//! guest (`execution.rs`), down to one step that the challenger runs on L1. Either side
//! resolves a game whose opponent's clock ran out, and claims what it is credited. Because the
//! move is derived from L1's state each time, a restart (or a reorg that removed a move) simply
//! makes the move again, and a move already mined is never repeated.

pub use crate::moves::Side;
use crate::{
    context::Context,
    db::GameRow,
    deriver::{DerivedChain, Deriver},
    execution::{EVM_GUEST_ELF, Execution, Guest, LEDGER_GUEST_ELF, as_valid, is_valid},
    metrics::Metrics,
    moves::{ExecutionState, GameState, Move, next_move},
    proofs,
    reorg::{REORG_WINDOW, head_block, replaced},
    send::{Sent, send},
    trace::OutputTrace,
};
use alloy::{
    primitives::{Address, B256, U256},
    providers::RootProvider,
    sol_types::SolValue,
};
use baton_bindings::{
    IBisectionGame::{self, IBisectionGameInstance},
    IDisputeGame, IEvmDisputeGame, IPreimageOracle, IRiscV, ISequencerRegistry,
};
use std::{collections::HashMap, sync::atomic::Ordering};
use tracing::{info, warn};

/// `IDisputeGame.Status.InProgress` (`None` is 0).
const IN_PROGRESS: u8 = 1;

/// Meta keys of a scripted fault: which output (and generation) it applies to, and where.
pub(crate) const FAULT_OUTPUT: &str = "fault_output";
pub(crate) const FAULT_POSITION: &str = "fault_position";

/// A keeper's games and the traces it plays them with.
#[derive(Debug)]
pub struct Player {
    side: Side,
    /// The address the games name for this keeper: its operator (a proposer may send from the
    /// signer key it bonded with) or its own account.
    party: Address,
    traces: HashMap<u64, OutputTrace>,
    executions: HashMap<u64, Execution>,
    /// The guest, checked against the game's image, and the preimage oracle its steps read
    /// (loaded on the first execution).
    vm: Option<(Guest, Address)>,
}

/// `keccak256(abi.encode(stateRoot, recordIndex, recordHash))`: `L1OutputOracle.outputRootOf`.
pub fn output_root(state_root: B256, record_index: u64, record_hash: B256) -> B256 {
    alloy::primitives::keccak256((state_root, U256::from(record_index), record_hash).abi_encode())
}

impl Player {
    /// A player for `side`, named `party` in its games.
    pub fn new(side: Side, party: Address) -> Self {
        Self {
            side,
            party,
            traces: HashMap::new(),
            executions: HashMap::new(),
            vm: None,
        }
    }

    fn game_contract(ctx: &Context) -> IBisectionGameInstance<&RootProvider> {
        ctx.deployment.dispute_game(&ctx.provider)
    }

    /// Finds the games created since the last scan in which this keeper is its side.
    pub async fn scan(&self, ctx: &Context) -> eyre::Result<()> {
        let game = Self::game_contract(ctx);
        let count = u64::try_from(game.gameCount().call().await?)?;
        let scanned = ctx.db().meta_u64("games_scanned", 0)?;
        // A reorg can remove games: scan again from the end.
        let from = scanned.min(count);
        let me = self.party;
        let fault = {
            let db = ctx.db();
            db.meta(FAULT_OUTPUT)?
                .zip(db.meta_u64(FAULT_POSITION, 0).ok())
        };
        for id in from..count {
            let g = game.gameAt(U256::from(id)).call().await?;
            let mine = match self.side {
                Side::Proposer => g.proposer == me,
                Side::Challenger => g.challenger == me,
            };
            if mine {
                let key = format!("{}:{}", g.outputIndex, g.generation);
                let fault = fault
                    .as_ref()
                    .filter(|(output, _)| *output == key)
                    .map(|(_, p)| *p);
                ctx.db().add_game(&GameRow {
                    id,
                    output_index: g.outputIndex,
                    fault,
                    done: false,
                })?;
                info!(target: "baton::keeper", game = id, output = g.outputIndex, lo = g.lo, hi = g.hi, ?fault, "joined a dispute game");
            }
        }
        ctx.db().set_meta("games_scanned", &count.to_string())?;
        Ok(())
    }

    /// Makes every move owed in this keeper's games, resolves what can be resolved and claims
    /// credits.
    pub async fn play(&mut self, ctx: &Context, deriver: &Deriver) -> eyre::Result<()> {
        let contract = Self::game_contract(ctx);
        let (head, _) = head_block(&ctx.provider).await?;
        let ended = ctx
            .db()
            .games_ended_since(head.saturating_sub(REORG_WINDOW))?;
        for id in replaced(&ctx.provider, ended).await? {
            warn!(target: "baton::keeper", game = id, "L1 reorg removed the block this game ended in: playing it again");
            ctx.db().reopen_game(id)?;
        }
        let count = u64::try_from(contract.gameCount().call().await?)?;
        let games = ctx.db().games()?;
        let mut open = 0;
        for row in games.iter().filter(|g| !g.done) {
            if row.id >= count {
                // A reorg removed the game's creation.
                warn!(target: "baton::keeper", game = row.id, "game no longer exists on L1 (reorg): forgotten");
                ctx.db().remove_game(row.id)?;
                self.traces.remove(&row.id);
                self.executions.remove(&row.id);
                let scanned = ctx.db().meta_u64("games_scanned", 0)?;
                ctx.db()
                    .set_meta("games_scanned", &scanned.min(row.id).to_string())?;
                continue;
            }
            let g = contract.gameAt(U256::from(row.id)).call().await?;
            if g.status as u8 != IN_PROGRESS {
                info!(target: "baton::keeper", game = row.id, status = g.status as u8, "game over");
                // The head read after the status: a reorg that undoes the end replaces it too.
                let (block, hash) = head_block(&ctx.provider).await?;
                ctx.db().finish_game(row.id, block, hash)?;
                self.traces.remove(&row.id);
                self.executions.remove(&row.id);
                continue;
            }
            open += 1;
            if let Err(e) = self.move_in(ctx, deriver, row, &g).await {
                warn!(target: "baton::keeper", game = row.id, error = %e, "move failed; retrying on the next tick");
            }
        }
        ctx.metrics.games_open.store(open, Ordering::Relaxed);
        self.claim(ctx).await
    }

    async fn move_in(
        &mut self,
        ctx: &Context,
        deriver: &Deriver,
        row: &GameRow,
        g: &IBisectionGame::Game,
    ) -> eyre::Result<()> {
        let contract = Self::game_contract(ctx);
        let id = U256::from(row.id);
        let output_exists = ctx
            .deployment
            .output_oracle(&ctx.provider)
            .outputExists(U256::from(g.outputIndex), U256::from(g.generation))
            .call()
            .await?;
        let clocks = contract.clocksOf(id).call().await?;
        let e = contract.executionOf(id).call().await?;
        let state = GameState {
            output_exists,
            proposer_to_move: g.proposerToMove,
            lo: g.lo,
            hi: g.hi,
            execution: (!e.inputKey.is_zero()).then_some(ExecutionState {
                lo: e.lo,
                hi: e.hi,
                end_claimed: !e.hiClaim.is_zero(),
            }),
            proposer_left: clocks.proposerLeft.saturating_to(),
            challenger_left: clocks.challengerLeft.saturating_to(),
        };
        let address = ctx.deployment.dispute_game;
        let sent = match next_move(self.side, &state) {
            Move::Wait => return Ok(()),
            Move::ResolveMoot => return self.resolve(ctx, row.id, "resolve (moot)").await,
            Move::ResolveTimeout => {
                return self
                    .resolve(ctx, row.id, "resolve (opponent out of time)")
                    .await;
            }
            Move::ProvePosition { lo } => match deriver.chain() {
                DerivedChain::Ledger(_) => {
                    let proof =
                        proofs::transaction_proof(ctx, deriver, row.output_index, lo, g.hi).await?;
                    info!(target: "baton::keeper", game = row.id, position = lo, "proving the disputed transaction");
                    let call = IDisputeGame::proveTransactionCall { gameId: id, proof };
                    send(ctx, address, call, U256::ZERO, "proveTransaction").await?
                }
                DerivedChain::Evm(_) => {
                    let proof = proofs::block_proof(ctx, deriver, row.output_index, lo).await?;
                    info!(target: "baton::keeper", game = row.id, position = lo, record = proof.span.recordIndex, "proving the disputed block");
                    let call = IEvmDisputeGame::proveBlockCall { gameId: id, proof };
                    send(ctx, address, call, U256::ZERO, "proveBlock").await?
                }
            },
            Move::ClaimExecutionEnd => {
                let steps = u64::try_from(contract.executionSteps().call().await?)?;
                let Some(run) = self.execution(ctx, deriver, row, g, &e).await? else {
                    return Ok(());
                };
                let mut claim = run.claim_at(steps)?;
                if !is_valid(claim) {
                    if row.fault.is_none() {
                        // Our own root is rejected by the guest: the node and the guest disagree.
                        // Claiming otherwise would be a lie; the game is lost on time.
                        warn!(target: "baton::keeper", game = row.id, %claim, halted_at = run.last_step(), "the guest rejects this keeper's own root: not claiming");
                        return Ok(());
                    }
                    claim = as_valid(claim);
                }
                info!(target: "baton::keeper", game = row.id, steps, halted_at = run.last_step(), %claim, "claiming the execution's end");
                Self::bisect(ctx, id, claim, "bisect (execution end)").await?
            }
            Move::BisectExecution { mid } => {
                let Some(run) = self.execution(ctx, deriver, row, g, &e).await? else {
                    return Ok(());
                };
                let claim = run.claim_at(mid)?;
                info!(target: "baton::keeper", game = row.id, lo = e.lo, hi = e.hi, mid, %claim, "bisecting the execution");
                Self::bisect(ctx, id, claim, "bisect (execution)").await?
            }
            Move::RespondExecution { mid } => {
                let Some(run) = self.execution(ctx, deriver, row, g, &e).await? else {
                    return Ok(());
                };
                let agree = run.claim_at(mid)? == e.midClaim;
                info!(target: "baton::keeper", game = row.id, lo = e.lo, hi = e.hi, mid, agree, "responding in the execution");
                Self::respond(ctx, id, agree, "respond (execution)").await?
            }
            Move::Step { lo } => {
                let Some(run) = self.execution(ctx, deriver, row, g, &e).await? else {
                    return Ok(());
                };
                let witness = run.witness_at(lo)?;
                if let Some((key, offset)) = witness.preimage {
                    let preimage = run
                        .preimage(&key)
                        .ok_or_else(|| eyre::eyre!("the run read preimage {key} it does not hold"))?
                        .to_vec();
                    let oracle = self.vm.as_ref().expect("set by execution()").1;
                    load_preimage_part(ctx, oracle, key, offset, preimage).await?;
                }
                info!(target: "baton::keeper", game = row.id, step = lo, post = %witness.post, "running the last step on L1");
                send(
                    ctx,
                    address,
                    IBisectionGame::stepCall {
                        gameId: id,
                        state: witness.state.to_vec().into(),
                        proofs: witness.proofs.into(),
                    },
                    U256::ZERO,
                    "step",
                )
                .await?
            }
            Move::Bisect { mid } => {
                let Some(trace) = self.trace(deriver, row) else {
                    // Not derived that far yet (a keeper that just restarted catches up first).
                    return Ok(());
                };
                let root = trace.root_at(mid);
                info!(target: "baton::keeper", game = row.id, lo = g.lo, hi = g.hi, mid, %root, "bisecting");
                Self::bisect(ctx, id, root, "bisect").await?
            }
            Move::Respond { mid } => {
                let Some(trace) = self.trace(deriver, row) else {
                    return Ok(());
                };
                let agree = trace.root_at(mid) == g.midRoot;
                info!(target: "baton::keeper", game = row.id, lo = g.lo, hi = g.hi, mid, agree, "responding");
                Self::respond(ctx, id, agree, "respond").await?
            }
        };
        Self::count(ctx, row, sent)
    }

    /// Proposer: posts `root` (a state root, or a VM claim in the execution).
    async fn bisect(ctx: &Context, id: U256, root: B256, what: &str) -> eyre::Result<Sent> {
        let call = IBisectionGame::bisectCall { gameId: id, root };
        send(ctx, ctx.deployment.dispute_game, call, U256::ZERO, what).await
    }

    /// Challenger: agrees or disagrees with the proposer's midpoint.
    async fn respond(ctx: &Context, id: U256, agree: bool, what: &str) -> eyre::Result<Sent> {
        let call = IBisectionGame::respondCall { gameId: id, agree };
        send(ctx, ctx.deployment.dispute_game, call, U256::ZERO, what).await
    }

    fn count(ctx: &Context, row: &GameRow, sent: Sent) -> eyre::Result<()> {
        match sent {
            Sent::Mined(_) => Metrics::inc(&ctx.metrics.moves_made),
            Sent::Refused(reason) => {
                warn!(target: "baton::keeper", game = row.id, %reason, "move refused in simulation; reading the game again next tick")
            }
        }
        Ok(())
    }

    async fn resolve(&self, ctx: &Context, id: u64, what: &str) -> eyre::Result<()> {
        match send(
            ctx,
            ctx.deployment.dispute_game,
            IBisectionGame::resolveCall {
                gameId: U256::from(id),
            },
            U256::ZERO,
            what,
        )
        .await?
        {
            Sent::Mined(_) => Metrics::inc(&ctx.metrics.moves_made),
            Sent::Refused(reason) => {
                warn!(target: "baton::keeper", game = id, %reason, "resolve refused in simulation")
            }
        }
        Ok(())
    }

    /// The trace this keeper plays `row` with (built once per game, with its scripted fault).
    fn trace<'a>(&'a mut self, deriver: &Deriver, row: &GameRow) -> Option<&'a mut OutputTrace> {
        match self.traces.entry(row.id) {
            std::collections::hash_map::Entry::Occupied(e) => Some(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => {
                let trace = deriver.trace(row.output_index)?;
                Some(e.insert(match row.fault {
                    Some(position) => trace.with_fault(position),
                    None => trace,
                }))
            }
        }
    }

    /// The recorded run of the guest on game `row`'s input, recorded on first use (or when the
    /// game's input changed: a reorg replaced `proveTransaction`). `None` while this keeper has
    /// not derived the interval yet.
    async fn execution(
        &mut self,
        ctx: &Context,
        deriver: &Deriver,
        row: &GameRow,
        g: &IBisectionGame::Game,
        e: &IBisectionGame::Execution,
    ) -> eyre::Result<Option<&Execution>> {
        if self
            .executions
            .get(&row.id)
            .is_some_and(|run| run.input_key == e.inputKey)
        {
            return Ok(self.executions.get(&row.id));
        }
        if self.vm.is_none() {
            let game = Self::game_contract(ctx);
            let memory_root = game.vmMemoryRoot().call().await?;
            let entry = u64::try_from(game.vmEntry().call().await?)?;
            let riscv = IRiscV::new(game.riscV().call().await?, &ctx.provider);
            let oracle = riscv.oracle().call().await?;
            let (elf, image) = match deriver.chain() {
                DerivedChain::Ledger(_) => (LEDGER_GUEST_ELF, "keepers/guest/image.json"),
                DerivedChain::Evm(_) => (EVM_GUEST_ELF, "keepers/guest-evm/image.json"),
            };
            self.vm = Some((Guest::load(elf, image, memory_root, entry)?, oracle));
        }
        let steps = u64::try_from(Self::game_contract(ctx).executionSteps().call().await?)?;
        // The claim the game fixed: our root before the position, the proposer's after it.
        let input = match deriver.chain() {
            DerivedChain::Ledger(_) => match self.trace(deriver, row) {
                Some(OutputTrace::Transactions(trace)) => {
                    let (input, preimages) = trace.guest_claim(g.lo, g.hiRoot);
                    Some((input.key(), preimages))
                }
                _ => None,
            },
            DerivedChain::Evm(_) => deriver.block_input(row.output_index, g.lo, g.hiRoot)?,
        };
        let Some((key, preimages)) = input else {
            return Ok(None);
        };
        eyre::ensure!(
            key == e.inputKey,
            "the game's guest input {} is not the one this keeper builds for position {} ({key}): \
             its derivation of the interval differs from L1's",
            e.inputKey,
            g.lo,
        );
        let guest = &self.vm.as_ref().expect("loaded above").0;
        let run = Execution::record(guest, key, preimages, steps)?;
        info!(target: "baton::keeper", game = row.id, input = %e.inputKey, halted_at = run.last_step(), end = %run.claim_at(steps)?, "recorded the guest's run on the disputed position");
        self.executions.insert(row.id, run);
        Ok(self.executions.get(&row.id))
    }

    /// Claims whatever the dispute game credits this keeper, and its reporter rewards.
    pub async fn claim(&self, ctx: &Context) -> eyre::Result<()> {
        let credit = Self::game_contract(ctx)
            .creditOf(ctx.address())
            .call()
            .await?;
        if !credit.is_zero()
            && let Sent::Mined(_) = send(
                ctx,
                ctx.deployment.dispute_game,
                IBisectionGame::claimCall {},
                U256::ZERO,
                "claim",
            )
            .await?
        {
            info!(target: "baton::keeper", wei = %credit, "claimed from the dispute game");
            ctx.metrics
                .bonds_claimed_wei
                .fetch_add(credit.saturating_to(), Ordering::Relaxed);
        }
        claim_reward(ctx).await
    }
}

/// Loads the 32-byte part at framed `offset` of `preimage` (whose hash is `key`) into the
/// preimage oracle, unless it is there already: the last step reads it.
async fn load_preimage_part(
    ctx: &Context,
    oracle: Address,
    key: B256,
    offset: u64,
    preimage: Vec<u8>,
) -> eyre::Result<()> {
    let contract = IPreimageOracle::new(oracle, &ctx.provider);
    if contract
        .readPreimage(key, U256::from(offset))
        .call()
        .await
        .is_ok()
    {
        return Ok(());
    }
    info!(target: "baton::keeper", %key, offset, bytes = preimage.len(), "loading the preimage part the last step reads");
    let call = IPreimageOracle::loadKeccak256PreimagePartCall {
        offset: U256::from(offset),
        preimage: preimage.into(),
    };
    match send(ctx, oracle, call, U256::ZERO, "loadKeccak256PreimagePart").await? {
        Sent::Mined(_) => Ok(()),
        Sent::Refused(reason) => Err(eyre::eyre!(
            "loading preimage {key} part {offset} refused: {reason}"
        )),
    }
}

/// Claims the reporter rewards the registry holds for this keeper (its share of the slashes
/// its evidence or games caused).
pub async fn claim_reward(ctx: &Context) -> eyre::Result<()> {
    let registry = ctx.deployment.registry(&ctx.provider);
    let reward = registry.rewardOf(ctx.address()).call().await?;
    if !reward.is_zero()
        && let Sent::Mined(_) = send(
            ctx,
            ctx.deployment.sequencer_registry,
            ISequencerRegistry::claimRewardCall {},
            U256::ZERO,
            "claimReward",
        )
        .await?
    {
        info!(target: "baton::keeper", wei = %reward, "claimed the reporter reward");
        ctx.metrics
            .bonds_claimed_wei
            .fetch_add(reward.saturating_to(), Ordering::Relaxed);
    }
    Ok(())
}
