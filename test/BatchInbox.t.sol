// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SequencingTest} from "./utils/SequencingTest.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";

/// @dev Three bonded operators with an active schedule.
abstract contract BatchInboxTest is SequencingTest {
    Op[] internal ops;

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

    function _header() internal view returns (IBatchInbox.BatchHeader memory h, bytes memory data) {
        data = _emptyData(1);
        h = _nextHeader(data, 1, 0);
    }

    function _expectRevertSubmit(
        Op memory op,
        uint256 rank,
        IBatchInbox.BatchHeader memory h,
        bytes memory data,
        bytes memory err
    ) internal {
        bytes memory sig = _signBatch(op.signerKey, h);
        vm.expectRevert(err);
        vm.prank(op.operator);
        inbox.submitRecord(h, rank, sig, data);
    }
}

contract BatchInbox_SubmitRecord_Test is BatchInboxTest {
    function test_submitRecord_appendsRecord() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes32 expectedHash = _batchStructHash(h);
        assertEq(
            inbox.batchHeaderDigest(h),
            keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), expectedHash))
        );
        assertEq(inbox.domainSeparator(), _domainSeparator());

        vm.expectEmit(address(inbox));
        emit IBatchInbox.RecordAppended(0, expectedHash, h.epoch, leader.operator, 0, h, false);
        _submit(leader, 0, h, data);

        assertEq(inbox.recordCount(), 1);
        assertEq(inbox.recordHash(0), expectedHash);
        assertEq(inbox.lastRecordHash(), expectedHash);
        assertEq(inbox.lastL2Block(), 1);
        (bool forced,) = inbox.censoredEpochOf(0);
        assertFalse(forced);
    }

    function test_submitRecord_chainsRecordsAcrossEpochs() public {
        bytes32 prev;
        uint64 nextBlock = 1;
        for (uint256 i; i < 5; ++i) {
            bytes memory data = _emptyData(i + 1);
            IBatchInbox.BatchHeader memory h = _nextHeader(data, i + 1, 0);
            assertEq(h.prevRecordHash, prev);
            assertEq(h.firstBlock, nextBlock);
            _submit(_at(0), 0, h, data);
            prev = _batchStructHash(h);
            nextBlock = h.lastBlock + 1;
            assertEq(inbox.recordHash(i), prev);
            assertEq(inbox.lastRecordHash(), prev);
            assertEq(inbox.lastL2Block(), h.lastBlock);
            assertEq(inbox.recordCount(), i + 1);
            // Two records in some epochs, a new epoch for others.
            if (i % 2 == 1) _rollToEpoch(registry.currentEpoch() + 1);
        }
        assertEq(inbox.lastL2Block(), 15);
    }

    function test_submitRecord_acceptsTransactions() public {
        bytes[] memory txs = new bytes[](3);
        txs[0] = hex"01";
        txs[1] = _randomBytes(1, 200);
        txs[2] = _randomBytes(2, 70);
        bytes memory data = _oneBlockData(txs);
        _submit(_at(0), 0, _nextHeader(data, 1, 3), data);
        assertEq(inbox.recordCount(), 1);
    }

    function test_submitRecord_signerMayPost() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.prank(leader.signer);
        inbox.submitRecord(h, 0, sig, data);
        assertEq(inbox.recordCount(), 1);
    }

    function test_submitRecord_revertsOnWrongChainId() public {
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.chainId = p.l2ChainId + 1;
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.WrongChainId.selector, p.l2ChainId + 1, p.l2ChainId)
        );
    }

    function test_submitRecord_revertsOnWrongEpoch() public {
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        uint256 current = registry.currentEpoch();
        h.epoch = uint64(current + 1);
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.WrongEpoch.selector, current + 1, current)
        );
        h.epoch = uint64(current - 1);
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.WrongEpoch.selector, current - 1, current)
        );
    }

    function test_submitRecord_revertsOnEmptyBlockRange() public {
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.firstBlock = 2;
        h.lastBlock = 1;
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.EmptyBlockRange.selector, 2, 1)
        );
    }

    function test_submitRecord_revertsWhenDiscontinuousPrevHash() public {
        _post(_at(0), 0);
        bytes32 last = inbox.lastRecordHash();
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.prevRecordHash = bytes32(0);
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.Discontinuous.selector, bytes32(0), last, uint64(2), uint64(2))
        );
        h.prevRecordHash = keccak256("other");
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(
                IBatchInbox.Discontinuous.selector, keccak256("other"), last, uint64(2), uint64(2)
            )
        );
    }

    function test_submitRecord_revertsWhenDiscontinuousFirstBlock() public {
        _post(_at(0), 0);
        bytes32 last = inbox.lastRecordHash();
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.firstBlock = 3;
        h.lastBlock = 3;
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.Discontinuous.selector, last, last, uint64(3), uint64(2))
        );
        h.firstBlock = 1; // a replay of block 1
        h.lastBlock = 1;
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.Discontinuous.selector, last, last, uint64(1), uint64(2))
        );
    }

    function test_submitRecord_revertsOnReplayOfPostedRecord() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        _submit(leader, 0, h, data);
        bytes32 last = inbox.lastRecordHash();
        _expectRevertSubmit(
            leader,
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.Discontinuous.selector, bytes32(0), last, uint64(1), uint64(2))
        );
    }

    function test_submitRecord_revertsOnDataHashMismatch() public {
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.dataHash = keccak256("x");
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.DataHashMismatch.selector, keccak256("x"), _dataHash(data, 1))
        );
    }

    function test_submitRecord_revertsOnTxCountMismatch() public {
        bytes[] memory txs = new bytes[](2);
        txs[0] = hex"aa";
        txs[1] = hex"bbcc";
        bytes memory data = _oneBlockData(txs);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 1);
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.TxCountMismatch.selector, 1, 2)
        );
    }

    function test_submitRecord_revertsOnWrongSigner() public {
        Op memory leader = _at(0);
        Op memory other = _at(1);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _signBatch(other.signerKey, h);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.WrongSigner.selector, other.signer, leader.signer));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_submitRecord_revertsOnSignatureOverOtherHeader() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        // Signed with another forceIndex: the posted header is not what the leader signed.
        bytes memory sig = _signBatch(leader.signerKey, _withForceIndex(h, 5));
        address recovered = _recover(_batchStructHash(h), sig);
        assertTrue(recovered != leader.signer);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.WrongSigner.selector, recovered, leader.signer));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function _withForceIndex(IBatchInbox.BatchHeader memory h, uint64 forceIndex)
        internal
        pure
        returns (IBatchInbox.BatchHeader memory c)
    {
        c = IBatchInbox.BatchHeader({
            chainId: h.chainId,
            epoch: h.epoch,
            firstBlock: h.firstBlock,
            lastBlock: h.lastBlock,
            prevRecordHash: h.prevRecordHash,
            dataHash: h.dataHash,
            txCount: h.txCount,
            forceIndex: forceIndex
        });
    }

    function test_submitRecord_revertsWhenNotScheduledSequencer() public {
        Op memory leader = _at(0);
        Op memory other = _at(1);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBatchInbox.NotScheduledSequencer.selector, other.operator, leader.operator
            )
        );
        vm.prank(other.operator);
        inbox.submitRecord(h, 0, sig, data);
        // A stranger relaying the leader's valid signature is refused too.
        vm.expectRevert(
            abi.encodeWithSelector(IBatchInbox.NotScheduledSequencer.selector, user, leader.operator)
        );
        vm.prank(user);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_submitRecord_revertsWhenLeaderJailed() public {
        Op memory leader = _at(0);
        _jail(leader, 1);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        _expectRevertSubmit(
            leader,
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.SequencerInactive.selector, leader.operator)
        );
    }

    function test_submitRecord_revertsWhenOverdueNotConsumed() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        vm.roll(block.number + p.inclusionDelay + 1);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        assertEq(h.forceIndex, 2);
        h.forceIndex = 1;
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, 1, 2)
        );
        h.forceIndex = 0;
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, 0, 2)
        );
        h.forceIndex = 2;
        _submit(_at(0), 0, h, data);
        assertEq(queue.cursor(), 2);
    }

    function test_submitRecord_revertsOnForceIndexPastQueue() public {
        _enqueue(hex"01");
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.forceIndex = 2;
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 2, 0, 1)
        );
    }

    function test_submitRecord_revertsOnForceIndexBeforeCursor() public {
        _enqueue(hex"01");
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        h.forceIndex = 1;
        _submit(_at(0), 0, h, data);
        (h, data) = _header();
        h.forceIndex = 0;
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 0, 1, 1)
        );
    }

    function test_submitRecord_rejectsSignatureForOtherL1Chain() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _signForDomain(leader.signerKey, _batchStructHash(h), 1, address(inbox));
        address recovered = _recover(_batchStructHash(h), sig);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.WrongSigner.selector, recovered, leader.signer));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_submitRecord_rejectsReplayAfterChainSplit() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _signBatch(leader.signerKey, h); // signed on this chain
        vm.chainId(12_345);
        assertEq(inbox.domainSeparator(), _domainSeparator()); // recomputed for the fork
        address recovered = _recover(_batchStructHash(h), sig);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.WrongSigner.selector, recovered, leader.signer));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_submitRecord_rejectsSignatureForOtherContract() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig =
            _signForDomain(leader.signerKey, _batchStructHash(h), block.chainid, address(0xdead));
        address recovered = _recover(_batchStructHash(h), sig);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.WrongSigner.selector, recovered, leader.signer));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }

    function test_submitRecord_rejectsHighS() public {
        Op memory leader = _at(0);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        bytes memory sig = _malleate(_signBatch(leader.signerKey, h));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, _sOf(sig)));
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }
}

contract BatchInbox_MalformedData_Test is BatchInboxTest {
    function _expectMalformed(bytes memory data, uint256 blocks, uint32 txCount, uint256 offset) internal {
        IBatchInbox.BatchHeader memory h = _nextHeader(data, blocks, txCount);
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.MalformedBatchData.selector, offset)
        );
    }

    function test_submitRecord_revertsOnBadVersion() public {
        bytes memory data = _emptyData(1);
        data[0] = 0x02;
        _expectMalformed(data, 1, 0, 0);
        _expectMalformed(hex"00", 1, 0, 0);
    }

    function test_submitRecord_revertsOnEmptyData() public {
        _expectMalformed("", 1, 0, 0);
    }

    function test_submitRecord_revertsOnTruncatedBlockHeader() public {
        _expectMalformed(bytes.concat(BATCH_PREFIX, hex"0000000065"), 1, 0, 21);
        _expectMalformed(BATCH_PREFIX, 1, 0, 21);
        // The prefix itself cut short: the version byte alone, or a partial fee recipient.
        _expectMalformed(hex"01", 1, 0, 0);
        _expectMalformed(hex"01000000000000000000000000000000000000fe", 1, 0, 0);
    }

    function test_submitRecord_revertsOnZeroLengthTx() public {
        bytes memory data = bytes.concat(BATCH_PREFIX, bytes8(uint64(1)), bytes2(uint16(1)), bytes3(0));
        _expectMalformed(data, 1, 1, 31);
    }

    function test_submitRecord_revertsOnTxPastEnd() public {
        bytes memory data =
            bytes.concat(BATCH_PREFIX, bytes8(uint64(1)), bytes2(uint16(1)), bytes3(uint24(5)), hex"aabb");
        _expectMalformed(data, 1, 1, 31);
        // The length prefix itself cut short.
        data = bytes.concat(BATCH_PREFIX, bytes8(uint64(1)), bytes2(uint16(1)), hex"00");
        _expectMalformed(data, 1, 1, 31);
        // Second tx past the end.
        data = bytes.concat(
            BATCH_PREFIX,
            bytes8(uint64(1)),
            bytes2(uint16(2)),
            bytes3(uint24(1)),
            hex"aa",
            bytes3(uint24(2)),
            hex"bb"
        );
        _expectMalformed(data, 1, 2, 35);
    }

    function test_submitRecord_revertsOnTrailingBytes() public {
        _expectMalformed(bytes.concat(_emptyData(1), hex"00"), 1, 0, 31);
    }

    function test_submitRecord_revertsOnTooFewBlocks() public {
        _expectMalformed(_emptyData(1), 2, 0, 31);
        _expectMalformed(_emptyData(2), 5, 0, 41);
    }

    function test_submitRecord_revertsOnTooManyBlocks() public {
        _expectMalformed(_emptyData(2), 1, 0, 31);
    }

    function test_submitRecord_acceptsManyBlocksWithTransactions() public {
        bytes memory data = BATCH_PREFIX;
        uint32 total;
        for (uint256 b; b < 4; ++b) {
            data = bytes.concat(data, bytes8(uint64(b)), bytes2(uint16(b)));
            for (uint256 t; t < b; ++t) {
                bytes memory body = _randomBytes(b * 10 + t, 1 + t * 17);
                data = bytes.concat(data, bytes3(uint24(body.length)), body);
                ++total;
            }
        }
        _submit(_at(0), 0, _nextHeader(data, 4, total), data);
        assertEq(inbox.lastL2Block(), 4);
    }

    /// @dev Whatever the bytes, the parser either accepts them or reports a framing fault.
    function testFuzz_submitRecord_randomDataOnlyParserErrors(
        bytes calldata data,
        uint8 blocks,
        uint32 txCount
    ) public {
        blocks = uint8(bound(blocks, 1, 8));
        Op memory leader = _at(0);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, blocks, txCount);
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.prank(leader.operator);
        try inbox.submitRecord(h, 0, sig, data) {
            assertEq(inbox.recordCount(), 1);
        } catch (bytes memory err) {
            bytes4 selector = bytes4(err);
            assertTrue(
                selector == IBatchInbox.MalformedBatchData.selector
                    || selector == IBatchInbox.TxCountMismatch.selector
                    || selector == IBatchInbox.TooManyTransactions.selector
                    || selector == IBatchInbox.TransactionTooLarge.selector,
                "unexpected revert"
            );
        }
    }

    /// @dev Valid framing with random transaction lengths is always accepted.
    function testFuzz_submitRecord_acceptsValidFraming(uint256 seed, uint8 blocks) public {
        blocks = uint8(bound(blocks, 1, 5));
        bytes memory data = BATCH_PREFIX;
        uint32 total;
        for (uint256 b; b < blocks; ++b) {
            uint256 n = uint256(keccak256(abi.encode(seed, b))) % 4;
            data = bytes.concat(data, bytes8(uint64(seed >> 8)), bytes2(uint16(n)));
            for (uint256 t; t < n; ++t) {
                uint256 len = 1 + uint256(keccak256(abi.encode(seed, b, t))) % 300;
                data = bytes.concat(
                    data,
                    bytes3(uint24(len)),
                    _randomBytes(uint256(keccak256(abi.encode(seed, b, t, 1))), len)
                );
                ++total;
            }
        }
        _submit(_at(0), 0, _nextHeader(data, blocks, total), data);
        assertEq(inbox.lastL2Block(), blocks);
    }

    function testFuzz_submitRecord_posterMayBeOperatorOrSigner(bool useSigner, uint8 blocks) public {
        blocks = uint8(bound(blocks, 1, 10));
        Op memory leader = _at(0);
        bytes memory data = _emptyData(blocks);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, blocks, 0);
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.expectEmit(address(inbox));
        emit IBatchInbox.RecordAppended(0, _batchStructHash(h), h.epoch, leader.operator, 0, h, false);
        vm.prank(useSigner ? leader.signer : leader.operator);
        inbox.submitRecord(h, 0, sig, data);
    }
}

/// @notice The record caps (issue 15, finding 1): what keeps every step of every record provable
///         in one L1 transaction (test/gas/ProofBound.t.sol measures the worst step they allow).
contract BatchInbox_RecordCaps_Test is BatchInboxTest {
    /// @dev `n` one-byte transactions in one block.
    function _tinyRecord(uint256 n) internal pure returns (bytes memory data) {
        bytes[] memory txs = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            txs[i] = hex"02";
        }
        data = _oneBlockData(txs);
    }

    /// The attack of the review: a bonded sequencer posts, on its turn, one record of 31,000
    /// one-byte transactions (124,031 bytes). Before the caps the inbox accepted it, and the
    /// honest proof of its last transaction needed 17.57 M gas, more than one L1 transaction
    /// may use: the challenger could not finish and a lie stood. Now the inbox refuses it.
    function test_attack_recordOf31000OneByteTransactions_isRefused() public {
        bytes memory data = _tinyRecord(31_000);
        assertEq(data.length, 124_031);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 31_000);
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.RecordTooLarge.selector, 124_031, inbox.maxRecordBytes())
        );
    }

    /// The same attack with one 2,020,000-byte transaction.
    function test_attack_oneHugeTransaction_isRefused() public {
        bytes[] memory txs = new bytes[](1);
        txs[0] = new bytes(2_020_000);
        bytes memory data = _oneBlockData(txs);
        // The size is refused before the data is read, so the header's dataHash need not be its
        // commitment (computing that with the test model would take a billion gas).
        IBatchInbox.BatchHeader memory h = _nextHeader(_emptyData(1), 1, 1);
        h.dataHash = keccak256(data);
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.RecordTooLarge.selector, data.length, inbox.maxRecordBytes())
        );
    }

    /// Under the byte cap, the transaction-count cap holds.
    function test_submitRecord_revertsAboveMaxRecordTxs() public {
        uint256 max = inbox.maxRecordTxs();
        bytes memory data = _tinyRecord(max + 1);
        assertLe(data.length, inbox.maxRecordBytes());
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, uint32(max + 1));
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.TooManyTransactions.selector, max + 1, max)
        );
    }

    /// A transaction over the queue's maxTxSize is refused where it starts.
    function test_submitRecord_revertsOnATransactionAboveMaxTxLength() public {
        bytes[] memory txs = new bytes[](2);
        txs[0] = hex"02";
        txs[1] = new bytes(inbox.maxTxLength() + 1);
        bytes memory data = _oneBlockData(txs);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 2);
        uint256 at = BATCH_PREFIX.length + 10 + 4;
        _expectRevertSubmit(
            _at(0),
            0,
            h,
            data,
            abi.encodeWithSelector(
                IBatchInbox.TransactionTooLarge.selector, at, inbox.maxTxLength() + 1, inbox.maxTxLength()
            )
        );
    }

    /// Exactly at every cap the record is accepted.
    function test_submitRecord_acceptsARecordAtTheCaps() public {
        uint256 max = inbox.maxRecordTxs();
        bytes memory data = _tinyRecord(max);
        _submit(_at(0), 0, _nextHeader(data, 1, uint32(max)), data);
        assertEq(inbox.recordCount(), 1);

        bytes[] memory txs = new bytes[](1);
        txs[0] = new bytes(inbox.maxTxLength());
        txs[0][0] = 0x02;
        data = _oneBlockData(txs);
        _submit(_at(0), 0, _nextHeader(data, 1, 1), data);
        assertEq(inbox.recordCount(), 2);
    }

    function test_views_reportTheCaps() public view {
        assertEq(inbox.maxRecordBytes(), p.maxRecordBytes);
        assertEq(inbox.maxRecordTxs(), p.maxRecordTxs);
        assertEq(inbox.maxTxLength(), queue.maxTxSize());
    }
}

contract BatchInbox_Rank_Test is BatchInboxTest {
    function test_submitRecord_revertsWhenBackupBeforeTimeout() public {
        uint256 start = _epochStart();
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        _expectRevertSubmit(
            _at(1),
            1,
            h,
            data,
            abi.encodeWithSelector(
                IBatchInbox.RankNotEligible.selector, 1, start + p.leaderTimeout, type(uint256).max
            )
        );
        vm.roll(start + p.leaderTimeout - 1);
        _expectRevertSubmit(
            _at(1),
            1,
            h,
            data,
            abi.encodeWithSelector(
                IBatchInbox.RankNotEligible.selector, 1, start + p.leaderTimeout, type(uint256).max
            )
        );
        vm.roll(start + 2 * p.leaderTimeout - 1);
        _expectRevertSubmit(
            _at(2),
            2,
            h,
            data,
            abi.encodeWithSelector(
                IBatchInbox.RankNotEligible.selector, 2, start + 2 * p.leaderTimeout, type(uint256).max
            )
        );
    }

    function test_submitRecord_backupPostsAfterTimeout() public {
        uint256 start = _epochStart();
        vm.roll(start + p.leaderTimeout);
        Op memory backup = _at(1);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        vm.expectEmit(address(inbox));
        emit IBatchInbox.RecordAppended(0, _batchStructHash(h), h.epoch, backup.operator, 1, h, false);
        _submit(backup, 1, h, data);
        (bool posted, uint256 acting, bool leaderPosted) = inbox.epochPosting(h.epoch);
        assertTrue(posted);
        assertEq(acting, 1);
        assertFalse(leaderPosted);
        // The backup keeps posting this epoch.
        _post(backup, 1);
        assertEq(inbox.recordCount(), 2);
    }

    function test_submitRecord_revertsForOtherRankOnceActing() public {
        uint256 start = _epochStart();
        _post(_at(0), 0);
        vm.roll(start + p.leaderTimeout);
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        _expectRevertSubmit(
            _at(1),
            1,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.RankNotEligible.selector, 1, start + p.leaderTimeout, 0)
        );
        // And the leader may not come back once a backup acts.
        _rollToEpoch(registry.currentEpoch() + 1);
        start = _epochStart();
        vm.roll(start + 2 * p.leaderTimeout);
        _post(_at(2), 2);
        (h, data) = _header();
        _expectRevertSubmit(
            _at(0), 0, h, data, abi.encodeWithSelector(IBatchInbox.RankNotEligible.selector, 0, start, 2)
        );
        _expectRevertSubmit(
            _at(1),
            1,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.RankNotEligible.selector, 1, start + p.leaderTimeout, 2)
        );
    }

    function test_submitRecord_takeOverAfterActingJailed() public {
        uint256 start = _epochStart();
        Op memory leader = _at(0);
        Op memory backup = _at(1);
        _post(leader, 0);
        _jail(leader, 100);
        // Not before the backup's own timeout.
        (IBatchInbox.BatchHeader memory h, bytes memory data) = _header();
        _expectRevertSubmit(
            backup,
            1,
            h,
            data,
            abi.encodeWithSelector(IBatchInbox.RankNotEligible.selector, 1, start + p.leaderTimeout, 0)
        );
        vm.roll(start + p.leaderTimeout);
        _post(backup, 1);
        (bool posted, uint256 acting, bool leaderPosted) = inbox.epochPosting(registry.currentEpoch());
        assertTrue(posted);
        assertEq(acting, 1);
        assertTrue(leaderPosted);
    }

    function test_submitRecord_leaderTakesOverFromJailedBackup() public {
        uint256 start = _epochStart();
        Op memory backup = _at(1);
        vm.roll(start + p.leaderTimeout);
        _post(backup, 1);
        _jail(backup, 100);
        _post(_at(0), 0);
        (bool posted, uint256 acting, bool leaderPosted) = inbox.epochPosting(registry.currentEpoch());
        assertTrue(posted);
        assertEq(acting, 0);
        assertTrue(leaderPosted);
    }

    function test_epochPosting_bookkeeping() public {
        uint256 epoch = registry.currentEpoch();
        (bool posted, uint256 acting, bool leaderPosted) = inbox.epochPosting(epoch);
        assertFalse(posted);
        assertEq(acting, 0);
        assertFalse(leaderPosted);
        _post(_at(0), 0);
        (posted, acting, leaderPosted) = inbox.epochPosting(epoch);
        assertTrue(posted);
        assertEq(acting, 0);
        assertTrue(leaderPosted);
        // Next epoch untouched.
        (posted,,) = inbox.epochPosting(epoch + 1);
        assertFalse(posted);
        // Forced records do not count as a posting.
        _rollToEpoch(epoch + 1);
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        inbox.submitForcedRecord(1);
        (posted,,) = inbox.epochPosting(registry.currentEpoch());
        assertFalse(posted);
    }
}

contract BatchInbox_SubmitForcedRecord_Test is BatchInboxTest {
    function test_submitForcedRecord_appendsRecord() public {
        _post(_at(0), 0);
        bytes32 prev = inbox.lastRecordHash();
        _enqueue(hex"01");
        uint64 deadline = queue.deadlineOf(0);
        vm.roll(block.number + 1);
        _enqueue(_randomBytes(1, 100));
        vm.roll(block.number + p.inclusionDelay + 1);

        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: p.l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: 2,
            lastBlock: 2,
            prevRecordHash: prev,
            dataHash: bytes32(0),
            txCount: 0,
            forceIndex: 2
        });
        address forcer = makeAddr("forcer");
        vm.expectEmit(address(inbox));
        emit IBatchInbox.RecordAppended(1, _batchStructHash(h), h.epoch, address(0), 0, h, true);
        vm.prank(forcer);
        vm.warp(1_800_000_123);
        inbox.submitForcedRecord(2);
        // Its L2 block's time is the L1 block's, kept for a dispute over that block.
        assertEq(inbox.forcedTimestampOf(1), 1_800_000_123);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.NotAForcedRecord.selector, 0));
        inbox.forcedTimestampOf(0);
        vm.expectRevert(abi.encodeWithSelector(IBatchInbox.NotAForcedRecord.selector, 2));
        inbox.forcedTimestampOf(2);

        assertEq(inbox.recordCount(), 2);
        assertEq(inbox.recordHash(1), _batchStructHash(h));
        assertEq(inbox.lastRecordHash(), _batchStructHash(h));
        assertEq(inbox.lastL2Block(), 2);
        assertEq(queue.cursor(), 2);
        (bool forced, uint256 epoch) = inbox.censoredEpochOf(1);
        assertTrue(forced);
        assertEq(epoch, registry.epochOf(deadline));
        (forced, epoch) = inbox.censoredEpochOf(0);
        assertFalse(forced);
        assertEq(epoch, 0);
        uint256 rank;
        (forced, epoch, rank) = inbox.censorshipOf(0);
        assertFalse(forced);
        assertEq(epoch, 0);
        assertEq(rank, 0);

        // The chain continues from the forced record.
        _post(_at(0), 0);
        assertEq(inbox.lastL2Block(), 3);
    }

    /// @dev The blame is fixed when the forced record lands: the acting rank of the censored
    ///      epoch at the deadline (here a backup that posted and left the entry, not yet due),
    ///      packed with the epoch in the word censoredEpochOf already reads.
    function test_submitForcedRecord_recordsResponsibleRank() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 start = registry.epochStartBlock(censored);
        uint256 deadline = start + p.epochLength - 1;
        vm.roll(deadline - p.inclusionDelay);
        _enqueue(hex"01");
        vm.roll(start + p.leaderTimeout);
        _post(_at(1), 1); // leaves the entry: it is not due yet
        vm.roll(deadline + 1);
        vm.expectEmit(address(inbox));
        emit IBatchInbox.CensorshipRecorded(1, censored, 1);
        inbox.submitForcedRecord(1);
        (bool forced, uint256 epoch, uint256 rank) = inbox.censorshipOf(1);
        assertTrue(forced);
        assertEq(epoch, censored);
        assertEq(rank, 1);
        (forced, epoch) = inbox.censoredEpochOf(1);
        assertTrue(forced);
        assertEq(epoch, censored);
    }

    /// @dev Nobody had posted in the censored epoch by the deadline: the leader is blamed, and a
    ///      backup posting in that epoch after the forced record leaves the record untouched.
    function test_submitForcedRecord_blamesLeaderOfSilentEpoch() public {
        uint256 censored = registry.currentEpoch() + 4;
        uint256 start = registry.epochStartBlock(censored);
        vm.roll(start + 1 - p.inclusionDelay);
        _enqueue(hex"01");
        vm.roll(start + 2);
        vm.expectEmit(address(inbox));
        emit IBatchInbox.CensorshipRecorded(0, censored, 0);
        inbox.submitForcedRecord(1);
        vm.roll(start + 2 * p.leaderTimeout);
        _post(_at(2), 2);
        (bool forced, uint256 epoch, uint256 rank) = inbox.censorshipOf(0);
        assertTrue(forced);
        assertEq(epoch, censored);
        assertEq(rank, 0);
    }

    function test_submitForcedRecord_partialRange() public {
        _enqueue(hex"01");
        _enqueue(hex"02");
        vm.roll(block.number + p.inclusionDelay + 1);
        inbox.submitForcedRecord(1);
        assertEq(queue.cursor(), 1);
        inbox.submitForcedRecord(2);
        assertEq(queue.cursor(), 2);
        assertEq(inbox.recordCount(), 2);
        assertEq(inbox.lastL2Block(), 2);
    }

    /// @dev IBatchInbox: NothingOverdue when "a forced record was requested but no entry is overdue".
    function test_submitForcedRecord_revertsWithNothingOverdueWhenQueueEmpty() public {
        vm.expectRevert(IBatchInbox.NothingOverdue.selector);
        inbox.submitForcedRecord(0);
        vm.expectRevert(IBatchInbox.NothingOverdue.selector);
        inbox.submitForcedRecord(1);
    }

    function test_submitForcedRecord_revertsWithNothingOverdueBeforeDeadline() public {
        _enqueue(hex"01");
        vm.expectRevert(IBatchInbox.NothingOverdue.selector);
        inbox.submitForcedRecord(1);
        vm.roll(queue.deadlineOf(0)); // the deadline block itself: still includable
        vm.expectRevert(IBatchInbox.NothingOverdue.selector);
        inbox.submitForcedRecord(1);
    }

    function test_submitForcedRecord_revertsWithNothingOverdueOnceConsumed() public {
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        inbox.submitForcedRecord(1);
        vm.expectRevert(IBatchInbox.NothingOverdue.selector);
        inbox.submitForcedRecord(1);
    }

    function test_submitForcedRecord_revertsWhenNotOverdue() public {
        _enqueue(hex"01");
        uint64 d0 = queue.deadlineOf(0);
        vm.roll(block.number + 1);
        _enqueue(hex"02");
        uint64 d1 = queue.deadlineOf(1);
        vm.roll(d0 + 1);
        // Entry 0 is overdue, entry 1 is not yet: a forced record may not take it along.
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.NotOverdue.selector, 1, d1));
        inbox.submitForcedRecord(2);
        inbox.submitForcedRecord(1);
        assertEq(queue.cursor(), 1);
    }

    function test_submitForcedRecord_revertsOnBadRange() public {
        _enqueue(hex"01");
        vm.roll(block.number + p.inclusionDelay + 1);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 2, 0, 1));
        inbox.submitForcedRecord(2);
        vm.expectRevert(abi.encodeWithSelector(IForceInclusionQueue.BadConsumeRange.selector, 0, 0, 1));
        inbox.submitForcedRecord(0);
        inbox.submitForcedRecord(1);
        assertEq(queue.cursor(), 1);
    }
}
