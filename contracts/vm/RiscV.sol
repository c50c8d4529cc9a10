// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPreimageOracle} from "../interfaces/IPreimageOracle.sol";
import {IRiscV} from "../interfaces/IRiscV.sol";
import {RiscVMemory} from "./RiscVMemory.sol";
import {RiscVState} from "./RiscVState.sol";

/// @title RiscV
/// @notice One instruction of baton's fault-proof VM on L1: from a committed machine state to
///         the next, bit for bit as the Rust emulator (baton-vm) runs it. The ISA is RV64IMA
///         without compressed instructions; the syscalls are Linux's `exit` (93), `write` (64)
///         and `read` (63), with the guest's preimage channel on descriptors 3 (write a key)
///         and 4 (read the keyed preimage) served by the PreimageOracle. A trap (misaligned pc,
///         illegal word, misaligned jump or access, ebreak, an access past 4 GiB, an unknown
///         syscall) halts the machine with its cause; a halted machine steps to itself. Only a
///         malformed witness reverts. See docs/vm.md.
contract RiscV is IRiscV {
    using RiscVState for uint256;

    uint256 internal constant MASK64 = 0xffffffffffffffff;
    uint256 internal constant MASK32 = 0xffffffff;

    uint256 internal constant TRAP_MISALIGNED_PC = 1;
    uint256 internal constant TRAP_ILLEGAL_INSTRUCTION = 2;
    uint256 internal constant TRAP_MISALIGNED_JUMP = 3;
    uint256 internal constant TRAP_MISALIGNED_ACCESS = 4;
    uint256 internal constant TRAP_BREAKPOINT = 5;
    uint256 internal constant TRAP_OUT_OF_RANGE = 6;
    uint256 internal constant TRAP_BAD_SYSCALL = 7;

    uint256 internal constant SYS_READ = 63;
    uint256 internal constant SYS_WRITE = 64;
    uint256 internal constant SYS_EXIT = 93;
    uint256 internal constant FD_PREIMAGE_KEY = 3;
    uint256 internal constant FD_PREIMAGE_DATA = 4;
    uint256 internal constant EBADF = MASK64 - 8; // -9

    /// @inheritdoc IRiscV
    IPreimageOracle public immutable oracle;

    constructor(IPreimageOracle oracle_) {
        oracle = oracle_;
    }

    /// @inheritdoc IRiscV
    function step(bytes calldata state, bytes calldata proofs)
        external
        view
        returns (bytes32 pre, bytes32 post)
    {
        uint256 s = RiscVState.load(state, proofs);
        pre = s.claim();
        if (s.byteAt(RiscVState.STATUS) != RiscVState.RUNNING) return (pre, pre);
        unchecked {
            s.setU64(RiscVState.STEP, (s.u64(RiscVState.STEP) + 1) & MASK64);
        }
        uint256 trap = _execute(s);
        if (trap != 0) {
            s.setByte(RiscVState.STATUS, RiscVState.TRAPPED);
            s.setU64(RiscVState.CODE, trap);
        }
        post = s.claim();
    }

    /// @notice Executes the instruction at pc; returns a trap cause (0: none). On a trap the
    ///         caller records it and nothing here has changed the state.
    function _execute(uint256 s) internal view returns (uint256 trap) {
        uint256 pc = s.u64(RiscVState.PC);
        if (pc & 3 != 0) return TRAP_MISALIGNED_PC;
        if (pc >= RiscVMemory.MEMORY_SIZE) return TRAP_OUT_OF_RANGE;
        uint256 w = RiscVMemory.readLE(_leaf(s, 0, pc), pc, 4);
        uint256 opcode = w & 0x7f;
        uint256 next = _add(pc, 4);
        if (opcode == 0x13 || opcode == 0x1b || opcode == 0x33 || opcode == 0x3b) {
            trap = _aluOp(s, w, opcode);
        } else if (opcode == 0x37 || opcode == 0x17 || opcode == 0x6f || opcode == 0x67 || opcode == 0x63) {
            (trap, next) = _control(s, w, opcode, pc, next);
        } else if (opcode == 0x03 || opcode == 0x23 || opcode == 0x2f) {
            trap = _memoryOp(s, w);
        } else if (opcode == 0x0f) {
            if ((w >> 12) & 7 != 0) trap = TRAP_ILLEGAL_INSTRUCTION;
        } else if (w == 0x73) {
            // An exit sets the status here; pc moves on either way.
            trap = _syscall(s);
        } else if (w == 0x100073) {
            trap = TRAP_BREAKPOINT;
        } else {
            trap = TRAP_ILLEGAL_INSTRUCTION;
        }
        if (trap == 0) s.setU64(RiscVState.PC, next);
    }

    /// @notice lui, auipc, jal, jalr and the branches; returns the trap and the next pc.
    function _control(uint256 s, uint256 w, uint256 opcode, uint256 pc, uint256 next)
        internal
        pure
        returns (uint256, uint256)
    {
        uint256 rd = (w >> 7) & 31;
        uint256 f3 = (w >> 12) & 7;
        if (opcode == 0x37) {
            s.setReg(rd, _immU(w));
            return (0, next);
        }
        if (opcode == 0x17) {
            s.setReg(rd, _add(pc, _immU(w)));
            return (0, next);
        }
        uint256 target;
        if (opcode == 0x63) {
            if (f3 == 2 || f3 == 3) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            if (!_taken(f3, s.reg((w >> 15) & 31), s.reg((w >> 20) & 31))) return (0, next);
            target = _add(pc, _immB(w));
        } else if (opcode == 0x6f) {
            target = _add(pc, _immJ(w));
        } else {
            if (f3 != 0) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            target = _add(s.reg((w >> 15) & 31), _immI(w)) & ~uint256(1);
        }
        if (target & 3 != 0) return (TRAP_MISALIGNED_JUMP, 0);
        if (opcode != 0x63) s.setReg(rd, next);
        return (0, target);
    }

    // ---- Integer operations ---------------------------------------------------------------

    uint256 internal constant ADD = 0;
    uint256 internal constant SUB = 1;
    uint256 internal constant SLL = 2;
    uint256 internal constant SLT = 3;
    uint256 internal constant SLTU = 4;
    uint256 internal constant XOR = 5;
    uint256 internal constant SRL = 6;
    uint256 internal constant SRA = 7;
    uint256 internal constant OR = 8;
    uint256 internal constant AND = 9;
    uint256 internal constant MUL = 10; // MUL + f3: mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    uint256 internal constant DIV = 14;
    uint256 internal constant ILLEGAL = 255;

    /// @notice The operation of an OP, OP-32, OP-IMM or OP-IMM-32 word and its second operand.
    function _decodeAlu(uint256 w, uint256 opcode, uint256 f3, uint256 rs2Value)
        internal
        pure
        returns (uint256 op, uint256 b)
    {
        uint256 f7 = w >> 25;
        if (opcode == 0x33) {
            if (f7 == 0) return ([ADD, SLL, SLT, SLTU, XOR, SRL, OR, AND][f3], rs2Value);
            if (f7 == 0x20) return (f3 == 0 ? SUB : f3 == 5 ? SRA : ILLEGAL, rs2Value);
            if (f7 == 1) return (MUL + f3, rs2Value);
            return (ILLEGAL, 0);
        }
        if (opcode == 0x3b) {
            if (f7 == 0) return (f3 == 0 ? ADD : f3 == 1 ? SLL : f3 == 5 ? SRL : ILLEGAL, rs2Value);
            if (f7 == 0x20) return (f3 == 0 ? SUB : f3 == 5 ? SRA : ILLEGAL, rs2Value);
            if (f7 == 1 && (f3 == 0 || f3 >= 4)) return (MUL + f3, rs2Value);
            return (ILLEGAL, 0);
        }
        if (opcode == 0x13) {
            uint256 shamt = (w >> 20) & 63;
            if (f3 == 1) return (w >> 26 == 0 ? SLL : ILLEGAL, shamt);
            if (f3 == 5) return (w >> 26 == 0 ? SRL : w >> 26 == 0x10 ? SRA : ILLEGAL, shamt);
            return ([ADD, 0, SLT, SLTU, XOR, 0, OR, AND][f3], _immI(w));
        }
        // OP-IMM-32
        uint256 shamt32 = (w >> 20) & 31;
        if (f3 == 0) return (ADD, _immI(w));
        if (f3 == 1) return (f7 == 0 ? SLL : ILLEGAL, shamt32);
        if (f3 == 5) return (f7 == 0 ? SRL : f7 == 0x20 ? SRA : ILLEGAL, shamt32);
        return (ILLEGAL, 0);
    }

    /// @notice OP, OP-32, OP-IMM and OP-IMM-32.
    function _aluOp(uint256 s, uint256 w, uint256 opcode) internal pure returns (uint256) {
        (uint256 op, uint256 b) = _decodeAlu(w, opcode, (w >> 12) & 7, s.reg((w >> 20) & 31));
        if (op == ILLEGAL) return TRAP_ILLEGAL_INSTRUCTION;
        uint256 a = s.reg((w >> 15) & 31);
        s.setReg((w >> 7) & 31, opcode == 0x13 || opcode == 0x33 ? _alu64(op, a, b) : _alu32(op, a, b));
        return 0;
    }

    function _alu64(uint256 op, uint256 a, uint256 b) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let sa := signextend(7, a)
            let sb := signextend(7, b)
            switch op
            case 0 { r := add(a, b) }
            case 1 { r := sub(a, b) }
            case 2 { r := shl(and(b, 63), a) }
            case 3 { r := slt(sa, sb) }
            case 4 { r := lt(a, b) }
            case 5 { r := xor(a, b) }
            case 6 { r := shr(and(b, 63), a) }
            case 7 { r := sar(and(b, 63), sa) }
            case 8 { r := or(a, b) }
            case 9 { r := and(a, b) }
            case 10 { r := mul(a, b) }
            case 11 { r := sar(64, mul(sa, sb)) }
            case 12 { r := sar(64, mul(sa, b)) }
            case 13 { r := shr(64, mul(a, b)) }
            default { r := 0 }
            r := and(r, MASK64)
        }
        if (op >= DIV) r = _divRem(op, a, b, 7) & MASK64;
    }

    function _alu32(uint256 op, uint256 a, uint256 b) internal pure returns (uint256 r) {
        a &= MASK32;
        b &= MASK32;
        if (op >= DIV) {
            r = _divRem(op, a, b, 3);
        } else {
            assembly ("memory-safe") {
                switch op
                case 0 { r := add(a, b) }
                case 1 { r := sub(a, b) }
                case 2 { r := shl(and(b, 31), a) }
                case 6 { r := shr(and(b, 31), a) }
                case 7 { r := sar(and(b, 31), signextend(3, a)) }
                default { r := mul(a, b) }
            }
        }
        assembly ("memory-safe") {
            r := and(signextend(3, r), MASK64)
        }
    }

    /// @notice div, divu, rem, remu on operands of `signByte + 1` bytes (7: 64-bit, 3: 32-bit),
    ///         before narrowing. Division by zero has the ISA's results; sdiv and smod already
    ///         give the overflow ones (MIN / -1 = MIN, MIN % -1 = 0).
    function _divRem(uint256 op, uint256 a, uint256 b, uint256 signByte) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let sa := signextend(signByte, a)
            let sb := signextend(signByte, b)
            switch op
            case 14 {
                r := sdiv(sa, sb)
                if iszero(b) { r := not(0) }
            }
            case 15 {
                r := div(a, b)
                if iszero(b) { r := not(0) }
            }
            case 16 {
                r := smod(sa, sb)
                if iszero(b) { r := a }
            }
            default {
                r := mod(a, b)
                if iszero(b) { r := a }
            }
        }
    }

    function _taken(uint256 f3, uint256 a, uint256 b) internal pure returns (bool t) {
        assembly ("memory-safe") {
            let sa := signextend(7, a)
            let sb := signextend(7, b)
            switch f3
            case 0 { t := eq(a, b) }
            case 1 { t := iszero(eq(a, b)) }
            case 4 { t := slt(sa, sb) }
            case 5 { t := iszero(slt(sa, sb)) }
            case 6 { t := lt(a, b) }
            default { t := iszero(lt(a, b)) }
        }
    }

    // ---- Memory ---------------------------------------------------------------------------

    /// @notice Loads, stores, and the atomics.
    function _memoryOp(uint256 s, uint256 w) internal pure returns (uint256) {
        (uint256 addr, uint256 width) = _address(s, w);
        // No width: `addr` is the trap.
        if (width == 0) return addr;
        uint256 opcode = w & 0x7f;
        if (opcode == 0x03) {
            uint256 old = RiscVMemory.readLE(_leaf(s, 1, addr), addr, width);
            // lb, lh, lw sign-extend; ld and the unsigned forms do not.
            s.setReg((w >> 7) & 31, (w >> 12) & 7 < 3 ? _sext(old, 8 * width) : old);
        } else if (opcode == 0x23) {
            _storeLE(s, addr, width, s.reg((w >> 20) & 31));
        } else {
            _atomic(s, w, addr, width);
        }
        return 0;
    }

    /// @notice lr, sc and the read-modify-write operations. The 32-bit forms work on
    ///         sign-extended words, as the emulator does.
    function _atomic(uint256 s, uint256 w, uint256 addr, uint256 width) internal pure {
        bytes32 leaf = _leaf(s, 1, addr);
        uint256 old = RiscVMemory.readLE(leaf, addr, width);
        uint256 value = s.reg((w >> 20) & 31);
        if (width == 4) {
            old = _sext(old, 32);
            value = _sext(value & MASK32, 32);
        }
        uint256 rd = (w >> 7) & 31;
        uint256 funct5 = w >> 27;
        if (funct5 == 2) {
            s.setReg(rd, old);
            s.setU64(RiscVState.RESERVATION, addr);
        } else if (funct5 == 3) {
            bool reserved = s.u64(RiscVState.RESERVATION) == addr;
            if (reserved) _store(s, addr, RiscVMemory.writeLE(leaf, addr, width, value));
            s.setU64(RiscVState.RESERVATION, MASK64);
            s.setReg(rd, reserved ? 0 : 1);
        } else {
            _store(s, addr, RiscVMemory.writeLE(leaf, addr, width, _amo(funct5, old, value)));
            s.setReg(rd, old);
        }
    }

    /// @notice A memory instruction's address and width; or, with width 0, the trap its
    ///         decoding, alignment or range gives (checked in that order, as the emulator does).
    function _address(uint256 s, uint256 w) internal pure returns (uint256 addr, uint256 width) {
        uint256 opcode = w & 0x7f;
        uint256 f3 = (w >> 12) & 7;
        uint256 base = s.reg((w >> 15) & 31);
        if (opcode == 0x03) {
            if (f3 == 7) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            width = uint256(1) << (f3 & 3);
            addr = _add(base, _immI(w));
        } else if (opcode == 0x23) {
            if (f3 > 3) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            width = uint256(1) << f3;
            addr = _add(base, _immS(w));
        } else {
            if (f3 != 2 && f3 != 3) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            // lr (with rs2 = 0), sc, and the nine read-modify-write operations.
            uint256 funct5 = w >> 27;
            bool known = (funct5 == 2 && (w >> 20) & 31 == 0) || funct5 == 3 || funct5 == 0 || funct5 == 1
                || funct5 == 4 || funct5 == 8 || funct5 == 12 || funct5 == 16 || funct5 == 20 || funct5 == 24
                || funct5 == 28;
            if (!known) return (TRAP_ILLEGAL_INSTRUCTION, 0);
            width = f3 == 2 ? 4 : 8;
            addr = base;
        }
        if (addr & (width - 1) != 0) return (TRAP_MISALIGNED_ACCESS, 0);
        if (addr >= RiscVMemory.MEMORY_SIZE) return (TRAP_OUT_OF_RANGE, 0);
    }

    function _amo(uint256 funct5, uint256 old, uint256 v) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let so := signextend(7, old)
            let sv := signextend(7, v)
            switch funct5
            case 1 { r := v }
            case 0 { r := add(old, v) }
            case 4 { r := xor(old, v) }
            case 12 { r := and(old, v) }
            case 8 { r := or(old, v) }
            case 16 {
                r := old
                if slt(sv, so) { r := v }
            }
            case 20 {
                r := old
                if sgt(sv, so) { r := v }
            }
            case 24 {
                r := old
                if lt(v, old) { r := v }
            }
            default {
                r := old
                if gt(v, old) { r := v }
            }
            r := and(r, MASK64)
        }
    }

    /// @notice Writes the low `width` bytes of `value` at `addr` through the data proof (checked
    ///         again here: a store reads nothing else of it) and sets the new memory root.
    function _storeLE(uint256 s, uint256 addr, uint256 width, uint256 value) internal pure {
        bytes32 leaf = _leaf(s, 1, addr);
        _store(s, addr, RiscVMemory.writeLE(leaf, addr, width, value));
    }

    /// @notice Sets the memory root to the one the (checked) data proof gives with `leaf`.
    function _store(uint256 s, uint256 addr, bytes32 leaf) internal pure {
        s.setWord(0, RiscVMemory.rootWith(uint256(s.word(RiscVState.PROOFS_OFFSET)), 1, addr, leaf));
    }

    /// @notice The leaf holding `addr` from proof `which`, checked against the memory root.
    function _leaf(uint256 s, uint256 which, uint256 addr) internal pure returns (bytes32) {
        return RiscVMemory.leaf(
            uint256(s.word(RiscVState.PROOFS_OFFSET)),
            uint256(s.word(RiscVState.PROOFS_LENGTH)),
            which,
            addr,
            s.word(0)
        );
    }

    // ---- Syscalls -------------------------------------------------------------------------

    /// @notice Serves an ecall (a7 the number, a0.. the arguments, a0 the result). A trap
    ///         leaves pc on the ecall; the caller moves it on only on success.
    function _syscall(uint256 s) internal view returns (uint256 trap) {
        uint256 number = s.reg(17);
        uint256 fd = s.reg(10);
        if (number == SYS_EXIT) {
            s.setByte(RiscVState.STATUS, RiscVState.EXITED);
            s.setU64(RiscVState.CODE, fd);
            return 0;
        }
        if (number != SYS_READ && number != SYS_WRITE) return TRAP_BAD_SYSCALL;
        uint256 result = EBADF;
        if (number == SYS_WRITE && (fd == 1 || fd == 2)) {
            result = s.reg(12);
        } else if (number == SYS_WRITE && fd == FD_PREIMAGE_KEY) {
            (trap, result) = _writeKey(s, s.reg(11), s.reg(12));
        } else if (number == SYS_READ && fd == FD_PREIMAGE_DATA) {
            (trap, result) = _readPreimage(s, s.reg(11), s.reg(12));
        }
        if (trap == 0) s.setReg(10, result);
    }

    /// @notice write(3, buf, count): shifts up to the rest of buf's leaf into the preimage key
    ///         and rewinds the preimage offset.
    function _writeKey(uint256 s, uint256 buf, uint256 count) internal pure returns (uint256, uint256) {
        if (buf >= RiscVMemory.MEMORY_SIZE) return (TRAP_OUT_OF_RANGE, 0);
        uint256 n = _min(count, 32 - (buf & 31));
        bytes32 leaf = _leaf(s, 1, buf);
        uint256 kept = n == 32 ? 0 : uint256(s.word(RiscVState.PREIMAGE_KEY)) << (8 * n);
        uint256 added = n == 0 ? 0 : uint256(RiscVMemory.readBytes(leaf, buf, n)) >> (256 - 8 * n);
        s.setWord(RiscVState.PREIMAGE_KEY, bytes32(kept | added));
        s.setU64(RiscVState.PREIMAGE_OFFSET, 0);
        return (0, n);
    }

    /// @notice read(4, buf, count): copies the next bytes of the framed preimage, up to the end
    ///         of buf's leaf, from the oracle.
    function _readPreimage(uint256 s, uint256 buf, uint256 count) internal view returns (uint256, uint256) {
        if (buf >= RiscVMemory.MEMORY_SIZE) return (TRAP_OUT_OF_RANGE, 0);
        uint256 offset = s.u64(RiscVState.PREIMAGE_OFFSET);
        (bytes32 part, uint256 partLength) = oracle.readPreimage(s.word(RiscVState.PREIMAGE_KEY), offset);
        uint256 n = _min(_min(count, 32 - (buf & 31)), partLength);
        bytes32 leaf = _leaf(s, 1, buf);
        _store(s, buf, RiscVMemory.writeBytes(leaf, buf, n, part));
        s.setU64(RiscVState.PREIMAGE_OFFSET, offset + n);
        return (0, n);
    }

    // ---- Immediates and arithmetic helpers --------------------------------------------------

    function _sext(uint256 v, uint256 bits) internal pure returns (uint256) {
        unchecked {
            uint256 sign = uint256(1) << (bits - 1);
            return ((v ^ sign) - sign) & MASK64;
        }
    }

    function _add(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            return (a + b) & MASK64;
        }
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _immI(uint256 w) internal pure returns (uint256) {
        return _sext(w >> 20, 12);
    }

    function _immS(uint256 w) internal pure returns (uint256) {
        return _sext(((w >> 25) << 5) | ((w >> 7) & 0x1f), 12);
    }

    function _immB(uint256 w) internal pure returns (uint256) {
        return _sext(
            ((w >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 0x3f) << 5) | (((w >> 8) & 0xf) << 1),
            13
        );
    }

    function _immU(uint256 w) internal pure returns (uint256) {
        return _sext(w & 0xfffff000, 32);
    }

    function _immJ(uint256 w) internal pure returns (uint256) {
        return _sext(
            ((w >> 31) << 20) | (((w >> 12) & 0xff) << 12) | (((w >> 20) & 1) << 11)
                | (((w >> 21) & 0x3ff) << 1),
            21
        );
    }
}
