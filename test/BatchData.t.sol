// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {BatchData} from "../contracts/libraries/BatchData.sol";
import {PaddedMerkle} from "../contracts/libraries/PaddedMerkle.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {BatchDataModel} from "./utils/BatchDataModel.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";

/// @dev Exposes the libraries over calldata, the way the inbox and the game use them. Memory
///      past the free pointer is dirtied first: the assembly must not rely on it being zero.
contract BatchDataHarness is Brutalizer {
    function commit(bytes calldata data, uint256 blocks, uint256 maxTxLength)
        external
        pure
        returns (uint256, bytes32)
    {
        _brutalizeMemory();
        return BatchData.commit(data, blocks, maxTxLength);
    }

    function rootOf(bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata path)
        external
        pure
        returns (bytes32)
    {
        return PaddedMerkle.rootOf(leaf, index, count, path);
    }

    function root(bytes32[] memory leaves) external pure returns (bytes32) {
        return PaddedMerkle.root(leaves);
    }

    /// @dev PaddedMerkle.hashPair with memory dirtied first or not; `untouched`: the allocated
    ///      memory is as it was (the pair is hashed in the scratch space only).
    function hashPair(bytes32 left, bytes32 right, bool brutalize)
        external
        pure
        returns (bytes32 h, bool untouched)
    {
        if (brutalize) _brutalizeMemory();
        uint256 end = _freeMemoryPointer();
        bytes32 before = _memoryHash(end);
        h = PaddedMerkle.hashPair(left, right);
        untouched = _memoryHash(end) == before && _freeMemoryPointer() == end;
    }

    function rootBrutalized(bytes32[] memory leaves) external pure returns (bytes32) {
        _brutalizeMemory();
        return PaddedMerkle.root(leaves);
    }

    function rootOfBrutalized(bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata path)
        external
        pure
        returns (bytes32)
    {
        _brutalizeMemory();
        return PaddedMerkle.rootOf(leaf, index, count, path);
    }
}

/// @notice Differential test: the assembly walk and commitment in BatchData against the plain
///         reading in BatchDataModel, on valid encodings, mutated encodings and random bytes.
///         Both must agree on the transaction count and dataHash, or on the exact first fault.
contract BatchData_Commit_Test is Test {
    BatchDataHarness internal harness = new BatchDataHarness();
    uint256 internal constant MAX_TX = 64;

    function check(bytes memory data, uint256 blocks, uint256 maxTxLength) internal view {
        BatchDataModel.Parsed memory r = BatchDataModel.parse(data, blocks, maxTxLength);
        try harness.commit(data, blocks, maxTxLength) returns (uint256 count, bytes32 dataHash) {
            assertTrue(r.ok, "library accepted what the reference rejects");
            assertEq(count, r.txs.length, "transaction count");
            (bytes32 expected,,) = BatchDataModel.commitment(data, blocks);
            assertEq(dataHash, expected, "dataHash");
        } catch (bytes memory reason) {
            assertFalse(r.ok, "library rejected a valid encoding");
            bytes memory expected = r.oversized != 0
                ? abi.encodeWithSelector(
                    IBatchInbox.TransactionTooLarge.selector, r.faultAt, r.oversized, maxTxLength
                )
                : abi.encodeWithSelector(IBatchInbox.MalformedBatchData.selector, r.faultAt);
            assertEq(reason, expected, "fault");
        }
    }

    /// @dev A valid encoding of `blocks` blocks with pseudo-random transaction counts and sizes
    ///      (up to 40 bytes, below MAX_TX).
    function encode(uint256 seed, uint256 blocks) internal pure returns (bytes memory data) {
        data = bytes.concat(hex"01", bytes20(uint160(seed)));
        for (uint256 b; b < blocks; ++b) {
            uint256 n = uint256(keccak256(abi.encode(seed, b))) % 5;
            data = bytes.concat(data, bytes8(uint64(b)), bytes2(uint16(n)));
            for (uint256 t; t < n; ++t) {
                uint256 len = 1 + uint256(keccak256(abi.encode(seed, b, t))) % 40;
                data = bytes.concat(
                    data, bytes3(uint24(len)), _bytes(uint256(keccak256(abi.encode(seed, b, t, len))), len)
                );
            }
        }
    }

    function _bytes(uint256 seed, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) {
            out[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
    }

    function testFuzz_validEncodings(uint256 seed, uint8 blocks) public view {
        uint256 b = bound(blocks, 1, 8);
        bytes memory data = encode(seed, b);
        assertTrue(BatchDataModel.parse(data, b, MAX_TX).ok, "generator made an invalid encoding");
        check(data, b, MAX_TX);
    }

    /// @dev Every count of one-byte transactions up to 70 in one block: every shape of the
    ///      Merkle stack's closing fold (powers of two and between them).
    function test_everyTreeShapeUpTo70() public view {
        for (uint256 n; n <= 70; ++n) {
            bytes memory data = bytes.concat(hex"01", bytes20(address(0xfee)), bytes8(0), bytes2(uint16(n)));
            for (uint256 t; t < n; ++t) {
                data = bytes.concat(data, hex"000001", bytes1(uint8(t)));
            }
            check(data, 1, MAX_TX);
        }
    }

    /// @dev One byte changed, one byte cut or one byte added anywhere in a valid encoding.
    function testFuzz_mutatedEncodings(uint256 seed, uint8 blocks, uint256 at, uint8 value, uint8 kind)
        public
        view
    {
        uint256 b = bound(blocks, 1, 8);
        bytes memory data = encode(seed, b);
        at = bound(at, 0, data.length - 1);
        if (kind % 3 == 0) {
            data[at] = bytes1(value);
        } else if (kind % 3 == 1) {
            bytes memory cut = new bytes(data.length - 1);
            for (uint256 i; i < cut.length; ++i) {
                cut[i] = data[i < at ? i : i + 1];
            }
            data = cut;
        } else {
            bytes memory grown = new bytes(data.length + 1);
            for (uint256 i; i < grown.length; ++i) {
                grown[i] = i < at ? data[i] : (i == at ? bytes1(value) : data[i - 1]);
            }
            data = grown;
        }
        check(data, b, MAX_TX);
        // The block count the header claims may be wrong too, and the size limit tight.
        check(data, b + 1, MAX_TX);
        if (b > 1) check(data, b - 1, MAX_TX);
        check(data, b, 20);
    }

    function testFuzz_randomBytes(bytes memory data, uint8 blocks, uint8 maxTx) public view {
        if (data.length > 0) data[0] = 0x01; // past the version byte, to reach the walk
        check(data, bound(blocks, 0, 6), bound(maxTx, 1, 300));
    }

    /// @dev A transaction one byte over the limit is refused at its offset; at the limit it passes.
    function test_transactionAtTheLimit() public {
        bytes memory ok = bytes.concat(hex"01", bytes20(0), bytes8(0), hex"0001", hex"000040", new bytes(64));
        (uint256 count,) = harness.commit(ok, 1, 64);
        assertEq(count, 1);
        bytes memory big = bytes.concat(hex"01", bytes20(0), bytes8(0), hex"0001", hex"000041", new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.TransactionTooLarge.selector, 31, 65, 64));
        harness.commit(big, 1, 64);
    }

    /// @dev A huge claimed block count on short data fails at the end of the data, cheaply.
    function test_hugeBlockCountFailsFast() public view {
        bytes memory data = encode(1, 2);
        uint256 gasBefore = gasleft();
        try harness.commit(data, type(uint64).max, MAX_TX) {
            revert("accepted");
        } catch (bytes memory reason) {
            assertEq(reason, abi.encodeWithSelector(IBatchInbox.MalformedBatchData.selector, data.length));
        }
        assertLt(gasBefore - gasleft(), 100_000);
    }
}

/// @notice PaddedMerkle: the root and the path check against the plain model.
contract PaddedMerkle_Test is Test {
    BatchDataHarness internal harness = new BatchDataHarness();

    function _leaves(uint256 seed, uint256 n) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = keccak256(abi.encode(seed, i));
        }
    }

    /// @dev Every leaf of every tree proves against the root, and only at its own index.
    function testFuzz_everyLeafProves(uint256 seed, uint8 count) public view {
        uint256 n = bound(count, 1, 40);
        bytes32[] memory leaves = _leaves(seed, n);
        bytes32 root = BatchDataModel.root(leaves);
        assertEq(harness.root(_leaves(seed, n)), root, "root");
        for (uint256 i; i < n; ++i) {
            bytes32[] memory path = BatchDataModel.path(leaves, i);
            assertEq(harness.rootOf(leaves[i], i, n, path), root, "path");
            if (n > 1) assertTrue(harness.rootOf(leaves[i], (i + 1) % n, n, path) != root, "wrong index");
        }
    }

    /// @dev The same roots and paths with memory dirtied before each call.
    function testFuzz_brutalizedMemory_rootAndPaths(uint256 seed, uint8 count) public view {
        uint256 n = bound(count, 0, 40);
        bytes32[] memory leaves = _leaves(seed, n);
        bytes32 root = BatchDataModel.root(leaves);
        assertEq(harness.rootBrutalized(_leaves(seed, n)), root, "root");
        for (uint256 i; i < n; ++i) {
            assertEq(harness.rootOfBrutalized(leaves[i], i, n, BatchDataModel.path(leaves, i)), root, "path");
        }
    }

    /// @dev hashPair against keccak256(left ‖ right) (zero for two empty children), with memory
    ///      clean and dirtied, and never writing to allocated memory.
    function testFuzz_brutalizedMemory_hashPair(bytes32 left, bytes32 right, uint8 empty) public view {
        if (empty % 4 == 1) left = 0;
        if (empty % 4 == 2) right = 0;
        if (empty % 4 == 3) (left, right) = (bytes32(0), bytes32(0));
        bytes32 expected = left == 0 && right == 0 ? bytes32(0) : keccak256(abi.encodePacked(left, right));
        (bytes32 clean, bool cleanUntouched) = harness.hashPair(left, right, false);
        (bytes32 dirty, bool dirtyUntouched) = harness.hashPair(left, right, true);
        assertEq(clean, expected, "clean memory");
        assertEq(dirty, expected, "dirty memory");
        assertTrue(cleanUntouched && dirtyUntouched, "allocated memory written");
    }

    function test_rootOfNothingIsZero() public view {
        assertEq(harness.root(new bytes32[](0)), bytes32(0));
    }

    function testFuzz_badPathLengthOrIndex(uint8 count, uint8 extra, uint256 index) public {
        uint256 n = bound(count, 1, 40);
        uint256 d = BatchDataModel.depth(n);
        bytes32[] memory long = new bytes32[](d + 1 + bound(extra, 0, 3));
        vm.expectRevert(abi.encodeWithSelector(PaddedMerkle.BadMerklePath.selector, 0, n, long.length));
        harness.rootOf(bytes32(uint256(1)), 0, n, long);
        index = bound(index, n, type(uint256).max);
        bytes32[] memory path = new bytes32[](d);
        vm.expectRevert(abi.encodeWithSelector(PaddedMerkle.BadMerklePath.selector, index, n, d));
        harness.rootOf(bytes32(uint256(1)), index, n, path);
    }
}
