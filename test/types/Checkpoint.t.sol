// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Checkpoint} from "../../contracts/types/Checkpoint.sol";

/// @notice Checkpoint: every field round-trips, each setter leaves every other bit as it was, and
///         the word has the documented layout (snapshot | effectiveEpoch << 160 | seed << 192).
contract Checkpoint_Test is Test {
    uint256 internal constant SNAPSHOT_BITS = uint256(type(uint160).max);
    uint256 internal constant EPOCH_BITS = uint256(type(uint32).max) << 160;
    uint256 internal constant SEED_BITS = uint256(type(uint64).max) << 192;

    function testFuzz_roundTrip(address snapshot, uint32 epoch, uint64 seed) public pure {
        Checkpoint cp = Checkpoint.wrap(0).setSnapshot(snapshot).setEffectiveEpoch(epoch).setSeed(seed);
        assertEq(cp.snapshot(), snapshot, "snapshot");
        assertEq(cp.effectiveEpoch(), epoch, "effectiveEpoch");
        assertEq(cp.seed(), seed, "seed");
        assertEq(
            Checkpoint.unwrap(cp),
            uint256(uint160(snapshot)) | (uint256(epoch) << 160) | (uint256(seed) << 192),
            "layout"
        );
        assertEq(cp.isEmpty(), snapshot == address(0) && epoch == 0 && seed == 0, "isEmpty");
    }

    function testFuzz_setSnapshot_keepsOtherBits(uint256 word, address snapshot) public pure {
        Checkpoint cp = Checkpoint.wrap(word);
        Checkpoint next = cp.setSnapshot(snapshot);
        assertEq(next.snapshot(), snapshot, "snapshot");
        assertEq(next.effectiveEpoch(), cp.effectiveEpoch(), "effectiveEpoch");
        assertEq(next.seed(), cp.seed(), "seed");
        assertEq(Checkpoint.unwrap(next) & ~SNAPSHOT_BITS, word & ~SNAPSHOT_BITS, "other bits");
    }

    function testFuzz_setEffectiveEpoch_keepsOtherBits(uint256 word, uint32 epoch) public pure {
        Checkpoint cp = Checkpoint.wrap(word);
        Checkpoint next = cp.setEffectiveEpoch(epoch);
        assertEq(next.effectiveEpoch(), epoch, "effectiveEpoch");
        assertEq(next.snapshot(), cp.snapshot(), "snapshot");
        assertEq(next.seed(), cp.seed(), "seed");
        assertEq(Checkpoint.unwrap(next) & ~EPOCH_BITS, word & ~EPOCH_BITS, "other bits");
    }

    function testFuzz_setSeed_keepsOtherBits(uint256 word, uint64 seed) public pure {
        Checkpoint cp = Checkpoint.wrap(word);
        Checkpoint next = cp.setSeed(seed);
        assertEq(next.seed(), seed, "seed");
        assertEq(next.snapshot(), cp.snapshot(), "snapshot");
        assertEq(next.effectiveEpoch(), cp.effectiveEpoch(), "effectiveEpoch");
        assertEq(Checkpoint.unwrap(next) & ~SEED_BITS, word & ~SEED_BITS, "other bits");
    }
}
