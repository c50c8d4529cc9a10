// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {L2Withdrawals} from "./L2Withdrawals.sol";

/// @title L2FeeVault
/// @notice The fee vault predeploy of the EVM chain (issue 18): the base fee of every L2
///         transaction is credited here (the L2 burns nothing), and anyone may send the whole
///         balance to the deployment's fee recipient on L1 through the withdrawal predeploy.
///         There is no owner: the recipient is written into the genesis (slot 0) and nothing
///         else can move the ETH.
/// @dev Fees arrive as balance credits made by the executor, not as calls, so there is no
///      `receive`: ETH sent here by a call is refused.
contract L2FeeVault {
    /// @notice The withdrawal predeploy.
    L2Withdrawals public constant WITHDRAWALS = L2Withdrawals(0xBA70000000000000000000000000000000000016);

    /// @notice Who the fees are paid to on L1 (slot 0, set in the genesis).
    address public recipient;

    /// @notice `amount` wei of fees sent to `l1Recipient` as the withdrawal `withdrawal`.
    event FeesWithdrawn(address indexed l1Recipient, uint256 amount, bytes32 withdrawal);

    /// @notice The vault holds nothing.
    error NothingToWithdraw();

    /// @notice Sends the vault's whole balance to `recipient` on L1; returns the withdrawal's
    ///         hash, under which the portal pays it.
    function withdraw() external returns (bytes32 withdrawal) {
        uint256 amount = address(this).balance;
        if (amount == 0) revert NothingToWithdraw();
        address to = recipient;
        withdrawal = WITHDRAWALS.withdraw{value: amount}(to);
        emit FeesWithdrawn(to, amount, withdrawal);
    }
}
