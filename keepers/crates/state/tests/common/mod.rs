//! What the tests share: where the repository is, forge's contract code, how proof nodes are
//! written, and the write-or-check of a committed vector file. Each test binary uses a part.
#![allow(dead_code)]

pub(crate) mod scenario;

use alloy_primitives::Bytes;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The repository root: `keepers/crates/state/../../..`.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// The code of a forge artifact (`forge build` first, as `./script/test` does): `field` is
/// `bytecode` or `deployedBytecode`.
pub(crate) fn artifact(contract: &str, field: &str) -> Vec<u8> {
    let path = repo_root().join(format!("out/{contract}.sol/{contract}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run `forge build` at the repository root first",
            path.display()
        )
    });
    let artifact: Value = serde_json::from_str(&text).expect("a forge artifact");
    let hex = artifact[field]["object"].as_str().expect("bytecode");
    alloy_primitives::hex::decode(hex).expect("hex")
}

/// [`artifact`] without the metadata solc appends (its hash of the sources and settings differs
/// between a clean and an incremental build, and vectors must not). Creation code cut so copies
/// a runtime whose metadata reads as zeros; it must take no constructor arguments, which solc
/// reads from where the metadata ended.
pub(crate) fn code(contract: &str, field: &str) -> Bytes {
    let mut code = artifact(contract, field);
    // The last two bytes give the length of the CBOR metadata before them.
    let n = code.len();
    let metadata = usize::from(u16::from_be_bytes([code[n - 2], code[n - 1]]));
    code.truncate(n - 2 - metadata);
    code.into()
}

/// Proof nodes as a JSON array of 0x-hex strings.
pub(crate) fn nodes_json(nodes: &[Bytes]) -> Value {
    Value::Array(
        nodes
            .iter()
            .map(|n| json!(alloy_primitives::hex::encode_prefixed(n)))
            .collect(),
    )
}

/// Writes `vectors` to `file` with `BATON_WRITE_VECTORS=1`, and fails unless the committed
/// file holds exactly it (`baton_core::vectors`).
pub(crate) fn check_vectors(file: &str, vectors: &Value, test: &str) {
    baton_core::vectors::check_committed(file, vectors, &format!("-p baton-state --test {test}"));
}

/// A file under the temp dir, removed (with its WAL) when dropped.
pub(crate) struct TempFile(pub(crate) PathBuf);

impl TempFile {
    pub(crate) fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self(std::env::temp_dir().join(format!(
            "baton-state-{name}-{}-{nanos}.sqlite",
            std::process::id()
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}
