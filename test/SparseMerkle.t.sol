// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {SparseMerkle} from "../contracts/libraries/ledger/SparseMerkle.sol";
import {WitnessMismatch, WitnessTooShort} from "../contracts/libraries/ledger/WitnessErrors.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";
import {SparseMerkleModel} from "./utils/SparseMerkleModel.sol";

/// @dev Exposes the library over calldata.
contract SparseMerkleHarness {
    function update(
        bytes32 root,
        uint256 key,
        uint256 depth,
        bytes32 oldLeaf,
        bytes32 newLeaf,
        bytes calldata witness,
        uint256 offset
    ) external pure returns (bytes32, uint256) {
        return SparseMerkle.update(root, key, depth, oldLeaf, newLeaf, witness, offset);
    }
}

/// @dev The same, with memory past the free pointer and the scratch space dirtied first (the
///      update hashes its pairs in the scratch space).
contract BrutalizedSparseMerkleHarness is Brutalizer {
    function update(
        bytes32 root,
        uint256 key,
        uint256 depth,
        bytes32 oldLeaf,
        bytes32 newLeaf,
        bytes calldata witness,
        uint256 offset
    ) external pure returns (bytes32, uint256) {
        _brutalizeMemory();
        return SparseMerkle.update(root, key, depth, oldLeaf, newLeaf, witness, offset);
    }
}

/// @notice SparseMerkle.update against the top-down reference model: for a set of leaves, a proof
///         from the model must turn the model's root into the model's root after the change, and
///         any tampering with the proof or the old leaf must revert.
contract SparseMerkleTest is Test {
    SparseMerkleHarness internal harness = new SparseMerkleHarness();

    /// @dev Checks one update of `key` (present in the set or not) to `newLeaf` against the model.
    function _checkUpdate(
        uint256[] memory keys,
        bytes32[] memory leaves,
        uint256 key,
        bytes32 newLeaf,
        uint256 depth
    ) internal view {
        bytes32 root = SparseMerkleModel.root(keys, leaves, depth);
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, key, depth);
        (bytes32 newRoot, uint256 next) =
            harness.update(root, key, depth, _leafAt(keys, leaves, key), newLeaf, proof, 0);
        assertEq(next, proof.length, "proof consumed exactly");
        (uint256[] memory k2, bytes32[] memory l2) = _withLeaf(keys, leaves, key, newLeaf);
        assertEq(newRoot, SparseMerkleModel.root(k2, l2, depth), "new root");
    }

    function _leafAt(uint256[] memory keys, bytes32[] memory leaves, uint256 key)
        internal
        pure
        returns (bytes32)
    {
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] == key) return leaves[i];
        }
        return 0;
    }

    /// @dev The set with `key` set to `leaf` (replaced or appended).
    function _withLeaf(uint256[] memory keys, bytes32[] memory leaves, uint256 key, bytes32 leaf)
        internal
        pure
        returns (uint256[] memory k2, bytes32[] memory l2)
    {
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] == key) {
                l2 = new bytes32[](leaves.length);
                for (uint256 j; j < leaves.length; ++j) {
                    l2[j] = leaves[j];
                }
                l2[i] = leaf;
                return (keys, l2);
            }
        }
        k2 = new uint256[](keys.length + 1);
        l2 = new bytes32[](keys.length + 1);
        for (uint256 i; i < keys.length; ++i) {
            (k2[i], l2[i]) = (keys[i], leaves[i]);
        }
        (k2[keys.length], l2[keys.length]) = (key, leaf);
    }

    function _keys3() internal pure returns (uint256[] memory keys, bytes32[] memory leaves) {
        keys = new uint256[](3);
        leaves = new bytes32[](3);
        // 0x1111…1111 and 0x1111…1112 share 158 bits of path; 0xF000…0000 splits at the root.
        (keys[0], leaves[0]) = (type(uint160).max / 15, keccak256("a"));
        (keys[1], leaves[1]) = (type(uint160).max / 15 + 1, keccak256("b"));
        (keys[2], leaves[2]) = (uint256(0xF) << 156, keccak256("c"));
    }

    function test_update_emptyTree() public view {
        uint256[] memory none = new uint256[](0);
        bytes32[] memory noLeaves = new bytes32[](0);
        _checkUpdate(none, noLeaves, 42, keccak256("x"), 160);
        _checkUpdate(none, noLeaves, type(uint256).max, keccak256("x"), 256);
        // An empty proof of an empty tree: a bitmap of zeros only.
        (bytes32 root, uint256 next) = harness.update(0, 7, 160, 0, 0, new bytes(20), 0);
        assertEq(root, 0);
        assertEq(next, 20);
    }

    function test_update_existingLeaf() public view {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        for (uint256 i; i < keys.length; ++i) {
            _checkUpdate(keys, leaves, keys[i], keccak256(abi.encode("new", i)), 160);
        }
    }

    function test_update_insertNextToExisting() public view {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        // 0x1111…1110: differs from keys[0] in bit 0 only, from keys[1] in bits 0-1.
        _checkUpdate(keys, leaves, type(uint160).max / 15 - 1, keccak256("d"), 160);
        _checkUpdate(keys, leaves, 0, keccak256("zero"), 160);
        _checkUpdate(keys, leaves, type(uint160).max, keccak256("max"), 160);
    }

    function test_update_deleteLeaf() public view {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        _checkUpdate(keys, leaves, keys[1], 0, 160);
        // Deleting the only leaf empties the tree.
        uint256[] memory one = new uint256[](1);
        bytes32[] memory oneLeaf = new bytes32[](1);
        (one[0], oneLeaf[0]) = (5, keccak256("only"));
        bytes memory proof = SparseMerkleModel.proof(one, oneLeaf, 5, 256);
        assertEq(proof.length, 32, "no sibling");
        (bytes32 root,) =
            harness.update(SparseMerkleModel.root(one, oneLeaf, 256), 5, 256, oneLeaf[0], 0, proof, 0);
        assertEq(root, 0);
    }

    function test_update_depth256() public view {
        uint256[] memory keys = new uint256[](4);
        bytes32[] memory leaves = new bytes32[](4);
        for (uint256 i; i < 4; ++i) {
            keys[i] = uint256(keccak256(abi.encode(i)));
            leaves[i] = keccak256(abi.encode("leaf", i));
        }
        keys[3] = keys[0] ^ (1 << 255); // differs at the root only
        _checkUpdate(keys, leaves, keys[2], keccak256("changed"), 256);
        _checkUpdate(keys, leaves, keys[0] ^ 1, keccak256("twin"), 256);
    }

    /// @dev The proof can start anywhere in the witness and bytes after it are ignored.
    function test_update_offsetAndTrailingBytes() public view {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, keys[0], 160);
        bytes memory witness = bytes.concat(hex"deadbeef", proof, hex"00ff");
        bytes32 root = SparseMerkleModel.root(keys, leaves, 160);
        (bytes32 a, uint256 next) = harness.update(root, keys[0], 160, leaves[0], keccak256("n"), witness, 4);
        (bytes32 b,) = harness.update(root, keys[0], 160, leaves[0], keccak256("n"), proof, 0);
        assertEq(a, b);
        assertEq(next, 4 + proof.length);
    }

    function test_update_revertsOnTamperedSibling() public {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, keys[0], 160);
        bytes32 root = SparseMerkleModel.root(keys, leaves, 160);
        for (uint256 i = 20; i < proof.length; i += 32) {
            bytes memory bad = bytes.concat(proof);
            bad[i + 7] = bytes1(uint8(bad[i + 7]) ^ 1);
            vm.expectRevert(WitnessMismatch.selector);
            harness.update(root, keys[0], 160, leaves[0], 0, bad, 0);
        }
    }

    function test_update_revertsOnTamperedBitmap() public {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, keys[0], 160);
        bytes32 root = SparseMerkleModel.root(keys, leaves, 160);
        // Move the lowest set bit one height up: same length, wrong tree.
        bytes memory bad = bytes.concat(proof);
        uint256 bitmap = uint160(bytes20(_slice(bad, 0, 20)));
        uint256 low = bitmap & (~bitmap + 1);
        bitmap = (bitmap ^ low) | (low << 1);
        for (uint256 i; i < 20; ++i) {
            bad[19 - i] = bytes1(uint8(bitmap >> (8 * i)));
        }
        vm.expectRevert(WitnessMismatch.selector);
        harness.update(root, keys[0], 160, leaves[0], 0, bad, 0);
    }

    function test_update_revertsOnWrongOldLeaf() public {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, keys[1], 160);
        bytes32 root = SparseMerkleModel.root(keys, leaves, 160);
        vm.expectRevert(WitnessMismatch.selector);
        harness.update(root, keys[1], 160, keccak256("not b"), 0, proof, 0);
        // The right proof for another key does not prove this one.
        vm.expectRevert(WitnessMismatch.selector);
        harness.update(root, keys[0], 160, leaves[1], 0, proof, 0);
    }

    function test_update_revertsWhenShort() public {
        (uint256[] memory keys, bytes32[] memory leaves) = _keys3();
        bytes memory proof = SparseMerkleModel.proof(keys, leaves, keys[0], 160);
        bytes32 root = SparseMerkleModel.root(keys, leaves, 160);
        for (uint256 cut = 1; cut <= proof.length; cut += 7) {
            bytes memory shortProof = _slice(proof, 0, proof.length - cut);
            vm.expectRevert(WitnessTooShort.selector);
            harness.update(root, keys[0], 160, leaves[0], 0, shortProof, 0);
        }
        vm.expectRevert(WitnessTooShort.selector);
        harness.update(root, keys[0], 160, leaves[0], 0, proof, proof.length + 1);
    }

    /// @dev A random set of up to 12 leaves (some keys sharing long prefixes), one random update.
    function testFuzz_update_matchesModel(
        uint256 seed,
        uint8 count,
        uint256 which,
        bytes32 newLeaf,
        bool deep
    ) public view {
        uint256 depth = deep ? 256 : 160;
        uint256 n = bound(count, 0, 12);
        uint256[] memory keys = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            uint256 k = uint256(keccak256(abi.encode(seed, i)));
            // Every third key is a near twin of the previous one.
            if (i % 3 == 2) k = keys[i - 1] ^ (2 ** (k % 8));
            if (!deep) k = uint160(k);
            bool dup;
            for (uint256 j; j < i; ++j) {
                if (keys[j] == k) dup = true;
            }
            if (dup) k = uint160(uint256(keccak256(abi.encode("dedup", seed, i))));
            keys[i] = k;
            leaves[i] = keccak256(abi.encode(seed, "leaf", i));
        }
        uint256 key = n > 0 && which % 4 != 0 ? keys[which % n] : (deep ? which : uint160(which));
        // A fresh key must not collide with a present one (it would then be an update, fine, but
        // the old leaf is looked up by _checkUpdate anyway).
        _checkUpdate(keys, leaves, key, newLeaf, depth);
    }

    /// @dev Every test above again, with memory dirtied before each update.
    function test_update_brutalizedMemory() public {
        harness = SparseMerkleHarness(address(new BrutalizedSparseMerkleHarness()));
        test_update_emptyTree();
        test_update_existingLeaf();
        test_update_insertNextToExisting();
        test_update_deleteLeaf();
        test_update_depth256();
        test_update_offsetAndTrailingBytes();
        test_update_revertsOnTamperedSibling();
        test_update_revertsOnTamperedBitmap();
        test_update_revertsOnWrongOldLeaf();
        test_update_revertsWhenShort();
    }

    function testFuzz_update_brutalizedMemoryMatchesModel(
        uint256 seed,
        uint8 count,
        uint256 which,
        bytes32 newLeaf,
        bool deep
    ) public {
        harness = SparseMerkleHarness(address(new BrutalizedSparseMerkleHarness()));
        testFuzz_update_matchesModel(seed, count, which, newLeaf, deep);
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }
}
