//! The shared test vectors (`test/vectors/ledger.json`): one case per rule of `docs/ledger.md`,
//! each with the pre-state, the transaction, the block context, the witness, the post-state root
//! and the outcome. Forge replays them through the Solidity library; Rust replays them through
//! this crate and checks the committed file is what [`generate`] writes today.

use super::{
    Account, BlockContext, Invalid, L2Tx, LedgerConfig, LedgerState, WITHDRAWAL_ADDRESS,
    state::outcome_code,
    testkit::{
        TxFields, envelope, high_s_twin, rlp_bytes, rlp_list, rlp_uint, rlp_uint_value,
        signature_items, test_signer,
    },
    withdrawal_key,
};
use alloy_primitives::{Address, B256, Bytes, U256, address, hex, uint};
use alloy_signer::SignerSync;
use serde_json::{Value, json};

/// The ledger configuration most vectors use (the devnet's L2 chain id, a 1 gwei base fee).
pub const CONFIG: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: 1_000_000_000,
};
const FEE_RECIPIENT: Address = address!("0x00000000000000000000000000000000000fee01");
const GWEI: u128 = 1_000_000_000;

/// The pre-state of a case, listed so it can be written out and rebuilt.
#[derive(Clone, Debug, Default)]
pub struct PreState {
    /// Accounts, in the order written.
    pub accounts: Vec<(Address, Account)>,
    /// Withdrawals-tree leaves `(key, leaf)`.
    pub withdrawals: Vec<(B256, B256)>,
}

impl PreState {
    /// The state these entries describe.
    pub fn build(&self) -> LedgerState {
        let mut state = LedgerState::with_accounts(self.accounts.iter().copied());
        for (key, leaf) in &self.withdrawals {
            state.set_withdrawal(*key, *leaf);
        }
        state
    }
}

/// One vector before it is run.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique name; says what is tested.
    pub name: String,
    /// Ledger parameters.
    pub config: LedgerConfig,
    /// Block context.
    pub block: BlockContext,
    /// State before.
    pub pre: PreState,
    /// The transaction.
    pub tx: L2Tx,
    /// The outcome the case is meant to produce (checked when generating).
    pub expect: Result<(), Invalid>,
}

fn funded(address: Address, ether: u64, nonce: u64) -> (Address, Account) {
    (
        address,
        Account {
            balance: U256::from(ether) * uint!(1_000_000_000_000_000_000_U256),
            nonce,
        },
    )
}

/// Every case, in a fixed order.
pub fn cases() -> Vec<Case> {
    let alice = test_signer(1);
    let bob = test_signer(2).address();
    let a = alice.address();
    let base_pre = PreState {
        accounts: vec![funded(a, 10, 0), funded(bob, 1, 3)],
        ..Default::default()
    };
    let block = BlockContext {
        fee_recipient: FEE_RECIPIENT,
    };
    let one_eth = uint!(1_000_000_000_000_000_000_U256);
    let transfer = |value: U256| TxFields::transfer(CONFIG.chain_id, 0, bob, value, 2 * GWEI);

    let mut cases = Vec::new();
    let mut push = |name: &str, pre: &PreState, tx: L2Tx, expect: Result<(), Invalid>| {
        cases.push(Case {
            name: name.to_owned(),
            config: CONFIG,
            block,
            pre: pre.clone(),
            tx,
            expect,
        });
    };
    let signed = |fields: &TxFields| L2Tx::Signed(fields.sign(&alice));
    let raw = |items: Vec<Vec<u8>>| L2Tx::Signed(crate::ledger::testkit::sign_items(&alice, items));

    // --- Applied ---------------------------------------------------------------------------
    push("transfer", &base_pre, signed(&transfer(one_eth)), Ok(()));
    push(
        "transfer_zero_value",
        &base_pre,
        signed(&transfer(U256::ZERO)),
        Ok(()),
    );
    let fresh = address!("0x000000000000000000000000000000000000beef");
    push(
        "transfer_to_empty_account",
        &base_pre,
        signed(&TxFields {
            to: Some(fresh),
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "self_transfer",
        &base_pre,
        signed(&TxFields {
            to: Some(a),
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    {
        let mut case_block_pre = base_pre.clone();
        case_block_pre.accounts.push(funded(FEE_RECIPIENT, 0, 7));
        push(
            "fee_recipient_with_nonce",
            &case_block_pre,
            signed(&transfer(one_eth)),
            Ok(()),
        );
    }
    push(
        "transfer_to_fee_recipient",
        &base_pre,
        signed(&TxFields {
            to: Some(FEE_RECIPIENT),
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "priority_fee_capped_by_max_fee",
        &base_pre,
        signed(&TxFields {
            max_priority_fee: 2 * GWEI,
            max_fee: 5 * GWEI / 2,
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "priority_fee_below_cap",
        &base_pre,
        signed(&TxFields {
            max_priority_fee: GWEI / 2,
            max_fee: 3 * GWEI,
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "max_gas_limit",
        &base_pre,
        signed(&TxFields {
            gas_limit: u64::MAX,
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    {
        // Exactly value + fee: 10 ETH − 21000 × 1 gwei (the effective price is min(1, 1 + 0)).
        let fee = U256::from(21_000u64 * GWEI as u64);
        push(
            "spend_entire_balance",
            &base_pre,
            signed(&TxFields {
                max_fee: GWEI,
                ..transfer(U256::from(10u8) * one_eth - fee)
            }),
            Ok(()),
        );
    }
    push(
        "withdrawal_to_sender",
        &base_pre,
        signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "withdrawal_to_l1_recipient",
        &base_pre,
        signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            data: Bytes::copy_from_slice(bob.as_slice()),
            ..transfer(one_eth)
        }),
        Ok(()),
    );
    push(
        "deposit_to_existing_account",
        &base_pre,
        L2Tx::Deposit {
            recipient: bob,
            amount: one_eth,
        },
        Ok(()),
    );
    push(
        "deposit_to_empty_account",
        &base_pre,
        L2Tx::Deposit {
            recipient: fresh,
            amount: U256::from(1u8),
        },
        Ok(()),
    );
    push(
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
            tx: signed(&TxFields {
                max_fee: 0,
                ..transfer(one_eth)
            }),
            expect: Ok(()),
        };
        cases.push(zero_fee);
    }

    // --- Malformed -------------------------------------------------------------------------
    let mut push = |name: &str, pre: &PreState, tx: L2Tx, expect: Result<(), Invalid>| {
        cases.push(Case {
            name: name.to_owned(),
            config: CONFIG,
            block,
            pre: pre.clone(),
            tx,
            expect,
        });
    };
    let malformed = Err(Invalid::Malformed);
    let good = transfer(one_eth);
    let items = good.items();
    let sig = signature_items(&alice, &items);
    let bytes = |b: &[u8]| L2Tx::Signed(Bytes::copy_from_slice(b));
    let with_item = |index: usize, item: Vec<u8>| {
        let mut items = items.clone();
        items[index] = item;
        items
    };
    push("malformed_empty", &base_pre, bytes(&[]), malformed);
    push("malformed_type_only", &base_pre, bytes(&[0x02]), malformed);
    push(
        "malformed_random_bytes",
        &base_pre,
        bytes(&hex!("deadbeef00112233")),
        malformed,
    );
    {
        let good_bytes = good.sign(&alice);
        let mut trailing = good_bytes.to_vec();
        trailing.push(0x00);
        push(
            "malformed_trailing_byte",
            &base_pre,
            bytes(&trailing),
            malformed,
        );
        push(
            "malformed_truncated",
            &base_pre,
            bytes(&good_bytes[..good_bytes.len() - 1]),
            malformed,
        );
        let mut legacy_type = good_bytes.to_vec();
        legacy_type[0] = 0x01;
        push(
            "malformed_eip2930_type",
            &base_pre,
            bytes(&legacy_type),
            malformed,
        );
        push(
            "malformed_no_type_byte",
            &base_pre,
            bytes(&good_bytes[1..]),
            malformed,
        );
    }
    {
        // A correctly signed EIP-155 legacy transfer: valid Ethereum, not accepted here.
        let legacy = rlp_list(&[
            rlp_uint(0u8),
            rlp_uint(2 * GWEI),
            rlp_uint(21_000u64),
            rlp_bytes(bob.as_slice()),
            rlp_uint(one_eth),
            rlp_bytes(&[]),
            rlp_uint(CONFIG.chain_id),
            rlp_uint(0u8),
            rlp_uint(0u8),
        ]);
        let signature = alice
            .sign_hash_sync(&alloy_primitives::keccak256(&legacy))
            .expect("sign");
        let v = CONFIG.chain_id * 2 + 35 + u64::from(signature.v());
        let signed_legacy = rlp_list(&[
            rlp_uint(0u8),
            rlp_uint(2 * GWEI),
            rlp_uint(21_000u64),
            rlp_bytes(bob.as_slice()),
            rlp_uint(one_eth),
            rlp_bytes(&[]),
            rlp_uint(v),
            rlp_uint(signature.r()),
            rlp_uint(signature.s()),
        ]);
        push(
            "malformed_legacy_eip155",
            &base_pre,
            bytes(&signed_legacy),
            malformed,
        );
    }
    // Integers with a leading zero byte, in each integer position.
    for (index, field) in [
        (0, "chain_id"),
        (1, "nonce"),
        (3, "max_fee"),
        (4, "gas_limit"),
        (6, "value"),
    ] {
        let value = &items[index];
        let payload: Vec<u8> = if value[0] < 0x80 {
            vec![value[0]]
        } else {
            value[1..].to_vec()
        };
        let mut padded = vec![0u8];
        padded.extend_from_slice(&payload);
        push(
            &format!("malformed_leading_zero_{field}"),
            &base_pre,
            raw(with_item(index, rlp_bytes(&padded))),
            malformed,
        );
    }
    push(
        "malformed_zero_as_0x00",
        &base_pre,
        raw(with_item(1, vec![0x00])),
        malformed,
    );
    push(
        "malformed_single_byte_wrapped",
        &base_pre,
        raw(with_item(1, vec![0x81, 0x05])),
        malformed,
    );
    push(
        "malformed_nonce_9_bytes",
        &base_pre,
        raw(with_item(1, rlp_bytes(&[1; 9]))),
        malformed,
    );
    push(
        "malformed_fee_17_bytes",
        &base_pre,
        raw(with_item(3, rlp_bytes(&[1; 17]))),
        malformed,
    );
    push(
        "malformed_value_33_bytes",
        &base_pre,
        raw(with_item(6, rlp_bytes(&[1; 33]))),
        malformed,
    );
    push(
        "malformed_to_19_bytes",
        &base_pre,
        raw(with_item(5, rlp_bytes(&[0x11; 19]))),
        malformed,
    );
    push(
        "malformed_to_21_bytes",
        &base_pre,
        raw(with_item(5, rlp_bytes(&[0x11; 21]))),
        malformed,
    );
    push(
        "malformed_list_as_value",
        &base_pre,
        raw(with_item(6, rlp_list(&[]))),
        malformed,
    );
    push(
        "malformed_string_as_access_list",
        &base_pre,
        raw(with_item(8, rlp_bytes(&[]))),
        malformed,
    );
    {
        // A 10-byte data string in long form (0xb8 0x0a …): lengths below 56 must be short.
        let mut long_form = vec![0xb8, 10];
        long_form.extend_from_slice(&[0xaa; 10]);
        push(
            "malformed_long_form_short_string",
            &base_pre,
            raw(with_item(7, long_form)),
            malformed,
        );
        let mut zero_len_of_len = vec![0xb9, 0x00, 60];
        zero_len_of_len.extend_from_slice(&[0xaa; 60]);
        push(
            "malformed_length_leading_zero",
            &base_pre,
            raw(with_item(7, zero_len_of_len)),
            malformed,
        );
    }
    {
        let short_key = rlp_list(&[rlp_list(&[
            rlp_bytes(bob.as_slice()),
            rlp_list(&[rlp_bytes(&[1; 31])]),
        ])]);
        push(
            "malformed_access_list_key_31_bytes",
            &base_pre,
            raw(with_item(8, short_key)),
            malformed,
        );
        let extra = rlp_list(&[rlp_list(&[
            rlp_bytes(bob.as_slice()),
            rlp_list(&[]),
            rlp_uint(1u8),
        ])]);
        push(
            "malformed_access_list_item_3_fields",
            &base_pre,
            raw(with_item(8, extra)),
            malformed,
        );
    }
    push(
        "malformed_y_parity_2",
        &base_pre,
        bytes(&envelope(
            &items,
            &[rlp_uint(2u8), sig[1].clone(), sig[2].clone()],
        )),
        malformed,
    );
    push(
        "malformed_y_parity_0x00",
        &base_pre,
        bytes(&envelope(
            &items,
            &[vec![0x00], sig[1].clone(), sig[2].clone()],
        )),
        malformed,
    );
    push(
        "malformed_missing_s",
        &base_pre,
        bytes(&envelope(&items, &sig[..2])),
        malformed,
    );
    push(
        "malformed_extra_item",
        &base_pre,
        bytes(&envelope(
            &items,
            &[
                sig[0].clone(),
                sig[1].clone(),
                sig[2].clone(),
                rlp_uint(1u8),
            ],
        )),
        malformed,
    );
    {
        // The outer list header in long form although the payload fits the short form is fine
        // only if ≥ 56 bytes; a list of two empty items declared with 0xf8 is not.
        push(
            "malformed_outer_long_form_short_list",
            &base_pre,
            bytes(&[0x02, 0xf8, 0x02, 0x80, 0x80]),
            malformed,
        );
        push(
            "malformed_outer_string",
            &base_pre,
            bytes(&[0x02, 0x82, 0x80, 0x80]),
            malformed,
        );
    }

    // --- Stateless rules ---------------------------------------------------------------------
    push(
        "wrong_chain_id",
        &base_pre,
        signed(&TxFields {
            chain_id: 1,
            ..good.clone()
        }),
        Err(Invalid::WrongChainId),
    );
    push(
        "contract_creation",
        &base_pre,
        signed(&TxFields {
            to: None,
            ..good.clone()
        }),
        Err(Invalid::ContractCreation),
    );
    push(
        "gas_limit_20999",
        &base_pre,
        signed(&TxFields {
            gas_limit: 20_999,
            ..good.clone()
        }),
        Err(Invalid::GasLimitTooLow),
    );
    push(
        "priority_fee_above_max_fee",
        &base_pre,
        signed(&TxFields {
            max_priority_fee: 3 * GWEI,
            max_fee: 2 * GWEI,
            ..good.clone()
        }),
        Err(Invalid::PriorityFeeAboveMaxFee),
    );
    push(
        "max_fee_below_base_fee",
        &base_pre,
        signed(&TxFields {
            max_fee: GWEI - 1,
            ..good.clone()
        }),
        Err(Invalid::MaxFeeBelowBaseFee),
    );
    push(
        "access_list_not_allowed",
        &base_pre,
        signed(&TxFields {
            access_list: vec![(bob, vec![B256::repeat_byte(1)])],
            ..good.clone()
        }),
        Err(Invalid::AccessListNotAllowed),
    );
    push(
        "calldata_to_account",
        &base_pre,
        signed(&TxFields {
            data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
            ..good.clone()
        }),
        Err(Invalid::CalldataNotAllowed),
    );
    push(
        "withdrawal_data_21_bytes",
        &base_pre,
        signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            data: Bytes::from(vec![1u8; 21]),
            ..good.clone()
        }),
        Err(Invalid::BadWithdrawalData),
    );
    let n = crate::signature::SECP256K1N;
    let with_sig = |r: U256, s: U256| {
        bytes(&envelope(
            &items,
            &[sig[0].clone(), rlp_uint(r), rlp_uint(s)],
        ))
    };
    let (r, s) = (rlp_uint_value(&sig[1]), rlp_uint_value(&sig[2]));
    push(
        "signature_r_zero",
        &base_pre,
        with_sig(U256::ZERO, s),
        Err(Invalid::BadSignature),
    );
    push(
        "signature_s_zero",
        &base_pre,
        with_sig(r, U256::ZERO),
        Err(Invalid::BadSignature),
    );
    push(
        "signature_r_equals_n",
        &base_pre,
        with_sig(n, s),
        Err(Invalid::BadSignature),
    );
    push(
        "signature_s_above_n",
        &base_pre,
        with_sig(r, n + U256::from(1u8)),
        Err(Invalid::BadSignature),
    );
    {
        // The high-s twin of a valid signature: same signer, flipped parity.
        let twin = envelope(&items, &high_s_twin(&sig));
        push(
            "signature_high_s_twin",
            &base_pre,
            bytes(&twin),
            Err(Invalid::MalleableSignature),
        );
    }
    push(
        "signature_unrecoverable_r",
        &base_pre,
        with_sig(unrecoverable_r(), s),
        Err(Invalid::Unrecoverable),
    );

    // --- Stateful rules ----------------------------------------------------------------------
    push(
        "nonce_too_high",
        &base_pre,
        signed(&TxFields {
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
        push(
            "nonce_too_low",
            &used,
            signed(&TxFields {
                nonce: 4,
                ..good.clone()
            }),
            Err(Invalid::WrongNonce),
        );
        let exhausted = PreState {
            accounts: vec![funded(a, 10, u64::MAX)],
            ..Default::default()
        };
        push(
            "nonce_exhausted",
            &exhausted,
            signed(&TxFields {
                nonce: u64::MAX,
                ..good.clone()
            }),
            Err(Invalid::WrongNonce),
        );
    }
    push(
        "sender_without_account",
        &PreState::default(),
        signed(&good),
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
        push(
            "balance_one_wei_short",
            &short,
            signed(&good),
            Err(Invalid::InsufficientBalance),
        );
        push(
            "value_plus_fee_overflows",
            &base_pre,
            signed(&TxFields {
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
        push(
            "recipient_balance_overflow",
            &rich_bob,
            signed(&good),
            Err(Invalid::BalanceOverflow),
        );
        push(
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
        push(
            "fee_recipient_balance_overflow",
            &rich_fee,
            signed(&good),
            Err(Invalid::BalanceOverflow),
        );
    }
    {
        let mut taken = base_pre.clone();
        taken
            .withdrawals
            .push((withdrawal_key(a, 0), B256::repeat_byte(0x55)));
        push(
            "withdrawal_slot_taken",
            &taken,
            signed(&TxFields {
                to: Some(WITHDRAWAL_ADDRESS),
                ..good.clone()
            }),
            Err(Invalid::WithdrawalExists),
        );
    }
    cases
}

/// The smallest `r` that is not the x-coordinate of a curve point, so no key recovers.
fn unrecoverable_r() -> U256 {
    let digest = B256::repeat_byte(1);
    (1u64..)
        .map(U256::from)
        .find(|r| {
            alloy_primitives::Signature::new(*r, U256::from(1u8), false)
                .recover_address_from_prehash(&digest)
                .is_err()
        })
        .expect("half of all x values are off the curve")
}

/// Runs every case and renders the vector file.
pub fn generate() -> String {
    let cases: Vec<Value> = cases().into_iter().map(run_case).collect();
    let mut out = serde_json::to_string_pretty(&json!({
        "comment": "Generated by `cargo run -p baton-core --example ledger_vectors`; see docs/ledger.md. Do not edit.",
        "withdrawalAddress": WITHDRAWAL_ADDRESS,
        "cases": cases,
    }))
    .expect("serializable");
    out.push('\n');
    out
}

fn run_case(case: Case) -> Value {
    let mut state = case.pre.build();
    let pre_root = state.root();
    let (outcome, witness) = state.apply_with_witness(&case.config, &case.block, &case.tx);
    assert_eq!(
        outcome.map(|_| ()),
        case.expect,
        "vector {} does not test what it says",
        case.name
    );
    let post_root = state.root();
    let code = outcome_code(&outcome);
    let (kind, tx, recipient, amount) = match &case.tx {
        L2Tx::Signed(bytes) => ("signed", bytes.clone(), Address::ZERO, U256::ZERO),
        L2Tx::Deposit { recipient, amount } => ("deposit", Bytes::new(), *recipient, *amount),
    };
    json!({
        "name": case.name,
        "kind": kind,
        "chainId": case.config.chain_id,
        "baseFee": U256::from(case.config.base_fee),
        "feeRecipient": case.block.fee_recipient,
        "accounts": case.pre.accounts.iter().map(|(address, account)| json!({
            "address": address,
            "balance": account.balance,
            "nonce": U256::from(account.nonce),
        })).collect::<Vec<_>>(),
        "withdrawals": case.pre.withdrawals.iter().map(|(key, leaf)| json!({"key": key, "leaf": leaf})).collect::<Vec<_>>(),
        "preRoot": pre_root,
        "tx": tx,
        "recipient": recipient,
        "amount": amount,
        "witness": Bytes::from(witness),
        "postRoot": post_root,
        "outcome": code,
        "reason": Invalid::from_code(code).map_or("Applied", Invalid::name),
    })
}
