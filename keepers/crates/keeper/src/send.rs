//! Sending one contract call through the tx manager, with the outcome a keeper acts on.

use crate::{context::Context, metrics::Metrics};
use alloy::{
    primitives::{Address, U256},
    rpc::types::TransactionReceipt,
    sol_types::SolCall,
};
use baton_node::txmgr::TxError;
use tracing::{info, warn};

/// What became of a call.
#[derive(Debug)]
pub enum Sent {
    /// Mined and succeeded.
    Mined(Box<TransactionReceipt>),
    /// The simulation against current L1 state reverted: nothing was sent. The text holds the
    /// revert data (a custom error) so the caller can tell "already done" from a real problem.
    Refused(String),
}

/// Simulates `call` to `to` (the tx manager's `eth_estimateGas` on current L1 state) and sends
/// it only if it succeeds; waits for the receipt. `what` names the action in logs.
pub async fn send<C: SolCall>(
    ctx: &Context,
    to: Address,
    call: C,
    value: U256,
    what: &str,
) -> eyre::Result<Sent> {
    match ctx.txmgr.send(to, call.abi_encode().into(), value).await {
        Ok(receipt) => {
            info!(target: "baton::keeper", action = what, tx = %receipt.transaction_hash, block = receipt.block_number, gas = receipt.gas_used, "mined");
            Ok(Sent::Mined(Box::new(receipt)))
        }
        Err(TxError::Reverted(reason)) => Ok(Sent::Refused(reason)),
        Err(e) => {
            Metrics::inc(&ctx.metrics.errors);
            warn!(target: "baton::keeper", action = what, error = %e, "send failed; retrying on the next tick");
            Err(e.into())
        }
    }
}

/// Whether a refusal's revert data is the custom error `selector` (its 4 bytes, hex).
pub fn refused_with(reason: &str, selector: [u8; 4]) -> bool {
    reason
        .to_lowercase()
        .contains(&alloy::primitives::hex::encode(selector))
}
