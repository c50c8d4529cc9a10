// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The batch data format and its commitment (docs/protocol.md, "Batch data"), read the
///         plain way: byte by byte, whole trees in memory, no cleverness. The reference the
///         assembly in BatchData and the Rust codec are checked against, and how tests build
///         dataHash values and transaction proofs.
library BatchDataModel {
    /// @dev What a walk of the data found.
    struct Parsed {
        bool ok;
        /// The first fault's offset when not ok.
        uint256 faultAt;
        /// The oversized transaction's length when that was the fault, else zero.
        uint256 oversized;
        address feeRecipient;
        bytes framing;
        bytes[] txs;
    }

    function parse(bytes memory data, uint256 blocks, uint256 maxTxLength)
        internal
        pure
        returns (Parsed memory r)
    {
        if (data.length < 21 || uint8(data[0]) != 1) return r; // fault at 0
        r.feeRecipient = address(bytes20(slice(data, 1, 20)));
        uint256 p = 21;
        uint256 total;
        // First pass counts, second pass collects, so the arrays are exact.
        for (uint256 pass; pass < 2; ++pass) {
            p = 21;
            uint256 seen;
            bytes memory framing;
            for (uint256 b; b < blocks; ++b) {
                if (p + 10 > data.length) return _fault(r, p, 0);
                framing = bytes.concat(framing, slice(data, p, 10));
                uint256 n = (uint256(uint8(data[p + 8])) << 8) | uint8(data[p + 9]);
                p += 10;
                for (uint256 t; t < n; ++t) {
                    if (p + 3 > data.length) return _fault(r, p, 0);
                    uint256 len = (uint256(uint8(data[p])) << 16) | (uint256(uint8(data[p + 1])) << 8)
                        | uint8(data[p + 2]);
                    if (len == 0 || p + 3 + len > data.length) return _fault(r, p, 0);
                    if (len > maxTxLength) return _fault(r, p, len);
                    if (pass == 1) r.txs[seen] = slice(data, p + 3, len);
                    ++seen;
                    p += 3 + len;
                }
            }
            if (p != data.length) return _fault(r, p, 0);
            total = seen;
            if (pass == 0) r.txs = new bytes[](total);
            r.framing = framing;
        }
        r.ok = true;
    }

    function _fault(Parsed memory r, uint256 at, uint256 oversized) private pure returns (Parsed memory) {
        r.ok = false;
        r.faultAt = at;
        r.oversized = oversized;
        return r;
    }

    /// @dev dataHash, blocksHash and txRoot of valid data with `blocks` blocks (no size limit).
    function commitment(bytes memory data, uint256 blocks)
        internal
        pure
        returns (bytes32 dataHash, bytes32 blocksHash, bytes32 txRoot)
    {
        Parsed memory r = parse(data, blocks, type(uint256).max);
        require(r.ok, "BatchDataModel: malformed data");
        blocksHash = keccak256(r.framing);
        txRoot = root(leavesOf(r.txs));
        dataHash = keccak256(abi.encodePacked(uint8(1), r.feeRecipient, blocksHash, txRoot));
    }

    function leavesOf(bytes[] memory txs) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](txs.length);
        for (uint256 i; i < txs.length; ++i) {
            leaves[i] = keccak256(txs[i]);
        }
    }

    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    /// @dev The padded tree, level 0 = leaves padded with zeros to 2^depth.
    function levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory ls) {
        uint256 d = depth(leaves.length);
        ls = new bytes32[][](d + 1);
        ls[0] = new bytes32[](2 ** d);
        for (uint256 i; i < leaves.length; ++i) {
            ls[0][i] = leaves[i];
        }
        for (uint256 l = 1; l <= d; ++l) {
            ls[l] = new bytes32[](2 ** (d - l));
            for (uint256 i; i < ls[l].length; ++i) {
                bytes32 a = ls[l - 1][2 * i];
                bytes32 b = ls[l - 1][2 * i + 1];
                ls[l][i] = a == 0 && b == 0 ? bytes32(0) : keccak256(abi.encodePacked(a, b));
            }
        }
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        if (leaves.length == 0) return 0;
        bytes32[][] memory ls = levels(leaves);
        return ls[ls.length - 1][0];
    }

    function path(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory siblings) {
        bytes32[][] memory ls = levels(leaves);
        siblings = new bytes32[](ls.length - 1);
        for (uint256 l; l < siblings.length; ++l) {
            siblings[l] = ls[l][(index >> l) ^ 1];
        }
    }

    function slice(bytes memory data, uint256 start, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) {
            out[i] = data[start + i];
        }
    }
}
