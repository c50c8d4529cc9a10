//! baton's L2 state transition function (the ledger of `docs/ledger.md`), with no `std`: one
//! source for the rules, built natively into every node (through `baton-core`) and for RISC-V
//! into the fault-proof VM's guest (`keepers/guest`), so that a dispute ends on the very code the
//! nodes ran.
//!
//! - [`tx`]: decoding and the stateless checks of a signed transaction.
//! - [`apply`]: applying one transaction to any [`LedgerDb`], in the order the checks run.
//! - [`tree`]: the sparse Merkle tree's node hash and proofs, and a [`tree::PartialTree`] that
//!   opens the nodes it needs by hash (the guest's view of the state).
//! - [`oracle`]: the ledger state read node by node from keccak preimages ([`OracleDb`]).
//! - [`input`]: the one-transaction claim the guest checks, as the dispute game commits to it.

#![no_std]

extern crate alloc;

pub mod apply;
pub mod input;
pub mod oracle;
pub mod tree;
pub mod tx;

pub use apply::{LedgerDb, apply, apply_checked};
pub use input::GuestInput;
pub use oracle::{OracleDb, Preimages};
pub use tx::{CheckedTx, SECP256K1N, SECP256K1N_HALF, TX_GAS, TxAction, check_transaction};

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256, address, keccak256};

/// A transfer to this address is a withdrawal to L1.
pub const WITHDRAWAL_ADDRESS: Address = address!("0xbA70000000000000000000000000000000000000");

/// Depth of the accounts tree (keyed by address).
pub const ACCOUNTS_DEPTH: usize = 160;
/// Depth of the withdrawals tree (keyed by a hash).
pub const WITHDRAWALS_DEPTH: usize = 256;

/// The chain-wide parameters of the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerConfig {
    /// The L2 chain id every transaction must carry.
    pub chain_id: u64,
    /// The fixed L2 base fee in wei per gas.
    pub base_fee: u128,
}

/// What the STF needs to know about the block a transaction is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// The fee address of the leader that sequenced the block.
    pub fee_recipient: Address,
}

/// One entry of the canonical L2 transaction sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum L2Tx {
    /// Raw EIP-2718 bytes from a sequenced or forced record.
    Signed(alloy_primitives::Bytes),
    /// An L1 deposit made through the portal's force-queue entry.
    Deposit {
        /// The credited L2 account.
        recipient: Address,
        /// Wei credited.
        amount: alloy_primitives::U256,
    },
}

/// The first byte of a deposit entry in the force-inclusion queue (`Portal.DEPOSIT_TYPE`).
pub const DEPOSIT_TYPE: u8 = 0x7e;
/// Length of a deposit entry: type (1) ‖ recipient (20) ‖ amount (32).
pub const DEPOSIT_ENTRY_LEN: usize = 53;

impl L2Tx {
    /// How the derivation reads a force-queue entry: a deposit when the portal enqueued it in the
    /// deposit format, and otherwise raw transaction bytes (which the STF may find malformed).
    /// The queue's commitment binds the sender, so deposit-looking bytes enqueued by anyone else
    /// are just bytes: they can never mint.
    pub fn from_queue_entry(sender: Address, entry: &[u8], portal: Address) -> Self {
        if sender == portal && entry.len() == DEPOSIT_ENTRY_LEN && entry[0] == DEPOSIT_TYPE {
            return Self::Deposit {
                recipient: Address::from_slice(&entry[1..21]),
                amount: alloy_primitives::U256::from_be_slice(&entry[21..]),
            };
        }
        Self::Signed(alloy_primitives::Bytes::copy_from_slice(entry))
    }

    /// The queue entry the portal enqueues for a deposit (`Portal.depositEntry`).
    pub fn deposit_entry(recipient: Address, amount: alloy_primitives::U256) -> Vec<u8> {
        let mut entry = Vec::with_capacity(DEPOSIT_ENTRY_LEN);
        entry.push(DEPOSIT_TYPE);
        entry.extend_from_slice(recipient.as_slice());
        entry.extend_from_slice(&amount.to_be_bytes::<32>());
        entry
    }
}

/// Why a transaction is a no-op. The discriminant is the outcome code both implementations
/// return (0 means applied), and the order is the order the checks run in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[repr(u8)]
pub enum Invalid {
    /// Not a canonically encoded signed EIP-1559 transaction.
    #[error("malformed: not a canonically encoded signed EIP-1559 (type 2) transaction")]
    Malformed = 1,
    /// Signed for another chain.
    #[error("wrong chain id")]
    WrongChainId = 2,
    /// No `to` address.
    #[error("contract creation is not supported")]
    ContractCreation = 3,
    /// Gas limit below 21000.
    #[error("gas limit below 21000")]
    GasLimitTooLow = 4,
    /// `maxPriorityFeePerGas > maxFeePerGas`.
    #[error("max priority fee per gas above max fee per gas")]
    PriorityFeeAboveMaxFee = 5,
    /// `maxFeePerGas` below the L2 base fee.
    #[error("max fee per gas below the L2 base fee")]
    MaxFeeBelowBaseFee = 6,
    /// A non-empty access list.
    #[error("access lists are not supported")]
    AccessListNotAllowed = 7,
    /// Calldata to an address other than the withdrawal address.
    #[error("not a transfer: calldata is only allowed to the withdrawal address")]
    CalldataNotAllowed = 8,
    /// Withdrawal data that is neither empty nor an L1 address.
    #[error("withdrawal data must be empty or a 20-byte L1 recipient")]
    BadWithdrawalData = 9,
    /// `r` or `s` is zero or not below the curve order.
    #[error("signature r or s out of range")]
    BadSignature = 10,
    /// High `s`.
    #[error("malleable signature: s is in the upper half of the curve order")]
    MalleableSignature = 11,
    /// No key recovers.
    #[error("signature does not recover to a public key")]
    Unrecoverable = 12,
    /// The nonce is not the sender's next one (or the sender's nonce is exhausted).
    #[error("wrong nonce")]
    WrongNonce = 13,
    /// Balance below value plus fee.
    #[error("insufficient funds for value plus fee")]
    InsufficientBalance = 14,
    /// A credit would overflow 256 bits.
    #[error("balance overflow")]
    BalanceOverflow = 15,
    /// The withdrawal slot is already taken.
    #[error("withdrawal already recorded")]
    WithdrawalExists = 16,
}

impl Invalid {
    /// Every reason, in check order.
    pub const ALL: [Self; 16] = [
        Self::Malformed,
        Self::WrongChainId,
        Self::ContractCreation,
        Self::GasLimitTooLow,
        Self::PriorityFeeAboveMaxFee,
        Self::MaxFeeBelowBaseFee,
        Self::AccessListNotAllowed,
        Self::CalldataNotAllowed,
        Self::BadWithdrawalData,
        Self::BadSignature,
        Self::MalleableSignature,
        Self::Unrecoverable,
        Self::WrongNonce,
        Self::InsufficientBalance,
        Self::BalanceOverflow,
        Self::WithdrawalExists,
    ];

    /// The outcome code (1..=16).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The reason for an outcome code, `None` for 0 (applied) or an unknown code.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// A stable name (the Solidity enum member's).
    pub fn name(self) -> &'static str {
        match self {
            Self::Malformed => "Malformed",
            Self::WrongChainId => "WrongChainId",
            Self::ContractCreation => "ContractCreation",
            Self::GasLimitTooLow => "GasLimitTooLow",
            Self::PriorityFeeAboveMaxFee => "PriorityFeeAboveMaxFee",
            Self::MaxFeeBelowBaseFee => "MaxFeeBelowBaseFee",
            Self::AccessListNotAllowed => "AccessListNotAllowed",
            Self::CalldataNotAllowed => "CalldataNotAllowed",
            Self::BadWithdrawalData => "BadWithdrawalData",
            Self::BadSignature => "BadSignature",
            Self::MalleableSignature => "MalleableSignature",
            Self::Unrecoverable => "Unrecoverable",
            Self::WrongNonce => "WrongNonce",
            Self::InsufficientBalance => "InsufficientBalance",
            Self::BalanceOverflow => "BalanceOverflow",
            Self::WithdrawalExists => "WithdrawalExists",
        }
    }
}

/// One account: the accounts-tree leaf.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Wei.
    pub balance: U256,
    /// Transactions sent.
    pub nonce: u64,
}

impl Account {
    /// The leaf value: zero for an empty account, else `keccak256(abi.encode(balance, nonce))`.
    pub fn leaf(&self) -> B256 {
        if self.balance.is_zero() && self.nonce == 0 {
            return B256::ZERO;
        }
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(&self.balance.to_be_bytes::<32>());
        buf[56..].copy_from_slice(&self.nonce.to_be_bytes());
        keccak256(buf)
    }
}

/// The withdrawals-tree key of the withdrawal made by `sender`'s transaction `nonce`:
/// `keccak256(abi.encode(sender, nonce))`.
pub fn withdrawal_key(sender: Address, nonce: u64) -> B256 {
    let mut buf = [0u8; 64];
    buf[12..32].copy_from_slice(sender.as_slice());
    buf[56..].copy_from_slice(&nonce.to_be_bytes());
    keccak256(buf)
}

/// The withdrawals-tree leaf: `keccak256(abi.encode(l1Recipient, amount))`.
pub fn withdrawal_leaf(l1_recipient: Address, amount: U256) -> B256 {
    let mut buf = [0u8; 64];
    buf[12..32].copy_from_slice(l1_recipient.as_slice());
    buf[32..].copy_from_slice(&amount.to_be_bytes::<32>());
    keccak256(buf)
}

/// What a valid transaction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// An L2 transfer.
    Transfer {
        /// The signed transaction.
        tx: crate::tx::CheckedTx,
    },
    /// A withdrawal recorded for the portal.
    Withdrawal {
        /// The signed transaction.
        tx: crate::tx::CheckedTx,
        /// Its key in the withdrawals tree.
        key: B256,
    },
    /// A deposit credited.
    Deposit {
        /// The credited account.
        recipient: Address,
        /// Wei credited.
        amount: U256,
    },
}

/// The result of applying one transaction: what it did, or why it was a no-op.
pub type Outcome = Result<Applied, Invalid>;

/// The outcome code both implementations return: 0 when applied, else the reason's code.
pub fn outcome_code(outcome: &Outcome) -> u8 {
    match outcome {
        Ok(_) => 0,
        Err(reason) => reason.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    const PORTAL: Address = Address::repeat_byte(0x90);

    #[test]
    fn portal_deposit_entries_are_deposits() {
        let recipient = Address::repeat_byte(7);
        let entry = L2Tx::deposit_entry(recipient, U256::from(5u8));
        assert_eq!(entry.len(), DEPOSIT_ENTRY_LEN);
        assert_eq!(
            L2Tx::from_queue_entry(PORTAL, &entry, PORTAL),
            L2Tx::Deposit {
                recipient,
                amount: U256::from(5u8)
            }
        );
    }

    #[test]
    fn deposit_bytes_from_anyone_else_are_only_bytes() {
        let entry = L2Tx::deposit_entry(Address::repeat_byte(7), U256::from(5u8));
        let stranger = Address::repeat_byte(1);
        assert_eq!(
            L2Tx::from_queue_entry(stranger, &entry, PORTAL),
            L2Tx::Signed(entry.clone().into())
        );
        // A portal entry in another shape is not a deposit either.
        assert!(matches!(
            L2Tx::from_queue_entry(PORTAL, &entry[..52], PORTAL),
            L2Tx::Signed(_)
        ));
    }
}
