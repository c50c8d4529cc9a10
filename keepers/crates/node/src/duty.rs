//! Who sequences now: the epoch clock and this operator's duty in the current epoch.
//!
//! Rank 0 leads at once. A backup of rank `r` acts once `r × leaderTimeout` blocks of the epoch
//! have passed with no record, or when it is already the epoch's acting rank. A node stops
//! sealing `margin` L1 blocks before its epoch ends so that its last record still lands in the
//! epoch its headers name (the inbox rejects a record for another epoch); if it also leads the
//! next epoch, it goes on sealing blocks of that epoch meanwhile ([`Duty::continues`]).

use alloy::{
    primitives::{Address, U256},
    providers::RootProvider,
};
use baton_bindings::Deployment;
use baton_core::{epoch_of, epoch_start_block};
use std::num::NonZeroU64;

/// This node's duty at one L1 block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duty {
    /// L1 head block number.
    pub l1_block: u64,
    /// Its epoch.
    pub epoch: u64,
    /// First block of the epoch.
    pub epoch_start: u64,
    /// First block of the next epoch.
    pub epoch_end: u64,
    /// The operator acting (or due to act) this epoch, with its signer, if any is scheduled.
    pub acting: Option<(Address, Address, u64)>,
    /// Whether this node is the one acting and may seal now.
    pub sealing: bool,
    /// Whether this node may post a record now (acting, before the epoch ends).
    pub posting: bool,
    /// This node's rank in the epoch, if it is scheduled.
    pub my_rank: Option<u64>,
    /// Whether a sequenced record was already posted this epoch.
    pub posted: bool,
    /// Whether this operator is the eligible leader (rank 0) of the next epoch (only read when
    /// it acts and has posted in this one).
    pub next_leader: bool,
}

impl Duty {
    /// How many more records can still land in this epoch if one is sent per L1 block from now
    /// on, keeping `margin - 1` blocks in hand. The record in flight counts: it may have been
    /// sent late in the current block.
    pub fn record_room(&self, margin: u64) -> u64 {
        (self.epoch_end + 1).saturating_sub(self.l1_block + margin)
    }

    /// Whether this node may move on to sealing blocks of the next epoch once this epoch has no
    /// room for another of its records: it acts and has posted in this epoch, and leads the
    /// next. Those blocks build on its own, so the chain does not pause between its epochs;
    /// their record waits until the next epoch begins.
    pub fn continues(&self) -> bool {
        self.posting && self.posted && self.next_leader
    }
}

/// Reads the schedule from L1.
#[derive(Debug, Clone)]
pub struct DutyReader {
    provider: RootProvider,
    deployment: Deployment,
    operator: Address,
    genesis: u64,
    epoch_length: NonZeroU64,
    leader_timeout: u64,
    /// L1 blocks before the epoch's end at which sealing stops.
    pub margin: u64,
}

impl DutyReader {
    /// A reader for `operator`.
    pub async fn new(
        provider: RootProvider,
        deployment: Deployment,
        operator: Address,
        margin: u64,
    ) -> eyre::Result<Self> {
        let schedule = deployment.leader_schedule(provider.clone());
        let genesis: u64 = schedule.genesisBlock().call().await?.try_into()?;
        let epoch_length = NonZeroU64::new(schedule.epochLength().call().await?.try_into()?)
            .ok_or_else(|| eyre::eyre!("epochLength is zero"))?;
        let leader_timeout = schedule.leaderTimeout().call().await?.try_into()?;
        Ok(Self {
            provider,
            deployment,
            operator,
            genesis,
            epoch_length,
            leader_timeout,
            margin,
        })
    }

    /// The epoch of L1 block `block`.
    pub fn epoch_of(&self, block: u64) -> u64 {
        epoch_of(block, self.genesis, self.epoch_length)
    }

    /// The duty at L1 block `head`.
    pub async fn duty_at(&self, head: u64) -> eyre::Result<Duty> {
        let epoch = self.epoch_of(head);
        let start = epoch_start_block(epoch, self.genesis, self.epoch_length)
            .ok_or_else(|| eyre::eyre!("epoch {epoch} overflows"))?;
        let epoch_end = start + self.epoch_length.get();
        let mut duty = Duty {
            l1_block: head,
            epoch,
            epoch_start: start,
            epoch_end,
            ..Duty::default()
        };
        let schedule = self.deployment.leader_schedule(self.provider.clone());
        let inbox = self.deployment.batch_inbox(self.provider.clone());
        let posting = inbox.epochPosting(U256::from(epoch)).call().await?;
        duty.posted = posting.posted;
        let acting_rank: u64 = posting.actingRank.try_into().unwrap_or(u64::MAX);
        // Walk the ranks until the schedule runs out (or none is scheduled yet).
        for rank in 0u64..16 {
            let Ok(s) = schedule
                .scheduledSigner(U256::from(epoch), U256::from(rank))
                .call()
                .await
            else {
                break;
            };
            let eligible_from = start + rank * self.leader_timeout;
            let acts = s.eligible
                && if posting.posted {
                    acting_rank == rank
                } else {
                    head >= eligible_from
                };
            if acts && duty.acting.is_none() {
                duty.acting = Some((s.operator, s.signer, rank));
            }
            if s.operator == self.operator {
                duty.my_rank = Some(rank);
                // Before any record, every rank past its timeout may post (the first wins);
                // after one, only the acting rank.
                duty.posting = acts && head < epoch_end;
                duty.sealing = acts && head + self.margin < epoch_end;
            }
            if duty.acting.is_some() && duty.my_rank.is_some() {
                break;
            }
        }
        if duty.posting && duty.posted {
            // The next epoch's schedule may not be drawn yet: then this node does not know it
            // leads it, and pauses at the epoch's end as any other leader would.
            duty.next_leader = schedule
                .scheduledSigner(U256::from(epoch + 1), U256::ZERO)
                .call()
                .await
                .is_ok_and(|next| next.eligible && next.operator == self.operator);
        }
        Ok(duty)
    }
}

/// What the sealer knows besides the duty when it decides whether to seal a block now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealState {
    /// The last L1 block this node has read.
    pub l1_cursor: u64,
    /// The epoch whose first blocks this node sealed ahead, on top of its own (or `u64::MAX`).
    pub sealed_ahead: u64,
    /// The L1 block this node must have read before sealing again (after dropping its blocks).
    pub resync_until: u64,
    /// The epoch + 1 of the last block this node followed from another (0 for none).
    pub followed_epoch: u64,
    /// Cut records waiting to be posted.
    pub queued_records: u64,
    /// `--epoch-margin`.
    pub epoch_margin: u64,
}

impl Duty {
    /// The epoch the next block sealed now belongs to, or `None` when this node must not seal:
    /// it does not act (and does not continue into the next epoch), it has not read every record
    /// of earlier epochs (sealing on blocks a late record may still replace would burn heights it
    /// can never sign again), it is resyncing after dropping its blocks, or it is a backup that
    /// still receives the leader's blocks. The block belongs to this epoch while a record holding
    /// it can still land in it (the queued ones land first, one per L1 block; one block is kept in
    /// hand for the record in flight), else to the next when this node leads it.
    pub fn seal_epoch(&self, s: &SealState) -> Option<u64> {
        if !self.sealing && !self.continues() {
            return None;
        }
        if s.l1_cursor < self.epoch_start && s.sealed_ahead != self.epoch {
            return None;
        }
        if s.l1_cursor < s.resync_until {
            return None;
        }
        let backup = self.my_rank > self.acting.map(|a| a.2);
        if backup && !self.posted && s.followed_epoch == self.epoch + 1 {
            return None;
        }
        let fits = self.sealing && s.queued_records + 2 <= self.record_room(s.epoch_margin);
        if fits {
            Some(self.epoch)
        } else if self.continues() {
            Some(self.epoch + 1)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duty(l1_block: u64) -> Duty {
        Duty {
            l1_block,
            epoch: 3,
            epoch_start: 24,
            epoch_end: 32,
            ..Duty::default()
        }
    }

    #[test]
    fn record_room_counts_the_records_that_can_still_land() {
        // With a margin of 2, a record sent at block 30 (end - 2) is mined at 31, the epoch's
        // last block: it is the last one that can land.
        assert_eq!(duty(30).record_room(2), 1);
        assert_eq!(duty(29).record_room(2), 2);
        assert_eq!(duty(24).record_room(2), 7);
        assert_eq!(duty(31).record_room(2), 0);
        assert_eq!(duty(40).record_room(2), 0, "past the epoch");
        assert_eq!(duty(30).record_room(1), 2);
    }

    #[test]
    fn only_a_leader_that_posted_and_leads_next_continues() {
        let ready = Duty {
            posting: true,
            posted: true,
            next_leader: true,
            ..duty(30)
        };
        assert!(ready.continues());
        for not in [
            Duty {
                posting: false,
                ..ready.clone()
            },
            Duty {
                posted: false,
                ..ready.clone()
            },
            Duty {
                next_leader: false,
                ..ready.clone()
            },
        ] {
            assert!(!not.continues(), "{not:?}");
        }
    }

    fn ready() -> (Duty, SealState) {
        let d = Duty {
            sealing: true,
            posting: true,
            my_rank: Some(0),
            acting: Some((Address::ZERO, Address::ZERO, 0)),
            ..duty(26)
        };
        let s = SealState {
            l1_cursor: 25,
            sealed_ahead: u64::MAX,
            resync_until: 0,
            followed_epoch: 0,
            queued_records: 0,
            epoch_margin: 2,
        };
        (d, s)
    }

    #[test]
    fn an_acting_node_that_has_read_l1_seals_for_its_epoch() {
        let (d, s) = ready();
        assert_eq!(d.seal_epoch(&s), Some(3));
    }

    #[test]
    fn a_node_that_does_not_act_never_seals() {
        let (d, s) = ready();
        let idle = Duty {
            sealing: false,
            ..d
        };
        assert_eq!(idle.seal_epoch(&s), None);
    }

    #[test]
    fn earlier_records_must_be_read_unless_it_sealed_ahead_itself() {
        let (d, s) = ready();
        let behind = SealState { l1_cursor: 23, ..s };
        assert_eq!(d.seal_epoch(&behind), None);
        let ahead = SealState {
            sealed_ahead: 3,
            ..behind
        };
        assert_eq!(d.seal_epoch(&ahead), Some(3));
    }

    #[test]
    fn a_resyncing_node_waits_until_it_has_read_l1() {
        let (d, s) = ready();
        assert_eq!(
            d.seal_epoch(&SealState {
                resync_until: 26,
                ..s
            }),
            None
        );
        assert_eq!(
            d.seal_epoch(&SealState {
                resync_until: 25,
                ..s
            }),
            Some(3)
        );
    }

    #[test]
    fn a_backup_defers_while_it_still_follows_the_leader() {
        let (d, s) = ready();
        let backup = Duty {
            my_rank: Some(1),
            ..d
        };
        let following = SealState {
            followed_epoch: 4,
            ..s
        };
        assert_eq!(backup.seal_epoch(&following), None);
        assert_eq!(backup.seal_epoch(&s), Some(3), "the leader went quiet");
        let posted = Duty {
            posted: true,
            ..backup
        };
        assert_eq!(
            posted.seal_epoch(&following),
            Some(3),
            "it already holds the epoch"
        );
    }

    #[test]
    fn a_full_epoch_moves_a_continuing_leader_to_the_next() {
        let (d, s) = ready();
        // Block 30 of an epoch ending at 32, margin 2: room for one record, which the queued
        // one already takes with the block kept in hand.
        let late = Duty { l1_block: 30, ..d };
        assert_eq!(
            late.seal_epoch(&SealState {
                queued_records: 0,
                ..s
            }),
            None
        );
        let continuing = Duty {
            posted: true,
            next_leader: true,
            ..late
        };
        assert_eq!(continuing.seal_epoch(&s), Some(4));
        assert_eq!(
            d.seal_epoch(&SealState {
                queued_records: 5,
                ..s
            }),
            None
        );
    }
}
