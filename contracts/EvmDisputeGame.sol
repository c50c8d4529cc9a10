// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BisectionGame} from "./BisectionGame.sol";
import {IEvmDisputeGame} from "./interfaces/IEvmDisputeGame.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {BatchData} from "./libraries/BatchData.sol";
import {BlockClaim} from "./libraries/BlockClaim.sol";
import {BlockLayout} from "./libraries/BlockLayout.sol";
import {EvmGenesis} from "./libraries/EvmGenesis.sol";

/// @title EvmDisputeGame
/// @notice See IEvmDisputeGame: the EVM chain's game, a `BisectionGame` over blocks whose roots
///         are header hashes, and whose last position is proven by `proveBlock`, which builds
///         the block's `BlockClaim` from what L1 holds: the deployment's chain parameters, the
///         record's span, its data commitment and block framing, the queue's accumulator and a
///         forced record's L1 time.
contract EvmDisputeGame is BisectionGame, IEvmDisputeGame {
    /// @notice The VM steps a disputed block is bisected over: 2^36. A block of the devnet's
    ///         30 M gas filled with ERC-20 transfers takes about 2^31 steps (docs/evm.md), and
    ///         the guest must halt before the end for the honest side to claim its exit; the
    ///         margin covers blocks whose gas buys more steps than an ERC-20 transfer does.
    ///         Each doubling costs one more round of the execution's bisection.
    uint64 internal constant EXECUTION_STEPS_EVM = 1 << 36;

    uint64 internal immutable GAS_LIMIT;
    uint64 internal immutable ELASTICITY;
    uint64 internal immutable MAX_CHANGE_DENOMINATOR;
    address internal immutable FEE_VAULT;

    /// @notice The game's parameters: the shared ones and the EVM chain's (docs/evm.md).
    struct Params {
        uint256 challengeBond;
        uint256 bondTaxBps;
        uint256 slashBps;
        uint256 clockDuration;
        /// @dev The genesis state root and the genesis block's gas limit and base fee: the
        ///      genesis header (at time 0) whose hash is the game's genesis leaf.
        bytes32 genesisStateRoot;
        uint256 gasLimit;
        uint256 genesisBaseFee;
        /// @dev EIP-1559's parameters of the L2 base fee.
        uint256 elasticity;
        uint256 maxChangeDenominator;
        /// @dev The L2 fee vault predeploy.
        address feeVault;
        /// @dev The step verifier and the EVM guest it runs (keepers/guest-evm/image.json).
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
                genesisRoot: _genesisHeaderHash(p),
                riscV: p.riscV,
                vmMemoryRoot: p.vmMemoryRoot,
                vmEntry: p.vmEntry,
                executionSteps: EXECUTION_STEPS_EVM
            })
        )
    {
        if (p.elasticity == 0 || p.elasticity > type(uint64).max) {
            revert InvalidParameter("elasticity");
        }
        if (p.maxChangeDenominator == 0 || p.maxChangeDenominator > type(uint64).max) {
            revert InvalidParameter("maxChangeDenominator");
        }
        if (p.feeVault == address(0)) revert InvalidParameter("feeVault");
        GAS_LIMIT = uint64(p.gasLimit);
        ELASTICITY = uint64(p.elasticity);
        MAX_CHANGE_DENOMINATOR = uint64(p.maxChangeDenominator);
        FEE_VAULT = p.feeVault;
    }

    /// @dev Checks the genesis fields before they are hashed (the base checks the rest).
    function _genesisHeaderHash(Params memory p) private pure returns (bytes32) {
        if (p.genesisStateRoot == 0) revert InvalidParameter("genesisStateRoot");
        // An intrinsic transaction costs 21,000 gas: a smaller block holds nothing.
        if (p.gasLimit < 21_000 || p.gasLimit > type(uint64).max) revert InvalidParameter("gasLimit");
        if (p.genesisBaseFee > type(uint64).max) revert InvalidParameter("genesisBaseFee");
        return EvmGenesis.headerHash(p.genesisStateRoot, uint64(p.gasLimit), uint64(p.genesisBaseFee), 0);
    }

    /// @inheritdoc IEvmDisputeGame
    function proveBlock(uint256 gameId, BlockProof calldata proof) external {
        Game storage g = _atPositionProof(gameId);
        uint64 position = g.lo;
        if (
            BlockLayout.rootOf(proof.span, proof.spanIndex, OUTPUT_INTERVAL, proof.spanPath) != g.layoutHash
                || !BlockLayout.contains(proof.span, position)
        ) {
            revert BadLayout(gameId);
        }
        _startExecution(gameId, g, position, _claim(g.loRoot, g.hiRoot, position, proof));
    }

    /// @inheritdoc IEvmDisputeGame
    function layoutOf(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers)
        external
        view
        returns (BlockSpan[] memory spans, uint256 traceLength)
    {
        return BlockLayout.build(
            headers, outputIndex, OUTPUT_INTERVAL, INBOX.recordHash(_lastRecordOf(outputIndex))
        );
    }

    /// @inheritdoc IEvmDisputeGame
    function genesisHeaderHash() external view returns (bytes32) {
        return GENESIS_ROOT;
    }

    /// @inheritdoc IEvmDisputeGame
    function l2GasLimit() external view returns (uint256) {
        return GAS_LIMIT;
    }

    /// @inheritdoc IEvmDisputeGame
    function elasticity() external view returns (uint256) {
        return ELASTICITY;
    }

    /// @inheritdoc IEvmDisputeGame
    function maxChangeDenominator() external view returns (uint256) {
        return MAX_CHANGE_DENOMINATOR;
    }

    /// @inheritdoc IEvmDisputeGame
    function feeVault() external view returns (address) {
        return FEE_VAULT;
    }

    /// @dev The trace of blocks: one span per record (BlockLayout).
    function _layout(uint256 outputIndex, IBatchInbox.BatchHeader[] calldata headers, bytes32 lastRecordHash)
        internal
        view
        override
        returns (bytes32 layoutHash, uint64 length)
    {
        BlockSpan[] memory spans;
        (spans, length) = BlockLayout.build(headers, outputIndex, OUTPUT_INTERVAL, lastRecordHash);
        layoutHash = BlockLayout.root(spans);
    }

    /// @dev The claim of the block at trace `position` (in `proof.span`) between the two hashes.
    function _claim(bytes32 parentHash, bytes32 claimedHash, uint256 position, BlockProof calldata proof)
        private
        view
        returns (bytes memory)
    {
        BlockClaim.Chain memory chain = BlockClaim.Chain({
            chainId: L2_CHAIN_ID,
            gasLimit: GAS_LIMIT,
            elasticity: ELASTICITY,
            maxChangeDenominator: MAX_CHANGE_DENOMINATOR,
            feeVault: FEE_VAULT,
            portal: PORTAL
        });
        return BlockClaim.encode(
            parentHash, claimedHash, chain, _inputs(position - proof.span.firstPosition, proof)
        );
    }

    /// @dev What block `index` of the span's record runs, as the node splits a record
    ///      (baton-l2's `record_blocks`): the record's queue entries all in its first block; a
    ///      sequenced record's blocks at their framed times with its transactions, fees to its
    ///      fee recipient; a forced record's one block at its L1 time, without transactions, its
    ///      priority fees burned (a zero beneficiary).
    function _inputs(uint256 index, BlockProof calldata proof)
        private
        view
        returns (BlockClaim.Inputs memory b)
    {
        BlockSpan calldata span = proof.span;
        if (index == 0 && span.forceCount != 0) {
            b.firstEntry = span.forceStart;
            // A record's entries were each enqueued by an L1 transaction: far fewer than 2^32.
            b.entryCount = uint32(span.forceCount);
            // One storage read names them all, however many (the queue's accumulator).
            b.entriesAccumulator = QUEUE.accumulatorOf(span.forceStart + span.forceCount);
        }
        if (span.dataHash == 0) {
            b.timestamp = INBOX.forcedTimestampOf(span.recordIndex);
            return b;
        }
        bytes32 dataHash = BatchData.dataHashOf(proof.feeRecipient, proof.blocksHash, proof.txRoot);
        if (dataHash != span.dataHash) revert RecordDataMismatch(span.dataHash, dataHash);
        (b.timestamp, b.firstTx, b.blockTxs) = BlockClaim.framedBlock(proof.framing, proof.blocksHash, index);
        b.beneficiary = proof.feeRecipient;
        b.txRoot = proof.txRoot;
        // The inbox caps a record's transactions (maxRecordTxs) far below 2^32.
        b.txCount = uint32(span.txCount);
    }
}
