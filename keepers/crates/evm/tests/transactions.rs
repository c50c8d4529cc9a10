//! Signed transactions as the L2 decodes them (`decode_transaction`) and the guest's claim
//! encoding (`Claim`).

use alloy_consensus::{
    SignableTransaction, TxEip1559, TxEip2930, TxEip4844, TxEip7702, TxEnvelope, TxLegacy,
};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Signature, TxKind, U256, address};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use baton_evm::{Claim, ClaimBlock, ClaimTx, Undecodable, decode_transaction};
use proptest::prelude::*;

const TO: Address = address!("0000000000000000000000000000000000000b0b");

fn signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap()
}

fn encode<T: SignableTransaction<Signature>>(tx: T, signature: Signature) -> Vec<u8>
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

fn sign<T: SignableTransaction<Signature>>(tx: T) -> Vec<u8>
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    let signature = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
    encode(tx, signature)
}

fn eip1559() -> TxEip1559 {
    TxEip1559 {
        chain_id: 901,
        nonce: 3,
        gas_limit: 50_000,
        max_fee_per_gas: 9,
        max_priority_fee_per_gas: 2,
        to: TxKind::Call(TO),
        value: U256::from(7),
        input: vec![1, 2, 3].into(),
        ..Default::default()
    }
}

#[test]
fn legacy_2930_and_1559_transactions_decode_with_their_sender() {
    let legacy = TxLegacy {
        chain_id: Some(901),
        nonce: 1,
        gas_price: 5,
        gas_limit: 21_000,
        to: TxKind::Create,
        ..Default::default()
    };
    let pre_155 = TxLegacy {
        chain_id: None,
        ..legacy.clone()
    };
    let access = TxEip2930 {
        chain_id: 901,
        gas_price: 5,
        gas_limit: 30_000,
        to: TxKind::Call(TO),
        ..Default::default()
    };
    for (raw, tx_type, chain_id, price, priority) in [
        (sign(legacy), 0, Some(901), 5, None),
        (sign(pre_155), 0, None, 5, None),
        (sign(access), 1, Some(901), 5, None),
        (sign(eip1559()), 2, Some(901), 9, Some(2)),
    ] {
        let decoded = decode_transaction(&raw).unwrap();
        assert_eq!(decoded.sender, signer().address());
        assert_eq!(decoded.hash, alloy_primitives::keccak256(&raw));
        assert_eq!(decoded.env.caller, signer().address());
        assert_eq!(decoded.env.tx_type, tx_type);
        assert_eq!(decoded.env.chain_id, chain_id);
        assert_eq!(decoded.env.gas_price, price);
        assert_eq!(decoded.env.gas_priority_fee, priority);
    }
    let env = decode_transaction(&sign(eip1559())).unwrap().env;
    assert_eq!(
        (
            env.nonce,
            env.gas_limit,
            env.kind,
            env.value,
            env.data.to_vec()
        ),
        (3, 50_000, TxKind::Call(TO), U256::from(7), vec![1, 2, 3])
    );
}

#[test]
fn blob_and_7702_transactions_high_s_and_garbage_are_refused() {
    let blob = TxEip4844 {
        chain_id: 901,
        to: TO,
        blob_versioned_hashes: vec![B256::repeat_byte(1)],
        ..Default::default()
    };
    assert_eq!(
        decode_transaction(&sign(blob)).unwrap_err(),
        Undecodable::UnsupportedType(3)
    );
    let delegation = TxEip7702 {
        chain_id: 901,
        to: TO,
        ..Default::default()
    };
    assert_eq!(
        decode_transaction(&sign(delegation)).unwrap_err(),
        Undecodable::UnsupportedType(4)
    );

    // The same signature with s mirrored (n - s) and the parity flipped recovers the same key,
    // and Ethereum refuses it (EIP-2).
    let tx = eip1559();
    let low = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
    let n = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let high = Signature::new(low.r(), n - low.s(), !low.v());
    assert_eq!(
        decode_transaction(&encode(tx, high)).unwrap_err(),
        Undecodable::HighS
    );

    for garbage in [&[][..], &[0x02], &[0x02, 0xc0], &[0xff, 0x00]] {
        assert!(matches!(
            decode_transaction(garbage),
            Err(Undecodable::Malformed(_))
        ));
    }
    let mut trailing = sign(eip1559());
    trailing.push(0);
    assert!(matches!(
        decode_transaction(&trailing),
        Err(Undecodable::Malformed(_))
    ));
}

fn claim() -> impl Strategy<Value = Claim> {
    let word = any::<[u8; 32]>().prop_map(B256::from);
    let address = any::<[u8; 20]>().prop_map(Address::from);
    let block = (
        any::<u64>(),
        any::<u64>(),
        address.clone(),
        any::<u64>(),
        any::<u64>(),
        word.clone(),
        word.clone(),
    )
        .prop_map(
            |(number, timestamp, beneficiary, base_fee, gas_limit, prev_randao, block_hashes)| {
                ClaimBlock {
                    number,
                    timestamp,
                    beneficiary,
                    base_fee,
                    gas_limit,
                    prev_randao,
                    block_hashes,
                }
            },
        );
    let deposit = (
        address.clone(),
        prop::option::of(address.clone()),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        any::<u64>(),
        word.clone(),
    )
        .prop_map(
            |(from, to, mint, value, gas_limit, data_hash)| ClaimTx::Deposit {
                from,
                to: to.map_or(TxKind::Create, TxKind::Call),
                mint: U256::from_be_bytes(mint),
                value: U256::from_be_bytes(value),
                gas_limit,
                data_hash,
            },
        );
    let tx = prop_oneof![word.clone().prop_map(ClaimTx::Signed), deposit];
    (word.clone(), word, any::<u64>(), address, block, tx).prop_map(
        |(pre_root, claimed_post_root, chain_id, fee_vault, block, tx)| Claim {
            pre_root,
            claimed_post_root,
            chain_id,
            fee_vault,
            block,
            tx,
        },
    )
}

proptest! {
    #[test]
    fn a_claim_decodes_to_itself_and_nothing_else_decodes(claim in claim(), cut in 1usize..60) {
        let bytes = claim.encode();
        prop_assert_eq!(Claim::decode(&bytes), Some(claim));
        prop_assert_eq!(Claim::decode(&bytes[..bytes.len() - cut.min(bytes.len())]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert_eq!(Claim::decode(&longer), None);
        let mut unknown = bytes;
        unknown[208] = 3; // the kind byte
        prop_assert_eq!(Claim::decode(&unknown), None);
    }
}
