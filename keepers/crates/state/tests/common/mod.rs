//! What the vector tests share: where the repository is, how proof nodes are written, and the
//! write-or-check of a committed vector file.

use alloy_primitives::Bytes;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The repository root: `keepers/crates/state/../../..`.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
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

/// Writes `vectors` (pretty JSON) to `file` (relative to the repository) with
/// `BATON_WRITE_VECTORS=1`, and fails unless the committed file holds exactly it.
pub(crate) fn check_vectors(file: &str, vectors: &Value, test: &str) {
    let generated = serde_json::to_string_pretty(vectors).unwrap() + "\n";
    let path = repo_root().join(file);
    if std::env::var("BATON_WRITE_VECTORS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{file} is stale: run `BATON_WRITE_VECTORS=1 cargo test -p baton-state --test {test}`"
    );
}
