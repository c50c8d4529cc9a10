// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "../interfaces/IBatchInbox.sol";
import {IDisputeGame} from "../interfaces/IDisputeGame.sol";
import {PaddedMerkle} from "./PaddedMerkle.sol";
import {SequencingHeaders} from "./SequencingHeaders.sol";

/// @title TraceLayout
/// @notice Where each L2 transaction of an output interval sits in the dispute trace
///         (docs/outputs.md, "The trace"). Position p of the trace is the (p+1)-th transaction
///         after the previous output: record by record, first the force-queue entries the record
///         consumed, then the batch data's transactions in framing order.
///
///         A layout is one `IDisputeGame.Span` per record of the interval. It is built once, when a game opens,
///         from the interval's record headers (checked to chain to the inbox's record hash), and
///         the game stores only its Merkle root; the transaction proof hands back the one span it
///         needs with its path, so the proof's size does not grow with the interval.
library TraceLayout {
    /// @notice The headers are not `expected` in number.
    error WrongHeaderCount(uint256 count, uint256 expected);
    /// @notice Header `index` does not hash to the next header's `prevRecordHash` (or the last
    ///         one to the inbox's record hash, or the first of the chain does not start it).
    error BrokenHeaderChain(uint256 index);

    /// @notice Build the layout of an interval from its record headers.
    /// @param headers For the first output: records 0..last. Otherwise the previous output's last
    ///        record (read only for where its force-queue consumption ended), then the interval's.
    /// @param fromGenesis Whether this is the first output's interval.
    /// @param interval Records per output.
    /// @param lastRecordHash The inbox's hash of the interval's last record.
    /// @return spans One per record of the interval.
    /// @return length The number of transactions in the trace.
    function build(
        IBatchInbox.BatchHeader[] calldata headers,
        bool fromGenesis,
        uint256 interval,
        bytes32 lastRecordHash
    ) internal pure returns (IDisputeGame.Span[] memory spans, uint64 length) {
        uint256 skip = fromGenesis ? 0 : 1;
        if (headers.length != interval + skip) revert WrongHeaderCount(headers.length, interval + skip);
        spans = new IDisputeGame.Span[](interval);
        uint64 forceCursor = fromGenesis ? 0 : headers[0].forceIndex;
        bytes32 prevHash = fromGenesis ? bytes32(0) : SequencingHeaders.hashBatch(headers[0]);
        for (uint256 i = skip; i < headers.length; ++i) {
            IBatchInbox.BatchHeader calldata h = headers[i];
            if (h.prevRecordHash != prevHash) revert BrokenHeaderChain(i);
            uint64 forceCount = h.forceIndex - forceCursor;
            spans[i - skip] = IDisputeGame.Span({
                dataHash: h.dataHash,
                firstPosition: length,
                forceStart: forceCursor,
                forceCount: forceCount,
                txCount: h.txCount
            });
            length += forceCount + h.txCount;
            forceCursor = h.forceIndex;
            prevHash = SequencingHeaders.hashBatch(h);
        }
        if (prevHash != lastRecordHash) revert BrokenHeaderChain(headers.length - 1);
    }

    /// @notice The commitment a game stores: the PaddedMerkle root of the spans' leaves.
    function root(IDisputeGame.Span[] memory spans) internal pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](spans.length);
        for (uint256 i; i < spans.length; ++i) {
            leaves[i] = keccak256(abi.encode(spans[i]));
        }
        return PaddedMerkle.root(leaves);
    }

    /// @notice The layout root that `span`, at `index` of `count` spans, implies through `path`.
    function rootOf(IDisputeGame.Span calldata span, uint256 index, uint256 count, bytes32[] calldata path)
        internal
        pure
        returns (bytes32)
    {
        return PaddedMerkle.rootOf(keccak256(abi.encode(span)), index, count, path);
    }

    /// @notice Whether `position` falls in `span`.
    function contains(IDisputeGame.Span calldata span, uint256 position) internal pure returns (bool) {
        return position >= span.firstPosition
            && position < uint256(span.firstPosition) + span.forceCount + span.txCount;
    }
}
