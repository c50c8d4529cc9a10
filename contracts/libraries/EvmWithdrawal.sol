// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleTrie} from "./MerkleTrie.sol";

/// @title EvmWithdrawal
/// @notice A withdrawal of the EVM chain (issue 18) proven against an output's state root, as the
///         portal will prove it before paying: an account proof of the withdrawal predeploy
///         (`contracts/l2/L2Withdrawals.sol`, at its genesis address) gives its storage root, and
///         a storage proof shows `initiated[hash] == 1`, where `hash` binds the L2 chain id, the
///         predeploy's withdrawal nonce, the L2 sender, the L1 recipient and the amount. Both
///         proofs are `eth_getProof`'s, checked by `MerkleTrie`.
library EvmWithdrawal {
    /// @notice The withdrawal predeploy's genesis address.
    address internal constant PREDEPLOY = 0xBA70000000000000000000000000000000000016;

    /// @notice A withdrawal as the predeploy recorded it.
    struct Withdrawal {
        uint256 nonce;
        address sender;
        address l1Recipient;
        uint256 amount;
    }

    /// @notice The state holds no withdrawal predeploy.
    error PredeployNotInState(bytes32 stateRoot);
    /// @notice The storage proof does not show the withdrawal as initiated.
    error WithdrawalNotInitiated(bytes32 hash);

    /// @notice The hash the predeploy records a withdrawal under (`L2Withdrawals.hashOf`).
    function hashOf(uint256 chainId, Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(abi.encode(chainId, w.nonce, w.sender, w.l1Recipient, w.amount));
    }

    /// @notice The predeploy's storage slot of `initiated[hash]` (`L2Withdrawals.slotOf`).
    function slotOf(bytes32 hash) internal pure returns (bytes32) {
        return keccak256(abi.encode(hash, uint256(0)));
    }

    /// @notice Reverts unless `w` was initiated on chain `chainId` in the state `stateRoot`;
    ///         returns its hash, which the portal marks paid.
    function verify(
        bytes32 stateRoot,
        uint256 chainId,
        Withdrawal memory w,
        bytes[] memory accountProof,
        bytes[] memory storageProof
    ) internal pure returns (bytes32 hash) {
        (bool exists, MerkleTrie.Account memory predeploy) =
            MerkleTrie.account(stateRoot, PREDEPLOY, accountProof);
        if (!exists) revert PredeployNotInState(stateRoot);
        hash = hashOf(chainId, w);
        if (MerkleTrie.storageValue(predeploy.storageRoot, slotOf(hash), storageProof) != 1) {
            revert WithdrawalNotInitiated(hash);
        }
    }
}
