// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IForceInclusionQueue
/// @notice The censorship escape hatch: anyone enqueues an L2 transaction on L1 for a fee. Each
///         entry must be consumed by a BatchInbox record before its deadline; after it, every
///         sequenced record must consume it (or as many entries as a record may,
///         `maxRecordEntries`) and anyone may append a forced record that does.
///         Entries are opaque bytes here: a malformed one becomes a no-op in the L2 STF, so no
///         content can ever block the queue.
interface IForceInclusionQueue {
    /// @notice A transaction entered the queue.
    /// @param index Position in the queue.
    /// @param sender Who paid the fee.
    /// @param deadline Last L1 block in which a record may leave this entry unconsumed:
    ///        `inclusionDelay` blocks after this one, or later under a flood (at most
    ///        `maxRecordEntries` entries fall due in any two consecutive blocks).
    /// @param accumulatorBefore The queue's accumulator over the entries before this one
    ///        (`accumulatorOf(index)`); this entry's is `accumulate(accumulatorBefore,
    ///        commitmentFor(sender, transaction))`.
    /// @param transaction The raw L2 transaction bytes, as given.
    event Enqueued(
        uint256 indexed index,
        address indexed sender,
        uint64 deadline,
        bytes32 accumulatorBefore,
        bytes transaction
    );
    /// @notice Entries [fromIndex, toIndex) were consumed by a record; their fees go to `includer`.
    event Consumed(uint256 fromIndex, uint256 toIndex, address indexed includer, uint256 fees);
    /// @notice An includer withdrew the fees of the entries it consumed.
    event FeesClaimed(address indexed includer, uint256 amount);

    /// @notice `enqueue` was paid a value other than `inclusionFee()`.
    error WrongFee(uint256 sent, uint256 fee);
    /// @notice The transaction is empty or larger than `maxTxSize()`.
    error BadTxSize(uint256 size, uint256 maxTxSize);
    /// @notice Only the BatchInbox may consume entries.
    error NotInbox(address caller);
    /// @notice A record must consume at least up to `required` (every overdue entry, or
    ///         `maxRecordEntries` of them).
    error OverdueNotConsumed(uint256 upTo, uint256 required);
    /// @notice A record may consume at most `maxRecordEntries` entries.
    error TooManyEntries(uint256 count, uint256 maxRecordEntries);
    /// @notice `upTo` is before the cursor or past the end of the queue.
    error BadConsumeRange(uint256 upTo, uint256 cursor, uint256 length);
    /// @notice `accumulatorOf` was asked for more entries than the queue holds.
    error EntriesOutOfRange(uint256 count, uint256 length);
    /// @notice A forced record may only consume entries that are overdue.
    error NotOverdue(uint256 index, uint256 deadline);
    /// @notice No fees to claim.
    error NoFees();
    /// @notice An ETH transfer failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Enqueue a raw L2 transaction. Pays exactly `inclusionFee()`.
    /// @return index The entry's position.
    function enqueue(bytes calldata transaction) external payable returns (uint256 index);
    /// @notice Mark entries [cursor, upTo) consumed by a sequenced record, crediting `includer`
    ///         with their fees. Reverts if that is more than `maxRecordEntries`, and unless every
    ///         overdue entry is below `upTo` or the record consumes `maxRecordEntries`.
    /// @dev Only the BatchInbox.
    function consume(uint256 upTo, address includer) external;
    /// @notice Mark entries [cursor, upTo) consumed by a forced record; each must be overdue, and
    ///         they may be at most `maxRecordEntries`.
    /// @dev Only the BatchInbox.
    /// @return firstDeadline The deadline of the first consumed entry (whose leader censored).
    function consumeForced(uint256 upTo, address includer) external returns (uint64 firstDeadline);
    /// @notice Withdraw the fees credited to the caller for consumed entries.
    function claimFees() external;

    /// @notice Number of entries ever enqueued.
    function length() external view returns (uint256);
    /// @notice Index of the first entry not yet consumed.
    function cursor() external view returns (uint256);
    /// @notice Last L1 block in which entry `index` may still be left unconsumed.
    function deadlineOf(uint256 index) external view returns (uint64);
    /// @notice The queue's accumulator over its first `count` entries: zero for none, and
    ///         `accumulatorOf(i + 1) = accumulate(accumulatorOf(i), commitmentFor(sender_i,
    ///         transaction_i))`. One value names every entry before it, so a dispute names the
    ///         entries a block consumes by one storage read, however many they are
    ///         (`BlockClaim`'s `entriesAccumulator`). Reverts `EntriesOutOfRange` past the end.
    function accumulatorOf(uint256 count) external view returns (bytes32);
    /// @notice Whether entry `index` is `transaction` enqueued by `sender` (false past the end).
    function isEntry(uint256 index, address sender, bytes calldata transaction) external view returns (bool);
    /// @notice One step of the accumulator: keccak256(accumulator ‖ commitment).
    function accumulate(bytes32 accumulator, bytes32 commitment) external pure returns (bytes32);
    /// @notice The commitment of `transaction` enqueued by `sender`: keccak256(sender ‖
    ///         transaction), all 32 bytes. Binding the sender lets a fraud proof recognise
    ///         the portal's deposit entries (docs/protocol.md, "Force inclusion").
    function commitmentFor(address sender, bytes calldata transaction) external pure returns (bytes32);
    /// @notice The smallest index a sequenced record may consume up to right now: the first
    ///         entry not overdue, or `cursor() + maxRecordEntries()` if that is less. A forced
    ///         record may be appended up to it while it is above the cursor.
    function requiredCursor() external view returns (uint256);
    /// @notice Most entries one record consumes. Each costs the fault-proof VM a few million
    ///         steps in the record's first block, which must stay provable (docs/evm.md).
    function maxRecordEntries() external view returns (uint256);
    /// @notice Fees credited to `includer` and not yet claimed.
    function feesOf(address includer) external view returns (uint256);
    /// @notice Fee in wei for one entry.
    function inclusionFee() external view returns (uint256);
    /// @notice Maximum size in bytes of one transaction.
    function maxTxSize() external view returns (uint256);
    /// @notice The BatchInbox, the only contract that may consume entries.
    function inbox() external view returns (address);
    /// @notice L1 blocks between enqueue and deadline.
    function inclusionDelay() external view returns (uint256);
}
