// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RiscVState
/// @notice The fault-proof VM's committed state, held in memory while a step runs. Layout
///         (353 bytes, integers big-endian), as baton-vm's `state` module writes it:
///         memory root (0, 32) | preimage key (32, 32) | preimage offset (64, 8) | pc (72, 8) |
///         step (80, 8) | status (88, 1: 0 running, 1 exited, 2 trapped) | exit code or trap
///         cause (89, 8) | reservation (97, 8) | x1..x31 (105, 8 each).
///         A state's claim hash is its keccak-256 with the first byte replaced by the VM status
///         (0 exited 0, 1 exited otherwise, 2 trapped, 3 running).
///         While a step runs, the state sits in a memory frame that also records where the
///         step's memory proofs are in calldata, so that the interpreter passes one word around.
library RiscVState {
    uint256 internal constant SIZE = 353;
    uint256 internal constant PREIMAGE_KEY = 32;
    uint256 internal constant PREIMAGE_OFFSET = 64;
    uint256 internal constant PC = 72;
    uint256 internal constant STEP = 80;
    uint256 internal constant STATUS = 88;
    uint256 internal constant CODE = 89;
    uint256 internal constant RESERVATION = 97;
    uint256 internal constant REGS = 105;

    uint256 internal constant RUNNING = 0;
    uint256 internal constant EXITED = 1;
    uint256 internal constant TRAPPED = 2;

    /// @notice The state is not 353 bytes.
    error InvalidStateLength(uint256 length);
    /// @notice The status byte is unknown, or a running state has a nonzero code.
    error InvalidState();

    /// @notice Frame offsets of the proofs' calldata offset and length (after the state and 32
    ///         spare bytes, so that an 8-byte field at the end is read and written as a word).
    uint256 internal constant PROOFS_OFFSET = 416;
    uint256 internal constant PROOFS_LENGTH = 448;
    uint256 internal constant FRAME_SIZE = 480;

    /// @notice Copies the encoded state into a fresh frame with the proofs' place, and checks it.
    function load(bytes calldata encoded, bytes calldata proofs) internal pure returns (uint256 s) {
        if (encoded.length != SIZE) revert InvalidStateLength(encoded.length);
        assembly ("memory-safe") {
            s := mload(0x40)
            calldatacopy(s, encoded.offset, SIZE)
            mstore(add(s, SIZE), 0)
            mstore(add(s, PROOFS_OFFSET), proofs.offset)
            mstore(add(s, PROOFS_LENGTH), proofs.length)
            mstore(0x40, add(s, FRAME_SIZE))
        }
        uint256 status = byteAt(s, STATUS);
        if (status > TRAPPED || (status == RUNNING && u64(s, CODE) != 0)) revert InvalidState();
    }

    function byteAt(uint256 s, uint256 offset) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := byte(0, mload(add(s, offset)))
        }
    }

    function setByte(uint256 s, uint256 offset, uint256 v) internal pure {
        assembly ("memory-safe") {
            mstore8(add(s, offset), v)
        }
    }

    function word(uint256 s, uint256 offset) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(s, offset))
        }
    }

    function setWord(uint256 s, uint256 offset, bytes32 v) internal pure {
        assembly ("memory-safe") {
            mstore(add(s, offset), v)
        }
    }

    function u64(uint256 s, uint256 offset) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(192, mload(add(s, offset)))
        }
    }

    function setU64(uint256 s, uint256 offset, uint256 v) internal pure {
        assembly ("memory-safe") {
            let p := add(s, offset)
            mstore(p, or(shr(64, shl(64, mload(p))), shl(192, v)))
        }
    }

    /// @notice Register `r` (x0 reads zero).
    function reg(uint256 s, uint256 r) internal pure returns (uint256) {
        if (r == 0) return 0;
        return u64(s, REGS + 8 * (r - 1));
    }

    /// @notice Sets register `r` (writes to x0 are dropped).
    function setReg(uint256 s, uint256 r, uint256 v) internal pure {
        if (r != 0) setU64(s, REGS + 8 * (r - 1), v);
    }

    /// @notice The reservation register's value when nothing is reserved.
    uint256 internal constant NO_RESERVATION = 0xffffffffffffffff;
    /// @notice The claim hash's first byte for a running machine.
    uint256 internal constant CLAIM_RUNNING = 3;
    /// @notice The claim hash's first byte for a machine that exited 0 (the guest accepts).
    uint256 internal constant CLAIM_VALID = 0;

    /// @notice The claim hash of the program with memory `memoryRoot` and entry point `entry`
    ///         booted on `inputKey`: step 0, running, nothing reserved, every register zero
    ///         but a0..a3, which hold the key as four big-endian words (baton-vm's
    ///         `Program::boot`).
    function bootClaim(bytes32 memoryRoot, uint256 entry, bytes32 inputKey)
        internal
        pure
        returns (bytes32 h)
    {
        assembly ("memory-safe") {
            let s := mload(0x40)
            // Zero the 353 bytes (and the rest of the last word), then write the nonzero fields
            // in increasing order: a later word store may spill into the next field, never
            // into an earlier one.
            for { let i := 0 } lt(i, 384) { i := add(i, 32) } { mstore(add(s, i), 0) }
            mstore(s, memoryRoot)
            mstore(add(s, PC), shl(192, entry))
            mstore(add(s, RESERVATION), shl(192, NO_RESERVATION))
            mstore(add(s, add(REGS, 72)), inputKey) // x10..x13
            h := keccak256(s, SIZE)
        }
        h = bytes32((uint256(h) << 8 >> 8) | (CLAIM_RUNNING << 248));
    }

    /// @notice The VM status a claim hash carries in its first byte.
    function claimStatus(bytes32 claimHash) internal pure returns (uint256) {
        return uint256(claimHash) >> 248;
    }

    /// @notice The claim hash of a state in memory.
    function claim(uint256 s) internal pure returns (bytes32 h) {
        uint256 status = byteAt(s, STATUS);
        uint256 vmStatus =
            status == RUNNING ? CLAIM_RUNNING : status == EXITED ? (u64(s, CODE) == 0 ? CLAIM_VALID : 1) : 2;
        assembly ("memory-safe") {
            h := keccak256(s, SIZE)
        }
        h = bytes32((uint256(h) << 8 >> 8) | (vmStatus << 248));
    }
}
