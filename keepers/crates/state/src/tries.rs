//! The state's tries as [`TrieStore`]s over the SQLite tables: the account trie over
//! `evm_accounts`, one storage trie per account over its rows of `evm_storage`, and the cached
//! node references of all of them in `evm_trie_refs` (keyed by the trie: empty for the account
//! trie, the account's key for its storage).

use alloy_primitives::{B256, U256};
use baton_l1::store::{StoreError, to_b256};
use baton_trie::{TrieStore, account_leaf, prefix_range};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

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

/// The cached references of the tries, shared by both kinds.
struct Refs<'a> {
    conn: &'a Connection,
    trie: &'a [u8],
    /// Proof reads never write: after a commit every reference they need is cached.
    writable: bool,
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
            self.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO evm_trie_refs (trie, prefix, ref) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![self.trie, prefix, reference])?;
        }
        Ok(())
    }

    /// Deletes the references at the 65 prefixes of `key` in one statement.
    fn forget(&self, key: &B256) -> Result<(), StoreError> {
        let nibbles: Vec<u8> = key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect();
        let prefixes: Vec<&[u8]> = (0..=nibbles.len()).map(|len| &nibbles[..len]).collect();
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
    pub(crate) fn new(conn: &'a Connection, writable: bool) -> Self {
        Self(Refs {
            conn,
            trie: ACCOUNT_TRIE,
            writable,
        })
    }
}

/// The smallest and the largest key under `prefix`, by two queries (ascending and descending,
/// `LIMIT 1`) over a key range; `owner` is the account of a storage trie.
fn bounds_of(
    conn: &Connection,
    first_sql: &str,
    last_sql: &str,
    owner: Option<&B256>,
    prefix: &[u8],
) -> Result<Option<(B256, B256)>, StoreError> {
    let (lo, hi) = prefix_range(prefix);
    let query = |sql: &str| -> Result<Option<Vec<u8>>, StoreError> {
        let mut statement = conn.prepare_cached(sql)?;
        Ok(match owner {
            Some(owner) => statement
                .query_row(
                    params![owner.as_slice(), lo.as_slice(), hi.as_slice()],
                    |r| r.get(0),
                )
                .optional()?,
            None => statement
                .query_row(params![lo.as_slice(), hi.as_slice()], |r| r.get(0))
                .optional()?,
        })
    };
    let Some(first) = to_b256(query(first_sql)?)? else {
        return Ok(None);
    };
    let last = to_b256(query(last_sql)?)?.unwrap_or(first);
    Ok(Some((first, last)))
}

impl TrieStore for AccountTrie<'_> {
    type Error = StoreError;

    fn bounds(&self, prefix: &[u8]) -> Result<Option<(B256, B256)>, StoreError> {
        bounds_of(
            self.0.conn,
            "SELECT key FROM evm_accounts WHERE key BETWEEN ?1 AND ?2 ORDER BY key ASC LIMIT 1",
            "SELECT key FROM evm_accounts WHERE key BETWEEN ?1 AND ?2 ORDER BY key DESC LIMIT 1",
            None,
            prefix,
        )
    }

    fn value(&self, key: &B256) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .0
            .conn
            .prepare_cached(
                "SELECT nonce, balance, storage_root, code_hash FROM evm_accounts WHERE key = ?1",
            )?
            .query_row(params![key.as_slice()], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .optional()?;
        row.map(|(nonce, balance, storage_root, code_hash)| {
            Ok(account_leaf(
                to_u64(nonce)?,
                to_u256(balance)?,
                to_b256(Some(storage_root))?.unwrap_or_default(),
                to_b256(Some(code_hash))?.unwrap_or_default(),
            ))
        })
        .transpose()
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
    pub(crate) fn new(conn: &'a Connection, account: &'a B256, writable: bool) -> Self {
        Self {
            refs: Refs {
                conn,
                trie: account.as_slice(),
                writable,
            },
            account,
        }
    }
}

impl TrieStore for StorageTrie<'_> {
    type Error = StoreError;

    fn bounds(&self, prefix: &[u8]) -> Result<Option<(B256, B256)>, StoreError> {
        bounds_of(
            self.refs.conn,
            "SELECT key FROM evm_storage WHERE account = ?1 AND key BETWEEN ?2 AND ?3 \
             ORDER BY key ASC LIMIT 1",
            "SELECT key FROM evm_storage WHERE account = ?1 AND key BETWEEN ?2 AND ?3 \
             ORDER BY key DESC LIMIT 1",
            Some(self.account),
            prefix,
        )
    }

    fn value(&self, key: &B256) -> Result<Option<Vec<u8>>, StoreError> {
        let value: Option<Vec<u8>> = self
            .refs
            .conn
            .prepare_cached("SELECT value FROM evm_storage WHERE account = ?1 AND key = ?2")?
            .query_row(params![self.account.as_slice(), key.as_slice()], |r| {
                r.get(0)
            })
            .optional()?;
        value
            .map(|v| Ok(alloy_rlp::encode(to_u256(v)?)))
            .transpose()
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
