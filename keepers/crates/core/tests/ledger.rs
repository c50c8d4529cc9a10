//! The Rust side of the ledger's proof of agreement: the committed vectors are current and the
//! Rust STF reproduces every one; the decoder never panics; witness mode and batch mode agree.

use alloy_primitives::{Address, B256, Bytes, U256};
use baton_core::ledger::{
    Account, BlockContext, Invalid, L2Tx, LedgerConfig, LedgerState, check_transaction,
    outcome_code,
    testkit::{TxFields, test_signer},
    vectors::{self, CONFIG},
};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn vector_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../test/vectors/ledger.json")
}

#[test]
fn committed_vectors_are_current() {
    let committed = std::fs::read_to_string(vector_path()).expect("test/vectors/ledger.json");
    assert!(
        committed == vectors::generate(),
        "test/vectors/ledger.json is stale: run `cargo run -p baton-core --example ledger_vectors`"
    );
}

fn field<T: std::str::FromStr>(case: &Value, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    let value = &case[key];
    let text = value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string());
    text.parse().unwrap_or_else(|e| panic!("{key}: {e:?}"))
}

#[test]
fn ledger_vectors_replay() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(vector_path()).expect("vector file"))
            .expect("json");
    let cases = file["cases"].as_array().expect("cases");
    assert!(cases.len() >= 60, "the vector file lost cases");
    let mut seen = std::collections::BTreeSet::new();
    for case in cases {
        let name: String = field(case, "name");
        let config = LedgerConfig {
            chain_id: case["chainId"].as_u64().expect("chainId"),
            base_fee: field::<U256>(case, "baseFee").to(),
        };
        let block = BlockContext {
            fee_recipient: field(case, "feeRecipient"),
        };
        let mut state = LedgerState::new();
        for account in case["accounts"].as_array().expect("accounts") {
            state.set_account(
                field(account, "address"),
                Account {
                    balance: field(account, "balance"),
                    nonce: field::<U256>(account, "nonce").to(),
                },
            );
        }
        for leaf in case["withdrawals"].as_array().expect("withdrawals") {
            state.set_withdrawal(field(leaf, "key"), field(leaf, "leaf"));
        }
        assert_eq!(
            state.root(),
            field::<B256>(case, "preRoot"),
            "{name}: pre-state root"
        );
        let tx = match case["kind"].as_str() {
            Some("signed") => L2Tx::Signed(field(case, "tx")),
            Some("deposit") => L2Tx::Deposit {
                recipient: field(case, "recipient"),
                amount: field(case, "amount"),
            },
            other => panic!("{name}: unknown kind {other:?}"),
        };
        let mut batch = state.clone();
        let (outcome, witness) = state.apply_with_witness(&config, &block, &tx);
        let code = outcome_code(&outcome);
        assert_eq!(
            u64::from(code),
            case["outcome"].as_u64().expect("outcome"),
            "{name}: outcome"
        );
        assert_eq!(
            state.root(),
            field::<B256>(case, "postRoot"),
            "{name}: post-state root"
        );
        assert_eq!(
            Bytes::from(witness),
            field::<Bytes>(case, "witness"),
            "{name}: witness"
        );
        // Batch mode (no witness) reaches the same state.
        let batch_outcome = batch.apply(&config, &block, &tx);
        assert_eq!(outcome_code(&batch_outcome), code, "{name}: batch outcome");
        assert_eq!(batch.root(), state.root(), "{name}: batch root");
        if code != 0 {
            assert_eq!(
                state.root(),
                field::<B256>(case, "preRoot"),
                "{name}: invalid changed state"
            );
        }
        seen.insert(code);
    }
    // Every outcome code is exercised.
    for code in 0..=16u8 {
        assert!(seen.contains(&code), "no vector for outcome {code}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    /// The decoder and the stateless checks never panic, whatever the bytes.
    #[test]
    fn decoding_random_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = check_transaction(&CONFIG, &bytes);
        let mut typed = vec![0x02];
        typed.extend_from_slice(&bytes);
        let _ = check_transaction(&CONFIG, &typed);
    }

    /// Mutating any byte of a valid transaction never panics, and is either refused or still a
    /// transaction from some sender (a flipped signature byte recovers another address).
    #[test]
    fn mutated_transactions_never_panic(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let tx = TxFields::transfer(CONFIG.chain_id, 0, Address::repeat_byte(2), U256::from(5u8), 2_000_000_000)
            .sign(&test_signer(1));
        let mut bytes = tx.to_vec();
        let at = index.index(bytes.len());
        bytes[at] = byte;
        let _ = check_transaction(&CONFIG, &bytes);
    }
}

#[test]
fn invalid_transactions_leave_the_state_untouched_in_batch_mode() {
    let alice = test_signer(1);
    let bob = test_signer(2).address();
    let mut state = LedgerState::with_accounts([
        (
            alice.address(),
            Account {
                balance: U256::from(10u64.pow(18)),
                nonce: 0,
            },
        ),
        (
            bob,
            Account {
                balance: U256::MAX,
                nonce: 0,
            },
        ),
    ]);
    let block = BlockContext {
        fee_recipient: Address::repeat_byte(0xfe),
    };
    let root = state.root();
    // Bob would overflow: the sender's debit, already written, must be undone.
    let tx =
        TxFields::transfer(CONFIG.chain_id, 0, bob, U256::from(1u8), 2_000_000_000).sign(&alice);
    assert_eq!(
        state.apply(&CONFIG, &block, &L2Tx::Signed(tx)),
        Err(Invalid::BalanceOverflow)
    );
    assert_eq!(state.root(), root);
    assert_eq!(state.account(&alice.address()).nonce, 0);
}
