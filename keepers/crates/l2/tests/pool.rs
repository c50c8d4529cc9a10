//! The EVM pool's admission, block order and pruning, on real signed transactions.

mod common;

use alloy::{
    consensus::{SignableTransaction, TxEnvelope, TxLegacy},
    eips::eip2718::Encodable2718,
    primitives::{Address, Bytes, TxKind, U256},
    signers::SignerSync,
};
use baton_l2::{
    PoolConfig, PoolError, TxPool,
    pool::{Admission, SenderAccount},
};
use common::{CHAIN_ID, GWEI, TO, key, transfer as tx, transfer_with as tx_with};

const RULES: Admission = Admission {
    chain_id: CHAIN_ID,
    block_gas_limit: 30_000_000,
    base_fee: GWEI as u64,
};

fn rich() -> SenderAccount {
    SenderAccount {
        nonce: 0,
        balance: U256::from(10u128.pow(21)),
    }
}

fn insert(pool: &mut TxPool, raw: &Bytes, account: SenderAccount) -> Result<(), PoolError> {
    let checked = TxPool::check(raw, &RULES, &PoolConfig::default())?;
    pool.insert(checked, account).map(|_| ())
}

#[test]
fn stateless_checks_refuse_with_what_to_fix() {
    let config = PoolConfig::default();
    let check = |raw: &Bytes| TxPool::check(raw, &RULES, &config).map(|_| ());
    assert!(matches!(
        check(&Bytes::from_static(b"\x02garbage")),
        Err(PoolError::Undecodable(_))
    ));
    assert_eq!(
        check(&tx_with(0, 0, 10 * GWEI, GWEI, 21_000, 1)),
        Err(PoolError::WrongChainId {
            got: 1,
            want: CHAIN_ID
        })
    );
    assert_eq!(
        check(&tx_with(0, 0, 10 * GWEI, GWEI, 20_999, CHAIN_ID)),
        Err(PoolError::IntrinsicGas {
            needed: 21_000,
            gas_limit: 20_999
        })
    );
    assert_eq!(
        check(&tx_with(0, 0, 10 * GWEI, GWEI, 30_000_001, CHAIN_ID)),
        Err(PoolError::GasAboveBlockLimit {
            gas_limit: 30_000_001,
            block: 30_000_000
        })
    );
    assert_eq!(
        check(&tx_with(0, 0, GWEI - 1, 0, 21_000, CHAIN_ID)),
        Err(PoolError::FeeBelowBaseFee {
            max_fee: GWEI - 1,
            base_fee: GWEI as u64
        })
    );
    assert_eq!(
        check(&tx_with(0, 0, 2 * GWEI, 3 * GWEI, 21_000, CHAIN_ID)),
        Err(PoolError::TipAboveFeeCap {
            tip: 3 * GWEI,
            max_fee: 2 * GWEI
        })
    );
    // A legacy transaction without EIP-155 could be replayed on any chain.
    let legacy = TxLegacy {
        chain_id: None,
        nonce: 0,
        gas_price: 10 * GWEI,
        gas_limit: 21_000,
        to: TxKind::Call(TO),
        value: U256::from(1),
        input: Default::default(),
    };
    let signature = key(0).sign_hash_sync(&legacy.signature_hash()).unwrap();
    let unprotected: Bytes = TxEnvelope::from(legacy.into_signed(signature))
        .encoded_2718()
        .into();
    assert_eq!(
        check(&unprotected),
        Err(PoolError::Unprotected { chain_id: CHAIN_ID })
    );
    let small = PoolConfig {
        max_tx_bytes: 50,
        ..config
    };
    assert!(matches!(
        TxPool::check(&tx(0, 0, GWEI), &RULES, &small),
        Err(PoolError::TooLarge { max: 50, .. })
    ));
    assert!(check(&tx(0, 0, GWEI)).is_ok());
}

#[test]
fn nonces_balances_and_replacements() {
    let mut pool = TxPool::new(PoolConfig::default());
    let account = SenderAccount {
        nonce: 3,
        balance: U256::from(10 * GWEI * 21_000 * 2 + 2),
    };
    assert_eq!(
        insert(&mut pool, &tx(0, 2, GWEI), account),
        Err(PoolError::NonceTooLow { have: 3, got: 2 })
    );
    assert_eq!(
        insert(&mut pool, &tx(0, 4, GWEI), account),
        Err(PoolError::NonceGap {
            expected: 3,
            got: 4
        })
    );
    insert(&mut pool, &tx(0, 3, GWEI), account).unwrap();
    assert_eq!(
        insert(&mut pool, &tx(0, 3, GWEI), account),
        Err(PoolError::AlreadyKnown)
    );
    insert(&mut pool, &tx(0, 4, GWEI), account).unwrap();
    assert_eq!(pool.pending_nonce(key(0).address(), 3), 5);
    // The balance covers two transactions at their fee cap, not three.
    assert!(matches!(
        insert(&mut pool, &tx(0, 5, GWEI), account),
        Err(PoolError::InsufficientFunds { .. })
    ));
    // Replacing nonce 4 needs 10% more on both the fee cap and the tip.
    let underpriced = tx_with(0, 4, 11 * GWEI - 1, 2 * GWEI, 21_000, CHAIN_ID);
    assert_eq!(
        insert(&mut pool, &underpriced, account),
        Err(PoolError::ReplacementUnderpriced {
            min_fee: 11 * GWEI,
            min_tip: GWEI + GWEI / 10
        })
    );
    let richer = SenderAccount {
        balance: U256::from(10u128.pow(21)),
        ..account
    };
    let replacement = tx_with(0, 4, 11 * GWEI, GWEI + GWEI / 10, 21_000, CHAIN_ID);
    insert(&mut pool, &replacement, richer).unwrap();
    assert_eq!(pool.len(), 2, "the replaced transaction left");
    let order = pool.ordered(GWEI as u64, |_| 3);
    assert_eq!(order[1].raw, replacement);
    // Once the account's nonce passes them, they can never run.
    assert_eq!(pool.prune(|_| 5), 2);
    assert!(pool.is_empty());
}

#[test]
fn blocks_take_the_best_tips_first_each_sender_in_nonce_order() {
    let mut pool = TxPool::new(PoolConfig::default());
    // Sender 0 pays 1 gwei then 5; sender 1 pays 3; sender 2 pays 2 but waits on nonce 0.
    for raw in [tx(0, 0, GWEI), tx(0, 1, 5 * GWEI), tx(1, 0, 3 * GWEI)] {
        insert(&mut pool, &raw, rich()).unwrap();
    }
    insert(
        &mut pool,
        &tx(2, 1, 2 * GWEI),
        SenderAccount { nonce: 1, ..rich() },
    )
    .unwrap();
    let order: Vec<(Address, u64)> = pool
        .ordered(GWEI as u64, |sender| u64::from(sender == key(2).address()))
        .iter()
        .map(|tx| (tx.sender, tx.nonce))
        .collect();
    assert_eq!(
        order,
        [
            (key(1).address(), 0),
            (key(2).address(), 1),
            (key(0).address(), 0),
            (key(0).address(), 1),
        ]
    );
    // At a base fee of 9.5 gwei the tips are capped at 0.5 gwei: all equal, arrival decides.
    let capped: Vec<u64> = pool
        .ordered(9 * GWEI as u64 + GWEI as u64 / 2, |_| 0)
        .iter()
        .map(|tx| tx.nonce)
        .collect();
    assert_eq!(
        capped,
        [0, 1, 0],
        "sender 2's nonce 1 waits for its nonce 0"
    );
    // Above every fee cap nothing is ready.
    assert!(pool.ordered(11 * GWEI as u64, |_| 0).is_empty());
}

#[test]
fn limits_per_sender_and_in_all() {
    let config = PoolConfig {
        max_per_sender: 2,
        max_total: 3,
        ..PoolConfig::default()
    };
    let mut pool = TxPool::new(config);
    let add = |pool: &mut TxPool, raw: &Bytes| {
        let checked = TxPool::check(raw, &RULES, &config).unwrap();
        pool.insert(checked, rich()).map(|_| ())
    };
    add(&mut pool, &tx(0, 0, GWEI)).unwrap();
    add(&mut pool, &tx(0, 1, GWEI)).unwrap();
    assert_eq!(
        add(&mut pool, &tx(0, 2, GWEI)),
        Err(PoolError::SenderFull { max: 2 })
    );
    add(&mut pool, &tx(1, 0, GWEI)).unwrap();
    assert_eq!(
        add(&mut pool, &tx(2, 0, GWEI)),
        Err(PoolError::PoolFull { max: 3 })
    );
    assert!(
        pool.remove(&pool.ordered(0, |_| 0)[0].hash.clone())
            .is_some()
    );
    add(&mut pool, &tx(2, 0, GWEI)).unwrap();
}
