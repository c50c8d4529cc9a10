// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

/// @notice Builds signed EIP-1559 transactions for tests with a plain RLP encoder written from the
///         RLP and EIP-1559 specifications, independent of the decoder in `Eip1559Tx`. Fields are
///         encoded one by one into a `bytes[]` so a test can swap any field for a hand-made
///         (non-canonical) encoding before `assemble` wraps them into `0x02 ‖ rlp([...])`.
library Eip1559Builder {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev secp256k1 group order.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct AccessItem {
        address account;
        bytes32[] keys;
    }

    struct UnsignedTx {
        uint256 chainId;
        uint256 nonce;
        uint256 maxPriorityFeePerGas;
        uint256 maxFeePerGas;
        uint256 gasLimit;
        bool isCreation;
        address to;
        uint256 value;
        bytes data;
        AccessItem[] accessList;
    }

    /// @dev Index of each field in `fields`.
    uint256 internal constant CHAIN_ID = 0;
    uint256 internal constant NONCE = 1;
    uint256 internal constant MAX_PRIORITY_FEE = 2;
    uint256 internal constant MAX_FEE = 3;
    uint256 internal constant GAS_LIMIT = 4;
    uint256 internal constant TO = 5;
    uint256 internal constant VALUE = 6;
    uint256 internal constant DATA = 7;
    uint256 internal constant ACCESS_LIST = 8;
    uint256 internal constant Y_PARITY = 9;
    uint256 internal constant R = 10;
    uint256 internal constant S = 11;

    // ---------------------------------------------------------------- RLP

    /// @notice The minimal big-endian bytes of `x` (empty for zero).
    function minimalBytes(uint256 x) internal pure returns (bytes memory out) {
        uint256 n;
        for (uint256 y = x; y != 0; y >>= 8) {
            ++n;
        }
        out = new bytes(n);
        for (uint256 i; i < n; ++i) {
            out[n - 1 - i] = bytes1(uint8(x >> (8 * i)));
        }
    }

    /// @notice A header with `offset` 0x80 (string) or 0xc0 (list) for a payload of `len` bytes.
    function header(uint256 offset, uint256 len) internal pure returns (bytes memory) {
        if (len < 56) return abi.encodePacked(uint8(offset + len));
        bytes memory lenBytes = minimalBytes(len);
        return abi.encodePacked(uint8(offset + 55 + lenBytes.length), lenBytes);
    }

    function encodeBytes(bytes memory b) internal pure returns (bytes memory) {
        if (b.length == 1 && uint8(b[0]) < 0x80) return b;
        return bytes.concat(header(0x80, b.length), b);
    }

    function encodeUint(uint256 x) internal pure returns (bytes memory) {
        return encodeBytes(minimalBytes(x));
    }

    function encodeAddress(address a) internal pure returns (bytes memory) {
        return encodeBytes(abi.encodePacked(a));
    }

    function encodeList(bytes memory payload) internal pure returns (bytes memory) {
        return bytes.concat(header(0xc0, payload.length), payload);
    }

    function concat(bytes[] memory parts, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        for (uint256 i = from; i < to; ++i) {
            out = bytes.concat(out, parts[i]);
        }
    }

    function encodeAccessList(AccessItem[] memory list) internal pure returns (bytes memory) {
        bytes memory items;
        for (uint256 i; i < list.length; ++i) {
            bytes memory keys;
            for (uint256 k; k < list[i].keys.length; ++k) {
                keys = bytes.concat(keys, encodeBytes(abi.encodePacked(list[i].keys[k])));
            }
            items = bytes.concat(
                items, encodeList(bytes.concat(encodeAddress(list[i].account), encodeList(keys)))
            );
        }
        return encodeList(items);
    }

    // ---------------------------------------------------------------- transactions

    /// @notice A plain transfer with the given fields and everything else empty.
    function transfer(uint256 chainId, uint256 nonce, address to, uint256 value, uint256 maxFee, uint256 tip)
        internal
        pure
        returns (UnsignedTx memory t)
    {
        t.chainId = chainId;
        t.nonce = nonce;
        t.maxPriorityFeePerGas = tip;
        t.maxFeePerGas = maxFee;
        t.gasLimit = 21_000;
        t.to = to;
        t.value = value;
    }

    /// @notice The twelve encoded fields, with the given signature values.
    function fields(UnsignedTx memory t, uint256 yParity, uint256 r, uint256 s)
        internal
        pure
        returns (bytes[] memory f)
    {
        f = new bytes[](12);
        f[CHAIN_ID] = encodeUint(t.chainId);
        f[NONCE] = encodeUint(t.nonce);
        f[MAX_PRIORITY_FEE] = encodeUint(t.maxPriorityFeePerGas);
        f[MAX_FEE] = encodeUint(t.maxFeePerGas);
        f[GAS_LIMIT] = encodeUint(t.gasLimit);
        f[TO] = t.isCreation ? encodeBytes("") : encodeAddress(t.to);
        f[VALUE] = encodeUint(t.value);
        f[DATA] = encodeBytes(t.data);
        f[ACCESS_LIST] = encodeAccessList(t.accessList);
        f[Y_PARITY] = encodeUint(yParity);
        f[R] = encodeUint(r);
        f[S] = encodeUint(s);
    }

    /// @notice 0x02 ‖ rlp-list(fields…).
    function assemble(bytes[] memory f) internal pure returns (bytes memory) {
        return bytes.concat(hex"02", encodeList(concat(f, 0, f.length)));
    }

    /// @notice keccak256(0x02 ‖ rlp([the first nine fields])).
    function digest(UnsignedTx memory t) internal pure returns (bytes32) {
        bytes[] memory f = fields(t, 0, 0, 0);
        return keccak256(bytes.concat(hex"02", encodeList(concat(f, 0, 9))));
    }

    /// @notice The signature of `t` by `key` as (yParity, r, s), low-s as every signer makes it.
    function signature(UnsignedTx memory t, uint256 key)
        internal
        pure
        returns (uint256 yParity, uint256 r, uint256 s)
    {
        (uint8 v, bytes32 r_, bytes32 s_) = VM.sign(key, digest(t));
        (yParity, r, s) = (v - 27, uint256(r_), uint256(s_));
    }

    /// @notice `t` signed by `key`, in its EIP-2718 form.
    function sign(UnsignedTx memory t, uint256 key) internal pure returns (bytes memory) {
        (uint256 yParity, uint256 r, uint256 s) = signature(t, key);
        return assemble(fields(t, yParity, r, s));
    }

    /// @notice `t` with the given signature values, signed or not.
    function withSignature(UnsignedTx memory t, uint256 yParity, uint256 r, uint256 s)
        internal
        pure
        returns (bytes memory)
    {
        return assemble(fields(t, yParity, r, s));
    }
}
