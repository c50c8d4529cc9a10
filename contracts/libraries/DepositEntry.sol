// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DepositEntry
/// @notice The force-queue entry the portal enqueues for a deposit (docs/outputs.md, "Deposits"):
///         `0x7e ‖ l2Recipient (20) ‖ amount (32)`. The first byte lies outside the EIP-2718 range
///         an L2 transaction may use, like OP Stack's deposit type. An entry is a deposit only when
///         the portal enqueued it (the queue's commitment binds the sender); the same bytes from
///         anyone else are plain transaction bytes, which the STF finds malformed.
///
///         On the EVM chain a deposit may also call a contract (docs/evm.md, "Deposits with a
///         call"): `0x7f ‖ l2Sender (20) ‖ target (20) ‖ amount (32) ‖ gasLimit (8) ‖ data`. The
///         amount is minted to `l2Sender` and sent with the call; if the call fails, the mint
///         stays with `l2Sender`. The ledger has no calls: its portal refuses them.
library DepositEntry {
    bytes1 internal constant TYPE = 0x7e;
    uint256 internal constant LENGTH = 53;
    bytes1 internal constant CALL_TYPE = 0x7f;
    /// @dev A deposit call's gas range (the portal's MIN_DEPOSIT_GAS and MAX_DEPOSIT_GAS), here
    ///      so that the deploy script can check a profile against it before deploying.
    uint64 internal constant MIN_GAS = 21_000;
    uint64 internal constant MAX_GAS = 400_000;

    function encode(address l2Recipient, uint256 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(TYPE, l2Recipient, amount);
    }

    function encodeCall(
        address l2Sender,
        address target,
        uint256 amount,
        uint64 gasLimit,
        bytes calldata data
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(CALL_TYPE, l2Sender, target, amount, gasLimit, data);
    }

    /// @notice Read `entry`, enqueued by `sender`, as a deposit if it is one.
    function decode(address sender, bytes calldata entry, address portal)
        internal
        pure
        returns (bool isDeposit, address l2Recipient, uint256 amount)
    {
        if (sender != portal || entry.length != LENGTH || entry[0] != TYPE) {
            return (false, address(0), 0);
        }
        return (true, address(bytes20(entry[1:21])), uint256(bytes32(entry[21:53])));
    }
}
