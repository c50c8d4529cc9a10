//! The user and operator commands, run as a user would (the real `baton` binary) against a real
//! network: deposit, a withdrawal from start to payout, force inclusion, bond / unbond /
//! withdraw-stake, status, and the errors that say what to fix.

use crate::harness::{KeeperProc, NetOptions, Network, rpc, start_network_with, wait_for};
use alloy::{
    primitives::{Address, U256, hex},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_devnet::repo_root;
use eyre::{OptionExt, ensure};
use serde_json::{Value, json};
use std::time::Duration;

/// `baton <args>` with the network's endpoints and `key`; (success, stdout, stderr).
pub(crate) async fn baton(
    net: &Network,
    key: Option<&PrivateKeySigner>,
    args: &[&str],
) -> eyre::Result<(bool, String, String)> {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.current_dir(repo_root())
        .args(args)
        .args(["--l1-rpc", &net.devnet.anvil.endpoint()])
        .arg("--deployment")
        .arg(&net.devnet.record_path)
        .args(["--l2-rpc", &net.nodes[0].url])
        .env_remove("BATON_PRIVATE_KEY");
    if let Some(key) = key {
        cmd.env("BATON_PRIVATE_KEY", hex::encode_prefixed(key.to_bytes()));
    }
    // Each command answers within seconds; the limit only turns a hang into an error.
    let out = baton_devnet::command::run(cmd, Duration::from_secs(600)).await?;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    eprintln!("$ baton {}\n{stdout}{stderr}", args.join(" "));
    Ok((out.status.success(), stdout, stderr))
}

/// The L2 transaction `baton withdraw start` told to finalize, from its output.
pub(crate) fn finalize_tx_of(out: &str) -> eyre::Result<String> {
    Ok(out
        .split("baton withdraw finalize --tx ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .ok_or_eyre("no finalize command printed")?
        .to_string())
}

fn key(net: &Network, i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(net.devnet.anvil.keys()[i].clone())
}

async fn l2_balance(net: &Network, a: Address) -> eyre::Result<U256> {
    Ok(serde_json::from_value(
        rpc(&net.nodes[0].url, "eth_getBalance", json!([a, "latest"])).await?,
    )?)
}

#[tokio::test(flavor = "multi_thread")]
async fn user_commands_move_funds_and_explain_errors() -> eyre::Result<()> {
    let net = start_network_with(
        "user-cli",
        &NetOptions {
            separate_signer: true,
            ..Default::default()
        },
    )
    .await?;
    let proposer = KeeperProc::start(&net, "proposer", key(&net, 10), &[])?;
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let ether = U256::from(10u64).pow(U256::from(18));
    let user = key(&net, 5);

    // status
    let (ok, out, _) = baton(
        &net,
        None,
        &["status", "--address", &user.address().to_string()],
    )
    .await?;
    ensure!(
        ok && out.contains("epoch") && out.contains("L2 balance"),
        "status: {out}"
    );

    // deposit: credited on L2.
    let depositee = Address::repeat_byte(0xd1);
    let (ok, out, _) = baton(
        &net,
        Some(&user),
        &["deposit", "--amount", "1.5", "--to", &depositee.to_string()],
    )
    .await?;
    ensure!(
        ok && out.contains("on L2 after") && out.contains("succeeded"),
        "deposit: {out}"
    );
    ensure!(l2_balance(&net, depositee).await? == ether * U256::from(3) / U256::from(2));

    // A bad amount is refused with what to type instead.
    let (ok, _, err) = baton(&net, Some(&user), &["deposit", "--amount", "lots"]).await?;
    ensure!(
        !ok && err.contains("not an amount of ETH"),
        "bad amount: {err}"
    );

    // force-include: the transfer reaches L2 through the queue.
    let forced_to = Address::repeat_byte(0xf1);
    let (ok, out, _) = baton(
        &net,
        Some(&key(&net, 6)),
        &[
            "force-include",
            "--to",
            &forced_to.to_string(),
            "--amount",
            "0.001",
        ],
    )
    .await?;
    ensure!(
        ok && out.contains("enqueued as force-queue entry"),
        "force-include: {out}"
    );
    wait_for(
        "the forced transfer on L2",
        Duration::from_secs(60),
        String::new,
        || async {
            Ok((l2_balance(&net, forced_to).await? == ether / U256::from(1000)).then_some(()))
        },
    )
    .await?;

    // withdraw: started on L2, not final at first, then paid on L1 to the named recipient.
    let l1_recipient = Address::repeat_byte(0xe1);
    let (ok, out, _) = baton(
        &net,
        Some(&user),
        &[
            "withdraw",
            "start",
            "--amount",
            "0.5",
            "--to",
            &l1_recipient.to_string(),
        ],
    )
    .await?;
    ensure!(ok, "withdraw start: {out}");
    let tx = finalize_tx_of(&out)?;
    let (ok, out, _) = baton(&net, Some(&user), &["withdraw", "finalize", "--tx", &tx]).await?;
    ensure!(
        ok && out.contains("not "),
        "an early finalize says what it waits for: {out}"
    );
    wait_for(
        "the withdrawal paid on L1",
        Duration::from_secs(240),
        || proposer.log(),
        || async {
            let (_, out, _) =
                baton(&net, Some(&user), &["withdraw", "finalize", "--tx", &tx]).await?;
            Ok(out.contains("paid 0.5 ETH").then_some(()))
        },
    )
    .await?;
    ensure!(l1.get_balance(l1_recipient).await? == ether / U256::from(2));
    let (ok, _, err) = baton(&net, Some(&user), &["withdraw", "finalize", "--tx", &tx]).await?;
    ensure!(
        !ok && err.contains("already paid"),
        "a second finalize: {err}"
    );

    // bond: too little is refused with the contract's error and advice; then bond, unbond,
    // and withdraw the stake once the unbonding period has passed.
    let operator = key(&net, 15);
    let (ok, _, err) = baton(&net, Some(&operator), &["bond", "--amount", "0.5"]).await?;
    ensure!(
        !ok && err.contains("StakeTooLow") && err.contains("minStake"),
        "{err}"
    );
    let (ok, out, _) = baton(&net, Some(&operator), &["bond", "--amount", "2"]).await?;
    ensure!(ok && out.contains("2 ETH bonded"), "bond: {out}");
    let (ok, out, _) = baton(&net, Some(&operator), &["unbond"]).await?;
    ensure!(ok && out.contains("unbonding 2 ETH"), "unbond: {out}");
    let (ok, _, err) = baton(&net, Some(&operator), &["withdraw-stake"]).await?;
    ensure!(
        !ok && err.contains("withdrawable in"),
        "early withdraw-stake: {err}"
    );
    let period = net.devnet.deployment.parameters.unbonding_period;
    l1.raw_request::<_, Value>("evm_increaseTime".into(), [period + 1])
        .await?;
    l1.raw_request::<_, Value>("evm_mine".into(), ()).await?;
    let before = l1.get_balance(operator.address()).await?;
    let (ok, out, _) = baton(&net, Some(&operator), &["withdraw-stake"]).await?;
    ensure!(
        ok && out.contains("withdrew 2 ETH"),
        "withdraw-stake: {out}"
    );
    ensure!(l1.get_balance(operator.address()).await? > before + ether);

    // A command without a key says how to give one.
    let (ok, _, err) = baton(&net, None, &["unbond"]).await?;
    ensure!(!ok && err.contains("--private-key"), "no key: {err}");
    Ok(())
}
