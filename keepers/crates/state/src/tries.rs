//! The state's tries as [`TrieStore`]s over the SQLite tables: the account trie over
//! `evm_accounts`, one storage trie per account over its rows of `evm_storage`, and the cached
//! node references of all of them in `evm_trie_refs` (keyed by the trie: empty for the account
//! trie, the account's key for its storage).

use alloy_primitives::{B256, U256};
use baton_evm::AccountInfo;
use baton_l1::store::{StoreError, to_b256};
use baton_trie::{TrieStore, account_leaf, prefix_range};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use std::cell::Cell;

/// The trie id of the account trie in `evm_trie_refs`.
const ACCOUNT_TRIE: &[u8] = &[];

/// A stored 32-byte big-endian number.
pub(crate) fn to_u256(bytes: Vec<u8>) -> Result<U256, StoreError> {
    U256::try_from_be_slice(&bytes).ok_or_else(|| StoreError::Corrupt("a 32-byte number".into()))
}

/// A stored 8-byte big-endian nonce.
pub(crate) fn to_u64(bytes: Vec<u8>) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("an 8-byte nonce".into()))?;
    Ok(u64::from_be_bytes(array))
}

/// The columns of an account row, in the order [`StoredAccount::raw`] reads them.
pub(crate) const ACCOUNT_COLUMNS: &str = "nonce, balance, code_hash, storage_root";

/// An account row decoded.
pub(crate) struct StoredAccount {
    pub(crate) info: AccountInfo,
    pub(crate) storage_root: B256,
}

impl StoredAccount {
    /// The [`ACCOUNT_COLUMNS`] of a row, from column `first` on.
    pub(crate) fn raw(row: &Row<'_>, first: usize) -> rusqlite::Result<[Vec<u8>; 4]> {
        Ok([
            row.get(first)?,
            row.get(first + 1)?,
            row.get(first + 2)?,
            row.get(first + 3)?,
        ])
    }

    pub(crate) fn decode(
        [nonce, balance, code_hash, storage_root]: [Vec<u8>; 4],
    ) -> Result<Self, StoreError> {
        Ok(Self {
            info: AccountInfo {
                nonce: to_u64(nonce)?,
                balance: to_u256(balance)?,
                code_hash: to_b256(Some(code_hash))?.unwrap_or_default(),
            },
            storage_root: to_b256(Some(storage_root))?.unwrap_or_default(),
        })
    }

    /// Its leaf in the state trie over `storage_root`.
    pub(crate) fn leaf(&self, storage_root: B256) -> Vec<u8> {
        account_leaf(
            self.info.nonce,
            self.info.balance,
            storage_root,
            self.info.code_hash,
        )
    }
}

/// An account row (its key and [`ACCOUNT_COLUMNS`]) as the account trie's leaf.
pub(crate) fn account_leaf_of(
    (key, raw): (Vec<u8>, [Vec<u8>; 4]),
) -> Result<(B256, Vec<u8>), StoreError> {
    let account = StoredAccount::decode(raw)?;
    Ok((
        to_b256(Some(key))?.unwrap_or_default(),
        account.leaf(account.storage_root),
    ))
}

/// A storage row (its key and value) as the storage trie's leaf.
pub(crate) fn slot_leaf_of(
    (key, value): (Vec<u8>, Vec<u8>),
) -> Result<(B256, Vec<u8>), StoreError> {
    Ok((
        to_b256(Some(key))?.unwrap_or_default(),
        alloy_rlp::encode(to_u256(value)?),
    ))
}

/// The cached references of the tries, shared by both kinds.
struct Refs<'a> {
    conn: &'a Connection,
    trie: &'a [u8],
    /// Proof reads never write: after a commit every reference they need is cached.
    writable: bool,
    /// The longest prefix any trie has cached (kept in `evm_meta` as `ref_depth`): forgetting a
    /// key's prefixes stops there. Hashed keys put large branches only a few nibbles deep, so
    /// this is about 3-6 where all 65 prefixes would otherwise be looked up.
    depth: &'a Cell<usize>,
}

impl Refs<'_> {
    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT ref FROM evm_trie_refs WHERE trie = ?1 AND prefix = ?2")?
            .query_row(params![self.trie, prefix], |row| row.get(0))
            .optional()?)
    }

    fn cache(&self, prefix: &[u8], reference: &[u8]) -> Result<(), StoreError> {
        if self.writable {
            if prefix.len() > self.depth.get() {
                self.depth.set(prefix.len());
                self.conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO evm_meta (name, value) VALUES ('ref_depth', ?1)",
                    )?
                    .execute(params![&(prefix.len() as u64).to_be_bytes()[..]])?;
            }
            self.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO evm_trie_refs (trie, prefix, ref) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![self.trie, prefix, reference])?;
        }
        Ok(())
    }

    /// Deletes the references at the prefixes of `key`, up to the deepest cached, in one
    /// statement.
    fn forget(&self, key: &B256) -> Result<(), StoreError> {
        let nibbles: Vec<u8> = key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect();
        let deepest = self.depth.get().min(nibbles.len());
        let prefixes: Vec<&[u8]> = (0..=deepest).map(|len| &nibbles[..len]).collect();
        let placeholders = (2..=prefixes.len() + 1)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let sql =
            format!("DELETE FROM evm_trie_refs WHERE trie = ?1 AND prefix IN ({placeholders})");
        let trie: &[u8] = self.trie;
        self.conn
            .prepare_cached(&sql)?
            .execute(params_from_iter(std::iter::once(trie).chain(prefixes)))?;
        Ok(())
    }
}

/// The account trie: `keccak256(address)` → the account's leaf.
pub(crate) struct AccountTrie<'a>(Refs<'a>);

impl<'a> AccountTrie<'a> {
    pub(crate) fn new(conn: &'a Connection, depth: &'a Cell<usize>, writable: bool) -> Self {
        Self(Refs {
            conn,
            trie: ACCOUNT_TRIE,
            writable,
            depth,
        })
    }
}

/// The last key under `prefix` (`owner`: the account of a storage trie).
fn last_key(
    conn: &Connection,
    sql: &str,
    owner: Option<&B256>,
    prefix: &[u8],
) -> Result<Option<B256>, StoreError> {
    let (lo, hi) = prefix_range(prefix);
    let mut statement = conn.prepare_cached(sql)?;
    let key = match owner {
        Some(owner) => statement
            .query_row(
                params![owner.as_slice(), lo.as_slice(), hi.as_slice()],
                |r| r.get(0),
            )
            .optional()?,
        None => statement
            .query_row(params![lo.as_slice(), hi.as_slice()], |r| r.get(0))
            .optional()?,
    };
    to_b256(key)
}

/// A SQL `LIMIT`.
fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl TrieStore for AccountTrie<'_> {
    type Error = StoreError;

    fn leaves(&self, prefix: &[u8], n: usize) -> Result<Vec<(B256, Vec<u8>)>, StoreError> {
        let (lo, hi) = prefix_range(prefix);
        let mut statement = self.0.conn.prepare_cached(&format!(
            "SELECT key, {ACCOUNT_COLUMNS} FROM evm_accounts \
             WHERE key BETWEEN ?1 AND ?2 ORDER BY key LIMIT ?3"
        ))?;
        let rows = statement.query_map(params![lo.as_slice(), hi.as_slice(), limit(n)], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, StoredAccount::raw(r, 1)?))
        })?;
        rows.map(|row| account_leaf_of(row?)).collect()
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, StoreError> {
        last_key(
            self.0.conn,
            "SELECT key FROM evm_accounts WHERE key BETWEEN ?1 AND ?2 ORDER BY key DESC LIMIT 1",
            None,
            prefix,
        )
    }

    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.cached(prefix)
    }

    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), StoreError> {
        self.0.cache(prefix, reference)
    }

    fn forget(&mut self, key: &B256) -> Result<(), StoreError> {
        self.0.forget(key)
    }
}

/// One account's storage trie: `keccak256(slot)` → `rlp(value)`.
pub(crate) struct StorageTrie<'a> {
    refs: Refs<'a>,
    account: &'a B256,
}

impl<'a> StorageTrie<'a> {
    pub(crate) fn new(
        conn: &'a Connection,
        depth: &'a Cell<usize>,
        account: &'a B256,
        writable: bool,
    ) -> Self {
        Self {
            refs: Refs {
                conn,
                trie: account.as_slice(),
                writable,
                depth,
            },
            account,
        }
    }
}

impl TrieStore for StorageTrie<'_> {
    type Error = StoreError;

    fn leaves(&self, prefix: &[u8], n: usize) -> Result<Vec<(B256, Vec<u8>)>, StoreError> {
        let (lo, hi) = prefix_range(prefix);
        let mut statement = self.refs.conn.prepare_cached(
            "SELECT key, value FROM evm_storage WHERE account = ?1 AND key BETWEEN ?2 AND ?3 \
             ORDER BY key LIMIT ?4",
        )?;
        let rows = statement.query_map(
            params![
                self.account.as_slice(),
                lo.as_slice(),
                hi.as_slice(),
                limit(n)
            ],
            |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )?;
        rows.map(|row| slot_leaf_of(row?)).collect()
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, StoreError> {
        last_key(
            self.refs.conn,
            "SELECT key FROM evm_storage WHERE account = ?1 AND key BETWEEN ?2 AND ?3 \
             ORDER BY key DESC LIMIT 1",
            Some(self.account),
            prefix,
        )
    }

    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.refs.cached(prefix)
    }

    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), StoreError> {
        self.refs.cache(prefix, reference)
    }

    fn forget(&mut self, key: &B256) -> Result<(), StoreError> {
        self.refs.forget(key)
    }
}
