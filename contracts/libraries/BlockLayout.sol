// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "../interfaces/IBatchInbox.sol";
import {IDisputeGame} from "../interfaces/IDisputeGame.sol";
import {IEvmDisputeGame} from "../interfaces/IEvmDisputeGame.sol";
import {PaddedMerkle} from "./PaddedMerkle.sol";
import {TraceLayout} from "./TraceLayout.sol";

/// @title BlockLayout
/// @notice Where each L2 block of an output interval sits in the trace of a dispute over blocks
///         (the EVM chain's game, docs/evm.md "A block's claim"). Position p of the trace is the
///         (p+1)-th block after the previous output's last one: record by record, each record's
///         blocks `firstBlock..lastBlock` in order (a forced record's one block). A record's
///         force-queue entries are all consumed by its first block.
///
///         One `IEvmDisputeGame.BlockSpan` per record, built once when a game opens from the interval's record
///         headers (checked to chain to the inbox's record hash by `TraceLayout.build`, whose
///         transaction spans it extends with the blocks); the game (`EvmDisputeGame`) stores
///         only the spans' PaddedMerkle root, and a block's proof hands back its span with its
///         path.
library BlockLayout {
    /// @notice Build the block layout of output `outputIndex`'s interval from its record headers
    ///         (as `TraceLayout.build` takes them: for output 0 records 0..last, otherwise the
    ///         previous output's last record first).
    /// @return spans One per record of the interval.
    /// @return length The number of blocks in the trace.
    function build(
        IBatchInbox.BatchHeader[] calldata headers,
        uint256 outputIndex,
        uint256 interval,
        bytes32 lastRecordHash
    ) internal pure returns (IEvmDisputeGame.BlockSpan[] memory spans, uint64 length) {
        bool fromGenesis = outputIndex == 0;
        (IDisputeGame.Span[] memory txSpans,) =
            TraceLayout.build(headers, fromGenesis, interval, lastRecordHash);
        uint256 skip = fromGenesis ? 0 : 1;
        spans = new IEvmDisputeGame.BlockSpan[](interval);
        for (uint256 i; i < interval; ++i) {
            IBatchInbox.BatchHeader calldata h = headers[i + skip];
            uint64 blocks = h.lastBlock - h.firstBlock + 1;
            spans[i] = IEvmDisputeGame.BlockSpan({
                dataHash: txSpans[i].dataHash,
                recordIndex: uint64(outputIndex * interval + i),
                firstPosition: length,
                blockCount: blocks,
                forceStart: txSpans[i].forceStart,
                forceCount: txSpans[i].forceCount,
                txCount: txSpans[i].txCount
            });
            length += blocks;
        }
    }

    /// @notice The commitment a game stores: the PaddedMerkle root of the spans' leaves.
    function root(IEvmDisputeGame.BlockSpan[] memory spans) internal pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](spans.length);
        for (uint256 i; i < spans.length; ++i) {
            leaves[i] = keccak256(abi.encode(spans[i]));
        }
        return PaddedMerkle.root(leaves);
    }

    /// @notice The layout root that `span`, at `index` of `count` spans, implies through `path`.
    function rootOf(
        IEvmDisputeGame.BlockSpan calldata span,
        uint256 index,
        uint256 count,
        bytes32[] calldata path
    ) internal pure returns (bytes32) {
        return PaddedMerkle.rootOf(keccak256(abi.encode(span)), index, count, path);
    }

    /// @notice Whether block `position` of the trace is one of `span`'s.
    function contains(IEvmDisputeGame.BlockSpan calldata span, uint256 position)
        internal
        pure
        returns (bool)
    {
        return position >= span.firstPosition && position < uint256(span.firstPosition) + span.blockCount;
    }
}
