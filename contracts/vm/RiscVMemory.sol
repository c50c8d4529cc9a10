// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RiscVMemory
/// @notice The fault-proof VM's memory as one step sees it: 32-byte leaves of a keccak-256
///         binary Merkle tree over 4 GiB (27 levels), each proven by a leaf and its 27 siblings
///         from the bottom up (896 bytes), and little-endian values inside a leaf. The same
///         tree as baton-vm's `memory` module.
library RiscVMemory {
    /// @notice Levels of the tree: siblings in a proof.
    uint256 internal constant TREE_DEPTH = 27;
    /// @notice Bytes of one proof: the leaf and its siblings.
    uint256 internal constant PROOF_SIZE = 896; // 32 * (TREE_DEPTH + 1)
    /// @notice Bytes of memory; an access at or past this address traps.
    uint256 internal constant MEMORY_SIZE = 0x100000000; // 2^32

    /// @notice Proof `which` (0: the instruction's leaf, 1: the data leaf) is missing or does
    ///         not lead to the state's memory root.
    error InvalidMemoryProof(uint256 which);

    /// @notice The leaf holding `addr` (< MEMORY_SIZE) from proof `which` of the proofs at
    ///         calldata `proofsOffset` (`proofsLength` bytes), checked against `root`.
    function leaf(uint256 proofsOffset, uint256 proofsLength, uint256 which, uint256 addr, bytes32 root)
        internal
        pure
        returns (bytes32 value)
    {
        uint256 start = which * PROOF_SIZE;
        if (proofsLength < start + PROOF_SIZE) revert InvalidMemoryProof(which);
        assembly ("memory-safe") {
            value := calldataload(add(proofsOffset, start))
        }
        if (rootWith(proofsOffset, which, addr, value) != root) revert InvalidMemoryProof(which);
    }

    /// @notice The root proof `which` gives with `value` as the leaf holding `addr`. The proof
    ///         must be there (`leaf` checks that).
    function rootWith(uint256 proofsOffset, uint256 which, uint256 addr, bytes32 value)
        internal
        pure
        returns (bytes32 node)
    {
        assembly ("memory-safe") {
            let sibling := add(add(proofsOffset, mul(which, PROOF_SIZE)), 32)
            let index := shr(5, addr)
            node := value
            for { let end := add(sibling, shl(5, TREE_DEPTH)) } lt(sibling, end) {
                sibling := add(sibling, 32)
            } {
                // Scratch space: the node on its side, the sibling on the other.
                let nodeRight := shl(5, and(index, 1))
                mstore(nodeRight, node)
                mstore(xor(nodeRight, 32), calldataload(sibling))
                node := keccak256(0, 64)
                index := shr(1, index)
            }
        }
    }

    /// @notice The `width`-byte little-endian value at `addr` (aligned to `width`) in its leaf.
    function readLE(bytes32 value, uint256 addr, uint256 width) internal pure returns (uint256) {
        uint256 shift = 8 * (32 - (addr & 31) - width);
        uint256 bigEndian = (uint256(value) >> shift) & ((uint256(1) << (8 * width)) - 1);
        return reverse(bigEndian, width);
    }

    /// @notice The leaf with the low `width` bytes of `v` written little-endian at `addr`.
    function writeLE(bytes32 value, uint256 addr, uint256 width, uint256 v) internal pure returns (bytes32) {
        uint256 shift = 8 * (32 - (addr & 31) - width);
        uint256 mask = ((uint256(1) << (8 * width)) - 1) << shift;
        uint256 bytesIn = reverse(v & ((uint256(1) << (8 * width)) - 1), width) << shift;
        return bytes32((uint256(value) & ~mask) | bytesIn);
    }

    /// @notice The leaf with bytes [addr % 32, addr % 32 + n) replaced by the first n bytes of
    ///         `data` (n fits in the leaf).
    function writeBytes(bytes32 value, uint256 addr, uint256 n, bytes32 data)
        internal
        pure
        returns (bytes32)
    {
        if (n == 0) return value;
        uint256 at = addr & 31;
        uint256 mask = (type(uint256).max << (256 - 8 * n)) >> (8 * at);
        return bytes32((uint256(value) & ~mask) | ((uint256(data) >> (8 * at)) & mask));
    }

    /// @notice The first n bytes (n <= 32) of the leaf from `addr % 32` on, left-aligned.
    function readBytes(bytes32 value, uint256 addr, uint256 n) internal pure returns (bytes32) {
        if (n == 0) return 0;
        return bytes32((uint256(value) << (8 * (addr & 31))) & (type(uint256).max << (256 - 8 * n)));
    }

    /// @notice The low `width` (1, 2, 4 or 8) bytes of `v` in the opposite order.
    function reverse(uint256 v, uint256 width) internal pure returns (uint256) {
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = ((v & 0xFFFFFFFF00000000) >> 32) | ((v & 0x00000000FFFFFFFF) << 32);
        return v >> (8 * (8 - width));
    }
}
