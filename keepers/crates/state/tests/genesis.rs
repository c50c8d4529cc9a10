//! The EVM chain's genesis: the committed predeploy code is what `forge build` makes of the
//! contracts; a genesis file's balances and the predeploys go into a new database, and only
//! there; and the base fees of real blocks reach the fee vault, which sends them to the fee
//! recipient on L1 through the withdrawal predeploy, provable against the state root.

mod common;

use alloy_primitives::{Address, TxKind, U256, address, keccak256};
use alloy_trie::{Nibbles, proof::verify_proof};
use baton_core::genesis::Genesis;
use baton_evm::{
    BlockExecutor, FEE_VAULT_PREDEPLOY, MemoryState, Rules, StateReader, WITHDRAWALS_PREDEPLOY,
};
use baton_state::{GenesisError, StateDb, genesis_diff, predeploy_code};
use common::{
    check_vectors, code, repo_root,
    scenario::{CHAIN_ID, GWEI, SPEC, USER, block, call, env_of, holder, signed},
};
use serde_json::json;

const RECIPIENT: Address = address!("00000000000000000000000000000000000f1ee5");

#[test]
fn committed_predeploy_code_is_forges_build() {
    let table = json!({
        "L2FeeVault": alloy_primitives::hex::encode_prefixed(code("L2FeeVault", "deployedBytecode")),
        "L2Withdrawals": alloy_primitives::hex::encode_prefixed(code("L2Withdrawals", "deployedBytecode")),
    });
    check_vectors("keepers/crates/state/predeploys.json", &table, "genesis");
}

fn devnet_alloc() -> std::collections::BTreeMap<Address, U256> {
    let text = std::fs::read_to_string(repo_root().join("script/genesis/devnet.json")).unwrap();
    Genesis::from_json(&text).unwrap().alloc().clone()
}

#[test]
fn a_genesis_goes_into_a_new_database_only() {
    let alloc = devnet_alloc();
    let diff = genesis_diff(&alloc, RECIPIENT).unwrap();
    let mut memory = MemoryState::default();
    memory.apply(&diff);

    let mut db = StateDb::in_memory().unwrap();
    let block_0 = db.init_chain(&SPEC, &diff, 0).unwrap();
    let root = block_0.state_root;
    assert_eq!(root, memory.root());
    assert_eq!(
        db.init_chain(&SPEC, &diff, 0).unwrap(),
        block_0,
        "installing it again is a no-op"
    );
    for (address, balance) in &alloc {
        assert_eq!(db.account(*address).unwrap().unwrap().balance, *balance);
    }
    for (address, name) in [
        (WITHDRAWALS_PREDEPLOY, "L2Withdrawals"),
        (FEE_VAULT_PREDEPLOY, "L2FeeVault"),
    ] {
        let info = db.account(address).unwrap().expect("a predeploy");
        assert_eq!(info.nonce, 1);
        assert_eq!(db.code(info.code_hash).unwrap(), Some(predeploy_code(name)));
    }
    assert_eq!(
        db.storage(FEE_VAULT_PREDEPLOY, U256::ZERO).unwrap(),
        U256::from_be_slice(RECIPIENT.as_slice()),
        "the vault's recipient, slot 0"
    );

    // Another genesis over this database is refused, naming both roots.
    let other = genesis_diff(&alloc, address!("0000000000000000000000000000000000000bad")).unwrap();
    let error = db.init_chain(&SPEC, &other, 0).unwrap_err();
    assert!(
        matches!(error, GenesisError::OtherState { found, .. } if found == root),
        "{error}"
    );

    // Bad inputs say what to fix.
    let mut bad = alloc.clone();
    bad.insert(FEE_VAULT_PREDEPLOY, U256::from(1));
    let error = genesis_diff(&bad, RECIPIENT).unwrap_err();
    assert!(error.to_string().contains("predeploy"), "{error}");
    let error = genesis_diff(&alloc, Address::ZERO).unwrap_err();
    assert!(matches!(error, GenesisError::ZeroFeeRecipient), "{error}");
}

#[test]
fn base_fees_reach_the_vault_and_leave_for_l1() {
    let user = holder(USER);
    let alloc = [(user, U256::from(10u64).pow(U256::from(19)))].into();
    let mut db = StateDb::in_memory().unwrap();
    db.init_chain(&SPEC, &genesis_diff(&alloc, RECIPIENT).unwrap(), 0)
        .unwrap();
    let rules = Rules {
        chain_id: CHAIN_ID,
        fee_vault: Some(FEE_VAULT_PREDEPLOY),
        blob_transactions: false,
    };

    // Block 1: three transfers; the vault gets gas used × base fee, the sequencer the tips.
    let mut executor = BlockExecutor::new(&db, rules, block(1).env());
    for nonce in 0..3 {
        let raw = signed(
            USER,
            nonce,
            TxKind::Call(holder(nonce)),
            U256::from(5),
            Vec::new(),
        );
        assert!(executor.transaction(env_of(&raw)).unwrap().success);
    }
    let outcome = executor.finish();
    db.commit(&outcome.diff).unwrap();
    let fees = U256::from(outcome.gas_used) * U256::from(GWEI);
    assert_eq!(
        db.account(FEE_VAULT_PREDEPLOY).unwrap().unwrap().balance,
        fees
    );

    // Block 2: anyone sends them on.
    let mut executor = BlockExecutor::new(&db, rules, block(2).env());
    let raw = signed(
        USER,
        3,
        TxKind::Call(FEE_VAULT_PREDEPLOY),
        U256::ZERO,
        call("withdraw()", &[]),
    );
    let withdraw = executor.transaction(env_of(&raw)).unwrap();
    assert!(withdraw.success);
    let outcome = executor.finish();
    let root = db.commit(&outcome.diff).unwrap();
    assert_eq!(
        db.account(FEE_VAULT_PREDEPLOY).unwrap().unwrap().balance,
        U256::from(withdraw.gas_used) * U256::from(GWEI),
        "only the withdrawal's own base fee is left"
    );
    assert_eq!(
        db.account(WITHDRAWALS_PREDEPLOY).unwrap().unwrap().balance,
        fees
    );

    // The withdrawal, as the portal will prove it: hashOf(chainId, 0, vault, recipient, fees).
    let mut preimage = Vec::new();
    for word in [
        U256::from(CHAIN_ID).to_be_bytes::<32>(),
        [0u8; 32],
        FEE_VAULT_PREDEPLOY.into_word().0,
        RECIPIENT.into_word().0,
        fees.to_be_bytes::<32>(),
    ] {
        preimage.extend_from_slice(&word);
    }
    let hash = keccak256(preimage);
    let slot = U256::from_be_bytes(keccak256([hash.0, [0u8; 32]].concat()).0);
    let proof = db.proof(WITHDRAWALS_PREDEPLOY, &[slot]).unwrap();
    let (_, value, nodes) = &proof.storage_proofs[0];
    assert_eq!(*value, U256::from(1), "initiated[hash]");
    let account = baton_trie::account_leaf(
        proof.info.nonce,
        proof.info.balance,
        proof.storage_root,
        proof.info.code_hash,
    );
    assert!(
        verify_proof(
            root,
            Nibbles::unpack(keccak256(WITHDRAWALS_PREDEPLOY)),
            Some(account),
            &proof.account_proof
        )
        .is_ok()
    );
    assert!(
        verify_proof(
            proof.storage_root,
            Nibbles::unpack(keccak256(slot.to_be_bytes::<32>())),
            Some(alloy_rlp::encode(value)),
            nodes
        )
        .is_ok()
    );
}
