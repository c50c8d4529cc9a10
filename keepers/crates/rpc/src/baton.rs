//! baton's own methods: a node's status, the preconfirmation receipt of a transaction, the
//! stream of signed blocks other nodes and watchers follow; and the watcher's evidence intake.

use crate::RpcResult;
use alloy::primitives::{Address, B256, Bytes};
use baton_core::{BlockHeader, SignedBlock};
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};

/// What a node reports about itself (`baton_status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// The operator it sequences for.
    pub operator: Address,
    /// The key that signs its headers.
    pub signer: Address,
    /// The L1 head it last read.
    pub l1_block: u64,
    /// The last L1 block it derived from.
    pub l1_cursor: u64,
    /// The current epoch.
    pub epoch: u64,
    /// Who acts for the epoch, as this node sees it.
    pub acting: Option<ActingSequencer>,
    /// Whether this node is sealing now.
    pub sequencing: bool,
    /// This node's rank in the epoch, if it is scheduled.
    pub my_rank: Option<u64>,
    /// The pending (preconfirmed) head.
    pub head: u64,
    /// The head derived from L1.
    pub safe_head: u64,
    /// Records derived.
    pub records: u64,
    /// Force-queue entries consumed by the derived chain.
    pub force_cursor: u64,
    /// Transactions in the pool.
    pub mempool: usize,
    /// Whether it has caught up with L1 and serves.
    pub ready: bool,
}

/// The operator acting for an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingSequencer {
    /// The operator.
    pub operator: Address,
    /// Its signer.
    pub signer: Address,
    /// Its rank in the epoch (0: the leader; higher: a backup that took over).
    pub rank: u64,
}

/// A preconfirmation receipt (`baton_getPreconfirmation`): the signed header of the block that
/// holds a transaction and the Merkle path of the transaction to its `txRoot`. Handed to a
/// watcher, it is evidence against a signer that also signed another header for the height.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preconfirmation {
    /// The block's header.
    pub header: BlockHeader,
    /// The block's hash.
    pub block_hash: B256,
    /// The leader's signature over the header (none for a block only derived from L1).
    pub signature: Option<Bytes>,
    /// The transaction.
    pub tx_hash: B256,
    /// Its index in the block.
    pub tx_index: usize,
    /// Its path to `header.txRoot`.
    pub proof: Vec<B256>,
    /// Whether the block is derived from an L1 record already.
    #[serde(rename = "onL1")]
    pub on_l1: bool,
}

/// What the watcher did with a receipt (`baton_submitEvidence`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceReceipt {
    /// Whether the header was new to the watcher.
    pub stored: bool,
    /// Who signed it.
    pub signer: Address,
    /// Its L2 block number.
    pub number: u64,
    /// Its epoch.
    pub epoch: u64,
    /// Its hash.
    pub block_hash: B256,
    /// Whether the watcher holds another header the signer signed for the same height and
    /// epoch: equivocation, slashed on its next tick.
    pub conflict: bool,
}

/// `baton_*` of a node.
#[rpc(server, client, namespace = "baton")]
pub trait BatonApi {
    /// The node's status.
    #[method(name = "status")]
    fn status(&self) -> RpcResult<NodeStatus>;

    /// The preconfirmation receipt of a transaction in a block this node knows.
    #[method(name = "getPreconfirmation")]
    fn preconfirmation(&self, tx_hash: B256) -> RpcResult<Preconfirmation>;

    /// Signed blocks above `after` (at most `limit`, default 500, never more than 2,000).
    #[method(name = "getSignedBlocks")]
    fn signed_blocks(&self, after: u64, limit: Option<usize>) -> RpcResult<Vec<SignedBlock>>;
}

/// `baton_*` of a watcher.
#[rpc(server, client, namespace = "baton")]
pub trait WatcherApi {
    /// Takes a preconfirmation receipt (what `baton_getPreconfirmation` returns, or any object
    /// with `header` and `signature`) as evidence.
    #[method(name = "submitEvidence")]
    async fn submit_evidence(&self, receipt: serde_json::Value) -> RpcResult<EvidenceReceipt>;
}
