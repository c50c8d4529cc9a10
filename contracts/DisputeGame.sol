// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BisectionGame} from "./BisectionGame.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {BatchData} from "./libraries/BatchData.sol";
import {DepositEntry} from "./libraries/DepositEntry.sol";
import {PaddedMerkle} from "./libraries/PaddedMerkle.sol";
import {TraceLayout} from "./libraries/TraceLayout.sol";
import {GuestInput} from "./libraries/GuestInput.sol";

/// @title DisputeGame
/// @notice See IDisputeGame: the ledger's game, a `BisectionGame` over the ledger's transactions
///         whose last position is proven by `proveTransaction`.
contract DisputeGame is BisectionGame, IDisputeGame {
    /// @notice The VM steps a disputed transaction is bisected over: 2^28. A ledger transfer
    ///         takes 11.6 M steps (docs/vm.md), so the guest halts well before the end, and a
    ///         halted machine steps to itself.
    uint64 internal constant EXECUTION_STEPS_LEDGER = 1 << 28;

    uint128 internal immutable L2_BASE_FEE;

    /// @notice The game's economic and timing parameters (docs/outputs.md, "Parameters").
    struct Params {
        uint256 challengeBond;
        uint256 bondTaxBps;
        uint256 slashBps;
        uint256 clockDuration;
        uint256 l2BaseFee;
        bytes32 genesisStateRoot;
        /// @dev The step verifier and the guest program it runs (keepers/guest/image.json).
        address riscV;
        bytes32 vmMemoryRoot;
        uint256 vmEntry;
    }

    /// @param oracle_ The output oracle; the registry, inbox, queue and output interval are read
    ///        from it (and the inbox) so they cannot disagree.
    /// @param portal_ The portal whose queue entries are deposits.
    constructor(address oracle_, address portal_, Params memory p)
        BisectionGame(
            oracle_,
            portal_,
            Shared({
                challengeBond: p.challengeBond,
                bondTaxBps: p.bondTaxBps,
                slashBps: p.slashBps,
                clockDuration: p.clockDuration,
                genesisRoot: p.genesisStateRoot,
                riscV: p.riscV,
                vmMemoryRoot: p.vmMemoryRoot,
                vmEntry: p.vmEntry,
                executionSteps: EXECUTION_STEPS_LEDGER
            })
        )
    {
        if (p.l2BaseFee > type(uint128).max) {
            revert InvalidParameter("l2BaseFee");
        }
        L2_BASE_FEE = uint128(p.l2BaseFee);
    }

    /// @inheritdoc IDisputeGame
    function proveTransaction(uint256 gameId, TransactionProof calldata proof) external {
        Game storage g = _atPositionProof(gameId);
        uint64 lo = g.lo;
        if (g.hi == lo) {
            // An empty trace has no transaction: the state after it is the state before it.
            if (g.loRoot == g.hiRoot) _proposerWins(gameId, g);
            else _challengerWins(gameId, g);
            return;
        }
        _startExecution(gameId, g, lo, _guestInput(gameId, g, lo, proof));
    }

    /// @inheritdoc IDisputeGame
    function layoutOf(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers)
        external
        view
        returns (Span[] memory spans, uint256 traceLength)
    {
        return TraceLayout.build(
            headers, outputIndex == 0, OUTPUT_INTERVAL, INBOX.recordHash(_lastRecordOf(outputIndex))
        );
    }

    /// @inheritdoc IDisputeGame
    function l2BaseFee() external view returns (uint256) {
        return L2_BASE_FEE;
    }

    /// @inheritdoc IDisputeGame
    function genesisStateRoot() external view returns (bytes32) {
        return GENESIS_ROOT;
    }

    /// @dev The transaction trace: one span per record (TraceLayout).
    function _layout(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers, bytes32 lastRecordHash)
        internal
        view
        override
        returns (bytes32 layoutHash, uint64 length)
    {
        Span[] memory spans;
        (spans, length) = TraceLayout.build(headers, outputIndex == 0, OUTPUT_INTERVAL, lastRecordHash);
        layoutHash = TraceLayout.root(spans);
    }

    /// @dev The guest's input for the transaction at trace position `position`: the agreed root,
    ///      the proposer's root after it, the block context and the transaction (GuestInput).
    ///      The proof names one span (checked against the layout root) and one transaction
    ///      (checked against the span's record or the force queue), so its cost does not depend
    ///      on the record.
    function _guestInput(uint256 gameId, Game storage g, uint256 position, TransactionProof calldata proof)
        private
        view
        returns (bytes memory)
    {
        Span calldata span = proof.span;
        if (
            TraceLayout.rootOf(span, proof.spanIndex, OUTPUT_INTERVAL, proof.spanPath) != g.layoutHash
                || !TraceLayout.contains(span, position)
        ) {
            revert BadLayout(gameId);
        }
        GuestInput.Context memory ctx = GuestInput.Context({
            preRoot: g.loRoot,
            claimedPostRoot: g.hiRoot,
            chainId: L2_CHAIN_ID,
            baseFee: L2_BASE_FEE,
            feeRecipient: _feeRecipient(span, proof)
        });
        uint256 offset = position - span.firstPosition;
        if (offset < span.forceCount) return _entryInput(ctx, span.forceStart + offset, proof);
        bytes32 txHash = keccak256(proof.transaction);
        bytes32 implied = PaddedMerkle.rootOf(txHash, offset - span.forceCount, span.txCount, proof.txPath);
        if (implied != proof.txRoot) revert TransactionNotInRecord(proof.txRoot, implied);
        return GuestInput.signed(ctx, txHash);
    }

    /// @dev A sequenced record's data names the fee recipient; a forced record's fees burn.
    function _feeRecipient(Span calldata span, TransactionProof calldata proof)
        private
        pure
        returns (address)
    {
        if (span.dataHash == 0) return address(0);
        bytes32 dataHash = BatchData.dataHashOf(proof.feeRecipient, proof.blocksHash, proof.txRoot);
        if (dataHash != span.dataHash) revert RecordDataMismatch(span.dataHash, dataHash);
        return proof.feeRecipient;
    }

    /// @dev Force-queue entry `queueIndex`: a deposit if the portal enqueued one, else a transaction.
    function _entryInput(GuestInput.Context memory ctx, uint256 queueIndex, TransactionProof calldata proof)
        private
        view
        returns (bytes memory)
    {
        if (!QUEUE.isEntry(queueIndex, proof.entrySender, proof.transaction)) {
            revert EntryMismatch(queueIndex);
        }
        (bool isDeposit, address recipient, uint256 amount) =
            DepositEntry.decode(proof.entrySender, proof.transaction, PORTAL);
        if (isDeposit) return GuestInput.deposit(ctx, recipient, amount);
        return GuestInput.signed(ctx, keccak256(proof.transaction));
    }
}
