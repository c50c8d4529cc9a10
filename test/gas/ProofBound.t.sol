// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DisputeTest} from "../utils/DisputeTest.sol";
import {GasMeasure} from "../utils/GasMeasure.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {BatchInbox} from "../../contracts/BatchInbox.sol";
import {BatchData} from "../../contracts/libraries/BatchData.sol";
import {IDisputeGame} from "../../contracts/interfaces/IDisputeGame.sol";
import {IBisectionGame} from "../../contracts/interfaces/IBisectionGame.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";

/// @notice "Every step provable in one L1 transaction" (docs/protocol.md), measured. The system
///         is deployed with the most permissive caps the inbox's constructor allows (so what
///         holds here holds for every deployment), the worst records the inbox then accepts are
///         posted for real, a proposer lies from the worst transaction on, and the honest
///         transaction proof is handed in. Its whole L1 cost (base, calldata under the EIP-7623
///         floor, execution with cold storage: each test runs isolated, as `--isolate` would) must stay under
///         PROOF_GAS_BOUND, far below the 16,777,216 per-transaction cap of EIP-7825.
contract ProofBoundTest is DisputeTest, GasMeasure {
    /// @dev The bound the issue set: a wide margin under EIP-7825's 2^24.
    uint256 internal constant PROOF_GAS_BOUND = 5_000_000;
    /// @dev A one-byte transaction: a type byte with no payload, a no-op (Malformed) on L2.
    bytes internal constant TINY = hex"02";

    function _profile() internal override returns (Deploy.Profile memory profile) {
        profile = super._profile();
        // The ceilings BatchInbox enforces (checked against its constants in setUp).
        profile.maxTxSize = 1 << 16;
        profile.maxRecordBytes = 120_000;
        profile.maxRecordTxs = _framable(120_000);
    }

    function setUp() public override {
        super.setUp();
        BatchInbox deployed = BatchInbox(address(inbox));
        assertEq(p.maxTxSize, deployed.TX_LENGTH_LIMIT(), "profile uses the largest transaction allowed");
        assertEq(p.maxRecordBytes, deployed.RECORD_BYTES_LIMIT(), "profile uses the largest record allowed");
        assertEq(inbox.maxRecordTxs(), _framable(p.maxRecordBytes), "and as many transactions as fit");
    }

    /// @dev Most one-byte transactions a record of `bytes_` bytes can frame in one block.
    function _framable(uint256 bytes_) internal pure returns (uint256) {
        return
            (bytes_ - BatchData.PREFIX_LENGTH - BatchData.BLOCK_HEADER_LENGTH)
                / (BatchData.TX_PREFIX_LENGTH + 1);
    }

    /// @dev A signed transfer carrying `dataLength` bytes of calldata: the ledger decodes it in full
    ///      and hashes it for its sender before refusing the calldata (a no-op, CalldataNotAllowed),
    ///      the most work one transaction of that size can cause in `Ledger.step`.
    function _largeTransaction(uint256 dataLength) internal view returns (bytes memory) {
        bytes memory data = new bytes(dataLength);
        for (uint256 i; i < dataLength; i += 32) {
            bytes32 word = keccak256(abi.encode(i));
            assembly ("memory-safe") {
                mstore(add(add(data, 0x20), i), word)
            }
        }
        return _signed(0, users[1], 1, data);
    }

    /// @dev Post one output interval whose first record holds `txs` in one block (no-ops on the
    ///      ledger) and whose other records are empty; propose it with a lie from the transaction
    ///      after `target` on; play the dispute down to `target` and hand in the honest proof.
    ///      Checks the proof's L1 gas against the bound and, when `name` is set, snapshots its
    ///      execution, calldata and total gas.
    function _proveStep(bytes[] memory txs, uint256 target, string memory name) internal {
        uint256 start = trace.length;
        _postInterval(txs);
        proposerLiesFrom = start + target + 1;
        uint256 outputIndex = _propose(_proposerRoot(trace.length));

        uint256 gameId = _challenge(honest, outputIndex);
        IBisectionGame.Game memory g = game.gameAt(gameId);
        while (g.proposerToMove || g.hi - g.lo > 1) {
            vm.warp(block.timestamp + 1);
            _moveOnce(gameId, Answer.Honest, true);
            g = game.gameAt(gameId);
        }
        assertEq(g.lo, target, "the game narrowed to the target");
        bytes memory cd =
            abi.encodeCall(IDisputeGame.proveTransaction, (gameId, _txProof(outputIndex, start + g.lo)));
        uint256 total = _call(cd);
        assertTrue(game.executionOf(gameId).inputKey != 0, "the execution started");
        uint256 l1Gas = _l1Gas(cd, total);
        assertLe(l1Gas, PROOF_GAS_BOUND, "the proof fits one L1 transaction with margin");
        if (bytes(name).length != 0) {
            uint256 calldataGas = _calldataGas(cd);
            vm.snapshotValue(GROUP, name, total - TX_BASE - calldataGas);
            vm.snapshotValue(GROUP, string.concat(name, "_calldata"), calldataGas);
            vm.snapshotValue(GROUP, string.concat(name, "_l1_total"), l1Gas);
        }
    }

    /// @dev Post an output interval: one record holding `txs` in one block, the others empty.
    function _postInterval(bytes[] memory txs) internal {
        uint256 recordIndex = inbox.recordCount();
        bytes memory data = _oneBlockData(txs);
        assertLe(data.length, inbox.maxRecordBytes(), "the record fits the cap");
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, uint32(txs.length));
        _submit(_eligibleLeader(), 0, h, data);
        headers.push(h);
        records.push(data);
        // Every transaction is a no-op, so the honest root stays put through the record.
        bytes32 root = model.stateRoot();
        for (uint256 i; i < txs.length; ++i) {
            trace.push(Position(Kind.Malformed, recordIndex, address(0), ""));
            roots.push(root);
        }
        for (uint256 r = 1; r < p.outputInterval; ++r) {
            _postRecord(new Kind[](0), 0, 0);
        }
        outputEnds.push(trace.length);
    }

    /// @dev Send `cd` to the game from a prover; returns the call's whole gas (Cancun rules).
    function _call(bytes memory cd) internal returns (uint256 total) {
        vm.prank(makeAddr("prover"));
        (bool ok, bytes memory ret) = address(game).call(cd);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return vm.lastCallGas().gasTotalUsed;
    }

    /// @dev The L1 gas of a transaction with calldata `cd` whose whole cost under Cancun rules was
    ///      `cancunTotal`: its execution plus 21,000 and the calldata at the greater of the
    ///      standard price and EIP-7623's floor (10 gas per token, a non-zero byte being 4 tokens).
    function _l1Gas(bytes memory cd, uint256 cancunTotal) internal pure returns (uint256) {
        uint256 standard = _calldataGas(cd);
        uint256 execution = cancunTotal - TX_BASE - standard;
        uint256 floor = standard * 10 / 4;
        return TX_BASE + execution + (standard > floor ? standard : floor);
    }

    function _tinies(uint256 n) internal pure returns (bytes[] memory txs) {
        txs = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            txs[i] = TINY;
        }
    }

    /// The deepest path: as many transactions as the record may hold, the last one proven.
    /// forge-config: default.isolate = true
    function test_gas_proveWorstStep_mostTransactions() public {
        uint256 n = inbox.maxRecordTxs();
        _proveStep(_tinies(n), n - 1, "dispute_prove_worst_most_txs");
    }

    /// The largest transaction, last behind as many one-byte ones as still fit the record.
    /// forge-config: default.isolate = true
    function test_gas_proveWorstStep_largestTransaction() public {
        bytes memory big = _largeTransaction(inbox.maxTxLength() - 200);
        assertLe(big.length, inbox.maxTxLength());
        uint256 room = inbox.maxRecordBytes() - BatchData.PREFIX_LENGTH - BatchData.BLOCK_HEADER_LENGTH
            - BatchData.TX_PREFIX_LENGTH - big.length;
        bytes[] memory txs = _tinies(room / (BatchData.TX_PREFIX_LENGTH + 1) + 1);
        txs[txs.length - 1] = big;
        _proveStep(txs, txs.length - 1, "dispute_prove_worst_largest_tx");
    }

    /// Any shape the inbox accepts: a large transaction of any size somewhere among any number
    /// of one-byte ones, any of them proven.
    /// forge-config: default.fuzz.runs = 8
    /// forge-config: default.isolate = true
    function testFuzz_anyRecordShape_stepFitsOneTransaction(
        uint256 dataLength,
        uint256 tinyCount,
        uint256 bigAt,
        uint256 target
    ) public {
        bytes memory big = _largeTransaction(bound(dataLength, 0, inbox.maxTxLength() - 200));
        uint256 room = inbox.maxRecordBytes() - BatchData.PREFIX_LENGTH - BatchData.BLOCK_HEADER_LENGTH
            - BatchData.TX_PREFIX_LENGTH - big.length;
        uint256 most = room / (BatchData.TX_PREFIX_LENGTH + 1);
        if (most > inbox.maxRecordTxs() - 1) most = inbox.maxRecordTxs() - 1;
        bytes[] memory txs = _tinies(bound(tinyCount, 0, most) + 1);
        bigAt = bound(bigAt, 0, txs.length - 1);
        txs[bigAt] = big;
        _proveStep(txs, bound(target, 0, txs.length - 1), "");
    }
}
