//! Loading the deployment and the genesis, and connecting to L1: each checked against the others
//! with an error that says what to fix.

use crate::args::L1Args;
use alloy::{
    providers::{Provider, RootProvider},
    transports::{RpcError, TransportErrorKind, http::reqwest::Url},
};
use baton_bindings::Deployment;
use baton_core::{Genesis, ledger::LedgerConfig};
use std::path::{Path, PathBuf};

/// Why loading or connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The deployment record does not read (the error names the file).
    #[error("{0}: deploy first (./script/devnet) or pass --deployment")]
    Deployment(#[source] baton_bindings::DeploymentError),
    /// The genesis file does not read or parse.
    #[error("reading the L2 genesis {path}: {reason}")]
    Genesis {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The genesis is not the one the deployment commits to.
    #[error(
        "the genesis file {path} has state root {found}, but the deployment commits to {expected}: pass the genesis file of the profile that was deployed (--genesis)"
    )]
    WrongGenesis {
        /// The file.
        path: PathBuf,
        /// Its state root.
        found: alloy::primitives::B256,
        /// The deployment's genesis state root.
        expected: alloy::primitives::B256,
    },
    /// The L1 RPC does not answer.
    #[error("L1 RPC {url} is unreachable: {source}")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// The transport's error.
        #[source]
        source: Box<RpcError<TransportErrorKind>>,
    },
    /// The L1 RPC serves another chain than the deployment's.
    #[error("L1 RPC {url} is chain {found}, but the deployment is on chain {expected}")]
    WrongChain {
        /// The endpoint.
        url: String,
        /// Its chain id.
        found: u64,
        /// The deployment's.
        expected: u64,
    },
    /// A deployment parameter does not fit what the ledger takes.
    #[error("the deployment's {0} does not fit")]
    Parameter(&'static str),
}

/// Reads the deployment record at `path`.
pub fn load_deployment(path: &Path) -> Result<Deployment, ConnectError> {
    Deployment::from_file(path).map_err(ConnectError::Deployment)
}

/// Reads the L2 genesis at `path`, which must be the one `deployment` commits to.
pub fn load_genesis(path: &Path, deployment: &Deployment) -> Result<Genesis, ConnectError> {
    let failed = |reason: String| ConnectError::Genesis {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    let genesis = Genesis::from_json(&text).map_err(|e| failed(e.to_string()))?;
    // An EVM deployment commits to the EVM chain's genesis root, which the node and the keepers
    // check when they open the chain (baton-l2's `deployment::open_chain`).
    if deployment.parameters.l2_execution.is_ledger()
        && genesis.state_root() != deployment.parameters.genesis_state_root
    {
        return Err(ConnectError::WrongGenesis {
            path: path.to_path_buf(),
            found: genesis.state_root(),
            expected: deployment.parameters.genesis_state_root,
        });
    }
    Ok(genesis)
}

/// Connects to the L1 RPC at `url`, which must serve the chain `deployment` is on; returns the
/// provider and the chain id.
pub async fn connect_l1(
    url: &Url,
    deployment: &Deployment,
) -> Result<(RootProvider, u64), ConnectError> {
    let provider = RootProvider::new_http(url.clone());
    let chain_id = provider
        .get_chain_id()
        .await
        .map_err(|source| ConnectError::Unreachable {
            url: url.to_string(),
            source: Box::new(source),
        })?;
    if chain_id != deployment.chain_id {
        return Err(ConnectError::WrongChain {
            url: url.to_string(),
            found: chain_id,
            expected: deployment.chain_id,
        });
    }
    Ok((provider, chain_id))
}

/// The ledger parameters the deployment fixes.
pub fn ledger_config(d: &Deployment) -> Result<LedgerConfig, ConnectError> {
    Ok(LedgerConfig {
        chain_id: d.parameters.l2_chain_id,
        base_fee: d
            .parameters
            .l2_base_fee
            .try_into()
            .map_err(|_| ConnectError::Parameter("l2BaseFee (above u128)"))?,
    })
}

/// What [`L1Args`] name, loaded and checked against each other.
#[derive(Debug, Clone)]
pub struct L1 {
    /// The contracts and parameters.
    pub deployment: Deployment,
    /// L1 reads.
    pub provider: RootProvider,
    /// L1's chain id (the deployment's).
    pub chain_id: u64,
}

impl L1Args {
    /// Loads the deployment and connects to the L1 it is on.
    pub async fn connect(&self) -> Result<L1, ConnectError> {
        let deployment = load_deployment(&self.deployment)?;
        let (provider, chain_id) = connect_l1(&self.l1_rpc, &deployment).await?;
        Ok(L1 {
            deployment,
            provider,
            chain_id,
        })
    }

    /// The genesis of `deployment` (from --genesis, or the profile's file).
    pub fn load_genesis(&self, deployment: &Deployment) -> Result<Genesis, ConnectError> {
        load_genesis(&self.genesis_path(deployment), deployment)
    }
}
