//! Never sign a height a forced record can take, and never let an entry go overdue in hand.
//!
//! Whenever a force-queue entry is overdue on L1, anyone may append a forced record
//! (`BatchInbox.submitForcedRecord`), which takes the next L2 height. A leader that had already
//! signed blocks at that height and above, not yet on L1, can never sign other blocks there in
//! its epoch: its slashing protection forbids it, as the Slasher would take the second header for
//! an equivocation. It could not post in its epoch and would be slashed for liveness. And an
//! entry that goes overdue while this node acts is censorship blamed on it. So, for the first
//! entry L1 has not consumed:
//! - overdue already, and not in this node's unposted blocks: seal nothing; append the forced
//!   record itself (the entries' fees are then its own) and seal on top of it;
//! - within `margin` L1 blocks of its deadline, not in this node's blocks yet: start a record
//!   with it at once and send that record alone, so it lands before the deadline;
//! - in this node's unposted blocks and within the margin (or past it): build nothing more on
//!   them until they land, so a forced record that still wins the race burns as few heights
//!   as possible;
//! - otherwise: seal as usual (each record's first block consumes every entry read, up to the
//!   queue's `maxRecordEntries`; deadlines are spaced so that a full record every two L1 blocks
//!   keeps up with any flood).

/// What the acting node does about the first force-queue entry L1 has not consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForceGate {
    /// No entry is near its deadline: seal as usual.
    Seal,
    /// An entry is near its deadline and not in this node's blocks: the next block starts a
    /// record that consumes it, and that record is sent alone, at once.
    StartRecord,
    /// This node's unposted blocks carry an entry near (or past) its deadline: wait for them
    /// to land before sealing more.
    Wait,
    /// An entry is overdue and not in this node's blocks: append the forced record, then seal
    /// on top of it.
    Force,
}

/// The gate for the first entry L1 has not consumed, `(index, deadline)` (none when every
/// known entry is consumed), when this node's pending chain consumes entries up to
/// `pending_cursor` and the L1 head is `l1_block`. An entry is overdue once the block a
/// transaction lands in is past its deadline, so from `l1_block >= deadline` on.
pub fn gate(
    first_unconsumed: Option<(u64, u64)>,
    pending_cursor: u64,
    l1_block: u64,
    margin: u64,
) -> ForceGate {
    let Some((index, deadline)) = first_unconsumed else {
        return ForceGate::Seal;
    };
    let near = l1_block + margin >= deadline;
    if pending_cursor > index {
        // This node's unposted blocks carry it: posting them is the way out.
        return if near {
            ForceGate::Wait
        } else {
            ForceGate::Seal
        };
    }
    if l1_block >= deadline {
        ForceGate::Force
    } else if near {
        ForceGate::StartRecord
    } else {
        ForceGate::Seal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_unconsumed_seals() {
        assert_eq!(gate(None, 0, 100, 6), ForceGate::Seal);
    }

    #[test]
    fn far_from_the_deadline_seals() {
        assert_eq!(gate(Some((3, 200)), 3, 100, 6), ForceGate::Seal);
        assert_eq!(gate(Some((3, 107)), 3, 100, 6), ForceGate::Seal);
    }

    #[test]
    fn near_the_deadline_an_entry_not_in_hand_starts_a_record_at_once() {
        // Not waiting: an entry left to go overdue while this node acts is its censorship.
        assert_eq!(gate(Some((3, 106)), 3, 100, 6), ForceGate::StartRecord);
        assert_eq!(gate(Some((3, 101)), 3, 100, 6), ForceGate::StartRecord);
    }

    #[test]
    fn overdue_and_not_in_hand_forces() {
        // The next block (101) is past a deadline of 100: a forced record may land in it.
        assert_eq!(gate(Some((3, 100)), 3, 100, 6), ForceGate::Force);
        assert_eq!(gate(Some((3, 20)), 0, 100, 6), ForceGate::Force);
    }

    #[test]
    fn an_entry_in_hand_near_or_past_its_deadline_waits_for_its_record() {
        assert_eq!(gate(Some((3, 103)), 4, 100, 6), ForceGate::Wait);
        assert_eq!(gate(Some((3, 20)), 9, 100, 6), ForceGate::Wait);
        assert_eq!(
            gate(Some((3, 200)), 4, 100, 6),
            ForceGate::Seal,
            "far: go on"
        );
    }
}
