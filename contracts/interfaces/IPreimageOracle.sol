// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPreimageOracle
/// @notice The data the fault-proof VM's guest reads but cannot compute (state-trie nodes,
///         transactions, its input), served by keccak-256 hash, 32 bytes at a time. A preimage
///         is seen framed as the guest reads it: its length as 8 big-endian bytes, then its
///         bytes. Anyone may load a part: the contract hashes the whole preimage itself, so a
///         part it serves is always a part of the preimage of its key. See docs/vm.md.
interface IPreimageOracle {
    /// @notice The part the step asked for has not been loaded (load it, then step again).
    error PreimagePartNotLoaded(bytes32 key, uint256 offset);
    /// @notice A part's offset is not inside the framed preimage.
    error PartOffsetOutOfRange(uint256 offset, uint256 framedLength);

    /// @notice A part of the preimage of `key` was loaded.
    event PreimagePartLoaded(bytes32 indexed key, uint256 offset);

    /// @notice Hashes `preimage` and stores the 32 bytes of its framing from `offset` on (zero
    ///         past the end) and its length under its keccak-256 hash.
    function loadKeccak256PreimagePart(uint256 offset, bytes calldata preimage) external;

    /// @notice The 32 bytes of the framed preimage of `key` from `offset` on, and how many of
    ///         them are inside it: min(32, framed length - offset), 0 at or past the end.
    ///         Reverts with `PreimagePartNotLoaded` unless that part (or, at or past the end,
    ///         any part) of `key` was loaded.
    function readPreimage(bytes32 key, uint256 offset)
        external
        view
        returns (bytes32 part, uint256 partLength);
}
