// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";
import {ISlasher} from "../../contracts/interfaces/ISlasher.sol";

/// @notice EIP-712 hashing and signing of sequencer headers for tests, written from the type
///         strings in docs/protocol.md and independent of `SequencingHeaders`, so a wrong typehash
///         or encoding on either side makes the tests fail instead of agreeing with itself.
library HeaderSigning {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant BLOCK_TYPEHASH = keccak256(
        "BlockHeader(uint256 chainId,uint64 number,bytes32 parentHash,uint64 epoch,uint64 timestamp,bytes32 txRoot)"
    );
    bytes32 internal constant BATCH_TYPEHASH = keccak256(
        "BatchHeader(uint256 chainId,uint64 epoch,uint64 firstBlock,uint64 lastBlock,bytes32 prevRecordHash,bytes32 dataHash,uint32 txCount,uint64 forceIndex)"
    );

    /// @dev The domain every sequencer signature uses: this L1 chain and the BatchInbox.
    function domainSeparator(address inbox) internal view returns (bytes32) {
        return
            keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("baton"), keccak256("1"), block.chainid, inbox));
    }

    function batchStructHash(IBatchInbox.BatchHeader memory h) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BATCH_TYPEHASH,
                h.chainId,
                h.epoch,
                h.firstBlock,
                h.lastBlock,
                h.prevRecordHash,
                h.dataHash,
                h.txCount,
                h.forceIndex
            )
        );
    }

    function blockStructHash(ISlasher.BlockHeader memory h) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(BLOCK_TYPEHASH, h.chainId, h.number, h.parentHash, h.epoch, h.timestamp, h.txRoot)
        );
    }

    /// @dev A 65-byte `r ‖ s ‖ v` signature by `key` over `structHash` in `domain`.
    function sign(uint256 key, bytes32 domain, bytes32 structHash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) =
            VM.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }
}
