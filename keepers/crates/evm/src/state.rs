//! What the executor reads and what it writes: a [`StateReader`] before a transaction, a
//! [`StateDiff`] after it. Any store (memory here, the node's database, the guest's preimages)
//! reads through the one trait and applies the one diff, so the rules of what a transaction
//! leaves behind (self-destruct, EIP-161's touched empty accounts, storage set back to zero,
//! created accounts' fresh storage) live in one place: [`StateDiff::from_evm`].

use alloc::collections::BTreeMap;
use alloy_primitives::{Address, B256, Bytes, U256};
use baton_trie::{Account, EMPTY_CODE_HASH, state_root};
use core::convert::Infallible;
use revm::state::EvmState;

/// An account without its storage: what the state trie's leaf says besides the storage root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// Transactions sent (or contracts created, for a contract).
    pub nonce: u64,
    /// Wei.
    pub balance: U256,
    /// `keccak256(code)`; [`EMPTY_CODE_HASH`] without code.
    pub code_hash: B256,
}

impl Default for AccountInfo {
    fn default() -> Self {
        Self {
            nonce: 0,
            balance: U256::ZERO,
            code_hash: EMPTY_CODE_HASH,
        }
    }
}

impl AccountInfo {
    /// Empty as EIP-161 means it: no nonce, no balance, no code.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code_hash == EMPTY_CODE_HASH
    }
}

/// The state before a transaction, as the executor reads it.
pub trait StateReader {
    /// Why a read failed (a store's I/O; never a missing account, which is `None`).
    type Error: core::error::Error + Send + Sync + 'static;

    /// The account at `address`, if it exists.
    fn account(&self, address: Address) -> Result<Option<AccountInfo>, Self::Error>;

    /// A storage slot (zero if never written).
    fn storage(&self, address: Address, slot: U256) -> Result<U256, Self::Error>;

    /// The code whose hash is `code_hash`, if the store has it.
    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, Self::Error>;

    /// The hash of L2 block `number` (for `BLOCKHASH`; zero if unknown).
    fn block_hash(&self, number: u64) -> Result<B256, Self::Error>;
}

/// What one transaction (or several, merged in order) did to one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChange {
    /// The account is gone, storage and all: it self-destructed in the transaction that
    /// created it, or it was touched and left empty (EIP-161).
    Deleted,
    /// The account is now `info`. With `storage_cleared` its old storage is gone first (it was
    /// created, or deleted and created again); then each slot in `storage` is written, a zero
    /// deleting the slot.
    Updated {
        /// Nonce, balance and code hash after.
        info: AccountInfo,
        /// Whether the storage before is dropped.
        storage_cleared: bool,
        /// The slots written, with their values after.
        storage: BTreeMap<U256, U256>,
    },
}

/// The changes of one or more transactions: accounts, and the code they deployed by hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDiff {
    /// Every changed account.
    pub accounts: BTreeMap<Address, AccountChange>,
    /// Code deployed, by `keccak256(code)`.
    pub codes: BTreeMap<B256, Bytes>,
}

impl StateDiff {
    /// What revm's finalized journal says a transaction changed, under Cancun's rules: accounts
    /// it did not touch are left out, a self-destructed account and a touched empty account
    /// are deleted, and only storage slots whose value moved are written (all non-zero ones of
    /// a created account).
    pub fn from_evm(state: EvmState) -> Self {
        let mut diff = Self::default();
        for (address, account) in state {
            if !account.is_touched() {
                continue;
            }
            if account.is_selfdestructed() || account.is_empty() {
                diff.accounts.insert(address, AccountChange::Deleted);
                continue;
            }
            let created = account.is_created();
            if let Some(code) = &account.info.code
                && account.info.code_hash != EMPTY_CODE_HASH
            {
                diff.codes
                    .entry(account.info.code_hash)
                    .or_insert_with(|| code.original_bytes());
            }
            let storage = account
                .storage
                .iter()
                .filter(|(_, slot)| {
                    if created {
                        !slot.present_value.is_zero()
                    } else {
                        slot.present_value != slot.original_value
                    }
                })
                .map(|(key, slot)| (*key, slot.present_value))
                .collect();
            diff.accounts.insert(
                address,
                AccountChange::Updated {
                    info: AccountInfo {
                        nonce: account.info.nonce,
                        balance: account.info.balance,
                        code_hash: account.info.code_hash,
                    },
                    storage_cleared: created,
                    storage,
                },
            );
        }
        diff
    }

    /// Sets `address`'s account info, keeping whatever this diff already wrote to its storage
    /// (an account this diff deleted comes back with empty storage).
    pub fn set_info(&mut self, address: Address, info: AccountInfo) {
        match self.accounts.get_mut(&address) {
            Some(AccountChange::Updated { info: old, .. }) => *old = info,
            Some(change @ AccountChange::Deleted) => {
                *change = AccountChange::Updated {
                    info,
                    storage_cleared: true,
                    storage: BTreeMap::new(),
                };
            }
            None => {
                self.accounts.insert(
                    address,
                    AccountChange::Updated {
                        info,
                        storage_cleared: false,
                        storage: BTreeMap::new(),
                    },
                );
            }
        }
    }

    /// This diff followed by `later`: what applying both in order does.
    pub fn merge(&mut self, later: StateDiff) {
        self.codes.extend(later.codes);
        for (address, change) in later.accounts {
            match (self.accounts.get_mut(&address), change) {
                (
                    Some(AccountChange::Updated { info, storage, .. }),
                    AccountChange::Updated {
                        info: later_info,
                        storage_cleared: false,
                        storage: later_storage,
                    },
                ) => {
                    *info = later_info;
                    storage.extend(later_storage);
                }
                (Some(AccountChange::Deleted), AccountChange::Updated { info, storage, .. }) => {
                    // Deleted, then alive again: whatever storage it had is gone.
                    self.accounts.insert(
                        address,
                        AccountChange::Updated {
                            info,
                            storage_cleared: true,
                            storage,
                        },
                    );
                }
                (_, change) => {
                    self.accounts.insert(address, change);
                }
            }
        }
    }
}

/// A reader seen through a diff: the state after the diff is applied, without applying it (the
/// transactions of one block read each other's writes this way).
pub struct Overlay<'a, S> {
    /// The state before.
    pub base: &'a S,
    /// The changes on top.
    pub diff: &'a StateDiff,
}

impl<S: StateReader> StateReader for Overlay<'_, S> {
    type Error = S::Error;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, S::Error> {
        match self.diff.accounts.get(&address) {
            Some(AccountChange::Deleted) => Ok(None),
            Some(AccountChange::Updated { info, .. }) => Ok(Some(*info)),
            None => self.base.account(address),
        }
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, S::Error> {
        match self.diff.accounts.get(&address) {
            Some(AccountChange::Deleted) => Ok(U256::ZERO),
            Some(AccountChange::Updated {
                storage,
                storage_cleared,
                ..
            }) => match storage.get(&slot) {
                Some(value) => Ok(*value),
                None if *storage_cleared => Ok(U256::ZERO),
                None => self.base.storage(address, slot),
            },
            None => self.base.storage(address, slot),
        }
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, S::Error> {
        match self.diff.codes.get(&code_hash) {
            Some(code) => Ok(Some(code.clone())),
            None => self.base.code(code_hash),
        }
    }

    fn block_hash(&self, number: u64) -> Result<B256, S::Error> {
        self.base.block_hash(number)
    }
}

/// The whole state in memory: for tests, the state tests, and a genesis.
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    /// Every account with its storage.
    pub accounts: BTreeMap<Address, Account>,
    /// Code by hash.
    pub codes: BTreeMap<B256, Bytes>,
    /// Known block hashes by number.
    pub block_hashes: BTreeMap<u64, B256>,
}

impl MemoryState {
    /// Puts an account with its code and storage (zero slots are left out).
    pub fn insert(
        &mut self,
        address: Address,
        nonce: u64,
        balance: U256,
        code: Bytes,
        storage: impl IntoIterator<Item = (U256, U256)>,
    ) {
        let code_hash = if code.is_empty() {
            EMPTY_CODE_HASH
        } else {
            let hash = alloy_primitives::keccak256(&code);
            self.codes.insert(hash, code);
            hash
        };
        let account = Account {
            nonce,
            balance,
            code_hash,
            storage: storage.into_iter().filter(|(_, v)| !v.is_zero()).collect(),
        };
        self.accounts.insert(address, account);
    }

    /// Applies a diff.
    pub fn apply(&mut self, diff: &StateDiff) {
        for (hash, code) in &diff.codes {
            self.codes.entry(*hash).or_insert_with(|| code.clone());
        }
        for (address, change) in &diff.accounts {
            match change {
                AccountChange::Deleted => {
                    self.accounts.remove(address);
                }
                AccountChange::Updated {
                    info,
                    storage_cleared,
                    storage,
                } => {
                    let account = self.accounts.entry(*address).or_default();
                    account.nonce = info.nonce;
                    account.balance = info.balance;
                    account.code_hash = info.code_hash;
                    if *storage_cleared {
                        account.storage.clear();
                    }
                    for (slot, value) in storage {
                        if value.is_zero() {
                            account.storage.remove(slot);
                        } else {
                            account.storage.insert(*slot, *value);
                        }
                    }
                }
            }
        }
    }

    /// Ethereum's state root over every account.
    pub fn root(&self) -> B256 {
        state_root(&self.accounts)
    }
}

impl StateReader for MemoryState {
    type Error = Infallible;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        Ok(self.accounts.get(&address).map(|a| AccountInfo {
            nonce: a.nonce,
            balance: a.balance,
            code_hash: a.code_hash,
        }))
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default())
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, Infallible> {
        Ok(self.codes.get(&code_hash).cloned())
    }

    fn block_hash(&self, number: u64) -> Result<B256, Infallible> {
        Ok(self.block_hashes.get(&number).copied().unwrap_or_default())
    }
}
