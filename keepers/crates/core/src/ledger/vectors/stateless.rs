//! Well-formed transactions a rule refuses without looking at state: chain id, kind, withdrawal data, signatures.

use super::*;

/// Adds this section's cases.
pub(super) fn push_all(c: &mut Cases) {
    let good = c.good.clone();
    let bob = c.bob;
    let items = c.items.clone();
    let sig = c.sig.clone();
    let base_pre = c.base_pre.clone();
    c.push(
        "wrong_chain_id",
        &base_pre,
        c.signed(&TxFields {
            chain_id: 1,
            ..good.clone()
        }),
        Err(Invalid::WrongChainId),
    );
    c.push(
        "contract_creation",
        &base_pre,
        c.signed(&TxFields {
            to: None,
            ..good.clone()
        }),
        Err(Invalid::ContractCreation),
    );
    c.push(
        "gas_limit_20999",
        &base_pre,
        c.signed(&TxFields {
            gas_limit: 20_999,
            ..good.clone()
        }),
        Err(Invalid::GasLimitTooLow),
    );
    c.push(
        "priority_fee_above_max_fee",
        &base_pre,
        c.signed(&TxFields {
            max_priority_fee: 3 * GWEI,
            max_fee: 2 * GWEI,
            ..good.clone()
        }),
        Err(Invalid::PriorityFeeAboveMaxFee),
    );
    c.push(
        "max_fee_below_base_fee",
        &base_pre,
        c.signed(&TxFields {
            max_fee: GWEI - 1,
            ..good.clone()
        }),
        Err(Invalid::MaxFeeBelowBaseFee),
    );
    c.push(
        "access_list_not_allowed",
        &base_pre,
        c.signed(&TxFields {
            access_list: vec![(bob, vec![B256::repeat_byte(1)])],
            ..good.clone()
        }),
        Err(Invalid::AccessListNotAllowed),
    );
    c.push(
        "calldata_to_account",
        &base_pre,
        c.signed(&TxFields {
            data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
            ..good.clone()
        }),
        Err(Invalid::CalldataNotAllowed),
    );
    c.push(
        "withdrawal_data_21_bytes",
        &base_pre,
        c.signed(&TxFields {
            to: Some(WITHDRAWAL_ADDRESS),
            data: Bytes::from(vec![1u8; 21]),
            ..good.clone()
        }),
        Err(Invalid::BadWithdrawalData),
    );
    let n = crate::signature::SECP256K1N;
    let (r, s) = (rlp_uint_value(&sig[1]), rlp_uint_value(&sig[2]));
    c.push(
        "signature_r_zero",
        &base_pre,
        c.with_sig(U256::ZERO, s),
        Err(Invalid::BadSignature),
    );
    c.push(
        "signature_s_zero",
        &base_pre,
        c.with_sig(r, U256::ZERO),
        Err(Invalid::BadSignature),
    );
    c.push(
        "signature_r_equals_n",
        &base_pre,
        c.with_sig(n, s),
        Err(Invalid::BadSignature),
    );
    c.push(
        "signature_s_above_n",
        &base_pre,
        c.with_sig(r, n + U256::from(1u8)),
        Err(Invalid::BadSignature),
    );
    {
        // The high-s twin of a valid signature: same signer, flipped parity.
        let twin = envelope(&items, &high_s_twin(&sig));
        c.push(
            "signature_high_s_twin",
            &base_pre,
            bytes(&twin),
            Err(Invalid::MalleableSignature),
        );
    }
    c.push(
        "signature_unrecoverable_r",
        &base_pre,
        c.with_sig(unrecoverable_r(), s),
        Err(Invalid::Unrecoverable),
    );
}
