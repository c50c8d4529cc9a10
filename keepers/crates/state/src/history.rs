//! Older states: what each committed block overwrote, so that the state after any kept block
//! can be read ([`StateDb::at`]: `eth_call`, `eth_getBalance` and the like at a past block) and
//! the state unwound to it ([`StateDb::unwind_to`]: an L2 reorg).
//!
//! [`StateDb::commit_block`] records, in the same SQLite transaction as the block's writes, the
//! value each changed account and slot had before the block (the first write of a key in a
//! block wins), and the block's state root. The state after block `n` is then: for each key,
//! the value recorded by the first later block that changed it, else the current one. Unwinding
//! to `n` writes those values back, drops the later history, recomputes the tries along the
//! restored keys and checks the root against the one recorded for `n`.
//! [`StateDb::prune_history`] forgets what the oldest blocks overwrote once nobody needs to read
//! before them.
//!
//! Proofs (`eth_getProof`) are for the latest state only: the tries' cached nodes are the
//! latest state's.

use crate::{
    StateDb, StoreError, put_account_row,
    tries::{AccountTrie, StorageTrie, StoredAccount, to_u256},
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use baton_evm::{AccountInfo, StateReader};
use baton_l1::store::to_b256;
use baton_trie::root;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet};

/// Records the account row of `address` (key `key`) as it is before `block` writes it.
pub(crate) fn record_account(
    conn: &Connection,
    block: i64,
    key: &B256,
    address: &Address,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evm_account_history \
         (key, block, address, present, nonce, balance, code_hash, storage_root) \
         SELECT key, ?2, address, 1, nonce, balance, code_hash, storage_root \
         FROM evm_accounts WHERE key = ?1",
    )?
    .execute(params![key.as_slice(), block])?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evm_account_history \
         (key, block, address, present, nonce, balance, code_hash, storage_root) \
         VALUES (?1, ?2, ?3, 0, x'', x'', x'', x'')",
    )?
    .execute(params![key.as_slice(), block, address.as_slice()])?;
    Ok(())
}

/// Records every slot of `account` before `block` drops its storage.
pub(crate) fn record_all_storage(
    conn: &Connection,
    block: i64,
    account: &B256,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evm_storage_history (account, key, block, slot, value) \
         SELECT account, key, ?2, slot, value FROM evm_storage WHERE account = ?1",
    )?
    .execute(params![account.as_slice(), block])?;
    Ok(())
}

/// Records the slot `slot` (key `key`) of `account` before `block` writes it.
pub(crate) fn record_slot(
    conn: &Connection,
    block: i64,
    account: &B256,
    key: &B256,
    slot: &U256,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evm_storage_history (account, key, block, slot, value) \
         SELECT account, key, ?3, slot, value FROM evm_storage WHERE account = ?1 AND key = ?2",
    )?
    .execute(params![account.as_slice(), key.as_slice(), block])?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evm_storage_history (account, key, block, slot, value) \
         VALUES (?1, ?2, ?3, ?4, NULL)",
    )?
    .execute(params![
        account.as_slice(),
        key.as_slice(),
        block,
        &slot.to_be_bytes::<32>()[..]
    ])?;
    Ok(())
}

/// Records the state root after `block`.
pub(crate) fn record_root(
    conn: &Connection,
    block: i64,
    state_root: &B256,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO evm_block_roots (block, root) VALUES (?1, ?2)")?
        .execute(params![block, state_root.as_slice()])?;
    Ok(())
}

/// A slot's key, its slot number and its value after the block unwound to (`None`: zero).
type RestoredSlot = (B256, Vec<u8>, Option<Vec<u8>>);

/// A block number as SQLite stores it.
fn sql_block(block: u64) -> Result<i64, StoreError> {
    i64::try_from(block).map_err(|_| StoreError::Corrupt(format!("block {block} is above 2^63")))
}

impl StateDb {
    /// Applies block `number`'s diff and returns the new state root, atomically, keeping what
    /// it overwrote so that the state after any earlier kept block stays readable. Blocks are
    /// committed in order: `number` must follow the last one committed.
    pub fn commit_block(
        &mut self,
        number: u64,
        diff: &baton_evm::StateDiff,
    ) -> Result<B256, StoreError> {
        if let Some(head) = self.head()?
            && number != head + 1
        {
            return Err(StoreError::Corrupt(format!(
                "block {number} committed after block {head}: blocks are committed in order \
                 (unwind first to replace a block)"
            )));
        }
        self.write(diff, Some(sql_block(number)?))
    }

    /// The last block committed with [`StateDb::commit_block`].
    pub fn head(&self) -> Result<Option<u64>, StoreError> {
        let head: Option<i64> =
            self.conn
                .query_row("SELECT MAX(block) FROM evm_block_roots", [], |r| r.get(0))?;
        Ok(head.map(|h| h as u64))
    }

    /// The state root after `block`, if its history is kept.
    pub fn root_at(&self, block: u64) -> Result<Option<B256>, StoreError> {
        let root: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT root FROM evm_block_roots WHERE block = ?1")?
            .query_row(params![sql_block(block)?], |r| r.get(0))
            .optional()?;
        to_b256(root)
    }

    /// The state after `block`, to read: the block must be committed and its history kept.
    pub fn at(&self, block: u64) -> Result<StateAt<'_>, StoreError> {
        let Some(state_root) = self.root_at(block)? else {
            let oldest: Option<i64> =
                self.conn
                    .query_row("SELECT MIN(block) FROM evm_block_roots", [], |r| r.get(0))?;
            return Err(StoreError::Corrupt(match (oldest, self.head()?) {
                (Some(oldest), Some(head)) => format!(
                    "no state after block {block}: the states kept are those after blocks {oldest} to {head}"
                ),
                _ => format!("no state after block {block}: no block is committed yet"),
            }));
        };
        Ok(StateAt {
            db: self,
            block: sql_block(block)?,
            state_root,
        })
    }

    /// Unwinds the state to what it was after `block` and returns that root: the later blocks'
    /// writes are undone and their history, headers and transactions dropped, in one
    /// transaction.
    pub fn unwind_to(&mut self, block: u64) -> Result<B256, StoreError> {
        let expected = self.at(block)?.state_root;
        let after = sql_block(block)?;
        let tx = self.conn.transaction()?;
        // The earliest record after `block` of each key holds its value after `block`.
        let mut accounts = Vec::new();
        {
            let mut statement = tx.prepare(
                "SELECT key, address, present, nonce, balance, code_hash, storage_root \
                 FROM evm_account_history h WHERE block > ?1 AND block = \
                 (SELECT MIN(block) FROM evm_account_history WHERE key = h.key AND block > ?1)",
            )?;
            let rows = statement.query_map(params![after], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, bool>(2)?,
                    StoredAccount::raw(r, 3)?,
                ))
            })?;
            for row in rows {
                accounts.push(row?);
            }
        }
        let mut slots: BTreeMap<B256, Vec<RestoredSlot>> = BTreeMap::new();
        {
            let mut statement = tx.prepare(
                "SELECT account, key, slot, value FROM evm_storage_history h \
                 WHERE block > ?1 AND block = (SELECT MIN(block) FROM evm_storage_history \
                 WHERE account = h.account AND key = h.key AND block > ?1)",
            )?;
            let rows = statement.query_map(params![after], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Option<Vec<u8>>>(3)?,
                ))
            })?;
            for row in rows {
                let (account, key, slot, value) = row?;
                let account = to_b256(Some(account))?.unwrap_or_default();
                let key = to_b256(Some(key))?.unwrap_or_default();
                slots.entry(account).or_default().push((key, slot, value));
            }
        }
        for (account, restored) in &slots {
            for (key, slot, value) in restored {
                match value {
                    None => tx
                        .prepare_cached("DELETE FROM evm_storage WHERE account = ?1 AND key = ?2")?
                        .execute(params![account.as_slice(), key.as_slice()])?,
                    Some(value) => tx
                        .prepare_cached(
                            "INSERT OR REPLACE INTO evm_storage (account, key, slot, value) \
                             VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![account.as_slice(), key.as_slice(), slot, value])?,
                };
            }
            let keys = restored.iter().map(|(key, _, _)| *key);
            root(
                &mut StorageTrie::new(&tx, &self.ref_depth, account, true),
                keys,
            )?;
        }
        let mut changed = BTreeSet::new();
        for (key, address, present, raw) in accounts {
            let key = to_b256(Some(key))?.unwrap_or_default();
            changed.insert(key);
            if present {
                let [nonce, balance, code_hash, storage_root] = &raw;
                put_account_row(
                    &tx,
                    &key,
                    &address,
                    [nonce, balance, code_hash, storage_root],
                )?;
            } else {
                tx.prepare_cached("DELETE FROM evm_accounts WHERE key = ?1")?
                    .execute(params![key.as_slice()])?;
            }
        }
        let state_root = root(&mut AccountTrie::new(&tx, &self.ref_depth, true), changed)?;
        if state_root != expected {
            return Err(StoreError::Corrupt(format!(
                "unwinding to block {block} gives root {state_root}, but the block's root is {expected}"
            )));
        }
        tx.execute(
            "DELETE FROM evm_account_history WHERE block > ?1",
            params![after],
        )?;
        tx.execute(
            "DELETE FROM evm_storage_history WHERE block > ?1",
            params![after],
        )?;
        tx.execute(
            "DELETE FROM evm_block_roots WHERE block > ?1",
            params![after],
        )?;
        crate::blocks::unwind_blocks(&tx, after)?;
        tx.execute(
            "INSERT OR REPLACE INTO evm_meta (name, value) VALUES ('root', ?1)",
            params![state_root.as_slice()],
        )?;
        tx.commit()?;
        Ok(state_root)
    }

    /// Forgets what blocks up to `keep_from` overwrote: the states after blocks `keep_from` to
    /// the head stay readable (and unwindable to), older ones no longer.
    pub fn prune_history(&mut self, keep_from: u64) -> Result<(), StoreError> {
        let keep_from = sql_block(keep_from)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM evm_account_history WHERE block <= ?1",
            params![keep_from],
        )?;
        tx.execute(
            "DELETE FROM evm_storage_history WHERE block <= ?1",
            params![keep_from],
        )?;
        tx.execute(
            "DELETE FROM evm_block_roots WHERE block < ?1",
            params![keep_from],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// The state after a past block, read through the history ([`StateDb::at`]).
pub struct StateAt<'a> {
    db: &'a StateDb,
    block: i64,
    state_root: B256,
}

impl StateAt<'_> {
    /// Its state root.
    pub fn root(&self) -> B256 {
        self.state_root
    }
}

impl StateReader for StateAt<'_> {
    type Error = StoreError;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, StoreError> {
        let recorded = self
            .db
            .conn
            .prepare_cached(
                "SELECT present, nonce, balance, code_hash, storage_root FROM evm_account_history \
                 WHERE key = ?1 AND block > ?2 ORDER BY block LIMIT 1",
            )?
            .query_row(params![keccak256(address).as_slice(), self.block], |r| {
                Ok((r.get::<_, bool>(0)?, StoredAccount::raw(r, 1)?))
            })
            .optional()?;
        match recorded {
            Some((false, _)) => Ok(None),
            Some((true, raw)) => Ok(Some(StoredAccount::decode(raw)?.info)),
            None => self.db.account(address),
        }
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, StoreError> {
        let recorded: Option<Option<Vec<u8>>> = self
            .db
            .conn
            .prepare_cached(
                "SELECT value FROM evm_storage_history \
                 WHERE account = ?1 AND key = ?2 AND block > ?3 ORDER BY block LIMIT 1",
            )?
            .query_row(
                params![
                    keccak256(address).as_slice(),
                    keccak256(slot.to_be_bytes::<32>()).as_slice(),
                    self.block
                ],
                |r| r.get(0),
            )
            .optional()?;
        match recorded {
            Some(None) => Ok(U256::ZERO),
            Some(Some(value)) => to_u256(value),
            None => self.db.storage(address, slot),
        }
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, StoreError> {
        self.db.code(code_hash)
    }

    fn block_hash(&self, number: u64) -> Result<B256, StoreError> {
        self.db.block_hash(number)
    }
}
