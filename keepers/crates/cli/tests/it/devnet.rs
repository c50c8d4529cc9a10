//! `baton devnet`, the README's first command, as a user runs it: it comes up, serves L2 and
//! proposes outputs, stops cleanly on SIGTERM (every process gone, every port free), and a
//! second start resumes the same chain from its data directory.

use crate::harness::{KillGroupOnDrop, TempDir, free_devnet_ports, rpc, transfer, wait_for};
use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_bindings::Deployment;
use baton_devnet::{RemoveOnDrop, repo_root};
use eyre::{WrapErr, ensure};
use serde_json::json;
use std::{path::Path, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

/// Starts `baton devnet` on `l2` (L1 on `l2 + 200`) with its output in `dir/out-<n>.log`.
fn start(dir: &Path, record: &str, l2: u16, n: u32) -> eyre::Result<Child> {
    let log = std::fs::File::create(dir.join(format!("out-{n}.log")))?;
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(repo_root())
        .args(["devnet", "--l2-port", &l2.to_string()])
        .args(["--l1-port", &(l2 + 200).to_string()])
        .args(["--deployment-file", record])
        .arg("--data-dir")
        .arg(dir.join("devnet"))
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .wrap_err("starting baton devnet")
}

/// SIGTERM, as Ctrl-C would; the devnet must exit zero within 60 s.
async fn stop(child: &mut Child) -> eyre::Result<()> {
    let pid = child
        .id()
        .ok_or_else(|| eyre::eyre!("devnet already exited"))?;
    std::process::Command::new("kill")
        .args(["-s", "TERM", "--", &pid.to_string()])
        .status()?;
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait()).await??;
    ensure!(
        status.success(),
        "baton devnet exited {status} after SIGTERM"
    );
    Ok(())
}

fn output(dir: &Path, n: u32) -> String {
    std::fs::read_to_string(dir.join(format!("out-{n}.log"))).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_devnet_stops_cleanly_and_resumes_its_chain() -> eyre::Result<()> {
    let l2 = free_devnet_ports();
    let dir = std::env::temp_dir().join(format!("baton-it-devnet-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let _dir = TempDir(dir.clone());
    let record = format!("deployments/test-devnet-{}.json", std::process::id());
    let _record = RemoveOnDrop(repo_root().join(&record));
    let node = format!("http://127.0.0.1:{l2}");
    let l1 = ProviderBuilder::new().connect_http(format!("http://127.0.0.1:{}", l2 + 200).parse()?);
    // Anvil's development key 4, funded on L2 by the devnet genesis.
    let user: PrivateKeySigner =
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a".parse()?;

    let mut devnet = start(&dir, &record, l2, 1)?;
    let _group = KillGroupOnDrop(devnet.id());
    wait_for(
        "the devnet up",
        Duration::from_secs(180),
        || output(&dir, 1),
        || async { Ok(output(&dir, 1).contains("baton devnet is up").then_some(())) },
    )
    .await?;
    let d = Deployment::from_file(repo_root().join(&record))?;
    transfer(&node, &user, 12_345).await?;
    let oracle = d.output_oracle(&l1);
    wait_for(
        "an output on L1",
        Duration::from_secs(120),
        || output(&dir, 1),
        || async { Ok((oracle.outputCount().call().await? >= U256::from(1)).then_some(())) },
    )
    .await?;
    let recipient = Address::repeat_byte(0x77);
    let balance = rpc(&node, "eth_getBalance", json!([recipient, "latest"])).await?;
    let head = rpc(&node, "eth_blockNumber", json!([])).await?;

    stop(&mut devnet).await?;
    ensure!(
        output(&dir, 1).contains("devnet stopped"),
        "{}",
        output(&dir, 1)
    );
    // Its output went to a file: plain status lines, no cursor movement.
    let out = output(&dir, 1);
    ensure!(
        out.contains("status | ") && !out.contains("\x1b[K") && !out.contains("\x1b[J"),
        "not plain status lines:\n{out}"
    );
    for port in [l2, l2 + 1, l2 + 2, l2 + 105, l2 + 110, l2 + 200] {
        ensure!(
            std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port} is still held after the devnet stopped"
        );
    }

    // The second start resumes: same contracts, same L2 state, and the chain goes on.
    let mut devnet = start(&dir, &record, l2, 2)?;
    let _group2 = KillGroupOnDrop(devnet.id());
    wait_for(
        "the devnet resumed",
        Duration::from_secs(180),
        || output(&dir, 2),
        || async {
            Ok(output(&dir, 2)
                .contains("baton devnet is up (resumed)")
                .then_some(()))
        },
    )
    .await?;
    ensure!(
        !output(&dir, 2).contains("deploying"),
        "a resumed devnet deployed again:\n{}",
        output(&dir, 2)
    );
    let resumed_head: u64 = serde_json::from_value::<alloy::primitives::U64>(
        rpc(&node, "eth_blockNumber", json!([])).await?,
    )?
    .to();
    let before: u64 = serde_json::from_value::<alloy::primitives::U64>(head)?.to();
    ensure!(
        resumed_head >= before,
        "L2 head went back from {before} to {resumed_head}"
    );
    ensure!(
        rpc(&node, "eth_getBalance", json!([recipient, "latest"])).await? == balance,
        "the L2 balance did not survive the restart"
    );
    ensure!(!l1.get_code_at(d.sequencer_registry).await?.is_empty());
    transfer(&node, &user, 1).await?;
    let outputs: u64 = oracle.outputCount().call().await?.try_into()?;
    wait_for(
        "another output after the resume",
        Duration::from_secs(120),
        || output(&dir, 2),
        || async { Ok((oracle.outputCount().call().await? > U256::from(outputs)).then_some(())) },
    )
    .await?;
    stop(&mut devnet).await
}
