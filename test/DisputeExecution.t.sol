// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "./utils/DisputeTest.sol";
import {TinyGuest} from "./utils/TinyGuest.sol";
import {IDisputeGame} from "../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../contracts/interfaces/IBisectionGame.sol";
import {IRiscV} from "../contracts/interfaces/IRiscV.sol";
import {RiscVState} from "../contracts/vm/RiscVState.sol";

/// @notice The execution level: the stand-in guest's model is the verifier's, the agreed start
///         is the booted guest, the proposer's end claim must say "exited 0", a lie anywhere in
///         the steps loses at one step, a challenger disputing true steps loses, the wrong
///         pre-state is refused, and the clocks run on.
abstract contract DisputeExecutionTest is DisputeTest {
    uint256 internal gameId;
    Op internal proposer;

    /// @dev A game over one honest transfer, at the start of its execution.
    function _atExecution() internal {
        Kind[] memory kinds = new Kind[](1);
        kinds[0] = Kind.Transfer;
        uint256 outputIndex = _intervalOf(kinds);
        gameId = _challenge(honest, outputIndex);
        game.proveTransaction(gameId, _txProof(outputIndex, 0));
        proposer = _opOf(game.gameAt(gameId).proposer);
    }

    function _key() internal view returns (bytes32) {
        return game.executionOf(gameId).inputKey;
    }

    function _claim(uint256 k) internal view returns (bytes32) {
        return TinyGuest.claimAt(_guestExitCode(), _key(), k);
    }

    function _bisect(bytes32 claim) internal {
        vm.prank(proposer.operator);
        game.bisect(gameId, claim);
    }

    function _respond(bool agree) internal {
        vm.prank(honest);
        game.respond(gameId, agree);
    }
}

/// @notice The model and the verifier agree, and the game starts where the guest boots.
contract DisputeExecution_Model_Test is DisputeExecutionTest {
    function test_tinyGuest_modelMatchesTheVerifier() public view {
        IRiscV riscV = IRiscV(game.riscV());
        bytes32 key = keccak256("some input");
        for (uint256 code; code < 2; ++code) {
            for (uint256 k; k < TinyGuest.HALT_STEP + 3; ++k) {
                (bytes32 pre, bytes32 post) =
                    riscV.step(TinyGuest.stateAt(code, key, k), TinyGuest.proofsAt(code, k));
                assertEq(pre, TinyGuest.claimAt(code, key, k), "pre");
                assertEq(post, TinyGuest.claimAt(code, key, k + 1), "post");
            }
            assertEq(uint256(TinyGuest.claimAt(code, key, TinyGuest.HALT_STEP)) >> 248, code, "exit status");
        }
    }

    function test_theAgreedStartIsTheBootedGuest() public {
        _atExecution();
        assertEq(game.executionOf(gameId).loClaim, _claim(0));
        assertEq(game.bootClaimOf(_key()), _claim(0));
        assertEq(uint256(_claim(0)) >> 248, RiscVState.CLAIM_RUNNING);
    }
}

/// @notice The proposer's claims, against a guest that accepts the (true) claim.
contract DisputeExecution_Claims_Test is DisputeExecutionTest {
    function _guestExitCode() internal pure override returns (uint256) {
        return 0;
    }

    function test_endClaim_mustSayExitedZero() public {
        _atExecution();
        uint256 end = game.executionSteps();
        // Running, exited non-zero, trapped: refused; zero: refused.
        bytes32 running = _claim(1);
        vm.prank(proposer.operator);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.EndClaimNotValid.selector, running));
        game.bisect(gameId, running);
        for (uint256 status = 1; status < 3; ++status) {
            bytes32 halted = bytes32((uint256(_claim(end)) << 8 >> 8) | (status << 248));
            vm.prank(proposer.operator);
            vm.expectRevert(abi.encodeWithSelector(IBisectionGame.EndClaimNotValid.selector, halted));
            game.bisect(gameId, halted);
        }
        vm.prank(proposer.operator);
        vm.expectRevert(IBisectionGame.ZeroRoot.selector);
        game.bisect(gameId, 0);

        vm.expectEmit(address(game));
        emit IBisectionGame.ExecutionBisected(gameId, end, _claim(end));
        _bisect(_claim(end));
        assertTrue(game.gameAt(gameId).proposerToMove, "then the first midpoint, still the proposer's");
        assertEq(game.executionOf(gameId).hiClaim, _claim(end));
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.NotYourMove.selector, gameId, honest));
        game.respond(gameId, false);
        _bisect(_claim(end / 2));
        _respond(false);
        IBisectionGame.Execution memory e = game.executionOf(gameId);
        assertEq(e.hi, end / 2);
        assertEq(e.hiClaim, _claim(end / 2));
    }

    /// @dev The proposer claims true states before step `lieFrom` and garbage from it on (its
    ///      end claim stays true); the honest challenger wins at the step into the first lie.
    /// forge-config: default.fuzz.runs = 24
    function testFuzz_aLyingStepClaimLosesAtOneStep(uint256 lieFrom) public {
        lieFrom = bound(lieFrom, 1, TinyGuest.HALT_STEP + 2);
        _atExecution();
        _bisect(_claim(game.executionSteps()));
        for (uint256 moves; moves < 60; ++moves) {
            IBisectionGame.Game memory g = game.gameAt(gameId);
            if (g.status != IBisectionGame.Status.InProgress) break;
            IBisectionGame.Execution memory e = game.executionOf(gameId);
            uint256 mid = (uint256(e.lo) + e.hi) / 2;
            if (g.proposerToMove) {
                _bisect(mid < lieFrom ? _claim(mid) : keccak256(abi.encode("lie", mid)));
            } else if (e.hi - e.lo > 1) {
                _respond(e.midClaim == _claim(mid));
            } else {
                assertEq(e.lo, lieFrom - 1, "the step into the first lie");
                game.step(gameId, TinyGuest.stateAt(0, e.inputKey, e.lo), TinyGuest.proofsAt(0, e.lo));
            }
        }
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ChallengerWon));
    }

    function test_step_refusesAnotherPreStateOrAMalformedOne() public {
        _atExecution();
        _bisect(_claim(game.executionSteps()));
        // Disagree all the way down to [0, 1].
        while (game.executionOf(gameId).hi > 1) {
            _bisect(_claim((uint256(game.executionOf(gameId).lo) + game.executionOf(gameId).hi) / 2));
            _respond(false);
        }
        bytes32 key = _key();
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.respond(gameId, true);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongPreState.selector, _claim(0), _claim(1)));
        game.step(gameId, TinyGuest.stateAt(0, key, 1), TinyGuest.proofsAt(0, 1));
        vm.expectRevert(abi.encodeWithSelector(RiscVState.InvalidStateLength.selector, 352));
        game.step(gameId, new bytes(352), "");
        // The booted state of another input.
        bytes32 other = keccak256("another input");
        vm.expectRevert(
            abi.encodeWithSelector(
                IBisectionGame.WrongPreState.selector, _claim(0), TinyGuest.claimAt(0, other, 0)
            )
        );
        game.step(gameId, TinyGuest.stateAt(0, other, 0), TinyGuest.proofsAt(0, 0));

        vm.expectEmit(address(game));
        emit IBisectionGame.StepProven(gameId, 0, _claim(1));
        game.step(gameId, TinyGuest.stateAt(0, key, 0), TinyGuest.proofsAt(0, 0));
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ProposerWon));
    }
}

/// @notice The clocks run across both levels.
contract DisputeExecution_Clocks_Test is DisputeExecutionTest {
    function test_proposerWithoutAnEndClaimLosesOnItsClock() public {
        _atExecution();
        (uint256 left,) = game.clocksOf(gameId);
        vm.warp(block.timestamp + left + 1);
        bytes32 endClaim = TinyGuest.asValid(_claim(game.executionSteps()));
        vm.prank(proposer.operator);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.ClockExpired.selector, gameId));
        game.bisect(gameId, endClaim);
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ChallengerWon));
    }

    function test_challengerOwingTheStepLosesOnItsClock() public {
        _atExecution();
        _bisect(TinyGuest.asValid(_claim(game.executionSteps())));
        while (game.executionOf(gameId).hi > 1) {
            _bisect(_claim((uint256(game.executionOf(gameId).lo) + game.executionOf(gameId).hi) / 2));
            _respond(false);
        }
        (, uint256 left) = game.clocksOf(gameId);
        vm.warp(block.timestamp + left + 1);
        bytes32 key = _key();
        bytes memory state = TinyGuest.stateAt(1, key, 0);
        bytes memory proofs = TinyGuest.proofsAt(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.ClockExpired.selector, gameId));
        game.step(gameId, state, proofs);
        game.resolve(gameId);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ProposerWon));
    }
}
