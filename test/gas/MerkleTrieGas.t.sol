// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {GasMeasure} from "../utils/GasMeasure.sol";
import {MerkleTrieHarness} from "../utils/MerkleTrieHarness.sol";
import {EvmWithdrawalHarness} from "../utils/EvmWithdrawalHarness.sol";
import {EvmWithdrawal} from "../../contracts/libraries/EvmWithdrawal.sol";

/// @notice Gas of checking `eth_getProof` proofs on L1 (what the portal will pay per withdrawal
///         on the EVM chain): an account of a 300-account state and a slot of a 200-slot
///         storage trie, from test/vectors/mpt_proofs.json.
contract MerkleTrieGasTest is GasMeasure {
    MerkleTrieHarness internal h;
    string internal json;

    function setUp() public {
        h = new MerkleTrieHarness();
        json = vm.readFile("test/vectors/mpt_proofs.json");
    }

    /// forge-config: default.isolate = true
    function test_gas_mptAccountProof() public {
        bytes[] memory proof = vm.parseJsonBytesArray(json, ".accounts[0].proof");
        bytes memory cd = abi.encodeCall(
            MerkleTrieHarness.account,
            (
                vm.parseJsonBytes32(json, ".accounts[0].stateRoot"),
                vm.parseJsonAddress(json, ".accounts[0].address"),
                proof
            )
        );
        _measure(
            string.concat("mpt_account_proof_", vm.toString(proof.length), "_nodes"),
            address(this),
            0,
            address(h),
            cd
        );
    }

    /// forge-config: default.isolate = true
    function test_gas_mptStorageProof() public {
        bytes[] memory proof = vm.parseJsonBytesArray(json, ".storage[1].proof");
        bytes memory cd = abi.encodeCall(
            MerkleTrieHarness.storageValue,
            (
                vm.parseJsonBytes32(json, ".storage[1].storageRoot"),
                vm.parseJsonBytes32(json, ".storage[1].slot"),
                proof
            )
        );
        _measure(
            string.concat("mpt_storage_proof_", vm.toString(proof.length), "_nodes"),
            address(this),
            0,
            address(h),
            cd
        );
    }

    /// forge-config: default.isolate = true
    function test_gas_evmWithdrawalProof() public {
        string memory w = vm.readFile("test/vectors/withdrawal_proofs.json");
        EvmWithdrawalHarness harness = new EvmWithdrawalHarness();
        EvmWithdrawal.Withdrawal memory withdrawal = EvmWithdrawal.Withdrawal({
            nonce: vm.parseJsonUint(w, ".withdrawals[0].nonce"),
            sender: vm.parseJsonAddress(w, ".withdrawals[0].sender"),
            l1Recipient: vm.parseJsonAddress(w, ".withdrawals[0].l1Recipient"),
            amount: vm.parseJsonUint(w, ".withdrawals[0].amount")
        });
        bytes memory cd = abi.encodeCall(
            EvmWithdrawalHarness.verify,
            (
                vm.parseJsonBytes32(w, ".stateRoot"),
                vm.parseJsonUint(w, ".chainId"),
                withdrawal,
                vm.parseJsonBytesArray(w, ".accountProof"),
                vm.parseJsonBytesArray(w, ".withdrawals[0].proof")
            )
        );
        _measure("evm_withdrawal_proof", address(this), 0, address(harness), cd);
    }
}
