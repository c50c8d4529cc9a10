// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GasMeasure} from "../utils/GasMeasure.sol";
import {RiscV} from "../../contracts/vm/RiscV.sol";
import {PreimageOracle} from "../../contracts/vm/PreimageOracle.sol";
import {IPreimageOracle} from "../../contracts/interfaces/IPreimageOracle.sol";

/// @notice Gas of one VM step on L1 for every instruction class and syscall, and for real steps
///         of the guest checking a ledger transfer (test/vectors/vm_steps.json, made by the
///         emulator: each step's post-state must also be the emulator's). Two figures per step:
///         `vm_step_<case>` is execution gas (the unit of docs/gas.md), `vm_step_<case>_tx` the
///         whole transaction (21,000 base and the calldata of the 353-byte state and the proofs
///         included), the unit of the anchors in docs/vm.md. And the worst preimage load: the
///         largest record the inbox accepts, loaded in one transaction.
contract VmStepGasTest is GasMeasure {
    struct StepCase {
        string name;
        bytes32 post;
        bytes32 pre;
        bytes preimage;
        uint256 preimageOffset;
        bytes proofs;
        bytes state;
    }

    PreimageOracle internal oracle;
    RiscV internal riscv;

    function setUp() public {
        oracle = new PreimageOracle();
        riscv = new RiscV(IPreimageOracle(address(oracle)));
    }

    /// forge-config: default.isolate = true
    function test_gas_vmStep() public {
        string memory json = vm.readFile("test/vectors/vm_steps.json");
        StepCase[] memory cases = abi.decode(vm.parseJson(json, ".cases"), (StepCase[]));
        assertGt(cases.length, 20, "every class has a vector");
        for (uint256 i; i < cases.length; ++i) {
            StepCase memory c = cases[i];
            if (c.preimage.length != 0 || c.preimageOffset != 0) {
                oracle.loadKeccak256PreimagePart(c.preimageOffset, c.preimage);
            }
            bytes memory cd = abi.encodeCall(RiscV.step, (c.state, c.proofs));
            _measure(string.concat("vm_step_", c.name), address(this), 0, address(riscv), cd);
            vm.snapshotValue(GROUP, string.concat("vm_step_", c.name, "_tx"), vm.lastCallGas().gasTotalUsed);
            (bytes32 pre, bytes32 post) = riscv.step(c.state, c.proofs);
            assertEq(pre, c.pre, c.name);
            assertEq(post, c.post, c.name);
        }
    }

    /// @dev The largest preimage the guest can be asked to read is a record's batch data, at most
    ///      BatchInbox.RECORD_BYTES_LIMIT (120,000) bytes: one transaction loads any part of it.
    /// forge-config: default.isolate = true
    function test_gas_vmLoadLargestPreimage() public {
        bytes memory preimage = new bytes(120_000);
        for (uint256 i; i < preimage.length; ++i) {
            preimage[i] = bytes1(uint8(i * 7 + 1));
        }
        uint256 offset = preimage.length - 20; // the last part: 28 bytes in, 4 zero bytes after
        bytes memory cd = abi.encodeCall(IPreimageOracle.loadKeccak256PreimagePart, (offset, preimage));
        _measure("vm_preimage_load_120000_bytes", address(this), 0, address(oracle), cd);
        uint256 total = vm.lastCallGas().gasTotalUsed;
        vm.snapshotValue(GROUP, "vm_preimage_load_120000_bytes_tx", total);
        // Under a tenth of a 30 M block, even at EIP-7623's calldata floor of 40 gas per byte.
        assertLt(21_000 + 40 * cd.length + (total - 21_000 - _calldataGas(cd)), 6_000_000);
        (bytes32 part, uint256 partLength) = oracle.readPreimage(keccak256(preimage), offset);
        assertEq(partLength, 28);
        bytes32 expected;
        assembly {
            // framed[offset..] = preimage[offset - 8 ..]
            expected := mload(add(add(preimage, 32), sub(offset, 8)))
        }
        assertEq(part, expected & bytes32(type(uint256).max << 32));
    }
}
