use super::*;
use crate::ledger::{
    Account, BlockContext, L2Tx,
    testkit::{TxFields, test_signer},
};
use alloy_primitives::keccak256;

const GWEI: u128 = 1_000_000_000;
const LEDGER: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: GWEI,
};
const CONFIG: MempoolConfig = MempoolConfig {
    max_per_sender: 8,
    max_total: 32,
    max_tx_bytes: 1024,
};
const ETH: u64 = 1_000_000_000_000_000_000;

fn addr(i: u64) -> Address {
    test_signer(i).address()
}

/// Signers 0..6 hold 1 ETH each.
fn state() -> LedgerState {
    LedgerState::with_accounts((0..6).map(|i| {
        (
            addr(i),
            Account {
                balance: U256::from(ETH),
                nonce: 0,
            },
        )
    }))
}

fn pool() -> Mempool {
    Mempool::new(CONFIG, LEDGER)
}

/// A transfer from signer `from` with these fees per gas.
fn tx(from: u64, nonce: u64, value: u64, max_fee: u128, tip: u128) -> Bytes {
    let mut fields =
        TxFields::transfer(LEDGER.chain_id, nonce, addr(99), U256::from(value), max_fee);
    fields.max_priority_fee = tip;
    fields.sign(&test_signer(from))
}

/// A transfer paying the base fee plus `tip` (max fee twice the base fee plus the tip).
fn tipped(from: u64, nonce: u64, tip: u128) -> Bytes {
    tx(from, nonce, 1, 2 * GWEI + tip, tip)
}

fn set_account(state: &mut LedgerState, i: u64, balance: U256, nonce: u64) {
    state.set_account(addr(i), Account { balance, nonce });
}

#[test]
fn an_accepted_transaction_is_pooled_with_its_fields() {
    let mut pool = pool();
    assert!(pool.is_empty());
    let raw = tx(0, 0, 5, 3 * GWEI, 2 * GWEI / 10);
    let (hash, replaced) = pool.insert(raw.clone(), &state()).unwrap();
    assert_eq!((hash, replaced), (keccak256(&raw), None));
    assert_eq!(
        (pool.len(), pool.is_empty(), pool.contains(&hash)),
        (1, false, true)
    );
    let pooled = pool.get(&hash).unwrap();
    assert_eq!(pooled.raw, raw);
    assert_eq!(pooled.sender, addr(0));
    assert_eq!(pooled.nonce, 0);
    assert_eq!(pooled.value, U256::from(5));
    assert_eq!(
        (pooled.max_fee_per_gas, pooled.max_priority_fee_per_gas),
        (3 * GWEI, GWEI / 5)
    );
    // 21000 × min(maxFee, baseFee + tip)
    assert_eq!(pooled.fee, U256::from(21_000 * (GWEI + GWEI / 5)));
    assert_eq!(pooled.effective_priority_fee(GWEI), GWEI / 5);
    assert_eq!(pool.iter().count(), 1);
    assert!(pool.get(&B256::ZERO).is_none());
}

#[test]
fn the_fee_is_what_the_ledger_charges() {
    // A max fee below base + tip caps the effective price: the pool's fee must match the STF.
    let raw = tx(1, 0, 7, GWEI + 3, GWEI);
    let mut pool = pool();
    let mut state = state();
    let (hash, _) = pool.insert(raw.clone(), &state).unwrap();
    let pooled = pool.get(&hash).unwrap().clone();
    assert_eq!(pooled.effective_priority_fee(GWEI), 3);
    let fee_recipient = Address::repeat_byte(0xfe);
    let context = BlockContext { fee_recipient };
    state.apply(&LEDGER, &context, &L2Tx::Signed(raw)).unwrap();
    assert_eq!(state.account(&fee_recipient).balance, pooled.fee);
    assert_eq!(
        state.account(&addr(1)).balance,
        U256::from(ETH) - pooled.cost()
    );
}

#[test]
fn too_large_already_known_and_invalid() {
    let mut pool = Mempool::new(
        MempoolConfig {
            max_tx_bytes: 100,
            ..CONFIG
        },
        LEDGER,
    );
    let raw = tipped(0, 0, 0);
    assert!(raw.len() > 100);
    assert_eq!(
        pool.insert(raw.clone(), &state()),
        Err(RejectReason::TooLarge {
            size: raw.len(),
            max: 100
        })
    );

    let mut pool = self::pool();
    pool.insert(raw.clone(), &state()).unwrap();
    assert_eq!(pool.insert(raw, &state()), Err(RejectReason::AlreadyKnown));

    let other_chain =
        TxFields::transfer(902, 0, addr(1), U256::from(1), 2 * GWEI).sign(&test_signer(1));
    let cases = [
        (other_chain, Invalid::WrongChainId),
        (Bytes::from_static(&[0x02, 0xc0]), Invalid::Malformed),
        (tx(1, 0, 1, GWEI - 1, 0), Invalid::MaxFeeBelowBaseFee),
        (tx(1, 0, 1, GWEI, GWEI + 1), Invalid::PriorityFeeAboveMaxFee),
        (
            TxFields::transfer(901, u64::MAX, addr(1), U256::from(1), 2 * GWEI)
                .sign(&test_signer(1)),
            Invalid::WrongNonce,
        ),
    ];
    for (raw, reason) in cases {
        assert_eq!(
            pool.insert(raw, &state()),
            Err(RejectReason::Invalid(reason))
        );
    }
    let mut data = TxFields::transfer(901, 0, addr(1), U256::from(1), 2 * GWEI);
    data.data = Bytes::from_static(b"call");
    assert_eq!(
        pool.insert(data.sign(&test_signer(1)), &state()),
        Err(RejectReason::Invalid(Invalid::CalldataNotAllowed))
    );
    assert_eq!(pool.len(), 1, "nothing else got in");
}

#[test]
fn nonces_must_be_neither_used_nor_gapped() {
    let mut pool = pool();
    let mut state = state();
    set_account(&mut state, 0, U256::from(ETH), 3);
    assert_eq!(
        pool.insert(tipped(0, 2, 0), &state),
        Err(RejectReason::NonceTooLow { have: 3, got: 2 })
    );
    assert_eq!(
        pool.insert(tipped(0, 4, 0), &state),
        Err(RejectReason::NonceGap {
            expected: 3,
            got: 4
        })
    );
    assert_eq!(pool.pending_nonce(addr(0), 3), 3);
    pool.insert(tipped(0, 3, 0), &state).unwrap();
    pool.insert(tipped(0, 4, 0), &state).unwrap();
    assert_eq!(pool.pending_nonce(addr(0), 3), 5);
    assert_eq!(pool.pending_nonce(addr(0), 4), 5, "the account moved on");
    assert_eq!(pool.pending_nonce(addr(0), 7), 7);
    assert_eq!(pool.pending_nonce(addr(1), 0), 0, "unknown sender");
    assert_eq!(
        pool.insert(tipped(0, 6, 0), &state),
        Err(RejectReason::NonceGap {
            expected: 5,
            got: 6
        })
    );
    // Removing a middle transaction opens a gap the sender must fill.
    let middle = keccak256(tipped(0, 4, 0));
    assert_eq!(pool.remove(&middle).unwrap().nonce, 4);
    assert_eq!(pool.pending_nonce(addr(0), 3), 4);
    assert!(pool.remove(&middle).is_none());
}

#[test]
fn the_balance_must_cover_the_senders_earlier_pending_transactions() {
    let mut pool = pool();
    let mut state = state();
    let first = tx(2, 0, 1_000, 2 * GWEI, 0);
    let fee = U256::from(21_000 * GWEI);
    let one = U256::from(1_000) + fee;
    // Enough for exactly two of them.
    set_account(&mut state, 2, one * U256::from(2), 0);
    pool.insert(first, &state).unwrap();
    pool.insert(tx(2, 1, 1_000, 2 * GWEI, 0), &state).unwrap();
    assert_eq!(
        pool.insert(tx(2, 2, 1_000, 2 * GWEI, 0), &state),
        Err(RejectReason::InsufficientFunds {
            balance: one * U256::from(2),
            cost: one * U256::from(3),
        })
    );
    // A replacement counts only the lower nonces.
    let replacement = tx(2, 1, 1_000, 3 * GWEI, GWEI / 10);
    let cost = one + U256::from(1_000) + U256::from(21_000 * (GWEI + GWEI / 10));
    assert_eq!(
        pool.insert(replacement, &state),
        Err(RejectReason::InsufficientFunds {
            balance: one * U256::from(2),
            cost,
        })
    );
    // An account with nothing.
    assert_eq!(
        pool.insert(tipped(7, 0, 0), &state),
        Err(RejectReason::InsufficientFunds {
            balance: U256::ZERO,
            cost: U256::from(1) + fee,
        })
    );
}

#[test]
fn replacement_needs_ten_percent_more_on_both_fees() {
    assert_eq!(replacement_min_fee(0), 1);
    assert_eq!(replacement_min_fee(10), 11);
    assert_eq!(replacement_min_fee(11), 13, "rounded up");
    assert_eq!(replacement_min_fee(u128::MAX), u128::MAX);

    let mut pool = pool();
    let state = state();
    let (old, _) = pool
        .insert(tx(3, 0, 1, 2 * GWEI, GWEI / 2), &state)
        .unwrap();
    let need_max = 2 * GWEI + 2 * GWEI / 10;
    let need_tip = GWEI / 2 + GWEI / 20;
    // Same fees, another value.
    assert_eq!(
        pool.insert(tx(3, 0, 2, 2 * GWEI, GWEI / 2), &state),
        Err(RejectReason::ReplacementUnderpriced {
            existing: 2 * GWEI,
            got: 2 * GWEI,
            min: need_max,
        })
    );
    // Max fee raised just short of 10%.
    assert_eq!(
        pool.insert(tx(3, 0, 1, need_max - 1, need_tip), &state),
        Err(RejectReason::ReplacementUnderpriced {
            existing: 2 * GWEI,
            got: need_max - 1,
            min: need_max,
        })
    );
    // Max fee raised enough, priority fee not.
    assert_eq!(
        pool.insert(tx(3, 0, 1, need_max, need_tip - 1), &state),
        Err(RejectReason::ReplacementUnderpriced {
            existing: GWEI / 2,
            got: need_tip - 1,
            min: need_tip,
        })
    );
    assert!(pool.contains(&old));
    let new_raw = tx(3, 0, 1, need_max, need_tip);
    let (new, replaced) = pool.insert(new_raw, &state).unwrap();
    assert_eq!(replaced, Some(old));
    assert!(!pool.contains(&old) && pool.contains(&new));
    assert_eq!(pool.len(), 1);
    assert_eq!(pool.get(&new).unwrap().max_fee_per_gas, need_max);
    // The old one can come back only as a new replacement, which it does not pay for.
    assert!(matches!(
        pool.insert(tx(3, 0, 1, 2 * GWEI, GWEI / 2), &state),
        Err(RejectReason::ReplacementUnderpriced { .. })
    ));
}

#[test]
fn sender_and_pool_limits() {
    let small = MempoolConfig {
        max_per_sender: 2,
        max_total: 3,
        ..CONFIG
    };
    let mut pool = Mempool::new(small, LEDGER);
    let state = state();
    pool.insert(tipped(0, 0, 0), &state).unwrap();
    pool.insert(tipped(0, 1, 0), &state).unwrap();
    assert_eq!(
        pool.insert(tipped(0, 2, 0), &state),
        Err(RejectReason::SenderFull { max: 2 })
    );
    // A replacement is not a new entry: the limit does not apply.
    let (_, replaced) = pool.insert(tipped(0, 1, GWEI), &state).unwrap();
    assert!(replaced.is_some());
    pool.insert(tipped(1, 0, 0), &state).unwrap();
    assert_eq!(
        pool.insert(tipped(2, 0, 0), &state),
        Err(RejectReason::PoolFull { max: 3 })
    );
    let (_, replaced) = pool.insert(tipped(1, 0, GWEI), &state).unwrap();
    assert!(replaced.is_some());
    assert_eq!(pool.len(), 3);
}

#[test]
fn every_reason_reads_as_advice() {
    let reasons = [
        RejectReason::TooLarge { size: 2, max: 1 },
        RejectReason::Invalid(Invalid::WrongChainId),
        RejectReason::NonceTooLow { have: 3, got: 2 },
        RejectReason::NonceGap {
            expected: 3,
            got: 5,
        },
        RejectReason::InsufficientFunds {
            balance: U256::from(1),
            cost: U256::from(2),
        },
        RejectReason::AlreadyKnown,
        RejectReason::ReplacementUnderpriced {
            existing: 10,
            got: 10,
            min: 11,
        },
        RejectReason::SenderFull { max: 4 },
        RejectReason::PoolFull { max: 9 },
    ];
    for reason in reasons {
        let text = reason.to_string();
        assert!(text.len() > 20, "{text}");
    }
    assert_eq!(
        RejectReason::Invalid(Invalid::WrongChainId).to_string(),
        "invalid transaction: wrong chain id"
    );
}

#[test]
fn blocks_take_each_sender_in_nonce_order_and_senders_by_tip() {
    let mut pool = pool();
    let state = state();
    // Sender 0: a low tip then a high one; sender 1: a middle tip; sender 2: the same middle
    // tip, later; sender 3: the highest tip.
    let inserts = [
        tipped(0, 0, 1),
        tipped(0, 1, 100),
        tipped(1, 0, 50),
        tipped(2, 0, 50),
        tipped(3, 0, 70),
        tipped(3, 1, 10),
    ];
    for raw in &inserts {
        pool.insert(raw.clone(), &state).unwrap();
    }
    let taken = pool.take_block(&state, 10);
    let order: Vec<(Address, u64)> = taken.iter().map(|t| (t.sender, t.nonce)).collect();
    assert_eq!(
        order,
        [
            (addr(3), 0),
            (addr(1), 0),
            (addr(2), 0), // same tip as sender 1, arrived later
            (addr(3), 1),
            (addr(0), 0), // sender 0's high tip waits behind its low-tip nonce 0
            (addr(0), 1),
        ]
    );
    assert!(pool.is_empty());

    // Every taken transaction applies, in that order.
    let mut applied = state.clone();
    let context = BlockContext {
        fee_recipient: Address::repeat_byte(0xfe),
    };
    for t in &taken {
        assert!(
            applied
                .apply(&LEDGER, &context, &L2Tx::Signed(t.raw.clone()))
                .is_ok()
        );
    }
}

#[test]
fn blocks_stop_at_max_gaps_and_the_balance() {
    let mut pool = pool();
    let mut state = state();
    for n in 0..4 {
        pool.insert(tipped(0, n, 5), &state).unwrap();
    }
    pool.insert(tipped(1, 0, 1), &state).unwrap();
    let first = pool.take_block(&state, 2);
    assert_eq!(
        first.iter().map(|t| t.nonce).collect::<Vec<_>>(),
        [0, 1],
        "max 2, sender 0 tips more"
    );
    assert_eq!(pool.len(), 3);
    assert!(pool.take_block(&state, 0).is_empty());

    // The caller's state has not caught up: sender 0's account nonce is still 0, so none of
    // its remaining transactions are executable.
    let taken = pool.take_block(&state, 10);
    assert_eq!(
        taken.iter().map(|t| t.sender).collect::<Vec<_>>(),
        [addr(1)]
    );
    assert_eq!(pool.len(), 2);

    // With the state after the first block, and a balance that covers only one more.
    let one = pool.iter().next().unwrap().cost();
    set_account(&mut state, 0, one + one - U256::from(1), 2);
    let taken = pool.take_block(&state, 10);
    assert_eq!(taken.iter().map(|t| t.nonce).collect::<Vec<_>>(), [2]);
    assert_eq!(pool.len(), 1, "nonce 3 waits for funds");
    set_account(&mut state, 0, one, 3);
    assert_eq!(pool.take_block(&state, 10).len(), 1);
    assert!(pool.is_empty());
}

#[test]
fn a_sender_that_cannot_pay_does_not_block_others() {
    let mut pool = pool();
    let mut state = state();
    pool.insert(tipped(0, 0, 90), &state).unwrap();
    pool.insert(tipped(1, 0, 10), &state).unwrap();
    // Sender 0's funds left by other means after it was pooled.
    set_account(&mut state, 0, U256::from(1), 0);
    let taken = pool.take_block(&state, 10);
    assert_eq!(
        taken.iter().map(|t| t.sender).collect::<Vec<_>>(),
        [addr(1)]
    );
    assert_eq!(pool.len(), 1);
}

#[test]
fn prune_drops_what_can_no_longer_apply() {
    let mut pool = pool();
    let mut state = state();
    let hashes: Vec<B256> = (0..3)
        .map(|n| pool.insert(tipped(4, n, 0), &state).unwrap().0)
        .collect();
    let other = pool.insert(tipped(5, 0, 0), &state).unwrap().0;
    // A derived record included sender 4's nonces 0 and 1.
    set_account(&mut state, 4, U256::from(ETH), 2);
    pool.prune(&state);
    assert_eq!(pool.len(), 2);
    assert!(!pool.contains(&hashes[0]) && !pool.contains(&hashes[1]));
    assert!(pool.contains(&hashes[2]) && pool.contains(&other));
    assert_eq!(pool.pending_nonce(addr(4), 2), 3);
    // Everything included: the pool empties.
    set_account(&mut state, 4, U256::from(ETH), 3);
    set_account(&mut state, 5, U256::from(ETH), 1);
    pool.prune(&state);
    assert!(pool.is_empty());
    assert_eq!(pool.iter().count(), 0);
    // Pruning frees the sender's slots.
    let small = MempoolConfig {
        max_per_sender: 1,
        ..CONFIG
    };
    let mut pool = Mempool::new(small, LEDGER);
    let mut state = self::state();
    pool.insert(tipped(0, 0, 0), &state).unwrap();
    set_account(&mut state, 0, U256::from(ETH), 1);
    pool.prune(&state);
    pool.insert(tipped(0, 1, 0), &state).unwrap();
}

#[test]
fn a_random_workload_only_ever_yields_valid_blocks() {
    // Many senders with small balances insert and replace; every block taken applies fully,
    // and after pruning the pool never holds a stale nonce.
    let mut pool = pool();
    let mut state = LedgerState::with_accounts((0..6).map(|i| {
        (
            addr(i),
            Account {
                balance: U256::from(5 * 21_000 * 3 * GWEI),
                nonce: 0,
            },
        )
    }));
    let context = BlockContext {
        fee_recipient: Address::repeat_byte(0xfe),
    };
    let mut seed = 7u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };
    let (mut taken_total, mut replaced) = (0, 0);
    for round in 0..12 {
        for _ in 0..10 {
            let from = next() % 6;
            let account = state.account(&addr(from));
            let nonce = pool
                .pending_nonce(addr(from), account.nonce)
                .saturating_sub(next() % 2);
            let tip = u128::from(next() % 3) * GWEI / 2;
            // Rejections are fine; acceptances must stay executable.
            let inserted = pool.insert(tx(from, nonce, next() % 1000, 2 * GWEI + tip, tip), &state);
            if let Ok((_, Some(_))) = inserted {
                replaced += 1;
            }
        }
        let taken = pool.take_block(&state, 1 + (round % 4));
        taken_total += taken.len();
        for t in &taken {
            let outcome = state.apply(&LEDGER, &context, &L2Tx::Signed(t.raw.clone()));
            assert!(outcome.is_ok(), "round {round}: {outcome:?}");
        }
        pool.prune(&state);
        for t in pool.iter() {
            assert!(t.nonce >= state.account(&t.sender).nonce);
        }
    }
    // The workload is not vacuous: blocks were built and replacements happened.
    assert!(taken_total >= 12, "{taken_total}");
    assert!(replaced > 0);
}

#[test]
fn blocks_stop_at_the_byte_budget_of_a_record() {
    let mut pool = pool();
    let state = state();
    let txs: Vec<Bytes> = (0..4).map(|n| tipped(0, n, 5)).collect();
    for tx in &txs {
        pool.insert(tx.clone(), &state).unwrap();
    }
    let size = |n: usize| {
        txs[..n]
            .iter()
            .map(|t| crate::batch::encoded_tx_len(t.len()))
            .sum::<usize>()
    };
    // Room for two and a half transactions: two are taken, the rest stay pooled.
    let taken = pool.take_block_within(&state, 10, size(2) + size(1) / 2);
    assert_eq!(taken.iter().map(|t| t.nonce).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(pool.len(), 2);
    // Exactly enough for all.
    let mut pool2 = self::pool();
    for tx in &txs {
        pool2.insert(tx.clone(), &state).unwrap();
    }
    assert_eq!(pool2.take_block_within(&state, 10, size(4)).len(), 4);
    assert!(pool.take_block_within(&state, 10, 0).is_empty());
}
