// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a forced record fixes about the censorship it answers
///         (`BatchInbox._censorships`): one storage word per record, zero for a sequenced one.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..127  censoredEpoch + 1: the epoch whose sequencers let the entry go overdue,
///                       plus one so that a forced record's word is never zero;
///      - bits 128..255  responsibleRank: the rank blamed for it.
type Censorship is uint256;

using CensorshipLibrary for Censorship global;

/// @title CensorshipLibrary
/// @notice Named fields of a Censorship. Each setter returns the new word and leaves the other
///         field as it was.
library CensorshipLibrary {
    uint256 internal constant MASK_128_BITS = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant RESPONSIBLE_RANK_OFFSET = 128;

    /// @notice Whether the word belongs to a forced record (any censored epoch was set).
    function isForced(Censorship censorship) internal pure returns (bool) {
        return Censorship.unwrap(censorship) != 0;
    }

    /// @notice The censored epoch; reverts (underflow) on a word whose epoch was never set.
    function censoredEpoch(Censorship censorship) internal pure returns (uint256) {
        return uint128(Censorship.unwrap(censorship)) - 1;
    }

    function responsibleRank(Censorship censorship) internal pure returns (uint128) {
        return uint128(Censorship.unwrap(censorship) >> RESPONSIBLE_RANK_OFFSET);
    }

    /// @notice Stores `epoch + 1` in the low field; `epoch` must be below 2^128 - 1.
    function setCensoredEpoch(Censorship censorship, uint256 epoch) internal pure returns (Censorship) {
        return Censorship.wrap((Censorship.unwrap(censorship) & ~MASK_128_BITS) | uint128(epoch + 1));
    }

    function setResponsibleRank(Censorship censorship, uint128 rank) internal pure returns (Censorship) {
        return Censorship.wrap(
            (Censorship.unwrap(censorship) & MASK_128_BITS) | (uint256(rank) << RESPONSIBLE_RANK_OFFSET)
        );
    }
}
