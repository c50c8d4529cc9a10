// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "../utils/DisputeTest.sol";
import {GasMeasure} from "../utils/GasMeasure.sol";
import {IDisputeGame} from "../../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../../contracts/interfaces/IBisectionGame.sol";
import {TinyGuest} from "../utils/TinyGuest.sol";

/// @notice Execution gas of every dispute game move (see GasMeasure), over real history: a
///         devnet-profile output interval of 4 records holding 8 transactions, then the
///         execution of the disputed one by the stand-in guest (DisputeTest). The transaction
///         proof's figures also record its calldata gas (the layout and record paths), which
///         the goal in docs/gas.md counts separately.
contract DisputeGasTest is DisputeTest, GasMeasure {
    function _eight(Kind kind) internal pure returns (Kind[] memory kinds) {
        kinds = new Kind[](8);
        for (uint256 i; i < 8; ++i) {
            kinds[i] = kind;
        }
    }

    function _bisectCall(uint256 gameId, uint256 position) internal view returns (bytes memory) {
        return abi.encodeCall(IBisectionGame.bisect, (gameId, _proposerRoot(position)));
    }

    /// forge-config: default.isolate = true
    function test_gas_challengeAndBisection() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 bond = game.challengeBond();
        vm.deal(honest, bond);
        bytes memory cd = abi.encodeCall(
            IBisectionGame.challenge, (outputIndex, roots[0], _proposerRoot(8), _headersFor(outputIndex))
        );
        _measure("dispute_challenge_interval_4_records", honest, bond, address(game), cd);
        uint256 gameId = 0;
        address proposer = game.gameAt(gameId).proposer;

        _measure("dispute_bisect_first", proposer, 0, address(game), _bisectCall(gameId, 4));
        cd = abi.encodeCall(IBisectionGame.respond, (gameId, true));
        _measure("dispute_respond_agree", honest, 0, address(game), cd);
        _measure("dispute_bisect", proposer, 0, address(game), _bisectCall(gameId, 6));
        cd = abi.encodeCall(IBisectionGame.respond, (gameId, false));
        _measure("dispute_respond_disagree", honest, 0, address(game), cd);
    }

    /// @dev Play to the transaction proof, then measure it.
    function _measureProof(string memory name, uint256 gameId, uint256 outputIndex) internal {
        IBisectionGame.Game memory g = game.gameAt(gameId);
        while (g.proposerToMove || g.hi - g.lo > 1) {
            _moveOnce(gameId, Answer.Honest, true);
            g = game.gameAt(gameId);
        }
        bytes memory cd = abi.encodeCall(IDisputeGame.proveTransaction, (gameId, _txProof(outputIndex, g.lo)));
        _measure(name, makeAddr("prover"), 0, address(game), cd);
        vm.snapshotValue(GROUP, string.concat(name, "_calldata"), _calldataGas(cd));
        assertTrue(game.executionOf(gameId).inputKey != 0, "the execution started");
    }

    /// forge-config: default.isolate = true
    function test_gas_proveTransaction_transfer() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        _measureProof("dispute_prove_transaction_transfer", _challenge(honest, outputIndex), outputIndex);
    }

    /// forge-config: default.isolate = true
    function test_gas_proveTransaction_withdrawal() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Withdrawal));
        _measureProof("dispute_prove_transaction_withdrawal", _challenge(honest, outputIndex), outputIndex);
    }

    /// forge-config: default.isolate = true
    function test_gas_proveTransaction_deposit() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Deposit));
        _measureProof("dispute_prove_transaction_deposit", _challenge(honest, outputIndex), outputIndex);
    }

    /// @dev The execution's moves and its last step (the stand-in guest's step: an addi; the
    ///      VM's own cost per instruction class is VmStepGas's).
    /// forge-config: default.isolate = true
    function test_gas_executionMoves() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 gameId = _challenge(honest, outputIndex);
        _measureProof("dispute_prove_transaction_first", gameId, outputIndex);
        IBisectionGame.Game memory g = game.gameAt(gameId);
        bytes32 key = game.executionOf(gameId).inputKey;
        uint256 end = game.executionSteps();
        bytes32 endClaim = TinyGuest.asValid(TinyGuest.claimAt(1, key, end));
        bytes memory cd = abi.encodeCall(IBisectionGame.bisect, (gameId, endClaim));
        _measure("dispute_execution_end_claim", g.proposer, 0, address(game), cd);
        cd = abi.encodeCall(IBisectionGame.bisect, (gameId, TinyGuest.claimAt(1, key, end / 2)));
        _measure("dispute_execution_bisect_first", g.proposer, 0, address(game), cd);
        cd = abi.encodeCall(IBisectionGame.respond, (gameId, false));
        _measure("dispute_execution_respond_first", honest, 0, address(game), cd);
        cd = abi.encodeCall(IBisectionGame.bisect, (gameId, TinyGuest.claimAt(1, key, end / 4)));
        _measure("dispute_execution_bisect", g.proposer, 0, address(game), cd);
        cd = abi.encodeCall(IBisectionGame.respond, (gameId, false));
        _measure("dispute_execution_respond", honest, 0, address(game), cd);
        while (game.executionOf(gameId).hi > 1) {
            _moveOnce(gameId, Answer.AlwaysDisagree, true);
        }
        cd = abi.encodeCall(
            IBisectionGame.step, (gameId, TinyGuest.stateAt(1, key, 0), TinyGuest.proofsAt(1, 0))
        );
        _measure("dispute_step_proposer_wins", makeAddr("prover"), 0, address(game), cd);
        vm.snapshotValue(GROUP, "dispute_step_proposer_wins_calldata", _calldataGas(cd));
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ProposerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_step_challengerWins() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 gameId = _challenge(honest, outputIndex);
        IBisectionGame.Execution memory e;
        while (e.hi - e.lo != 1 || game.gameAt(gameId).proposerToMove) {
            _moveOnce(gameId, Answer.Honest, true);
            e = game.executionOf(gameId);
        }
        bytes memory cd = abi.encodeCall(
            IBisectionGame.step, (gameId, TinyGuest.stateAt(1, e.inputKey, e.lo), TinyGuest.proofsAt(1, e.lo))
        );
        _measure("dispute_step_challenger_wins", makeAddr("prover"), 0, address(game), cd);
        assertEq(uint8(game.gameAt(gameId).status), uint8(IBisectionGame.Status.ChallengerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_resolveTimeoutAndClaim() public {
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 gameId = _challenge(honest, outputIndex);
        vm.warp(block.timestamp + game.clockDuration() + 1);
        bytes memory cd = abi.encodeCall(IBisectionGame.resolve, (gameId));
        _measure("dispute_resolve_proposer_timed_out", makeAddr("anyone"), 0, address(game), cd);
        _measure("dispute_claim", honest, 0, address(game), abi.encodeCall(IBisectionGame.claim, ()));
    }
}
