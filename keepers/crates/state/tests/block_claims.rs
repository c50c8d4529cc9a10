//! Whole blocks as a dispute over blocks will claim them (`baton_evm::BlockClaim`): a chain is
//! built and stored the node's way (`build_block`, `StateDb::append_block`), and each block's
//! claim is made the keeper's way (`StateDb::block_claim`, from what its record and the queue
//! say it runs). From preimages alone the claim gives the stored header's hash, natively and in
//! the EVM guest under the VM's emulator, which accepts the true hash and refuses any other.
//!
//! The blocks: an empty one; one with the force-queue entries of every kind (a deposit from the
//! portal, the same bytes from someone else, a forced signed transaction) before signed ones
//! (an ERC-20 transfer, a transaction whose nonce is used, bytes that are no transaction), its
//! record's time behind its parent's (as a forced record's L1 time may be); a
//! call reading `BLOCKHASH` of a block three back (the guest walks the headers back by hash);
//! and blocks of 1 and 8 ERC-20 transfers. Each block sits inside a record of more
//! transactions, so its leaves are found inside the record's tree. The guest's steps per block
//! are printed (`--nocapture`; docs/evm.md). The claims are the vectors L1 rebuilds
//! (`test/vectors/block_claims.json`, replayed by `test/BlockClaim.t.sol`;
//! `BATON_WRITE_VECTORS=1` rewrites them). Needs `forge build` and `./script/guest` first, as
//! `./script/test` runs them.

mod common;

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address};
use alloy_signer::SignerSync;
use baton_evm::{
    AccountInfo, BlockClaim, BlockTx, ClaimChain, ClaimInputs, DEPOSIT_CALL_ENTRY_TYPE,
    DEPOSIT_ENTRY_TYPE, StateReader, build_block, queue_accumulate, queue_commitment,
    queue_entry_tx,
};
use baton_state::{StateDb, genesis_diff};
use baton_vm::Status;
use common::scenario::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

const PORTAL: Address = address!("ba70000000000000000000000000000000000a11");
const SEQUENCER: Address = address!("00000000000000000000000000000000000c0ffe");

/// A block's inputs as a record carries them.
struct Block {
    /// Its time as its record says (two seconds after its parent's if `None`).
    timestamp: Option<u64>,
    entries: Vec<(Address, Bytes)>,
    txs: Vec<Bytes>,
}

impl Block {
    fn of(txs: Vec<Bytes>) -> Self {
        Self {
            timestamp: None,
            entries: vec![],
            txs,
        }
    }
}

/// The chain and the queue index of the next entry.
struct Chain {
    db: StateDb,
    next_entry: u64,
    /// The queue's accumulator before `next_entry`, as `ForceInclusionQueue` chains it.
    accumulator: B256,
}

impl Chain {
    /// Genesis with funded accounts, the predeploys and the `BLOCKHASH` reader, then a block
    /// that deploys the ERC-20 and spreads it over the holders. Returns the token too.
    fn new() -> (Self, Address) {
        let mut db = StateDb::in_memory().unwrap();
        let alloc: BTreeMap<Address, U256> = (0..300)
            .chain([USER])
            .map(|i| (holder(i), ether(10)))
            .collect();
        let mut genesis = genesis_diff(&alloc, SEQUENCER).unwrap();
        let reader = Bytes::from_static(&BLOCKHASH_READER_CODE);
        genesis
            .codes
            .insert(alloy_primitives::keccak256(&reader), reader.clone());
        genesis.set_info(
            BLOCKHASH_READER,
            AccountInfo {
                nonce: 1,
                code_hash: alloy_primitives::keccak256(&reader),
                ..Default::default()
            },
        );
        db.init_chain(&SPEC, &genesis, 1_700_000_000).unwrap();
        let mut chain = Self {
            db,
            next_entry: 0,
            accumulator: B256::repeat_byte(0xac),
        };
        let mut initcode = common::artifact("BenchToken", "bytecode");
        initcode.extend_from_slice(&U256::from(1_000_000u64).to_be_bytes::<32>());
        let token = holder(USER).create(0);
        let mut txs = vec![signed(USER, 0, TxKind::Create, U256::ZERO, initcode)];
        txs.extend((0..HOLDERS).map(|i| {
            signed(
                USER,
                1 + i,
                TxKind::Call(token),
                U256::ZERO,
                transfer(holder(i), 1_000 + i),
            )
        }));
        chain.append(&Block::of(txs));
        (chain, token)
    }

    fn head(&self) -> Header {
        self.db.latest_header().unwrap().unwrap()
    }

    /// Builds and stores the next block the node's way; its header and the time its record
    /// gives it.
    fn append(&mut self, block: &Block) -> (Header, u64) {
        let parent = self.head();
        let timestamp = block.timestamp.unwrap_or(parent.timestamp + 2);
        let mut inputs: Vec<BlockTx> = block
            .entries
            .iter()
            .enumerate()
            .map(|(i, (sender, data))| {
                queue_entry_tx(self.next_entry + i as u64, *sender, data, Some(PORTAL))
            })
            .collect();
        inputs.extend(block.txs.iter().cloned().map(BlockTx::Signed));
        let built = build_block(&SPEC, &parent, &self.db, timestamp, SEQUENCER, &inputs).unwrap();
        self.next_entry += block.entries.len() as u64;
        for (sender, data) in &block.entries {
            self.accumulator = queue_accumulate(self.accumulator, queue_commitment(*sender, data));
        }
        (self.db.append_block(&built).unwrap(), timestamp)
    }

    /// Appends `block` and makes its claim the keeper's way, the block placed inside a record
    /// with `before` other transactions before it and two after.
    fn append_and_claim(
        &mut self,
        block: &Block,
        before: usize,
    ) -> (Header, BlockClaim, BTreeMap<B256, Vec<u8>>) {
        let (first_entry, accumulator_before) = (self.next_entry, self.accumulator);
        let (header, timestamp) = self.append(block);
        let filler =
            |i: usize| Bytes::from(format!("another block's transaction {i}").into_bytes());
        let mut record_txs: Vec<Bytes> = (0..before).map(filler).collect();
        record_txs.extend(block.txs.iter().cloned());
        record_txs.extend((before..before + 2).map(filler));
        let inputs = ClaimInputs {
            timestamp,
            beneficiary: header.beneficiary,
            first_entry,
            accumulator_before,
            entries: block.entries.clone(),
            record_txs: &record_txs,
            first_tx: before,
            block_txs: block.txs.len(),
        };
        let chain = ClaimChain::of(&SPEC, Some(PORTAL));
        let (claim, preimages) = self.db.block_claim(chain, header.number, &inputs).unwrap();
        (header, claim, preimages)
    }
}

/// Runs the guest on `claim` to its end; its exit status and steps.
fn run_guest(claim: &BlockClaim, preimages: &BTreeMap<B256, Vec<u8>>) -> (Status, u64) {
    let mut oracle: HashMap<B256, Vec<u8>> = preimages.clone().into_iter().collect();
    oracle.insert(claim.key(), claim.encode());
    let mut machine = guest().boot(claim.key());
    let steps = machine
        .run(&oracle, 1 << 36)
        .expect("the preimages hold everything the guest reads");
    (machine.status, steps)
}

/// A claim as `test/BlockClaim.t.sol` rebuilds it on L1: its fields, the entries and the
/// accumulator before them that `entriesAccumulator` chains them from, the record's block framing the block is read from (block 1
/// of three: `append_and_claim` puts the block between a block of the transactions before it
/// and one of those after), and the key the encoding must hash to.
fn vector(
    what: &str,
    claim: &BlockClaim,
    entries: &[(Address, Bytes)],
    accumulator_before: B256,
) -> Value {
    let c = &claim.chain;
    let after = claim.tx_count - claim.first_tx - claim.block_txs;
    let framing: Vec<u8> = [claim.first_tx, claim.block_txs, after]
        .into_iter()
        .flat_map(|count| {
            let count = u16::try_from(count).expect("a block's count fits the framing");
            [&claim.timestamp.to_be_bytes()[..], &count.to_be_bytes()].concat()
        })
        .collect();
    json!({
        "framing": Bytes::from(framing),
        "blockIndex": 1,
        "what": what,
        "parentHash": claim.parent_hash,
        "claimedHash": claim.claimed_hash,
        "chainId": c.chain_id,
        "gasLimit": c.gas_limit,
        "elasticity": c.base_fee_params.elasticity_multiplier,
        "maxChangeDenominator": c.base_fee_params.max_change_denominator,
        "feeVault": c.fee_vault,
        "portal": c.portal,
        "timestamp": claim.timestamp,
        "beneficiary": claim.beneficiary,
        "firstEntry": claim.first_entry,
        "entrySenders": entries.iter().map(|(sender, _)| *sender).collect::<Vec<_>>(),
        "entryData": entries.iter().map(|(_, data)| data.clone()).collect::<Vec<_>>(),
        "accumulatorBefore": accumulator_before,
        "entriesAccumulator": claim.entries_accumulator,
        "txRoot": claim.tx_root,
        "txCount": claim.tx_count,
        "firstTx": claim.first_tx,
        "blockTxs": claim.block_txs,
        "key": claim.key(),
    })
}

/// The claim's hash is the stored header's, natively and in the guest, which refuses the same
/// claim with another hash. Returns the guest's steps.
fn decided(
    what: &str,
    header: &Header,
    claim: &BlockClaim,
    preimages: &BTreeMap<B256, Vec<u8>>,
) -> u64 {
    assert_eq!(
        claim.claimed_hash,
        header.hash_slow(),
        "{what}: the keeper's hash"
    );
    assert_eq!(
        claim.post_hash(preimages.clone()),
        header.hash_slow(),
        "{what}: natively from preimages"
    );
    let (status, steps) = run_guest(claim, preimages);
    assert_eq!(
        status,
        Status::Exited(0),
        "{what}: the guest refuses the true hash"
    );
    let wrong = BlockClaim {
        claimed_hash: B256::repeat_byte(0x77),
        ..*claim
    };
    let (status, _) = run_guest(&wrong, preimages);
    assert_eq!(
        status,
        Status::Exited(1),
        "{what}: the guest accepts a wrong hash"
    );
    println!(
        "{what}: {} transactions, {} gas: {steps} VM steps; {} preimages, {} bytes",
        claim.entry_count + claim.block_txs,
        header.gas_used,
        preimages.len(),
        preimages.values().map(Vec::len).sum::<usize>()
    );
    steps
}

#[test]
fn a_block_claim_gives_the_stored_header_from_preimages_natively_and_in_the_guest() {
    let (mut chain, token) = Chain::new();
    let mut nonce = HOLDERS + 1;
    let mut user_tx = |to: Address, data: Vec<u8>| {
        nonce += 1;
        signed(USER, nonce - 1, TxKind::Call(to), U256::ZERO, data)
    };

    let (header, claim, preimages) = chain.append_and_claim(&Block::of(vec![]), 3);
    decided("an empty block", &header, &claim, &preimages);
    let mut vectors = vec![vector("an empty block", &claim, &[], B256::ZERO)];

    let mut deposit = vec![DEPOSIT_ENTRY_TYPE];
    deposit.extend_from_slice(holder(250).as_slice());
    deposit.extend_from_slice(&ether(1).to_be_bytes::<32>());
    let forced = signed(
        9,
        0,
        TxKind::Call(token),
        U256::ZERO,
        transfer(holder(201), 1),
    );
    // Deposits with a call (`Portal.depositCall`) from holder 7's L2 address to the token: a
    // transfer of its tokens, and the same call carrying ETH, which the token refuses (the
    // minted ETH stays with the sender).
    let deposit_call = |amount: U256| -> Bytes {
        let mut entry = vec![DEPOSIT_CALL_ENTRY_TYPE];
        entry.extend_from_slice(holder(7).as_slice());
        entry.extend_from_slice(token.as_slice());
        entry.extend_from_slice(&amount.to_be_bytes::<32>());
        entry.extend_from_slice(&100_000u64.to_be_bytes());
        entry.extend_from_slice(&transfer(holder(203), 5));
        entry.into()
    };
    let transfer_tx = user_tx(token, transfer(holder(202), 7));
    // Its time is behind its parent's, as a forced record's L1 time may be: the block takes the
    // parent's.
    let block = Block {
        timestamp: Some(chain.head().timestamp - 100),
        entries: vec![
            (PORTAL, deposit.clone().into()),
            (holder(3), deposit.into()),
            (holder(9), forced),
            (PORTAL, deposit_call(U256::ZERO)),
            (PORTAL, deposit_call(ether(1))),
        ],
        txs: vec![
            transfer_tx.clone(),
            transfer_tx,
            Bytes::from_static(b"not a transaction"),
        ],
    };
    let entries_before = chain.accumulator;
    let (header, claim, preimages) = chain.append_and_claim(&block, 5);
    assert_eq!(
        header.timestamp,
        chain.db.header(2).unwrap().unwrap().timestamp
    );
    let txs = chain.db.block_transactions(header.number).unwrap();
    assert_eq!(
        txs.len(),
        5,
        "the deposit, the forced transfer, both deposit calls and one transfer are in the block; \
         the deposit-shaped entry from someone else, the used nonce and the garbage are skipped"
    );
    let (call, refused) = (&txs[2], &txs[3]);
    assert!(
        call.success && call.logs.len() == 1,
        "the deposit's call transfers tokens"
    );
    assert!(
        !refused.success && refused.logs.is_empty(),
        "the token refuses ETH"
    );
    assert_eq!((call.sender, refused.sender), (holder(7), holder(7)));
    decided(
        "entries and skipped transactions",
        &header,
        &claim,
        &preimages,
    );
    vectors.push(vector(
        "entries and skipped transactions",
        &claim,
        &block.entries,
        entries_before,
    ));
    // The stored block's hash claimed for the same block without the forced transaction (with
    // that claim's own witness) is refused.
    let inputs = ClaimInputs {
        timestamp: claim.timestamp,
        beneficiary: header.beneficiary,
        first_entry: claim.first_entry,
        accumulator_before: entries_before,
        entries: block.entries[..2].to_vec(),
        record_txs: &block.txs,
        first_tx: 0,
        block_txs: block.txs.len(),
    };
    let (other, other_preimages) = chain
        .db
        .block_claim(claim.chain, header.number, &inputs)
        .unwrap();
    assert_ne!(other.claimed_hash, header.hash_slow());
    let (status, _) = run_guest(
        &BlockClaim {
            claimed_hash: header.hash_slow(),
            ..other
        },
        &other_preimages,
    );
    assert_eq!(status, Status::Exited(1), "a claim over other inputs");

    let (header, claim, preimages) = chain.append_and_claim(
        &Block::of(vec![user_tx(token, transfer(holder(203), 1))]),
        0,
    );
    let one_transfer = decided("one ERC-20 transfer", &header, &claim, &preimages);
    vectors.push(vector("one ERC-20 transfer", &claim, &[], B256::ZERO));

    let (header, claim, preimages) =
        chain.append_and_claim(&Block::of(vec![user_tx(BLOCKHASH_READER, vec![])]), 1);
    assert_eq!(header.number, 5);
    let reader_slot = chain.db.storage(BLOCKHASH_READER, U256::ZERO).unwrap();
    assert_eq!(
        B256::from(reader_slot),
        chain.db.header(1).unwrap().unwrap().hash_slow(),
        "the reader stored block 1's hash"
    );
    decided(
        "BLOCKHASH of a block four back",
        &header,
        &claim,
        &preimages,
    );
    vectors.push(vector(
        "BLOCKHASH of a block four back",
        &claim,
        &[],
        B256::ZERO,
    ));

    let txs = (0..8)
        .map(|i| user_tx(token, transfer(holder(210 + i), 3)))
        .collect();
    let (header, claim, preimages) = chain.append_and_claim(&Block::of(txs), 7);
    let eight = decided("eight ERC-20 transfers", &header, &claim, &preimages);
    vectors.push(vector("eight ERC-20 transfers", &claim, &[], B256::ZERO));
    println!(
        "an ERC-20 transfer adds {} VM steps to a block",
        (eight - one_transfer) / 7
    );
    // The genesis header as L1's `EvmGenesis` must hash it (the game over blocks starts there).
    let genesis = chain.db.header(0).unwrap().unwrap();
    let genesis = json!({
        "stateRoot": genesis.state_root,
        "gasLimit": genesis.gas_limit,
        "baseFee": genesis.base_fee_per_gas,
        "timestamp": genesis.timestamp,
        "hash": genesis.hash_slow(),
    });
    common::check_vectors(
        "test/vectors/block_claims.json",
        &json!({ "claims": vectors, "genesis": genesis }),
        "block_claims",
    );
}

/// The nonce of `address` in the chain's latest state.
fn nonce_of(chain: &Chain, address: Address) -> u64 {
    chain.db.account(address).unwrap().map_or(0, |a| a.nonce)
}

/// What the costliest gas-priced work costs the guest per gas, and whether a block of it fits
/// the bisection. Gas bounds a block's work, but not evenly: a precompile priced for native code,
/// or a cold read of a large contract's code (whose hash the guest checks), may take far more VM
/// steps a gas than the opcodes do. Each is done by one transaction, against a baseline
/// transaction of the same calldata to an account without code: the difference in steps over
/// the difference in gas is its steps per gas. The bound: the costliest
/// of them over a whole block's gas (deposits included), plus the fixed cost (decoding, sender
/// recovery) of as many transactions as a record may carry and entries as it may consume, must
/// stay under the 2^36 steps the game over blocks bisects (docs/evm.md, "The most steps a block
/// takes").
#[test]
fn a_block_of_the_costliest_work_fits_the_bisection() {
    let (mut chain, _) = Chain::new();
    let mut nonce = HOLDERS + 1;
    let mut run_tx = |chain: &mut Chain, to: TxKind, data: &[u8]| -> (u64, u64) {
        let tx = signed_with_gas(USER, nonce, to, U256::ZERO, data.to_vec(), 10_000_000);
        nonce += 1;
        let (header, claim, preimages) = chain.append_and_claim(&Block::of(vec![tx]), 0);
        let (status, steps) = run_guest(&claim, &preimages);
        assert_eq!(status, Status::Exited(0), "the guest decides the block");
        (header.gas_used, steps)
    };
    let (_, empty) = {
        let (header, claim, preimages) = chain.append_and_claim(&Block::of(vec![]), 0);
        let (_, steps) = run_guest(&claim, &preimages);
        (header.gas_used, steps)
    };
    // A contract of the largest size (24,576 zero bytes: `PUSH2 0x6000 PUSH1 0 RETURN`), and
    // one that reads its size cold (`PUSH20 big EXTCODESIZE POP STOP`): the guest loads the
    // whole code and checks its hash.
    let creator = holder(USER);
    let big = creator.create(nonce_of(&chain, creator));
    run_tx(
        &mut chain,
        TxKind::Create,
        &[0x61, 0x60, 0x00, 0x60, 0x00, 0xf3],
    );
    // Initcode that CODECOPYs `runtime` (after its 12-byte prefix) and RETURNs it.
    let deploy = |runtime: &[u8]| -> Vec<u8> {
        let len = u8::try_from(runtime.len()).expect("a short runtime");
        let mut initcode = vec![
            0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3,
        ];
        initcode.extend_from_slice(runtime);
        initcode
    };
    let mut size_read = vec![0x73];
    size_read.extend_from_slice(big.as_slice());
    size_read.extend_from_slice(&[0x3b, 0x50, 0x00]);
    let size_reader = creator.create(nonce_of(&chain, creator));
    run_tx(&mut chain, TxKind::Create, &deploy(&size_read));
    // KECCAK256 of 24 KB of memory, eight times (`PUSH2 0x6000 PUSH1 0 KECCAK256 POP`).
    let mut hashing: Vec<u8> = [0x61, 0x60, 0x00, 0x60, 0x00, 0x20, 0x50].repeat(8);
    hashing.push(0x00);
    let hasher = creator.create(nonce_of(&chain, creator));
    run_tx(&mut chain, TxKind::Create, &deploy(&hashing));
    let big_code = chain.db.account(big).unwrap().expect("deployed").code_hash;
    assert_eq!(
        chain.db.code(big_code).unwrap().map(|c| c.len()),
        Some(24_576)
    );
    let mut run =
        |chain: &mut Chain, to: Address, data: &[u8]| run_tx(chain, TxKind::Call(to), data);
    let (_, one_tx) = run(&mut chain, holder(0), &[]);
    let per_tx = one_tx - empty;

    // A signature the ecrecover precompile recovers (not an early refusal).
    let digest = alloy_primitives::keccak256(b"steps per gas");
    let signature = key(3).sign_hash_sync(&digest).unwrap();
    let mut ecrecover = digest.to_vec();
    ecrecover.extend_from_slice(&U256::from(27 + u8::from(signature.v())).to_be_bytes::<32>());
    ecrecover.extend_from_slice(&signature.r().to_be_bytes::<32>());
    ecrecover.extend_from_slice(&signature.s().to_be_bytes::<32>());
    // Two pairs that pair to one (the Byzantium test vector every client carries).
    let pairing = alloy_primitives::hex::decode(
        "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59\
         3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41\
         209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7\
         04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678\
         2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d\
         120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550\
         111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c\
         2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411\
         198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2\
         1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed\
         090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b\
         12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
    )
    .unwrap();
    // blake2f: 20,000 rounds (one gas each) of the compression function.
    let mut blake2f = 20_000u32.to_be_bytes().to_vec();
    blake2f.extend((0..208).map(|i| i as u8));
    blake2f.push(1);
    // modexp with every byte set: 32-byte operands, then a 256-byte exponent; an odd modulus
    // and an even one (a different algorithm).
    let modexp = |exp_len: usize, modulus_low: u8| -> Vec<u8> {
        let mut input = Vec::new();
        for len in [32, exp_len, 32] {
            input.extend_from_slice(&U256::from(len).to_be_bytes::<32>());
        }
        input.extend(std::iter::repeat_n(0xff, 32 + exp_len + 31));
        input.push(modulus_low);
        input
    };
    let precompiles: [(&str, u8, Vec<u8>); 6] = [
        ("ecrecover", 1, ecrecover),
        ("bn254 pairing, two pairs", 8, pairing),
        ("blake2f, 20,000 rounds", 9, blake2f),
        ("modexp 32-byte, odd modulus", 5, modexp(32, 0xff)),
        (
            "modexp 256-byte exponent, odd modulus",
            5,
            modexp(256, 0xff),
        ),
        (
            "modexp 256-byte exponent, even modulus",
            5,
            modexp(256, 0xfe),
        ),
    ];
    let mut measured: Vec<(&str, Address, Address, Vec<u8>)> = precompiles
        .into_iter()
        .map(|(what, address, input)| (what, holder(0), Address::with_last_byte(address), input))
        .collect();
    measured.push((
        "EXTCODESIZE of a 24 KB contract, cold",
        holder(0),
        size_reader,
        vec![],
    ));
    measured.push((
        "KECCAK256 of 24 KB of memory, eight times",
        holder(0),
        hasher,
        vec![],
    ));
    let mut worst = 0u64;
    for (what, baseline, target, input) in &measured {
        let (base_gas, base_steps) = run(&mut chain, *baseline, input);
        let (gas, steps) = run(&mut chain, *target, input);
        assert!(gas > base_gas, "{what}: the precompile charged gas");
        let per_gas = (steps.saturating_sub(base_steps)) / (gas - base_gas);
        println!(
            "{what}: {} gas, {} VM steps over the same calldata to an account: {per_gas} steps a gas",
            gas - base_gas,
            steps.saturating_sub(base_steps)
        );
        worst = worst.max(per_gas);
    }
    // The EVM profile's caps: a block's gas (deposits included: the deploy script holds
    // maxRecordEntries × MAX_DEPOSIT_GAS to it), and the transactions a record carries and the
    // entries it consumes, all in one block at worst.
    let profile: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo_root().join("script/profiles/devnet.json")).unwrap(),
    )
    .unwrap();
    let cap = |key: &str| profile[key].as_u64().expect(key);
    let (gas_limit, inputs) = (
        cap("l2GasLimit"),
        cap("maxRecordTxs") + cap("maxRecordEntries"),
    );
    let bound = worst * gas_limit + inputs * per_tx;
    println!(
        "a transaction's fixed cost: {per_tx} steps; the worst block: {worst} steps a gas × \
         {gas_limit} gas + {inputs} inputs × {per_tx} = {bound} steps, {:.1}% of 2^36",
        bound as f64 * 100.0 / (1u64 << 36) as f64
    );
    assert!(
        bound < 1 << 36,
        "a block could outrun the bisection: {bound} steps"
    );
}
