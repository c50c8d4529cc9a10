// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortalTest} from "./Portal.t.sol";
import {WithdrawalVectors} from "./utils/WithdrawalVectors.sol";
import {Portal} from "../contracts/Portal.sol";
import {IPortal} from "../contracts/interfaces/IPortal.sol";
import {EvmGenesis} from "../contracts/libraries/EvmGenesis.sol";
import {EvmHeader} from "../contracts/libraries/EvmHeader.sol";
import {EvmWithdrawal} from "../contracts/libraries/EvmWithdrawal.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";

contract EvmHeaderHarness {
    function stateRoot(bytes calldata header) external pure returns (bytes32) {
        return EvmHeader.stateRoot(header);
    }
}

/// @dev An inbox as the portal's constructor reads it: only its L2 chain id.
contract ChainIdOnly {
    uint256 public l2ChainId;

    constructor(uint256 chainId) {
        l2ChainId = chainId;
    }
}

/// @notice The portal of an EVM deployment (`PortalTest`'s sequencing contracts and oracle): the
///         withdrawals baton's EVM executed (the vectors,
///         one initiated by an account and one by a contract) are paid once each when proven
///         through the header a finalized output commits to; everything else is refused.
contract PortalEvmTest is PortalTest {
    EvmHeaderHarness internal headers = new EvmHeaderHarness();
    string internal json;
    bytes internal header;

    function setUp() public override {
        super.setUp();
        portal = new Portal(address(oracle), address(queue), address(inbox), true);
        json = WithdrawalVectors.read();
        header = WithdrawalVectors.header(json, 1_700_000_000);
        vm.deal(address(portal), 100 ether);
    }

    /// @dev A finalized output committing to `header`; returns its index.
    function _finalizedOutput() internal returns (uint256 index) {
        index = _propose(keccak256(header));
        _finalizeAll();
    }

    function _proof(uint256 i, uint256 index) internal view returns (IPortal.EvmWithdrawalProof memory) {
        return WithdrawalVectors.proof(json, i, index, header);
    }

    function _hashOf(IPortal.EvmWithdrawalProof memory w) internal view returns (bytes32) {
        return EvmWithdrawal.hashOf(
            inbox.l2ChainId(),
            EvmWithdrawal.Withdrawal({
                nonce: w.nonce, sender: w.l2Sender, l1Recipient: w.l1Recipient, amount: w.amount
            })
        );
    }

    /// @notice A deposit call from an account: the entry names the caller as the L2 sender, the
    ///         target, the amount after the fee, the gas and the data; the portal escrows the
    ///         amount and the queue the fee.
    function testFuzz_depositCall_enqueuesTheCallFromTheCaller(
        address target,
        uint64 gasLimit,
        uint96 amount,
        bytes calldata data
    ) public {
        vm.assume(target != address(0) && data.length <= p.maxTxSize - 81);
        gasLimit = uint64(bound(gasLimit, portal.MIN_DEPOSIT_GAS(), portal.MAX_DEPOSIT_GAS()));
        uint256 fee = queue.inclusionFee();
        uint256 held = address(portal).balance;
        bytes memory entry = portal.depositCallEntry(user, target, amount, gasLimit, data);
        assertEq(entry, abi.encodePacked(bytes1(0x7f), user, target, uint256(amount), gasLimit, data));
        vm.deal(user, uint256(amount) + fee);
        vm.expectEmit(address(portal));
        emit IPortal.DepositCallInitiated(0, user, user, target, amount, gasLimit, data);
        vm.prank(user, user);
        uint256 index = portal.depositCall{value: uint256(amount) + fee}(target, gasLimit, data);
        assertTrue(queue.isEntry(index, address(portal), entry));
        assertEq(address(portal).balance, held + amount);
        assertEq(address(queue).balance, fee);
    }

    /// @notice A contract's deposit call comes from its alias on L2, never from its own address
    ///         (which an L2 contract or account of the same address controls).
    function test_depositCall_fromAContractComesFromItsAlias() public {
        address l1Contract = address(this);
        address l2Sender = portal.aliasOf(l1Contract);
        assertEq(uint160(l2Sender), uint160(l1Contract) + uint160(0x1111000000000000000000000000000000001111));
        assertEq(
            portal.aliasOf(address(type(uint160).max)), address(0x1111000000000000000000000000000000001110)
        );
        uint256 fee = queue.inclusionFee();
        vm.deal(l1Contract, fee);
        vm.expectEmit(address(portal));
        emit IPortal.DepositCallInitiated(0, l1Contract, l2Sender, user, 0, 21_000, "");
        uint256 index = portal.depositCall{value: fee}(user, 21_000, "");
        assertTrue(
            queue.isEntry(index, address(portal), portal.depositCallEntry(l2Sender, user, 0, 21_000, ""))
        );
    }

    function test_depositCall_refusesBadParameters() public {
        uint256 fee = queue.inclusionFee();
        vm.deal(user, 10 ether);
        vm.startPrank(user, user);
        uint64 min = portal.MIN_DEPOSIT_GAS();
        uint64 max = portal.MAX_DEPOSIT_GAS();
        vm.expectRevert(abi.encodeWithSelector(IPortal.DepositGasOutOfRange.selector, min - 1, min, max));
        portal.depositCall{value: 1 ether}(user, min - 1, "");
        vm.expectRevert(abi.encodeWithSelector(IPortal.DepositGasOutOfRange.selector, max + 1, min, max));
        portal.depositCall{value: 1 ether}(user, max + 1, "");
        vm.expectRevert(IPortal.ZeroRecipient.selector);
        portal.depositCall{value: 1 ether}(address(0), min, "");
        vm.expectRevert(abi.encodeWithSelector(IPortal.DepositTooSmall.selector, fee - 1, fee));
        portal.depositCall{value: fee - 1}(user, min, "");
        // Data the queue cannot hold is refused by the queue, with the entry's size.
        bytes memory big = new bytes(p.maxTxSize - 80);
        vm.expectRevert(
            abi.encodeWithSelector(IForceInclusionQueue.BadTxSize.selector, p.maxTxSize + 1, p.maxTxSize)
        );
        portal.depositCall{value: fee}(user, min, big);
        vm.stopPrank();
        assertEq(queue.length(), 0);
    }

    function test_paysEachWithdrawalOnceToItsRecipient() public {
        uint256 index = _finalizedOutput();
        for (uint256 i; i < 2; ++i) {
            IPortal.EvmWithdrawalProof memory w = _proof(i, index);
            bytes32 key = _hashOf(w);
            uint256 before = w.l1Recipient.balance;
            vm.expectEmit(address(portal));
            emit IPortal.WithdrawalFinalized(key, w.l1Recipient, w.amount, index);
            vm.prank(makeAddr("relayer")); // anyone may finalize: the money goes to the recipient
            portal.finalizeEvmWithdrawal(w);
            assertEq(w.l1Recipient.balance, before + w.amount);
            assertTrue(portal.withdrawn(key));
            vm.expectRevert(abi.encodeWithSelector(IPortal.AlreadyWithdrawn.selector, key));
            portal.finalizeEvmWithdrawal(w);
        }
    }

    function test_refusesAnOutputNotFinalizedYet() public {
        uint256 index = _propose(keccak256(header));
        IPortal.EvmWithdrawalProof memory w = _proof(0, index);
        vm.expectRevert(abi.encodeWithSelector(IPortal.OutputNotFinalized.selector, index));
        portal.finalizeEvmWithdrawal(w);
    }

    /// @dev Another header with the same state root, or the same one with a byte changed: the
    ///      output does not commit to it.
    function test_refusesAHeaderTheOutputDoesNotCommitTo() public {
        uint256 index = _finalizedOutput();
        IPortal.EvmWithdrawalProof memory w = _proof(0, index);
        w.header = WithdrawalVectors.header(json, 1_700_000_001);
        vm.expectRevert(abi.encodeWithSelector(IPortal.StateRootMismatch.selector, index));
        portal.finalizeEvmWithdrawal(w);
        w.header = header;
        w.header[100] ^= 0x01; // inside the state root
        vm.expectRevert(abi.encodeWithSelector(IPortal.StateRootMismatch.selector, index));
        portal.finalizeEvmWithdrawal(w);
    }

    /// @dev Any change to what the predeploy recorded (amount, recipient, sender, nonce) names
    ///      another withdrawal, whose slot the state does not hold: refused, nothing paid.
    function testFuzz_refusesAWithdrawalTheStateDoesNotHold(uint8 field, uint256 value) public {
        uint256 index = _finalizedOutput();
        IPortal.EvmWithdrawalProof memory w = _proof(0, index);
        field %= 4;
        if (field == 0) w.amount = bound(value, 1, 10 ether);
        if (field == 1) w.l1Recipient = address(uint160(bound(value, 1, type(uint160).max)));
        if (field == 2) w.l2Sender = address(uint160(value));
        if (field == 3) w.nonce = value;
        vm.assume(_hashOf(w) != _hashOf(_proof(0, index)));
        uint256 held = address(portal).balance;
        vm.expectRevert();
        portal.finalizeEvmWithdrawal(w);
        assertEq(address(portal).balance, held);
    }

    /// @dev The predeploy's hash binds the L2 chain id: a portal of chain 902 finds no
    ///      withdrawal of chain 901 in the same state.
    function test_refusesAWithdrawalOfAnotherChain() public {
        uint256 index = _finalizedOutput();
        Portal other = new Portal(address(oracle), address(queue), address(new ChainIdOnly(902)), true);
        vm.deal(address(other), 100 ether);
        IPortal.EvmWithdrawalProof memory w = _proof(0, index);
        vm.expectRevert();
        other.finalizeEvmWithdrawal(w);
        assertFalse(other.withdrawn(_hashOf(w)));
    }

    function test_eachPortalRefusesTheOtherKindOfWithdrawal() public {
        uint256 index = _finalizedOutput();
        IPortal.WithdrawalProof memory ledger;
        vm.expectRevert(abi.encodeWithSelector(IPortal.WrongWithdrawalKind.selector, "finalizeEvmWithdrawal"));
        portal.finalizeWithdrawal(ledger);
        Portal ledgerPortal = new Portal(address(oracle), address(queue), address(inbox), false);
        IPortal.EvmWithdrawalProof memory w = _proof(0, index);
        vm.expectRevert(abi.encodeWithSelector(IPortal.WrongWithdrawalKind.selector, "finalizeWithdrawal"));
        ledgerPortal.finalizeEvmWithdrawal(w);
        assertTrue(portal.evmChain());
        assertFalse(ledgerPortal.evmChain());
    }

    function testFuzz_headerStateRoot_isTheFourthField(
        bytes32 stateRoot,
        uint64 gasLimit,
        uint64 baseFee,
        uint64 timestamp
    ) public view {
        assertEq(headers.stateRoot(EvmGenesis.header(stateRoot, gasLimit, baseFee, timestamp)), stateRoot);
    }

    function test_headerStateRoot_refusesWhatIsNoHeader() public {
        bytes memory good = header;
        bytes memory truncated = new bytes(good.length - 1);
        for (uint256 i; i < truncated.length; ++i) {
            truncated[i] = good[i];
        }
        bytes memory shortList = new bytes(100);
        bytes memory wrongPrefix = bytes.concat(good);
        wrongPrefix[69] = 0x80; // an empty beneficiary
        bytes[3] memory bad = [truncated, shortList, wrongPrefix];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(EvmHeader.MalformedHeader.selector);
            headers.stateRoot(bad[i]);
        }
    }
}
