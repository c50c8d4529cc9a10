// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {SignerRecord} from "../../contracts/types/SignerRecord.sol";

/// @notice SignerRecord: every field round-trips, each setter leaves every other bit as it was,
///         and the word has the documented layout (operator | index << 160).
contract SignerRecord_Test is Test {
    uint256 internal constant OPERATOR_BITS = uint256(type(uint160).max);
    uint256 internal constant INDEX_BITS = uint256(type(uint96).max) << 160;

    function testFuzz_roundTrip(address operator, uint96 index) public pure {
        SignerRecord record = SignerRecord.wrap(0).setOperator(operator).setIndex(index);
        assertEq(record.operator(), operator, "operator");
        assertEq(record.index(), index, "index");
        assertEq(SignerRecord.unwrap(record), uint256(uint160(operator)) | (uint256(index) << 160), "layout");
        assertEq(record.isEmpty(), operator == address(0) && index == 0, "isEmpty");
    }

    function test_zeroWordIsEmpty() public pure {
        assertTrue(SignerRecord.wrap(0).isEmpty());
        assertFalse(SignerRecord.wrap(0).setOperator(address(1)).isEmpty());
    }

    function testFuzz_setOperator_keepsOtherBits(uint256 word, address operator) public pure {
        SignerRecord record = SignerRecord.wrap(word);
        SignerRecord next = record.setOperator(operator);
        assertEq(next.operator(), operator, "operator");
        assertEq(next.index(), record.index(), "index");
        assertEq(SignerRecord.unwrap(next) & ~OPERATOR_BITS, word & ~OPERATOR_BITS, "other bits");
    }

    function testFuzz_setIndex_keepsOtherBits(uint256 word, uint96 index) public pure {
        SignerRecord record = SignerRecord.wrap(word);
        SignerRecord next = record.setIndex(index);
        assertEq(next.index(), index, "index");
        assertEq(next.operator(), record.operator(), "operator");
        assertEq(SignerRecord.unwrap(next) & ~INDEX_BITS, word & ~INDEX_BITS, "other bits");
    }
}
