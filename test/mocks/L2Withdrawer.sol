// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {L2Withdrawals} from "../../contracts/l2/L2Withdrawals.sol";

/// @notice An L2 contract that withdraws on its users' behalf (a vault, a bridge router): the
///         withdrawal's L2 sender is this contract, not the account that called it. The EVM
///         devnet test (`keepers/crates/cli/tests/it/evm.rs`) has two withdrawals made this way,
///         one called by an account and one by a deposit's call, proven and paid on L1.
contract L2Withdrawer {
    L2Withdrawals internal constant PREDEPLOY = L2Withdrawals(0xBA70000000000000000000000000000000000016);

    /// @notice Withdraws the ETH sent with the call to `l1Recipient` on L1.
    function withdrawTo(address l1Recipient) external payable returns (bytes32) {
        return PREDEPLOY.withdraw{value: msg.value}(l1Recipient);
    }
}
