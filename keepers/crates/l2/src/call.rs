//! `eth_call`, `eth_estimateGas` and `eth_createAccessList`: a call request run on a block's
//! state without changing it, the least gas a transaction needs (found by bisection as geth
//! does), and the accounts and slots it touches.

use crate::pool::intrinsic_gas;
use crate::trace::AccessListTracer;
use alloy::eips::eip2930::AccessListResult;
use alloy::{
    consensus::Header,
    primitives::{Address, Bytes, TxKind, U256},
    rpc::types::TransactionRequest,
};
use baton_evm::{
    Executed, Rejected, Rules, RunMode, StateReader, inspect_transaction,
    revm::context::{BlockEnv, TxEnv},
    simulate_call,
};

/// Why a call did not return.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The call reverted (or halted): its revert data, if any.
    #[error("execution reverted{}", reason_suffix(.0))]
    Reverted(Bytes),
    /// The request is not a valid transaction (its value above the balance, say).
    #[error("{0}")]
    Invalid(String),
    /// No gas limit up to the cap lets it succeed without reverting.
    #[error("gas required exceeds allowance ({0})")]
    GasCap(u64),
    /// The state could not be read.
    #[error("reading the state: {0}")]
    Read(String),
}

/// `: <reason>` when revert data is a `Error(string)` or a `Panic(uint256)`.
fn reason_suffix(data: &Bytes) -> String {
    alloy::sol_types::decode_revert_reason(data)
        .map(|reason| format!(": {reason}"))
        .unwrap_or_default()
}

/// The executor's block environment of the block `header` describes: calls at a block run in
/// its environment, on the state after it.
pub fn call_block_env(header: &Header) -> BlockEnv {
    BlockEnv {
        number: U256::from(header.number),
        beneficiary: header.beneficiary,
        timestamp: U256::from(header.timestamp),
        gas_limit: header.gas_limit,
        basefee: header.base_fee_per_gas.unwrap_or_default(),
        prevrandao: Some(header.mix_hash),
        ..Default::default()
    }
}

/// The executor's transaction for a call request, with `gas` as its gas limit. Without fee
/// fields it pays nothing (gas price zero); the nonce is not checked.
pub(crate) fn tx_env(request: &TransactionRequest, chain_id: u64, gas: u64) -> TxEnv {
    let access_list = request.access_list.clone().unwrap_or_default();
    let (tx_type, gas_price, priority) = match (request.max_fee_per_gas, request.gas_price) {
        (Some(max_fee), _) => (
            2,
            max_fee,
            Some(request.max_priority_fee_per_gas.unwrap_or(0)),
        ),
        (None, price) if request.access_list.is_some() => (1, price.unwrap_or(0), None),
        (None, price) => (0, price.unwrap_or(0), None),
    };
    TxEnv::builder()
        .tx_type(Some(tx_type))
        .caller(request.from.unwrap_or(Address::ZERO))
        .kind(request.to.unwrap_or(TxKind::Create))
        .value(request.value.unwrap_or_default())
        .data(request.input.input().cloned().unwrap_or_default())
        .gas_limit(gas)
        .gas_price(gas_price)
        .gas_priority_fee(priority)
        .nonce(request.nonce.unwrap_or(0))
        .chain_id(Some(chain_id))
        .access_list(access_list)
        .build_fill()
}

/// Runs `request` on `state` in `block`'s environment.
fn run<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    request: &TransactionRequest,
    gas: u64,
) -> Result<Executed, CallError> {
    simulate_call(state, rules, block, tx_env(request, rules.chain_id, gas)).map_err(|e| match e {
        Rejected::Read(read) => CallError::Read(read.to_string()),
        other => CallError::Invalid(other.to_string()),
    })
}

/// `eth_call`: the call's return data, or why it did not return. Its gas is the request's, at
/// most the block's gas limit.
pub fn call<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    request: &TransactionRequest,
) -> Result<Bytes, CallError> {
    let gas = request.gas.unwrap_or(block.gas_limit).min(block.gas_limit);
    let executed = run(state, rules, block, request, gas)?;
    if executed.success {
        Ok(executed.output)
    } else {
        Err(CallError::Reverted(executed.output))
    }
}

/// `eth_estimateGas`: the least gas limit with which the request succeeds, up to the request's
/// gas (or the block's limit) and, for a request that pays for gas, what the sender's balance
/// buys. Bisection between the gas the run at the cap used and the cap: a call can need more
/// than it uses (EIP-150 keeps 1/64 of the gas back at each call).
pub fn estimate_gas<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    request: &TransactionRequest,
) -> Result<u64, CallError> {
    let mut cap = request.gas.unwrap_or(block.gas_limit).min(block.gas_limit);
    let price = request.max_fee_per_gas.or(request.gas_price).unwrap_or(0);
    if price > 0 {
        let balance = state
            .account(request.from.unwrap_or(Address::ZERO))
            .map_err(|e| CallError::Read(e.to_string()))?
            .map(|info| info.balance)
            .unwrap_or_default();
        let available =
            balance.saturating_sub(request.value.unwrap_or_default()) / U256::from(price);
        cap = cap.min(available.saturating_to::<u64>());
    }
    let at_cap = run(state, rules, block, request, cap)?;
    if !at_cap.success {
        return Err(if at_cap.gas_used >= cap && at_cap.output.is_empty() {
            CallError::GasCap(cap)
        } else {
            CallError::Reverted(at_cap.output)
        });
    }
    // A limit the run refuses (below what the data costs, say) is one that fails.
    let succeeds = |gas| match run(state, rules, block, request, gas) {
        Ok(executed) => Ok(executed.success),
        Err(CallError::Invalid(_)) => Ok(false),
        Err(other) => Err(other),
    };
    let needed = intrinsic_gas(&tx_env(request, rules.chain_id, cap));
    // `low` fails (or is below the intrinsic gas), `high` succeeds.
    let mut low = at_cap.gas_used.max(needed).saturating_sub(1);
    let mut high = cap;
    // Most calls succeed with what they used plus the 1/64 kept back: try that first.
    let guess = at_cap.gas_used.saturating_mul(64) / 63;
    if guess > low && guess < high {
        if succeeds(guess)? {
            high = guess;
        } else {
            low = guess;
        }
    }
    while low + 1 < high {
        let mid = low + (high - low) / 2;
        if succeeds(mid)? {
            high = mid;
        } else {
            low = mid;
        }
    }
    Ok(high)
}

/// How many times `eth_createAccessList` runs the call with the list it found, until the list
/// stops changing (a declared slot is warm, which can change the path a call takes).
pub const ACCESS_LIST_ROUNDS: usize = 5;

/// `eth_createAccessList`: the accounts and slots the request touches beyond its sender, its
/// recipient and the precompiles, and the gas it uses with them declared.
pub fn create_access_list<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    request: &TransactionRequest,
) -> Result<AccessListResult, CallError> {
    let from = request.from.unwrap_or(Address::ZERO);
    let to = match request.to {
        Some(TxKind::Call(to)) => to,
        _ => {
            let nonce = match request.nonce {
                Some(nonce) => nonce,
                None => state
                    .account(from)
                    .map_err(|e| CallError::Read(e.to_string()))?
                    .map_or(0, |info| info.nonce),
            };
            from.create(nonce)
        }
    };
    let gas = request.gas.unwrap_or(block.gas_limit).min(block.gas_limit);
    let mut request = request.clone();
    let mut list = request.access_list.clone().unwrap_or_default();
    for _ in 0..ACCESS_LIST_ROUNDS {
        request.access_list = Some(list.clone());
        let tracer = AccessListTracer {
            excluded: vec![from, to],
            ..AccessListTracer::default()
        };
        let (result, tracer) = inspect_transaction(
            state,
            rules,
            block,
            tx_env(&request, rules.chain_id, gas),
            RunMode::Simulate,
            tracer,
        );
        let executed = result.map_err(|e| match e {
            Rejected::Read(read) => CallError::Read(read.to_string()),
            other => CallError::Invalid(other.to_string()),
        })?;
        let found = tracer.access_list();
        if found == list {
            return Ok(AccessListResult {
                access_list: found,
                gas_used: U256::from(executed.gas_used),
                error: (!executed.success)
                    .then(|| CallError::Reverted(executed.output).to_string()),
            });
        }
        list = found;
    }
    Err(CallError::Invalid(format!(
        "the access list did not settle after {ACCESS_LIST_ROUNDS} runs"
    )))
}
