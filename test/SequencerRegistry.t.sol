// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "./utils/BatonTest.sol";
import {SequencerRegistry} from "../contracts/SequencerRegistry.sol";
import {ISequencerRegistry} from "../contracts/interfaces/ISequencerRegistry.sol";
import {ILeaderSchedule} from "../contracts/interfaces/ILeaderSchedule.sol";
import {EthRefuser} from "./mocks/EthRefuser.sol";

/// @dev An operator (and reporter) contract that re-enters `withdraw` and `claimReward` from its
///      `receive`, swallowing the reverts so the outer call can succeed if the registry lets it.
contract ReentrantOperator {
    SequencerRegistry internal immutable REGISTRY;
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;
    uint256 public received;
    uint256 internal _depth;

    constructor(SequencerRegistry registry_) {
        REGISTRY = registry_;
    }

    function bond(address signer) external payable {
        REGISTRY.bond{value: msg.value}(signer);
    }

    function requestUnbond(uint256 amount) external {
        REGISTRY.requestUnbond(amount);
    }

    function withdraw() external {
        REGISTRY.withdraw();
    }

    function claimReward() external {
        REGISTRY.claimReward();
    }

    receive() external payable {
        received += msg.value;
        if (_depth >= 3) return;
        ++_depth;
        ++reentryAttempts;
        try REGISTRY.withdraw() {
            ++reentrySuccesses;
        } catch {}
        ++reentryAttempts;
        try REGISTRY.claimReward() {
            ++reentrySuccesses;
        } catch {}
        --_depth;
    }
}

/// @dev Shared setup and helpers for the registry unit tests.
abstract contract RegistryTestBase is BatonTest {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant UINT88_MAX = type(uint88).max;
    uint256 internal MIN;
    uint256 internal PERIOD;
    address internal reporter;

    function setUp() public virtual override {
        super.setUp();
        MIN = p.minStake;
        PERIOD = p.unbondingPeriod;
        reporter = makeAddr("reporter");
    }

    function _slash(address operator, uint256 bps, bytes32 key, address rep) internal returns (uint256) {
        vm.prank(address(slasher));
        return registry.slash(operator, bps, key, rep);
    }

    function _unbond(address operator, uint256 amount) internal {
        vm.prank(operator);
        registry.requestUnbond(amount);
    }

    function _withdraw(address operator) internal {
        vm.prank(operator);
        registry.withdraw();
    }

    function _unbondingAmount(address operator) internal view returns (uint256 amount) {
        (amount,) = registry.unbondingOf(operator);
    }

    function _params() internal view returns (SequencerRegistry.Params memory q) {
        address[] memory slashers = new address[](1);
        slashers[0] = address(0xBEEF);
        q = SequencerRegistry.Params({
            epochLength: p.epochLength,
            leaderTimeout: p.leaderTimeout,
            minStake: p.minStake,
            maxActiveSet: p.maxActiveSet,
            unbondingPeriod: p.unbondingPeriod,
            jailEpochs: p.jailEpochs,
            reporterRewardBps: p.reporterRewardBps,
            slashers: slashers
        });
    }

    function _expectInvalid(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.InvalidParameter.selector, name));
    }

    function _contains(address[] memory list, address who) internal pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == who) return true;
        }
        return false;
    }

    /// @dev Everything `operator` owns in and out of the registry.
    function _wealth(address operator) internal view returns (uint256) {
        return operator.balance + registry.stakeOf(operator) + _unbondingAmount(operator)
            + registry.rewardOf(operator);
    }
}

contract SequencerRegistry_Constructor_Test is RegistryTestBase {
    function test_constructor_setsDeployedParameters() public view {
        assertEq(registry.minStake(), p.minStake);
        assertEq(registry.maxActiveSet(), p.maxActiveSet);
        assertEq(registry.unbondingPeriod(), p.unbondingPeriod);
        assertEq(registry.jailEpochs(), p.jailEpochs);
        assertEq(registry.reporterRewardBps(), p.reporterRewardBps);
        assertEq(registry.epochLength(), p.epochLength);
        assertEq(registry.leaderTimeout(), p.leaderTimeout);
        assertEq(registry.genesisBlock(), START_BLOCK);
        assertTrue(registry.isSlasher(address(slasher)));
        assertFalse(registry.isSlasher(address(this)));
        assertFalse(registry.isSlasher(address(inbox)));
        assertEq(registry.checkpointCount(), 1);
        assertEq(registry.totalBurned(), 0);
        assertEq(registry.activeOperators().length, 0);
        assertEq(address(registry).balance, 0);
    }

    function test_constructor_emitsDeployCheckpoint() public {
        vm.expectEmit(true, true, true, true);
        emit ILeaderSchedule.Checkpointed(0, 0, address(0), 0, 0);
        new SequencerRegistry(_params());
    }

    function test_constructor_acceptsEdgeValues() public {
        SequencerRegistry.Params memory q = _params();
        q.leaderTimeout = q.epochLength - 1;
        q.minStake = UINT88_MAX;
        q.maxActiveSet = 700;
        q.reporterRewardBps = 4999;
        SequencerRegistry r = new SequencerRegistry(q);
        assertEq(r.maxActiveSet(), 700);
        assertEq(r.reporterRewardBps(), 4999);
        assertEq(r.minStake(), UINT88_MAX);
        assertTrue(r.isSlasher(address(0xBEEF)));
        q.reporterRewardBps = 0;
        r = new SequencerRegistry(q);
        assertEq(r.reporterRewardBps(), 0);
    }

    function test_constructor_revertsWhenEpochLengthZero() public {
        SequencerRegistry.Params memory q = _params();
        q.epochLength = 0;
        _expectInvalid("epochLength");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenLeaderTimeoutZero() public {
        SequencerRegistry.Params memory q = _params();
        q.leaderTimeout = 0;
        _expectInvalid("leaderTimeout");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenLeaderTimeoutNotBelowEpochLength() public {
        SequencerRegistry.Params memory q = _params();
        q.leaderTimeout = q.epochLength;
        _expectInvalid("leaderTimeout");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenMinStakeZero() public {
        SequencerRegistry.Params memory q = _params();
        q.minStake = 0;
        _expectInvalid("minStake");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenMinStakeAboveUint88() public {
        SequencerRegistry.Params memory q = _params();
        q.minStake = UINT88_MAX + 1;
        _expectInvalid("minStake");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenMaxActiveSetZero() public {
        SequencerRegistry.Params memory q = _params();
        q.maxActiveSet = 0;
        _expectInvalid("maxActiveSet");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenMaxActiveSetAboveLimit() public {
        SequencerRegistry.Params memory q = _params();
        q.maxActiveSet = 701;
        _expectInvalid("maxActiveSet");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenUnbondingPeriodZero() public {
        SequencerRegistry.Params memory q = _params();
        q.unbondingPeriod = 0;
        _expectInvalid("unbondingPeriod");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenJailEpochsZero() public {
        SequencerRegistry.Params memory q = _params();
        q.jailEpochs = 0;
        _expectInvalid("jailEpochs");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenReporterRewardHalf() public {
        SequencerRegistry.Params memory q = _params();
        q.reporterRewardBps = 5000;
        _expectInvalid("reporterRewardBps");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenNoSlashers() public {
        SequencerRegistry.Params memory q = _params();
        q.slashers = new address[](0);
        _expectInvalid("slashers");
        new SequencerRegistry(q);
    }

    function test_constructor_revertsWhenZeroSlasher() public {
        SequencerRegistry.Params memory q = _params();
        address[] memory slashers = new address[](2);
        slashers[0] = address(0xBEEF);
        q.slashers = slashers;
        _expectInvalid("slashers");
        new SequencerRegistry(q);
    }

    function testFuzz_constructor_reporterRewardBps(uint256 bps) public {
        SequencerRegistry.Params memory q = _params();
        q.reporterRewardBps = bps;
        if (bps >= BPS / 2) _expectInvalid("reporterRewardBps");
        SequencerRegistry r = new SequencerRegistry(q);
        if (bps < BPS / 2) assertEq(r.reporterRewardBps(), bps);
    }

    function testFuzz_constructor_maxActiveSet(uint256 maxSet) public {
        SequencerRegistry.Params memory q = _params();
        q.maxActiveSet = maxSet;
        bool ok = maxSet != 0 && maxSet <= 700;
        if (!ok) _expectInvalid("maxActiveSet");
        SequencerRegistry r = new SequencerRegistry(q);
        if (ok) assertEq(r.maxActiveSet(), maxSet);
    }
}

contract SequencerRegistry_Bond_Test is RegistryTestBase {
    function test_bond_registersOperator() public {
        address operator = makeAddr("alice");
        address signer = makeAddr("alice-signer");
        vm.deal(operator, 2 ether);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Bonded(operator, signer, 2 ether);
        vm.prank(operator);
        registry.bond{value: 2 ether}(signer);

        assertEq(registry.stakeOf(operator), 2 ether);
        assertEq(registry.signerOf(operator), signer);
        assertEq(registry.operatorOf(signer), operator);
        assertTrue(registry.isActive(operator));
        (bool jailed, uint256 until, uint256 at) = registry.jailOf(operator);
        assertFalse(jailed);
        assertEq(until, 0);
        assertEq(at, 0);
        (uint256 unbonding, uint256 withdrawableAt) = registry.unbondingOf(operator);
        assertEq(unbonding, 0);
        assertEq(withdrawableAt, 0);
        address[] memory active = registry.activeOperators();
        assertEq(active.length, 1);
        assertEq(active[0], operator);
        assertEq(address(registry).balance, 2 ether);
        assertEq(operator.balance, 0);
    }

    function test_bond_exactlyMinimum() public {
        Op memory a = _bond("alice", MIN);
        assertEq(registry.stakeOf(a.operator), MIN);
        assertTrue(registry.isActive(a.operator));
    }

    function test_bond_revertsWhenBelowMinimum() public {
        address operator = makeAddr("alice");
        vm.deal(operator, MIN);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StakeTooLow.selector, MIN - 1, MIN));
        registry.bond{value: MIN - 1}(makeAddr("alice-signer"));
    }

    function test_bond_revertsWhenZeroValue() public {
        vm.prank(makeAddr("alice"));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StakeTooLow.selector, 0, MIN));
        registry.bond(makeAddr("alice-signer"));
    }

    function test_bond_revertsWhenAboveUint88() public {
        address operator = makeAddr("alice");
        vm.deal(operator, UINT88_MAX + 1);
        vm.prank(operator);
        _expectInvalid("msg.value");
        registry.bond{value: UINT88_MAX + 1}(makeAddr("alice-signer"));
    }

    function test_bond_revertsWhenAlreadyBonded() public {
        Op memory a = _bond("alice", MIN);
        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.AlreadyBonded.selector, a.operator));
        registry.bond{value: MIN}(makeAddr("alice-signer-2"));
    }

    function test_bond_revertsWhenSignerZero() public {
        address operator = makeAddr("alice");
        vm.deal(operator, MIN);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.SignerUnavailable.selector, address(0)));
        registry.bond{value: MIN}(address(0));
    }

    function test_bond_revertsWhenSignerTaken() public {
        Op memory a = _bond("alice", MIN);
        address bob = makeAddr("bob");
        vm.deal(bob, MIN);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.SignerUnavailable.selector, a.signer));
        registry.bond{value: MIN}(a.signer);
    }

    function test_bond_revertsWhenActiveSetFull() public {
        uint256 maxSet = registry.maxActiveSet();
        for (uint256 i; i < maxSet; ++i) {
            _bond(string.concat("op", vm.toString(i)), MIN);
        }
        assertEq(registry.activeOperators().length, maxSet);
        address late = makeAddr("late");
        vm.deal(late, MIN);
        vm.prank(late);
        // Equal stake does not displace anyone: a seat needs strictly more than the smallest.
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.ActiveSetFull.selector, maxSet, MIN));
        registry.bond{value: MIN}(makeAddr("late-signer"));

        // A seat freed by a full unbond can be taken.
        _unbond(makeAddr("op7"), MIN);
        assertEq(registry.activeOperators().length, maxSet - 1);
        vm.prank(late);
        registry.bond{value: MIN}(makeAddr("late-signer"));
        assertTrue(registry.isActive(late));
        assertEq(registry.activeOperators().length, maxSet);
    }

    function testFuzz_bond_amount(uint256 amount) public {
        amount = bound(amount, MIN, UINT88_MAX);
        address operator = makeAddr("alice");
        vm.deal(operator, amount);
        vm.prank(operator);
        registry.bond{value: amount}(makeAddr("alice-signer"));
        assertEq(registry.stakeOf(operator), amount);
        assertEq(address(registry).balance, amount);
        assertTrue(registry.isActive(operator));
    }

    function testFuzz_bond_revertsBelowMinimum(uint256 amount) public {
        amount = bound(amount, 0, MIN - 1);
        address operator = makeAddr("alice");
        vm.deal(operator, amount);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StakeTooLow.selector, amount, MIN));
        registry.bond{value: amount}(makeAddr("alice-signer"));
    }

    function testFuzz_bond_revertsAboveUint88(uint256 amount) public {
        amount = bound(amount, UINT88_MAX + 1, UINT88_MAX * 4);
        address operator = makeAddr("alice");
        vm.deal(operator, amount);
        vm.prank(operator);
        _expectInvalid("msg.value");
        registry.bond{value: amount}(makeAddr("alice-signer"));
    }
}

contract SequencerRegistry_TopUp_Test is RegistryTestBase {
    function test_topUp_addsStake() public {
        Op memory a = _bond("alice", MIN);
        vm.deal(a.operator, 2 ether);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.ToppedUp(a.operator, 2 ether, MIN + 2 ether);
        vm.prank(a.operator);
        registry.topUp{value: 2 ether}();
        assertEq(registry.stakeOf(a.operator), MIN + 2 ether);
        assertEq(address(registry).balance, MIN + 2 ether);
        assertTrue(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, 1);
    }

    function test_topUp_revertsWhenZero() public {
        Op memory a = _bond("alice", MIN);
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.ZeroAmount.selector);
        registry.topUp();
    }

    function test_topUp_revertsWhenNotBonded() public {
        address bob = makeAddr("bob");
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotBonded.selector, bob));
        registry.topUp{value: 1 ether}();
    }

    function test_topUp_revertsWhenAboveUint88() public {
        Op memory a = _bond("alice", MIN);
        uint256 amount = UINT88_MAX - MIN + 1;
        vm.deal(a.operator, amount);
        vm.prank(a.operator);
        _expectInvalid("msg.value");
        registry.topUp{value: amount}();
    }

    function test_topUp_relistsAfterFullUnbond() public {
        Op memory a = _bond("alice", 2 ether);
        _unbond(a.operator, 2 ether);
        assertFalse(registry.isActive(a.operator));
        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        registry.topUp{value: MIN}();
        assertTrue(registry.isActive(a.operator));
        assertEq(registry.activeOperators()[0], a.operator);
        // The unbonding stake is untouched and still on its clock.
        assertEq(_unbondingAmount(a.operator), 2 ether);
    }

    function test_topUp_belowMinimumAfterFullUnbondStaysInactive() public {
        Op memory a = _bond("alice", 2 ether);
        _unbond(a.operator, 2 ether);
        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        registry.topUp{value: MIN - 1}();
        assertFalse(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, 0);
        vm.prank(a.operator);
        registry.topUp{value: 1}();
        assertTrue(registry.isActive(a.operator));
    }

    function test_topUp_jailedOperatorStaysInactive() public {
        Op memory a = _bond("alice", 2 ether);
        _slash(a.operator, 1000, "k", reporter);
        vm.deal(a.operator, 5 ether);
        vm.prank(a.operator);
        registry.topUp{value: 5 ether}();
        assertFalse(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, 0);
        assertEq(registry.stakeOf(a.operator), 1.8 ether + 5 ether);
    }

    function test_topUp_relistRevertsWhenActiveSetFull() public {
        Op memory a = _bond("alice", MIN);
        _unbond(a.operator, MIN);
        uint256 maxSet = registry.maxActiveSet();
        for (uint256 i; i < maxSet; ++i) {
            _bond(string.concat("op", vm.toString(i)), MIN);
        }
        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.ActiveSetFull.selector, maxSet, MIN));
        registry.topUp{value: MIN}();
    }

    function testFuzz_topUp(uint256 initial, uint256 amount) public {
        initial = bound(initial, MIN, 1000 ether);
        amount = bound(amount, 1, UINT88_MAX - initial);
        Op memory a = _bond("alice", initial);
        vm.deal(a.operator, amount);
        vm.prank(a.operator);
        registry.topUp{value: amount}();
        assertEq(registry.stakeOf(a.operator), initial + amount);
        assertEq(address(registry).balance, initial + amount);
    }
}

contract SequencerRegistry_RequestUnbond_Test is RegistryTestBase {
    function test_requestUnbond_partial() public {
        Op memory a = _bond("alice", 3 ether);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.UnbondRequested(a.operator, 1 ether, 1 ether, vm.getBlockTimestamp() + PERIOD);
        _unbond(a.operator, 1 ether);
        assertEq(registry.stakeOf(a.operator), 2 ether);
        (uint256 amount, uint256 at) = registry.unbondingOf(a.operator);
        assertEq(amount, 1 ether);
        assertEq(at, vm.getBlockTimestamp() + PERIOD);
        assertTrue(registry.isActive(a.operator));
        assertEq(address(registry).balance, 3 ether);
    }

    function test_requestUnbond_fullRemovesFromActiveSet() public {
        Op memory a = _bond("alice", 3 ether);
        Op memory b = _bond("bob", 2 ether);
        Op memory c = _bond("carol", 2 ether);
        _unbond(a.operator, 3 ether);
        assertFalse(registry.isActive(a.operator));
        assertEq(registry.stakeOf(a.operator), 0);
        // Swap-and-pop: the last operator takes the freed index.
        address[] memory active = registry.activeOperators();
        assertEq(active.length, 2);
        assertEq(active[0], c.operator);
        assertEq(active[1], b.operator);
        // Still registered: the signer stays bound.
        assertEq(registry.operatorOf(a.signer), a.operator);
        assertEq(registry.signerOf(a.operator), a.signer);
    }

    function test_requestUnbond_restartsPeriodForWholeAmount() public {
        Op memory a = _bond("alice", 5 ether);
        _unbond(a.operator, 1 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD - 1);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.UnbondRequested(a.operator, 1 ether, 2 ether, vm.getBlockTimestamp() + PERIOD);
        _unbond(a.operator, 1 ether);
        vm.warp(vm.getBlockTimestamp() + 1);
        vm.prank(a.operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerRegistry.StillUnbonding.selector,
                vm.getBlockTimestamp() + PERIOD - 1,
                vm.getBlockTimestamp()
            )
        );
        registry.withdraw();
    }

    function test_requestUnbond_revertsWhenZero() public {
        Op memory a = _bond("alice", MIN);
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.ZeroAmount.selector);
        registry.requestUnbond(0);
    }

    function test_requestUnbond_revertsWhenNotBonded() public {
        address bob = makeAddr("bob");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotBonded.selector, bob));
        registry.requestUnbond(1);
    }

    function test_requestUnbond_revertsWhenAboveStake() public {
        Op memory a = _bond("alice", 2 ether);
        vm.prank(a.operator);
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerRegistry.InsufficientStake.selector, 2 ether, 2 ether + 1)
        );
        registry.requestUnbond(2 ether + 1);
    }

    function test_requestUnbond_revertsWhenRemainderBelowMinimum() public {
        Op memory a = _bond("alice", 2 ether);
        vm.prank(a.operator);
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerRegistry.RemainderBelowMinimum.selector, MIN - 1, MIN)
        );
        registry.requestUnbond(2 ether - MIN + 1);
    }

    function test_requestUnbond_jailedOperatorMayUnbond() public {
        Op memory a = _bond("alice", 4 ether);
        _slash(a.operator, 5000, "k", reporter);
        assertEq(registry.stakeOf(a.operator), 2 ether);
        _unbond(a.operator, 2 ether);
        assertEq(registry.stakeOf(a.operator), 0);
        assertEq(_unbondingAmount(a.operator), 2 ether);
        assertFalse(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, 0);
    }

    function testFuzz_requestUnbond_remainderRule(uint256 stake, uint256 amount) public {
        stake = bound(stake, MIN, 1000 ether);
        amount = bound(amount, 1, stake + 1 ether);
        Op memory a = _bond("alice", stake);
        vm.prank(a.operator);
        if (amount > stake) {
            vm.expectRevert(
                abi.encodeWithSelector(ISequencerRegistry.InsufficientStake.selector, stake, amount)
            );
            registry.requestUnbond(amount);
            return;
        }
        uint256 remainder = stake - amount;
        if (remainder != 0 && remainder < MIN) {
            vm.expectRevert(
                abi.encodeWithSelector(ISequencerRegistry.RemainderBelowMinimum.selector, remainder, MIN)
            );
            registry.requestUnbond(amount);
            return;
        }
        registry.requestUnbond(amount);
        assertEq(registry.stakeOf(a.operator), remainder);
        assertEq(_unbondingAmount(a.operator), amount);
        assertEq(registry.isActive(a.operator), remainder != 0);
        assertEq(address(registry).balance, stake);
    }
}

contract SequencerRegistry_Withdraw_Test is RegistryTestBase {
    function test_withdraw_afterPeriod() public {
        Op memory a = _bond("alice", 3 ether);
        _unbond(a.operator, 1 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Withdrawn(a.operator, 1 ether);
        _withdraw(a.operator);
        assertEq(a.operator.balance, 1 ether);
        assertEq(address(registry).balance, 2 ether);
        (uint256 amount, uint256 at) = registry.unbondingOf(a.operator);
        assertEq(amount, 0);
        assertEq(at, 0);
        assertEq(registry.stakeOf(a.operator), 2 ether);
    }

    function test_withdraw_revertsWhenNothingToWithdraw() public {
        Op memory a = _bond("alice", 3 ether);
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.NothingToWithdraw.selector);
        registry.withdraw();
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(ISequencerRegistry.NothingToWithdraw.selector);
        registry.withdraw();
    }

    function test_withdraw_revertsOnSecondCall() public {
        Op memory a = _bond("alice", 3 ether);
        _unbond(a.operator, 3 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        _withdraw(a.operator);
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.NothingToWithdraw.selector);
        registry.withdraw();
        assertEq(a.operator.balance, 3 ether);
    }

    function test_withdraw_revertsWhenStillUnbonding() public {
        Op memory a = _bond("alice", 3 ether);
        _unbond(a.operator, 1 ether);
        uint256 at = vm.getBlockTimestamp() + PERIOD;
        vm.warp(at - 1);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StillUnbonding.selector, at, at - 1));
        registry.withdraw();
    }

    function test_withdraw_revertsWhenTransferFails() public {
        EthRefuser op = new EthRefuser();
        vm.deal(address(this), 2 ether);
        op.exec{value: 2 ether}(
            address(registry), abi.encodeCall(registry.bond, (makeAddr("rejecter-signer")))
        );
        op.exec(address(registry), abi.encodeCall(registry.requestUnbond, (2 ether)));
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerRegistry.TransferFailed.selector, address(op), 2 ether)
        );
        op.exec(address(registry), abi.encodeCall(registry.withdraw, ()));
        assertEq(_unbondingAmount(address(op)), 2 ether);
    }

    function testFuzz_withdraw_timing(uint256 stake, uint256 amount, uint256 dt) public {
        stake = bound(stake, MIN, 1000 ether);
        amount = bound(amount, 1, stake);
        if (stake - amount < MIN) amount = stake;
        dt = bound(dt, 0, PERIOD * 10);
        Op memory a = _bond("alice", stake);
        _unbond(a.operator, amount);
        uint256 at = vm.getBlockTimestamp() + PERIOD;
        vm.warp(vm.getBlockTimestamp() + dt);
        vm.prank(a.operator);
        if (dt < PERIOD) {
            vm.expectRevert(
                abi.encodeWithSelector(ISequencerRegistry.StillUnbonding.selector, at, vm.getBlockTimestamp())
            );
            registry.withdraw();
            assertEq(a.operator.balance, 0);
        } else {
            registry.withdraw();
            assertEq(a.operator.balance, amount);
            assertEq(address(registry).balance, stake - amount);
        }
    }
}

contract SequencerRegistry_Unjail_Test is RegistryTestBase {
    function test_unjail_afterTerm() public {
        Op memory a = _bond("alice", 4 ether);
        _bond("bob", 2 ether);
        _slash(a.operator, 1000, "k", reporter);
        (, uint256 until,) = registry.jailOf(a.operator);
        _rollToEpoch(until);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Unjailed(a.operator);
        vm.prank(a.operator);
        registry.unjail();
        assertTrue(registry.isActive(a.operator));
        (bool jailed,,) = registry.jailOf(a.operator);
        assertFalse(jailed);
        address[] memory active = registry.activeOperators();
        assertEq(active.length, 2);
        assertEq(active[1], a.operator);
    }

    function test_unjail_revertsWhenNotJailed() public {
        Op memory a = _bond("alice", 4 ether);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotJailed.selector, a.operator));
        registry.unjail();
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotJailed.selector, stranger));
        registry.unjail();
    }

    function test_unjail_revertsWhenStillJailed() public {
        Op memory a = _bond("alice", 4 ether);
        _rollToEpoch(3);
        _slash(a.operator, 1000, "k", reporter);
        uint256 until = 3 + p.jailEpochs;
        vm.roll(registry.epochStartBlock(until) - 1);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StillJailed.selector, until, until - 1));
        registry.unjail();
    }

    function test_unjail_revertsWhenStakeBelowMinimum() public {
        Op memory a = _bond("alice", 1.5 ether);
        _slash(a.operator, 5000, "k", reporter);
        assertEq(registry.stakeOf(a.operator), 0.75 ether);
        (, uint256 until,) = registry.jailOf(a.operator);
        _rollToEpoch(until);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.StakeTooLow.selector, 0.75 ether, MIN));
        registry.unjail();
        // A top-up brings it back above the minimum.
        vm.deal(a.operator, 0.25 ether);
        vm.prank(a.operator);
        registry.topUp{value: 0.25 ether}();
        assertFalse(registry.isActive(a.operator));
        vm.prank(a.operator);
        registry.unjail();
        assertTrue(registry.isActive(a.operator));
    }

    function test_unjail_revertsWhenActiveSetFullOfLargerStakes() public {
        Op memory a = _bond("alice", 4 ether);
        _slash(a.operator, 1000, "k", reporter); // 3.6 ETH left
        uint256 maxSet = registry.maxActiveSet();
        for (uint256 i; i < maxSet; ++i) {
            _bond(string.concat("op", vm.toString(i)), 5 ether);
        }
        (, uint256 until,) = registry.jailOf(a.operator);
        _rollToEpoch(until);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.ActiveSetFull.selector, maxSet, 5 ether));
        registry.unjail();
    }

    function test_unjail_displacesSmallerStakeWhenActiveSetFull() public {
        Op memory a = _bond("alice", 4 ether);
        _slash(a.operator, 1000, "k", reporter); // 3.6 ETH left, more than every seated MIN
        uint256 maxSet = registry.maxActiveSet();
        for (uint256 i; i < maxSet; ++i) {
            _bond(string.concat("op", vm.toString(i)), MIN);
        }
        (, uint256 until,) = registry.jailOf(a.operator);
        _rollToEpoch(until);
        vm.prank(a.operator);
        registry.unjail();
        assertTrue(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, maxSet);
    }

    function testFuzz_unjail_termBoundary(uint256 epochsLater) public {
        epochsLater = bound(epochsLater, 0, 3 * p.jailEpochs);
        Op memory a = _bond("alice", 4 ether);
        _rollToEpoch(5);
        _slash(a.operator, 1000, "k", reporter);
        _rollToEpoch(5 + epochsLater);
        vm.prank(a.operator);
        if (epochsLater < p.jailEpochs) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ISequencerRegistry.StillJailed.selector, 5 + p.jailEpochs, 5 + epochsLater
                )
            );
            registry.unjail();
            assertFalse(registry.isActive(a.operator));
        } else {
            registry.unjail();
            assertTrue(registry.isActive(a.operator));
        }
    }
}

contract SequencerRegistry_ClaimReward_Test is RegistryTestBase {
    function test_claimReward_paysReporter() public {
        Op memory a = _bond("alice", 10 ether);
        uint256 amount = _slash(a.operator, 5000, "k", reporter);
        uint256 reward = amount * p.reporterRewardBps / BPS;
        assertEq(reward, 1 ether);
        assertEq(registry.rewardOf(reporter), reward);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.RewardClaimed(reporter, reward);
        vm.prank(reporter);
        registry.claimReward();
        assertEq(reporter.balance, reward);
        assertEq(registry.rewardOf(reporter), 0);
        assertEq(address(registry).balance, 10 ether - reward);
    }

    function test_claimReward_accumulatesOverSlashes() public {
        Op memory a = _bond("alice", 10 ether);
        Op memory b = _bond("bob", 20 ether);
        _slash(a.operator, 1000, "k1", reporter);
        _slash(b.operator, 1000, "k2", reporter);
        assertEq(registry.rewardOf(reporter), 0.2 ether + 0.4 ether);
        vm.prank(reporter);
        registry.claimReward();
        assertEq(reporter.balance, 0.6 ether);
    }

    function test_claimReward_revertsWhenNoReward() public {
        vm.prank(reporter);
        vm.expectRevert(ISequencerRegistry.NoReward.selector);
        registry.claimReward();
    }

    function test_claimReward_revertsOnSecondClaim() public {
        Op memory a = _bond("alice", 10 ether);
        _slash(a.operator, 5000, "k", reporter);
        vm.prank(reporter);
        registry.claimReward();
        vm.prank(reporter);
        vm.expectRevert(ISequencerRegistry.NoReward.selector);
        registry.claimReward();
        assertEq(reporter.balance, 1 ether);
    }

    function test_claimReward_revertsWhenTransferFails() public {
        EthRefuser rejecter = new EthRefuser();
        Op memory a = _bond("alice", 10 ether);
        _slash(a.operator, 5000, "k", address(rejecter));
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerRegistry.TransferFailed.selector, address(rejecter), 1 ether)
        );
        rejecter.exec(address(registry), abi.encodeCall(registry.claimReward, ()));
        assertEq(registry.rewardOf(address(rejecter)), 1 ether);
    }
}

contract SequencerRegistry_Slash_Test is RegistryTestBase {
    function test_slash_takesBpsSplitsAndJails() public {
        Op memory a = _bond("alice", 10 ether);
        _rollToEpoch(4);
        bytes32 key = keccak256("equivocation");
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Slashed(a.operator, key, reporter, 5 ether, 1 ether, 4 ether);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Jailed(a.operator, 4 + p.jailEpochs);
        uint256 amount = _slash(a.operator, 5000, key, reporter);

        assertEq(amount, 5 ether);
        assertEq(registry.stakeOf(a.operator), 5 ether);
        assertEq(registry.rewardOf(reporter), 1 ether);
        assertEq(registry.totalBurned(), 4 ether);
        assertTrue(registry.evidenceUsed(key));
        assertFalse(registry.isActive(a.operator));
        assertEq(registry.activeOperators().length, 0);
        (bool jailed, uint256 until, uint256 at) = registry.jailOf(a.operator);
        assertTrue(jailed);
        assertEq(until, 4 + p.jailEpochs);
        assertEq(at, 4);
        // No ETH moved: the slash is an accounting change inside the registry.
        assertEq(address(registry).balance, 10 ether);
    }

    function test_slash_takesBondedBeforeUnbonding() public {
        Op memory a = _bond("alice", 10 ether);
        _unbond(a.operator, 4 ether);
        _slash(a.operator, 5000, "k", reporter); // (6 + 4) * 50% = 5, all from the bonded 6
        assertEq(registry.stakeOf(a.operator), 1 ether);
        assertEq(_unbondingAmount(a.operator), 4 ether);
        _slash(a.operator, 8000, "k2", reporter); // (1 + 4) * 80% = 4: 1 bonded + 3 unbonding
        assertEq(registry.stakeOf(a.operator), 0);
        assertEq(_unbondingAmount(a.operator), 1 ether);
    }

    function test_slash_fullBpsTakesEverything() public {
        Op memory a = _bond("alice", 10 ether);
        _unbond(a.operator, 3 ether);
        uint256 amount = _slash(a.operator, BPS, "k", reporter);
        assertEq(amount, 10 ether);
        assertEq(registry.stakeOf(a.operator), 0);
        assertEq(_unbondingAmount(a.operator), 0);
        assertEq(registry.totalBurned() + registry.rewardOf(reporter), 10 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.NothingToWithdraw.selector);
        registry.withdraw();
    }

    function test_slash_distinctEvidenceEachSlashes() public {
        Op memory a = _bond("alice", 10 ether);
        _rollToEpoch(2);
        _slash(a.operator, 1000, "k1", reporter);
        _rollToEpoch(5);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Jailed(a.operator, 5 + p.jailEpochs);
        uint256 second = _slash(a.operator, 1000, "k2", reporter);
        assertEq(second, 0.9 ether);
        assertEq(registry.stakeOf(a.operator), 8.1 ether);
        (bool jailed, uint256 until, uint256 at) = registry.jailOf(a.operator);
        assertTrue(jailed);
        assertEq(until, 5 + p.jailEpochs, "term extended");
        assertEq(at, 2, "term keeps its start");
    }

    function test_slash_laterSlashNeverShortensJail() public {
        Op memory a = _bond("alice", 10 ether);
        _rollToEpoch(5);
        _slash(a.operator, 1000, "k1", reporter);
        // A second slash in the same epoch keeps the same term.
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Jailed(a.operator, 5 + p.jailEpochs);
        _slash(a.operator, 1000, "k2", reporter);
        (, uint256 until,) = registry.jailOf(a.operator);
        assertEq(until, 5 + p.jailEpochs);
    }

    function test_slash_rejailsAfterUnjail() public {
        Op memory a = _bond("alice", 10 ether);
        _slash(a.operator, 1000, "k1", reporter);
        _rollToEpoch(p.jailEpochs);
        vm.prank(a.operator);
        registry.unjail();
        _rollToEpoch(p.jailEpochs + 3);
        _slash(a.operator, 1000, "k2", reporter);
        (bool jailed, uint256 until, uint256 at) = registry.jailOf(a.operator);
        assertTrue(jailed);
        assertEq(at, p.jailEpochs + 3);
        assertEq(until, 2 * p.jailEpochs + 3);
        assertFalse(registry.isActive(a.operator));
    }

    function test_slash_revertsWhenNotSlasher() public {
        Op memory a = _bond("alice", 10 ether);
        address[3] memory callers = [address(this), a.operator, address(inbox)];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotSlasher.selector, callers[i]));
            registry.slash(a.operator, 5000, "k", reporter);
        }
        assertEq(registry.stakeOf(a.operator), 10 ether);
    }

    function testFuzz_slash_revertsWhenNotSlasher(address caller) public {
        vm.assume(caller != address(slasher));
        Op memory a = _bond("alice", 10 ether);
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NotSlasher.selector, caller));
        registry.slash(a.operator, 5000, "k", reporter);
    }

    function test_slash_revertsWhenEvidenceAlreadyUsed() public {
        Op memory a = _bond("alice", 10 ether);
        Op memory b = _bond("bob", 10 ether);
        _slash(a.operator, 1000, "k", reporter);
        vm.prank(address(slasher));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, bytes32("k")));
        registry.slash(a.operator, 1000, "k", reporter);
        // Not against another operator either: the key is the offence.
        vm.prank(address(slasher));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.EvidenceAlreadyUsed.selector, bytes32("k")));
        registry.slash(b.operator, 1000, "k", makeAddr("other-reporter"));
        assertEq(registry.stakeOf(a.operator), 9 ether);
        assertEq(registry.stakeOf(b.operator), 10 ether);
    }

    function test_slash_revertsWhenBpsZero() public {
        Op memory a = _bond("alice", 10 ether);
        vm.prank(address(slasher));
        _expectInvalid("bps");
        registry.slash(a.operator, 0, "k", reporter);
    }

    function test_slash_revertsWhenBpsAboveMax() public {
        Op memory a = _bond("alice", 10 ether);
        vm.prank(address(slasher));
        _expectInvalid("bps");
        registry.slash(a.operator, BPS + 1, "k", reporter);
    }

    function testFuzz_slash_revertsWhenBpsOutOfRange(uint256 bps) public {
        vm.assume(bps == 0 || bps > BPS);
        Op memory a = _bond("alice", 10 ether);
        vm.prank(address(slasher));
        _expectInvalid("bps");
        registry.slash(a.operator, bps, "k", reporter);
        assertFalse(registry.evidenceUsed("k"));
    }

    function test_slash_revertsWhenNothingToSlash() public {
        address ghost = makeAddr("ghost");
        vm.prank(address(slasher));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NothingToSlash.selector, ghost));
        registry.slash(ghost, 5000, "k", reporter);
        assertFalse(registry.evidenceUsed("k"));

        // An operator that left with everything has nothing left to take.
        Op memory a = _bond("alice", 2 ether);
        _unbond(a.operator, 2 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        _withdraw(a.operator);
        vm.prank(address(slasher));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NothingToSlash.selector, a.operator));
        registry.slash(a.operator, BPS, "k", reporter);
    }

    function test_slash_revertsWhenAmountRoundsToZero() public {
        Op memory a = _bond("alice", 1 ether);
        // Slash everything, then top up 1 wei while jailed: 99.99% of 1 wei rounds to zero.
        _slash(a.operator, BPS, "k1", reporter);
        vm.deal(a.operator, 1);
        vm.prank(a.operator);
        registry.topUp{value: 1}();
        vm.prank(address(slasher));
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.NothingToSlash.selector, a.operator));
        registry.slash(a.operator, BPS - 1, "k2", reporter);
        // 100% of 1 wei is still 1 wei.
        assertEq(_slash(a.operator, BPS, "k2", reporter), 1);
    }

    function testFuzz_slash_amounts(uint256 stake, uint256 unbond, uint256 bps) public {
        stake = bound(stake, MIN, 10_000 ether);
        unbond = bound(unbond, 0, stake);
        if (unbond != stake && stake - unbond < MIN) unbond = stake;
        bps = bound(bps, 1, BPS);
        Op memory a = _bond("alice", stake);
        if (unbond != 0) _unbond(a.operator, unbond);
        uint256 bonded = stake - unbond;

        uint256 expected = stake * bps / BPS;
        uint256 reward = expected * p.reporterRewardBps / BPS;
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Slashed(a.operator, "k", reporter, expected, reward, expected - reward);
        uint256 amount = _slash(a.operator, bps, "k", reporter);

        assertEq(amount, expected);
        uint256 fromStake = amount < bonded ? amount : bonded;
        assertEq(registry.stakeOf(a.operator), bonded - fromStake);
        assertEq(_unbondingAmount(a.operator), unbond - (amount - fromStake));
        assertEq(registry.rewardOf(reporter), reward);
        assertEq(registry.totalBurned(), expected - reward);
        assertLt(reward * 2, amount, "reporter gets less than half");
        assertEq(
            registry.stakeOf(a.operator) + _unbondingAmount(a.operator) + registry.rewardOf(reporter)
                + registry.totalBurned(),
            address(registry).balance
        );
        (bool jailed,,) = registry.jailOf(a.operator);
        assertTrue(jailed);
        assertFalse(registry.isActive(a.operator));
    }
}

contract SequencerRegistry_Views_Test is RegistryTestBase {
    function test_views_unknownAccounts() public {
        address nobody = makeAddr("nobody");
        assertEq(registry.stakeOf(nobody), 0);
        (uint256 amount, uint256 at) = registry.unbondingOf(nobody);
        assertEq(amount, 0);
        assertEq(at, 0);
        assertEq(registry.operatorOf(nobody), address(0));
        assertEq(registry.signerOf(nobody), address(0));
        assertFalse(registry.isActive(nobody));
        (bool jailed, uint256 until, uint256 jailedAt) = registry.jailOf(nobody);
        assertFalse(jailed);
        assertEq(until, 0);
        assertEq(jailedAt, 0);
        assertEq(registry.rewardOf(nobody), 0);
        assertFalse(registry.evidenceUsed(bytes32(0)));
        assertFalse(registry.isSlasher(nobody));
        assertFalse(registry.isSlasher(address(0)));
    }

    function test_views_activeOperatorsInSetOrder() public {
        Op memory a = _bond("alice", 1 ether);
        Op memory b = _bond("bob", 2 ether);
        Op memory c = _bond("carol", 3 ether);
        Op memory d = _bond("dave", 4 ether);
        _slash(b.operator, 100, "k", reporter);
        address[] memory active = registry.activeOperators();
        assertEq(active.length, 3);
        assertEq(active[0], a.operator);
        assertEq(active[1], d.operator);
        assertEq(active[2], c.operator);
        // The moved operator's index is updated: removing it again works.
        _unbond(d.operator, 4 ether);
        active = registry.activeOperators();
        assertEq(active.length, 2);
        assertEq(active[0], a.operator);
        assertEq(active[1], c.operator);
        // Moves in the set never disturb the signer → operator binding.
        assertEq(registry.operatorOf(a.signer), a.operator);
        assertEq(registry.operatorOf(b.signer), b.operator);
        assertEq(registry.operatorOf(c.signer), c.operator);
        assertEq(registry.operatorOf(d.signer), d.operator);
        // And the moved operator can still leave and come back cleanly.
        _unbond(c.operator, 3 ether);
        vm.deal(d.operator, 4 ether);
        vm.prank(d.operator);
        registry.topUp{value: 4 ether}();
        active = registry.activeOperators();
        assertEq(active.length, 2);
        assertEq(active[0], a.operator);
        assertEq(active[1], d.operator);
        _unbond(a.operator, 1 ether);
        active = registry.activeOperators();
        assertEq(active.length, 1);
        assertEq(active[0], d.operator);
        assertFalse(registry.isActive(a.operator));
        assertTrue(registry.isActive(d.operator));
    }
}

/// @notice Regression tests for ways to game the registry.
contract SequencerRegistry_Attacks_Test is RegistryTestBase {
    /// Issue 15, finding 3: mallory bonds with alice's operator address as its signer. Before the
    /// fix the bond was accepted, `operatorOf(alice)` became mallory, and the oracle and the game
    /// credited alice's proposals and moves to mallory. Now the bond is refused.
    function test_attack_signerSquat_anotherOperatorAsSignerIsRefused() public {
        Op memory alice = _bond("alice", MIN);
        address mallory = makeAddr("mallory");
        vm.deal(mallory, MIN);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.SignerUnavailable.selector, alice.operator));
        registry.bond{value: MIN}(alice.operator);
        assertEq(registry.operatorFor(alice.operator), alice.operator, "alice still acts for herself");
        assertEq(registry.operatorOf(alice.operator), address(0));
    }

    /// The mirror image: a signer key cannot become an operator itself, or it would act for two.
    function test_attack_signerSquat_aSignerCannotBond() public {
        Op memory alice = _bond("alice", MIN);
        vm.deal(alice.signer, MIN);
        vm.prank(alice.signer);
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerRegistry.SignerCannotBond.selector, alice.signer, alice.operator)
        );
        registry.bond{value: MIN}(makeAddr("fresh-signer"));
        assertEq(registry.operatorFor(alice.signer), alice.operator);
    }

    /// Whatever pairs of addresses try to bond with each other as signers, every operator acts
    /// for itself and every bound signer for its operator: `operatorFor` is never ambiguous.
    function testFuzz_bond_noAddressIsOperatorAndAnothersSigner(uint8[8] calldata picks) public {
        address[4] memory who = [makeAddr("w0"), makeAddr("w1"), makeAddr("w2"), makeAddr("w3")];
        for (uint256 i; i < picks.length; ++i) {
            address caller = who[picks[i] % 4];
            address signer = who[(picks[i] >> 2) % 4];
            vm.deal(caller, MIN);
            vm.prank(caller);
            try registry.bond{value: MIN}(signer) {} catch {}
        }
        for (uint256 i; i < 4; ++i) {
            address s = registry.signerOf(who[i]);
            if (s == address(0)) continue;
            assertEq(registry.operatorFor(who[i]), who[i], "an operator acts for itself");
            assertEq(registry.operatorFor(s), who[i], "its signer acts for it");
            for (uint256 j; j < 4; ++j) {
                if (j != i) assertTrue(registry.signerOf(who[j]) != who[i], "operator bound as a signer");
            }
        }
    }

    /// A self-signed operator (signer = operator) is still allowed and resolves as itself.
    function test_bond_selfSignedOperatorActsForItself() public {
        address solo = makeAddr("solo");
        vm.deal(solo, MIN);
        vm.prank(solo);
        registry.bond{value: MIN}(solo);
        assertEq(registry.operatorFor(solo), solo);
        assertEq(registry.operatorFor(makeAddr("nobody")), address(0));
    }

    /// A slash neither deletes the entry nor releases the remaining stake early.
    function test_attack_slashCannotDeleteEntryOrSpeedExit() public {
        Op memory a = _bond("alice", 10 ether);
        _slash(a.operator, 5000, "k", reporter);

        assertEq(registry.signerOf(a.operator), a.signer);
        assertEq(registry.operatorOf(a.signer), a.operator);
        assertEq(registry.stakeOf(a.operator), 5 ether);
        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        vm.expectRevert(abi.encodeWithSelector(ISequencerRegistry.AlreadyBonded.selector, a.operator));
        registry.bond{value: MIN}(makeAddr("fresh-signer"));

        // Nothing became withdrawable.
        vm.prank(a.operator);
        vm.expectRevert(ISequencerRegistry.NothingToWithdraw.selector);
        registry.withdraw();

        // The rest leaves only through requestUnbond and a full period.
        uint256 start = vm.getBlockTimestamp();
        _unbond(a.operator, 5 ether);
        vm.warp(start + PERIOD - 1);
        vm.prank(a.operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerRegistry.StillUnbonding.selector, start + PERIOD, start + PERIOD - 1
            )
        );
        registry.withdraw();
        vm.warp(start + PERIOD);
        _withdraw(a.operator);
        assertEq(a.operator.balance, MIN + 5 ether);
        // Still registered after leaving: the signer stays bound forever.
        assertEq(registry.operatorOf(a.signer), a.operator);
    }

    /// Unbonding right after equivocating does not escape the slash.
    function test_attack_unbondRightAfterEquivocationStillSlashed() public {
        Op memory a = _bond("alice", 10 ether);
        _unbond(a.operator, 10 ether);
        assertFalse(registry.isActive(a.operator));
        uint256 amount = _slash(a.operator, 5000, "k", reporter);
        assertEq(amount, 5 ether);
        assertEq(_unbondingAmount(a.operator), 5 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        _withdraw(a.operator);
        assertEq(a.operator.balance, 5 ether);
    }

    /// Unbonding stake stays slashable after the period passed, until it is withdrawn.
    function testFuzz_attack_unbondingSlashableUntilWithdrawn(uint256 stake, uint256 bps, uint256 dt) public {
        stake = bound(stake, MIN, 10_000 ether);
        bps = bound(bps, 1, BPS);
        dt = bound(dt, 0, PERIOD * 100);
        Op memory a = _bond("alice", stake);
        _unbond(a.operator, stake);
        vm.warp(vm.getBlockTimestamp() + dt);
        uint256 amount = _slash(a.operator, bps, "k", reporter);
        assertEq(amount, stake * bps / BPS);
        assertEq(_unbondingAmount(a.operator), stake - amount);
        if (dt >= PERIOD && amount < stake) {
            _withdraw(a.operator);
            assertEq(a.operator.balance, stake - amount);
        }
    }

    /// Reporting yourself always costs more than the reward pays.
    function testFuzz_attack_selfReportNeverPays(uint256 stake, uint256 unbond, uint256 bps) public {
        stake = bound(stake, MIN, 10_000 ether);
        unbond = bound(unbond, 0, stake);
        if (unbond != stake && stake - unbond < MIN) unbond = stake;
        bps = bound(bps, 1, BPS);
        Op memory a = _bond("alice", stake);
        if (unbond != 0) _unbond(a.operator, unbond);
        uint256 before = _wealth(a.operator);
        uint256 balanceBefore = a.operator.balance;

        _slash(a.operator, bps, "k", a.operator);
        vm.prank(a.operator);
        registry.claimReward();

        assertGt(a.operator.balance, balanceBefore, "reward paid out");
        assertLt(_wealth(a.operator), before, "self-report is a net loss");
        // And the loss is the burned share exactly.
        assertEq(before - _wealth(a.operator), registry.totalBurned());
    }

    /// A signer belongs to one operator forever: not while it is bonded, not after it left or was
    /// slashed to nothing.
    function testFuzz_attack_signerNeverReused(address thief) public {
        vm.assume(thief != address(0) && thief != address(vm) && thief.code.length == 0);
        Op memory a = _bond("alice", 2 ether);
        vm.assume(thief != a.operator);
        vm.deal(thief, 3 * MIN);
        bytes memory err = abi.encodeWithSelector(ISequencerRegistry.SignerUnavailable.selector, a.signer);

        vm.prank(thief);
        vm.expectRevert(err);
        registry.bond{value: MIN}(a.signer);

        _unbond(a.operator, 2 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        _withdraw(a.operator);
        vm.prank(thief);
        vm.expectRevert(err);
        registry.bond{value: MIN}(a.signer);

        vm.deal(a.operator, MIN);
        vm.prank(a.operator);
        registry.topUp{value: MIN}();
        _slash(a.operator, BPS, "k", reporter);
        vm.prank(thief);
        vm.expectRevert(err);
        registry.bond{value: MIN}(a.signer);
        assertEq(registry.operatorOf(a.signer), a.operator);
    }

    /// A malicious operator re-entering withdraw and claimReward from its receive hook gets exactly
    /// its unbonding stake plus its reward, once.
    function test_attack_reentrantWithdrawGetsNothingExtra() public {
        ReentrantOperator attacker = new ReentrantOperator(registry);
        vm.deal(address(this), 5 ether);
        attacker.bond{value: 5 ether}(makeAddr("attacker-signer"));
        Op memory victim = _bond("victim", 10 ether);
        _slash(victim.operator, 5000, "k", address(attacker)); // reward 1 ether
        attacker.requestUnbond(5 ether);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        uint256 registryBefore = address(registry).balance;

        attacker.withdraw();

        assertEq(attacker.received(), 6 ether, "unbonding + reward, once");
        assertEq(address(attacker).balance, 6 ether);
        assertEq(address(registry).balance, registryBefore - 6 ether);
        assertEq(_unbondingAmount(address(attacker)), 0);
        assertEq(registry.rewardOf(address(attacker)), 0);
        // Only the legitimate claim of its own reward went through.
        assertEq(attacker.reentrySuccesses(), 1);
        assertGt(attacker.reentryAttempts(), 2);
        // Victim's funds untouched.
        assertEq(registry.stakeOf(victim.operator) + registry.totalBurned(), 5 ether + 4 ether);
    }

    function test_attack_reentrantClaimRewardGetsNothingExtra() public {
        ReentrantOperator attacker = new ReentrantOperator(registry);
        Op memory victim = _bond("victim", 10 ether);
        _slash(victim.operator, 5000, "k", address(attacker));
        uint256 registryBefore = address(registry).balance;

        attacker.claimReward();

        assertEq(attacker.received(), 1 ether);
        assertEq(address(registry).balance, registryBefore - 1 ether);
        assertEq(attacker.reentrySuccesses(), 0);
        assertEq(attacker.reentryAttempts(), 2);
    }
}

/// @notice A full active set gives a seat to a larger stake by displacing the smallest.
contract SequencerRegistry_Displacement_Test is RegistryTestBase {
    function _fill(uint256 stake) internal returns (uint256 maxSet) {
        maxSet = registry.maxActiveSet();
        for (uint256 i; i < maxSet; ++i) {
            _bond(string.concat("op", vm.toString(i)), stake + i * 1 gwei);
        }
    }

    function test_bond_displacesTheSmallestStakeWhenFull() public {
        uint256 maxSet = _fill(MIN);
        address smallest = makeAddr("op0"); // MIN exactly; every other seat has a little more
        address big = makeAddr("big");
        address bigSigner = makeAddr("big-signer");
        vm.deal(big, 2 * MIN);
        vm.expectEmit(address(registry));
        emit ISequencerRegistry.Displaced(smallest, big, MIN);
        vm.prank(big);
        registry.bond{value: 2 * MIN}(bigSigner);

        assertTrue(registry.isActive(big));
        assertFalse(registry.isActive(smallest));
        assertEq(registry.activeOperators().length, maxSet);
        // Displaced, not punished: still bonded, unjailed, its signer still its own.
        assertEq(registry.stakeOf(smallest), MIN);
        (bool jailed,,) = registry.jailOf(smallest);
        assertFalse(jailed);
        assertEq(registry.operatorOf(registry.signerOf(smallest)), smallest);
        assertEq(registry.operatorOf(bigSigner), big);

        // It returns by topping up past the new smallest seat, displacing that one in turn.
        vm.deal(smallest, MIN);
        vm.prank(smallest);
        registry.topUp{value: MIN}();
        assertTrue(registry.isActive(smallest));
        assertFalse(registry.isActive(makeAddr("op1")));
    }

    /// @dev Whatever the stakes, a newcomer either takes exactly the seat of a smallest-stake
    ///      operator (when it has strictly more) or is refused, and the set size never changes.
    function testFuzz_bond_displacementKeepsTheLargestStakes(uint256 seed, uint256 newcomerStake) public {
        uint256 maxSet = registry.maxActiveSet();
        uint256 smallestStake = type(uint256).max;
        for (uint256 i; i < maxSet; ++i) {
            uint256 stake = bound(uint256(keccak256(abi.encode(seed, i))), MIN, 10 * MIN);
            if (stake < smallestStake) smallestStake = stake;
            _bond(string.concat("op", vm.toString(i)), stake);
        }
        newcomerStake = bound(newcomerStake, MIN, 11 * MIN);
        address newcomer = makeAddr("newcomer");
        vm.deal(newcomer, newcomerStake);
        vm.prank(newcomer);
        if (newcomerStake <= smallestStake) {
            vm.expectRevert(
                abi.encodeWithSelector(ISequencerRegistry.ActiveSetFull.selector, maxSet, smallestStake)
            );
            registry.bond{value: newcomerStake}(makeAddr("newcomer-signer"));
            return;
        }
        registry.bond{value: newcomerStake}(makeAddr("newcomer-signer"));
        address[] memory seated = registry.activeOperators();
        assertEq(seated.length, maxSet);
        uint256 out;
        for (uint256 i; i < maxSet; ++i) {
            address op = makeAddr(string.concat("op", vm.toString(i)));
            if (!registry.isActive(op)) {
                ++out;
                assertEq(registry.stakeOf(op), smallestStake, "displaced someone not the smallest");
            }
        }
        assertEq(out, 1);
        assertTrue(registry.isActive(newcomer));
    }
}
