// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {PreimageOracle} from "../../contracts/vm/PreimageOracle.sol";
import {IPreimageOracle} from "../../contracts/interfaces/IPreimageOracle.sol";

/// @notice The framed preimage (8-byte big-endian length, then the bytes) built the obvious way.
contract FramingModel {
    function framed(bytes memory preimage) public pure returns (bytes memory) {
        return abi.encodePacked(uint64(preimage.length), preimage);
    }

    function part(bytes memory preimage, uint256 offset) public pure returns (bytes32 out, uint256 length) {
        bytes memory f = framed(preimage);
        for (uint256 i; i < 32 && offset + i < f.length; ++i) {
            out |= bytes32(f[offset + i]) >> (8 * i);
            length = i + 1;
        }
    }
}

contract PreimageOracle_LoadAndRead_Test is Test {
    PreimageOracle internal oracle;
    FramingModel internal model;

    function setUp() public {
        oracle = new PreimageOracle();
        model = new FramingModel();
    }

    function testFuzz_aLoadedPartIsTheFramedPreimageThere(bytes memory preimage, uint256 offset) public {
        offset = bound(offset, 0, preimage.length + 7);
        vm.expectEmit(address(oracle));
        emit IPreimageOracle.PreimagePartLoaded(keccak256(preimage), offset);
        oracle.loadKeccak256PreimagePart(offset, preimage);
        (bytes32 part, uint256 length) = oracle.readPreimage(keccak256(preimage), offset);
        (bytes32 expected, uint256 expectedLength) = model.part(preimage, offset);
        assertEq(part, expected);
        assertEq(length, expectedLength);
        // At and past the end there is nothing left, whatever was loaded.
        (part, length) = oracle.readPreimage(keccak256(preimage), preimage.length + 8);
        assertEq(length, 0);
        assertEq(part, bytes32(0));
    }

    function test_theEmptyPreimageIsItsLengthAlone() public {
        oracle.loadKeccak256PreimagePart(0, "");
        (bytes32 part, uint256 length) = oracle.readPreimage(keccak256(""), 0);
        assertEq(length, 8);
        assertEq(part, bytes32(0));
    }

    function test_anUnloadedPartIsRefused() public {
        bytes memory preimage = new bytes(100);
        bytes32 key = keccak256(preimage);
        vm.expectRevert(abi.encodeWithSelector(IPreimageOracle.PreimagePartNotLoaded.selector, key, 0));
        oracle.readPreimage(key, 0);
        oracle.loadKeccak256PreimagePart(40, preimage);
        // Another offset of a known preimage still needs its own load.
        vm.expectRevert(abi.encodeWithSelector(IPreimageOracle.PreimagePartNotLoaded.selector, key, 41));
        oracle.readPreimage(key, 41);
    }

    function testFuzz_anOffsetPastTheFramingIsRefused(bytes memory preimage, uint256 offset) public {
        offset = bound(offset, preimage.length + 8, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IPreimageOracle.PartOffsetOutOfRange.selector, offset, preimage.length + 8)
        );
        oracle.loadKeccak256PreimagePart(offset, preimage);
    }
}
