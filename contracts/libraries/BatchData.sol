// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "../interfaces/IBatchInbox.sol";

/// @title BatchData
/// @notice Structural check of a record's batch data (docs/protocol.md, "Batch data"):
///
///     data  := 0x01 ‖ feeRecipient: address (20 bytes) ‖ block{blocks}
///     block := timestamp: uint64 BE ‖ txCount: uint16 BE ‖ tx{txCount}
///     tx    := len: uint24 BE (≥ 1) ‖ raw transaction (len bytes)
///
///         The inbox only checks the framing so derivation can never be confused by a record;
///         the transactions themselves are judged by the L2 STF (an invalid one is a no-op).
///         `feeRecipient` is where the record's transaction fees go on L2 (the poster's choice,
///         like a block's coinbase; docs/ledger.md, "Parameters").
library BatchData {
    uint256 internal constant VERSION = 0x01;
    /// @notice Bytes before the first block: the version and the fee recipient.
    uint256 internal constant PREFIX_LENGTH = 21;

    /// @notice The fee recipient the data names (call on data `countTransactions` accepted).
    function feeRecipient(bytes calldata data) internal pure returns (address) {
        return address(bytes20(data[1:PREFIX_LENGTH]));
    }

    /// @notice Where the `index`-th transaction (0-based, across blocks) of well-formed data is.
    /// @dev For data the inbox accepted (its hash is a record's `dataHash`), so the framing is not
    ///      checked again; an index past the end reverts `MalformedBatchData` at the end of data.
    /// @return start Offset of the raw transaction in `data`.
    /// @return length Its length in bytes.
    function transactionAt(bytes calldata data, uint256 index)
        internal
        pure
        returns (uint256 start, uint256 length)
    {
        uint256 p = PREFIX_LENGTH;
        while (true) {
            if (p + 10 > data.length) revert IBatchInbox.MalformedBatchData(p);
            uint256 n = uint16(bytes2(data[p + 8:p + 10]));
            p += 10;
            // Skip whole blocks before the one holding `index`, one length at a time.
            uint256 skip = index < n ? index : n;
            for (uint256 t; t < skip; ++t) {
                p += 3 + uint24(bytes3(data[p:p + 3]));
            }
            if (index < n) {
                length = uint24(bytes3(data[p:p + 3]));
                start = p + 3;
                if (start + length > data.length) revert IBatchInbox.MalformedBatchData(p);
                return (start, length);
            }
            index -= n;
        }
    }

    /// @notice Walk `data`, which must hold exactly `blocks` blocks, and count its transactions.
    /// @dev Reverts with IBatchInbox.MalformedBatchData(offset) at the first framing fault.
    function countTransactions(bytes calldata data, uint256 blocks) internal pure returns (uint256 txCount) {
        uint256 faultAt = type(uint256).max;
        assembly ("memory-safe") {
            let start := data.offset
            let end := add(start, data.length)
            let p := add(start, PREFIX_LENGTH)
            switch and(iszero(lt(data.length, PREFIX_LENGTH)), eq(byte(0, calldataload(start)), VERSION))
            case 0 { faultAt := 0 }
            default {
                for { let b := 0 } lt(b, blocks) { b := add(b, 1) } {
                    if gt(add(p, 10), end) {
                        faultAt := sub(p, start)
                        break
                    }
                    // bytes 8..9 of the block header: the uint16 tx count
                    let n := shr(240, calldataload(add(p, 8)))
                    let blockStart := add(p, 10)
                    p := blockStart
                    txCount := add(txCount, n)
                    // Fast walk, no branch per transaction: remember whether any length was
                    // zero and check once, after the block, that the walk stayed inside data.
                    // (Past the end, calldataload reads other calldata or zeros: harmless, as
                    // such a walk always fails the check below.)
                    let zeroLength := 0
                    for { let left := n } left { left := sub(left, 1) } {
                        let len := shr(232, calldataload(p))
                        zeroLength := or(zeroLength, iszero(len))
                        p := add(add(p, 3), len)
                    }
                    if or(zeroLength, gt(p, end)) {
                        // Faults only: walk the block again to name the first bad transaction,
                        // one whose length is zero or whose body runs past the end.
                        p := blockStart
                        faultAt := sub(blockStart, start)
                        for { let t := 0 } lt(t, n) { t := add(t, 1) } {
                            let len := shr(232, calldataload(p))
                            if or(iszero(len), gt(add(add(p, 3), len), end)) {
                                faultAt := sub(p, start)
                                break
                            }
                            p := add(add(p, 3), len)
                        }
                        break
                    }
                }
                if and(eq(faultAt, not(0)), iszero(eq(p, end))) { faultAt := sub(p, start) }
            }
        }
        if (faultAt != type(uint256).max) revert IBatchInbox.MalformedBatchData(faultAt);
    }
}
