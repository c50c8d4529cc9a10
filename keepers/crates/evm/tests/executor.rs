//! The executor's own rules on small hand-written contracts: where fees go, what a rejected
//! transaction leaves (nothing), how deposits mint and cannot fail, that diffs merge and overlay
//! exactly as applying them one after the other, and that a block chains its transactions within
//! its gas limit and commits to its receipts as Ethereum does.

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, bytes};
use baton_evm::{
    AccountChange, BlockExecutor, DEPOSIT_TX_TYPE, Deposit, MemoryState, NotIncluded, Overlay,
    Receipt, Rejected, Rules, StateDiff, StateReader, execute_deposit, execute_transaction,
    ordered_root,
    revm::context::{BlockEnv, TxEnv},
};
use proptest::prelude::*;

const VAULT: Address = address!("4200000000000000000000000000000000000019");
const SEQUENCER: Address = address!("00000000000000000000000000000000000c0ffe");
const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0000000000000000000000000000000000000b0b");
/// `SSTORE(0, 42)`.
const STORE: Address = address!("5700000000000000000000000000000000000001");
/// `REVERT(0, 0)`.
const REVERTER: Address = address!("5700000000000000000000000000000000000002");
/// `LOG0(0, 0)`.
const LOGGER: Address = address!("5700000000000000000000000000000000000003");

const L2: Rules = Rules {
    chain_id: 901,
    fee_vault: Some(VAULT),
    blob_transactions: false,
};

const GWEI: u128 = 1_000_000_000;
const BASE_FEE: u64 = 7 * GWEI as u64;

fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn state() -> MemoryState {
    let mut s = MemoryState::default();
    s.insert(ALICE, 0, ether(10), Bytes::new(), []);
    s.insert(STORE, 1, U256::ZERO, bytes!("602a60005500"), []);
    s.insert(REVERTER, 1, U256::ZERO, bytes!("60006000fd"), []);
    s.insert(LOGGER, 1, U256::ZERO, bytes!("60006000a000"), []);
    s
}

fn block() -> BlockEnv {
    BlockEnv {
        number: U256::from(5),
        beneficiary: SEQUENCER,
        timestamp: U256::from(1_700_000_000u64),
        gas_limit: 30_000_000,
        basefee: BASE_FEE,
        ..Default::default()
    }
}

/// An EIP-1559 transaction from Alice.
fn tx(to: Address, value: U256, nonce: u64, priority: u128) -> TxEnv {
    TxEnv::builder()
        .tx_type(Some(2))
        .caller(ALICE)
        .kind(TxKind::Call(to))
        .value(value)
        .gas_limit(100_000)
        .gas_price(100 * GWEI)
        .gas_priority_fee(Some(priority))
        .nonce(nonce)
        .chain_id(Some(L2.chain_id))
        .build_fill()
}

fn balance(s: &impl StateReader, a: Address) -> U256 {
    s.account(a)
        .ok()
        .flatten()
        .map_or(U256::ZERO, |info| info.balance)
}

#[test]
fn the_priority_fee_goes_to_the_sequencer_and_the_base_fee_to_the_vault() {
    let mut s = state();
    let before = balance(&s, ALICE);
    let out = execute_transaction(&s, &L2, &block(), tx(BOB, ether(1), 0, 2 * GWEI))
        .expect("a valid transfer");
    assert!(out.success);
    assert_eq!(out.gas_used, 21_000);
    s.apply(&out.diff);
    let gas = U256::from(out.gas_used);
    assert_eq!(balance(&s, BOB), ether(1));
    assert_eq!(balance(&s, SEQUENCER), gas * U256::from(2 * GWEI));
    assert_eq!(balance(&s, VAULT), gas * U256::from(BASE_FEE));
    // Nothing is burned: what Alice paid is exactly what the others received.
    assert_eq!(
        before - balance(&s, ALICE),
        ether(1) + balance(&s, SEQUENCER) + balance(&s, VAULT)
    );
    assert_eq!(s.account(ALICE).unwrap().unwrap().nonce, 1);
}

#[test]
fn without_a_vault_the_base_fee_is_burned() {
    let rules = Rules {
        fee_vault: None,
        ..L2
    };
    let mut s = state();
    let out = execute_transaction(&s, &rules, &block(), tx(BOB, ether(1), 0, 0)).unwrap();
    s.apply(&out.diff);
    assert_eq!(balance(&s, VAULT), U256::ZERO);
    assert!(!out.diff.accounts.contains_key(&VAULT));
}

#[test]
fn a_rejected_transaction_changes_nothing_and_says_why() {
    let s = state();
    let wrong_nonce = execute_transaction(&s, &L2, &block(), tx(BOB, ether(1), 3, 0));
    assert!(
        matches!(wrong_nonce, Err(Rejected::Invalid(_))),
        "{wrong_nonce:?}"
    );
    let too_rich = execute_transaction(&s, &L2, &block(), tx(BOB, ether(11), 0, 0));
    assert!(
        matches!(too_rich, Err(Rejected::Invalid(_))),
        "{too_rich:?}"
    );
    let mut other_chain = tx(BOB, ether(1), 0, 0);
    other_chain.chain_id = Some(1);
    let replayed = execute_transaction(&s, &L2, &block(), other_chain);
    assert!(
        matches!(replayed, Err(Rejected::Invalid(_))),
        "{replayed:?}"
    );
    let mut blob = tx(BOB, ether(1), 0, 0);
    blob.tx_type = 3;
    blob.blob_hashes = vec![B256::with_last_byte(1)];
    assert!(matches!(
        execute_transaction(&s, &L2, &block(), blob),
        Err(Rejected::BlobTransaction)
    ));
    let message = format!(
        "{}",
        execute_transaction(&s, &L2, &block(), tx(BOB, ether(1), 3, 0)).unwrap_err()
    );
    assert!(message.contains("nonce"), "{message}");
}

#[test]
fn a_revert_keeps_the_fees_and_drops_the_rest() {
    let mut s = state();
    let out = execute_transaction(&s, &L2, &block(), tx(REVERTER, ether(1), 0, GWEI)).unwrap();
    assert!(!out.success);
    assert!(out.logs.is_empty());
    s.apply(&out.diff);
    assert_eq!(balance(&s, REVERTER), U256::ZERO);
    assert_eq!(s.account(ALICE).unwrap().unwrap().nonce, 1);
    assert_eq!(
        balance(&s, VAULT),
        U256::from(out.gas_used) * U256::from(BASE_FEE)
    );
}

#[test]
fn storage_writes_and_logs_come_out_of_a_call() {
    let mut s = state();
    let stored = execute_transaction(&s, &L2, &block(), tx(STORE, U256::ZERO, 0, 0)).unwrap();
    assert!(stored.success);
    s.apply(&stored.diff);
    assert_eq!(s.storage(STORE, U256::ZERO).unwrap(), U256::from(42));
    let logged = execute_transaction(&s, &L2, &block(), tx(LOGGER, U256::ZERO, 1, 0)).unwrap();
    assert_eq!(logged.logs.len(), 1);
    assert_eq!(logged.logs[0].address, LOGGER);
}

#[test]
fn a_creation_deploys_code_that_then_runs() {
    let mut s = state();
    // Init code returning the 6-byte STORE runtime: CODECOPY(0, 12, 6) RETURN(0, 6).
    let init = bytes!("6006600c60003960066000f3602a60005500");
    let mut create = tx(BOB, U256::ZERO, 0, 0);
    create.kind = TxKind::Create;
    create.data = init;
    create.gas_limit = 200_000;
    let out = execute_transaction(&s, &L2, &block(), create).unwrap();
    assert!(out.success, "{out:?}");
    let deployed = out.contract_address.expect("a created address");
    assert_eq!(deployed, ALICE.create(0));
    s.apply(&out.diff);
    let run = execute_transaction(&s, &L2, &block(), tx(deployed, U256::ZERO, 1, 0)).unwrap();
    assert!(run.success);
    s.apply(&run.diff);
    assert_eq!(s.storage(deployed, U256::ZERO).unwrap(), U256::from(42));
}

fn deposit(to: Address, mint: U256, value: U256, gas_limit: u64) -> Deposit {
    Deposit {
        from: BOB,
        to: TxKind::Call(to),
        mint,
        value,
        gas_limit,
        data: Bytes::new(),
    }
}

#[test]
fn a_deposit_mints_and_calls_without_paying_gas() {
    let mut s = state();
    let out = execute_deposit(
        &s,
        &L2,
        &block(),
        &deposit(STORE, ether(2), U256::ZERO, 100_000),
    )
    .unwrap();
    assert!(out.success);
    s.apply(&out.diff);
    assert_eq!(balance(&s, BOB), ether(2));
    assert_eq!(s.storage(STORE, U256::ZERO).unwrap(), U256::from(42));
    assert_eq!(balance(&s, VAULT), U256::ZERO, "a deposit pays no L2 fee");
    assert_eq!(s.account(BOB).unwrap().unwrap().nonce, 1);
}

#[test]
fn a_failing_deposit_still_mints() {
    // A call that reverts: the value stays with the sender, the mint lands.
    let mut s = state();
    let out = execute_deposit(
        &s,
        &L2,
        &block(),
        &deposit(REVERTER, ether(2), ether(1), 100_000),
    )
    .unwrap();
    assert!(!out.success);
    s.apply(&out.diff);
    assert_eq!(balance(&s, BOB), ether(2));
    assert_eq!(balance(&s, REVERTER), U256::ZERO);

    // A call that cannot start (gas below the intrinsic 21,000, value above the mint): the mint
    // lands, the nonce moves, the whole gas limit counts.
    for bad in [
        deposit(ALICE, ether(1), U256::ZERO, 20_000),
        deposit(ALICE, ether(1), ether(5), 50_000),
        deposit(ALICE, ether(1), U256::ZERO, 40_000_000),
    ] {
        let mut s = state();
        let out = execute_deposit(&s, &L2, &block(), &bad).unwrap();
        assert!(!out.success, "{bad:?}");
        assert_eq!(out.gas_used, bad.gas_limit);
        s.apply(&out.diff);
        assert_eq!(balance(&s, BOB), ether(1));
        assert_eq!(balance(&s, ALICE), ether(10));
        assert_eq!(s.account(BOB).unwrap().unwrap().nonce, 1);
    }
}

/// One random account change over a small set of addresses and slots.
fn change() -> impl Strategy<Value = (u8, AccountChange)> {
    let info = (0u64..3, 0u64..3).prop_map(|(nonce, balance)| baton_evm::AccountInfo {
        nonce,
        balance: U256::from(balance),
        ..Default::default()
    });
    let storage = prop::collection::btree_map(
        (0u64..4).prop_map(U256::from),
        (0u64..3).prop_map(U256::from),
        0..4,
    );
    let updated = (info, any::<bool>(), storage).prop_map(|(info, storage_cleared, storage)| {
        AccountChange::Updated {
            info,
            storage_cleared,
            storage,
        }
    });
    (
        0u8..4,
        prop_oneof![1 => Just(AccountChange::Deleted), 4 => updated],
    )
}

fn diff() -> impl Strategy<Value = StateDiff> {
    prop::collection::vec(change(), 0..5).prop_map(|changes| StateDiff {
        accounts: changes
            .into_iter()
            .map(|(a, c)| (Address::with_last_byte(a), c))
            .collect(),
        codes: Default::default(),
    })
}

proptest! {
    /// Merging diffs, reading through an overlay and applying one after the other agree.
    #[test]
    fn merge_and_overlay_agree_with_applying_in_order(base in diff(), first in diff(), second in diff()) {
        let mut start = MemoryState::default();
        start.apply(&base);
        let mut in_order = start.clone();
        in_order.apply(&first);
        in_order.apply(&second);

        let mut merged = first.clone();
        merged.merge(second);
        let mut at_once = start.clone();
        at_once.apply(&merged);
        prop_assert_eq!(&at_once.accounts, &in_order.accounts);
        prop_assert_eq!(at_once.root(), in_order.root());

        let overlay = Overlay { base: &start, diff: &merged };
        for a in 0u8..4 {
            let address = Address::with_last_byte(a);
            prop_assert_eq!(overlay.account(address).unwrap(), in_order.account(address).unwrap());
            for slot in 0u64..4 {
                let slot = U256::from(slot);
                prop_assert_eq!(
                    overlay.storage(address, slot).unwrap(),
                    in_order.storage(address, slot).unwrap()
                );
            }
        }
    }
}

#[test]
fn a_block_chains_its_transactions_and_stops_at_its_gas_limit() {
    let base = state();
    let mut env = block();
    env.gas_limit = 100_000;
    let mut b = BlockExecutor::new(&base, L2, env);
    let first = b.transaction(tx(STORE, U256::ZERO, 0, 0)).unwrap();
    assert_eq!(first.index, 0);
    // The second sees the first's nonce and balance.
    let mut second = tx(BOB, ether(1), 1, GWEI);
    second.gas_limit = 21_000;
    b.transaction(second).unwrap();
    let used = b.gas_used();
    // A third whose gas limit is above what is left waits for the next block; nothing moved.
    let full = b.transaction(tx(BOB, ether(1), 2, 0));
    assert!(
        matches!(full, Err(NotIncluded::BlockFull { gas_limit: 100_000, left }) if left == 100_000 - used),
        "{full:?}"
    );
    let stale = b.transaction({
        let mut t = tx(BOB, ether(1), 0, 0);
        t.gas_limit = 21_000;
        t
    });
    assert!(matches!(
        stale,
        Err(NotIncluded::Rejected(Rejected::Invalid(_)))
    ));
    assert_eq!(b.gas_used(), used);
    b.deposit(&deposit(LOGGER, ether(1), U256::ZERO, 50_000))
        .unwrap();
    let outcome = b.finish();

    let cumulative: Vec<u64> = outcome
        .receipts
        .iter()
        .map(|r| r.cumulative_gas_used)
        .collect();
    assert_eq!(cumulative.len(), 3);
    assert!(cumulative.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(*cumulative.last().unwrap(), outcome.gas_used);
    assert_eq!(outcome.receipts[2].tx_type, DEPOSIT_TX_TYPE);
    assert_eq!(outcome.logs_bloom, outcome.receipts[2].bloom());

    // The block's diff is the transactions' diffs applied in order.
    let mut in_order = base.clone();
    let mut replay = |t: TxEnv| {
        let out = execute_transaction(&in_order, &L2, &block(), t).unwrap();
        in_order.apply(&out.diff);
    };
    replay(tx(STORE, U256::ZERO, 0, 0));
    replay({
        let mut t = tx(BOB, ether(1), 1, GWEI);
        t.gas_limit = 21_000;
        t
    });
    let out = execute_deposit(
        &in_order,
        &L2,
        &block(),
        &deposit(LOGGER, ether(1), U256::ZERO, 50_000),
    )
    .unwrap();
    in_order.apply(&out.diff);
    let mut at_once = base.clone();
    at_once.apply(&outcome.diff);
    assert_eq!(at_once.root(), in_order.root());
}

/// alloy's receipt for ours (types 0-2, which alloy's envelope knows).
fn alloy_receipt(r: &Receipt) -> alloy_consensus::ReceiptEnvelope {
    let inner = alloy_consensus::Receipt {
        status: alloy_consensus::Eip658Value::Eip658(r.success),
        cumulative_gas_used: r.cumulative_gas_used,
        logs: r.logs.clone(),
    }
    .with_bloom();
    match r.tx_type {
        0 => alloy_consensus::ReceiptEnvelope::Legacy(inner),
        1 => alloy_consensus::ReceiptEnvelope::Eip2930(inner),
        _ => alloy_consensus::ReceiptEnvelope::Eip1559(inner),
    }
}

fn receipt() -> impl Strategy<Value = Receipt> {
    let log = (
        0u8..3,
        prop::collection::vec(any::<[u8; 32]>(), 0..4),
        prop::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(a, topics, data)| {
            alloy_primitives::Log::new_unchecked(
                Address::with_last_byte(a),
                topics.into_iter().map(B256::from).collect(),
                data.into(),
            )
        });
    (
        0u8..3,
        any::<bool>(),
        any::<u64>(),
        prop::collection::vec(log, 0..3),
    )
        .prop_map(|(tx_type, success, cumulative_gas_used, logs)| Receipt {
            tx_type,
            success,
            cumulative_gas_used,
            logs,
        })
}

proptest! {
    /// Receipts encode as alloy's EIP-2718 envelopes, and their root is alloy-trie's.
    #[test]
    fn receipts_and_their_root_are_ethereums(receipts in prop::collection::vec(receipt(), 0..40)) {
        use alloy_eips::eip2718::Encodable2718;
        let theirs: Vec<_> = receipts.iter().map(alloy_receipt).collect();
        for (ours, theirs) in receipts.iter().zip(&theirs) {
            prop_assert_eq!(ours.encoded(), theirs.encoded_2718());
            prop_assert_eq!(&ours.bloom(), theirs.logs_bloom());
        }
        let root = alloy_trie::root::ordered_trie_root_with_encoder(&theirs, |r, buf| r.encode_2718(buf));
        prop_assert_eq!(ordered_root(receipts.iter().map(Receipt::encoded)), root);
    }
}

#[test]
fn a_deposit_receipt_is_typed_0x7e() {
    let r = Receipt {
        tx_type: DEPOSIT_TX_TYPE,
        success: true,
        cumulative_gas_used: 50_000,
        logs: vec![],
    };
    let as_1559 = Receipt {
        tx_type: 2,
        ..r.clone()
    };
    let (ours, other) = (r.encoded(), as_1559.encoded());
    assert_eq!(ours[0], 0x7e);
    assert_eq!(ours[1..], other[1..]);
}
