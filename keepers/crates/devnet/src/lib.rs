//! A real anvil with the contracts deployed by the real `script/Deploy.s.sol`: what the
//! integration tests of every crate start from.

use alloy::{
    network::EthereumWallet,
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, U64, U256, hex},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_bindings::Deployment;
use eyre::{WrapErr, bail, ensure};
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

pub mod command;

/// How long `forge script` may take to deploy. It compiles first when `out/` is stale, and the
/// wasm solc needs ~6 minutes for a full build on two cores.
const DEPLOY_LIMIT: Duration = Duration::from_secs(20 * 60);

/// An anvil node (killed on drop) and the deployment record the deploy script wrote.
pub struct Devnet {
    /// The anvil process.
    pub anvil: AnvilInstance,
    /// The record the deploy script wrote.
    pub deployment: Deployment,
    /// The absolute path of the record (deleted when the devnet is dropped).
    pub record_path: PathBuf,
    _record: RemoveOnDrop,
}

/// The repository root: `keepers/crates/bindings/../../..`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .canonicalize()
        .expect("the bindings crate lives inside the repository")
}

/// A foundry binary from `$env_var`, or else from the pinned npm package under `node_modules`.
///
/// The `-linux-amd64` package holds the real ELF; the `node_modules/.bin` shim would run it under
/// a node wrapper that does not pass on the kill alloy's `Anvil` sends on drop.
pub fn foundry_tool(env_var: &str, tool: &str) -> eyre::Result<PathBuf> {
    let path = match std::env::var_os(env_var) {
        Some(path) => PathBuf::from(path),
        None => repo_root().join(format!(
            "node_modules/@foundry-rs/{tool}-linux-amd64/bin/{tool}"
        )),
    };
    if !path.is_file() {
        bail!(
            "{tool} not found at {}: run `npm ci` at the repository root (it installs the pinned \
             foundry toolchain), or set {env_var} to the {tool} binary",
            path.display()
        );
    }
    Ok(path)
}

/// An anvil with 20 development accounts (the first ten are funded on L2 too, by
/// `script/genesis/devnet.json`; keepers and separate signer keys use the other ten), mining a
/// block every `block_time` seconds when given, else on every transaction.
pub fn anvil(block_time: Option<u64>) -> eyre::Result<Anvil> {
    let mut anvil = Anvil::at(foundry_tool("BATON_ANVIL", "anvil")?).args(["--accounts", "20"]);
    if let Some(seconds) = block_time {
        anvil = anvil.block_time(seconds);
    }
    Ok(anvil)
}

/// Starts anvil (automining) and deploys the `devnet` profile (the EVM chain) through
/// `forge script --broadcast`.
pub async fn start() -> eyre::Result<Devnet> {
    start_with(None).await
}

/// Like [`start`], with anvil mining a block every `block_time` seconds when given.
pub async fn start_with(block_time: Option<u64>) -> eyre::Result<Devnet> {
    start_profile(block_time, "devnet").await
}

/// Like [`start_with`], deploying `script/profiles/<profile>.json`.
pub async fn start_profile(block_time: Option<u64>, profile: &str) -> eyre::Result<Devnet> {
    let root = repo_root();
    let forge_bin = foundry_tool("BATON_FORGE", "forge")?;
    let anvil = anvil(block_time)?.try_spawn().wrap_err("spawning anvil")?;

    // A file of our own, so that tests running in parallel (or a developer's devnet) do not
    // overwrite each other's deployments/31337.json.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let record_rel = format!("deployments/test-{}-{nanos}.json", std::process::id());
    let record = RemoveOnDrop(root.join(&record_rel));

    let deployer_key = hex::encode_prefixed(anvil.keys()[0].to_bytes());
    deploy(
        &forge_bin,
        &anvil.endpoint(),
        &deployer_key,
        profile,
        &record_rel,
    )
    .await?;

    let deployment =
        Deployment::from_file(&record.0).wrap_err("reading the record Deploy.s.sol wrote")?;
    ensure!(
        deployment.chain_id == anvil.chain_id(),
        "record is for chain {}, anvil runs {}",
        deployment.chain_id,
        anvil.chain_id()
    );
    ensure!(
        deployment.profile == profile,
        "record names profile {:?}, not {profile:?}",
        deployment.profile
    );
    Ok(Devnet {
        anvil,
        deployment,
        record_path: record.0.clone(),
        _record: record,
    })
}

/// Deploys every contract with `script/Deploy.s.sol` (`forge script --broadcast`) and the
/// `profile`'s parameters, writing the record to `record` (a path relative to the repository
/// root, where forge may write).
pub async fn deploy(
    forge: &Path,
    l1_rpc: &str,
    deployer_key: &str,
    profile: &str,
    record: &str,
) -> eyre::Result<()> {
    let started = Instant::now();
    let mut cmd = std::process::Command::new(forge);
    cmd.current_dir(repo_root())
        .args(["script", "script/Deploy.s.sol:Deploy", "--rpc-url", l1_rpc])
        .args(["--broadcast", "--private-key", deployer_key])
        .env("BATON_PROFILE", profile)
        .env("BATON_DEPLOYMENT_FILE", record);
    let output = command::run(cmd, DEPLOY_LIMIT).await?;
    if !output.status.success() {
        bail!(
            "forge script script/Deploy.s.sol:Deploy failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
    eprintln!("deployed through forge script in {:.1?}", started.elapsed());
    Ok(())
}

/// One sequencer to bond: the operator key that sends the bond, the signer its node signs
/// headers with, and the stake.
pub struct Bonding {
    /// The operator's key.
    pub operator: PrivateKeySigner,
    /// The signer address registered with the bond.
    pub signer: Address,
    /// Wei bonded.
    pub stake: U256,
}

/// Bonds every operator, then takes the two checkpoints that put them in the leader schedule
/// (the first captures the set, the second draws over it from two epochs on) and mines to the
/// first epoch they lead. Needs an anvil (it mines with `anvil_mine`).
pub async fn activate(
    deployment: &Deployment,
    l1_rpc: &str,
    operators: &[Bonding],
) -> eyre::Result<()> {
    let url: alloy::transports::http::reqwest::Url = l1_rpc.parse().wrap_err("the L1 RPC URL")?;
    for (i, bonding) in operators.iter().enumerate() {
        let p = ProviderBuilder::new()
            .wallet(EthereumWallet::from(bonding.operator.clone()))
            .connect_http(url.clone());
        let receipt = deployment
            .registry(&p)
            .bond(bonding.signer)
            .value(bonding.stake)
            .send()
            .await?
            .get_receipt()
            .await?;
        ensure!(receipt.status(), "the bond of operator {i} reverted");
    }
    let first = operators
        .first()
        .ok_or_else(|| eyre::eyre!("no operator to bond"))?;
    let p = ProviderBuilder::new()
        .wallet(EthereumWallet::from(first.operator.clone()))
        .connect_http(url);
    let schedule = deployment.leader_schedule(&p);
    let epoch_length = deployment.parameters.epoch_length;
    for _ in 0..2 {
        mine(&p, epoch_length).await?;
        schedule.checkpoint().send().await?.get_receipt().await?;
    }
    mine(&p, 2 * epoch_length).await
}

/// Mines `n` L1 blocks at once (anvil only).
pub async fn mine(provider: &impl Provider, n: u64) -> eyre::Result<()> {
    provider
        .raw_request::<_, serde_json::Value>("anvil_mine".into(), [U64::from(n)])
        .await?;
    Ok(())
}

/// Deletes a file (a test's deployment record) however its owner ends.
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.0) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => eprintln!("could not remove {}: {e}", self.0.display()),
        }
    }
}

/// Deletes a directory and what it holds however its owner ends.
pub struct RemoveDirOnDrop(pub PathBuf);

impl Drop for RemoveDirOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
