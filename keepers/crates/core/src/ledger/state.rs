//! Ledger state (accounts and withdrawals), the STF and one-step witnesses.

use super::{
    ACCOUNTS_DEPTH, BlockContext, Invalid, L2Tx, LedgerConfig, WITHDRAWALS_DEPTH,
    smt::SparseMerkleTree,
    tx::{CheckedTx, TxAction, check_transaction},
};
use alloy_primitives::{Address, B256, U256, keccak256};
use std::collections::HashMap;

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
        tx: CheckedTx,
    },
    /// A withdrawal recorded for the portal.
    Withdrawal {
        /// The signed transaction.
        tx: CheckedTx,
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

/// The L2 state: every account, every withdrawal, and the two trees over them.
#[derive(Clone, Debug)]
pub struct LedgerState {
    accounts: HashMap<Address, Account>,
    account_tree: SparseMerkleTree,
    withdrawal_tree: SparseMerkleTree,
}

impl Default for LedgerState {
    fn default() -> Self {
        Self::new()
    }
}

impl LedgerState {
    /// The empty state.
    pub fn new() -> Self {
        Self {
            accounts: HashMap::new(),
            account_tree: SparseMerkleTree::new(ACCOUNTS_DEPTH),
            withdrawal_tree: SparseMerkleTree::new(WITHDRAWALS_DEPTH),
        }
    }

    /// A state holding these accounts (a genesis allocation).
    pub fn with_accounts(accounts: impl IntoIterator<Item = (Address, Account)>) -> Self {
        let mut state = Self::new();
        for (address, account) in accounts {
            state.set_account(address, account);
        }
        state
    }

    /// The account at `address` (empty when never touched).
    pub fn account(&self, address: &Address) -> Account {
        self.accounts.get(address).copied().unwrap_or_default()
    }

    /// Every non-empty account.
    pub fn accounts(&self) -> impl Iterator<Item = (&Address, &Account)> {
        self.accounts.iter().filter(|(_, a)| a.leaf() != B256::ZERO)
    }

    /// The withdrawals-tree leaf at `key` (zero when absent).
    pub fn withdrawal(&self, key: &B256) -> B256 {
        self.withdrawal_tree.get(&U256::from_be_bytes(key.0))
    }

    /// Writes a withdrawals-tree leaf directly (genesis states and tests).
    pub fn set_withdrawal(&mut self, key: B256, leaf: B256) {
        self.withdrawal_tree.set(U256::from_be_bytes(key.0), leaf);
    }

    /// Overwrites an account (genesis states and tests).
    pub fn set_account(&mut self, address: Address, account: Account) {
        self.account_tree.set(account_key(&address), account.leaf());
        self.accounts.insert(address, account);
    }

    /// The accounts-tree root.
    pub fn accounts_root(&mut self) -> B256 {
        self.account_tree.root()
    }

    /// The withdrawals-tree root.
    pub fn withdrawals_root(&mut self) -> B256 {
        self.withdrawal_tree.root()
    }

    /// The state root: `keccak256(accountsRoot ‖ withdrawalsRoot)`.
    pub fn root(&mut self) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(self.accounts_root().as_slice());
        buf[32..].copy_from_slice(self.withdrawals_root().as_slice());
        keccak256(buf)
    }

    /// The proof of a withdrawal leaf against the current withdrawals root (what the portal
    /// checks, with the accounts root, against an output's state root).
    pub fn withdrawal_proof(&mut self, key: &B256) -> super::LeafProof {
        self.withdrawal_tree.proof(&U256::from_be_bytes(key.0))
    }

    /// Applies one transaction. An invalid one leaves the state exactly as it was.
    pub fn apply(&mut self, config: &LedgerConfig, block: &BlockContext, tx: &L2Tx) -> Outcome {
        Step {
            state: self,
            witness: None,
            undo: Vec::new(),
        }
        .run(config, block, tx)
    }

    /// Applies a signed transaction whose stateless checks already ran: `checked` must be
    /// [`check_transaction`] of its bytes under the same config. The outcome and the state are
    /// those [`LedgerState::apply`] gives for the bytes, without decoding and recovering the
    /// sender again (a leader checked each pooled transaction on admission; derivation checks a
    /// whole record on every core before applying it in order).
    pub fn apply_checked(
        &mut self,
        block: &BlockContext,
        checked: Result<CheckedTx, Invalid>,
    ) -> Outcome {
        let mut step = Step {
            state: self,
            witness: None,
            undo: Vec::new(),
        };
        let outcome = checked.and_then(|tx| step.signed(block, tx));
        step.finish(outcome)
    }

    /// Applies one transaction and returns the witness the Solidity `step` (or `deposit`) needs
    /// to reach the same post-state root from the pre-state root.
    pub fn apply_with_witness(
        &mut self,
        config: &LedgerConfig,
        block: &BlockContext,
        tx: &L2Tx,
    ) -> (Outcome, Vec<u8>) {
        let mut witness = Vec::new();
        let outcome = Step {
            state: self,
            witness: Some(&mut witness),
            undo: Vec::new(),
        }
        .run(config, block, tx);
        (outcome, witness)
    }
}

fn account_key(address: &Address) -> U256 {
    U256::from_be_slice(address.as_slice())
}

/// A leaf write to undo if the transaction turns out invalid.
enum Undo {
    Account(Address, Account),
    Withdrawal(B256, B256),
}

/// One transaction in flight: reads and writes leaves in the order the Solidity library does,
/// writing each proof into the witness before the leaf changes, and undoing its writes when a
/// later check fails.
struct Step<'a> {
    state: &'a mut LedgerState,
    witness: Option<&'a mut Vec<u8>>,
    undo: Vec<Undo>,
}

impl Step<'_> {
    fn run(mut self, config: &LedgerConfig, block: &BlockContext, tx: &L2Tx) -> Outcome {
        let outcome = match tx {
            L2Tx::Signed(bytes) => match check_transaction(config, bytes) {
                Ok(checked) => self.signed(block, checked),
                Err(reason) => Err(reason),
            },
            L2Tx::Deposit { recipient, amount } => {
                self.credit(*recipient, *amount).map(|()| Applied::Deposit {
                    recipient: *recipient,
                    amount: *amount,
                })
            }
        };
        self.finish(outcome)
    }

    /// Undoes every write when the transaction turned out invalid.
    fn finish(mut self, outcome: Outcome) -> Outcome {
        if outcome.is_err() {
            self.rollback();
        }
        outcome
    }

    fn signed(&mut self, block: &BlockContext, tx: CheckedTx) -> Outcome {
        // 1. Sender.
        let sender = self.read_account(tx.sender);
        if sender.nonce != tx.nonce || sender.nonce == u64::MAX {
            return Err(Invalid::WrongNonce);
        }
        let cost = tx
            .value
            .checked_add(tx.fee)
            .ok_or(Invalid::InsufficientBalance)?;
        if sender.balance < cost {
            return Err(Invalid::InsufficientBalance);
        }
        self.write_account(
            tx.sender,
            Account {
                balance: sender.balance - cost,
                nonce: sender.nonce + 1,
            },
        );
        // 2. Recipient, or the withdrawal record.
        let applied = match tx.action {
            TxAction::Transfer { to } => {
                self.credit(to, tx.value)?;
                Applied::Transfer { tx }
            }
            TxAction::Withdrawal { l1_recipient } => {
                let key = withdrawal_key(tx.sender, tx.nonce);
                if !self.read_withdrawal(key).is_zero() {
                    return Err(Invalid::WithdrawalExists);
                }
                self.write_withdrawal(key, withdrawal_leaf(l1_recipient, tx.value));
                Applied::Withdrawal { tx, key }
            }
        };
        // 3. Fee recipient (also for a zero fee: the witness always carries its proof).
        self.credit(block.fee_recipient, tx.fee)?;
        Ok(applied)
    }

    fn credit(&mut self, address: Address, amount: U256) -> Result<(), Invalid> {
        let account = self.read_account(address);
        let balance = account
            .balance
            .checked_add(amount)
            .ok_or(Invalid::BalanceOverflow)?;
        self.write_account(address, Account { balance, ..account });
        Ok(())
    }

    /// Starts the witness with the two sub-roots the first time state is read.
    fn witness_header(&mut self) -> Option<&mut Vec<u8>> {
        let witness = self.witness.as_deref_mut()?;
        if witness.is_empty() {
            witness.extend_from_slice(self.state.account_tree.root().as_slice());
            witness.extend_from_slice(self.state.withdrawal_tree.root().as_slice());
        }
        Some(witness)
    }

    fn read_account(&mut self, address: Address) -> Account {
        let account = self.state.account(&address);
        if self.witness.is_some() {
            let proof = self.state.account_tree.proof(&account_key(&address));
            debug_assert_eq!(proof.leaf, account.leaf(), "account map and tree disagree");
            let witness = self.witness_header().expect("witness mode");
            witness.extend_from_slice(&account.balance.to_be_bytes::<32>());
            witness.extend_from_slice(&account.nonce.to_be_bytes());
            proof.encode_siblings(witness);
        }
        account
    }

    fn write_account(&mut self, address: Address, account: Account) {
        self.undo
            .push(Undo::Account(address, self.state.account(&address)));
        self.state.set_account(address, account);
    }

    fn read_withdrawal(&mut self, key: B256) -> B256 {
        if self.witness.is_none() {
            return self.state.withdrawal(&key);
        }
        let proof = self.state.withdrawal_proof(&key);
        let witness = self.witness_header().expect("witness mode");
        witness.extend_from_slice(proof.leaf.as_slice());
        proof.encode_siblings(witness);
        proof.leaf
    }

    fn write_withdrawal(&mut self, key: B256, leaf: B256) {
        self.undo
            .push(Undo::Withdrawal(key, self.state.withdrawal(&key)));
        self.state.set_withdrawal(key, leaf);
    }

    fn rollback(&mut self) {
        while let Some(undo) = self.undo.pop() {
            match undo {
                Undo::Account(address, account) => self.state.set_account(address, account),
                Undo::Withdrawal(key, leaf) => self.state.set_withdrawal(key, leaf),
            }
        }
    }
}
