// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a forced record fixes about the censorship it answers, and when it landed
///         (`BatchInbox._censorships`): one storage word per record, zero for a sequenced one.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..63   censoredEpoch + 1: the epoch whose sequencers let the entry go overdue,
///                       plus one so that a forced record's word is never zero;
///      - bits  64..127  responsibleRank: the rank blamed for it;
///      - bits 128..191  timestamp: the L1 block's time the record landed in, which is its L2
///                       block's time (a dispute over that block reads it here);
///      - bits 192..255  zero.
type Censorship is uint256;

using CensorshipLibrary for Censorship global;

/// @title CensorshipLibrary
/// @notice Named fields of a Censorship. Each setter returns the new word and leaves the other
///         fields as they were.
library CensorshipLibrary {
    uint256 internal constant MASK_64_BITS = 0xFFFFFFFFFFFFFFFF;
    uint256 internal constant RESPONSIBLE_RANK_OFFSET = 64;
    uint256 internal constant TIMESTAMP_OFFSET = 128;

    /// @notice Whether the word belongs to a forced record (any censored epoch was set).
    function isForced(Censorship censorship) internal pure returns (bool) {
        return Censorship.unwrap(censorship) != 0;
    }

    /// @notice The censored epoch; reverts (underflow) on a word whose epoch was never set.
    function censoredEpoch(Censorship censorship) internal pure returns (uint256) {
        return uint64(Censorship.unwrap(censorship)) - 1;
    }

    function responsibleRank(Censorship censorship) internal pure returns (uint64) {
        return uint64(Censorship.unwrap(censorship) >> RESPONSIBLE_RANK_OFFSET);
    }

    function timestamp(Censorship censorship) internal pure returns (uint64) {
        return uint64(Censorship.unwrap(censorship) >> TIMESTAMP_OFFSET);
    }

    /// @notice Stores `epoch + 1` in the low field; `epoch` must be below 2^64 - 1.
    function setCensoredEpoch(Censorship censorship, uint256 epoch) internal pure returns (Censorship) {
        return Censorship.wrap((Censorship.unwrap(censorship) & ~MASK_64_BITS) | uint64(epoch + 1));
    }

    function setResponsibleRank(Censorship censorship, uint64 rank) internal pure returns (Censorship) {
        return _set(censorship, RESPONSIBLE_RANK_OFFSET, rank);
    }

    function setTimestamp(Censorship censorship, uint64 time) internal pure returns (Censorship) {
        return _set(censorship, TIMESTAMP_OFFSET, time);
    }

    function _set(Censorship censorship, uint256 offset, uint64 value) private pure returns (Censorship) {
        return Censorship.wrap(
            (Censorship.unwrap(censorship) & ~(MASK_64_BITS << offset)) | (uint256(value) << offset)
        );
    }
}
