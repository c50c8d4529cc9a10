// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "../utils/BatonTest.sol";
import {InboxHandler} from "./handlers/InboxHandler.sol";
import {Deploy} from "../../script/Deploy.s.sol";

/// @notice Under random enqueues (garbage included), sequenced records by the scheduled leader,
///         forced records, fee claims and passing time: no overdue entry is ever skipped short of
///         a full record, no record consumes more than the cap, deadlines are spaced as the queue
///         promises, the record hash chain matches a ghost chain, and the queue's ETH is fully
///         accounted for. The cap is three entries, so that the runs reach it.
contract InboxInvariants is BatonTest {
    InboxHandler internal handler;

    function _profile() internal override returns (Deploy.Profile memory profile) {
        profile = super._profile();
        profile.maxRecordEntries = 3;
    }

    function setUp() public override {
        super.setUp();
        Op[] memory o = new Op[](3);
        o[0] = _bond("alice", 1 ether);
        o[1] = _bond("bob", 2 ether);
        o[2] = _bond("carol", 3 ether);
        _activateSchedule();
        InboxHandler.Op[] memory hops = new InboxHandler.Op[](3);
        for (uint256 i; i < 3; ++i) {
            hops[i] = InboxHandler.Op(o[i].operator, o[i].signer, o[i].signerKey);
        }
        handler = new InboxHandler(registry, queue, inbox, hops, p.l2ChainId);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = InboxHandler.enqueue.selector;
        selectors[1] = InboxHandler.postRecord.selector;
        selectors[2] = InboxHandler.submitForcedRecord.selector;
        selectors[3] = InboxHandler.claimFees.selector;
        selectors[4] = InboxHandler.roll.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// The cursor only moves forward, and after every sequenced record every entry whose deadline
    /// had passed was consumed; a record that leaves an overdue entry behind is always refused.
    function invariant_overdueEntryNeverSkipped() public view {
        assertEq(handler.overdueSkipped(), 0, "a sequenced record left an overdue entry");
        assertEq(handler.cursorWentBack(), 0, "cursor moved back");
        assertEq(handler.skipAccepted(), 0, "record skipping an overdue entry accepted");
        assertEq(handler.overCapAccepted(), 0, "record consuming more than the cap accepted");
        assertGe(queue.cursor(), handler.ghostLastCursor());
        assertLe(queue.cursor(), queue.length());
    }

    /// Every deadline is the ghost's: the delay after its enqueue, spaced DUE_SPACING blocks
    /// after the entry a full record before it; so deadlines never decrease.
    function invariant_deadlinesSpaced() public view {
        uint256 n = queue.length();
        uint256 cap = queue.maxRecordEntries();
        for (uint256 i; i < n; ++i) {
            assertEq(queue.deadlineOf(i), handler.ghostDeadlines(i), "deadline");
            if (i > 0) assertGe(queue.deadlineOf(i), queue.deadlineOf(i - 1), "deadlines decrease");
            if (i >= cap) {
                assertGe(queue.deadlineOf(i), queue.deadlineOf(i - cap) + queue.DUE_SPACING(), "spacing");
            }
        }
    }

    /// recordHash(i) is the ghost chain's i-th hash, each naming its predecessor.
    function invariant_recordHashChain() public view {
        uint256 count = inbox.recordCount();
        assertEq(count, handler.recordCountGhost(), "record count");
        for (uint256 i; i < count; ++i) {
            assertEq(inbox.recordHash(i), handler.ghostHashes(i), "record hash");
        }
        assertEq(inbox.lastRecordHash(), count == 0 ? bytes32(0) : handler.ghostHashes(count - 1));
        assertEq(inbox.lastL2Block(), handler.ghostLastL2Block(), "last L2 block");
    }

    /// ETH held by the queue == Σ unclaimed fees + fees of unconsumed entries.
    function invariant_queueBalanceAccounted() public view {
        uint256 unconsumed = (queue.length() - queue.cursor()) * queue.inclusionFee();
        assertEq(address(queue).balance, handler.sumFeesOfIncluders() + unconsumed, "balance vs fees");
        assertEq(handler.sumFeesOfIncluders(), handler.ghostUnclaimedFees(), "unclaimed fees vs ghost");
    }
}
