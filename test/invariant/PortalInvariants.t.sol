// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "../utils/BatonTest.sol";
import {L1OutputOracle} from "../../contracts/L1OutputOracle.sol";
import {Portal} from "../../contracts/Portal.sol";
import {PortalHandler} from "./handlers/PortalHandler.sol";
import {EvmPortalHandler} from "./handlers/EvmPortalHandler.sol";

/// @dev The sequencing contracts with `RECORDS` records posted, an oracle whose game is `game`,
///      and the operator that proposes.
abstract contract PortalInvariantsBase is BatonTest {
    uint256 internal constant RECORDS = 30;
    L1OutputOracle internal oracle;
    address internal game = makeAddr("game");
    address internal proposer;

    function setUp() public virtual override {
        super.setUp();
        Op[] memory o = new Op[](3);
        o[0] = _bond("alice", 1 ether);
        o[1] = _bond("bob", 2 ether);
        o[2] = _bond("carol", 3 ether);
        _activateSchedule();
        Op memory leader = _scheduled(o, 0);
        for (uint256 i; i < RECORDS; ++i) {
            _post(leader, 0);
        }
        proposer = leader.operator;
        oracle = new L1OutputOracle(address(registry), address(inbox), game, 1, p.finalizationPeriod);
    }
}

/// @notice Under random deposits, L2 withdrawals, proposals, deletions, finalization and claims:
///         the portal's ETH is exactly what was deposited minus what was paid, no withdrawal is
///         paid twice, and a finalized output never changes.
contract PortalInvariants is PortalInvariantsBase {
    PortalHandler internal handler;
    Portal internal portal;

    function setUp() public override {
        super.setUp();
        portal = new Portal(address(oracle), address(queue), address(inbox), false);
        handler = new PortalHandler(
            portal, oracle, proposer, game, RECORDS, queue.inclusionFee(), p.finalizationPeriod
        );
        targetContract(address(handler));
    }

    function invariant_portalBalanceIsDepositsMinusPayouts() public view {
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.ghostPaid());
    }

    function invariant_noWithdrawalPaidTwice() public view {
        assertEq(handler.paidTwice(), 0);
    }

    function invariant_finalizedOutputsNeverChange() public {
        handler.checkFinalizedUnchanged();
        assertEq(handler.finalizedChanged(), 0);
        assertLe(oracle.finalizedCount(), oracle.outputCount());
    }
}

/// @notice The same for the EVM chain's portal (`finalizeEvmWithdrawal` through output headers):
///         its ETH is deposits minus payouts, no withdrawal is paid twice, and nothing is paid
///         that the state under the finalized output's header does not hold.
contract EvmPortalInvariants is PortalInvariantsBase {
    EvmPortalHandler internal handler;
    Portal internal portal;

    function setUp() public override {
        super.setUp();
        portal = new Portal(address(oracle), address(queue), address(inbox), true);
        handler = new EvmPortalHandler(
            portal, oracle, proposer, game, RECORDS, queue.inclusionFee(), p.finalizationPeriod
        );
        targetContract(address(handler));
    }

    function invariant_portalBalanceIsDepositsMinusPayouts() public view {
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.ghostPaid());
    }

    function invariant_noWithdrawalPaidTwice() public view {
        assertEq(handler.paidTwice(), 0);
    }

    function invariant_nothingPaidThatTheStateDoesNotHold() public view {
        assertEq(handler.paidWithoutState(), 0);
    }
}

/// @notice The EVM handler's claim path really pays: a short fixed sequence through it.
contract EvmPortalHandlerSanity is BatonTest {
    function test_handler_claimPaysAWithdrawalOnce() public {
        Op memory op = _bond("alice", 1 ether);
        _activateSchedule();
        _post(op, 0);
        address game = makeAddr("game");
        L1OutputOracle oracle =
            new L1OutputOracle(address(registry), address(inbox), game, 1, p.finalizationPeriod);
        Portal portal = new Portal(address(oracle), address(queue), address(inbox), true);
        EvmPortalHandler handler = new EvmPortalHandler(
            portal, oracle, op.operator, game, 1, queue.inclusionFee(), p.finalizationPeriod
        );
        handler.deposit(50 ether, address(1));
        handler.propose(false, 7);
        handler.passTime(p.finalizationPeriod);
        handler.claim(0, 1, false, 0); // a changed amount: refused
        assertEq(handler.withdrawalsPaid(), 0);
        handler.claim(0, 0, false, 0);
        assertEq(handler.withdrawalsPaid(), 1);
        handler.claim(0, 0, false, 0); // the same one again: refused
        assertEq(handler.withdrawalsPaid(), 1);
        assertEq(handler.paidTwice(), 0);
        assertEq(handler.paidWithoutState(), 0);
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.ghostPaid());
    }
}

/// @notice The handler's claim path really pays: a short fixed sequence through it.
contract PortalHandlerSanity is BatonTest {
    function test_handler_claimPaysAWithdrawal() public {
        Op memory op = _bond("alice", 1 ether);
        _activateSchedule();
        _post(op, 0);
        address game = makeAddr("game");
        L1OutputOracle oracle =
            new L1OutputOracle(address(registry), address(inbox), game, 1, p.finalizationPeriod);
        Portal portal = new Portal(address(oracle), address(queue), address(inbox), false);
        PortalHandler handler = new PortalHandler(
            portal, oracle, op.operator, game, 1, queue.inclusionFee(), p.finalizationPeriod
        );
        handler.deposit(50 ether, address(1));
        handler.withdrawOnL2(3, 2 ether);
        handler.propose();
        handler.passTime(p.finalizationPeriod);
        handler.claim(0);
        assertEq(handler.withdrawalsPaid(), 1);
        handler.claim(0); // the same one again: refused
        assertEq(handler.withdrawalsPaid(), 1);
        assertEq(handler.paidTwice(), 0);
        assertEq(address(portal).balance, handler.ghostDeposited() - handler.ghostPaid());
    }
}
