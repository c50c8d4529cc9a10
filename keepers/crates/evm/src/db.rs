//! revm's view of a [`StateReader`].

use crate::state::StateReader;
use alloc::collections::BTreeMap;
use alloy_primitives::{Address, B256, U256};
use baton_trie::EMPTY_CODE_HASH;
use core::cell::RefCell;
use revm::{
    bytecode::Bytecode,
    database_interface::{DBErrorMarker, DatabaseRef},
    state::AccountInfo,
};

/// Why revm could not read the state.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E: core::error::Error + 'static> {
    /// The store failed.
    #[error("reading the state: {0}")]
    Store(#[source] E),
    /// An account names code the store does not hold: the store is inconsistent.
    #[error("the state holds no code for hash {0}")]
    MissingCode(B256),
}

impl<E: core::error::Error + Send + Sync + 'static> DBErrorMarker for ReadError<E> {}

/// Code already analysed (revm finds the jump destinations of a contract's code before running
/// it), by code hash: the transactions of a block that call one contract analyse it once.
#[derive(Default)]
pub struct CodeCache(RefCell<BTreeMap<B256, Bytecode>>);

/// A [`StateReader`] as revm's read-only database.
pub struct RevmDb<'a, S> {
    /// The state.
    pub state: &'a S,
    /// Analysed code.
    pub codes: &'a CodeCache,
}

impl<S: StateReader> DatabaseRef for RevmDb<'_, S> {
    type Error = ReadError<S::Error>;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        Ok(self
            .state
            .account(address)
            .map_err(ReadError::Store)?
            .map(|a| AccountInfo {
                balance: a.balance,
                nonce: a.nonce,
                code_hash: a.code_hash,
                // No code here: revm fetches it by hash when it runs it. (The default's empty
                // code would shadow the hash.)
                code: None,
                ..Default::default()
            }))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        if code_hash == EMPTY_CODE_HASH || code_hash == B256::ZERO {
            return Ok(Bytecode::default());
        }
        if let Some(analysed) = self.codes.0.borrow().get(&code_hash) {
            return Ok(analysed.clone());
        }
        let code = self
            .state
            .code(code_hash)
            .map_err(ReadError::Store)?
            .ok_or(ReadError::MissingCode(code_hash))?;
        let analysed = Bytecode::new_raw(code);
        self.codes
            .0
            .borrow_mut()
            .insert(code_hash, analysed.clone());
        Ok(analysed)
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Self::Error> {
        self.state.storage(address, index).map_err(ReadError::Store)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Self::Error> {
        self.state.block_hash(number).map_err(ReadError::Store)
    }
}
