// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {L2Withdrawals} from "../contracts/l2/L2Withdrawals.sol";
import {MerkleTrie} from "../contracts/libraries/MerkleTrie.sol";
import {MerkleTrieHarness} from "./utils/MerkleTrieHarness.sol";
import {WithdrawingContract} from "./utils/WithdrawingContract.sol";

/// @notice The withdrawal predeploy, and its withdrawals proven the way the portal will prove
///         them: from withdrawals that baton's EVM executed and committed to its state on disk
///         (test/vectors/withdrawal_proofs.json, written and kept current by
///         keepers/crates/state/tests/withdrawal_vectors.rs), an account proof of the predeploy
///         against the state root, then a storage proof of `initiated[hash]`.
contract L2WithdrawalsTest is Test {
    L2Withdrawals internal w;
    MerkleTrieHarness internal h;

    function setUp() public {
        w = new L2Withdrawals();
        h = new MerkleTrieHarness();
    }

    function test_withdraw_recordsTheHashInItsSlot() public {
        address user = makeAddr("user");
        vm.deal(user, 3 ether);
        bytes32 expected = w.hashOf(block.chainid, 0, user, address(0xbeef), 1 ether);
        vm.expectEmit(address(w));
        emit L2Withdrawals.WithdrawalInitiated(0, user, address(0xbeef), 1 ether, expected);
        vm.prank(user);
        bytes32 hash = w.withdraw{value: 1 ether}(address(0xbeef));
        assertEq(hash, expected);
        assertTrue(w.initiated(hash));
        assertEq(uint256(vm.load(address(w), w.slotOf(hash))), 1, "the slot the portal proves");
        assertEq(uint256(vm.load(address(w), bytes32(uint256(1)))), 1, "nonce in slot 1");
        assertEq(address(w).balance, 1 ether, "the ETH stays in the predeploy");

        // A second, identical withdrawal gets its own nonce and hash.
        vm.prank(user);
        bytes32 second = w.withdraw{value: 1 ether}(address(0xbeef));
        assertTrue(second != hash);
        assertEq(w.nonce(), 2);
    }

    function test_withdraw_throughAContract_namesTheContract() public {
        WithdrawingContract c = new WithdrawingContract();
        bytes32 hash = c.withdrawFor{value: 2 ether}(w, address(0xbeef));
        assertEq(hash, w.hashOf(block.chainid, 0, address(c), address(0xbeef), 2 ether));
        assertTrue(w.initiated(hash));
    }

    function test_withdraw_refusesNothingAndNobody() public {
        vm.expectRevert(L2Withdrawals.ZeroAmount.selector);
        w.withdraw(address(0xbeef));
        vm.expectRevert(L2Withdrawals.ZeroRecipient.selector);
        w.withdraw{value: 1}(address(0));
    }

    /// @notice Another chain id gives another hash: a withdrawal of one L2 is not another's.
    function testFuzz_hashOf_bindsEveryField(uint256 chainId, uint256 n, address s, address r, uint256 a)
        public
        view
    {
        bytes32 base = w.hashOf(chainId, n, s, r, a);
        assertTrue(base != w.hashOf(chainId ^ 1, n, s, r, a));
        assertTrue(base != w.hashOf(chainId, n ^ 1, s, r, a));
        assertTrue(base != w.hashOf(chainId, n, address(uint160(s) ^ 1), r, a));
        assertTrue(base != w.hashOf(chainId, n, s, address(uint160(r) ^ 1), a));
        assertTrue(base != w.hashOf(chainId, n, s, r, a ^ 1));
    }

    function test_withdrawalsExecutedOnBatonsEvm_areProvenAgainstTheStateRoot() public view {
        string memory json = vm.readFile("test/vectors/withdrawal_proofs.json");
        bytes32 stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        address predeploy = vm.parseJsonAddress(json, ".predeploy");
        (bool exists, MerkleTrie.Account memory acc) =
            h.account(stateRoot, predeploy, vm.parseJsonBytesArray(json, ".accountProof"));
        assertTrue(exists, "the predeploy is in the state");
        assertEq(acc.balance, vm.parseJsonUint(json, ".predeployBalance"), "the withdrawn ETH stays there");
        uint256 chainId = vm.parseJsonUint(json, ".chainId");
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".withdrawals[", vm.toString(n), "]"))) {
            string memory at = string.concat(".withdrawals[", vm.toString(n), "].");
            bytes32 slot = w.slotOf(_hashAt(json, at, chainId));
            assertEq(slot, vm.parseJsonBytes32(json, string.concat(at, "slot")), "slot");
            bytes[] memory proof = vm.parseJsonBytesArray(json, string.concat(at, "proof"));
            assertEq(h.storageValue(acc.storageRoot, slot, proof), 1, "initiated");
            ++n;
        }
        assertEq(n, 2, "a user's withdrawal and a contract's");
        // A withdrawal that was never made is proven absent.
        bytes32 never = vm.parseJsonBytes32(json, ".absent.slot");
        assertEq(h.storageValue(acc.storageRoot, never, vm.parseJsonBytesArray(json, ".absent.proof")), 0);
    }

    /// @dev The hash of the withdrawal at `at` in the vectors, recomputed by the predeploy.
    function _hashAt(string memory json, string memory at, uint256 chainId) internal view returns (bytes32) {
        return w.hashOf(
            chainId,
            vm.parseJsonUint(json, string.concat(at, "nonce")),
            vm.parseJsonAddress(json, string.concat(at, "sender")),
            vm.parseJsonAddress(json, string.concat(at, "l1Recipient")),
            vm.parseJsonUint(json, string.concat(at, "amount"))
        );
    }
}
