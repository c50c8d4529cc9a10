// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A six-instruction RISC-V program that stands in for the guest in the dispute game's
///         Solidity tests, where running the real guest (millions of steps) is out of reach:
///         it counts x5 up to `LOOPS`, then exits with a fixed code, 0 ("the claim is right")
///         or 1. Its whole run is known here in closed form, so a test can name the state and the
///         claim after any step, and the memory proof of its one code leaf, and hand them to the
///         real RiscV contract. `test_tinyGuest_modelMatchesTheVerifier` checks every step of the
///         model against the verifier. The real guest plays whole games in the Rust tests
///         (keepers/crates/cli/tests/it/disputes.rs).
///
///             0x1000  addi  x5, x5, 1
///             0x1004  sltiu x6, x5, LOOPS
///             0x1008  bne   x6, x0, -8
///             0x100c  addi  a0, x0, exitCode
///             0x1010  addi  a7, x0, 93
///             0x1014  ecall                  (exit)
library TinyGuest {
    uint256 internal constant ENTRY = 0x1000;
    uint256 internal constant LOOPS = 5;
    /// @notice Steps until it halts.
    uint256 internal constant HALT_STEP = 3 * LOOPS + 3;
    uint256 internal constant TREE_DEPTH = 27;

    /// @notice The code leaf: six little-endian words at 0x1000, then zeros.
    function codeLeaf(uint256 exitCode) internal pure returns (bytes32) {
        uint32[6] memory words = [
            uint32(0x00128293),
            uint32((LOOPS << 20) | 0x2b313),
            uint32(0xfe031ce3),
            uint32((exitCode << 20) | 0x513),
            uint32(0x05d00893),
            uint32(0x00000073)
        ];
        bytes memory leaf = new bytes(32);
        for (uint256 i; i < 6; ++i) {
            for (uint256 b; b < 4; ++b) {
                leaf[4 * i + b] = bytes1(uint8(words[i] >> (8 * b)));
            }
        }
        return bytes32(leaf);
    }

    /// @notice The roots of all-zero subtrees, by height.
    function zeros() internal pure returns (bytes32[TREE_DEPTH] memory z) {
        for (uint256 h = 1; h < TREE_DEPTH; ++h) {
            z[h] = keccak256(abi.encodePacked(z[h - 1], z[h - 1]));
        }
    }

    /// @notice The memory root: the code leaf, everything else zero.
    function memoryRoot(uint256 exitCode) internal pure returns (bytes32 node) {
        bytes32[TREE_DEPTH] memory z = zeros();
        node = codeLeaf(exitCode);
        uint256 index = ENTRY >> 5;
        for (uint256 h; h < TREE_DEPTH; ++h) {
            node = index & 1 == 0
                ? keccak256(abi.encodePacked(node, z[h]))
                : keccak256(abi.encodePacked(z[h], node));
            index >>= 1;
        }
    }

    /// @notice The proofs a step from step `k` needs: the code leaf's while running, none after.
    function proofsAt(uint256 exitCode, uint256 k) internal pure returns (bytes memory proofs) {
        if (k >= HALT_STEP) return "";
        bytes32[TREE_DEPTH] memory z = zeros();
        proofs = abi.encodePacked(codeLeaf(exitCode));
        for (uint256 h; h < TREE_DEPTH; ++h) {
            proofs = abi.encodePacked(proofs, z[h]);
        }
    }

    /// @notice The 353-byte state after `k` steps of the program booted on `inputKey`.
    function stateAt(uint256 exitCode, bytes32 inputKey, uint256 k) internal pure returns (bytes memory) {
        uint64[32] memory x;
        for (uint256 i; i < 4; ++i) {
            x[10 + i] = uint64(uint256(inputKey) >> (192 - 64 * i));
        }
        uint256 pc;
        uint8 status; // 0 running, 1 exited
        uint256 loops = LOOPS;
        if (k < 3 * loops) {
            uint256 it = k / 3;
            uint256 phase = k % 3;
            pc = ENTRY + 4 * phase;
            x[5] = uint64(phase == 0 ? it : it + 1);
            x[6] = phase == 2 ? (it + 1 < loops ? 1 : 0) : (it == 0 ? 0 : 1);
        } else {
            x[5] = uint64(loops);
            uint256 after_ = k - 3 * loops > 3 ? 3 : k - 3 * loops;
            pc = ENTRY + 12 + 4 * after_;
            if (after_ >= 1) x[10] = uint64(exitCode);
            if (after_ >= 2) x[17] = 93;
            if (after_ == 3) status = 1;
        }
        bytes memory regs;
        for (uint256 r = 1; r < 32; ++r) {
            regs = abi.encodePacked(regs, x[r]);
        }
        return abi.encodePacked(
            memoryRoot(exitCode),
            bytes32(0), // preimage key
            uint64(0), // preimage offset
            uint64(pc),
            uint64(k < HALT_STEP ? k : HALT_STEP),
            status,
            uint64(status == 1 ? exitCode : 0),
            type(uint64).max, // no reservation
            regs
        );
    }

    /// @notice The claim hash of the state after `k` steps.
    function claimAt(uint256 exitCode, bytes32 inputKey, uint256 k) internal pure returns (bytes32) {
        uint256 vmStatus = k < HALT_STEP ? 3 : (exitCode == 0 ? 0 : 1);
        return bytes32((uint256(keccak256(stateAt(exitCode, inputKey, k))) << 8 >> 8) | (vmStatus << 248));
    }

    /// @notice `claim` with its status byte saying "exited 0": the end claim a liar posts.
    function asValid(bytes32 claim) internal pure returns (bytes32) {
        return bytes32(uint256(claim) << 8 >> 8);
    }
}
