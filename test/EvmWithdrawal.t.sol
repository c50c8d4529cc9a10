// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {EvmWithdrawal} from "../contracts/libraries/EvmWithdrawal.sol";
import {L2Withdrawals} from "../contracts/l2/L2Withdrawals.sol";
import {EvmWithdrawalHarness} from "./utils/EvmWithdrawalHarness.sol";

/// @notice Withdrawals that baton's EVM executed and committed (test/vectors/withdrawal_proofs.json,
///         kept current by keepers/crates/state/tests/withdrawal_vectors.rs), proven the way the
///         portal will prove them; anything else is refused.
contract EvmWithdrawalTest is Test {
    EvmWithdrawalHarness internal h;
    string internal json;
    bytes32 internal stateRoot;
    uint256 internal chainId;
    bytes[] internal accountProof;

    function setUp() public {
        h = new EvmWithdrawalHarness();
        json = vm.readFile("test/vectors/withdrawal_proofs.json");
        stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        chainId = vm.parseJsonUint(json, ".chainId");
        accountProof = vm.parseJsonBytesArray(json, ".accountProof");
    }

    function _withdrawal(uint256 i)
        internal
        view
        returns (EvmWithdrawal.Withdrawal memory w, bytes[] memory proof)
    {
        string memory at = string.concat(".withdrawals[", vm.toString(i), "].");
        w = EvmWithdrawal.Withdrawal({
            nonce: vm.parseJsonUint(json, string.concat(at, "nonce")),
            sender: vm.parseJsonAddress(json, string.concat(at, "sender")),
            l1Recipient: vm.parseJsonAddress(json, string.concat(at, "l1Recipient")),
            amount: vm.parseJsonUint(json, string.concat(at, "amount"))
        });
        proof = vm.parseJsonBytesArray(json, string.concat(at, "proof"));
    }

    function test_theVectorsPredeployIsTheGenesisOne() public view {
        assertEq(vm.parseJsonAddress(json, ".predeploy"), EvmWithdrawal.PREDEPLOY);
    }

    function test_hashAndSlot_areThePredeploys() public {
        L2Withdrawals w = new L2Withdrawals();
        (EvmWithdrawal.Withdrawal memory x,) = _withdrawal(1);
        bytes32 hash = EvmWithdrawal.hashOf(chainId, x);
        assertEq(hash, w.hashOf(chainId, x.nonce, x.sender, x.l1Recipient, x.amount));
        assertEq(EvmWithdrawal.slotOf(hash), w.slotOf(hash));
    }

    function test_verify_provesBothWithdrawals() public view {
        for (uint256 i; i < 2; ++i) {
            (EvmWithdrawal.Withdrawal memory w, bytes[] memory proof) = _withdrawal(i);
            bytes32 hash = h.verify(stateRoot, chainId, w, accountProof, proof);
            assertEq(hash, EvmWithdrawal.hashOf(chainId, w));
            assertEq(
                EvmWithdrawal.slotOf(hash),
                vm.parseJsonBytes32(json, string.concat(".withdrawals[", vm.toString(i), "].slot"))
            );
        }
    }

    /// @notice Another amount, recipient, sender, nonce or chain id is another hash, another
    ///         slot: the proof no longer shows it (MerkleTrie refuses the path, or shows the slot
    ///         empty).
    function testFuzz_verify_refusesAnyOtherWithdrawal(uint8 field, uint256 delta) public {
        delta = bound(delta, 1, type(uint160).max);
        (EvmWithdrawal.Withdrawal memory w, bytes[] memory proof) = _withdrawal(0);
        uint256 chain = chainId;
        field = field % 5;
        if (field == 0) w.amount += delta;
        else if (field == 1) w.l1Recipient = address(uint160(w.l1Recipient) ^ uint160(delta));
        else if (field == 2) w.sender = address(uint160(w.sender) ^ uint160(delta));
        else if (field == 3) w.nonce += delta;
        else chain += delta;
        vm.expectRevert();
        h.verify(stateRoot, chain, w, accountProof, proof);
    }

    function test_verify_refusesAnotherStateRoot() public {
        (EvmWithdrawal.Withdrawal memory w, bytes[] memory proof) = _withdrawal(0);
        vm.expectRevert();
        h.verify(keccak256("another state"), chainId, w, accountProof, proof);
    }

    /// @notice The next withdrawal, never made: its slot's proof shows it empty.
    function test_verify_refusesAWithdrawalNeverMade() public {
        EvmWithdrawal.Withdrawal memory w = EvmWithdrawal.Withdrawal({
            nonce: vm.parseJsonUint(json, ".absent.nonce"),
            sender: vm.parseJsonAddress(json, ".absent.sender"),
            l1Recipient: vm.parseJsonAddress(json, ".absent.l1Recipient"),
            amount: vm.parseJsonUint(json, ".absent.amount")
        });
        bytes32 hash = EvmWithdrawal.hashOf(chainId, w);
        assertEq(EvmWithdrawal.slotOf(hash), vm.parseJsonBytes32(json, ".absent.slot"));
        bytes[] memory proof = vm.parseJsonBytesArray(json, ".absent.proof");
        vm.expectRevert(abi.encodeWithSelector(EvmWithdrawal.WithdrawalNotInitiated.selector, hash));
        h.verify(stateRoot, chainId, w, accountProof, proof);
    }

    /// @notice A state whose trie holds one other account: the predeploy is proven absent.
    function test_verify_refusesAStateWithoutThePredeploy() public {
        (EvmWithdrawal.Withdrawal memory w, bytes[] memory proof) = _withdrawal(0);
        bytes[] memory rootOnly = new bytes[](1);
        // A one-leaf trie holding another account: its root node proves the predeploy absent.
        bytes memory leaf = _leafOfAnotherAccount();
        rootOnly[0] = leaf;
        vm.expectRevert(abi.encodeWithSelector(EvmWithdrawal.PredeployNotInState.selector, keccak256(leaf)));
        h.verify(keccak256(leaf), chainId, w, rootOnly, proof);
    }

    /// @dev The RLP of a leaf at the root of a trie: `[hp(64 nibbles of another key), value]`.
    function _leafOfAnotherAccount() internal pure returns (bytes memory) {
        bytes32 key = keccak256("another account");
        // [0xa1 0x20 key (33 bytes: hex prefix 0x20 and the key), 0x83 "abc"]: a list of 38 bytes.
        return abi.encodePacked(hex"e6", hex"a120", key, hex"83616263");
    }
}
