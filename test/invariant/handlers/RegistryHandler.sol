// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {SequencerRegistry} from "../../../contracts/SequencerRegistry.sol";

/// @notice Drives the registry with a few operators, reporters and the slasher, keeping running
///         totals of every ETH flow (solady ERC20Invariants style). Ghost state is updated only
///         after a call succeeded, so a reverting call changes nothing on either side.
contract RegistryHandler is CommonBase, StdCheats, StdUtils {
    SequencerRegistry public immutable registry;
    address public immutable slasher;
    uint256 internal immutable MIN;
    uint256 internal immutable EPOCH_LENGTH;

    address[] public actors;
    mapping(address actor => address) public signerOf;
    /// Everyone who can ever hold a reward: the actors (self-reports) and two outside watchers.
    address[] public reporters;

    // Running totals.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostRewardsClaimed;
    uint256 public ghostSlashed;
    uint256 public ghostRewarded;
    uint256 public ghostBurned;

    // Slashing.
    bytes32[] public keys;
    mapping(bytes32 key => uint256) public ghostSlashesOf;
    uint256 public ghostReusedKeyAttempts;
    uint256 public ghostRewardAtLeastHalf;

    // Time, kept here so it only moves forward whatever the fuzzer does between calls.
    uint256 public currentTimestamp;
    uint256 public currentBlock;

    mapping(bytes32 fn => uint256) public calls;

    constructor(SequencerRegistry registry_, address slasher_) {
        registry = registry_;
        slasher = slasher_;
        MIN = registry_.minStake();
        EPOCH_LENGTH = registry_.epochLength();
        currentTimestamp = vm.getBlockTimestamp();
        currentBlock = block.number;
        for (uint256 i; i < 6; ++i) {
            address actor = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(actor);
            signerOf[actor] = makeAddr(string.concat("actor", vm.toString(i), "-signer"));
            reporters.push(actor);
        }
        reporters.push(makeAddr("watcher0"));
        reporters.push(makeAddr("watcher1"));
    }

    modifier synced(bytes32 fn) {
        vm.warp(currentTimestamp);
        vm.roll(currentBlock);
        ++calls[fn];
        _;
    }

    // ---------------------------------------------------------------- actions

    function bond(uint256 actorSeed, uint256 amount) external synced("bond") {
        address actor = _actor(actorSeed);
        if (registry.signerOf(actor) != address(0)) return;
        amount = bound(amount, MIN, 50 ether);
        vm.deal(actor, actor.balance + amount);
        vm.prank(actor);
        registry.bond{value: amount}(signerOf[actor]);
        ghostDeposited += amount;
    }

    /// @dev Bond `actor` with another actor's address, or that actor's signer key, as its signer:
    ///      the registry must refuse every binding that makes one address both an operator and
    ///      another operator's signer (issue 15, finding 3), and may accept the rest.
    function bondCrossSigner(uint256 actorSeed, uint256 otherSeed, bool othersKey, uint256 amount)
        external
        synced("bondCrossSigner")
    {
        address actor = _actor(actorSeed);
        if (registry.signerOf(actor) != address(0)) return;
        address other = _actorAt(otherSeed, 1 + otherSeed % (actors.length - 1));
        address signer = othersKey ? signerOf[other] : other;
        amount = bound(amount, MIN, 50 ether);
        vm.deal(actor, actor.balance + amount);
        vm.prank(actor);
        try registry.bond{value: amount}(signer) {
            ghostDeposited += amount;
        } catch {}
    }

    function topUp(uint256 actorSeed, uint256 amount) external synced("topUp") {
        address actor = _actor(actorSeed);
        if (registry.signerOf(actor) == address(0)) return;
        amount = bound(amount, 1, 20 ether);
        vm.deal(actor, actor.balance + amount);
        vm.prank(actor);
        registry.topUp{value: amount}();
        ghostDeposited += amount;
    }

    function requestUnbond(uint256 actorSeed, uint256 amount, bool all) external synced("requestUnbond") {
        address actor = _actor(actorSeed);
        uint256 stake = registry.stakeOf(actor);
        if (stake == 0) return;
        amount = all ? stake : bound(amount, 1, stake);
        // Amounts that would leave dust below the minimum revert; try them anyway now and then.
        vm.prank(actor);
        registry.requestUnbond(amount);
    }

    function withdraw(uint256 actorSeed, uint256 warpBy) external synced("withdraw") {
        currentTimestamp += bound(warpBy, 0, 400);
        vm.warp(currentTimestamp);
        // Prefer an actor that has something unbonding, starting from the fuzzed one.
        address actor = _actor(actorSeed);
        for (uint256 i; i < actors.length; ++i) {
            address candidate = _actorAt(actorSeed, i);
            (uint256 pending,) = registry.unbondingOf(candidate);
            if (pending != 0) {
                actor = candidate;
                break;
            }
        }
        (uint256 amount, uint256 at) = registry.unbondingOf(actor);
        if (amount == 0 || vm.getBlockTimestamp() < at) return;
        uint256 before = actor.balance;
        vm.prank(actor);
        registry.withdraw();
        require(actor.balance == before + amount, "withdraw paid the wrong amount");
        ++calls["withdrawOk"];
        ghostWithdrawn += amount;
    }

    function unjail(uint256 actorSeed, uint256 epochs) external synced("unjail") {
        _advanceEpochs(bound(epochs, 0, 6));
        address actor = _actor(actorSeed);
        for (uint256 i; i < actors.length; ++i) {
            (bool isJailed,,) = registry.jailOf(_actorAt(actorSeed, i));
            if (isJailed) {
                actor = _actorAt(actorSeed, i);
                break;
            }
        }
        (bool jailed, uint256 until,) = registry.jailOf(actor);
        if (!jailed || registry.currentEpoch() < until || registry.stakeOf(actor) < MIN) return;
        vm.prank(actor);
        registry.unjail();
        ++calls["unjailOk"];
    }

    function claimReward(uint256 reporterSeed) external synced("claimReward") {
        address reporter = reporters[reporterSeed % reporters.length];
        for (uint256 i; i < reporters.length; ++i) {
            address candidate = reporters[(reporterSeed % reporters.length + i) % reporters.length];
            if (registry.rewardOf(candidate) != 0) {
                reporter = candidate;
                break;
            }
        }
        uint256 reward = registry.rewardOf(reporter);
        if (reward == 0) return;
        uint256 before = reporter.balance;
        vm.prank(reporter);
        registry.claimReward();
        require(reporter.balance == before + reward, "claim paid the wrong amount");
        ghostRewardsClaimed += reward;
    }

    /// The slasher, with random bps and evidence keys, reusing a key about a third of the time.
    /// Calls that revert are caught so that a wrongly accepted reuse is counted, not swallowed.
    function slash(uint256 actorSeed, uint256 bps, uint256 keySeed, uint256 reporterSeed)
        external
        synced("slash")
    {
        address operator = _actor(actorSeed);
        bps = bound(bps, 1, 10_000);
        bytes32 key;
        bool reuse = keys.length != 0 && keySeed % 3 == 0;
        if (reuse) {
            key = keys[(keySeed / 3) % keys.length];
            ++ghostReusedKeyAttempts;
        } else {
            key = keccak256(abi.encode("evidence", keys.length, keySeed));
        }
        address reporter = reporters[reporterSeed % reporters.length];
        uint256 rewardBefore = registry.rewardOf(reporter);
        uint256 burnedBefore = registry.totalBurned();

        vm.prank(slasher);
        try registry.slash(operator, bps, key, reporter) returns (uint256 amount) {
            if (!reuse) keys.push(key);
            ++ghostSlashesOf[key];
            uint256 reward = registry.rewardOf(reporter) - rewardBefore;
            uint256 burned = registry.totalBurned() - burnedBefore;
            require(reward + burned == amount, "slash split does not add up");
            if (reward * 2 >= amount) ++ghostRewardAtLeastHalf;
            ghostSlashed += amount;
            ghostRewarded += reward;
            ghostBurned += burned;
        } catch {}
    }

    /// Move L1 forward without doing anything else (jail terms, unbonding periods).
    function advance(uint256 epochs, uint256 secs) external synced("advance") {
        _advanceEpochs(bound(epochs, 0, 4));
        currentTimestamp += bound(secs, 0, 200);
        vm.warp(currentTimestamp);
    }

    // ---------------------------------------------------------------- views for the invariants

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function reporterCount() external view returns (uint256) {
        return reporters.length;
    }

    function keyCount() external view returns (uint256) {
        return keys.length;
    }

    // ---------------------------------------------------------------- internals

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    /// @dev The i-th actor after the fuzzed one, wrapping around.
    function _actorAt(uint256 seed, uint256 i) internal view returns (address) {
        return actors[(seed % actors.length + i) % actors.length];
    }

    function _advanceEpochs(uint256 epochs) internal {
        currentBlock += epochs * EPOCH_LENGTH;
        vm.roll(currentBlock);
    }
}
