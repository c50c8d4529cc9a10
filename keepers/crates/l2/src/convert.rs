//! The chain's stored headers, transactions, receipts and logs as alloy's RPC types: the wire
//! format every Ethereum tool reads.

use alloy::{
    consensus::{
        Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _,
        TxEnvelope, transaction::Recovered,
    },
    eips::{eip2718::Decodable2718, eip4895::Withdrawals},
    primitives::{B256, U256},
    rlp::Encodable,
    rpc::types::{Block, BlockTransactions, Log, Transaction, TransactionReceipt},
};
use baton_evm::DEPOSIT_TX_TYPE;
use baton_state::{StoredLog, StoredTx};

/// A stored header as the RPC's block header, with its hash and size.
pub(crate) fn rpc_header(header: &Header) -> alloy::rpc::types::Header {
    alloy::rpc::types::Header {
        hash: header.hash_slow(),
        inner: header.clone(),
        total_difficulty: Some(U256::ZERO),
        size: Some(U256::from(header.length())),
    }
}

/// A stored signed transaction in the RPC's form. `None` for a deposit: alloy's Ethereum types
/// have no deposit transaction (`0x7e`); blocks list deposits by hash.
pub(crate) fn rpc_tx(header: &Header, block_hash: B256, tx: &StoredTx) -> Option<Transaction> {
    if tx.tx_type() == DEPOSIT_TX_TYPE {
        return None;
    }
    let envelope = TxEnvelope::decode_2718_exact(&tx.encoded).ok()?;
    let price = envelope.effective_gas_price(header.base_fee_per_gas);
    Some(Transaction {
        inner: Recovered::new_unchecked(envelope, tx.sender),
        block_hash: Some(block_hash),
        block_number: Some(header.number),
        transaction_index: Some(tx.index),
        effective_gas_price: Some(price),
        block_timestamp: Some(header.timestamp),
    })
}

/// A pooled transaction in the RPC's form (no block yet).
pub(crate) fn rpc_pooled_tx(pooled: &crate::pool::PooledTx) -> Option<Transaction> {
    let envelope = TxEnvelope::decode_2718_exact(&pooled.raw).ok()?;
    Some(Transaction {
        inner: Recovered::new_unchecked(envelope, pooled.sender),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
        block_timestamp: None,
    })
}

/// A block with its transactions' hashes, or the transactions themselves.
pub(crate) fn rpc_block(header: &Header, txs: &[StoredTx], full: bool) -> Block {
    let rpc = rpc_header(header);
    let transactions = if full {
        BlockTransactions::Full(
            txs.iter()
                .filter_map(|tx| rpc_tx(header, rpc.hash, tx))
                .collect(),
        )
    } else {
        BlockTransactions::Hashes(txs.iter().map(|tx| tx.hash).collect())
    };
    Block {
        header: rpc,
        uncles: Vec::new(),
        transactions,
        withdrawals: Some(Withdrawals::default()),
    }
}

/// A stored log in the RPC's form.
pub(crate) fn rpc_log(stored: &StoredLog, block_hash: B256, timestamp: u64) -> Log {
    Log {
        inner: stored.log.clone(),
        block_hash: Some(block_hash),
        block_number: Some(stored.block),
        block_timestamp: Some(timestamp),
        transaction_hash: Some(stored.tx_hash),
        transaction_index: Some(stored.tx_index),
        log_index: Some(stored.log_index),
        removed: false,
    }
}

/// The receipts of a block's transactions, in order (each log's index counts the block's
/// earlier logs).
pub(crate) fn rpc_receipts(header: &Header, txs: &[StoredTx]) -> Vec<TransactionReceipt> {
    let block_hash = header.hash_slow();
    let mut log_index = 0u64;
    txs.iter()
        .map(|tx| {
            let logs: Vec<Log> = tx
                .logs
                .iter()
                .map(|log| {
                    let stored = StoredLog {
                        block: header.number,
                        log_index,
                        tx_index: tx.index,
                        tx_hash: tx.hash,
                        log: log.clone(),
                    };
                    log_index += 1;
                    rpc_log(&stored, block_hash, header.timestamp)
                })
                .collect();
            receipt(header, block_hash, tx, logs)
        })
        .collect()
}

/// One transaction's receipt, with its logs already placed in the block.
fn receipt(header: &Header, block_hash: B256, tx: &StoredTx, logs: Vec<Log>) -> TransactionReceipt {
    let with_bloom = ReceiptWithBloom {
        logs_bloom: alloy::primitives::logs_bloom(logs.iter().map(|log| &log.inner)),
        receipt: Receipt {
            status: Eip658Value::Eip658(tx.success),
            cumulative_gas_used: tx.cumulative_gas_used,
            logs,
        },
    };
    let envelope = TxEnvelope::decode_2718_exact(&tx.encoded).ok();
    let inner = match tx.tx_type() {
        1 => ReceiptEnvelope::Eip2930(with_bloom),
        2 => ReceiptEnvelope::Eip1559(with_bloom),
        // A deposit's receipt has no envelope of its own in alloy's Ethereum types; its
        // fields are a legacy receipt's.
        _ => ReceiptEnvelope::Legacy(with_bloom),
    };
    TransactionReceipt {
        inner,
        transaction_hash: tx.hash,
        transaction_index: Some(tx.index),
        block_hash: Some(block_hash),
        block_number: Some(header.number),
        gas_used: tx.gas_used,
        effective_gas_price: envelope
            .as_ref()
            .map_or(0, |e| e.effective_gas_price(header.base_fee_per_gas)),
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.sender,
        to: envelope.as_ref().and_then(|e| e.to()),
        contract_address: tx.contract_address,
    }
}
