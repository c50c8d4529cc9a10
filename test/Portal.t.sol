// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SequencingTest} from "./utils/SequencingTest.sol";
import {LedgerModel} from "./utils/LedgerModel.sol";
import {L1OutputOracle} from "../contracts/L1OutputOracle.sol";
import {Portal} from "../contracts/Portal.sol";
import {IPortal} from "../contracts/interfaces/IPortal.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {WitnessMismatch} from "../contracts/libraries/ledger/WitnessErrors.sol";
import {EthRefuser} from "./mocks/EthRefuser.sol";

/// @notice The portal on top of the real sequencing contracts and an oracle whose dispute game
///         is played by `game`. L2 states come from the reference ledger model
///         (test/utils/LedgerModel.sol), whose roots the vectors tie to the Rust STF.
abstract contract PortalTest is SequencingTest {
    L1OutputOracle internal oracle;
    Portal internal portal;
    address internal game = makeAddr("game");
    Op[] internal ops;
    LedgerModel internal model;

    address internal l2Sender = makeAddr("l2 sender");
    address internal l1Recipient = makeAddr("l1 recipient");

    function setUp() public virtual override {
        super.setUp();
        oracle = new L1OutputOracle(address(registry), address(inbox), game, 1, p.finalizationPeriod);
        portal = new Portal(address(oracle), address(queue), address(inbox), false);
        Op[] memory three = _threeOps();
        for (uint256 i; i < three.length; ++i) {
            ops.push(three[i]);
        }
        model = new LedgerModel();
    }

    /// @dev Propose the model's current state as the next output.
    function _proposeModel() internal returns (uint256 index) {
        return _propose(model.stateRoot());
    }

    /// @dev Propose `root` as the next output (after a record for it).
    function _propose(bytes32 root) internal returns (uint256 index) {
        _post(_scheduled(ops, 0), 0);
        uint256 next = oracle.outputCount();
        vm.prank(ops[0].operator);
        index = oracle.proposeOutput(next, root);
    }

    function _finalizeAll() internal {
        vm.warp(block.timestamp + p.finalizationPeriod);
        oracle.finalize(oracle.outputCount());
    }

    /// @dev An L2 state holding a withdrawal of `amount` by `l2Sender`'s nonce-3 transaction.
    function _stateWithWithdrawal(uint256 amount) internal returns (IPortal.WithdrawalProof memory w) {
        model.setAccount(l2Sender, 5 ether, 4);
        model.setAccount(makeAddr("someone"), 1 ether, 0);
        model.setWithdrawal(model.withdrawalKey(makeAddr("other"), 0), model.withdrawalLeaf(makeAddr("x"), 1));
        bytes32 key = model.withdrawalKey(l2Sender, 3);
        model.setWithdrawal(key, model.withdrawalLeaf(l1Recipient, amount));
        uint256 index = _proposeModel();
        bytes memory proof = model.withdrawalSiblings(key);
        w = IPortal.WithdrawalProof({
            outputIndex: index,
            stateRoot: model.stateRoot(),
            accountsRoot: model.accountsRoot(),
            withdrawalsRoot: model.withdrawalsRoot(),
            l2Sender: l2Sender,
            nonce: 3,
            l1Recipient: l1Recipient,
            amount: amount,
            proof: proof
        });
    }

    function _deposit(address from, address to, uint256 amount) internal returns (uint256 index) {
        uint256 value = amount + queue.inclusionFee();
        vm.deal(from, value);
        vm.prank(from);
        index = portal.deposit{value: value}(to);
    }

    function _copy(IPortal.WithdrawalProof memory w)
        internal
        pure
        returns (IPortal.WithdrawalProof memory c)
    {
        c = IPortal.WithdrawalProof(
            w.outputIndex,
            w.stateRoot,
            w.accountsRoot,
            w.withdrawalsRoot,
            w.l2Sender,
            w.nonce,
            w.l1Recipient,
            w.amount,
            w.proof
        );
    }
}

/// @notice The constructor refuses zero addresses and records the wiring.
contract Portal_Constructor_Test is PortalTest {
    function test_constructor_rejectsZeroAddresses() public {
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidParameter.selector, "oracle"));
        new Portal(address(0), address(queue), address(inbox), false);
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidParameter.selector, "queue"));
        new Portal(address(oracle), address(0), address(inbox), false);
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidParameter.selector, "inbox"));
        new Portal(address(oracle), address(queue), address(0), false);
        assertEq(portal.oracle(), address(oracle));
        assertEq(portal.queue(), address(queue));
        assertEq(portal.inbox(), address(inbox));
    }
}

/// @notice deposit: escrow, the portal-origin entry, forced in when sequencers refuse; the same
///         bytes from anyone else are no deposit.
contract Portal_Deposit_Test is PortalTest {
    function test_deposit_escrowsAndEnqueuesAPortalEntry() public {
        address to = makeAddr("l2 recipient");
        bytes memory entry = portal.depositEntry(to, 2 ether);
        assertEq(entry, abi.encodePacked(bytes1(0x7e), to, uint256(2 ether)));
        uint256 fee = queue.inclusionFee();
        vm.deal(user, 2 ether + fee);
        vm.expectEmit(address(queue));
        emit IForceInclusionQueue.Enqueued(
            0, address(portal), uint64(block.number + p.inclusionDelay), 0, entry
        );
        vm.expectEmit(address(portal));
        emit IPortal.DepositInitiated(0, user, to, 2 ether);
        vm.prank(user);
        uint256 index = portal.deposit{value: 2 ether + fee}(to);

        assertEq(index, 0);
        assertEq(address(portal).balance, 2 ether);
        assertEq(address(queue).balance, fee);
        assertTrue(queue.isEntry(index, address(portal), entry));
    }

    function test_deposit_revertsWhenNothingWouldBeCredited() public {
        uint256 fee = queue.inclusionFee();
        vm.deal(user, fee);
        vm.expectRevert(abi.encodeWithSelector(IPortal.DepositTooSmall.selector, fee, fee));
        vm.prank(user);
        portal.deposit{value: fee}(user);
    }

    /// @notice The ledger runs no calls: a deposit call would be read as malformed transaction
    ///         bytes and its ETH stranded, so its portal refuses it.
    function test_depositCall_refusedOnTheLedger() public {
        vm.deal(user, 1 ether);
        vm.expectRevert(IPortal.DepositCallsNeedEvm.selector);
        vm.prank(user, user);
        portal.depositCall{value: 1 ether}(user, 50_000, "");
    }

    function test_deposit_revertsForZeroRecipient() public {
        vm.deal(user, 1 ether);
        vm.expectRevert(IPortal.ZeroRecipient.selector);
        vm.prank(user);
        portal.deposit{value: 1 ether}(address(0));
    }

    /// @notice The deposit entry cannot be censored: once overdue, anyone forces it in, and
    ///         every later sequenced record would have to consume it anyway.
    function test_deposit_isForcedInAfterTheDeadlineWhenSequencersRefuse() public {
        uint256 index = _deposit(user, user, 1 ether);
        vm.roll(block.number + p.inclusionDelay + 1);
        // A leader posting without consuming it is refused...
        Op memory leader = _scheduled(ops, 0);
        bytes memory data = _emptyData(1);
        IBatchInbox.BatchHeader memory h = _nextHeader(data, 1, 0);
        h.forceIndex = uint64(queue.cursor());
        bytes memory sig = _signBatch(leader.signerKey, h);
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.OverdueNotConsumed.selector, index, index + 1)
        );
        vm.prank(leader.operator);
        inbox.submitRecord(h, 0, sig, data);
        // ...and anyone appends the forced record that consumes it.
        vm.prank(makeAddr("anyone"));
        inbox.submitForcedRecord(index + 1);
        assertEq(queue.cursor(), index + 1);
    }

    /// @notice The same bytes enqueued directly by a user are not a deposit: their commitment
    ///         names the user, so a fraud proof reads them as (malformed) L2 transaction bytes.
    function test_depositBytesFromAnyoneElseAreNotADeposit() public {
        bytes memory entry = portal.depositEntry(user, 100 ether);
        uint256 index = _enqueue(entry);
        assertFalse(queue.isEntry(index, address(portal), entry));
        assertTrue(queue.isEntry(index, user, entry));
        assertEq(address(portal).balance, 0);
    }
}

/// @notice finalizeWithdrawal: paid once against a finalized output, refused otherwise.
contract Portal_FinalizeWithdrawal_Test is PortalTest {
    function test_withdraw_paysOnceAgainstAFinalizedOutput() public {
        _deposit(user, user, 3 ether); // the portal's funds
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        bytes32 key = keccak256(abi.encode(l2Sender, uint256(3)));
        vm.expectEmit(address(portal));
        emit IPortal.WithdrawalFinalized(key, l1Recipient, 1 ether, w.outputIndex);
        vm.prank(makeAddr("relayer"));
        portal.finalizeWithdrawal(w);
        assertEq(l1Recipient.balance, 1 ether);
        assertEq(address(portal).balance, 2 ether);
        assertTrue(portal.withdrawn(key));

        vm.expectRevert(abi.encodeWithSelector(IPortal.AlreadyWithdrawn.selector, key));
        portal.finalizeWithdrawal(w);
    }

    function test_withdraw_revertsBeforeFinalization() public {
        _deposit(user, user, 3 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        vm.expectRevert(abi.encodeWithSelector(IPortal.OutputNotFinalized.selector, w.outputIndex));
        portal.finalizeWithdrawal(w);
    }

    function test_withdraw_revertsAgainstADeletedOutput() public {
        _deposit(user, user, 3 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        vm.startPrank(game);
        oracle.openDispute(w.outputIndex, 0);
        oracle.deleteOutputs(w.outputIndex, 0);
        vm.stopPrank();
        vm.warp(block.timestamp + p.finalizationPeriod);
        vm.expectRevert(abi.encodeWithSelector(IPortal.OutputNotFinalized.selector, w.outputIndex));
        portal.finalizeWithdrawal(w);
    }

    function test_withdraw_revertsOnAStateRootTheOutputDoesNotCommitTo() public {
        _deposit(user, user, 3 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        w.stateRoot = keccak256("another state");
        vm.expectRevert(abi.encodeWithSelector(IPortal.StateRootMismatch.selector, w.outputIndex));
        portal.finalizeWithdrawal(w);
    }

    function test_withdraw_revertsOnWrongSubRoots() public {
        _deposit(user, user, 3 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        w.accountsRoot = keccak256("wrong");
        vm.expectRevert(IPortal.SubRootsMismatch.selector);
        portal.finalizeWithdrawal(w);
    }

    /// @notice Any change to who, how much, or which withdrawal breaks the proof.
    function test_withdraw_revertsOnAnyForgedField() public {
        _deposit(user, user, 5 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        IPortal.WithdrawalProof memory forged = w;
        forged.amount = 2 ether;
        vm.expectRevert(WitnessMismatch.selector);
        portal.finalizeWithdrawal(forged);
        forged = _copy(w);
        forged.l1Recipient = makeAddr("thief");
        vm.expectRevert(WitnessMismatch.selector);
        portal.finalizeWithdrawal(forged);
        forged = _copy(w);
        forged.nonce = 2;
        vm.expectRevert(WitnessMismatch.selector);
        portal.finalizeWithdrawal(forged);
        forged = _copy(w);
        forged.l2Sender = makeAddr("someone");
        vm.expectRevert(WitnessMismatch.selector);
        portal.finalizeWithdrawal(forged);
    }

    function testFuzz_withdraw_tamperedProofReverts(uint256 at) public {
        _deposit(user, user, 3 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        at = bound(at, 0, w.proof.length - 1);
        w.proof[at] ^= 0x01;
        vm.expectRevert();
        portal.finalizeWithdrawal(w);
    }

    /// @dev An unbacked withdrawal (more than the deposits held) is refused by name, and paid
    ///      once deposits cover it.
    function test_withdraw_beyondTheDepositsHeldIsRefusedUntilCovered() public {
        _deposit(user, user, 0.5 ether);
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        vm.expectRevert(abi.encodeWithSelector(IPortal.InsufficientDeposits.selector, 1 ether, 0.5 ether));
        portal.finalizeWithdrawal(w);
        assertFalse(portal.withdrawn(keccak256(abi.encode(l2Sender, uint256(3)))));
        _deposit(user, user, 0.5 ether);
        portal.finalizeWithdrawal(w);
        assertEq(l1Recipient.balance, 1 ether);
        assertEq(address(portal).balance, 0);
    }

    function test_withdraw_failedPaymentChangesNothing() public {
        _deposit(user, user, 3 ether);
        l1Recipient = address(new EthRefuser());
        IPortal.WithdrawalProof memory w = _stateWithWithdrawal(1 ether);
        _finalizeAll();
        vm.expectRevert(abi.encodeWithSelector(IPortal.TransferFailed.selector, l1Recipient, 1 ether));
        portal.finalizeWithdrawal(w);
        assertFalse(portal.withdrawn(keccak256(abi.encode(l2Sender, uint256(3)))));
        assertEq(address(portal).balance, 3 ether);
    }
}

