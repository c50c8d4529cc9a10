// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeaderSchedule} from "./interfaces/ILeaderSchedule.sol";
import {ISequencerRegistry} from "./interfaces/ISequencerRegistry.sol";
import {LeaderSchedule} from "./LeaderSchedule.sol";
import {ActiveSetHead} from "./types/ActiveSetHead.sol";
import {SignerRecord} from "./types/SignerRecord.sol";

/// @title SequencerRegistry
/// @notice ETH stake of the sequencer set, jailing, the one slashing path and (through
///         LeaderSchedule) the leader schedule.
///
///         Invariant: address(this).balance == Σ bonded + Σ unbonding + Σ unclaimed rewards
///         + totalBurned. An operator entry is never deleted: a signer is bound to its operator
///         forever, so a slash cannot be escaped by re-registering, and unbonding stake stays
///         slashable until it is withdrawn.
contract SequencerRegistry is ISequencerRegistry, LeaderSchedule {
    /// @notice Deploy-time parameters.
    struct Params {
        uint256 epochLength;
        uint256 leaderTimeout;
        uint256 minStake;
        uint256 maxActiveSet;
        uint256 unbondingPeriod;
        uint256 jailEpochs;
        uint256 reporterRewardBps;
        address[] slashers;
    }

    /// @dev slot 0: signer (160) | stake (88) | flags (8). slot 1: unbonding (96) |
    ///      withdrawableAt (64) | jailedUntilEpoch (32) | jailedAtEpoch (32) | unjailedAtEpoch (32);
    ///      left zero by `bond`, so a first bond writes no second slot.
    struct Operator {
        address signer;
        uint88 stake;
        uint8 flags;
        uint96 unbonding;
        uint64 withdrawableAt;
        uint32 jailedUntilEpoch;
        uint32 jailedAtEpoch;
        uint32 unjailedAtEpoch;
    }

    uint8 private constant FLAG_EXISTS = 1;
    uint8 private constant FLAG_ACTIVE = 2;
    uint8 private constant FLAG_JAILED = 4;
    uint256 private constant BPS = 10_000;
    /// @dev Largest snapshot blob that fits in one contract's code (24,576 bytes / 32).
    uint256 private constant MAX_SET_LIMIT = 700;

    uint256 internal immutable MIN_STAKE;
    uint256 internal immutable MAX_ACTIVE_SET;
    uint256 internal immutable UNBONDING_PERIOD;
    uint256 internal immutable JAIL_EPOCHS;
    uint256 internal immutable REPORTER_REWARD_BPS;

    mapping(address operator => Operator) internal _operators;
    /// @dev signer → operator | position in the active set (contracts/types/SignerRecord.sol).
    ///      The index lives here, in a word that `bond` writes anyway, rather than in a slot of
    ///      its own.
    mapping(address signer => SignerRecord operatorAndIndex) internal _signerRecords;
    mapping(uint256 index => address operator) internal _activeAt;
    /// @dev activeCount | version (contracts/types/ActiveSetHead.sol): one slot, touched together.
    ActiveSetHead internal _activeCountAndVersion;
    mapping(address account => bool) internal _slashers;
    mapping(bytes32 evidenceKey => bool) internal _evidenceUsed;
    mapping(address reporter => uint256) internal _rewards;
    uint256 internal _totalBurned;

    modifier onlySlasher() {
        if (!_slashers[msg.sender]) revert NotSlasher(msg.sender);
        _;
    }

    constructor(Params memory p) LeaderSchedule(p.epochLength, p.leaderTimeout) {
        if (p.epochLength == 0) revert InvalidParameter("epochLength");
        if (p.leaderTimeout == 0 || p.leaderTimeout >= p.epochLength) {
            revert InvalidParameter("leaderTimeout");
        }
        if (p.minStake == 0 || p.minStake > type(uint88).max) revert InvalidParameter("minStake");
        if (p.maxActiveSet == 0 || p.maxActiveSet > MAX_SET_LIMIT) revert InvalidParameter("maxActiveSet");
        if (p.unbondingPeriod == 0) revert InvalidParameter("unbondingPeriod");
        if (p.jailEpochs == 0) revert InvalidParameter("jailEpochs");
        // Never 50% or more to the reporter: reporting yourself must always cost you.
        if (p.reporterRewardBps >= BPS / 2) revert InvalidParameter("reporterRewardBps");
        if (p.slashers.length == 0) revert InvalidParameter("slashers");
        MIN_STAKE = p.minStake;
        MAX_ACTIVE_SET = p.maxActiveSet;
        UNBONDING_PERIOD = p.unbondingPeriod;
        JAIL_EPOCHS = p.jailEpochs;
        REPORTER_REWARD_BPS = p.reporterRewardBps;
        for (uint256 i; i < p.slashers.length; ++i) {
            if (p.slashers[i] == address(0)) revert InvalidParameter("slashers");
            _slashers[p.slashers[i]] = true;
        }
    }

    // ------------------------------------------------------------------ staking

    /// @inheritdoc ISequencerRegistry
    function bond(address signer) external payable {
        if (msg.value < MIN_STAKE) revert StakeTooLow(msg.value, MIN_STAKE);
        if (msg.value > type(uint88).max) revert InvalidParameter("msg.value");
        Operator storage op = _operators[msg.sender];
        if (op.flags & FLAG_EXISTS != 0) revert AlreadyBonded(msg.sender);
        // An address is an operator or another operator's signer, never both: otherwise
        // `operatorFor` could not say on whose behalf it proposes or plays a dispute.
        if (
            signer == address(0) || !_signerRecords[signer].isEmpty()
                || (signer != msg.sender && _operators[signer].flags & FLAG_EXISTS != 0)
        ) revert SignerUnavailable(signer);
        SignerRecord asSigner = _signerRecords[msg.sender];
        if (!asSigner.isEmpty()) revert SignerCannotBond(msg.sender, asSigner.operator());
        op.signer = signer;
        op.stake = uint88(msg.value);
        op.flags = FLAG_EXISTS;
        _list(msg.sender, op);
        emit Bonded(msg.sender, signer, msg.value);
    }

    /// @inheritdoc ISequencerRegistry
    function topUp() external payable {
        if (msg.value == 0) revert ZeroAmount();
        Operator storage op = _operators[msg.sender];
        if (op.flags & FLAG_EXISTS == 0) revert NotBonded(msg.sender);
        uint256 newStake = uint256(op.stake) + msg.value;
        if (newStake > type(uint88).max) revert InvalidParameter("msg.value");
        op.stake = uint88(newStake);
        if (op.flags & FLAG_ACTIVE != 0) {
            _bumpVersion();
        } else if (op.flags & FLAG_JAILED == 0 && newStake >= MIN_STAKE) {
            // An operator that had unbonded everything returns through topUp.
            _list(msg.sender, op);
        }
        emit ToppedUp(msg.sender, msg.value, newStake);
    }

    /// @inheritdoc ISequencerRegistry
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Operator storage op = _operators[msg.sender];
        if (op.flags & FLAG_EXISTS == 0) revert NotBonded(msg.sender);
        uint256 stake = op.stake;
        if (amount > stake) revert InsufficientStake(stake, amount);
        uint256 remainder = stake - amount;
        if (remainder != 0 && remainder < MIN_STAKE) revert RemainderBelowMinimum(remainder, MIN_STAKE);
        op.stake = uint88(remainder);
        uint256 unbonding = uint256(op.unbonding) + amount;
        op.unbonding = uint96(unbonding);
        uint256 withdrawableAt = block.timestamp + UNBONDING_PERIOD;
        op.withdrawableAt = uint64(withdrawableAt);
        if (op.flags & FLAG_ACTIVE != 0) {
            if (remainder == 0) _unlist(op);
            else _bumpVersion();
        }
        emit UnbondRequested(msg.sender, amount, unbonding, withdrawableAt);
    }

    /// @inheritdoc ISequencerRegistry
    function withdraw() external {
        Operator storage op = _operators[msg.sender];
        uint256 amount = op.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.timestamp < op.withdrawableAt) revert StillUnbonding(op.withdrawableAt, block.timestamp);
        op.unbonding = 0;
        op.withdrawableAt = 0;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @inheritdoc ISequencerRegistry
    function unjail() external {
        Operator storage op = _operators[msg.sender];
        if (op.flags & FLAG_JAILED == 0) revert NotJailed(msg.sender);
        uint256 epoch = currentEpoch();
        if (epoch < op.jailedUntilEpoch) revert StillJailed(op.jailedUntilEpoch, epoch);
        if (op.stake < MIN_STAKE) revert StakeTooLow(op.stake, MIN_STAKE);
        op.flags &= ~FLAG_JAILED;
        op.unjailedAtEpoch = uint32(epoch);
        _list(msg.sender, op);
        emit Unjailed(msg.sender);
    }

    /// @inheritdoc ISequencerRegistry
    function claimReward() external {
        uint256 amount = _rewards[msg.sender];
        if (amount == 0) revert NoReward();
        _rewards[msg.sender] = 0;
        emit RewardClaimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ------------------------------------------------------------------ slashing

    /// @inheritdoc ISequencerRegistry
    function slash(address operator, uint256 bps, bytes32 evidenceKey, address reporter)
        external
        onlySlasher
        returns (uint256 amount)
    {
        if (_evidenceUsed[evidenceKey]) revert EvidenceAlreadyUsed(evidenceKey);
        if (bps == 0 || bps > BPS) revert InvalidParameter("bps");
        Operator storage op = _operators[operator];
        uint256 stake = op.stake;
        uint256 unbonding = op.unbonding;
        amount = (stake + unbonding) * bps / BPS;
        if (amount == 0) revert NothingToSlash(operator);
        _evidenceUsed[evidenceKey] = true;

        // Bonded stake first, then unbonding: stake that is on its way out pays too.
        uint256 fromStake = amount < stake ? amount : stake;
        op.stake = uint88(stake - fromStake);
        op.unbonding = uint96(unbonding - (amount - fromStake));

        uint256 reward = amount * REPORTER_REWARD_BPS / BPS;
        uint256 burned = amount - reward;
        _rewards[reporter] += reward;
        _totalBurned += burned;
        emit Slashed(operator, evidenceKey, reporter, amount, reward, burned);

        _jail(operator, op);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISequencerRegistry
    function stakeOf(address operator) external view returns (uint256) {
        return _operators[operator].stake;
    }

    /// @inheritdoc ISequencerRegistry
    function unbondingOf(address operator) external view returns (uint256 amount, uint256 withdrawableAt) {
        Operator storage op = _operators[operator];
        return (op.unbonding, op.withdrawableAt);
    }

    /// @inheritdoc ISequencerRegistry
    function operatorOf(address signer) external view returns (address) {
        return _signerRecords[signer].operator();
    }

    /// @inheritdoc ISequencerRegistry
    function signerOf(address operator) external view returns (address) {
        return _operators[operator].signer;
    }

    /// @inheritdoc ISequencerRegistry
    function operatorFor(address caller) external view returns (address) {
        if (_operators[caller].flags & FLAG_EXISTS != 0) return caller;
        return _signerRecords[caller].operator();
    }

    /// @inheritdoc ISequencerRegistry
    function isActive(address operator) public view returns (bool) {
        return _operators[operator].flags & FLAG_ACTIVE != 0;
    }

    /// @inheritdoc ISequencerRegistry
    function jailOf(address operator)
        external
        view
        returns (bool jailed, uint256 untilEpoch, uint256 jailedAtEpoch)
    {
        Operator storage op = _operators[operator];
        return (op.flags & FLAG_JAILED != 0, op.jailedUntilEpoch, op.jailedAtEpoch);
    }

    /// @inheritdoc ISequencerRegistry
    function jailedDuring(address operator, uint256 epoch) external view returns (bool) {
        Operator storage op = _operators[operator];
        uint256 jailedAt = op.jailedAtEpoch;
        uint256 unjailedAt = op.unjailedAtEpoch;
        if (op.flags & FLAG_JAILED != 0) {
            if (epoch >= jailedAt) return true; // the current term
            // The previous term ended at `unjailedAt` and lasted at least JAIL_EPOCHS, so it
            // covers every epoch in [unjailedAt - JAIL_EPOCHS, unjailedAt).
            return unjailedAt != 0 && epoch < unjailedAt && epoch + JAIL_EPOCHS >= unjailedAt;
        }
        // Free now: the latest term, if any, was [jailedAt, unjailedAt).
        return unjailedAt != 0 && epoch >= jailedAt && epoch < unjailedAt;
    }

    /// @inheritdoc ISequencerRegistry
    function activeOperators() external view returns (address[] memory operators) {
        uint256 count = _activeCount();
        operators = new address[](count);
        for (uint256 i; i < count; ++i) {
            operators[i] = _activeAt[i];
        }
    }

    /// @inheritdoc ILeaderSchedule
    function scheduledSigner(uint256 epoch, uint256 rank)
        external
        view
        returns (address operator, address signer, bool eligible)
    {
        operator = leaderOf(epoch, rank);
        Operator storage op = _operators[operator];
        signer = op.signer;
        // Slot 0 answers the common case; the unbonding slot is read only for an exiting operator.
        eligible = op.flags & FLAG_JAILED == 0 && (op.stake != 0 || op.unbonding != 0);
    }

    /// @inheritdoc ISequencerRegistry
    function rewardOf(address reporter) external view returns (uint256) {
        return _rewards[reporter];
    }

    /// @inheritdoc ISequencerRegistry
    function evidenceUsed(bytes32 evidenceKey) external view returns (bool) {
        return _evidenceUsed[evidenceKey];
    }

    /// @inheritdoc ISequencerRegistry
    function isSlasher(address account) external view returns (bool) {
        return _slashers[account];
    }

    /// @inheritdoc ISequencerRegistry
    function totalBurned() external view returns (uint256) {
        return _totalBurned;
    }

    /// @inheritdoc ISequencerRegistry
    function minStake() external view returns (uint256) {
        return MIN_STAKE;
    }

    /// @inheritdoc ISequencerRegistry
    function maxActiveSet() external view returns (uint256) {
        return MAX_ACTIVE_SET;
    }

    /// @inheritdoc ISequencerRegistry
    function unbondingPeriod() external view returns (uint256) {
        return UNBONDING_PERIOD;
    }

    /// @inheritdoc ISequencerRegistry
    function jailEpochs() external view returns (uint256) {
        return JAIL_EPOCHS;
    }

    /// @inheritdoc ISequencerRegistry
    function reporterRewardBps() external view returns (uint256) {
        return REPORTER_REWARD_BPS;
    }

    // ------------------------------------------------------------------ internals

    function _snapshotBlob() internal view override returns (bytes memory blob) {
        uint256 count = _activeCount();
        blob = new bytes(count * 32);
        uint256 cumulative;
        for (uint256 i; i < count; ++i) {
            address operator = _activeAt[i];
            cumulative += _operators[operator].stake;
            uint256 word = (uint256(uint160(operator)) << 96) | cumulative;
            assembly ("memory-safe") {
                mstore(add(add(blob, 0x20), mul(i, 0x20)), word)
            }
        }
    }

    function _activeSetVersion() internal view override returns (uint256) {
        return _activeCountAndVersion.version();
    }

    function _activeCount() internal view returns (uint256) {
        return _activeCountAndVersion.activeCount();
    }

    function _bumpVersion() private {
        ActiveSetHead head = _activeCountAndVersion;
        _activeCountAndVersion = head.setVersion(head.version() + 1);
    }

    /// @dev Add to the active set and bump the version, in one slot write. Also (re)writes the
    ///      signer record, which is how `bond` first binds the signer to its operator.
    function _list(address operator, Operator storage op) private {
        ActiveSetHead head = _activeCountAndVersion;
        uint256 count = head.activeCount();
        if (count < MAX_ACTIVE_SET) {
            _seat(count, operator, op);
            _activeCountAndVersion = head.setActiveCount(uint128(count + 1)).setVersion(head.version() + 1);
            return;
        }
        // Full: the seats go to the largest stakes. A newcomer with strictly more stake than
        // the smallest seated operator takes its seat; otherwise filling every seat at the
        // minimum would lock larger stakes out forever. The displaced operator stays bonded
        // and unjailed, serves epochs it is already scheduled for, and can top up to return.
        (uint256 index, address smallest, uint256 smallestStake) = _smallestSeated(count);
        if (op.stake <= smallestStake) revert ActiveSetFull(MAX_ACTIVE_SET, smallestStake);
        _operators[smallest].flags &= ~FLAG_ACTIVE;
        _seat(index, operator, op);
        _activeCountAndVersion = head.setVersion(head.version() + 1);
        emit Displaced(smallest, operator, smallestStake);
    }

    function _seat(uint256 index, address operator, Operator storage op) private {
        _activeAt[index] = operator;
        _signerRecords[op.signer] = SignerRecord.wrap(0).setOperator(operator).setIndex(uint96(index));
        op.flags |= FLAG_ACTIVE;
    }

    /// @dev The seated operator with the least bonded stake (the last one on ties). O(n): it
    ///      runs only when a newcomer asks for a seat in a full set.
    function _smallestSeated(uint256 count)
        private
        view
        returns (uint256 index, address smallest, uint256 stake)
    {
        stake = type(uint256).max;
        for (uint256 i; i < count; ++i) {
            address candidate = _activeAt[i];
            uint256 s = _operators[candidate].stake;
            if (s <= stake) (index, smallest, stake) = (i, candidate, s);
        }
    }

    /// @dev Remove from the active set (swap with the last) and bump the version.
    function _unlist(Operator storage op) private {
        ActiveSetHead head = _activeCountAndVersion;
        uint256 last = head.activeCount() - 1;
        uint256 index = _signerRecords[op.signer].index();
        if (index != last) {
            address moved = _activeAt[last];
            _activeAt[index] = moved;
            _signerRecords[_operators[moved].signer] =
                SignerRecord.wrap(0).setOperator(moved).setIndex(uint96(index));
        }
        delete _activeAt[last];
        op.flags &= ~FLAG_ACTIVE;
        _activeCountAndVersion = head.setActiveCount(uint128(last)).setVersion(head.version() + 1);
    }

    /// @dev Jail (or extend the jail term of) `operator`. A term that is extended keeps its
    ///      start, so `jailedAtEpoch..jailedUntilEpoch` covers every epoch it was jailed in.
    function _jail(address operator, Operator storage op) private {
        uint256 epoch = currentEpoch();
        uint256 until = epoch + JAIL_EPOCHS;
        if (op.flags & FLAG_JAILED == 0) {
            op.flags |= FLAG_JAILED;
            op.jailedAtEpoch = uint32(epoch);
        }
        if (until > op.jailedUntilEpoch) op.jailedUntilEpoch = uint32(until);
        if (op.flags & FLAG_ACTIVE != 0) _unlist(op);
        emit Jailed(operator, op.jailedUntilEpoch);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
