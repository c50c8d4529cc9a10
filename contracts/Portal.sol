// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPortal} from "./interfaces/IPortal.sol";
import {IL1OutputOracle} from "./interfaces/IL1OutputOracle.sol";
import {IForceInclusionQueue} from "./interfaces/IForceInclusionQueue.sol";
import {IBatchInbox} from "./interfaces/IBatchInbox.sol";
import {Ledger} from "./libraries/ledger/Ledger.sol";
import {SparseMerkle} from "./libraries/ledger/SparseMerkle.sol";
import {DepositEntry} from "./libraries/DepositEntry.sol";
import {EvmHeader} from "./libraries/EvmHeader.sol";
import {EvmWithdrawal} from "./libraries/EvmWithdrawal.sol";

/// @title Portal
/// @notice See IPortal. Holds deposited ETH; pays proven withdrawals once, proven the way the
///         deployment's L2 commits to them: the ledger's withdrawals tree, or the EVM chain's
///         withdrawal predeploy's storage under the state root of the output's last header.
contract Portal is IPortal {
    /// @notice The first byte of a deposit entry (see DepositEntry).
    bytes1 public constant DEPOSIT_TYPE = DepositEntry.TYPE;
    /// @notice The least gas a deposit call may ask for: a plain transfer's.
    uint64 public constant MIN_DEPOSIT_GAS = DepositEntry.MIN_GAS;
    /// @notice The most. A record's deposits all run in its first L2 block, and a deposit
    ///         cannot fail the block, so no block gas check stops them: the deploy script
    ///         requires `maxRecordEntries × MAX_DEPOSIT_GAS ≤ l2GasLimit`, so that a block's
    ///         deposits never use more gas than a block may, which keeps its execution within
    ///         what the fault-proof VM bisects (docs/evm.md, "The most steps a block takes").
    uint64 public constant MAX_DEPOSIT_GAS = DepositEntry.MAX_GAS;
    /// @dev OP Stack's and Arbitrum's L1-to-L2 alias offset.
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    IL1OutputOracle internal immutable ORACLE;
    IForceInclusionQueue internal immutable QUEUE;
    IBatchInbox internal immutable INBOX;
    /// @dev Whether the L2 runs the EVM (its outputs commit to header hashes).
    bool internal immutable EVM_CHAIN;
    /// @dev The L2 chain id an EVM withdrawal's hash binds.
    uint256 internal immutable L2_CHAIN_ID;

    mapping(bytes32 withdrawalKey => bool) internal _withdrawn;

    /// @notice A constructor parameter is the zero address.
    error InvalidParameter(string name);

    /// @param evmChain_ Whether the L2 runs the EVM (the profile's `l2Execution` is `evm`).
    constructor(address oracle_, address queue_, address inbox_, bool evmChain_) {
        if (oracle_ == address(0)) revert InvalidParameter("oracle");
        if (queue_ == address(0)) revert InvalidParameter("queue");
        if (inbox_ == address(0)) revert InvalidParameter("inbox");
        ORACLE = IL1OutputOracle(oracle_);
        QUEUE = IForceInclusionQueue(queue_);
        INBOX = IBatchInbox(inbox_);
        EVM_CHAIN = evmChain_;
        L2_CHAIN_ID = IBatchInbox(inbox_).l2ChainId();
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
    function depositCall(address target, uint64 gasLimit, bytes calldata data)
        external
        payable
        returns (uint256 queueIndex)
    {
        if (!EVM_CHAIN) revert DepositCallsNeedEvm();
        if (target == address(0)) revert ZeroRecipient();
        if (gasLimit < MIN_DEPOSIT_GAS || gasLimit > MAX_DEPOSIT_GAS) {
            revert DepositGasOutOfRange(gasLimit, MIN_DEPOSIT_GAS, MAX_DEPOSIT_GAS);
        }
        uint256 fee = QUEUE.inclusionFee();
        if (msg.value < fee) revert DepositTooSmall(msg.value, fee);
        uint256 amount = msg.value - fee;
        // An externally owned caller is itself on L2; a contract (not the origin) is its alias.
        address l2Sender = msg.sender == tx.origin ? msg.sender : aliasOf(msg.sender);
        queueIndex =
            QUEUE.enqueue{value: fee}(DepositEntry.encodeCall(l2Sender, target, amount, gasLimit, data));
        emit DepositCallInitiated(queueIndex, msg.sender, l2Sender, target, amount, gasLimit, data);
    }

    /// @inheritdoc IPortal
    function finalizeWithdrawal(WithdrawalProof calldata w) external {
        if (EVM_CHAIN) revert WrongWithdrawalKind("finalizeEvmWithdrawal");
        _checkFinalized(w.outputIndex, w.stateRoot);
        if (keccak256(abi.encodePacked(w.accountsRoot, w.withdrawalsRoot)) != w.stateRoot) {
            revert SubRootsMismatch();
        }

        bytes32 key = Ledger.withdrawalKey(w.l2Sender, w.nonce);
        if (_withdrawn[key]) revert AlreadyWithdrawn(key);
        // Membership: the proven leaf left in place must reproduce the withdrawals root
        // (`update` reverts WitnessMismatch otherwise).
        bytes32 leaf = Ledger.withdrawalLeaf(w.l1Recipient, w.amount);
        SparseMerkle.update(w.withdrawalsRoot, uint256(key), Ledger.WITHDRAWALS_DEPTH, leaf, leaf, w.proof, 0);
        _pay(key, w.l1Recipient, w.amount, w.outputIndex);
    }

    /// @inheritdoc IPortal
    function finalizeEvmWithdrawal(EvmWithdrawalProof calldata w) external {
        if (!EVM_CHAIN) revert WrongWithdrawalKind("finalizeWithdrawal");
        // The output commits to the header's hash; the header to the state root.
        _checkFinalized(w.outputIndex, keccak256(w.header));
        EvmWithdrawal.Withdrawal memory withdrawal = EvmWithdrawal.Withdrawal({
            nonce: w.nonce, sender: w.l2Sender, l1Recipient: w.l1Recipient, amount: w.amount
        });
        bytes32 key = EvmWithdrawal.hashOf(L2_CHAIN_ID, withdrawal);
        if (_withdrawn[key]) revert AlreadyWithdrawn(key);
        EvmWithdrawal.verify(
            EvmHeader.stateRoot(w.header), L2_CHAIN_ID, withdrawal, w.accountProof, w.storageProof
        );
        _pay(key, w.l1Recipient, w.amount, w.outputIndex);
    }

    /// @dev Reverts unless output `outputIndex` is finalized and commits to `root`.
    function _checkFinalized(uint256 outputIndex, bytes32 root) private view {
        (bool matches, bool finalized) = ORACLE.verifyStateRoot(outputIndex, root);
        if (!finalized) revert OutputNotFinalized(outputIndex);
        if (!matches) revert StateRootMismatch(outputIndex);
    }

    /// @dev Marks withdrawal `key` paid, then pays it (effects before the call).
    function _pay(bytes32 key, address to, uint256 amount, uint256 outputIndex) private {
        if (address(this).balance < amount) revert InsufficientDeposits(amount, address(this).balance);
        _withdrawn[key] = true;
        emit WithdrawalFinalized(key, to, amount, outputIndex);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    /// @inheritdoc IPortal
    function depositEntry(address l2Recipient, uint256 amount) external pure returns (bytes memory) {
        return DepositEntry.encode(l2Recipient, amount);
    }

    /// @inheritdoc IPortal
    function depositCallEntry(
        address l2Sender,
        address target,
        uint256 amount,
        uint64 gasLimit,
        bytes calldata data
    ) external pure returns (bytes memory) {
        return DepositEntry.encodeCall(l2Sender, target, amount, gasLimit, data);
    }

    /// @inheritdoc IPortal
    function aliasOf(address l1Contract) public pure returns (address) {
        unchecked {
            return address(uint160(l1Contract) + ALIAS_OFFSET);
        }
    }

    /// @inheritdoc IPortal
    function withdrawn(bytes32 withdrawalKey) external view returns (bool) {
        return _withdrawn[withdrawalKey];
    }

    /// @inheritdoc IPortal
    function evmChain() external view returns (bool) {
        return EVM_CHAIN;
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
