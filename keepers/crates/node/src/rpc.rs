//! The L2 JSON-RPC: the Ethereum methods `cast` and alloy need, and baton's own.
//!
//! Error codes follow geth where a wallet looks at them: `-32000` for a transaction the pool
//! refuses (nonce too low, insufficient funds, ...), `-32602` for malformed parameters and
//! undecodable transactions, `-32601` for unknown methods (the server's own). Every message says
//! what is wrong with the numbers that matter.

use crate::{
    sequencer::{discover_peers, peer_client, peer_url},
    service::Shared,
    view::{BlockEntry, View},
};
use alloy::{
    consensus::{
        Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
        transaction::SignerRecoverable,
    },
    eips::{BlockNumberOrTag, eip2718::Decodable2718},
    primitives::{Address, B256, Bloom, Bytes, U64, U256},
    rpc::types::{
        Block, BlockTransactions, Header, Transaction, TransactionReceipt, TransactionRequest,
    },
};
use baton_core::{
    l2::{tx_proof, verify_tx_proof},
    ledger::{Applied, Invalid, TX_GAS, WITHDRAWAL_ADDRESS},
    mempool::{Mempool, RejectReason},
};
use jsonrpsee::{
    RpcModule,
    core::client::ClientT,
    rpc_params,
    types::{ErrorObjectOwned, Params},
};
use serde_json::{Value, json};
use std::sync::{Arc, atomic::Ordering};

/// geth's code for a transaction the node refuses.
pub const TX_REJECTED: i32 = -32000;
/// JSON-RPC invalid params.
pub const INVALID_PARAMS: i32 = -32602;
/// A request the node understands but cannot serve (historical state, unknown block).
pub const UNSUPPORTED: i32 = -32001;

/// The priority fee the node suggests, wei per gas.
pub const SUGGESTED_TIP: u128 = 1_000_000_000;

fn err(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

type RpcResult<T> = Result<T, ErrorObjectOwned>;

/// The message and code of a pool rejection.
pub fn rejection(reason: &RejectReason, chain_id: u64) -> ErrorObjectOwned {
    match reason {
        RejectReason::Invalid(Invalid::Malformed) => err(
            INVALID_PARAMS,
            "malformed transaction: expected a canonically encoded signed EIP-1559 (type 2) transaction",
        ),
        RejectReason::Invalid(Invalid::WrongChainId) => err(
            TX_REJECTED,
            format!("invalid chain id: this L2 is chain {chain_id}"),
        ),
        RejectReason::Invalid(Invalid::CalldataNotAllowed | Invalid::ContractCreation) => err(
            TX_REJECTED,
            format!(
                "not a transfer: baton L2 accepts plain ETH transfers, and withdrawals to {WITHDRAWAL_ADDRESS} with the L1 recipient as data"
            ),
        ),
        RejectReason::NonceTooLow { have, got } => err(
            TX_REJECTED,
            format!("nonce too low: next nonce {have}, tx nonce {got}"),
        ),
        RejectReason::InsufficientFunds { balance, cost } => err(
            TX_REJECTED,
            format!(
                "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}"
            ),
        ),
        RejectReason::TooLarge { size, max } => err(
            TX_REJECTED,
            format!("oversized data: transaction is {size} bytes, the limit is {max}"),
        ),
        other => err(TX_REJECTED, other.to_string()),
    }
}

/// Block selection for state queries: the pending head, or the L1-derived (safe) head.
fn state_view(view: &View, tag: Option<BlockNumberOrTag>) -> RpcResult<bool> {
    let head = view.head().number;
    let safe = view.canonical().head().number;
    match tag.unwrap_or(BlockNumberOrTag::Latest) {
        BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Ok(false),
        BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => Ok(true),
        BlockNumberOrTag::Number(n) if n == head => Ok(false),
        BlockNumberOrTag::Number(n) if n == safe => Ok(true),
        BlockNumberOrTag::Number(n) if n > head => Err(err(
            UNSUPPORTED,
            format!("block {n} does not exist yet: the latest is {head}"),
        )),
        other => Err(err(
            UNSUPPORTED,
            format!("state at block {other} is not kept: ask for latest ({head}) or safe ({safe})"),
        )),
    }
}

fn block_number(view: &View, tag: BlockNumberOrTag) -> Option<u64> {
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
fn rpc_tx(entry: &BlockEntry, index: usize, base_fee: u128) -> Option<Transaction> {
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

fn rpc_block(entry: &BlockEntry, full: bool, base_fee: u128) -> Block {
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

fn receipt(entry: &BlockEntry, index: usize, base_fee: u128) -> Option<TransactionReceipt> {
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

/// Checks a call or gas estimate: only transfers and withdrawals exist on this L2.
fn check_call(req: &TransactionRequest) -> RpcResult<()> {
    let to = req.to.and_then(|k| k.to().copied());
    let data_len = req.input.input().map(|d| d.len()).unwrap_or(0);
    match to {
        None => Err(err(
            TX_REJECTED,
            "not a transfer: contract creation is not supported",
        )),
        Some(to) if to == WITHDRAWAL_ADDRESS && (data_len == 0 || data_len == 20) => Ok(()),
        Some(to) if to == WITHDRAWAL_ADDRESS => Err(err(
            TX_REJECTED,
            "withdrawal data must be empty or the 20-byte L1 recipient",
        )),
        Some(_) if data_len > 0 => Err(err(
            TX_REJECTED,
            format!(
                "not a transfer: calldata is only allowed to the withdrawal address {WITHDRAWAL_ADDRESS}"
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Builds the module over the node's shared state.
pub fn module(shared: Arc<Shared>) -> RpcModule<Arc<Shared>> {
    let mut m = RpcModule::new(shared);
    let reg = |m: &mut RpcModule<Arc<Shared>>,
               name: &'static str,
               f: fn(Params<'_>, &Shared) -> RpcResult<Value>| {
        m.register_method(name, move |p, ctx, _| {
            ctx.metrics.rpc_requests.fetch_add(1, Ordering::Relaxed);
            let r = f(p, ctx);
            if r.is_err() {
                ctx.metrics.rpc_errors.fetch_add(1, Ordering::Relaxed);
            }
            r
        })
        .expect("method names are unique");
    };
    reg(&mut m, "eth_chainId", |_, s| {
        Ok(json!(U64::from(s.deployment.parameters.l2_chain_id)))
    });
    reg(&mut m, "net_version", |_, s| {
        Ok(json!(s.deployment.parameters.l2_chain_id.to_string()))
    });
    reg(&mut m, "web3_clientVersion", |_, _| {
        Ok(json!(concat!("baton/v", env!("CARGO_PKG_VERSION"))))
    });
    reg(&mut m, "eth_syncing", |_, _| Ok(json!(false)));
    reg(&mut m, "eth_accounts", |_, _| Ok(json!([])));
    reg(&mut m, "eth_blockNumber", |_, s| {
        Ok(json!(U64::from(s.view().head().number)))
    });
    reg(&mut m, "eth_gasPrice", |_, s| {
        Ok(json!(U256::from(s.base_fee() + SUGGESTED_TIP)))
    });
    reg(&mut m, "eth_maxPriorityFeePerGas", |_, _| {
        Ok(json!(U256::from(SUGGESTED_TIP)))
    });
    reg(&mut m, "eth_getBalance", |p, s| {
        let (address, tag): (Address, Option<BlockNumberOrTag>) = p.parse()?;
        let view = s.view();
        let safe = state_view(&view, tag)?;
        let chain = if safe {
            view.canonical()
        } else {
            view.pending()
        };
        Ok(json!(chain.state().account(&address).balance))
    });
    reg(&mut m, "eth_getTransactionCount", |p, s| {
        let (address, tag): (Address, Option<BlockNumberOrTag>) = p.parse()?;
        let view = s.view();
        if tag == Some(BlockNumberOrTag::Pending) {
            let nonce = view.pending().state().account(&address).nonce;
            return Ok(json!(U64::from(view.mempool.pending_nonce(address, nonce))));
        }
        let safe = state_view(&view, tag)?;
        let chain = if safe {
            view.canonical()
        } else {
            view.pending()
        };
        Ok(json!(U64::from(chain.state().account(&address).nonce)))
    });
    reg(&mut m, "eth_getCode", |p, s| {
        let (_, tag): (Address, Option<BlockNumberOrTag>) = p.parse()?;
        state_view(&s.view(), tag)?;
        Ok(json!("0x"))
    });
    reg(&mut m, "eth_getStorageAt", |_, _| Ok(json!(B256::ZERO)));
    reg(&mut m, "eth_estimateGas", |p, _| {
        let (req,): (TransactionRequest,) = match p.parse::<(TransactionRequest,)>() {
            Ok(r) => r,
            Err(_) => (p.parse::<(TransactionRequest, Option<Value>)>()?.0,),
        };
        check_call(&req)?;
        Ok(json!(U64::from(TX_GAS)))
    });
    reg(&mut m, "eth_call", |p, _| {
        let (req, _): (TransactionRequest, Option<Value>) = p.parse()?;
        check_call(&req)?;
        Ok(json!("0x"))
    });
    reg(&mut m, "eth_feeHistory", |p, s| {
        let (count, newest, percentiles): (U64, BlockNumberOrTag, Option<Vec<f64>>) = p.parse()?;
        let view = s.view();
        let newest = block_number(&view, newest)
            .unwrap_or(0)
            .min(view.head().number);
        let count = count.to::<u64>().clamp(1, 1024).min(newest + 1);
        let oldest = newest + 1 - count;
        let base = U256::from(s.base_fee());
        let mut out = json!({
            "oldestBlock": U64::from(oldest),
            "baseFeePerGas": vec![base; count as usize + 1],
            "gasUsedRatio": vec![0.0; count as usize],
        });
        if let Some(p) = percentiles {
            out["reward"] = json!(vec![
                vec![U256::from(SUGGESTED_TIP); p.len()];
                count as usize
            ]);
        }
        Ok(out)
    });
    reg(&mut m, "eth_getBlockByNumber", |p, s| {
        let (tag, full): (BlockNumberOrTag, Option<bool>) = p.parse()?;
        let view = s.view();
        let Some(n) = block_number(&view, tag) else {
            return Ok(Value::Null);
        };
        Ok(view
            .block(n)
            .map(|b| json!(rpc_block(b, full.unwrap_or(false), s.base_fee())))
            .unwrap_or(Value::Null))
    });
    reg(&mut m, "eth_getBlockByHash", |p, s| {
        let (hash, full): (B256, Option<bool>) = p.parse()?;
        let view = s.view();
        Ok(view
            .block_by_hash(&hash)
            .map(|b| json!(rpc_block(b, full.unwrap_or(false), s.base_fee())))
            .unwrap_or(Value::Null))
    });
    reg(&mut m, "eth_getTransactionByHash", |p, s| {
        let (hash,): (B256,) = p.parse()?;
        let view = s.view();
        if let Some((n, i)) = view.tx_location(&hash) {
            return Ok(view
                .block(n)
                .and_then(|b| rpc_tx(b, i, s.base_fee()))
                .map(|t| json!(t))
                .unwrap_or(Value::Null));
        }
        let Some(pooled) = view.mempool.get(&hash) else {
            return Ok(Value::Null);
        };
        let Ok(envelope) = TxEnvelope::decode_2718_exact(&pooled.raw) else {
            return Ok(Value::Null);
        };
        Ok(json!(Transaction {
            inner: alloy::consensus::transaction::Recovered::new_unchecked(envelope, pooled.sender),
            block_hash: None,
            block_number: None,
            transaction_index: None,
            effective_gas_price: None,
            block_timestamp: None,
        }))
    });
    reg(&mut m, "eth_getTransactionReceipt", |p, s| {
        let (hash,): (B256,) = p.parse()?;
        let view = s.view();
        let Some((n, i)) = view.tx_location(&hash) else {
            return Ok(Value::Null);
        };
        Ok(view
            .block(n)
            .and_then(|b| receipt(b, i, s.base_fee()))
            .map(|r| json!(r))
            .unwrap_or(Value::Null))
    });
    reg(&mut m, "baton_getPreconfirmation", |p, s| {
        let (hash,): (B256,) = p.parse()?;
        let view = s.view();
        let Some((n, i)) = view.tx_location(&hash) else {
            return Err(err(
                UNSUPPORTED,
                format!("transaction {hash} is not in any block this node knows"),
            ));
        };
        let entry = view.block(n).expect("indexed blocks exist");
        let hashes: Vec<B256> = entry.block.txs.iter().map(|t| t.hash).collect();
        let proof = tx_proof(&hashes, i).unwrap_or_default();
        debug_assert!(verify_tx_proof(entry.block.header.txRoot, hash, i, &proof));
        Ok(json!({
            "header": entry.block.header,
            "blockHash": entry.block.hash,
            "signature": entry.signature,
            "txHash": hash,
            "txIndex": i,
            "proof": proof,
            "onL1": entry.on_l1,
        }))
    });
    reg(&mut m, "baton_getSignedBlocks", |p, s| {
        let (after, limit): (u64, Option<usize>) = p.parse()?;
        let mut blocks = s
            .view()
            .signed_blocks_after(after, limit.unwrap_or(500).min(2_000));
        // Only under the scripted `--fault-equivocate`: the second headers it signed.
        let twins = s.fault_twins.lock().expect("twins lock");
        blocks.extend(twins.iter().filter(|t| t.header.number > after).cloned());
        Ok(json!(blocks))
    });
    reg(&mut m, "baton_status", |_, s| Ok(s.status()));
    m.register_async_method("eth_sendRawTransaction", |p, s, _| async move {
        s.metrics.rpc_requests.fetch_add(1, Ordering::Relaxed);
        let result = send_raw(p, &s).await;
        if result.is_err() {
            s.metrics.rpc_errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    })
    .expect("method names are unique");
    m
}

/// Validates a raw transaction against the pending state and pools it; a node that does not
/// act this epoch also hands it to the acting node.
async fn send_raw(p: Params<'static>, s: &Arc<Shared>) -> RpcResult<B256> {
    let (raw,): (Bytes,) = p.parse()?;
    let chain_id = s.deployment.parameters.l2_chain_id;
    // Signature recovery, the bulk of the work, runs before the pool's lock is taken.
    let pre = Mempool::precheck(&s.pool, &s.ledger, raw.clone())
        .map_err(|reason| rejection(&reason, chain_id))?;
    let hash = pre.hash();
    match s.view().submit_prechecked(pre) {
        Ok(_) | Err(RejectReason::AlreadyKnown) => {}
        Err(reason) => return Err(rejection(&reason, chain_id)),
    }
    s.metrics
        .mempool_size
        .store(s.view().mempool.len() as u64, Ordering::Relaxed);
    let duty = s.duty.borrow().clone();
    if let Some((operator, _, _)) = duty.acting
        && operator != s.operator
    {
        // Handing the transaction on happens off the request path: the caller has its hash.
        tokio::spawn(forward(s.clone(), operator, raw, hash));
    }
    Ok(hash)
}

/// Hands a pooled transaction to the acting node (it stays in the local pool either way).
async fn forward(s: Arc<Shared>, operator: Address, raw: Bytes, hash: B256) {
    if peer_url(&s, operator).is_none() {
        discover_peers(&s).await;
    }
    let Some(url) = peer_url(&s, operator) else {
        tracing::debug!(target: "baton::rpc", %hash, %operator, "acting node unknown; kept in the local pool");
        return;
    };
    let Some(client) = peer_client(&url) else {
        return;
    };
    let sent = client
        .request::<B256, _>("eth_sendRawTransaction", rpc_params![raw])
        .await;
    if let Err(e) = sent {
        tracing::debug!(target: "baton::rpc", %hash, %url, error = %e, "forwarding failed; kept in the local pool");
    }
}
