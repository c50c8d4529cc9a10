// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IPortal} from "../../contracts/interfaces/IPortal.sol";
import {EvmGenesis} from "../../contracts/libraries/EvmGenesis.sol";

/// @notice The EVM chain's withdrawals that baton's EVM executed and committed
///         (test/vectors/withdrawal_proofs.json, kept current by
///         keepers/crates/state/tests/withdrawal_vectors.rs), as the portal takes them.
library WithdrawalVectors {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    string internal constant PATH = "test/vectors/withdrawal_proofs.json";

    function read() internal view returns (string memory) {
        return VM.readFile(PATH);
    }

    /// @notice A header whose state root is the vectors' (a genesis-shaped header at `timestamp`):
    ///         what an output over that state commits to, by its hash.
    function header(string memory json, uint64 timestamp) internal pure returns (bytes memory) {
        return EvmGenesis.header(VM.parseJsonBytes32(json, ".stateRoot"), 30_000_000, 1 gwei, timestamp);
    }

    /// @notice Withdrawal `i` of the vectors, proven through `header_` against output `outputIndex`.
    function proof(string memory json, uint256 i, uint256 outputIndex, bytes memory header_)
        internal
        pure
        returns (IPortal.EvmWithdrawalProof memory w)
    {
        string memory at = string.concat(".withdrawals[", VM.toString(i), "].");
        w.outputIndex = outputIndex;
        w.header = header_;
        w.nonce = VM.parseJsonUint(json, string.concat(at, "nonce"));
        w.l2Sender = VM.parseJsonAddress(json, string.concat(at, "sender"));
        w.l1Recipient = VM.parseJsonAddress(json, string.concat(at, "l1Recipient"));
        w.amount = VM.parseJsonUint(json, string.concat(at, "amount"));
        w.accountProof = VM.parseJsonBytesArray(json, ".accountProof");
        w.storageProof = VM.parseJsonBytesArray(json, string.concat(at, "proof"));
    }
}
