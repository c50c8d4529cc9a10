// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {OracleHead} from "../../contracts/types/OracleHead.sol";

/// @notice OracleHead: every field round-trips, each setter leaves every other bit as it was, and
///         the word has the documented layout (outputCount | finalizedCount << 96 |
///         generation << 192).
contract OracleHead_Test is Test {
    uint256 internal constant COUNT_BITS = uint256(type(uint96).max);
    uint256 internal constant FINALIZED_BITS = uint256(type(uint96).max) << 96;
    uint256 internal constant GENERATION_BITS = uint256(type(uint32).max) << 192;

    function testFuzz_roundTrip(uint96 count, uint96 finalized, uint32 generation) public pure {
        OracleHead head =
            OracleHead.wrap(0).setOutputCount(count).setFinalizedCount(finalized).setGeneration(generation);
        assertEq(head.outputCount(), count, "outputCount");
        assertEq(head.finalizedCount(), finalized, "finalizedCount");
        assertEq(head.generation(), generation, "generation");
        assertEq(
            OracleHead.unwrap(head),
            uint256(count) | (uint256(finalized) << 96) | (uint256(generation) << 192),
            "layout"
        );
    }

    function testFuzz_setOutputCount_keepsOtherBits(uint256 word, uint96 count) public pure {
        OracleHead head = OracleHead.wrap(word);
        OracleHead next = head.setOutputCount(count);
        assertEq(next.outputCount(), count, "outputCount");
        assertEq(next.finalizedCount(), head.finalizedCount(), "finalizedCount");
        assertEq(next.generation(), head.generation(), "generation");
        assertEq(OracleHead.unwrap(next) & ~COUNT_BITS, word & ~COUNT_BITS, "other bits");
    }

    function testFuzz_setFinalizedCount_keepsOtherBits(uint256 word, uint96 finalized) public pure {
        OracleHead head = OracleHead.wrap(word);
        OracleHead next = head.setFinalizedCount(finalized);
        assertEq(next.finalizedCount(), finalized, "finalizedCount");
        assertEq(next.outputCount(), head.outputCount(), "outputCount");
        assertEq(next.generation(), head.generation(), "generation");
        assertEq(OracleHead.unwrap(next) & ~FINALIZED_BITS, word & ~FINALIZED_BITS, "other bits");
    }

    function testFuzz_setGeneration_keepsOtherBits(uint256 word, uint32 generation) public pure {
        OracleHead head = OracleHead.wrap(word);
        OracleHead next = head.setGeneration(generation);
        assertEq(next.generation(), generation, "generation");
        assertEq(next.outputCount(), head.outputCount(), "outputCount");
        assertEq(next.finalizedCount(), head.finalizedCount(), "finalizedCount");
        assertEq(OracleHead.unwrap(next) & ~GENERATION_BITS, word & ~GENERATION_BITS, "other bits");
    }
}
