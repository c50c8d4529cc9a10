// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ActiveSetHead} from "../../contracts/types/ActiveSetHead.sol";

/// @notice ActiveSetHead: every field round-trips, each setter leaves every other bit as it was,
///         and the word has the documented layout (activeCount | version << 128).
contract ActiveSetHead_Test is Test {
    uint256 internal constant COUNT_BITS = uint256(type(uint128).max);
    uint256 internal constant VERSION_BITS = uint256(type(uint128).max) << 128;

    function testFuzz_roundTrip(uint128 count, uint128 version) public pure {
        ActiveSetHead head = ActiveSetHead.wrap(0).setActiveCount(count).setVersion(version);
        assertEq(head.activeCount(), count, "activeCount");
        assertEq(head.version(), version, "version");
        assertEq(ActiveSetHead.unwrap(head), uint256(count) | (uint256(version) << 128), "layout");
    }

    function testFuzz_setActiveCount_keepsOtherBits(uint256 word, uint128 count) public pure {
        ActiveSetHead head = ActiveSetHead.wrap(word);
        ActiveSetHead next = head.setActiveCount(count);
        assertEq(next.activeCount(), count, "activeCount");
        assertEq(next.version(), head.version(), "version");
        assertEq(ActiveSetHead.unwrap(next) & ~COUNT_BITS, word & ~COUNT_BITS, "other bits");
    }

    function testFuzz_setVersion_keepsOtherBits(uint256 word, uint128 version) public pure {
        ActiveSetHead head = ActiveSetHead.wrap(word);
        ActiveSetHead next = head.setVersion(version);
        assertEq(next.version(), version, "version");
        assertEq(next.activeCount(), head.activeCount(), "activeCount");
        assertEq(ActiveSetHead.unwrap(next) & ~VERSION_BITS, word & ~VERSION_BITS, "other bits");
    }
}
