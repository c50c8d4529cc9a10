// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Eip1559Tx
/// @notice Strict decoder of a signed EIP-1559 transaction in its EIP-2718 form (docs/ledger.md,
///         outcome `Malformed`):
///
///     0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data,
///                 accessList, yParity, r, s])
///
///         It accepts exactly what alloy's `TxEip1559::rlp_decode_signed` accepts, with nothing
///         after the list:
///         - integers have no leading zero byte (0 is the empty string 0x80, never 0x00) and fit
///           their width: chainId, nonce and gasLimit 8 bytes, the fees 16, value, r and s 32;
///         - a single byte below 0x80 stands alone (0x81 0x05 is rejected);
///         - lengths take the short form below 56 and the long form (no leading zero length
///           byte) from 56 on;
///         - strings are strings and lists are lists where the format says so;
///         - `to` is the empty string (contract creation) or a 20-byte string;
///         - the access list is a list of [20-byte address, list of 32-byte keys] items;
///         - yParity is 0 (0x80) or 1 (0x01);
///         - every list is consumed exactly and no item runs past its enclosing list.
///         Decoding never reverts: a bad encoding returns `ok = false`.
library Eip1559Tx {
    /// @notice A decoded transaction. `data` stays in calldata: `dataOffset` and `dataLength`
    ///         locate it in the raw bytes that were decoded.
    struct Transaction {
        uint64 chainId;
        uint64 nonce;
        uint128 maxPriorityFeePerGas;
        uint128 maxFeePerGas;
        uint64 gasLimit;
        /// @dev True when `to` is the empty string; `to` is then zero.
        bool isCreation;
        address to;
        uint256 value;
        /// @dev Offset of the first byte of `data` inside the raw transaction.
        uint256 dataOffset;
        uint256 dataLength;
        /// @dev Number of [address, keys] items in the access list.
        uint256 accessListItems;
        /// @dev Number of storage keys over all access-list items.
        uint256 accessListKeys;
        uint8 yParity;
        uint256 r;
        uint256 s;
        /// @dev keccak256(0x02 ‖ rlp([first nine fields])): the digest the sender signed.
        bytes32 digest;
    }

    /// @notice The EIP-2718 type byte of an EIP-1559 transaction.
    uint256 internal constant TX_TYPE = 0x02;

    /// @notice Decode `raw` (calldata) strictly.
    /// @param raw The EIP-2718 bytes of a signed transaction.
    /// @return ok Whether `raw` is a canonical signed EIP-1559 transaction; `t` means nothing when
    ///         it is false.
    /// @return t The decoded fields and the signing digest.
    function decode(bytes calldata raw) internal pure returns (bool ok, Transaction memory t) {
        // Positions below are absolute calldata offsets.
        uint256 base;
        assembly ("memory-safe") {
            base := raw.offset
        }
        uint256 end = base + raw.length;
        if (raw.length == 0 || _byteAt(base) != TX_TYPE) return (false, t);

        // The outer list must end exactly at the end of the input.
        (bool headerOk, bool isList, uint256 p, uint256 len) = _header(base + 1, end);
        if (!headerOk || !isList || p + len != end) return (false, t);
        uint256 fieldsStart = p;
        uint256 v;

        (ok, v, p) = _uint(p, end, 8);
        if (!ok) return (false, t);
        t.chainId = uint64(v);
        (ok, v, p) = _uint(p, end, 8);
        if (!ok) return (false, t);
        t.nonce = uint64(v);
        (ok, v, p) = _uint(p, end, 16);
        if (!ok) return (false, t);
        t.maxPriorityFeePerGas = uint128(v);
        (ok, v, p) = _uint(p, end, 16);
        if (!ok) return (false, t);
        t.maxFeePerGas = uint128(v);
        (ok, v, p) = _uint(p, end, 8);
        if (!ok) return (false, t);
        t.gasLimit = uint64(v);

        // to: the empty string (creation) or a 20-byte string.
        if (p < end && _byteAt(p) == 0x80) {
            t.isCreation = true;
            p += 1;
        } else {
            (ok, v, p) = _fixedString(p, end, 20);
            if (!ok) return (false, t);
            t.to = address(uint160(_wordAt(v) >> 96));
        }

        (ok, v, p) = _uint(p, end, 32);
        if (!ok) return (false, t);
        t.value = v;

        // data: any string.
        (headerOk, isList, v, len) = _header(p, end);
        if (!headerOk || isList) return (false, t);
        t.dataOffset = v - base;
        t.dataLength = len;
        p = v + len;

        (ok, p) = _accessList(p, end, t);
        if (!ok) return (false, t);
        uint256 fieldsEnd = p;

        (ok, v, p) = _uint(p, end, 1);
        if (!ok || v > 1) return (false, t);
        t.yParity = uint8(v);
        (ok, v, p) = _uint(p, end, 32);
        if (!ok) return (false, t);
        t.r = v;
        (ok, v, p) = _uint(p, end, 32);
        if (!ok || p != end) return (false, t);
        t.s = v;

        t.digest = _signingDigest(fieldsStart, fieldsEnd);
        ok = true;
    }

    /// @dev The access list at `p`: a list of [20-byte address, list of 32-byte keys] items.
    ///      Counts items and keys into `t`. Every item is bounded by the list and every key list
    ///      by its item, and each must be consumed exactly.
    function _accessList(uint256 p, uint256 end, Transaction memory t)
        private
        pure
        returns (bool ok, uint256 next)
    {
        (bool headerOk, bool isList, uint256 start, uint256 len) = _header(p, end);
        if (!headerOk || !isList) return (false, 0);
        uint256 listEnd = start + len;
        p = start;
        while (p < listEnd) {
            (headerOk, isList, start, len) = _header(p, listEnd);
            if (!headerOk || !isList) return (false, 0);
            uint256 itemEnd = start + len;
            (ok,, p) = _fixedString(start, itemEnd, 20);
            if (!ok) return (false, 0);
            (headerOk, isList, start, len) = _header(p, itemEnd);
            uint256 keysEnd = start + len;
            // The key list must be the item's last field.
            if (!headerOk || !isList || keysEnd != itemEnd) return (false, 0);
            p = start;
            while (p < keysEnd) {
                (ok,, p) = _fixedString(p, keysEnd, 32);
                if (!ok) return (false, 0);
                t.accessListKeys += 1;
            }
            t.accessListItems += 1;
        }
        return (true, listEnd);
    }

    /// @dev The RLP header of the item at calldata position `p`, which must lie with its payload
    ///      inside [p, end). A byte below 0x80 is its own payload (`start == p`, `len == 1`).
    ///      Rejects a wrapped single byte (0x81 followed by a byte below 0x80), a long-form length
    ///      below 56 or with a leading zero byte, and a payload running past `end`.
    /// @return ok Whether the header is canonical and in bounds.
    /// @return isList Whether the item is a list.
    /// @return start Where the payload starts.
    /// @return len The payload length.
    function _header(uint256 p, uint256 end)
        private
        pure
        returns (bool ok, bool isList, uint256 start, uint256 len)
    {
        if (p >= end) return (false, false, 0, 0);
        uint256 b = _byteAt(p);
        if (b < 0x80) return (true, false, p, 1);
        if (b <= 0xb7) {
            // Short string.
            start = p + 1;
            len = b - 0x80;
            if (len == 1 && start < end && _byteAt(start) < 0x80) return (false, false, 0, 0);
        } else if (b <= 0xbf || b >= 0xf8) {
            // Long string (0xb8..0xbf) or long list (0xf8..0xff): 1 to 8 length bytes follow.
            isList = b >= 0xf8;
            uint256 lenOfLen = b - (isList ? 0xf7 : 0xb7);
            start = p + 1 + lenOfLen;
            if (start > end || _byteAt(p + 1) == 0) return (false, false, 0, 0);
            len = _wordAt(p + 1) >> (256 - 8 * lenOfLen);
            if (len < 56) return (false, false, 0, 0);
        } else {
            // Short list.
            isList = true;
            start = p + 1;
            len = b - 0xc0;
        }
        if (len > end - start) return (false, false, 0, 0);
        ok = true;
    }

    /// @dev A canonical unsigned integer of at most `maxBytes` bytes at `p`.
    function _uint(uint256 p, uint256 end, uint256 maxBytes)
        private
        pure
        returns (bool ok, uint256 value, uint256 next)
    {
        (bool headerOk, bool isList, uint256 start, uint256 len) = _header(p, end);
        if (!headerOk || isList || len > maxBytes) return (false, 0, 0);
        next = start + len;
        if (len == 0) return (true, 0, next);
        uint256 word = _wordAt(start);
        // A leading zero byte (this also rejects 0x00 for zero).
        if (word >> 248 == 0) return (false, 0, 0);
        return (true, word >> (256 - 8 * len), next);
    }

    /// @dev A string of exactly `size` bytes at `p`; returns where its payload starts.
    function _fixedString(uint256 p, uint256 end, uint256 size)
        private
        pure
        returns (bool ok, uint256 start, uint256 next)
    {
        bool headerOk;
        bool isList;
        uint256 len;
        (headerOk, isList, start, len) = _header(p, end);
        if (!headerOk || isList || len != size) return (false, 0, 0);
        return (true, start, start + len);
    }

    /// @dev keccak256(0x02 ‖ listHeader(n) ‖ calldata[fieldsStart, fieldsEnd)), n the length of
    ///      the nine fields. As decoding is canonical, those bytes are exactly the fields'
    ///      re-encoding, so only the list header has to be written.
    function _signingDigest(uint256 fieldsStart, uint256 fieldsEnd) private pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let n := sub(fieldsEnd, fieldsStart)
            // Scratch memory past the free memory pointer; it is not kept.
            let m := mload(0x40)
            mstore8(m, TX_TYPE)
            let headerLen := 1
            switch lt(n, 56)
            case 1 { mstore8(add(m, 1), add(0xc0, n)) }
            default {
                let lenOfLen := 0
                for { let x := n } x { x := shr(8, x) } { lenOfLen := add(lenOfLen, 1) }
                mstore8(add(m, 1), add(0xf7, lenOfLen))
                // The length, big-endian, in the lenOfLen bytes after the header byte.
                mstore(add(m, 2), shl(sub(256, shl(3, lenOfLen)), n))
                headerLen := add(1, lenOfLen)
            }
            let body := add(m, add(1, headerLen))
            calldatacopy(body, fieldsStart, n)
            digest := keccak256(m, add(sub(body, m), n))
        }
    }

    /// @dev The calldata byte at absolute position `p`.
    function _byteAt(uint256 p) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, calldataload(p))
        }
    }

    /// @dev The 32 calldata bytes at absolute position `p` (zeros past the end of calldata).
    function _wordAt(uint256 p) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(p)
        }
    }
}
