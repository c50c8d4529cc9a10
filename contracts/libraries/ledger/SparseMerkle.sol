// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WitnessMismatch, WitnessTooShort} from "./WitnessErrors.sol";

/// @title SparseMerkle
/// @notice Verify-and-update of one leaf of a keccak256 sparse Merkle tree (docs/ledger.md, "State"
///         and "Witness"), from a compressed proof in calldata:
///
///     proof := bitmap (depth / 8 bytes, big-endian) ‖ sibling (32) × popcount(bitmap)
///
///         Bit `i` of the bitmap (bit 0 = least significant) says the sibling at height `i`
///         (0 = next to the leaf) is non-zero; the non-zero siblings follow from the leaf up.
///         `node(l, r) = 0` if both are zero, else `keccak256(l ‖ r)`; at height `i` the path
///         takes bit `i` of the key, 1 meaning the current node is the right child.
library SparseMerkle {
    /// @notice Check that `oldLeaf` sits at `key` under `root` and return the root with `newLeaf`
    ///         there instead. One walk up the path computes both roots.
    /// @dev Reverts with WitnessTooShort if the proof runs past the end of `witness`, and with
    ///      WitnessMismatch if the proof and `oldLeaf` do not lead to `root`. A bitmap bit set
    ///      for a sibling that is given as zero is accepted: the roots come out the same.
    /// @param root The current root of the tree.
    /// @param key The leaf's key; only its low `depth` bits are used.
    /// @param depth Height of the tree: a multiple of 8 in [8, 256] (160 for accounts, 256 for
    ///        withdrawals). The bitmap is `depth / 8` bytes long.
    /// @param oldLeaf The leaf's current value (zero for an empty leaf).
    /// @param newLeaf The leaf's value after the update.
    /// @param witness The calldata holding the proof.
    /// @param offset Where in `witness` the proof's bitmap starts.
    /// @return newRoot The root after the update.
    /// @return next The offset in `witness` just past the proof.
    function update(
        bytes32 root,
        uint256 key,
        uint256 depth,
        bytes32 oldLeaf,
        bytes32 newLeaf,
        bytes calldata witness,
        uint256 offset
    ) internal pure returns (bytes32 newRoot, uint256 next) {
        bool short;
        assembly ("memory-safe") {
            // `next` walks the proof as an absolute calldata position. `oldLeaf` and `newRoot`
            // climb the path as the old and the new node at each height.
            next := add(witness.offset, offset)
            // The bitmap: the first depth / 8 bytes, read as a big-endian number.
            let bitmap := shr(sub(256, depth), calldataload(next))
            next := add(next, shr(3, depth))
            newRoot := newLeaf
            for { let i := 0 } lt(i, depth) { i := add(i, 1) } {
                let sibling := 0
                if and(shr(i, bitmap), 1) {
                    // Past the end calldataload reads zeros or other calldata: harmless, as such
                    // a walk always fails the length check below.
                    sibling := calldataload(next)
                    next := add(next, 0x20)
                }
                // The pair (left ‖ right) in the scratch space: the path's node goes to 0x00 when
                // it is the left child (key bit 0) and to 0x20 when it is the right one; the
                // sibling takes the other word, shared by both hashes.
                let nodeAt := shl(5, and(shr(i, key), 1))
                mstore(xor(nodeAt, 0x20), sibling)
                // node(l, r): keccak256(l ‖ r), or zero when both children are zero.
                mstore(nodeAt, oldLeaf)
                oldLeaf := mul(keccak256(0x00, 0x40), iszero(iszero(or(oldLeaf, sibling))))
                mstore(nodeAt, newRoot)
                newRoot := mul(keccak256(0x00, 0x40), iszero(iszero(or(newRoot, sibling))))
            }
            // An offset past the end is short too (and would make the position meaningless).
            short := or(gt(next, add(witness.offset, witness.length)), gt(offset, witness.length))
            next := sub(next, witness.offset)
        }
        if (short) revert WitnessTooShort();
        // `oldLeaf` has climbed to the old root.
        if (oldLeaf != root) revert WitnessMismatch();
    }
}
