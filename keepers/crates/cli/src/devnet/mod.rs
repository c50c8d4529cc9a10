//! `baton devnet`: the whole network on one machine. Anvil as L1 (its state kept in the data
//! directory, so a restart resumes), every contract deployed by the real deploy script, bonded
//! sequencers each running `baton node`, a proposer, a challenger and a watcher, all as child
//! processes of this one, with a status block redrawn every second until Ctrl-C. `--scenario`
//! runs a fault instead.
//!
//! - [`args`]: the flags and the scenarios; [`net`]: the network and its processes ([`proc`]);
//! - [`live`]: the status output; [`scenario`] and [`timeline`]: the faults and what the
//!   protocol did about them.

pub(crate) mod args;
pub(crate) mod live;
pub(crate) mod net;
pub(crate) mod proc;
pub(crate) mod scenario;
pub(crate) mod timeline;

pub(crate) use args::DevnetArgs;

use crate::{common::step, user::status::Snapshot};
use live::LiveStatus;
use net::{Faults, Net};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// `baton devnet`.
pub(crate) async fn run(args: DevnetArgs, cancel: CancellationToken) -> eyre::Result<()> {
    if let Some(scenario) = args.scenario {
        return scenario::run(&args, scenario, cancel).await;
    }
    let faults = Faults::default();
    let start = Net::start(&args, &faults, &args.deployment_file, false, !args.fresh);
    // Ctrl-C during start-up drops what has started: every child is killed with it.
    let mut net = tokio::select! {
        net = start => net?,
        _ = cancel.cancelled() => {
            step("interrupted during start-up; stopped");
            return Ok(());
        }
    };
    net.print_endpoints();
    let result = status_loop(&mut net, &cancel).await;
    step("stopping");
    net.stop().await;
    step("devnet stopped");
    result
}

/// Shows the status every second (live.rs) until cancelled or a process exits.
async fn status_loop(net: &mut Net, cancel: &CancellationToken) -> eyre::Result<()> {
    let node = (!net.nodes.is_empty()).then(|| net.args.node_url(0));
    let mut live = LiveStatus::for_stdout();
    loop {
        net.check_alive()?;
        let text = match Snapshot::read(&net.l1, &net.deployment, node.as_deref()).await {
            Ok(s) => s.report(|a| net.name(a)),
            Err(e) => format!("status unavailable: {e:#}"),
        };
        live.show(&text);
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
