// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {BlockClaim} from "../contracts/libraries/BlockClaim.sol";
import {BatchData} from "../contracts/libraries/BatchData.sol";
import {EvmGenesis} from "../contracts/libraries/EvmGenesis.sol";

/// @dev Exposes the framing reader over calldata, the way the game will use it.
contract BlockClaimHarness {
    function framedBlock(bytes calldata framing, bytes32 blocksHash, uint256 index)
        external
        pure
        returns (uint64, uint32, uint32)
    {
        return BlockClaim.framedBlock(framing, blocksHash, index);
    }

    function commit(bytes calldata data, uint256 blocks) external pure returns (uint256, bytes32) {
        return BatchData.commit(data, blocks, type(uint24).max);
    }
}

/// @notice L1's block claims are the bytes the EVM guest reads: the claims of
///         keepers/crates/state/tests/block_claims.rs (test/vectors/block_claims.json), each
///         accepted by the guest under the emulator, rebuilt here from their fields and their
///         record's block framing hash to the same keys; and a record's block framing gives
///         each block's time and transactions.
contract BlockClaimTest is Test {
    BlockClaimHarness internal h = new BlockClaimHarness();
    string internal json;

    function setUp() public {
        json = vm.readFile("test/vectors/block_claims.json");
    }

    /// @notice The genesis header L1 hashes is the one the node stores (the game's first leaf).
    function test_genesisHeaderHash_isTheStoredGenesisHeaders() public view {
        bytes32 expected = vm.parseJsonBytes32(json, ".genesis.hash");
        bytes32 stateRoot = vm.parseJsonBytes32(json, ".genesis.stateRoot");
        uint64 gasLimit = uint64(vm.parseJsonUint(json, ".genesis.gasLimit"));
        uint64 baseFee = uint64(vm.parseJsonUint(json, ".genesis.baseFee"));
        uint64 timestamp = uint64(vm.parseJsonUint(json, ".genesis.timestamp"));
        assertEq(EvmGenesis.headerHash(stateRoot, gasLimit, baseFee, timestamp), expected, "genesis hash");
        // Every field is hashed: another root, limit, fee or time is another header.
        assertTrue(
            EvmGenesis.headerHash(bytes32(uint256(stateRoot) ^ 1), gasLimit, baseFee, timestamp) != expected
        );
        assertTrue(EvmGenesis.headerHash(stateRoot, gasLimit + 1, baseFee, timestamp) != expected);
        assertTrue(EvmGenesis.headerHash(stateRoot, gasLimit, baseFee + 1, timestamp) != expected);
        assertTrue(EvmGenesis.headerHash(stateRoot, gasLimit, baseFee, 0) != expected);
    }

    function _at(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".claims[", vm.toString(i), "].", field);
    }

    function _chain(uint256 i) internal view returns (BlockClaim.Chain memory) {
        return BlockClaim.Chain({
            chainId: uint64(vm.parseJsonUint(json, _at(i, "chainId"))),
            gasLimit: uint64(vm.parseJsonUint(json, _at(i, "gasLimit"))),
            elasticity: uint64(vm.parseJsonUint(json, _at(i, "elasticity"))),
            maxChangeDenominator: uint64(vm.parseJsonUint(json, _at(i, "maxChangeDenominator"))),
            feeVault: vm.parseJsonAddress(json, _at(i, "feeVault")),
            portal: vm.parseJsonAddress(json, _at(i, "portal"))
        });
    }

    /// @dev The queue's accumulator after the block's entries, folded as ForceInclusionQueue
    ///      folds them (`accumulate(previous, commitmentFor(sender, data))`) from the one before
    ///      its first entry; zero for a block without entries, as the game builds it.
    function _entriesAccumulator(uint256 i) internal view returns (bytes32 acc, uint32 count) {
        address[] memory senders = vm.parseJsonAddressArray(json, _at(i, "entrySenders"));
        bytes[] memory data = vm.parseJsonBytesArray(json, _at(i, "entryData"));
        if (senders.length == 0) return (0, 0);
        acc = vm.parseJsonBytes32(json, _at(i, "accumulatorBefore"));
        for (uint256 e; e < senders.length; ++e) {
            acc = keccak256(abi.encodePacked(acc, keccak256(abi.encodePacked(senders[e], data[e]))));
        }
        count = uint32(senders.length);
    }

    function _inputs(uint256 i) internal view returns (BlockClaim.Inputs memory b) {
        b.beneficiary = vm.parseJsonAddress(json, _at(i, "beneficiary"));
        b.firstEntry = uint64(vm.parseJsonUint(json, _at(i, "firstEntry")));
        (b.entriesAccumulator, b.entryCount) = _entriesAccumulator(i);
        b.txRoot = vm.parseJsonBytes32(json, _at(i, "txRoot"));
        b.txCount = uint32(vm.parseJsonUint(json, _at(i, "txCount")));
        // The block's time and range as L1 reads them from its record's framing.
        bytes memory framing = vm.parseJsonBytes(json, _at(i, "framing"));
        (b.timestamp, b.firstTx, b.blockTxs) =
            h.framedBlock(framing, keccak256(framing), vm.parseJsonUint(json, _at(i, "blockIndex")));
    }

    function _claim(uint256 i) internal view returns (bytes memory) {
        BlockClaim.Inputs memory b = _inputs(i);
        assertEq(b.timestamp, vm.parseJsonUint(json, _at(i, "timestamp")), "timestamp");
        assertEq(b.firstTx, vm.parseJsonUint(json, _at(i, "firstTx")), "firstTx");
        assertEq(b.blockTxs, vm.parseJsonUint(json, _at(i, "blockTxs")), "blockTxs");
        assertEq(
            b.entriesAccumulator,
            vm.parseJsonBytes32(json, _at(i, "entriesAccumulator")),
            "entries accumulator"
        );
        return BlockClaim.encode(
            vm.parseJsonBytes32(json, _at(i, "parentHash")),
            vm.parseJsonBytes32(json, _at(i, "claimedHash")),
            _chain(i),
            b
        );
    }

    function test_encode_isTheGuestsClaim() public view {
        for (uint256 i; i < 5; ++i) {
            bytes memory claim = _claim(i);
            assertEq(claim.length, 252, vm.parseJsonString(json, _at(i, "what")));
            assertEq(
                keccak256(claim),
                vm.parseJsonBytes32(json, _at(i, "key")),
                vm.parseJsonString(json, _at(i, "what"))
            );
        }
    }

    /// @notice A record's data of three blocks (2, 0 and 3 transactions): its framing hashes to
    ///         the `blocksHash` inside the data commitment the inbox checked, and each block
    ///         reads back with its time and range.
    function test_framedBlock_readsEachBlockOfARecord() public view {
        address fee = address(0xfee);
        bytes memory framing =
            abi.encodePacked(uint64(100), uint16(2), uint64(102), uint16(0), uint64(109), uint16(3));
        bytes memory data = abi.encodePacked(uint8(1), fee);
        data = bytes.concat(data, abi.encodePacked(uint64(100), uint16(2), _tx("a"), _tx("bb")));
        data = bytes.concat(data, abi.encodePacked(uint64(102), uint16(0)));
        data = bytes.concat(data, abi.encodePacked(uint64(109), uint16(3), _tx("c"), _tx("d"), _tx("e")));
        (uint256 txCount, bytes32 dataHash) = h.commit(data, 3);
        assertEq(txCount, 5);
        bytes32 blocksHash = keccak256(framing);
        // The same commitment from its parts: the framing is what the data commitment holds.
        bytes32[] memory leaves = new bytes32[](5);
        leaves[0] = keccak256("a");
        leaves[1] = keccak256("bb");
        leaves[2] = keccak256("c");
        leaves[3] = keccak256("d");
        leaves[4] = keccak256("e");
        bytes32 txRoot = _root(leaves);
        assertEq(BatchData.dataHashOf(fee, blocksHash, txRoot), dataHash);

        uint64[3] memory times = [uint64(100), 102, 109];
        uint32[3] memory firsts = [uint32(0), 2, 2];
        uint32[3] memory counts = [uint32(2), 0, 3];
        for (uint256 i; i < 3; ++i) {
            (uint64 t, uint32 first, uint32 n) = h.framedBlock(framing, blocksHash, i);
            assertEq(t, times[i]);
            assertEq(first, firsts[i]);
            assertEq(n, counts[i]);
        }
    }

    function test_framedBlock_refusesOtherFramingAndMissingBlocks() public {
        bytes memory framing = abi.encodePacked(uint64(100), uint16(2), uint64(102), uint16(1));
        bytes32 blocksHash = keccak256(framing);
        vm.expectRevert(abi.encodeWithSelector(BlockClaim.NoSuchBlock.selector, 2, 2));
        h.framedBlock(framing, blocksHash, 2);

        bytes memory other = abi.encodePacked(uint64(100), uint16(3), uint64(102), uint16(1));
        vm.expectRevert(
            abi.encodeWithSelector(
                BlockClaim.FramingMismatch.selector, blocksHash, keccak256(other), other.length
            )
        );
        h.framedBlock(other, blocksHash, 0);

        // Not whole blocks, even if it were the committed hash.
        bytes memory cut = abi.encodePacked(uint64(100), uint16(2), uint8(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                BlockClaim.FramingMismatch.selector, keccak256(cut), keccak256(cut), cut.length
            )
        );
        h.framedBlock(cut, keccak256(cut), 0);
    }

    function testFuzz_framedBlock_rangesTileTheRecord(uint16[6] memory counts, uint8 blocks) public view {
        uint256 n = bound(blocks, 1, 6);
        bytes memory framing;
        for (uint256 i; i < n; ++i) {
            framing = bytes.concat(framing, abi.encodePacked(uint64(1000 + i), counts[i]));
        }
        uint256 next;
        for (uint256 i; i < n; ++i) {
            (uint64 t, uint32 first, uint32 count) = h.framedBlock(framing, keccak256(framing), i);
            assertEq(t, 1000 + i);
            assertEq(first, next);
            assertEq(count, counts[i]);
            next += count;
        }
    }

    function _tx(bytes memory raw) internal pure returns (bytes memory) {
        return abi.encodePacked(uint24(raw.length), raw);
    }

    function _root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i; i < half; ++i) {
                bytes32 right = 2 * i + 1 < n ? leaves[2 * i + 1] : bytes32(0);
                leaves[i] = keccak256(abi.encodePacked(leaves[2 * i], right));
            }
            n = half;
        }
        return leaves[0];
    }
}
