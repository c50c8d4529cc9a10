//! `debug_traceTransaction` and `debug_traceCall`: a transaction run again with an inspector,
//! reported as geth reports it.
//!
//! - `{"tracer": "callTracer"}`: the tree of calls and creations, each with its type, from, to,
//!   value, gas, gas used, input, output, and error with the revert reason
//!   (`tracerConfig.onlyTopCall` keeps the top call only).
//! - No tracer: the struct logs, one entry per instruction (pc, op, gas, gas cost, depth, stack,
//!   and with `enableMemory` the memory in 32-byte words; `disableStack` leaves the stack out;
//!   `storage` holds the slots the contract read or wrote so far, unless `disableStorage`).
//!
//! - `eth_createAccessList`'s inspector ([`AccessListTracer`]): the accounts and slots a
//!   transaction touches.
//!
//! A stored transaction is traced on the state its block had before it: the parent block's
//! state with the block's earlier transactions applied, in the block's environment.

use alloy::primitives::{Address, B256, Bytes, U256, hex};
use baton_evm::revm::bytecode::opcode::{
    BALANCE, CALL, CALLCODE, DELEGATECALL, EXTCODECOPY, EXTCODEHASH, EXTCODESIZE, OpCode,
    SELFDESTRUCT, SLOAD, SSTORE, STATICCALL,
};
use baton_evm::revm::{
    context_interface::{ContextTr, CreateScheme, JournalTr},
    inspector::Inspector,
    interpreter::{
        CallInputs, CallOutcome, CallScheme, CreateInputs, CreateOutcome, Interpreter,
        InterpreterResult,
        interpreter_types::{Jumps, MemoryTr},
    },
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The options of `debug_trace*` (geth's `TraceConfig`, the part baton reads).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceOptions {
    /// `callTracer`, or none for struct logs.
    pub tracer: Option<String>,
    /// The tracer's own options.
    pub tracer_config: Option<Value>,
    /// Struct logs without the stack.
    #[serde(default)]
    pub disable_stack: bool,
    /// Struct logs with the memory.
    #[serde(default)]
    pub enable_memory: bool,
    /// Struct logs without the storage.
    #[serde(default)]
    pub disable_storage: bool,
}

/// Which tracer the options ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TracerKind {
    /// The call tree; `true` for the top call only.
    Calls {
        /// `tracerConfig.onlyTopCall`.
        only_top_call: bool,
    },
    /// One entry per instruction.
    StructLogs,
}

impl TraceOptions {
    /// The tracer, or what is wrong with the name.
    pub fn kind(&self) -> Result<TracerKind, String> {
        match self.tracer.as_deref() {
            None | Some("") => Ok(TracerKind::StructLogs),
            Some("callTracer") => Ok(TracerKind::Calls {
                only_top_call: self
                    .tracer_config
                    .as_ref()
                    .and_then(|c| c["onlyTopCall"].as_bool())
                    .unwrap_or(false),
            }),
            Some(other) => Err(format!(
                "tracer {other} is not supported: use callTracer, or no tracer for struct logs"
            )),
        }
    }
}

/// One call or creation of the call tree.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallFrame {
    /// `CALL`, `STATICCALL`, `DELEGATECALL`, `CALLCODE`, `CREATE` or `CREATE2`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The caller.
    pub from: Address,
    /// The callee (the code's address for a delegate call), or the created contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
    /// Wei sent (none for a static or delegate call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<U256>,
    /// Gas given to the frame.
    #[serde(with = "alloy::serde::quantity")]
    pub gas: u64,
    /// Gas the frame used.
    #[serde(with = "alloy::serde::quantity")]
    pub gas_used: u64,
    /// Calldata, or init code.
    pub input: Bytes,
    /// Return data, or the created code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Bytes>,
    /// Why the frame failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The revert's `Error(string)` or `Panic(uint256)`, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
    /// The frames it opened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallFrame>,
}

/// The call tree's inspector.
#[derive(Debug, Default)]
pub struct CallTracer {
    /// Open frames, innermost last.
    open: Vec<CallFrame>,
    /// The top frame once it closed.
    pub root: Option<CallFrame>,
}

impl CallTracer {
    fn close(&mut self, result: &InterpreterResult, created: Option<Address>) {
        let Some(mut frame) = self.open.pop() else {
            return;
        };
        frame.gas_used = result.gas.total_gas_spent();
        if let Some(created) = created {
            frame.to = Some(created);
        }
        if result.is_ok() {
            frame.output = Some(result.output.clone());
        } else if result.is_revert() {
            frame.error = Some("execution reverted".into());
            frame.revert_reason = alloy::sol_types::decode_revert_reason(&result.output);
            frame.output = Some(result.output.clone());
        } else {
            frame.error = Some(format!("{:?}", result.result));
        }
        match self.open.last_mut() {
            Some(parent) => parent.calls.push(frame),
            None => self.root = Some(frame),
        }
    }
}

impl<CTX: ContextTr> Inspector<CTX> for CallTracer {
    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        let (kind, value) = match inputs.scheme {
            CallScheme::Call => ("CALL", Some(inputs.value.get())),
            CallScheme::CallCode => ("CALLCODE", Some(inputs.value.get())),
            CallScheme::DelegateCall => ("DELEGATECALL", None),
            CallScheme::StaticCall => ("STATICCALL", None),
        };
        self.open.push(CallFrame {
            kind,
            from: inputs.caller,
            to: Some(inputs.bytecode_address),
            value,
            gas: inputs.gas_limit,
            gas_used: 0,
            input: inputs.input.bytes(context),
            output: None,
            error: None,
            revert_reason: None,
            calls: Vec::new(),
        });
        None
    }

    fn call_end(&mut self, _: &mut CTX, _: &CallInputs, outcome: &mut CallOutcome) {
        self.close(&outcome.result, None);
    }

    fn create(&mut self, _: &mut CTX, inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        let kind = match inputs.scheme() {
            CreateScheme::Create2 { .. } => "CREATE2",
            _ => "CREATE",
        };
        self.open.push(CallFrame {
            kind,
            from: inputs.caller(),
            to: None,
            value: Some(inputs.value()),
            gas: inputs.gas_limit(),
            gas_used: 0,
            input: inputs.init_code().clone(),
            output: None,
            error: None,
            revert_reason: None,
            calls: Vec::new(),
        });
        None
    }

    fn create_end(&mut self, _: &mut CTX, _: &CreateInputs, outcome: &mut CreateOutcome) {
        self.close(&outcome.result, outcome.address);
    }
}

/// One instruction of the struct logs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StructLog {
    /// Program counter.
    pub pc: u64,
    /// The instruction's name.
    pub op: &'static str,
    /// Gas left before it.
    pub gas: u64,
    /// What it cost.
    pub gas_cost: u64,
    /// Call depth, 1 for the transaction's own frame.
    pub depth: u64,
    /// The stack before it, bottom first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<Vec<U256>>,
    /// The memory before it, in 32-byte words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Vec<String>>,
    /// The slots of the running contract read or written so far (after this instruction for
    /// `SLOAD` and `SSTORE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<BTreeMap<B256, B256>>,
}

/// The struct logs' inspector.
#[derive(Debug, Default)]
pub struct StructLogger {
    /// `disableStack`, `enableMemory`, `disableStorage`.
    pub with_stack: bool,
    /// Memory in each entry.
    pub with_memory: bool,
    /// Storage in `SLOAD`/`SSTORE` entries.
    pub with_storage: bool,
    /// The entries.
    pub logs: Vec<StructLog>,
    /// Each contract's slots seen so far.
    storage: BTreeMap<Address, BTreeMap<B256, B256>>,
    /// The entry being filled, its contract, and the slot an `SLOAD` reads.
    pending: Option<(StructLog, Address, Option<B256>)>,
}

impl StructLogger {
    /// A logger with the options' settings.
    pub fn new(options: &TraceOptions) -> Self {
        Self {
            with_stack: !options.disable_stack,
            with_memory: options.enable_memory,
            with_storage: !options.disable_storage,
            ..Self::default()
        }
    }
}

impl<CTX: ContextTr> Inspector<CTX> for StructLogger {
    fn step(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        let opcode = interp.bytecode.opcode();
        let stack = interp.stack.data().clone();
        let address = interp.input.target_address;
        if self.with_storage && opcode == SSTORE && stack.len() >= 2 {
            let key = B256::from(stack[stack.len() - 1]);
            let value = B256::from(stack[stack.len() - 2]);
            self.storage.entry(address).or_default().insert(key, value);
        }
        let sload = (opcode == SLOAD)
            .then(|| stack.last().copied().map(B256::from))
            .flatten();
        let memory = self.with_memory.then(|| {
            let bytes = interp.memory.slice(0..interp.memory.size()).to_vec();
            bytes.chunks(32).map(hex::encode).collect()
        });
        let log = StructLog {
            pc: interp.bytecode.pc() as u64,
            op: OpCode::new(opcode).map_or("INVALID", |op| op.as_str()),
            gas: interp.gas.remaining(),
            gas_cost: 0,
            depth: context.journal_mut().depth() as u64,
            stack: self.with_stack.then_some(stack),
            memory,
            storage: None,
        };
        self.pending = Some((log, address, sload));
    }

    fn step_end(&mut self, interp: &mut Interpreter, _: &mut CTX) {
        let Some((mut log, address, sload)) = self.pending.take() else {
            return;
        };
        log.gas_cost = log.gas.saturating_sub(interp.gas.remaining());
        if self.with_storage && (log.op == "SLOAD" || log.op == "SSTORE") {
            if let (Some(key), Some(value)) = (sload, interp.stack.data().last()) {
                self.storage
                    .entry(address)
                    .or_default()
                    .insert(key, B256::from(*value));
            }
            log.storage = self.storage.get(&address).cloned();
        }
        self.logs.push(log);
    }
}

/// The accounts and storage slots a run touches (`eth_createAccessList`), leaving out the
/// accounts every transaction warms anyway (its sender, its recipient, the precompiles) unless
/// their slots are read: slots are never warm (geth's rule).
#[derive(Debug, Default)]
pub struct AccessListTracer {
    /// Addresses left out.
    pub excluded: Vec<Address>,
    /// What was touched, by address.
    pub touched: BTreeMap<Address, std::collections::BTreeSet<B256>>,
}

impl AccessListTracer {
    fn touch(&mut self, address: Address) -> Option<&mut std::collections::BTreeSet<B256>> {
        // Cancun's precompiles are 0x01..=0x0a.
        let precompile =
            address.0[..19].iter().all(|b| *b == 0) && (1..=0x0a).contains(&address.0[19]);
        if precompile || self.excluded.contains(&address) {
            return None;
        }
        Some(self.touched.entry(address).or_default())
    }

    /// The access list, addresses and slots in order.
    pub fn access_list(&self) -> alloy::eips::eip2930::AccessList {
        alloy::eips::eip2930::AccessList(
            self.touched
                .iter()
                .map(|(address, slots)| alloy::eips::eip2930::AccessListItem {
                    address: *address,
                    storage_keys: slots.iter().copied().collect(),
                })
                .collect(),
        )
    }
}

impl<CTX: ContextTr> Inspector<CTX> for AccessListTracer {
    fn step(&mut self, interp: &mut Interpreter, _: &mut CTX) {
        let stack = interp.stack.data();
        let from_top = |i: usize| stack.len().checked_sub(i + 1).map(|at| stack[at]);
        let as_address = |word: U256| Address::from_word(B256::from(word));
        match interp.bytecode.opcode() {
            SLOAD | SSTORE => {
                if let Some(slot) = from_top(0) {
                    let contract = interp.input.target_address;
                    self.touched
                        .entry(contract)
                        .or_default()
                        .insert(B256::from(slot));
                }
            }
            EXTCODECOPY | EXTCODEHASH | EXTCODESIZE | BALANCE | SELFDESTRUCT => {
                if let Some(word) = from_top(0) {
                    self.touch(as_address(word));
                }
            }
            CALL | CALLCODE | DELEGATECALL | STATICCALL => {
                if let Some(word) = from_top(1) {
                    self.touch(as_address(word));
                }
            }
            _ => {}
        }
    }
}
