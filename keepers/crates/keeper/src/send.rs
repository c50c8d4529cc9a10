//! Sending one contract call through the tx manager, with the outcome a keeper acts on.

use crate::simulate::{Simulated, simulate};
use crate::{context::Context, metrics::Metrics};
use alloy::{
    primitives::{Address, U256},
    rpc::types::TransactionReceipt,
    sol_types::SolCall,
};
use baton_l1::TxError;
use tracing::{debug, info, warn};

/// What became of a call.
#[derive(Debug)]
pub enum Sent {
    /// Mined and succeeded.
    Mined(Box<TransactionReceipt>),
    /// The simulation against current L1 state reverted: nothing was sent. The text holds the
    /// revert data (a custom error) so the caller can tell "already done" from a real problem.
    Refused(String),
}

/// Simulates `call` to `to` with revm on a fork of current L1 state ([`simulate`]) and sends
/// it only if it succeeds (the tx manager estimates gas on the node again, which catches a state
/// change in between); waits for the receipt. `what` names the action in logs.
pub async fn send<C: SolCall>(
    ctx: &Context,
    to: Address,
    call: C,
    value: U256,
    what: &str,
) -> eyre::Result<Sent> {
    let input: alloy::primitives::Bytes = call.abi_encode().into();
    match simulate(&ctx.provider, ctx.address(), to, input.clone(), value).await? {
        Simulated::Success { gas } => {
            debug!(target: "baton::keeper", action = what, gas, "simulation on an L1 fork succeeded")
        }
        Simulated::Revert(data) => {
            return Ok(Sent::Refused(format!("reverted in simulation: {data}")));
        }
        Simulated::Halt(reason) => {
            return Ok(Sent::Refused(format!("halted in simulation: {reason}")));
        }
    }
    match ctx.txmgr.send(to, input, value).await {
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
