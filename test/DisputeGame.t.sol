// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "./utils/DisputeTest.sol";
import {IDisputeGame} from "../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../contracts/interfaces/IBisectionGame.sol";
import {IL1OutputOracle} from "../contracts/interfaces/IL1OutputOracle.sol";
import {IPortal} from "../contracts/interfaces/IPortal.sol";

/// @notice Whole games over real L2 history: a lying proposer loses to an honest challenger
///         wherever its first wrong root is, an honest proposer beats any challenger, each side
///         loses on its clock, and the payouts, slashes and deletions that follow. Suites where
///         the disputed claims are lies run the stand-in guest that rejects them; suites where
///         they are true (HonestOutputTest), the one that accepts them.
abstract contract DisputeGameTest is DisputeTest {
    /// @dev External wrapper so a revert deep in a played game can be expected.
    function playOutExternal(uint256 gameId) external {
        _playOut(gameId, Answer.Honest);
    }
}

/// @notice Suites whose games dispute only true claims: the stand-in guest accepts them.
abstract contract HonestOutputTest is DisputeGameTest {
    function _guestExitCode() internal pure override returns (uint256) {
        return 0;
    }
}

/// @notice Who wins a whole game: the liar, wherever its first wrong root is, at every kind of
///         position and on an empty trace.
contract DisputeGame_Outcome_Test is DisputeGameTest {
    /// forge-config: default.fuzz.runs = 48
    function testFuzz_lyingProposerLosesWhereverItsFirstWrongRootIs(
        uint256 count,
        uint256 firstWrong,
        uint256 seed,
        bool secondOutput
    ) public {
        count = bound(count, 1, 12);
        firstWrong = bound(firstWrong, 1, count);
        uint256 outputIndex;
        if (secondOutput) _interval(3, seed ^ 1); // an honest output 0 first
        proposerLiesFrom = trace.length + firstWrong;
        outputIndex = _interval(count, seed);
        address proposer = oracle.outputAt(outputIndex).proposer;
        uint256 stake = registry.stakeOf(proposer);

        uint256 gameId = _challenge(honest, outputIndex);
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));

        IBisectionGame.Game memory g = game.gameAt(gameId);
        assertEq(g.lo, firstWrong - 1, "the execution ran the transaction to the first wrong root");
        IBisectionGame.Execution memory e = game.executionOf(gameId);
        assertEq(e.hi - e.lo, 1, "decided at one VM step");
        assertEq(oracle.outputCount(), outputIndex, "the output is deleted");
        uint256 slashed = stake * game.slashBps() / 10_000;
        assertEq(registry.stakeOf(proposer), stake - slashed, "the proposer is slashed");
        (bool jailed,,) = registry.jailOf(proposer);
        assertTrue(jailed, "and jailed");
        assertEq(game.creditOf(honest), game.challengeBond(), "the challenger gets its bond back");
        assertEq(registry.rewardOf(honest), slashed * registry.reporterRewardBps() / 10_000, "and the reward");
        assertTrue(registry.evidenceUsed(game.evidenceKeyOf(outputIndex, g.generation)));
    }

    function test_everyKindOfPositionIsDecided() public {
        // One of each kind, each the first wrong root in its own game.
        Kind[] memory kinds = new Kind[](5);
        kinds[0] = Kind.Deposit;
        kinds[1] = Kind.ForcedTransfer;
        kinds[2] = Kind.Transfer;
        kinds[3] = Kind.Withdrawal;
        kinds[4] = Kind.Malformed;
        for (uint256 w = 1; w <= kinds.length; ++w) {
            uint256 snap = vm.snapshotState();
            proposerLiesFrom = w;
            uint256 outputIndex = _intervalOf(kinds);
            uint256 gameId = _challenge(honest, outputIndex);
            assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
            assertEq(game.gameAt(gameId).lo, w - 1);
            // Back to before the interval: chain, model and this test's own records.
            vm.revertToState(snap);
        }
    }

    function test_emptyTrace_isDecidedWithoutATransaction() public {
        // An interval of empty records: the output must repeat the previous root.
        uint256 snap = vm.snapshotState();
        uint256 outputIndex = _interval(0, 0);
        uint256 gameId = _challenge(honest, outputIndex);
        IBisectionGame.Game memory g = game.gameAt(gameId);
        assertEq(g.hi, 0);
        assertFalse(g.proposerToMove, "straight to the proof");
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ProposerWon));

        vm.revertToState(snap);
        proposerLiesFrom = 0;
        outputIndex = _interval(0, 0);
        gameId = _challenge(honest, outputIndex);
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
    }
}

/// @notice An honest proposer beats any challenger.
contract DisputeGame_HonestOutcome_Test is HonestOutputTest {
    /// forge-config: default.fuzz.runs = 32
    function testFuzz_honestProposerBeatsAnyChallenger(uint256 count, uint256 seed, uint8 style) public {
        count = bound(count, 1, 12);
        Answer answer = Answer(bound(style, 1, 2)); // always disagree, or always agree
        uint256 outputIndex = _interval(count, seed);
        address proposer = oracle.outputAt(outputIndex).proposer;
        address liar = makeAddr("lying challenger");

        uint256 gameId = _challenge(liar, outputIndex);
        assertEq(uint8(_playOut(gameId, answer)), uint8(IBisectionGame.Status.ProposerWon));

        uint256 bond = game.challengeBond();
        uint256 tax = bond * game.bondTaxBps() / 10_000;
        assertEq(game.creditOf(proposer), bond - tax, "the bond goes to the proposer");
        assertEq(game.totalBurned(), tax, "minus the tax");
        assertEq(game.creditOf(liar), 0);
        assertEq(oracle.outputCount(), outputIndex + 1, "the output stays");
        assertEq(oracle.outputAt(outputIndex).openDisputes, 0);
        vm.warp(oracle.outputAt(outputIndex).proposedAt + p.finalizationPeriod);
        oracle.finalize(outputIndex + 1);
        assertTrue(oracle.isFinalized(outputIndex));
    }

    function test_twoLyingChallengersAgainstAnHonestOutput() public {
        uint256 outputIndex = _interval(5, 12);
        address proposer = oracle.outputAt(outputIndex).proposer;
        uint256 a = _challenge(makeAddr("liar a"), outputIndex);
        uint256 b = _challenge(makeAddr("liar b"), outputIndex);
        assertEq(uint8(_playOut(b, Answer.AlwaysDisagree)), uint8(IBisectionGame.Status.ProposerWon));
        assertEq(oracle.outputAt(outputIndex).openDisputes, 1, "the other game still holds it");
        assertEq(uint8(_playOut(a, Answer.AlwaysAgree)), uint8(IBisectionGame.Status.ProposerWon));
        uint256 bond = game.challengeBond();
        assertEq(game.creditOf(proposer), 2 * (bond - bond * game.bondTaxBps() / 10_000));
        assertEq(oracle.outputAt(outputIndex).openDisputes, 0);
    }

    function test_selfChallengeOfAnHonestOutputCostsTheTax() public {
        uint256 outputIndex = _interval(4, 22);
        Op memory proposer = _opOf(oracle.outputAt(outputIndex).proposer);
        uint256 before = proposer.operator.balance;
        uint256 gameId = _challenge(proposer.operator, outputIndex);
        _playOut(gameId, Answer.AlwaysDisagree);
        vm.prank(proposer.operator);
        game.claim();
        uint256 bond = game.challengeBond();
        assertEq(proposer.operator.balance, before + bond - bond * game.bondTaxBps() / 10_000);
        assertLt(proposer.operator.balance, before + bond, "the bond is never fully recovered");
    }
}

/// @notice The chess clocks: each side loses on its own time, and only its own time is charged.
contract DisputeGame_Clocks_Test is DisputeGameTest {
    function test_proposerLosesOnItsClock() public {
        proposerLiesFrom = 1;
        uint256 outputIndex = _interval(6, 7);
        uint256 gameId = _challenge(honest, outputIndex);
        uint256 clock = game.clockDuration();
        vm.warp(block.timestamp + clock);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotResolvable.selector, gameId));
        game.resolve(gameId);
        vm.warp(block.timestamp + 1);
        Op memory proposer = _opOf(game.gameAt(gameId).proposer);
        vm.prank(proposer.operator);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.ClockExpired.selector, gameId));
        game.bisect(gameId, keccak256("late"));
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ChallengerWon));
        assertEq(oracle.outputCount(), outputIndex);
    }

    function test_challengerLosesOnItsClock_whenAnswering() public {
        uint256 outputIndex = _interval(6, 8);
        uint256 gameId = _challenge(honest, outputIndex);
        Op memory proposer = _opOf(game.gameAt(gameId).proposer);
        vm.prank(proposer.operator);
        game.bisect(gameId, roots[3]);
        vm.warp(block.timestamp + game.clockDuration() + 1);
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.ClockExpired.selector, gameId));
        game.respond(gameId, true);
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ProposerWon));
    }

    function test_challengerLosesOnItsClock_whenOwingTheProof() public {
        uint256 outputIndex = _interval(1, 9);
        uint256 gameId = _challenge(honest, outputIndex);
        assertFalse(game.gameAt(gameId).proposerToMove, "one transaction: the proof is owed");
        vm.warp(block.timestamp + game.clockDuration() + 1);
        IDisputeGame.TransactionProof memory proof = _txProof(outputIndex, 0);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.ClockExpired.selector, gameId));
        game.proveTransaction(gameId, proof);
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ProposerWon));
    }

    function test_clocksAreChargedOnlyForOwnTime() public {
        uint256 outputIndex = _interval(8, 10);
        uint256 gameId = _challenge(honest, outputIndex);
        Op memory proposer = _opOf(game.gameAt(gameId).proposer);
        uint256 clock = game.clockDuration();

        vm.warp(block.timestamp + 10);
        (uint256 pLeft, uint256 cLeft) = game.clocksOf(gameId);
        assertEq(pLeft, clock - 10);
        assertEq(cLeft, clock);
        vm.prank(proposer.signer);
        game.bisect(gameId, roots[4]);
        vm.warp(block.timestamp + 25);
        vm.prank(honest);
        game.respond(gameId, true);
        IBisectionGame.Game memory g = game.gameAt(gameId);
        assertEq(g.proposerClock, clock - 10);
        assertEq(g.challengerClock, clock - 25);
        assertEq(g.lo, 4);
        assertEq(g.hi, 8);
        assertEq(g.loRoot, roots[4]);
        // Running out later still loses, with the time banked earlier.
        vm.warp(block.timestamp + clock - 10);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotResolvable.selector, gameId));
        game.resolve(gameId);
        vm.warp(block.timestamp + 1);
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ChallengerWon));
    }
}

/// @notice Several games at once: on one output, and on an output whose predecessor is disputed.
contract DisputeGame_SeveralGames_Test is DisputeGameTest {
    function test_twoChallengersAgainstOneLyingOutput() public {
        proposerLiesFrom = 3;
        uint256 outputIndex = _interval(6, 11);
        address second = makeAddr("second challenger");
        uint256 first = _challenge(honest, outputIndex);
        uint256 other = _challenge(second, outputIndex);
        assertEq(oracle.outputAt(outputIndex).openDisputes, 2);

        assertEq(uint8(_playOut(first, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        // The output is gone: the second game's proof is refused, and it refunds its bond.
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.OutputGone.selector, other));
        this.playOutExternal(other);
        game.resolve(other);
        assertEq(uint8(game.gameAt(other).status), uint8(IBisectionGame.Status.Moot));
        assertEq(game.creditOf(second), game.challengeBond());
        assertEq(game.creditOf(honest), game.challengeBond());
    }

    function test_disputeOnOutputWhilePreviousIsDisputed_previousFalls() public {
        proposerLiesFrom = 2; // output 0 is wrong, and output 1 builds on it
        _interval(4, 13);
        _interval(4, 14);
        uint256 onFirst = _challenge(honest, 0);
        address second = makeAddr("second challenger");
        uint256 onSecond = _challenge(second, 1);
        assertEq(uint8(_playOut(onFirst, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        assertEq(oracle.outputCount(), 0, "both outputs are deleted");
        game.resolve(onSecond);
        assertEq(uint8(game.gameAt(onSecond).status), uint8(IBisectionGame.Status.Moot));
        assertEq(game.creditOf(second), game.challengeBond());
    }

    function test_disputeOnOutputWhilePreviousIsDisputed_bothPlayedOut() public {
        _interval(4, 15); // output 0 honest, disputed by a liar
        proposerLiesFrom = outputEnds[0] + 3;
        _interval(5, 16); // output 1 wrong from its third transaction
        uint256 onFirst = _challenge(makeAddr("liar"), 0);
        uint256 onSecond = _challenge(honest, 1);
        assertEq(uint8(_playOut(onSecond, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        assertEq(game.gameAt(onSecond).lo, 2);
        assertEq(oracle.outputCount(), 1, "only output 1 is deleted");
        // The liar on output 0 gives up after the proposer's first root (this suite's stand-in
        // guest rejects every claim, so it may not play to the step): its clock runs out.
        _moveOnce(onFirst, Answer.AlwaysDisagree, true);
        vm.warp(block.timestamp + game.clockDuration() + 1);
        game.resolve(onFirst);
        assertEq(uint8(game.gameAt(onFirst).status), uint8(IBisectionGame.Status.ProposerWon));
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        assertTrue(oracle.isFinalized(0));
    }
}

/// @notice What a lost game does to the outputs: cascading deletion, re-proposal, withdrawals.
contract DisputeGame_Outputs_Test is DisputeGameTest {
    function test_cascadingDeletion_keepsEarlierAndFinalizedOutputs() public {
        _interval(3, 17);
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        proposerLiesFrom = trace.length + 1;
        _interval(3, 18);
        _interval(3, 19);
        _interval(3, 20);
        uint256 gameId = _challenge(honest, 1);
        IL1OutputOracle.Output memory finalized = oracle.outputAt(0);
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        assertEq(oracle.outputCount(), 1, "outputs 1, 2 and 3 are deleted");
        assertEq(abi.encode(oracle.outputAt(0)), abi.encode(finalized), "the finalized output is untouched");

        // The finalized output can no longer be disputed.
        uint256 bond = game.challengeBond();
        bytes32 start = roots[0];
        bytes32 claimed = roots[outputEnds[0]];
        vm.deal(honest, bond);
        vm.prank(honest);
        vm.expectRevert();
        game.challenge{value: bond}(0, start, claimed, _headersFor(0));
    }

    function test_reproposedOutputIsOutOfReachOfTheOldGames() public {
        proposerLiesFrom = 1;
        uint256 outputIndex = _interval(3, 21);
        uint256 won = _challenge(honest, outputIndex);
        uint256 stale = _challenge(makeAddr("late"), outputIndex);
        _playOut(won, Answer.Honest);
        // The honest root is proposed again at the same index, in a new generation.
        proposerLiesFrom = type(uint256).max;
        _propose(roots[outputEnds[outputIndex]]);
        assertEq(oracle.outputAt(outputIndex).generation, game.gameAt(stale).generation + 1);
        game.resolve(stale);
        assertEq(uint8(game.gameAt(stale).status), uint8(IBisectionGame.Status.Moot));
        assertEq(oracle.outputAt(outputIndex).openDisputes, 0, "the stale game never counted it");
    }

    function test_withdrawalAgainstADeletedOutputReverts_andPaysOnceFinal() public {
        Kind[] memory kinds = new Kind[](3);
        kinds[0] = Kind.Deposit;
        kinds[1] = Kind.Withdrawal;
        kinds[2] = Kind.Transfer;
        proposerLiesFrom = 3; // the lie comes after the withdrawal
        uint256 outputIndex = _intervalOf(kinds);
        // users[1] withdrew 0.1 ETH with its first transaction (nonce 0).
        IPortal.WithdrawalProof memory w = IPortal.WithdrawalProof({
            outputIndex: outputIndex,
            stateRoot: roots[3],
            accountsRoot: model.accountsRoot(),
            withdrawalsRoot: model.withdrawalsRoot(),
            l2Sender: users[1],
            nonce: 0,
            l1Recipient: l1Recipient,
            amount: 0.1 ether,
            proof: model.withdrawalSiblings(model.withdrawalKey(users[1], 0))
        });
        vm.expectRevert(abi.encodeWithSelector(IPortal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(w);

        uint256 gameId = _challenge(honest, outputIndex);
        _playOut(gameId, Answer.Honest);
        vm.warp(block.timestamp + p.finalizationPeriod);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.CannotFinalize.selector, 0));
        oracle.finalize(1);
        vm.expectRevert(abi.encodeWithSelector(IPortal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(w);

        // Proposed again honestly, it finalizes and pays the withdrawal once.
        proposerLiesFrom = type(uint256).max;
        _propose(roots[outputEnds[0]]);
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        portal.finalizeWithdrawal(w);
        assertEq(l1Recipient.balance, 0.1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IPortal.AlreadyWithdrawn.selector, model.withdrawalKey(users[1], 0))
        );
        portal.finalizeWithdrawal(w);
    }
}

/// @notice A proposer challenging its own output never profits.
contract DisputeGame_SelfChallenge_Test is DisputeGameTest {
    function test_selfChallengeOfALyingOutputStillLosesStake() public {
        proposerLiesFrom = 2;
        uint256 outputIndex = _interval(4, 23);
        Op memory proposer = _opOf(oracle.outputAt(outputIndex).proposer);
        uint256 stake = registry.stakeOf(proposer.operator);
        uint256 gameId = _challenge(proposer.operator, outputIndex);
        assertEq(uint8(_playOut(gameId, Answer.Honest)), uint8(IBisectionGame.Status.ChallengerWon));
        uint256 slashed = stake - registry.stakeOf(proposer.operator);
        uint256 reward = registry.rewardOf(proposer.operator);
        assertGt(slashed, 0);
        assertLt(reward * 2, slashed, "the reporter share is under half: the rest burns");
    }
}
