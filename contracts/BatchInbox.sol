// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {ILeaderSchedule} from "./interfaces/ILeaderSchedule.sol";
import {BatchData} from "./libraries/BatchData.sol";
import {SequencingHeaders} from "./libraries/SequencingHeaders.sol";
import {Censorship} from "./types/Censorship.sol";
import {EpochPosting} from "./types/EpochPosting.sol";
import {InboxHead} from "./types/InboxHead.sol";

/// @title BatchInbox
/// @notice See IBatchInbox. Records form a hash chain: each header names the previous record's
///         hash, and a record's hash is the EIP-712 struct hash of its header, so the last hash
///         is a running accumulator over the whole sequence.
///
///         Who may post in epoch e: the first record of the epoch may come from rank 0 at once,
///         or from rank r ≥ 1 once `r * leaderTimeout` blocks of the epoch have passed. That
///         poster becomes the epoch's acting rank; other ranks may only take over (after their
///         own timeout) if the acting operator may no longer post (jailed or withdrawn).
contract BatchInbox is IBatchInbox {
    ILeaderSchedule internal immutable REGISTRY;
    IForceInclusionQueue internal immutable QUEUE;
    uint256 internal immutable L2_CHAIN_ID;
    uint256 internal immutable EPOCH_LENGTH;
    uint256 internal immutable GENESIS_BLOCK;
    uint256 internal immutable LEADER_TIMEOUT;
    bytes32 internal immutable DOMAIN_SEPARATOR;
    uint256 internal immutable DOMAIN_CHAIN_ID;
    uint256 internal immutable MAX_RECORD_BYTES;
    uint256 internal immutable MAX_RECORD_TXS;
    uint256 internal immutable MAX_TX_LENGTH;

    /// @notice Ceiling on `maxRecordBytes`: a record must stay relayable by geth's 128 KiB
    ///         transaction-size limit, with room for the header, signature and ABI envelope.
    uint256 public constant RECORD_BYTES_LIMIT = 120_000;
    /// @notice Ceiling on `maxRecordTxs`: a transaction's Merkle path is at most 16 hashes.
    uint256 public constant RECORD_TXS_LIMIT = 1 << 16;
    /// @notice Ceiling on `maxTxLength`: a dispute's transaction proof carries one transaction, and 64 KiB of
    ///         calldata costs at most 2.6 M gas (40 per byte, the EIP-7623 floor), leaving most of
    ///         the 5 M gas proof budget to its paths and execution (docs/gas.md).
    uint256 public constant TX_LENGTH_LIMIT = 1 << 16;

    /// @dev recordCount | lastL2Block (contracts/types/InboxHead.sol): one slot, written once
    ///      per record.
    InboxHead internal _head;
    mapping(uint256 index => bytes32 recordHash) internal _recordHashes;
    /// @dev posted | leaderPosted | actingRank (contracts/types/EpochPosting.sol).
    mapping(uint256 epoch => EpochPosting) internal _epochPostings;
    /// @dev Forced records only: censored epoch + 1 | responsible rank
    ///      (contracts/types/Censorship.sol).
    mapping(uint256 index => Censorship censorship) internal _censorships;

    /// @notice A constructor parameter is out of range.
    error InvalidParameter(string name);

    /// @param maxRecordBytes_ Most bytes of batch data per record: at least one block holding
    ///        the largest transaction, at most RECORD_BYTES_LIMIT.
    /// @param maxRecordTxs_ Most transactions per record: at least one, at most RECORD_TXS_LIMIT
    ///        and at most what maxRecordBytes_ can frame (4 bytes per one-byte transaction).
    constructor(
        ILeaderSchedule registry_,
        IForceInclusionQueue queue_,
        uint256 l2ChainId_,
        uint256 maxRecordBytes_,
        uint256 maxRecordTxs_
    ) {
        if (address(registry_) == address(0)) revert InvalidParameter("registry");
        if (address(queue_) == address(0)) revert InvalidParameter("queue");
        if (l2ChainId_ == 0 || l2ChainId_ == block.chainid) revert InvalidParameter("l2ChainId");
        // Forced and sequenced transactions share one size limit, the queue's.
        uint256 maxTxLength_ = queue_.maxTxSize();
        if (maxTxLength_ == 0 || maxTxLength_ > TX_LENGTH_LIMIT) revert InvalidParameter("queue.maxTxSize");
        uint256 framing = BatchData.PREFIX_LENGTH + BatchData.BLOCK_HEADER_LENGTH;
        if (
            maxRecordBytes_ < framing + BatchData.TX_PREFIX_LENGTH + maxTxLength_
                || maxRecordBytes_ > RECORD_BYTES_LIMIT
        ) {
            revert InvalidParameter("maxRecordBytes");
        }
        uint256 framable = (maxRecordBytes_ - framing) / (BatchData.TX_PREFIX_LENGTH + 1);
        if (maxRecordTxs_ == 0 || maxRecordTxs_ > RECORD_TXS_LIMIT || maxRecordTxs_ > framable) {
            revert InvalidParameter("maxRecordTxs");
        }
        MAX_RECORD_BYTES = maxRecordBytes_;
        MAX_RECORD_TXS = maxRecordTxs_;
        MAX_TX_LENGTH = maxTxLength_;
        REGISTRY = registry_;
        QUEUE = queue_;
        L2_CHAIN_ID = l2ChainId_;
        EPOCH_LENGTH = registry_.epochLength();
        GENESIS_BLOCK = registry_.genesisBlock();
        LEADER_TIMEOUT = registry_.leaderTimeout();
        DOMAIN_SEPARATOR = SequencingHeaders.domainSeparator(address(this));
        DOMAIN_CHAIN_ID = block.chainid;
    }

    /// @inheritdoc IBatchInbox
    function submitRecord(
        BatchHeader calldata header,
        uint256 rank,
        bytes calldata signature,
        bytes calldata data
    ) external {
        if (header.chainId != L2_CHAIN_ID) {
            revert WrongChainId(header.chainId, L2_CHAIN_ID);
        }
        if (header.epoch != _currentEpoch()) revert WrongEpoch(header.epoch, _currentEpoch());
        if (header.lastBlock < header.firstBlock) {
            revert EmptyBlockRange(header.firstBlock, header.lastBlock);
        }
        uint256 count = _checkContinuity(header);
        _checkData(header, data);
        (address operator, bytes32 recordHash_) = _checkSequencer(header, rank, signature);

        // Reverts unless this record consumes every overdue force-queue entry or as many entries
        // as a record may.
        QUEUE.consume(header.forceIndex, operator);

        _markPosted(header.epoch, rank);
        _append(count, recordHash_, operator, rank, header, false);
    }

    /// @inheritdoc IBatchInbox
    function submitForcedRecord(uint256 upTo) external {
        if (QUEUE.requiredCursor() == QUEUE.cursor()) revert NothingOverdue();
        // Reverts unless [cursor, upTo) is non-empty and all overdue; fees go to the caller.
        uint64 firstDeadline = QUEUE.consumeForced(upTo, msg.sender);
        InboxHead head = _head;
        uint256 count = head.recordCount();
        uint64 lastL2 = head.lastL2Block();
        uint256 epoch = _currentEpoch();
        BatchHeader memory header = BatchHeader({
            chainId: L2_CHAIN_ID,
            epoch: uint64(epoch),
            firstBlock: lastL2 + 1,
            lastBlock: lastL2 + 1,
            prevRecordHash: count == 0 ? bytes32(0) : _recordHashes[count - 1],
            dataHash: bytes32(0),
            txCount: 0,
            forceIndex: uint64(upTo)
        });
        // The entry went overdue after block `firstDeadline`: that block's epoch censored it.
        uint256 censored = _epochOf(firstDeadline);
        // Blame is fixed now, not when a slash is asked for: whoever held the pen at the deadline,
        // the acting rank if anyone had posted in that epoch (it then had to consume the entry),
        // else the leader. Every sequenced record after the deadline had to consume the entry,
        // unless it consumed the most entries a record may (`maxRecordEntries`), all overdue
        // ones ahead of it; so only a take-over that worked off such a backlog can have moved
        // that epoch's acting rank before this record. Once the forced record is in, a backup
        // that takes over later (after its timeout) in the same epoch must not inherit the
        // blame, and after the epoch nothing can change at all.
        EpochPosting posting = _epochPostings[censored];
        uint256 responsibleRank = posting.posted() ? posting.actingRank() : 0;
        _censorships[count] = Censorship.wrap(0).setCensoredEpoch(censored)
            .setResponsibleRank(uint64(responsibleRank)).setTimestamp(uint64(block.timestamp));
        _append(count, SequencingHeaders.hashBatch(header), address(0), 0, header, true);
        emit CensorshipRecorded(count, censored, responsibleRank);
    }

    /// @inheritdoc IBatchInbox
    function recordCount() external view returns (uint256) {
        return _head.recordCount();
    }

    /// @inheritdoc IBatchInbox
    function recordHash(uint256 index) external view returns (bytes32) {
        return _recordHashes[index];
    }

    /// @inheritdoc IBatchInbox
    function lastRecordHash() external view returns (bytes32) {
        uint256 count = _head.recordCount();
        return count == 0 ? bytes32(0) : _recordHashes[count - 1];
    }

    /// @inheritdoc IBatchInbox
    function lastL2Block() external view returns (uint64) {
        return _head.lastL2Block();
    }

    /// @inheritdoc IBatchInbox
    function epochPosting(uint256 epoch)
        external
        view
        returns (bool posted, uint256 actingRank, bool leaderPosted)
    {
        EpochPosting posting = _epochPostings[epoch];
        return (posting.posted(), posting.actingRank(), posting.leaderPosted());
    }

    /// @inheritdoc IBatchInbox
    function censoredEpochOf(uint256 index) external view returns (bool forced, uint256 epoch) {
        (forced, epoch,) = censorshipOf(index);
    }

    /// @inheritdoc IBatchInbox
    function censorshipOf(uint256 index)
        public
        view
        returns (bool forced, uint256 epoch, uint256 responsibleRank)
    {
        Censorship censorship = _censorships[index];
        if (!censorship.isForced()) return (false, 0, 0);
        return (true, censorship.censoredEpoch(), censorship.responsibleRank());
    }

    /// @inheritdoc IBatchInbox
    function forcedTimestampOf(uint256 index) external view returns (uint64) {
        Censorship censorship = _censorships[index];
        if (!censorship.isForced()) revert NotAForcedRecord(index);
        return censorship.timestamp();
    }

    /// @inheritdoc IBatchInbox
    function batchHeaderDigest(BatchHeader calldata header) external view returns (bytes32) {
        return SequencingHeaders.digest(_domainSeparator(), SequencingHeaders.hashBatch(header));
    }

    /// @inheritdoc IBatchInbox
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IBatchInbox
    function registry() external view returns (address) {
        return address(REGISTRY);
    }

    /// @inheritdoc IBatchInbox
    function queue() external view returns (address) {
        return address(QUEUE);
    }

    /// @inheritdoc IBatchInbox
    function l2ChainId() external view returns (uint256) {
        return L2_CHAIN_ID;
    }

    /// @inheritdoc IBatchInbox
    function maxRecordBytes() external view returns (uint256) {
        return MAX_RECORD_BYTES;
    }

    /// @inheritdoc IBatchInbox
    function maxRecordTxs() external view returns (uint256) {
        return MAX_RECORD_TXS;
    }

    /// @inheritdoc IBatchInbox
    function maxTxLength() external view returns (uint256) {
        return MAX_TX_LENGTH;
    }

    /// @dev Record who posted in `epoch`: the acting rank, and whether the leader ever did.
    function _markPosted(uint256 epoch, uint256 rank) private {
        EpochPosting posting = _epochPostings[epoch];
        // leaderPosted stays set once the leader has posted: the setters keep the other fields.
        EpochPosting newPosting = posting.setPosted(true).setActingRank(uint248(rank));
        if (rank == 0) newPosting = newPosting.setLeaderPosted(true);
        if (EpochPosting.unwrap(newPosting) != EpochPosting.unwrap(posting)) {
            _epochPostings[epoch] = newPosting;
        }
    }

    /// @dev Store record `count` and move the head to it.
    function _append(
        uint256 count,
        bytes32 recordHash_,
        address operator,
        uint256 rank,
        BatchHeader memory header,
        bool forced
    ) private {
        _recordHashes[count] = recordHash_;
        _head = InboxHead.wrap(0).setRecordCount(uint64(count + 1)).setLastL2Block(header.lastBlock);
        emit RecordAppended(count, recordHash_, header.epoch, operator, rank, header, forced);
    }

    /// @dev The header must extend the last record; returns the record count.
    function _checkContinuity(BatchHeader calldata header) private view returns (uint256 count) {
        InboxHead head = _head;
        count = head.recordCount();
        uint64 lastL2 = head.lastL2Block();
        bytes32 lastHash = count == 0 ? bytes32(0) : _recordHashes[count - 1];
        if (header.prevRecordHash != lastHash || header.firstBlock != lastL2 + 1) {
            revert Discontinuous(header.prevRecordHash, lastHash, header.firstBlock, lastL2 + 1);
        }
    }

    /// @dev The data must fit the caps, frame exactly the header's blocks and tx count, and
    ///      commit to dataHash. The caps are what keep every step of the record provable in one
    ///      L1 transaction (docs/protocol.md, "Every step provable in one transaction").
    function _checkData(BatchHeader calldata header, bytes calldata data) private view {
        if (data.length > MAX_RECORD_BYTES) revert RecordTooLarge(data.length, MAX_RECORD_BYTES);
        if (header.txCount > MAX_RECORD_TXS) revert TooManyTransactions(header.txCount, MAX_RECORD_TXS);
        (uint256 txCount, bytes32 actualDataHash) =
            BatchData.commit(data, header.lastBlock - header.firstBlock + 1, MAX_TX_LENGTH);
        if (txCount != header.txCount) revert TxCountMismatch(header.txCount, txCount);
        if (actualDataHash != header.dataHash) revert DataHashMismatch(header.dataHash, actualDataHash);
    }

    /// @dev The poster must be the eligible operator scheduled at `rank` (or its signer), the
    ///      rank must be eligible now, and the header must be signed by that operator's signer.
    function _checkSequencer(BatchHeader calldata header, uint256 rank, bytes calldata signature)
        private
        view
        returns (address operator, bytes32 recordHash_)
    {
        uint256 epoch = header.epoch;
        address signer;
        bool eligible;
        (operator, signer, eligible) = REGISTRY.scheduledSigner(epoch, rank);
        if (!eligible) revert SequencerInactive(operator);
        if (msg.sender != operator && msg.sender != signer) {
            revert NotScheduledSequencer(msg.sender, operator);
        }
        _checkRankEligible(epoch, rank, _epochPostings[epoch]);
        recordHash_ = SequencingHeaders.hashBatch(header);
        address recovered =
            ECDSA.recover(SequencingHeaders.digest(_domainSeparator(), recordHash_), signature);
        if (recovered != signer) revert WrongSigner(recovered, signer);
    }

    function _checkRankEligible(uint256 epoch, uint256 rank, EpochPosting posting) private view {
        uint256 eligibleFrom = GENESIS_BLOCK + epoch * EPOCH_LENGTH + rank * LEADER_TIMEOUT;
        if (!posting.posted()) {
            if (block.number < eligibleFrom) revert RankNotEligible(rank, eligibleFrom, type(uint256).max);
            return;
        }
        uint256 acting = posting.actingRank();
        if (rank == acting) return;
        // Take-over: only when the acting operator has since been jailed or left the set.
        (,, bool actingEligible) = REGISTRY.scheduledSigner(epoch, acting);
        if (actingEligible || block.number < eligibleFrom) {
            revert RankNotEligible(rank, eligibleFrom, acting);
        }
    }

    function _domainSeparator() private view returns (bytes32) {
        // Recompute after a chain split so a signature cannot be replayed on the fork.
        return block.chainid == DOMAIN_CHAIN_ID
            ? DOMAIN_SEPARATOR
            : SequencingHeaders.domainSeparator(address(this));
    }

    function _currentEpoch() private view returns (uint256) {
        return _epochOf(block.number);
    }

    function _epochOf(uint256 blockNumber) private view returns (uint256) {
        return (blockNumber - GENESIS_BLOCK) / EPOCH_LENGTH;
    }
}
