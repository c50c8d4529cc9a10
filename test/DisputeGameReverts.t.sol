// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "./utils/DisputeTest.sol";
import {DisputeGame} from "../contracts/DisputeGame.sol";
import {BisectionGame} from "../contracts/BisectionGame.sol";
import {IDisputeGame} from "../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../contracts/interfaces/IBisectionGame.sol";
import {IL1OutputOracle} from "../contracts/interfaces/IL1OutputOracle.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {TraceLayout} from "../contracts/libraries/TraceLayout.sol";
import {PaddedMerkle} from "../contracts/libraries/PaddedMerkle.sol";
import {BatchData} from "../contracts/libraries/BatchData.sol";
import {DepositEntry} from "../contracts/libraries/DepositEntry.sol";
import {GuestInput} from "../contracts/libraries/GuestInput.sol";
import {EthRefuser} from "./mocks/EthRefuser.sol";

/// @notice Every way to call the game wrongly gets its custom error and moves nothing; forged
///         transaction proofs (another layout, other record data, a queue entry claimed for the
///         wrong sender) are refused; a deposit-shaped entry nobody but the portal enqueued is
///         handed to the guest as a transaction, not a deposit; a forced record's fees burn.
abstract contract DisputeGameRevertsTest is DisputeTest {
    uint256 internal outputIndex;
    uint256 internal bond;

    function setUp() public override {
        super.setUp();
        bond = game.challengeBond();
    }

    function _challengeWith(
        uint256 value,
        bytes32 startRoot,
        bytes32 claimedRoot,
        IBatchInbox.BatchHeader[] memory hs
    ) internal returns (uint256) {
        vm.deal(honest, value);
        vm.prank(honest);
        return game.challenge{value: value}(outputIndex, startRoot, claimedRoot, hs);
    }

    /// @dev A game at its proof stage over position `position` of a single-output history.
    function _atProof(Kind[] memory kinds, uint256 position) internal returns (uint256 gameId) {
        proposerLiesFrom = position + 1;
        outputIndex = _intervalOf(kinds);
        gameId = _challenge(honest, outputIndex);
        IBisectionGame.Game memory g = game.gameAt(gameId);
        Op memory proposer = _opOf(g.proposer);
        while (g.proposerToMove || g.hi - g.lo > 1) {
            uint256 mid = (uint256(g.lo) + g.hi) / 2;
            if (g.proposerToMove) {
                vm.prank(proposer.operator);
                game.bisect(gameId, _proposerRoot(mid));
            } else {
                vm.prank(honest);
                game.respond(gameId, g.midRoot == roots[mid]);
            }
            g = game.gameAt(gameId);
        }
        assertEq(g.lo, position);
    }

    function _kinds(Kind a, Kind b, Kind c) internal pure returns (Kind[] memory k) {
        k = new Kind[](3);
        (k[0], k[1], k[2]) = (a, b, c);
    }

    function _params() internal view returns (DisputeGame.Params memory) {
        return DisputeGame.Params({
            challengeBond: 1,
            bondTaxBps: 1000,
            slashBps: 5000,
            clockDuration: 60,
            l2BaseFee: 1,
            genesisStateRoot: keccak256("genesis"),
            riscV: game.riscV(),
            vmMemoryRoot: keccak256("image"),
            vmEntry: 0x1000
        });
    }

    /// @dev The guest input the game must build for the transaction at `position` of the
    ///      single-output history, given the proposer's claimed root after it.
    function _expectedInput(uint256 position, bytes32 claimed, address feeRecipient, bytes memory txOrDeposit)
        internal
        view
        returns (bytes memory)
    {
        GuestInput.Context memory c = GuestInput.Context({
            preRoot: roots[position],
            claimedPostRoot: claimed,
            chainId: uint64(p.l2ChainId),
            baseFee: uint128(p.l2BaseFee),
            feeRecipient: feeRecipient
        });
        return abi.encodePacked(
            abi.encodePacked(c.preRoot, c.claimedPostRoot, c.chainId, c.baseFee, c.feeRecipient), txOrDeposit
        );
    }

    function _expectParam(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(BisectionGame.InvalidParameter.selector, name));
    }
}

/// @notice challenge: the bond, the roots, the headers, the output and its window.
contract DisputeGame_Challenge_Test is DisputeGameRevertsTest {
    function test_challenge_revertsOnWrongBond() public {
        outputIndex = _interval(2, 1);
        bytes32 end = roots[outputEnds[0]];
        IBatchInbox.BatchHeader[] memory hs = _headersFor(0);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongBond.selector, bond - 1, bond));
        _challengeWith(bond - 1, roots[0], end, hs);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongBond.selector, bond + 1, bond));
        _challengeWith(bond + 1, roots[0], end, hs);
    }

    function test_challenge_revertsOnRootsTheOutputsDoNotCommitTo() public {
        outputIndex = _interval(2, 2);
        bytes32 end = roots[outputEnds[0]];
        IBatchInbox.BatchHeader[] memory hs = _headersFor(0);
        bytes32 wrong = keccak256("wrong");
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.RootMismatch.selector, wrong));
        _challengeWith(bond, roots[0], wrong, hs);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.RootMismatch.selector, wrong));
        _challengeWith(bond, wrong, end, hs);

        // For a later output the start root is the previous output's.
        outputIndex = _interval(2, 3);
        bytes32 end1 = roots[outputEnds[1]];
        hs = _headersFor(1);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.RootMismatch.selector, roots[0]));
        _challengeWith(bond, roots[0], end1, hs);
        _challengeWith(bond, end, end1, hs);
    }

    function test_challenge_revertsOnHeadersThatAreNotTheInterval() public {
        _interval(2, 4);
        outputIndex = _interval(2, 5);
        bytes32 start = roots[outputEnds[0]];
        bytes32 end = roots[outputEnds[1]];
        IBatchInbox.BatchHeader[] memory hs = _headersFor(1);

        IBatchInbox.BatchHeader[] memory short = new IBatchInbox.BatchHeader[](hs.length - 1);
        for (uint256 i; i < short.length; ++i) {
            short[i] = hs[i + 1];
        }
        vm.expectRevert(
            abi.encodeWithSelector(TraceLayout.WrongHeaderCount.selector, hs.length - 1, hs.length)
        );
        _challengeWith(bond, start, end, short);

        // A claim of more transactions than the record holds breaks the hash chain.
        hs[2].txCount += 1;
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.BrokenHeaderChain.selector, 3));
        _challengeWith(bond, start, end, hs);
        hs[2].txCount -= 1;
        // So does a different previous record (its force cursor would shift every entry).
        hs[0].forceIndex += 1;
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.BrokenHeaderChain.selector, 1));
        _challengeWith(bond, start, end, hs);
        hs[0].forceIndex -= 1;
        // And the last header must be the inbox's record.
        hs[hs.length - 1].dataHash = keccak256("other data");
        vm.expectRevert(abi.encodeWithSelector(TraceLayout.BrokenHeaderChain.selector, hs.length - 1));
        _challengeWith(bond, start, end, hs);
    }

    function test_challenge_revertsOnUnknownOutputAndAfterTheWindow() public {
        outputIndex = _interval(2, 6);
        bytes32 end = roots[outputEnds[0]];
        IBatchInbox.BatchHeader[] memory hs = _headersFor(0);
        outputIndex = 1;
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnknownOutput.selector, 1, 0));
        _challengeWith(bond, roots[0], end, hs);
        outputIndex = 0;
        uint256 closesAt = oracle.outputAt(0).proposedAt + p.finalizationPeriod;
        vm.warp(closesAt);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.ChallengeWindowClosed.selector, 0, closesAt));
        _challengeWith(bond, roots[0], end, hs);
    }
}

/// @notice bisect and respond: only the side to move, at the right stage, in a known game.
contract DisputeGame_Moves_Test is DisputeGameRevertsTest {
    function test_moves_revertForTheWrongSideOrStage() public {
        outputIndex = _interval(6, 7);
        uint256 gameId = _challenge(honest, outputIndex);
        Op memory proposer = _opOf(game.gameAt(gameId).proposer);
        address stranger = makeAddr("stranger");

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, stranger));
        game.bisect(gameId, roots[3]);
        // Another operator's signer is not this proposer's.
        Op memory other = ops[0].operator == proposer.operator ? ops[1] : ops[0];
        vm.prank(other.signer);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, other.signer));
        game.bisect(gameId, roots[3]);
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, honest));
        game.respond(gameId, true);
        vm.prank(proposer.operator);
        vm.expectRevert(IBisectionGame.ZeroRoot.selector);
        game.bisect(gameId, bytes32(0));
        IDisputeGame.TransactionProof memory proof = _txProof(outputIndex, 0);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.proveTransaction(gameId, proof);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.step(gameId, "", "");

        vm.prank(proposer.operator);
        game.bisect(gameId, roots[3]);
        vm.prank(proposer.operator);
        vm.expectRevert(
            abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, proposer.operator)
        );
        game.bisect(gameId, roots[3]);
        vm.prank(proposer.operator);
        vm.expectRevert(
            abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, proposer.operator)
        );
        game.respond(gameId, true);

        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.UnknownGame.selector, gameId + 1));
        game.respond(gameId + 1, true);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.UnknownGame.selector, gameId + 1));
        game.gameAt(gameId + 1);
    }
}

/// @notice respond at the proof stage, and an ended game refusing every call.
contract DisputeGame_Respond_Test is DisputeGameRevertsTest {
    function test_respond_revertsAtTheProofStage_andEndedGamesRefuseEverything() public {
        proposerLiesFrom = 1;
        outputIndex = _interval(1, 8);
        uint256 gameId = _challenge(honest, outputIndex);
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.respond(gameId, false);
        IDisputeGame.TransactionProof memory proof = _txProof(outputIndex, 0);
        game.proveTransaction(gameId, proof);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.proveTransaction(gameId, proof);

        IBisectionGame.Status won = _playOut(gameId, Answer.Honest);
        assertEq(uint8(won), uint8(IBisectionGame.Status.ChallengerWon));
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.GameOver.selector, gameId, won));
        game.resolve(gameId);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.GameOver.selector, gameId, won));
        game.proveTransaction(gameId, proof);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.GameOver.selector, gameId, won));
        game.step(gameId, "", "");
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.GameOver.selector, gameId, won));
        game.bisect(gameId, keccak256("late"));
    }
}

/// @notice proveTransaction: forged layouts, record data and queue entries are refused; the
///         guest's input names exactly the proven transaction; a deposit-shaped entry from a
///         user is a transaction to the guest; a forced record's fees burn.
contract DisputeGame_Prove_Test is DisputeGameRevertsTest {
    function test_prove_revertsOnForgedLayoutOrRecordData() public {
        uint256 gameId = _atProof(_kinds(Kind.Transfer, Kind.Transfer, Kind.Transfer), 1);
        IDisputeGame.TransactionProof memory proof = _txProof(outputIndex, 1);

        IDisputeGame.TransactionProof memory forged = _txProof(outputIndex, 1);
        forged.span.txCount += 1;
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.BadLayout.selector, gameId));
        game.proveTransaction(gameId, forged);

        forged = _txProof(outputIndex, 1);
        forged.spanIndex = p.outputInterval;
        vm.expectRevert(
            abi.encodeWithSelector(
                PaddedMerkle.BadMerklePath.selector,
                p.outputInterval,
                p.outputInterval,
                forged.spanPath.length
            )
        );
        game.proveTransaction(gameId, forged);

        // Another span's index for this span: the path no longer leads to the layout root.
        forged = _txProof(outputIndex, 1);
        forged.spanIndex = forged.spanIndex == 0 ? 1 : 0;
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.BadLayout.selector, gameId));
        game.proveTransaction(gameId, forged);

        // Another span, honestly proven, that does not hold the position.
        (IDisputeGame.Span[] memory spans,) = game.layoutOf(outputIndex, _headersFor(outputIndex));
        forged = _txProof(outputIndex, 1);
        forged.spanIndex = forged.spanIndex == 0 ? 1 : 0;
        forged.span = spans[forged.spanIndex];
        forged.spanPath = _spanPath(spans, forged.spanIndex);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.BadLayout.selector, gameId));
        game.proveTransaction(gameId, forged);

        forged = _txProof(outputIndex, 1);
        forged.feeRecipient = address(0xbad);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBisectionGame.RecordDataMismatch.selector,
                proof.span.dataHash,
                BatchData.dataHashOf(address(0xbad), proof.blocksHash, proof.txRoot)
            )
        );
        game.proveTransaction(gameId, forged);

        // A transaction that is not the record's at that index.
        forged = _txProof(outputIndex, 1);
        forged.transaction = _txProof(outputIndex, 0).transaction;
        vm.expectPartialRevert(IDisputeGame.TransactionNotInRecord.selector);
        game.proveTransaction(gameId, forged);

        forged = _txProof(outputIndex, 1);
        forged.txPath = new bytes32[](forged.txPath.length + 1);
        vm.expectPartialRevert(PaddedMerkle.BadMerklePath.selector);
        game.proveTransaction(gameId, forged);

        // The honest proof starts the execution on exactly this transaction's claim.
        bytes memory input = _expectedInput(
            1, _proposerRoot(2), FEE_RECIPIENT, abi.encodePacked(uint8(0), keccak256(proof.transaction))
        );
        vm.expectEmit(address(game));
        emit IBisectionGame.ExecutionStarted(gameId, 1, keccak256(input), input);
        game.proveTransaction(gameId, proof);
        IBisectionGame.Execution memory e = game.executionOf(gameId);
        assertEq(e.inputKey, keccak256(input));
        assertEq(e.lo, 0);
        assertEq(e.hi, game.executionSteps());
        assertEq(e.loClaim, game.bootClaimOf(e.inputKey));
        assertEq(e.hiClaim, 0, "the proposer's end claim is owed");
        assertTrue(game.gameAt(gameId).proposerToMove);
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
    }

    function test_prove_revertsOnAnEntryClaimedForAnotherSender() public {
        // Position 0: a portal deposit. Claiming someone else enqueued it fails the commitment,
        // and so does claiming the portal enqueued a user's entry.
        uint256 gameId = _atProof(_kinds(Kind.Deposit, Kind.ForcedTransfer, Kind.Transfer), 0);
        IDisputeGame.TransactionProof memory forged = _txProof(outputIndex, 0);
        uint256 queueIndex = forged.span.forceStart;
        forged.entrySender = user;
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.EntryMismatch.selector, queueIndex));
        game.proveTransaction(gameId, forged);
        forged = _txProof(outputIndex, 0);
        forged.transaction[52] ^= 0x01; // another amount
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.EntryMismatch.selector, queueIndex));
        game.proveTransaction(gameId, forged);
        // The deposit reaches the guest as one: its recipient and amount.
        // The deposit DisputeTest made first: 1 ether to users[0] (its salt is position 0).
        (address recipient, uint256 amount) = (users[0], 1 ether);
        assertEq(keccak256(trace[0].entry), keccak256(DepositEntry.encode(recipient, amount)));
        bytes memory input =
            _expectedInput(0, _proposerRoot(1), FEE_RECIPIENT, abi.encodePacked(uint8(1), recipient, amount));
        vm.expectEmit(address(game));
        emit IBisectionGame.ExecutionStarted(gameId, 0, keccak256(input), input);
        game.proveTransaction(gameId, _txProof(outputIndex, 0));
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
    }

    function test_depositShapedEntryFromAUserIsATransactionToTheGuest() public {
        // A user enqueues the exact bytes of a deposit: the guest is handed them as a signed
        // transaction (kind 0, by hash), which the STF reads as malformed (the ledger vectors
        // test that), so a proposer that credits them loses.
        address recipient = users[0];
        bytes memory entry = DepositEntry.encode(recipient, 50 ether);
        _enqueue(entry);
        trace.push(Position({kind: Kind.Malformed, record: 0, entrySender: user, entry: entry}));
        roots.push(model.stateRoot());
        Kind[] memory none = new Kind[](0);
        bytes32 honestRoot = roots[1];
        model.deposit(recipient, 50 ether);
        bytes32 creditedRoot = model.stateRoot();
        assertTrue(honestRoot != creditedRoot);
        uint256 interval = p.outputInterval;
        for (uint256 r; r < interval; ++r) {
            _postRecord(none, 0, 0);
        }
        outputEnds.push(trace.length);
        outputIndex = _propose(creditedRoot);

        vm.deal(honest, bond);
        vm.prank(honest);
        uint256 gameId = game.challenge{value: bond}(outputIndex, roots[0], creditedRoot, _headersFor(0));
        // Its record is the first; sequenced, so the fee recipient is the record's.
        bytes memory input =
            _expectedInput(0, creditedRoot, FEE_RECIPIENT, abi.encodePacked(uint8(0), keccak256(entry)));
        vm.expectEmit(address(game));
        emit IBisectionGame.ExecutionStarted(gameId, 0, keccak256(input), input);
        game.proveTransaction(gameId, _txProof(outputIndex, 0));
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
    }

    function test_forcedRecord_burnsFeesAtTheZeroAddress() public {
        // Sequencers refuse a user's entry; once overdue anyone appends a forced record.
        bytes memory txBytes = _signed(0, users[1], 1 ether, "");
        _enqueue(txBytes);
        vm.roll(block.number + p.inclusionDelay + 1);
        uint256 recordIndex = inbox.recordCount();
        // The header the inbox builds for a forced record.
        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: p.l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: inbox.lastL2Block() + 1,
            lastBlock: inbox.lastL2Block() + 1,
            prevRecordHash: inbox.lastRecordHash(),
            dataHash: bytes32(0),
            txCount: 0,
            forceIndex: uint64(queue.length())
        });
        inbox.submitForcedRecord(queue.length());
        headers.push(h);
        records.push("");
        model.transfer(users[0], users[1], 1 ether, _l2Fee(), address(0));
        trace.push(
            Position({kind: Kind.ForcedTransfer, record: recordIndex, entrySender: user, entry: txBytes})
        );
        roots.push(model.stateRoot());
        Kind[] memory none = new Kind[](0);
        for (uint256 r = 1; r < p.outputInterval; ++r) {
            _postRecord(none, 0, 0);
        }
        outputEnds.push(trace.length);
        // The proposer credits the fee to the leader instead: the guest is told the fee
        // recipient is the zero address, and the proposer loses.
        proposerLiesFrom = 1;
        outputIndex = _propose(_proposerRoot(1));
        uint256 gameId = _challenge(honest, outputIndex);
        bytes memory input =
            _expectedInput(0, _proposerRoot(1), address(0), abi.encodePacked(uint8(0), keccak256(txBytes)));
        vm.expectEmit(address(game));
        emit IBisectionGame.ExecutionStarted(gameId, 0, keccak256(input), input);
        game.proveTransaction(gameId, _txProof(outputIndex, 0));
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        assertEq(model.balanceOf(address(0)), _l2Fee(), "the honest state burned the fee");
    }
}

/// @notice claim: pull payouts, paid once, whole or not at all.
contract DisputeGame_Claim_Test is DisputeGameRevertsTest {
    function test_claim_paysOnce() public {
        outputIndex = _interval(2, 9);
        uint256 gameId = _challenge(honest, outputIndex);
        vm.expectRevert(IBisectionGame.NothingToClaim.selector);
        vm.prank(honest);
        game.claim();
        _playOut(gameId, Answer.AlwaysDisagree);
        address proposer = game.gameAt(gameId).proposer;
        uint256 credit = game.creditOf(proposer);
        uint256 before = proposer.balance;
        vm.prank(proposer);
        game.claim();
        assertEq(proposer.balance, before + credit);
        assertEq(game.creditOf(proposer), 0);
        vm.prank(proposer);
        vm.expectRevert(IBisectionGame.NothingToClaim.selector);
        game.claim();
    }

    function test_claim_revertsWholeWhenTheRecipientRefuses() public {
        proposerLiesFrom = 1;
        outputIndex = _interval(2, 10);
        EthRefuser refuser = new EthRefuser();
        uint256 gameId = _challenge(address(refuser), outputIndex);
        _playOut(gameId, Answer.Honest);
        assertEq(game.creditOf(address(refuser)), bond);
        vm.expectRevert(
            abi.encodeWithSelector(IBisectionGame.TransferFailed.selector, address(refuser), bond)
        );
        refuser.exec(address(game), abi.encodeCall(IBisectionGame.claim, ()));
        assertEq(game.creditOf(address(refuser)), bond, "nothing is lost");
    }
}

/// @notice The constructor refuses every parameter out of range.
contract DisputeGame_Constructor_Test is DisputeGameRevertsTest {
    function test_constructor_revertsOnEveryParameterOutOfRange() public {
        DisputeGame.Params memory q = _params();
        _expectParam("oracle");
        new DisputeGame(address(0), address(portal), q);
        _expectParam("portal");
        new DisputeGame(address(oracle), makeAddr("no code"), q);
        q.challengeBond = 0;
        _expectParam("challengeBond");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.bondTaxBps = 0;
        _expectParam("bondTaxBps");
        new DisputeGame(address(oracle), address(portal), q);
        q.bondTaxBps = 10_001;
        _expectParam("bondTaxBps");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.slashBps = 0;
        _expectParam("slashBps");
        new DisputeGame(address(oracle), address(portal), q);
        q.slashBps = 10_001;
        _expectParam("slashBps");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.clockDuration = 0;
        _expectParam("clockDuration");
        new DisputeGame(address(oracle), address(portal), q);
        q.clockDuration = uint256(type(uint48).max) + 1;
        _expectParam("clockDuration");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.l2BaseFee = uint256(type(uint128).max) + 1;
        _expectParam("l2BaseFee");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.genesisStateRoot = 0;
        _expectParam("genesisRoot");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.riscV = makeAddr("no code");
        _expectParam("riscV");
        new DisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.vmMemoryRoot = 0;
        _expectParam("vmMemoryRoot");
        new DisputeGame(address(oracle), address(portal), q);
        q.vmMemoryRoot = keccak256("image");
        q.vmEntry = 0x1002;
        _expectParam("vmEntry");
        new DisputeGame(address(oracle), address(portal), q);
        q.vmEntry = 1 << 32;
        _expectParam("vmEntry");
        new DisputeGame(address(oracle), address(portal), q);
    }
}

/// @notice The wiring views.
contract DisputeGame_Views_Test is DisputeGameRevertsTest {
    function test_views_reportTheWiring() public view {
        assertEq(game.registry(), address(registry));
        assertEq(game.inbox(), address(inbox));
        assertEq(game.queue(), address(queue));
        assertEq(game.portal(), address(portal));
        assertEq(game.genesisStateRoot(), roots[0]);
        assertEq(game.bondTaxBps(), p.bondTaxBps);
        assertEq(game.gameCount(), 0);
        assertEq(game.riscV(), address(deployment.riscv));
        assertEq(game.vmEntry(), p.vmEntry);
        assertEq(game.vmMemoryRoot(), p.vmMemoryRoot);
        assertEq(game.executionSteps(), 1 << 28);
    }
}

