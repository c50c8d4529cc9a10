// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SequencingTest} from "./utils/SequencingTest.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {ISequencerRegistry} from "../contracts/interfaces/ISequencerRegistry.sol";
import {ISlasher} from "../contracts/interfaces/ISlasher.sol";

abstract contract SlasherTest is SequencingTest {
    Op[] internal ops;
    uint256 internal constant BPS = 10_000;

    function setUp() public virtual override {
        super.setUp();
        Op[] memory o = _threeOps();
        for (uint256 i; i < o.length; ++i) {
            ops.push(o[i]);
        }
    }

    function _at(uint256 rank) internal view returns (Op memory) {
        return _scheduled(ops, rank);
    }

    function _opOf(address operator) internal view returns (Op memory) {
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].operator == operator) return ops[i];
        }
        revert("unknown operator");
    }

    function _slashable(address operator) internal view returns (uint256) {
        (uint256 unbonding,) = registry.unbondingOf(operator);
        return registry.stakeOf(operator) + unbonding;
    }

    function _inActiveSet(address operator) internal view returns (bool) {
        address[] memory active = registry.activeOperators();
        for (uint256 i; i < active.length; ++i) {
            if (active[i] == operator) return true;
        }
        return false;
    }

    function _assertSlashedAndJailed(address operator, uint256 before, uint256 bps, uint256 amount)
        internal
        view
    {
        uint256 expected = before * bps / BPS;
        assertEq(amount, expected, "amount");
        assertEq(_slashable(operator), before - expected, "stake left");
        assertEq(registry.rewardOf(reporter), expected * p.reporterRewardBps / BPS, "reporter reward");
        (bool jailed,,) = registry.jailOf(operator);
        assertTrue(jailed, "jailed");
        assertFalse(registry.isActive(operator), "inactive");
        assertFalse(_inActiveSet(operator), "out of active set");
    }

    function _blockPair(Op memory op, uint64 number)
        internal
        view
        returns (
            ISlasher.BlockHeader memory a,
            bytes memory sigA,
            ISlasher.BlockHeader memory b,
            bytes memory sigB
        )
    {
        uint64 epoch = uint64(registry.currentEpoch());
        a = _blockHeader(number, epoch, keccak256("txs-a"));
        b = _blockHeader(number, epoch, keccak256("txs-b"));
        sigA = _signBlock(op.signerKey, a);
        sigB = _signBlock(op.signerKey, b);
    }

    function _batchPair(Op memory op)
        internal
        view
        returns (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        )
    {
        a = _nextHeader(_emptyData(1), 1, 0);
        b = _nextHeader(_emptyData(2), 2, 0);
        sigA = _signBatch(op.signerKey, a);
        sigB = _signBatch(op.signerKey, b);
    }

    function _blockKey(address operator, uint64 epoch, uint64 number) internal pure returns (bytes32) {
        return keccak256(abi.encode(ISlasher.Offence.BlockEquivocation, operator, epoch, number));
    }
}

contract Slasher_BlockEquivocation_Test is SlasherTest {
    function test_slashBlockEquivocation_slashesAndJails() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 7);
        uint256 before = _slashable(op.operator);
        uint256 expected = before * p.equivocationSlashBps / BPS;
        assertEq(
            slasher.blockHeaderDigest(a),
            keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), _blockStructHash(a)))
        );

        vm.expectEmit(address(slasher));
        emit ISlasher.OffenceSlashed(
            ISlasher.Offence.BlockEquivocation, op.operator, reporter, 7, a.epoch, expected
        );
        vm.prank(reporter);
        uint256 amount = slasher.slashBlockEquivocation(a, sigA, b, sigB);
        _assertSlashedAndJailed(op.operator, before, p.equivocationSlashBps, amount);
        assertTrue(registry.evidenceUsed(_blockKey(op.operator, a.epoch, 7)));
    }

    function test_slashBlockEquivocation_revertsOnWrongChainId() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a,, ISlasher.BlockHeader memory b,) = _blockPair(op, 7);
        a.chainId = 902;
        bytes memory sigA = _signBlock(op.signerKey, a);
        bytes memory sigB = _signBlock(op.signerKey, b);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.WrongChainId.selector, 902, p.l2ChainId));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.WrongChainId.selector, 902, p.l2ChainId));
        slasher.slashBlockEquivocation(b, sigB, a, sigA);
    }

    function test_slashBlockEquivocation_revertsWhenNotConflicting() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b,) = _blockPair(op, 7);
        b.number = 8;
        bytes memory sigB = _signBlock(op.signerKey, b);
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        b.number = 7;
        b.epoch = a.epoch + 1;
        sigB = _signBlock(op.signerKey, b);
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_slashBlockEquivocation_revertsOnSameHeader() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA,,) = _blockPair(op, 7);
        vm.expectRevert(ISlasher.SameHeader.selector);
        slasher.slashBlockEquivocation(a, sigA, a, sigA);
        // The malleable twin of the same signature is still the same header.
        vm.expectRevert(ISlasher.SameHeader.selector);
        slasher.slashBlockEquivocation(a, sigA, a, _malleate(sigA));
    }

    function test_slashBlockEquivocation_revertsOnDifferentSigners() public {
        Op memory op = _at(0);
        Op memory other = _at(1);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b,) = _blockPair(op, 7);
        bytes memory sigB = _signBlock(other.signerKey, b);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, op.signer, other.signer));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_slashBlockEquivocation_revertsOnUnknownSigner() public {
        (address stranger, uint256 key) = makeAddrAndKey("stranger");
        Op memory fake = Op({operator: stranger, signer: stranger, signerKey: key});
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(fake, 7);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.UnknownSigner.selector, stranger));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_slashBlockEquivocation_revertsOnResubmission() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 7);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        bytes32 key = _blockKey(op.operator, a.epoch, 7);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBlockEquivocation(b, sigB, a, sigA);
    }

    function test_slashBlockEquivocation_revertsOnThirdHeaderSameHeight() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 7);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        uint256 left = _slashable(op.operator);
        ISlasher.BlockHeader memory c = _blockHeader(7, a.epoch, keccak256("txs-c"));
        bytes memory sigC = _signBlock(op.signerKey, c);
        bytes32 key = _blockKey(op.operator, a.epoch, 7);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBlockEquivocation(a, sigA, c, sigC);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBlockEquivocation(c, sigC, b, sigB);
        assertEq(_slashable(op.operator), left);
    }

    function test_slashBlockEquivocation_distinctHeightsEachSlash() public {
        Op memory op = _at(0);
        uint256 before = _slashable(op.operator);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 7);
        uint256 first = slasher.slashBlockEquivocation(a, sigA, b, sigB);
        (a, sigA, b, sigB) = _blockPair(op, 8);
        uint256 second = slasher.slashBlockEquivocation(a, sigA, b, sigB);
        assertEq(first, before * p.equivocationSlashBps / BPS);
        assertEq(second, (before - first) * p.equivocationSlashBps / BPS);
        assertEq(_slashable(op.operator), before - first - second);
    }

    function test_slashBlockEquivocation_rejectsHighS() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 7);
        bytes memory high = _malleate(sigB);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, _sOf(high)));
        slasher.slashBlockEquivocation(a, sigA, b, high);
        high = _malleate(sigA);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, _sOf(high)));
        slasher.slashBlockEquivocation(a, high, b, sigB);
    }

    function test_slashBlockEquivocation_rejectsOtherVerifyingContract() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b,) = _blockPair(op, 7);
        bytes memory sigB = _signForDomain(op.signerKey, _blockStructHash(b), block.chainid, address(0xdead));
        address recovered = _recover(_blockStructHash(b), sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, op.signer, recovered));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }
}

contract Slasher_BatchEquivocation_Test is SlasherTest {
    function test_slashBatchEquivocation_slashesAndJails() public {
        Op memory op = _at(0);
        (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        ) = _batchPair(op);
        uint256 before = _slashable(op.operator);
        uint256 expected = before * p.equivocationSlashBps / BPS;
        vm.expectEmit(address(slasher));
        emit ISlasher.OffenceSlashed(
            ISlasher.Offence.BatchEquivocation, op.operator, reporter, a.firstBlock, a.epoch, expected
        );
        vm.prank(reporter);
        uint256 amount = slasher.slashBatchEquivocation(a, sigA, b, sigB);
        _assertSlashedAndJailed(op.operator, before, p.equivocationSlashBps, amount);
    }

    function test_slashBatchEquivocation_afterOneWasPosted() public {
        Op memory op = _at(0);
        (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        ) = _batchPair(op);
        vm.prank(op.operator);
        inbox.submitRecord(a, 0, sigA, _emptyData(1));
        uint256 amount = slasher.slashBatchEquivocation(a, sigA, b, sigB);
        assertGt(amount, 0);
    }

    function test_slashBatchEquivocation_revertsOnWrongChainId() public {
        Op memory op = _at(0);
        (IBatchInbox.BatchHeader memory a, bytes memory sigA, IBatchInbox.BatchHeader memory b,) =
            _batchPair(op);
        b.chainId = 1;
        bytes memory sigB = _signBatch(op.signerKey, b);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.WrongChainId.selector, 1, p.l2ChainId));
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
    }

    function test_slashBatchEquivocation_revertsWhenNotConflicting() public {
        Op memory op = _at(0);
        (IBatchInbox.BatchHeader memory a, bytes memory sigA, IBatchInbox.BatchHeader memory b,) =
            _batchPair(op);
        // Other first block.
        b.firstBlock = a.firstBlock + 1;
        bytes memory sigB = _signBatch(op.signerKey, b);
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
        // Other epoch.
        b.firstBlock = a.firstBlock;
        b.epoch = a.epoch + 1;
        sigB = _signBatch(op.signerKey, b);
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
        // Same data, re-signed with a later forceIndex: not equivocation.
        IBatchInbox.BatchHeader memory c = a;
        c.forceIndex = a.forceIndex + 1;
        bytes memory sigC = _signBatch(op.signerKey, c);
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBatchEquivocation(a, sigA, c, sigC);
        // Identical headers have the same data, so they are not conflicting either.
        vm.expectRevert(ISlasher.NotConflicting.selector);
        slasher.slashBatchEquivocation(a, sigA, a, sigA);
    }

    function test_slashBatchEquivocation_revertsOnDifferentSigners() public {
        Op memory op = _at(0);
        Op memory other = _at(1);
        (IBatchInbox.BatchHeader memory a, bytes memory sigA, IBatchInbox.BatchHeader memory b,) =
            _batchPair(op);
        bytes memory sigB = _signBatch(other.signerKey, b);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, op.signer, other.signer));
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
    }

    function test_slashBatchEquivocation_revertsOnUnknownSigner() public {
        (address stranger, uint256 key) = makeAddrAndKey("stranger");
        Op memory fake = Op({operator: stranger, signer: stranger, signerKey: key});
        (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        ) = _batchPair(fake);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.UnknownSigner.selector, stranger));
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
    }

    function test_slashBatchEquivocation_revertsOnResubmissionAndThirdHeader() public {
        Op memory op = _at(0);
        (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        ) = _batchPair(op);
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
        bytes32 key =
            keccak256(abi.encode(ISlasher.Offence.BatchEquivocation, op.operator, a.epoch, a.firstBlock));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
        IBatchInbox.BatchHeader memory c = _nextHeader(_emptyData(3), 3, 0);
        bytes memory sigC = _signBatch(op.signerKey, c);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashBatchEquivocation(a, sigA, c, sigC);
    }

    function test_slashBatchEquivocation_rejectsHighS() public {
        Op memory op = _at(0);
        (
            IBatchInbox.BatchHeader memory a,
            bytes memory sigA,
            IBatchInbox.BatchHeader memory b,
            bytes memory sigB
        ) = _batchPair(op);
        bytes memory high = _malleate(sigB);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, _sOf(high)));
        slasher.slashBatchEquivocation(a, sigA, b, high);
    }

    function test_slashBatchEquivocation_rejectsOtherDomain() public {
        Op memory op = _at(0);
        (IBatchInbox.BatchHeader memory a, bytes memory sigA, IBatchInbox.BatchHeader memory b,) =
            _batchPair(op);
        bytes memory sigB = _signForDomain(op.signerKey, _batchStructHash(b), 1, address(inbox));
        address recovered = _recover(_batchStructHash(b), sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, op.signer, recovered));
        slasher.slashBatchEquivocation(a, sigA, b, sigB);
    }
}

contract Slasher_Liveness_Test is SlasherTest {
    function test_slashLiveness_slashesSilentLeader() public {
        uint256 epoch = registry.currentEpoch();
        Op memory leader = _at(0);
        _rollToEpoch(epoch + 1);
        uint256 before = _slashable(leader.operator);
        uint256 expected = before * p.livenessSlashBps / BPS;
        vm.expectEmit(address(slasher));
        emit ISlasher.OffenceSlashed(
            ISlasher.Offence.Liveness, leader.operator, reporter, epoch, epoch, expected
        );
        vm.prank(reporter);
        uint256 amount = slasher.slashLiveness(epoch);
        _assertSlashedAndJailed(leader.operator, before, p.livenessSlashBps, amount);

        bytes32 key = keccak256(abi.encode(ISlasher.Offence.Liveness, epoch));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashLiveness(epoch);
    }

    function test_slashLiveness_revertsWhenEpochNotEnded() public {
        uint256 current = registry.currentEpoch();
        vm.expectRevert(abi.encodeWithSelector(ISlasher.EpochNotEnded.selector, current, current));
        slasher.slashLiveness(current);
        vm.roll(registry.epochStartBlock(current + 1) - 1); // last block of the epoch
        vm.expectRevert(abi.encodeWithSelector(ISlasher.EpochNotEnded.selector, current, current));
        slasher.slashLiveness(current);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.EpochNotEnded.selector, current + 1, current));
        slasher.slashLiveness(current + 1);
    }

    function test_slashLiveness_revertsOutsideWindow() public {
        uint256 epoch = registry.currentEpoch();
        uint256 current = epoch + p.slashingWindowEpochs + 1;
        _rollToEpoch(current);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISlasher.EpochOutsideWindow.selector, epoch, current - p.slashingWindowEpochs
            )
        );
        slasher.slashLiveness(epoch);
        // The oldest epoch in the window is still slashable.
        assertGt(slasher.slashLiveness(epoch + 1), 0);
    }

    function test_slashLiveness_revertsWhenLeaderPosted() public {
        uint256 epoch = registry.currentEpoch();
        _post(_at(0), 0);
        _rollToEpoch(epoch + 1);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.LeaderPosted.selector, epoch));
        slasher.slashLiveness(epoch);
    }

    function test_slashLiveness_revertsWhenLeaderWasJailed() public {
        uint256 epoch = registry.currentEpoch();
        Op memory leader = _at(0);
        _jail(leader, 1);
        _rollToEpoch(epoch + 1);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.LeaderWasJailed.selector, epoch, leader.operator));
        slasher.slashLiveness(epoch);
    }

    function test_slashLiveness_backupPostingDoesNotExcuseLeader() public {
        uint256 epoch = registry.currentEpoch();
        Op memory leader = _at(0);
        vm.roll(_epochStart() + p.leaderTimeout);
        _post(_at(1), 1);
        _rollToEpoch(epoch + 1);
        uint256 amount = slasher.slashLiveness(epoch);
        assertGt(amount, 0);
        (bool jailed,,) = registry.jailOf(leader.operator);
        assertTrue(jailed);
    }
}

contract Slasher_Censorship_Test is SlasherTest {
    /// @dev Enqueue so that the deadline is the last block of `epoch`; returns the deadline.
    function _enqueueDueIn(uint256 epoch) internal returns (uint256 deadline) {
        deadline = registry.epochStartBlock(epoch + 1) - 1;
        vm.roll(deadline - p.inclusionDelay);
        _enqueue(hex"02f8");
        assertEq(queue.deadlineOf(0), deadline);
    }

    function test_slashCensorship_slashesLeaderWhenNobodyPosted() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 deadline = _enqueueDueIn(censored);
        vm.roll(deadline + 1);
        inbox.submitForcedRecord(1);
        (bool forced, uint256 epoch) = inbox.censoredEpochOf(0);
        assertTrue(forced);
        assertEq(epoch, censored);

        address leader = registry.leaderOf(censored, 0);
        uint256 before = _slashable(leader);
        uint256 expected = before * p.censorshipSlashBps / BPS;
        vm.expectEmit(address(slasher));
        emit ISlasher.OffenceSlashed(ISlasher.Offence.Censorship, leader, reporter, 0, censored, expected);
        vm.prank(reporter);
        uint256 amount = slasher.slashCensorship(0);
        _assertSlashedAndJailed(leader, before, p.censorshipSlashBps, amount);
    }

    function test_slashCensorship_slashesActingBackup() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 deadline = _enqueueDueIn(censored);
        _rollToEpoch(censored);
        vm.roll(block.number + p.leaderTimeout);
        Op memory backup = _at(1);
        _post(backup, 1); // the entry is not overdue yet: it may be left
        assertEq(queue.cursor(), 0);
        vm.roll(deadline + 1);
        inbox.submitForcedRecord(1);
        uint256 before = _slashable(backup.operator);
        uint256 amount = slasher.slashCensorship(1);
        assertEq(amount, before * p.censorshipSlashBps / BPS);
        (bool jailed,,) = registry.jailOf(backup.operator);
        assertTrue(jailed);
        (jailed,,) = registry.jailOf(registry.leaderOf(censored, 0));
        assertFalse(jailed);
    }

    function test_slashCensorship_oncePerRecord() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 deadline = _enqueueDueIn(censored);
        vm.roll(deadline + 1);
        inbox.submitForcedRecord(1);
        slasher.slashCensorship(0);
        bytes32 key = keccak256(abi.encode(ISlasher.Offence.Censorship, censored));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashCensorship(0);
    }

    /// @dev Attack: split the entries one epoch let go overdue over several forced records to
    ///      slash the censor once per record. One censored epoch is one offence.
    function test_slashCensorship_oncePerEpochHoweverSplit() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 deadline = _enqueueDueIn(censored);
        _enqueue(hex"02f9"); // same block, same deadline, same censored epoch
        vm.roll(deadline + 1);
        inbox.submitForcedRecord(1);
        inbox.submitForcedRecord(2);
        (, uint256 first) = inbox.censoredEpochOf(0);
        (, uint256 second) = inbox.censoredEpochOf(1);
        assertEq(first, censored);
        assertEq(second, censored);

        slasher.slashCensorship(0);
        bytes32 key = keccak256(abi.encode(ISlasher.Offence.Censorship, censored));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, key));
        slasher.slashCensorship(1);
    }

    /// @dev Enqueue so that the entry's deadline is block `deadline`.
    function _enqueueDueAt(uint256 deadline) internal {
        vm.roll(deadline - p.inclusionDelay);
        _enqueue(hex"02f8");
        assertEq(queue.deadlineOf(queue.length() - 1), deadline);
    }

    /// @dev Attack (issue 15, A): the leader lets an entry go overdue and posts nothing; the
    ///      forced record lands early in the epoch, and only then does the rank-1 backup take
    ///      over, as its timeout allows. Judged by the epoch's posting at slash time, the same
    ///      evidence would slash the honest backup and let the silent leader go free, so the
    ///      reporter could pick the victim by timing its call.
    function test_slashCensorship_blamesLeaderWhenBackupTakesOverAfterForcedRecord() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 start = registry.epochStartBlock(censored);
        _enqueueDueAt(start + 1); // due before rank 1 may post (start + leaderTimeout)
        vm.roll(start + 2);
        inbox.submitForcedRecord(1);
        address leader = registry.leaderOf(censored, 0);
        Op memory backup = _at(1);
        vm.roll(start + p.leaderTimeout);
        _post(backup, 1); // the backup takes over the silent epoch, after the fact
        (bool posted, uint256 acting,) = inbox.epochPosting(censored);
        assertTrue(posted);
        assertEq(acting, 1);

        uint256 before = _slashable(leader);
        vm.expectEmit(address(slasher));
        emit ISlasher.OffenceSlashed(
            ISlasher.Offence.Censorship, leader, reporter, 0, censored, before * p.censorshipSlashBps / BPS
        );
        vm.prank(reporter);
        uint256 amount = slasher.slashCensorship(0);
        _assertSlashedAndJailed(leader, before, p.censorshipSlashBps, amount);
        (bool backupJailed,,) = registry.jailOf(backup.operator);
        assertFalse(backupJailed, "the honest backup is not jailed");
    }

    /// @dev The whole class of A: whoever posts in the censored epoch after the forced record
    ///      (any rank, whenever its timeout allows), whenever the forced record lands and
    ///      whenever the slash is called within the window, the slashed operator is the one
    ///      that held the pen at the deadline, read here at the deadline block itself.
    function testFuzz_slashCensorship_offenderFixedAtDeadline(
        uint256 deadlineOffset,
        uint256 earlyRank,
        uint256 forcedDelay,
        uint256 lateRank,
        uint256 lateDelay,
        uint256 slashDelay
    ) public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 start = registry.epochStartBlock(censored);
        uint256 end = start + p.epochLength; // first block of the next epoch
        uint256 deadline = start + bound(deadlineOffset, 0, p.epochLength - 1);
        _enqueueDueAt(deadline);

        // Maybe some rank posts before the deadline and leaves the entry (not due yet).
        earlyRank = bound(earlyRank, 0, 3); // 3: nobody
        if (earlyRank < 3 && start + earlyRank * p.leaderTimeout <= deadline) {
            vm.roll(start + earlyRank * p.leaderTimeout);
            _post(_at(earlyRank), earlyRank);
        }
        vm.roll(deadline);
        (bool posted, uint256 acting,) = inbox.epochPosting(censored);
        address expected = registry.leaderOf(censored, posted ? acting : 0);

        // The forced record, in the censored epoch or up to two epochs later.
        vm.roll(deadline + 1 + bound(forcedDelay, 0, 2 * p.epochLength));
        uint256 index = inbox.recordCount();
        inbox.submitForcedRecord(1);

        // Maybe a rank posts in the censored epoch afterwards: the first post of a silent epoch
        // (any rank, after its timeout) or the acting rank posting again.
        if (block.number < end) {
            lateRank = posted ? acting : bound(lateRank, 0, 2);
            uint256 eligibleFrom = start + lateRank * p.leaderTimeout;
            uint256 from = block.number > eligibleFrom ? block.number : eligibleFrom;
            if (from < end) {
                vm.roll(from + bound(lateDelay, 0, end - 1 - from));
                _post(_at(lateRank), lateRank);
            }
        }

        // The slash, any time while the censored epoch is still in the window.
        uint256 lastSlashable = registry.epochStartBlock(censored + p.slashingWindowEpochs + 1) - 1;
        vm.roll(bound(slashDelay, block.number, lastSlashable));
        uint256 before = _slashable(expected);
        vm.expectEmit(true, true, true, false, address(slasher));
        emit ISlasher.OffenceSlashed(ISlasher.Offence.Censorship, expected, reporter, index, censored, 0);
        vm.prank(reporter);
        uint256 amount = slasher.slashCensorship(index);
        _assertSlashedAndJailed(expected, before, p.censorshipSlashBps, amount);
    }

    function test_slashCensorship_revertsOnSequencedRecord() public {
        _post(_at(0), 0);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.NotForcedRecord.selector, 0));
        slasher.slashCensorship(0);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.NotForcedRecord.selector, 5));
        slasher.slashCensorship(5);
    }
}

contract Slasher_Regression_Test is SlasherTest {
    /// @dev Self-reporting an equivocation never pays: the reporter share is below the slash.
    function testFuzz_selfReport_neverProfits(uint256 stake, bool viaSigner) public {
        stake = bound(stake, p.minStake, 10_000 ether);
        Op memory self = _bond("self", stake);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(self, 42);
        address me = viaSigner ? self.signer : self.operator;
        vm.prank(me);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        vm.prank(me);
        registry.claimReward();
        uint256 wealthAfter = self.operator.balance + self.signer.balance + _slashable(self.operator);
        assertLt(wealthAfter, stake);
    }

    function test_unbondRightAfterEquivocating_stillSlashed() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 9);
        uint256 stake = registry.stakeOf(op.operator);
        vm.prank(op.operator);
        registry.requestUnbond(stake);
        assertEq(registry.stakeOf(op.operator), 0);
        uint256 amount = slasher.slashBlockEquivocation(a, sigA, b, sigB);
        assertEq(amount, stake * p.equivocationSlashBps / BPS);
        (uint256 unbonding, uint256 withdrawableAt) = registry.unbondingOf(op.operator);
        assertEq(unbonding, stake - amount);
        vm.warp(withdrawableAt);
        uint256 balanceBefore = op.operator.balance;
        vm.prank(op.operator);
        registry.withdraw();
        assertEq(op.operator.balance - balanceBefore, stake - amount);
    }

    function test_partialUnbondAfterEquivocating_slashesBoth() public {
        Op memory op = _at(0);
        vm.deal(op.operator, 10 ether);
        vm.prank(op.operator);
        registry.topUp{value: 10 ether}();
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 9);
        uint256 total = _slashable(op.operator);
        vm.prank(op.operator);
        registry.requestUnbond(total - p.minStake);
        uint256 amount = slasher.slashBlockEquivocation(a, sigA, b, sigB);
        assertEq(amount, total * p.equivocationSlashBps / BPS);
        assertEq(_slashable(op.operator), total - amount);
    }

    function test_headerForOtherL2Chain_rejected() public {
        Op memory op = _at(0);
        ISlasher.BlockHeader memory a = _blockHeader(3, uint64(registry.currentEpoch()), keccak256("a"));
        ISlasher.BlockHeader memory b = _blockHeader(3, uint64(registry.currentEpoch()), keccak256("b"));
        a.chainId = 902;
        b.chainId = 902;
        bytes memory sigA = _signBlock(op.signerKey, a);
        bytes memory sigB = _signBlock(op.signerKey, b);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.WrongChainId.selector, 902, p.l2ChainId));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_headerForOtherL1Chain_rejected() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a, bytes memory sigA, ISlasher.BlockHeader memory b, bytes memory sigB) =
            _blockPair(op, 3);
        // Both signed on this chain, replayed on a fork with another chain id.
        vm.chainId(7);
        address ra = _recover(_blockStructHash(a), sigA);
        address rb = _recover(_blockStructHash(b), sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, ra, rb));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
        vm.chainId(31_337);
        // One of them signed for another L1 chain id.
        sigB = _signForDomain(op.signerKey, _blockStructHash(b), 1, address(inbox));
        rb = _recover(_blockStructHash(b), sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, op.signer, rb));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_headerForOtherContract_rejected() public {
        Op memory op = _at(0);
        (ISlasher.BlockHeader memory a,, ISlasher.BlockHeader memory b,) = _blockPair(op, 3);
        bytes memory sigA = _signForDomain(op.signerKey, _blockStructHash(a), block.chainid, address(slasher));
        bytes memory sigB = _signForDomain(op.signerKey, _blockStructHash(b), block.chainid, address(slasher));
        address ra = _recover(_blockStructHash(a), sigA);
        address rb = _recover(_blockStructHash(b), sigB);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.DifferentSigners.selector, ra, rb));
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    function test_recordSkippingOverdueEntry_reverts() public {
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        Op memory leader = _at(0);
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        h.forceIndex = 0;
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, 0, 1));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_garbageEntry_doesNotBlockQueue() public {
        _enqueue(_randomBytes(3, 77));
        _enqueue(hex"00");
        vm.roll(block.number + p.inclusionDelay + 1);
        inbox.submitForcedRecord(1);
        _post(_at(0), 0);
        assertEq(queue.cursor(), 2);
        assertEq(inbox.recordCount(), 2);
    }

    /// @dev A leader jailed for the whole of epoch e cannot post in it. After it serves its term,
    ///      unjails and is jailed again for something else, epoch e is still inside the liveness
    ///      window (slashingWindowEpochs == jailEpochs), but the Slasher only sees the latest jail
    ///      term, so it slashes the leader for an epoch it spent in jail.
    function test_slashLiveness_excuseSurvivesRejail() public {
        // Enough stake for everyone to unjail after a 50% slash.
        for (uint256 i; i < ops.length; ++i) {
            vm.deal(ops[i].operator, 10 ether);
            vm.prank(ops[i].operator);
            registry.topUp{value: 10 ether}();
        }
        uint256 epoch = registry.currentEpoch();
        Op memory leader = _at(0);
        _jail(leader, 1); // jailed from the first block of its epoch
        _rollToEpoch(epoch + 1);
        vm.expectRevert(abi.encodeWithSelector(ISlasher.LeaderWasJailed.selector, epoch, leader.operator));
        slasher.slashLiveness(epoch);

        _rollToEpoch(epoch + p.jailEpochs);
        vm.prank(leader.operator);
        registry.unjail();
        _jail(leader, 2); // another, unrelated offence
        uint256 current = registry.currentEpoch();
        uint256 oldest = current - p.slashingWindowEpochs;
        // Every epoch of the first term that can still be judged is still known as jailed...
        for (uint256 e = oldest; e < epoch + p.jailEpochs; ++e) {
            assertTrue(registry.jailedDuring(leader.operator, e), "first term forgotten after re-jail");
        }
        // ...as is the current term (unjail and the new jailing fell in the same epoch)...
        assertTrue(registry.jailedDuring(leader.operator, current));
        // ...and the epoch first excused can no longer be judged at all (window < jail term).
        vm.expectRevert(abi.encodeWithSelector(ISlasher.EpochOutsideWindow.selector, epoch, oldest));
        slasher.slashLiveness(epoch);
    }
}

/// @notice `jailedDuring` over jail terms, including a free gap between two terms.
contract Registry_JailedDuring_Test is SlasherTest {
    function test_jailedDuring_tracksCurrentAndPreviousTerm() public {
        for (uint256 i; i < ops.length; ++i) {
            vm.deal(ops[i].operator, 10 ether);
            vm.prank(ops[i].operator);
            registry.topUp{value: 10 ether}();
        }
        Op memory op = ops[0];
        uint256 first = registry.currentEpoch();
        assertFalse(registry.jailedDuring(op.operator, first), "never jailed");

        _jail(op, 1);
        assertTrue(registry.jailedDuring(op.operator, first));
        assertFalse(registry.jailedDuring(op.operator, first - 1), "before the term");

        uint256 unjailedAt = first + p.jailEpochs;
        _rollToEpoch(unjailedAt);
        vm.prank(op.operator);
        registry.unjail();
        // Free: the latest term was [first, unjailedAt).
        assertTrue(registry.jailedDuring(op.operator, unjailedAt - 1));
        assertFalse(registry.jailedDuring(op.operator, unjailedAt), "released this epoch");

        uint256 second = unjailedAt + 2;
        _rollToEpoch(second);
        _jail(op, 2);
        assertTrue(registry.jailedDuring(op.operator, second));
        assertFalse(registry.jailedDuring(op.operator, unjailedAt + 1), "free gap between the terms");
        assertTrue(registry.jailedDuring(op.operator, unjailedAt - 1), "previous term remembered");
        // The horizon: the previous term is known for its last jailEpochs epochs.
        assertTrue(registry.jailedDuring(op.operator, unjailedAt - p.jailEpochs));
    }
}
