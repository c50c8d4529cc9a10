// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SparseMerkleModel} from "./SparseMerkleModel.sol";

/// @notice A reference ledger state for tests (docs/ledger.md, "State" and "Witness"): accounts
///         and withdrawals kept in plain mappings, roots and proofs computed from scratch with
///         `SparseMerkleModel`. It builds the witnesses the library reads, and applies valid
///         transactions the plain way (sender, then recipient or withdrawal, then fee recipient,
///         each proof taken before its leaf changes), so a test compares the library's root with
///         the model's.
contract LedgerModel {
    uint256 internal constant ACCOUNTS_DEPTH = 160;
    uint256 internal constant WITHDRAWALS_DEPTH = 256;

    struct Account {
        uint256 balance;
        uint64 nonce;
    }

    address[] internal _addresses;
    mapping(address account => bool) internal _known;
    mapping(address account => Account) public accounts;

    bytes32[] internal _withdrawalKeys;
    mapping(bytes32 key => bool) internal _knownWithdrawal;
    mapping(bytes32 key => bytes32 leaf) public withdrawals;

    // ---------------------------------------------------------------- state

    function setAccount(address a, uint256 balance, uint64 nonce) public {
        if (!_known[a]) {
            _known[a] = true;
            _addresses.push(a);
        }
        accounts[a] = Account(balance, nonce);
    }

    function setWithdrawal(bytes32 key, bytes32 leaf) public {
        if (!_knownWithdrawal[key]) {
            _knownWithdrawal[key] = true;
            _withdrawalKeys.push(key);
        }
        withdrawals[key] = leaf;
    }

    function balanceOf(address a) external view returns (uint256) {
        return accounts[a].balance;
    }

    function nonceOf(address a) external view returns (uint64) {
        return accounts[a].nonce;
    }

    // ---------------------------------------------------------------- leaves and roots

    function accountLeaf(uint256 balance, uint256 nonce) public pure returns (bytes32) {
        if (balance == 0 && nonce == 0) return 0;
        return keccak256(abi.encode(balance, nonce));
    }

    function withdrawalKey(address sender, uint256 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(sender, nonce));
    }

    function withdrawalLeaf(address l1Recipient, uint256 amount) public pure returns (bytes32) {
        return keccak256(abi.encode(l1Recipient, amount));
    }

    function _accountLeaves() internal view returns (uint256[] memory keys, bytes32[] memory leaves) {
        keys = new uint256[](_addresses.length);
        leaves = new bytes32[](_addresses.length);
        for (uint256 i; i < _addresses.length; ++i) {
            Account memory acc = accounts[_addresses[i]];
            keys[i] = uint160(_addresses[i]);
            leaves[i] = accountLeaf(acc.balance, acc.nonce);
        }
    }

    function _withdrawalLeaves() internal view returns (uint256[] memory keys, bytes32[] memory leaves) {
        keys = new uint256[](_withdrawalKeys.length);
        leaves = new bytes32[](_withdrawalKeys.length);
        for (uint256 i; i < _withdrawalKeys.length; ++i) {
            keys[i] = uint256(_withdrawalKeys[i]);
            leaves[i] = withdrawals[_withdrawalKeys[i]];
        }
    }

    function accountsRoot() public view returns (bytes32) {
        (uint256[] memory keys, bytes32[] memory leaves) = _accountLeaves();
        return SparseMerkleModel.root(keys, leaves, ACCOUNTS_DEPTH);
    }

    function withdrawalsRoot() public view returns (bytes32) {
        (uint256[] memory keys, bytes32[] memory leaves) = _withdrawalLeaves();
        return SparseMerkleModel.root(keys, leaves, WITHDRAWALS_DEPTH);
    }

    function stateRoot() public view returns (bytes32) {
        return keccak256(abi.encodePacked(accountsRoot(), withdrawalsRoot()));
    }

    // ---------------------------------------------------------------- witness pieces

    /// @notice accountsRoot (32) ‖ withdrawalsRoot (32).
    function header() public view returns (bytes memory) {
        return abi.encodePacked(accountsRoot(), withdrawalsRoot());
    }

    /// @notice balance (32) ‖ nonce (8) ‖ bitmap (20) ‖ siblings.
    function accountProof(address a) public view returns (bytes memory) {
        (uint256[] memory keys, bytes32[] memory leaves) = _accountLeaves();
        Account memory acc = accounts[a];
        return abi.encodePacked(
            acc.balance, acc.nonce, SparseMerkleModel.proof(keys, leaves, uint160(a), ACCOUNTS_DEPTH)
        );
    }

    /// @notice leaf (32) ‖ bitmap (32) ‖ siblings.
    function withdrawalProof(bytes32 key) public view returns (bytes memory) {
        return abi.encodePacked(withdrawals[key], withdrawalSiblings(key));
    }

    /// @notice bitmap (32) ‖ siblings: the proof the portal takes (the leaf it recomputes).
    function withdrawalSiblings(bytes32 key) public view returns (bytes memory) {
        (uint256[] memory keys, bytes32[] memory leaves) = _withdrawalLeaves();
        return SparseMerkleModel.proof(keys, leaves, uint256(key), WITHDRAWALS_DEPTH);
    }

    // ---------------------------------------------------------------- valid operations

    /// @notice Applies a valid transfer and returns the witness for it.
    function transfer(address sender, address to, uint256 value, uint256 fee, address feeRecipient)
        external
        returns (bytes memory w)
    {
        w = bytes.concat(header(), _debit(sender, value + fee));
        w = bytes.concat(w, _credit(to, value));
        w = bytes.concat(w, _credit(feeRecipient, fee));
    }

    /// @notice Applies a valid withdrawal and returns the witness for it.
    function withdraw(address sender, address l1Recipient, uint256 value, uint256 fee, address feeRecipient)
        external
        returns (bytes memory w)
    {
        uint64 nonce = accounts[sender].nonce;
        w = bytes.concat(header(), _debit(sender, value + fee));
        bytes32 key = withdrawalKey(sender, nonce);
        w = bytes.concat(w, withdrawalProof(key));
        setWithdrawal(key, withdrawalLeaf(l1Recipient, value));
        w = bytes.concat(w, _credit(feeRecipient, fee));
    }

    /// @notice Applies a valid deposit and returns the witness for it.
    function deposit(address recipient, uint256 amount) external returns (bytes memory w) {
        w = bytes.concat(header(), _credit(recipient, amount));
    }

    function _debit(address a, uint256 cost) internal returns (bytes memory p) {
        p = accountProof(a);
        Account memory acc = accounts[a];
        setAccount(a, acc.balance - cost, acc.nonce + 1);
    }

    function _credit(address a, uint256 amount) internal returns (bytes memory p) {
        p = accountProof(a);
        Account memory acc = accounts[a];
        setAccount(a, acc.balance + amount, acc.nonce);
    }
}
