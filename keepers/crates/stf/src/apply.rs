//! Applying one transaction to a ledger state held anywhere: the checks and writes of
//! `docs/ledger.md`, in the order the Solidity library runs them (which is also the order a
//! witness lists its proofs in). A state backend implements [`LedgerDb`]; the native state
//! (`baton-core`'s `LedgerState`, which also writes witnesses) and the guest's oracle-backed
//! state ([`crate::OracleDb`]) run the same [`apply`].

use crate::{
    Account, Applied, BlockContext, Invalid, L2Tx, LedgerConfig, Outcome,
    tx::{CheckedTx, TxAction, check_transaction},
    withdrawal_key, withdrawal_leaf,
};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// Where the ledger's leaves live. Reads come in the STF's order, each before the leaf is
/// written, so a backend that records proofs records them in witness order.
pub trait LedgerDb {
    /// The account at `address` (empty when never touched).
    fn read_account(&mut self, address: Address) -> Account;
    /// Sets the account at `address`.
    fn write_account(&mut self, address: Address, account: Account);
    /// The withdrawals-tree leaf at `key` (zero when absent).
    fn read_withdrawal(&mut self, key: B256) -> B256;
    /// Sets the withdrawals-tree leaf at `key`.
    fn write_withdrawal(&mut self, key: B256, leaf: B256);
}

/// Applies one transaction. An invalid one leaves the state exactly as it was.
pub fn apply(
    db: &mut impl LedgerDb,
    config: &LedgerConfig,
    block: &BlockContext,
    tx: &L2Tx,
) -> Outcome {
    let mut step = Step {
        db,
        undo: Vec::new(),
    };
    let outcome = match tx {
        L2Tx::Signed(bytes) => {
            check_transaction(config, bytes).and_then(|checked| step.signed(block, checked))
        }
        L2Tx::Deposit { recipient, amount } => {
            step.credit(*recipient, *amount).map(|()| Applied::Deposit {
                recipient: *recipient,
                amount: *amount,
            })
        }
    };
    step.finish(outcome)
}

/// Applies a signed transaction whose stateless checks already ran: `checked` must be
/// [`check_transaction`] of its bytes under the same config. The outcome and the state are
/// those [`apply`] gives for the bytes, without decoding and recovering the sender again.
pub fn apply_checked(
    db: &mut impl LedgerDb,
    block: &BlockContext,
    checked: Result<CheckedTx, Invalid>,
) -> Outcome {
    let mut step = Step {
        db,
        undo: Vec::new(),
    };
    let outcome = checked.and_then(|tx| step.signed(block, tx));
    step.finish(outcome)
}

/// A leaf write to undo if the transaction turns out invalid.
enum Undo {
    Account(Address, Account),
    Withdrawal(B256, B256),
}

/// One transaction in flight: its writes, to undo when a later check fails.
struct Step<'a, D: LedgerDb> {
    db: &'a mut D,
    undo: Vec<Undo>,
}

impl<D: LedgerDb> Step<'_, D> {
    /// Undoes every write when the transaction turned out invalid.
    fn finish(mut self, outcome: Outcome) -> Outcome {
        if outcome.is_err() {
            while let Some(undo) = self.undo.pop() {
                match undo {
                    Undo::Account(address, account) => self.db.write_account(address, account),
                    Undo::Withdrawal(key, leaf) => self.db.write_withdrawal(key, leaf),
                }
            }
        }
        outcome
    }

    fn signed(&mut self, block: &BlockContext, tx: CheckedTx) -> Outcome {
        // 1. Sender.
        let sender = self.db.read_account(tx.sender);
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
            sender,
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
                let old = self.db.read_withdrawal(key);
                if !old.is_zero() {
                    return Err(Invalid::WithdrawalExists);
                }
                self.undo.push(Undo::Withdrawal(key, old));
                self.db
                    .write_withdrawal(key, withdrawal_leaf(l1_recipient, tx.value));
                Applied::Withdrawal { tx, key }
            }
        };
        // 3. Fee recipient (also for a zero fee: the witness always carries its proof).
        self.credit(block.fee_recipient, tx.fee)?;
        Ok(applied)
    }

    fn credit(&mut self, address: Address, amount: U256) -> Result<(), Invalid> {
        let account = self.db.read_account(address);
        let balance = account
            .balance
            .checked_add(amount)
            .ok_or(Invalid::BalanceOverflow)?;
        self.write_account(address, account, Account { balance, ..account });
        Ok(())
    }

    fn write_account(&mut self, address: Address, old: Account, new: Account) {
        self.undo.push(Undo::Account(address, old));
        self.db.write_account(address, new);
    }
}
