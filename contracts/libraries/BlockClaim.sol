// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BlockClaim
/// @notice The claim the EVM guest checks for one disputed L2 block: "the block after the header
///         with this hash, built from these inputs, has a header with this hash" (docs/evm.md,
///         "A block's claim"). Its keccak-256 is the guest's input key; the guest reads the
///         bytes back through the preimage oracle, then the parent header, the entries (walked
///         back from the queue's accumulator after the last one, each step's preimage
///         `previous ‖ commitment`), the record's transaction tree and the state by hash.
///         Packed, big-endian, as baton-evm's `BlockClaim` reads it (252 bytes):
///         parentHash (32) | claimedHash (32) | chainId (8) | gasLimit (8) | elasticity (8) |
///         maxChangeDenominator (8) | feeVault (20) | portal (20) | timestamp (8) |
///         beneficiary (20) | firstEntry (8) | entryCount (4) | entriesAccumulator (32) | txRoot (32) |
///         txCount (4) | firstTx (4) | blockTxs (4).
///
///         Every field is one L1 holds: the deployment's parameters, a record header and the
///         parts of its data commitment (`BatchData`), the queue's stored accumulator. The
///         dispute game over blocks (`EvmDisputeGame.proveBlock`) builds it with this library
///         when it starts a block's execution.
library BlockClaim {
    /// @notice Bytes of a block's framing in a record's data: timestamp (8) and txCount (2).
    uint256 internal constant FRAMING_LENGTH = 10;

    /// @notice The framing does not hash to the record's `blocksHash`, or is not whole blocks.
    error FramingMismatch(bytes32 blocksHash, bytes32 framingHash, uint256 length);
    /// @notice The record has no block `index`.
    error NoSuchBlock(uint256 index, uint256 blocks);

    /// @notice The chain every block of a deployment runs on.
    struct Chain {
        uint64 chainId;
        uint64 gasLimit;
        uint64 elasticity;
        uint64 maxChangeDenominator;
        address feeVault;
        /// @dev Zero: a chain without deposits.
        address portal;
    }

    /// @notice What one block runs: its time and beneficiary, the queue entries it consumes and
    ///         its range of the record's transactions.
    struct Inputs {
        uint64 timestamp;
        /// @dev Zero in a forced record: its priority fees burn.
        address beneficiary;
        /// @dev Zero when it consumes no entry (every block of a record but the first).
        uint64 firstEntry;
        uint32 entryCount;
        /// @dev The queue's accumulator after its last entry, `accumulatorOf(firstEntry +
        ///      entryCount)` (zero when it consumes none).
        bytes32 entriesAccumulator;
        bytes32 txRoot;
        uint32 txCount;
        uint32 firstTx;
        uint32 blockTxs;
    }

    /// @notice The packed claim (see above).
    function encode(bytes32 parentHash, bytes32 claimedHash, Chain memory c, Inputs memory b)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(
            abi.encodePacked(
                parentHash,
                claimedHash,
                c.chainId,
                c.gasLimit,
                c.elasticity,
                c.maxChangeDenominator,
                c.feeVault,
                c.portal
            ),
            abi.encodePacked(
                b.timestamp,
                b.beneficiary,
                b.firstEntry,
                b.entryCount,
                b.entriesAccumulator,
                b.txRoot,
                b.txCount,
                b.firstTx,
                b.blockTxs
            )
        );
    }

    /// @notice Block `index` of a sequenced record, from its data's block framing (every block's
    ///         `timestamp (8) ‖ txCount (2)`, whose keccak-256 is the data commitment's
    ///         `blocksHash`): its timestamp, the tree position of its first transaction and its
    ///         number of transactions.
    function framedBlock(bytes calldata framing, bytes32 blocksHash, uint256 index)
        internal
        pure
        returns (uint64 timestamp, uint32 firstTx, uint32 blockTxs)
    {
        bytes32 framingHash = keccak256(framing);
        if (framingHash != blocksHash || framing.length % FRAMING_LENGTH != 0) {
            revert FramingMismatch(blocksHash, framingHash, framing.length);
        }
        uint256 blocks = framing.length / FRAMING_LENGTH;
        if (index >= blocks) revert NoSuchBlock(index, blocks);
        uint256 before;
        for (uint256 i; i < index; ++i) {
            before += _txCount(framing, i);
        }
        uint256 at = index * FRAMING_LENGTH;
        timestamp = uint64(bytes8(framing[at:at + 8]));
        // A record holds at most 2^32 - 1 transactions (its header's txCount).
        firstTx = uint32(before);
        blockTxs = uint32(_txCount(framing, index));
    }

    function _txCount(bytes calldata framing, uint256 i) private pure returns (uint256) {
        uint256 at = i * FRAMING_LENGTH + 8;
        return uint16(bytes2(framing[at:at + 2]));
    }
}
