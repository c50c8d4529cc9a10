// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, stdError} from "forge-std/Test.sol";
import {Censorship} from "../../contracts/types/Censorship.sol";

/// @notice Censorship: every field round-trips, each setter leaves every other bit as it was,
///         and the word has the documented layout
///         ((censoredEpoch + 1) | responsibleRank << 64 | timestamp << 128).
contract Censorship_Test is Test {
    uint256 internal constant EPOCH_BITS = uint256(type(uint64).max);
    uint256 internal constant RANK_BITS = uint256(type(uint64).max) << 64;
    uint256 internal constant TIME_BITS = uint256(type(uint64).max) << 128;

    function censoredEpochOf(uint256 word) external pure returns (uint256) {
        return Censorship.wrap(word).censoredEpoch();
    }

    function testFuzz_roundTrip(uint256 epoch, uint64 rank, uint64 time) public pure {
        epoch = bound(epoch, 0, uint256(type(uint64).max) - 1);
        Censorship c = Censorship.wrap(0).setCensoredEpoch(epoch).setResponsibleRank(rank).setTimestamp(time);
        assertTrue(c.isForced(), "isForced");
        assertEq(c.censoredEpoch(), epoch, "censoredEpoch");
        assertEq(c.responsibleRank(), rank, "responsibleRank");
        assertEq(c.timestamp(), time, "timestamp");
        assertEq(Censorship.unwrap(c), (epoch + 1) | (uint256(rank) << 64) | (uint256(time) << 128), "layout");
    }

    /// @dev Epoch 0 still marks the record as forced: the word holds epoch + 1.
    function test_epochZeroIsForced() public pure {
        Censorship c = Censorship.wrap(0).setCensoredEpoch(0);
        assertTrue(c.isForced());
        assertEq(c.censoredEpoch(), 0);
        assertEq(Censorship.unwrap(c), 1);
    }

    function test_zeroWordIsNotForced() public {
        assertFalse(Censorship.wrap(0).isForced());
        assertEq(Censorship.wrap(0).responsibleRank(), 0);
        assertEq(Censorship.wrap(0).timestamp(), 0);
        vm.expectRevert(stdError.arithmeticError);
        this.censoredEpochOf(0);
    }

    function testFuzz_setCensoredEpoch_keepsOtherBits(uint256 word, uint256 epoch) public pure {
        epoch = bound(epoch, 0, uint256(type(uint64).max) - 1);
        Censorship c = Censorship.wrap(word);
        Censorship next = c.setCensoredEpoch(epoch);
        assertEq(next.censoredEpoch(), epoch, "censoredEpoch");
        assertEq(next.responsibleRank(), c.responsibleRank(), "responsibleRank");
        assertEq(next.timestamp(), c.timestamp(), "timestamp");
        assertEq(Censorship.unwrap(next) & ~EPOCH_BITS, word & ~EPOCH_BITS, "other bits");
    }

    function testFuzz_setResponsibleRank_keepsOtherBits(uint256 word, uint64 rank) public pure {
        Censorship c = Censorship.wrap(word);
        Censorship next = c.setResponsibleRank(rank);
        assertEq(next.responsibleRank(), rank, "responsibleRank");
        assertEq(next.isForced(), Censorship.unwrap(next) != 0, "isForced");
        assertEq(Censorship.unwrap(next) & ~RANK_BITS, word & ~RANK_BITS, "other bits");
    }

    function testFuzz_setTimestamp_keepsOtherBits(uint256 word, uint64 time) public pure {
        Censorship c = Censorship.wrap(word);
        Censorship next = c.setTimestamp(time);
        assertEq(next.timestamp(), time, "timestamp");
        assertEq(Censorship.unwrap(next) & ~TIME_BITS, word & ~TIME_BITS, "other bits");
    }
}
