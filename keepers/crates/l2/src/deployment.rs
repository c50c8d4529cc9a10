//! An EVM deployment's chain: its parameters and genesis as the deployment record names them.
//! The sequencer node and the keepers open their chains here, so both hold the same chain.

use crate::{L2Chain, PoolConfig};
use alloy_primitives::Address;
use baton_bindings::Parameters;
use baton_core::Genesis;
use baton_evm::{BaseFeeParams, ChainSpec, FEE_VAULT_PREDEPLOY};
use eyre::{OptionExt, WrapErr};
use std::path::Path;

/// The EVM chain's parameters for a deployment.
pub fn chain_spec(parameters: &Parameters) -> eyre::Result<ChainSpec> {
    Ok(ChainSpec {
        chain_id: parameters.l2_chain_id,
        gas_limit: parameters
            .l2_gas_limit
            .ok_or_eyre("the deployment record has no l2GasLimit: redeploy with an EVM profile")?,
        base_fee_params: BaseFeeParams::ETHEREUM,
        genesis_base_fee: u64::try_from(parameters.l2_base_fee)
            .wrap_err("the deployment's l2BaseFee does not fit 64 bits")?,
        fee_vault: FEE_VAULT_PREDEPLOY,
    })
}

/// Opens (or creates) the EVM chain of a deployment in `path`: the genesis is the genesis file's
/// balances with the predeploys, and its state root must be the one the deployment commits to.
pub fn open_chain(
    path: &Path,
    parameters: &Parameters,
    genesis: &Genesis,
    portal: Address,
    pool: PoolConfig,
) -> eyre::Result<L2Chain> {
    let recipient = parameters.fee_vault_recipient.ok_or_eyre(
        "the deployment record has no feeVaultRecipient: redeploy with an EVM profile",
    )?;
    let diff = baton_state::genesis_diff(genesis.alloc(), recipient)?;
    let chain = L2Chain::open(path, chain_spec(parameters)?, &diff, 0, pool)
        .wrap_err_with(|| format!("opening the EVM chain in {}", path.display()))?
        .with_portal(portal);
    let root = chain
        .db()
        .header(0)?
        .ok_or_eyre("the chain has no genesis block")?
        .state_root;
    eyre::ensure!(
        root == parameters.genesis_state_root,
        "the EVM genesis (the genesis file's balances, the predeploys, fee vault recipient {recipient}) \
         has state root {root}, but the deployment commits to {}: pass the genesis file of the profile \
         that was deployed (--genesis)",
        parameters.genesis_state_root
    );
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `script/profiles/devnet.json` commits to the EVM genesis of its genesis file.
    #[test]
    fn the_evm_profile_commits_to_its_genesis_root() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../script");
        let profile = std::fs::read_to_string(script.join("profiles/devnet.json")).unwrap();
        let parameters: Parameters = serde_json::from_str(&profile).unwrap();
        assert_eq!(parameters.l2_execution, baton_bindings::L2Execution::Evm);
        let genesis = std::fs::read_to_string(script.join("genesis/devnet.json")).unwrap();
        let genesis = Genesis::from_json(&genesis).unwrap();
        let dir = std::env::temp_dir().join(format!("baton-evm-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opened = open_chain(
            &dir.join("chain.sqlite"),
            &parameters,
            &genesis,
            Address::ZERO,
            PoolConfig::default(),
        );
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(error) = opened {
            panic!("{error:#}: put the root into script/profiles/devnet.json's genesisStateRoot");
        }
    }
}
