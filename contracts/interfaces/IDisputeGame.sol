// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBatchInbox} from "./IBatchInbox.sol";
import {IBisectionGame} from "./IBisectionGame.sol";

/// @title IDisputeGame
/// @notice The ledger's dispute game: an `IBisectionGame` whose trace is the ledger's
///         transactions between the previous output (or genesis) and the disputed one, and
///         whose roots are ledger state roots. Once the segment is one transaction, the
///         challenger proves which transaction it is (its bytes and its place in the canonical
///         sequence, or the deposit) with `proveTransaction`; the game fixes the guest's input
///         from it: the agreed root, the proposer's root after it, the block context and the
///         transaction (see GuestInput). The game's shared moves, events and errors are
///         `IBisectionGame`'s. See docs/outputs.md and docs/vm.md.
interface IDisputeGame is IBisectionGame {
    /// @notice One record's share of the trace.
    /// @param dataHash The record's batch data hash; zero for a forced record (which has no data).
    /// @param firstPosition Trace position of the record's first transaction.
    /// @param forceStart Queue index of the first force-queue entry it consumed.
    /// @param forceCount How many force-queue entries it consumed (they come first).
    /// @param txCount How many batch transactions its data holds (they follow).
    struct Span {
        bytes32 dataHash;
        uint64 firstPosition;
        uint64 forceStart;
        uint64 forceCount;
        uint64 txCount;
    }

    /// @notice Which transaction the segment's start is: it carries one transaction and two
    ///         Merkle paths, never a whole record or layout, so its cost is bounded whatever the
    ///         records hold (docs/protocol.md, "Every step provable in one transaction").
    /// @param span The span holding the position (`layoutOf` computes the layout).
    /// @param spanIndex Its index in the layout.
    /// @param spanPath Its PaddedMerkle path to the game's layout root.
    /// @param feeRecipient For a sequenced record: the fee recipient its data names.
    /// @param blocksHash For a sequenced record: the hash of its blocks' framing.
    /// @param txRoot For a sequenced record: the root of its transactions (with the two above,
    ///        the record's dataHash; see BatchData).
    /// @param transaction The transaction: from the record's data, or the force-queue entry.
    /// @param txPath For a batch transaction: its PaddedMerkle path to txRoot (empty for an entry).
    /// @param entrySender For a force-queue entry: who enqueued it.
    struct TransactionProof {
        Span span;
        uint256 spanIndex;
        bytes32[] spanPath;
        address feeRecipient;
        bytes32 blocksHash;
        bytes32 txRoot;
        bytes transaction;
        bytes32[] txPath;
        address entrySender;
    }

    /// @notice The transaction's path does not lead to the record's txRoot.
    error TransactionNotInRecord(bytes32 txRoot, bytes32 implied);

    /// @notice Anyone, on the challenger's clock, once the segment is one transaction: prove
    ///         which it is and start its execution. An empty trace is decided at once.
    function proveTransaction(uint256 gameId, TransactionProof calldata proof) external;

    /// @notice The layout a game over output `outputIndex` uses, from the interval's headers.
    function layoutOf(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers)
        external
        view
        returns (Span[] memory spans, uint256 traceLength);
    /// @notice The L2 base fee the ledger charges, wei per gas.
    function l2BaseFee() external view returns (uint256);
    /// @notice The L2 state root before the first output.
    function genesisStateRoot() external view returns (bytes32);
}
