// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SnapshotStore
/// @notice Write-once byte blobs stored as contract code (the SSTORE2 idea): writing costs
///         ~200 gas per byte once, reading a whole blob costs one cold account access plus
///         3 gas per word, far cheaper than one SLOAD per entry. Used for the stake snapshot
///         that `leaderOf` searches.
library SnapshotStore {
    /// @notice Creating the code contract failed (blob too large for a contract).
    error SnapshotWriteFailed(uint256 size);

    /// @notice Store `data`; returns the pointer, or zero for empty data.
    function write(bytes memory data) internal returns (address pointer) {
        if (data.length == 0) return address(0);
        // Runtime code = 0x00 (STOP, so the blob can never be executed) ‖ data.
        // Init code: PUSH2 size, DUP1, PUSH1 0x0c, PUSH1 0, CODECOPY, PUSH1 0, RETURN (12 bytes).
        bytes memory init =
            abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600c6000396000f3", hex"00", data);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        if (pointer == address(0)) revert SnapshotWriteFailed(data.length);
    }

    /// @notice Read the blob at `pointer` (empty for the zero pointer).
    function read(address pointer) internal view returns (bytes memory data) {
        if (pointer == address(0)) return data;
        assembly ("memory-safe") {
            let size := sub(extcodesize(pointer), 1)
            data := mload(0x40)
            mstore(data, size)
            extcodecopy(pointer, add(data, 0x20), 1, size)
            mstore(0x40, add(add(data, 0x20), and(add(size, 31), not(31))))
        }
    }
}
