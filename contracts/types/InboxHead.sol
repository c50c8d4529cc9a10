// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The inbox's head (`BatchInbox._head`): one storage word, written once per record.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..63   recordCount: records appended so far;
///      - bits  64..127  lastL2Block: the last L2 block of the last record (0 before any);
///      - bits 128..255  zero.
type InboxHead is uint256;

using InboxHeadLibrary for InboxHead global;

/// @title InboxHeadLibrary
/// @notice Named fields of an InboxHead. Each setter returns the new word and leaves the other
///         fields as they were.
library InboxHeadLibrary {
    uint256 internal constant MASK_64_BITS = 0xFFFFFFFFFFFFFFFF;
    uint256 internal constant LAST_L2_BLOCK_OFFSET = 64;

    function recordCount(InboxHead head) internal pure returns (uint64) {
        return uint64(InboxHead.unwrap(head));
    }

    function lastL2Block(InboxHead head) internal pure returns (uint64) {
        return uint64(InboxHead.unwrap(head) >> LAST_L2_BLOCK_OFFSET);
    }

    function setRecordCount(InboxHead head, uint64 count) internal pure returns (InboxHead) {
        return InboxHead.wrap((InboxHead.unwrap(head) & ~MASK_64_BITS) | count);
    }

    function setLastL2Block(InboxHead head, uint64 lastL2) internal pure returns (InboxHead) {
        return InboxHead.wrap(
            (InboxHead.unwrap(head) & ~(MASK_64_BITS << LAST_L2_BLOCK_OFFSET))
                | (uint256(lastL2) << LAST_L2_BLOCK_OFFSET)
        );
    }
}
