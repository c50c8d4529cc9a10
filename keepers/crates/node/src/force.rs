//! Never sign a height a forced record can take.
//!
//! Whenever a force-queue entry is overdue on L1, anyone may append a forced record
//! (`BatchInbox.submitForcedRecord`), which takes the next L2 height. A leader that had already
//! signed blocks at that height and above, not yet on L1, can never sign other blocks there in
//! its epoch: its slashing protection forbids it, as the Slasher would take the second header for
//! an equivocation. It could not post in its epoch and would be slashed for liveness. So the
//! acting node keeps away from overdue entries: it seals nothing while the first entry L1 has
//! not consumed is overdue or within `margin` L1 blocks of its deadline (a record sealed then
//! might land after it), and when that entry is overdue it appends the forced record itself
//! (the entries' fees are then its own) and seals on top of it.

/// What the acting node does about the first force-queue entry L1 has not consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForceGate {
    /// No entry is near its deadline, or this node's unposted blocks consume it: seal.
    Seal,
    /// The entry's deadline is within the margin: a record sealed now might land after it.
    Wait,
    /// The entry is overdue: append the forced record, then seal on top of it.
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
    if pending_cursor > index {
        // This node's unposted blocks carry it: posting them is the way out.
        return ForceGate::Seal;
    }
    if l1_block >= deadline {
        ForceGate::Force
    } else if l1_block + margin >= deadline {
        ForceGate::Wait
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
    fn within_the_margin_waits() {
        assert_eq!(gate(Some((3, 106)), 3, 100, 6), ForceGate::Wait);
        assert_eq!(gate(Some((3, 101)), 3, 100, 6), ForceGate::Wait);
    }

    #[test]
    fn overdue_forces() {
        // The next block (101) is past a deadline of 100: a forced record may land in it.
        assert_eq!(gate(Some((3, 100)), 3, 100, 6), ForceGate::Force);
        assert_eq!(gate(Some((3, 20)), 0, 100, 6), ForceGate::Force);
    }

    #[test]
    fn entries_this_node_already_consumes_never_block_it() {
        assert_eq!(gate(Some((3, 20)), 4, 100, 6), ForceGate::Seal);
        assert_eq!(gate(Some((3, 103)), 9, 100, 6), ForceGate::Seal);
    }
}
