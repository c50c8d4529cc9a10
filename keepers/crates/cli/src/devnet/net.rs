//! The running network of `baton devnet`: anvil with the contracts deployed by the real deploy
//! script, the bonded sequencers' `baton node`s and the keepers, each a child process.

use super::{
    args::DevnetArgs,
    proc::{Proc, terminate},
};
use crate::common::{rpc_client, step};
use alloy::{
    node_bindings::AnvilInstance,
    primitives::{Address, U256, hex},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use baton_bindings::Deployment;
use baton_devnet::{Bonding, RemoveOnDrop, foundry_tool, repo_root};
use baton_rpc::BatonApiClient;
use eyre::{WrapErr, bail, ensure};
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};
use tokio::process::Command;

/// Anvil development keys by role. The L2 genesis funds keys 0-9 as well.
const OPERATOR_KEYS: [usize; 5] = [1, 2, 3, 13, 14];
/// Operator 0 signs with this key, and the proposer sends from it: the proposer then never races
/// operator 0's node for the operator's nonces.
pub(crate) const SIGNER_KEY: usize = 10;
pub(crate) const CHALLENGER_KEY: usize = 11;
pub(crate) const WATCHER_KEY: usize = 12;
/// Keys 4-9: users, funded on L1 and L2.
pub(crate) const USER_KEYS: std::ops::RangeInclusive<usize> = 4..=9;

/// What differs between the plain devnet and a scenario's network.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    /// Extra flags per node index.
    pub(crate) node_args: HashMap<usize, Vec<String>>,
    /// Extra flags of the proposer.
    pub(crate) proposer_args: Vec<String>,
}

/// The running network.
pub(crate) struct Net {
    pub(crate) args: DevnetArgs,
    anvil: AnvilInstance,
    pub(crate) deployment: Deployment,
    pub(crate) record: PathBuf,
    _record_guard: Option<RemoveOnDrop>,
    pub(crate) l1: DynProvider,
    pub(crate) keys: Vec<PrivateKeySigner>,
    /// Operators in node order.
    pub(crate) operators: Vec<Address>,
    pub(crate) nodes: Vec<Proc>,
    pub(crate) keepers: Vec<Proc>,
    /// Whether this run resumed an earlier chain.
    pub(crate) resumed: bool,
    /// The L1 block at which the nodes were started: a scenario's timeline reads from here, so
    /// that nothing the keepers do while the network comes up is missed.
    pub(crate) started_at_block: u64,
}

impl Net {
    /// Starts L1 (resuming `data_dir/l1-state.json` when `resume` and it exists), deploys and
    /// bonds unless resumed, then the nodes and keepers. `record` is the deployment record,
    /// relative to the repository root; `temporary` removes it when the network is dropped.
    pub(crate) async fn start(
        args: &DevnetArgs,
        faults: &Faults,
        record: &str,
        temporary: bool,
        resume: bool,
    ) -> eyre::Result<Net> {
        // A port held by a process that is still exiting (the previous scenario's) frees up
        // within seconds; one held by another program does not.
        let waiting = Instant::now();
        for port in args.ports() {
            while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                ensure!(
                    waiting.elapsed() < Duration::from_secs(10),
                    "port {port} is in use: stop what listens there, or pick other ports with \
                     --l1-port / --l2-port"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        let mut args = args.clone();
        // Absolute, so that the children (which run from the repository root) and this
        // process mean the same directory.
        args.data_dir = std::path::absolute(&args.data_dir)?;
        let args = &args;
        let dir = &args.data_dir;
        std::fs::create_dir_all(dir)
            .wrap_err_with(|| format!("creating the data directory {}", dir.display()))?;
        let state = dir.join("l1-state.json");
        let record_path = repo_root().join(record);
        // Written once a network has fully started: a chain stopped while it was still being
        // deployed or bonded is started over, not resumed half-made.
        let marker = dir.join("launched.json");
        let resumed = resume && state.is_file() && marker.is_file();
        if resumed {
            let launched: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&marker)?)?;
            ensure!(
                record_path.is_file(),
                "{} holds a chain whose deployment record {} is missing: pass the \
                 --deployment-file it was started with ({}), or --fresh to start over",
                dir.display(),
                record_path.display(),
                launched["record"]
            );
            ensure!(
                launched["sequencers"] == serde_json::json!(args.sequencers),
                "the chain in {} was started with {} sequencers: pass --sequencers {}, or \
                 --fresh to start over",
                dir.display(),
                launched["sequencers"],
                launched["sequencers"]
            );
        }
        if !resumed {
            // A new chain: the nodes' and keepers' databases of an earlier one are stale.
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with("node-")
                    || name == "keepers"
                    || name == "l1-state.json"
                    || name == "launched.json"
                    || name.ends_with(".log")
                {
                    remove(&path)?;
                }
            }
        }
        step(&format!(
            "starting anvil on 127.0.0.1:{} ({}, block time {} s)",
            args.l1_port,
            if resumed {
                "resuming the chain in l1-state.json"
            } else {
                "new chain"
            },
            args.block_time
        ));
        // The state is written every 5 s and on a clean stop, so the next start can resume.
        let anvil = baton_devnet::anvil(Some(args.block_time))?
            .port(args.l1_port)
            .args([
                "--state".as_ref(),
                state.as_os_str(),
                "--state-interval".as_ref(),
                "5".as_ref(),
            ])
            .try_spawn()
            .wrap_err("starting anvil")?;
        let keys: Vec<PrivateKeySigner> = anvil
            .keys()
            .iter()
            .map(|k| PrivateKeySigner::from(k.clone()))
            .collect();
        let l1 = ProviderBuilder::new()
            .connect_http(anvil.endpoint_url())
            .erased();

        let record_guard = temporary.then(|| RemoveOnDrop(record_path.clone()));
        let deployment = if resumed {
            let d = Deployment::from_file(&record_path)
                .wrap_err_with(|| format!("reading {}", record_path.display()))?;
            let code = l1.get_code_at(d.sequencer_registry).await?;
            ensure!(
                !code.is_empty(),
                "{} names contracts the resumed L1 does not hold: start over with --fresh",
                record_path.display()
            );
            ensure!(
                d.profile == args.profile,
                "the chain in {} was deployed with the {} profile, not {}: start over with --fresh, \
                 or resume it with --profile {}",
                args.data_dir.display(),
                d.profile,
                args.profile,
                d.profile
            );
            d
        } else {
            step(&format!("deploying with the {} profile", args.profile));
            let forge = foundry_tool("BATON_FORGE", "forge")?;
            let deployer = hex::encode_prefixed(keys[0].to_bytes());
            baton_devnet::deploy(&forge, &anvil.endpoint(), &deployer, &args.profile, record)
                .await?;
            Deployment::from_file(&record_path)?
        };
        let n = usize::from(args.sequencers);
        let operators: Vec<Address> = OPERATOR_KEYS[..n]
            .iter()
            .map(|&k| keys[k].address())
            .collect();
        let mut net = Net {
            args: args.clone(),
            anvil,
            deployment,
            record: record_path,
            _record_guard: record_guard,
            l1,
            keys,
            operators,
            nodes: Vec::new(),
            keepers: Vec::new(),
            resumed,
            started_at_block: 0,
        };
        if args.contracts_only {
            return Ok(net);
        }
        // A failure half-way (a node that exits, a revert) stops what did start, so that the
        // ports are free again for the next try.
        match net.launch(faults).await {
            Ok(()) => {
                let launched = serde_json::json!({"sequencers": args.sequencers, "record": record});
                std::fs::write(&marker, launched.to_string())?;
                Ok(net)
            }
            Err(e) => {
                net.stop().await;
                Err(e)
            }
        }
    }

    /// Bonds the sequencers (on a new chain), then starts the nodes and keepers.
    async fn launch(&mut self, faults: &Faults) -> eyre::Result<()> {
        let args = self.args.clone();
        let n = usize::from(args.sequencers);
        if !self.resumed {
            step(&format!(
                "bonding {n} sequencers (10, 20, 30.. ETH) and drawing the first schedule"
            ));
            let bondings: Vec<Bonding> = OPERATOR_KEYS[..n]
                .iter()
                .enumerate()
                .map(|(i, &k)| Bonding {
                    operator: self.keys[k].clone(),
                    signer: self.signer_of(i).address(),
                    stake: U256::from(10u64 * (i as u64 + 1))
                        * U256::from(10u64).pow(U256::from(18)),
                })
                .collect();
            baton_devnet::activate(&self.deployment, &self.anvil.endpoint(), &bondings).await?;
        }
        self.started_at_block = self.l1.get_block_number().await?;
        for i in 0..n {
            let extra = faults.node_args.get(&i).cloned().unwrap_or_default();
            self.start_node(i, &extra)?;
        }
        if self.resumed {
            // The watcher judges missed epochs from the one it first ran in. After a restart
            // that would include the epoch the nodes came back up in, which a backup may have
            // taken: it starts afresh instead (evidence already used stays used on L1).
            for suffix in ["", "-wal", "-shm"] {
                let path = args
                    .data_dir
                    .join(format!("keepers/watcher.sqlite{suffix}"));
                if path.exists() {
                    remove(&path)?;
                }
            }
        }
        // The keepers derive whichever chain the deployment runs (the ledger or the EVM).
        self.start_keeper("proposer", SIGNER_KEY, &faults.proposer_args)?;
        self.start_keeper("challenger", CHALLENGER_KEY, &[])?;
        step("waiting for the nodes to catch up with L1");
        self.wait_ready().await?;
        // The watcher judges missed epochs from the one it first runs in: start it once an
        // epoch has begun with every node running, so the start-up epoch is not held against a
        // leader that a backup beat to it.
        step("starting the watcher with the next epoch");
        self.wait_next_epoch().await?;
        let nodes = (0..n)
            .map(|i| args.node_url(i))
            .collect::<Vec<_>>()
            .join(",");
        let rpc = format!("127.0.0.1:{}", args.l2_port + 105);
        self.start_keeper(
            "watcher",
            WATCHER_KEY,
            &["--nodes".into(), nodes, "--watcher-rpc-addr".into(), rpc],
        )?;
        Ok(())
    }

    /// The key operator `i`'s node signs with.
    pub(crate) fn signer_of(&self, i: usize) -> &PrivateKeySigner {
        if i == 0 {
            &self.keys[SIGNER_KEY]
        } else {
            &self.keys[OPERATOR_KEYS[i]]
        }
    }

    /// The L1 RPC URL.
    pub(crate) fn l1_url(&self) -> String {
        self.anvil.endpoint()
    }

    fn base_command(&self, role: &str, key: &PrivateKeySigner) -> eyre::Result<Command> {
        let exe = std::env::current_exe().wrap_err("locating the baton binary")?;
        let mut cmd = Command::new(exe);
        cmd.current_dir(repo_root())
            .arg(role)
            .args(["--l1-rpc", &self.l1_url()])
            .arg("--deployment")
            .arg(&self.record)
            .env("BATON_PRIVATE_KEY", hex::encode_prefixed(key.to_bytes()))
            .env(
                "BATON_LOG",
                std::env::var("BATON_LOG").unwrap_or_else(|_| "info".into()),
            );
        Ok(cmd)
    }

    /// Starts (or restarts) node `i`.
    pub(crate) fn start_node(&mut self, i: usize, extra: &[String]) -> eyre::Result<()> {
        let key = self.keys[OPERATOR_KEYS[i]].clone();
        let peers: Vec<String> = (0..usize::from(self.args.sequencers))
            .filter(|&j| j != i)
            .map(|j| self.args.node_url(j))
            .collect();
        let dir = self.args.data_dir.join(format!("node-{i}"));
        let mut cmd = self.base_command("node", &key)?;
        cmd.args([
            "--rpc-addr",
            &format!("127.0.0.1:{}", self.args.node_port(i)),
        ])
        .args([
            "--metrics-addr",
            &format!("127.0.0.1:{}", self.args.l2_port + 100 + i as u16),
        ])
        .arg("--data-dir")
        .arg(&dir)
        .env(
            "BATON_SIGNER_KEY",
            hex::encode_prefixed(self.signer_of(i).to_bytes()),
        )
        .args(extra);
        if !peers.is_empty() {
            cmd.args(["--peers", &peers.join(",")]);
        }
        let log = self.args.data_dir.join(format!("node-{i}.log"));
        let proc = Proc::spawn(&format!("node-{i}"), log, &mut cmd)?;
        if i < self.nodes.len() {
            self.nodes[i] = proc;
        } else {
            self.nodes.push(proc);
        }
        Ok(())
    }

    fn start_keeper(&mut self, role: &str, key: usize, extra: &[String]) -> eyre::Result<()> {
        let n = self.keepers.len() as u16;
        let key = self.keys[key].clone();
        let mut cmd = self.base_command(role, &key)?;
        cmd.arg("--keeper-data-dir")
            .arg(self.args.data_dir.join("keepers"))
            .args([
                "--keeper-metrics-addr",
                &format!("127.0.0.1:{}", self.args.l2_port + 110 + n),
            ])
            .args(extra);
        let log = self.args.data_dir.join(format!("{role}.log"));
        self.keepers.push(Proc::spawn(role, log, &mut cmd)?);
        Ok(())
    }

    /// Metrics URL of keeper `role`.
    pub(crate) fn keeper_metrics(&self, role: &str) -> Option<String> {
        let n = self.keepers.iter().position(|k| k.name == role)? as u16;
        Some(format!(
            "http://127.0.0.1:{}/metrics",
            self.args.l2_port + 110 + n
        ))
    }

    /// Waits until every node answers and has caught up with L1.
    async fn wait_ready(&mut self) -> eyre::Result<()> {
        for i in 0..self.nodes.len() {
            let url = self.args.node_url(i);
            let started = Instant::now();
            loop {
                if let Ok(s) = BatonApiClient::status(&rpc_client(&url)?).await
                    && s.ready
                {
                    break;
                }
                self.check_alive()?;
                if started.elapsed() > Duration::from_secs(120) {
                    bail!(
                        "node {i} did not catch up with L1 within 120 s: see {}",
                        self.nodes[i].log.display()
                    );
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Ok(())
    }

    /// Waits for the L1 block that begins the next epoch.
    async fn wait_next_epoch(&mut self) -> eyre::Result<()> {
        let schedule = self.deployment.leader_schedule(&self.l1);
        let next = schedule.currentEpoch().call().await? + U256::from(1);
        let start: u64 = schedule.epochStartBlock(next).call().await?.try_into()?;
        while self.l1.get_block_number().await? < start {
            self.check_alive()?;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    /// Fails when a node or keeper has exited on its own.
    pub(crate) fn check_alive(&mut self) -> eyre::Result<()> {
        for p in self.nodes.iter_mut().chain(self.keepers.iter_mut()) {
            if p.exited() {
                bail!("{} exited: see {}", p.name, p.log.display());
            }
        }
        Ok(())
    }

    /// A name for an address: `operator-1`.., a keeper's role, or the address.
    pub(crate) fn name(&self, a: Address) -> String {
        if let Some(i) = self.operators.iter().position(|o| *o == a) {
            return format!("operator-{i}");
        }
        for (key, role) in [
            (SIGNER_KEY, "proposer"),
            (CHALLENGER_KEY, "challenger"),
            (WATCHER_KEY, "watcher"),
        ] {
            if self.keys[key].address() == a {
                return role.to_string();
            }
        }
        format!("{a}")
    }

    /// Stops the keepers, then the nodes, then L1 (which writes its state).
    pub(crate) async fn stop(mut self) {
        for p in self.keepers.iter_mut().chain(self.nodes.iter_mut()) {
            p.stop().await;
        }
        terminate(Some(self.anvil.child().id()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if !matches!(self.anvil.child_mut().try_wait(), Ok(None)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Prints the endpoints and keys.
    pub(crate) fn print_endpoints(&self) {
        let d = &self.deployment;
        println!(
            "\nbaton devnet is up{}",
            if self.resumed { " (resumed)" } else { "" }
        );
        println!(
            "  L1 RPC       {}  (chain id {})",
            self.l1_url(),
            d.chain_id
        );
        println!("  deployment   {}", self.record.display());
        for (name, a) in [
            ("SequencerRegistry", d.sequencer_registry),
            ("ForceInclusionQueue", d.force_inclusion_queue),
            ("BatchInbox", d.batch_inbox),
            ("Slasher", d.slasher),
            ("L1OutputOracle", d.output_oracle),
            ("DisputeGame", d.dispute_game),
            ("Portal", d.portal),
        ] {
            println!("  {name:<20} {a}");
        }
        let dir = self.args.data_dir.display();
        for i in 0..self.nodes.len() {
            println!(
                "  node {i}       L2 RPC {}  metrics http://127.0.0.1:{}/metrics  log {dir}/node-{i}.log",
                self.args.node_url(i),
                self.args.l2_port + 100 + i as u16
            );
        }
        for k in &self.keepers {
            println!(
                "  {:<12} metrics {}  log {}",
                k.name,
                self.keeper_metrics(&k.name).unwrap_or_default(),
                k.log.display()
            );
        }
        if !self.keepers.is_empty() {
            println!(
                "  watcher RPC  {} (baton_submitEvidence)",
                self.args.watcher_rpc()
            );
        }
        println!(
            "  L2 chain id  {}; user keys: the standard anvil development keys 4-9, funded on L1 and L2, e.g.",
            d.parameters.l2_chain_id
        );
        for i in [4, 5] {
            println!(
                "               {}  {}",
                self.keys[i].address(),
                hex::encode_prefixed(self.keys[i].to_bytes())
            );
        }
        let l2 = if self.nodes.is_empty() {
            self.l1_url()
        } else {
            self.args.node_url(0)
        };
        println!(
            "  try          cast balance --rpc-url {l2} {}\n               baton status\n",
            self.keys[4].address()
        );
        println!("Ctrl-C to stop; `./script/devnet` again resumes, `--fresh` starts over.");
    }
}

fn remove(path: &Path) -> eyre::Result<()> {
    let result = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    result.wrap_err_with(|| format!("removing {}", path.display()))
}
