//! The EVM chain's blocks: headers chain by hash, the base fee follows EIP-1559 from block to
//! block, the transactions root is Ethereum's, deposits come first and cannot be refused, and
//! every signed entry the block leaves out says why.

use alloy_consensus::{
    SignableTransaction, TxEip1559, TxEnvelope, proofs::calculate_transaction_root,
};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use baton_evm::{
    BaseFeeParams, BlockDeposit, BlockTx, ChainSpec, ClaimBlock, DEPOSIT_TX_TYPE, Deposit,
    FEE_VAULT_PREDEPLOY, MemoryState, Skipped, StateReader, block_env, build_block,
    decode_transaction, next_base_fee,
};

const GWEI: u64 = 1_000_000_000;
const SPEC: ChainSpec = ChainSpec {
    chain_id: 901,
    gas_limit: 1_000_000,
    base_fee_params: BaseFeeParams::ETHEREUM,
    genesis_base_fee: GWEI,
    fee_vault: FEE_VAULT_PREDEPLOY,
};
const SEQUENCER: Address = address!("00000000000000000000000000000000000c0ffe");

fn key(i: u64) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(i.to_be_bytes())).unwrap()
}

/// A 21,000-gas transfer of 1 wei from account `from`.
fn transfer(from: u64, nonce: u64, gas_limit: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id: SPEC.chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: 10 * u128::from(GWEI),
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(Address::with_last_byte(0xbb)),
        value: U256::from(1),
        ..Default::default()
    };
    let signature = key(from).sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(signature))
        .encoded_2718()
        .into()
}

fn funded() -> MemoryState {
    let mut state = MemoryState::default();
    for i in 0..50 {
        state.insert(
            key(i).address(),
            0,
            U256::from(10u64).pow(U256::from(18)),
            Bytes::new(),
            [],
        );
    }
    state
}

#[test]
fn blocks_chain_by_hash_and_carry_the_base_fee() {
    let mut state = funded();
    let genesis = SPEC.genesis_header(state.root(), 1_700_000_000);
    assert_eq!(genesis.number, 0);
    assert_eq!(genesis.base_fee_per_gas, Some(GWEI));

    // Block 1: 40 transfers, 840,000 gas of a 1,000,000 limit: above the target.
    let txs: Vec<BlockTx> = (0..40)
        .map(|i| BlockTx::Signed(transfer(i, 0, 21_000)))
        .collect();
    let built = build_block(&SPEC, &genesis, &state, 1_700_000_001, SEQUENCER, &txs).unwrap();
    assert!(built.skipped.is_empty());
    // A sequencer's pool hands over its transactions decoded: the same block.
    let recovered: Vec<BlockTx> = txs
        .iter()
        .map(|tx| match tx {
            BlockTx::Signed(raw) => BlockTx::Recovered {
                raw: raw.clone(),
                tx: decode_transaction(raw).unwrap(),
            },
            other => other.clone(),
        })
        .collect();
    let same = build_block(
        &SPEC,
        &genesis,
        &state,
        1_700_000_001,
        SEQUENCER,
        &recovered,
    )
    .unwrap();
    assert_eq!(same.header, built.header);
    assert_eq!(same.outcome.diff, built.outcome.diff);
    assert_eq!(built.header.number, 1);
    assert_eq!(built.header.parent_hash, genesis.hash_slow());
    assert_eq!(
        built.header.mix_hash,
        genesis.hash_slow(),
        "PREVRANDAO is the parent's hash"
    );
    assert_eq!(built.header.gas_used, 840_000);
    // The genesis block used no gas, so block 1's base fee is 12.5% below it.
    let base_1 = next_base_fee(BaseFeeParams::ETHEREUM, 0, SPEC.gas_limit, GWEI);
    assert_eq!(built.header.base_fee_per_gas, Some(base_1));
    let envelopes: Vec<TxEnvelope> = txs
        .iter()
        .map(|tx| match tx {
            BlockTx::Signed(raw) | BlockTx::Recovered { raw, .. } => {
                TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap()
            }
            BlockTx::Deposit(_) => unreachable!(),
        })
        .collect();
    assert_eq!(
        built.header.transactions_root,
        calculate_transaction_root(&envelopes)
    );
    for (included, envelope) in built.included.iter().zip(&envelopes) {
        assert_eq!(included.hash, *envelope.tx_hash());
    }
    state.apply(&built.outcome.diff);
    assert_eq!(
        state.account(FEE_VAULT_PREDEPLOY).unwrap().unwrap().balance,
        U256::from(840_000 * base_1),
        "the base fees are in the vault"
    );
    let block_1 = built.seal(state.root());
    assert_eq!(block_1.state_root, state.root());

    // The claim of a transaction in block 1 runs in the same environment as the block.
    let claim = ClaimBlock::of(&block_1, B256::ZERO);
    let env = block_env(&SPEC, &genesis, block_1.timestamp, SEQUENCER);
    let claim_env = claim.env();
    assert_eq!(
        (
            claim_env.number,
            claim_env.timestamp,
            claim_env.beneficiary,
            claim_env.basefee,
            claim_env.gas_limit,
            claim_env.prevrandao
        ),
        (
            env.number,
            env.timestamp,
            env.beneficiary,
            env.basefee,
            env.gas_limit,
            env.prevrandao
        )
    );

    // Block 2: a deposit first, then transfers until the block is full, then entries the block
    // leaves out, each with why.
    let deposit = BlockDeposit {
        source: B256::repeat_byte(0xd0),
        deposit: Deposit {
            from: Address::with_last_byte(0xd),
            to: TxKind::Call(Address::with_last_byte(0xe)),
            mint: U256::from(7),
            value: U256::from(7),
            gas_limit: 50_000,
            data: Bytes::new(),
        },
    };
    let mut txs = vec![BlockTx::Deposit(deposit.clone())];
    txs.push(BlockTx::Signed(Bytes::from_static(&[0x02, 0xc0])));
    txs.push(BlockTx::Signed(transfer(0, 0, 21_000)));
    // Senders 0..40 sent in block 1; 40..45 did not.
    txs.extend((0..45).map(|i| BlockTx::Signed(transfer(i, u64::from(i < 40), 21_000))));
    // 21,000 for the deposit and 945,000 for the transfers leave 34,000: this one does not fit.
    txs.push(BlockTx::Signed(transfer(45, 0, 40_000)));
    let built = build_block(&SPEC, &block_1, &state, 1_700_000_002, SEQUENCER, &txs).unwrap();
    assert_eq!(built.header.parent_hash, block_1.hash_slow());
    let base_2 = next_base_fee(BaseFeeParams::ETHEREUM, 840_000, SPEC.gas_limit, base_1);
    assert!(base_2 > base_1);
    assert_eq!(built.header.base_fee_per_gas, Some(base_2));

    let first = &built.included[0];
    assert_eq!(first.input, 0);
    assert_eq!(first.hash, keccak256(deposit.encoded()));
    assert_eq!(first.encoded[0], DEPOSIT_TX_TYPE);
    assert_eq!(BlockDeposit::decode(&first.encoded), Some(deposit.clone()));
    assert_eq!(
        BlockDeposit::decode(&first.encoded[..first.encoded.len() - 1]),
        None
    );
    assert_eq!(built.outcome.receipts[0].tx_type, DEPOSIT_TX_TYPE);
    assert_eq!(built.included.len(), 1 + 45);
    let skipped: Vec<(usize, &Skipped)> = built.skipped.iter().map(|(i, s)| (*i, s)).collect();
    assert!(
        matches!(skipped[0], (1, Skipped::Undecodable(_))),
        "{skipped:?}"
    );
    assert!(
        matches!(skipped[1], (2, Skipped::Invalid(reason)) if reason.contains("nonce")),
        "{skipped:?}"
    );
    assert!(
        matches!(
            skipped[2],
            (
                48,
                Skipped::BlockFull {
                    gas_limit: 40_000,
                    left: 34_000
                }
            )
        ),
        "{skipped:?}"
    );
    assert_eq!(
        built.header.gas_used,
        21_000 + 45 * 21_000,
        "a deposit counts the gas it used"
    );
    let block_2 = built.seal(B256::repeat_byte(2));

    // Block 3, empty: the base fee falls back towards the target.
    let built = build_block(&SPEC, &block_2, &state, 1_700_000_003, SEQUENCER, &[]).unwrap();
    assert_eq!(built.header.transactions_root, baton_trie::EMPTY_ROOT);
    assert_eq!(
        built.header.base_fee_per_gas,
        Some(next_base_fee(
            BaseFeeParams::ETHEREUM,
            block_2.gas_used,
            SPEC.gas_limit,
            base_2
        ))
    );
}
