//! An in-memory EVM (revm) with forge's artifacts deployed: how the differential tests run the
//! Solidity side (the ledger library, the VM's step verifier) beside the Rust one. Test code
//! (feature `test-utils`).

use alloy_primitives::{Address, Bytes, U256, hex};
use revm::{
    Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext,
    bytecode::Bytecode,
    context::{TxEnv, result::ExecutionResult},
    database::InMemoryDB,
    handler::{MainnetContext, MainnetEvm},
    primitives::TxKind,
    state::AccountInfo,
};
use std::path::PathBuf;

/// A contract's creation and runtime bytecode from `out/<name>.sol/<name>.json`.
pub fn forge_artifact(name: &str) -> (Vec<u8>, Bytes) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../../out/{name}.sol/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `forge build` first (./script/test does)",
            path.display()
        )
    });
    let artifact: serde_json::Value = serde_json::from_str(&text).expect("artifact json");
    let code = |key: &str| {
        let hex_code = artifact[key]["object"]
            .as_str()
            .unwrap_or_else(|| panic!("{key}.object"));
        hex::decode(hex_code).expect("hex bytecode")
    };
    (code("bytecode"), code("deployedBytecode").into())
}

/// What a call did: its return data and gas, or its revert data (a halt is described in text).
pub type CallResult = Result<(Bytes, u64), Bytes>;

/// One EVM on an in-memory database, with one funded caller sending every transaction.
pub struct InMemoryEvm {
    evm: MainnetEvm<MainnetContext<InMemoryDB>>,
    caller: Address,
    nonce: u64,
}

impl InMemoryEvm {
    /// An empty chain with `caller` funded.
    pub fn new(caller: Address) -> Self {
        let mut db = InMemoryDB::default();
        db.insert_account_info(
            caller,
            AccountInfo {
                balance: U256::MAX,
                ..Default::default()
            },
        );
        Self {
            evm: Context::mainnet().with_db(db).build_mainnet(),
            caller,
            nonce: 0,
        }
    }

    /// Puts `runtime` code at `at` without deploying (a harness with no constructor).
    pub fn install(&mut self, at: Address, runtime: Bytes) {
        self.evm.ctx.journaled_state.database.insert_account_info(
            at,
            AccountInfo::default().with_code(Bytecode::new_raw(runtime)),
        );
    }

    fn tx(&self, kind: TxKind, data: Vec<u8>) -> TxEnv {
        TxEnv::builder()
            .caller(self.caller)
            .kind(kind)
            .data(data.into())
            .nonce(self.nonce)
            .gas_limit(16_000_000)
            .gas_price(0)
            .build_fill()
    }

    fn outcome(result: ExecutionResult) -> CallResult {
        match result {
            ExecutionResult::Success { output, gas, .. } => {
                Ok((output.data().clone(), gas.tx_gas_used()))
            }
            ExecutionResult::Revert { output, .. } => Err(output),
            ExecutionResult::Halt { reason, .. } => {
                Err(format!("halt: {reason:?}").into_bytes().into())
            }
        }
    }

    /// Deploys `creation` code (with its constructor arguments appended) and returns the address.
    pub fn deploy(&mut self, creation: Vec<u8>) -> Address {
        let at = self.caller.create(self.nonce);
        let result = self.send(TxKind::Create, creation);
        assert!(result.is_ok(), "deploy failed: {result:?}");
        at
    }

    /// A transaction to `to` whose effects stay.
    pub fn commit_call(&mut self, to: Address, data: Vec<u8>) -> CallResult {
        self.send(TxKind::Call(to), data)
    }

    fn send(&mut self, kind: TxKind, data: Vec<u8>) -> CallResult {
        let tx = self.tx(kind, data);
        let result = self
            .evm
            .transact_commit(tx)
            .expect("the EVM itself must not fail");
        self.nonce += 1;
        Self::outcome(result)
    }

    /// A call to `to` whose effects are dropped.
    pub fn call(&mut self, to: Address, data: Vec<u8>) -> CallResult {
        let tx = self.tx(TxKind::Call(to), data);
        let result = self
            .evm
            .transact(tx)
            .expect("the EVM itself must not fail")
            .result;
        Self::outcome(result)
    }
}
