// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SequencingTest} from "./utils/SequencingTest.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {EthRefuser} from "./mocks/EthRefuser.sol";

contract ForceInclusionQueue_Enqueue_Test is SequencingTest {
    function test_enqueue_storesEntryAndEmits() public {
        bytes memory transaction = hex"02f86b0182";
        uint256 fee = _fee();
        vm.deal(user, fee);
        vm.expectEmit(address(queue));
        emit IForceInclusionQueue.Enqueued(0, user, uint64(block.number + p.inclusionDelay), 0, transaction);
        vm.prank(user);
        uint256 index = queue.enqueue{value: fee}(transaction);

        assertEq(index, 0);
        assertEq(queue.length(), 1);
        assertEq(queue.cursor(), 0);
        assertEq(queue.deadlineOf(0), block.number + p.inclusionDelay);
        bytes32 first =
            keccak256(abi.encodePacked(bytes32(0), keccak256(abi.encodePacked(user, transaction))));
        assertEq(queue.accumulatorOf(1), first);
        assertEq(queue.accumulatorOf(1), queue.accumulate(0, queue.commitmentFor(user, transaction)));
        assertTrue(queue.isEntry(0, user, transaction));
        assertEq(address(queue).balance, fee);

        // The next entry's event names the accumulator before it; its own chains from it.
        vm.expectEmit(address(queue));
        emit IForceInclusionQueue.Enqueued(1, user, uint64(block.number + p.inclusionDelay), first, hex"aa");
        assertEq(_enqueue(hex"aa"), 1);
        assertEq(queue.length(), 2);
        assertEq(queue.accumulatorOf(2), queue.accumulate(first, queue.commitmentFor(user, hex"aa")));
        assertTrue(queue.isEntry(1, user, hex"aa"));
        assertFalse(queue.isEntry(1, user, transaction), "another entry's bytes");
        assertFalse(queue.isEntry(2, user, hex"aa"), "past the end");
    }

    function test_enqueue_revertsWhenFeeTooLow() public {
        uint256 fee = _fee();
        vm.deal(user, fee);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.WrongFee.selector, fee - 1, fee));
        vm.prank(user);
        queue.enqueue{value: fee - 1}(hex"01");
    }

    function test_enqueue_revertsWhenFeeTooHigh() public {
        uint256 fee = _fee();
        vm.deal(user, fee + 1);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.WrongFee.selector, fee + 1, fee));
        vm.prank(user);
        queue.enqueue{value: fee + 1}(hex"01");
    }

    function test_enqueue_revertsWhenEmpty() public {
        uint256 fee = _fee();
        vm.deal(user, fee);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadTxSize.selector, 0, p.maxTxSize));
        vm.prank(user);
        queue.enqueue{value: fee}("");
    }

    function test_enqueue_revertsWhenTooLarge() public {
        uint256 fee = _fee();
        vm.deal(user, fee);
        bytes memory big = new bytes(p.maxTxSize + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.BadTxSize.selector, p.maxTxSize + 1, p.maxTxSize)
        );
        vm.prank(user);
        queue.enqueue{value: fee}(big);
    }

    function test_enqueue_acceptsMaxSize() public {
        bytes memory big = _randomBytes(1, p.maxTxSize);
        uint256 index = _enqueue(big);
        assertTrue(queue.isEntry(index, user, big));
    }

    function testFuzz_enqueue_anySizeInRange(uint256 seed, uint256 size, uint256 gap) public {
        size = bound(size, 1, p.maxTxSize);
        gap = bound(gap, 0, 1_000_000);
        vm.roll(block.number + gap);
        bytes memory transaction = _randomBytes(seed, size);
        uint256 index = _enqueue(transaction);
        assertTrue(queue.isEntry(index, user, transaction));
        assertEq(queue.deadlineOf(index), block.number + p.inclusionDelay);
        assertEq(address(queue).balance, _fee());
    }

    function testFuzz_enqueue_revertsOnAnyWrongFee(uint256 value) public {
        value = bound(value, 0, 1000 ether);
        vm.assume(value != _fee());
        vm.deal(user, value);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.WrongFee.selector, value, _fee()));
        vm.prank(user);
        queue.enqueue{value: value}(hex"01");
    }

    function testFuzz_enqueue_revertsOnOversize(uint256 size) public {
        size = bound(size, p.maxTxSize + 1, 3 * p.maxTxSize);
        uint256 fee = _fee();
        vm.deal(user, fee);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadTxSize.selector, size, p.maxTxSize));
        vm.prank(user);
        queue.enqueue{value: fee}(new bytes(size));
    }
}

contract ForceInclusionQueue_Consume_Test is SequencingTest {
    address internal includer = makeAddr("includer");

    function test_consume_revertsWhenNotInbox() public {
        _enqueue(hex"01");
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.NotInbox.selector, address(this)));
        queue.consume(1, address(this));
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.NotInbox.selector, user));
        vm.prank(user);
        queue.consume(1, user);
    }

    function test_consumeForced_revertsWhenNotInbox() public {
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.NotInbox.selector, user));
        vm.prank(user);
        queue.consumeForced(1, user);
    }

    function test_consume_creditsIncluder() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        _enqueue(hex"03");
        vm.expectEmit(address(queue));
        emit IForceInclusionQueue.Consumed(0, 2, includer, 2 * _fee());
        vm.prank(address(inbox));
        queue.consume(2, includer);
        assertEq(queue.cursor(), 2);
        assertEq(queue.feesOf(includer), 2 * _fee());
    }

    function test_consume_noOpWhenUpToIsCursor() public {
        _enqueue(hex"01");
        vm.prank(address(inbox));
        queue.consume(0, includer);
        assertEq(queue.cursor(), 0);
        assertEq(queue.feesOf(includer), 0);
    }

    function test_consume_revertsWhenOverdueLeft() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        vm.roll(block.number + 1);
        _enqueue(hex"03");
        // Entries 0 and 1 are overdue, entry 2 is not yet.
        vm.roll(block.number + p.inclusionDelay);
        assertEq(queue.requiredCursor(), 2);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, 1, 2));
        vm.prank(address(inbox));
        queue.consume(1, includer);
        vm.prank(address(inbox));
        queue.consume(2, includer);
        assertEq(queue.cursor(), 2);
    }

    function test_consume_revertsOnBadRange() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 3, 0, 2));
        vm.prank(address(inbox));
        queue.consume(3, includer);

        vm.prank(address(inbox));
        queue.consume(2, includer);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 1, 2, 2));
        vm.prank(address(inbox));
        queue.consume(1, includer);
    }

    function test_consumeForced_returnsFirstDeadline() public {
        _enqueue(hex"01");
        uint64 first = queue.deadlineOf(0);
        vm.roll(block.number + 5);
        _enqueue(hex"02");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.prank(address(inbox));
        uint64 got = queue.consumeForced(2, includer);
        assertEq(got, first);
        assertEq(queue.cursor(), 2);
        assertEq(queue.feesOf(includer), 2 * _fee());
    }

    function test_consumeForced_revertsWhenNotOverdue() public {
        _enqueue(hex"01");
        uint64 deadline = queue.deadlineOf(0);
        vm.roll(deadline); // deadline block itself: still includable, not overdue
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.NotOverdue.selector, 0, deadline));
        vm.prank(address(inbox));
        queue.consumeForced(1, includer);
    }

    function test_consumeForced_revertsWhenEmptyRange() public {
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 0, 0, 1));
        vm.prank(address(inbox));
        queue.consumeForced(0, includer);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 2, 0, 1));
        vm.prank(address(inbox));
        queue.consumeForced(2, includer);
    }
}

contract ForceInclusionQueue_RequiredCursor_Test is SequencingTest {
    function test_requiredCursor_movesAsDeadlinesPass() public {
        assertEq(queue.requiredCursor(), 0);
        _enqueue(hex"01"); // deadline d
        vm.roll(block.number + 3);
        _enqueue(hex"02"); // deadline d + 3
        uint256 d = queue.deadlineOf(0);
        vm.roll(d);
        assertEq(queue.requiredCursor(), 0);
        vm.roll(d + 1);
        assertEq(queue.requiredCursor(), 1);
        vm.roll(d + 3);
        assertEq(queue.requiredCursor(), 1);
        vm.roll(d + 4);
        assertEq(queue.requiredCursor(), 2);
    }

    /// @dev requiredCursor is the first entry at or after the cursor whose deadline has not passed.
    function testFuzz_requiredCursor_matchesLinearScan(uint256 seed, uint8 n, uint8 consumed, uint256 later)
        public
    {
        n = uint8(bound(n, 1, 40));
        for (uint256 i; i < n; ++i) {
            _enqueue(abi.encode(i));
            vm.roll(block.number + uint256(keccak256(abi.encode(seed, i))) % 4);
        }
        consumed = uint8(bound(consumed, queue.requiredCursor(), n));
        vm.prank(address(inbox));
        queue.consume(consumed, address(this));
        vm.roll(block.number + bound(later, 0, 200));
        uint256 expected = consumed;
        while (expected < n && queue.deadlineOf(expected) < block.number) ++expected;
        assertEq(queue.requiredCursor(), expected);
    }
}

contract ForceInclusionQueue_ClaimFees_Test is SequencingTest {
    Op[] internal ops;

    function setUp() public override {
        super.setUp();
        Op[] memory o = _threeOps();
        for (uint256 i; i < o.length; ++i) {
            ops.push(o[i]);
        }
    }

    function test_claimFees_revertsWhenNoFees() public {
        vm.expectRevert(IForceInclusionQueue.NoFees.selector);
        vm.prank(user);
        queue.claimFees();
    }

    function test_claimFees_paysRecordPoster() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        Op memory leader = _scheduled(ops, 0);
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        h.forceIndex = 2; // not overdue yet, consumed voluntarily
        _submit(leader, 0, h, data);

        assertEq(queue.feesOf(leader.operator), 2 * _fee());
        uint256 before = leader.operator.balance;
        vm.expectEmit(address(queue));
        emit IForceInclusionQueue.FeesClaimed(leader.operator, 2 * _fee());
        vm.prank(leader.operator);
        queue.claimFees();
        assertEq(leader.operator.balance, before + 2 * _fee());
        assertEq(queue.feesOf(leader.operator), 0);
        assertEq(address(queue).balance, 0);

        vm.expectRevert(IForceInclusionQueue.NoFees.selector);
        vm.prank(leader.operator);
        queue.claimFees();
    }

    function test_claimFees_feesGoToOperatorWhenSignerPosts() public {
        _enqueue(hex"01");
        Op memory leader = _scheduled(ops, 0);
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        h.forceIndex = 1;
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.prank(leader.signer);
        inbox.submitRecord(h, 0, sig, data);
        assertEq(queue.feesOf(leader.operator), _fee());
        assertEq(queue.feesOf(leader.signer), 0);
    }

    function test_claimFees_paysForcedRecordCaller() public {
        address forcer = makeAddr("forcer");
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.prank(forcer);
        inbox.submitForcedRecord(1);
        assertEq(queue.feesOf(forcer), _fee());
        vm.prank(forcer);
        queue.claimFees();
        assertEq(forcer.balance, _fee());
    }

    function test_claimFees_revertsWhenTransferFails() public {
        EthRefuser rejector = new EthRefuser();
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.prank(address(rejector));
        inbox.submitForcedRecord(1);
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.TransferFailed.selector, address(rejector), _fee())
        );
        vm.prank(address(rejector));
        queue.claimFees();
        assertEq(queue.feesOf(address(rejector)), _fee());
    }

    function testFuzz_claimFees_feesAreEntriesTimesFee(uint8 n, uint8 k) public {
        n = uint8(bound(n, 1, 30));
        k = uint8(bound(k, 1, n));
        for (uint256 i; i < n; ++i) {
            _enqueue(abi.encodePacked(i));
        }
        assertEq(address(queue).balance, uint256(n) * _fee());
        Op memory leader = _scheduled(ops, 0);
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        h.forceIndex = k;
        _submit(leader, 0, h, data);
        assertEq(queue.feesOf(leader.operator), uint256(k) * _fee());
        vm.prank(leader.operator);
        queue.claimFees();
        assertEq(address(queue).balance, uint256(n - k) * _fee());
    }
}

contract ForceInclusionQueue_Garbage_Test is SequencingTest {
    Op[] internal ops;

    function setUp() public override {
        super.setUp();
        Op[] memory o = _threeOps();
        for (uint256 i; i < o.length; ++i) {
            ops.push(o[i]);
        }
    }

    function test_garbageEntry_consumedBySequencedRecord() public {
        _enqueue(_randomBytes(7, 333));
        _enqueue(hex"ff");
        vm.roll(block.number + p.inclusionDelay + 1);
        assertEq(queue.requiredCursor(), 2);
        _post(_scheduled(ops, 0), 0); // _nextHeader consumes up to requiredCursor
        assertEq(queue.cursor(), 2);
        assertEq(inbox.recordCount(), 1);
    }

    function test_garbageEntry_consumedByForcedRecord() public {
        _enqueue(_randomBytes(8, 1));
        _enqueue(_randomBytes(9, p.maxTxSize));
        vm.roll(block.number + p.inclusionDelay + 1);
        inbox.submitForcedRecord(2);
        assertEq(queue.cursor(), 2);
        // The queue keeps working after the garbage.
        _enqueue(hex"02");
        _post(_scheduled(ops, 0), 0);
        assertEq(inbox.recordCount(), 2);
    }

    function testFuzz_garbageEntry_neverBlocks(bytes calldata garbage) public {
        vm.assume(garbage.length > 0 && garbage.length <= p.maxTxSize);
        _enqueue(garbage);
        vm.roll(block.number + p.inclusionDelay + 1);
        _post(_scheduled(ops, 0), 0);
        assertEq(queue.cursor(), 1);
    }
}

contract ForceInclusionQueue_Commitment_Test is SequencingTest {
    /// @notice The same bytes enqueued by two senders have different commitments, so a fraud
    ///         proof can tell the portal's deposit entries from a copy anyone else enqueued.
    function testFuzz_commitment_bindsTheSender(address other, bytes calldata transaction) public {
        vm.assume(other != user && transaction.length > 0 && transaction.length <= p.maxTxSize);
        uint256 a = _enqueue(transaction);
        uint256 fee = _fee();
        vm.deal(other, fee);
        vm.prank(other);
        uint256 b = queue.enqueue{value: fee}(transaction);
        assertTrue(queue.commitmentFor(user, transaction) != queue.commitmentFor(other, transaction));
        assertTrue(queue.isEntry(a, user, transaction) && queue.isEntry(b, other, transaction));
        assertFalse(queue.isEntry(a, other, transaction) || queue.isEntry(b, user, transaction));
    }

    /// @notice The accumulator chains every entry in order: changing any entry's sender or bytes,
    ///         or their order, changes every accumulator from it on, so one stored word names the
    ///         whole prefix (what a dispute over EVM blocks reads).
    function testFuzz_accumulator_namesThePrefix(bytes32 seed, uint8 n, uint8 changed) public {
        n = uint8(bound(n, 1, 12));
        changed = uint8(bound(changed, 0, n - 1));
        bytes32 acc;
        for (uint256 i; i < n; ++i) {
            bytes memory transaction = abi.encodePacked(seed, i);
            assertEq(queue.accumulatorOf(i), acc, "the accumulator before each entry");
            acc = queue.accumulate(acc, queue.commitmentFor(user, transaction));
            _enqueue(transaction);
        }
        assertEq(queue.accumulatorOf(n), acc);
        assertEq(queue.accumulatorOf(queue.length()), acc);
        assertFalse(queue.isEntry(changed, user, abi.encodePacked(seed, uint256(changed) + 1)));
        assertFalse(queue.isEntry(changed, address(this), abi.encodePacked(seed, uint256(changed))));
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.EntriesOutOfRange.selector, n + 1, n));
        queue.accumulatorOf(n + 1);
    }
}

/// @notice The cap on entries per record and the deadlines it spaces out, with a small cap
///         (four) so that a flood is a handful of entries.
contract ForceInclusionQueue_Cap_Test is SequencingTest {
    address internal includer = makeAddr("includer");
    uint256 internal constant M = 4;

    function _profile() internal override returns (Deploy.Profile memory profile) {
        profile = super._profile();
        profile.maxRecordEntries = M;
    }

    function _enqueueMany(uint256 n) internal {
        for (uint256 i; i < n; ++i) {
            _enqueue(abi.encode(i));
        }
    }

    function test_deploy_setsTheCap() public view {
        assertEq(queue.maxRecordEntries(), M);
    }

    /// @notice Entries enqueued in one block fall due M at a time, DUE_SPACING blocks apart.
    function test_enqueue_spacesTheDeadlinesOfAFlood() public {
        uint256 due = block.number + p.inclusionDelay;
        uint256 spacing = queue.DUE_SPACING();
        _enqueueMany(2 * M + 1);
        for (uint256 i; i < 2 * M + 1; ++i) {
            assertEq(queue.deadlineOf(i), due + (i / M) * spacing, "deadline");
        }
    }

    /// @notice Away from a flood the delay alone sets the deadline.
    function test_enqueue_spacedEntriesKeepTheDelay() public {
        _enqueueMany(M);
        vm.roll(block.number + queue.DUE_SPACING());
        _enqueue(hex"05");
        assertEq(queue.deadlineOf(M), block.number + p.inclusionDelay);
    }

    function test_consume_revertsOverTheCap() public {
        _enqueueMany(M + 2);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.TooManyEntries.selector, M + 1, M));
        vm.prank(address(inbox));
        queue.consume(M + 1, includer);
        vm.prank(address(inbox));
        queue.consume(M, includer);
        assertEq(queue.cursor(), M);
    }

    /// @notice More than M overdue entries: a record must consume M, and may leave the rest.
    function test_consume_aFullRecordMayLeaveOverdueEntries() public {
        _enqueueMany(M + 2);
        vm.roll(queue.deadlineOf(M + 1) + 1); // every entry overdue
        assertEq(queue.requiredCursor(), M, "the cap bounds what a record must reach");
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, M - 1, M));
        vm.prank(address(inbox));
        queue.consume(M - 1, includer);
        vm.prank(address(inbox));
        queue.consume(M, includer);
        assertEq(queue.requiredCursor(), M + 2, "the next record must consume the rest");
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, M + 1, M + 2)
        );
        vm.prank(address(inbox));
        queue.consume(M + 1, includer);
    }

    function test_consumeForced_revertsOverTheCap() public {
        _enqueueMany(M + 1);
        vm.roll(queue.deadlineOf(M) + 1);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.TooManyEntries.selector, M + 1, M));
        vm.prank(address(inbox));
        queue.consumeForced(M + 1, includer);
        vm.prank(address(inbox));
        queue.consumeForced(M, includer);
        assertEq(queue.cursor(), M);
    }

    /// @notice However large a flood and however it is spread, a sequencer that starts at the
    ///         first deadline and posts a full record every DUE_SPACING blocks never has an entry
    ///         go overdue: flooding the queue cannot make an honest sequencer a censor.
    function testFuzz_flood_aFullRecordEverySpacingKeepsUp(uint256 seed, uint8 n) public {
        n = uint8(bound(n, 1, 60));
        for (uint256 i; i < n; ++i) {
            _enqueue(abi.encode(i));
            if (uint256(keccak256(abi.encode(seed, i))) % 3 == 0) vm.roll(block.number + 1);
        }
        uint256 spacing = queue.DUE_SPACING();
        uint256 start = queue.deadlineOf(0) > block.number ? queue.deadlineOf(0) : block.number;
        for (uint256 t = start; queue.cursor() < n; t += spacing) {
            vm.roll(t);
            assertEq(queue.requiredCursor(), queue.cursor(), "an entry is overdue");
            uint256 upTo = queue.cursor() + M;
            if (upTo > n) upTo = n;
            vm.prank(address(inbox));
            queue.consume(upTo, includer);
            // Nothing falls overdue before the next record.
            vm.roll(t + spacing - 1);
            assertEq(queue.requiredCursor(), queue.cursor(), "an entry fell overdue between records");
        }
    }
}
