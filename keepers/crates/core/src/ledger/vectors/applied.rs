//! Transactions the ledger applies: transfers, withdrawals, deposits, fee edge cases.

use super::*;

/// Adds this section's cases.
pub(super) fn push_all(c: &mut Cases) {
    let a = c.a;
    let bob = c.bob;
    let block = c.block;
    let one_eth = c.one_eth;
    let base_pre = c.base_pre.clone();
    c.push(
        "transfer",
        &base_pre,
        c.signed(&c.transfer(one_eth)),
        Ok(()),
    );
    c.push(
        "transfer_zero_value",
        &base_pre,
        c.signed(&c.transfer(U256::ZERO)),
        Ok(()),
    );
    let fresh = address!("0x000000000000000000000000000000000000beef");
    c.push(
        "transfer_to_empty_account",
        &base_pre,
        c.signed(&TxFields {
            to: Some(fresh),
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "self_transfer",
        &base_pre,
        c.signed(&TxFields {
            to: Some(a),
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    {
        let mut case_block_pre = base_pre.clone();
        case_block_pre.accounts.push(funded(FEE_RECIPIENT, 0, 7));
        c.push(
            "fee_recipient_with_nonce",
            &case_block_pre,
            c.signed(&c.transfer(one_eth)),
            Ok(()),
        );
    }
    c.push(
        "transfer_to_fee_recipient",
        &base_pre,
        c.signed(&TxFields {
            to: Some(FEE_RECIPIENT),
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "priority_fee_capped_by_max_fee",
        &base_pre,
        c.signed(&TxFields {
            max_priority_fee: 2 * GWEI,
            max_fee: 5 * GWEI / 2,
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "priority_fee_below_cap",
        &base_pre,
        c.signed(&TxFields {
            max_priority_fee: GWEI / 2,
            max_fee: 3 * GWEI,
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "max_gas_limit",
        &base_pre,
        c.signed(&TxFields {
            gas_limit: u64::MAX,
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    {
        // Exactly value + fee: 10 ETH − 21000 × 1 gwei (the effective price is min(1, 1 + 0)).
        let fee = U256::from(21_000u64 * GWEI as u64);
        c.push(
            "spend_entire_balance",
            &base_pre,
            c.signed(&TxFields {
                max_fee: GWEI,
                ..c.transfer(U256::from(10u8) * one_eth - fee)
            }),
            Ok(()),
        );
    }
    c.push(
        "withdrawal_to_sender",
        &base_pre,
        c.signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "withdrawal_to_l1_recipient",
        &base_pre,
        c.signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            data: Bytes::copy_from_slice(bob.as_slice()),
            ..c.transfer(one_eth)
        }),
        Ok(()),
    );
    c.push(
        "deposit_to_existing_account",
        &base_pre,
        L2Tx::Deposit {
            recipient: bob,
            amount: one_eth,
        },
        Ok(()),
    );
    c.push(
        "deposit_to_empty_account",
        &base_pre,
        L2Tx::Deposit {
            recipient: fresh,
            amount: U256::from(1u8),
        },
        Ok(()),
    );
    c.push(
        "deposit_zero",
        &base_pre,
        L2Tx::Deposit {
            recipient: fresh,
            amount: U256::ZERO,
        },
        Ok(()),
    );
    {
        let zero_fee = Case {
            name: "zero_base_fee_zero_fee".to_owned(),
            config: LedgerConfig {
                base_fee: 0,
                ..CONFIG
            },
            block,
            pre: base_pre.clone(),
            tx: c.signed(&TxFields {
                max_fee: 0,
                ..c.transfer(one_eth)
            }),
            expect: Ok(()),
        };
        c.out.push(zero_fee);
    }
}
