// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {SnapshotStore} from "../contracts/libraries/SnapshotStore.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";

/// @dev Exposes SnapshotStore with memory dirtied first or not.
contract SnapshotStoreHarness is Brutalizer {
    function write(bytes memory data, bool brutalize) external returns (address) {
        if (brutalize) _brutalizeMemory();
        return SnapshotStore.write(data);
    }

    /// @return data The blob read.
    /// @return untouched Whether the memory allocated before the read is as it was.
    function read(address pointer, bool brutalize) external view returns (bytes memory data, bool untouched) {
        if (brutalize) _brutalizeMemory();
        uint256 end = _freeMemoryPointer();
        bytes32 before = _memoryHash(end);
        data = SnapshotStore.read(pointer);
        untouched = _memoryHash(end) == before;
        // The next allocation must land past the blob: fill one with ones, the blob must not change.
        bytes memory next = new bytes(64);
        for (uint256 i; i < next.length; ++i) {
            next[i] = 0xff;
        }
    }
}

/// @notice SnapshotStore.write and .read (assembly) against the data written, with memory clean
///         and dirtied: what is read back is what was written, the code holds a leading STOP,
///         and a read neither writes to allocated memory nor leaves its blob unallocated.
contract SnapshotStore_WriteRead_Test is Test {
    SnapshotStoreHarness internal harness = new SnapshotStoreHarness();

    function _check(bytes memory data, bool brutalizeWrite) internal {
        address pointer = harness.write(data, brutalizeWrite);
        if (data.length == 0) {
            assertEq(pointer, address(0), "empty data has no pointer");
        } else {
            assertEq(pointer.code, bytes.concat(hex"00", data), "code");
        }
        (bytes memory clean, bool cleanUntouched) = harness.read(pointer, false);
        (bytes memory dirty, bool dirtyUntouched) = harness.read(pointer, true);
        assertEq(clean, data, "clean memory");
        assertEq(dirty, data, "dirty memory");
        assertTrue(cleanUntouched && dirtyUntouched, "allocated memory written");
    }

    function testFuzz_brutalizedMemory_writeThenRead(bytes memory data, bool brutalizeWrite) public {
        _check(data, brutalizeWrite);
    }

    /// @dev Every length around a word boundary: the free pointer is rounded up past the blob.
    function test_brutalizedMemory_lengthsAroundWords() public {
        for (uint256 len = 1; len <= 97; ++len) {
            bytes memory data = new bytes(len);
            for (uint256 i; i < len; ++i) {
                data[i] = bytes1(uint8(i * 7 + len));
            }
            _check(data, len % 2 == 0);
        }
    }

    /// @dev A snapshot of 100 sequencers (3,200 bytes), the size the gas figures use.
    function test_brutalizedMemory_hundredWords() public {
        bytes memory data = new bytes(3200);
        for (uint256 i; i < 100; ++i) {
            bytes32 word = keccak256(abi.encode(i));
            assembly ("memory-safe") {
                mstore(add(add(data, 0x20), mul(i, 0x20)), word)
            }
        }
        _check(data, true);
    }

    function test_readOfTheZeroPointerIsEmpty() public view {
        (bytes memory clean,) = harness.read(address(0), false);
        (bytes memory dirty,) = harness.read(address(0), true);
        assertEq(clean.length, 0);
        assertEq(dirty.length, 0);
    }
}
