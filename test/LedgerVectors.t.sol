// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Ledger} from "../contracts/libraries/ledger/Ledger.sol";
import {LedgerHarness} from "./utils/LedgerHarness.sol";

/// @notice Replays the shared vectors written by the Rust STF (test/vectors/ledger.json, see
///         docs/ledger.md) through the Solidity ledger: every case must give the same outcome code
///         and post-state root from the same pre-state root and witness. The Rust side replays the
///         same file and fails when it is stale, so both implementations answer to one file.
contract LedgerVectorsTest is Test {
    LedgerHarness internal harness;
    string internal json;
    uint256 internal caseCount;

    function setUp() public {
        harness = new LedgerHarness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/ledger.json"));
        while (vm.keyExistsJson(json, string.concat(".cases[", vm.toString(caseCount), "]"))) ++caseCount;
    }

    function _key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".cases[", vm.toString(i), "].", field);
    }

    function test_vectors_replayThroughSolidity() public view {
        assertEq(
            vm.parseJsonAddress(json, ".withdrawalAddress"), Ledger.WITHDRAWAL_ADDRESS, "withdrawal address"
        );
        bool[17] memory seen;
        for (uint256 i; i < caseCount; ++i) {
            string memory name = vm.parseJsonString(json, _key(i, "name"));
            bytes32 preRoot = vm.parseJsonBytes32(json, _key(i, "preRoot"));
            bytes memory witness = vm.parseJsonBytes(json, _key(i, "witness"));
            bytes32 postRoot;
            uint8 outcome;
            if (keccak256(bytes(vm.parseJsonString(json, _key(i, "kind")))) == keccak256("deposit")) {
                (postRoot, outcome) = harness.deposit(
                    preRoot,
                    vm.parseJsonAddress(json, _key(i, "recipient")),
                    vm.parseJsonUint(json, _key(i, "amount")),
                    witness
                );
            } else {
                Ledger.BlockContext memory ctx = Ledger.BlockContext({
                    chainId: uint64(vm.parseJsonUint(json, _key(i, "chainId"))),
                    baseFee: uint128(vm.parseJsonUint(json, _key(i, "baseFee"))),
                    feeRecipient: vm.parseJsonAddress(json, _key(i, "feeRecipient"))
                });
                (postRoot, outcome) =
                    harness.step(preRoot, ctx, vm.parseJsonBytes(json, _key(i, "tx")), witness);
            }
            assertEq(outcome, vm.parseJsonUint(json, _key(i, "outcome")), string.concat(name, ": outcome"));
            assertEq(
                postRoot,
                vm.parseJsonBytes32(json, _key(i, "postRoot")),
                string.concat(name, ": post-state root")
            );
            if (outcome != 0) {
                assertEq(postRoot, preRoot, string.concat(name, ": an invalid transaction changed state"));
            }
            seen[outcome] = true;
        }
        assertGe(caseCount, 60, "the vector file lost cases");
        for (uint256 code; code < seen.length; ++code) {
            assertTrue(seen[code], string.concat("no vector has outcome ", vm.toString(code)));
        }
    }

    /// @notice A vector's witness with one byte changed never yields a root: it reverts.
    /// forge-config: default.fuzz.runs = 64
    /// forge-config: ci.fuzz.runs = 128
    function testFuzz_vectors_tamperedWitnessReverts(uint256 caseSeed, uint256 byteSeed) public {
        uint256 i = bound(caseSeed, 0, caseCount - 1);
        bytes memory witness = vm.parseJsonBytes(json, _key(i, "witness"));
        vm.assume(witness.length > 0);
        witness[bound(byteSeed, 0, witness.length - 1)] ^= 0x01;
        bytes32 preRoot = vm.parseJsonBytes32(json, _key(i, "preRoot"));
        vm.expectRevert();
        if (keccak256(bytes(vm.parseJsonString(json, _key(i, "kind")))) == keccak256("deposit")) {
            harness.deposit(
                preRoot,
                vm.parseJsonAddress(json, _key(i, "recipient")),
                vm.parseJsonUint(json, _key(i, "amount")),
                witness
            );
        } else {
            harness.step(
                preRoot,
                Ledger.BlockContext({
                    chainId: uint64(vm.parseJsonUint(json, _key(i, "chainId"))),
                    baseFee: uint128(vm.parseJsonUint(json, _key(i, "baseFee"))),
                    feeRecipient: vm.parseJsonAddress(json, _key(i, "feeRecipient"))
                }),
                vm.parseJsonBytes(json, _key(i, "tx")),
                witness
            );
        }
    }
}
