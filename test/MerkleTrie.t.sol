// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MerkleTrie} from "../contracts/libraries/MerkleTrie.sol";
import {RLPReader} from "../contracts/libraries/RLPReader.sol";
import {MerkleTrieHarness} from "./utils/MerkleTrieHarness.sol";

/// @notice The L1 verifier of `eth_getProof` proofs on the proofs baton's tries make
///         (test/vectors/mpt_proofs.json, written and kept current by
///         keepers/crates/state/tests/proof_vectors.rs): the same answers for every present and
///         absent key, account and slot, and a revert for every tampered proof.
contract MerkleTrieTest is Test {
    MerkleTrieHarness internal h;
    string internal json;

    function setUp() public {
        h = new MerkleTrieHarness();
        json = vm.readFile("test/vectors/mpt_proofs.json");
    }

    function _at(string memory list, uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".", list, "[", vm.toString(i), "].", field);
    }

    function _count(string memory list) internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(".", list, "[", vm.toString(n), "]"))) ++n;
    }

    function _case(uint256 i) internal view returns (bytes32 root, bytes32 key, bytes[] memory proof) {
        root = vm.parseJsonBytes32(json, _at("cases", i, "root"));
        key = vm.parseJsonBytes32(json, _at("cases", i, "key"));
        proof = vm.parseJsonBytesArray(json, _at("cases", i, "proof"));
    }

    function test_rawTries_everyKeyGivesItsAnswer() public view {
        uint256 n = _count("cases");
        assertGt(n, 15, "vectors");
        uint256 absent;
        for (uint256 i; i < n; ++i) {
            (bytes32 root, bytes32 key, bytes[] memory proof) = _case(i);
            (bool exists, bytes memory value) = h.get(root, key, proof);
            assertEq(exists, vm.parseJsonBool(json, _at("cases", i, "exists")), vm.toString(i));
            assertEq(value, vm.parseJsonBytes(json, _at("cases", i, "value")), vm.toString(i));
            if (!exists) ++absent;
        }
        assertGt(absent, 5, "absent keys are proven too");
    }

    function test_accounts_areReadFromTheirProofs() public view {
        uint256 n = _count("accounts");
        assertGt(n, 3, "vectors");
        for (uint256 i; i < n; ++i) {
            (bool exists, MerkleTrie.Account memory a) = h.account(
                vm.parseJsonBytes32(json, _at("accounts", i, "stateRoot")),
                vm.parseJsonAddress(json, _at("accounts", i, "address")),
                vm.parseJsonBytesArray(json, _at("accounts", i, "proof"))
            );
            assertEq(exists, vm.parseJsonBool(json, _at("accounts", i, "exists")));
            if (!exists) continue;
            assertEq(a.nonce, vm.parseJsonUint(json, _at("accounts", i, "nonce")));
            assertEq(a.balance, vm.parseJsonUint(json, _at("accounts", i, "balance")));
            assertEq(a.storageRoot, vm.parseJsonBytes32(json, _at("accounts", i, "storageRoot")));
            assertEq(a.codeHash, vm.parseJsonBytes32(json, _at("accounts", i, "codeHash")));
        }
    }

    function test_storage_slotsAreReadFromTheirProofs() public view {
        uint256 n = _count("storage");
        assertGt(n, 5, "vectors");
        for (uint256 i; i < n; ++i) {
            uint256 value = h.storageValue(
                vm.parseJsonBytes32(json, _at("storage", i, "storageRoot")),
                vm.parseJsonBytes32(json, _at("storage", i, "slot")),
                vm.parseJsonBytesArray(json, _at("storage", i, "proof"))
            );
            assertEq(value, vm.parseJsonUint(json, _at("storage", i, "value")), vm.toString(i));
        }
    }

    /// @notice Any byte of any node changed: the proof no longer hashes to the root.
    function testFuzz_aTamperedProofIsRefused(
        uint256 caseIndex,
        uint256 nodeIndex,
        uint256 byteIndex,
        uint8 flip
    ) public {
        flip = uint8(bound(flip, 1, 255));
        (bytes32 root, bytes32 key, bytes[] memory proof) = _case(bound(caseIndex, 0, _count("cases") - 1));
        nodeIndex = bound(nodeIndex, 0, proof.length - 1);
        byteIndex = bound(byteIndex, 0, proof[nodeIndex].length - 1);
        proof[nodeIndex][byteIndex] = bytes1(uint8(proof[nodeIndex][byteIndex]) ^ flip);
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.NodeHashMismatch.selector, nodeIndex));
        h.get(root, key, proof);
    }

    function test_aProofThatDoesNotFitItsPathIsRefused() public {
        // The richest raw case: a proof of several nodes.
        (bytes32 root, bytes32 key, bytes[] memory proof) = _deepestCase();
        assertGt(proof.length, 1);

        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.NodeHashMismatch.selector, 0));
        h.get(keccak256("another root"), key, proof);

        bytes[] memory short = new bytes[](proof.length - 1);
        for (uint256 i; i < short.length; ++i) {
            short[i] = proof[i];
        }
        vm.expectRevert(MerkleTrie.ProofTooShort.selector);
        h.get(root, key, short);

        bytes[] memory long = new bytes[](proof.length + 1);
        for (uint256 i; i < proof.length; ++i) {
            long[i] = proof[i];
        }
        long[proof.length] = proof[0];
        vm.expectRevert(MerkleTrie.ProofTooLong.selector);
        h.get(root, key, long);

        vm.expectRevert(MerkleTrie.EmptyProof.selector);
        h.get(root, key, new bytes[](0));
        // Only the empty trie is proven by no node.
        (bool exists,) = h.get(MerkleTrie.EMPTY_ROOT, key, new bytes[](0));
        assertFalse(exists);
        assertEq(MerkleTrie.EMPTY_ROOT, keccak256(hex"80"));
    }

    function _deepestCase() internal view returns (bytes32 root, bytes32 key, bytes[] memory proof) {
        uint256 n = _count("cases");
        for (uint256 i; i < n; ++i) {
            (bytes32 r, bytes32 k, bytes[] memory p) = _case(i);
            if (p.length > proof.length) (root, key, proof) = (r, k, p);
        }
    }

    /// @notice A node that hashes right but is not a trie node is refused.
    function test_aMalformedNodeIsRefused() public {
        // A list of three items at the root.
        bytes[] memory proof = new bytes[](1);
        proof[0] = hex"c3010203";
        vm.expectRevert(MerkleTrie.MalformedNode.selector);
        h.get(keccak256(proof[0]), bytes32(0), proof);
        // A leaf whose path is shorter than a key.
        proof[0] = hex"c482200101";
        vm.expectRevert(MerkleTrie.MalformedNode.selector);
        h.get(keccak256(proof[0]), bytes32(0), proof);
    }

    /// @notice The shortest encoding of `x`, as RLP writes a number.
    function _rlpUint(uint256 x) internal pure returns (bytes memory) {
        if (x == 0) return hex"80";
        if (x < 0x80) return abi.encodePacked(uint8(x));
        uint256 len;
        for (uint256 y = x; y != 0; y >>= 8) {
            ++len;
        }
        bytes memory out = new bytes(len + 1);
        out[0] = bytes1(uint8(0x80 + len));
        for (uint256 i; i < len; ++i) {
            out[len - i] = bytes1(uint8(x >> (8 * i)));
        }
        return out;
    }

    function testFuzz_numbersReadBack(uint256 x) public view {
        assertEq(h.readUint(_rlpUint(x)), x);
    }

    function test_nonCanonicalRlpIsRefused() public {
        vm.expectRevert(RLPReader.RLPNotCanonical.selector);
        h.readUint(hex"8105"); // a byte below 0x80 must be itself
        vm.expectRevert(RLPReader.RLPNotCanonical.selector);
        h.readUint(hex"820005"); // a leading zero
        vm.expectRevert(RLPReader.RLPNotCanonical.selector);
        h.listLength(hex"f80101"); // the long form for a short list
        vm.expectRevert(RLPReader.RLPLength.selector);
        h.readUint(hex"8201"); // ends early
        vm.expectRevert(RLPReader.RLPLength.selector);
        h.readUint(hex"0102"); // two items
        vm.expectRevert(abi.encodeWithSelector(RLPReader.RLPWrongKind.selector, false));
        h.readUint(hex"c0");
        vm.expectRevert(abi.encodeWithSelector(RLPReader.RLPTooManyItems.selector, 17));
        h.listLength(hex"d2000000000000000000000000000000000000");
    }
}
