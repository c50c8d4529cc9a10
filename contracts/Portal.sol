// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPortal} from "./interfaces/IPortal.sol";
import {IL1OutputOracle} from "./interfaces/IL1OutputOracle.sol";
import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {Ledger} from "./libraries/ledger/Ledger.sol";
import {SparseMerkle} from "./libraries/ledger/SparseMerkle.sol";
import {DepositEntry} from "./libraries/DepositEntry.sol";

/// @title Portal
/// @notice See IPortal. Holds deposited ETH; pays proven withdrawals once.
contract Portal is IPortal {
    /// @notice The first byte of a deposit entry (see DepositEntry).
    bytes1 public constant DEPOSIT_TYPE = DepositEntry.TYPE;

    IL1OutputOracle internal immutable ORACLE;
    IForceInclusionQueue internal immutable QUEUE;
    IBatchInbox internal immutable INBOX;

    mapping(bytes32 withdrawalKey => bool) internal _withdrawn;

    /// @notice A constructor parameter is the zero address.
    error InvalidParameter(string name);

    constructor(address oracle_, address queue_, address inbox_) {
        if (oracle_ == address(0)) revert InvalidParameter("oracle");
        if (queue_ == address(0)) revert InvalidParameter("queue");
        if (inbox_ == address(0)) revert InvalidParameter("inbox");
        ORACLE = IL1OutputOracle(oracle_);
        QUEUE = IForceInclusionQueue(queue_);
        INBOX = IBatchInbox(inbox_);
    }

    /// @inheritdoc IPortal
    function deposit(address l2Recipient) external payable returns (uint256 queueIndex) {
        if (l2Recipient == address(0)) revert ZeroRecipient();
        uint256 fee = QUEUE.inclusionFee();
        if (msg.value <= fee) revert DepositTooSmall(msg.value, fee);
        uint256 amount = msg.value - fee;
        queueIndex = QUEUE.enqueue{value: fee}(DepositEntry.encode(l2Recipient, amount));
        emit DepositInitiated(queueIndex, msg.sender, l2Recipient, amount);
    }

    /// @inheritdoc IPortal
    function finalizeWithdrawal(WithdrawalProof calldata w) external {
        (bool matches, bool finalized) = ORACLE.verifyStateRoot(w.outputIndex, w.stateRoot);
        if (!finalized) revert OutputNotFinalized(w.outputIndex);
        if (!matches) revert StateRootMismatch(w.outputIndex);
        if (keccak256(abi.encodePacked(w.accountsRoot, w.withdrawalsRoot)) != w.stateRoot) {
            revert SubRootsMismatch();
        }

        bytes32 key = Ledger.withdrawalKey(w.l2Sender, w.nonce);
        if (_withdrawn[key]) revert AlreadyWithdrawn(key);
        // Membership: the proven leaf left in place must reproduce the withdrawals root
        // (`update` reverts WitnessMismatch otherwise).
        bytes32 leaf = Ledger.withdrawalLeaf(w.l1Recipient, w.amount);
        SparseMerkle.update(w.withdrawalsRoot, uint256(key), Ledger.WITHDRAWALS_DEPTH, leaf, leaf, w.proof, 0);

        _withdrawn[key] = true;
        emit WithdrawalFinalized(key, w.l1Recipient, w.amount, w.outputIndex);
        (bool ok,) = w.l1Recipient.call{value: w.amount}("");
        if (!ok) revert TransferFailed(w.l1Recipient, w.amount);
    }

    /// @inheritdoc IPortal
    function depositEntry(address l2Recipient, uint256 amount) external pure returns (bytes memory) {
        return DepositEntry.encode(l2Recipient, amount);
    }

    /// @inheritdoc IPortal
    function withdrawn(bytes32 withdrawalKey) external view returns (bool) {
        return _withdrawn[withdrawalKey];
    }

    /// @inheritdoc IPortal
    function oracle() external view returns (address) {
        return address(ORACLE);
    }

    /// @inheritdoc IPortal
    function queue() external view returns (address) {
        return address(QUEUE);
    }

    /// @inheritdoc IPortal
    function inbox() external view returns (address) {
        return address(INBOX);
    }
}
