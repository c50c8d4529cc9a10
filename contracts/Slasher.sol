// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {ILeaderSchedule} from "./interfaces/ILeaderSchedule.sol";
import {ISequencerRegistry} from "./interfaces/ISequencerRegistry.sol";
import {ISlasher} from "./interfaces/ISlasher.sol";
import {SequencingHeaders} from "./libraries/SequencingHeaders.sol";

/// @title Slasher
/// @notice See ISlasher. Every offence maps to one evidence key, and the registry slashes each
///         key once: a third conflicting header for the same height is the same offence, while a
///         different height, epoch or record is a different one.
contract Slasher is ISlasher {
    /// @notice Deploy-time parameters.
    struct Params {
        uint256 equivocationSlashBps;
        uint256 livenessSlashBps;
        uint256 censorshipSlashBps;
        uint256 slashingWindowEpochs;
    }

    address internal immutable REGISTRY;
    IBatchInbox internal immutable INBOX;
    uint256 internal immutable L2_CHAIN_ID;
    uint256 internal immutable EQUIVOCATION_SLASH_BPS;
    uint256 internal immutable LIVENESS_SLASH_BPS;
    uint256 internal immutable CENSORSHIP_SLASH_BPS;
    uint256 internal immutable SLASHING_WINDOW_EPOCHS;

    /// @notice A constructor parameter is out of range.
    error InvalidParameter(string name);

    constructor(address registry_, IBatchInbox inbox_, uint256 l2ChainId_, Params memory p) {
        if (registry_ == address(0)) revert InvalidParameter("registry");
        if (address(inbox_) == address(0)) revert InvalidParameter("inbox");
        if (p.equivocationSlashBps == 0 || p.equivocationSlashBps > 10_000) {
            revert InvalidParameter("equivocationSlashBps");
        }
        if (p.livenessSlashBps == 0 || p.livenessSlashBps > 10_000) {
            revert InvalidParameter("livenessSlashBps");
        }
        if (p.censorshipSlashBps == 0 || p.censorshipSlashBps > 10_000) {
            revert InvalidParameter("censorshipSlashBps");
        }
        // Shorter than a jail term, so `jailedDuring` is exact for every epoch we judge.
        if (
            p.slashingWindowEpochs == 0
                || p.slashingWindowEpochs >= ISequencerRegistry(registry_).jailEpochs()
        ) {
            revert InvalidParameter("slashingWindowEpochs");
        }
        REGISTRY = registry_;
        INBOX = inbox_;
        L2_CHAIN_ID = l2ChainId_;
        EQUIVOCATION_SLASH_BPS = p.equivocationSlashBps;
        LIVENESS_SLASH_BPS = p.livenessSlashBps;
        CENSORSHIP_SLASH_BPS = p.censorshipSlashBps;
        SLASHING_WINDOW_EPOCHS = p.slashingWindowEpochs;
    }

    /// @inheritdoc ISlasher
    function slashBlockEquivocation(
        BlockHeader calldata a,
        bytes calldata sigA,
        BlockHeader calldata b,
        bytes calldata sigB
    ) external returns (uint256 amount) {
        _checkChain(a.chainId);
        _checkChain(b.chainId);
        if (a.number != b.number || a.epoch != b.epoch) revert NotConflicting();
        address operator =
            _commonOperator(SequencingHeaders.hashBlock(a), sigA, SequencingHeaders.hashBlock(b), sigB);
        bytes32 key = keccak256(abi.encode(Offence.BlockEquivocation, operator, a.epoch, a.number));
        amount = ISequencerRegistry(REGISTRY).slash(operator, EQUIVOCATION_SLASH_BPS, key, msg.sender);
        emit OffenceSlashed(Offence.BlockEquivocation, operator, msg.sender, a.number, a.epoch, amount);
    }

    /// @inheritdoc ISlasher
    function slashBatchEquivocation(
        IBatchInbox.BatchHeader calldata a,
        bytes calldata sigA,
        IBatchInbox.BatchHeader calldata b,
        bytes calldata sigB
    ) external returns (uint256 amount) {
        _checkChain(a.chainId);
        _checkChain(b.chainId);
        // Same position, different contents. Re-signing the same data (say with a later
        // forceIndex after a failed post) is not equivocation: the L2 blocks do not change.
        if (a.firstBlock != b.firstBlock || a.epoch != b.epoch || a.dataHash == b.dataHash) {
            revert NotConflicting();
        }
        address operator =
            _commonOperator(SequencingHeaders.hashBatch(a), sigA, SequencingHeaders.hashBatch(b), sigB);
        bytes32 key = keccak256(abi.encode(Offence.BatchEquivocation, operator, a.epoch, a.firstBlock));
        amount = ISequencerRegistry(REGISTRY).slash(operator, EQUIVOCATION_SLASH_BPS, key, msg.sender);
        emit OffenceSlashed(Offence.BatchEquivocation, operator, msg.sender, a.firstBlock, a.epoch, amount);
    }

    /// @inheritdoc ISlasher
    function slashLiveness(uint256 epoch) external returns (uint256 amount) {
        uint256 current = ILeaderSchedule(REGISTRY).currentEpoch();
        if (epoch >= current) revert EpochNotEnded(epoch, current);
        _checkInWindow(epoch, current);
        (,, bool leaderPosted) = INBOX.epochPosting(epoch);
        if (leaderPosted) revert LeaderPosted(epoch);
        address leader = ILeaderSchedule(REGISTRY).leaderOf(epoch, 0);
        _checkNotJailedDuring(leader, epoch);
        bytes32 key = keccak256(abi.encode(Offence.Liveness, epoch));
        amount = ISequencerRegistry(REGISTRY).slash(leader, LIVENESS_SLASH_BPS, key, msg.sender);
        emit OffenceSlashed(Offence.Liveness, leader, msg.sender, epoch, epoch, amount);
    }

    /// @inheritdoc ISlasher
    function slashCensorship(uint256 index) external returns (uint256 amount) {
        (bool forced, uint256 epoch, uint256 responsibleRank) = INBOX.censorshipOf(index);
        if (!forced) revert NotForcedRecord(index);
        _checkInWindow(epoch, ILeaderSchedule(REGISTRY).currentEpoch());
        // The operator holding the pen when the entry went overdue, as the inbox fixed it when
        // the forced record landed. Not the epoch's acting rank now: a backup may take over the
        // epoch after the forced record, and the same evidence must not move onto it.
        address operator = ILeaderSchedule(REGISTRY).leaderOf(epoch, responsibleRank);
        _checkNotJailedDuring(operator, epoch);
        // One offence per censored epoch: splitting the overdue entries over several forced
        // records must not multiply the slash.
        bytes32 key = keccak256(abi.encode(Offence.Censorship, epoch));
        amount = ISequencerRegistry(REGISTRY).slash(operator, CENSORSHIP_SLASH_BPS, key, msg.sender);
        emit OffenceSlashed(Offence.Censorship, operator, msg.sender, index, epoch, amount);
    }

    /// @inheritdoc ISlasher
    function blockHeaderDigest(BlockHeader calldata header) external view returns (bytes32) {
        return SequencingHeaders.digest(
            SequencingHeaders.domainSeparator(address(INBOX)), SequencingHeaders.hashBlock(header)
        );
    }

    /// @inheritdoc ISlasher
    function registry() external view returns (address) {
        return REGISTRY;
    }

    /// @inheritdoc ISlasher
    function inbox() external view returns (address) {
        return address(INBOX);
    }

    /// @inheritdoc ISlasher
    function equivocationSlashBps() external view returns (uint256) {
        return EQUIVOCATION_SLASH_BPS;
    }

    /// @inheritdoc ISlasher
    function livenessSlashBps() external view returns (uint256) {
        return LIVENESS_SLASH_BPS;
    }

    /// @inheritdoc ISlasher
    function censorshipSlashBps() external view returns (uint256) {
        return CENSORSHIP_SLASH_BPS;
    }

    /// @inheritdoc ISlasher
    function slashingWindowEpochs() external view returns (uint256) {
        return SLASHING_WINDOW_EPOCHS;
    }

    function _checkChain(uint256 chainId) private view {
        if (chainId != L2_CHAIN_ID) revert WrongChainId(chainId, L2_CHAIN_ID);
    }

    /// @dev Both signatures must recover (low-s only, via OpenZeppelin) to one registered signer.
    function _commonOperator(bytes32 hashA, bytes calldata sigA, bytes32 hashB, bytes calldata sigB)
        private
        view
        returns (address operator)
    {
        if (hashA == hashB) revert SameHeader();
        bytes32 domain = SequencingHeaders.domainSeparator(address(INBOX));
        address signerA = ECDSA.recover(SequencingHeaders.digest(domain, hashA), sigA);
        address signerB = ECDSA.recover(SequencingHeaders.digest(domain, hashB), sigB);
        if (signerA != signerB) revert DifferentSigners(signerA, signerB);
        operator = ISequencerRegistry(REGISTRY).operatorOf(signerA);
        if (operator == address(0)) revert UnknownSigner(signerA);
    }

    /// @dev A jailed operator may not post, so it cannot be blamed for an epoch spent in jail.
    function _checkNotJailedDuring(address operator, uint256 epoch) private view {
        if (ISequencerRegistry(REGISTRY).jailedDuring(operator, epoch)) {
            revert LeaderWasJailed(epoch, operator);
        }
    }

    /// @dev Evidence about `epoch` is judged only while it is at most the window old.
    function _checkInWindow(uint256 epoch, uint256 current) private view {
        uint256 oldest = current > SLASHING_WINDOW_EPOCHS ? current - SLASHING_WINDOW_EPOCHS : 0;
        if (epoch < oldest) revert EpochOutsideWindow(epoch, oldest);
    }
}
