// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RLPReader
/// @notice Reads RLP (Ethereum's recursive length prefix) in memory without copying: an item is
///         a pointer and a length into bytes the caller holds. Strict: an item must fit its
///         input exactly, a length must be in its shortest form, and a one-byte string below
///         0x80 must be the byte itself, so that one value has one encoding and a proof cannot
///         be re-encoded to pass for another.
library RLPReader {
    /// @notice An encoded item: `ptr` is its memory address, `len` its whole length (header
    ///         included).
    struct Item {
        uint256 ptr;
        uint256 len;
    }

    /// @notice The input ends before the item does, or holds more than one item.
    error RLPLength();
    /// @notice A length is not in its shortest form.
    error RLPNotCanonical();
    /// @notice A list was expected and a string found, or the reverse.
    error RLPWrongKind(bool wantList);
    /// @notice A list has more items than the caller accepts.
    error RLPTooManyItems(uint256 max);

    /// @notice The one item `data` holds.
    function toItem(bytes memory data) internal pure returns (Item memory item) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(data, 0x20)
        }
        item = Item(ptr, data.length);
        (,, uint256 whole) = _header(item.ptr, item.len);
        if (whole != data.length) revert RLPLength();
    }

    /// @notice Whether `item` is a list.
    function isList(Item memory item) internal pure returns (bool) {
        (bool list,,) = _header(item.ptr, item.len);
        return list;
    }

    /// @notice The payload of a string item, by address and length.
    function stringPayload(Item memory item) internal pure returns (uint256 ptr, uint256 len) {
        (bool list, uint256 offset, uint256 whole) = _header(item.ptr, item.len);
        if (list) revert RLPWrongKind(false);
        return (item.ptr + offset, whole - offset);
    }

    /// @notice A string item's payload, copied.
    function readBytes(Item memory item) internal pure returns (bytes memory out) {
        (uint256 ptr, uint256 len) = stringPayload(item);
        out = new bytes(len);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), ptr, len)
        }
    }

    /// @notice A string item of at most 32 bytes as a big-endian number.
    function readUint(Item memory item) internal pure returns (uint256 value) {
        (uint256 ptr, uint256 len) = stringPayload(item);
        if (len > 32) revert RLPLength();
        // A number has no leading zero byte (zero itself is the empty string).
        if (len > 0 && _byteAt(ptr) == 0) revert RLPNotCanonical();
        if (len == 0) return 0;
        assembly ("memory-safe") {
            value := shr(mul(8, sub(32, len)), mload(ptr))
        }
    }

    /// @notice A 32-byte string item.
    function readBytes32(Item memory item) internal pure returns (bytes32 value) {
        (uint256 ptr, uint256 len) = stringPayload(item);
        if (len != 32) revert RLPLength();
        assembly ("memory-safe") {
            value := mload(ptr)
        }
    }

    /// @notice The whole encoding of `item`, hashed.
    function hash(Item memory item) internal pure returns (bytes32 h) {
        uint256 ptr = item.ptr;
        uint256 len = item.len;
        assembly ("memory-safe") {
            h := keccak256(ptr, len)
        }
    }

    /// @notice The items of a list item, at most `max` of them.
    function readList(Item memory item, uint256 max) internal pure returns (Item[] memory items) {
        (bool list, uint256 offset, uint256 whole) = _header(item.ptr, item.len);
        if (!list) revert RLPWrongKind(true);
        items = new Item[](max);
        uint256 count;
        uint256 ptr = item.ptr + offset;
        uint256 end = item.ptr + whole;
        while (ptr < end) {
            if (count == max) revert RLPTooManyItems(max);
            (,, uint256 childLen) = _header(ptr, end - ptr);
            items[count++] = Item(ptr, childLen);
            ptr += childLen;
        }
        assembly ("memory-safe") {
            mstore(items, count)
        }
    }

    /// @dev The item at `ptr` within `available` bytes: whether it is a list, where its payload
    ///      starts (from `ptr`) and its whole length. Reverts unless it fits and is canonical.
    function _header(uint256 ptr, uint256 available)
        private
        pure
        returns (bool list, uint256 offset, uint256 whole)
    {
        if (available == 0) revert RLPLength();
        uint256 prefix = _byteAt(ptr);
        if (prefix < 0x80) {
            return (false, 0, 1);
        }
        uint256 payload;
        if (prefix < 0xb8) {
            payload = prefix - 0x80;
            offset = 1;
            // A single byte below 0x80 is its own encoding.
            if (payload == 1) {
                if (available < 2) revert RLPLength();
                if (_byteAt(ptr + 1) < 0x80) revert RLPNotCanonical();
            }
        } else if (prefix < 0xc0) {
            (payload, offset) = _longLength(ptr, available, prefix - 0xb7);
        } else if (prefix < 0xf8) {
            list = true;
            payload = prefix - 0xc0;
            offset = 1;
        } else {
            list = true;
            (payload, offset) = _longLength(ptr, available, prefix - 0xf7);
        }
        whole = offset + payload;
        if (whole > available) revert RLPLength();
    }

    /// @dev A long form's length of `bytesOfLength` bytes after the prefix.
    function _longLength(uint256 ptr, uint256 available, uint256 bytesOfLength)
        private
        pure
        returns (uint256 payload, uint256 offset)
    {
        offset = 1 + bytesOfLength;
        // Lengths this long (beyond 2^64) cannot be in memory; 8 bytes bound the arithmetic.
        if (bytesOfLength > 8 || available < offset) revert RLPLength();
        if (_byteAt(ptr + 1) == 0) revert RLPNotCanonical();
        assembly ("memory-safe") {
            payload := shr(mul(8, sub(32, bytesOfLength)), mload(add(ptr, 1)))
        }
        // The long form is only for payloads of 56 bytes or more.
        if (payload < 56) revert RLPNotCanonical();
    }

    function _byteAt(uint256 ptr) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }
}
