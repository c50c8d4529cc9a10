// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "../utils/DisputeTest.sol";
import {IDisputeGame} from "../../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../../contracts/interfaces/IBisectionGame.sol";
import {DisputeHandler, IDisputeActions} from "./handlers/DisputeHandler.sol";

/// @notice Random histories, honest and lying proposals, honest and lying challengers, moves,
///         passing time (so clocks and windows run out), resolutions, finalization and claims:
///         the ETH held by the portal, the game and the registry is exactly what went in minus
///         what was paid out (burned ETH stays locked in them); the game holds exactly the bonds
///         of open games, the credits and the burned tax; a finalized output never changes.
/// forge-config: default.invariant.runs = 32
/// forge-config: default.invariant.depth = 48
contract DisputeInvariants is DisputeTest, IDisputeActions {
    uint256 internal constant MAX_INTERVALS = 6;
    uint256 internal constant HONEST = type(uint256).max;

    address[] internal actors;
    /// @dev Where the proposer of output k (as proposed now) starts lying; HONEST if never.
    mapping(uint256 outputIndex => uint256) internal lieFromOf;
    mapping(uint256 gameId => uint256) internal gameLieFrom;
    mapping(uint256 gameId => Answer) internal answerOf;

    uint256 internal baseline;
    uint256 internal ghostBonds;
    uint256 internal ghostClaimed;
    bytes[] internal finalizedOutputs;

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < 3; ++i) {
            actors.push(makeAddr(string.concat("actor ", vm.toString(i))));
        }
        baseline = address(portal).balance + address(game).balance + address(registry).balance;
        DisputeHandler handler = new DisputeHandler(IDisputeActions(address(this)));
        targetContract(address(handler));
    }

    // ------------------------------------------------------------------ invariants

    function invariant_ethHeldIsWhatWentInMinusWhatWasPaid() public view {
        uint256 held = address(portal).balance + address(game).balance + address(registry).balance;
        assertEq(held, baseline + depositedToPortal + ghostBonds - ghostClaimed);
    }

    function invariant_gameHoldsOpenBondsCreditsAndBurnedTax() public view {
        uint256 open;
        uint256 count = game.gameCount();
        for (uint256 i; i < count; ++i) {
            if (game.gameAt(i).status == IBisectionGame.Status.InProgress) open += game.challengeBond();
        }
        uint256 credits;
        for (uint256 i; i < actors.length; ++i) {
            credits += game.creditOf(actors[i]);
        }
        for (uint256 i; i < ops.length; ++i) {
            credits += game.creditOf(ops[i].operator);
        }
        assertEq(address(game).balance, open + credits + game.totalBurned());
    }

    function invariant_finalizedOutputsNeverChange() public view {
        assertLe(finalizedOutputs.length, oracle.finalizedCount());
        for (uint256 i; i < finalizedOutputs.length; ++i) {
            assertEq(abi.encode(oracle.outputAt(i)), finalizedOutputs[i]);
        }
    }

    // ------------------------------------------------------------------ actions

    function actBuild(uint256 count, uint256 seed) external {
        if (outputEnds.length >= MAX_INTERVALS || outputEnds.length > oracle.outputCount() + 1) return;
        _postInterval(_kindsOf(count, seed));
    }

    function actPropose(bool lie, uint256 firstWrong) external {
        uint256 k = oracle.outputCount();
        if (k >= outputEnds.length) return;
        uint256 base = _base(k);
        uint256 n = outputEnds[k] - base;
        // A lie needs a transaction to lie about (position `base` also ends output k - 1).
        lieFromOf[k] = lie && n > 0 ? base + bound(firstWrong, 1, n) : HONEST;
        proposerLiesFrom = lieFromOf[k];
        _propose(_proposerRoot(outputEnds[k]));
    }

    function actChallenge(uint256 which, uint256 actor, bool againstTheTruth) external {
        uint256 first = oracle.finalizedCount();
        uint256 count = oracle.outputCount();
        if (first == count) return;
        uint256 k = first + which % (count - first);
        // Challengers dispute the first wrong output, never one built on a wrong one.
        if (k > 0 && lieFromOf[k - 1] != HONEST) return;
        bool lying = lieFromOf[k] != HONEST;
        if (!lying && !againstTheTruth) return;
        if (block.timestamp >= oracle.outputAt(k).proposedAt + p.finalizationPeriod) return;
        proposerLiesFrom = lieFromOf[k];
        uint256 gameId = _challenge(actors[actor % actors.length], k);
        ghostBonds += game.challengeBond();
        gameLieFrom[gameId] = lieFromOf[k];
        answerOf[gameId] =
            lying ? Answer.Honest : (actor % 2 == 0 ? Answer.AlwaysDisagree : Answer.AlwaysAgree);
    }

    function actMove(uint256 which) external {
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 gameId = which % count;
        IBisectionGame.Game memory g = game.gameAt(gameId);
        if (g.status != IBisectionGame.Status.InProgress) return;
        (uint256 proposerLeft, uint256 challengerLeft) = game.clocksOf(gameId);
        if ((g.proposerToMove ? proposerLeft : challengerLeft) == 0) return;
        // The stand-in guest rejects every disputed claim (DisputeTest), which is true only of
        // lies: a lying challenger stops before the execution and loses on its clock.
        if (answerOf[gameId] != Answer.Honest && !g.proposerToMove && g.hi - g.lo <= 1) return;
        proposerLiesFrom = gameLieFrom[gameId];
        _moveOnce(gameId, answerOf[gameId], which % 2 == 0);
    }

    function actWarp(uint256 seconds_) external {
        vm.warp(block.timestamp + seconds_);
    }

    function actResolve(uint256 which) external {
        uint256 count = game.gameCount();
        if (count == 0) return;
        game.resolve(which % count);
    }

    function actFinalize() external {
        oracle.finalize(oracle.outputCount());
        for (uint256 i = finalizedOutputs.length; i < oracle.finalizedCount(); ++i) {
            finalizedOutputs.push(abi.encode(oracle.outputAt(i)));
        }
    }

    function actClaim(uint256 actor) external {
        address account = actor % 2 == 0 ? actors[actor % actors.length] : ops[actor % ops.length].operator;
        uint256 credit = game.creditOf(account);
        if (credit == 0) return;
        vm.prank(account);
        game.claim();
        ghostClaimed += credit;
    }

    // ------------------------------------------------------------------ sanity

    /// @dev The actions reach every ending: a lying output deleted, an honest one defended,
    ///      a timeout, a moot game, finalization and claims.
    function test_actionsReachEveryEnding() public {
        this.actBuild(3, 1);
        this.actPropose(true, 2);
        this.actChallenge(0, 0, false);
        this.actChallenge(0, 2, true); // a second, later moot, game on the same output
        for (uint256 i; i < 80; ++i) {
            this.actMove(0);
        }
        assertEq(uint8(game.gameAt(0).status), uint8(IBisectionGame.Status.ChallengerWon));
        this.actResolve(1);
        assertEq(uint8(game.gameAt(1).status), uint8(IBisectionGame.Status.Moot));

        this.actPropose(false, 0);
        this.actChallenge(0, 1, true);
        for (uint256 i; i < 12; ++i) {
            this.actMove(2);
        }
        this.actWarp(game.clockDuration() + 1);
        this.actResolve(2);
        assertEq(uint8(game.gameAt(2).status), uint8(IBisectionGame.Status.ProposerWon));
        this.actWarp(40);
        this.actWarp(40);
        this.actFinalize();
        assertEq(oracle.finalizedCount(), 1);
        this.actClaim(0);
        this.actClaim(3); // ops[0], the proposer
        invariant_ethHeldIsWhatWentInMinusWhatWasPaid();
        invariant_gameHoldsOpenBondsCreditsAndBurnedTax();
        invariant_finalizedOutputsNeverChange();
    }
}
