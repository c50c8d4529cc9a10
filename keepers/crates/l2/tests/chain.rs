//! `L2Chain`: sealing from the pool into a real SQLite file, blocks that fill up, the events
//! subscribers hear, and what survives a reopen.

mod common;

use alloy::primitives::{Address, address};
use baton_evm::{BaseFeeParams, ChainSpec, FEE_VAULT_PREDEPLOY, StateReader};
use baton_l2::{ChainEvent, L2Chain, PoolConfig};
use common::{key, transfer};
use std::sync::Arc;

const SEQUENCER: Address = address!("00000000000000000000000000000000000b470e");
/// Room for four transfers a block.
const SPEC: ChainSpec = ChainSpec {
    chain_id: 901,
    gas_limit: 90_000,
    base_fee_params: BaseFeeParams::ETHEREUM,
    genesis_base_fee: 1_000_000_000,
    fee_vault: FEE_VAULT_PREDEPLOY,
};

fn open(path: &std::path::Path) -> L2Chain {
    L2Chain::open(path, SPEC, &common::genesis(), 0, PoolConfig::default()).unwrap()
}

#[test]
fn sealing_fills_blocks_best_tip_first_and_the_rest_waits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.sqlite");
    let mut chain = open(&path);
    let mut events = chain.events();
    // Sender 0: six transfers at a 1 gwei tip; sender 1: two at 3 gwei.
    for nonce in 0..6 {
        chain.submit(&transfer(0, nonce, 1_000_000_000)).unwrap();
    }
    let rich: Vec<_> = (0..2)
        .map(|nonce| chain.submit(&transfer(1, nonce, 3_000_000_000)).unwrap())
        .collect();
    let mut pooled = Vec::new();
    while let Ok(ChainEvent::Pooled(hash)) = events.try_recv() {
        pooled.push(hash);
    }
    assert_eq!(pooled.len(), 8, "every pooled transaction is an event");
    assert_eq!(pooled[6..], rich[..]);

    // Block 1 holds four: sender 1's two first (the higher tip), then sender 0's nonces 0 and 1.
    let sealed = chain.seal(1, SEQUENCER).unwrap();
    assert_eq!((sealed.block.transactions.len(), sealed.dropped), (4, 0));
    assert_eq!(sealed.block.evm.gas_used, 84_000);
    let txs = chain.db().block_transactions(1).unwrap();
    assert_eq!([txs[0].hash, txs[1].hash], [rich[0], rich[1]]);
    assert_eq!([txs[2].sender, txs[3].sender], [key(0).address(); 2]);
    assert_eq!(chain.pool().len(), 4, "the rest waits for the next block");
    assert_eq!(
        events.try_recv().unwrap(),
        ChainEvent::Block(Arc::new(sealed.block.evm.clone()))
    );
    assert_eq!(chain.pending_nonce(key(0).address()).unwrap(), 6);

    // Block 2 takes sender 0's last four. Its timestamp is behind its parent's: the signed
    // header keeps it, the EVM header never goes back.
    let sealed = chain.seal(0, SEQUENCER).unwrap();
    assert_eq!(sealed.block.transactions.len(), 4);
    assert_eq!(
        (sealed.block.header.timestamp, sealed.block.evm.timestamp),
        (0, 1)
    );
    assert!(chain.pool().is_empty());
    assert_eq!(
        chain.db().account(key(0).address()).unwrap().unwrap().nonce,
        6
    );
    let head = chain.head().clone();

    // Reopened, the chain is as it was (the pool lives in memory: it starts empty).
    drop(chain);
    let chain = open(&path);
    assert_eq!(*chain.head(), head);
    assert_eq!(chain.next_base_fee(), SPEC.next_base_fee(&head));
    assert!(chain.pool().is_empty());
}
