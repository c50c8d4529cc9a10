// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title EvmGenesis
/// @notice The hash of the EVM chain's genesis header, as baton-evm's
///         `ChainSpec::genesis_header` builds it: Ethereum's Cancun header (its 20 fields, RLP)
///         with the deployment's state root, gas limit, base fee and time, every other field
///         empty (zero hashes and numbers, the empty ommers list and tries, an empty bloom and
///         extra data). So the dispute game over blocks computes its genesis leaf from the
///         profile's `genesisStateRoot` and cannot disagree with the node about it.
library EvmGenesis {
    /// @dev keccak256(rlp([])): no ommers.
    bytes32 internal constant EMPTY_OMMERS_HASH =
        0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347;
    /// @dev The root of the empty Merkle-Patricia trie: no transactions, receipts or withdrawals.
    bytes32 internal constant EMPTY_TRIE_ROOT =
        0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice keccak256(rlp(header)) of the genesis header.
    function headerHash(bytes32 stateRoot, uint64 gasLimit, uint64 baseFee, uint64 timestamp)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(header(stateRoot, gasLimit, baseFee, timestamp));
    }

    /// @notice rlp(header) of the genesis header.
    function header(bytes32 stateRoot, uint64 gasLimit, uint64 baseFee, uint64 timestamp)
        internal
        pure
        returns (bytes memory)
    {
        bytes memory payload = bytes.concat(
            abi.encodePacked(
                _word(0), // parentHash
                _word(EMPTY_OMMERS_HASH),
                bytes1(0x94),
                address(0), // beneficiary
                _word(stateRoot),
                _word(EMPTY_TRIE_ROOT), // transactionsRoot
                _word(EMPTY_TRIE_ROOT) // receiptsRoot
            ),
            // logsBloom: 256 zero bytes, a string of 256 bytes.
            abi.encodePacked(bytes3(0xb90100), new bytes(256)),
            abi.encodePacked(
                _uint(0), // difficulty
                _uint(0), // number
                _uint(gasLimit),
                _uint(0), // gasUsed
                _uint(timestamp),
                bytes1(0x80), // extraData: empty
                _word(0) // mixHash
            ),
            abi.encodePacked(
                bytes1(0x88),
                bytes8(0), // nonce
                _uint(baseFee),
                _word(EMPTY_TRIE_ROOT), // withdrawalsRoot
                _uint(0), // blobGasUsed
                _uint(0), // excessBlobGas
                _word(0) // parentBeaconBlockRoot
            )
        );
        return bytes.concat(_listPrefix(payload.length), payload);
    }

    /// @dev A 32-byte string.
    function _word(bytes32 value) private pure returns (bytes memory) {
        return abi.encodePacked(bytes1(0xa0), value);
    }

    /// @dev An integer: its big-endian bytes without leading zeros (zero is the empty string).
    function _uint(uint64 value) private pure returns (bytes memory) {
        if (value == 0) return hex"80";
        if (value < 0x80) return abi.encodePacked(uint8(value));
        uint256 length;
        for (uint256 v = value; v != 0; v >>= 8) {
            ++length;
        }
        bytes memory out = new bytes(1 + length);
        out[0] = bytes1(uint8(0x80 + length));
        for (uint256 i; i < length; ++i) {
            out[1 + i] = bytes1(uint8(value >> (8 * (length - 1 - i))));
        }
        return out;
    }

    /// @dev The prefix of a list whose payload is `length` bytes: a header's is 256 bytes or
    ///      more (its bloom alone) and under 64 KiB, so two length bytes.
    function _listPrefix(uint256 length) private pure returns (bytes memory) {
        return abi.encodePacked(bytes1(0xf9), uint16(length));
    }
}
