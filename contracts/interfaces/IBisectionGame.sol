// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./IBatchInbox.sol";

/// @title IBisectionGame
/// @notice What every dispute game over outputs shares, whatever its L2 runs (the ledger's
///         `IDisputeGame`, the EVM chain's `IEvmDisputeGame`). Anyone may dispute an unfinalized
///         output with a bond; each challenger plays its own game against the output's proposer,
///         in two levels, each side on one chess clock for the whole game.
///         1. The trace. The game bisects the trace between the previous output (or genesis) and
///            the disputed one (the ledger's transactions, the EVM chain's blocks): the proposer
///            posts the root at the midpoint of the disputed segment, the challenger agrees (the
///            dispute moves right) or disagrees (it moves left). Once the segment is one
///            position, the challenger proves what that position runs (the ledger's
///            `proveTransaction`, the EVM's `proveBlock`), and the game fixes the guest's input
///            from it: the agreed root, the proposer's root after it and what runs between.
///         2. Execution. The fault-proof VM's guest, booted on that input, runs for
///            `executionSteps()` steps; the agreed start is its boot state. The proposer first
///            claims the state at the end, which must say the guest exited 0 ("my root is
///            right"), then the two sides bisect the steps as they did the trace. At two
///            adjacent steps, `step` runs the VM's one step on the agreed state: a result other
///            than the proposer's claim deletes the output and every later one and slashes the
///            proposer through the registry, the challenger's reward being the registry's
///            reporter share; otherwise the challenger's bond goes to the proposer minus a
///            burned tax.
///         A side whose clock runs out loses. A game whose output was deleted by another game is
///         moot: the bond is refunded. Payouts are credited and pulled with `claim`. See
///         docs/outputs.md and docs/vm.md.
interface IBisectionGame {
    /// @notice Where a game stands.
    enum Status {
        None,
        InProgress,
        ChallengerWon,
        ProposerWon,
        Moot
    }

    /// @notice One game. The disputed segment is trace positions [lo, hi]: the root after `lo`
    ///         positions (`loRoot`) is agreed, the proposer's root after `hi` (`hiRoot`) is
    ///         disputed. While `proposerToMove`, the proposer owes the root at (lo + hi) / 2;
    ///         otherwise the challenger owes an answer to `midRoot`, or, once hi - lo <= 1, the
    ///         proof of what position `lo` runs. After it, the game's `Execution` holds the rest
    ///         (the fields here stay as the trace level left them). Clocks are seconds left,
    ///         charged for the time a side takes to move.
    struct Game {
        address challenger;
        uint48 lastMoveAt;
        Status status;
        bool proposerToMove;
        address proposer;
        uint48 proposerClock;
        uint48 challengerClock;
        uint64 outputIndex;
        uint32 generation;
        uint64 lo;
        uint64 hi;
        bytes32 loRoot;
        bytes32 hiRoot;
        bytes32 midRoot;
        bytes32 layoutHash;
    }

    /// @notice The execution of the disputed position by the VM's guest (all zero before it is
    ///         proven). The disputed segment is VM steps [lo, hi]: the state claim after `lo`
    ///         steps (`loClaim`; at step 0 the guest booted on `inputKey`) is agreed, the
    ///         proposer's claim after `hi` (`hiClaim`; zero until it posts its end claim) is
    ///         disputed, and `midClaim` is the proposer's pending claim at (lo + hi) / 2. Claims
    ///         are the VM's claim hashes (docs/vm.md, "State").
    struct Execution {
        bytes32 inputKey;
        uint64 lo;
        uint64 hi;
        bytes32 loClaim;
        bytes32 hiClaim;
        bytes32 midClaim;
    }

    /// @notice A game opened against output (outputIndex, generation).
    /// @param traceLength Positions between the previous output and this one.
    /// @param startRoot The agreed root before them (previous output's, or genesis).
    /// @param claimedRoot The disputed root after them (the output's).
    event GameCreated(
        uint256 indexed gameId,
        uint256 indexed outputIndex,
        address indexed challenger,
        address proposer,
        uint256 generation,
        uint256 traceLength,
        bytes32 startRoot,
        bytes32 claimedRoot
    );
    /// @notice The proposer claimed `root` after `position` positions of the trace.
    event Bisected(uint256 indexed gameId, uint256 position, bytes32 root);
    /// @notice The challenger agreed or disagreed; the disputed segment is now [lo, hi].
    event Responded(uint256 indexed gameId, bool agree, uint256 lo, uint256 hi);
    /// @notice The disputed position is trace `position`: the guest's execution on `input`
    ///         (whose keccak-256 is `inputKey`; anyone may load it into the preimage oracle) is
    ///         bisected next.
    event ExecutionStarted(uint256 indexed gameId, uint256 position, bytes32 inputKey, bytes input);
    /// @notice The proposer claimed `claim` for the VM state after `step` steps.
    event ExecutionBisected(uint256 indexed gameId, uint256 step, bytes32 claim);
    /// @notice The challenger agreed or disagreed; the disputed steps are now [lo, hi].
    event ExecutionResponded(uint256 indexed gameId, bool agree, uint256 lo, uint256 hi);
    /// @notice The VM ran step `step` + 1 on the agreed state: its result is `postClaim`.
    event StepProven(uint256 indexed gameId, uint256 step, bytes32 postClaim);
    /// @notice The game ended.
    event GameResolved(uint256 indexed gameId, Status status);
    /// @notice The losing proposer could not be slashed (it had nothing left to slash).
    event SlashSkipped(uint256 indexed gameId, address proposer);
    /// @notice `amount` became claimable by `account`.
    event Credited(address indexed account, uint256 amount);
    /// @notice `account` claimed `amount`.
    event Claimed(address indexed account, uint256 amount);

    /// @notice `challenge` was paid a value other than `challengeBond()`.
    error WrongBond(uint256 sent, uint256 bond);
    /// @notice `startRoot` or `claimedRoot` is not the one the outputs commit to.
    error RootMismatch(bytes32 given);
    /// @notice No game with this id.
    error UnknownGame(uint256 gameId);
    /// @notice The game has ended.
    error GameOver(uint256 gameId, Status status);
    /// @notice It is not the caller's move (or the caller is not that side).
    error NotYourMove(uint256 gameId, address caller);
    /// @notice This move does not fit the game's stage (respond, the position's proof, or step).
    error WrongStage(uint256 gameId);
    /// @notice The side to move has run out of time; call `resolve`.
    error ClockExpired(uint256 gameId);
    /// @notice `resolve` found nothing to decide: the output exists and the clock is running.
    error NotResolvable(uint256 gameId);
    /// @notice The output of this game was deleted meanwhile; call `resolve` (refund).
    error OutputGone(uint256 gameId);
    /// @notice The spans are not the game's layout, or the span does not hold the position.
    error BadLayout(uint256 gameId);
    /// @notice feeRecipient, blocksHash and txRoot do not make the span's `dataHash`.
    error RecordDataMismatch(bytes32 expected, bytes32 actual);
    /// @notice The force-queue entry is not the one enqueued at `queueIndex`.
    error EntryMismatch(uint256 queueIndex);
    /// @notice A zero root was posted.
    error ZeroRoot();
    /// @notice The proposer's end claim on an execution does not say the guest exited 0.
    error EndClaimNotValid(bytes32 claim);
    /// @notice The state handed to `step` is not the agreed one.
    error WrongPreState(bytes32 expected, bytes32 given);
    /// @notice Nothing to claim.
    error NothingToClaim();
    /// @notice An ETH transfer failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Dispute output `outputIndex`, paying exactly `challengeBond()`.
    /// @param startRoot The root before the interval: the previous output's, or genesis.
    /// @param claimedRoot The output's root.
    /// @param headers The interval's record headers (see `TraceLayout.build`).
    /// @return gameId The new game.
    function challenge(
        uint256 outputIndex,
        bytes32 startRoot,
        bytes32 claimedRoot,
        IBatchInbox.BatchHeader[] calldata headers
    ) external payable returns (uint256 gameId);
    /// @notice Proposer (operator or its signer): the root after (lo + hi) / 2 positions; in the
    ///         execution, first the claim at `executionSteps()` (exited 0), then the claim after
    ///         (lo + hi) / 2 steps.
    function bisect(uint256 gameId, bytes32 root) external;
    /// @notice Challenger: agree with the proposer's midpoint (dispute moves right) or not.
    function respond(uint256 gameId, bool agree) external;
    /// @notice Anyone, once the execution's segment is one step: run it on the agreed state
    ///         (the preimage part it reads, if any, loaded first) and decide.
    function step(uint256 gameId, bytes calldata state, bytes calldata proofs) external;
    /// @notice Anyone: end a game whose side to move ran out of time, or whose output is gone.
    function resolve(uint256 gameId) external;
    /// @notice Withdraw the caller's credited payouts.
    function claim() external;

    /// @notice Game `gameId`.
    function gameAt(uint256 gameId) external view returns (Game memory);
    /// @notice The execution stage of game `gameId` (all zero before it).
    function executionOf(uint256 gameId) external view returns (Execution memory);
    /// @notice The claim of the guest booted on `inputKey`: an execution's agreed start.
    function bootClaimOf(bytes32 inputKey) external view returns (bytes32);
    /// @notice VM steps an execution is bisected over.
    function executionSteps() external view returns (uint256);
    /// @notice The step verifier.
    function riscV() external view returns (address);
    /// @notice The guest program's memory root (its image.json).
    function vmMemoryRoot() external view returns (bytes32);
    /// @notice The guest program's entry point.
    function vmEntry() external view returns (uint256);
    /// @notice Number of games ever created (ids are 0..gameCount-1).
    function gameCount() external view returns (uint256);
    /// @notice Seconds left on each clock right now (the running one charged up to now).
    function clocksOf(uint256 gameId) external view returns (uint256 proposerLeft, uint256 challengerLeft);
    /// @notice Payouts `account` may claim.
    function creditOf(address account) external view returns (uint256);
    /// @notice Bond taxes burned (locked here forever).
    function totalBurned() external view returns (uint256);
    /// @notice The evidence key a lost dispute over output (index, generation) slashes with.
    function evidenceKeyOf(uint256 outputIndex, uint256 generation) external pure returns (bytes32);

    /// @notice Wei a challenger bonds.
    function challengeBond() external view returns (uint256);
    /// @notice Share of a losing challenger's bond burned, in basis points.
    function bondTaxBps() external view returns (uint256);
    /// @notice Share of a losing proposer's stake slashed, in basis points.
    function slashBps() external view returns (uint256);
    /// @notice Seconds on each side's clock.
    function clockDuration() external view returns (uint256);
    /// @notice The output oracle.
    function oracle() external view returns (address);
    /// @notice The registry that slashes losing proposers.
    function registry() external view returns (address);
    /// @notice The inbox whose records form the trace.
    function inbox() external view returns (address);
    /// @notice The force queue whose entries the records consume.
    function queue() external view returns (address);
    /// @notice The portal whose queue entries are deposits.
    function portal() external view returns (address);
}
