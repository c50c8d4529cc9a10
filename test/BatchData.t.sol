// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {BatchData} from "../contracts/libraries/BatchData.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";

/// @dev Exposes the library over calldata, the way the inbox uses it.
contract BatchDataHarness {
    function count(bytes calldata data, uint256 blocks) external pure returns (uint256) {
        return BatchData.countTransactions(data, blocks);
    }

    function feeRecipient(bytes calldata data) external pure returns (address) {
        return BatchData.feeRecipient(data);
    }

    function transactionAt(bytes calldata data, uint256 index) external pure returns (uint256, uint256) {
        return BatchData.transactionAt(data, index);
    }
}

/// @notice Differential test: the assembly walk in BatchData against a plain reading of the
///         format in docs/protocol.md, on valid encodings, mutated encodings and random bytes.
///         Both must agree on the transaction count, or on the exact offset of the first fault.
contract BatchDataTest is Test {
    BatchDataHarness internal harness = new BatchDataHarness();

    /// @dev The reference: byte by byte, no cleverness. Returns (ok, txCount or fault offset).
    function referenceWalk(bytes memory data, uint256 blocks) internal pure returns (bool ok, uint256 value) {
        if (data.length < 21 || uint8(data[0]) != 1) return (false, 0);
        uint256 p = 21; // version ‖ fee recipient
        uint256 txCount;
        for (uint256 b; b < blocks; ++b) {
            if (p + 10 > data.length) return (false, p);
            uint256 n = (uint256(uint8(data[p + 8])) << 8) | uint8(data[p + 9]);
            p += 10;
            txCount += n;
            for (uint256 t; t < n; ++t) {
                uint256 len;
                for (uint256 k; k < 3; ++k) {
                    len = (len << 8) | (p + k < data.length ? uint8(data[p + k]) : 0);
                }
                if (len == 0 || p + 3 + len > data.length) return (false, p);
                p += 3 + len;
            }
        }
        if (p != data.length) return (false, p);
        return (true, txCount);
    }

    function check(bytes memory data, uint256 blocks) internal view {
        (bool ok, uint256 value) = referenceWalk(data, blocks);
        try harness.count(data, blocks) returns (uint256 count) {
            assertTrue(ok, "library accepted what the reference rejects");
            assertEq(count, value, "transaction count");
        } catch (bytes memory reason) {
            assertFalse(ok, "library rejected a valid encoding");
            assertEq(
                reason, abi.encodeWithSelector(IBatchInbox.MalformedBatchData.selector, value), "fault offset"
            );
        }
    }

    /// @dev A valid encoding of `blocks` blocks with pseudo-random transaction counts and sizes.
    function encode(uint256 seed, uint256 blocks) internal pure returns (bytes memory data) {
        data = bytes.concat(hex"01", bytes20(uint160(seed)));
        for (uint256 b; b < blocks; ++b) {
            uint256 n = uint256(keccak256(abi.encode(seed, b))) % 5;
            data = bytes.concat(data, bytes8(uint64(b)), bytes2(uint16(n)));
            for (uint256 t; t < n; ++t) {
                uint256 len = 1 + uint256(keccak256(abi.encode(seed, b, t))) % 40;
                data = bytes.concat(data, bytes3(uint24(len)), new bytes(len));
            }
        }
    }

    /// @dev Where the reference walk finds transaction `index` (valid data): start and length.
    function referenceTransaction(bytes memory data, uint256 blocks, uint256 index)
        internal
        pure
        returns (bool found, uint256 start, uint256 length)
    {
        uint256 p = 21;
        uint256 seen;
        for (uint256 b; b < blocks; ++b) {
            uint256 n = (uint256(uint8(data[p + 8])) << 8) | uint8(data[p + 9]);
            p += 10;
            for (uint256 t; t < n; ++t) {
                uint256 len =
                    (uint256(uint8(data[p])) << 16) | (uint256(uint8(data[p + 1])) << 8) | uint8(data[p + 2]);
                if (seen == index) return (true, p + 3, len);
                ++seen;
                p += 3 + len;
            }
        }
    }

    /// @dev The dispute game's locator agrees with the reference for every index of valid data
    ///      (blocks without transactions included), and refuses an index past the last one.
    function testFuzz_transactionAt_findsEveryTransaction(uint256 seed, uint8 blocks) public {
        uint256 b = bound(blocks, 1, 8);
        bytes memory data = encode(seed, b);
        uint256 total = harness.count(data, b);
        for (uint256 i; i < total; ++i) {
            (bool found, uint256 start, uint256 length) = referenceTransaction(data, b, i);
            assertTrue(found);
            (uint256 gotStart, uint256 gotLength) = harness.transactionAt(data, i);
            assertEq(gotStart, start, "start");
            assertEq(gotLength, length, "length");
        }
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.MalformedBatchData.selector, data.length));
        harness.transactionAt(data, total);
    }

    function testFuzz_validEncodings(uint256 seed, uint8 blocks) public view {
        uint256 b = bound(blocks, 1, 8);
        bytes memory data = encode(seed, b);
        (bool ok,) = referenceWalk(data, b);
        assertTrue(ok, "generator made an invalid encoding");
        check(data, b);
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
        check(data, b);
        // The block count the header claims may be wrong too.
        check(data, b + 1);
        if (b > 1) check(data, b - 1);
    }

    function testFuzz_randomBytes(bytes memory data, uint8 blocks) public view {
        if (data.length > 0) data[0] = 0x01; // past the version byte, to reach the walk
        check(data, bound(blocks, 0, 6));
    }

    function testFuzz_feeRecipient_isTheTwentyBytesAfterTheVersion(address recipient, uint256 seed)
        public
        view
    {
        bytes memory data = encode(seed, 2);
        for (uint256 i; i < 20; ++i) {
            data[1 + i] = bytes20(recipient)[i];
        }
        harness.count(data, 2);
        assertEq(harness.feeRecipient(data), recipient);
    }
}
