// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPreimageOracle} from "../interfaces/IPreimageOracle.sol";

/// @title PreimageOracle
/// @notice Keccak-256 preimages for the fault-proof VM, loaded one 32-byte part at a time by
///         whoever needs a step to run (see IPreimageOracle).
contract PreimageOracle is IPreimageOracle {
    /// @notice Framed length + 1 of a key's preimage (0: nothing of it loaded).
    mapping(bytes32 key => uint256) internal framedLengthPlusOne;
    /// @notice Loaded parts by key and framed offset.
    mapping(bytes32 key => mapping(uint256 offset => bytes32)) internal parts;
    /// @notice Whether a part was loaded (a part may be all zero).
    mapping(bytes32 key => mapping(uint256 offset => bool)) internal loaded;

    /// @inheritdoc IPreimageOracle
    function loadKeccak256PreimagePart(uint256 offset, bytes calldata preimage) external {
        uint256 framedLength = preimage.length + 8;
        if (offset >= framedLength) revert PartOffsetOutOfRange(offset, framedLength);
        bytes32 key;
        bytes32 part;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // The framing: the length's 8 big-endian bytes, then the preimage, then 32 zero
            // bytes so that a part near the end reads zeros.
            mstore(ptr, shl(192, preimage.length))
            calldatacopy(add(ptr, 8), preimage.offset, preimage.length)
            mstore(add(add(ptr, 8), preimage.length), 0)
            key := keccak256(add(ptr, 8), preimage.length)
            part := mload(add(ptr, offset))
        }
        framedLengthPlusOne[key] = framedLength + 1;
        parts[key][offset] = part;
        loaded[key][offset] = true;
        emit PreimagePartLoaded(key, offset);
    }

    /// @inheritdoc IPreimageOracle
    function readPreimage(bytes32 key, uint256 offset)
        external
        view
        returns (bytes32 part, uint256 partLength)
    {
        uint256 lengthPlusOne = framedLengthPlusOne[key];
        if (lengthPlusOne != 0 && offset >= lengthPlusOne - 1) return (0, 0);
        if (!loaded[key][offset]) revert PreimagePartNotLoaded(key, offset);
        uint256 rest = lengthPlusOne - 1 - offset;
        return (parts[key][offset], rest < 32 ? rest : 32);
    }
}
