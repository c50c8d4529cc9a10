// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IDisputeGame} from "../contracts/interfaces/IDisputeGame.sol";
import {TraceLayout} from "../contracts/libraries/TraceLayout.sol";
import {SequencingHeaders} from "../contracts/libraries/SequencingHeaders.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";

/// @dev Exposes the library over calldata, the way the game uses it.
contract TraceLayoutHarness {
    function build(
        IBatchInbox.BatchHeader[] calldata headers,
        bool fromGenesis,
        uint256 interval,
        bytes32 lastRecordHash
    ) external pure returns (IDisputeGame.Span[] memory spans, uint64 length) {
        return TraceLayout.build(headers, fromGenesis, interval, lastRecordHash);
    }

    function contains(IDisputeGame.Span calldata span, uint256 position) external pure returns (bool) {
        return TraceLayout.contains(span, position);
    }
}

/// @notice The layout against a plain count: every position of the trace falls in exactly one
///         span, at the record and queue index a reader of the headers would name.
contract TraceLayoutTest is Test {
    TraceLayoutHarness internal harness = new TraceLayoutHarness();

    /// @dev A chain of `count` headers with pseudo-random force consumption and batch sizes,
    ///      starting after `prevHash` with the queue cursor at `forceCursor`.
    function chain(uint256 seed, uint256 count, bytes32 prevHash, uint64 forceCursor)
        internal
        pure
        returns (IBatchInbox.BatchHeader[] memory hs)
    {
        hs = new IBatchInbox.BatchHeader[](count);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            forceCursor += uint64(r % 3);
            hs[i] = IBatchInbox.BatchHeader({
                chainId: 901,
                epoch: uint64(i),
                firstBlock: uint64(i + 1),
                lastBlock: uint64(i + 1),
                prevRecordHash: prevHash,
                dataHash: (r >> 8) % 4 == 0 ? bytes32(0) : keccak256(abi.encode(r)),
                txCount: (r >> 8) % 4 == 0 ? 0 : uint32((r >> 16) % 5),
                forceIndex: forceCursor
            });
            prevHash = SequencingHeaders.hashBatch(hs[i]);
        }
    }

    function testFuzz_build_placesEveryPositionOnce(uint256 seed, uint8 intervalSeed, bool fromGenesis)
        public
        view
    {
        uint256 interval = bound(intervalSeed, 1, 10);
        uint256 skip = fromGenesis ? 0 : 1;
        IBatchInbox.BatchHeader[] memory hs =
            chain(seed, interval + skip, fromGenesis ? bytes32(0) : keccak256("earlier"), uint64(seed % 100));
        bytes32 last = SequencingHeaders.hashBatch(hs[hs.length - 1]);
        (IDisputeGame.Span[] memory spans, uint64 length) = harness.build(hs, fromGenesis, interval, last);

        assertEq(spans.length, interval);
        uint256 position;
        uint64 cursor = fromGenesis ? 0 : hs[0].forceIndex;
        for (uint256 i; i < interval; ++i) {
            IBatchInbox.BatchHeader memory h = hs[i + skip];
            assertEq(spans[i].firstPosition, position, "first position");
            assertEq(spans[i].forceStart, cursor, "force start");
            assertEq(spans[i].forceCount, h.forceIndex - cursor, "force count");
            assertEq(spans[i].txCount, h.txCount, "tx count");
            assertEq(spans[i].dataHash, h.dataHash, "data hash");
            position += spans[i].forceCount + spans[i].txCount;
            cursor = h.forceIndex;
        }
        assertEq(length, position, "trace length");
        // Every position lies in exactly one span.
        for (uint256 pos; pos < length; ++pos) {
            uint256 holders;
            for (uint256 i; i < interval; ++i) {
                if (harness.contains(spans[i], pos)) ++holders;
            }
            assertEq(holders, 1);
        }
        for (uint256 i; i < interval; ++i) {
            assertFalse(harness.contains(spans[i], length), "past the end");
        }
    }

    function test_build_refusesAGenesisChainThatDoesNotStartTheInbox() public {
        IBatchInbox.BatchHeader[] memory hs = chain(1, 3, keccak256("not the start"), 0);
        bytes32 last = SequencingHeaders.hashBatch(hs[2]);
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.BrokenHeaderChain.selector, 0));
        harness.build(hs, true, 3, last);
    }
}
