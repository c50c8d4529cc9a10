// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPreimageOracle} from "./IPreimageOracle.sol";

/// @title IRiscV
/// @notice One step of baton's fault-proof VM (see contracts/vm/RiscV.sol and docs/vm.md).
interface IRiscV {
    /// @notice Runs one step from `state` (the 353-byte encoding) with `proofs`: the
    ///         instruction leaf's proof, then the data leaf's if the step reads or writes
    ///         memory. Returns the claim hashes of the pre-state and the post-state.
    function step(bytes calldata state, bytes calldata proofs)
        external
        view
        returns (bytes32 pre, bytes32 post);

    /// @notice Where the guest's preimage reads are served from.
    function oracle() external view returns (IPreimageOracle);
}
