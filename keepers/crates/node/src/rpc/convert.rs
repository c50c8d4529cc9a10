//! baton's blocks, transactions and receipts in alloy's RPC types, and which chain a block tag
//! selects.

use crate::view::{BlockEntry, View};
use alloy::{
    consensus::{
        Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
        transaction::SignerRecoverable,
    },
    eips::{BlockId, BlockNumberOrTag, eip2718::Decodable2718},
    primitives::{Bloom, U256},
    rpc::types::{Block, BlockTransactions, Header, Transaction, TransactionReceipt},
};
use baton_core::ledger::{Applied, TX_GAS};
use baton_rpc::{
    RpcResult,
    errors::{UNSUPPORTED, rpc_error},
};

/// Block selection for state queries: the pending head, or the L1-derived (safe) head.
pub(crate) fn state_view(view: &View, block: Option<BlockId>) -> RpcResult<bool> {
    let head = view.head().number;
    let safe = view.canonical().head().number;
    let tag = match block {
        None => BlockNumberOrTag::Latest,
        Some(BlockId::Number(tag)) => tag,
        Some(BlockId::Hash(hash)) => match view.block_by_hash(&hash.block_hash) {
            Some(entry) => BlockNumberOrTag::Number(entry.block.header.number),
            None => {
                return Err(rpc_error(
                    UNSUPPORTED,
                    format!("block {} is not known", hash.block_hash),
                ));
            }
        },
    };
    match tag {
        BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Ok(false),
        BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => Ok(true),
        BlockNumberOrTag::Number(n) if n == head => Ok(false),
        BlockNumberOrTag::Number(n) if n == safe => Ok(true),
        BlockNumberOrTag::Number(n) if n > head => Err(rpc_error(
            UNSUPPORTED,
            format!("block {n} does not exist yet: the latest is {head}"),
        )),
        other => Err(rpc_error(
            UNSUPPORTED,
            format!("state at block {other} is not kept: ask for latest ({head}) or safe ({safe})"),
        )),
    }
}

pub(crate) fn block_number(view: &View, tag: BlockNumberOrTag) -> Option<u64> {
    match tag {
        BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Some(view.head().number),
        BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => {
            Some(view.canonical().head().number)
        }
        BlockNumberOrTag::Earliest => Some(0),
        BlockNumberOrTag::Number(n) => Some(n),
    }
}

/// The RPC form of a signed transaction at `(block, index)`.
pub(crate) fn rpc_tx(entry: &BlockEntry, index: usize, base_fee: u128) -> Option<Transaction> {
    let tx = &entry.block.txs[index];
    let baton_core::ledger::L2Tx::Signed(raw) = &tx.tx else {
        return None;
    };
    let envelope = TxEnvelope::decode_2718_exact(raw).ok()?;
    // An applied transaction's sender was recovered when it executed.
    let signer = match tx.outcome {
        Ok(Applied::Transfer { tx } | Applied::Withdrawal { tx, .. }) => tx.sender,
        _ => envelope.recover_signer().ok()?,
    };
    let price = envelope.effective_gas_price(Some(base_fee as u64));
    Some(Transaction {
        inner: alloy::consensus::transaction::Recovered::new_unchecked(envelope, signer),
        block_hash: Some(entry.block.hash),
        block_number: Some(entry.block.header.number),
        transaction_index: Some(index as u64),
        effective_gas_price: Some(price),
        block_timestamp: Some(entry.block.header.timestamp),
    })
}

pub(crate) fn rpc_block(entry: &BlockEntry, full: bool, base_fee: u128) -> Block {
    let b = &entry.block;
    let applied = b.txs.iter().filter(|t| t.outcome.is_ok()).count() as u64;
    let inner = alloy::consensus::Header {
        parent_hash: b.header.parentHash,
        beneficiary: b.txs.first().map(|t| t.fee_recipient).unwrap_or_default(),
        // Only a record's last block carries a root (`DerivedBlock::state_root`).
        state_root: b.state_root.unwrap_or_default(),
        transactions_root: b.header.txRoot,
        number: b.header.number,
        gas_limit: 30_000_000,
        gas_used: applied * TX_GAS,
        timestamp: b.header.timestamp,
        base_fee_per_gas: Some(base_fee as u64),
        ..Default::default()
    };
    let transactions = if full {
        BlockTransactions::Full(
            (0..b.txs.len())
                .filter_map(|i| rpc_tx(entry, i, base_fee))
                .collect(),
        )
    } else {
        BlockTransactions::Hashes(b.txs.iter().map(|t| t.hash).collect())
    };
    Block {
        header: Header {
            hash: b.hash,
            inner,
            total_difficulty: Some(U256::ZERO),
            size: None,
        },
        uncles: Vec::new(),
        transactions,
        withdrawals: None,
    }
}

pub(crate) fn receipt(
    entry: &BlockEntry,
    index: usize,
    base_fee: u128,
) -> Option<TransactionReceipt> {
    let tx = rpc_tx(entry, index, base_fee)?;
    let ok = entry.block.txs[index].outcome.is_ok();
    let cumulative = entry.block.txs[..=index]
        .iter()
        .filter(|t| t.outcome.is_ok())
        .count() as u64
        * TX_GAS;
    let inner = ReceiptEnvelope::Eip1559(ReceiptWithBloom {
        receipt: Receipt {
            status: Eip658Value::Eip658(ok),
            cumulative_gas_used: cumulative,
            logs: Vec::new(),
        },
        logs_bloom: Bloom::ZERO,
    });
    Some(TransactionReceipt {
        inner,
        transaction_hash: entry.block.txs[index].hash,
        transaction_index: Some(index as u64),
        block_hash: Some(entry.block.hash),
        block_number: Some(entry.block.header.number),
        gas_used: if ok { TX_GAS } else { 0 },
        effective_gas_price: tx.effective_gas_price.unwrap_or_default(),
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.inner.signer(),
        to: tx.inner.to(),
        contract_address: None,
    })
}
