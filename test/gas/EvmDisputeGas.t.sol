// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EvmDisputeGameTest} from "../EvmDisputeGame.t.sol";
import {GasMeasure} from "../utils/GasMeasure.sol";
import {IBisectionGame} from "../../contracts/interfaces/IBisectionGame.sol";
import {IEvmDisputeGame} from "../../contracts/interfaces/IEvmDisputeGame.sol";
import {IForceInclusionQueue} from "../../contracts/interfaces/IForceInclusionQueue.sol";

/// @notice Execution gas of the EVM game's own moves (see GasMeasure) on the devnet
///         deployment and EvmDisputeGameTest's history (4 records, 7 blocks): opening a game,
///         `proveBlock` for each kind of block, and the queue's `accumulatorOf`, which names a
///         block's entries in one read however many they are. The
///         moves it shares with the ledger's game (bisect, respond, step, resolve, claim) are
///         BisectionGame's, measured by DisputeGas.t.sol.
contract EvmDisputeGasTest is EvmDisputeGameTest, GasMeasure {
    constructor() {
        exitCode = 1;
    }

    /// forge-config: default.isolate = true
    function test_gas_evmChallenge() public {
        liesFrom = 4;
        _propose();
        uint256 bond = game.challengeBond();
        vm.deal(honest, bond);
        bytes memory cd = abi.encodeCall(
            IBisectionGame.challenge, (0, _leaf(0), _proposerLeaf(outputEnds[0]), _headersFor(0))
        );
        _measure("evm_dispute_challenge_interval_4_records", honest, bond, address(game), cd);
    }

    /// forge-config: default.isolate = true
    function test_gas_proveBlock_firstBlockWithTwoEntries() public {
        _measureProof("evm_dispute_proveBlock_first_block_2_entries", 0);
    }

    /// forge-config: default.isolate = true
    function test_gas_proveBlock_laterBlockOfARecord() public {
        _measureProof("evm_dispute_proveBlock_third_block_of_3", 2);
    }

    /// forge-config: default.isolate = true
    function test_gas_proveBlock_forcedRecord() public {
        _measureProof("evm_dispute_proveBlock_forced_record", 3);
    }

    /// forge-config: default.isolate = true
    function test_gas_accumulatorOf_sameForAnyNumberOfEntries() public {
        uint256 from = queue.length();
        for (uint256 i; i < 100; ++i) {
            _enqueue(abi.encodePacked("entry", i));
        }
        bytes memory one = abi.encodeCall(IForceInclusionQueue.accumulatorOf, (from + 1));
        _measure("queue_accumulatorOf_after_1_entry", honest, 0, address(queue), one);
        bytes memory hundred = abi.encodeCall(IForceInclusionQueue.accumulatorOf, (from + 100));
        _measure("queue_accumulatorOf_after_100_entries", honest, 0, address(queue), hundred);
    }

    /// @dev Lie from the block after `position`, bisect to it, and measure its proof.
    function _measureProof(string memory name, uint256 position) internal {
        liesFrom = position + 1;
        _propose();
        uint256 gameId = _challenge();
        _bisectToOneBlock(gameId);
        assertEq(game.gameAt(gameId).lo, position);
        bytes memory cd = abi.encodeCall(IEvmDisputeGame.proveBlock, (gameId, _proof(position)));
        _measure(name, makeAddr("prover"), 0, address(game), cd);
        vm.snapshotValue(GROUP, string.concat(name, "_calldata"), _calldataGas(cd));
        assertTrue(game.executionOf(gameId).inputKey != 0, "the execution started");
    }
}
