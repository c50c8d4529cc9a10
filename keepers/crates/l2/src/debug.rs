//! `debug_traceTransaction` and `debug_traceCall` over the chain (the tracers are in
//! [`crate::trace`]).

use crate::{
    L2Rpc,
    block_state::{BlockState, internal, resolve},
    call::{call_block_env, tx_env},
    trace::{CallTracer, StructLogger, TraceOptions, TracerKind},
};
use alloy::{
    eips::BlockId,
    primitives::{B256, hex},
    rpc::types::TransactionRequest,
};
use baton_evm::{
    BlockDeposit, BlockExecutor, DEPOSIT_TX_TYPE, DepositCall, Executed, NotIncluded, Overlay,
    Rejected, Rules, RunMode, StateReader, decode_transaction, deposit_call, inspect_transaction,
    revm::context::{BlockEnv, TxEnv},
};
use baton_rpc::{
    DebugApiServer, RpcResult,
    errors::{INVALID_PARAMS, TX_REJECTED, rpc_error},
};
use baton_state::StoredTx;
use serde_json::{Value, json};

/// The options a request names (none: struct logs with the stack and storage).
fn options(value: Option<Value>) -> RpcResult<(TraceOptions, TracerKind)> {
    let options: TraceOptions = match value {
        None | Some(Value::Null) => TraceOptions::default(),
        Some(value) => serde_json::from_value(value)
            .map_err(|e| rpc_error(INVALID_PARAMS, format!("invalid trace options: {e}")))?,
    };
    let kind = options.kind().map_err(|e| rpc_error(INVALID_PARAMS, e))?;
    Ok((options, kind))
}

/// A stored deposit, decoded.
fn stored_deposit(tx: &StoredTx) -> RpcResult<BlockDeposit> {
    BlockDeposit::decode(&tx.encoded)
        .ok_or_else(|| internal(format!("stored deposit {} does not decode", tx.hash)))
}

/// Runs `tx` on `state` with the tracer the options name, and reports as geth does.
fn traced<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    tx: TxEnv,
    mode: RunMode,
    (options, kind): (TraceOptions, TracerKind),
) -> RpcResult<Value> {
    let gas_limit = tx.gas_limit;
    let refused = |e: Rejected<S::Error>| match e {
        Rejected::Read(read) => internal(read),
        other => rpc_error(TX_REJECTED, other.to_string()),
    };
    match kind {
        TracerKind::Calls { only_top_call } => {
            let (result, tracer) =
                inspect_transaction(state, rules, block, tx, mode, CallTracer::default());
            let executed: Executed = result.map_err(refused)?;
            let mut root = tracer
                .root
                .ok_or_else(|| internal("the call tracer saw no frame"))?;
            // The transaction's own frame reports what the transaction paid: its gas limit and
            // its gas used, the intrinsic gas included.
            root.gas = gas_limit;
            root.gas_used = executed.gas_used;
            if only_top_call {
                root.calls.clear();
            }
            serde_json::to_value(root).map_err(internal)
        }
        TracerKind::StructLogs => {
            let logger = StructLogger::new(&options);
            let (result, logger) = inspect_transaction(state, rules, block, tx, mode, logger);
            let executed = result.map_err(refused)?;
            Ok(json!({
                "gas": executed.gas_used,
                "failed": !executed.success,
                "returnValue": hex::encode(&executed.output),
                "structLogs": logger.logs,
            }))
        }
    }
}

impl DebugApiServer for L2Rpc {
    fn trace_transaction(&self, hash: B256, options_value: Option<Value>) -> RpcResult<Value> {
        let options = options(options_value)?;
        let chain = self.chain();
        let Some(stored) = chain.db().transaction(&hash).map_err(internal)? else {
            return Err(rpc_error(
                TX_REJECTED,
                format!("transaction {hash} not found"),
            ));
        };
        let header = resolve(&chain, Some(BlockId::number(stored.block)))?;
        let parent = resolve(&chain, Some(BlockId::number(stored.block - 1)))?;
        let state = BlockState::of(&chain, &parent)?;
        let rules = chain.spec().rules();
        let env = call_block_env(&header);
        // The block's transactions before this one, on the parent's state.
        let mut executor = BlockExecutor::new(&state, rules, env.clone());
        let earlier = chain
            .db()
            .block_transactions(stored.block)
            .map_err(internal)?;
        for tx in earlier.iter().take(stored.index as usize) {
            if tx.tx_type() == DEPOSIT_TX_TYPE {
                executor
                    .deposit(&stored_deposit(tx)?.deposit)
                    .map_err(internal)?;
            } else if let Ok(decoded) = decode_transaction(&tx.encoded) {
                match executor.transaction(decoded.env) {
                    Err(NotIncluded::Rejected(Rejected::Read(read))) => return Err(internal(read)),
                    // A stored transaction was included: anything else is a corrupt store.
                    Err(other) => return Err(internal(format!("replaying {}: {other}", tx.hash))),
                    Ok(_) => {}
                }
            }
        }
        let before = executor.state();
        if stored.tx_type() == DEPOSIT_TX_TYPE {
            // A deposit's call runs on the state after its mint, at gas price zero.
            let deposit = stored_deposit(&stored)?;
            let DepositCall { minted, tx, .. } =
                deposit_call(&before, &rules, &deposit.deposit).map_err(internal)?;
            let after_mint = Overlay {
                base: &before,
                diff: &minted,
            };
            return traced(&after_mint, &rules, &env, tx, RunMode::Deposit, options);
        }
        let target = decode_transaction(&stored.encoded)
            .map_err(|e| internal(format!("stored transaction {hash}: {e}")))?;
        traced(&before, &rules, &env, target.env, RunMode::Execute, options)
    }

    fn trace_call(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
        options_value: Option<Value>,
    ) -> RpcResult<Value> {
        let options = options(options_value)?;
        let chain = self.chain();
        let header = resolve(&chain, block)?;
        let state = BlockState::of(&chain, &header)?;
        let env = call_block_env(&header);
        let gas = request.gas.unwrap_or(env.gas_limit).min(env.gas_limit);
        let tx = tx_env(&request, chain.spec().chain_id, gas);
        traced(
            &state,
            &chain.spec().rules(),
            &env,
            tx,
            RunMode::Simulate,
            options,
        )
    }
}
