// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBatchInbox
/// @notice The canonical, append-only sequence of records from which the L2 chain is derived.
///         A sequenced record is posted by the epoch's leader or an eligible backup rank with an
///         EIP-712 batch header signed by that operator's signer; a forced record is appended by
///         anyone when force-queue entries are overdue.
interface IBatchInbox {
    /// @notice The signed header of a sequenced record (EIP-712 type `BatchHeader`).
    /// @param chainId The L2 chain id.
    /// @param epoch The epoch the record is posted in.
    /// @param firstBlock First L2 block number in the record.
    /// @param lastBlock Last L2 block number in the record.
    /// @param prevRecordHash Hash of the previous record (zero for the first).
    /// @param dataHash The batch data's commitment (`BatchData`; docs/protocol.md, "Batch data"):
    ///        keccak256(0x01 ‖ feeRecipient ‖ blocksHash ‖ txRoot), so that one transaction is
    ///        proven by a Merkle path to txRoot.
    /// @param txCount Number of sequenced transactions in the data.
    /// @param forceIndex Force-queue entries [previous forceIndex, forceIndex) are consumed, first.
    struct BatchHeader {
        uint256 chainId;
        uint64 epoch;
        uint64 firstBlock;
        uint64 lastBlock;
        bytes32 prevRecordHash;
        bytes32 dataHash;
        uint32 txCount;
        uint64 forceIndex;
    }

    /// @notice A record was appended.
    /// @param index Position of the record.
    /// @param recordHash The EIP-712 struct hash of its header (the running accumulator).
    /// @param epoch Epoch it was posted in.
    /// @param operator Sequencer that posted it (zero for a forced record).
    /// @param rank The poster's rank in the epoch's schedule.
    /// @param forced Whether anyone appended it to include overdue force-queue entries.
    event RecordAppended(
        uint256 indexed index,
        bytes32 indexed recordHash,
        uint256 indexed epoch,
        address operator,
        uint256 rank,
        BatchHeader header,
        bool forced
    );

    /// @notice Forced record `index` fixed the blame for the entry it found overdue.
    /// @param index Position of the forced record.
    /// @param epoch The censored epoch: the one holding the first consumed entry's deadline block.
    /// @param responsibleRank The rank that held the pen at that deadline: the epoch's acting
    ///        rank if anyone had posted in it by then, else 0 (the leader).
    event CensorshipRecorded(uint256 indexed index, uint256 indexed epoch, uint256 responsibleRank);

    /// @notice The header names another L2 chain.
    error WrongChainId(uint256 got, uint256 expected);
    /// @notice The header names an epoch other than the current one.
    error WrongEpoch(uint256 got, uint256 current);
    /// @notice The header does not continue the last record.
    error Discontinuous(
        bytes32 prevRecordHash, bytes32 lastRecordHash, uint64 firstBlock, uint64 expectedFirstBlock
    );
    /// @notice lastBlock is below firstBlock.
    error EmptyBlockRange(uint64 firstBlock, uint64 lastBlock);
    /// @notice dataHash is not the data's commitment.
    error DataHashMismatch(bytes32 header, bytes32 actual);
    /// @notice The data does not parse as the header's blocks and transactions.
    error MalformedBatchData(uint256 offset);
    /// @notice The data is longer than `maxRecordBytes()`.
    error RecordTooLarge(uint256 length, uint256 max);
    /// @notice The header counts more transactions than `maxRecordTxs()`.
    error TooManyTransactions(uint256 count, uint256 max);
    /// @notice The transaction at `offset` is longer than `maxTxLength()`.
    error TransactionTooLarge(uint256 offset, uint256 length, uint256 max);
    /// @notice The data holds a different number of transactions than the header says.
    error TxCountMismatch(uint256 header, uint256 actual);
    /// @notice The signature does not recover to the scheduled operator's signer.
    error WrongSigner(address recovered, address expected);
    /// @notice The caller is neither the scheduled operator nor its signer.
    error NotScheduledSequencer(address caller, address operator);
    /// @notice A backup rank posted before its timeout, or another rank already acts this epoch.
    error RankNotEligible(uint256 rank, uint256 eligibleFromBlock, uint256 actingRank);
    /// @notice The scheduled operator is jailed, or has withdrawn all its stake.
    error SequencerInactive(address operator);
    /// @notice A forced record was requested but no entry is overdue.
    error NothingOverdue();
    /// @notice Record `index` is not a forced record (or does not exist).
    error NotAForcedRecord(uint256 index);

    /// @notice Append a sequenced record.
    /// @param header The batch header, signed by the scheduled operator's signer.
    /// @param rank The poster's rank in this epoch's schedule (0 = leader).
    /// @param signature 65-byte ECDSA signature (low-s) over the header's EIP-712 digest.
    /// @param data The batch data `header.dataHash` commits to: at most `maxRecordBytes()` long,
    ///        at most `maxRecordTxs()` transactions, each at most `maxTxLength()` bytes.
    function submitRecord(
        BatchHeader calldata header,
        uint256 rank,
        bytes calldata signature,
        bytes calldata data
    ) external;
    /// @notice Append a forced record consuming overdue entries [cursor, upTo). Permissionless.
    function submitForcedRecord(uint256 upTo) external;

    /// @notice Number of records.
    function recordCount() external view returns (uint256);
    /// @notice Hash of record `index`.
    function recordHash(uint256 index) external view returns (bytes32);
    /// @notice Hash of the last record: the running accumulator (zero before the first).
    function lastRecordHash() external view returns (bytes32);
    /// @notice Highest L2 block number covered by a record (zero before the first).
    function lastL2Block() external view returns (uint64);
    /// @notice What was posted in `epoch`: whether any sequenced record, the acting rank, and
    ///         whether the rank-0 leader posted.
    function epochPosting(uint256 epoch)
        external
        view
        returns (bool posted, uint256 actingRank, bool leaderPosted);
    /// @notice For a forced record, the epoch whose acting sequencer let its first entry go overdue.
    function censoredEpochOf(uint256 index) external view returns (bool forced, uint256 epoch);
    /// @notice For a forced record, the censored epoch and the rank blamed for it, both fixed when
    ///         the forced record landed: the epoch's acting rank at the first entry's deadline if
    ///         anyone had posted in the epoch by then, else 0. A backup that takes over the epoch
    ///         after the forced record does not inherit the blame.
    /// @return forced Whether record `index` is a forced record (all zero otherwise).
    /// @return epoch The censored epoch.
    /// @return responsibleRank The rank in `epoch`'s schedule that censored.
    function censorshipOf(uint256 index)
        external
        view
        returns (bool forced, uint256 epoch, uint256 responsibleRank);
    /// @notice The time of the L1 block forced record `index` landed in: its L2 block's time
    ///         (docs/protocol.md), which a dispute over that block needs. Reverts
    ///         `NotAForcedRecord` for any other index.
    function forcedTimestampOf(uint256 index) external view returns (uint64);
    /// @notice The EIP-712 digest a sequencer signs for `header`.
    function batchHeaderDigest(BatchHeader calldata header) external view returns (bytes32);
    /// @notice The EIP-712 domain separator shared by batch and block headers.
    function domainSeparator() external view returns (bytes32);
    /// @notice The SequencerRegistry (leader schedule) this inbox checks posters against.
    function registry() external view returns (address);
    /// @notice The ForceInclusionQueue whose entries records consume.
    function queue() external view returns (address);
    /// @notice The L2 chain id.
    function l2ChainId() external view returns (uint256);
    /// @notice Most bytes of batch data one record may carry.
    function maxRecordBytes() external view returns (uint256);
    /// @notice Most transactions one record may carry.
    function maxRecordTxs() external view returns (uint256);
    /// @notice Most bytes one transaction in batch data may have: the force queue's `maxTxSize`,
    ///         so a transaction is the same size whichever way it reaches L2, and the largest one
    ///         still fits a dispute's transaction proof.
    function maxTxLength() external view returns (uint256);
}
