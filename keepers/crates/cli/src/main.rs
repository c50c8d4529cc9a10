//! `baton`: one binary, a subcommand per role. `main` parses, installs tracing, runs, and maps
//! an error to exit code 1.
//!
//! Read in this order:
//! - `common`: what every command shares (endpoints, amounts, sending with advice); `rpc`: a
//!   plain JSON-RPC call. Both are leaves.
//! - `user`: the user and operator commands, one module each (`deposit`, `withdraw`,
//!   `force_include`, `stake`, `status`: the network snapshot `baton status` and the devnet show).
//! - `devnet`: the whole network on this machine (`args`, `net`, `proc`, `live`, `scenario`,
//!   `timeline`).
//! - `node`, `proposer`, `challenger`, `watcher`: the roles, from `baton-node` and
//!   `baton-keeper`.

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

mod common;
mod devnet;
mod user;

#[derive(Parser)]
#[command(
    name = "baton",
    version,
    about = "baton: a decentralized sequencer network for optimistic rollups"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a sequencer node: L2 JSON-RPC, sealing and posting when it leads, following otherwise.
    Node(Box<baton_node::NodeConfig>),
    /// Propose outputs, finalize them, and defend every dispute against them.
    Proposer(Box<baton_keeper::ProposerConfig>),
    /// Dispute outputs whose root this keeper cannot reproduce, and play them to the end.
    Challenger(Box<baton_keeper::ChallengerConfig>),
    /// Slash equivocation, censorship and missed epochs; `submit-evidence` hands it a receipt.
    Watcher(Box<WatcherCommand>),
    /// Run the whole network locally (anvil, contracts, sequencers, keepers), or one of its
    /// adversarial scenarios with --scenario.
    Devnet(Box<devnet::DevnetArgs>),
    /// Run the EVM L2 alone (one sequencer, no L1) with its JSON-RPC, for forge, cast and
    /// dapps; `devnet` runs the same chain under the whole network.
    EvmDev(Box<baton_l2::DevConfig>),
    /// Deposit ETH from L1 to L2 through the portal.
    Deposit(Box<user::deposit::DepositArgs>),
    /// Withdraw ETH from L2 to L1: `start` on L2, `finalize` on L1 once its output is final.
    #[command(subcommand)]
    Withdraw(Box<user::withdraw::WithdrawCommand>),
    /// Sign an L2 transfer and enqueue it on L1, where every sequencer must include it.
    ForceInclude(Box<user::force_include::ForceIncludeArgs>),
    /// Bond stake as a sequencer operator (or add to it).
    Bond(Box<user::stake::BondArgs>),
    /// Start unbonding stake (withdrawable after the unbonding period).
    Unbond(Box<user::stake::UnbondArgs>),
    /// Collect unbonded stake once the unbonding period has passed.
    WithdrawStake(Box<user::stake::KeyedArgs>),
    /// The network's state (epoch, leader, heads, records, outputs, disputes, slashes) and,
    /// with --address, one account's.
    Status(Box<user::status::StatusArgs>),
}

/// `baton watcher`: run the watcher, or hand a running one a preconfirmation receipt.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct WatcherCommand {
    #[command(subcommand)]
    action: Option<WatcherAction>,
    #[command(flatten)]
    config: baton_keeper::WatcherConfig,
}

#[derive(Subcommand)]
enum WatcherAction {
    /// Hand a watcher a preconfirmation receipt (the JSON `baton_getPreconfirmation` returns):
    /// if its header conflicts with another signed header for the same height, the signer is
    /// slashed.
    SubmitEvidence {
        /// The watcher's JSON-RPC URL.
        #[arg(
            long,
            env = "BATON_WATCHER_RPC",
            default_value = "http://127.0.0.1:9650"
        )]
        watcher_rpc: String,
        /// File holding the receipt JSON (`-` for standard input).
        #[arg(long)]
        receipt: std::path::PathBuf,
    },
}

/// Sends a receipt to a watcher's `baton_submitEvidence` and prints its answer.
async fn submit_evidence(url: &str, receipt: &std::path::Path) -> eyre::Result<()> {
    use baton_rpc::WatcherApiClient;
    use eyre::WrapErr;
    let text = if receipt.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).wrap_err("reading the receipt from stdin")?
    } else {
        std::fs::read_to_string(receipt)
            .wrap_err_with(|| format!("reading the receipt {}", receipt.display()))?
    };
    let receipt: serde_json::Value = serde_json::from_str(&text)
        .wrap_err("the receipt is not JSON: pass what baton_getPreconfirmation returned")?;
    // Accept the bare result or the whole JSON-RPC response.
    let receipt = receipt.get("result").cloned().unwrap_or(receipt);
    let client = common::rpc_client(url)?;
    let answer = match client.submit_evidence(receipt).await {
        Ok(answer) => answer,
        Err(jsonrpsee::core::client::Error::Call(e)) => {
            eyre::bail!("the watcher refused the receipt: {}", e.message())
        }
        Err(e) => {
            return Err(e)
                .wrap_err_with(|| format!("cannot reach the watcher at {url} (--watcher-rpc)"));
        }
    };
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

/// Cancels `token` on SIGINT or SIGTERM.
fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    let _ = tokio::signal::ctrl_c().await;
                    token.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("signal received: shutting down");
        token.cancel();
    });
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // Services log what they do. A user's one-shot command and the devnet (whose children log
    // to their own files) print their own answer, and log only warnings unless BATON_LOG asks
    // for more.
    let service = matches!(
        cli.command,
        Command::Node(_)
            | Command::Proposer(_)
            | Command::Challenger(_)
            | Command::Watcher(_)
            | Command::EvmDev(_)
    );
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BATON_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(if service { "info" } else { "warn" })
            }),
        )
        .init();
    let cancel = CancellationToken::new();
    // Long-running commands stop cleanly on SIGINT/SIGTERM; a one-shot command keeps the
    // default (it exits at once), since it never looks at the token.
    if service || matches!(cli.command, Command::Devnet(_)) {
        cancel_on_signal(cancel.clone());
    }
    let result = match cli.command {
        Command::Node(config) => baton_node::run(*config, cancel).await,
        Command::Proposer(config) => baton_keeper::proposer::run(*config, cancel).await,
        Command::Challenger(config) => baton_keeper::challenger::run(*config, cancel).await,
        Command::Watcher(watcher) => match watcher.action {
            Some(WatcherAction::SubmitEvidence {
                watcher_rpc,
                receipt,
            }) => submit_evidence(&watcher_rpc, &receipt).await,
            None => baton_keeper::watcher::run(watcher.config, cancel).await,
        },
        Command::Devnet(args) => devnet::run(*args, cancel).await,
        Command::EvmDev(config) => baton_l2::dev::run(*config, cancel).await,
        Command::Deposit(args) => user::deposit::deposit(*args).await,
        Command::Withdraw(command) => user::withdraw::withdraw(*command).await,
        Command::ForceInclude(args) => user::force_include::force_include(*args).await,
        Command::Bond(args) => user::stake::bond(*args).await,
        Command::Unbond(args) => user::stake::unbond(*args).await,
        Command::WithdrawStake(args) => user::stake::withdraw_stake(*args).await,
        Command::Status(args) => user::status::status(*args).await,
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every `BATON_*` variable a subcommand reads is documented in `.env.example`.
    #[test]
    fn env_example_lists_every_variable() {
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../.env.example"
        ))
        .expect(".env.example at the repository root");
        let cli = Cli::command();
        let mut missing = Vec::new();
        for sub in cli.get_subcommands() {
            for arg in sub.get_arguments() {
                if let Some(var) = arg.get_env().and_then(|v| v.to_str())
                    && !example.contains(&format!("{var}="))
                {
                    missing.push(var.to_string());
                }
            }
        }
        assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    }
}
