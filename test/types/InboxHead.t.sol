// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {InboxHead} from "../../contracts/types/InboxHead.sol";

/// @notice InboxHead: every field round-trips, each setter leaves every other bit as it was, and
///         the word has the documented layout (recordCount | lastL2Block << 64).
contract InboxHead_Test is Test {
    uint256 internal constant RECORD_COUNT_BITS = uint256(type(uint64).max);
    uint256 internal constant LAST_L2_BLOCK_BITS = uint256(type(uint64).max) << 64;

    function testFuzz_roundTrip(uint64 count, uint64 lastL2) public pure {
        InboxHead head = InboxHead.wrap(0).setRecordCount(count).setLastL2Block(lastL2);
        assertEq(head.recordCount(), count, "recordCount");
        assertEq(head.lastL2Block(), lastL2, "lastL2Block");
        assertEq(InboxHead.unwrap(head), uint256(count) | (uint256(lastL2) << 64), "layout");
    }

    function testFuzz_setRecordCount_keepsOtherBits(uint256 word, uint64 count) public pure {
        InboxHead head = InboxHead.wrap(word);
        InboxHead next = head.setRecordCount(count);
        assertEq(next.recordCount(), count, "recordCount");
        assertEq(next.lastL2Block(), head.lastL2Block(), "lastL2Block");
        assertEq(InboxHead.unwrap(next) & ~RECORD_COUNT_BITS, word & ~RECORD_COUNT_BITS, "other bits");
    }

    function testFuzz_setLastL2Block_keepsOtherBits(uint256 word, uint64 lastL2) public pure {
        InboxHead head = InboxHead.wrap(word);
        InboxHead next = head.setLastL2Block(lastL2);
        assertEq(next.lastL2Block(), lastL2, "lastL2Block");
        assertEq(next.recordCount(), head.recordCount(), "recordCount");
        assertEq(InboxHead.unwrap(next) & ~LAST_L2_BLOCK_BITS, word & ~LAST_L2_BLOCK_BITS, "other bits");
    }
}
