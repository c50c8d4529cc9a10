// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./IBatchInbox.sol";

/// @title ISlasher
/// @notice Turns evidence of sequencer misbehaviour into slashes through the registry.
///         Permissionless: the caller is the reporter and earns the reporter share.
interface ISlasher {
    /// @notice A signed L2 block header (EIP-712 type `BlockHeader`): the preconfirmation.
    /// @param chainId The L2 chain id.
    /// @param number L2 block number.
    /// @param parentHash Hash of the parent L2 block.
    /// @param epoch The L1 epoch the block was sealed in.
    /// @param timestamp L2 block timestamp (seconds).
    /// @param txRoot Merkle root of the block's transactions.
    struct BlockHeader {
        uint256 chainId;
        uint64 number;
        bytes32 parentHash;
        uint64 epoch;
        uint64 timestamp;
        bytes32 txRoot;
    }

    /// @notice Kinds of offence.
    enum Offence {
        BlockEquivocation,
        BatchEquivocation,
        Liveness,
        Censorship
    }

    /// @notice An offence was slashed.
    /// @param offence The kind.
    /// @param operator The offender.
    /// @param reporter The caller.
    /// @param subject Block number, first block, epoch or record index the offence is about.
    /// @param epoch The epoch of the offence.
    /// @param amount ETH taken.
    event OffenceSlashed(
        Offence indexed offence,
        address indexed operator,
        address indexed reporter,
        uint256 subject,
        uint256 epoch,
        uint256 amount
    );

    /// @notice A header names another L2 chain.
    error WrongChainId(uint256 got, uint256 expected);
    /// @notice The two headers are not about the same number and epoch.
    error NotConflicting();
    /// @notice The two headers are identical (hash equal): no equivocation.
    error SameHeader();
    /// @notice The two signatures recover to different signers.
    error DifferentSigners(address a, address b);
    /// @notice The signer belongs to no operator.
    error UnknownSigner(address signer);
    /// @notice The epoch has not ended.
    error EpochNotEnded(uint256 epoch, uint256 current);
    /// @notice The epoch is older than the slashing window.
    error EpochOutsideWindow(uint256 epoch, uint256 oldestSlashable);
    /// @notice The leader posted in that epoch.
    error LeaderPosted(uint256 epoch);
    /// @notice The leader was jailed in that epoch and could not post.
    error LeaderWasJailed(uint256 epoch, address operator);
    /// @notice The record is not a forced record.
    error NotForcedRecord(uint256 index);

    /// @notice Two different block headers for one chain, number and epoch, signed by one signer.
    function slashBlockEquivocation(
        BlockHeader calldata a,
        bytes calldata sigA,
        BlockHeader calldata b,
        bytes calldata sigB
    ) external returns (uint256 amount);
    /// @notice Two batch headers for one chain, epoch and first block with different data,
    ///         signed by one signer.
    function slashBatchEquivocation(
        IBatchInbox.BatchHeader calldata a,
        bytes calldata sigA,
        IBatchInbox.BatchHeader calldata b,
        bytes calldata sigB
    ) external returns (uint256 amount);
    /// @notice The rank-0 leader of an ended `epoch` posted no record in it.
    function slashLiveness(uint256 epoch) external returns (uint256 amount);
    /// @notice Forced record `index` consumed entries that the acting sequencer let go overdue.
    ///         The offender is the rank `IBatchInbox.censorshipOf(index)` fixed when the forced
    ///         record landed, so the moment of the call cannot choose it.
    ///         One slash per censored epoch, however many forced records name it.
    function slashCensorship(uint256 index) external returns (uint256 amount);

    /// @notice The EIP-712 digest a sequencer signs for a block header.
    function blockHeaderDigest(BlockHeader calldata header) external view returns (bytes32);
    /// @notice The SequencerRegistry that slashes.
    function registry() external view returns (address);
    /// @notice The BatchInbox whose domain signs headers and whose records are evidence.
    function inbox() external view returns (address);
    /// @notice Slash of an equivocation, in basis points of bonded plus unbonding stake.
    function equivocationSlashBps() external view returns (uint256);
    /// @notice Slash of a missed epoch, in basis points.
    function livenessSlashBps() external view returns (uint256);
    /// @notice Slash of a censorship, in basis points.
    function censorshipSlashBps() external view returns (uint256);
    /// @notice How many ended epochs back liveness can be slashed.
    function slashingWindowEpochs() external view returns (uint256);
}
