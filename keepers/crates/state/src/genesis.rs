//! The EVM chain's genesis: the allocated balances of a genesis file (the same files as the
//! ledger's, `script/genesis/*.json`, parsed by baton-core) and the predeploys at their fixed
//! addresses:
//! - the withdrawal predeploy ([`WITHDRAWALS_PREDEPLOY`], `contracts/l2/L2Withdrawals.sol`);
//! - the fee vault ([`FEE_VAULT_PREDEPLOY`], `contracts/l2/L2FeeVault.sol`), with the
//!   deployment's L1 fee recipient in its slot 0.
//!
//! Their runtime code is `predeploys.json` beside this crate, solc's output without its
//! metadata; a test keeps it equal to what `forge build` makes of the contracts
//! (`tests/genesis.rs`). Predeploys have nonce 1, as contracts do (EIP-161), and no constructor
//! runs: what a constructor would set is written into storage here.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use baton_evm::{
    AccountChange, AccountInfo, FEE_VAULT_PREDEPLOY, StateDiff, WITHDRAWALS_PREDEPLOY,
};
use std::collections::BTreeMap;

/// The predeploys' runtime code, as `tests/genesis.rs` keeps it.
const PREDEPLOYS: &str = include_str!("../predeploys.json");

/// Why a genesis cannot be built or installed.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The alloc gives a balance to a predeploy's address.
    #[error("the genesis alloc names {0}, the address of a predeploy: remove it from the alloc")]
    PredeployInAlloc(Address),
    /// The fee recipient is the zero address: the vault could never pay out.
    #[error("the L1 fee recipient is the zero address: set the deployment's fee recipient")]
    ZeroFeeRecipient,
    /// The database holds a state that is not this genesis.
    #[error(
        "the state database holds root {found}, not this genesis ({genesis}): use a fresh database or this genesis' file"
    )]
    OtherState {
        /// What the database holds.
        found: B256,
        /// This genesis' root.
        genesis: B256,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// The runtime code of predeploy `name` (`L2Withdrawals`, `L2FeeVault`).
pub fn predeploy_code(name: &str) -> Bytes {
    let table: serde_json::Value =
        serde_json::from_str(PREDEPLOYS).expect("predeploys.json is JSON");
    let hex = table[name]
        .as_str()
        .unwrap_or_else(|| panic!("predeploys.json has no {name}"));
    alloy_primitives::hex::decode(hex)
        .expect("predeploys.json holds hex")
        .into()
}

/// The genesis state as one diff: `alloc`'s balances, then the predeploys.
pub fn genesis_diff(
    alloc: &BTreeMap<Address, U256>,
    fee_recipient: Address,
) -> Result<StateDiff, GenesisError> {
    if fee_recipient.is_zero() {
        return Err(GenesisError::ZeroFeeRecipient);
    }
    let mut diff = StateDiff::default();
    for (address, balance) in alloc {
        if [WITHDRAWALS_PREDEPLOY, FEE_VAULT_PREDEPLOY].contains(address) {
            return Err(GenesisError::PredeployInAlloc(*address));
        }
        diff.set_info(
            *address,
            AccountInfo {
                balance: *balance,
                ..Default::default()
            },
        );
    }
    let vault_storage = [(U256::ZERO, U256::from_be_slice(fee_recipient.as_slice()))];
    for (address, name, storage) in [
        (WITHDRAWALS_PREDEPLOY, "L2Withdrawals", &[][..]),
        (FEE_VAULT_PREDEPLOY, "L2FeeVault", &vault_storage[..]),
    ] {
        let code = predeploy_code(name);
        let code_hash = keccak256(&code);
        diff.codes.insert(code_hash, code);
        diff.accounts.insert(
            address,
            AccountChange::Updated {
                info: AccountInfo {
                    nonce: 1,
                    balance: U256::ZERO,
                    code_hash,
                },
                storage_cleared: true,
                storage: storage.iter().copied().collect(),
            },
        );
    }
    Ok(diff)
}
