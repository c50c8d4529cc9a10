// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatchDataModel} from "../../utils/BatchDataModel.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {BatchInbox} from "../../../contracts/BatchInbox.sol";
import {ForceInclusionQueue} from "../../../contracts/ForceInclusionQueue.sol";
import {SequencerRegistry} from "../../../contracts/SequencerRegistry.sol";
import {IBatchInbox} from "../../../contracts/interfaces/IBatchInbox.sol";
import {HeaderSigning} from "../../utils/HeaderSigning.sol";

/// @notice Drives the inbox and the force queue with a few honest operators: enqueue (garbage
///         included), sequenced records by the scheduled leader, forced records, fee claims and
///         time passing. Keeps ghost copies of the record chain, the deadlines and the fees.
contract InboxHandler is CommonBase, StdCheats, StdUtils {
    struct Op {
        address operator;
        address signer;
        uint256 signerKey;
    }

    SequencerRegistry internal registry;
    ForceInclusionQueue internal queue;
    BatchInbox internal inbox;
    Op[] internal ops;
    uint256 internal l2ChainId;

    /// @dev The block the next action runs at (cheatcode block changes may not persist).
    uint256 public currentBlock;

    // ghost state
    bytes32[] public ghostHashes;
    uint64[] public ghostDeadlines;
    address[] public includers;
    mapping(address => bool) internal _isIncluder;
    uint256 public ghostUnclaimedFees;
    uint256 public ghostLastCursor;
    uint256 public ghostLastL2Block;
    uint256 public overdueSkipped;
    uint256 public cursorWentBack;
    uint256 public skipAccepted;
    uint256 public overCapAccepted;

    mapping(bytes32 => uint256) public calls;

    constructor(
        SequencerRegistry registry_,
        ForceInclusionQueue queue_,
        BatchInbox inbox_,
        Op[] memory ops_,
        uint256 l2ChainId_
    ) {
        registry = registry_;
        queue = queue_;
        inbox = inbox_;
        for (uint256 i; i < ops_.length; ++i) {
            ops.push(ops_[i]);
        }
        l2ChainId = l2ChainId_;
        currentBlock = block.number;
    }

    modifier step(bytes32 name) {
        vm.roll(currentBlock);
        ++calls[name];
        _;
        _checkCursor();
    }

    // ------------------------------------------------------------------ actions

    function enqueue(uint256 seed, uint256 len, uint256 senderSeed) external step("enqueue") {
        len = bound(len, 1, 300);
        bytes memory transaction = new bytes(len);
        for (uint256 i; i < len; ++i) {
            transaction[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
        address sender = address(uint160(bound(senderSeed, 1, 1000)) + 0x1000);
        uint256 fee = queue.inclusionFee();
        vm.deal(sender, fee);
        vm.prank(sender);
        queue.enqueue{value: fee}(transaction);
        // Due after the delay, and DUE_SPACING blocks after the entry a full record before it.
        uint256 deadline = block.number + queue.inclusionDelay();
        uint256 n = ghostDeadlines.length;
        uint256 cap = queue.maxRecordEntries();
        if (n >= cap && ghostDeadlines[n - cap] + queue.DUE_SPACING() > deadline) {
            deadline = ghostDeadlines[n - cap] + queue.DUE_SPACING();
        }
        ghostDeadlines.push(uint64(deadline));
    }

    /// @dev A sequenced record by the right poster, consuming the overdue entries and `extra` more.
    function postRecord(uint256 extra, uint256 blocks, bool trySkip) external step("postRecord") {
        uint256 epoch = registry.currentEpoch();
        uint256 rank = _postingRank(epoch);
        Op memory op = _opOf(registry.leaderOf(epoch, rank));

        uint256 cursor = queue.cursor();
        uint256 required = queue.requiredCursor();
        blocks = bound(blocks, 1, 3);
        (bytes memory data, bytes32 dataHash) = _emptyBlocks(blocks);
        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: l2ChainId,
            epoch: uint64(epoch),
            firstBlock: uint64(ghostLastL2Block + 1),
            lastBlock: uint64(ghostLastL2Block + blocks),
            prevRecordHash: _ghostLast(),
            dataHash: dataHash,
            txCount: 0,
            forceIndex: 0
        });

        // A leader that leaves an overdue entry behind (short of a full record) is refused, and
        // so is one that consumes more than a record may.
        if (trySkip && required > cursor && _accepted(h, rank, op, data, required - 1)) {
            ++skipAccepted;
            return;
        }
        if (trySkip && _overCapAccepted(h, rank, op, data, cursor)) {
            ++overCapAccepted;
            return;
        }

        h.forceIndex = uint64(_legalForceIndex(extra, cursor, required));
        vm.prank(op.operator);
        inbox.submitRecord(h, rank, _sign(op.signerKey, h), data);

        ghostHashes.push(_hash(h));
        ghostLastL2Block = h.lastBlock;
        _credit(op.operator, h.forceIndex - cursor);
        // No entry with a passed deadline may be left behind by a sequenced record, unless it
        // consumed as many entries as a record may.
        uint256 overdue;
        while (overdue < ghostDeadlines.length && ghostDeadlines[overdue] < block.number) ++overdue;
        if (queue.cursor() < overdue && h.forceIndex - cursor < queue.maxRecordEntries()) ++overdueSkipped;
    }

    function submitForcedRecord(uint256 upToSeed, uint256 callerSeed) external step("forced") {
        uint256 cursor = queue.cursor();
        uint256 required = queue.requiredCursor();
        if (required == cursor) return;
        uint256 upTo = bound(upToSeed, cursor + 1, required);
        address caller = address(uint160(bound(callerSeed, 1, 3)) + 0x2000);
        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: uint64(ghostLastL2Block + 1),
            lastBlock: uint64(ghostLastL2Block + 1),
            prevRecordHash: _ghostLast(),
            dataHash: bytes32(0),
            txCount: 0,
            forceIndex: uint64(upTo)
        });
        vm.prank(caller);
        inbox.submitForcedRecord(upTo);
        ghostHashes.push(_hash(h));
        ghostLastL2Block = h.lastBlock;
        _credit(caller, upTo - cursor);
    }

    function claimFees(uint256 who) external step("claim") {
        if (includers.length == 0) return;
        address includer = includers[bound(who, 0, includers.length - 1)];
        uint256 owed = queue.feesOf(includer);
        if (owed == 0) return;
        vm.prank(includer);
        queue.claimFees();
        ghostUnclaimedFees -= owed;
    }

    function roll(uint256 blocks, bool checkpoint) external step("roll") {
        currentBlock += bound(blocks, 1, 24);
        vm.roll(currentBlock);
        if (checkpoint) registry.checkpoint();
    }

    // ------------------------------------------------------------------ views

    function recordCountGhost() external view returns (uint256) {
        return ghostHashes.length;
    }

    function includerCount() external view returns (uint256) {
        return includers.length;
    }

    function sumFeesOfIncluders() external view returns (uint256 sum) {
        for (uint256 i; i < includers.length; ++i) {
            sum += queue.feesOf(includers[i]);
        }
    }

    // ------------------------------------------------------------------ internals

    /// @dev The rank that may post in `epoch` now: its acting rank, else the leader.
    function _postingRank(uint256 epoch) internal view returns (uint256) {
        (bool posted, uint256 acting,) = inbox.epochPosting(epoch);
        return posted ? acting : 0;
    }

    /// @dev A force index a sequenced record may set: at least `required`, at most the cap past
    ///      the cursor (or the queue's end).
    function _legalForceIndex(uint256 extra, uint256 cursor, uint256 required)
        internal
        view
        returns (uint256)
    {
        uint256 reach = cursor + queue.maxRecordEntries();
        if (reach > queue.length()) reach = queue.length();
        return required + bound(extra, 0, reach - required);
    }

    /// @dev Whether the inbox accepts a record consuming one entry more than the cap allows.
    function _overCapAccepted(
        IBatchInbox.BatchHeader memory h,
        uint256 rank,
        Op memory op,
        bytes memory data,
        uint256 cursor
    ) internal returns (bool) {
        uint256 over = cursor + queue.maxRecordEntries() + 1;
        return over <= queue.length() && _accepted(h, rank, op, data, over);
    }

    /// @dev Whether the inbox accepts `h` consuming up to `forceIndex` (an attempt it must refuse).
    function _accepted(
        IBatchInbox.BatchHeader memory h,
        uint256 rank,
        Op memory op,
        bytes memory data,
        uint256 forceIndex
    ) internal returns (bool) {
        h.forceIndex = uint64(forceIndex);
        vm.prank(op.operator);
        try inbox.submitRecord(h, rank, _sign(op.signerKey, h), data) {
            return true;
        } catch {
            return false;
        }
    }

    function _checkCursor() internal {
        uint256 cursor = queue.cursor();
        if (cursor < ghostLastCursor) ++cursorWentBack;
        ghostLastCursor = cursor;
    }

    function _credit(address includer, uint256 entries) internal {
        if (!_isIncluder[includer]) {
            _isIncluder[includer] = true;
            includers.push(includer);
        }
        ghostUnclaimedFees += entries * queue.inclusionFee();
    }

    function _ghostLast() internal view returns (bytes32) {
        return ghostHashes.length == 0 ? bytes32(0) : ghostHashes[ghostHashes.length - 1];
    }

    function _opOf(address operator) internal view returns (Op memory) {
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].operator == operator) return ops[i];
        }
        revert("unknown operator");
    }

    function _hash(IBatchInbox.BatchHeader memory h) internal pure returns (bytes32) {
        return HeaderSigning.batchStructHash(h);
    }

    function _sign(uint256 key, IBatchInbox.BatchHeader memory h) internal view returns (bytes memory) {
        return HeaderSigning.sign(key, HeaderSigning.domainSeparator(address(inbox)), _hash(h));
    }

    /// @dev Batch data of `blocks` empty blocks, and its commitment.
    function _emptyBlocks(uint256 blocks) internal pure returns (bytes memory data, bytes32 dataHash) {
        data = hex"01000000000000000000000000000000000000fee0"; // version ‖ fee recipient
        for (uint256 i; i < blocks; ++i) {
            data = bytes.concat(data, bytes8(uint64(i)), bytes2(0));
        }
        (dataHash,,) = BatchDataModel.commitment(data, blocks);
    }
}
