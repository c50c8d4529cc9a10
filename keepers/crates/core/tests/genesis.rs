//! The committed genesis files and the ledger's deployment profiles agree: each profile's
//! `genesisStateRoot` is the ledger's state root of `script/genesis/<profile>.json` (the EVM
//! profile's root is checked by baton-l2's `deployment` tests).

use alloy_primitives::B256;
use baton_core::Genesis;
use serde_json::Value;
use std::path::PathBuf;

const PROFILES: [&str; 2] = ["devnet-ledger", "mainnet"];

fn script_file(dir: &str, name: &str) -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../script")
        .join(dir)
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    (path, text)
}

#[test]
fn profiles_commit_to_their_genesis_state_root() {
    for name in PROFILES {
        let (genesis_path, genesis) = script_file("genesis", name);
        let root = Genesis::from_json(&genesis)
            .unwrap_or_else(|error| panic!("{}: {error}", genesis_path.display()))
            .state_root();

        let (profile_path, profile) = script_file("profiles", name);
        let profile: Value = serde_json::from_str(&profile)
            .unwrap_or_else(|error| panic!("{}: {error}", profile_path.display()));
        let committed: B256 = profile["genesisStateRoot"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no genesisStateRoot string", profile_path.display()))
            .parse()
            .unwrap_or_else(|error| {
                panic!("{}: genesisStateRoot: {error}", profile_path.display())
            });

        assert!(
            committed == root,
            "script/profiles/{name}.json has genesisStateRoot {committed}, but \
             script/genesis/{name}.json gives {root}: regenerate it with \
             `cargo run -p baton-core --example genesis_root -- script/genesis/{name}.json` \
             and put the printed root into the profile's genesisStateRoot"
        );
    }
}

#[test]
fn devnet_funds_the_ten_dev_accounts_and_mainnet_nobody() {
    let devnet = Genesis::from_json(&script_file("genesis", "devnet-ledger").1).unwrap();
    assert_eq!(devnet.alloc().len(), 10);
    let ten_thousand_eth: alloy_primitives::U256 = "10000000000000000000000".parse().unwrap();
    assert!(devnet.alloc().values().all(|&b| b == ten_thousand_eth));

    let mainnet = Genesis::from_json(&script_file("genesis", "mainnet").1).unwrap();
    assert!(mainnet.alloc().is_empty());
}
