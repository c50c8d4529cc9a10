// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {L2Withdrawals} from "../../contracts/l2/L2Withdrawals.sol";

/// @notice A contract that withdraws on the user's behalf: the withdrawal's sender is the
///         contract (keepers/crates/state/tests/withdrawal_vectors.rs runs it on baton's EVM).
contract WithdrawingContract {
    function withdrawFor(L2Withdrawals withdrawals, address l1Recipient) external payable returns (bytes32) {
        return withdrawals.withdraw{value: msg.value}(l1Recipient);
    }
}
