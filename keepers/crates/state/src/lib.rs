//! The L2's EVM state on disk (issue 18): accounts, storage and code in SQLite, and Ethereum's
//! state root over them, updated incrementally.
//!
//! - [`StateDb::commit`] applies a [`StateDiff`] (baton-evm) and recomputes the storage roots of
//!   the accounts it touched and the state root, all in one SQLite transaction: after `kill -9`
//!   the file holds the state and the tries of the last commit, or of the one before, never a
//!   mix. Only the trie paths of changed keys are encoded again (baton-trie's incremental trie;
//!   the node references are cached in `evm_trie_refs`).
//! - [`StateDb`] is a [`StateReader`], so the executor runs on it directly, and it gives
//!   `eth_getProof`'s account and storage proofs ([`StateDb::proof`]).
//! - Reopening a file reads the root from it: nothing is rebuilt.
//! - [`StateDb::commit_block`] also keeps what each block overwrote (`history.rs`): the state
//!   after any kept block reads through [`StateDb::at`], [`StateDb::unwind_to`] takes the state
//!   back to it (an L2 reorg), and [`StateDb::prune_history`] forgets the oldest. Proofs are for
//!   the latest state; [`StateDb::nodes_at`] opens a kept state's tries node by node for a
//!   dispute's witness (`past.rs`).
//! - [`genesis_diff`]: the EVM chain's genesis with its predeploys (`genesis.rs`), which
//!   [`StateDb::init_chain`] installs as block 0.
//! - [`StateDb::init_chain`] and [`StateDb::append_block`]: the chain beside its state, each
//!   block's header, transactions and receipts written with its state in one transaction
//!   (`blocks.rs`); [`StateDb::block_claims`] replays a stored block as a dispute's claims with
//!   their preimages (`claims.rs`).
//! - [`StateDb::append_sequenced`]: a block with its place in the sequencing layer (its signed
//!   header, the force-queue cursor), and [`StateDb::record_derived`]: how far L1's records
//!   have settled the chain (`sequencing.rs`).

mod blocks;
mod claims;
mod genesis;
mod history;
mod logs;
mod past;
mod sequencing;
mod tries;

pub use blocks::StoredTx;
pub use claims::{ClaimsError, TransactionClaim};
pub use genesis::{GenesisError, genesis_diff, predeploy_code};
pub use history::StateAt;
pub use logs::{LogFilter, LogQueryError, MAX_LOG_BLOCK_RANGE, MAX_LOGS, StoredLog};
pub use past::PastNodes;
pub use sequencing::{L1Head, Sequencing};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use baton_evm::{AccountChange, AccountInfo, StateDiff, StateNodes, StateReader};
pub use baton_l1::store::StoreError;
use baton_l1::store::{open_durable, to_b256};
use baton_trie::{EMPTY_ROOT, NodeSource, StoreSource, Trie, proof, root};
use rusqlite::{Connection, OptionalExtension, params};
use std::{cell::Cell, path::Path};
use tries::{ACCOUNT_COLUMNS, AccountTrie, StorageTrie, StoredAccount, to_u64, to_u256};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS evm_accounts (
    key          BLOB PRIMARY KEY,   -- keccak256(address): the account trie's key
    address      BLOB NOT NULL,
    nonce        BLOB NOT NULL,      -- 8 bytes, big-endian
    balance      BLOB NOT NULL,      -- 32 bytes, big-endian
    code_hash    BLOB NOT NULL,
    storage_root BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_storage (
    account BLOB NOT NULL,           -- the account's key
    key     BLOB NOT NULL,           -- keccak256(slot): the storage trie's key
    slot    BLOB NOT NULL,
    value   BLOB NOT NULL,           -- 32 bytes, big-endian, never zero
    PRIMARY KEY (account, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_codes (
    hash BLOB PRIMARY KEY,
    code BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_trie_refs (
    trie   BLOB NOT NULL,            -- empty: the account trie; else the account's key
    prefix BLOB NOT NULL,            -- nibbles
    ref    BLOB NOT NULL,            -- the node's RLP under 32 bytes, else rlp(its hash)
    PRIMARY KEY (trie, prefix)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS evm_block_hashes (
    number INTEGER PRIMARY KEY,
    hash   BLOB NOT NULL
);
-- History (history.rs): what each committed block overwrote, so that older states can be read
-- and the state unwound. A row holds the value before the block; `present = 0` or a NULL value:
-- absent before.
CREATE TABLE IF NOT EXISTS evm_account_history (
    key          BLOB NOT NULL,
    block        INTEGER NOT NULL,
    address      BLOB NOT NULL,
    present      INTEGER NOT NULL,
    nonce        BLOB NOT NULL,
    balance      BLOB NOT NULL,
    code_hash    BLOB NOT NULL,
    storage_root BLOB NOT NULL,
    PRIMARY KEY (key, block)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_storage_history (
    account BLOB NOT NULL,
    key     BLOB NOT NULL,
    block   INTEGER NOT NULL,
    slot    BLOB NOT NULL,
    value   BLOB,
    PRIMARY KEY (account, key, block)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evm_block_roots (
    block INTEGER PRIMARY KEY,
    root  BLOB NOT NULL
);
-- The chain (blocks.rs): headers as RLP, transactions with their receipts.
CREATE TABLE IF NOT EXISTS evm_headers (
    number INTEGER PRIMARY KEY,
    hash   BLOB NOT NULL UNIQUE,
    header BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS evm_transactions (
    hash           BLOB PRIMARY KEY,
    block          INTEGER NOT NULL,
    idx            INTEGER NOT NULL,
    sender         BLOB NOT NULL,
    encoded        BLOB NOT NULL,
    success        INTEGER NOT NULL,
    cumulative_gas INTEGER NOT NULL,
    gas_used       INTEGER NOT NULL,
    contract       BLOB,
    logs           BLOB NOT NULL        -- RLP of the receipt's logs
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS evm_transactions_by_block ON evm_transactions (block, idx);
CREATE TABLE IF NOT EXISTS evm_logs (
    block     INTEGER NOT NULL,
    log_index INTEGER NOT NULL,      -- in the block
    tx_index  INTEGER NOT NULL,
    tx_hash   BLOB NOT NULL,
    address   BLOB NOT NULL,
    topic0    BLOB,
    topic1    BLOB,
    topic2    BLOB,
    topic3    BLOB,
    data      BLOB NOT NULL,
    PRIMARY KEY (block, log_index)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS evm_logs_by_address ON evm_logs (address, block);
CREATE INDEX IF NOT EXISTS evm_logs_by_topic0 ON evm_logs (topic0, block);
-- The sequencing layer (sequencing.rs): each block's signed header and force cursor, and the
-- BatchInbox records derived.
CREATE TABLE IF NOT EXISTS evm_sequencing (
    number       INTEGER PRIMARY KEY,
    hash         BLOB NOT NULL,
    epoch        INTEGER NOT NULL,
    timestamp    INTEGER NOT NULL,
    tx_root      BLOB NOT NULL,
    force_cursor INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS evm_inputs (
    number INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL      -- the block's input hashes, 32 bytes each, in order
);
CREATE TABLE IF NOT EXISTS evm_records (
    record     INTEGER PRIMARY KEY,   -- the BatchInbox index
    last_block INTEGER NOT NULL
);
";

/// An account with its proofs, as `eth_getProof` returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountProof {
    /// The account (default if absent: the proof then shows its absence).
    pub info: AccountInfo,
    /// Its storage root ([`EMPTY_ROOT`] if absent).
    pub storage_root: B256,
    /// The account trie's nodes from the root to the account's leaf.
    pub account_proof: Vec<Bytes>,
    /// Each slot asked for: its value and the storage trie's nodes to it.
    pub storage_proofs: Vec<(U256, U256, Vec<Bytes>)>,
}

/// The state in a SQLite file.
pub struct StateDb {
    conn: Connection,
    /// The longest cached trie prefix (see `tries`).
    ref_depth: Cell<usize>,
}

impl StateDb {
    /// Opens (creating if needed) the state in the file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::with(open_durable(Some(path), SCHEMA)?)
    }

    /// A state in memory.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(open_durable(None, SCHEMA)?)
    }

    fn with(conn: Connection) -> Result<Self, StoreError> {
        // rusqlite keeps 16 prepared statements by default; the state uses about 20, and a
        // statement pushed out is parsed again the next time (a profile showed SQL parsing).
        conn.set_prepared_statement_cache_capacity(64);
        let depth: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM evm_meta WHERE name = 'ref_depth'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let ref_depth = depth.map_or(Ok(0), |bytes| {
            to_u64(bytes).map(|d| usize::try_from(d).unwrap_or(usize::MAX))
        })?;
        Ok(Self {
            conn,
            ref_depth: Cell::new(ref_depth),
        })
    }

    /// The state root of the last commit ([`EMPTY_ROOT`] for a new file).
    pub fn root(&self) -> Result<B256, StoreError> {
        let root: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM evm_meta WHERE name = 'root'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(to_b256(root)?.unwrap_or(EMPTY_ROOT))
    }

    /// Applies `diff` and returns the new state root, atomically, keeping no history (a state
    /// that is never read at an older point: tests, benchmarks, a genesis).
    pub fn commit(&mut self, diff: &StateDiff) -> Result<B256, StoreError> {
        self.write(diff, None)
    }

    /// Applies `diff` and returns the new state root, atomically, keeping what it overwrote
    /// under `block`.
    fn write(&mut self, diff: &StateDiff, block: Option<i64>) -> Result<B256, StoreError> {
        let tx = self.conn.transaction()?;
        let state_root = write_diff(&tx, &self.ref_depth, diff, block)?;
        tx.commit()?;
        Ok(state_root)
    }

    /// Records the hash of L2 block `number` (what `BLOCKHASH` returns).
    pub fn set_block_hash(&self, number: u64, hash: B256) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO evm_block_hashes (number, hash) VALUES (?1, ?2)",
            params![
                i64::try_from(number)
                    .map_err(|_| StoreError::Corrupt("a block number above 2^63".into()))?,
                hash.as_slice()
            ],
        )?;
        Ok(())
    }

    /// The account at `address` and the `slots` of its storage, with their proofs against
    /// [`StateDb::root`].
    pub fn proof(&self, address: Address, slots: &[U256]) -> Result<AccountProof, StoreError> {
        let key = keccak256(address);
        let as_bytes = |nodes: Vec<Vec<u8>>| nodes.into_iter().map(Bytes::from).collect();
        let account_proof = as_bytes(proof(
            &mut AccountTrie::new(&self.conn, &self.ref_depth, false),
            &key,
        )?);
        let (info, storage_root) = self
            .account_row(address)?
            .unwrap_or((AccountInfo::default(), EMPTY_ROOT));
        let mut storage_proofs = Vec::with_capacity(slots.len());
        for slot in slots {
            let value = self.storage(address, *slot)?;
            let nodes = proof(
                &mut StorageTrie::new(&self.conn, &self.ref_depth, &key, false),
                &keccak256(slot.to_be_bytes::<32>()),
            )?;
            storage_proofs.push((*slot, value, as_bytes(nodes)));
        }
        Ok(AccountProof {
            info,
            storage_root,
            account_proof,
            storage_proofs,
        })
    }

    /// The state root computed again from the accounts and storage alone, without the cached
    /// trie nodes: what [`StateDb::root`] must equal (a check of the file, and of the
    /// incremental trie).
    pub fn recompute_root(&self) -> Result<B256, StoreError> {
        let mut accounts = Trie::new();
        let mut statement = self.conn.prepare(&format!(
            "SELECT key, {ACCOUNT_COLUMNS} FROM evm_accounts ORDER BY key"
        ))?;
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, StoredAccount::raw(r, 1)?))
        })?;
        for row in rows {
            let (key, raw) = row?;
            let account = StoredAccount::decode(raw)?;
            let mut storage = Trie::new();
            let mut slots = self
                .conn
                .prepare_cached("SELECT key, value FROM evm_storage WHERE account = ?1")?;
            let values = slots.query_map(params![key], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for value in values {
                let (slot_key, value) = value?;
                storage.insert(&slot_key, alloy_rlp::encode(to_u256(value)?));
            }
            let leaf = account.leaf(storage.root());
            accounts.insert(&key, leaf);
        }
        Ok(accounts.root())
    }

    /// How many accounts the state holds.
    pub fn account_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM evm_accounts", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    fn account_row(&self, address: Address) -> Result<Option<(AccountInfo, B256)>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM evm_accounts WHERE key = ?1"
            ))?
            .query_row(params![keccak256(address).as_slice()], |r| {
                StoredAccount::raw(r, 0)
            })
            .optional()?;
        raw.map(|raw| {
            let account = StoredAccount::decode(raw)?;
            Ok((account.info, account.storage_root))
        })
        .transpose()
    }
}

/// Writes `diff` inside `tx` (with its history under `block`) and returns the new state root:
/// the one body of every commit, so that a block's state and its other rows share a transaction.
pub(crate) fn write_diff(
    tx: &Connection,
    ref_depth: &Cell<usize>,
    diff: &StateDiff,
    block: Option<i64>,
) -> Result<B256, StoreError> {
    for (hash, code) in &diff.codes {
        tx.prepare_cached("INSERT OR IGNORE INTO evm_codes (hash, code) VALUES (?1, ?2)")?
            .execute(params![hash.as_slice(), code.as_ref()])?;
    }
    let mut changed_accounts = Vec::with_capacity(diff.accounts.len());
    for (address, change) in &diff.accounts {
        let key = keccak256(address);
        changed_accounts.push(key);
        if let Some(block) = block {
            history::record_account(tx, block, &key, address)?;
            let dropped = matches!(
                change,
                AccountChange::Deleted
                    | AccountChange::Updated {
                        storage_cleared: true,
                        ..
                    }
            );
            if dropped {
                history::record_all_storage(tx, block, &key)?;
            }
        }
        match change {
            AccountChange::Deleted => {
                drop_storage(tx, &key)?;
                tx.prepare_cached("DELETE FROM evm_accounts WHERE key = ?1")?
                    .execute(params![key.as_slice()])?;
            }
            AccountChange::Updated {
                info,
                storage_cleared,
                storage,
            } => {
                if *storage_cleared {
                    drop_storage(tx, &key)?;
                }
                let mut changed_slots = Vec::with_capacity(storage.len());
                for (slot, value) in storage {
                    let slot_key = keccak256(slot.to_be_bytes::<32>());
                    changed_slots.push(slot_key);
                    if let Some(block) = block {
                        history::record_slot(tx, block, &key, &slot_key, slot)?;
                    }
                    if value.is_zero() {
                        tx.prepare_cached(
                            "DELETE FROM evm_storage WHERE account = ?1 AND key = ?2",
                        )?
                        .execute(params![key.as_slice(), slot_key.as_slice()])?;
                    } else {
                        tx.prepare_cached(
                            "INSERT OR REPLACE INTO evm_storage (account, key, slot, value) \
                             VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![
                            key.as_slice(),
                            slot_key.as_slice(),
                            &slot.to_be_bytes::<32>()[..],
                            &value.to_be_bytes::<32>()[..],
                        ])?;
                    }
                }
                let storage_root = root(
                    &mut StorageTrie::new(tx, ref_depth, &key, true),
                    changed_slots,
                )?;
                put_account_row(
                    tx,
                    &key,
                    address.as_slice(),
                    [
                        &info.nonce.to_be_bytes()[..],
                        &info.balance.to_be_bytes::<32>()[..],
                        info.code_hash.as_slice(),
                        storage_root.as_slice(),
                    ],
                )?;
            }
        }
    }
    let state_root = root(&mut AccountTrie::new(tx, ref_depth, true), changed_accounts)?;
    tx.execute(
        "INSERT OR REPLACE INTO evm_meta (name, value) VALUES ('root', ?1)",
        params![state_root.as_slice()],
    )?;
    if let Some(block) = block {
        history::record_root(tx, block, &state_root)?;
    }
    Ok(state_root)
}

/// Writes the row of the account at `key` from its columns as stored ([`tries::ACCOUNT_COLUMNS`]
/// after the address): a commit's write and an unwind's restore.
pub(crate) fn put_account_row(
    conn: &Connection,
    key: &B256,
    address: &[u8],
    [nonce, balance, code_hash, storage_root]: [&[u8]; 4],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO evm_accounts \
         (key, address, nonce, balance, code_hash, storage_root) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key.as_slice(),
        address,
        nonce,
        balance,
        code_hash,
        storage_root
    ])?;
    Ok(())
}

/// Deletes an account's storage and its trie's cached nodes.
fn drop_storage(conn: &Connection, key: &B256) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM evm_storage WHERE account = ?1")?
        .execute(params![key.as_slice()])?;
    conn.prepare_cached("DELETE FROM evm_trie_refs WHERE trie = ?1")?
        .execute(params![key.as_slice()])?;
    Ok(())
}

impl StateReader for StateDb {
    type Error = StoreError;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, StoreError> {
        Ok(self.account_row(address)?.map(|(info, _)| info))
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, StoreError> {
        let value: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT value FROM evm_storage WHERE account = ?1 AND key = ?2")?
            .query_row(
                params![
                    keccak256(address).as_slice(),
                    keccak256(slot.to_be_bytes::<32>()).as_slice()
                ],
                |r| r.get(0),
            )
            .optional()?;
        value.map_or(Ok(U256::ZERO), to_u256)
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, StoreError> {
        let code: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT code FROM evm_codes WHERE hash = ?1")?
            .query_row(params![code_hash.as_slice()], |r| r.get(0))
            .optional()?;
        Ok(code.map(Bytes::from))
    }

    fn block_hash(&self, number: u64) -> Result<B256, StoreError> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(B256::ZERO);
        };
        let hash: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT hash FROM evm_block_hashes WHERE number = ?1")?
            .query_row(params![number], |r| r.get(0))
            .optional()?;
        Ok(to_b256(hash)?.unwrap_or_default())
    }
}

/// The nodes of the committed state's tries, encoded from the rows under each position: what a
/// keeper runs a transaction over natively (through a `Recording`) to find the guest's witness.
impl StateNodes for StateDb {
    type Error = StoreError;

    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, StoreError> {
        StoreSource(&mut AccountTrie::new(&self.conn, &self.ref_depth, false)).node(prefix, hash)
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        StoreSource(&mut StorageTrie::new(
            &self.conn,
            &self.ref_depth,
            account,
            false,
        ))
        .node(prefix, hash)
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, StoreError> {
        StateReader::code(self, *hash)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, StoreError> {
        StateReader::block_hash(self, number)
    }
}
