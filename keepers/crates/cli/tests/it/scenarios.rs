//! `baton devnet --scenario all`, exactly as a user runs it: each fault injected on a fresh
//! network, and the protocol's answer (slash, forced record, won game, payouts) awaited. The
//! command exits non-zero when an answer does not come.

use baton_devnet::repo_root;
use eyre::ensure;

/// A base port whose devnet ports (base..base+4, +100..+104, +105, +110..+112, and +200 for
/// L1) are all free. Below Linux's ephemeral range (32768 and up), so that no outgoing
/// connection of the many processes can take one of them while the network starts.
fn free_base() -> u16 {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let offsets: Vec<u16> = (0..5)
        .chain(100..106)
        .chain(110..113)
        .chain([200])
        .collect();
    let seed = std::process::id() as u16;
    (0..200u16)
        .map(|i| 20_000 + (seed.wrapping_mul(7).wrapping_add(i.wrapping_mul(97))) % 12_000)
        .find(|&base| offsets.iter().all(|o| free(base + o)))
        .expect("a free range of ports")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_devnet_scenario_gets_the_protocols_answer() -> eyre::Result<()> {
    let l2 = free_base();
    let l1 = l2 + 200;
    let dir = std::env::temp_dir().join(format!("baton-it-scenarios-{}", std::process::id()));
    let _keep = crate::harness::TempDir(dir.clone());
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .current_dir(repo_root())
        .args(["devnet", "--scenario", "all"])
        .args(["--l1-port", &l1.to_string(), "--l2-port", &l2.to_string()])
        .arg("--data-dir")
        .arg(&dir)
        .kill_on_drop(true)
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    ensure!(out.status.success(), "baton devnet --scenario all failed");
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
