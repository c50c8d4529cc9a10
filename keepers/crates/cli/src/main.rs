//! `baton`: one binary, a subcommand per role. `main` parses, installs tracing, runs, and maps
//! an error to exit code 1.

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

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
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BATON_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cancel = CancellationToken::new();
    cancel_on_signal(cancel.clone());
    let result = match cli.command {
        Command::Node(config) => baton_node::run(*config, cancel).await,
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
