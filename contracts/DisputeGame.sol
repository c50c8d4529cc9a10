// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IL1OutputOracle} from "./interfaces/IL1OutputOracle.sol";
import {ISequencerRegistry} from "./interfaces/ISequencerRegistry.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {IPortal} from "./interfaces/IPortal.sol";
import {BatchData} from "./libraries/BatchData.sol";
import {DepositEntry} from "./libraries/DepositEntry.sol";
import {PaddedMerkle} from "./libraries/PaddedMerkle.sol";
import {TraceLayout} from "./libraries/TraceLayout.sol";
import {GuestInput} from "./libraries/GuestInput.sol";
import {IRiscV} from "./interfaces/IRiscV.sol";
import {RiscVState} from "./vm/RiscVState.sol";

/// @title DisputeGame
/// @notice See IDisputeGame. One contract holds every game; a game is five storage words of
///         state (who, clocks, segment) plus the agreed root, the disputed root, the pending
///         midpoint root and the layout hash, and, once one transaction is disputed, its
///         execution: the guest's input key, the step segment and its three claims.
contract DisputeGame is IDisputeGame {
    uint256 internal constant BPS = 10_000;
    bytes32 internal constant INVALID_OUTPUT_TAG = keccak256("baton.invalid-output");
    /// @notice The VM steps a disputed transaction is bisected over: 2^28. A ledger transfer
    ///         takes 11.6 M steps (docs/vm.md), so the guest halts well before the end, and a
    ///         halted machine steps to itself.
    uint64 internal constant EXECUTION_STEPS = 1 << 28;

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
    uint128 internal immutable L2_BASE_FEE;
    bytes32 internal immutable GENESIS_STATE_ROOT;
    IRiscV internal immutable RISC_V;
    bytes32 internal immutable VM_MEMORY_ROOT;
    uint64 internal immutable VM_ENTRY;

    mapping(uint256 gameId => Game) internal _games;
    mapping(uint256 gameId => Execution) internal _executions;
    uint256 internal _gameCount;
    mapping(address account => uint256) internal _credits;
    uint256 internal _totalBurned;

    /// @notice The game's economic and timing parameters (docs/outputs.md, "Parameters").
    struct Params {
        uint256 challengeBond;
        uint256 bondTaxBps;
        uint256 slashBps;
        uint256 clockDuration;
        uint256 l2BaseFee;
        bytes32 genesisStateRoot;
        /// @dev The step verifier and the guest program it runs (keepers/guest/image.json).
        address riscV;
        bytes32 vmMemoryRoot;
        uint256 vmEntry;
    }

    /// @notice A constructor parameter is out of range or not wired to the others.
    error InvalidParameter(string name);

    /// @param oracle_ The output oracle; the registry, inbox, queue and output interval are read
    ///        from it (and the inbox) so they cannot disagree.
    /// @param portal_ The portal whose queue entries are deposits.
    constructor(address oracle_, address portal_, Params memory p) {
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
        if (p.l2BaseFee > type(uint128).max) revert InvalidParameter("l2BaseFee");
        if (p.genesisStateRoot == 0) revert InvalidParameter("genesisStateRoot");
        if (p.riscV.code.length == 0) revert InvalidParameter("riscV");
        if (p.vmMemoryRoot == 0) revert InvalidParameter("vmMemoryRoot");
        // The entry point is an instruction address inside the 4 GiB memory.
        if (p.vmEntry % 4 != 0 || p.vmEntry >= 1 << 32) revert InvalidParameter("vmEntry");
        CHALLENGE_BOND = p.challengeBond;
        BOND_TAX_BPS = p.bondTaxBps;
        SLASH_BPS = p.slashBps;
        CLOCK = uint48(p.clockDuration);
        L2_BASE_FEE = uint128(p.l2BaseFee);
        GENESIS_STATE_ROOT = p.genesisStateRoot;
        RISC_V = IRiscV(p.riscV);
        VM_MEMORY_ROOT = p.vmMemoryRoot;
        VM_ENTRY = uint64(p.vmEntry);
    }

    // ------------------------------------------------------------------ moves

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
    function proveTransaction(uint256 gameId, TransactionProof calldata proof) external {
        Game storage g = _inProgress(gameId);
        uint64 lo = g.lo;
        if (g.proposerToMove || g.hi - lo > 1 || _executions[gameId].inputKey != 0) {
            revert WrongStage(gameId);
        }
        if (!ORACLE.outputExists(g.outputIndex, g.generation)) revert OutputGone(gameId);
        // The proof is the challenger's move, on its clock.
        g.challengerClock = _charge(gameId, g, g.challengerClock);
        if (g.hi == lo) {
            // An empty trace has no transaction: the state after it is the state before it.
            if (g.loRoot == g.hiRoot) _proposerWins(gameId, g);
            else _challengerWins(gameId, g);
            return;
        }
        bytes memory input = _guestInput(gameId, g, lo, proof);
        bytes32 inputKey = keccak256(input);
        Execution storage e = _executions[gameId];
        e.inputKey = inputKey;
        e.hi = EXECUTION_STEPS;
        e.loClaim = RiscVState.bootClaim(VM_MEMORY_ROOT, VM_ENTRY, inputKey);
        g.proposerToMove = true;
        emit ExecutionStarted(gameId, lo, inputKey, input);
    }

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
    function claim() external {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert NothingToClaim();
        _credits[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDisputeGame
    function layoutOf(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers)
        external
        view
        returns (IDisputeGame.Span[] memory spans, uint256 traceLength)
    {
        uint256 recordIndex = (outputIndex + 1) * OUTPUT_INTERVAL - 1;
        return TraceLayout.build(headers, outputIndex == 0, OUTPUT_INTERVAL, INBOX.recordHash(recordIndex));
    }

    /// @inheritdoc IDisputeGame
    function gameAt(uint256 gameId) external view returns (Game memory) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        return _games[gameId];
    }

    /// @inheritdoc IDisputeGame
    function executionOf(uint256 gameId) external view returns (Execution memory) {
        if (gameId >= _gameCount) revert UnknownGame(gameId);
        return _executions[gameId];
    }

    /// @inheritdoc IDisputeGame
    function bootClaimOf(bytes32 inputKey) external view returns (bytes32) {
        return RiscVState.bootClaim(VM_MEMORY_ROOT, VM_ENTRY, inputKey);
    }

    /// @inheritdoc IDisputeGame
    function executionSteps() external pure returns (uint256) {
        return EXECUTION_STEPS;
    }

    /// @inheritdoc IDisputeGame
    function riscV() external view returns (address) {
        return address(RISC_V);
    }

    /// @inheritdoc IDisputeGame
    function vmMemoryRoot() external view returns (bytes32) {
        return VM_MEMORY_ROOT;
    }

    /// @inheritdoc IDisputeGame
    function vmEntry() external view returns (uint256) {
        return VM_ENTRY;
    }

    /// @inheritdoc IDisputeGame
    function gameCount() external view returns (uint256) {
        return _gameCount;
    }

    /// @inheritdoc IDisputeGame
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

    /// @inheritdoc IDisputeGame
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IDisputeGame
    function totalBurned() external view returns (uint256) {
        return _totalBurned;
    }

    /// @inheritdoc IDisputeGame
    function evidenceKeyOf(uint256 outputIndex, uint256 generation) public pure returns (bytes32) {
        return keccak256(abi.encode(INVALID_OUTPUT_TAG, outputIndex, generation));
    }

    /// @inheritdoc IDisputeGame
    function challengeBond() external view returns (uint256) {
        return CHALLENGE_BOND;
    }

    /// @inheritdoc IDisputeGame
    function bondTaxBps() external view returns (uint256) {
        return BOND_TAX_BPS;
    }

    /// @inheritdoc IDisputeGame
    function slashBps() external view returns (uint256) {
        return SLASH_BPS;
    }

    /// @inheritdoc IDisputeGame
    function clockDuration() external view returns (uint256) {
        return CLOCK;
    }

    /// @inheritdoc IDisputeGame
    function l2BaseFee() external view returns (uint256) {
        return L2_BASE_FEE;
    }

    /// @inheritdoc IDisputeGame
    function genesisStateRoot() external view returns (bytes32) {
        return GENESIS_STATE_ROOT;
    }

    /// @inheritdoc IDisputeGame
    function oracle() external view returns (address) {
        return address(ORACLE);
    }

    /// @inheritdoc IDisputeGame
    function registry() external view returns (address) {
        return address(REGISTRY);
    }

    /// @inheritdoc IDisputeGame
    function inbox() external view returns (address) {
        return address(INBOX);
    }

    /// @inheritdoc IDisputeGame
    function queue() external view returns (address) {
        return address(QUEUE);
    }

    /// @inheritdoc IDisputeGame
    function portal() external view returns (address) {
        return PORTAL;
    }

    // ------------------------------------------------------------------ internals

    function _inProgress(uint256 gameId) private view returns (Game storage g) {
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
        if (outputIndex == 0 ? startRoot != GENESIS_STATE_ROOT : !_commits(outputIndex - 1, startRoot)) {
            revert RootMismatch(startRoot);
        }
        bytes32 lastRecordHash = INBOX.recordHash((outputIndex + 1) * OUTPUT_INTERVAL - 1);
        IDisputeGame.Span[] memory spans;
        (spans, length) = TraceLayout.build(headers, outputIndex == 0, OUTPUT_INTERVAL, lastRecordHash);
        layoutHash = TraceLayout.root(spans);
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

    /// @dev The guest's input for the transaction at trace position `position`: the agreed root,
    ///      the proposer's root after it, the block context and the transaction (GuestInput).
    ///      The proof names one span (checked against the layout root) and one transaction
    ///      (checked against the span's record or the force queue), so its cost does not depend
    ///      on the record.
    function _guestInput(uint256 gameId, Game storage g, uint256 position, TransactionProof calldata proof)
        private
        view
        returns (bytes memory)
    {
        IDisputeGame.Span calldata span = proof.span;
        if (
            TraceLayout.rootOf(span, proof.spanIndex, OUTPUT_INTERVAL, proof.spanPath) != g.layoutHash
                || !TraceLayout.contains(span, position)
        ) {
            revert BadLayout(gameId);
        }
        GuestInput.Context memory ctx = GuestInput.Context({
            preRoot: g.loRoot,
            claimedPostRoot: g.hiRoot,
            chainId: L2_CHAIN_ID,
            baseFee: L2_BASE_FEE,
            feeRecipient: _feeRecipient(span, proof)
        });
        uint256 offset = position - span.firstPosition;
        if (offset < span.forceCount) return _entryInput(ctx, span.forceStart + offset, proof);
        bytes32 txHash = keccak256(proof.transaction);
        bytes32 implied = PaddedMerkle.rootOf(txHash, offset - span.forceCount, span.txCount, proof.txPath);
        if (implied != proof.txRoot) revert TransactionNotInRecord(proof.txRoot, implied);
        return GuestInput.signed(ctx, txHash);
    }

    /// @dev A sequenced record's data names the fee recipient; a forced record's fees burn.
    function _feeRecipient(IDisputeGame.Span calldata span, TransactionProof calldata proof)
        private
        pure
        returns (address)
    {
        if (span.dataHash == 0) return address(0);
        bytes32 dataHash = BatchData.dataHashOf(proof.feeRecipient, proof.blocksHash, proof.txRoot);
        if (dataHash != span.dataHash) revert RecordDataMismatch(span.dataHash, dataHash);
        return proof.feeRecipient;
    }

    /// @dev Force-queue entry `queueIndex`: a deposit if the portal enqueued one, else a transaction.
    function _entryInput(GuestInput.Context memory ctx, uint256 queueIndex, TransactionProof calldata proof)
        private
        view
        returns (bytes memory)
    {
        if (QUEUE.commitmentOf(queueIndex) != QUEUE.commitmentFor(proof.entrySender, proof.transaction)) {
            revert EntryMismatch(queueIndex);
        }
        (bool isDeposit, address recipient, uint256 amount) =
            DepositEntry.decode(proof.entrySender, proof.transaction, PORTAL);
        if (isDeposit) return GuestInput.deposit(ctx, recipient, amount);
        return GuestInput.signed(ctx, keccak256(proof.transaction));
    }

    function _proposerWins(uint256 gameId, Game storage g) private {
        g.status = Status.ProposerWon;
        ORACLE.closeDispute(g.outputIndex, g.generation);
        uint256 tax = CHALLENGE_BOND * BOND_TAX_BPS / BPS;
        _totalBurned += tax;
        _credit(g.proposer, CHALLENGE_BOND - tax);
        emit GameResolved(gameId, Status.ProposerWon);
    }

    function _challengerWins(uint256 gameId, Game storage g) private {
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
