// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./IBatchInbox.sol";
import {IBisectionGame} from "./IBisectionGame.sol";

/// @title IEvmDisputeGame
/// @notice The EVM chain's dispute game: an `IBisectionGame` over the L2 blocks between the
///         previous output (or genesis) and the disputed one, whose roots are EVM block header
///         hashes (an output of an EVM deployment commits to its last block's header hash, which
///         commits to its state root). Position p of the trace is the (p+1)-th block after the
///         start: record by record, each record's blocks in order (`BlockLayout`). Once the
///         segment is one block, the challenger proves which block it is with `proveBlock`, and
///         the game builds the guest's claim (`BlockClaim`): the agreed parent header's hash, the
///         proposer's hash of the block, the chain's parameters and the block's inputs as L1
///         holds them. The EVM guest (keepers/guest-evm) runs the node's own `build_block` on it.
///         See docs/evm.md, "The dispute game over blocks".
interface IEvmDisputeGame is IBisectionGame {
    /// @notice One record's share of the trace of blocks.
    /// @param dataHash The record's batch data hash; zero for a forced record (no data: no
    ///        transactions, its fees burn).
    /// @param recordIndex The record's index in the inbox (a forced record's L1 time is read by it).
    /// @param firstPosition Trace position of its first block.
    /// @param blockCount Its blocks.
    /// @param forceStart Queue index of the first force-queue entry it consumed.
    /// @param forceCount How many entries it consumed (all in its first block).
    /// @param txCount Leaves of its data's transaction tree.
    struct BlockSpan {
        bytes32 dataHash;
        uint64 recordIndex;
        uint64 firstPosition;
        uint64 blockCount;
        uint64 forceStart;
        uint64 forceCount;
        uint64 txCount;
    }

    /// @notice Which block the segment's start is: its record's span and that record's data
    ///         commitment with its block framing (10 bytes a block), never the record's
    ///         transactions, so its cost is bounded by the record's block count.
    /// @param span The span holding the position (`layoutOf` computes the layout).
    /// @param spanIndex Its index in the layout.
    /// @param spanPath Its PaddedMerkle path to the game's layout root.
    /// @param feeRecipient For a sequenced record: the fee recipient its data names.
    /// @param blocksHash For a sequenced record: the hash of its blocks' framing.
    /// @param txRoot For a sequenced record: the root of its transactions (with the two above,
    ///        the record's dataHash; see BatchData).
    /// @param framing For a sequenced record: every block's `timestamp (8) ‖ txCount (2)`, the
    ///        preimage of `blocksHash`.
    struct BlockProof {
        BlockSpan span;
        uint256 spanIndex;
        bytes32[] spanPath;
        address feeRecipient;
        bytes32 blocksHash;
        bytes32 txRoot;
        bytes framing;
    }

    /// @notice Anyone, on the challenger's clock, once the segment is one block: prove which it
    ///         is and start the guest's execution on its claim.
    function proveBlock(uint256 gameId, BlockProof calldata proof) external;

    /// @notice The layout a game over output `outputIndex` uses, from the interval's headers.
    function layoutOf(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers)
        external
        view
        returns (BlockSpan[] memory spans, uint256 traceLength);
    /// @notice The genesis block's header hash: the agreed start of a game over output 0.
    function genesisHeaderHash() external view returns (bytes32);
    /// @notice The L2 block gas limit.
    function l2GasLimit() external view returns (uint256);
    /// @notice The EIP-1559 elasticity multiplier of the L2 base fee.
    function elasticity() external view returns (uint256);
    /// @notice The EIP-1559 change denominator of the L2 base fee.
    function maxChangeDenominator() external view returns (uint256);
    /// @notice The L2 fee vault predeploy the base fees go to.
    function feeVault() external view returns (address);
}
