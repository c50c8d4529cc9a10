// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Eip1559Tx} from "../contracts/libraries/ledger/Eip1559Tx.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";
import {Eip1559Builder as B} from "./utils/Eip1559Builder.sol";

/// @dev Exposes the decoder over calldata.
contract Eip1559TxHarness {
    function decode(bytes calldata raw) external pure returns (bool ok, Eip1559Tx.Transaction memory t) {
        return Eip1559Tx.decode(raw);
    }
}

/// @dev The same, with memory past the free pointer and the scratch space dirtied first (the
///      signing digest is built past the free pointer).
contract BrutalizedEip1559TxHarness is Brutalizer {
    function decode(bytes calldata raw) external pure returns (bool ok, Eip1559Tx.Transaction memory t) {
        _brutalizeMemory();
        return Eip1559Tx.decode(raw);
    }
}

/// @notice Eip1559Tx.decode against the test encoder (valid transactions decode to their fields
///         and digest) and against every non-canonical form alloy refuses (each must come back
///         `ok = false`, never a revert).
contract Eip1559TxTest is Test {
    Eip1559TxHarness internal harness = new Eip1559TxHarness();
    Eip1559TxHarness internal brutalized = Eip1559TxHarness(address(new BrutalizedEip1559TxHarness()));

    uint256 internal constant R = 0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef;
    uint256 internal constant S = 0x0fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321;

    function _tx() internal pure returns (B.UnsignedTx memory t) {
        t = B.transfer(901, 7, address(0xBEEF), 1 ether, 2 gwei, 1 gwei);
    }

    function _fields() internal pure returns (bytes[] memory) {
        return B.fields(_tx(), 1, R, S);
    }

    function _with(uint256 index, bytes memory encoding) internal pure returns (bytes memory) {
        bytes[] memory f = _fields();
        f[index] = encoding;
        return B.assemble(f);
    }

    function _decode(bytes memory raw) internal view returns (bool ok, Eip1559Tx.Transaction memory t) {
        return harness.decode(raw);
    }

    function _assertMalformed(bytes memory raw, string memory why) internal view {
        (bool ok,) = _decode(raw);
        assertFalse(ok, why);
    }

    function _assertValid(bytes memory raw, string memory why) internal view {
        (bool ok,) = _decode(raw);
        assertTrue(ok, why);
    }

    /// @dev Every integer field (index into `fields`) and its width in bytes.
    function _intFields() internal pure returns (uint256[9] memory index, uint256[9] memory width) {
        index =
            [B.CHAIN_ID, B.NONCE, B.MAX_PRIORITY_FEE, B.MAX_FEE, B.GAS_LIMIT, B.VALUE, B.Y_PARITY, B.R, B.S];
        width = [uint256(8), 8, 16, 16, 8, 32, 1, 32, 32];
    }

    function _assertFields(Eip1559Tx.Transaction memory d, B.UnsignedTx memory t, bytes memory raw)
        internal
        pure
    {
        assertEq(d.chainId, t.chainId, "chainId");
        assertEq(d.nonce, t.nonce, "nonce");
        assertEq(d.maxPriorityFeePerGas, t.maxPriorityFeePerGas, "maxPriorityFeePerGas");
        assertEq(d.maxFeePerGas, t.maxFeePerGas, "maxFeePerGas");
        assertEq(d.gasLimit, t.gasLimit, "gasLimit");
        assertEq(d.isCreation, t.isCreation, "isCreation");
        assertEq(d.to, t.isCreation ? address(0) : t.to, "to");
        assertEq(d.value, t.value, "value");
        assertEq(d.dataLength, t.data.length, "data length");
        for (uint256 i; i < t.data.length; ++i) {
            assertEq(raw[d.dataOffset + i], t.data[i], "data");
        }
        assertEq(d.digest, B.digest(t), "digest");
    }

    // ---------------------------------------------------------------- valid encodings

    function test_decode_transfer() public view {
        B.UnsignedTx memory t = _tx();
        bytes memory raw = B.withSignature(t, 1, R, S);
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
        assertTrue(ok);
        _assertFields(d, t, raw);
        assertEq(d.yParity, 1);
        assertEq(d.r, R);
        assertEq(d.s, S);
        assertEq(d.accessListItems, 0);
    }

    function test_decode_creationAndData() public view {
        B.UnsignedTx memory t = _tx();
        t.isCreation = true;
        t.data = hex"6080604052";
        bytes memory raw = B.withSignature(t, 0, R, S);
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
        assertTrue(ok);
        _assertFields(d, t, raw);
        assertEq(d.yParity, 0);
    }

    /// @dev Data lengths across the short/long boundaries of the data string (55/56), of the
    ///      nine-field list the digest re-frames (55/56) and of a two-byte length (255/256).
    function test_decode_dataLengthsAndDigestFraming() public view {
        uint256[12] memory lengths = [uint256(0), 1, 2, 20, 24, 25, 26, 55, 56, 200, 255, 300];
        for (uint256 i; i < lengths.length; ++i) {
            B.UnsignedTx memory t = _tx();
            t.data = new bytes(lengths[i]);
            for (uint256 j; j < t.data.length; ++j) {
                t.data[j] = bytes1(uint8(j * 7 + 1));
            }
            bytes memory raw = B.withSignature(t, 1, R, S);
            (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
            assertTrue(ok, "valid");
            _assertFields(d, t, raw);
        }
        // A single data byte below 0x80 is encoded as itself.
        B.UnsignedTx memory one = _tx();
        one.data = hex"05";
        (bool ok1, Eip1559Tx.Transaction memory d1) = _decode(B.withSignature(one, 1, R, S));
        assertTrue(ok1);
        assertEq(d1.dataLength, 1);
    }

    /// @dev The smallest transaction: every list in short form, including the signed one.
    function test_decode_shortFormOuterList() public view {
        B.UnsignedTx memory t = B.transfer(1, 0, address(0xBEEF), 0, 0, 0);
        t.gasLimit = 0;
        bytes memory raw = B.withSignature(t, 0, 1, 1);
        assertLt(uint8(raw[1]), 0xf8, "short outer list");
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
        assertTrue(ok);
        _assertFields(d, t, raw);
        assertEq(d.r, 1);
        assertEq(d.s, 1);
    }

    function test_decode_accessList() public view {
        B.UnsignedTx memory t = _tx();
        t.accessList = new B.AccessItem[](3);
        t.accessList[0].account = address(0xA);
        t.accessList[0].keys = new bytes32[](2);
        t.accessList[0].keys[1] = keccak256("k");
        t.accessList[1].account = address(0xB);
        t.accessList[2].account = address(0xC);
        t.accessList[2].keys = new bytes32[](1);
        bytes memory raw = B.withSignature(t, 1, R, S);
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
        assertTrue(ok);
        _assertFields(d, t, raw);
        assertEq(d.accessListItems, 3);
        assertEq(d.accessListKeys, 3);
    }

    function test_decode_integerBounds() public view {
        (uint256[9] memory index, uint256[9] memory width) = _intFields();
        for (uint256 i; i < index.length; ++i) {
            if (index[i] == B.Y_PARITY) continue;
            // The widest value of the field's type, and small values around the single-byte edge.
            uint256 max = width[i] == 32 ? type(uint256).max : (uint256(1) << (8 * width[i])) - 1;
            _assertValid(_with(index[i], B.encodeUint(max)), "max");
            _assertValid(_with(index[i], hex"80"), "zero");
            _assertValid(_with(index[i], hex"7f"), "0x7f");
            _assertValid(_with(index[i], hex"8180"), "0x80");
        }
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(_with(B.NONCE, hex"88ffffffffffffffff"));
        assertTrue(ok);
        assertEq(d.nonce, type(uint64).max);
    }

    // ---------------------------------------------------------------- malformed: integers

    function test_malformed_leadingZeros() public view {
        (uint256[9] memory index,) = _intFields();
        for (uint256 i; i < index.length; ++i) {
            _assertMalformed(_with(index[i], hex"00"), "zero as 0x00");
            _assertMalformed(_with(index[i], hex"820001"), "leading zero byte");
            _assertMalformed(_with(index[i], hex"8200ff"), "leading zero byte before 0xff");
        }
        // A full-width value with a leading zero byte.
        _assertMalformed(_with(B.VALUE, bytes.concat(hex"a0", bytes32(uint256(1)))), "32-byte value 1");
    }

    function test_malformed_nonCanonicalSingleByte() public view {
        (uint256[9] memory index,) = _intFields();
        for (uint256 i; i < index.length; ++i) {
            _assertMalformed(_with(index[i], hex"8101"), "0x81 0x01");
            _assertMalformed(_with(index[i], hex"8100"), "0x81 0x00");
        }
        _assertMalformed(_with(B.DATA, hex"8105"), "data byte wrapped");
        _assertMalformed(_with(B.DATA, hex"817f"), "data byte 0x7f wrapped");
        _assertValid(_with(B.DATA, hex"8180"), "data byte 0x80 needs the wrap");
    }

    function test_malformed_tooWide() public view {
        (uint256[9] memory index, uint256[9] memory width) = _intFields();
        for (uint256 i; i < index.length; ++i) {
            // One byte wider than the type: 0x01 followed by `width` zero bytes.
            bytes memory wide = bytes.concat(bytes1(uint8(0x80 + width[i] + 1)), hex"01", new bytes(width[i]));
            _assertMalformed(_with(index[i], wide), "one byte too wide");
        }
        _assertMalformed(_with(B.NONCE, hex"89010000000000000000"), "9-byte nonce");
        _assertMalformed(_with(B.MAX_FEE, hex"910100000000000000000000000000000000"), "17-byte fee");
    }

    function test_malformed_yParity() public view {
        _assertMalformed(_with(B.Y_PARITY, hex"02"), "yParity 2");
        _assertMalformed(_with(B.Y_PARITY, hex"7f"), "yParity 127");
        _assertMalformed(_with(B.Y_PARITY, hex"00"), "yParity 0x00");
        _assertMalformed(_with(B.Y_PARITY, hex"8101"), "yParity wrapped");
        _assertMalformed(_with(B.Y_PARITY, hex"821b00"), "yParity wide");
        _assertMalformed(_with(B.Y_PARITY, hex"1b"), "legacy v 27");
        _assertMalformed(_with(B.Y_PARITY, hex"c0"), "yParity list");
        _assertValid(_with(B.Y_PARITY, hex"80"), "yParity 0");
        _assertValid(_with(B.Y_PARITY, hex"01"), "yParity 1");
    }

    // ---------------------------------------------------------------- malformed: strings and lists

    function test_malformed_listWhereStringExpected() public view {
        for (uint256 i; i < 12; ++i) {
            if (i == B.ACCESS_LIST) continue;
            _assertMalformed(_with(i, hex"c0"), "empty list as a string field");
            _assertMalformed(_with(i, hex"c101"), "list as a string field");
        }
        _assertMalformed(_with(B.TO, bytes.concat(hex"d4", bytes20(address(0xBEEF)))), "to as a 20-byte list");
    }

    function test_malformed_stringWhereListExpected() public view {
        _assertMalformed(_with(B.ACCESS_LIST, hex"80"), "access list as empty string");
        _assertMalformed(_with(B.ACCESS_LIST, hex"01"), "access list as a byte");
        // The whole transaction as a string instead of a list.
        bytes memory raw = B.withSignature(_tx(), 1, R, S);
        raw[1] = bytes1(uint8(raw[1]) - 0x40); // 0xf8.. -> 0xb8..
        _assertMalformed(raw, "outer string");
    }

    function test_malformed_wrongToLength() public view {
        _assertMalformed(_with(B.TO, bytes.concat(hex"93", bytes19(0))), "19-byte to");
        _assertMalformed(_with(B.TO, bytes.concat(hex"95", bytes20(address(0xBEEF)), hex"00")), "21-byte to");
        _assertMalformed(_with(B.TO, hex"05"), "1-byte to");
        _assertMalformed(_with(B.TO, hex"00"), "0x00 to");
        _assertMalformed(_with(B.TO, hex"8105"), "wrapped 1-byte to");
        _assertValid(_with(B.TO, hex"80"), "empty to");
        _assertValid(_with(B.TO, bytes.concat(hex"94", bytes20(0))), "zero address to");
    }

    function test_malformed_lengthForms() public view {
        // A short string in long form.
        _assertMalformed(_with(B.DATA, hex"b803aabbcc"), "3-byte data in long form");
        _assertMalformed(_with(B.DATA, bytes.concat(hex"b837", new bytes(55))), "55-byte data in long form");
        _assertValid(_with(B.DATA, bytes.concat(hex"b838", new bytes(56))), "56-byte data in long form");
        // A long-form length with a leading zero byte.
        _assertMalformed(_with(B.DATA, bytes.concat(hex"b90038", new bytes(56))), "length 0x0038");
        _assertMalformed(_with(B.DATA, bytes.concat(hex"b9003c", new bytes(60))), "length 0x003c");
        // Two length bytes, canonical.
        _assertValid(_with(B.DATA, bytes.concat(hex"b90100", new bytes(256))), "256-byte data");
        // A short list in long form.
        _assertMalformed(_with(B.ACCESS_LIST, hex"f800"), "empty access list in long form");
        // The outer list in long form with a leading zero length byte.
        bytes memory raw = B.withSignature(_tx(), 1, R, S);
        assertEq(uint8(raw[1]), 0xf8, "one length byte");
        bytes memory padded = bytes.concat(hex"02f900", _slice(raw, 2, raw.length));
        _assertMalformed(padded, "outer length 0x00..");
        // The smallest transaction's short outer list written in long form.
        B.UnsignedTx memory t = B.transfer(1, 0, address(0xBEEF), 0, 0, 0);
        bytes memory small = B.withSignature(t, 0, 1, 1);
        uint256 payload = uint8(small[1]) - 0xc0;
        _assertMalformed(
            bytes.concat(hex"02f8", bytes1(uint8(payload)), _slice(small, 2, small.length)),
            "short list in long form"
        );
    }

    function test_malformed_truncated() public view {
        B.UnsignedTx memory t = _tx();
        t.data = hex"00112233";
        bytes memory raw = B.withSignature(t, 1, R, S);
        for (uint256 len; len < raw.length; ++len) {
            _assertMalformed(_slice(raw, 0, len), "prefix");
        }
        _assertValid(raw, "whole");
    }

    function test_malformed_trailingBytesAndLengthMismatch() public view {
        bytes memory raw = B.withSignature(_tx(), 1, R, S);
        _assertMalformed(bytes.concat(raw, hex"00"), "trailing zero");
        _assertMalformed(bytes.concat(raw, hex"80"), "trailing empty string");
        // The outer header claims one byte more or one byte less than the fields.
        bytes memory longer = bytes.concat(raw, hex"80");
        longer[2] = bytes1(uint8(longer[2]) + 1);
        _assertMalformed(longer, "a thirteenth field");
        bytes memory shorter = bytes.concat(raw);
        shorter[2] = bytes1(uint8(shorter[2]) - 1);
        _assertMalformed(shorter, "claims one byte less");
        bytes memory overclaim = bytes.concat(raw);
        overclaim[2] = bytes1(uint8(overclaim[2]) + 1);
        _assertMalformed(overclaim, "claims one byte more");
        // Eleven fields.
        bytes[] memory f = _fields();
        bytes[] memory eleven = new bytes[](11);
        for (uint256 i; i < 11; ++i) {
            eleven[i] = f[i];
        }
        _assertMalformed(B.assemble(eleven), "eleven fields");
    }

    function test_malformed_accessListItems() public view {
        bytes memory addr = B.encodeAddress(address(0xA));
        bytes memory key = B.encodeBytes(abi.encodePacked(keccak256("k")));
        _assertValid(
            _with(B.ACCESS_LIST, B.encodeList(B.encodeList(bytes.concat(addr, B.encodeList(key))))), "ok"
        );
        _assertMalformed(
            _with(
                B.ACCESS_LIST,
                B.encodeList(B.encodeList(bytes.concat(hex"93", new bytes(19), B.encodeList(key))))
            ),
            "19-byte address"
        );
        _assertMalformed(
            _with(
                B.ACCESS_LIST,
                B.encodeList(
                    B.encodeList(bytes.concat(addr, B.encodeList(bytes.concat(hex"9f", new bytes(31)))))
                )
            ),
            "31-byte key"
        );
        _assertMalformed(
            _with(
                B.ACCESS_LIST,
                B.encodeList(
                    B.encodeList(bytes.concat(addr, B.encodeList(bytes.concat(hex"a100", new bytes(32)))))
                )
            ),
            "33-byte key"
        );
        _assertMalformed(
            _with(B.ACCESS_LIST, B.encodeList(bytes.concat(addr, B.encodeList(key)))), "item not a list"
        );
        _assertMalformed(
            _with(B.ACCESS_LIST, B.encodeList(B.encodeList(bytes.concat(addr, key)))), "keys not a list"
        );
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(B.encodeList(addr))), "item without keys");
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(hex"c0")), "empty item");
        _assertMalformed(
            _with(B.ACCESS_LIST, B.encodeList(B.encodeList(bytes.concat(addr, hex"c0", hex"80")))),
            "item with 3 fields"
        );
        _assertMalformed(
            _with(B.ACCESS_LIST, B.encodeList(B.encodeList(bytes.concat(B.encodeList(key), addr)))),
            "fields swapped"
        );
    }

    /// @dev An item whose declared length is shorter than its fields, so its key list runs past
    ///      it into the rest of the access list: alloy rejects it (an item must be consumed
    ///      exactly), however the outer lengths add up.
    function test_malformed_accessListItemOverrun() public view {
        bytes memory addr = B.encodeAddress(address(0xA));
        bytes memory key = B.encodeBytes(abi.encodePacked(keccak256("k")));
        bytes memory item = B.encodeList(bytes.concat(addr, B.encodeList(key)));
        assertEq(uint8(item[0]), 0xc0 + 55, "21 + 34 bytes of payload");
        bytes memory bad = bytes.concat(item);
        bad[0] = bytes1(uint8(0xc0 + 35)); // the key list (34 bytes) now overruns by 20
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(bad)), "item overrun");
        _assertMalformed(
            _with(B.ACCESS_LIST, B.encodeList(bytes.concat(bad, new bytes(20)))), "overrun, padded"
        );
        // An item that holds a stray byte after its two fields (56 bytes: long form).
        bytes memory longer = bytes.concat(hex"f838", addr, B.encodeList(key), hex"80");
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(longer)), "item with a stray byte");
        // ... or a stray key after its key list.
        bytes memory strayKey = bytes.concat(hex"f858", addr, B.encodeList(key), key);
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(strayKey)), "item with a stray key");
        // ... or a whole item nested after its key list (valid as a next item, not inside one).
        bytes memory inner = B.encodeList(bytes.concat(addr, hex"c0"));
        bytes memory nested = bytes.concat(hex"f84e", addr, B.encodeList(key), inner);
        _assertMalformed(_with(B.ACCESS_LIST, B.encodeList(nested)), "item nested in an item");
        _assertValid(
            _with(B.ACCESS_LIST, B.encodeList(bytes.concat(item, inner))), "the same two items in a row"
        );
    }

    function test_malformed_typeByte() public view {
        bytes memory raw = B.withSignature(_tx(), 1, R, S);
        uint8[5] memory types = [0x00, 0x01, 0x03, 0x04, 0x7f];
        for (uint256 i; i < types.length; ++i) {
            bytes memory other = bytes.concat(raw);
            other[0] = bytes1(types[i]);
            _assertMalformed(other, "other type");
        }
        _assertMalformed(_slice(raw, 1, raw.length), "no type byte (legacy-shaped)");
        _assertMalformed("", "empty");
        _assertMalformed(hex"02", "type only");
        _assertMalformed(hex"02c0", "empty list");
    }

    // ---------------------------------------------------------------- fuzz

    function testFuzz_decode_neverReverts(bytes calldata raw) public view {
        harness.decode(raw);
        harness.decode(bytes.concat(hex"02", raw));
    }

    function testFuzz_decode_fields(
        uint64 chainId,
        uint64 nonce,
        uint128 tip,
        uint128 maxFee,
        uint64 gasLimit,
        address to,
        uint256 value,
        bytes memory data,
        bool yParity,
        uint256 r,
        uint256 s
    ) public view {
        B.UnsignedTx memory t = B.transfer(chainId, nonce, to, value, maxFee, tip);
        t.gasLimit = gasLimit;
        t.data = data;
        bytes memory raw = B.withSignature(t, yParity ? 1 : 0, r, s);
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(raw);
        assertTrue(ok);
        _assertFields(d, t, raw);
        assertEq(d.yParity, yParity ? 1 : 0);
        assertEq(d.r, r);
        assertEq(d.s, s);
    }

    /// @dev One byte changed, cut or inserted anywhere in a valid transaction. The decoder must
    ///      not revert, and what it accepts must be canonical: re-encoding the decoded fields
    ///      gives back the very same bytes.
    function testFuzz_decode_mutations(uint256 at, uint8 value, uint8 kind, bytes memory data) public view {
        B.UnsignedTx memory t = _tx();
        t.data = data.length > 80 ? _slice(data, 0, 80) : data;
        bytes memory raw = B.withSignature(t, 1, R, S);
        at = bound(at, 0, raw.length - 1);
        bytes memory mutated;
        if (kind % 3 == 0) {
            mutated = bytes.concat(raw);
            mutated[at] = bytes1(value);
        } else if (kind % 3 == 1) {
            mutated = bytes.concat(_slice(raw, 0, at), _slice(raw, at + 1, raw.length));
        } else {
            mutated = bytes.concat(_slice(raw, 0, at), bytes1(value), _slice(raw, at, raw.length));
        }
        (bool ok, Eip1559Tx.Transaction memory d) = _decode(mutated);
        // (An access list made by the mutation is skipped: the builder would need its items.)
        if (!ok || d.accessListItems != 0) return;
        B.UnsignedTx memory back =
            B.transfer(d.chainId, d.nonce, d.to, d.value, d.maxFeePerGas, d.maxPriorityFeePerGas);
        back.gasLimit = d.gasLimit;
        back.isCreation = d.isCreation;
        back.data = _slice(mutated, d.dataOffset, d.dataOffset + d.dataLength);
        assertEq(B.withSignature(back, d.yParity, d.r, d.s), mutated, "accepted a non-canonical encoding");
        assertEq(d.digest, B.digest(back), "digest");
    }

    // ---------------------------------------------------------------- dirty memory

    /// @dev Decodes `raw` with memory clean and dirtied: the two results must be the same.
    function _assertSameWithDirtyMemory(bytes memory raw) internal view {
        (bool ok, Eip1559Tx.Transaction memory t) = harness.decode(raw);
        (bool dirtyOk, Eip1559Tx.Transaction memory dirtyT) = brutalized.decode(raw);
        assertEq(abi.encode(dirtyOk, dirtyT), abi.encode(ok, t), "dirty memory changed the result");
    }

    /// @dev Every deterministic test above again, with memory dirtied before each decode.
    function test_brutalizedMemory_everyCase() public {
        harness = brutalized;
        test_decode_transfer();
        test_decode_creationAndData();
        test_decode_dataLengthsAndDigestFraming();
        test_decode_shortFormOuterList();
        test_decode_accessList();
        test_decode_integerBounds();
        test_malformed_leadingZeros();
        test_malformed_nonCanonicalSingleByte();
        test_malformed_tooWide();
        test_malformed_yParity();
        test_malformed_listWhereStringExpected();
        test_malformed_stringWhereListExpected();
        test_malformed_wrongToLength();
        test_malformed_lengthForms();
        test_malformed_truncated();
        test_malformed_trailingBytesAndLengthMismatch();
        test_malformed_accessListItems();
        test_malformed_accessListItemOverrun();
        test_malformed_typeByte();
    }

    /// @dev Valid transactions of every field value and data length (short and long list
    ///      headers in the signing digest): the same fields and digest with memory dirtied.
    function testFuzz_brutalizedMemory_fields(
        uint64 chainId,
        uint64 nonce,
        uint128 tip,
        uint128 maxFee,
        uint64 gasLimit,
        address to,
        uint256 value,
        bytes memory data,
        bool yParity,
        uint256 r,
        uint256 s
    ) public {
        B.UnsignedTx memory t = B.transfer(chainId, nonce, to, value, maxFee, tip);
        t.gasLimit = gasLimit;
        t.data = data;
        _assertSameWithDirtyMemory(B.withSignature(t, yParity ? 1 : 0, r, s));
        harness = brutalized;
        testFuzz_decode_fields(chainId, nonce, tip, maxFee, gasLimit, to, value, data, yParity, r, s);
    }

    /// @dev Mutated and random encodings decode the same with memory dirtied.
    function testFuzz_brutalizedMemory_mutationsAndRandomBytes(
        uint256 at,
        uint8 value,
        uint8 kind,
        bytes memory data
    ) public {
        B.UnsignedTx memory t = _tx();
        t.data = data.length > 80 ? _slice(data, 0, 80) : data;
        bytes memory raw = B.withSignature(t, 1, R, S);
        at = bound(at, 0, raw.length - 1);
        bytes memory mutated = bytes.concat(raw);
        mutated[at] = bytes1(value);
        _assertSameWithDirtyMemory(mutated);
        _assertSameWithDirtyMemory(bytes.concat(_slice(raw, 0, at), _slice(raw, at + 1, raw.length)));
        _assertSameWithDirtyMemory(data);
        _assertSameWithDirtyMemory(bytes.concat(hex"02", data));
        if (kind % 2 == 0) {
            harness = brutalized;
            testFuzz_decode_mutations(at, value, kind / 2, data);
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }
}
