// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The force queue's bounds (`ForceInclusionQueue._lengthAndCursor`): one storage word,
///         read together on every record. The unconsumed entries are [cursor, length).
/// @dev Bit layout, from the least significant bit:
///      - bits   0..127  length: entries ever enqueued;
///      - bits 128..255  cursor: entries consumed.
type QueueBounds is uint256;

using QueueBoundsLibrary for QueueBounds global;

/// @title QueueBoundsLibrary
/// @notice Named fields of a QueueBounds. Each setter returns the new word and leaves the other
///         field as it was.
library QueueBoundsLibrary {
    uint256 internal constant MASK_128_BITS = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant CURSOR_OFFSET = 128;

    function length(QueueBounds bounds) internal pure returns (uint128) {
        return uint128(QueueBounds.unwrap(bounds));
    }

    function cursor(QueueBounds bounds) internal pure returns (uint128) {
        return uint128(QueueBounds.unwrap(bounds) >> CURSOR_OFFSET);
    }

    function setLength(QueueBounds bounds, uint128 length_) internal pure returns (QueueBounds) {
        return QueueBounds.wrap((QueueBounds.unwrap(bounds) & ~MASK_128_BITS) | length_);
    }

    function setCursor(QueueBounds bounds, uint128 cursor_) internal pure returns (QueueBounds) {
        return
            QueueBounds.wrap(
                (QueueBounds.unwrap(bounds) & MASK_128_BITS) | (uint256(cursor_) << CURSOR_OFFSET)
            );
    }
}
