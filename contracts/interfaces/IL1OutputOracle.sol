// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IL1OutputOracle
/// @notice L2 state roots on L1. Active sequencers propose one output every `outputInterval`
///         BatchInbox records; output k covers records up to index `(k + 1) * outputInterval - 1`
///         and commits to the L2 state root after them, that record index and the inbox's
///         record hash (the accumulator) at it. An output can be disputed while its challenge
///         window (`finalizationPeriod` from its proposal) is open; it finalizes once the window
///         has passed with no dispute open against it or any earlier output. The dispute game
///         deletes a disputed output and every later one when the proposer loses; a finalized
///         output can never be deleted. See docs/outputs.md.
interface IL1OutputOracle {
    /// @notice Output `index` was proposed.
    /// @param index Its position.
    /// @param outputRoot `outputRootOf(stateRoot, recordIndex, recordHash)`.
    /// @param stateRoot The L2 state root claimed after record `recordIndex`.
    /// @param recordIndex The last BatchInbox record it covers.
    /// @param proposer The operator accountable for it.
    event OutputProposed(
        uint256 indexed index,
        bytes32 outputRoot,
        bytes32 stateRoot,
        uint256 recordIndex,
        address indexed proposer
    );
    /// @notice Outputs [fromIndex, previousCount) were deleted after a lost dispute.
    event OutputsDeleted(uint256 indexed fromIndex, uint256 previousCount);
    /// @notice Outputs below `count` are final.
    event OutputsFinalized(uint256 count);
    /// @notice A dispute against output `index` opened (`open`) or closed.
    event DisputeCounted(uint256 indexed index, bool open, uint256 openDisputes);

    /// @notice The caller is neither an active operator nor the signer of one.
    error NotActiveSequencer(address caller);
    /// @notice The record the next output must cover has not been posted yet.
    error RecordNotPosted(uint256 recordIndex);
    /// @notice The state root is zero (reserved for "no output").
    error ZeroStateRoot();
    /// @notice The proposal names another index than the next one.
    error UnexpectedIndex(uint256 given, uint256 next);
    /// @notice Only the dispute game may count disputes and delete outputs.
    error NotDisputeGame(address caller);
    /// @notice The output does not exist, or was deleted and its index reused (`generation`
    ///         differs).
    error UnknownOutput(uint256 index, uint256 generation);
    /// @notice The output's challenge window is closed (or it is final): it can no longer be
    ///         disputed or deleted.
    error ChallengeWindowClosed(uint256 index, uint256 closesAt);
    /// @notice `finalize(count)` with `count` beyond the outputs, or an output below it still in
    ///         its window or disputed.
    error CannotFinalize(uint256 index);

    /// @notice One stored output. `generation` is the oracle's deletion counter when it was
    ///         proposed: a game names an output by (index, generation), so a game against a
    ///         deleted output can never touch the one later proposed at the same index.
    struct Output {
        bytes32 outputRoot;
        address proposer;
        uint48 proposedAt;
        uint16 openDisputes;
        uint32 generation;
    }

    /// @notice Propose the next output: the L2 state root after record
    ///         `nextRecordIndex()`. The caller is an active operator or its registered signer.
    /// @param index The index the proposer computed its root for (`outputCount()`): a proposal
    ///        that lost a race to another proposer reverts instead of landing one index later,
    ///        where its root would be wrong.
    /// @return The new output's index (`index`).
    function proposeOutput(uint256 index, bytes32 stateRoot) external returns (uint256);
    /// @notice Finalize every output below `count` (permissionless; each must be past its window
    ///         with no open dispute).
    function finalize(uint256 count) external;

    /// @notice Count a newly opened dispute against output (index, generation).
    /// @dev Only the dispute game. Reverts once the output's window has closed.
    function openDispute(uint256 index, uint256 generation) external;
    /// @notice Count a dispute against output (index, generation) as closed; no-op if that
    ///         output was deleted meanwhile.
    /// @dev Only the dispute game.
    function closeDispute(uint256 index, uint256 generation) external;
    /// @notice Delete output (index, generation) and every later one: its proposer lost a
    ///         dispute. The caller then closes that dispute (no-op after deletion).
    /// @dev Only the dispute game.
    /// @return proposer The operator who proposed the deleted output.
    function deleteOutputs(uint256 index, uint256 generation) external returns (address proposer);

    /// @notice `keccak256(abi.encode(stateRoot, recordIndex, recordHash))`.
    function outputRootOf(bytes32 stateRoot, uint256 recordIndex, bytes32 recordHash)
        external
        pure
        returns (bytes32);
    /// @notice Number of outputs (final or not).
    function outputCount() external view returns (uint256);
    /// @notice Number of final outputs (a prefix of all outputs).
    function finalizedCount() external view returns (uint256);
    /// @notice The record index the next output must cover.
    function nextRecordIndex() external view returns (uint256);
    /// @notice The record index output `index` covers.
    function recordIndexOf(uint256 index) external view returns (uint256);
    /// @notice Output `index` (reverts `UnknownOutput` past the end).
    function outputAt(uint256 index) external view returns (Output memory);
    /// @notice Whether output `index` is final.
    function isFinalized(uint256 index) external view returns (bool);
    /// @notice Whether `stateRoot` is the L2 state root output `index` commits to, and whether
    ///         that output is final. Both are false for an output that does not exist (or was
    ///         deleted). One call for the portal and the game.
    function verifyStateRoot(uint256 index, bytes32 stateRoot)
        external
        view
        returns (bool matches, bool finalized);
    /// @notice Whether output `index` exists and was proposed in generation `generation` (false
    ///         once it is deleted, even if its index was proposed again).
    function outputExists(uint256 index, uint256 generation) external view returns (bool);
    /// @notice The deletion counter new outputs are stamped with.
    function generation() external view returns (uint256);

    /// @notice Records per output.
    function outputInterval() external view returns (uint256);
    /// @notice Seconds an output stays open to disputes.
    function finalizationPeriod() external view returns (uint256);
    /// @notice The dispute game.
    function disputeGame() external view returns (address);
    /// @notice The BatchInbox whose records outputs cover.
    function inbox() external view returns (address);
    /// @notice The SequencerRegistry deciding who may propose.
    function registry() external view returns (address);
}
