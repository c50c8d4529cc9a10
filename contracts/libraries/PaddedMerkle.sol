// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title PaddedMerkle
/// @notice The binary Merkle tree baton commits lists with (a record's transactions, a game's
///         layout), so that one item is proven with a path of log2(count) hashes instead of the
///         whole list (docs/protocol.md, "Batch data commitment").
///
///         The tree over `count` leaves has depth d = ceil(log2(count)) (0 for one leaf) and
///         2^d leaf positions; positions past `count` are empty. An empty subtree's root is zero
///         at every level, and a node is keccak256(left ‖ right) unless both children are empty.
///         The depth follows from `count`, which the verifier always knows from a commitment it
///         trusts (a header's txCount, the output interval), so a path has exactly d siblings and
///         an inner node can never pass for a leaf.
library PaddedMerkle {
    /// @notice The index is not below the count, or the path is not `depth(count)` long.
    error BadMerklePath(uint256 index, uint256 count, uint256 pathLength);

    /// @notice Tree depth for `count` leaves: ceil(log2(count)), and 0 for zero or one leaf.
    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    /// @notice The root of `leaves` (zero for none). Used where the list is in memory already.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        if (n == 0) return 0;
        // Fold level by level in place; an odd last node pairs with an empty (zero) sibling.
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i; i < half; ++i) {
                bytes32 right = 2 * i + 1 < n ? leaves[2 * i + 1] : bytes32(0);
                leaves[i] = hashPair(leaves[2 * i], right);
            }
            n = half;
        }
        return leaves[0];
    }

    /// @notice The root that `leaf` at `index` of a `count`-leaf tree implies through `path`
    ///         (siblings from the leaf up). Compare it with the trusted root.
    function rootOf(bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata path)
        internal
        pure
        returns (bytes32 node)
    {
        if (index >= count || path.length != depth(count)) {
            revert BadMerklePath(index, count, path.length);
        }
        node = leaf;
        for (uint256 level; level < path.length; ++level) {
            node = (index >> level) & 1 == 0 ? hashPair(node, path[level]) : hashPair(path[level], node);
        }
    }

    /// @notice keccak256(left ‖ right), zero when both are empty.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            switch or(left, right)
            case 0 { h := 0 }
            default {
                mstore(0x00, left)
                mstore(0x20, right)
                h := keccak256(0x00, 0x40)
            }
        }
    }
}
