// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SequencingTest} from "./SequencingTest.sol";
import {LedgerModel} from "./LedgerModel.sol";
import {Eip1559Builder} from "./Eip1559Builder.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {L1OutputOracle} from "../../contracts/L1OutputOracle.sol";
import {Portal} from "../../contracts/Portal.sol";
import {DisputeGame} from "../../contracts/DisputeGame.sol";
import {IDisputeGame} from "../../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../../contracts/interfaces/IBisectionGame.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";
import {TraceLayout} from "../../contracts/libraries/TraceLayout.sol";
import {DepositEntry} from "../../contracts/libraries/DepositEntry.sol";
import {BatchDataModel} from "./BatchDataModel.sol";
import {Ledger} from "../../contracts/libraries/ledger/Ledger.sol";
import {TinyGuest} from "./TinyGuest.sol";

/// @notice A whole L2 history played for real, to dispute: the system deployed by the real
///         script (its genesis root taken from the reference ledger model), three bonded
///         sequencers, records posted to the inbox holding signed L2 transactions, portal deposits
///         and user force-queue entries, and outputs proposed on them. The model
///         (test/utils/LedgerModel.sol, tied to the Rust STF by the vectors) gives the honest root
///         after every transaction, so a test can play either side of a game honestly or lie
///         from any position, and hand in real transaction proofs. The execution level runs on
///         the real RiscV verifier with TinyGuest standing in for the guest: its verdict on the
///         disputed transaction is `_guestExitCode()` (0 accepts, 1 rejects), so a suite picks
///         the one that is true of the claims its tests dispute.
abstract contract DisputeTest is SequencingTest {
    enum Kind {
        Transfer,
        Withdrawal,
        Malformed,
        ForcedTransfer,
        Deposit
    }

    /// @dev One transaction of the trace, as the honest side knows it.
    struct Position {
        Kind kind;
        uint256 record;
        address entrySender;
        bytes entry;
    }

    uint256 internal constant USERS = 3;
    uint256 internal constant MAX_FEE = 2 gwei;
    /// @dev The fee recipient BATCH_PREFIX names.
    address internal constant FEE_RECIPIENT = address(0xfee0);

    L1OutputOracle internal oracle;
    Portal internal portal;
    DisputeGame internal game;
    LedgerModel internal model;
    Op[] internal ops;
    address[] internal users;
    uint256[] internal userKeys;
    address internal l1Recipient = makeAddr("l1 recipient");
    address internal depositor = makeAddr("depositor");
    address internal honest = makeAddr("honest challenger");

    Position[] internal trace;
    /// @dev roots[i]: the honest state root after i transactions (roots[0] is genesis).
    bytes32[] internal roots;
    IBatchInbox.BatchHeader[] internal headers;
    bytes[] internal records;
    /// @dev outputEnds[k]: the trace position output k is taken at.
    uint256[] internal outputEnds;

    /// @dev The proposer's roots from this trace position on are wrong.
    uint256 internal proposerLiesFrom = type(uint256).max;
    /// @dev Wei the portal escrowed for the deposits in the history.
    uint256 internal depositedToPortal;

    function _profile() internal virtual override returns (Deploy.Profile memory profile) {
        profile = script.loadProfile("devnet-ledger");
        model = new LedgerModel();
        for (uint256 i; i < USERS; ++i) {
            (address a, uint256 key) = makeAddrAndKey(string.concat("l2 user ", vm.toString(i)));
            users.push(a);
            userKeys.push(key);
            model.setAccount(a, 100 ether, 0);
        }
        profile.genesisStateRoot = model.stateRoot();
        roots.push(profile.genesisStateRoot);
        profile.vmMemoryRoot = TinyGuest.memoryRoot(_guestExitCode());
        profile.vmEntry = TinyGuest.ENTRY;
    }

    /// @dev The stand-in guest's verdict on every disputed transaction: 1 rejects the claim
    ///      (right where the proposer lies), 0 accepts it (where it is honest).
    function _guestExitCode() internal pure virtual returns (uint256) {
        return 1;
    }

    function setUp() public virtual override {
        super.setUp();
        oracle = deployment.oracle;
        portal = deployment.portal;
        game = DisputeGame(address(deployment.game));
        Op[] memory three = _threeOps();
        for (uint256 i; i < three.length; ++i) {
            ops.push(three[i]);
        }
    }

    // ------------------------------------------------------------------ building history

    /// @dev Post one output interval holding `count` transactions whose kinds `seed` draws, and
    ///      propose its output with the proposer's root (honest unless it lies by then).
    function _interval(uint256 count, uint256 seed) internal returns (uint256 outputIndex) {
        return _intervalOf(_kindsOf(count, seed));
    }

    /// @dev Post one output interval holding transactions of `kinds`, spread over its records
    ///      (each record puts its force-queue entries first), and propose its output.
    function _intervalOf(Kind[] memory kinds) internal returns (uint256 outputIndex) {
        _postInterval(kinds);
        return _propose(_proposerRoot(trace.length));
    }

    /// @dev The kinds `seed` draws for the next `count` transactions.
    function _kindsOf(uint256 count, uint256 seed) internal view returns (Kind[] memory kinds) {
        kinds = new Kind[](count);
        for (uint256 i; i < count; ++i) {
            kinds[i] = Kind(uint256(keccak256(abi.encode(seed, trace.length + i))) % 5);
        }
    }

    /// @dev Post the records of one output interval holding transactions of `kinds`.
    function _postInterval(Kind[] memory kinds) internal {
        uint256 interval = p.outputInterval;
        for (uint256 r; r < interval; ++r) {
            uint256 from = kinds.length * r / interval;
            uint256 to = kinds.length * (r + 1) / interval;
            _postRecord(kinds, from, to);
        }
        outputEnds.push(trace.length);
    }

    function _postRecord(Kind[] memory kinds, uint256 from, uint256 to) internal {
        uint256 recordIndex = inbox.recordCount();
        uint256 batchCount;
        for (uint256 i = from; i < to; ++i) {
            if (kinds[i] == Kind.ForcedTransfer || kinds[i] == Kind.Deposit) {
                _applyForced(kinds[i], recordIndex);
            } else {
                ++batchCount;
            }
        }
        bytes[] memory txs = new bytes[](batchCount);
        uint256 j;
        for (uint256 i = from; i < to; ++i) {
            if (kinds[i] != Kind.ForcedTransfer && kinds[i] != Kind.Deposit) {
                txs[j++] = _applyBatch(kinds[i], recordIndex);
            }
        }
        bytes memory data = _oneBlockData(txs);
        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: p.l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: inbox.lastL2Block() + 1,
            lastBlock: inbox.lastL2Block() + 1,
            prevRecordHash: inbox.lastRecordHash(),
            dataHash: _dataHash(data, 1),
            txCount: uint32(batchCount),
            forceIndex: uint64(queue.length())
        });
        _submit(_eligibleLeader(), 0, h, data);
        headers.push(h);
        records.push(data);
    }

    /// @dev The current epoch's leader, moving on an epoch while it is jailed.
    function _eligibleLeader() internal returns (Op memory) {
        for (uint256 tries; tries < 20; ++tries) {
            (,, bool eligible) = registry.scheduledSigner(registry.currentEpoch(), 0);
            if (eligible) return _scheduled(ops, 0);
            registry.checkpoint();
            _rollToEpoch(registry.currentEpoch() + 1);
        }
        revert("no eligible leader");
    }

    function _applyForced(Kind kind, uint256 recordIndex) internal {
        Position memory pos;
        pos.kind = kind;
        pos.record = recordIndex;
        uint256 salt = trace.length;
        if (kind == Kind.Deposit) {
            address recipient = users[salt % USERS];
            uint256 amount = 1 ether + salt;
            uint256 value = amount + queue.inclusionFee();
            vm.deal(depositor, value);
            vm.prank(depositor);
            portal.deposit{value: value}(recipient);
            depositedToPortal += amount;
            pos.entrySender = address(portal);
            pos.entry = DepositEntry.encode(recipient, amount);
            model.deposit(recipient, amount);
        } else {
            uint256 from = salt % USERS;
            address to = users[(salt + 1) % USERS];
            pos.entry = _signed(from, to, 0.5 ether, "");
            pos.entrySender = user;
            _enqueue(pos.entry);
            model.transfer(users[from], to, 0.5 ether, _l2Fee(), FEE_RECIPIENT);
        }
        _record(pos);
    }

    function _applyBatch(Kind kind, uint256 recordIndex) internal returns (bytes memory txBytes) {
        Position memory pos;
        pos.kind = kind;
        pos.record = recordIndex;
        uint256 salt = trace.length;
        uint256 from = salt % USERS;
        if (kind == Kind.Transfer) {
            address to = users[(salt + 2) % USERS];
            txBytes = _signed(from, to, 0.25 ether, "");
            model.transfer(users[from], to, 0.25 ether, _l2Fee(), FEE_RECIPIENT);
        } else if (kind == Kind.Withdrawal) {
            txBytes = _signed(from, Ledger.WITHDRAWAL_ADDRESS, 0.1 ether, abi.encodePacked(l1Recipient));
            model.withdraw(users[from], l1Recipient, 0.1 ether, _l2Fee(), FEE_RECIPIENT);
        } else {
            // Not an EIP-1559 envelope: a no-op that still takes its place in the trace.
            txBytes = abi.encodePacked(hex"deadbeef", salt);
        }
        _record(pos);
    }

    function _record(Position memory pos) internal {
        trace.push(pos);
        roots.push(model.stateRoot());
    }

    function _signed(uint256 from, address to, uint256 value, bytes memory data)
        internal
        view
        returns (bytes memory)
    {
        Eip1559Builder.UnsignedTx memory t =
            Eip1559Builder.transfer(p.l2ChainId, model.nonceOf(users[from]), to, value, MAX_FEE, 0);
        t.data = data;
        return Eip1559Builder.sign(t, userKeys[from]);
    }

    /// @dev The ledger fee of every transaction here: 21000 × the base fee (no tip).
    function _l2Fee() internal view returns (uint256) {
        return 21_000 * p.l2BaseFee;
    }

    /// @dev Propose `stateRoot` as the next output from the first active operator.
    function _propose(bytes32 stateRoot) internal returns (uint256 index) {
        Op memory op = _activeOp();
        uint256 next = oracle.outputCount();
        vm.prank(op.operator);
        index = oracle.proposeOutput(next, stateRoot);
    }

    function _activeOp() internal view returns (Op memory) {
        for (uint256 i; i < ops.length; ++i) {
            if (registry.isActive(ops[i].operator)) return ops[i];
        }
        revert("no active operator");
    }

    function _opOf(address operator) internal view returns (Op memory) {
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].operator == operator) return ops[i];
        }
        revert("unknown operator");
    }

    // ------------------------------------------------------------------ the two sides

    /// @dev What the proposer claims after `position` transactions.
    function _proposerRoot(uint256 position) internal view returns (bytes32) {
        if (position >= proposerLiesFrom) return keccak256(abi.encode("a lie", position));
        return roots[position];
    }

    function _base(uint256 outputIndex) internal view returns (uint256) {
        return outputIndex == 0 ? 0 : outputEnds[outputIndex - 1];
    }

    /// @dev The record headers a game over `outputIndex` needs.
    function _headersFor(uint256 outputIndex) internal view returns (IBatchInbox.BatchHeader[] memory hs) {
        uint256 interval = p.outputInterval;
        uint256 first = outputIndex == 0 ? 0 : outputIndex * interval - 1;
        uint256 last = (outputIndex + 1) * interval - 1;
        hs = new IBatchInbox.BatchHeader[](last + 1 - first);
        for (uint256 i; i < hs.length; ++i) {
            hs[i] = headers[first + i];
        }
    }

    /// @dev Open a game against output `outputIndex` as `challenger`.
    function _challenge(address challenger, uint256 outputIndex) internal returns (uint256 gameId) {
        bytes32 startRoot = outputIndex == 0 ? roots[0] : _proposerRoot(_base(outputIndex));
        bytes32 claimedRoot = _proposerRoot(outputEnds[outputIndex]);
        IBatchInbox.BatchHeader[] memory hs = _headersFor(outputIndex);
        uint256 bond = game.challengeBond();
        vm.deal(challenger, challenger.balance + bond);
        vm.prank(challenger);
        gameId = game.challenge{value: bond}(outputIndex, startRoot, claimedRoot, hs);
    }

    /// @dev The proof of the transaction at trace position `position`, in a game over
    ///      `outputIndex`: one span and one transaction, each with its Merkle path.
    function _txProof(uint256 outputIndex, uint256 position)
        internal
        view
        returns (IDisputeGame.TransactionProof memory proof)
    {
        (IDisputeGame.Span[] memory spans,) = game.layoutOf(outputIndex, _headersFor(outputIndex));
        if (position == outputEnds[outputIndex]) return proof; // empty segment: nothing to execute
        Position storage pos = trace[position];
        proof.spanIndex = pos.record - outputIndex * p.outputInterval;
        proof.span = spans[proof.spanIndex];
        proof.spanPath = _spanPath(spans, proof.spanIndex);
        proof.entrySender = pos.entrySender;
        // A forced record has no data: its span's dataHash is zero and its fees burn.
        BatchDataModel.Parsed memory parsed;
        if (proof.span.dataHash != 0) {
            bytes memory data = records[pos.record];
            parsed = BatchDataModel.parse(data, 1, type(uint256).max);
            proof.feeRecipient = parsed.feeRecipient;
            (, proof.blocksHash, proof.txRoot) = BatchDataModel.commitment(data, 1);
        }
        // Span positions count from the game's start, trace positions from genesis.
        uint256 offset = position - _base(outputIndex) - proof.span.firstPosition;
        if (offset < proof.span.forceCount) {
            proof.transaction = pos.entry;
        } else {
            uint256 txIndex = offset - proof.span.forceCount;
            proof.transaction = parsed.txs[txIndex];
            proof.txPath = BatchDataModel.path(BatchDataModel.leavesOf(parsed.txs), txIndex);
        }
    }

    /// @dev The Merkle path of span `index` to the layout root.
    function _spanPath(IDisputeGame.Span[] memory spans, uint256 index)
        internal
        pure
        returns (bytes32[] memory)
    {
        bytes32[] memory leaves = new bytes32[](spans.length);
        for (uint256 i; i < spans.length; ++i) {
            leaves[i] = keccak256(abi.encode(spans[i]));
        }
        return BatchDataModel.path(leaves, index);
    }

    /// @dev How the challenger answers midpoints.
    enum Answer {
        Honest,
        AlwaysDisagree,
        AlwaysAgree
    }

    /// @dev Play game `gameId` to its end: the proposer posts `_proposerRoot`, the challenger
    ///      answers per `answer`, at one transaction the proof is handed in, and the execution is
    ///      played the same way over the stand-in guest's steps.
    function _playOut(uint256 gameId, Answer answer) internal returns (IBisectionGame.Status status) {
        for (uint256 moves; moves < 200; ++moves) {
            status = game.gameAt(gameId).status;
            if (status != IBisectionGame.Status.InProgress) return status;
            vm.warp(block.timestamp + 1);
            _moveOnce(gameId, answer, moves % 4 == 0);
        }
        revert("game did not end");
    }

    /// @dev Make the move game `gameId` waits for. The proposer moves from its operator
    ///      account or, as it may, from its signer key.
    function _moveOnce(uint256 gameId, Answer answer, bool proposerUsesOperator) internal {
        IBisectionGame.Game memory g = game.gameAt(gameId);
        if (game.executionOf(gameId).inputKey != 0) {
            return _executionMove(gameId, answer, proposerUsesOperator);
        }
        uint256 base = _base(g.outputIndex);
        uint256 mid = (uint256(g.lo) + g.hi) / 2;
        if (g.proposerToMove) {
            Op memory proposer = _opOf(g.proposer);
            bytes32 root = _proposerRoot(base + mid);
            vm.prank(proposerUsesOperator ? proposer.operator : proposer.signer);
            game.bisect(gameId, root);
        } else if (g.hi - g.lo > 1) {
            bool agree =
                answer == Answer.AlwaysAgree || (answer == Answer.Honest && g.midRoot == roots[base + mid]);
            vm.prank(g.challenger);
            game.respond(gameId, agree);
        } else {
            game.proveTransaction(gameId, _txProof(g.outputIndex, base + g.lo));
        }
    }

    /// @dev A move of the execution level. The proposer claims the stand-in guest's true
    ///      states, but at the end always "exited 0" (a lie when the guest rejects).
    function _executionMove(uint256 gameId, Answer answer, bool proposerUsesOperator) internal {
        IBisectionGame.Game memory g = game.gameAt(gameId);
        IBisectionGame.Execution memory e = game.executionOf(gameId);
        uint256 code = _guestExitCode();
        uint256 mid = (uint256(e.lo) + e.hi) / 2;
        if (g.proposerToMove) {
            bytes32 claim = e.hiClaim == 0
                ? TinyGuest.asValid(TinyGuest.claimAt(code, e.inputKey, e.hi))
                : TinyGuest.claimAt(code, e.inputKey, mid);
            Op memory proposer = _opOf(g.proposer);
            vm.prank(proposerUsesOperator ? proposer.operator : proposer.signer);
            game.bisect(gameId, claim);
        } else if (e.hi - e.lo > 1) {
            bool agree = answer == Answer.AlwaysAgree
                || (answer == Answer.Honest && e.midClaim == TinyGuest.claimAt(code, e.inputKey, mid));
            vm.prank(g.challenger);
            game.respond(gameId, agree);
        } else {
            game.step(gameId, TinyGuest.stateAt(code, e.inputKey, e.lo), TinyGuest.proofsAt(code, e.lo));
        }
    }
}
