// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISequencerRegistry
/// @notice Bonded ETH stake of the sequencer set, jailing, the single slashing path and the
///         stake-weighted leader schedule (see ILeaderSchedule, implemented by the same contract).
interface ISequencerRegistry {
    /// @notice An operator bonded for the first time.
    /// @param operator The account that owns the stake (msg.sender of `bond`).
    /// @param signer The key that signs block headers, batch headers and preconfirmations.
    /// @param amount The ETH bonded.
    event Bonded(address indexed operator, address indexed signer, uint256 amount);
    /// @notice An operator added stake.
    event ToppedUp(address indexed operator, uint256 amount, uint256 newStake);
    /// @notice Stake moved from bonded to unbonding; it stays slashable until withdrawn.
    event UnbondRequested(
        address indexed operator, uint256 amount, uint256 totalUnbonding, uint256 withdrawableAt
    );
    /// @notice Unbonded stake left the registry.
    event Withdrawn(address indexed operator, uint256 amount);
    /// @notice An operator was removed from the active set until `untilEpoch`.
    event Jailed(address indexed operator, uint256 untilEpoch);
    /// @notice A jailed operator returned to the active set.
    event Unjailed(address indexed operator);
    /// @notice Stake was taken for an offence.
    /// @param operator The offender.
    /// @param evidenceKey Identifies the offence; each key slashes at most once.
    /// @param reporter Credited with `reporterReward`.
    /// @param amount Total taken from the offender's bonded and unbonding stake.
    /// @param reporterReward Share of `amount` credited to the reporter (always < 50%).
    /// @param burned Share of `amount` locked in the registry forever.
    event Slashed(
        address indexed operator,
        bytes32 indexed evidenceKey,
        address indexed reporter,
        uint256 amount,
        uint256 reporterReward,
        uint256 burned
    );
    /// @notice A full active set gave `operator`'s seat to `by`, which has more stake. The
    ///         displaced operator stays bonded (and slashable) and may top up to return.
    event Displaced(address indexed operator, address indexed by, uint256 stake);
    /// @notice A reporter withdrew its accumulated slashing rewards.
    event RewardClaimed(address indexed reporter, uint256 amount);

    /// @notice `bond` sent less than the minimum stake.
    error StakeTooLow(uint256 have, uint256 need);
    /// @notice The operator already bonded; use `topUp`.
    error AlreadyBonded(address operator);
    /// @notice The signer is zero, already belongs to an operator (signers are never reused), or
    ///         is another operator's own address.
    error SignerUnavailable(address signer);
    /// @notice The caller is the signer key of `operator`, so it cannot bond as an operator: the
    ///         oracle and the dispute game would not know on whose behalf it acts.
    error SignerCannotBond(address caller, address operator);
    /// @notice The caller has no bond.
    error NotBonded(address operator);
    /// @notice The active set holds `maxActiveSet` operators, none with less stake than the
    ///         newcomer: a seat needs strictly more than `stakeToBeat`.
    error ActiveSetFull(uint256 maxActiveSet, uint256 stakeToBeat);
    /// @notice A zero amount was given where ETH must move.
    error ZeroAmount();
    /// @notice `requestUnbond` asked for more than the bonded stake.
    error InsufficientStake(uint256 have, uint256 want);
    /// @notice Unbonding would leave a non-zero stake below the minimum; unbond everything or less.
    error RemainderBelowMinimum(uint256 remainder, uint256 minStake);
    /// @notice Nothing is unbonding.
    error NothingToWithdraw();
    /// @notice The unbonding period has not passed yet.
    error StillUnbonding(uint256 withdrawableAt, uint256 nowTimestamp);
    /// @notice `unjail` called by an operator that is not jailed.
    error NotJailed(address operator);
    /// @notice `unjail` called before the jail term ended.
    error StillJailed(uint256 untilEpoch, uint256 currentEpoch);
    /// @notice Only the slashing contracts may slash.
    error NotSlasher(address caller);
    /// @notice This offence was already slashed.
    error EvidenceAlreadyUsed(bytes32 evidenceKey);
    /// @notice The offender has nothing left to slash.
    error NothingToSlash(address operator);
    /// @notice No reward to claim.
    error NoReward();
    /// @notice An ETH transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice A constructor parameter is out of range.
    error InvalidParameter(string name);

    /// @notice Bond `msg.value` as a new operator whose headers are signed by `signer`.
    function bond(address signer) external payable;
    /// @notice Add `msg.value` to the caller's bonded stake.
    function topUp() external payable;
    /// @notice Move `amount` of bonded stake to unbonding; withdrawable after `unbondingPeriod`.
    ///         A new request restarts the period for the whole unbonding amount.
    function requestUnbond(uint256 amount) external;
    /// @notice Withdraw all unbonding stake whose period has passed.
    function withdraw() external;
    /// @notice Return to the active set after the jail term, if stake is at least the minimum.
    function unjail() external;
    /// @notice Withdraw the caller's accumulated reporter rewards.
    function claimReward() external;
    /// @notice The one slashing path: take `bps` of the operator's bonded plus unbonding stake,
    ///         split it between the reporter and a burn, and jail the operator.
    /// @dev Only callable by the slashing contracts fixed at deploy.
    /// @return amount The ETH taken.
    function slash(address operator, uint256 bps, bytes32 evidenceKey, address reporter)
        external
        returns (uint256 amount);

    /// @notice Bonded (not unbonding) stake of `operator`.
    function stakeOf(address operator) external view returns (uint256);
    /// @notice Unbonding stake of `operator` and when it becomes withdrawable.
    function unbondingOf(address operator) external view returns (uint256 amount, uint256 withdrawableAt);
    /// @notice The operator that owns `signer`, or zero.
    function operatorOf(address signer) external view returns (address);
    /// @notice The signer key of `operator`, or zero.
    function signerOf(address operator) external view returns (address);
    /// @notice On whose behalf `caller` acts: itself when it is a bonded operator, else the
    ///         operator whose signer key it is, else zero. An operator always resolves as itself,
    ///         so no signer binding can redirect its proposals or moves.
    function operatorFor(address caller) external view returns (address);
    /// @notice Whether `operator` is in the active set (bonded, not jailed).
    function isActive(address operator) external view returns (bool);
    /// @notice Whether `operator` is jailed, and the epoch its jail term ends.
    function jailOf(address operator)
        external
        view
        returns (bool jailed, uint256 untilEpoch, uint256 jailedAtEpoch);
    /// @notice Whether `operator` was jailed at any time during `epoch`. Exact for epochs that
    ///         ended less than `jailEpochs` epochs ago (the registry keeps the current jail term
    ///         and the end of the previous one, and a term lasts at least `jailEpochs`); older
    ///         epochs may answer false. The Slasher's window is shorter, so it always gets the truth.
    function jailedDuring(address operator, uint256 epoch) external view returns (bool);
    /// @notice The active operators, in set order.
    function activeOperators() external view returns (address[] memory);
    /// @notice Rewards `reporter` may claim.
    function rewardOf(address reporter) external view returns (uint256);
    /// @notice Whether `evidenceKey` has slashed already.
    function evidenceUsed(bytes32 evidenceKey) external view returns (bool);
    /// @notice Whether `account` may call `slash`.
    function isSlasher(address account) external view returns (bool);
    /// @notice ETH slashed and burned (locked in this contract forever).
    function totalBurned() external view returns (uint256);
    /// @notice Minimum bonded stake of an active operator.
    function minStake() external view returns (uint256);
    /// @notice Maximum number of active operators.
    function maxActiveSet() external view returns (uint256);
    /// @notice Seconds between `requestUnbond` and `withdraw`.
    function unbondingPeriod() external view returns (uint256);
    /// @notice Epochs a slashed operator stays jailed.
    function jailEpochs() external view returns (uint256);
    /// @notice Share of every slash credited to the reporter, in basis points (< 5000).
    function reporterRewardBps() external view returns (uint256);
}
