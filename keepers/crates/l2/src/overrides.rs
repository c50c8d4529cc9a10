//! State overrides of `eth_call` and `eth_estimateGas` (geth's third parameter): a state read
//! as if some accounts had another balance, nonce, code or storage, for one call only.
//!
//! Per account: `balance`, `nonce` and `code` replace the account's; `state` replaces its whole
//! storage (every slot it does not name reads zero); `stateDiff` replaces only the slots it
//! names. Naming both `state` and `stateDiff` is refused, as geth does, and so is
//! `movePrecompileToAddress` (the L2 runs Cancun's precompiles where Cancun has them).

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    rpc::types::state::{AccountOverride, StateOverride},
};
use baton_evm::{AccountInfo, StateReader};
use std::collections::HashMap;

/// Why overrides cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// `state` and `stateDiff` for one account.
    #[error("account {0} has both state and stateDiff overrides: give one")]
    StateAndDiff(Address),
    /// A precompile move.
    #[error("movePrecompileToAddress is not supported (account {0})")]
    MovePrecompile(Address),
}

/// A state with overrides on top (see the module documentation).
pub struct Overridden<'a, S> {
    base: &'a S,
    accounts: HashMap<Address, AccountOverride>,
    /// The overriding code by hash.
    codes: HashMap<B256, Bytes>,
}

impl<'a, S: StateReader> Overridden<'a, S> {
    /// `base` with `overrides`, checked.
    pub fn new(base: &'a S, overrides: StateOverride) -> Result<Self, OverrideError> {
        let mut codes = HashMap::new();
        for (address, account) in &overrides {
            if account.state.is_some() && account.state_diff.is_some() {
                return Err(OverrideError::StateAndDiff(*address));
            }
            if account.move_precompile_to.is_some() {
                return Err(OverrideError::MovePrecompile(*address));
            }
            if let Some(code) = &account.code {
                codes.insert(keccak256(code), code.clone());
            }
        }
        Ok(Self {
            base,
            accounts: overrides.into_iter().collect(),
            codes,
        })
    }
}

impl<S: StateReader> StateReader for Overridden<'_, S> {
    type Error = S::Error;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, S::Error> {
        let base = self.base.account(address)?;
        let Some(over) = self.accounts.get(&address) else {
            return Ok(base);
        };
        let mut info = base.unwrap_or_default();
        if let Some(balance) = over.balance {
            info.balance = balance;
        }
        if let Some(nonce) = over.nonce {
            info.nonce = nonce;
        }
        if let Some(code) = &over.code {
            info.code_hash = keccak256(code);
        }
        Ok(Some(info))
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, S::Error> {
        let key = B256::from(slot);
        match self.accounts.get(&address) {
            Some(AccountOverride {
                state: Some(state), ..
            }) => Ok(state.get(&key).map_or(U256::ZERO, |v| (*v).into())),
            Some(AccountOverride {
                state_diff: Some(diff),
                ..
            }) if diff.contains_key(&key) => Ok(diff[&key].into()),
            _ => self.base.storage(address, slot),
        }
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, S::Error> {
        match self.codes.get(&code_hash) {
            Some(code) => Ok(Some(code.clone())),
            None => self.base.code(code_hash),
        }
    }

    fn block_hash(&self, number: u64) -> Result<B256, S::Error> {
        self.base.block_hash(number)
    }
}
