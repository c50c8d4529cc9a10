//! Three real `baton node` processes on a real anvil with the real deployment.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use baton_devnet::{Devnet, repo_root};
use eyre::{OptionExt, WrapErr, bail, ensure};
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

/// A `baton node` child process.
pub(crate) struct NodeProc {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) metrics_url: String,
    pub(crate) key: PrivateKeySigner,
    pub(crate) data_dir: PathBuf,
    rpc_port: u16,
    metrics_port: u16,
    peers: Vec<String>,
    /// The L1 RPC URL it is started with.
    pub(crate) l1: String,
    record: PathBuf,
    /// The key that signs headers, when it is not the operator key.
    pub(crate) signer: Option<PrivateKeySigner>,
    /// Extra flags (scripted faults).
    pub(crate) extra: Vec<String>,
}

/// A free TCP port on loopback for a child to bind, from 10,000 to 19,999: below Linux's
/// ephemeral range (32768 and up), from which the OS hands out the local ports of outgoing
/// connections, so none of the many processes a test starts can take it between this check and
/// the child's bind (one run lost a node to exactly that). Each call in this process moves on,
/// so two calls never return the same port; `free_devnet_ports` uses 20,000 and up.
pub(crate) fn free_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let seed = (std::process::id() as u16).wrapping_mul(13);
    (0..10_000u16)
        .map(|_| {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // 7 is coprime with 10,000: successive calls visit every port of the range once.
            10_000 + seed.wrapping_add(n.wrapping_mul(7)) % 10_000
        })
        .find(|&port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok())
        .expect("a free port below the ephemeral range")
}

impl NodeProc {
    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.current_dir(repo_root())
            .arg("node")
            .args(["--l1-rpc", &self.l1])
            .arg("--deployment")
            .arg(&self.record)
            .args(["--rpc-addr", &format!("127.0.0.1:{}", self.rpc_port)])
            .args([
                "--metrics-addr",
                &format!("127.0.0.1:{}", self.metrics_port),
            ])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["--block-time-ms", "50", "--max-record-age-ms", "1000"])
            .env(
                "BATON_PRIVATE_KEY",
                alloy::primitives::hex::encode_prefixed(self.key.to_bytes()),
            )
            .env("BATON_LOG", "info,baton=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(self.data_dir.join("node.log")).expect("log file"),
            ))
            .kill_on_drop(true);
        if !self.peers.is_empty() {
            cmd.args(["--peers", &self.peers.join(",")]);
        }
        if let Some(signer) = &self.signer {
            cmd.env(
                "BATON_SIGNER_KEY",
                alloy::primitives::hex::encode_prefixed(signer.to_bytes()),
            );
        }
        cmd.args(&self.extra);
        cmd
    }

    /// Starts (or restarts) the process.
    pub(crate) fn start(&mut self) -> eyre::Result<()> {
        self.child = self.command().spawn().wrap_err("spawning baton node")?;
        Ok(())
    }

    /// `kill -9`.
    pub(crate) async fn kill9(&mut self) -> eyre::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// The node's log so far (for failure messages).
    pub(crate) fn log(&self) -> String {
        let text = std::fs::read_to_string(self.data_dir.join("node.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// A base port whose devnet ports (base..base+4, +100..+104, +105, +110..+112, and +200 for
/// L1) are all free. Below Linux's ephemeral range (32768 and up), so that no outgoing
/// connection of the many processes can take one of them while the network starts.
pub(crate) fn free_devnet_ports() -> u16 {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let offsets: Vec<u16> = (0..5)
        .chain(100..106)
        .chain(110..113)
        .chain([200])
        .collect();
    // Tests in this binary share a process id: each call starts elsewhere in the range, so
    // two devnets started at once do not pick the same ports before either binds them.
    static CALLS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = (std::process::id() as u16)
        .wrapping_mul(7)
        .wrapping_add(call.wrapping_mul(3_001));
    (0..200u16)
        .map(|i| 20_000 + seed.wrapping_add(i.wrapping_mul(97)) % 12_000)
        .find(|&base| offsets.iter().all(|o| free(base + o)))
        .expect("a free range of ports")
}

/// Kills a whole process group when dropped: a `baton devnet` started in its own group
/// (`process_group(0)`) takes its anvil, nodes and keepers with it if a test fails.
pub(crate) struct KillGroupOnDrop(pub(crate) Option<u32>);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // `-s KILL -- -<pgid>`: without `--`, procps' kill reads `-<pgid>` as an option
            // and signals something else entirely.
            let _ = std::process::Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// JSON-RPC call returning the whole response object (result or error).
pub(crate) async fn rpc_raw(url: &str, method: &str, params: Value) -> eyre::Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let response = reqwest_post(url, &body).await?;
    Ok(response)
}

/// Posts a JSON body (a request or a batch) and returns the JSON answer.
pub(crate) async fn reqwest_post(url: &str, body: &Value) -> eyre::Result<Value> {
    let client = alloy::transports::http::reqwest::Client::new();
    let response = client
        .post(url)
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .wrap_err_with(|| format!("POST {url}"))?;
    Ok(response.json().await?)
}

/// JSON-RPC call expecting a result.
pub(crate) async fn rpc(url: &str, method: &str, params: Value) -> eyre::Result<Value> {
    let response = rpc_raw(url, method, params).await?;
    if let Some(error) = response.get("error") {
        bail!("{method} failed: {error}");
    }
    Ok(response["result"].clone())
}

/// The network: anvil, the deployment, three bonded operators and their nodes.
pub(crate) struct Network {
    pub(crate) devnet: Devnet,
    pub(crate) nodes: Vec<NodeProc>,
    pub(crate) dir: TempDir,
}

/// A directory removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        // BATON_KEEP_TEST_DIRS=1 keeps the nodes' logs and databases for a post-mortem.
        if std::env::var_os("BATON_KEEP_TEST_DIRS").is_some() {
            eprintln!("kept {}", self.0.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Bonds keys 1..=3 (as their own signers), takes the two checkpoints that put them in the
/// schedule, and starts a node for each.
pub(crate) async fn start_network(name: &str) -> eyre::Result<Network> {
    start_network_with(name, &NetOptions::default()).await
}

/// [`start_network`] on the deployment of `profile` (`devnet`: the EVM chain, `devnet-ledger`:
/// the ledger, until it is deleted).
pub(crate) async fn start_network_on(name: &str, profile: &'static str) -> eyre::Result<Network> {
    let options = NetOptions {
        profile: Some(profile),
        ..NetOptions::default()
    };
    start_network_with(&format!("{name}-{profile}"), &options).await
}

/// How a test network differs from the plain one.
#[derive(Default)]
pub(crate) struct NetOptions {
    /// Operator 0 bonds with a separate signer key (anvil key 10), which its node signs
    /// headers with and which a proposer can send from (the operator key sends the node's
    /// records: two senders sharing one account would race for nonces).
    pub(crate) separate_signer: bool,
    /// Extra flags for every node.
    pub(crate) node_args: Vec<String>,
    /// The deploy profile (`script/profiles/<name>.json`; default `devnet`, the EVM chain).
    pub(crate) profile: Option<&'static str>,
}

/// [`start_network`] with options.
pub(crate) async fn start_network_with(name: &str, options: &NetOptions) -> eyre::Result<Network> {
    let devnet = baton_devnet::start_profile(Some(1), options.profile.unwrap_or("devnet")).await?;
    let d = &devnet.deployment;
    let keys: Vec<PrivateKeySigner> = (1..=3)
        .map(|i| PrivateKeySigner::from(devnet.anvil.keys()[i].clone()))
        .collect();
    let ether = U256::from(10u64).pow(U256::from(18));
    let bondings: Vec<baton_devnet::Bonding> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| baton_devnet::Bonding {
            operator: key.clone(),
            signer: if i == 0 && options.separate_signer {
                PrivateKeySigner::from(devnet.anvil.keys()[10].clone()).address()
            } else {
                key.address()
            },
            stake: ether * U256::from(10 * (i + 1)),
        })
        .collect();
    baton_devnet::activate(d, &devnet.anvil.endpoint(), &bondings).await?;

    let dir = std::env::temp_dir().join(format!("baton-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
    let urls: Vec<String> = ports
        .iter()
        .map(|(r, _)| format!("http://127.0.0.1:{r}"))
        .collect();
    let mut nodes = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        let data_dir = dir.join(format!("node-{i}"));
        std::fs::create_dir_all(&data_dir)?;
        let mut node = NodeProc {
            child: Command::new("true").spawn()?,
            url: urls[i].clone(),
            metrics_url: format!("http://127.0.0.1:{}", ports[i].1),
            key,
            data_dir,
            rpc_port: ports[i].0,
            metrics_port: ports[i].1,
            peers: urls
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, u)| u.clone())
                .collect(),
            l1: devnet.anvil.endpoint(),
            record: devnet.record_path.clone(),
            signer: (i == 0 && options.separate_signer)
                .then(|| PrivateKeySigner::from(devnet.anvil.keys()[10].clone())),
            extra: options.node_args.clone(),
        };
        node.start()?;
        nodes.push(node);
    }
    let network = Network {
        devnet,
        nodes,
        dir: TempDir(dir),
    };
    for node in &network.nodes {
        network.wait_ready(node).await?;
    }
    Ok(network)
}

impl Network {
    /// Waits until `node` answers and has caught up with L1.
    pub(crate) async fn wait_ready(&self, node: &NodeProc) -> eyre::Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(status) = rpc(&node.url, "baton_status", json!([])).await
                && status["ready"] == json!(true)
            {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("node {} never became ready:\n{}", node.url, node.log());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until every node's L1-derived head is at least `number`.
    pub(crate) async fn wait_safe(&self, number: u64, timeout: Duration) -> eyre::Result<()> {
        let started = Instant::now();
        'outer: loop {
            for node in &self.nodes {
                let status = rpc(&node.url, "baton_status", json!([])).await?;
                if status["safeHead"].as_u64().unwrap_or(0) < number {
                    if started.elapsed() > timeout {
                        bail!(
                            "node {} derived only up to {} (want {number}):\n{}",
                            node.url,
                            status["safeHead"],
                            node.log()
                        );
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    continue 'outer;
                }
            }
            return Ok(());
        }
    }

    /// Every node's block at `number`: (hash, state root).
    pub(crate) async fn blocks_at(&self, number: u64) -> eyre::Result<Vec<(Value, Value)>> {
        let mut out = Vec::new();
        for node in &self.nodes {
            let block = rpc(
                &node.url,
                "eth_getBlockByNumber",
                json!([format!("{number:#x}"), false]),
            )
            .await?;
            out.push((block["hash"].clone(), block["stateRoot"].clone()));
        }
        Ok(out)
    }

    /// Checks that every node has the same block (hash and state root) at the lowest head any
    /// of them has derived from L1.
    pub(crate) async fn ensure_agree_at_safe_head(&self) -> eyre::Result<()> {
        let mut safe = u64::MAX;
        for node in &self.nodes {
            let status = rpc(&node.url, "baton_status", json!([])).await?;
            safe = safe.min(status["safeHead"].as_u64().unwrap_or(0));
        }
        let blocks = self.blocks_at(safe).await?;
        ensure!(
            blocks.iter().all(|b| b == &blocks[0]),
            "nodes disagree at {safe}: {blocks:?}"
        );
        Ok(())
    }

    /// Node `i`'s Prometheus metrics text.
    /// Waits until every node has executed the transaction `hash` successfully, then checks
    /// that `account` holds `balance` there.
    pub(crate) async fn ensure_on_every_node(
        &self,
        hash: B256,
        account: Address,
        balance: U256,
    ) -> eyre::Result<()> {
        for node in &self.nodes {
            wait_for(
                "the transaction on L2",
                Duration::from_secs(30),
                || node.log(),
                || async {
                    let r = rpc(&node.url, "eth_getTransactionReceipt", json!([hash])).await?;
                    Ok((r["status"] == json!("0x1")).then_some(()))
                },
            )
            .await?;
            let got = rpc(&node.url, "eth_getBalance", json!([account, "latest"])).await?;
            ensure!(got == json!(balance), "{}: balance {got}", node.url);
        }
        Ok(())
    }

    pub(crate) async fn metrics(&self, i: usize) -> eyre::Result<String> {
        let url = format!("{}/metrics", self.nodes[i].metrics_url);
        Ok(alloy::transports::http::reqwest::get(url)
            .await?
            .text()
            .await?)
    }

    /// The operators, in node order.
    pub(crate) fn operators(&self) -> Vec<Address> {
        self.nodes.iter().map(|n| n.key.address()).collect()
    }
}

/// Signs an L2 transfer of `value` wei to `to` from `user` (L2 nonce 0) and force-queues it on
/// L1 from the same account. Returns the raw transaction and its queue index.
pub(crate) async fn enqueue_transfer(
    net: &Network,
    user: &PrivateKeySigner,
    to: Address,
    value: u64,
) -> eyre::Result<(alloy::primitives::Bytes, U256)> {
    let d = &net.devnet.deployment;
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(net.devnet.anvil.endpoint_url());
    let raw = baton_core::ledger::testkit::TxFields::transfer(
        d.parameters.l2_chain_id,
        0,
        to,
        U256::from(value),
        10_000_000_000,
    )
    .sign(user);
    let queue = d.force_inclusion_queue(&l1);
    let receipt = queue
        .enqueue(raw.clone())
        .value(d.parameters.inclusion_fee)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "enqueue reverted");
    let index = queue.length().call().await? - U256::from(1);
    Ok((raw, index))
}

/// Sends `request` from `user` through `url` (the provider fills what it leaves out) and waits
/// up to 60 s for its preconfirmed receipt.
pub(crate) async fn send_and_wait(
    url: &str,
    user: &PrivateKeySigner,
    request: TransactionRequest,
) -> eyre::Result<alloy::rpc::types::TransactionReceipt> {
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user.clone()))
        .connect_http(url.parse()?);
    Ok(provider
        .send_transaction(request)
        .await?
        .with_timeout(Some(Duration::from_secs(60)))
        .get_receipt()
        .await?)
}

/// Sends a transfer through `url` and waits for its preconfirmed receipt.
pub(crate) async fn transfer(
    url: &str,
    user: &PrivateKeySigner,
    value: u64,
) -> eyre::Result<(B256, u64)> {
    let request = TransactionRequest::default()
        .with_to(Address::repeat_byte(0x77))
        .with_value(U256::from(value));
    let receipt = send_and_wait(url, user, request).await?;
    ensure!(receipt.status(), "transfer failed");
    Ok((
        receipt.transaction_hash,
        receipt.block_number.ok_or_eyre("no block")?,
    ))
}

/// A `baton proposer|challenger|watcher` child process.
pub(crate) struct KeeperProc {
    pub(crate) child: Child,
    pub(crate) role: String,
    pub(crate) key: PrivateKeySigner,
    pub(crate) data_dir: PathBuf,
    pub(crate) metrics_url: String,
    /// The watcher's JSON-RPC URL.
    pub(crate) rpc_url: String,
    args: Vec<String>,
    l1: String,
    record: PathBuf,
    metrics_port: u16,
    rpc_port: u16,
}

impl KeeperProc {
    /// Starts `baton <role>` sending from `key`, with `args` added.
    pub(crate) fn start(
        net: &Network,
        role: &str,
        key: PrivateKeySigner,
        args: &[String],
    ) -> eyre::Result<Self> {
        let data_dir = net.dir.0.join(role);
        std::fs::create_dir_all(&data_dir)?;
        let (metrics_port, rpc_port) = (free_port(), free_port());
        let mut keeper = Self {
            child: Command::new("true").spawn()?,
            role: role.to_string(),
            key,
            data_dir,
            metrics_url: format!("http://127.0.0.1:{metrics_port}"),
            rpc_url: format!("http://127.0.0.1:{rpc_port}"),
            args: args.to_vec(),
            l1: net.devnet.anvil.endpoint(),
            record: net.devnet.record_path.clone(),
            metrics_port,
            rpc_port,
        };
        keeper.restart()?;
        Ok(keeper)
    }

    /// Starts the process again (after [`KeeperProc::kill9`]); the log is appended to.
    pub(crate) fn restart(&mut self) -> eyre::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("keeper.log"))?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.current_dir(repo_root())
            .arg(&self.role)
            .args(["--l1-rpc", &self.l1])
            .arg("--deployment")
            .arg(&self.record)
            .arg("--keeper-data-dir")
            .arg(&self.data_dir)
            .args([
                "--keeper-metrics-addr",
                &format!("127.0.0.1:{}", self.metrics_port),
            ])
            .env(
                "BATON_PRIVATE_KEY",
                alloy::primitives::hex::encode_prefixed(self.key.to_bytes()),
            )
            .env("BATON_LOG", "info,baton=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        if self.role == "watcher" {
            cmd.args([
                "--watcher-rpc-addr",
                &format!("127.0.0.1:{}", self.rpc_port),
            ]);
        }
        cmd.args(&self.args);
        self.child = cmd.spawn().wrap_err("spawning a baton keeper")?;
        Ok(())
    }

    /// `kill -9`.
    pub(crate) async fn kill9(&mut self) -> eyre::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// The keeper's log so far (for failure messages).
    pub(crate) fn log(&self) -> String {
        let text = std::fs::read_to_string(self.data_dir.join("keeper.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "--- {} log ---\n{}",
            self.role,
            lines[lines.len().saturating_sub(40)..].join("\n")
        )
    }

    /// The keeper's Prometheus metrics text.
    pub(crate) async fn metrics(&self) -> eyre::Result<String> {
        Ok(
            alloy::transports::http::reqwest::get(format!("{}/metrics", self.metrics_url))
                .await?
                .text()
                .await?,
        )
    }
}

/// The value of `name` in a Prometheus text.
pub(crate) fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Polls `check` every 500 ms until it gives `Some`, or fails after `timeout` with `what`
/// and the logs `context` returns.
pub(crate) async fn wait_for<T, F, Fut>(
    what: &str,
    timeout: Duration,
    context: impl Fn() -> String,
    mut check: F,
) -> eyre::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = eyre::Result<Option<T>>>,
{
    let started = Instant::now();
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => eprintln!("while waiting for {what}: {e:#}"),
        }
        if started.elapsed() > timeout {
            bail!("{what}: not seen after {timeout:?}\n{}", context());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Sends small transfers through `url` from `user` until aborted, so that records keep coming.
pub(crate) fn keep_sending(url: String, user: PrivateKeySigner) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = transfer(&url, &user, 1).await {
                eprintln!("background transfer: {e:#}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    })
}

/// Reorganizes L1 from the block of the latest log `address` emitted (within the last 30
/// blocks): those blocks are replaced by empty ones, and their transactions are gone. Returns
/// the reorg's depth.
pub(crate) async fn reorg_latest_log_of(net: &Network, address: Address) -> eyre::Result<u64> {
    let l1 = ProviderBuilder::new().connect_http(net.devnet.anvil.endpoint_url());
    let head = l1.get_block_number().await?;
    let logs = l1
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(address)
                .from_block(head.saturating_sub(30)),
        )
        .await?;
    let block = logs
        .last()
        .and_then(|l| l.block_number)
        .ok_or_eyre("no recent log to reorg away")?;
    let depth = head - block + 1;
    l1.raw_request::<_, Value>("anvil_reorg".into(), (depth, Vec::<Value>::new()))
        .await?;
    eprintln!("L1 reorg: blocks {block}..={head} replaced (depth {depth})");
    Ok(depth)
}

/// The root proposed for output `index` in its live generation (the latest `OutputProposed`
/// event for it): a state root on the ledger, a header hash on the EVM chain.
pub(crate) async fn proposed_root<P: Provider>(
    l1: &P,
    d: &baton_bindings::Deployment,
    index: u64,
) -> eyre::Result<B256> {
    use alloy::sol_types::SolEvent;
    use baton_bindings::IL1OutputOracle::OutputProposed;
    let filter = alloy::rpc::types::Filter::new()
        .address(d.output_oracle)
        .event_signature(OutputProposed::SIGNATURE_HASH)
        .topic1(U256::from(index))
        .from_block(0);
    let log = l1
        .get_logs(&filter)
        .await?
        .pop()
        .ok_or_else(|| eyre::eyre!("output {index} was never proposed"))?;
    Ok(OutputProposed::decode_log(&log.inner)?.data.stateRoot)
}

/// Every `E` event `address` emitted on L1 so far, decoded.
pub(crate) async fn events<E: SolEvent>(
    l1: &impl Provider,
    address: Address,
) -> eyre::Result<Vec<E>> {
    let logs = l1
        .get_logs(
            &Filter::new()
                .address(address)
                .event_signature(E::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    Ok(logs
        .iter()
        .filter_map(|l| E::decode_log(&l.inner).ok())
        .map(|e| e.data)
        .collect())
}
