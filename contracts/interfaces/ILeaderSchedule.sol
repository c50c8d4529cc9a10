// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ILeaderSchedule
/// @notice Epochs of `epochLength` L1 blocks; each epoch's leader is drawn stake-weighted from a
///         snapshot of the active set, with a seed from `block.prevrandao`. A checkpoint taken in
///         epoch c governs epochs c + 2 onwards (until a later checkpoint takes over), so every
///         epoch's schedule is fixed for at least one whole epoch before it starts. A checkpoint
///         draws with its own fresh seed over the set captured by the checkpoint before it, so no
///         stake change made after a seed is known can steer that seed's draw.
interface ILeaderSchedule {
    /// @notice A checkpoint fixed the stake snapshot and seed for epochs from `effectiveEpoch`.
    /// @param index Position in the checkpoint list.
    /// @param effectiveEpoch First epoch this checkpoint governs (taken epoch + 2).
    /// @param snapshot Address of the code blob holding (operator, cumulative stake) entries.
    /// @param totalStake Sum of the snapshot's stakes.
    /// @param operators Number of operators in the snapshot.
    event Checkpointed(
        uint256 indexed index,
        uint256 indexed effectiveEpoch,
        address snapshot,
        uint256 totalStake,
        uint256 operators
    );

    /// @notice `leaderOf` was asked about an epoch whose schedule is not fixed yet.
    error EpochNotScheduled(uint256 epoch, uint256 lastScheduledEpoch);
    /// @notice The snapshot governing `epoch` holds no operator.
    error NoSequencers(uint256 epoch);
    /// @notice `rank` is not below the number of operators in the epoch's snapshot.
    error RankOutOfRange(uint256 rank, uint256 operators);

    /// @notice Fix the schedule from epoch current + 2: a fresh seed over the set captured by the
    ///         previous checkpoint; then capture the current set for the next one. At most once
    ///         per epoch. Permissionless; nodes call it every epoch so seeds stay fresh and stake
    ///         changes reach the schedule within two checkpoints.
    /// @return taken False when this epoch already has a checkpoint.
    function checkpoint() external returns (bool taken);
    /// @notice The operator at `rank` (0 = leader, r = r-th backup) of `epoch`.
    ///         Backups are distinct operators drawn stake-weighted without replacement.
    function leaderOf(uint256 epoch, uint256 rank) external view returns (address operator);
    /// @notice Like `leaderOf`, plus the operator's signer key and whether it may post now.
    ///         A schedule is fixed ahead, so it can name an operator that has since changed:
    ///         a jailed operator may not post; one that is unbonding still serves the epochs it
    ///         was scheduled for (its unbonding stake answers for them), until it has withdrawn.
    function scheduledSigner(uint256 epoch, uint256 rank)
        external
        view
        returns (address operator, address signer, bool eligible);
    /// @notice The epoch of the current L1 block.
    function currentEpoch() external view returns (uint256);
    /// @notice The epoch that L1 block `blockNumber` belongs to.
    function epochOf(uint256 blockNumber) external view returns (uint256);
    /// @notice First L1 block of `epoch`.
    function epochStartBlock(uint256 epoch) external view returns (uint256);
    /// @notice The stake snapshot and seed that govern `epoch`.
    function snapshotOf(uint256 epoch)
        external
        view
        returns (address[] memory operators, uint256[] memory stakes, bytes32 seed);
    /// @notice Number of checkpoints taken (the deploy takes the first).
    function checkpointCount() external view returns (uint256);
    /// @notice L1 blocks per epoch.
    function epochLength() external view returns (uint256);
    /// @notice L1 block at which epoch 0 starts.
    function genesisBlock() external view returns (uint256);
    /// @notice L1 blocks a backup of rank r waits (times r) into an epoch with no record.
    function leaderTimeout() external view returns (uint256);
}
