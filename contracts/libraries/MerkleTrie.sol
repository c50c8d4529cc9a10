// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RLPReader} from "./RLPReader.sol";

/// @title MerkleTrie
/// @notice Checks `eth_getProof` proofs against a state root: Ethereum's Merkle-Patricia trie
///         with 32-byte keys (`keccak256` of an address or a storage slot), the form of the L2's
///         state (docs/evm.md). A proof is the RLP of every node on the key's path that is not
///         embedded in its parent, from the root, as baton's node and every Ethereum client
///         give it. It proves a key's value, or the key's absence (the path ends at an empty
///         branch child, at another key's leaf, or where an extension parts from the key).
///         Anything else reverts: a node that does not hash to its reference, a malformed node,
///         and nodes left over after the path ends.
library MerkleTrie {
    using RLPReader for RLPReader.Item;

    /// @notice An account in the state trie.
    struct Account {
        uint256 nonce;
        uint256 balance;
        bytes32 storageRoot;
        bytes32 codeHash;
    }

    /// @notice The root of the empty trie: `keccak256(rlp(""))`.
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice The proof holds no node, and the root is not the empty trie's.
    error EmptyProof();
    /// @notice Proof node `index` does not hash to the reference its parent (or the root) holds.
    error NodeHashMismatch(uint256 index);
    /// @notice A node is neither a branch (17 items) nor a leaf or extension (2 items), or a
    ///         branch holds a value, or an embedded node is 32 bytes or longer.
    error MalformedNode();
    /// @notice The path needs a node the proof does not hold.
    error ProofTooShort();
    /// @notice The path ended before the proof did.
    error ProofTooLong();

    /// @notice The value at `key` in the trie of `root`: `exists` false if the proof shows the
    ///         key is absent.
    function get(bytes32 root, bytes32 key, bytes[] memory proof)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        if (proof.length == 0) {
            // Nothing is in the empty trie, and its proof is empty (as `eth_getProof` gives it).
            if (root == EMPTY_ROOT) return (false, value);
            revert EmptyProof();
        }
        RLPReader.Item memory node = _hashedNode(proof, 0, root);
        uint256 used = 1;
        uint256 depth; // nibbles of the key consumed
        while (true) {
            RLPReader.Item[] memory items = node.readList(17);
            if (items.length == 17) {
                // Keys are 32 bytes: a path never ends at a branch, which holds no value.
                if (depth == 64 || !_isEmpty(items[16])) revert MalformedNode();
                RLPReader.Item memory child = items[_nibble(key, depth)];
                depth += 1;
                if (_isEmpty(child)) break;
                (node, used) = _child(proof, used, child);
            } else if (items.length == 2) {
                (bytes memory path, bool leaf) = _hexPrefix(items[0]);
                // A leaf ends the 64 nibbles; an extension leaves at least one to a branch.
                if (leaf ? depth + path.length != 64 : path.length == 0 || depth + path.length >= 64) {
                    revert MalformedNode();
                }
                bool matches = true;
                for (uint256 i; matches && i < path.length; ++i) {
                    matches = uint8(path[i]) == _nibble(key, depth + i);
                }
                if (!matches) break;
                depth += path.length;
                if (leaf) {
                    exists = true;
                    value = items[1].readBytes();
                    break;
                }
                (node, used) = _child(proof, used, items[1]);
            } else {
                revert MalformedNode();
            }
        }
        if (used != proof.length) revert ProofTooLong();
    }

    /// @notice Storage slot `slot` of the account whose storage trie has root `storageRoot`
    ///         (zero if absent).
    function storageValue(bytes32 storageRoot, bytes32 slot, bytes[] memory proof)
        internal
        pure
        returns (uint256)
    {
        (bool exists, bytes memory value) = get(storageRoot, keccak256(abi.encode(slot)), proof);
        if (!exists) return 0;
        return RLPReader.toItem(value).readUint();
    }

    /// @notice The account at `account` in the state of `stateRoot`; `exists` false if absent.
    function account(bytes32 stateRoot, address account_, bytes[] memory proof)
        internal
        pure
        returns (bool exists, Account memory acc)
    {
        bytes memory leaf;
        (exists, leaf) = get(stateRoot, keccak256(abi.encodePacked(account_)), proof);
        if (!exists) return (false, acc);
        RLPReader.Item[] memory fields = RLPReader.toItem(leaf).readList(4);
        if (fields.length != 4) revert MalformedNode();
        acc = Account({
            nonce: fields[0].readUint(),
            balance: fields[1].readUint(),
            storageRoot: fields[2].readBytes32(),
            codeHash: fields[3].readBytes32()
        });
    }

    /// @dev Proof node `index`, checked against `expected`.
    function _hashedNode(bytes[] memory proof, uint256 index, bytes32 expected)
        private
        pure
        returns (RLPReader.Item memory node)
    {
        if (index >= proof.length) revert ProofTooShort();
        if (keccak256(proof[index]) != expected) revert NodeHashMismatch(index);
        node = RLPReader.toItem(proof[index]);
    }

    /// @dev The node a parent refers to: embedded (a list under 32 bytes) or by hash (the next
    ///      proof node).
    function _child(bytes[] memory proof, uint256 used, RLPReader.Item memory ref)
        private
        pure
        returns (RLPReader.Item memory node, uint256)
    {
        if (ref.isList()) {
            if (ref.len >= 32) revert MalformedNode();
            return (ref, used);
        }
        return (_hashedNode(proof, used, ref.readBytes32()), used + 1);
    }

    /// @dev Whether a branch child is the empty string (no child).
    function _isEmpty(RLPReader.Item memory item) private pure returns (bool empty) {
        if (item.len != 1) return false;
        uint256 ptr = item.ptr;
        assembly ("memory-safe") {
            empty := eq(byte(0, mload(ptr)), 0x80)
        }
    }

    /// @dev Nibble `i` of `key`, high half first.
    function _nibble(bytes32 key, uint256 i) private pure returns (uint8) {
        uint8 b = uint8(key[i / 2]);
        return i % 2 == 0 ? b >> 4 : b & 0x0f;
    }

    /// @dev A hex-prefix encoded path: its nibbles and whether it ends at a leaf.
    function _hexPrefix(RLPReader.Item memory item) private pure returns (bytes memory path, bool leaf) {
        bytes memory encoded = item.readBytes();
        if (encoded.length == 0) revert MalformedNode();
        uint8 flag = uint8(encoded[0]) >> 4;
        if (flag > 3) revert MalformedNode();
        leaf = flag >= 2;
        bool odd = flag % 2 == 1;
        // An even path pads its first byte with a zero nibble.
        if (!odd && uint8(encoded[0]) & 0x0f != 0) revert MalformedNode();
        path = new bytes(2 * (encoded.length - 1) + (odd ? 1 : 0));
        uint256 at;
        if (odd) path[at++] = bytes1(uint8(encoded[0]) & 0x0f);
        for (uint256 i = 1; i < encoded.length; ++i) {
            path[at++] = bytes1(uint8(encoded[i]) >> 4);
            path[at++] = bytes1(uint8(encoded[i]) & 0x0f);
        }
    }
}
