//! `eth_*`, `net_*`, `web3_*`: the Ethereum methods, over the view (the derived chain, the
//! preconfirmed blocks and the pool).

use super::{
    NodeRpc, SUGGESTED_TIP,
    convert::{block_number, receipt, rpc_block, rpc_tx, state_view},
};
use crate::{peers::hand_to_acting, shared::Shared};
use alloy::{
    consensus::TxEnvelope,
    eips::{BlockId, BlockNumberOrTag, eip2718::Decodable2718, eip2930::AccessListResult},
    primitives::{Address, B256, Bytes, U64, U256},
    rpc::types::{
        EIP1186AccountProofResponse, FeeHistory, Filter, Log, SyncStatus, Transaction,
        TransactionRequest,
    },
    serde::JsonStorageKey,
};
use baton_core::{
    ledger::{Invalid, TX_GAS, WITHDRAWAL_ADDRESS},
    mempool::{Mempool, RejectReason},
};
use baton_rpc::{
    EthApiServer, NetApiServer, RpcBlock, RpcReceipt, RpcResult, RpcTransaction, Web3ApiServer,
    errors::{INVALID_PARAMS, TX_REJECTED, UNSUPPORTED, rpc_error},
};
use jsonrpsee::types::ErrorObjectOwned;
use std::sync::{Arc, atomic::Ordering};

/// The message and code of a pool rejection.
pub fn rejection(reason: &RejectReason, chain_id: u64) -> ErrorObjectOwned {
    match reason {
        RejectReason::Invalid(Invalid::Malformed) => rpc_error(
            INVALID_PARAMS,
            "malformed transaction: expected a canonically encoded signed EIP-1559 (type 2) transaction",
        ),
        RejectReason::Invalid(Invalid::WrongChainId) => rpc_error(
            TX_REJECTED,
            format!("invalid chain id: this L2 is chain {chain_id}"),
        ),
        RejectReason::Invalid(Invalid::CalldataNotAllowed | Invalid::ContractCreation) => {
            rpc_error(
                TX_REJECTED,
                format!(
                    "not a transfer: baton L2 accepts plain ETH transfers, and withdrawals to {WITHDRAWAL_ADDRESS} with the L1 recipient as data"
                ),
            )
        }
        RejectReason::NonceTooLow { have, got } => rpc_error(
            TX_REJECTED,
            format!("nonce too low: next nonce {have}, tx nonce {got}"),
        ),
        RejectReason::InsufficientFunds { balance, cost } => rpc_error(
            TX_REJECTED,
            format!(
                "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}"
            ),
        ),
        RejectReason::TooLarge { size, max } => rpc_error(
            TX_REJECTED,
            format!("oversized data: transaction is {size} bytes, the limit is {max}"),
        ),
        other => rpc_error(TX_REJECTED, other.to_string()),
    }
}

/// Checks a call or gas estimate: only transfers and withdrawals exist on this L2.
fn check_call(req: &TransactionRequest) -> RpcResult<()> {
    let to = req.to.and_then(|k| k.to().copied());
    let data_len = req.input.input().map(|d| d.len()).unwrap_or(0);
    match to {
        None => Err(rpc_error(
            TX_REJECTED,
            "not a transfer: contract creation is not supported",
        )),
        Some(to) if to == WITHDRAWAL_ADDRESS && (data_len == 0 || data_len == 20) => Ok(()),
        Some(to) if to == WITHDRAWAL_ADDRESS => Err(rpc_error(
            TX_REJECTED,
            "withdrawal data must be empty or the 20-byte L1 recipient",
        )),
        Some(_) if data_len > 0 => Err(rpc_error(
            TX_REJECTED,
            format!(
                "not a transfer: calldata is only allowed to the withdrawal address {WITHDRAWAL_ADDRESS}"
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Refuses state overrides: there is no code whose state could be overridden.
fn no_state_override(state_override: Option<serde_json::Value>) -> RpcResult<()> {
    match state_override {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(_) => Err(rpc_error(
            INVALID_PARAMS,
            "state overrides are not supported: this L2 runs no contract code",
        )),
    }
}

#[jsonrpsee::core::async_trait]
impl EthApiServer for NodeRpc {
    fn chain_id(&self) -> RpcResult<U64> {
        Ok(U64::from(self.shared.deployment.parameters.l2_chain_id))
    }

    fn syncing(&self) -> RpcResult<SyncStatus> {
        Ok(SyncStatus::None)
    }

    fn accounts(&self) -> RpcResult<Vec<Address>> {
        Ok(Vec::new())
    }

    fn block_number(&self) -> RpcResult<U64> {
        Ok(U64::from(self.shared.view().head().number))
    }

    fn gas_price(&self) -> RpcResult<U256> {
        Ok(U256::from(self.shared.base_fee() + SUGGESTED_TIP))
    }

    fn max_priority_fee_per_gas(&self) -> RpcResult<U256> {
        Ok(U256::from(SUGGESTED_TIP))
    }

    fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256> {
        let view = self.shared.view();
        state_view(&view, block).map(|safe| {
            let chain = if safe {
                view.canonical()
            } else {
                view.pending()
            };
            chain.state().account(&address).balance
        })
    }

    fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64> {
        let view = self.shared.view();
        if block == Some(BlockId::Number(BlockNumberOrTag::Pending)) {
            let nonce = view.pending().state().account(&address).nonce;
            return Ok(U64::from(view.mempool.pending_nonce(address, nonce)));
        }
        state_view(&view, block).map(|safe| {
            let chain = if safe {
                view.canonical()
            } else {
                view.pending()
            };
            U64::from(chain.state().account(&address).nonce)
        })
    }

    fn code(&self, _address: Address, block: Option<BlockId>) -> RpcResult<Bytes> {
        state_view(&self.shared.view(), block).map(|_| Bytes::new())
    }

    fn storage_at(
        &self,
        _address: Address,
        _slot: U256,
        block: Option<BlockId>,
    ) -> RpcResult<B256> {
        state_view(&self.shared.view(), block).map(|_| B256::ZERO)
    }

    fn estimate_gas(
        &self,
        request: TransactionRequest,
        _block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<U64> {
        no_state_override(state_override)
            .and_then(|()| check_call(&request))
            .map(|()| U64::from(TX_GAS))
    }

    fn call(
        &self,
        request: TransactionRequest,
        _block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<Bytes> {
        no_state_override(state_override)
            .and_then(|()| check_call(&request))
            .map(|()| Bytes::new())
    }

    fn create_access_list(
        &self,
        request: TransactionRequest,
        _block: Option<BlockId>,
    ) -> RpcResult<AccessListResult> {
        // A transfer or a withdrawal reads no contract: its list is empty.
        check_call(&request).map(|()| AccessListResult {
            access_list: Default::default(),
            gas_used: U256::from(TX_GAS),
            error: None,
        })
    }

    fn fee_history(
        &self,
        block_count: U64,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory> {
        let view = self.shared.view();
        let newest = block_number(&view, newest_block)
            .unwrap_or(0)
            .min(view.head().number);
        let count = block_count.to::<u64>().clamp(1, 1024).min(newest + 1);
        let base = self.shared.base_fee();
        Ok(FeeHistory {
            oldest_block: newest + 1 - count,
            base_fee_per_gas: vec![base; count as usize + 1],
            gas_used_ratio: vec![0.0; count as usize],
            reward: reward_percentiles.map(|p| vec![vec![SUGGESTED_TIP; p.len()]; count as usize]),
            ..Default::default()
        })
    }

    fn block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<RpcBlock>> {
        let view = self.shared.view();
        let found = block_number(&view, block).and_then(|n| view.block(n));
        Ok(found.map(|b| rpc_block(b, full.unwrap_or(false), self.shared.base_fee()).into()))
    }

    fn block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<RpcBlock>> {
        let view = self.shared.view();
        Ok(view
            .block_by_hash(&hash)
            .map(|b| rpc_block(b, full.unwrap_or(false), self.shared.base_fee()).into()))
    }

    fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<RpcTransaction>> {
        let view = self.shared.view();
        if let Some((n, i)) = view.tx_location(&hash) {
            return Ok(view
                .block(n)
                .and_then(|b| rpc_tx(b, i, self.shared.base_fee()))
                .map(Into::into));
        }
        let pooled = view.mempool.get(&hash).and_then(|pooled| {
            let envelope = TxEnvelope::decode_2718_exact(&pooled.raw).ok()?;
            Some(Transaction {
                inner: alloy::consensus::transaction::Recovered::new_unchecked(
                    envelope,
                    pooled.sender,
                ),
                block_hash: None,
                block_number: None,
                transaction_index: None,
                effective_gas_price: None,
                block_timestamp: None,
            })
        });
        Ok(pooled.map(Into::into))
    }

    fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RpcReceipt>> {
        let view = self.shared.view();
        let found = view
            .tx_location(&hash)
            .and_then(|(n, i)| receipt(view.block(n)?, i, self.shared.base_fee()));
        Ok(found.map(baton_rpc::rpc_receipt))
    }

    fn block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<RpcReceipt>>> {
        let view = self.shared.view();
        let entry = match block {
            BlockId::Hash(hash) => view.block_by_hash(&hash.block_hash),
            BlockId::Number(tag) => block_number(&view, tag).and_then(|n| view.block(n)),
        };
        let base_fee = self.shared.base_fee();
        Ok(entry.map(|entry| {
            (0..entry.block.txs.len())
                .filter_map(|i| receipt(entry, i, base_fee))
                .map(baton_rpc::rpc_receipt)
                .collect()
        }))
    }

    fn logs(&self, _filter: Filter) -> RpcResult<Vec<Log>> {
        // The ledger runs no contract code: no transaction emits a log.
        Ok(Vec::new())
    }

    fn proof(
        &self,
        _address: Address,
        _keys: Vec<JsonStorageKey>,
        _block: Option<BlockId>,
    ) -> RpcResult<EIP1186AccountProofResponse> {
        Err(rpc_error(
            UNSUPPORTED,
            "eth_getProof needs the EVM chain's Merkle-Patricia state; the ledger commits to a sparse Merkle tree",
        ))
    }

    async fn send_raw_transaction(&self, bytes: Bytes) -> RpcResult<B256> {
        send_raw(&self.shared, bytes)
    }
}

impl NetApiServer for NodeRpc {
    fn version(&self) -> RpcResult<String> {
        Ok(self.shared.deployment.parameters.l2_chain_id.to_string())
    }
}

impl Web3ApiServer for NodeRpc {
    fn client_version(&self) -> RpcResult<String> {
        Ok(concat!("baton/v", env!("CARGO_PKG_VERSION")).to_string())
    }
}

/// Validates a raw transaction against the pending state and pools it; a node that does not
/// act this epoch also hands it to the acting node.
fn send_raw(s: &Arc<Shared>, raw: Bytes) -> Result<B256, ErrorObjectOwned> {
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
    hand_to_acting(s, raw, hash);
    Ok(hash)
}
