//! `eth_*`, `net_*` and `web3_*` over the EVM chain: the database answers reads, the executor
//! answers calls and estimates on any kept block's state, and the pool takes transactions.
//!
//! Block tags: `latest` and `pending` are the head, preconfirmed blocks included. `safe` and
//! `finalized` are the last block of the last derived BatchInbox record (as the ledger node's);
//! without L1 (the dev chain) every block is final once sealed, so they are the head too.

use crate::{
    L2Chain,
    block_state::{BlockState, internal, resolve},
    call::{CallError, call, call_block_env, create_access_list, estimate_gas},
    chain::SubmitError,
    convert::{rpc_block, rpc_log, rpc_pooled_tx, rpc_receipts, rpc_tx},
    overrides::Overridden,
    pool::{PoolError, TxPool},
};
use alloy::{
    consensus::{Header, Transaction as _, TxEnvelope},
    eips::{BlockId, BlockNumberOrTag, eip2718::Decodable2718, eip2930::AccessListResult},
    primitives::{Address, B256, Bytes, U64, U256},
    rpc::types::{
        EIP1186AccountProofResponse, EIP1186StorageProof, FeeHistory, Filter, FilterBlockOption,
        Log, SyncStatus, TransactionRequest, state::StateOverride,
    },
    serde::JsonStorageKey,
};
use baton_evm::StateReader;
use baton_rpc::{
    EthApiServer, NetApiServer, RpcBlock, RpcReceipt, RpcResult, RpcTransaction, Web3ApiServer,
    errors::{INVALID_PARAMS, LIMIT_EXCEEDED, TX_REJECTED, UNSUPPORTED, rpc_error},
};
use baton_state::{LogFilter, LogQueryError};
use jsonrpsee::types::ErrorObjectOwned;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
};

/// The tip `eth_maxPriorityFeePerGas` suggests (and `eth_gasPrice` adds to the base fee).
pub const SUGGESTED_TIP: u128 = 1_000_000_000;

/// geth's error code for a call that reverted; the revert data is the error's `data`.
pub const EXECUTION_REVERTED: i32 = 3;

/// The most blocks one `eth_feeHistory` covers (geth's limit).
pub const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;

/// See the module documentation.
#[derive(Clone)]
pub struct L2Rpc {
    chain: Arc<Mutex<L2Chain>>,
    on_pooled: Option<OnPooled>,
}

/// Told of every transaction `eth_sendRawTransaction` pools, with its hash (a sequencer node
/// hands it on to the acting leader).
pub type OnPooled = Arc<dyn Fn(Bytes, B256) + Send + Sync>;

impl L2Rpc {
    /// The API over a shared chain.
    pub fn new(chain: Arc<Mutex<L2Chain>>) -> Self {
        Self {
            chain,
            on_pooled: None,
        }
    }

    /// The API, telling `on_pooled` of every transaction it pools.
    pub fn with_on_pooled(self, on_pooled: OnPooled) -> Self {
        Self {
            on_pooled: Some(on_pooled),
            ..self
        }
    }

    /// Every namespace as one module for a jsonrpsee server.
    pub fn into_module(self) -> jsonrpsee::RpcModule<()> {
        let mut module = jsonrpsee::RpcModule::new(());
        module
            .merge(EthApiServer::into_rpc(self.clone()))
            .expect("method names are unique");
        module
            .merge(NetApiServer::into_rpc(self.clone()))
            .expect("method names are unique");
        module
            .merge(baton_rpc::EthPubSubApiServer::into_rpc(self.clone()))
            .expect("method names are unique");
        module
            .merge(baton_rpc::DebugApiServer::into_rpc(self.clone()))
            .expect("method names are unique");
        module
            .merge(Web3ApiServer::into_rpc(self))
            .expect("method names are unique");
        module
    }

    /// Runs `run` on the state after `block` with `overrides` on top, in that block's
    /// environment: what `eth_call`, `eth_estimateGas` and `eth_createAccessList` share.
    fn on_block<T>(
        &self,
        block: Option<BlockId>,
        overrides: StateOverride,
        run: impl FnOnce(
            &Overridden<'_, BlockState<'_>>,
            &baton_evm::Rules,
            &baton_evm::revm::context::BlockEnv,
        ) -> Result<T, CallError>,
    ) -> RpcResult<T> {
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let state = BlockState::of(&chain, &header)?;
        let state = Overridden::new(&state, overrides)
            .map_err(|e| rpc_error(INVALID_PARAMS, e.to_string()))?;
        run(&state, &chain.spec().rules(), &call_block_env(&header)).map_err(call_error)
    }

    pub(crate) fn chain(&self) -> MutexGuard<'_, L2Chain> {
        // A panic while holding the lock leaves the chain as its last committed block: SQLite
        // rolled back whatever was half-written.
        self.chain
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A call's failure as geth reports it: a revert with code 3 and the revert data as `data`.
fn call_error(error: CallError) -> ErrorObjectOwned {
    match &error {
        CallError::Reverted(data) => ErrorObjectOwned::owned(
            EXECUTION_REVERTED,
            error.to_string(),
            Some(alloy::primitives::hex::encode_prefixed(data)),
        ),
        CallError::Invalid(_) | CallError::GasCap(_) => rpc_error(TX_REJECTED, error.to_string()),
        CallError::Read(_) => internal(error),
    }
}

/// The overrides a call names (none when left out or `null`).
fn state_overrides(value: Option<serde_json::Value>) -> RpcResult<StateOverride> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(StateOverride::default()),
        Some(value) => serde_json::from_value(value)
            .map_err(|e| rpc_error(INVALID_PARAMS, format!("invalid state overrides: {e}"))),
    }
}

/// A pool refusal: bytes that are no transaction are invalid parameters, the rest are
/// refusals with geth's code.
fn submit_error(error: SubmitError) -> ErrorObjectOwned {
    match error {
        SubmitError::Pool(PoolError::Undecodable(reason)) => {
            rpc_error(INVALID_PARAMS, reason.to_string())
        }
        SubmitError::Pool(reason) => rpc_error(TX_REJECTED, reason.to_string()),
        SubmitError::Store(error) => internal(error),
    }
}

/// The filter's block range, resolved to numbers (`latest` when left out).
fn log_range(chain: &L2Chain, filter: &Filter) -> RpcResult<(u64, u64)> {
    match &filter.block_option {
        FilterBlockOption::AtBlockHash(hash) => {
            let header = resolve(chain, Some(BlockId::hash(*hash)))?;
            Ok((header.number, header.number))
        }
        FilterBlockOption::Range {
            from_block,
            to_block,
        } => {
            let number = |tag: Option<BlockNumberOrTag>| {
                resolve(chain, tag.map(BlockId::Number)).map(|h| h.number)
            };
            Ok((number(*from_block)?, number(*to_block)?))
        }
    }
}

/// The stored logs of blocks `from..=to` that `filter`'s addresses and topics match, in the
/// RPC's form.
pub(crate) fn matching_logs(
    chain: &L2Chain,
    filter: &Filter,
    from: u64,
    to: u64,
) -> RpcResult<Vec<Log>> {
    let query = LogFilter {
        from,
        to,
        addresses: filter.address.iter().copied().collect(),
        topics: std::array::from_fn(|i| {
            let topic = &filter.topics[i];
            (!topic.is_empty()).then(|| topic.iter().copied().collect())
        }),
    };
    let found = chain.db().logs(&query).map_err(|error| match error {
        LogQueryError::Store(store) => internal(store),
        LogQueryError::Reversed { .. } => rpc_error(INVALID_PARAMS, error.to_string()),
        other => rpc_error(LIMIT_EXCEEDED, other.to_string()),
    })?;
    let mut blocks: BTreeMap<u64, (B256, u64)> = BTreeMap::new();
    let mut logs = Vec::with_capacity(found.len());
    for stored in &found {
        let (hash, timestamp) = match blocks.entry(stored.block) {
            std::collections::btree_map::Entry::Occupied(known) => *known.get(),
            std::collections::btree_map::Entry::Vacant(new) => {
                let header = chain
                    .db()
                    .header(stored.block)
                    .map_err(internal)?
                    .ok_or_else(|| internal(format!("block {} is not stored", stored.block)))?;
                *new.insert((header.hash_slow(), header.timestamp))
            }
        };
        logs.push(rpc_log(stored, hash, timestamp));
    }
    Ok(logs)
}

/// The effective tips per gas of a block's transactions with the gas each used, by tip.
fn tips_by_gas(header: &Header, txs: &[baton_state::StoredTx]) -> Vec<(u128, u64)> {
    let base_fee = header.base_fee_per_gas.unwrap_or_default();
    let mut tips: Vec<(u128, u64)> = txs
        .iter()
        .map(|tx| {
            let tip = TxEnvelope::decode_2718_exact(&tx.encoded)
                .ok()
                .and_then(|e| e.effective_tip_per_gas(base_fee))
                .unwrap_or(0);
            (tip, tx.gas_used)
        })
        .collect();
    tips.sort_unstable();
    tips
}

/// The tip at each gas-weighted percentile of a block (geth's rule: the tip of the transaction
/// in which the percentile's share of the block's gas is reached; zero for an empty block).
fn reward_percentiles(tips: &[(u128, u64)], percentiles: &[f64]) -> Vec<u128> {
    let total: u64 = tips.iter().map(|(_, gas)| gas).sum();
    percentiles
        .iter()
        .map(|p| {
            let threshold = (total as f64 * p / 100.0) as u64;
            let mut cumulative = 0u64;
            for (tip, gas) in tips {
                cumulative += gas;
                if cumulative >= threshold {
                    return *tip;
                }
            }
            tips.last().map_or(0, |(tip, _)| *tip)
        })
        .collect()
}

#[jsonrpsee::core::async_trait]
impl EthApiServer for L2Rpc {
    fn chain_id(&self) -> RpcResult<U64> {
        Ok(U64::from(self.chain().spec().chain_id))
    }

    fn syncing(&self) -> RpcResult<SyncStatus> {
        Ok(SyncStatus::None)
    }

    fn accounts(&self) -> RpcResult<Vec<Address>> {
        Ok(Vec::new())
    }

    fn block_number(&self) -> RpcResult<U64> {
        Ok(U64::from(self.chain().head().number))
    }

    fn gas_price(&self) -> RpcResult<U256> {
        let base_fee = self.chain().next_base_fee();
        Ok(U256::from(u128::from(base_fee) + SUGGESTED_TIP))
    }

    fn max_priority_fee_per_gas(&self) -> RpcResult<U256> {
        Ok(U256::from(SUGGESTED_TIP))
    }

    fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256> {
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let account = BlockState::of(&chain, &header)?
            .account(address)
            .map_err(internal)?;
        Ok(account.map(|info| info.balance).unwrap_or_default())
    }

    fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64> {
        let chain = self.chain();
        if block == Some(BlockId::Number(BlockNumberOrTag::Pending)) {
            return Ok(U64::from(chain.pending_nonce(address).map_err(internal)?));
        }
        let header = resolve(&chain, block)?;
        let account = BlockState::of(&chain, &header)?
            .account(address)
            .map_err(internal)?;
        Ok(U64::from(
            account.map(|info| info.nonce).unwrap_or_default(),
        ))
    }

    fn code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes> {
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let state = BlockState::of(&chain, &header)?;
        let Some(info) = state.account(address).map_err(internal)? else {
            return Ok(Bytes::new());
        };
        Ok(state
            .code(info.code_hash)
            .map_err(internal)?
            .unwrap_or_default())
    }

    fn storage_at(&self, address: Address, slot: U256, block: Option<BlockId>) -> RpcResult<B256> {
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let value = BlockState::of(&chain, &header)?
            .storage(address, slot)
            .map_err(internal)?;
        Ok(B256::from(value))
    }

    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<U64> {
        let overrides = state_overrides(state_override)?;
        self.on_block(block, overrides, |state, rules, env| {
            estimate_gas(state, rules, env, &request)
        })
        .map(U64::from)
    }

    fn call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<Bytes> {
        let overrides = state_overrides(state_override)?;
        self.on_block(block, overrides, |state, rules, env| {
            call(state, rules, env, &request)
        })
    }

    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
    ) -> RpcResult<AccessListResult> {
        self.on_block(block, StateOverride::default(), |state, rules, env| {
            create_access_list(state, rules, env, &request)
        })
    }

    fn fee_history(
        &self,
        block_count: U64,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory> {
        if let Some(percentiles) = &reward_percentiles {
            let in_range = percentiles.iter().all(|p| (0.0..=100.0).contains(p));
            let sorted = percentiles.windows(2).all(|w| w[0] <= w[1]);
            if !in_range || !sorted {
                return Err(rpc_error(
                    INVALID_PARAMS,
                    "reward percentiles must be between 0 and 100, in increasing order",
                ));
            }
        }
        let chain = self.chain();
        let newest = resolve(&chain, Some(BlockId::Number(newest_block)))?;
        let count = block_count
            .saturating_to::<u64>()
            .clamp(1, MAX_FEE_HISTORY_BLOCKS)
            .min(newest.number + 1);
        let oldest = newest.number + 1 - count;
        let mut history = FeeHistory {
            oldest_block: oldest,
            reward: reward_percentiles.as_ref().map(|_| Vec::new()),
            ..Default::default()
        };
        for number in oldest..=newest.number {
            let header = chain
                .db()
                .header(number)
                .map_err(internal)?
                .ok_or_else(|| internal(format!("block {number} is not stored")))?;
            history
                .base_fee_per_gas
                .push(u128::from(header.base_fee_per_gas.unwrap_or_default()));
            history
                .gas_used_ratio
                .push(header.gas_used as f64 / header.gas_limit as f64);
            if let (Some(percentiles), Some(reward)) = (&reward_percentiles, &mut history.reward) {
                let txs = chain.db().block_transactions(number).map_err(internal)?;
                reward.push(reward_percentiles_of(&header, &txs, percentiles));
            }
        }
        history
            .base_fee_per_gas
            .push(u128::from(chain.spec().next_base_fee(&newest)));
        Ok(history)
    }

    fn block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<RpcBlock>> {
        let chain = self.chain();
        let header = match resolve(&chain, Some(BlockId::Number(block))) {
            Ok(header) => header,
            // A block not yet made is `null`, as on Ethereum.
            Err(error) if error.code() == UNSUPPORTED => return Ok(None),
            Err(error) => return Err(error),
        };
        let txs = chain
            .db()
            .block_transactions(header.number)
            .map_err(internal)?;
        Ok(Some(rpc_block(&header, &txs, full.unwrap_or(false))))
    }

    fn block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<RpcBlock>> {
        let chain = self.chain();
        let Some(header) = chain.db().header_by_hash(&hash).map_err(internal)? else {
            return Ok(None);
        };
        let txs = chain
            .db()
            .block_transactions(header.number)
            .map_err(internal)?;
        Ok(Some(rpc_block(&header, &txs, full.unwrap_or(false))))
    }

    fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<RpcTransaction>> {
        let chain = self.chain();
        if let Some(tx) = chain.db().transaction(&hash).map_err(internal)? {
            let header = chain
                .db()
                .header(tx.block)
                .map_err(internal)?
                .ok_or_else(|| internal(format!("block {} is not stored", tx.block)))?;
            return Ok(rpc_tx(&header, header.hash_slow(), &tx));
        }
        Ok(chain
            .pool()
            .get(&hash)
            .and_then(rpc_pooled_tx)
            .map(Into::into))
    }

    fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RpcReceipt>> {
        let chain = self.chain();
        let Some(tx) = chain.db().transaction(&hash).map_err(internal)? else {
            return Ok(None);
        };
        let header = chain
            .db()
            .header(tx.block)
            .map_err(internal)?
            .ok_or_else(|| internal(format!("block {} is not stored", tx.block)))?;
        let txs = chain.db().block_transactions(tx.block).map_err(internal)?;
        Ok(rpc_receipts(&header, &txs)
            .into_iter()
            .nth(tx.index as usize))
    }

    fn block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<RpcReceipt>>> {
        let chain = self.chain();
        let header = match resolve(&chain, Some(block)) {
            Ok(header) => header,
            Err(error) if error.code() == UNSUPPORTED => return Ok(None),
            Err(error) => return Err(error),
        };
        let txs = chain
            .db()
            .block_transactions(header.number)
            .map_err(internal)?;
        Ok(Some(rpc_receipts(&header, &txs)))
    }

    fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>> {
        let chain = self.chain();
        let (from, to) = log_range(&chain, &filter)?;
        matching_logs(&chain, &filter, from, to)
    }

    fn proof(
        &self,
        address: Address,
        keys: Vec<JsonStorageKey>,
        block: Option<BlockId>,
    ) -> RpcResult<EIP1186AccountProofResponse> {
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let head = chain.head().clone();
        if header.number != head.number {
            return Err(rpc_error(
                UNSUPPORTED,
                format!(
                    "proofs are served for the latest block ({}) only, not block {}",
                    head.number, header.number
                ),
            ));
        }
        let slots: Vec<U256> = keys.iter().map(|key| key.as_b256().into()).collect();
        let proof = chain.db().proof(address, &slots).map_err(internal)?;
        Ok(EIP1186AccountProofResponse {
            address,
            balance: proof.info.balance,
            code_hash: proof.info.code_hash,
            nonce: proof.info.nonce,
            storage_hash: proof.storage_root,
            account_proof: proof.account_proof,
            storage_proof: keys
                .into_iter()
                .zip(proof.storage_proofs)
                .map(|(key, (_, value, nodes))| EIP1186StorageProof {
                    key,
                    value,
                    proof: nodes,
                })
                .collect(),
        })
    }

    async fn send_raw_transaction(&self, bytes: Bytes) -> RpcResult<B256> {
        // Decoding and recovering the sender, most of the work, happen outside the lock.
        let (admission, config) = {
            let chain = self.chain();
            (chain.admission(), *chain.pool_config())
        };
        let checked = TxPool::check(&bytes, &admission, &config)
            .map_err(|reason| submit_error(reason.into()))?;
        match self.chain().insert(checked) {
            Ok(hash) => {
                if let Some(on_pooled) = &self.on_pooled {
                    on_pooled(bytes, hash);
                }
                Ok(hash)
            }
            // Sending the same transaction again is not an error: it is pooled.
            Err(SubmitError::Pool(PoolError::AlreadyKnown)) => {
                Ok(alloy::primitives::keccak256(&bytes))
            }
            Err(error) => Err(submit_error(error)),
        }
    }
}

/// [`reward_percentiles`] of one stored block.
fn reward_percentiles_of(
    header: &Header,
    txs: &[baton_state::StoredTx],
    percentiles: &[f64],
) -> Vec<u128> {
    reward_percentiles(&tips_by_gas(header, txs), percentiles)
}

impl NetApiServer for L2Rpc {
    fn version(&self) -> RpcResult<String> {
        Ok(self.chain().spec().chain_id.to_string())
    }
}

impl Web3ApiServer for L2Rpc {
    fn client_version(&self) -> RpcResult<String> {
        Ok(concat!("baton/v", env!("CARGO_PKG_VERSION")).to_string())
    }
}
