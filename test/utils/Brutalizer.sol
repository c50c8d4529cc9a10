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
}
