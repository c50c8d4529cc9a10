// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleTrie} from "../../contracts/libraries/MerkleTrie.sol";
import {RLPReader} from "../../contracts/libraries/RLPReader.sol";

/// @notice External entry points to the libraries, so that reverts can be expected.
contract MerkleTrieHarness {
    using RLPReader for RLPReader.Item;

    function get(bytes32 root, bytes32 key, bytes[] memory proof) external pure returns (bool, bytes memory) {
        return MerkleTrie.get(root, key, proof);
    }

    function storageValue(bytes32 storageRoot, bytes32 slot, bytes[] memory proof)
        external
        pure
        returns (uint256)
    {
        return MerkleTrie.storageValue(storageRoot, slot, proof);
    }

    function account(bytes32 stateRoot, address a, bytes[] memory proof)
        external
        pure
        returns (bool, MerkleTrie.Account memory)
    {
        return MerkleTrie.account(stateRoot, a, proof);
    }

    function readUint(bytes memory data) external pure returns (uint256) {
        return RLPReader.toItem(data).readUint();
    }

    function listLength(bytes memory data) external pure returns (uint256) {
        return RLPReader.toItem(data).readList(17).length;
    }
}
