// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "../utils/DisputeTest.sol";
import {GasMeasure} from "../utils/GasMeasure.sol";
import {IDisputeGame} from "../../contracts/interfaces/IDisputeGame.sol";

/// @notice Execution gas of every dispute game move (see GasMeasure), over real history: a
///         devnet-profile output interval of 4 records holding 8 transactions. The one-step
///         figures also record the calldata gas of the proof (the batch data it opens, the
///         layout and the witness), which the goal in docs/gas.md counts separately.
contract DisputeGasTest is DisputeTest, GasMeasure {
    function _eight(Kind kind) internal pure returns (Kind[] memory kinds) {
        kinds = new Kind[](8);
        for (uint256 i; i < 8; ++i) {
            kinds[i] = kind;
        }
    }

    function _bisectCall(uint256 gameId, uint256 position) internal view returns (bytes memory) {
        return abi.encodeCall(IDisputeGame.bisect, (gameId, _proposerRoot(position)));
    }

    /// forge-config: default.isolate = true
    function test_gas_challengeAndBisection() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 bond = game.challengeBond();
        vm.deal(honest, bond);
        bytes memory cd = abi.encodeCall(
            IDisputeGame.challenge, (outputIndex, roots[0], _proposerRoot(8), _headersFor(outputIndex))
        );
        _measure("dispute_challenge_interval_4_records", honest, bond, address(game), cd);
        uint256 gameId = 0;
        address proposer = game.gameAt(gameId).proposer;

        _measure("dispute_bisect_first", proposer, 0, address(game), _bisectCall(gameId, 4));
        cd = abi.encodeCall(IDisputeGame.respond, (gameId, true));
        _measure("dispute_respond_agree", honest, 0, address(game), cd);
        _measure("dispute_bisect", proposer, 0, address(game), _bisectCall(gameId, 6));
        cd = abi.encodeCall(IDisputeGame.respond, (gameId, false));
        _measure("dispute_respond_disagree", honest, 0, address(game), cd);
    }

    /// @dev Play to the proof stage, then measure the proof at `position`.
    function _measureProof(string memory name, uint256 gameId, uint256 outputIndex) internal {
        IDisputeGame.Game memory g = game.gameAt(gameId);
        while (g.proposerToMove || g.hi - g.lo > 1) {
            _moveOnce(gameId, Answer.Honest, true);
            g = game.gameAt(gameId);
        }
        bytes memory cd = abi.encodeCall(IDisputeGame.prove, (gameId, _stepProof(outputIndex, g.lo)));
        _measure(name, makeAddr("prover"), 0, address(game), cd);
        vm.snapshotValue(GROUP, string.concat(name, "_calldata"), _calldataGas(cd));
    }

    /// forge-config: default.isolate = true
    function test_gas_prove_transfer_proposerLoses() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        _measureProof("dispute_prove_transfer_proposer_loses", _challenge(honest, outputIndex), outputIndex);
        assertEq(uint8(game.gameAt(0).status), uint8(IDisputeGame.Status.ChallengerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_prove_withdrawal_proposerLoses() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Withdrawal));
        _measureProof("dispute_prove_withdrawal_proposer_loses", _challenge(honest, outputIndex), outputIndex);
        assertEq(uint8(game.gameAt(0).status), uint8(IDisputeGame.Status.ChallengerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_prove_deposit_proposerLoses() public {
        proposerLiesFrom = 5;
        uint256 outputIndex = _intervalOf(_eight(Kind.Deposit));
        _measureProof("dispute_prove_deposit_proposer_loses", _challenge(honest, outputIndex), outputIndex);
        assertEq(uint8(game.gameAt(0).status), uint8(IDisputeGame.Status.ChallengerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_prove_transfer_proposerWins() public {
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        _measureProof("dispute_prove_transfer_proposer_wins", _challenge(honest, outputIndex), outputIndex);
        assertEq(uint8(game.gameAt(0).status), uint8(IDisputeGame.Status.ProposerWon));
    }

    /// forge-config: default.isolate = true
    function test_gas_resolveTimeoutAndClaim() public {
        uint256 outputIndex = _intervalOf(_eight(Kind.Transfer));
        uint256 gameId = _challenge(honest, outputIndex);
        vm.warp(block.timestamp + game.clockDuration() + 1);
        bytes memory cd = abi.encodeCall(IDisputeGame.resolve, (gameId));
        _measure("dispute_resolve_proposer_timed_out", makeAddr("anyone"), 0, address(game), cd);
        _measure("dispute_claim", honest, 0, address(game), abi.encodeCall(IDisputeGame.claim, ()));
    }
}
