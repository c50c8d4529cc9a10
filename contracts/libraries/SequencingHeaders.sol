// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "../interfaces/IBatchInbox.sol";
import {ISlasher} from "../interfaces/ISlasher.sol";

/// @title SequencingHeaders
/// @notice EIP-712 hashing of the two headers a sequencer signs. Both share one domain:
///         name "baton", version "1", the L1 chain id and the BatchInbox as verifying contract,
///         so a signature is bound to one L1 chain and one deployment; the L2 chain id is a field.
library SequencingHeaders {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("baton");
    bytes32 internal constant VERSION_HASH = keccak256("1");

    bytes32 internal constant BLOCK_HEADER_TYPEHASH = keccak256(
        "BlockHeader(uint256 chainId,uint64 number,bytes32 parentHash,uint64 epoch,uint64 timestamp,bytes32 txRoot)"
    );
    bytes32 internal constant BATCH_HEADER_TYPEHASH = keccak256(
        "BatchHeader(uint256 chainId,uint64 epoch,uint64 firstBlock,uint64 lastBlock,bytes32 prevRecordHash,bytes32 dataHash,uint32 txCount,uint64 forceIndex)"
    );

    /// @notice The domain separator for `inbox` on the current L1 chain.
    function domainSeparator(address inbox) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, inbox));
    }

    /// @notice EIP-712 struct hash of a block header.
    function hashBlock(ISlasher.BlockHeader calldata h) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BLOCK_HEADER_TYPEHASH, h.chainId, h.number, h.parentHash, h.epoch, h.timestamp, h.txRoot
            )
        );
    }

    /// @notice EIP-712 struct hash of a batch header; also the record's hash in the inbox chain.
    function hashBatch(IBatchInbox.BatchHeader memory h) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BATCH_HEADER_TYPEHASH,
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

    /// @notice The digest that is signed: keccak256("\x19\x01" ‖ domainSeparator ‖ structHash).
    function digest(bytes32 domainSeparator_, bytes32 structHash) internal pure returns (bytes32 d) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator_)
            mstore(add(ptr, 0x22), structHash)
            d := keccak256(ptr, 0x42)
        }
    }
}
