// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The active set's size and version (`SequencerRegistry._activeCountAndVersion`): one
///         storage word, touched together.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..127  activeCount: operators in the active set;
///      - bits 128..255  version: bumped on every change of the set or of a seated stake.
type ActiveSetHead is uint256;

using ActiveSetHeadLibrary for ActiveSetHead global;

/// @title ActiveSetHeadLibrary
/// @notice Named fields of an ActiveSetHead. Each setter returns the new word and leaves the
///         other field as it was.
library ActiveSetHeadLibrary {
    uint256 internal constant MASK_128_BITS = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant VERSION_OFFSET = 128;

    function activeCount(ActiveSetHead head) internal pure returns (uint128) {
        return uint128(ActiveSetHead.unwrap(head));
    }

    function version(ActiveSetHead head) internal pure returns (uint128) {
        return uint128(ActiveSetHead.unwrap(head) >> VERSION_OFFSET);
    }

    function setActiveCount(ActiveSetHead head, uint128 count) internal pure returns (ActiveSetHead) {
        return ActiveSetHead.wrap((ActiveSetHead.unwrap(head) & ~MASK_128_BITS) | count);
    }

    function setVersion(ActiveSetHead head, uint128 version_) internal pure returns (ActiveSetHead) {
        return ActiveSetHead.wrap(
            (ActiveSetHead.unwrap(head) & MASK_128_BITS) | (uint256(version_) << VERSION_OFFSET)
        );
    }
}
