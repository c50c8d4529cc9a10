// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ledger} from "../../contracts/libraries/ledger/Ledger.sol";

/// @notice Exposes the ledger STF over calldata, the way the dispute game will call it. The Rust
///         differential fuzz test deploys this contract's runtime bytecode
///         (out/LedgerHarness.sol/LedgerHarness.json) into revm and calls these two functions, so
///         their ABI is fixed.
contract LedgerHarness {
    /// @notice Ledger.step: one signed transaction.
    function step(
        bytes32 preRoot,
        Ledger.BlockContext calldata ctx,
        bytes calldata txBytes,
        bytes calldata witness
    ) external pure returns (bytes32 postRoot, uint8 outcome) {
        return Ledger.step(preRoot, ctx, txBytes, witness);
    }

    /// @notice Ledger.deposit: one deposit.
    function deposit(bytes32 preRoot, address recipient, uint256 amount, bytes calldata witness)
        external
        pure
        returns (bytes32 postRoot, uint8 outcome)
    {
        return Ledger.deposit(preRoot, recipient, amount, witness);
    }
}
