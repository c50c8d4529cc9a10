// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SequencingTest} from "./utils/SequencingTest.sol";
import {L1OutputOracle} from "../contracts/L1OutputOracle.sol";
import {IL1OutputOracle} from "../contracts/interfaces/IL1OutputOracle.sol";

/// @notice The oracle on top of the real sequencing contracts (deployed by Deploy.s.sol):
///         proposals need an active operator and a posted record; `game` stands in for the
///         dispute game, the only account allowed to count disputes and delete outputs.
abstract contract L1OutputOracleTest is SequencingTest {
    uint256 internal constant INTERVAL = 2;
    L1OutputOracle internal oracle;
    address internal game = makeAddr("game");
    Op[] internal ops;

    function setUp() public override {
        super.setUp();
        oracle = new L1OutputOracle(address(registry), address(inbox), game, INTERVAL, p.finalizationPeriod);
        Op[] memory three = _threeOps();
        for (uint256 i; i < three.length; ++i) {
            ops.push(three[i]);
        }
    }

    /// @dev Post `n` records as the current leader.
    function _postRecords(uint256 n) internal {
        Op memory leader = _scheduled(ops, 0);
        for (uint256 i; i < n; ++i) {
            _post(leader, 0);
        }
    }

    function _propose(bytes32 stateRoot) internal returns (uint256) {
        if (inbox.recordCount() <= oracle.nextRecordIndex()) {
            _postRecords(oracle.nextRecordIndex() + 1 - inbox.recordCount());
        }
        uint256 next = oracle.outputCount();
        vm.prank(ops[0].operator);
        return oracle.proposeOutput(next, stateRoot);
    }
}

/// @notice The constructor refuses every zero parameter.
contract L1OutputOracle_Constructor_Test is L1OutputOracleTest {
    function test_constructor_rejectsZeroParameters() public {
        vm.expectRevert(abi.encodeWithSelector(L1OutputOracle.InvalidParameter.selector, "registry"));
        new L1OutputOracle(address(0), address(inbox), game, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(L1OutputOracle.InvalidParameter.selector, "inbox"));
        new L1OutputOracle(address(registry), address(0), game, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(L1OutputOracle.InvalidParameter.selector, "disputeGame"));
        new L1OutputOracle(address(registry), address(inbox), address(0), 1, 1);
        vm.expectRevert(abi.encodeWithSelector(L1OutputOracle.InvalidParameter.selector, "outputInterval"));
        new L1OutputOracle(address(registry), address(inbox), game, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(L1OutputOracle.InvalidParameter.selector, "finalizationPeriod")
        );
        new L1OutputOracle(address(registry), address(inbox), game, 1, 0);
    }
}

/// @notice The parameter views.
contract L1OutputOracle_Views_Test is L1OutputOracleTest {
    function test_views_reportParameters() public view {
        assertEq(oracle.outputInterval(), INTERVAL);
        assertEq(oracle.finalizationPeriod(), p.finalizationPeriod);
        assertEq(oracle.disputeGame(), game);
        assertEq(oracle.inbox(), address(inbox));
        assertEq(oracle.registry(), address(registry));
        assertEq(oracle.outputCount(), 0);
        assertEq(oracle.nextRecordIndex(), INTERVAL - 1);
        assertEq(oracle.recordIndexOf(3), 4 * INTERVAL - 1);
    }
}

/// @notice proposeOutput: who may propose, which index, and what the output commits to.
contract L1OutputOracle_ProposeOutput_Test is L1OutputOracleTest {
    function test_propose_storesOutputCommittingToTheRecord() public {
        _postRecords(INTERVAL);
        uint256 recordIndex = INTERVAL - 1;
        bytes32 expected = keccak256(abi.encode(bytes32("state"), recordIndex, inbox.recordHash(recordIndex)));
        vm.expectEmit(address(oracle));
        emit IL1OutputOracle.OutputProposed(0, expected, bytes32("state"), recordIndex, ops[0].operator);
        vm.prank(ops[0].operator);
        assertEq(oracle.proposeOutput(0, bytes32("state")), 0);

        IL1OutputOracle.Output memory o = oracle.outputAt(0);
        assertEq(o.outputRoot, expected);
        assertEq(
            o.outputRoot, oracle.outputRootOf(bytes32("state"), recordIndex, inbox.recordHash(recordIndex))
        );
        assertEq(o.proposer, ops[0].operator);
        assertEq(o.proposedAt, block.timestamp);
        assertEq(o.openDisputes, 0);
        assertEq(o.generation, 0);
        assertEq(oracle.outputCount(), 1);
        assertEq(oracle.nextRecordIndex(), 2 * INTERVAL - 1);
    }

    function test_propose_bySignerIsAccountedToItsOperator() public {
        _postRecords(INTERVAL);
        vm.prank(ops[1].signer);
        oracle.proposeOutput(0, bytes32("state"));
        assertEq(oracle.outputAt(0).proposer, ops[1].operator);
    }

    function test_propose_revertsForNonSequencer() public {
        _postRecords(INTERVAL);
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.NotActiveSequencer.selector, stranger));
        vm.prank(stranger);
        oracle.proposeOutput(0, bytes32("state"));
    }

    function test_propose_revertsForInactiveOperator() public {
        _postRecords(INTERVAL);
        _jail(ops[2], 1);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.NotActiveSequencer.selector, ops[2].operator));
        vm.prank(ops[2].operator);
        oracle.proposeOutput(0, bytes32("state"));
    }

    function test_propose_revertsBeforeTheRecordIsPosted() public {
        _postRecords(INTERVAL - 1);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.RecordNotPosted.selector, INTERVAL - 1));
        vm.prank(ops[0].operator);
        oracle.proposeOutput(0, bytes32("state"));
    }

    function test_propose_revertsForAnotherIndexThanTheNext() public {
        _postRecords(2 * INTERVAL);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnexpectedIndex.selector, 1, 0));
        vm.prank(ops[0].operator);
        oracle.proposeOutput(1, bytes32("state"));
        _propose(bytes32("state 0"));
        // A second proposer that computed its root for index 0 lost the race: it reverts
        // instead of landing its index-0 root at index 1.
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnexpectedIndex.selector, 0, 1));
        vm.prank(ops[1].operator);
        oracle.proposeOutput(0, bytes32("state 0"));
        assertEq(oracle.outputCount(), 1);
    }

    function test_propose_revertsOnZeroStateRoot() public {
        _postRecords(INTERVAL);
        vm.expectRevert(IL1OutputOracle.ZeroStateRoot.selector);
        vm.prank(ops[0].operator);
        oracle.proposeOutput(0, 0);
    }
}

/// @notice outputAt past the last output.
contract L1OutputOracle_OutputAt_Test is L1OutputOracleTest {
    function test_outputAt_revertsPastTheEnd() public {
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnknownOutput.selector, 0, 0));
        oracle.outputAt(0);
    }
}

/// @notice finalize: sequential, after the window, never past an open dispute; finalized
///         outputs never change.
contract L1OutputOracle_Finalize_Test is L1OutputOracleTest {
    function test_finalize_afterTheWindow() public {
        _propose("a");
        _propose("b");
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.CannotFinalize.selector, 0));
        oracle.finalize(1);
        vm.warp(block.timestamp + p.finalizationPeriod);
        vm.expectEmit(address(oracle));
        emit IL1OutputOracle.OutputsFinalized(2);
        oracle.finalize(2);
        assertEq(oracle.finalizedCount(), 2);
        assertTrue(oracle.isFinalized(1));
        assertFalse(oracle.isFinalized(2));
        oracle.finalize(1); // already final: no-op
        assertEq(oracle.finalizedCount(), 2);
    }

    function test_finalize_revertsPastTheOutputs() public {
        _propose("a");
        vm.warp(block.timestamp + p.finalizationPeriod);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.CannotFinalize.selector, 1));
        oracle.finalize(2);
    }

    function test_finalize_waitsForOpenDisputesAndEarlierOutputs() public {
        _propose("a");
        _propose("b");
        vm.prank(game);
        oracle.openDispute(0, 0);
        vm.warp(block.timestamp + p.finalizationPeriod);
        // Output 1's window passed too, but output 0 is disputed: neither finalizes.
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.CannotFinalize.selector, 0));
        oracle.finalize(2);
        vm.prank(game);
        oracle.closeDispute(0, 0);
        oracle.finalize(2);
        assertEq(oracle.finalizedCount(), 2);
    }

    /// @notice Whatever the game does and whenever, a finalized output keeps its root and
    ///         finalized outputs stay a prefix that only grows.
    function testFuzz_finalizedOutputsNeverChange(uint256 seed) public {
        bytes32[] memory finalRoots = new bytes32[](64);
        uint256 finalCount;
        for (uint256 step; step < 40; ++step) {
            uint256 action = uint256(keccak256(abi.encode(seed, step))) % 5;
            uint256 count = oracle.outputCount();
            uint256 target = count == 0 ? 0 : uint256(keccak256(abi.encode(seed, step, "t"))) % count;
            if (action == 0 || count == 0) {
                _propose(keccak256(abi.encode(seed, step)));
            } else if (action == 1) {
                vm.warp(block.timestamp + p.finalizationPeriod / 3);
            } else if (action == 2) {
                vm.prank(game);
                try oracle.openDispute(target, oracle.outputAt(target).generation) {} catch {}
            } else if (action == 3) {
                vm.prank(game);
                try oracle.deleteOutputs(target, oracle.outputAt(target).generation) {} catch {}
            } else {
                try oracle.finalize(target + 1) {} catch {}
            }
            assertGe(oracle.finalizedCount(), finalCount, "finalized count went down");
            assertLe(oracle.finalizedCount(), oracle.outputCount(), "finalized past the end");
            for (uint256 i; i < finalCount; ++i) {
                assertEq(oracle.outputAt(i).outputRoot, finalRoots[i], "a finalized output changed");
            }
            for (uint256 i = finalCount; i < oracle.finalizedCount(); ++i) {
                finalRoots[i] = oracle.outputAt(i).outputRoot;
            }
            finalCount = oracle.finalizedCount();
        }
    }
}

/// @notice openDispute, closeDispute and deleteOutputs answer only the dispute game.
contract L1OutputOracle_OnlyDisputeGame_Test is L1OutputOracleTest {
    function test_disputeCalls_onlyByTheGame() public {
        _propose("a");
        address stranger = makeAddr("stranger");
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.NotDisputeGame.selector, stranger));
        oracle.openDispute(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.NotDisputeGame.selector, stranger));
        oracle.closeDispute(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.NotDisputeGame.selector, stranger));
        oracle.deleteOutputs(0, 0);
        vm.stopPrank();
    }
}

/// @notice openDispute (and closeDispute): counting, the window, unknown outputs.
contract L1OutputOracle_OpenDispute_Test is L1OutputOracleTest {
    function test_openDispute_countsAndClosesInOrder() public {
        _propose("a");
        vm.startPrank(game);
        oracle.openDispute(0, 0);
        oracle.openDispute(0, 0);
        assertEq(oracle.outputAt(0).openDisputes, 2);
        oracle.closeDispute(0, 0);
        assertEq(oracle.outputAt(0).openDisputes, 1);
        vm.stopPrank();
    }

    function test_openDispute_revertsAfterTheWindow() public {
        _propose("a");
        uint256 closesAt = block.timestamp + p.finalizationPeriod;
        vm.warp(closesAt);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.ChallengeWindowClosed.selector, 0, closesAt));
        vm.prank(game);
        oracle.openDispute(0, 0);
    }

    function test_openDispute_revertsForUnknownOutput() public {
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnknownOutput.selector, 0, 0));
        vm.prank(game);
        oracle.openDispute(0, 0);
    }
}

/// @notice verifyStateRoot matches only the root the output commits to.
contract L1OutputOracle_VerifyStateRoot_Test is L1OutputOracleTest {
    function test_verifyStateRoot_matchesOnlyTheCommittedRoot() public {
        _propose(bytes32("state 0"));
        _propose(bytes32("state 1"));
        (bool matches, bool finalized) = oracle.verifyStateRoot(1, bytes32("state 1"));
        assertTrue(matches);
        assertFalse(finalized);
        (matches,) = oracle.verifyStateRoot(1, bytes32("state 0"));
        assertFalse(matches, "another output's root");
        (matches, finalized) = oracle.verifyStateRoot(2, bytes32("state 1"));
        assertFalse(matches || finalized, "past the end");

        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        (matches, finalized) = oracle.verifyStateRoot(0, bytes32("state 0"));
        assertTrue(matches && finalized);
        vm.prank(game);
        oracle.deleteOutputs(1, 0);
        (matches, finalized) = oracle.verifyStateRoot(1, bytes32("state 1"));
        assertFalse(matches || finalized, "deleted");
    }
}

/// @notice deleteOutputs: cascading deletion, generations against stale games, finalized
///         outputs out of reach.
contract L1OutputOracle_DeleteOutputs_Test is L1OutputOracleTest {
    function test_delete_removesTheOutputAndEveryLaterOne() public {
        _propose("a");
        _propose("b");
        _propose("c");
        vm.startPrank(game);
        oracle.openDispute(1, 0);
        vm.expectEmit(address(oracle));
        emit IL1OutputOracle.OutputsDeleted(1, 3);
        address proposer = oracle.deleteOutputs(1, 0);
        vm.stopPrank();
        assertEq(proposer, ops[0].operator);
        assertEq(oracle.outputCount(), 1);
        assertEq(oracle.generation(), 1);
        assertEq(oracle.nextRecordIndex(), 2 * INTERVAL - 1);
        // Output 0 is untouched.
        assertEq(oracle.outputAt(0).generation, 0);
    }

    function test_delete_staleGameCannotTouchAReproposedOutput() public {
        _propose("a");
        vm.startPrank(game);
        oracle.openDispute(0, 0);
        oracle.openDispute(0, 0); // a second challenger's game
        oracle.deleteOutputs(0, 0);
        oracle.closeDispute(0, 0); // the winning game closes: no-op after deletion
        vm.stopPrank();

        // The same index is proposed again, stamped with the new generation.
        _propose("a");
        assertEq(oracle.outputAt(0).generation, 1);
        vm.startPrank(game);
        oracle.closeDispute(0, 0); // the second game, against the deleted output: no-op
        assertEq(oracle.outputAt(0).openDisputes, 0);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnknownOutput.selector, 0, 0));
        oracle.deleteOutputs(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.UnknownOutput.selector, 0, 0));
        oracle.openDispute(0, 0);
        vm.stopPrank();
    }

    function test_delete_neverTouchesAFinalizedOutput() public {
        _propose("a");
        uint256 closesAt = block.timestamp + p.finalizationPeriod;
        vm.warp(closesAt);
        oracle.finalize(1);
        vm.expectRevert(abi.encodeWithSelector(IL1OutputOracle.ChallengeWindowClosed.selector, 0, closesAt));
        vm.prank(game);
        oracle.deleteOutputs(0, 0);
    }
}
