// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SequencingTest} from "./utils/SequencingTest.sol";
import {TinyGuest} from "./utils/TinyGuest.sol";
import {BatchDataModel} from "./utils/BatchDataModel.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {EvmDisputeGame} from "../contracts/EvmDisputeGame.sol";
import {BisectionGame} from "../contracts/BisectionGame.sol";
import {L1OutputOracle} from "../contracts/L1OutputOracle.sol";
import {Portal} from "../contracts/Portal.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IBisectionGame} from "../contracts/interfaces/IBisectionGame.sol";
import {IEvmDisputeGame} from "../contracts/interfaces/IEvmDisputeGame.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {BlockClaim} from "../contracts/libraries/BlockClaim.sol";
import {EvmGenesis} from "../contracts/libraries/EvmGenesis.sol";

/// @notice The EVM chain's dispute game over blocks, deployed by the real script with the
///         devnet profile, on a real history: three bonded sequencers; records of several
///         blocks with transactions, queue entries (a user's and a portal deposit) consumed by
///         a record's first block, and a forced record. The header hashes are the test's own
///         (L1 never reads a header: the guest does), so either side can be played honestly or
///         lie from any block. The game must build, for every block, the claim the test builds
///         from what it posted (its framing, its fee recipient, its transactions, the entries
///         it enqueued, the forced record's L1 time), and the execution ends on the real RiscV
///         verifier with TinyGuest standing in for the EVM guest (its verdict: `exitCode`).
abstract contract EvmDisputeGameTest is SequencingTest {
    /// @dev One block of the history, as the test knows it.
    struct Block {
        uint256 record;
        uint256 index;
        uint64 timestamp;
        uint32 firstTx;
        uint32 blockTxs;
    }

    /// @dev One record of the history, as the test knows it.
    struct Record {
        bytes data;
        uint256 blocks;
        uint256 forceStart;
        bytes32[] commitments;
        uint64 forcedTime;
        uint32 txCount;
    }

    address internal constant FEE_RECIPIENT = address(0xfee0);
    address internal constant FEE_VAULT = 0xBA70000000000000000000000000000000000019;

    EvmDisputeGame internal game;
    L1OutputOracle internal oracle;
    Portal internal portal;
    Op[] internal ops;
    address internal honest = makeAddr("honest challenger");
    address internal depositor = makeAddr("depositor");
    address internal l2Recipient = makeAddr("l2 recipient");
    /// @dev TinyGuest's verdict on every disputed block (set before setUp): 1 rejects the
    ///      claim, 0 accepts it.
    uint256 internal exitCode;

    Block[] internal blocks;
    Record[] internal records;
    IBatchInbox.BatchHeader[] internal headers;
    /// @dev outputEnds[k]: the blocks from genesis to output k's last.
    uint256[] internal outputEnds;
    /// @dev The proposer's header hash after `n` blocks is wrong from `n == liesFrom` on.
    uint256 internal liesFrom = type(uint256).max;

    /// @dev How a challenger answers the proposer's midpoints.
    enum Answer {
        Honest,
        AlwaysAgree,
        AlwaysDisagree
    }

    function _profile() internal view override returns (Deploy.Profile memory profile) {
        profile = script.loadProfile("devnet");
        profile.vmMemoryRoot = TinyGuest.memoryRoot(exitCode);
        profile.vmEntry = TinyGuest.ENTRY;
    }

    function setUp() public override {
        super.setUp();
        game = EvmDisputeGame(address(deployment.game));
        oracle = deployment.oracle;
        portal = deployment.portal;
        Op[] memory three = _threeOps();
        for (uint256 i; i < three.length; ++i) {
            ops.push(three[i]);
        }
        // Output 0's interval: four records, seven blocks.
        _enqueue(hex"f00d");
        _deposit(l2Recipient, 1 ether);
        uint16[] memory counts = new uint16[](3);
        (counts[0], counts[1], counts[2]) = (2, 0, 1);
        _postSequenced(counts);
        _postForced(hex"beef01");
        counts = new uint16[](1);
        counts[0] = 3;
        _postSequenced(counts);
        counts = new uint16[](2);
        _postSequenced(counts);
        outputEnds.push(blocks.length);
    }

    // ------------------------------------------------------------------ history

    function _deposit(address recipient, uint256 amount) internal {
        uint256 value = amount + queue.inclusionFee();
        vm.deal(depositor, value);
        vm.prank(depositor);
        portal.deposit{value: value}(recipient);
    }

    /// @dev Post a sequenced record with one block per count (that many transactions each),
    ///      consuming every queue entry not yet consumed.
    function _postSequenced(uint16[] memory txCounts) internal {
        uint256 recordIndex = inbox.recordCount();
        bytes memory data = BATCH_PREFIX;
        uint32 txs;
        for (uint256 b; b < txCounts.length; ++b) {
            uint64 time = uint64(1_700_000_100 + 7 * recordIndex + b);
            data = bytes.concat(data, bytes8(time), bytes2(txCounts[b]));
            for (uint256 t; t < txCounts[b]; ++t) {
                bytes memory raw = abi.encodePacked("tx", recordIndex, b, t);
                data = bytes.concat(data, bytes3(uint24(raw.length)), raw);
            }
            blocks.push(Block(recordIndex, b, time, txs, txCounts[b]));
            txs += txCounts[b];
        }
        Record storage r = _newRecord(data, txCounts.length);
        r.txCount = txs;
        IBatchInbox.BatchHeader memory h = _nextHeader(data, txCounts.length, txs);
        h.forceIndex = uint64(queue.length());
        _submit(_leader(), 0, h, data);
        headers.push(h);
    }

    /// @dev Post the records of the next output interval in shapes `seed` draws: each record
    ///      after 0 to 2 new queue entries (a user's or a deposit), sequenced with 1 to 3 blocks
    ///      of 0 to 3 transactions each, or one in five forced.
    function _postRandomInterval(uint256 seed) internal {
        for (uint256 r; r < p.outputInterval; ++r) {
            uint256 draw = uint256(keccak256(abi.encode(seed, r)));
            for (uint256 e; e < draw % 3; ++e) {
                if ((draw >> (8 + e)) & 1 == 0) _enqueue(abi.encodePacked("entry", seed, r, e));
                else _deposit(l2Recipient, 1 ether);
            }
            if ((draw >> 16) % 5 == 0) {
                _postForced(abi.encodePacked("forced", seed, r));
                continue;
            }
            uint16[] memory counts = new uint16[](1 + (draw >> 24) % 3);
            for (uint256 b; b < counts.length; ++b) {
                counts[b] = uint16((draw >> (32 + 8 * b)) % 4);
            }
            _postSequenced(counts);
        }
        outputEnds.push(blocks.length);
    }

    /// @dev Enqueue `entry`, let it go overdue and force it in: a record of one block.
    function _postForced(bytes memory entry) internal {
        uint256 recordIndex = inbox.recordCount();
        _enqueue(entry);
        vm.roll(block.number + queue.inclusionDelay() + 1);
        vm.warp(block.timestamp + 1000);
        Record storage r = _newRecord("", 1);
        r.forcedTime = uint64(block.timestamp);
        blocks.push(Block(recordIndex, 0, uint64(block.timestamp), 0, 0));
        IBatchInbox.BatchHeader memory h = IBatchInbox.BatchHeader({
            chainId: p.l2ChainId,
            epoch: uint64(registry.currentEpoch()),
            firstBlock: inbox.lastL2Block() + 1,
            lastBlock: inbox.lastL2Block() + 1,
            prevRecordHash: inbox.lastRecordHash(),
            dataHash: 0,
            txCount: 0,
            forceIndex: uint64(queue.length())
        });
        inbox.submitForcedRecord(queue.length());
        headers.push(h);
    }

    /// @dev A new record consuming the entries from the queue's cursor to its end (their
    ///      commitments as the test computes them from what it enqueued).
    function _newRecord(bytes memory data, uint256 blockCount) internal returns (Record storage r) {
        r = records.push();
        r.data = data;
        r.blocks = blockCount;
        r.forceStart = queue.cursor();
        for (uint256 i = queue.cursor(); i < queue.length(); ++i) {
            r.commitments.push(_enqueuedAt(i));
        }
    }

    /// @dev What the test enqueued, by queue index: keccak256(sender ‖ data).
    mapping(uint256 => bytes32) internal _enqueued;

    function _enqueue(bytes memory transaction) internal override returns (uint256 index) {
        index = super._enqueue(transaction);
        _enqueued[index] = keccak256(abi.encodePacked(user, transaction));
    }

    /// @dev Queue entry `i`'s commitment, the deposit's computed from the portal's entry.
    function _enqueuedAt(uint256 i) internal view returns (bytes32) {
        if (_enqueued[i] != 0) return _enqueued[i];
        return keccak256(abi.encodePacked(address(portal), portal.depositEntry(l2Recipient, 1 ether)));
    }

    /// @dev The queue's accumulator over its first `count` entries, folded by the test from what
    ///      it enqueued.
    function _accumulated(uint256 count) internal view returns (bytes32 acc) {
        for (uint256 i; i < count; ++i) {
            acc = keccak256(abi.encodePacked(acc, _enqueuedAt(i)));
        }
    }

    function _leader() internal returns (Op memory) {
        for (uint256 tries; tries < 20; ++tries) {
            (,, bool eligible) = registry.scheduledSigner(registry.currentEpoch(), 0);
            if (eligible) return _scheduled(ops, 0);
            registry.checkpoint();
            _rollToEpoch(registry.currentEpoch() + 1);
        }
        revert("no eligible leader");
    }

    // ------------------------------------------------------------------ the two sides

    /// @dev The honest header hash after `n` blocks (the genesis header's at 0).
    function _leaf(uint256 n) internal view returns (bytes32) {
        return n == 0 ? game.genesisHeaderHash() : keccak256(abi.encode("header", n));
    }

    function _proposerLeaf(uint256 n) internal view returns (bytes32) {
        return n >= liesFrom ? keccak256(abi.encode("a lie", n)) : _leaf(n);
    }

    function _propose() internal returns (uint256 outputIndex) {
        for (uint256 i; i < ops.length; ++i) {
            if (registry.isActive(ops[i].operator)) {
                uint256 next = oracle.outputCount();
                bytes32 root = _proposerLeaf(outputEnds[next]);
                vm.prank(ops[i].operator);
                return oracle.proposeOutput(next, root);
            }
        }
        revert("no active operator");
    }

    function _challenge() internal returns (uint256 gameId) {
        return _challenge(0);
    }

    /// @dev Open a game against output `outputIndex` as the honest challenger.
    function _challenge(uint256 outputIndex) internal returns (uint256 gameId) {
        uint256 bond = game.challengeBond();
        vm.deal(honest, honest.balance + bond);
        bytes32 start = outputIndex == 0 ? _leaf(0) : _proposerLeaf(_base(outputIndex));
        bytes32 claimed = _proposerLeaf(outputEnds[outputIndex]);
        IBatchInbox.BatchHeader[] memory hs = _headersFor(outputIndex);
        vm.prank(honest);
        gameId = game.challenge{value: bond}(outputIndex, start, claimed, hs);
    }

    /// @dev The blocks before output `outputIndex`'s interval.
    function _base(uint256 outputIndex) internal view returns (uint256) {
        return outputIndex == 0 ? 0 : outputEnds[outputIndex - 1];
    }

    /// @dev The record headers a game over `outputIndex` needs.
    function _headersFor(uint256 outputIndex) internal view returns (IBatchInbox.BatchHeader[] memory hs) {
        uint256 interval = p.outputInterval;
        uint256 first = outputIndex == 0 ? 0 : outputIndex * interval - 1;
        hs = new IBatchInbox.BatchHeader[]((outputIndex + 1) * interval - first);
        for (uint256 i; i < hs.length; ++i) {
            hs[i] = headers[first + i];
        }
    }

    function _opOf(address operator) internal view returns (Op memory) {
        for (uint256 i; i < ops.length; ++i) {
            if (ops[i].operator == operator) return ops[i];
        }
        revert("unknown operator");
    }

    /// @dev Bisect down to one block, the challenger answering honestly.
    function _bisectToOneBlock(uint256 gameId) internal {
        _bisectToOneBlock(gameId, Answer.Honest);
    }

    /// @dev Bisect down to one block, the proposer posting its leaves, the challenger answering
    ///      per `answer`.
    function _bisectToOneBlock(uint256 gameId, Answer answer) internal {
        uint256 base = _base(game.gameAt(gameId).outputIndex);
        for (uint256 moves; moves < 40; ++moves) {
            IBisectionGame.Game memory g = game.gameAt(gameId);
            if (!g.proposerToMove && g.hi - g.lo <= 1) return;
            vm.warp(block.timestamp + 1);
            uint256 mid = base + (uint256(g.lo) + g.hi) / 2;
            if (g.proposerToMove) {
                bytes32 root = _proposerLeaf(mid);
                vm.prank(g.proposer);
                game.bisect(gameId, root);
            } else {
                bool agree =
                    answer == Answer.AlwaysAgree || (answer == Answer.Honest && g.midRoot == _leaf(mid));
                vm.prank(g.challenger);
                game.respond(gameId, agree);
            }
        }
        revert("bisection did not end");
    }

    /// @dev The proof of the block at trace `position` of output 0.
    function _proof(uint256 position) internal view returns (IEvmDisputeGame.BlockProof memory) {
        return _proof(0, position);
    }

    /// @dev The proof of block `global` (counted from genesis) in a game over `outputIndex`.
    function _proof(uint256 outputIndex, uint256 global)
        internal
        view
        returns (IEvmDisputeGame.BlockProof memory proof)
    {
        (IEvmDisputeGame.BlockSpan[] memory spans,) = game.layoutOf(outputIndex, _headersFor(outputIndex));
        Block storage b = blocks[global];
        proof.spanIndex = b.record - outputIndex * p.outputInterval;
        proof.span = spans[proof.spanIndex];
        bytes32[] memory leaves = new bytes32[](spans.length);
        for (uint256 i; i < spans.length; ++i) {
            leaves[i] = keccak256(abi.encode(spans[i]));
        }
        proof.spanPath = BatchDataModel.path(leaves, proof.spanIndex);
        Record storage r = records[b.record];
        if (r.data.length != 0) {
            BatchDataModel.Parsed memory parsed = BatchDataModel.parse(r.data, r.blocks, type(uint256).max);
            proof.feeRecipient = parsed.feeRecipient;
            proof.framing = parsed.framing;
            (, proof.blocksHash, proof.txRoot) = BatchDataModel.commitment(r.data, r.blocks);
        }
    }

    /// @dev The claim of the block at `position` as the test builds it from what it posted.
    function _expectedClaim(uint256 position, bytes32 parentHash, bytes32 claimedHash)
        internal
        view
        returns (bytes memory)
    {
        Block storage b = blocks[position];
        Record storage r = records[b.record];
        BlockClaim.Inputs memory inputs;
        inputs.timestamp = b.timestamp;
        if (b.index == 0 && r.commitments.length != 0) {
            inputs.firstEntry = uint64(r.forceStart);
            inputs.entryCount = uint32(r.commitments.length);
            inputs.entriesAccumulator = _accumulated(r.forceStart + r.commitments.length);
        }
        if (r.data.length != 0) {
            inputs.beneficiary = FEE_RECIPIENT;
            (,, inputs.txRoot) = BatchDataModel.commitment(r.data, r.blocks);
            inputs.txCount = r.txCount;
            inputs.firstTx = b.firstTx;
            inputs.blockTxs = b.blockTxs;
        }
        BlockClaim.Chain memory chain = BlockClaim.Chain({
            chainId: uint64(p.l2ChainId),
            gasLimit: uint64(p.l2GasLimit),
            elasticity: 2,
            maxChangeDenominator: 8,
            feeVault: FEE_VAULT,
            portal: address(portal)
        });
        return BlockClaim.encode(parentHash, claimedHash, chain, inputs);
    }

    /// @dev Play the execution to its end: the proposer claims TinyGuest's true states but
    ///      "exited 0" at the end, the challenger answers honestly and steps.
    function _playExecution(uint256 gameId) internal returns (IBisectionGame.Status) {
        for (uint256 moves; moves < 200; ++moves) {
            IBisectionGame.Game memory g = game.gameAt(gameId);
            if (g.status != IBisectionGame.Status.InProgress) return g.status;
            IBisectionGame.Execution memory e = game.executionOf(gameId);
            vm.warp(block.timestamp + 1);
            uint256 mid = (uint256(e.lo) + e.hi) / 2;
            if (g.proposerToMove) {
                bytes32 claim = e.hiClaim == 0
                    ? TinyGuest.asValid(TinyGuest.claimAt(exitCode, e.inputKey, e.hi))
                    : TinyGuest.claimAt(exitCode, e.inputKey, mid);
                vm.prank(_opOf(g.proposer).signer);
                game.bisect(gameId, claim);
            } else if (e.hi - e.lo > 1) {
                vm.prank(g.challenger);
                game.respond(gameId, e.midClaim == TinyGuest.claimAt(exitCode, e.inputKey, mid));
            } else {
                game.step(
                    gameId, TinyGuest.stateAt(exitCode, e.inputKey, e.lo), TinyGuest.proofsAt(exitCode, e.lo)
                );
            }
        }
        revert("execution did not end");
    }
}

/// @notice The game with a guest that rejects every claim: the lying proposer's.
contract EvmDisputeGame_Test is EvmDisputeGameTest {
    constructor() {
        exitCode = 1;
    }

    function test_deploy_picksTheGameOverBlocksWithTheEvmGuest() public view {
        assertEq(game.executionSteps(), 1 << 36, "steps");
        assertEq(game.l2GasLimit(), p.l2GasLimit, "gas limit");
        assertEq(game.elasticity(), 2);
        assertEq(game.maxChangeDenominator(), 8);
        assertEq(game.feeVault(), FEE_VAULT);
        assertEq(game.portal(), address(portal));
        assertEq(
            game.genesisHeaderHash(),
            EvmGenesis.headerHash(p.genesisStateRoot, uint64(p.l2GasLimit), uint64(p.l2BaseFee), 0),
            "genesis leaf"
        );
        // Without the test's stand-in, the profile runs the EVM guest's image.
        Deploy.Profile memory real = script.loadProfile("devnet");
        string memory image = vm.readFile("keepers/guest-evm/image.json");
        assertEq(real.vmMemoryRoot, vm.parseJsonBytes32(image, ".memoryRoot"), "EVM guest image");
        assertEq(real.vmEntry, vm.parseJsonUint(image, ".entry"));
        assertTrue(
            real.vmMemoryRoot != script.loadProfile("devnet-ledger").vmMemoryRoot, "not the ledger's guest"
        );
    }

    function test_layout_isTheRecordsBlocks() public view {
        (IEvmDisputeGame.BlockSpan[] memory spans, uint256 length) = game.layoutOf(0, headers);
        assertEq(length, 7, "blocks");
        assertEq(spans.length, 4);
        uint64[4] memory counts = [uint64(3), 1, 1, 2];
        uint64 first;
        for (uint256 i; i < 4; ++i) {
            assertEq(spans[i].recordIndex, i);
            assertEq(spans[i].blockCount, counts[i]);
            assertEq(spans[i].firstPosition, first);
            first += counts[i];
        }
        assertEq(spans[1].dataHash, 0, "the forced record has no data");
        assertEq(spans[0].forceCount, 2, "a user's entry and a deposit");
        assertEq(spans[1].forceStart, 2);
        assertEq(spans[1].forceCount, 1);
    }

    /// @notice Whichever block the proposer first lies about, the bisection ends there and
    ///         `proveBlock` hands the guest exactly the claim of that block.
    function test_proveBlock_buildsTheClaimOfEveryBlock() public {
        for (uint256 position; position < blocks.length; ++position) {
            uint256 snapshot = vm.snapshotState();
            liesFrom = position + 1;
            _propose();
            uint256 gameId = _challenge();
            _bisectToOneBlock(gameId);
            IBisectionGame.Game memory g = game.gameAt(gameId);
            assertEq(g.lo, position, "the first wrong block");
            bytes memory expected = _expectedClaim(position, _leaf(position), _proposerLeaf(position + 1));
            vm.expectEmit(address(game));
            emit IBisectionGame.ExecutionStarted(gameId, position, keccak256(expected), expected);
            game.proveBlock(gameId, _proof(position));
            assertEq(game.executionOf(gameId).inputKey, keccak256(expected));
            vm.revertToState(snapshot);
        }
    }

    function test_lyingProposerLosesAtOneStep() public {
        liesFrom = 4;
        uint256 outputIndex = _propose();
        address proposer = oracle.outputAt(outputIndex).proposer;
        uint256 stakeBefore = registry.stakeOf(proposer);
        uint256 gameId = _challenge();
        _bisectToOneBlock(gameId);
        game.proveBlock(gameId, _proof(game.gameAt(gameId).lo));
        assertEq(uint256(_playExecution(gameId)), uint256(IBisectionGame.Status.ChallengerWon));
        assertEq(oracle.outputCount(), 0, "output deleted");
        assertLt(registry.stakeOf(proposer), stakeBefore, "proposer slashed");
        assertEq(game.creditOf(honest), game.challengeBond(), "bond back");
    }

    /// @notice On any history shape, wherever in a later output the proposer first lies, an
    ///         honest challenger narrows the dispute to that block, the guest gets its claim,
    ///         and the liar loses at one step: its output goes, the earlier one stays.
    function testFuzz_liarLosesWhereverItFirstLies(uint256 seed, uint256 lieAt) public {
        _propose();
        _postRandomInterval(seed);
        uint256 base = outputEnds[0];
        liesFrom = base + 1 + lieAt % (outputEnds[1] - base);
        _propose();
        uint256 gameId = _challenge(1);
        _bisectToOneBlock(gameId);
        uint256 position = game.gameAt(gameId).lo;
        assertEq(base + position, liesFrom - 1, "the first wrong block");
        IEvmDisputeGame.BlockProof memory proof = _proof(1, base + position);
        game.proveBlock(gameId, proof);
        bytes memory expected = _expectedClaim(base + position, _leaf(liesFrom - 1), _proposerLeaf(liesFrom));
        assertEq(game.executionOf(gameId).inputKey, keccak256(expected), "the block's claim");
        assertEq(uint256(_playExecution(gameId)), uint256(IBisectionGame.Status.ChallengerWon));
        assertEq(oracle.outputCount(), 1, "only the lying output deleted");
    }

    function test_challenge_startsFromTheGenesisHeader() public {
        _propose();
        uint256 bond = game.challengeBond();
        vm.deal(honest, bond);
        vm.prank(honest);
        // The genesis state root is not the genesis leaf: the game bisects over header hashes.
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.RootMismatch.selector, p.genesisStateRoot));
        game.challenge{value: bond}(0, p.genesisStateRoot, _leaf(blocks.length), headers);
    }

    function test_proveBlock_refusesAnotherBlocksProof() public {
        liesFrom = 2;
        _propose();
        uint256 gameId = _challenge();
        _bisectToOneBlock(gameId);
        assertEq(game.gameAt(gameId).lo, 1);
        // A span that does not hold the position.
        IEvmDisputeGame.BlockProof memory other = _proof(4);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.BadLayout.selector, gameId));
        game.proveBlock(gameId, other);
        // The right span with another fee recipient: not the record's data.
        IEvmDisputeGame.BlockProof memory proof = _proof(1);
        proof.feeRecipient = address(0xbad);
        vm.expectRevert();
        game.proveBlock(gameId, proof);
        // Framing that is not the record's.
        proof = _proof(1);
        proof.framing = bytes.concat(proof.framing, bytes10(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                BlockClaim.FramingMismatch.selector,
                proof.blocksHash,
                keccak256(proof.framing),
                proof.framing.length
            )
        );
        game.proveBlock(gameId, proof);
        // A tampered span (another block count) is not in the layout.
        proof = _proof(1);
        proof.span.blockCount += 1;
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.BadLayout.selector, gameId));
        game.proveBlock(gameId, proof);
        proof = _proof(1);
        game.proveBlock(gameId, proof);
        // Once the execution started, no second proof.
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.proveBlock(gameId, proof);
    }

    function test_proveBlock_onlyAtOneBlock() public {
        liesFrom = 1;
        _propose();
        uint256 gameId = _challenge();
        IEvmDisputeGame.BlockProof memory proof = _proof(0);
        vm.expectRevert(abi.encodeWithSelector(IBisectionGame.WrongStage.selector, gameId));
        game.proveBlock(gameId, proof);
    }

    function test_accumulatorOf_chainsTheCommitmentsAndRefusesMissingEntries() public {
        uint256 length = queue.length();
        assertEq(queue.accumulatorOf(0), bytes32(0));
        for (uint256 count = 1; count <= length; ++count) {
            assertEq(queue.accumulatorOf(count), _accumulated(count));
        }
        assertEq(queue.accumulatorOf(2), keccak256(abi.encodePacked(queue.accumulatorOf(1), _enqueuedAt(1))));
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.EntriesOutOfRange.selector, length + 1, length)
        );
        queue.accumulatorOf(length + 1);
    }

    function test_constructor_checksTheChainParameters() public {
        EvmDisputeGame.Params memory q = _params();
        q.gasLimit = 20_999;
        _expectParam("gasLimit");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.genesisStateRoot = 0;
        _expectParam("genesisStateRoot");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.genesisBaseFee = uint256(type(uint64).max) + 1;
        _expectParam("genesisBaseFee");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.elasticity = 0;
        _expectParam("elasticity");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.maxChangeDenominator = 0;
        _expectParam("maxChangeDenominator");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.feeVault = address(0);
        _expectParam("feeVault");
        new EvmDisputeGame(address(oracle), address(portal), q);
        q = _params();
        q.bondTaxBps = 0;
        _expectParam("bondTaxBps");
        new EvmDisputeGame(address(oracle), address(portal), q);
        // The deployed parameters pass.
        new EvmDisputeGame(address(oracle), address(portal), _params());
    }

    function _params() internal view returns (EvmDisputeGame.Params memory) {
        return EvmDisputeGame.Params({
            challengeBond: p.challengeBond,
            bondTaxBps: p.bondTaxBps,
            slashBps: p.invalidOutputSlashBps,
            clockDuration: p.maxDisputeDuration / 2,
            genesisStateRoot: p.genesisStateRoot,
            gasLimit: p.l2GasLimit,
            genesisBaseFee: p.l2BaseFee,
            elasticity: 2,
            maxChangeDenominator: 8,
            feeVault: FEE_VAULT,
            riscV: game.riscV(),
            vmMemoryRoot: game.vmMemoryRoot(),
            vmEntry: game.vmEntry()
        });
    }

    function _expectParam(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(BisectionGame.InvalidParameter.selector, name));
    }
}

/// @notice The game with a guest that accepts every claim: the honest proposer's.
contract EvmDisputeGame_HonestProposer_Test is EvmDisputeGameTest {
    function test_challengerOfAnHonestOutputLoses() public {
        _propose();
        uint256 gameId = _challenge();
        // The challenger disputes the last block although every hash is right.
        _bisectToOneBlock(gameId, Answer.AlwaysAgree);
        game.proveBlock(gameId, _proof(game.gameAt(gameId).lo));
        assertEq(uint256(_playExecution(gameId)), uint256(IBisectionGame.Status.ProposerWon));
        assertEq(oracle.outputCount(), 1, "output kept");
    }

    /// @notice On any history shape, however a challenger answers, an honest proposer's output
    ///         stands and the challenger's bond goes to it, less the burned tax.
    function testFuzz_honestProposerBeatsAnyChallenger(uint256 seed, uint8 answer) public {
        _propose();
        _postRandomInterval(seed);
        uint256 outputIndex = _propose();
        address proposer = oracle.outputAt(outputIndex).proposer;
        uint256 gameId = _challenge(1);
        _bisectToOneBlock(gameId, Answer(answer % 3));
        IBisectionGame.Game memory g = game.gameAt(gameId);
        game.proveBlock(gameId, _proof(1, outputEnds[0] + g.lo));
        assertEq(uint256(_playExecution(gameId)), uint256(IBisectionGame.Status.ProposerWon));
        assertEq(oracle.outputCount(), 2, "outputs kept");
        uint256 bond = game.challengeBond();
        assertEq(game.creditOf(proposer), bond - bond * game.bondTaxBps() / 10_000, "bond less tax");
        assertEq(game.creditOf(honest), 0);
    }
}
