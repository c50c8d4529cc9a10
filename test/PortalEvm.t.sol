// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortalTest} from "./Portal.t.sol";
import {WithdrawalVectors} from "./utils/WithdrawalVectors.sol";
import {Portal} from "../contracts/Portal.sol";
import {IPortal} from "../contracts/interfaces/IPortal.sol";
import {EvmGenesis} from "../contracts/libraries/EvmGenesis.sol";
import {EvmHeader} from "../contracts/libraries/EvmHeader.sol";
import {EvmWithdrawal} from "../contracts/libraries/EvmWithdrawal.sol";

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
