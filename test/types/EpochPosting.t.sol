// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {EpochPosting} from "../../contracts/types/EpochPosting.sol";

/// @notice EpochPosting: every field round-trips, each setter leaves every other bit as it was,
///         and the word has the documented layout (posted | leaderPosted << 1 | actingRank << 8).
contract EpochPosting_Test is Test {
    uint256 internal constant POSTED_BITS = 1;
    uint256 internal constant LEADER_POSTED_BITS = 2;
    uint256 internal constant ACTING_RANK_BITS = ~uint256(0xFF);

    function _bit(bool b) internal pure returns (uint256) {
        return b ? 1 : 0;
    }

    function testFuzz_roundTrip(bool posted, bool leaderPosted, uint248 rank) public pure {
        EpochPosting posting =
            EpochPosting.wrap(0).setPosted(posted).setLeaderPosted(leaderPosted).setActingRank(rank);
        assertEq(posting.posted(), posted, "posted");
        assertEq(posting.leaderPosted(), leaderPosted, "leaderPosted");
        assertEq(posting.actingRank(), rank, "actingRank");
        assertEq(
            EpochPosting.unwrap(posting),
            _bit(posted) | (_bit(leaderPosted) << 1) | (uint256(rank) << 8),
            "layout"
        );
    }

    function testFuzz_setPosted_keepsOtherBits(uint256 word, bool posted) public pure {
        EpochPosting posting = EpochPosting.wrap(word);
        EpochPosting next = posting.setPosted(posted);
        assertEq(next.posted(), posted, "posted");
        assertEq(next.leaderPosted(), posting.leaderPosted(), "leaderPosted");
        assertEq(next.actingRank(), posting.actingRank(), "actingRank");
        assertEq(EpochPosting.unwrap(next) & ~POSTED_BITS, word & ~POSTED_BITS, "other bits");
    }

    function testFuzz_setLeaderPosted_keepsOtherBits(uint256 word, bool leaderPosted) public pure {
        EpochPosting posting = EpochPosting.wrap(word);
        EpochPosting next = posting.setLeaderPosted(leaderPosted);
        assertEq(next.leaderPosted(), leaderPosted, "leaderPosted");
        assertEq(next.posted(), posting.posted(), "posted");
        assertEq(next.actingRank(), posting.actingRank(), "actingRank");
        assertEq(EpochPosting.unwrap(next) & ~LEADER_POSTED_BITS, word & ~LEADER_POSTED_BITS, "other bits");
    }

    function testFuzz_setActingRank_keepsOtherBits(uint256 word, uint248 rank) public pure {
        EpochPosting posting = EpochPosting.wrap(word);
        EpochPosting next = posting.setActingRank(rank);
        assertEq(next.actingRank(), rank, "actingRank");
        assertEq(next.posted(), posting.posted(), "posted");
        assertEq(next.leaderPosted(), posting.leaderPosted(), "leaderPosted");
        assertEq(EpochPosting.unwrap(next) & ~ACTING_RANK_BITS, word & ~ACTING_RANK_BITS, "other bits");
    }
}
