// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeaderSchedule} from "./interfaces/ILeaderSchedule.sol";
import {SnapshotStore} from "./libraries/SnapshotStore.sol";
import {Checkpoint} from "./types/Checkpoint.sol";

/// @title LeaderSchedule
/// @notice Epochs, stake snapshots and the stake-weighted draw of each epoch's leader and backups.
///         The registry inherits it and supplies the active set through `_snapshotBlob`.
///
///         A checkpoint taken during epoch c fixes (snapshot, seed) for every epoch from c + 2
///         until the next checkpoint's first epoch, so the schedule of epoch e is known from the
///         start of epoch e - 1 at the latest. Draws for epoch e use keccak256(seed, e, i), so an
///         epoch governed by an old checkpoint still gets its own leader.
///
///         Snapshot blob: one 32-byte word per operator, `operator << 96 | cumulativeStake`,
///         cumulative stake in wei in set order.
abstract contract LeaderSchedule is ILeaderSchedule {
    uint256 internal immutable EPOCH_LENGTH;
    uint256 internal immutable GENESIS_BLOCK;
    uint256 internal immutable LEADER_TIMEOUT;

    /// @dev Every checkpoint, as `snapshot | effectiveEpoch | seed` (contracts/types/Checkpoint.sol);
    ///      read only for epochs older than the latest two checkpoints.
    Checkpoint[] internal _checkpoints;
    /// @dev The checkpoint that takes effect at an epoch. While nodes checkpoint every epoch,
    ///      every epoch has one, and `leaderOf` finds it with a single read.
    mapping(uint256 effectiveEpoch => Checkpoint checkpoint) internal _checkpointAt;
    /// @dev Copies of the last two entries in fixed slots, for epochs without their own entry
    ///      (checkpoints skipped for a while): usually one of these still governs.
    Checkpoint internal _latestCheckpoint;
    Checkpoint internal _previousCheckpoint;
    /// @dev The active-set version the last snapshot blob was built from; an unchanged set
    ///      reuses the blob so a checkpoint in a quiet epoch only refreshes the seed.
    uint256 internal _snapshotVersion;
    /// @dev The set captured by the latest checkpoint, to be drawn with the next one's seed.
    address internal _pendingSnapshot;

    uint256 private constant CUMULATIVE_MASK = (1 << 96) - 1;

    constructor(uint256 epochLength_, uint256 leaderTimeout_) {
        EPOCH_LENGTH = epochLength_;
        GENESIS_BLOCK = block.number;
        LEADER_TIMEOUT = leaderTimeout_;
        // Epochs 0 and 1 are governed by the (empty) deploy-time set: nobody leads them. No
        // snapshot, effective from epoch 0: only the seed is set.
        Checkpoint genesis = Checkpoint.wrap(0).setSeed(_freshSeed(0));
        _checkpoints.push(genesis);
        _checkpointAt[0] = genesis;
        _latestCheckpoint = genesis;
        _previousCheckpoint = genesis;
        emit Checkpointed(0, 0, address(0), 0, 0);
    }

    /// @dev The current active set as a snapshot blob.
    function _snapshotBlob() internal view virtual returns (bytes memory blob);

    /// @dev A counter that changes whenever any active stake or membership changes.
    function _activeSetVersion() internal view virtual returns (uint256);

    /// @inheritdoc ILeaderSchedule
    function checkpoint() public returns (bool taken) {
        uint256 epoch = currentEpoch();
        Checkpoint last = _latestCheckpoint;
        uint256 effective = epoch + 2;
        // One checkpoint per epoch: the latest one taken this epoch already targets `effective`.
        if (last.effectiveEpoch() == effective) return false;

        // The fresh seed (this block's prevrandao, which a caller can know a block ahead) is
        // paired with the set captured by the *previous* checkpoint, fixed before anyone could
        // know this seed. Pairing it with the set as it is now would let an operator top up by
        // just the amount that makes the draw pick it, then call checkpoint in the same tx.
        address snapshot = _pendingSnapshot;
        Checkpoint cp = Checkpoint.wrap(0).setSnapshot(snapshot).setEffectiveEpoch(uint32(effective))
            .setSeed(_freshSeed(epoch));
        uint256 n = _checkpoints.length;
        _checkpoints.push(cp);
        _checkpointAt[effective] = cp;
        _previousCheckpoint = last;
        _latestCheckpoint = cp;

        // Capture the current set for the next checkpoint's seed; an unchanged set keeps its blob.
        uint256 version = _activeSetVersion();
        if (version != _snapshotVersion) {
            _pendingSnapshot = SnapshotStore.write(_snapshotBlob());
            _snapshotVersion = version;
        }

        bytes memory blob = SnapshotStore.read(snapshot);
        uint256 count = blob.length / 32;
        emit Checkpointed(
            n, effective, snapshot, count == 0 ? 0 : _word(blob, count - 1) & CUMULATIVE_MASK, count
        );
        return true;
    }

    /// @inheritdoc ILeaderSchedule
    function leaderOf(uint256 epoch, uint256 rank) public view returns (address operator) {
        (address snapshot, uint64 seed) = _governing(epoch);
        return _draw(SnapshotStore.read(snapshot), seed, epoch, rank);
    }

    /// @inheritdoc ILeaderSchedule
    function snapshotOf(uint256 epoch)
        external
        view
        returns (address[] memory operators, uint256[] memory stakes, bytes32 seed)
    {
        (address snapshot, uint64 seed64) = _governing(epoch);
        bytes memory blob = SnapshotStore.read(snapshot);
        uint256 n = blob.length / 32;
        operators = new address[](n);
        stakes = new uint256[](n);
        uint256 previous;
        for (uint256 i; i < n; ++i) {
            uint256 word = _word(blob, i);
            operators[i] = address(uint160(word >> 96));
            stakes[i] = (word & CUMULATIVE_MASK) - previous;
            previous = word & CUMULATIVE_MASK;
        }
        seed = bytes32(uint256(seed64));
    }

    /// @inheritdoc ILeaderSchedule
    function currentEpoch() public view returns (uint256) {
        return (block.number - GENESIS_BLOCK) / EPOCH_LENGTH;
    }

    /// @inheritdoc ILeaderSchedule
    function epochOf(uint256 blockNumber) external view returns (uint256) {
        return blockNumber < GENESIS_BLOCK ? 0 : (blockNumber - GENESIS_BLOCK) / EPOCH_LENGTH;
    }

    /// @inheritdoc ILeaderSchedule
    function epochStartBlock(uint256 epoch) external view returns (uint256) {
        return GENESIS_BLOCK + epoch * EPOCH_LENGTH;
    }

    /// @inheritdoc ILeaderSchedule
    function checkpointCount() external view returns (uint256) {
        return _checkpoints.length;
    }

    /// @inheritdoc ILeaderSchedule
    function epochLength() external view returns (uint256) {
        return EPOCH_LENGTH;
    }

    /// @inheritdoc ILeaderSchedule
    function genesisBlock() external view returns (uint256) {
        return GENESIS_BLOCK;
    }

    /// @inheritdoc ILeaderSchedule
    function leaderTimeout() external view returns (uint256) {
        return LEADER_TIMEOUT;
    }

    /// @dev The checkpoint governing `epoch`: the last one whose effective epoch is ≤ `epoch`.
    function _governing(uint256 epoch) internal view returns (address snapshot, uint64 seed) {
        uint256 lastScheduled = currentEpoch() + 1;
        if (epoch > lastScheduled) revert EpochNotScheduled(epoch, lastScheduled);
        // A checkpoint effective exactly at `epoch` is the last one effective at or before it.
        // (A zero word only means "look further": the fallbacks find the same checkpoint.)
        Checkpoint cp = _checkpointAt[epoch];
        if (!cp.isEmpty()) return (cp.snapshot(), cp.seed());
        cp = _latestCheckpoint;
        if (cp.effectiveEpoch() > epoch) cp = _previousCheckpoint;
        if (cp.effectiveEpoch() > epoch) {
            // An older epoch: binary search the history, below the two entries just checked,
            // for the last checkpoint effective at or before it. The deploy checkpoint is
            // effective from 0, so one always exists.
            uint256 lo = 0;
            uint256 hi = _checkpoints.length - 3;
            while (lo < hi) {
                uint256 mid = (lo + hi + 1) / 2;
                if (_checkpoints[mid].effectiveEpoch() <= epoch) lo = mid;
                else hi = mid - 1;
            }
            cp = _checkpoints[lo];
        }
        return (cp.snapshot(), cp.seed());
    }

    /// @dev Draw ranks 0..rank without replacement, stake-weighted; returns the rank-th draw.
    ///      Draw i picks the first remaining operator whose running remaining stake exceeds
    ///      keccak256(seed, epoch, i) mod remainingTotal.
    function _draw(bytes memory blob, uint64 seed, uint256 epoch, uint256 rank)
        internal
        pure
        returns (address)
    {
        uint256 n = blob.length / 32;
        if (n == 0) revert NoSequencers(epoch);
        if (rank >= n) revert RankOutOfRange(rank, n);
        uint256 total = _word(blob, n - 1) & CUMULATIVE_MASK;
        if (rank == 0) {
            // Nothing excluded yet: the running sum is the stored cumulative, so binary search.
            uint256 target = _target(seed, epoch, 0, total);
            uint256 lo = 0;
            uint256 hi = n - 1;
            while (lo < hi) {
                uint256 mid = (lo + hi) / 2;
                if ((_word(blob, mid) & CUMULATIVE_MASK) > target) hi = mid;
                else lo = mid + 1;
            }
            return address(uint160(_word(blob, lo) >> 96));
        }
        uint256[] memory weights = new uint256[](n);
        uint256 previous;
        for (uint256 j; j < n; ++j) {
            uint256 cumulative = _word(blob, j) & CUMULATIVE_MASK;
            weights[j] = cumulative - previous;
            previous = cumulative;
        }
        uint256 picked;
        for (uint256 i; i <= rank; ++i) {
            uint256 target = _target(seed, epoch, i, total);
            uint256 running;
            for (uint256 j; j < n; ++j) {
                running += weights[j];
                if (running > target) {
                    picked = j;
                    break;
                }
            }
            total -= weights[picked];
            weights[picked] = 0;
        }
        return address(uint160(_word(blob, picked) >> 96));
    }

    function _target(uint64 seed, uint256 epoch, uint256 draw, uint256 total) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, epoch, draw))) % total;
    }

    function _word(bytes memory blob, uint256 i) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(blob, 0x20), mul(i, 0x20)))
        }
    }

    function _freshSeed(uint256 epoch) private view returns (uint64) {
        return uint64(uint256(keccak256(abi.encode(block.prevrandao, epoch))));
    }
}
