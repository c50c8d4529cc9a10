//! revm's view of a [`StateReader`].

use crate::state::StateReader;
use alloy_primitives::{Address, B256, U256};
use baton_trie::EMPTY_CODE_HASH;
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

/// A [`StateReader`] as revm's read-only database.
pub struct RevmDb<'a, S>(pub &'a S);

impl<S: StateReader> DatabaseRef for RevmDb<'_, S> {
    type Error = ReadError<S::Error>;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        Ok(self
            .0
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
        let code = self
            .0
            .code(code_hash)
            .map_err(ReadError::Store)?
            .ok_or(ReadError::MissingCode(code_hash))?;
        Ok(Bytecode::new_raw(code))
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Self::Error> {
        self.0.storage(address, index).map_err(ReadError::Store)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Self::Error> {
        self.0.block_hash(number).map_err(ReadError::Store)
    }
}
