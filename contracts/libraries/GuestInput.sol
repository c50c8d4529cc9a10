// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title GuestInput
/// @notice The claim the fault-proof VM's guest checks for one disputed transaction: "applied
///         to the state with this root, in this block, it gives this root". Its keccak-256 is
///         the guest's input key; the guest reads the bytes back through the preimage oracle.
///         Packed, big-endian, as baton-stf's `input` module reads it:
///         preRoot (32) | claimedPostRoot (32) | chainId (8) | baseFee (16) | feeRecipient (20) |
///         kind (1), then for kind 0 (signed) the transaction's keccak-256 (32), for kind 1
///         (deposit) recipient (20) | amount (32).
library GuestInput {
    uint8 internal constant KIND_SIGNED = 0;
    uint8 internal constant KIND_DEPOSIT = 1;

    /// @notice Everything but the transaction.
    struct Context {
        bytes32 preRoot;
        bytes32 claimedPostRoot;
        uint64 chainId;
        uint128 baseFee;
        address feeRecipient;
    }

    /// @notice The input for a signed transaction whose bytes hash to `txHash`.
    function signed(Context memory c, bytes32 txHash) internal pure returns (bytes memory) {
        return abi.encodePacked(_head(c), KIND_SIGNED, txHash);
    }

    /// @notice The input for a deposit of `amount` wei to `recipient`.
    function deposit(Context memory c, address recipient, uint256 amount)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(_head(c), KIND_DEPOSIT, recipient, amount);
    }

    function _head(Context memory c) private pure returns (bytes memory) {
        return abi.encodePacked(c.preRoot, c.claimedPostRoot, c.chainId, c.baseFee, c.feeRecipient);
    }
}
