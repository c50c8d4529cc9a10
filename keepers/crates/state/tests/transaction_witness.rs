//! A block's transactions run the way the fault-proof guest will run them, one at a time on
//! the state known only by its root, and the way a keeper finds what the guest needs.
//!
//! The database holds a few hundred funded accounts, the withdrawal predeploy and an
//! OpenZeppelin ERC-20 spread over 40 holders. A block of ERC-20 transfers (one emptying a
//! balance, so its slot leaves the trie), withdrawals (direct and through a contract deployed in
//! the block, whose code the witness must carry) and an invalid transaction runs three ways:
//! - the node's way: `BlockExecutor` over the database, then one commit;
//! - the keeper's way: each transaction over a `Recording` of the state after the ones before
//!   (held in memory over the database, uncommitted);
//! - the guest's way: each transaction over its recorded witness alone.
//!
//! All three give the same results, diffs and roots. The witness sizes are printed (what a
//! dispute's step will load as preimages). Needs `forge build` first, as `./script/test` runs.

mod common;

use alloy_primitives::{Address, TxKind, U256, address, keccak256};
use baton_evm::{
    AccountInfo, BlockExecutor, Executed, PartialState, Recording, Rules, StateDiff,
    execute_transaction,
    revm::context::{BlockEnv, TxEnv},
};
use baton_state::StateDb;
use common::{artifact, code};

const CHAIN_ID: u64 = 901;
const PREDEPLOY: Address = address!("ba70000000000000000000000000000000000016");
const USER: Address = address!("00000000000000000000000000000000000a11ce");
const GWEI: u128 = 1_000_000_000;
const HOLDERS: u64 = 40;

fn holder(i: u64) -> Address {
    Address::from_word(keccak256(i.to_be_bytes()))
}

fn rules() -> Rules {
    Rules {
        chain_id: CHAIN_ID,
        fee_vault: Some(address!("ba700000000000000000000000000000000000fe")),
        blob_transactions: false,
    }
}

fn env(number: u64) -> BlockEnv {
    BlockEnv {
        number: U256::from(number),
        beneficiary: address!("00000000000000000000000000000000000c0ffe"),
        timestamp: U256::from(1_700_000_000 + number),
        gas_limit: 30_000_000,
        basefee: GWEI as u64,
        ..Default::default()
    }
}

fn tx(from: Address, nonce: u64, to: TxKind, value: U256, data: Vec<u8>) -> TxEnv {
    TxEnv::builder()
        .tx_type(Some(2))
        .caller(from)
        .kind(to)
        .value(value)
        .data(data.into())
        .gas_limit(2_000_000)
        .gas_price(2 * GWEI)
        .gas_priority_fee(Some(GWEI))
        .nonce(nonce)
        .chain_id(Some(CHAIN_ID))
        .build_fill()
}

fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

fn call(signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
    let mut data = selector(signature);
    for word in words {
        data.extend_from_slice(word);
    }
    data
}

fn transfer(to: Address, amount: u64) -> Vec<u8> {
    call(
        "transfer(address,uint256)",
        &[to.into_word().0, U256::from(amount).to_be_bytes()],
    )
}

fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// The database after genesis and a first block: funded accounts, the predeploy, the token
/// with tokens at every holder. Returns the token's address.
fn prepared() -> (StateDb, Address) {
    let mut db = StateDb::in_memory().unwrap();
    let runtime = code("L2Withdrawals", "deployedBytecode");
    let mut genesis = StateDiff::default();
    genesis.codes.insert(keccak256(&runtime), runtime.clone());
    genesis.set_info(
        PREDEPLOY,
        AccountInfo {
            nonce: 1,
            code_hash: keccak256(&runtime),
            ..Default::default()
        },
    );
    for account in (0..300).map(holder).chain([USER]) {
        genesis.set_info(
            account,
            AccountInfo {
                balance: ether(10),
                ..Default::default()
            },
        );
    }
    db.commit(&genesis).unwrap();

    // The token's creation code keeps its metadata: its constructor argument follows it.
    let mut initcode = artifact("BenchToken", "bytecode");
    initcode.extend_from_slice(&U256::from(1_000_000u64).to_be_bytes::<32>());
    let mut block = BlockExecutor::new(&db, rules(), env(1));
    let token = block
        .transaction(tx(USER, 0, TxKind::Create, U256::ZERO, initcode))
        .unwrap()
        .contract_address
        .expect("the token is created");
    for i in 0..HOLDERS {
        let sent = block
            .transaction(tx(
                USER,
                1 + i,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(i), 1_000 + i),
            ))
            .unwrap();
        assert!(sent.success);
    }
    let diff = block.finish().diff;
    db.commit(&diff).unwrap();
    (db, token)
}

/// What a transaction did, or that it was rejected (the reason's text: the error types of the
/// three sources differ).
fn outcome<E: std::error::Error>(
    result: Result<Executed, baton_evm::Rejected<E>>,
) -> Result<Executed, String> {
    result.map_err(|rejected| rejected.to_string())
}

#[test]
fn transactions_run_the_same_natively_for_the_keeper_and_on_the_witness_alone() {
    let (mut db, token) = prepared();
    let nonce = 1 + HOLDERS;
    let forwarder = Address::create(&USER, nonce + 1);
    let block: Vec<(&str, TxEnv)> = vec![
        (
            "ERC-20 transfer to a new holder",
            tx(
                USER,
                nonce,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(200), 5),
            ),
        ),
        (
            "ERC-20 transfer of a whole balance (its slot leaves the trie)",
            tx(
                holder(3),
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(4), 1_003),
            ),
        ),
        (
            "a contract deployed",
            tx(
                USER,
                nonce + 1,
                TxKind::Create,
                U256::ZERO,
                code("WithdrawingContract", "bytecode").to_vec(),
            ),
        ),
        (
            "a withdrawal",
            tx(
                USER,
                nonce + 2,
                TxKind::Call(PREDEPLOY),
                ether(1),
                call("withdraw(address)", &[USER.into_word().0]),
            ),
        ),
        (
            "a withdrawal through the contract deployed in the block",
            tx(
                holder(7),
                0,
                TxKind::Call(forwarder),
                ether(2),
                call(
                    "withdrawFor(address,address)",
                    &[PREDEPLOY.into_word().0, holder(7).into_word().0],
                ),
            ),
        ),
        (
            "an invalid transaction (a nonce used)",
            tx(
                USER,
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(9), 1),
            ),
        ),
        (
            "an ERC-20 transfer that reverts (more than the balance)",
            tx(
                holder(5),
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(6), 1_000_000),
            ),
        ),
    ];

    // The node: the whole block over the database, one commit.
    let mut executor = BlockExecutor::new(&db, rules(), env(2));
    let native: Vec<bool> = block
        .iter()
        .map(|(_, tx)| executor.transaction(tx.clone()).is_ok())
        .collect();
    let block_diff = executor.finish().diff;

    // The keeper and the guest, one transaction at a time.
    let mut root = db.root().unwrap();
    let mut keeper = PartialState::new(root, &mut db);
    for ((what, tx), included) in block.iter().zip(native) {
        let mut recording = PartialState::new(root, Recording::new(&mut keeper));
        let keeper_run = outcome(execute_transaction(
            &recording,
            &rules(),
            &env(2),
            tx.clone(),
        ));
        assert_eq!(keeper_run.is_ok(), included, "{what}");
        if let Ok(executed) = &keeper_run {
            recording.apply(&executed.diff).unwrap();
        }
        let after = recording.root();
        let witness = recording.into_source().witness;

        let mut guest = PartialState::new(root, witness.clone());
        let guest_run = outcome(execute_transaction(&guest, &rules(), &env(2), tx.clone()));
        assert_eq!(guest_run, keeper_run, "{what}");
        if let Ok(executed) = &guest_run {
            guest.apply(&executed.diff).unwrap();
            keeper.apply(&executed.diff).unwrap();
        }
        assert_eq!(guest.root(), after, "{what}");
        assert_eq!(keeper.root(), after, "{what}");
        if let Ok(executed) = &guest_run {
            assert_eq!(executed.success, !what.contains("reverts"), "{what}");
        }

        let bytes: usize = witness.nodes.values().map(Vec::len).sum::<usize>()
            + witness.codes.values().map(|code| code.len()).sum::<usize>();
        println!(
            "{what}: {} trie nodes, {} codes, {bytes} bytes of witness",
            witness.nodes.len(),
            witness.codes.len()
        );
        root = after;
    }
    drop(keeper);
    assert_eq!(db.commit(&block_diff).unwrap(), root, "the node's commit");
}
