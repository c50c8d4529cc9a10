//! The proof vectors in `test/vectors/mpt_proofs.json`: proofs made by baton's tries, which the
//! L1 verifier (`contracts/libraries/MerkleTrie.sol`, test/MerkleTrie.t.sol) must accept with
//! the same answers.
//!
//! - `cases`: raw tries with chosen keys, so that the shapes real states rarely show appear
//!   (embedded leaves and branches, extensions, keys that part inside an extension), each key
//!   proven present or absent.
//! - `accounts` and `storage`: `eth_getProof` answers of a [`StateDb`] holding a few hundred
//!   accounts, for accounts and slots present and absent.
//!
//! `BATON_WRITE_VECTORS=1 cargo test -p baton-state --test proof_vectors` writes the file; the
//! test fails while the committed file differs from what the code makes.

mod common;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_trie::{Nibbles, proof::verify_proof};
use baton_evm::{AccountChange, AccountInfo, StateDiff, StateReader};
use baton_state::StateDb;
use baton_trie::{MemoryTrieStore, proof, root};
use common::nodes_json;
use serde_json::{Value, json};

fn hex(bytes: &[u8]) -> String {
    alloy_primitives::hex::encode_prefixed(bytes)
}

/// A key whose first bytes are `head` and the rest `fill`.
fn key(head: &[u8], fill: u8) -> B256 {
    let mut k = [fill; 32];
    k[..head.len()].copy_from_slice(head);
    B256::from(k)
}

/// A raw trie: its name, its leaves, and keys it does not hold.
type RawTrie = (&'static str, Vec<(B256, Vec<u8>)>, Vec<B256>);

/// Raw tries of chosen keys and the proofs of present and absent keys in them.
fn raw_cases() -> Vec<Value> {
    let tries: Vec<RawTrie> = vec![
        (
            "one leaf",
            vec![(key(&[0x12], 0x34), vec![0x2a])],
            vec![key(&[0x13], 0x34)],
        ),
        (
            // Keys that differ only in their last nibble: an extension of 63 nibbles to a
            // branch whose leaves (empty path, one-byte value) are embedded in it.
            "embedded leaves under a long extension",
            vec![
                (key(&[], 0xab), vec![0x01]),
                (
                    {
                        let mut k = [0xab; 32];
                        k[31] = 0xa0;
                        B256::from(k)
                    },
                    vec![0x02],
                ),
            ],
            vec![
                {
                    let mut k = [0xab; 32];
                    k[31] = 0xa5;
                    B256::from(k)
                },
                key(&[0xab, 0xab, 0xac], 0xab),
                key(&[0x00], 0x00),
            ],
        ),
        (
            "branches, extensions and long values",
            vec![
                (key(&[0x00], 0x11), vec![0x11; 40]),
                (key(&[0x01], 0x22), vec![0x22; 3]),
                (key(&[0x01, 0x23, 0x45], 0x00), vec![0x33; 33]),
                (key(&[0x01, 0x23, 0x46], 0x00), vec![0x44; 1]),
                (key(&[0xf0], 0x55), vec![0x80]),
                (key(&[0xff, 0xff], 0x66), vec![0x66; 100]),
            ],
            vec![
                key(&[0x02], 0x00),
                key(&[0x01, 0x23, 0x47], 0x00),
                key(&[0x01, 0x24], 0x00),
                key(&[0xf0], 0x56),
            ],
        ),
    ];
    let mut cases = Vec::new();
    for (name, entries, absent) in tries {
        let mut store = MemoryTrieStore::default();
        for (k, v) in &entries {
            store.set(*k, v.clone());
        }
        let trie_root = root(&mut store, entries.iter().map(|(k, _)| *k)).unwrap();
        let present = entries.iter().map(|(k, v)| (*k, Some(v.clone())));
        let missing = absent.into_iter().map(|k| (k, None));
        for (k, value) in present.chain(missing) {
            let nodes: Vec<Bytes> = proof(&mut store, &k)
                .unwrap()
                .into_iter()
                .map(Bytes::from)
                .collect();
            assert!(
                verify_proof(trie_root, Nibbles::unpack(k), value.clone(), &nodes).is_ok(),
                "{name}: {k}"
            );
            cases.push(json!({
                "name": name,
                "root": trie_root.to_string(),
                "key": k.to_string(),
                "proof": nodes_json(&nodes),
                "exists": value.is_some(),
                "value": hex(&value.unwrap_or_default()),
            }));
        }
    }
    cases
}

fn address(i: u64) -> Address {
    Address::from_word(keccak256(i.to_be_bytes()))
}

/// A state of 300 accounts; account 0 holds 200 slots and code.
fn state() -> StateDb {
    let mut db = StateDb::in_memory().unwrap();
    let mut diff = StateDiff::default();
    for i in 0..300u64 {
        let storage = if i == 0 {
            (0..200u64)
                .map(|s| (U256::from(s), U256::from(s * s + 1)))
                .collect()
        } else {
            [(U256::from(i % 3), U256::from(i))].into_iter().collect()
        };
        diff.accounts.insert(
            address(i),
            AccountChange::Updated {
                info: AccountInfo {
                    nonce: i,
                    balance: U256::from(i) * U256::from(10u64).pow(U256::from(15)),
                    code_hash: if i == 0 {
                        keccak256([0x60, 0x00])
                    } else {
                        baton_trie::EMPTY_CODE_HASH
                    },
                },
                storage_cleared: false,
                storage,
            },
        );
    }
    diff.codes
        .insert(keccak256([0x60, 0x00]), Bytes::from(vec![0x60, 0x00]));
    db.commit(&diff).unwrap();
    db
}

#[test]
fn committed_proof_vectors_are_current() {
    let db = state();
    let state_root = db.root().unwrap();
    let mut accounts = Vec::new();
    let mut storage = Vec::new();
    for (address, slots) in [
        (address(0), vec![0u64, 1, 77, 199, 200, 1_000_000]),
        (address(5), vec![2, 0]),
        (address(299), vec![]),
        (address(300), vec![0]),
        (Address::ZERO, vec![]),
    ] {
        let slots: Vec<U256> = slots.into_iter().map(U256::from).collect();
        let p = db.proof(address, &slots).unwrap();
        let exists = db.account(address).unwrap().is_some();
        accounts.push(json!({
            "stateRoot": state_root.to_string(),
            "address": address.to_string(),
            "proof": nodes_json(&p.account_proof),
            "exists": exists,
            "nonce": p.info.nonce,
            "balance": format!("{:#x}", p.info.balance),
            "storageRoot": p.storage_root.to_string(),
            "codeHash": p.info.code_hash.to_string(),
        }));
        for (slot, value, nodes) in &p.storage_proofs {
            storage.push(json!({
                "storageRoot": p.storage_root.to_string(),
                "slot": B256::from(*slot).to_string(),
                "proof": nodes_json(nodes),
                "value": format!("{value:#x}"),
            }));
        }
    }
    let cases = raw_cases();
    common::check_vectors(
        "test/vectors/mpt_proofs.json",
        &json!({
            "cases": cases,
            "accounts": accounts,
            "storage": storage,
        }),
        "proof_vectors",
    );
}
