//! `baton devnet --scenario all`, exactly as a user runs it: each fault injected on a fresh
//! network, and the protocol's answer (slash, forced record, won game, payouts) awaited. The
//! command exits non-zero when an answer does not come. On the ledger and on the EVM chain.

use baton_devnet::repo_root;
use eyre::ensure;

#[tokio::test(flavor = "multi_thread")]
async fn every_devnet_scenario_gets_the_protocols_answer_on_the_ledger() -> eyre::Result<()> {
    every_scenario_answered("devnet-ledger").await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_devnet_scenario_gets_the_protocols_answer() -> eyre::Result<()> {
    every_scenario_answered("devnet").await
}

async fn every_scenario_answered(profile: &str) -> eyre::Result<()> {
    let l2 = crate::harness::free_devnet_ports();
    let l1 = l2 + 200;
    let dir = std::env::temp_dir().join(format!(
        "baton-it-scenarios-{profile}-{}",
        std::process::id()
    ));
    let _keep = crate::harness::TempDir(dir.clone());
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(repo_root())
        .args(["devnet", "--profile", profile, "--scenario", "all"])
        .args(["--l1-port", &l1.to_string(), "--l2-port", &l2.to_string()])
        .arg("--data-dir")
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let _group = crate::harness::KillGroupOnDrop(child.id());
    let out = child.wait_with_output().await?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    ensure!(
        out.status.success(),
        "baton devnet --profile {profile} --scenario all failed"
    );
    for name in [
        "equivocation",
        "censorship",
        "offline-leader",
        "invalid-output",
    ] {
        ensure!(
            stdout.contains(&format!("=== {name}: the protocol answered")),
            "no answer for {name}"
        );
    }
    Ok(())
}
