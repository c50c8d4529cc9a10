// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A leader-schedule checkpoint (`LeaderSchedule._checkpoints` and the words that copy
///         its entries): one storage word.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..159  snapshot: the SnapshotStore pointer of the set drawn from (zero: empty);
///      - bits 160..191  effectiveEpoch: the first epoch the checkpoint governs;
///      - bits 192..255  seed: the seed of the draws.
type Checkpoint is uint256;

using CheckpointLibrary for Checkpoint global;

/// @title CheckpointLibrary
/// @notice Named fields of a Checkpoint. Each setter returns the new word and leaves the other
///         fields as they were.
library CheckpointLibrary {
    uint256 internal constant MASK_160_BITS = 0x00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant MASK_32_BITS = 0xFFFFFFFF;
    uint256 internal constant MASK_64_BITS = 0xFFFFFFFFFFFFFFFF;
    uint256 internal constant EFFECTIVE_EPOCH_OFFSET = 160;
    uint256 internal constant SEED_OFFSET = 192;

    /// @notice Whether the word is zero (an epoch no checkpoint takes effect at).
    function isEmpty(Checkpoint cp) internal pure returns (bool) {
        return Checkpoint.unwrap(cp) == 0;
    }

    function snapshot(Checkpoint cp) internal pure returns (address) {
        return address(uint160(Checkpoint.unwrap(cp)));
    }

    function effectiveEpoch(Checkpoint cp) internal pure returns (uint32) {
        return uint32(Checkpoint.unwrap(cp) >> EFFECTIVE_EPOCH_OFFSET);
    }

    function seed(Checkpoint cp) internal pure returns (uint64) {
        return uint64(Checkpoint.unwrap(cp) >> SEED_OFFSET);
    }

    function setSnapshot(Checkpoint cp, address snapshot_) internal pure returns (Checkpoint) {
        return Checkpoint.wrap((Checkpoint.unwrap(cp) & ~MASK_160_BITS) | uint160(snapshot_));
    }

    function setEffectiveEpoch(Checkpoint cp, uint32 epoch) internal pure returns (Checkpoint) {
        return Checkpoint.wrap(
            (Checkpoint.unwrap(cp) & ~(MASK_32_BITS << EFFECTIVE_EPOCH_OFFSET))
                | (uint256(epoch) << EFFECTIVE_EPOCH_OFFSET)
        );
    }

    function setSeed(Checkpoint cp, uint64 seed_) internal pure returns (Checkpoint) {
        return Checkpoint.wrap(
            (Checkpoint.unwrap(cp) & ~(MASK_64_BITS << SEED_OFFSET)) | (uint256(seed_) << SEED_OFFSET)
        );
    }
}
