//! `baton status` and the devnet's live status block: one snapshot of the network, read from L1
//! (schedule, inbox, outputs, games, slashes) and from one node's `baton_status`.

use crate::common::{Endpoints, ether, l1_now, rpc_client};
use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use baton_bindings::{Deployment, IBisectionGame, ISlasher};
use baton_rpc::BatonApiClient;
use clap::Args;
use eyre::WrapErr;

/// Games looked at for the open count: the devnet plays a handful; a long-lived network would
/// index `GameCreated` instead.
const RECENT_GAMES: u64 = 64;

/// What the network looks like right now.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// L1 head.
    pub(crate) l1_block: u64,
    /// Current epoch and its rank-0 leader.
    pub(crate) epoch: u64,
    pub(crate) leader: Address,
    /// The operator acting for the epoch as the node sees it (a backup when the leader is late).
    pub(crate) acting: Option<Address>,
    /// The node's head (preconfirmed) and the head it derived from L1 (safe).
    pub(crate) l2_head: Option<u64>,
    pub(crate) safe_head: Option<u64>,
    /// Records on L1 and the L2 block the last one ends with.
    pub(crate) records: u64,
    pub(crate) last_record_l2_block: u64,
    /// Outputs proposed and finalized.
    pub(crate) outputs: u64,
    pub(crate) finalized: u64,
    /// Seconds until the last output may be finalized (zero once it may).
    pub(crate) last_output_final_in: Option<u64>,
    /// Games in progress among the recent ones.
    pub(crate) open_disputes: u64,
    /// Offences slashed so far.
    pub(crate) slashes: u64,
}

impl Snapshot {
    /// Reads the snapshot. `node` is an L2 RPC URL; an unreachable node leaves its fields empty.
    pub(crate) async fn read(
        l1: &DynProvider,
        d: &Deployment,
        node: Option<&str>,
    ) -> eyre::Result<Snapshot> {
        let schedule = d.leader_schedule(l1);
        let inbox = d.batch_inbox(l1);
        let oracle = d.output_oracle(l1);
        let game = d.dispute_game(l1);
        let l1_block = l1
            .get_block_number()
            .await
            .wrap_err("reading the L1 head")?;
        let epoch = schedule.currentEpoch().call().await?;
        let leader = schedule.leaderOf(epoch, U256::ZERO).call().await?;
        let records: u64 = inbox.recordCount().call().await?.try_into()?;
        let outputs: u64 = oracle.outputCount().call().await?.try_into()?;
        let finalized: u64 = oracle.finalizedCount().call().await?.try_into()?;
        let last_output_final_in = if outputs > finalized {
            let last = oracle.outputAt(U256::from(outputs - 1)).call().await?;
            let final_at = last.proposedAt.to::<u64>() + d.parameters.finalization_period;
            Some(final_at.saturating_sub(l1_now(l1).await?))
        } else {
            None
        };
        let games: u64 = game.gameCount().call().await?.try_into()?;
        let mut open_disputes = 0;
        for id in games.saturating_sub(RECENT_GAMES)..games {
            let g = game.gameAt(U256::from(id)).call().await?;
            if g.status == IBisectionGame::Status::InProgress {
                open_disputes += 1;
            }
        }
        let slashes = l1
            .get_logs(
                &Filter::new()
                    .address(d.slasher)
                    .event_signature(ISlasher::OffenceSlashed::SIGNATURE_HASH)
                    .from_block(0),
            )
            .await?
            .len() as u64;
        let mut snapshot = Snapshot {
            l1_block,
            epoch: epoch.try_into()?,
            leader,
            records,
            last_record_l2_block: inbox.lastL2Block().call().await?,
            outputs,
            finalized,
            last_output_final_in,
            open_disputes,
            slashes,
            ..Default::default()
        };
        if let Some(url) = node
            && let Ok(client) = rpc_client(url)
            && let Ok(status) = BatonApiClient::status(&client).await
        {
            snapshot.l2_head = Some(status.head);
            snapshot.safe_head = Some(status.safe_head);
            snapshot.acting = status.acting.map(|a| a.operator);
        }
        Ok(snapshot)
    }

    /// Labelled lines, for `baton status` and the devnet's status block (short enough not to
    /// wrap, so the block can be redrawn in place). `name` shows an address.
    pub(crate) fn report(&self, name: impl Fn(Address) -> String) -> String {
        let acting = match self.acting {
            Some(a) if a != self.leader => format!(" (a backup acts: {})", name(a)),
            _ => String::new(),
        };
        let finality = self
            .last_output_final_in
            .map(|s| format!(" (the last may be finalized in {s} s)"))
            .unwrap_or_default();
        format!(
            "L1 block             {}\n\
             epoch                {}, leader {}{acting}\n\
             L2 head              {} preconfirmed, {} safe (derived from L1)\n\
             records on L1        {} (the last ends at L2 block {})\n\
             outputs              {} proposed, {} finalized{finality}\n\
             open disputes        {}\n\
             offences slashed     {}",
            self.l1_block,
            self.epoch,
            name(self.leader),
            opt(self.l2_head),
            opt(self.safe_head),
            self.records,
            self.last_record_l2_block,
            self.outputs,
            self.finalized,
            self.open_disputes,
            self.slashes,
        )
    }
}

fn opt(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

/// One account's standing: its balances, and its stake if it is an operator.
pub(crate) async fn account_report(
    l1: &DynProvider,
    d: &Deployment,
    l2_rpc: &str,
    account: Address,
) -> eyre::Result<String> {
    let registry = d.registry(l1);
    let l1_balance = l1.get_balance(account).await?;
    let l2_balance = super::l2_balance(l2_rpc, account).await.ok();
    let stake = registry.stakeOf(account).call().await?;
    let unbonding = registry.unbondingOf(account).call().await?;
    let mut out = format!(
        "account              {account}\n\
         L1 balance           {} ETH\n\
         L2 balance           {}",
        ether(l1_balance),
        l2_balance
            .map(|b| format!("{} ETH", ether(b)))
            .unwrap_or_else(|| format!("? ({l2_rpc} did not answer)")),
    );
    if !stake.is_zero() || !unbonding.amount.is_zero() {
        let active = registry.isActive(account).call().await?;
        let signer = registry.signerOf(account).call().await?;
        out += &format!(
            "\nstake                {} ETH ({}), signer {signer}",
            ether(stake),
            if active { "active" } else { "not active" },
        );
        if !unbonding.amount.is_zero() {
            let at: u64 = unbonding.withdrawableAt.try_into()?;
            out += &format!(
                "\nunbonding            {} ETH, withdrawable {}",
                ether(unbonding.amount),
                match at.saturating_sub(l1_now(l1).await?) {
                    0 => "now (baton withdraw-stake)".to_string(),
                    s => format!("in {s} s"),
                }
            );
        }
    }
    let reward = registry.rewardOf(account).call().await?;
    if !reward.is_zero() {
        out += &format!("\nreporter reward      {} ETH unclaimed", ether(reward));
    }
    Ok(out)
}

/// `baton status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Also show this account's balances, stake and rewards.
    #[arg(long)]
    pub(crate) address: Option<Address>,
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
}

/// `baton status`.
pub(crate) async fn status(args: StatusArgs) -> eyre::Result<()> {
    let (l1, d) = args.endpoints.connect().await?;
    let snapshot = Snapshot::read(&l1, &d, Some(&args.endpoints.l2_rpc)).await?;
    println!("{}", snapshot.report(|a| a.to_string()));
    if let Some(account) = args.address {
        println!(
            "{}",
            account_report(&l1, &d, &args.endpoints.l2_rpc, account).await?
        );
    }
    Ok(())
}
