// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Eip1559Tx} from "./Eip1559Tx.sol";
import {SparseMerkle} from "./SparseMerkle.sol";
import {WitnessMismatch, WitnessTooShort} from "./WitnessErrors.sol";

/// @title Ledger
/// @notice The L2 ledger's state transition function on L1 (docs/ledger.md): one signed
///         transaction or one deposit, applied to a pre-state root with a witness of the leaves
///         it reads. It holds no state and makes no call but the ecrecover precompile.
///
///         state     = keccak256(accountsRoot ‖ withdrawalsRoot)
///         witness   = [accountsRoot (32) ‖ withdrawalsRoot (32)] ‖ proof*
///         account   = balance (32) ‖ nonce (8) ‖ bitmap (20) ‖ sibling (32) × popcount(bitmap)
///         withdrawal = leaf (32) ‖ bitmap (32) ‖ sibling (32) × popcount(bitmap)
///
///         Every value read from the witness is proven against the root of the moment; a witness
///         that does not match reverts (WitnessMismatch, WitnessTooShort), so a wrong witness can
///         never produce a root or an outcome.
library Ledger {
    /// @notice What the ledger needs to know about the block a transaction is in.
    /// @param chainId The L2 chain id.
    /// @param baseFee The L2 base fee, wei per gas.
    /// @param feeRecipient The fee address of the leader that sequenced the block.
    struct BlockContext {
        uint64 chainId;
        uint128 baseFee;
        address feeRecipient;
    }

    /// @notice Outcome codes of docs/ledger.md, in check order: 0 applied, anything else a no-op.
    enum Outcome {
        Applied, // 0
        Malformed, // 1
        WrongChainId, // 2
        ContractCreation, // 3
        GasLimitTooLow, // 4
        PriorityFeeAboveMaxFee, // 5
        MaxFeeBelowBaseFee, // 6
        AccessListNotAllowed, // 7
        CalldataNotAllowed, // 8
        BadWithdrawalData, // 9
        BadSignature, // 10
        MalleableSignature, // 11
        Unrecoverable, // 12
        WrongNonce, // 13
        InsufficientBalance, // 14
        BalanceOverflow, // 15
        WithdrawalExists // 16
    }

    /// @notice A transfer to this address is a withdrawal to L1.
    address internal constant WITHDRAWAL_ADDRESS = 0xbA70000000000000000000000000000000000000;

    /// @notice The gas every transaction is charged: fee = TX_GAS × effectiveGasPrice.
    uint256 internal constant TX_GAS = 21_000;

    /// @notice Depth of the accounts tree (keyed by address) and of the withdrawals tree.
    uint256 internal constant ACCOUNTS_DEPTH = 160;
    uint256 internal constant WITHDRAWALS_DEPTH = 256;

    /// @notice The secp256k1 group order n and n / 2 (EIP-2's bound on s).
    uint256 internal constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant SECP256K1_HALF_N =
        0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @dev Witness sizes: the header and an account's leaf data (balance ‖ nonce).
    uint256 private constant HEADER_SIZE = 64;
    uint256 private constant ACCOUNT_DATA_SIZE = 40;
    uint256 private constant WITHDRAWAL_LEAF_SIZE = 32;

    /// @dev The two tree roots while a step runs, and the read position in the witness.
    struct Cursor {
        bytes32 accountsRoot;
        bytes32 withdrawalsRoot;
        uint256 p;
    }

    /// @notice Apply one signed transaction.
    /// @dev Codes 1–12 are decided from the transaction alone and return without reading the
    ///      witness. From code 13 on, the witness is read in the order the leaves are: header,
    ///      sender, then the recipient or the withdrawal leaf, then the fee recipient; the first
    ///      failing check returns at once (nothing after it is read). So for a withdrawal,
    ///      WithdrawalExists (16) is decided before the fee recipient is read: if it and a fee
    ///      recipient overflow (15) both hold, the outcome is 16. An outcome from 13 on is only
    ///      returned once the proof of the leaf that decided it has been verified.
    /// @param preRoot The state root before the transaction.
    /// @param ctx The block's chain id, base fee and fee recipient.
    /// @param txBytes The raw EIP-2718 transaction.
    /// @param witness The header and proofs (docs/ledger.md, "Witness").
    /// @return postRoot The state root after the transaction (`preRoot` if it is invalid).
    /// @return outcome The outcome code (0 = applied).
    function step(bytes32 preRoot, BlockContext memory ctx, bytes calldata txBytes, bytes calldata witness)
        internal
        pure
        returns (bytes32 postRoot, uint8 outcome)
    {
        (bool ok, Eip1559Tx.Transaction memory t) = Eip1559Tx.decode(txBytes);
        if (!ok) return (preRoot, uint8(Outcome.Malformed));
        Outcome o = _checkTransaction(t, ctx);
        if (o != Outcome.Applied) return (preRoot, uint8(o));
        address sender = ecrecover(t.digest, uint8(27 + t.yParity), bytes32(t.r), bytes32(t.s));
        if (sender == address(0)) return (preRoot, uint8(Outcome.Unrecoverable));
        return _applyTransaction(preRoot, ctx, t, sender, txBytes, witness);
    }

    /// @dev Checks 13 to 16 and the three state updates of a transaction that passed 1 to 12.
    function _applyTransaction(
        bytes32 preRoot,
        BlockContext memory ctx,
        Eip1559Tx.Transaction memory t,
        address sender,
        bytes calldata txBytes,
        bytes calldata witness
    ) private pure returns (bytes32 postRoot, uint8 outcome) {
        // effectiveGasPrice = min(maxFeePerGas, baseFee + maxPriorityFeePerGas); no overflow:
        // the operands are 128-bit.
        uint256 price = uint256(ctx.baseFee) + t.maxPriorityFeePerGas;
        if (price > t.maxFeePerGas) price = t.maxFeePerGas;
        uint256 fee = TX_GAS * price;

        Cursor memory c = _openWitness(preRoot, witness);

        // 1. Sender: balance -= value + fee, nonce += 1.
        Outcome o = _debitSender(c, sender, t.nonce, t.value, fee, witness);
        if (o != Outcome.Applied) return (preRoot, uint8(o));

        // 2. Recipient, or the withdrawal leaf.
        if (t.to == WITHDRAWAL_ADDRESS) {
            o = _writeWithdrawal(c, sender, t, txBytes, witness);
        } else {
            o = _credit(c, t.to, t.value, witness);
        }
        if (o != Outcome.Applied) return (preRoot, uint8(o));

        // 3. Fee recipient, also when the fee is zero.
        o = _credit(c, ctx.feeRecipient, fee, witness);
        if (o != Outcome.Applied) return (preRoot, uint8(o));

        return (_stateRoot(c), uint8(Outcome.Applied));
    }

    /// @notice Apply one deposit: balance(recipient) += amount.
    /// @param preRoot The state root before the deposit.
    /// @param recipient The L2 account credited.
    /// @param amount The amount credited, in wei.
    /// @param witness The header and the recipient's account proof.
    /// @return postRoot The state root after the deposit (`preRoot` on BalanceOverflow).
    /// @return outcome 0 (applied) or 15 (BalanceOverflow).
    function deposit(bytes32 preRoot, address recipient, uint256 amount, bytes calldata witness)
        internal
        pure
        returns (bytes32 postRoot, uint8 outcome)
    {
        Cursor memory c = _openWitness(preRoot, witness);
        Outcome o = _credit(c, recipient, amount, witness);
        if (o != Outcome.Applied) return (preRoot, uint8(o));
        return (_stateRoot(c), uint8(Outcome.Applied));
    }

    /// @notice The leaf of an account: zero when it is empty, else keccak256(abi.encode(balance, nonce)).
    function accountLeaf(uint256 balance, uint256 nonce) internal pure returns (bytes32 leaf) {
        if (balance == 0 && nonce == 0) return 0;
        return keccak256(abi.encode(balance, nonce));
    }

    /// @notice The key of the withdrawal made by `sender`'s transaction with nonce `nonce`.
    function withdrawalKey(address sender, uint256 nonce) internal pure returns (bytes32) {
        return keccak256(abi.encode(sender, nonce));
    }

    /// @notice The leaf of a withdrawal paying `amount` to `l1Recipient`.
    function withdrawalLeaf(address l1Recipient, uint256 amount) internal pure returns (bytes32) {
        return keccak256(abi.encode(l1Recipient, amount));
    }

    /// @dev Checks 2 to 11, in table order, on the decoded transaction.
    function _checkTransaction(Eip1559Tx.Transaction memory t, BlockContext memory ctx)
        private
        pure
        returns (Outcome)
    {
        if (t.chainId != ctx.chainId) return Outcome.WrongChainId;
        if (t.isCreation) return Outcome.ContractCreation;
        if (t.gasLimit < TX_GAS) return Outcome.GasLimitTooLow;
        if (t.maxPriorityFeePerGas > t.maxFeePerGas) return Outcome.PriorityFeeAboveMaxFee;
        if (t.maxFeePerGas < ctx.baseFee) return Outcome.MaxFeeBelowBaseFee;
        if (t.accessListItems != 0) return Outcome.AccessListNotAllowed;
        bool withdrawal = t.to == WITHDRAWAL_ADDRESS;
        if (!withdrawal && t.dataLength != 0) return Outcome.CalldataNotAllowed;
        if (withdrawal && t.dataLength != 0 && t.dataLength != 20) return Outcome.BadWithdrawalData;
        if (t.r == 0 || t.r >= SECP256K1_N || t.s == 0 || t.s >= SECP256K1_N) return Outcome.BadSignature;
        if (t.s > SECP256K1_HALF_N) return Outcome.MalleableSignature;
        return Outcome.Applied;
    }

    /// @dev Reads the witness header and checks it against the pre-state root.
    function _openWitness(bytes32 preRoot, bytes calldata witness) private pure returns (Cursor memory c) {
        if (witness.length < HEADER_SIZE) revert WitnessTooShort();
        c.accountsRoot = bytes32(witness[0:32]);
        c.withdrawalsRoot = bytes32(witness[32:64]);
        if (_stateRoot(c) != preRoot) revert WitnessMismatch();
        c.p = HEADER_SIZE;
    }

    /// @dev keccak256(accountsRoot ‖ withdrawalsRoot).
    function _stateRoot(Cursor memory c) private pure returns (bytes32 root) {
        assembly ("memory-safe") {
            root := keccak256(c, 0x40)
        }
    }

    /// @dev Reads the account data at the cursor: balance (32) ‖ nonce (8).
    function _readAccount(Cursor memory c, bytes calldata witness)
        private
        pure
        returns (uint256 balance, uint64 nonce)
    {
        uint256 p = c.p;
        if (witness.length < p + ACCOUNT_DATA_SIZE) revert WitnessTooShort();
        balance = uint256(bytes32(witness[p:p + 32]));
        nonce = uint64(bytes8(witness[p + 32:p + ACCOUNT_DATA_SIZE]));
        c.p = p + ACCOUNT_DATA_SIZE;
    }

    /// @dev Proves `account`'s old leaf and moves the accounts root to `newLeaf` in its place.
    function _updateAccount(
        Cursor memory c,
        address account,
        bytes32 oldLeaf,
        bytes32 newLeaf,
        bytes calldata witness
    ) private pure {
        (c.accountsRoot, c.p) = SparseMerkle.update(
            c.accountsRoot, uint160(account), ACCOUNTS_DEPTH, oldLeaf, newLeaf, witness, c.p
        );
    }

    /// @dev Step 1: checks 13 (nonce) and 14 (balance) on the proven sender leaf and, if both
    ///      pass, debits `value + fee` and increments the nonce.
    function _debitSender(
        Cursor memory c,
        address sender,
        uint64 txNonce,
        uint256 value,
        uint256 fee,
        bytes calldata witness
    ) private pure returns (Outcome o) {
        (uint256 balance, uint64 nonce) = _readAccount(c, witness);
        uint256 cost;
        bool costOverflows;
        unchecked {
            cost = value + fee;
            costOverflows = cost < value;
        }
        if (nonce != txNonce || nonce == type(uint64).max) o = Outcome.WrongNonce;
        else if (costOverflows || balance < cost) o = Outcome.InsufficientBalance;
        bytes32 oldLeaf = accountLeaf(balance, nonce);
        // An invalid outcome still has its leaf proven (a wrong witness must revert), with the
        // leaf left as it is.
        bytes32 newLeaf = o == Outcome.Applied ? accountLeaf(balance - cost, uint256(nonce) + 1) : oldLeaf;
        _updateAccount(c, sender, oldLeaf, newLeaf, witness);
    }

    /// @dev balance(account) += amount, or BalanceOverflow (15). Used for the recipient, the fee
    ///      recipient and deposits.
    function _credit(Cursor memory c, address account, uint256 amount, bytes calldata witness)
        private
        pure
        returns (Outcome o)
    {
        (uint256 balance, uint64 nonce) = _readAccount(c, witness);
        uint256 sum;
        unchecked {
            sum = balance + amount;
        }
        if (sum < balance) o = Outcome.BalanceOverflow;
        bytes32 oldLeaf = accountLeaf(balance, nonce);
        bytes32 newLeaf = o == Outcome.Applied ? accountLeaf(sum, nonce) : oldLeaf;
        _updateAccount(c, account, oldLeaf, newLeaf, witness);
    }

    /// @dev Step 2 of a withdrawal: writes keccak256(abi.encode(l1Recipient, value)) at
    ///      keccak256(abi.encode(sender, nonce)), or WithdrawalExists (16) if that key already
    ///      holds a leaf. `l1Recipient` is the 20 bytes of `data`, or the sender when it is empty.
    function _writeWithdrawal(
        Cursor memory c,
        address sender,
        Eip1559Tx.Transaction memory t,
        bytes calldata txBytes,
        bytes calldata witness
    ) private pure returns (Outcome o) {
        uint256 p = c.p;
        if (witness.length < p + WITHDRAWAL_LEAF_SIZE) revert WitnessTooShort();
        bytes32 oldLeaf = bytes32(witness[p:p + WITHDRAWAL_LEAF_SIZE]);
        bytes32 newLeaf = oldLeaf;
        if (oldLeaf != 0) {
            o = Outcome.WithdrawalExists;
        } else {
            address l1Recipient =
                t.dataLength == 0 ? sender : address(bytes20(txBytes[t.dataOffset:t.dataOffset + 20]));
            newLeaf = withdrawalLeaf(l1Recipient, t.value);
        }
        (c.withdrawalsRoot, c.p) = SparseMerkle.update(
            c.withdrawalsRoot,
            uint256(withdrawalKey(sender, t.nonce)),
            WITHDRAWALS_DEPTH,
            oldLeaf,
            newLeaf,
            witness,
            p + WITHDRAWAL_LEAF_SIZE
        );
    }
}
