// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IL1OutputOracle} from "./interfaces/IL1OutputOracle.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {ISequencerRegistry} from "./interfaces/ISequencerRegistry.sol";
import {OracleHead} from "./types/OracleHead.sol";

/// @title L1OutputOracle
/// @notice See IL1OutputOracle. Each output is two storage words (its root; proposer, time,
///         open disputes and generation), and the counters share one word, so a proposal writes
///         two fresh words and updates one.
contract L1OutputOracle is IL1OutputOracle {
    ISequencerRegistry internal immutable REGISTRY;
    IBatchInbox internal immutable INBOX;
    address internal immutable DISPUTE_GAME;
    uint256 internal immutable OUTPUT_INTERVAL;
    uint256 internal immutable FINALIZATION_PERIOD;

    mapping(uint256 index => Output) internal _outputs;
    /// @dev outputCount | finalizedCount | generation (contracts/types/OracleHead.sol).
    OracleHead internal _head;

    /// @notice A constructor parameter is out of range.
    error InvalidParameter(string name);

    constructor(
        address registry_,
        address inbox_,
        address disputeGame_,
        uint256 outputInterval_,
        uint256 finalizationPeriod_
    ) {
        if (registry_ == address(0)) revert InvalidParameter("registry");
        if (inbox_ == address(0)) revert InvalidParameter("inbox");
        if (disputeGame_ == address(0)) revert InvalidParameter("disputeGame");
        if (outputInterval_ == 0) revert InvalidParameter("outputInterval");
        if (finalizationPeriod_ == 0) revert InvalidParameter("finalizationPeriod");
        REGISTRY = ISequencerRegistry(registry_);
        INBOX = IBatchInbox(inbox_);
        DISPUTE_GAME = disputeGame_;
        OUTPUT_INTERVAL = outputInterval_;
        FINALIZATION_PERIOD = finalizationPeriod_;
    }

    modifier onlyDisputeGame() {
        if (msg.sender != DISPUTE_GAME) revert NotDisputeGame(msg.sender);
        _;
    }

    /// @inheritdoc IL1OutputOracle
    function proposeOutput(uint256 index, bytes32 stateRoot) external returns (uint256) {
        if (stateRoot == 0) revert ZeroStateRoot();
        // The caller may be the operator itself or the signer key it bonded with.
        address proposer = REGISTRY.operatorFor(msg.sender);
        if (!REGISTRY.isActive(proposer)) revert NotActiveSequencer(msg.sender);

        OracleHead head = _head;
        if (index != head.outputCount()) revert UnexpectedIndex(index, head.outputCount());
        uint256 recordIndex = (index + 1) * OUTPUT_INTERVAL - 1;
        // A record hash is never zero, so zero means "not posted yet".
        bytes32 recordHash = INBOX.recordHash(recordIndex);
        if (recordHash == 0) revert RecordNotPosted(recordIndex);

        bytes32 outputRoot = outputRootOf(stateRoot, recordIndex, recordHash);
        _outputs[index] = Output({
            outputRoot: outputRoot,
            proposer: proposer,
            proposedAt: uint48(block.timestamp),
            openDisputes: 0,
            generation: head.generation()
        });
        _head = head.setOutputCount(uint96(index + 1));
        emit OutputProposed(index, outputRoot, stateRoot, recordIndex, proposer);
        return index;
    }

    /// @inheritdoc IL1OutputOracle
    function finalize(uint256 count) external {
        OracleHead head = _head;
        uint256 finalized = head.finalizedCount();
        if (count <= finalized) return;
        if (count > head.outputCount()) revert CannotFinalize(head.outputCount());
        for (uint256 i = finalized; i < count; ++i) {
            Output storage o = _outputs[i];
            if (o.openDisputes != 0 || block.timestamp < uint256(o.proposedAt) + FINALIZATION_PERIOD) {
                revert CannotFinalize(i);
            }
        }
        _head = head.setFinalizedCount(uint96(count));
        emit OutputsFinalized(count);
    }

    /// @inheritdoc IL1OutputOracle
    function openDispute(uint256 index, uint256 generation_) external onlyDisputeGame {
        Output storage o = _existing(index, generation_);
        uint256 closesAt = uint256(o.proposedAt) + FINALIZATION_PERIOD;
        if (block.timestamp >= closesAt) revert ChallengeWindowClosed(index, closesAt);
        uint16 open = o.openDisputes + 1;
        o.openDisputes = open;
        emit DisputeCounted(index, true, open);
    }

    /// @inheritdoc IL1OutputOracle
    function closeDispute(uint256 index, uint256 generation_) external onlyDisputeGame {
        if (!_exists(index, generation_)) return; // deleted meanwhile: nothing left to count
        Output storage o = _outputs[index];
        uint16 open = o.openDisputes - 1;
        o.openDisputes = open;
        emit DisputeCounted(index, false, open);
    }

    /// @inheritdoc IL1OutputOracle
    function deleteOutputs(uint256 index, uint256 generation_)
        external
        onlyDisputeGame
        returns (address proposer)
    {
        Output storage o = _existing(index, generation_);
        OracleHead head = _head;
        // A disputed output cannot have finalized; this guards the rule on its own.
        if (index < head.finalizedCount()) {
            revert ChallengeWindowClosed(index, uint256(o.proposedAt) + FINALIZATION_PERIOD);
        }
        proposer = o.proposer;
        uint256 previousCount = head.outputCount();
        _head = head.setOutputCount(uint96(index)).setGeneration(head.generation() + 1);
        emit OutputsDeleted(index, previousCount);
    }

    /// @inheritdoc IL1OutputOracle
    function outputRootOf(bytes32 stateRoot, uint256 recordIndex, bytes32 recordHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(stateRoot, recordIndex, recordHash));
    }

    /// @inheritdoc IL1OutputOracle
    function verifyStateRoot(uint256 index, bytes32 stateRoot)
        external
        view
        returns (bool matches, bool finalized)
    {
        OracleHead head = _head;
        if (index >= head.outputCount()) return (false, false);
        uint256 recordIndex = recordIndexOf(index);
        matches =
            outputRootOf(stateRoot, recordIndex, INBOX.recordHash(recordIndex)) == _outputs[index].outputRoot;
        finalized = index < head.finalizedCount();
    }

    /// @inheritdoc IL1OutputOracle
    function outputCount() external view returns (uint256) {
        return _head.outputCount();
    }

    /// @inheritdoc IL1OutputOracle
    function finalizedCount() external view returns (uint256) {
        return _head.finalizedCount();
    }

    /// @inheritdoc IL1OutputOracle
    function nextRecordIndex() external view returns (uint256) {
        return recordIndexOf(_head.outputCount());
    }

    /// @inheritdoc IL1OutputOracle
    function recordIndexOf(uint256 index) public view returns (uint256) {
        return (index + 1) * OUTPUT_INTERVAL - 1;
    }

    /// @inheritdoc IL1OutputOracle
    function outputAt(uint256 index) external view returns (Output memory) {
        OracleHead head = _head;
        if (index >= head.outputCount()) revert UnknownOutput(index, head.generation());
        return _outputs[index];
    }

    /// @inheritdoc IL1OutputOracle
    function isFinalized(uint256 index) external view returns (bool) {
        return index < _head.finalizedCount();
    }

    /// @inheritdoc IL1OutputOracle
    function outputExists(uint256 index, uint256 generation_) external view returns (bool) {
        return _exists(index, generation_);
    }

    /// @inheritdoc IL1OutputOracle
    function generation() external view returns (uint256) {
        return _head.generation();
    }

    /// @inheritdoc IL1OutputOracle
    function outputInterval() external view returns (uint256) {
        return OUTPUT_INTERVAL;
    }

    /// @inheritdoc IL1OutputOracle
    function finalizationPeriod() external view returns (uint256) {
        return FINALIZATION_PERIOD;
    }

    /// @inheritdoc IL1OutputOracle
    function disputeGame() external view returns (address) {
        return DISPUTE_GAME;
    }

    /// @inheritdoc IL1OutputOracle
    function inbox() external view returns (address) {
        return address(INBOX);
    }

    /// @inheritdoc IL1OutputOracle
    function registry() external view returns (address) {
        return address(REGISTRY);
    }

    function _exists(uint256 index, uint256 generation_) private view returns (bool) {
        return index < _head.outputCount() && _outputs[index].generation == generation_;
    }

    function _existing(uint256 index, uint256 generation_) private view returns (Output storage o) {
        if (!_exists(index, generation_)) revert UnknownOutput(index, generation_);
        return _outputs[index];
    }
}
