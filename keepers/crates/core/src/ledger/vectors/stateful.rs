//! Transactions refused by the state they meet: nonces, funds, a taken withdrawal slot.

use super::*;

/// Adds this section's cases.
pub(super) fn push_all(c: &mut Cases) {
    let a = c.a;
    let bob = c.bob;
    let one_eth = c.one_eth;
    let good = c.good.clone();
    let base_pre = c.base_pre.clone();
    c.push(
        "nonce_too_high",
        &base_pre,
        c.signed(&TxFields {
            nonce: 1,
            ..good.clone()
        }),
        Err(Invalid::WrongNonce),
    );
    {
        let used = PreState {
            accounts: vec![funded(a, 10, 5)],
            ..Default::default()
        };
        c.push(
            "nonce_too_low",
            &used,
            c.signed(&TxFields {
                nonce: 4,
                ..good.clone()
            }),
            Err(Invalid::WrongNonce),
        );
        let exhausted = PreState {
            accounts: vec![funded(a, 10, u64::MAX)],
            ..Default::default()
        };
        c.push(
            "nonce_exhausted",
            &exhausted,
            c.signed(&TxFields {
                nonce: u64::MAX,
                ..good.clone()
            }),
            Err(Invalid::WrongNonce),
        );
    }
    c.push(
        "sender_without_account",
        &PreState::default(),
        c.signed(&good),
        Err(Invalid::InsufficientBalance),
    );
    {
        let fee = U256::from(21_000u64 * GWEI as u64);
        let short = PreState {
            accounts: vec![(
                a,
                Account {
                    balance: one_eth + fee - U256::from(1u8),
                    nonce: 0,
                },
            )],
            ..Default::default()
        };
        c.push(
            "balance_one_wei_short",
            &short,
            c.signed(&good),
            Err(Invalid::InsufficientBalance),
        );
        c.push(
            "value_plus_fee_overflows",
            &base_pre,
            c.signed(&TxFields {
                value: U256::MAX,
                ..good.clone()
            }),
            Err(Invalid::InsufficientBalance),
        );
    }
    {
        let rich_bob = PreState {
            accounts: vec![
                funded(a, 10, 0),
                (
                    bob,
                    Account {
                        balance: U256::MAX,
                        nonce: 0,
                    },
                ),
            ],
            ..Default::default()
        };
        c.push(
            "recipient_balance_overflow",
            &rich_bob,
            c.signed(&good),
            Err(Invalid::BalanceOverflow),
        );
        c.push(
            "deposit_overflow",
            &rich_bob,
            L2Tx::Deposit {
                recipient: bob,
                amount: U256::from(1u8),
            },
            Err(Invalid::BalanceOverflow),
        );
        let rich_fee = PreState {
            accounts: vec![
                funded(a, 10, 0),
                (
                    FEE_RECIPIENT,
                    Account {
                        balance: U256::MAX,
                        nonce: 0,
                    },
                ),
            ],
            ..Default::default()
        };
        c.push(
            "fee_recipient_balance_overflow",
            &rich_fee,
            c.signed(&good),
            Err(Invalid::BalanceOverflow),
        );
    }
    {
        let mut taken = base_pre.clone();
        taken
            .withdrawals
            .push((withdrawal_key(a, 0), B256::repeat_byte(0x55)));
        c.push(
            "withdrawal_slot_taken",
            &taken,
            c.signed(&TxFields {
                to: Some(WITHDRAWAL_ADDRESS),
                ..good.clone()
            }),
            Err(Invalid::WithdrawalExists),
        );
    }
}
