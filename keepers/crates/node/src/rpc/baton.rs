//! `baton_*`: the node's status, preconfirmation receipts and the signed block stream.

use super::NodeRpc;
use crate::chain::NodeChain;
use alloy::primitives::B256;
use baton_core::SignedBlock;
use baton_rpc::{
    BatonApiServer, NodeStatus, Preconfirmation, RpcResult,
    errors::{UNSUPPORTED, rpc_error},
};

/// Most signed blocks one `baton_getSignedBlocks` returns, whatever the limit asked.
pub const MAX_SIGNED_BLOCKS: usize = 2_000;

impl<C: NodeChain> BatonApiServer for NodeRpc<C> {
    fn status(&self) -> RpcResult<NodeStatus> {
        Ok(self.shared.status())
    }

    fn preconfirmation(&self, tx_hash: B256) -> RpcResult<Preconfirmation> {
        self.shared.view().preconfirmation(tx_hash).ok_or_else(|| {
            rpc_error(
                UNSUPPORTED,
                format!("transaction {tx_hash} is not in any block this node knows"),
            )
        })
    }

    fn signed_blocks(&self, after: u64, limit: Option<usize>) -> RpcResult<Vec<SignedBlock>> {
        let mut blocks = self
            .shared
            .view()
            .signed_blocks_after(after, limit.unwrap_or(500).min(MAX_SIGNED_BLOCKS));
        // Only under the scripted `--fault-equivocate`: the second headers it signed.
        let twins = self.shared.fault_twins.lock().expect("twins lock");
        blocks.extend(twins.iter().filter(|t| t.header.number > after).cloned());
        Ok(blocks)
    }
}
