// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EvmWithdrawal} from "../../contracts/libraries/EvmWithdrawal.sol";

/// @notice An external entry point to the library, so that reverts can be expected and gas
///         measured.
contract EvmWithdrawalHarness {
    function verify(
        bytes32 stateRoot,
        uint256 chainId,
        EvmWithdrawal.Withdrawal memory w,
        bytes[] memory accountProof,
        bytes[] memory storageProof
    ) external pure returns (bytes32) {
        return EvmWithdrawal.verify(stateRoot, chainId, w, accountProof, storageProof);
    }
}
