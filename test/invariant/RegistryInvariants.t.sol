// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "../utils/BatonTest.sol";
import {RegistryHandler} from "./handlers/RegistryHandler.sol";

/// @notice Conservation of ETH, one slash per evidence key, a clean active set and a reporter
///         share below half, under random bond / top-up / unbond / withdraw / unjail / claim /
///         slash sequences against the deployed registry.
contract RegistryInvariants is BatonTest {
    RegistryHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new RegistryHandler(registry, address(slasher));
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = RegistryHandler.bond.selector;
        selectors[1] = RegistryHandler.topUp.selector;
        selectors[2] = RegistryHandler.requestUnbond.selector;
        selectors[3] = RegistryHandler.withdraw.selector;
        selectors[4] = RegistryHandler.unjail.selector;
        selectors[5] = RegistryHandler.claimReward.selector;
        selectors[6] = RegistryHandler.slash.selector;
        selectors[7] = RegistryHandler.advance.selector;
        selectors[8] = RegistryHandler.bondCrossSigner.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// address(registry).balance == Σ bonded + Σ unbonding + Σ unclaimed rewards + totalBurned,
    /// and equals deposited − withdrawn − rewards claimed.
    function invariant_balanceIsAccounted() public view {
        uint256 sum = registry.totalBurned();
        for (uint256 i; i < handler.actorCount(); ++i) {
            address actor = handler.actors(i);
            (uint256 unbonding,) = registry.unbondingOf(actor);
            sum += registry.stakeOf(actor) + unbonding;
        }
        for (uint256 i; i < handler.reporterCount(); ++i) {
            sum += registry.rewardOf(handler.reporters(i));
        }
        assertEq(address(registry).balance, sum, "balance == stakes + unbonding + rewards + burned");
        assertEq(
            address(registry).balance,
            handler.ghostDeposited() - handler.ghostWithdrawn() - handler.ghostRewardsClaimed(),
            "balance == deposited - withdrawn - claimed"
        );
        assertEq(registry.totalBurned(), handler.ghostBurned(), "burned matches the slashes");
    }

    /// No evidence key slashes twice.
    function invariant_evidenceSlashesAtMostOnce() public view {
        for (uint256 i; i < handler.keyCount(); ++i) {
            bytes32 key = handler.keys(i);
            assertLe(handler.ghostSlashesOf(key), 1, "evidence key slashed twice");
            assertTrue(registry.evidenceUsed(key));
        }
    }

    /// The active set has no duplicates, holds only bonded unjailed operators with at least the
    /// minimum stake, agrees with isActive, and never exceeds maxActiveSet.
    function invariant_activeSetIsClean() public view {
        address[] memory active = registry.activeOperators();
        assertLe(active.length, registry.maxActiveSet());
        for (uint256 i; i < active.length; ++i) {
            for (uint256 j; j < i; ++j) {
                assertTrue(active[i] != active[j], "duplicate in active set");
            }
            assertGe(registry.stakeOf(active[i]), registry.minStake(), "active below minimum");
            (bool jailed,,) = registry.jailOf(active[i]);
            assertFalse(jailed, "jailed operator active");
            assertTrue(registry.isActive(active[i]));
            assertTrue(registry.signerOf(active[i]) != address(0));
        }
        for (uint256 i; i < handler.actorCount(); ++i) {
            address actor = handler.actors(i);
            bool listed;
            for (uint256 j; j < active.length; ++j) {
                if (active[j] == actor) listed = true;
            }
            assertEq(registry.isActive(actor), listed, "isActive disagrees with the set");
            // A bonded operator whose signer is set always maps back to it.
            address signer = registry.signerOf(actor);
            if (signer != address(0)) assertEq(registry.operatorOf(signer), actor);
        }
    }

    /// No address is both an operator and another operator's signer, so `operatorFor` (how the
    /// oracle and the dispute game tell on whose behalf a caller acts) is never ambiguous.
    function invariant_operatorsActForThemselves() public view {
        for (uint256 i; i < handler.actorCount(); ++i) {
            address actor = handler.actors(i);
            address signer = registry.signerOf(actor);
            if (signer == address(0)) {
                address boundTo = registry.operatorOf(actor);
                assertEq(registry.operatorFor(actor), boundTo, "a non-operator acts for its operator");
                continue;
            }
            assertEq(registry.operatorFor(actor), actor, "an operator acts for itself");
            assertEq(registry.operatorFor(signer), actor, "a signer acts for its operator");
            assertTrue(
                registry.operatorOf(actor) == address(0) || signer == actor, "operator bound as a signer"
            );
        }
    }

    /// Every slash paid the reporter strictly less than half.
    function invariant_reporterRewardBelowHalf() public view {
        assertEq(handler.ghostRewardAtLeastHalf(), 0, "a slash paid the reporter >= 50%");
        assertLe(handler.ghostRewarded() * 2, handler.ghostSlashed(), "rewards below half of slashed");
        assertEq(handler.ghostRewarded() + handler.ghostBurned(), handler.ghostSlashed());
    }
}
