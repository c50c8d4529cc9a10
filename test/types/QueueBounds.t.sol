// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {QueueBounds} from "../../contracts/types/QueueBounds.sol";

/// @notice QueueBounds: every field round-trips, each setter leaves every other bit as it was,
///         and the word has the documented layout (length | cursor << 128).
contract QueueBounds_Test is Test {
    uint256 internal constant LENGTH_BITS = uint256(type(uint128).max);
    uint256 internal constant CURSOR_BITS = uint256(type(uint128).max) << 128;

    function testFuzz_roundTrip(uint128 length, uint128 cursor) public pure {
        QueueBounds bounds = QueueBounds.wrap(0).setLength(length).setCursor(cursor);
        assertEq(bounds.length(), length, "length");
        assertEq(bounds.cursor(), cursor, "cursor");
        assertEq(QueueBounds.unwrap(bounds), uint256(length) | (uint256(cursor) << 128), "layout");
    }

    function testFuzz_setLength_keepsOtherBits(uint256 word, uint128 length) public pure {
        QueueBounds bounds = QueueBounds.wrap(word);
        QueueBounds next = bounds.setLength(length);
        assertEq(next.length(), length, "length");
        assertEq(next.cursor(), bounds.cursor(), "cursor");
        assertEq(QueueBounds.unwrap(next) & ~LENGTH_BITS, word & ~LENGTH_BITS, "other bits");
    }

    function testFuzz_setCursor_keepsOtherBits(uint256 word, uint128 cursor) public pure {
        QueueBounds bounds = QueueBounds.wrap(word);
        QueueBounds next = bounds.setCursor(cursor);
        assertEq(next.cursor(), cursor, "cursor");
        assertEq(next.length(), bounds.length(), "length");
        assertEq(QueueBounds.unwrap(next) & ~CURSOR_BITS, word & ~CURSOR_BITS, "other bits");
    }
}
