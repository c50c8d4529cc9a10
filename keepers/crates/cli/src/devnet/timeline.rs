//! What the protocol did, as it happened: every event the contracts emit (slashes, forced
//! records, outputs, games, payouts), and what the keepers sent (read off their counters), one
//! line each with the time since the scenario began.

use super::net::Net;
use crate::common::ether;
use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::{Filter, Log},
    sol_types::SolEventInterface,
};
use baton_bindings::{
    IBatchInbox::IBatchInboxEvents, IBisectionGame::IBisectionGameEvents,
    IForceInclusionQueue::IForceInclusionQueueEvents, IL1OutputOracle::IL1OutputOracleEvents,
    IPortal::IPortalEvents, ISequencerRegistry::ISequencerRegistryEvents, ISlasher::ISlasherEvents,
};
use std::{collections::HashMap, time::Instant};

/// One contract event.
#[derive(Debug)]
pub(crate) enum Event {
    Registry(ISequencerRegistryEvents),
    Slasher(ISlasherEvents),
    Inbox(IBatchInboxEvents),
    Oracle(IL1OutputOracleEvents),
    Game(IBisectionGameEvents),
    Queue(IForceInclusionQueueEvents),
    Portal(IPortalEvents),
}

/// Keeper counters worth a line when they move: (role, metric, what it means).
const COUNTERS: [(&str, &str, &str); 6] = [
    (
        "watcher",
        "baton_keeper_slashes_submitted_total",
        "sent a slash with its evidence",
    ),
    (
        "watcher",
        "baton_keeper_forced_records_total",
        "appended a forced record",
    ),
    (
        "watcher",
        "baton_keeper_missed_epochs_total",
        "found an epoch its leader missed",
    ),
    ("proposer", "baton_keeper_moves_total", "sent a move"),
    ("challenger", "baton_keeper_moves_total", "sent a move"),
    ("challenger", "baton_keeper_games_open", "games open"),
];

/// The events seen so far, and where to read on from.
pub(crate) struct Timeline {
    started: Instant,
    next_block: u64,
    counters: HashMap<(&'static str, &'static str), u64>,
    /// (L1 block, event), in order.
    pub(crate) events: Vec<(u64, Event)>,
}

impl Timeline {
    /// Starts reading at the L1 block the network's nodes were started at.
    pub(crate) fn new(net: &Net) -> Self {
        Self {
            started: Instant::now(),
            next_block: net.started_at_block,
            counters: HashMap::new(),
            events: Vec::new(),
        }
    }

    /// Prints a line stamped with the time since the start.
    pub(crate) fn say(&self, what: &str) {
        println!("  [{:>6.1}s] {what}", self.started.elapsed().as_secs_f64());
    }

    /// Reads new L1 events and keeper counters, printing each.
    pub(crate) async fn poll(&mut self, net: &Net) -> eyre::Result<()> {
        for (role, metric, meaning) in COUNTERS {
            let Some(url) = net.keeper_metrics(role) else {
                continue;
            };
            let Ok(text) = reqwest::get(&url).await.and_then(|r| r.error_for_status()) else {
                continue;
            };
            let Some(value) = metric_value(&text.text().await.unwrap_or_default(), metric) else {
                continue;
            };
            let before = self.counters.insert((role, metric), value).unwrap_or(0);
            if value != before
                && (metric.ends_with("_total") && value > before || metric.ends_with("_open"))
            {
                if metric.ends_with("_open") {
                    self.say(&format!("{role}: {meaning}: {value}"));
                } else {
                    self.say(&format!("{role} {meaning} ({metric} {before} → {value})"));
                }
            }
        }
        let head = net.l1.get_block_number().await?;
        if head < self.next_block {
            return Ok(());
        }
        let d = &net.deployment;
        let logs = net
            .l1
            .get_logs(
                &Filter::new()
                    .address(vec![
                        d.sequencer_registry,
                        d.slasher,
                        d.batch_inbox,
                        d.output_oracle,
                        d.dispute_game,
                        d.force_inclusion_queue,
                        d.portal,
                    ])
                    .from_block(self.next_block)
                    .to_block(head),
            )
            .await?;
        self.next_block = head + 1;
        for log in logs {
            if let Some(event) = decode(net, &log) {
                let block = log.block_number.unwrap_or_default();
                if let Some(line) = describe(net, &event) {
                    self.say(&format!("L1 #{block} {line}"));
                }
                self.events.push((block, event));
            }
        }
        Ok(())
    }

    /// The first event `pick` maps to something.
    pub(crate) fn find<T>(&self, pick: impl Fn(&Event) -> Option<T>) -> Option<T> {
        self.events.iter().find_map(|(_, e)| pick(e))
    }
}

fn decode(net: &Net, log: &Log) -> Option<Event> {
    let d = &net.deployment;
    let a = log.address();
    let inner = &log.inner;
    if a == d.sequencer_registry {
        ISequencerRegistryEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Registry(l.data))
    } else if a == d.slasher {
        ISlasherEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Slasher(l.data))
    } else if a == d.batch_inbox {
        IBatchInboxEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Inbox(l.data))
    } else if a == d.output_oracle {
        IL1OutputOracleEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Oracle(l.data))
    } else if a == d.dispute_game {
        IBisectionGameEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Game(l.data))
    } else if a == d.force_inclusion_queue {
        IForceInclusionQueueEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Queue(l.data))
    } else if a == d.portal {
        IPortalEvents::decode_log(inner)
            .ok()
            .map(|l| Event::Portal(l.data))
    } else {
        None
    }
}

fn eth(wei: U256) -> String {
    format!("{} ETH", ether(wei))
}

/// A line for the events a reader wants to see; routine ones (records by the leader, bisection
/// steps) are kept but not printed.
fn describe(net: &Net, event: &Event) -> Option<String> {
    let n = |a: Address| net.name(a);
    // An output commits to a block's header hash on the EVM chain and a game's trace is of
    // blocks; on the ledger, a state root and transactions.
    let (root, unit) = if net.deployment.parameters.l2_execution.is_ledger() {
        ("state root", "transaction")
    } else {
        ("block hash", "block")
    };
    Some(match event {
        Event::Slasher(ISlasherEvents::OffenceSlashed(e)) => format!(
            "slash mined: {:?} by {} (subject {}, epoch {}), {} taken, reported by {}",
            e.offence,
            n(e.operator),
            e.subject,
            e.epoch,
            eth(e.amount),
            n(e.reporter)
        ),
        Event::Registry(ISequencerRegistryEvents::Slashed(e)) => format!(
            "stake slashed: {} lost {} ({} to {} as reward, {} burned)",
            n(e.operator),
            eth(e.amount),
            eth(e.reporterReward),
            n(e.reporter),
            eth(e.burned)
        ),
        Event::Registry(ISequencerRegistryEvents::Jailed(e)) => {
            format!("{} jailed until epoch {}", n(e.operator), e.untilEpoch)
        }
        Event::Registry(ISequencerRegistryEvents::RewardClaimed(e)) => {
            format!(
                "payout: {} claimed a reporter reward of {}",
                n(e.reporter),
                eth(e.amount)
            )
        }
        Event::Inbox(IBatchInboxEvents::RecordAppended(e)) if e.forced => format!(
            "forced record {} appended (epoch {}): the queue's overdue entries are in L2",
            e.index, e.epoch
        ),
        Event::Inbox(IBatchInboxEvents::RecordAppended(e)) if e.rank > U256::ZERO => format!(
            "record {} posted by backup rank {} ({}) for epoch {}",
            e.index,
            e.rank,
            n(e.operator),
            e.epoch
        ),
        Event::Oracle(IL1OutputOracleEvents::OutputProposed(e)) => format!(
            "output {} proposed by {} ({root} {})",
            e.index,
            n(e.proposer),
            e.stateRoot
        ),
        Event::Oracle(IL1OutputOracleEvents::OutputsDeleted(e)) => {
            format!("outputs {}..{} deleted", e.fromIndex, e.previousCount)
        }
        Event::Oracle(IL1OutputOracleEvents::OutputsFinalized(e)) => {
            format!("outputs finalized: {} in all", e.count)
        }
        Event::Game(IBisectionGameEvents::GameCreated(e)) => format!(
            "dispute game {} opened by {} against output {} ({} {unit}s in its trace)",
            e.gameId,
            n(e.challenger),
            e.outputIndex,
            e.traceLength
        ),
        Event::Game(IBisectionGameEvents::ExecutionStarted(e)) => format!(
            "game {}: {unit} {} proven; the guest's execution of it is disputed next (input {})",
            e.gameId, e.position, e.inputKey
        ),
        Event::Game(IBisectionGameEvents::StepProven(e)) => format!(
            "game {}: VM step {} executed on L1",
            e.gameId,
            e.step + U256::from(1)
        ),
        Event::Game(IBisectionGameEvents::GameResolved(e)) => {
            format!("game {} resolved: {:?}", e.gameId, e.status)
        }
        Event::Game(IBisectionGameEvents::Credited(e)) => {
            format!("{} credited {} by the game", n(e.account), eth(e.amount))
        }
        Event::Game(IBisectionGameEvents::Claimed(e)) => {
            format!(
                "payout: {} claimed {} from the game",
                n(e.account),
                eth(e.amount)
            )
        }
        Event::Queue(IForceInclusionQueueEvents::Enqueued(e)) => format!(
            "force-queue entry {} from {} (deadline L1 #{})",
            e.index,
            n(e.sender),
            e.deadline
        ),
        Event::Portal(IPortalEvents::DepositInitiated(e)) => {
            format!("deposit of {} to {} on L2", eth(e.amount), n(e.l2Recipient))
        }
        Event::Portal(IPortalEvents::WithdrawalFinalized(e)) => {
            format!("withdrawal paid: {} to {}", eth(e.amount), n(e.l1Recipient))
        }
        _ => return None,
    })
}

/// The value of `name` in a Prometheus exposition.
fn metric_value(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}
