// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Dirties memory past the free pointer and the scratch space, so assembly that reads
///         memory it did not write (assuming fresh memory is zero) fails its tests.
abstract contract Brutalizer {
    function _brutalizeMemory() internal pure {
        assembly ("memory-safe") {
            let seed := keccak256(0x00, 0x40)
            let start := mload(0x40)
            for { let i := 0 } lt(i, 0x2000) { i := add(i, 0x20) } {
                seed := keccak256(0x00, 0x20)
                mstore(0x00, seed)
                mstore(add(start, i), seed)
            }
            mstore(0x20, not(seed))
        }
    }

    function _freeMemoryPointer() internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := mload(0x40)
        }
    }

    /// @dev keccak256 of memory [0x80, end): taken with `end` the free pointer before a call and
    ///      again after it, it shows whether the call wrote to memory it did not own.
    function _memoryHash(uint256 end) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(0x80, sub(end, 0x80))
        }
    }
}
