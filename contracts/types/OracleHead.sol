// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The output oracle's counters (`L1OutputOracle._head`): one storage word.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..95   outputCount: outputs proposed and not deleted;
///      - bits  96..191  finalizedCount: outputs finalized (a prefix of them);
///      - bits 192..223  generation: deletions so far, stamped on each output at its proposal;
///      - bits 224..255  zero.
type OracleHead is uint256;

using OracleHeadLibrary for OracleHead global;

/// @title OracleHeadLibrary
/// @notice Named fields of an OracleHead. Each setter returns the new word and leaves the other
///         fields as they were.
library OracleHeadLibrary {
    uint256 internal constant MASK_96_BITS = 0xFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant MASK_32_BITS = 0xFFFFFFFF;
    uint256 internal constant FINALIZED_COUNT_OFFSET = 96;
    uint256 internal constant GENERATION_OFFSET = 192;

    function outputCount(OracleHead head) internal pure returns (uint96) {
        return uint96(OracleHead.unwrap(head));
    }

    function finalizedCount(OracleHead head) internal pure returns (uint96) {
        return uint96(OracleHead.unwrap(head) >> FINALIZED_COUNT_OFFSET);
    }

    function generation(OracleHead head) internal pure returns (uint32) {
        return uint32(OracleHead.unwrap(head) >> GENERATION_OFFSET);
    }

    function setOutputCount(OracleHead head, uint96 count) internal pure returns (OracleHead) {
        return OracleHead.wrap((OracleHead.unwrap(head) & ~MASK_96_BITS) | count);
    }

    function setFinalizedCount(OracleHead head, uint96 count) internal pure returns (OracleHead) {
        return OracleHead.wrap(
            (OracleHead.unwrap(head) & ~(MASK_96_BITS << FINALIZED_COUNT_OFFSET))
                | (uint256(count) << FINALIZED_COUNT_OFFSET)
        );
    }

    function setGeneration(OracleHead head, uint32 generation_) internal pure returns (OracleHead) {
        return OracleHead.wrap(
            (OracleHead.unwrap(head) & ~(MASK_32_BITS << GENERATION_OFFSET))
                | (uint256(generation_) << GENERATION_OFFSET)
        );
    }
}
