// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Who posted in an epoch (`BatchInbox._epochPostings`): one storage word per epoch,
///         zero until the epoch's first record.
/// @dev Bit layout, from the least significant bit:
///      - bit       0    posted: a sequenced record was posted in the epoch;
///      - bit       1    leaderPosted: rank 0 posted in the epoch at least once;
///      - bits   2..7    zero;
///      - bits 8..255    actingRank: the rank that posted the epoch's latest sequenced record.
type EpochPosting is uint256;

using EpochPostingLibrary for EpochPosting global;

/// @title EpochPostingLibrary
/// @notice Named fields of an EpochPosting. Each setter returns the new word and leaves the other
///         fields as they were.
library EpochPostingLibrary {
    uint256 internal constant POSTED_BIT = 1;
    uint256 internal constant LEADER_POSTED_BIT = 2;
    uint256 internal constant ACTING_RANK_OFFSET = 8;
    uint256 internal constant MASK_8_BITS = 0xFF;

    function posted(EpochPosting posting) internal pure returns (bool) {
        return EpochPosting.unwrap(posting) & POSTED_BIT != 0;
    }

    function leaderPosted(EpochPosting posting) internal pure returns (bool) {
        return EpochPosting.unwrap(posting) & LEADER_POSTED_BIT != 0;
    }

    function actingRank(EpochPosting posting) internal pure returns (uint248) {
        return uint248(EpochPosting.unwrap(posting) >> ACTING_RANK_OFFSET);
    }

    function setPosted(EpochPosting posting, bool posted_) internal pure returns (EpochPosting result) {
        assembly ("memory-safe") {
            result := or(and(posting, not(POSTED_BIT)), iszero(iszero(posted_)))
        }
    }

    function setLeaderPosted(EpochPosting posting, bool leaderPosted_)
        internal
        pure
        returns (EpochPosting result)
    {
        assembly ("memory-safe") {
            result := or(and(posting, not(LEADER_POSTED_BIT)), shl(1, iszero(iszero(leaderPosted_))))
        }
    }

    function setActingRank(EpochPosting posting, uint248 rank) internal pure returns (EpochPosting) {
        return EpochPosting.wrap(
            (EpochPosting.unwrap(posting) & MASK_8_BITS) | (uint256(rank) << ACTING_RANK_OFFSET)
        );
    }
}
