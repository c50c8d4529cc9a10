// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {L2FeeVault} from "../contracts/l2/L2FeeVault.sol";
import {L2Withdrawals} from "../contracts/l2/L2Withdrawals.sol";

/// @notice The fee vault predeploy, placed as the genesis places it: the code at its address
///         with the recipient in slot 0 (no constructor runs), beside the withdrawal predeploy
///         at the address the vault calls.
contract L2FeeVaultTest is Test {
    L2FeeVault internal constant VAULT = L2FeeVault(0xBA70000000000000000000000000000000000019);
    L2Withdrawals internal w;
    address internal constant RECIPIENT = address(0xfee);

    function setUp() public {
        vm.etch(address(VAULT), address(new L2FeeVault()).code);
        vm.store(address(VAULT), bytes32(0), bytes32(uint256(uint160(RECIPIENT))));
        w = L2Withdrawals(address(VAULT.WITHDRAWALS()));
        vm.etch(address(w), address(new L2Withdrawals()).code);
    }

    function testFuzz_withdraw_sendsTheWholeBalanceToTheRecipientOnL1(uint96 fees, address caller) public {
        vm.assume(fees > 0);
        vm.deal(address(VAULT), fees);
        assertEq(VAULT.recipient(), RECIPIENT, "the genesis' slot 0");
        bytes32 expected = w.hashOf(block.chainid, 0, address(VAULT), RECIPIENT, fees);
        vm.expectEmit(address(VAULT));
        emit L2FeeVault.FeesWithdrawn(RECIPIENT, fees, expected);
        vm.prank(caller);
        bytes32 withdrawal = VAULT.withdraw();
        assertEq(withdrawal, expected, "withdrawn by the vault, to the recipient, the whole balance");
        assertTrue(w.initiated(withdrawal));
        assertEq(address(VAULT).balance, 0);
        assertEq(address(w).balance, fees, "held by the withdrawal predeploy, owed on L1");
    }

    function test_withdraw_refusesAnEmptyVault() public {
        vm.expectRevert(L2FeeVault.NothingToWithdraw.selector);
        VAULT.withdraw();
    }

    function test_aCallWithValueIsRefused() public {
        vm.deal(address(this), 1 ether);
        (bool ok,) = address(VAULT).call{value: 1 ether}("");
        assertFalse(ok, "fees arrive as balance credits, not calls");
    }
}
