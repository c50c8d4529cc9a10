//! Prints the L2 genesis state root of a genesis file (`docs/ledger.md`, "Genesis"):
//!
//! ```sh
//! cargo run -p baton-core --example genesis_root -- script/genesis/devnet-ledger.json
//! ```
//!
//! The value goes into the deployment profile's `genesisStateRoot`.

use baton_core::Genesis;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: genesis_root <genesis.json>");
        return ExitCode::from(2);
    };
    let path = std::path::PathBuf::from(path);
    let json = match std::fs::read_to_string(&path) {
        Ok(json) => json,
        Err(error) => {
            eprintln!("cannot read {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    match Genesis::from_json(&json) {
        Ok(genesis) => {
            println!("{}", genesis.state_root());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", path.display());
            ExitCode::FAILURE
        }
    }
}
