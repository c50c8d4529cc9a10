//! The evidence recipe of `docs/protocol.md` ("Building evidence with cast"), run with the real
//! `cast`: a third party with no Rust at all signs two conflicting block headers as EIP-712
//! typed data with `cast wallet sign --data --from-file`, reads the contract's digest with
//! `cast call`, and slashes with `cast send`. If the doc's JSON or commands drift from what the
//! contracts accept, this test fails.

use crate::devnet;
use alloy::primitives::{Address, B256, hex};
use baton_core::{BlockHeader, baton_domain};
use eyre::{bail, ensure};
use serde_json::json;
use std::{ffi::OsStr, path::Path};

/// The `(uint256,uint64,bytes32,uint64,uint64,bytes32)` tuple type of a BlockHeader.
const BLOCK_HEADER_TUPLE: &str = "(uint256,uint64,bytes32,uint64,uint64,bytes32)";

/// How long one `cast` command may run (each takes well under a second against anvil).
const CAST_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs `cast` and returns its trimmed stdout, or an error carrying its stderr.
async fn cast<I, S>(bin: &Path, args: I) -> eyre::Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut cmd = std::process::Command::new(bin);
    cmd.args(&args);
    let output = baton_devnet::command::run(cmd, CAST_LIMIT).await?;
    if !output.status.success() {
        bail!(
            "cast {:?} failed: {}",
            args,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

/// `stakeOf(operator)` read with `cast call` (which prints e.g. `500000000000000000 [5e17]`).
async fn stake_of(
    cast_bin: &Path,
    registry: &str,
    operator: Address,
    rpc: &str,
) -> eyre::Result<u128> {
    let out = cast(
        cast_bin,
        [
            "call",
            registry,
            "stakeOf(address)(uint256)",
            &operator.to_string(),
            "--rpc-url",
            rpc,
        ],
    )
    .await?;
    Ok(out.split_whitespace().next().unwrap_or_default().parse()?)
}

/// The typed-data document of docs/protocol.md for one block header.
fn typed_data(l1_chain_id: u64, inbox: Address, header: &BlockHeader) -> serde_json::Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "BlockHeader": [
                {"name": "chainId", "type": "uint256"},
                {"name": "number", "type": "uint64"},
                {"name": "parentHash", "type": "bytes32"},
                {"name": "epoch", "type": "uint64"},
                {"name": "timestamp", "type": "uint64"},
                {"name": "txRoot", "type": "bytes32"}
            ]
        },
        "primaryType": "BlockHeader",
        "domain": {"name": "baton", "version": "1", "chainId": l1_chain_id, "verifyingContract": inbox},
        "message": {
            "chainId": header.chainId.to::<u64>(),
            "number": header.number,
            "parentHash": header.parentHash,
            "epoch": header.epoch,
            "timestamp": header.timestamp,
            "txRoot": header.txRoot
        }
    })
}

fn tuple(h: &BlockHeader) -> String {
    format!(
        "({},{},{},{},{},{})",
        h.chainId, h.number, h.parentHash, h.epoch, h.timestamp, h.txRoot
    )
}

#[tokio::test]
async fn the_documented_cast_recipe_slashes_an_equivocation() -> eyre::Result<()> {
    let devnet = devnet::start().await?;
    let cast_bin = devnet::foundry_tool("BATON_CAST", "cast")?;
    let d = &devnet.deployment;
    let rpc = devnet.anvil.endpoint();
    let l1_chain_id = devnet.anvil.chain_id();
    let key = |i: usize| hex::encode_prefixed(devnet.anvil.keys()[i].to_bytes());
    let (operator_key, signer_key, reporter_key) = (key(4), key(5), key(6));
    let operator = devnet.anvil.addresses()[4];
    let signer = devnet.anvil.addresses()[5];
    let registry = d.sequencer_registry.to_string();
    let slasher = d.slasher.to_string();

    cast(
        &cast_bin,
        [
            "send",
            &registry,
            "bond(address)",
            &signer.to_string(),
            "--value",
            "1ether",
            "--private-key",
            &operator_key,
            "--rpc-url",
            &rpc,
        ],
    )
    .await?;

    let scratch = tempdir()?;
    let mut signed = Vec::new();
    for root in [0xaa_u8, 0xbb] {
        let header = BlockHeader {
            chainId: d.parameters.l2_chain_id.try_into()?,
            number: 7,
            parentHash: B256::repeat_byte(0x11),
            epoch: 3,
            timestamp: 1_700_000_000,
            txRoot: B256::repeat_byte(root),
        };
        let file = scratch.join(format!("header-{root:x}.json"));
        std::fs::write(
            &file,
            serde_json::to_vec_pretty(&typed_data(l1_chain_id, d.batch_inbox, &header))?,
        )?;
        let signature = cast(
            &cast_bin,
            [
                OsStr::new("wallet"),
                OsStr::new("sign"),
                OsStr::new("--private-key"),
                OsStr::new(&signer_key),
                OsStr::new("--data"),
                OsStr::new("--from-file"),
                file.as_os_str(),
            ],
        )
        .await?;

        // The contract's view, the Rust core and cast's own signature all name one digest.
        let on_chain = cast(
            &cast_bin,
            [
                "call",
                &slasher,
                &format!("blockHeaderDigest({BLOCK_HEADER_TUPLE})(bytes32)"),
                &tuple(&header),
                "--rpc-url",
                &rpc,
            ],
        )
        .await?;
        let expected = header.signing_digest(&baton_domain(l1_chain_id, d.batch_inbox));
        ensure!(
            on_chain == expected.to_string(),
            "digest: chain {on_chain}, core {expected}"
        );
        let verified = cast(
            &cast_bin,
            [
                "wallet",
                "verify",
                "--address",
                &signer.to_string(),
                "--no-hash",
                &expected.to_string(),
                &signature,
            ],
        )
        .await;
        ensure!(
            verified.is_ok(),
            "cast's signature does not verify over the digest: {verified:?}"
        );
        signed.push((header, signature));
    }

    let before = stake_of(&cast_bin, &registry, operator, &rpc).await?;
    cast(
        &cast_bin,
        [
            "send",
            &slasher,
            &format!(
                "slashBlockEquivocation({BLOCK_HEADER_TUPLE},bytes,{BLOCK_HEADER_TUPLE},bytes)"
            ),
            &tuple(&signed[0].0),
            &signed[0].1,
            &tuple(&signed[1].0),
            &signed[1].1,
            "--private-key",
            &reporter_key,
            "--rpc-url",
            &rpc,
        ],
    )
    .await?;
    let after = stake_of(&cast_bin, &registry, operator, &rpc).await?;
    let bps = u128::from(d.parameters.equivocation_slash_bps);
    ensure!(
        after == before - before * bps / 10_000,
        "stake {before} → {after}, expected a {bps} bps slash"
    );
    Ok(())
}

/// A fresh scratch directory under the system temp dir, deleted when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn join(&self, name: impl AsRef<Path>) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> eyre::Result<ScratchDir> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("baton-cast-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(ScratchDir(dir))
}
