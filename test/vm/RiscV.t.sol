// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {RiscV} from "../../contracts/vm/RiscV.sol";
import {RiscVMemory} from "../../contracts/vm/RiscVMemory.sol";
import {RiscVState} from "../../contracts/vm/RiscVState.sol";
import {PreimageOracle} from "../../contracts/vm/PreimageOracle.sol";
import {IPreimageOracle} from "../../contracts/interfaces/IPreimageOracle.sol";

/// @notice Malformed witnesses revert with their own errors. The step's semantics are held to the
///         Rust emulator by keepers/crates/vm/tests/step_diff.rs (10,000 random states in revm)
///         and replayed here from test/vectors/vm_steps.json by test/gas/VmStepGas.t.sol.
contract RiscV_Step_Test is Test {
    RiscV internal riscv;

    function setUp() public {
        riscv = new RiscV(IPreimageOracle(address(new PreimageOracle())));
    }

    function _running() internal pure returns (bytes memory state) {
        state = new bytes(RiscVState.SIZE);
        state[72 + 6] = 0x10; // pc = 0x1000
    }

    function testFuzz_aStateOfAnotherLengthIsRefused(uint256 length) public {
        length = bound(length, 0, 1000);
        vm.assume(length != RiscVState.SIZE);
        vm.expectRevert(abi.encodeWithSelector(RiscVState.InvalidStateLength.selector, length));
        riscv.step(new bytes(length), "");
    }

    function testFuzz_anUnknownStatusIsRefused(uint8 status) public {
        status = uint8(bound(status, 3, 255));
        bytes memory state = _running();
        state[88] = bytes1(status);
        vm.expectRevert(RiscVState.InvalidState.selector);
        riscv.step(state, "");
    }

    function test_aRunningStateWithACodeIsRefused() public {
        bytes memory state = _running();
        state[96] = 0x01;
        vm.expectRevert(RiscVState.InvalidState.selector);
        riscv.step(state, "");
    }

    function test_aMissingOrWrongInstructionProofIsRefused() public {
        bytes memory state = _running();
        vm.expectRevert(abi.encodeWithSelector(RiscVMemory.InvalidMemoryProof.selector, 0));
        riscv.step(state, "");
        // A proof of the right length for a leaf the (all-zero) memory does not hold.
        bytes memory proof = new bytes(RiscVMemory.PROOF_SIZE);
        proof[0] = 0x13;
        vm.expectRevert(abi.encodeWithSelector(RiscVMemory.InvalidMemoryProof.selector, 0));
        riscv.step(state, proof);
    }

    function test_aHaltedMachineStepsToItself() public view {
        bytes memory state = _running();
        state[88] = 0x01; // exited, code 0
        (bytes32 pre, bytes32 post) = riscv.step(state, "");
        assertEq(pre, post);
        assertEq(uint8(uint256(pre) >> 248), 0, "exit 0 is status Valid");
    }
}
