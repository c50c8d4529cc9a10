// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {BatchInbox} from "../../contracts/BatchInbox.sol";
import {ForceInclusionQueue} from "../../contracts/ForceInclusionQueue.sol";
import {SequencerRegistry} from "../../contracts/SequencerRegistry.sol";
import {Slasher} from "../../contracts/Slasher.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";
import {ISlasher} from "../../contracts/interfaces/ISlasher.sol";
import {HeaderSigning} from "./HeaderSigning.sol";
import {BatchDataModel} from "./BatchDataModel.sol";

/// @notice Shared base: deploys the whole system through the real `script/Deploy.s.sol` with the
///         devnet-ledger profile (the ledger chain, until it is deleted), and offers helpers to
///         bond operators, move through epochs, build batch data and sign headers. Digests are computed here from the type strings, independently
///         of the contracts' own hashing, so a wrong typehash on either side fails the tests.
abstract contract BatonTest is Test {
    struct Op {
        address operator;
        address signer;
        uint256 signerKey;
    }

    /// @dev Batch data prefix: version 1 and the fee recipient 0x…fee0.
    bytes internal constant BATCH_PREFIX = hex"01000000000000000000000000000000000000fee0";

    Deploy internal script;
    Deploy.Profile internal p;
    SequencerRegistry internal registry;
    ForceInclusionQueue internal queue;
    BatchInbox internal inbox;
    Slasher internal slasher;
    Deploy.Deployment internal deployment;

    uint256 internal constant START_BLOCK = 1000;

    function setUp() public virtual {
        vm.roll(START_BLOCK);
        vm.warp(1_700_000_000);
        script = new Deploy();
        _deploy(_profile());
    }

    /// @dev The profile setUp deploys with: devnet-ledger, unless a suite needs other parameters.
    function _profile() internal virtual returns (Deploy.Profile memory) {
        return script.loadProfile("devnet-ledger");
    }

    /// @dev Deploy with profile `profile` through the real script and keep the sequencing parts.
    function _deploy(Deploy.Profile memory profile) internal returns (Deploy.Deployment memory d) {
        p = profile;
        // Outside a broadcast, the Deploy contract itself creates the contracts.
        d = script.deploy(p, address(script));
        deployment = d;
        registry = d.registry;
        queue = d.queue;
        inbox = d.inbox;
        slasher = d.slasher;
    }

    // ---------------------------------------------------------------- operators

    /// @dev A new operator with its own signer key, bonded with `stake`.
    function _bond(string memory name, uint256 stake) internal returns (Op memory op) {
        op.operator = makeAddr(name);
        (op.signer, op.signerKey) = makeAddrAndKey(string.concat(name, "-signer"));
        vm.deal(op.operator, stake);
        vm.prank(op.operator);
        registry.bond{value: stake}(op.signer);
    }

    /// @dev Bring the current set into the schedule: one checkpoint captures it, the next (an
    ///      epoch later) pairs it with a fresh seed; roll to the first epoch that one governs.
    function _activateSchedule() internal returns (uint256 epoch) {
        registry.checkpoint();
        _rollToEpoch(registry.currentEpoch() + 1);
        registry.checkpoint();
        epoch = registry.currentEpoch() + 2;
        _rollToEpoch(epoch);
    }

    function _rollToEpoch(uint256 epoch) internal {
        vm.roll(registry.epochStartBlock(epoch));
    }

    /// @dev The Op among `ops` that is the operator at `rank` of the current epoch.
    function _scheduled(Op[] memory ops, uint256 rank) internal view returns (Op memory) {
        address operator = registry.leaderOf(registry.currentEpoch(), rank);
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].operator == operator) return ops[i];
        }
        revert("scheduled operator not in list");
    }

    // ---------------------------------------------------------------- batch data

    /// @dev `blocks` empty L2 blocks.
    function _emptyData(uint256 blocks) internal pure returns (bytes memory data) {
        data = BATCH_PREFIX;
        for (uint256 i; i < blocks; ++i) {
            data = bytes.concat(data, bytes8(uint64(1_700_000_000 + i)), bytes2(0));
        }
    }

    /// @dev One L2 block holding `txs`.
    function _oneBlockData(bytes[] memory txs) internal pure returns (bytes memory data) {
        bytes memory head =
            bytes.concat(BATCH_PREFIX, bytes8(uint64(1_700_000_000)), bytes2(uint16(txs.length)));
        uint256 length = head.length;
        for (uint256 i; i < txs.length; ++i) {
            length += 3 + txs[i].length;
        }
        // One allocation and a copy per transaction: records of tens of thousands of
        // transactions (the proof-bound tests) stay linear to build.
        data = new bytes(length);
        uint256 at = _copyInto(data, 0, head);
        for (uint256 i; i < txs.length; ++i) {
            at = _copyInto(data, at, abi.encodePacked(bytes3(uint24(txs[i].length))));
            at = _copyInto(data, at, txs[i]);
        }
    }

    /// @dev Copy `src` into `dst` at byte `at`; returns the end.
    function _copyInto(bytes memory dst, uint256 at, bytes memory src) internal pure returns (uint256 end) {
        assembly ("memory-safe") {
            mcopy(add(add(dst, 0x20), at), add(src, 0x20), mload(src))
        }
        return at + src.length;
    }

    /// @dev The commitment of `data`; for malformed data (which the inbox refuses before it
    ///      compares commitments) any stand-in does, so tests of the parser's errors can sign it.
    function _dataHash(bytes memory data, uint256 blocks) internal pure returns (bytes32 dataHash) {
        if (!BatchDataModel.parse(data, blocks, type(uint256).max).ok) return keccak256(data);
        (dataHash,,) = BatchDataModel.commitment(data, blocks);
    }

    /// @dev A header that extends the inbox head in the current epoch with `data` over `blocks`
    ///      blocks, consuming every overdue force-queue entry.
    function _nextHeader(bytes memory data, uint256 blocks, uint32 txCount)
        internal
        view
        returns (IBatchInbox.BatchHeader memory h)
    {
        uint64 first = inbox.lastL2Block() + 1;
        uint256 required = queue.requiredCursor();
        uint256 cursor = queue.cursor();
        h = IBatchInbox.BatchHeader({
            chainId: p.l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: first,
            lastBlock: uint64(first + blocks - 1),
            prevRecordHash: inbox.lastRecordHash(),
            dataHash: _dataHash(data, blocks),
            txCount: txCount,
            forceIndex: uint64(required > cursor ? required : cursor)
        });
    }

    /// @dev Post one empty block as `op` at `rank`; returns the record index.
    function _post(Op memory op, uint256 rank) internal returns (uint256 index) {
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        index = inbox.recordCount();
        vm.prank(op.operator);
        inbox.submitRecord(h, rank, _signBatch(op.signerKey, h), data);
    }

    // ---------------------------------------------------------------- signing

    function _domainSeparator() internal view returns (bytes32) {
        return HeaderSigning.domainSeparator(address(inbox));
    }

    function _batchStructHash(IBatchInbox.BatchHeader memory h) internal pure returns (bytes32) {
        return HeaderSigning.batchStructHash(h);
    }

    function _blockStructHash(ISlasher.BlockHeader memory h) internal pure returns (bytes32) {
        return HeaderSigning.blockStructHash(h);
    }

    function _sign(uint256 key, bytes32 structHash) internal view returns (bytes memory) {
        return HeaderSigning.sign(key, _domainSeparator(), structHash);
    }

    function _signBatch(uint256 key, IBatchInbox.BatchHeader memory h) internal view returns (bytes memory) {
        return _sign(key, _batchStructHash(h));
    }

    function _signBlock(uint256 key, ISlasher.BlockHeader memory h) internal view returns (bytes memory) {
        return _sign(key, _blockStructHash(h));
    }

    function _blockHeader(uint64 number, uint64 epoch, bytes32 txRoot)
        internal
        view
        returns (ISlasher.BlockHeader memory)
    {
        return ISlasher.BlockHeader({
            chainId: p.l2ChainId,
            number: number,
            parentHash: keccak256(abi.encode(number - 1)),
            epoch: epoch,
            timestamp: uint64(block.timestamp),
            txRoot: txRoot
        });
    }

    /// @dev The same signature with s flipped to the high half (and v flipped): the malleable twin.
    function _malleate(bytes memory sig) internal pure returns (bytes memory) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        return abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }
}
