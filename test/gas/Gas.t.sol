// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "../utils/BatonTest.sol";
import {GasMeasure} from "../utils/GasMeasure.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "../../contracts/interfaces/IForceInclusionQueue.sol";
import {ISequencerRegistry} from "../../contracts/interfaces/ISequencerRegistry.sol";
import {ISlasher} from "../../contracts/interfaces/ISlasher.sol";
import {Ledger} from "../../contracts/libraries/ledger/Ledger.sol";
import {Eip1559Builder} from "../utils/Eip1559Builder.sol";
import {LedgerHarness} from "../utils/LedgerHarness.sol";
import {LedgerModel} from "../utils/LedgerModel.sol";
import {L1OutputOracle} from "../../contracts/L1OutputOracle.sol";
import {IL1OutputOracle} from "../../contracts/interfaces/IL1OutputOracle.sol";
import {Portal} from "../../contracts/Portal.sol";
import {IPortal} from "../../contracts/interfaces/IPortal.sol";
import {WithdrawalVectors} from "../utils/WithdrawalVectors.sol";

/// @notice Execution gas of each operation that has a goal in docs/gas.md, written to
///         snapshots/Gas.json (see GasMeasure; the dispute game's figures are in DisputeGas.t.sol).
///         Views are not isolated; their figures are the call's own gas with the storage they
///         read still cold (nothing touched it earlier in the test).
///         CI runs this with FORGE_SNAPSHOT_CHECK=true: a figure that moved fails the build
///         until snapshots/Gas.json and docs/gas.md are refreshed.
contract GasTest is BatonTest, GasMeasure {
    /// forge-config: default.isolate = true
    function test_gas_bond() public {
        _measureBond("bond_very_first_operator"); // also creates the active-set counter slot
        _measureBond("bond_first"); // a new operator joining a non-empty set: the usual case
    }

    /// @dev A full set of 100: the newcomer's stake beats the smallest seat, found by a scan.
    /// forge-config: default.isolate = true
    function test_gas_bond_displacingInFullSet() public {
        _bondOps(100);
        address operator = makeAddr("big");
        vm.deal(operator, 2 ether);
        bytes memory cd = abi.encodeCall(ISequencerRegistry.bond, (makeAddr("big-signer")));
        _measure("bond_displacing_smallest_of_100", operator, 2 ether, address(registry), cd);
    }

    /// forge-config: default.isolate = true
    function test_gas_enqueue() public {
        bytes memory transaction = new bytes(110); // the size of a signed EIP-1559 transfer
        for (uint256 i; i < transaction.length; ++i) {
            transaction[i] = bytes1(uint8(i + 1));
        }
        address user = makeAddr("user");
        vm.deal(user, 1 ether);
        bytes memory cd = abi.encodeCall(IForceInclusionQueue.enqueue, (transaction));
        _measure("enqueue_very_first", user, p.inclusionFee, address(queue), cd);
        // Entry 1 shares its deadline word with entry 0, as three entries in four do.
        _measure("enqueue_110_bytes", user, p.inclusionFee, address(queue), cd);
        for (uint256 i = 2; i < 4; ++i) {
            vm.prank(user);
            queue.enqueue{value: p.inclusionFee}(transaction);
        }
        // Entry 4 opens the second deadline word: every fourth entry pays for a new word.
        _measure("enqueue_110_bytes_new_deadline_word", user, p.inclusionFee, address(queue), cd);
    }

    /// forge-config: default.isolate = true
    function test_gas_leaderOf_100Sequencers() public {
        _bondOps(100);
        uint256 epoch = _activateSchedule();
        registry.leaderOf(epoch, 0);
        vm.snapshotGasLastCall(GROUP, "leaderOf_rank0_100_sequencers");
        registry.leaderOf(epoch, 1);
        vm.snapshotGasLastCall(GROUP, "leaderOf_rank1_100_sequencers");
    }

    /// @dev Steady state: nodes checkpoint every epoch, so the current epoch has a checkpoint
    ///      effective exactly at it (taken two epochs ago) while two later ones already exist.
    /// forge-config: default.isolate = true
    function test_gas_leaderOf_100Sequencers_checkpointEveryEpoch() public {
        _bondOps(100);
        uint256 epoch = _activateSchedule();
        registry.checkpoint();
        _rollToEpoch(epoch + 1);
        registry.checkpoint();
        _rollToEpoch(epoch + 2);
        registry.checkpoint();
        registry.leaderOf(epoch + 2, 0);
        vm.snapshotGasLastCall(GROUP, "leaderOf_rank0_100_sequencers_checkpoint_every_epoch");
    }

    /// @dev Checkpoints skipped: the current epoch has no entry of its own and an older
    ///      checkpoint, kept in a fixed slot, governs it.
    /// forge-config: default.isolate = true
    function test_gas_leaderOf_100Sequencers_checkpointsSkipped() public {
        _bondOps(100);
        uint256 epoch = _activateSchedule();
        _rollToEpoch(epoch + 5);
        registry.leaderOf(epoch + 5, 0);
        vm.snapshotGasLastCall(GROUP, "leaderOf_rank0_100_sequencers_checkpoints_skipped");
    }

    /// forge-config: default.isolate = true
    function test_gas_checkpoint_100Sequencers() public {
        _bondOps(100);
        bytes memory cd = abi.encodeWithSignature("checkpoint()");
        _measure("checkpoint_changed_set_100_sequencers", address(this), 0, address(registry), cd);
        _rollToEpoch(registry.currentEpoch() + 1);
        _measure("checkpoint_quiet_epoch", address(this), 0, address(registry), cd);
    }

    /// forge-config: default.isolate = true
    function test_gas_submitRecord() public {
        Op[] memory ops = _bondOps(3);
        _activateSchedule();
        Op memory leader = _scheduled(ops, 0);
        // The first record of an epoch also writes the epoch's posting slot.
        _measureRecord("submitRecord_first_in_epoch_empty_block", leader, 1, 1);
        _measureRecord("submitRecord_empty_block", leader, 1, 1);
        _measureRecord("submitRecord_1_tx", leader, 1, 0);
        _measureRecord("submitRecord_101_tx", leader, 101, 0);
    }

    /// forge-config: default.isolate = true
    function test_gas_proposeOutput() public {
        Op[] memory ops = _bondOps(3);
        _activateSchedule();
        Op memory leader = _scheduled(ops, 0);
        L1OutputOracle oracle =
            new L1OutputOracle(address(registry), address(inbox), makeAddr("game"), 1, p.finalizationPeriod);
        _post(leader, 0);
        _post(leader, 0);
        bytes memory cd = abi.encodeCall(IL1OutputOracle.proposeOutput, (0, keccak256("state 0")));
        _measure("proposeOutput_first", leader.operator, 0, address(oracle), cd);
        cd = abi.encodeCall(IL1OutputOracle.proposeOutput, (1, keccak256("state 1")));
        _measure("proposeOutput", leader.operator, 0, address(oracle), cd);
    }

    /// forge-config: default.isolate = true
    function test_gas_portal() public {
        Op[] memory ops = _bondOps(3);
        _activateSchedule();
        Op memory leader = _scheduled(ops, 0);
        address game = makeAddr("game");
        L1OutputOracle oracle =
            new L1OutputOracle(address(registry), address(inbox), game, 1, p.finalizationPeriod);
        Portal portal = new Portal(address(oracle), address(queue), address(inbox), false);
        address depositor = makeAddr("depositor");
        vm.deal(depositor, 10 ether);
        uint256 value = 1 ether + p.inclusionFee;
        bytes memory cd = abi.encodeCall(IPortal.deposit, (depositor));
        _measure("deposit_very_first", depositor, value, address(portal), cd); // creates the queue counter
        _measure("deposit", depositor, value, address(portal), cd);

        // A finalized output whose state holds one withdrawal among a few accounts.
        LedgerModel model = new LedgerModel();
        address sender = makeAddr("l2 sender");
        address recipient = makeAddr("l1 recipient");
        model.setAccount(sender, 5 ether, 8);
        model.setAccount(makeAddr("someone"), 1 ether, 0);
        bytes32 key = model.withdrawalKey(sender, 7);
        model.setWithdrawal(model.withdrawalKey(makeAddr("other"), 0), model.withdrawalLeaf(recipient, 1));
        model.setWithdrawal(key, model.withdrawalLeaf(recipient, 1 ether));
        _post(leader, 0);
        bytes32 stateRoot = model.stateRoot();
        vm.prank(leader.operator);
        oracle.proposeOutput(0, stateRoot);
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        bytes memory proof = model.withdrawalSiblings(key);
        IPortal.WithdrawalProof memory w = IPortal.WithdrawalProof({
            outputIndex: 0,
            stateRoot: stateRoot,
            accountsRoot: model.accountsRoot(),
            withdrawalsRoot: model.withdrawalsRoot(),
            l2Sender: sender,
            nonce: 7,
            l1Recipient: recipient,
            amount: 1 ether,
            proof: proof
        });
        cd = abi.encodeCall(IPortal.finalizeWithdrawal, (w));
        _measure("finalizeWithdrawal", makeAddr("relayer"), 0, address(portal), cd);
    }

    /// @dev The EVM chain's portal: a withdrawal baton's EVM executed (the vectors), proven
    ///      through the header a finalized output commits to.
    /// forge-config: default.isolate = true
    function test_gas_portal_evm() public {
        Op[] memory ops = _bondOps(3);
        _activateSchedule();
        Op memory leader = _scheduled(ops, 0);
        L1OutputOracle oracle =
            new L1OutputOracle(address(registry), address(inbox), makeAddr("game"), 1, p.finalizationPeriod);
        Portal portal = new Portal(address(oracle), address(queue), address(inbox), true);
        // A deposit calling an ERC-20's transfer (68 bytes of calldata) after the queue's first
        // entry (the very first one also creates the queue's counter).
        address depositor = makeAddr("depositor");
        vm.deal(depositor, 10 ether);
        portal.deposit{value: 1 ether + p.inclusionFee}(depositor);
        bytes memory transfer = abi.encodeWithSignature("transfer(address,uint256)", depositor, 1 ether);
        bytes memory call = abi.encodeCall(IPortal.depositCall, (makeAddr("token"), 100_000, transfer));
        _measure("depositCall_erc20_transfer", depositor, 1 ether + p.inclusionFee, address(portal), call);
        vm.deal(address(portal), 10 ether);
        string memory json = WithdrawalVectors.read();
        bytes memory header = WithdrawalVectors.header(json, 1_700_000_000);
        _post(leader, 0);
        vm.prank(leader.operator);
        oracle.proposeOutput(0, keccak256(header));
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(1);
        bytes memory cd =
            abi.encodeCall(IPortal.finalizeEvmWithdrawal, (WithdrawalVectors.proof(json, 0, 0, header)));
        _measure("finalizeEvmWithdrawal", makeAddr("relayer"), 0, address(portal), cd);
        vm.snapshotValue(GROUP, "finalizeEvmWithdrawal_calldata", _calldataGas(cd));
    }

    /// forge-config: default.isolate = true
    function test_gas_slashBlockEquivocation() public {
        _bond("bystander", 1 ether);
        Op memory op = _bond("equivocator", 1 ether);
        uint64 epoch = uint64(registry.currentEpoch());
        ISlasher.BlockHeader memory a = _blockHeader(7, epoch, keccak256("a"));
        ISlasher.BlockHeader memory b = _blockHeader(7, epoch, keccak256("b"));
        bytes memory cd = abi.encodeCall(
            ISlasher.slashBlockEquivocation, (a, _signBlock(op.signerKey, a), b, _signBlock(op.signerKey, b))
        );
        _measure("slashBlockEquivocation", makeAddr("reporter"), 0, address(slasher), cd);

        // A later slash: the burn counter and the reporter's balance already exist.
        Op memory other = _bond("second-equivocator", 1 ether);
        a = _blockHeader(8, epoch, keccak256("a"));
        b = _blockHeader(8, epoch, keccak256("b"));
        cd = abi.encodeCall(
            ISlasher.slashBlockEquivocation,
            (a, _signBlock(other.signerKey, a), b, _signBlock(other.signerKey, b))
        );
        _measure("slashBlockEquivocation_later", makeAddr("reporter"), 0, address(slasher), cd);
    }

    /// @dev One ledger step as the dispute game runs it: a signed transfer (three account proofs
    ///      against a 160-deep tree), a withdrawal (two account proofs and one 256-deep withdrawal
    ///      proof) and a deposit (one account proof), in a state of 16 accounts. The trees have a
    ///      fixed depth, so the figure barely depends on the state's size (a few gas per non-zero
    ///      sibling read); calldata, which does, is excluded like everywhere here.
    /// forge-config: default.isolate = true
    function test_gas_ledger() public {
        LedgerHarness harness = new LedgerHarness();
        LedgerModel model = new LedgerModel();
        (address alice, uint256 aliceKey) = makeAddrAndKey("ledger-alice");
        address bob = makeAddr("ledger-bob");
        address leader = makeAddr("ledger-leader");
        model.setAccount(alice, 10 ether, 3);
        model.setAccount(bob, 1 ether, 0);
        model.setAccount(leader, 1 ether, 0);
        for (uint256 i; i < 13; ++i) {
            model.setAccount(
                makeAddr(string.concat("ledger-account-", vm.toString(i))), 1 ether + i, uint64(i)
            );
        }
        Ledger.BlockContext memory ctx =
            Ledger.BlockContext({chainId: 901, baseFee: 1 gwei, feeRecipient: leader});
        uint256 fee = 21_000 * 2 gwei; // min(3 gwei, 1 + 1 gwei) per gas

        Eip1559Builder.UnsignedTx memory t = Eip1559Builder.transfer(901, 3, bob, 1 ether, 3 gwei, 1 gwei);
        bytes memory raw = Eip1559Builder.sign(t, aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1 ether, fee, leader);
        _measureLedger(
            "ledger_step_transfer", harness, abi.encodeCall(harness.step, (pre, ctx, raw, w)), model
        );

        t = Eip1559Builder.transfer(901, 4, Ledger.WITHDRAWAL_ADDRESS, 1 ether, 3 gwei, 1 gwei);
        t.data = abi.encodePacked(makeAddr("ledger-l1-recipient"));
        raw = Eip1559Builder.sign(t, aliceKey);
        pre = model.stateRoot();
        w = model.withdraw(alice, makeAddr("ledger-l1-recipient"), 1 ether, fee, leader);
        _measureLedger(
            "ledger_step_withdrawal", harness, abi.encodeCall(harness.step, (pre, ctx, raw, w)), model
        );

        pre = model.stateRoot();
        w = model.deposit(bob, 2 ether);
        _measureLedger(
            "ledger_deposit", harness, abi.encodeCall(harness.deposit, (pre, bob, 2 ether, w)), model
        );
    }

    // ---------------------------------------------------------------- helpers

    function _measureBond(string memory name) internal {
        address operator = makeAddr(name);
        vm.deal(operator, 1 ether);
        bytes memory cd = abi.encodeCall(ISequencerRegistry.bond, (makeAddr(string.concat(name, "-signer"))));
        _measure(name, operator, 1 ether, address(registry), cd);
    }

    /// @dev A record of one block with `txs` transactions of 110 non-zero bytes (or `emptyBlocks`
    ///      empty blocks when `txs` is 1 and `emptyBlocks` is 1: an empty record).
    function _measureRecord(string memory name, Op memory leader, uint256 txs, uint256 emptyBlocks) internal {
        bytes memory data;
        uint32 count;
        if (emptyBlocks == 1) {
            data = _emptyData(1);
        } else {
            bytes[] memory list = new bytes[](txs);
            for (uint256 i; i < txs; ++i) {
                list[i] = new bytes(110);
                for (uint256 j; j < 110; ++j) {
                    list[i][j] = bytes1(uint8(j + 1));
                }
            }
            data = _oneBlockData(list);
            count = uint32(txs);
        }
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, count);
        bytes memory cd =
            abi.encodeCall(IBatchInbox.submitRecord, (h, uint256(0), _signBatch(leader.signerKey, h), data));
        _measure(name, leader.operator, 0, address(inbox), cd);
    }

    /// @dev Measures a ledger call and checks it was applied and reached the model's root.
    function _measureLedger(string memory name, LedgerHarness harness, bytes memory cd, LedgerModel model)
        internal
    {
        _measure(name, address(this), 0, address(harness), cd);
        (bool ok, bytes memory ret) = address(harness).staticcall(cd);
        assertTrue(ok);
        (bytes32 post, uint8 outcome) = abi.decode(ret, (bytes32, uint8));
        assertEq(outcome, 0, "applied");
        assertEq(post, model.stateRoot(), "post-state root");
    }

    function _bondOps(uint256 n) internal returns (Op[] memory ops) {
        ops = new Op[](n);
        for (uint256 i; i < n; ++i) {
            ops[i] = _bond(string.concat("op", vm.toString(i)), 1 ether + i * 0.1 ether);
        }
    }
}
