// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "../interfaces/IBatchInbox.sol";

/// @title BatchData
/// @notice Framing check and commitment of a record's batch data (docs/protocol.md, "Batch data"):
///
///     data  := 0x01 ‖ feeRecipient: address (20 bytes) ‖ block{blocks}
///     block := timestamp: uint64 BE ‖ txCount: uint16 BE ‖ tx{txCount}
///     tx    := len: uint24 BE (1 ≤ len ≤ maxTxLength) ‖ raw transaction (len bytes)
///
///         The header's `dataHash` is not keccak256(data) but a commitment from which any one
///         transaction is proven with a short path, so a dispute's transaction proof never resends a record:
///
///     dataHash   := keccak256(0x01 ‖ feeRecipient ‖ blocksHash ‖ txRoot)
///     blocksHash := keccak256(timestamp_0 ‖ txCount_0 ‖ … ‖ timestamp_last ‖ txCount_last)
///     txRoot     := PaddedMerkle root of keccak256(tx_i) over the record's transactions in order
///
///         The inbox only checks the framing so derivation can never be confused by a record;
///         the transactions themselves are judged by the L2 STF (an invalid one is a no-op).
///         `feeRecipient` is where the record's transaction fees go on L2 (the poster's choice,
///         like a block's coinbase; docs/ledger.md, "Parameters").
library BatchData {
    uint256 internal constant VERSION = 0x01;
    /// @notice Bytes before the first block: the version and the fee recipient.
    uint256 internal constant PREFIX_LENGTH = 21;
    /// @notice Bytes of a block's framing: timestamp and transaction count.
    uint256 internal constant BLOCK_HEADER_LENGTH = 10;
    /// @notice Bytes of a transaction's length prefix.
    uint256 internal constant TX_PREFIX_LENGTH = 3;
    /// @dev Words reserved for the Merkle stack: one per level, depth ≤ 32 (txCount is uint32).
    uint256 private constant STACK_WORDS = 33;

    /// @notice The commitment of data with this fee recipient, blocks hash and transaction root.
    function dataHashOf(address feeRecipient, bytes32 blocksHash, bytes32 txRoot)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(uint8(VERSION), feeRecipient, blocksHash, txRoot));
    }

    /// @notice Walk `data`, which must hold exactly `blocks` blocks of transactions of at most
    ///         `maxTxLength` bytes, and commit to it in the same pass.
    /// @dev Reverts with IBatchInbox.MalformedBatchData(offset) at the first framing fault and
    ///      IBatchInbox.TransactionTooLarge(offset, length, max) at an oversized transaction.
    ///      Memory past the free pointer is used as scratch: the Merkle stack, a copy of the data
    ///      (transactions are hashed in place) and the gathered block framing; all of it is
    ///      bounded by the data's length, whatever `blocks` says.
    /// @return txCount Transactions in the data.
    /// @return dataHash The commitment (see above).
    function commit(bytes calldata data, uint256 blocks, uint256 maxTxLength)
        internal
        pure
        returns (uint256 txCount, bytes32 dataHash)
    {
        uint256 stack;
        assembly ("memory-safe") {
            stack := mload(0x40)
        }
        (uint256 framing, uint256 framingEnd, uint256 faultAt, uint256 oversized) =
            _walk(data, blocks, maxTxLength, stack);
        txCount = framingEnd >> 128;
        framingEnd = uint128(framingEnd);
        if (oversized != 0) revert IBatchInbox.TransactionTooLarge(faultAt, oversized, maxTxLength);
        if (faultAt != type(uint256).max) revert IBatchInbox.MalformedBatchData(faultAt);
        bytes32 txRoot = _closeTree(stack, txCount);
        assembly ("memory-safe") {
            let blocksHash := keccak256(framing, sub(framingEnd, framing))
            // 0x01 ‖ feeRecipient (the data's first 21 bytes) ‖ blocksHash ‖ txRoot
            mstore(framingEnd, calldataload(data.offset))
            mstore(add(framingEnd, PREFIX_LENGTH), blocksHash)
            mstore(add(framingEnd, add(PREFIX_LENGTH, 0x20)), txRoot)
            dataHash := keccak256(framingEnd, add(PREFIX_LENGTH, 0x40))
        }
    }

    /// @dev The walk: checks the framing, gathers the blocks' framing bytes at `framing`, and
    ///      pushes each transaction's leaf onto the Merkle stack at `stack` (a completed left
    ///      subtree per level). Returns txCount << 128 | framingEnd in one word (stack depth).
    function _walk(bytes calldata data, uint256 blocks, uint256 maxTxLength, uint256 stack)
        private
        pure
        returns (uint256 framing, uint256 countAndEnd, uint256 faultAt, uint256 oversized)
    {
        faultAt = type(uint256).max;
        assembly ("memory-safe") {
            let start := data.offset
            let end := add(start, data.length)
            let copy := add(stack, mul(STACK_WORDS, 0x20))
            calldatacopy(copy, start, data.length)
            framing := add(copy, data.length)
            let f := framing
            let txCount := 0
            let p := add(start, PREFIX_LENGTH)
            switch and(iszero(lt(data.length, PREFIX_LENGTH)), eq(byte(0, calldataload(start)), VERSION))
            case 0 { faultAt := 0 }
            default {
                for {} blocks { blocks := sub(blocks, 1) } {
                    if gt(add(p, BLOCK_HEADER_LENGTH), end) {
                        faultAt := sub(p, start)
                        break
                    }
                    // Gather the block's 10 framing bytes (the word's tail is overwritten next).
                    mstore(f, calldataload(p))
                    f := add(f, BLOCK_HEADER_LENGTH)
                    let n := shr(240, calldataload(add(p, 8)))
                    p := add(p, BLOCK_HEADER_LENGTH)
                    for {} n { n := sub(n, 1) } {
                        let len := shr(232, calldataload(p))
                        if or(
                            or(gt(add(p, TX_PREFIX_LENGTH), end), iszero(len)),
                            gt(add(add(p, TX_PREFIX_LENGTH), len), end)
                        ) {
                            faultAt := sub(p, start)
                            break
                        }
                        if gt(len, maxTxLength) {
                            faultAt := sub(p, start)
                            oversized := len
                            break
                        }
                        // Push the leaf (hashed in the copy, at the same offset as in calldata):
                        // merge it with every completed left sibling on the stack.
                        let node := keccak256(add(copy, sub(add(p, TX_PREFIX_LENGTH), start)), len)
                        let slot := stack
                        for { let j := txCount } and(j, 1) { j := shr(1, j) } {
                            mstore(0x00, mload(slot))
                            mstore(0x20, node)
                            node := keccak256(0x00, 0x40)
                            slot := add(slot, 0x20)
                        }
                        mstore(slot, node)
                        txCount := add(txCount, 1)
                        p := add(add(p, TX_PREFIX_LENGTH), len)
                    }
                    if iszero(eq(faultAt, not(0))) { break }
                }
                if and(eq(faultAt, not(0)), iszero(eq(p, end))) { faultAt := sub(p, start) }
            }
            countAndEnd := or(shl(128, txCount), f)
        }
    }

    /// @dev The PaddedMerkle root from the walk's stack: every pending left subtree (a set bit
    ///      of `count`) takes what follows it as its right sibling, or an empty one.
    function _closeTree(uint256 stack, uint256 count) private pure returns (bytes32 root) {
        assembly ("memory-safe") {
            let d := 0
            for {} lt(shl(d, 1), count) {} { d := add(d, 1) }
            switch eq(shl(d, 1), count)
            case 1 { root := mload(add(stack, mul(d, 0x20))) }
            default {
                for { let level := 0 } lt(level, d) { level := add(level, 1) } {
                    switch and(shr(level, count), 1)
                    case 1 {
                        mstore(0x00, mload(add(stack, mul(level, 0x20))))
                        mstore(0x20, root)
                        root := keccak256(0x00, 0x40)
                    }
                    default {
                        if root {
                            mstore(0x00, root)
                            mstore(0x20, 0)
                            root := keccak256(0x00, 0x40)
                        }
                    }
                }
            }
        }
    }
}
