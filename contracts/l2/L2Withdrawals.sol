// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title L2Withdrawals
/// @notice The withdrawal predeploy of the EVM chain (issue 18; in its genesis at
///         0xba70000000000000000000000000000000000016, keepers/crates/state/src/genesis.rs): ETH
///         sent here with `withdraw` leaves L2 and is owed on L1. Each withdrawal is recorded as
///         `initiated[hash] = true`, a slot of this contract's storage that the portal proves
///         against a finalized output's state root (an account proof of this address, then a
///         storage proof of the slot, `MerkleTrie`). The ETH stays here, out of reach: L2's
///         supply shrinks by what L1 owes.
/// @dev Storage layout, relied on by the L1 proof: slot 0 `initiated`, slot 1 `nonce`.
contract L2Withdrawals {
    /// @notice Whether a withdrawal with this hash was initiated.
    mapping(bytes32 => bool) public initiated;
    /// @notice How many withdrawals were initiated: the next one's nonce.
    uint256 public nonce;

    /// @notice A withdrawal of `amount` wei from `sender` on L2 to `l1Recipient`.
    event WithdrawalInitiated(
        uint256 indexed nonce,
        address indexed sender,
        address indexed l1Recipient,
        uint256 amount,
        bytes32 hash
    );

    /// @notice Nothing to withdraw.
    error ZeroAmount();
    /// @notice The L1 recipient is the zero address.
    error ZeroRecipient();

    /// @notice Withdraws the ETH sent with the call to `l1Recipient` on L1.
    function withdraw(address l1Recipient) external payable returns (bytes32 hash) {
        if (msg.value == 0) revert ZeroAmount();
        if (l1Recipient == address(0)) revert ZeroRecipient();
        uint256 n = nonce;
        hash = hashOf(block.chainid, n, msg.sender, l1Recipient, msg.value);
        initiated[hash] = true;
        nonce = n + 1;
        emit WithdrawalInitiated(n, msg.sender, l1Recipient, msg.value, hash);
    }

    /// @notice The hash a withdrawal is recorded and proven under. The L2 chain id keeps a
    ///         withdrawal of one chain from being paid by another chain's portal.
    function hashOf(uint256 chainId, uint256 n, address sender, address l1Recipient, uint256 amount)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(chainId, n, sender, l1Recipient, amount));
    }

    /// @notice The storage slot of `initiated[hash]`, which the portal proves.
    function slotOf(bytes32 hash) public pure returns (bytes32) {
        return keccak256(abi.encode(hash, uint256(0)));
    }
}
