//! Test vectors committed under the repository (most under `test/vectors/`, which the Solidity
//! tests read): a Rust test generates them, `BATON_WRITE_VECTORS=1` writes them, and the test
//! fails unless the committed file is exactly what it generates. One helper for every crate
//! that commits vectors.

use serde_json::Value;
use std::path::PathBuf;

/// The repository root (every crate lives at `keepers/crates/<name>`).
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// Writes `vectors` (pretty JSON and a newline) to `file`, relative to the repository, when
/// `BATON_WRITE_VECTORS=1`; then panics unless the committed file holds exactly that, naming
/// the command that regenerates it: `cargo test <rerun>`.
pub fn check_committed(file: &str, vectors: &Value, rerun: &str) {
    let generated = serde_json::to_string_pretty(vectors).expect("JSON values serialize") + "\n";
    let path = repo_root().join(file);
    if std::env::var("BATON_WRITE_VECTORS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{file} is stale: run `BATON_WRITE_VECTORS=1 cargo test {rerun}`"
    );
}
