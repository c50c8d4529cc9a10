//! The chain's stored headers, transactions, receipts and logs as alloy's RPC types: the wire
//! format every Ethereum tool reads, with deposits (`0x7e`) in OP Stack's form.

use alloy::{
    consensus::{
        Eip658Value, Header, Receipt, ReceiptWithBloom, Transaction as _, TxEnvelope,
        transaction::Recovered,
    },
    eips::{eip2718::Decodable2718, eip4895::Withdrawals},
    network::{
        AnyHeader, AnyReceiptEnvelope, AnyRpcTransaction, AnyTxEnvelope, AnyTxType,
        UnknownTxEnvelope, UnknownTypedTransaction,
    },
    primitives::{B256, TxKind, U64, U256},
    rlp::Encodable,
    rpc::types::{Block, BlockTransactions, Log, Transaction, TransactionReceipt},
    serde::{OtherFields, WithOtherFields},
};
use baton_evm::{BlockDeposit, DEPOSIT_TX_TYPE};
use baton_rpc::{RpcBlock, RpcReceipt, RpcTransaction};
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

/// A stored transaction in the RPC's form: an Ethereum transaction exactly as on Ethereum, a
/// deposit as OP Stack serves one (`deposit_fields`). `None` only for bytes that are neither,
/// which the chain never stores.
pub(crate) fn rpc_tx(header: &Header, block_hash: B256, tx: &StoredTx) -> Option<RpcTransaction> {
    let (envelope, price) = if tx.tx_type() == DEPOSIT_TX_TYPE {
        let deposit = BlockDeposit::decode(&tx.encoded)?;
        let unknown = UnknownTxEnvelope {
            hash: tx.hash,
            inner: UnknownTypedTransaction {
                ty: AnyTxType(DEPOSIT_TX_TYPE),
                fields: deposit_fields(&deposit),
                memo: Default::default(),
            },
        };
        // Its gas was bought on L1: it pays nothing on L2.
        (AnyTxEnvelope::Unknown(unknown), 0)
    } else {
        let envelope = TxEnvelope::decode_2718_exact(&tx.encoded).ok()?;
        let price = envelope.effective_gas_price(header.base_fee_per_gas);
        (AnyTxEnvelope::Ethereum(envelope), price)
    };
    Some(AnyRpcTransaction::new(WithOtherFields::new(Transaction {
        inner: Recovered::new_unchecked(envelope, tx.sender),
        block_hash: Some(block_hash),
        block_number: Some(header.number),
        transaction_index: Some(tx.index),
        effective_gas_price: Some(price),
        block_timestamp: Some(header.timestamp),
    })))
}

/// A deposit's fields besides `type`, `hash` and `from`, named as OP Stack's nodes name them
/// (what viem's and alloy's OP types read): `sourceHash`, `mint`, `to` (`null` for a
/// creation), `value`, `gas`, `input`, `isSystemTx`, and a zero `gasPrice`.
fn deposit_fields(deposit: &BlockDeposit) -> OtherFields {
    let d = &deposit.deposit;
    let to = match d.to {
        TxKind::Call(to) => serde_json::json!(to),
        TxKind::Create => serde_json::Value::Null,
    };
    let fields = serde_json::json!({
        "sourceHash": deposit.source,
        "mint": d.mint,
        "to": to,
        "value": d.value,
        "gas": U64::from(d.gas_limit),
        "input": d.data,
        "isSystemTx": false,
        "gasPrice": U64::ZERO,
    });
    serde_json::from_value(fields).expect("a JSON object is other fields")
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

/// A block with its transactions' hashes, or the transactions themselves (deposits included:
/// both forms list the same transactions).
pub(crate) fn rpc_block(header: &Header, txs: &[StoredTx], full: bool) -> RpcBlock {
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
    RpcBlock::new(WithOtherFields::new(Block {
        header: alloy::rpc::types::Header {
            hash: rpc.hash,
            inner: AnyHeader::from(rpc.inner),
            total_difficulty: rpc.total_difficulty,
            size: rpc.size,
        },
        uncles: Vec::new(),
        transactions,
        withdrawals: Some(Withdrawals::default()),
    }))
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

/// The logs of a block's transactions, each transaction's in order (each log's index counts
/// the block's earlier logs).
pub(crate) fn block_logs(header: &Header, txs: &[StoredTx]) -> Vec<Vec<Log>> {
    let block_hash = header.hash_slow();
    let mut log_index = 0u64;
    txs.iter()
        .map(|tx| {
            tx.logs
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
                .collect()
        })
        .collect()
}

/// The receipts of a block's transactions, in order.
pub(crate) fn rpc_receipts(header: &Header, txs: &[StoredTx]) -> Vec<RpcReceipt> {
    let block_hash = header.hash_slow();
    txs.iter()
        .zip(block_logs(header, txs))
        .map(|(tx, logs)| receipt(header, block_hash, tx, logs))
        .collect()
}

/// One transaction's receipt, with its logs already placed in the block; a deposit's is typed
/// `0x7e`, names its target as `to`, and paid no gas price.
fn receipt(header: &Header, block_hash: B256, tx: &StoredTx, logs: Vec<Log>) -> RpcReceipt {
    let with_bloom = ReceiptWithBloom {
        logs_bloom: alloy::primitives::logs_bloom(logs.iter().map(|log| &log.inner)),
        receipt: Receipt {
            status: Eip658Value::Eip658(tx.success),
            cumulative_gas_used: tx.cumulative_gas_used,
            logs,
        },
    };
    let (to, price) = if tx.tx_type() == DEPOSIT_TX_TYPE {
        let to = BlockDeposit::decode(&tx.encoded).and_then(|d| d.deposit.to.to().copied());
        (to, 0)
    } else {
        let envelope = TxEnvelope::decode_2718_exact(&tx.encoded).ok();
        (
            envelope.as_ref().and_then(|e| e.to()),
            envelope
                .as_ref()
                .map_or(0, |e| e.effective_gas_price(header.base_fee_per_gas)),
        )
    };
    TransactionReceipt {
        inner: AnyReceiptEnvelope {
            inner: with_bloom,
            r#type: tx.tx_type(),
        },
        transaction_hash: tx.hash,
        transaction_index: Some(tx.index),
        block_hash: Some(block_hash),
        block_number: Some(header.number),
        gas_used: tx.gas_used,
        effective_gas_price: price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.sender,
        to,
        contract_address: tx.contract_address,
    }
    .into()
}
