//! A real anvil with the contracts deployed by the real `script/Deploy.s.sol`: what the
//! integration tests of every crate start from.

use alloy::{
    node_bindings::{Anvil, AnvilInstance},
    primitives::hex,
};
use baton_bindings::Deployment;
use eyre::{WrapErr, bail, ensure};
use std::{
    path::{Path, PathBuf},
    time::{Instant, SystemTime, UNIX_EPOCH},
};

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

/// Starts anvil (automining) and deploys the devnet profile through `forge script --broadcast`.
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
    let anvil_bin = foundry_tool("BATON_ANVIL", "anvil")?;
    let forge_bin = foundry_tool("BATON_FORGE", "forge")?;

    // 20 development accounts: the first ten are funded on L2 too (script/genesis/devnet.json);
    // tests give keepers and separate signer keys accounts from the other ten.
    let mut anvil = Anvil::at(&anvil_bin).args(["--accounts", "20"]);
    if let Some(seconds) = block_time {
        anvil = anvil.block_time(seconds);
    }
    let anvil = anvil
        .try_spawn()
        .wrap_err_with(|| format!("spawning {}", anvil_bin.display()))?;

    // A file of our own, so that tests running in parallel (or a developer's devnet) do not
    // overwrite each other's deployments/31337.json.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let record_rel = format!("deployments/test-{}-{nanos}.json", std::process::id());
    let record = RemoveOnDrop(root.join(&record_rel));

    let deployer_key = hex::encode_prefixed(anvil.keys()[0].to_bytes());
    let started = Instant::now();
    let output = tokio::process::Command::new(&forge_bin)
        .current_dir(&root)
        .args(["script", "script/Deploy.s.sol:Deploy", "--rpc-url"])
        .arg(anvil.endpoint())
        .args(["--broadcast", "--private-key", &deployer_key])
        .env("BATON_PROFILE", profile)
        .env("BATON_DEPLOYMENT_FILE", &record_rel)
        .kill_on_drop(true)
        .output()
        .await
        .wrap_err_with(|| format!("running {}", forge_bin.display()))?;
    if !output.status.success() {
        bail!(
            "forge script script/Deploy.s.sol:Deploy failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
    eprintln!("deployed through forge script in {:.1?}", started.elapsed());

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

/// Deletes the test's deployment record however the test ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.0) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => eprintln!("could not remove {}: {e}", self.0.display()),
        }
    }
}
