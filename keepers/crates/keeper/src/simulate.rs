//! Simulating a keeper's call with revm on a fork of current L1 state, before it is sent.
//!
//! The fork reads accounts, code and storage from the L1 RPC at the latest block as revm asks
//! for them (cached for the one simulation), and runs the call as the next block would: number
//! and timestamp one past the latest, so clock checks (a chess clock that ran out, a window
//! that closed) see what the transaction will see when mined. A call that reverts here is never
//! sent; the revert data (a custom error) comes back to the keeper.

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256},
    providers::{Provider, RootProvider},
};
use revm::{
    Context, ExecuteEvm, MainBuilder, MainContext,
    bytecode::Bytecode,
    context::{TxEnv, result::ExecutionResult},
    database::CacheDB,
    database_interface::{DBErrorMarker, DatabaseRef},
    primitives::{StorageKey, StorageValue, TxKind},
    state::AccountInfo,
};
use tokio::runtime::Handle;

/// Why the fork could not answer.
#[derive(Debug)]
pub struct ForkError(String);

impl std::fmt::Display for ForkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "L1 fork read failed: {}", self.0)
    }
}

impl std::error::Error for ForkError {}
impl DBErrorMarker for ForkError {}

/// L1 state at one block, read through the RPC on demand.
struct Fork {
    handle: Handle,
    provider: RootProvider,
    block: BlockId,
}

impl Fork {
    fn wait<T, E: std::fmt::Display>(
        &self,
        f: impl std::future::IntoFuture<Output = Result<T, E>>,
    ) -> Result<T, ForkError> {
        self.handle
            .block_on(f.into_future())
            .map_err(|e| ForkError(e.to_string()))
    }
}

impl DatabaseRef for Fork {
    type Error = ForkError;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        let p = &self.provider;
        let balance = self.wait(p.get_balance(address).block_id(self.block))?;
        let nonce = self.wait(p.get_transaction_count(address).block_id(self.block))?;
        let code = self.wait(p.get_code_at(address).block_id(self.block))?;
        let (code_hash, code) = if code.is_empty() {
            (KECCAK256_EMPTY, None)
        } else {
            (keccak256(&code), Some(Bytecode::new_raw(code)))
        };
        Ok(Some(AccountInfo {
            balance,
            nonce,
            code_hash,
            code,
            ..Default::default()
        }))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, ForkError> {
        // `basic_ref` hands out code with the account, so revm never asks by hash.
        Err(ForkError(format!("code {code_hash} asked for by hash")))
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue, ForkError> {
        self.wait(
            self.provider
                .get_storage_at(address, index)
                .block_id(self.block),
        )
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, ForkError> {
        let block = self.wait(
            self.provider
                .get_block_by_number(BlockNumberOrTag::Number(number)),
        )?;
        Ok(block.map(|b| b.header.hash).unwrap_or_default())
    }
}

/// The most gas one transaction may use (EIP-7825).
const TX_GAS_CAP: u64 = 1 << 24;

/// What the simulation found.
#[derive(Debug, PartialEq, Eq)]
pub enum Simulated {
    /// The call succeeds, using this much gas.
    Success {
        /// Gas the call used.
        gas: u64,
    },
    /// The call reverts with this data (a custom error's selector and arguments).
    Revert(Bytes),
    /// The EVM halted (out of gas, invalid opcode, …).
    Halt(String),
}

/// Runs `from` calling `to` with `input` and `value` on a fork of L1 at its latest block, as
/// the next block.
pub async fn simulate(
    provider: &RootProvider,
    from: Address,
    to: Address,
    input: Bytes,
    value: U256,
) -> eyre::Result<Simulated> {
    let latest = provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await?
        .ok_or_else(|| eyre::eyre!("L1 has no latest block"))?;
    let chain_id = provider.get_chain_id().await?;
    let fork = Fork {
        handle: Handle::current(),
        provider: provider.clone(),
        block: BlockId::number(latest.header.number),
    };
    let header = latest.header;
    tokio::task::spawn_blocking(move || {
        let mut evm = Context::mainnet()
            .with_db(CacheDB::new(fork))
            .modify_block_chained(|b| {
                b.number = U256::from(header.number + 1);
                b.timestamp = U256::from(header.timestamp + 1);
                b.gas_limit = header.gas_limit;
                b.basefee = 0;
                b.prevrandao = Some(header.mix_hash);
                b.beneficiary = header.beneficiary;
            })
            .modify_cfg_chained(|c| {
                c.chain_id = chain_id;
                c.disable_nonce_check = true;
            })
            .build_mainnet();
        let tx = TxEnv::builder()
            .caller(from)
            .kind(TxKind::Call(to))
            .data(input)
            .value(value)
            // EIP-7825 caps a transaction at 2^24 gas; no keeper call comes near it.
            .gas_limit(header.gas_limit.min(TX_GAS_CAP))
            .gas_price(0)
            .chain_id(Some(chain_id))
            .build_fill();
        let result = evm
            .transact(tx)
            .map_err(|e| eyre::eyre!("simulation failed: {e}"))?
            .result;
        Ok(match result {
            ExecutionResult::Success { gas, .. } => Simulated::Success {
                gas: gas.tx_gas_used(),
            },
            ExecutionResult::Revert { output, .. } => Simulated::Revert(output),
            ExecutionResult::Halt { reason, .. } => Simulated::Halt(format!("{reason:?}")),
        })
    })
    .await?
}
