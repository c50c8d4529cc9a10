//! Bytes that are not a canonical signed EIP-1559 transaction: each encoding rule broken once.

use super::*;

/// Adds this section's cases.
pub(super) fn push_all(c: &mut Cases) {
    let bob = c.bob;
    let one_eth = c.one_eth;
    let good = c.good.clone();
    let items = c.items.clone();
    let sig = c.sig.clone();
    let alice = c.alice.clone();
    let base_pre = c.base_pre.clone();
    let malformed = Err(Invalid::Malformed);
    c.push("malformed_empty", &base_pre, bytes(&[]), malformed);
    c.push("malformed_type_only", &base_pre, bytes(&[0x02]), malformed);
    c.push(
        "malformed_random_bytes",
        &base_pre,
        bytes(&hex!("deadbeef00112233")),
        malformed,
    );
    {
        let good_bytes = good.sign(&alice);
        let mut trailing = good_bytes.to_vec();
        trailing.push(0x00);
        c.push(
            "malformed_trailing_byte",
            &base_pre,
            bytes(&trailing),
            malformed,
        );
        c.push(
            "malformed_truncated",
            &base_pre,
            bytes(&good_bytes[..good_bytes.len() - 1]),
            malformed,
        );
        let mut legacy_type = good_bytes.to_vec();
        legacy_type[0] = 0x01;
        c.push(
            "malformed_eip2930_type",
            &base_pre,
            bytes(&legacy_type),
            malformed,
        );
        c.push(
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
        c.push(
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
        c.push(
            &format!("malformed_leading_zero_{field}"),
            &base_pre,
            c.raw(c.with_item(index, rlp_bytes(&padded))),
            malformed,
        );
    }
    c.push(
        "malformed_zero_as_0x00",
        &base_pre,
        c.raw(c.with_item(1, vec![0x00])),
        malformed,
    );
    c.push(
        "malformed_single_byte_wrapped",
        &base_pre,
        c.raw(c.with_item(1, vec![0x81, 0x05])),
        malformed,
    );
    c.push(
        "malformed_nonce_9_bytes",
        &base_pre,
        c.raw(c.with_item(1, rlp_bytes(&[1; 9]))),
        malformed,
    );
    c.push(
        "malformed_fee_17_bytes",
        &base_pre,
        c.raw(c.with_item(3, rlp_bytes(&[1; 17]))),
        malformed,
    );
    c.push(
        "malformed_value_33_bytes",
        &base_pre,
        c.raw(c.with_item(6, rlp_bytes(&[1; 33]))),
        malformed,
    );
    c.push(
        "malformed_to_19_bytes",
        &base_pre,
        c.raw(c.with_item(5, rlp_bytes(&[0x11; 19]))),
        malformed,
    );
    c.push(
        "malformed_to_21_bytes",
        &base_pre,
        c.raw(c.with_item(5, rlp_bytes(&[0x11; 21]))),
        malformed,
    );
    c.push(
        "malformed_list_as_value",
        &base_pre,
        c.raw(c.with_item(6, rlp_list(&[]))),
        malformed,
    );
    c.push(
        "malformed_string_as_access_list",
        &base_pre,
        c.raw(c.with_item(8, rlp_bytes(&[]))),
        malformed,
    );
    {
        // A 10-byte data string in long form (0xb8 0x0a …): lengths below 56 must be short.
        let mut long_form = vec![0xb8, 10];
        long_form.extend_from_slice(&[0xaa; 10]);
        c.push(
            "malformed_long_form_short_string",
            &base_pre,
            c.raw(c.with_item(7, long_form)),
            malformed,
        );
        let mut zero_len_of_len = vec![0xb9, 0x00, 60];
        zero_len_of_len.extend_from_slice(&[0xaa; 60]);
        c.push(
            "malformed_length_leading_zero",
            &base_pre,
            c.raw(c.with_item(7, zero_len_of_len)),
            malformed,
        );
    }
    {
        let short_key = rlp_list(&[rlp_list(&[
            rlp_bytes(bob.as_slice()),
            rlp_list(&[rlp_bytes(&[1; 31])]),
        ])]);
        c.push(
            "malformed_access_list_key_31_bytes",
            &base_pre,
            c.raw(c.with_item(8, short_key)),
            malformed,
        );
        let extra = rlp_list(&[rlp_list(&[
            rlp_bytes(bob.as_slice()),
            rlp_list(&[]),
            rlp_uint(1u8),
        ])]);
        c.push(
            "malformed_access_list_item_3_fields",
            &base_pre,
            c.raw(c.with_item(8, extra)),
            malformed,
        );
    }
    c.push(
        "malformed_y_parity_2",
        &base_pre,
        bytes(&envelope(
            &items,
            &[rlp_uint(2u8), sig[1].clone(), sig[2].clone()],
        )),
        malformed,
    );
    c.push(
        "malformed_y_parity_0x00",
        &base_pre,
        bytes(&envelope(
            &items,
            &[vec![0x00], sig[1].clone(), sig[2].clone()],
        )),
        malformed,
    );
    c.push(
        "malformed_missing_s",
        &base_pre,
        bytes(&envelope(&items, &sig[..2])),
        malformed,
    );
    c.push(
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
        c.push(
            "malformed_outer_long_form_short_list",
            &base_pre,
            bytes(&[0x02, 0xf8, 0x02, 0x80, 0x80]),
            malformed,
        );
        c.push(
            "malformed_outer_string",
            &base_pre,
            bytes(&[0x02, 0x82, 0x80, 0x80]),
            malformed,
        );
    }
}
