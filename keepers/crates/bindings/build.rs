//! Gathers the Solidity interfaces into one file for `sol!`.
//!
//! `sol!` parses Solidity but does not resolve `import`s, and a custom type such as
//! `IBatchInbox.BatchHeader` (used by `ISlasher`) must be defined in the *same* macro invocation.
//! One invocation per file therefore cannot expand `ISlasher.sol`. Instead this script concatenates
//! every `contracts/interfaces/*.sol` into one `alloy::sol! { ... }` invocation written to
//! `$OUT_DIR/baton_interfaces.rs`, which `src/lib.rs` `include!`s. The `import` directives stay
//! in the text: `sol!` parses and ignores them, and the imported interface is already in scope.
//! The interface files stay the single source of truth; nothing is copied by hand.
//!
//! Why not `sol!(concat!(env!("OUT_DIR"), "/x.sol"))`: alloy-sol-macro-input 1.7 reads the
//! leading `concat` as the (JSON-only) contract name and fails with "expected `,`", so a Solidity
//! file can only be given as a literal path, which cannot point into `OUT_DIR`. Inline tokens are
//! parsed exactly like a file's contents (both go through the Rust tokenizer).

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let interfaces = manifest_dir.join("../../../contracts/interfaces");
    println!("cargo:rerun-if-changed={}", interfaces.display());

    let mut files: Vec<PathBuf> = fs::read_dir(&interfaces)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", interfaces.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sol"))
        .collect();
    // Sorted so the generated file (and so the build) does not depend on directory order.
    files.sort();
    assert!(
        !files.is_empty(),
        "no interfaces in {}",
        interfaces.display()
    );

    // Inner `#![sol(...)]` attributes apply to every item of the input: all interfaces get the
    // RPC instance types and the common derives.
    let mut combined = String::from("alloy::sol! {\n#![sol(rpc, all_derives)]\n");
    for file in &files {
        let source = fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        combined.push_str(&format!("// ---- {} ----\n", file.display()));
        combined.push_str(&source);
        combined.push('\n');
    }
    combined.push_str("}\n");

    let out =
        PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("baton_interfaces.rs");
    fs::write(&out, combined).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
