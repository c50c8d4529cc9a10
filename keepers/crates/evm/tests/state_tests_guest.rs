//! A sample of the Ethereum state tests (Cancun) run the way a dispute ends: each transaction is
//! signed with the test's key, a keeper records the witness of its run over the test's
//! pre-state, and the EVM guest (keepers/guest-evm, built by `./script/guest`) under the VM's
//! emulator, given the claim and the witness alone, accepts the test's post-state root. The
//! native claim check must give the same root first.
//!
//! One file in every [`every`]th of the sorted list (`BATON_GUEST_SAMPLE` files in all, 300 by
//! default), its first variant that the L2 runs: not a blob transaction (the L2 takes none),
//! numbers that fit their fields, a gas limit of at most 2,000,000 (a bound on the emulator's
//! time in `./script/test`), and no blob gas in the block. Steps are printed (`--nocapture`).

mod fixtures;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, TxKind, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use baton_evm::{
    BLOCK_HASH_WINDOW, Claim, ClaimBlock, ClaimTx, MemoryNodes, PartialState, Recording, Rules,
    block_hashes_commitment, decode_transaction, execute_transaction,
};
use baton_vm::{Program, Status};
use fixtures::{access_list, address, b256, bytes, pre_state, test_files, try_u256, u64_of};
use serde_json::Value;
use std::{collections::HashMap, path::Path};

/// The L2's rules on Ethereum's chain id, the base fee burned: the state tests' chain.
const RULES: Rules = Rules {
    chain_id: 1,
    fee_vault: None,
    blob_transactions: false,
};

const MAX_GAS: u64 = 2_000_000;

/// How many files to skip between two sampled.
fn every(files: usize) -> usize {
    let sample = std::env::var("BATON_GUEST_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300usize);
    (files / sample.max(1)).max(1)
}

/// Variant `indexes` of the test's transaction, signed with its key as EIP-2718 bytes; `None`
/// if the L2 cannot run it (see the module docs).
fn signed(tx: &Value, indexes: &Value) -> Option<Vec<u8>> {
    let fits64 = |v: &Value| try_u256(v).and_then(|n| u64::try_from(n).ok());
    let fits128 = |v: &Value| try_u256(v).and_then(|n| u128::try_from(n).ok());
    let index = |name: &str| usize::try_from(indexes[name].as_u64()?).ok();
    let (d, g, v) = (index("data")?, index("gas")?, index("value")?);
    if tx.get("blobVersionedHashes").is_some() {
        return None;
    }
    let to = match tx["to"].as_str()? {
        "" => TxKind::Create,
        _ => TxKind::Call(address(&tx["to"])),
    };
    let (nonce, gas_limit) = (fits64(&tx["nonce"])?, fits64(&tx["gasLimit"][g])?);
    if gas_limit > MAX_GAS {
        return None;
    }
    let (value, input) = (try_u256(&tx["value"][v])?, bytes(&tx["data"][d]));
    let key = PrivateKeySigner::from_bytes(&b256(&tx["secretKey"])).ok()?;
    let sign = |hash: B256| key.sign_hash_sync(&hash).ok();
    let envelope: TxEnvelope = if tx.get("maxFeePerGas").is_some() {
        let tx = TxEip1559 {
            chain_id: 1,
            nonce,
            gas_limit,
            max_fee_per_gas: fits128(&tx["maxFeePerGas"])?,
            max_priority_fee_per_gas: fits128(&tx["maxPriorityFeePerGas"])?,
            to,
            value,
            access_list: access_list(tx, d).unwrap_or_default(),
            input,
        };
        let signature = sign(tx.signature_hash())?;
        tx.into_signed(signature).into()
    } else if let Some(access_list) = access_list(tx, d) {
        let tx = TxEip2930 {
            chain_id: 1,
            nonce,
            gas_price: fits128(&tx["gasPrice"])?,
            gas_limit,
            to,
            value,
            access_list,
            input,
        };
        let signature = sign(tx.signature_hash())?;
        tx.into_signed(signature).into()
    } else {
        let tx = TxLegacy {
            chain_id: Some(1),
            nonce,
            gas_price: fits128(&tx["gasPrice"])?,
            gas_limit,
            to,
            value,
            input,
        };
        let signature = sign(tx.signature_hash())?;
        tx.into_signed(signature).into()
    };
    Some(envelope.encoded_2718())
}

/// The guest `./script/guest` built.
fn guest() -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../out/guest/baton-evm-guest.elf");
    let elf = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run ./script/guest first (./script/test does)",
            path.display()
        )
    });
    Program::load(&elf).expect("the EVM guest is a VM program")
}

/// The first variant of `file` the L2 runs, checked natively and in the guest; its steps.
fn check_file(path: &Path, guest: &Program) -> Option<(String, u64)> {
    let suite: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    for (name, test) in suite.as_object()? {
        let (Some(posts), env) = (test["post"].get("Cancun"), &test["env"]) else {
            continue;
        };
        if env
            .get("currentExcessBlobGas")
            .is_some_and(|x| u64_of(x) != 0)
        {
            continue;
        }
        for post in posts.as_array()? {
            let Some(raw) = signed(&test["transaction"], &post["indexes"]) else {
                continue;
            };
            return Some((
                format!("{name} {}", post["indexes"]),
                run(test, post, &raw, guest),
            ));
        }
    }
    None
}

/// Runs one variant; returns the guest's steps.
fn run(test: &Value, post: &Value, raw: &[u8], guest: &Program) -> u64 {
    let env = &test["env"];
    let number = u64_of(&env["currentNumber"]);
    // The tests' convention for earlier block hashes: keccak256 of the number in decimal.
    let hashes: [B256; BLOCK_HASH_WINDOW as usize] = std::array::from_fn(|i| {
        (number + i as u64)
            .checked_sub(BLOCK_HASH_WINDOW)
            .map_or(B256::ZERO, |n| keccak256(n.to_string()))
    });
    let block = ClaimBlock {
        number,
        timestamp: u64_of(&env["currentTimestamp"]),
        beneficiary: address(&env["currentCoinbase"]),
        base_fee: env.get("currentBaseFee").map_or(0, u64_of),
        gas_limit: u64_of(&env["currentGasLimit"]),
        prev_randao: env
            .get("currentRandom")
            .map_or_else(|| b256(&env["currentDifficulty"]), b256),
        block_hashes: block_hashes_commitment(&hashes),
    };
    let mut pre = pre_state(&test["pre"]).0;
    for (i, hash) in hashes.iter().enumerate() {
        if let Some(n) = (number + i as u64).checked_sub(BLOCK_HASH_WINDOW) {
            pre.block_hashes.insert(n, *hash);
        }
    }
    let pre_root = pre.root();

    // The keeper: the transaction over a recording of the pre-state's tries.
    let mut state = PartialState::new(pre_root, Recording::new(MemoryNodes::new(&pre)));
    if let Ok(tx) = decode_transaction(raw)
        && let Ok(executed) = execute_transaction(&state, &RULES, &block.env(), tx.env)
    {
        state.apply(&executed.diff).unwrap();
    }
    let expected = b256(&post["hash"]);
    assert_eq!(state.root(), expected, "the keeper's root is the test's");
    let witness = state.into_source().witness;

    let claim = Claim {
        pre_root,
        claimed_post_root: expected,
        chain_id: 1,
        fee_vault: Address::ZERO,
        block,
        tx: ClaimTx::Signed(keccak256(raw)),
    };
    let mut preimages = witness.preimages();
    preimages.insert(keccak256(raw), raw.to_vec());
    preimages.insert(block.block_hashes, hashes.concat());
    assert_eq!(
        claim.post_root(preimages.clone()),
        expected,
        "the native claim check"
    );

    let mut oracle: HashMap<B256, Vec<u8>> = preimages.into_iter().collect();
    oracle.insert(claim.key(), claim.encode());
    let mut machine = guest.boot(claim.key());
    let steps = machine
        .run(&oracle, 1 << 32)
        .expect("the witness has every preimage the guest reads");
    assert_eq!(
        machine.status,
        Status::Exited(0),
        "the guest accepts the test's root"
    );
    steps
}

#[test]
fn a_sample_of_the_state_tests_gives_the_same_roots_in_the_evm_guest() {
    let files = test_files();
    let guest = guest();
    let mut steps = Vec::new();
    for file in files.iter().step_by(every(files.len())) {
        let name = file
            .strip_prefix(fixtures::fixtures())
            .unwrap_or(file)
            .display()
            .to_string();
        if let Some((variant, n)) = check_file(file, &guest) {
            println!("{n:>12} steps  {name}: {variant}");
            steps.push(n);
        }
    }
    assert!(
        steps.len() >= 10,
        "too few sampled variants the L2 runs: {}",
        steps.len()
    );
    steps.sort_unstable();
    println!(
        "{} variants in the guest: steps min {}, median {}, max {}",
        steps.len(),
        steps[0],
        steps[steps.len() / 2],
        steps[steps.len() - 1]
    );
}
