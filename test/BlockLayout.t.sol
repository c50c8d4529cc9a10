// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {BlockLayout} from "../contracts/libraries/BlockLayout.sol";
import {TraceLayout} from "../contracts/libraries/TraceLayout.sol";
import {PaddedMerkle} from "../contracts/libraries/PaddedMerkle.sol";
import {SequencingHeaders} from "../contracts/libraries/SequencingHeaders.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IEvmDisputeGame} from "../contracts/interfaces/IEvmDisputeGame.sol";
import {BatchDataModel} from "./utils/BatchDataModel.sol";

/// @dev Exposes the library over calldata, the way a game over blocks will use it.
contract BlockLayoutHarness {
    function build(
        IBatchInbox.BatchHeader[] calldata headers,
        uint256 outputIndex,
        uint256 interval,
        bytes32 lastRecordHash
    ) external pure returns (IEvmDisputeGame.BlockSpan[] memory spans, uint64 length, bytes32 root) {
        (spans, length) = BlockLayout.build(headers, outputIndex, interval, lastRecordHash);
        root = BlockLayout.root(spans);
    }

    function contains(IEvmDisputeGame.BlockSpan calldata span, uint256 position)
        external
        pure
        returns (bool)
    {
        return BlockLayout.contains(span, position);
    }

    function rootOf(
        IEvmDisputeGame.BlockSpan calldata span,
        uint256 index,
        uint256 count,
        bytes32[] calldata path
    ) external pure returns (bytes32) {
        return BlockLayout.rootOf(span, index, count, path);
    }
}

/// @notice The block layout against a plain count: every block of the interval falls in exactly
///         one span, at the record, queue range and data a reader of the headers would name.
contract BlockLayoutTest is Test {
    BlockLayoutHarness internal harness = new BlockLayoutHarness();

    /// @dev `count` chained headers with pseudo-random blocks per record (forced records have
    ///      one), force consumption and batch sizes, after `prevHash`, block `lastL2` and queue
    ///      cursor `forceCursor`.
    function chain(uint256 seed, uint256 count, bytes32 prevHash, uint64 lastL2, uint64 forceCursor)
        internal
        pure
        returns (IBatchInbox.BatchHeader[] memory hs)
    {
        hs = new IBatchInbox.BatchHeader[](count);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            bool forced = (r >> 8) % 4 == 0;
            uint64 blocks = forced ? 1 : uint64(1 + (r >> 24) % 4);
            forceCursor += uint64(r % 3);
            hs[i] = IBatchInbox.BatchHeader({
                chainId: 901,
                epoch: uint64(i),
                firstBlock: lastL2 + 1,
                lastBlock: lastL2 + blocks,
                prevRecordHash: prevHash,
                dataHash: forced ? bytes32(0) : keccak256(abi.encode(r)),
                txCount: forced ? 0 : uint32((r >> 16) % 5),
                forceIndex: forceCursor
            });
            lastL2 += blocks;
            prevHash = SequencingHeaders.hashBatch(hs[i]);
        }
    }

    function testFuzz_build_placesEveryBlockOnce(uint256 seed, uint8 intervalSeed, uint8 outputSeed)
        public
        view
    {
        uint256 interval = bound(intervalSeed, 1, 8);
        uint256 outputIndex = bound(outputSeed, 0, 3);
        uint256 skip = outputIndex == 0 ? 0 : 1;
        IBatchInbox.BatchHeader[] memory hs = chain(
            seed, interval + skip, outputIndex == 0 ? bytes32(0) : keccak256("earlier"), 0, uint64(seed % 100)
        );
        bytes32 last = SequencingHeaders.hashBatch(hs[hs.length - 1]);
        (IEvmDisputeGame.BlockSpan[] memory spans, uint64 length,) =
            harness.build(hs, outputIndex, interval, last);

        assertEq(spans.length, interval);
        uint64 cursor = outputIndex == 0 ? 0 : hs[0].forceIndex;
        uint64 firstBlock = hs[skip].firstBlock;
        for (uint256 i; i < interval; ++i) {
            IBatchInbox.BatchHeader memory h = hs[i + skip];
            assertEq(spans[i].recordIndex, outputIndex * interval + i, "record index");
            assertEq(
                spans[i].firstPosition, h.firstBlock - firstBlock, "first position is the block's offset"
            );
            assertEq(spans[i].blockCount, h.lastBlock - h.firstBlock + 1, "blocks");
            assertEq(spans[i].forceStart, cursor, "force start");
            assertEq(spans[i].forceCount, h.forceIndex - cursor, "force count");
            assertEq(spans[i].txCount, h.txCount, "tx count");
            assertEq(spans[i].dataHash, h.dataHash, "data hash");
            cursor = h.forceIndex;
        }
        assertEq(length, hs[hs.length - 1].lastBlock - firstBlock + 1, "trace length: the interval's blocks");
        for (uint256 pos; pos <= length; ++pos) {
            uint256 holders;
            for (uint256 i; i < interval; ++i) {
                if (harness.contains(spans[i], pos)) ++holders;
            }
            assertEq(holders, pos < length ? 1 : 0);
        }
    }

    /// @notice Each span is proven against the stored root by its path, and only at its index.
    function test_rootOf_provesEachSpanAtItsIndex() public view {
        IBatchInbox.BatchHeader[] memory hs = chain(7, 5, bytes32(0), 0, 0);
        bytes32 last = SequencingHeaders.hashBatch(hs[4]);
        (IEvmDisputeGame.BlockSpan[] memory spans,, bytes32 root) = harness.build(hs, 0, 5, last);
        bytes32[] memory leaves = new bytes32[](5);
        for (uint256 i; i < 5; ++i) {
            leaves[i] = keccak256(abi.encode(spans[i]));
        }
        for (uint256 i; i < 5; ++i) {
            bytes32[] memory path = BatchDataModel.path(leaves, i);
            assertEq(harness.rootOf(spans[i], i, 5, path), root);
            assertTrue(harness.rootOf(spans[i], (i + 1) % 5, 5, path) != root, "another index");
        }
    }

    /// @notice The headers are checked as the transaction layout checks them.
    function test_build_refusesHeadersThatDoNotChainToTheInbox() public {
        IBatchInbox.BatchHeader[] memory hs = chain(1, 3, bytes32(0), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.BrokenHeaderChain.selector, 2));
        harness.build(hs, 0, 3, keccak256("another record"));
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.WrongHeaderCount.selector, 3, 4));
        harness.build(hs, 1, 3, SequencingHeaders.hashBatch(hs[2]));
    }
}
