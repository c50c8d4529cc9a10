//! Writes the shared ledger test vectors to `test/vectors/ledger.json` (or the path given).

use std::path::PathBuf;

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../test/vectors/ledger.json")
        });
    let vectors = baton_core::ledger::vectors::generate();
    if let Err(error) = std::fs::write(&path, vectors) {
        eprintln!("cannot write {}: {error}", path.display());
        std::process::exit(1);
    }
    println!("wrote {}", path.display());
}
