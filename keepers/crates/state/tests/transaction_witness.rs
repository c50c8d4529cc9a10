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
//! All three give the same results, diffs and roots, and each transaction's claim (its bytes,
//! block and roots, `baton_evm::Claim`) computed from preimages alone gives the keeper's root,
//! natively and in the EVM guest (keepers/guest-evm) under the VM's emulator, which accepts the
//! true root and refuses any other. The witness sizes and the guest's steps are printed
//! (`--nocapture`; docs/evm.md). Needs `forge build` and `./script/guest` first, as
//! `./script/test` runs them.

mod common;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use baton_evm::{
    AccountInfo, BLOCK_HASH_WINDOW, BlockExecutor, Claim, ClaimBlock, ClaimTx, Deposit, Executed,
    PartialState, Recording, Rules, StateDiff, StateReader, block_hashes_commitment,
    decode_transaction, execute_deposit, execute_transaction,
};
use baton_state::StateDb;
use baton_vm::{Program, Status};
use common::{artifact, code, repo_root};
use std::collections::BTreeMap;
use std::{collections::HashMap, sync::OnceLock};

const CHAIN_ID: u64 = 901;
const PREDEPLOY: Address = address!("ba70000000000000000000000000000000000016");
const GWEI: u128 = 1_000_000_000;
const HOLDERS: u64 = 40;

/// The key of account `i`; [`USER`] deploys and funds.
fn key(i: u64) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(i.to_be_bytes())).unwrap()
}

const USER: u64 = 1_000_000;

fn holder(i: u64) -> Address {
    key(i).address()
}

/// `SSTORE(0, BLOCKHASH(1))`.
const BLOCKHASH_READER: Address = address!("ba70000000000000000000000000000000000b10");
const BLOCKHASH_READER_CODE: [u8; 7] = [0x60, 0x01, 0x40, 0x60, 0x00, 0x55, 0x00];

const FEE_VAULT: Address = address!("ba700000000000000000000000000000000000fe");

fn rules() -> Rules {
    Rules {
        chain_id: CHAIN_ID,
        fee_vault: Some(FEE_VAULT),
        blob_transactions: false,
    }
}

/// Block `number`; block 1 has a hash, the others none.
fn block(number: u64) -> ClaimBlock {
    ClaimBlock {
        number,
        timestamp: 1_700_000_000 + number,
        beneficiary: address!("00000000000000000000000000000000000c0ffe"),
        base_fee: GWEI as u64,
        gas_limit: 30_000_000,
        prev_randao: B256::repeat_byte(0x5a),
        block_hashes: block_hashes_commitment(&hashes_before(number)),
    }
}

const BLOCK_1_HASH: B256 = B256::repeat_byte(0xb1);

/// The hashes of the 256 blocks before `number`.
fn hashes_before(number: u64) -> [B256; BLOCK_HASH_WINDOW as usize] {
    std::array::from_fn(|i| {
        if (number + i as u64).checked_sub(BLOCK_HASH_WINDOW) == Some(1) {
            BLOCK_1_HASH
        } else {
            B256::ZERO
        }
    })
}

/// An EIP-1559 transaction signed by account `from`, as EIP-2718 bytes.
fn signed(from: u64, nonce: u64, to: TxKind, value: U256, data: Vec<u8>) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 2_000_000,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value,
        access_list: Default::default(),
        input: data.into(),
    };
    let signature = key(from).sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into()
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

/// The executor's view of signed bytes.
fn env_of(raw: &[u8]) -> baton_evm::revm::context::TxEnv {
    decode_transaction(raw)
        .expect("a valid signed transaction")
        .env
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
    let reader = Bytes::from_static(&BLOCKHASH_READER_CODE);
    genesis.codes.insert(keccak256(&reader), reader.clone());
    genesis.set_info(
        BLOCKHASH_READER,
        AccountInfo {
            nonce: 1,
            code_hash: keccak256(&reader),
            ..Default::default()
        },
    );
    for account in (0..300).chain([USER]).map(holder) {
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
    let mut executor = BlockExecutor::new(&db, rules(), block(1).env());
    let token = executor
        .transaction(env_of(&signed(
            USER,
            0,
            TxKind::Create,
            U256::ZERO,
            initcode,
        )))
        .unwrap()
        .contract_address
        .expect("the token is created");
    for i in 0..HOLDERS {
        let raw = signed(
            USER,
            1 + i,
            TxKind::Call(token),
            U256::ZERO,
            transfer(holder(i), 1_000 + i),
        );
        assert!(executor.transaction(env_of(&raw)).unwrap().success);
    }
    let diff = executor.finish().diff;
    db.commit(&diff).unwrap();
    db.set_block_hash(1, BLOCK_1_HASH).unwrap();
    (db, token)
}

/// What a transaction did, or why it is not in the block (the reason's text: the error types
/// of the three sources differ).
fn outcome<S: StateReader>(state: &S, raw: &[u8]) -> Result<Executed, String> {
    let tx = decode_transaction(raw).map_err(|e| e.to_string())?;
    execute_transaction(state, &rules(), &block(2).env(), tx.env).map_err(|e| e.to_string())
}

/// The EVM guest `./script/guest` built.
fn guest() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let path = repo_root().join("out/guest/baton-evm-guest.elf");
        let elf = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run ./script/guest first (./script/test does)",
                path.display()
            )
        });
        Program::load(&elf).expect("the EVM guest is a VM program")
    })
}

/// Runs the guest on `claim` to its end; its exit status and steps.
fn run_guest(claim: &Claim, preimages: &BTreeMap<B256, Vec<u8>>) -> (Status, u64) {
    let mut oracle: HashMap<B256, Vec<u8>> = preimages.clone().into_iter().collect();
    oracle.insert(claim.key(), claim.encode());
    let mut machine = guest().boot(claim.key());
    let steps = machine
        .run(&oracle, 1 << 32)
        .expect("the witness has every preimage the guest reads");
    (machine.status, steps)
}

/// The guest accepts `claim` and refuses the same claim with another root; its steps.
fn guest_decides(claim: &Claim, preimages: &BTreeMap<B256, Vec<u8>>, what: &str) -> u64 {
    let (status, steps) = run_guest(claim, preimages);
    assert_eq!(
        status,
        Status::Exited(0),
        "{what}: the guest refuses the true root"
    );
    let wrong = Claim {
        claimed_post_root: B256::repeat_byte(0x77),
        ..*claim
    };
    let (status, _) = run_guest(&wrong, preimages);
    assert_eq!(
        status,
        Status::Exited(1),
        "{what}: the guest accepts a wrong root"
    );
    steps
}

#[test]
fn transactions_run_the_same_natively_for_the_keeper_and_on_the_witness_alone() {
    let (mut db, token) = prepared();
    let nonce = 1 + HOLDERS;
    let user = holder(USER);
    let forwarder = Address::create(&user, nonce + 1);
    let txs: Vec<(&str, Bytes)> = vec![
        (
            "ERC-20 transfer to a new holder",
            signed(
                USER,
                nonce,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(200), 5),
            ),
        ),
        (
            "ERC-20 transfer of a whole balance (its slot leaves the trie)",
            signed(
                3,
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(4), 1_003),
            ),
        ),
        (
            "a contract deployed",
            signed(
                USER,
                nonce + 1,
                TxKind::Create,
                U256::ZERO,
                code("WithdrawingContract", "bytecode").to_vec(),
            ),
        ),
        (
            "a withdrawal",
            signed(
                USER,
                nonce + 2,
                TxKind::Call(PREDEPLOY),
                ether(1),
                call("withdraw(address)", &[user.into_word().0]),
            ),
        ),
        (
            "a withdrawal through the contract deployed in the block",
            signed(
                7,
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
            signed(
                USER,
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(9), 1),
            ),
        ),
        (
            "bytes that are no transaction",
            Bytes::from_static(b"\x02\xc0"),
        ),
        (
            "an ERC-20 transfer that reverts (more than the balance)",
            signed(
                5,
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(6), 1_000_000),
            ),
        ),
    ];

    // The node: the whole block over the database, one commit.
    let mut executor = BlockExecutor::new(&db, rules(), block(2).env());
    let included: Vec<bool> = txs
        .iter()
        .map(|(_, raw)| {
            decode_transaction(raw).is_ok_and(|tx| executor.transaction(tx.env).is_ok())
        })
        .collect();
    let block_diff = executor.finish().diff;

    // The keeper and the guest, one transaction at a time.
    let mut root = db.root().unwrap();
    let mut keeper = PartialState::new(root, &mut db);
    for ((what, raw), included) in txs.iter().zip(included) {
        let mut recording = PartialState::new(root, Recording::new(&mut keeper));
        let keeper_run = outcome(&recording, raw);
        assert_eq!(keeper_run.is_ok(), included, "{what}");
        if let Ok(executed) = &keeper_run {
            recording.apply(&executed.diff).unwrap();
        }
        let after = recording.root();
        let witness = recording.into_source().witness;

        let mut guest = PartialState::new(root, witness.clone());
        let guest_run = outcome(&guest, raw);
        assert_eq!(guest_run, keeper_run, "{what}");
        if let Ok(executed) = &guest_run {
            assert_eq!(executed.success, !what.contains("reverts"), "{what}");
            guest.apply(&executed.diff).unwrap();
            keeper.apply(&executed.diff).unwrap();
        }
        assert_eq!(guest.root(), after, "{what}");
        assert_eq!(keeper.root(), after, "{what}");

        // The claim, from preimages alone: the witness, the bytes, the block hashes.
        let claim = Claim {
            pre_root: root,
            claimed_post_root: after,
            chain_id: CHAIN_ID,
            fee_vault: FEE_VAULT,
            block: block(2),
            tx: ClaimTx::Signed(keccak256(raw)),
        };
        assert_eq!(Claim::decode(&claim.encode()), Some(claim));
        let mut preimages = witness.preimages();
        preimages.insert(keccak256(raw), raw.to_vec());
        preimages.insert(block(2).block_hashes, hashes_before(2).concat());
        assert_eq!(claim.post_root(preimages.clone()), after, "{what}");
        let steps = guest_decides(&claim, &preimages, what);

        let bytes: usize = witness.nodes.values().map(Vec::len).sum::<usize>()
            + witness.codes.values().map(|code| code.len()).sum::<usize>();
        println!(
            "{what}: {steps} VM steps; witness {} trie nodes, {} codes, {bytes} bytes",
            witness.nodes.len(),
            witness.codes.len()
        );
        root = after;
    }
    drop(keeper);
    assert_eq!(db.commit(&block_diff).unwrap(), root, "the node's commit");
}

#[test]
fn a_deposit_calling_a_contract_that_reads_blockhash_is_claimed_from_preimages() {
    let (mut db, _) = prepared();
    let root = db.root().unwrap();
    let deposit = Deposit {
        from: holder(11),
        to: TxKind::Call(BLOCKHASH_READER),
        mint: ether(1),
        value: U256::from(5),
        gas_limit: 100_000,
        data: Bytes::new(),
    };
    let native = execute_deposit(&db, &rules(), &block(2).env(), &deposit).unwrap();
    assert!(native.success);

    let mut recording = PartialState::new(root, Recording::new(&mut db));
    let recorded = execute_deposit(&recording, &rules(), &block(2).env(), &deposit).unwrap();
    assert_eq!(recorded, native);
    recording.apply(&native.diff).unwrap();
    let after = recording.root();
    let witness = recording.into_source().witness;
    assert_eq!(witness.block_hashes.get(&1), Some(&BLOCK_1_HASH));

    assert_eq!(db.commit(&native.diff).unwrap(), after);
    assert_eq!(
        db.storage(BLOCKHASH_READER, U256::ZERO).unwrap(),
        U256::from_be_bytes(BLOCK_1_HASH.0)
    );

    let claim = Claim {
        pre_root: root,
        claimed_post_root: after,
        chain_id: CHAIN_ID,
        fee_vault: FEE_VAULT,
        block: block(2),
        tx: ClaimTx::Deposit {
            from: deposit.from,
            to: deposit.to,
            mint: deposit.mint,
            value: deposit.value,
            gas_limit: deposit.gas_limit,
            data_hash: keccak256(&deposit.data),
        },
    };
    assert_eq!(Claim::decode(&claim.encode()), Some(claim));
    let mut preimages = witness.preimages();
    preimages.insert(keccak256(&deposit.data), deposit.data.to_vec());
    let without_hashes = preimages.clone();
    preimages.insert(block(2).block_hashes, hashes_before(2).concat());
    assert_eq!(claim.post_root(preimages.clone()), after);
    let steps = guest_decides(&claim, &preimages, "a deposit reading BLOCKHASH");
    println!("a deposit calling a contract that reads BLOCKHASH: {steps} VM steps");

    // Without the 256 hashes the claim cannot be decided: no hash is taken for zero.
    let undecided = std::panic::catch_unwind(|| claim.post_root(without_hashes));
    assert!(undecided.is_err());
}
