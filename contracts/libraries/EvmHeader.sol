// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title EvmHeader
/// @notice Reads the state root out of an EVM block header's RLP (what `keccak256` of it, the
///         block hash, commits to), so that an output committing to a header hash proves state
///         through it. A header is an RLP list of 256 bytes or more (its bloom alone) and under
///         64 KiB, so its prefix is `0xf9` with two length bytes; its first fields are two
///         32-byte strings (parent hash, ommers hash) and a 20-byte one (beneficiary), so the
///         state root, the fourth, sits at a fixed offset.
/// @dev The caller checks the header's hash against a commitment first: these checks only turn
///      bytes that are no header into a clear error.
library EvmHeader {
    /// @notice Where the state root's 32 bytes start: after the list prefix (3 bytes), the two
    ///         hashes (33 each), the beneficiary (21) and the root's own string prefix (1).
    uint256 internal constant STATE_ROOT_OFFSET = 91;

    /// @notice The bytes are not an RLP header of the expected shape.
    error MalformedHeader();

    /// @notice The state root of the header `header` encodes.
    function stateRoot(bytes calldata header) internal pure returns (bytes32) {
        if (
            header.length < STATE_ROOT_OFFSET + 32 || header[0] != 0xf9
                || uint256(uint16(bytes2(header[1:3]))) + 3 != header.length || header[3] != 0xa0
                || header[36] != 0xa0 || header[69] != 0x94 || header[90] != 0xa0
        ) revert MalformedHeader();
        return bytes32(header[STATE_ROOT_OFFSET:STATE_ROOT_OFFSET + 32]);
    }
}
