// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {SequencingHeaders} from "../contracts/libraries/SequencingHeaders.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";

/// @dev Exposes SequencingHeaders.digest with memory dirtied first or not.
contract SequencingHeadersHarness is Brutalizer {
    /// @return d The digest.
    /// @return untouched Whether allocated memory and the free pointer are as they were (the
    ///         digest is built past the free pointer and not kept).
    function digest(bytes32 domainSeparator, bytes32 structHash, bool brutalize)
        external
        pure
        returns (bytes32 d, bool untouched)
    {
        if (brutalize) _brutalizeMemory();
        uint256 end = _freeMemoryPointer();
        bytes32 before = _memoryHash(end);
        d = SequencingHeaders.digest(domainSeparator, structHash);
        untouched = _memoryHash(end) == before && _freeMemoryPointer() == end;
    }
}

/// @notice SequencingHeaders.digest (assembly) against the plain EIP-712 formula, with memory
///         clean and dirtied.
contract SequencingHeaders_Digest_Test is Test {
    SequencingHeadersHarness internal harness = new SequencingHeadersHarness();

    function testFuzz_brutalizedMemory_matchesEip712(bytes32 domainSeparator, bytes32 structHash)
        public
        view
    {
        bytes32 expected = keccak256(abi.encodePacked(hex"1901", domainSeparator, structHash));
        (bytes32 clean, bool cleanUntouched) = harness.digest(domainSeparator, structHash, false);
        (bytes32 dirty, bool dirtyUntouched) = harness.digest(domainSeparator, structHash, true);
        assertEq(clean, expected, "clean memory");
        assertEq(dirty, expected, "dirty memory");
        assertTrue(cleanUntouched && dirtyUntouched, "allocated memory written");
    }
}
