//! The tries of a past state, for a dispute's witness: the state after a kept block `n` as a
//! [`StateNodes`] source, so that a keeper runs a disputed transaction over a `Recording` of the
//! state of the agreed output however old it is (`StateDb::nodes_at`).
//!
//! The leaves of the state after `n` are the current rows that no later block changed, and, for
//! the keys a later block changed, the values its history recorded (the first record after
//! `n`). The database's cached node references are the latest state's, so a past state's are
//! computed from its leaves and kept in memory for the source's life: the first node asked
//! costs a pass over the leaves under it (the root: all of them, like
//! `StateDb::recompute_root`), later ones reuse what it found.

use crate::{
    AccountProof, StateDb, StoreError,
    tries::{StoredAccount, account_leaf_of, slot_leaf_of},
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use baton_evm::{StateNodes, StateReader};
use baton_trie::{EMPTY_ROOT, NodeSource, StoreSource, TrieStore, prefix_range, proof, root};
use rusqlite::params;
use std::collections::BTreeMap;

/// One trie of a past state: the account trie (`account` `None`) or an account's storage trie.
struct PastTrie<'a> {
    db: &'a StateDb,
    block: i64,
    account: Option<B256>,
    refs: &'a mut BTreeMap<Vec<u8>, Vec<u8>>,
}

/// The leaves under a key range of the account trie after `?1`, in key order.
const ACCOUNT_LEAVES: &str = "
    SELECT key, nonce, balance, code_hash, storage_root FROM evm_accounts a
     WHERE key BETWEEN ?2 AND ?3
       AND NOT EXISTS (SELECT 1 FROM evm_account_history h WHERE h.key = a.key AND h.block > ?1)
    UNION ALL
    SELECT key, nonce, balance, code_hash, storage_root FROM evm_account_history h
     WHERE key BETWEEN ?2 AND ?3 AND block > ?1 AND present = 1
       AND block = (SELECT MIN(block) FROM evm_account_history g WHERE g.key = h.key AND g.block > ?1)";

/// The leaves under a key range of account `?4`'s storage trie after `?1`, in key order.
const STORAGE_LEAVES: &str = "
    SELECT key, value FROM evm_storage s
     WHERE account = ?4 AND key BETWEEN ?2 AND ?3
       AND NOT EXISTS (SELECT 1 FROM evm_storage_history h
                        WHERE h.account = s.account AND h.key = s.key AND h.block > ?1)
    UNION ALL
    SELECT key, value FROM evm_storage_history h
     WHERE account = ?4 AND key BETWEEN ?2 AND ?3 AND block > ?1 AND value IS NOT NULL
       AND block = (SELECT MIN(block) FROM evm_storage_history g
                     WHERE g.account = h.account AND g.key = h.key AND g.block > ?1)";

impl PastTrie<'_> {
    /// The leaves under `prefix`, in key order: at most `limit`, the last ones first if
    /// `descending`.
    fn query(
        &self,
        prefix: &[u8],
        limit: usize,
        descending: bool,
    ) -> Result<Vec<(B256, Vec<u8>)>, StoreError> {
        let (lo, hi) = prefix_range(prefix);
        let order = if descending { "DESC" } else { "ASC" };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match &self.account {
            None => {
                let sql = format!("{ACCOUNT_LEAVES} ORDER BY key {order} LIMIT {limit}");
                let mut statement = self.db.conn.prepare_cached(&sql)?;
                let rows = statement
                    .query_map(params![self.block, lo.as_slice(), hi.as_slice()], |r| {
                        Ok((r.get::<_, Vec<u8>>(0)?, StoredAccount::raw(r, 1)?))
                    })?;
                rows.map(|row| account_leaf_of(row?)).collect()
            }
            Some(account) => {
                let sql = format!("{STORAGE_LEAVES} ORDER BY key {order} LIMIT {limit}");
                let mut statement = self.db.conn.prepare_cached(&sql)?;
                let rows = statement.query_map(
                    params![self.block, lo.as_slice(), hi.as_slice(), account.as_slice()],
                    |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
                )?;
                rows.map(|row| slot_leaf_of(row?)).collect()
            }
        }
    }
}

impl TrieStore for PastTrie<'_> {
    type Error = StoreError;

    fn leaves(&self, prefix: &[u8], limit: usize) -> Result<Vec<(B256, Vec<u8>)>, StoreError> {
        self.query(prefix, limit, false)
    }

    fn last(&self, prefix: &[u8]) -> Result<Option<B256>, StoreError> {
        Ok(self.query(prefix, 1, true)?.pop().map(|(key, _)| key))
    }

    fn cached(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.refs.get(prefix).cloned())
    }

    fn cache(&mut self, prefix: &[u8], reference: &[u8]) -> Result<(), StoreError> {
        self.refs.insert(prefix.to_vec(), reference.to_vec());
        Ok(())
    }

    fn forget(&mut self, _key: &B256) -> Result<(), StoreError> {
        // A past state does not change.
        Ok(())
    }
}

/// The state after a kept block as a [`StateNodes`] source ([`StateDb::nodes_at`]).
pub struct PastNodes<'a> {
    db: &'a StateDb,
    block: i64,
    /// Node references computed so far, per trie (the account trie under the zero key).
    refs: BTreeMap<Option<B256>, BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl StateDb {
    /// The tries of the state after kept block `block`, to open node by node (a dispute's
    /// witness over an older output).
    pub fn nodes_at(&self, block: u64) -> Result<PastNodes<'_>, StoreError> {
        self.at(block)?;
        Ok(PastNodes {
            db: self,
            block: i64::try_from(block).unwrap_or(i64::MAX),
            refs: BTreeMap::new(),
        })
    }
}

impl PastNodes<'_> {
    fn node(
        &mut self,
        account: Option<B256>,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut trie = PastTrie {
            db: self.db,
            block: self.block,
            account,
            refs: self.refs.entry(account).or_default(),
        };
        StoreSource(&mut trie).node(prefix, hash)
    }
}

impl StateNodes for PastNodes<'_> {
    type Error = StoreError;

    fn account_node(&mut self, prefix: &[u8], hash: &B256) -> Result<Option<Vec<u8>>, StoreError> {
        self.node(None, prefix, hash)
    }

    fn storage_node(
        &mut self,
        account: &B256,
        prefix: &[u8],
        hash: &B256,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.node(Some(*account), prefix, hash)
    }

    fn code(&mut self, hash: &B256) -> Result<Option<Bytes>, StoreError> {
        self.db.code(*hash)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, StoreError> {
        self.db.block_hash(number)
    }
}

impl StateDb {
    /// [`StateDb::proof`] against the state after kept block `block`: what `eth_getProof` at
    /// that block gives, so that a withdrawal is proven against the output it is in, however
    /// many blocks came after.
    pub fn proof_at(
        &self,
        block: u64,
        address: Address,
        slots: &[U256],
    ) -> Result<AccountProof, StoreError> {
        let state = self.at(block)?;
        let block = i64::try_from(block).unwrap_or(i64::MAX);
        let key = keccak256(address);
        let as_bytes = |nodes: Vec<Vec<u8>>| nodes.into_iter().map(Bytes::from).collect();
        let (mut account_refs, mut storage_refs) = (BTreeMap::new(), BTreeMap::new());
        let mut accounts = PastTrie {
            db: self,
            block,
            account: None,
            refs: &mut account_refs,
        };
        let account_proof = as_bytes(proof(&mut accounts, &key)?);
        let info = state.account(address)?;
        let mut storage = PastTrie {
            db: self,
            block,
            account: Some(key),
            refs: &mut storage_refs,
        };
        let storage_root = match info {
            Some(_) => root(&mut storage, [])?,
            None => EMPTY_ROOT,
        };
        let mut storage_proofs = Vec::with_capacity(slots.len());
        for slot in slots {
            let value = state.storage(address, *slot)?;
            let nodes = proof(&mut storage, &keccak256(slot.to_be_bytes::<32>()))?;
            storage_proofs.push((*slot, value, as_bytes(nodes)));
        }
        Ok(AccountProof {
            info: info.unwrap_or_default(),
            storage_root,
            account_proof,
            storage_proofs,
        })
    }
}
