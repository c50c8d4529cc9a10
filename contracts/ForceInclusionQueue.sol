// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {QueueBounds} from "./types/QueueBounds.sol";

/// @title ForceInclusionQueue
/// @notice See IForceInclusionQueue. Each entry has a storage word for the queue's accumulator
///         after it, keccak256(previous accumulator ‖ commitment) with the commitment
///         keccak256(sender ‖ tx) (Arbitrum's delayed inbox keeps the same kind of chain), and a
///         quarter word for its deadline (four uint64 deadlines share a word, so three enqueues
///         in four update a word instead of creating one). The commitment binds who enqueued an
///         entry, so a fraud proof can tell the portal's deposits from anyone else's bytes; the
///         chain lets one stored word name every entry before it, so a dispute reads a block's
///         entries in O(1) on L1 whatever their number. All 32 bytes are kept so that forging
///         an entry costs a keccak256 preimage, not a birthday search on a truncated hash.
///         Deadlines never decrease (see below), so the overdue entries are always a prefix of
///         the unconsumed ones: one comparison decides whether a record consumed all of them.
///         The fee of an entry goes to whoever consumes it.
///
///         A record consumes at most `maxRecordEntries` (M) entries: the fault-proof VM runs
///         each one in the record's first block (a few million steps apiece), and that block's
///         execution must stay far inside what the dispute game can bisect. So that a sequencer
///         posting a full record every DUE_SPACING L1 blocks always keeps up, at most M entries
///         fall due in any DUE_SPACING consecutive blocks: an entry is due `inclusionDelay`
///         blocks after it is enqueued, or DUE_SPACING blocks after the entry M places before
///         it, whichever is later. A flood of entries thus delays its own deadlines (and those
///         behind it) instead of making the honest sequencer look like a censor; flooding costs
///         an L1 transaction and the inclusion fee per entry (docs/protocol.md, "Force
///         inclusion").
contract ForceInclusionQueue is IForceInclusionQueue {
    address internal immutable INBOX;
    uint256 internal immutable INCLUSION_FEE;
    uint256 internal immutable MAX_TX_SIZE;
    uint256 internal immutable INCLUSION_DELAY;
    uint256 internal immutable MAX_RECORD_ENTRIES;

    /// @notice L1 blocks within which at most `maxRecordEntries` entries fall due: the pace, in
    ///         full records, that a sequencer must keep up to consume a flood on time.
    uint256 public constant DUE_SPACING = 2;
    /// @notice Ceiling on `maxRecordEntries`: an entry costs the fault-proof VM a few million
    ///         steps (recovering a signed entry's sender dominates), so 1,024 of them stay
    ///         under 2^32 steps, a sixteenth of what the EVM dispute game bisects (2^36).
    uint256 public constant RECORD_ENTRIES_LIMIT = 1024;

    /// @dev Entry i's word: `accumulatorOf(i + 1)`.
    mapping(uint256 index => bytes32 accumulator) internal _accumulators;
    /// @dev Word index / 4 holds the deadlines of entries 4w .. 4w+3, entry i in bits 64·(i % 4).
    mapping(uint256 word => uint256 deadlines) internal _deadlineWords;
    /// @dev length | cursor (contracts/types/QueueBounds.sol): read together on every record.
    QueueBounds internal _lengthAndCursor;
    mapping(address includer => uint256) internal _fees;

    /// @notice A constructor parameter is out of range.
    error InvalidParameter(string name);

    constructor(
        address inbox_,
        uint256 inclusionFee_,
        uint256 maxTxSize_,
        uint256 inclusionDelay_,
        uint256 maxRecordEntries_
    ) {
        if (inbox_ == address(0)) revert InvalidParameter("inbox");
        if (maxTxSize_ == 0 || maxTxSize_ >= 1 << 24) revert InvalidParameter("maxTxSize");
        if (inclusionDelay_ == 0) revert InvalidParameter("inclusionDelay");
        if (maxRecordEntries_ == 0 || maxRecordEntries_ > RECORD_ENTRIES_LIMIT) {
            revert InvalidParameter("maxRecordEntries");
        }
        INBOX = inbox_;
        INCLUSION_FEE = inclusionFee_;
        MAX_TX_SIZE = maxTxSize_;
        INCLUSION_DELAY = inclusionDelay_;
        MAX_RECORD_ENTRIES = maxRecordEntries_;
    }

    modifier onlyInbox() {
        if (msg.sender != INBOX) revert NotInbox(msg.sender);
        _;
    }

    /// @inheritdoc IForceInclusionQueue
    function enqueue(bytes calldata transaction) external payable returns (uint256 index) {
        if (msg.value != INCLUSION_FEE) revert WrongFee(msg.value, INCLUSION_FEE);
        if (transaction.length == 0 || transaction.length > MAX_TX_SIZE) {
            revert BadTxSize(transaction.length, MAX_TX_SIZE);
        }
        QueueBounds bounds = _lengthAndCursor;
        index = bounds.length();
        uint64 deadline = _deadlineFor(index);
        bytes32 before = _accumulatorBefore(index);
        _accumulators[index] = accumulate(before, commitmentFor(msg.sender, transaction));
        _deadlineWords[index / 4] |= uint256(deadline) << (64 * (index % 4));
        _lengthAndCursor = bounds.setLength(uint128(index + 1));
        emit Enqueued(index, msg.sender, deadline, before, transaction);
    }

    /// @inheritdoc IForceInclusionQueue
    function consume(uint256 upTo, address includer) external onlyInbox {
        QueueBounds bounds = _lengthAndCursor;
        (uint256 length_, uint256 cursor_) = (bounds.length(), bounds.cursor());
        if (upTo < cursor_ || upTo > length_) revert BadConsumeRange(upTo, cursor_, length_);
        _checkCount(upTo - cursor_);
        // The first entry left unconsumed must not be overdue (later ones then aren't either),
        // unless the record consumed as many as a record may.
        if (upTo - cursor_ < MAX_RECORD_ENTRIES && upTo < length_ && _isOverdue(upTo)) {
            revert OverdueNotConsumed(upTo, _requiredCursor(cursor_, length_));
        }
        if (upTo > cursor_) _advance(bounds, cursor_, upTo, includer);
    }

    /// @inheritdoc IForceInclusionQueue
    function consumeForced(uint256 upTo, address includer) external onlyInbox returns (uint64 firstDeadline) {
        QueueBounds bounds = _lengthAndCursor;
        (uint256 length_, uint256 cursor_) = (bounds.length(), bounds.cursor());
        if (upTo <= cursor_ || upTo > length_) revert BadConsumeRange(upTo, cursor_, length_);
        _checkCount(upTo - cursor_);
        // The last consumed entry is overdue, so every one before it is too.
        if (!_isOverdue(upTo - 1)) revert NotOverdue(upTo - 1, deadlineOf(upTo - 1));
        firstDeadline = deadlineOf(cursor_);
        _advance(bounds, cursor_, upTo, includer);
    }

    /// @inheritdoc IForceInclusionQueue
    function claimFees() external {
        uint256 amount = _fees[msg.sender];
        if (amount == 0) revert NoFees();
        _fees[msg.sender] = 0;
        emit FeesClaimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IForceInclusionQueue
    function length() external view returns (uint256) {
        return _lengthAndCursor.length();
    }

    /// @inheritdoc IForceInclusionQueue
    function cursor() external view returns (uint256) {
        return _lengthAndCursor.cursor();
    }

    /// @inheritdoc IForceInclusionQueue
    function deadlineOf(uint256 index) public view returns (uint64) {
        return uint64(_deadlineWords[index / 4] >> (64 * (index % 4)));
    }

    /// @inheritdoc IForceInclusionQueue
    function accumulatorOf(uint256 count) external view returns (bytes32) {
        uint256 length_ = _lengthAndCursor.length();
        if (count > length_) revert EntriesOutOfRange(count, length_);
        return _accumulatorBefore(count);
    }

    /// @inheritdoc IForceInclusionQueue
    function isEntry(uint256 index, address sender, bytes calldata transaction) external view returns (bool) {
        // Past the end the stored word is zero, which no keccak256 output is.
        return
            _accumulators[index] == accumulate(_accumulatorBefore(index), commitmentFor(sender, transaction));
    }

    /// @inheritdoc IForceInclusionQueue
    function accumulate(bytes32 accumulator, bytes32 commitment) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(accumulator, commitment));
    }

    /// @inheritdoc IForceInclusionQueue
    function commitmentFor(address sender, bytes calldata transaction) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(sender, transaction));
    }

    /// @inheritdoc IForceInclusionQueue
    function requiredCursor() external view returns (uint256) {
        QueueBounds bounds = _lengthAndCursor;
        return _requiredCursor(bounds.cursor(), bounds.length());
    }

    /// @inheritdoc IForceInclusionQueue
    function maxRecordEntries() external view returns (uint256) {
        return MAX_RECORD_ENTRIES;
    }

    /// @inheritdoc IForceInclusionQueue
    function feesOf(address includer) external view returns (uint256) {
        return _fees[includer];
    }

    /// @inheritdoc IForceInclusionQueue
    function inclusionFee() external view returns (uint256) {
        return INCLUSION_FEE;
    }

    /// @inheritdoc IForceInclusionQueue
    function maxTxSize() external view returns (uint256) {
        return MAX_TX_SIZE;
    }

    /// @inheritdoc IForceInclusionQueue
    function inbox() external view returns (address) {
        return INBOX;
    }

    /// @inheritdoc IForceInclusionQueue
    function inclusionDelay() external view returns (uint256) {
        return INCLUSION_DELAY;
    }

    function _advance(QueueBounds bounds, uint256 from, uint256 upTo, address includer) private {
        uint256 fees = (upTo - from) * INCLUSION_FEE;
        _lengthAndCursor = bounds.setCursor(uint128(upTo));
        if (fees != 0) _fees[includer] += fees;
        emit Consumed(from, upTo, includer, fees);
    }

    /// @dev `accumulatorOf(index)` unchecked: zero before the first entry.
    function _accumulatorBefore(uint256 index) private view returns (bytes32) {
        return index == 0 ? bytes32(0) : _accumulators[index - 1];
    }

    /// @dev Entry `index`'s deadline if enqueued now: `inclusionDelay` blocks from now, and at
    ///      least DUE_SPACING blocks after the deadline of the entry `maxRecordEntries` before it.
    ///      Both terms never decrease with the index, so neither do deadlines.
    function _deadlineFor(uint256 index) private view returns (uint64) {
        uint256 deadline = block.number + INCLUSION_DELAY;
        if (index >= MAX_RECORD_ENTRIES) {
            uint256 spaced = deadlineOf(index - MAX_RECORD_ENTRIES) + DUE_SPACING;
            if (spaced > deadline) deadline = spaced;
        }
        return uint64(deadline);
    }

    function _checkCount(uint256 count) private view {
        if (count > MAX_RECORD_ENTRIES) revert TooManyEntries(count, MAX_RECORD_ENTRIES);
    }

    function _isOverdue(uint256 index) private view returns (bool) {
        return deadlineOf(index) < block.number;
    }

    /// @dev The first entry from `cursor_` that is not overdue, or `cursor_ + maxRecordEntries`
    ///      if that comes first: how far a sequenced record must consume.
    function _requiredCursor(uint256 cursor_, uint256 length_) private view returns (uint256) {
        uint256 reach = cursor_ + MAX_RECORD_ENTRIES;
        return _firstDeadlineFrom(cursor_, reach < length_ ? reach : length_, block.number);
    }

    /// @dev Binary search over [lo, hi) for the first entry whose deadline is at least
    ///      `blockNumber` (hi if none): the first not overdue at that block. Deadlines never
    ///      decrease, so the entries before it are exactly those overdue then.
    function _firstDeadlineFrom(uint256 lo, uint256 hi, uint256 blockNumber) private view returns (uint256) {
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (deadlineOf(mid) < blockNumber) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
