//! One transaction, or one deposit, on a state: revm at the Cancun rules, the base fee paid to
//! the fee vault, and the result as a receipt and a [`StateDiff`].

use crate::{
    db::{CodeCache, ReadError, RevmDb},
    state::{AccountInfo, Overlay, StateDiff, StateReader},
};
use alloc::{string::String, vec::Vec};
use alloy_primitives::{Address, Bytes, Log, TxKind, U256, address};
use revm::{
    Context, ExecuteEvm, MainBuilder, MainContext,
    context::{BlockEnv, CfgEnv, TxEnv, result::EVMError},
    context_interface::result::{ExecutionResult, InvalidTransaction},
    database_interface::WrapDatabaseRef,
    primitives::hardfork::SpecId,
};

/// Cancun's blob limit per transaction (EIP-4844: 786,432 blob gas a block, 131,072 a blob).
pub const CANCUN_MAX_BLOBS_PER_TX: u64 = 6;

/// The withdrawal predeploy of the EVM chain's genesis (`contracts/l2/L2Withdrawals.sol`): ETH
/// sent to its `withdraw` is owed on L1, recorded in its storage for the portal to prove.
pub const WITHDRAWALS_PREDEPLOY: Address = address!("ba70000000000000000000000000000000000016");

/// The fee vault predeploy (`contracts/l2/L2FeeVault.sol`): where the L2's base fees go
/// ([`Rules::fee_vault`]); anyone may send its balance to the deployment's fee recipient on L1.
pub const FEE_VAULT_PREDEPLOY: Address = address!("ba70000000000000000000000000000000000019");

/// The chain's rules beyond Cancun's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The chain id transactions must sign for (EIP-155) and `CHAINID` returns.
    pub chain_id: u64,
    /// Where the base fee goes. `None` burns it, as Ethereum does; the L2 pays it to a vault
    /// predeploy so that it is not lost.
    pub fee_vault: Option<Address>,
    /// Whether blob transactions (type 3) are accepted. An L2 has no blob space of its own, so
    /// the L2 refuses them; Ethereum's state tests run with them.
    pub blob_transactions: bool,
}

/// A transaction the block cannot include: it changes nothing, and the sequencer must leave it
/// out (a forced one is skipped).
#[derive(Debug, thiserror::Error)]
pub enum Rejected<E: core::error::Error + 'static> {
    /// The transaction breaks a validity rule (nonce, balance, gas, fee, chain id, size...).
    #[error("invalid transaction: {0}")]
    Invalid(InvalidTransaction),
    /// A blob transaction where the chain takes none.
    #[error("blob transactions are not accepted on this chain")]
    BlobTransaction,
    /// The block environment itself is wrong (a bug in the caller, not the transaction).
    #[error("invalid block environment: {0}")]
    Block(String),
    /// The state could not be read.
    #[error(transparent)]
    Read(ReadError<E>),
}

/// What an included transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    /// Whether it succeeded (EIP-658 status 1) or reverted or halted (0).
    pub success: bool,
    /// Gas it used, as its receipt says.
    pub gas_used: u64,
    /// The logs it emitted (none survive a revert).
    pub logs: Vec<Log>,
    /// The contract it created, if it was a creation that succeeded.
    pub contract_address: Option<Address>,
    /// Return data, or revert data.
    pub output: Bytes,
    /// Its changes to the state, fee payments included.
    pub diff: StateDiff,
}

/// revm configured for one transaction.
fn cfg(rules: &Rules) -> CfgEnv {
    CfgEnv::new_with_spec(SpecId::CANCUN)
        .with_chain_id(rules.chain_id)
        .with_max_blobs_per_tx(CANCUN_MAX_BLOBS_PER_TX)
}

/// Runs one transaction from `tx.caller` on `state` within `block`.
///
/// The block's beneficiary receives the priority fee (revm's rule); the base fee goes to the
/// rules' fee vault, or is burned without one. An invalid transaction is [`Rejected`] and
/// changes nothing.
pub fn execute_transaction<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    tx: TxEnv,
) -> Result<Executed, Rejected<S::Error>> {
    transaction_with(state, rules, block, tx, &CodeCache::default())
}

/// [`execute_transaction`] with code analysed by earlier transactions.
pub(crate) fn transaction_with<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    tx: TxEnv,
    codes: &CodeCache,
) -> Result<Executed, Rejected<S::Error>> {
    if tx.tx_type == 3 && !rules.blob_transactions {
        return Err(Rejected::BlobTransaction);
    }
    let mut executed = run(state, cfg(rules), block, tx, codes)?;
    if let Some(vault) = rules.fee_vault {
        let base_fee = U256::from(executed.gas_used) * U256::from(block.basefee);
        if !base_fee.is_zero() {
            let after = Overlay {
                base: state,
                diff: &executed.diff,
            };
            let mut info = after
                .account(vault)
                .map_err(|e| Rejected::Read(ReadError::Store(e)))?
                .unwrap_or_default();
            info.balance = info.balance.saturating_add(base_fee);
            executed.diff.set_info(vault, info);
        }
    }
    Ok(executed)
}

/// A call simulated on `state`, as `eth_call` and `eth_estimateGas` run it: the chain's rules
/// without the nonce check and, for a call that names no gas price, below the block's base fee
/// (geth's simulation). Nothing is paid to the fee vault; the diff is the caller's to drop.
pub fn simulate_call<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    tx: TxEnv,
) -> Result<Executed, Rejected<S::Error>> {
    let config = simulation_cfg(rules, &tx);
    run(state, config, block, tx, &CodeCache::default())
}

/// revm configured for a simulated call: no nonce check, and no base fee for a call that
/// names no gas price.
fn simulation_cfg(rules: &Rules, tx: &TxEnv) -> CfgEnv {
    let mut config = cfg(rules);
    config.disable_nonce_check = true;
    config.disable_base_fee = tx.gas_price == 0;
    config
}

/// revm's run of `tx`, without the fee vault.
fn run<S: StateReader>(
    state: &S,
    cfg: CfgEnv,
    block: &BlockEnv,
    tx: TxEnv,
    codes: &CodeCache,
) -> Result<Executed, Rejected<S::Error>> {
    let mut evm = Context::mainnet()
        .with_db(WrapDatabaseRef(RevmDb { state, codes }))
        .with_cfg(cfg)
        .with_block(block.clone())
        .build_mainnet();
    executed(evm.transact(tx))
}

/// The context revm runs in over a [`StateReader`]: what an inspector passed to
/// [`inspect_transaction`] observes.
pub type EvmContext<'a, S> = revm::handler::MainnetContext<WrapDatabaseRef<RevmDb<'a, S>>>;

/// How revm is configured for an inspected run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// As a block runs a transaction ([`execute_transaction`]).
    Execute,
    /// As `eth_call` simulates a call ([`simulate_call`]).
    Simulate,
    /// As a deposit's call runs after its mint ([`deposit_call`]): at gas price zero.
    Deposit,
}

/// Runs `tx` in `mode` with an inspector watching every frame and instruction
/// (`debug_trace*`), and hands the inspector back. Nothing is paid to the fee vault: the caller
/// reads the trace, not the diff.
pub fn inspect_transaction<S, I>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    tx: TxEnv,
    mode: RunMode,
    inspector: I,
) -> (Result<Executed, Rejected<S::Error>>, I)
where
    S: StateReader,
    I: for<'a> revm::inspector::Inspector<EvmContext<'a, S>>,
{
    let config = match mode {
        RunMode::Execute => cfg(rules),
        RunMode::Simulate => simulation_cfg(rules, &tx),
        RunMode::Deposit => deposit_cfg(rules),
    };
    let codes = CodeCache::default();
    let mut evm = Context::mainnet()
        .with_db(WrapDatabaseRef(RevmDb {
            state,
            codes: &codes,
        }))
        .with_cfg(config)
        .with_block(block.clone())
        .build_mainnet_with_inspector(inspector);
    let result = executed(revm::inspector::InspectEvm::inspect_tx(&mut evm, tx));
    (result, evm.inspector)
}

/// A run's outcome as [`Executed`], or why the transaction was refused.
fn executed<E: core::error::Error + 'static>(
    outcome: Result<
        revm::context::result::ExecResultAndState<ExecutionResult, revm::state::EvmState>,
        EVMError<ReadError<E>>,
    >,
) -> Result<Executed, Rejected<E>> {
    let outcome = outcome.map_err(|e| match e {
        EVMError::Transaction(invalid) => Rejected::Invalid(invalid),
        EVMError::Header(header) => Rejected::Block(alloc::format!("{header}")),
        EVMError::Database(read) => Rejected::Read(read),
        EVMError::Custom(message) => Rejected::Block(message),
        EVMError::CustomAny(any) => Rejected::Block(alloc::format!("{any}")),
    })?;
    let result = outcome.result;
    let gas_used = result.tx_gas_used();
    let contract_address = result.created_address();
    let (success, logs, output) = match result {
        ExecutionResult::Success { logs, output, .. } => (true, logs, output.into_data()),
        ExecutionResult::Revert { output, .. } => (false, Vec::new(), output),
        ExecutionResult::Halt { .. } => (false, Vec::new(), Bytes::new()),
    };
    Ok(Executed {
        success,
        gas_used,
        logs,
        contract_address,
        output,
        diff: StateDiff::from_evm(outcome.state),
    })
}

/// A deposit from L1: ETH minted on L2, then a call, all paid for on L1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// Who the deposit is from on L2: the L1 sender, or its alias for an L1 contract.
    pub from: Address,
    /// The call's target, or a creation.
    pub to: TxKind,
    /// Wei minted to `from` before the call.
    pub mint: U256,
    /// Wei the call carries from `from` to `to`.
    pub value: U256,
    /// Gas the call may use (bought on L1; not charged on L2).
    pub gas_limit: u64,
    /// Calldata, or init code.
    pub data: Bytes,
}

/// A deposit as it runs: its mint, then its call on the state after the mint.
#[derive(Clone, Debug)]
pub struct DepositCall {
    /// `from`'s account before the mint.
    pub before: AccountInfo,
    /// The mint: `from` credited with `mint`.
    pub minted: StateDiff,
    /// The call from `from`, at gas price zero, to run on the state after the mint in
    /// [`RunMode::Deposit`].
    pub tx: TxEnv,
}

/// How [`execute_deposit`] runs `deposit` on `state` (and how `debug_traceTransaction` replays
/// it).
pub fn deposit_call<S: StateReader>(
    state: &S,
    rules: &Rules,
    deposit: &Deposit,
) -> Result<DepositCall, S::Error> {
    let before = state.account(deposit.from)?.unwrap_or_default();
    let mut minted = StateDiff::default();
    minted.set_info(
        deposit.from,
        AccountInfo {
            balance: before.balance.saturating_add(deposit.mint),
            ..before
        },
    );
    let tx = TxEnv::builder()
        .tx_type(Some(0))
        .caller(deposit.from)
        .kind(deposit.to)
        .value(deposit.value)
        .data(deposit.data.clone())
        .gas_limit(deposit.gas_limit)
        .gas_price(0)
        .nonce(before.nonce)
        .chain_id(Some(rules.chain_id))
        .build_fill();
    Ok(DepositCall { before, minted, tx })
}

/// revm configured for a deposit's call: its gas was bought on L1, so it runs at gas price
/// zero, whatever the base fee.
fn deposit_cfg(rules: &Rules) -> CfgEnv {
    let mut config = cfg(rules);
    config.disable_base_fee = true;
    config
}

/// Runs a deposit. It cannot fail the block: the mint always lands and `from`'s nonce always
/// moves; if the call is invalid, reverts or halts, only its effects are dropped and the
/// receipt says it failed, with the whole gas limit used. Only a failure to read the state is
/// an error.
pub fn execute_deposit<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    deposit: &Deposit,
) -> Result<Executed, ReadError<S::Error>> {
    deposit_with(state, rules, block, deposit, &CodeCache::default())
}

/// [`execute_deposit`] with code analysed by earlier transactions.
pub(crate) fn deposit_with<S: StateReader>(
    state: &S,
    rules: &Rules,
    block: &BlockEnv,
    deposit: &Deposit,
    codes: &CodeCache,
) -> Result<Executed, ReadError<S::Error>> {
    let DepositCall {
        before,
        mut minted,
        tx,
    } = deposit_call(state, rules, deposit).map_err(ReadError::Store)?;
    let after_mint = Overlay {
        base: state,
        diff: &minted,
    };
    match run(&after_mint, deposit_cfg(rules), block, tx, codes) {
        Ok(executed) => {
            minted.merge(executed.diff);
            Ok(Executed {
                diff: minted,
                ..executed
            })
        }
        Err(Rejected::Read(e)) => Err(e),
        Err(_) => {
            // The call could not even start (too little gas for its data, a creation too
            // large, an account with code as `from`...): the mint stays, the nonce moves.
            minted.set_info(
                deposit.from,
                AccountInfo {
                    nonce: before.nonce.saturating_add(1),
                    balance: before.balance.saturating_add(deposit.mint),
                    code_hash: before.code_hash,
                },
            );
            Ok(Executed {
                success: false,
                gas_used: deposit.gas_limit,
                logs: Vec::new(),
                contract_address: None,
                output: Bytes::new(),
                diff: minted,
            })
        }
    }
}
