// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPortal
/// @notice ETH in and out of L2. A deposit escrows ETH here and enqueues a deposit entry in the
///         ForceInclusionQueue, so it reaches L2 even if every sequencer refuses it: the entry
///         `0x7e ‖ l2Recipient (20) ‖ amount (32)`, enqueued by this contract, is read as a deposit
///         by the derivation and the dispute game (the queue's commitment binds the sender, so
///         the same bytes from anyone else are a no-op). A withdrawal made on L2 is proven
///         against a finalized output and paid once:
///         - on the ledger (a transfer to the withdrawal address), against the output's state
///           root with the withdrawals tree (`finalizeWithdrawal`; docs/ledger.md);
///         - on the EVM chain (`L2Withdrawals.withdraw` at the predeploy), against the state
///           root in the header the output commits to, with `eth_getProof`'s account and
///           storage proofs (`finalizeEvmWithdrawal`; docs/evm.md).
///         See docs/outputs.md.
interface IPortal {
    /// @notice A deposit was escrowed and enqueued.
    /// @param queueIndex Its force-queue index.
    /// @param from Who paid.
    /// @param l2Recipient The L2 account to credit.
    /// @param amount Wei credited on L2 (the value sent minus the queue's inclusion fee).
    event DepositInitiated(
        uint256 indexed queueIndex, address indexed from, address indexed l2Recipient, uint256 amount
    );
    /// @notice A deposit with a call was escrowed and enqueued (EVM chain only).
    /// @param queueIndex Its force-queue index.
    /// @param from Who paid on L1.
    /// @param l2Sender The call's sender on L2: `from`, or its alias if `from` is a contract.
    /// @param target The L2 contract (or account) called.
    /// @param amount Wei minted to `l2Sender` and sent with the call.
    /// @param gasLimit The call's gas on L2, paid for by the inclusion fee.
    /// @param data The calldata.
    event DepositCallInitiated(
        uint256 indexed queueIndex,
        address indexed from,
        address l2Sender,
        address indexed target,
        uint256 amount,
        uint64 gasLimit,
        bytes data
    );
    /// @notice A withdrawal was paid.
    /// @param withdrawalKey On the ledger `keccak256(abi.encode(l2Sender, nonce))`; on the EVM
    ///        chain the predeploy's withdrawal hash (`L2Withdrawals.hashOf`).
    /// @param l1Recipient Who was paid.
    /// @param amount Wei paid.
    /// @param outputIndex The finalized output it was proven against.
    event WithdrawalFinalized(
        bytes32 indexed withdrawalKey, address indexed l1Recipient, uint256 amount, uint256 outputIndex
    );

    /// @notice The value sent does not cover the queue's inclusion fee (a plain deposit must
    ///         also exceed it: it would credit nothing).
    error DepositTooSmall(uint256 value, uint256 inclusionFee);
    /// @notice The L2 recipient is the zero address.
    error ZeroRecipient();
    /// @notice The output is not finalized (or does not exist).
    error OutputNotFinalized(uint256 outputIndex);
    /// @notice `stateRoot` is not the one output `outputIndex` commits to.
    error StateRootMismatch(uint256 outputIndex);
    /// @notice `accountsRoot ‖ withdrawalsRoot` does not hash to `stateRoot`.
    error SubRootsMismatch();
    /// @notice This withdrawal was already paid.
    error AlreadyWithdrawn(bytes32 withdrawalKey);
    /// @notice Paying the L1 recipient failed; nothing changed, the call can be retried.
    error TransferFailed(address to, uint256 amount);
    /// @notice The portal holds less ETH than the withdrawal: it pays out only what was
    ///         deposited (an L2 genesis that credits accounts is not backed); nothing changed.
    error InsufficientDeposits(uint256 amount, uint256 held);
    /// @notice This portal's L2 proves withdrawals the other way: call `use` instead.
    error WrongWithdrawalKind(string use);
    /// @notice Deposits with a call need an EVM chain; this portal's L2 is the ledger.
    error DepositCallsNeedEvm();
    /// @notice A deposit call's gas limit is outside [min, max].
    error DepositGasOutOfRange(uint64 gasLimit, uint64 min, uint64 max);

    /// @notice Everything needed to prove one withdrawal.
    struct WithdrawalProof {
        /// @dev A finalized output.
        uint256 outputIndex;
        /// @dev The L2 state root that output commits to.
        bytes32 stateRoot;
        /// @dev Its two sub-roots.
        bytes32 accountsRoot;
        bytes32 withdrawalsRoot;
        /// @dev The L2 transaction that withdrew: its sender and nonce.
        address l2Sender;
        uint64 nonce;
        /// @dev Who is paid, and how much.
        address l1Recipient;
        uint256 amount;
        /// @dev The withdrawals-tree proof: 32-byte bitmap then the non-zero siblings from the
        ///      leaf up (docs/ledger.md, "Witness").
        bytes proof;
    }

    /// @notice Everything needed to prove one withdrawal of the EVM chain.
    struct EvmWithdrawalProof {
        /// @dev A finalized output.
        uint256 outputIndex;
        /// @dev The RLP of the header of the output's last block: its keccak-256 is the root
        ///      the output commits to, and it holds the state root the proofs start from.
        bytes header;
        /// @dev The withdrawal as the predeploy recorded it (`WithdrawalInitiated`).
        uint256 nonce;
        address l2Sender;
        address l1Recipient;
        uint256 amount;
        /// @dev `eth_getProof` at that block: the predeploy's account proof, and the storage
        ///      proof of its `initiated[hash]` slot.
        bytes[] accountProof;
        bytes[] storageProof;
    }

    /// @notice Deposit `msg.value − inclusionFee` to `l2Recipient` on L2.
    /// @return queueIndex The deposit's force-queue index.
    function deposit(address l2Recipient) external payable returns (uint256 queueIndex);
    /// @notice Deposit `msg.value − inclusionFee` (possibly nothing) on the EVM chain and call
    ///         `target` with it and `data`, with `gasLimit` gas, from the caller's L2 address:
    ///         the caller's own for an account, `alias(caller)` for a contract (a contract's L1
    ///         address is not its L2 one). A failing call keeps the minted ETH with the sender.
    /// @return queueIndex The deposit's force-queue index.
    function depositCall(address target, uint64 gasLimit, bytes calldata data)
        external
        payable
        returns (uint256 queueIndex);
    /// @notice Prove a withdrawal against a finalized output and pay it (permissionless: the
    ///         payment always goes to the recipient the L2 sender named).
    function finalizeWithdrawal(WithdrawalProof calldata w) external;
    /// @notice The same for the EVM chain: prove a withdrawal the predeploy recorded in the
    ///         state of a finalized output's last block, and pay it.
    function finalizeEvmWithdrawal(EvmWithdrawalProof calldata w) external;

    /// @notice The queue entry a deposit of `amount` to `l2Recipient` enqueues.
    function depositEntry(address l2Recipient, uint256 amount) external pure returns (bytes memory);
    /// @notice The queue entry a deposit with a call enqueues.
    function depositCallEntry(
        address l2Sender,
        address target,
        uint256 amount,
        uint64 gasLimit,
        bytes calldata data
    ) external pure returns (bytes memory);
    /// @notice The L2 sender of a deposit call made by the L1 contract `l1Contract`: its
    ///         address plus 0x1111000000000000000000000000000000001111 (mod 2^160), the offset
    ///         OP Stack and Arbitrum use, so that no L1 contract can act as the L2 account of
    ///         the same address.
    function aliasOf(address l1Contract) external pure returns (address);
    /// @notice Whether the withdrawal with this key was paid.
    function withdrawn(bytes32 withdrawalKey) external view returns (bool);
    /// @notice Whether the L2 runs the EVM (withdrawals by `finalizeEvmWithdrawal`).
    function evmChain() external view returns (bool);
    /// @notice The output oracle withdrawals are proven against.
    function oracle() external view returns (address);
    /// @notice The force-inclusion queue deposits go through.
    function queue() external view returns (address);
    /// @notice The BatchInbox (for the record hash an output commits to).
    function inbox() external view returns (address);
}
