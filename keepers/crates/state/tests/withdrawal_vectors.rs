//! Withdrawals on baton's EVM, proven the way the portal will prove them
//! (`test/vectors/withdrawal_proofs.json`, replayed by test/L2Withdrawals.t.sol).
//!
//! A state holding the withdrawal predeploy (`contracts/l2/L2Withdrawals.sol`) runs one block
//! through `BlockExecutor`: a user deploys a contract that withdraws on its behalf
//! (`test/utils/WithdrawingContract.sol`), withdraws 1 ether itself, then 2 ether through the
//! contract. The block is committed to a `StateDb`, and the predeploy's account proof and the
//! storage proofs of both withdrawals' `initiated[hash]` slots (and of one never made) are
//! written out. The code comes from forge's build (`forge build` first, as `./script/test`
//! does).
//!
//! `BATON_WRITE_VECTORS=1 cargo test -p baton-state --test withdrawal_vectors` writes the file;
//! the test fails while the committed file differs from what the code makes.

mod common;

use alloy_primitives::{Address, B256, Log, TxKind, U256, address, keccak256};
use baton_evm::{
    AccountChange, AccountInfo, BlockExecutor, Rules, StateDiff, StateReader,
    revm::context::{BlockEnv, TxEnv},
};
use baton_state::StateDb;
use common::{code, nodes_json};
use serde_json::{Value, json};

/// The predeploy, at its genesis address.
const PREDEPLOY: Address = baton_evm::WITHDRAWALS_PREDEPLOY;
const USER: Address = address!("00000000000000000000000000000000000a11ce");
const RECIPIENT_A: Address = address!("00000000000000000000000000000000000000aa");
const RECIPIENT_B: Address = address!("00000000000000000000000000000000000000bb");
const CHAIN_ID: u64 = 901;
const GWEI: u128 = 1_000_000_000;

fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

fn word(address: Address) -> [u8; 32] {
    address.into_word().0
}

fn tx(nonce: u64, to: TxKind, value: U256, data: Vec<u8>) -> TxEnv {
    TxEnv::builder()
        .tx_type(Some(2))
        .caller(USER)
        .kind(to)
        .value(value)
        .data(data.into())
        .gas_limit(1_000_000)
        .gas_price(2 * GWEI)
        .gas_priority_fee(Some(GWEI))
        .nonce(nonce)
        .chain_id(Some(CHAIN_ID))
        .build_fill()
}

fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// The slot of `initiated[hash]`: `keccak256(abi.encode(hash, 0))`.
fn slot_of(hash: B256) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(hash.as_slice());
    keccak256(preimage)
}

/// `hashOf(chainId, nonce, sender, l1Recipient, amount)`: `keccak256(abi.encode(...))`.
fn hash_of(nonce: u64, sender: Address, recipient: Address, amount: U256) -> B256 {
    let mut preimage = Vec::with_capacity(160);
    preimage.extend_from_slice(&U256::from(CHAIN_ID).to_be_bytes::<32>());
    preimage.extend_from_slice(&U256::from(nonce).to_be_bytes::<32>());
    preimage.extend_from_slice(&word(sender));
    preimage.extend_from_slice(&word(recipient));
    preimage.extend_from_slice(&amount.to_be_bytes::<32>());
    keccak256(preimage)
}

#[test]
fn committed_withdrawal_vectors_are_current() {
    let mut db = StateDb::in_memory().unwrap();
    let runtime = code("L2Withdrawals", "deployedBytecode");
    let mut genesis = StateDiff::default();
    genesis.codes.insert(keccak256(&runtime), runtime.clone());
    genesis.accounts.insert(
        PREDEPLOY,
        AccountChange::Updated {
            info: AccountInfo {
                nonce: 1,
                balance: U256::ZERO,
                code_hash: keccak256(&runtime),
            },
            storage_cleared: false,
            storage: Default::default(),
        },
    );
    genesis.set_info(
        USER,
        AccountInfo {
            balance: ether(10),
            ..Default::default()
        },
    );
    db.commit(&genesis).unwrap();

    let rules = Rules {
        chain_id: CHAIN_ID,
        fee_vault: Some(address!("ba700000000000000000000000000000000000fe")),
        blob_transactions: false,
    };
    let env = BlockEnv {
        number: U256::from(1),
        beneficiary: address!("00000000000000000000000000000000000c0ffe"),
        timestamp: U256::from(1_700_000_000u64),
        gas_limit: 30_000_000,
        basefee: GWEI as u64,
        ..Default::default()
    };
    let mut block = BlockExecutor::new(&db, rules, env);
    let deployed = block
        .transaction(tx(
            0,
            TxKind::Create,
            U256::ZERO,
            code("WithdrawingContract", "bytecode").to_vec(),
        ))
        .unwrap();
    let forwarder = deployed.contract_address.expect("the contract is created");

    let mut direct = selector("withdraw(address)");
    direct.extend_from_slice(&word(RECIPIENT_A));
    assert!(
        block
            .transaction(tx(1, TxKind::Call(PREDEPLOY), ether(1), direct))
            .unwrap()
            .success
    );
    let mut through = selector("withdrawFor(address,address)");
    through.extend_from_slice(&word(PREDEPLOY));
    through.extend_from_slice(&word(RECIPIENT_B));
    assert!(
        block
            .transaction(tx(2, TxKind::Call(forwarder), ether(2), through))
            .unwrap()
            .success
    );
    let outcome = block.finish();
    let state_root = db.commit(&outcome.diff).unwrap();

    // The predeploy's events name what each withdrawal is, and its hash is ours.
    let event = keccak256("WithdrawalInitiated(uint256,address,address,uint256,bytes32)");
    let logs: Vec<&Log> = outcome
        .receipts
        .iter()
        .flat_map(|r| &r.logs)
        .filter(|l| l.address == PREDEPLOY && l.topics().first() == Some(&event))
        .collect();
    assert_eq!(logs.len(), 2);
    let expected = [
        (0u64, USER, RECIPIENT_A, ether(1)),
        (1, forwarder, RECIPIENT_B, ether(2)),
    ];
    let mut slots = Vec::new();
    for (log, (nonce, sender, recipient, amount)) in logs.iter().zip(expected) {
        let topics = log.topics();
        assert_eq!(topics[1], B256::from(U256::from(nonce)));
        assert_eq!(
            topics[2],
            sender.into_word(),
            "the sender is who called the predeploy"
        );
        assert_eq!(topics[3], recipient.into_word());
        let hash = hash_of(nonce, sender, recipient, amount);
        assert_eq!(log.data.data[..32], amount.to_be_bytes::<32>());
        assert_eq!(
            log.data.data[32..64],
            hash.0,
            "the predeploy's hash is ours"
        );
        slots.push((nonce, sender, recipient, amount, slot_of(hash)));
    }
    assert_eq!(db.account(PREDEPLOY).unwrap().unwrap().balance, ether(3));

    // The next withdrawal, never made: its slot is proven empty.
    let never_made = (2u64, USER, RECIPIENT_A, ether(1));
    let never = slot_of(hash_of(
        never_made.0,
        never_made.1,
        never_made.2,
        never_made.3,
    ));
    let asked: Vec<U256> = slots
        .iter()
        .map(|s| U256::from_be_bytes(s.4.0))
        .chain([U256::from_be_bytes(never.0)])
        .collect();
    let proof = db.proof(PREDEPLOY, &asked).unwrap();
    let withdrawals: Vec<Value> = slots
        .iter()
        .zip(&proof.storage_proofs)
        .map(
            |((nonce, sender, recipient, amount, slot), (_, value, nodes))| {
                assert_eq!(*value, U256::from(1), "initiated");
                json!({
                    "nonce": nonce,
                    "sender": sender.to_string(),
                    "l1Recipient": recipient.to_string(),
                    "amount": format!("{amount:#x}"),
                    "slot": slot.to_string(),
                    "proof": nodes_json(nodes),
                })
            },
        )
        .collect();
    let (_, never_value, never_nodes) = &proof.storage_proofs[2];
    assert_eq!(*never_value, U256::ZERO);

    common::check_vectors(
        "test/vectors/withdrawal_proofs.json",
        &json!({
            "stateRoot": state_root.to_string(),
            "chainId": CHAIN_ID,
            "predeploy": PREDEPLOY.to_string(),
            "predeployBalance": format!("{:#x}", proof.info.balance),
            "accountProof": nodes_json(&proof.account_proof),
            "withdrawals": withdrawals,
            "absent": {
                "nonce": never_made.0,
                "sender": never_made.1.to_string(),
                "l1Recipient": never_made.2.to_string(),
                "amount": format!("{:#x}", never_made.3),
                "slot": never.to_string(),
                "proof": nodes_json(never_nodes),
            },
        }),
        "withdrawal_vectors",
    );
}
