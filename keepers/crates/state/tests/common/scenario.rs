//! The EVM scenario the witness test and the guest benchmark share: a database with funded
//! accounts, the withdrawal predeploy, a contract reading `BLOCKHASH` and an OpenZeppelin ERC-20
//! spread over 40 holders, with a second token and a Uniswap-V2-style pair of the two
//! (`test/bench/BenchPair.sol`) ([`prepared`]); a block of varied transactions for it
//! ([`witness_block`]); and a keeper's handling of one transaction ([`keeper_step`]).

use super::{artifact, code, repo_root};
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use baton_evm::{
    AccountInfo, BLOCK_HASH_WINDOW, BlockExecutor, Claim, ClaimBlock, ClaimTx, Executed,
    PartialState, Recording, Rules, StateDiff, StateNodes, StateReader, Witness,
    block_hashes_commitment, decode_transaction, execute_transaction,
};
use baton_state::StateDb;
use baton_vm::Program;
use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

pub(crate) const CHAIN_ID: u64 = 901;
pub(crate) const PREDEPLOY: Address = baton_evm::WITHDRAWALS_PREDEPLOY;
pub(crate) const GWEI: u128 = 1_000_000_000;
/// The L2's parameters in the chain tests: 30 M gas a block, Ethereum's base fee rule from
/// 1 gwei, base fees to the genesis fee vault.
pub(crate) const SPEC: baton_evm::ChainSpec = baton_evm::ChainSpec {
    chain_id: CHAIN_ID,
    gas_limit: 30_000_000,
    base_fee_params: baton_evm::BaseFeeParams::ETHEREUM,
    genesis_base_fee: 1_000_000_000,
    fee_vault: baton_evm::FEE_VAULT_PREDEPLOY,
};
pub(crate) const HOLDERS: u64 = 40;

/// The key of account `i`; [`USER`] deploys and funds.
pub(crate) fn key(i: u64) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(i.to_be_bytes())).unwrap()
}

pub(crate) const USER: u64 = 1_000_000;

pub(crate) fn holder(i: u64) -> Address {
    key(i).address()
}

/// `SSTORE(0, BLOCKHASH(1))`.
pub(crate) const BLOCKHASH_READER: Address = address!("ba70000000000000000000000000000000000b10");
pub(crate) const BLOCKHASH_READER_CODE: [u8; 7] = [0x60, 0x01, 0x40, 0x60, 0x00, 0x55, 0x00];

pub(crate) const FEE_VAULT: Address = address!("ba700000000000000000000000000000000000fe");

pub(crate) fn rules() -> Rules {
    Rules {
        chain_id: CHAIN_ID,
        fee_vault: Some(FEE_VAULT),
        blob_transactions: false,
    }
}

/// Block `number`; block 1 has a hash, the others none.
pub(crate) fn block(number: u64) -> ClaimBlock {
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

pub(crate) const BLOCK_1_HASH: B256 = B256::repeat_byte(0xb1);

/// The hashes of the 256 blocks before `number`.
pub(crate) fn hashes_before(number: u64) -> [B256; BLOCK_HASH_WINDOW as usize] {
    std::array::from_fn(|i| {
        if (number + i as u64).checked_sub(BLOCK_HASH_WINDOW) == Some(1) {
            BLOCK_1_HASH
        } else {
            B256::ZERO
        }
    })
}

/// An EIP-1559 transaction signed by account `from`, as EIP-2718 bytes.
pub(crate) fn signed(from: u64, nonce: u64, to: TxKind, value: U256, data: Vec<u8>) -> Bytes {
    signed_with_gas(from, nonce, to, value, data, 2_000_000)
}

/// [`signed`] with another gas limit.
pub(crate) fn signed_with_gas(
    from: u64,
    nonce: u64,
    to: TxKind,
    value: U256,
    data: Vec<u8>,
    gas_limit: u64,
) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
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

pub(crate) fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

pub(crate) fn call(signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
    let mut data = selector(signature);
    for word in words {
        data.extend_from_slice(word);
    }
    data
}

pub(crate) fn transfer(to: Address, amount: u64) -> Vec<u8> {
    call(
        "transfer(address,uint256)",
        &[to.into_word().0, U256::from(amount).to_be_bytes()],
    )
}

pub(crate) fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// The executor's view of signed bytes.
pub(crate) fn env_of(raw: &[u8]) -> baton_evm::revm::context::TxEnv {
    decode_transaction(raw)
        .expect("a valid signed transaction")
        .env
}

/// The database after genesis and a first block: funded accounts, the predeploy, the token
/// with tokens at every holder. Returns the token's address.
pub(crate) fn prepared() -> (StateDb, Address) {
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
    // A second token and a Uniswap-V2-style pair of the two with liquidity; holder 8 may swap.
    let pair = pair_address();
    let mut token_b = artifact("BenchToken", "bytecode");
    token_b.extend_from_slice(&U256::from(1_000_000u64).to_be_bytes::<32>());
    let mut pair_code = artifact("BenchPair", "bytecode");
    pair_code.extend_from_slice(&token.into_word().0);
    pair_code.extend_from_slice(&token_b_address().into_word().0);
    let liquidity = U256::from(100_000u64).to_be_bytes::<32>();
    for (nonce, to, data) in [
        (HOLDERS + 1, TxKind::Create, token_b),
        (HOLDERS + 2, TxKind::Create, pair_code),
        (
            HOLDERS + 3,
            TxKind::Call(token),
            call(
                "transfer(address,uint256)",
                &[pair.into_word().0, liquidity],
            ),
        ),
        (
            HOLDERS + 4,
            TxKind::Call(token_b_address()),
            call(
                "transfer(address,uint256)",
                &[pair.into_word().0, liquidity],
            ),
        ),
        (HOLDERS + 5, TxKind::Call(pair), call("sync()", &[])),
    ] {
        let raw = signed(USER, nonce, to, U256::ZERO, data);
        assert!(executor.transaction(env_of(&raw)).unwrap().success);
    }
    let approve = call(
        "approve(address,uint256)",
        &[pair.into_word().0, U256::MAX.to_be_bytes()],
    );
    let raw = signed(8, 0, TxKind::Call(token), U256::ZERO, approve);
    assert!(executor.transaction(env_of(&raw)).unwrap().success);
    let diff = executor.finish().diff;
    db.commit(&diff).unwrap();
    db.set_block_hash(1, BLOCK_1_HASH).unwrap();
    (db, token)
}

/// What a transaction did, or why it is not in the block (the reason's text: the error types
/// of the three sources differ).
pub(crate) fn outcome<S: StateReader>(state: &S, raw: &[u8]) -> Result<Executed, String> {
    let tx = decode_transaction(raw).map_err(|e| e.to_string())?;
    execute_transaction(state, &rules(), &block(2).env(), tx.env).map_err(|e| e.to_string())
}

/// The user's next nonce after [`prepared`].
pub(crate) const USER_NONCE: u64 = HOLDERS + 6;

/// The second token of [`prepared`].
pub(crate) fn token_b_address() -> Address {
    holder(USER).create(HOLDERS + 1)
}

/// The pair of the two tokens.
pub(crate) fn pair_address() -> Address {
    holder(USER).create(HOLDERS + 2)
}

/// The block the witness test and the guest benchmark run, after [`prepared`]: ERC-20
/// transfers (one emptying a balance), a swap, a contract deployed and called in the block,
/// withdrawals, an invalid transaction, bytes that are no transaction and a revert.
pub(crate) fn witness_block(token: Address) -> Vec<(&'static str, Bytes)> {
    let nonce = USER_NONCE;
    let user = holder(USER);
    let forwarder = Address::create(&user, nonce + 1);
    vec![
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
            "a Uniswap-V2-style swap (transferFrom in, transfer out, reserves)",
            signed(
                8,
                1,
                TxKind::Call(pair_address()),
                U256::ZERO,
                call(
                    "swapExactIn(bool,uint256,uint256,address)",
                    &[
                        U256::from(1).to_be_bytes(),
                        U256::from(100).to_be_bytes(),
                        U256::from(1).to_be_bytes(),
                        holder(8).into_word().0,
                    ],
                ),
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
    ]
}

/// One transaction as a keeper handles it: run over a recording of its state, the claim and
/// the preimages the guest needs.
pub(crate) struct KeeperStep {
    /// What the transaction did, or why it is not in the block.
    pub(crate) outcome: Result<Executed, String>,
    /// The root after it.
    pub(crate) after: B256,
    /// The nodes, codes and block hashes it read.
    pub(crate) witness: Witness,
    /// Its claim, true root included.
    pub(crate) claim: Claim,
    /// Everything the guest reads but the claim: the witness, the bytes, the block hashes.
    pub(crate) preimages: BTreeMap<B256, Vec<u8>>,
}

/// Runs `raw` in block 2 over a recording of `keeper`'s state (root `root`), without changing
/// it.
pub(crate) fn keeper_step<S: StateNodes>(
    keeper: &mut PartialState<S>,
    root: B256,
    raw: &[u8],
) -> KeeperStep {
    let mut recording = PartialState::new(root, Recording::new(keeper));
    let outcome = outcome(&recording, raw);
    if let Ok(executed) = &outcome {
        recording.apply(&executed.diff).unwrap();
    }
    let after = recording.root();
    let witness = recording.into_source().witness;
    let claim = Claim {
        pre_root: root,
        claimed_post_root: after,
        chain_id: CHAIN_ID,
        fee_vault: FEE_VAULT,
        block: block(2),
        tx: ClaimTx::Signed(keccak256(raw)),
    };
    let mut preimages = witness.preimages();
    preimages.insert(keccak256(raw), raw.to_vec());
    preimages.insert(block(2).block_hashes, hashes_before(2).concat());
    KeeperStep {
        outcome,
        after,
        witness,
        claim,
        preimages,
    }
}

/// The EVM guest `./script/guest` built.
pub(crate) fn guest() -> &'static Program {
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

/// The guest's preimage oracle for `claim`: `preimages` and the claim itself.
pub(crate) fn oracle(claim: &Claim, preimages: &BTreeMap<B256, Vec<u8>>) -> HashMap<B256, Vec<u8>> {
    let mut oracle: HashMap<B256, Vec<u8>> = preimages.clone().into_iter().collect();
    oracle.insert(claim.key(), claim.encode());
    oracle
}
