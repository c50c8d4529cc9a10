// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBisectionGame} from "./interfaces/IBisectionGame.sol";
import {IL1OutputOracle} from "./interfaces/IL1OutputOracle.sol";
import {ISequencerRegistry} from "./interfaces/ISequencerRegistry.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {IPortal} from "./interfaces/IPortal.sol";
import {IRiscV} from "./interfaces/IRiscV.sol";
import {RiscVState} from "./vm/RiscVState.sol";

/// @title BisectionGame
/// @notice See IBisectionGame: what the ledger's and the EVM chain's dispute games share. One
///         contract holds every game; a game is five storage words of state (who, clocks,
///         segment) plus the agreed root, the disputed root, the pending midpoint root and the
///         layout hash, and, once one position is disputed, its execution: the guest's input
///         key, the step segment and its three claims. A game contract supplies the trace
///         (`_layout`, from the interval's record headers) and the proof of one position, which
///         builds the guest's input and calls `_startExecution`.
abstract contract BisectionGame is IBisectionGame {
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant INVALID_OUTPUT_TAG = keccak256("baton.invalid-output");

    IL1OutputOracle internal immutable ORACLE;
    ISequencerRegistry internal immutable REGISTRY;
    IBatchInbox internal immutable INBOX;
    IForceInclusionQueue internal immutable QUEUE;
    address internal immutable PORTAL;
    uint256 internal immutable OUTPUT_INTERVAL;
    uint64 internal immutable L2_CHAIN_ID;
    uint256 internal immutable CHALLENGE_BOND;
    uint256 internal immutable BOND_TAX_BPS;
    uint256 internal immutable SLASH_BPS;
    uint48 internal immutable CLOCK;
    /// @dev The root before the first output: the agreed start of a game over output 0.
    bytes32 internal immutable GENESIS_ROOT;
    IRiscV internal immutable RISC_V;
    bytes32 internal immutable VM_MEMORY_ROOT;
    uint64 internal immutable VM_ENTRY;
    /// @dev The VM steps a disputed position is bisected over; the guest must halt before.
    uint64 internal immutable EXECUTION_STEPS;

    mapping(uint256 gameId => Game) internal _games;
    mapping(uint256 gameId => Execution) internal _executions;
    uint256 internal _gameCount;
    mapping(address account => uint256) internal _credits;
    uint256 internal _totalBurned;

    /// @notice What every game shares (docs/outputs.md, "Parameters").
    struct Shared {
        uint256 challengeBond;
        uint256 bondTaxBps;
        uint256 slashBps;
        uint256 clockDuration;
        bytes32 genesisRoot;
        /// @dev The step verifier and the guest program it runs (its image.json).
        address riscV;
        bytes32 vmMemoryRoot;
        uint256 vmEntry;
        uint64 executionSteps;
    }

    /// @notice A constructor parameter is out of range or not wired to the others.
    error InvalidParameter(string name);

    /// @param oracle_ The output oracle; the registry, inbox, queue and output interval are read
    ///        from it (and the inbox) so they cannot disagree.
    /// @param portal_ The portal whose queue entries are deposits.
    constructor(address oracle_, address portal_, Shared memory p) {
        if (oracle_.code.length == 0) revert InvalidParameter("oracle");
        ORACLE = IL1OutputOracle(oracle_);
        REGISTRY = ISequencerRegistry(ORACLE.registry());
        INBOX = IBatchInbox(ORACLE.inbox());
        QUEUE = IForceInclusionQueue(INBOX.queue());
        OUTPUT_INTERVAL = ORACLE.outputInterval();
        uint256 chainId = INBOX.l2ChainId();
        if (chainId > type(uint64).max) revert InvalidParameter("l2ChainId");
        L2_CHAIN_ID = uint64(chainId);
        if (portal_.code.length == 0 || IPortal(portal_).queue() != address(QUEUE)) {
            revert InvalidParameter("portal");
        }
        PORTAL = portal_;
        if (p.challengeBond == 0) revert InvalidParameter("challengeBond");
        // A zero tax would let a proposer challenge its own output and lose for free.
        if (p.bondTaxBps == 0 || p.bondTaxBps > BPS) revert InvalidParameter("bondTaxBps");
        if (p.slashBps == 0 || p.slashBps > BPS) revert InvalidParameter("slashBps");
        if (p.clockDuration == 0 || p.clockDuration > type(uint48).max) {
            revert InvalidParameter("clockDuration");
        }
        if (p.genesisRoot == 0) revert InvalidParameter("genesisRoot");
        if (p.riscV.code.length == 0) revert InvalidParameter("riscV");
        if (p.vmMemoryRoot == 0) revert InvalidParameter("vmMemoryRoot");
        // The entry point is an instruction address inside the 4 GiB memory.
        if (p.vmEntry % 4 != 0 || p.vmEntry >= 1 << 32) revert InvalidParameter("vmEntry");
        // At least one step; positions and steps are 64-bit fields of a game.
        if (p.executionSteps == 0) revert InvalidParameter("executionSteps");
        CHALLENGE_BOND = p.challengeBond;
        BOND_TAX_BPS = p.bondTaxBps;
        SLASH_BPS = p.slashBps;
        CLOCK = uint48(p.clockDuration);
        GENESIS_ROOT = p.genesisRoot;
        RISC_V = IRiscV(p.riscV);
        VM_MEMORY_ROOT = p.vmMemoryRoot;
        VM_ENTRY = uint64(p.vmEntry);
        EXECUTION_STEPS = p.executionSteps;
    }

    // ------------------------------------------------------------------ moves

    /// @inheritdoc IBisectionGame
    function challenge(
        uint256 outputIndex,
        bytes32 startRoot,
        bytes32 claimedRoot,
        IBatchInbox.BatchHeader[] calldata headers
    ) external payable returns (uint256 gameId) {
        if (msg.value != CHALLENGE_BOND) {
            revert WrongBond(msg.value, CHALLENGE_BOND);
        }
        IL1OutputOracle.Output memory output = ORACLE.outputAt(outputIndex);
        (bytes32 layoutHash, uint64 length) = _checkClaim(outputIndex, startRoot, claimedRoot, headers);
        // Reverts once the output's challenge window has closed.
        ORACLE.openDispute(outputIndex, output.generation);

        gameId = _gameCount++;
        _games[gameId] = Game({
            challenger: msg.sender,
            lastMoveAt: uint48(block.timestamp),
            status: Status.InProgress,
            proposerToMove: length > 1,
            proposer: output.proposer,
            proposerClock: CLOCK,
            challengerClock: CLOCK,
            outputIndex: uint64(outputIndex),
            generation: output.generation,
            lo: 0,
            hi: length,
            loRoot: startRoot,
            hiRoot: claimedRoot,
            midRoot: 0,
            layoutHash: layoutHash
        });
        emit GameCreated(
            gameId,
            outputIndex,
            msg.sender,
            output.proposer,
            output.generation,
            length,
            startRoot,
            claimedRoot
        );
    }

    /// @inheritdoc IBisectionGame
    function bisect(uint256 gameId, bytes32 root) external {
        Game storage g = _inProgress(gameId);
        if (!g.proposerToMove) revert NotYourMove(gameId, msg.sender);
        address proposer = g.proposer;
        // The operator itself, or whoever the registry says acts for it (its signer key).
        if (msg.sender != proposer && REGISTRY.operatorFor(msg.sender) != proposer) {
            revert NotYourMove(gameId, msg.sender);
        }
        if (root == 0) revert ZeroRoot();
        g.proposerClock = _charge(gameId, g, g.proposerClock);
        Execution storage e = _executions[gameId];
        if (e.inputKey == 0) {
            g.proposerToMove = false;
            g.midRoot = root;
            emit Bisected(gameId, (uint256(g.lo) + g.hi) / 2, root);
        } else if (e.hiClaim == 0) {
            // The proposer's first claim on the execution: the guest accepts its root. The
            // proposer moves again, with the first midpoint.
            if (RiscVState.claimStatus(root) != RiscVState.CLAIM_VALID) revert EndClaimNotValid(root);
            e.hiClaim = root;
            emit ExecutionBisected(gameId, EXECUTION_STEPS, root);
        } else {
            g.proposerToMove = false;
            e.midClaim = root;
            emit ExecutionBisected(gameId, (uint256(e.lo) + e.hi) / 2, root);
        }
    }

    /// @inheritdoc IBisectionGame
    function respond(uint256 gameId, bool agree) external {
        Game storage g = _inProgress(gameId);
        if (g.proposerToMove || msg.sender != g.challenger) revert NotYourMove(gameId, msg.sender);
        Execution storage e = _executions[gameId];
        bool executing = e.inputKey != 0;
        (uint64 lo, uint64 hi) = executing ? (e.lo, e.hi) : (g.lo, g.hi);
        if (hi - lo <= 1) revert WrongStage(gameId);
        g.challengerClock = _charge(gameId, g, g.challengerClock);
        uint64 mid = (lo + hi) / 2;
        if (agree) lo = mid;
        else hi = mid;
        // Down to one transaction (or step): the challenger now owes its proof.
        g.proposerToMove = hi - lo > 1;
        if (!executing) {
            (g.lo, g.hi) = (lo, hi);
            if (agree) g.loRoot = g.midRoot;
            else g.hiRoot = g.midRoot;
            emit Responded(gameId, agree, lo, hi);
        } else {
            (e.lo, e.hi) = (lo, hi);
            if (agree) e.loClaim = e.midClaim;
            else e.hiClaim = e.midClaim;
            emit ExecutionResponded(gameId, agree, lo, hi);
        }
    }

    /// @inheritdoc IBisectionGame
    function step(uint256 gameId, bytes calldata state, bytes calldata proofs) external {
        Game storage g = _inProgress(gameId);
        Execution storage e = _executions[gameId];
        uint64 lo = e.lo;
        if (e.inputKey == 0 || g.proposerToMove || e.hi - lo != 1) revert WrongStage(gameId);
        // The step is the challenger's last move; once its clock ran out the proposer has won.
        if (block.timestamp - g.lastMoveAt > g.challengerClock) revert ClockExpired(gameId);
        if (!ORACLE.outputExists(g.outputIndex, g.generation)) revert OutputGone(gameId);
        (bytes32 pre, bytes32 post) = RISC_V.step(state, proofs);
        if (pre != e.loClaim) revert WrongPreState(e.loClaim, pre);
        emit StepProven(gameId, lo, post);
        if (post == e.hiClaim) _proposerWins(gameId, g);
        else _challengerWins(gameId, g);
    }

    /// @inheritdoc IBisectionGame
    function resolve(uint256 gameId) external {
        Game storage g = _inProgress(gameId);
        if (!ORACLE.outputExists(g.outputIndex, g.generation)) {
            // Another game deleted the output: nothing is left to decide.
            g.status = Status.Moot;
            _credit(g.challenger, CHALLENGE_BOND);
            emit GameResolved(gameId, Status.Moot);
            return;
        }
        uint256 left = g.proposerToMove ? g.proposerClock : g.challengerClock;
        if (block.timestamp - g.lastMoveAt <= left) revert NotResolvable(gameId);
        if (g.proposerToMove) _challengerWins(gameId, g);
        else _proposerWins(gameId, g);
    }

    /// @inheritdoc IBisectionGame
    function claim() external {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert NothingToClaim();
        _credits[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IBisectionGame
    function gameAt(uint256 gameId) external view returns (Game memory) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        return _games[gameId];
    }

    /// @inheritdoc IBisectionGame
    function executionOf(uint256 gameId) external view returns (Execution memory) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        return _executions[gameId];
    }

    /// @inheritdoc IBisectionGame
    function bootClaimOf(bytes32 inputKey) external view returns (bytes32) {
        return RiscVState.bootClaim(VM_MEMORY_ROOT, VM_ENTRY, inputKey);
    }

    /// @inheritdoc IBisectionGame
    function executionSteps() external view returns (uint256) {
        return EXECUTION_STEPS;
    }

    /// @inheritdoc IBisectionGame
    function riscV() external view returns (address) {
        return address(RISC_V);
    }

    /// @inheritdoc IBisectionGame
    function vmMemoryRoot() external view returns (bytes32) {
        return VM_MEMORY_ROOT;
    }

    /// @inheritdoc IBisectionGame
    function vmEntry() external view returns (uint256) {
        return VM_ENTRY;
    }

    /// @inheritdoc IBisectionGame
    function gameCount() external view returns (uint256) {
        return _gameCount;
    }

    /// @inheritdoc IBisectionGame
    function clocksOf(uint256 gameId) external view returns (uint256 proposerLeft, uint256 challengerLeft) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        Game storage g = _games[gameId];
        proposerLeft = g.proposerClock;
        challengerLeft = g.challengerClock;
        if (g.status != Status.InProgress) return (proposerLeft, challengerLeft);
        uint256 elapsed = block.timestamp - g.lastMoveAt;
        if (g.proposerToMove) proposerLeft = elapsed >= proposerLeft ? 0 : proposerLeft - elapsed;
        else challengerLeft = elapsed >= challengerLeft ? 0 : challengerLeft - elapsed;
    }

    /// @inheritdoc IBisectionGame
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IBisectionGame
    function totalBurned() external view returns (uint256) {
        return _totalBurned;
    }

    /// @inheritdoc IBisectionGame
    function evidenceKeyOf(uint256 outputIndex, uint256 generation) public pure returns (bytes32) {
        return keccak256(abi.encode(INVALID_OUTPUT_TAG, outputIndex, generation));
    }

    /// @inheritdoc IBisectionGame
    function challengeBond() external view returns (uint256) {
        return CHALLENGE_BOND;
    }

    /// @inheritdoc IBisectionGame
    function bondTaxBps() external view returns (uint256) {
        return BOND_TAX_BPS;
    }

    /// @inheritdoc IBisectionGame
    function slashBps() external view returns (uint256) {
        return SLASH_BPS;
    }

    /// @inheritdoc IBisectionGame
    function clockDuration() external view returns (uint256) {
        return CLOCK;
    }

    /// @inheritdoc IBisectionGame
    function oracle() external view returns (address) {
        return address(ORACLE);
    }

    /// @inheritdoc IBisectionGame
    function registry() external view returns (address) {
        return address(REGISTRY);
    }

    /// @inheritdoc IBisectionGame
    function inbox() external view returns (address) {
        return address(INBOX);
    }

    /// @inheritdoc IBisectionGame
    function queue() external view returns (address) {
        return address(QUEUE);
    }

    /// @inheritdoc IBisectionGame
    function portal() external view returns (address) {
        return PORTAL;
    }

    // ------------------------------------------------------------------ internals

    function _inProgress(uint256 gameId) internal view returns (Game storage g) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        g = _games[gameId];
        if (g.status != Status.InProgress) revert GameOver(gameId, g.status);
    }

    /// @dev The roots must be the ones the outputs commit to (the start root: the previous
    ///      output's, or genesis), and the headers the interval's; returns the layout's hash and
    ///      the trace length.
    function _checkClaim(
        uint256 outputIndex,
        bytes32 startRoot,
        bytes32 claimedRoot,
        IBatchInbox.BatchHeader[] calldata headers
    ) private view returns (bytes32 layoutHash, uint64 length) {
        if (!_commits(outputIndex, claimedRoot)) {
            revert RootMismatch(claimedRoot);
        }
        // The previous output exists (deletion removes a suffix); before the first one, genesis.
        if (outputIndex == 0 ? startRoot != GENESIS_ROOT : !_commits(outputIndex - 1, startRoot)) {
            revert RootMismatch(startRoot);
        }
        return _layout(outputIndex, headers, INBOX.recordHash(_lastRecordOf(outputIndex)));
    }

    /// @dev The inbox record output `outputIndex` ends with.
    function _lastRecordOf(uint256 outputIndex) internal view returns (uint256) {
        return (outputIndex + 1) * OUTPUT_INTERVAL - 1;
    }

    /// @dev The trace of output `outputIndex`'s interval from its record headers (which must chain
    ///      to `lastRecordHash`, the inbox's hash of its last record): the hash a game stores of
    ///      its layout, and the number of positions.
    function _layout(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers, bytes32 lastRecordHash)
        internal
        view
        virtual
        returns (bytes32 layoutHash, uint64 length);

    /// @dev The challenger's proof of what position `lo` runs (once the segment is one
    ///      position): checks the stage and the output, and charges the challenger's clock.
    function _atPositionProof(uint256 gameId) internal returns (Game storage g) {
        g = _inProgress(gameId);
        if (g.proposerToMove || g.hi - g.lo > 1 || _executions[gameId].inputKey != 0) {
            revert WrongStage(gameId);
        }
        if (!ORACLE.outputExists(g.outputIndex, g.generation)) revert OutputGone(gameId);
        // The proof is the challenger's move, on its clock.
        g.challengerClock = _charge(gameId, g, g.challengerClock);
    }

    /// @dev Boot the guest on `input`, the claim about position `position`: the execution level
    ///      starts, the proposer to post its end claim.
    function _startExecution(uint256 gameId, Game storage g, uint256 position, bytes memory input) internal {
        bytes32 inputKey = keccak256(input);
        Execution storage e = _executions[gameId];
        e.inputKey = inputKey;
        e.hi = EXECUTION_STEPS;
        e.loClaim = RiscVState.bootClaim(VM_MEMORY_ROOT, VM_ENTRY, inputKey);
        g.proposerToMove = true;
        emit ExecutionStarted(gameId, position, inputKey, input);
    }

    function _commits(uint256 outputIndex, bytes32 stateRoot) private view returns (bool matches) {
        (matches,) = ORACLE.verifyStateRoot(outputIndex, stateRoot);
    }

    /// @dev Charge the side to move for the time it took; returns its clock after the move.
    function _charge(uint256 gameId, Game storage g, uint48 clock) private returns (uint48) {
        uint256 elapsed = block.timestamp - g.lastMoveAt;
        if (elapsed > clock) revert ClockExpired(gameId);
        g.lastMoveAt = uint48(block.timestamp);
        return uint48(clock - elapsed);
    }

    function _proposerWins(uint256 gameId, Game storage g) internal {
        g.status = Status.ProposerWon;
        ORACLE.closeDispute(g.outputIndex, g.generation);
        uint256 tax = CHALLENGE_BOND * BOND_TAX_BPS / BPS;
        _totalBurned += tax;
        _credit(g.proposer, CHALLENGE_BOND - tax);
        emit GameResolved(gameId, Status.ProposerWon);
    }

    function _challengerWins(uint256 gameId, Game storage g) internal {
        g.status = Status.ChallengerWon;
        uint256 outputIndex = g.outputIndex;
        uint256 generation = g.generation;
        address challenger = g.challenger;
        address proposer = ORACLE.deleteOutputs(outputIndex, generation);
        _credit(challenger, CHALLENGE_BOND);
        // The challenger's reward is the registry's reporter share of the slash; the rest burns,
        // so disputing your own output never pays.
        try REGISTRY.slash(proposer, SLASH_BPS, evidenceKeyOf(outputIndex, generation), challenger) {}
        catch (bytes memory reason) {
            // Only "nothing left to slash" is tolerated; anything else (out of gas included)
            // reverts the whole resolution, so a caller cannot starve the slash of gas.
            if (reason.length < 4 || bytes4(reason) != ISequencerRegistry.NothingToSlash.selector) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
            emit SlashSkipped(gameId, proposer);
        }
        emit GameResolved(gameId, Status.ChallengerWon);
    }

    function _credit(address account, uint256 amount) private {
        _credits[account] += amount;
        emit Credited(account, amount);
    }
}
