//! The Ethereum namespaces: what wallets, `cast`, alloy, viem and ethers call, with alloy's RPC
//! types, so the wire format is Ethereum's by construction. Blocks, transactions and receipts
//! are alloy's catch-all network types ([`RpcBlock`], [`RpcTransaction`], [`RpcReceipt`]): an
//! Ethereum transaction is served exactly as on Ethereum, and a deposit (`0x7e`, which
//! Ethereum's types do not have) as OP Stack serves one, with its type and own fields.

use crate::RpcResult;
use alloy::{
    consensus::ReceiptWithBloom,
    eips::{BlockId, BlockNumberOrTag, eip2930::AccessListResult},
    network::{AnyReceiptEnvelope, AnyRpcBlock, AnyRpcTransaction, AnyTransactionReceipt},
    primitives::{Address, B256, Bytes, U64, U256},
    rpc::types::{
        EIP1186AccountProofResponse, FeeHistory, Filter, Log, SyncStatus, TransactionReceipt,
        TransactionRequest,
        pubsub::{Params, SubscriptionKind},
    },
    serde::JsonStorageKey,
};
use jsonrpsee::proc_macros::rpc;

/// A block as served.
pub type RpcBlock = AnyRpcBlock;
/// A transaction as served.
pub type RpcTransaction = AnyRpcTransaction;
/// A receipt as served.
pub type RpcReceipt = AnyTransactionReceipt;

/// An Ethereum receipt as served: the same fields, its type given as a number.
pub fn rpc_receipt(receipt: TransactionReceipt) -> RpcReceipt {
    receipt
        .map_inner(|envelope| {
            let ty = envelope.tx_type() as u8;
            let logs_bloom = *envelope.logs_bloom();
            AnyReceiptEnvelope {
                inner: ReceiptWithBloom {
                    receipt: envelope.into_receipt(),
                    logs_bloom,
                },
                r#type: ty,
            }
        })
        .into()
}

/// `eth_*`.
#[rpc(server, client, namespace = "eth")]
pub trait EthApi {
    /// The L2 chain id.
    #[method(name = "chainId")]
    fn chain_id(&self) -> RpcResult<U64>;

    /// Always not syncing: a node serves once it has caught up with L1.
    #[method(name = "syncing")]
    fn syncing(&self) -> RpcResult<SyncStatus>;

    /// No accounts: the node holds no user keys.
    #[method(name = "accounts")]
    fn accounts(&self) -> RpcResult<Vec<Address>>;

    /// The pending (preconfirmed) head.
    #[method(name = "blockNumber")]
    fn block_number(&self) -> RpcResult<U64>;

    /// Base fee plus the suggested tip.
    #[method(name = "gasPrice")]
    fn gas_price(&self) -> RpcResult<U256>;

    /// The suggested tip.
    #[method(name = "maxPriorityFeePerGas")]
    fn max_priority_fee_per_gas(&self) -> RpcResult<U256>;

    /// An account's balance at the pending (`latest`) or derived (`safe`) head.
    #[method(name = "getBalance")]
    fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256>;

    /// An account's nonce; at `pending`, counting the pool.
    #[method(name = "getTransactionCount")]
    fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64>;

    /// Code at an address (none on the ledger).
    #[method(name = "getCode")]
    fn code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes>;

    /// A storage slot of an address (none on the ledger).
    #[method(name = "getStorageAt")]
    fn storage_at(&self, address: Address, slot: U256, block: Option<BlockId>) -> RpcResult<B256>;

    /// The gas a transfer or withdrawal takes.
    #[method(name = "estimateGas")]
    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<U64>;

    /// A call: transfers and withdrawals return nothing.
    #[method(name = "call")]
    fn call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        state_override: Option<serde_json::Value>,
    ) -> RpcResult<Bytes>;

    /// The accounts and slots a call touches, and the gas it uses with them declared.
    #[method(name = "createAccessList")]
    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
    ) -> RpcResult<AccessListResult>;

    /// Base fees, gas used and tips of recent blocks.
    #[method(name = "feeHistory")]
    fn fee_history(
        &self,
        block_count: U64,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory>;

    /// A block by number or tag.
    #[method(name = "getBlockByNumber")]
    fn block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<RpcBlock>>;

    /// A block by hash.
    #[method(name = "getBlockByHash")]
    fn block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<RpcBlock>>;

    /// A transaction in a block or in the pool.
    #[method(name = "getTransactionByHash")]
    fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<RpcTransaction>>;

    /// The receipt of a transaction in a (preconfirmed or derived) block.
    #[method(name = "getTransactionReceipt")]
    fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RpcReceipt>>;

    /// Every receipt of a block.
    #[method(name = "getBlockReceipts")]
    fn block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<RpcReceipt>>>;

    /// The logs matching a filter, over a bounded block range (none on the ledger).
    #[method(name = "getLogs")]
    fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>>;

    /// An account and storage slots with their Merkle-Patricia proofs (EIP-1186).
    #[method(name = "getProof")]
    fn proof(
        &self,
        address: Address,
        keys: Vec<JsonStorageKey>,
        block: Option<BlockId>,
    ) -> RpcResult<EIP1186AccountProofResponse>;

    /// Validates a signed transaction against the pending state and pools it.
    #[method(name = "sendRawTransaction")]
    async fn send_raw_transaction(&self, bytes: Bytes) -> RpcResult<B256>;
}

/// `eth_subscribe` and `eth_unsubscribe`, over WebSocket (on the HTTP port).
#[rpc(server, namespace = "eth")]
pub trait EthPubSubApi {
    /// `newHeads`, `logs` (with a filter's addresses and topics) or `newPendingTransactions`
    /// (hashes, or whole transactions with `true`).
    #[subscription(name = "subscribe" => "subscription", unsubscribe = "unsubscribe", item = serde_json::Value)]
    async fn subscribe(
        &self,
        kind: SubscriptionKind,
        params: Option<Params>,
    ) -> jsonrpsee::core::SubscriptionResult;
}

/// `debug_*`: transactions and calls run again with a tracer.
#[rpc(server, client, namespace = "debug")]
pub trait DebugApi {
    /// A stored transaction, traced on the state before it in its block. `options` is geth's
    /// trace config: `{"tracer": "callTracer"}`, or struct logs without a tracer.
    #[method(name = "traceTransaction")]
    fn trace_transaction(
        &self,
        hash: B256,
        options: Option<serde_json::Value>,
    ) -> RpcResult<serde_json::Value>;

    /// A call on a block's state, traced.
    #[method(name = "traceCall")]
    fn trace_call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        options: Option<serde_json::Value>,
    ) -> RpcResult<serde_json::Value>;
}

/// `net_*`.
#[rpc(server, client, namespace = "net")]
pub trait NetApi {
    /// The L2 chain id, in decimal.
    #[method(name = "version")]
    fn version(&self) -> RpcResult<String>;
}

/// `web3_*`.
#[rpc(server, client, namespace = "web3")]
pub trait Web3Api {
    /// `baton/v<version>`.
    #[method(name = "clientVersion")]
    fn client_version(&self) -> RpcResult<String>;
}
