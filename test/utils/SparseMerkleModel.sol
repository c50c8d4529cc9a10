// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Reference sparse Merkle tree for tests, written from docs/ledger.md and independent of
///         `SparseMerkle`: it computes a root from the whole set of leaves top-down (split the
///         set on the next key bit, recurse, hash), where the library climbs one path bottom-up
///         from a compressed proof. Recursion only happens where the set really splits (a single
///         leaf, or a set all on one side, is climbed in a loop), so a depth of 256 stays far
///         from the EVM stack limit.
library SparseMerkleModel {
    function hashNode(bytes32 l, bytes32 r) internal pure returns (bytes32) {
        if (l == 0 && r == 0) return 0;
        return keccak256(abi.encodePacked(l, r));
    }

    function _bit(uint256 key, uint256 i) private pure returns (uint256) {
        return (key >> i) & 1;
    }

    /// @notice The root of a subtree of `height` holding exactly these leaves (keys distinct, all
    ///         inside the subtree: only their low `height` bits are looked at).
    function root(uint256[] memory keys, bytes32[] memory leaves, uint256 height)
        internal
        pure
        returns (bytes32)
    {
        if (keys.length == 0) return 0;
        if (keys.length == 1) return _climb(leaves[0], keys[0], 0, height);
        // The highest bit below `height` on which the keys differ: above it they share a path.
        uint256 h = height;
        while (_allSame(keys, h - 1)) {
            --h;
        }
        (uint256[] memory lk, bytes32[] memory ll, uint256[] memory rk, bytes32[] memory rl) =
            split(keys, leaves, h - 1);
        bytes32 node = hashNode(root(lk, ll, h - 1), root(rk, rl, h - 1));
        return _climb(node, keys[0], h, height);
    }

    /// @dev Climbs `node` from height `from` to `to` with empty siblings along `key`'s path.
    function _climb(bytes32 node, uint256 key, uint256 from, uint256 to) private pure returns (bytes32) {
        for (uint256 i = from; i < to; ++i) {
            node = _bit(key, i) == 1 ? hashNode(0, node) : hashNode(node, 0);
        }
        return node;
    }

    function _allSame(uint256[] memory keys, uint256 i) private pure returns (bool) {
        for (uint256 k = 1; k < keys.length; ++k) {
            if (_bit(keys[k], i) != _bit(keys[0], i)) return false;
        }
        return true;
    }

    /// @notice Splits the leaves on bit `i` of their keys: (bit 0 side, bit 1 side).
    function split(uint256[] memory keys, bytes32[] memory leaves, uint256 i)
        internal
        pure
        returns (uint256[] memory lk, bytes32[] memory ll, uint256[] memory rk, bytes32[] memory rl)
    {
        uint256 ones;
        for (uint256 k; k < keys.length; ++k) {
            ones += _bit(keys[k], i);
        }
        lk = new uint256[](keys.length - ones);
        ll = new bytes32[](keys.length - ones);
        rk = new uint256[](ones);
        rl = new bytes32[](ones);
        uint256 a;
        uint256 b;
        for (uint256 k; k < keys.length; ++k) {
            if (_bit(keys[k], i) == 1) {
                (rk[b], rl[b]) = (keys[k], leaves[k]);
                ++b;
            } else {
                (lk[a], ll[a]) = (keys[k], leaves[k]);
                ++a;
            }
        }
    }

    /// @notice The siblings of `key`'s path, from the leaf (index 0) up, computed top-down: at
    ///         each height the set is split into the path's side and the sibling's side.
    function siblings(uint256[] memory keys, bytes32[] memory leaves, uint256 key, uint256 depth)
        internal
        pure
        returns (bytes32[] memory sib)
    {
        sib = new bytes32[](depth);
        for (uint256 h = depth; h > 0; --h) {
            (uint256[] memory lk, bytes32[] memory ll, uint256[] memory rk, bytes32[] memory rl) =
                split(keys, leaves, h - 1);
            if (_bit(key, h - 1) == 1) {
                sib[h - 1] = root(lk, ll, h - 1);
                (keys, leaves) = (rk, rl);
            } else {
                sib[h - 1] = root(rk, rl, h - 1);
                (keys, leaves) = (lk, ll);
            }
        }
    }

    /// @notice The compressed proof of `key`: bitmap (depth / 8 bytes) ‖ non-zero siblings from
    ///         the leaf up.
    function proof(uint256[] memory keys, bytes32[] memory leaves, uint256 key, uint256 depth)
        internal
        pure
        returns (bytes memory out)
    {
        bytes32[] memory sib = siblings(keys, leaves, key, depth);
        uint256 bitmap;
        bytes memory body;
        for (uint256 i; i < depth; ++i) {
            if (sib[i] != 0) {
                bitmap |= 2 ** i;
                body = bytes.concat(body, sib[i]);
            }
        }
        bytes memory bitmapBytes = new bytes(depth / 8);
        for (uint256 i; i < depth / 8; ++i) {
            bitmapBytes[depth / 8 - 1 - i] = bytes1(uint8(bitmap >> (8 * i)));
        }
        out = bytes.concat(bitmapBytes, body);
    }
}
