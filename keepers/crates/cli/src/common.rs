//! What every command shares (a leaf: it imports no command module): where L1 and L2 are
//! ([`Endpoints`]), amounts of ETH, L1's clock, progress lines, and sending a contract call with
//! advice on its custom errors ([`send`], [`Advice`]).

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::EthereumWallet,
    primitives::{
        B256, U256,
        utils::{format_ether, parse_ether},
    },
    providers::{DynProvider, Provider, ProviderBuilder, RootProvider},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    sol_types::SolInterface,
};
use baton_bindings::{
    Deployment, IForceInclusionQueue::IForceInclusionQueueErrors as QueueError,
    IPortal::IPortalErrors as PortalError,
    ISequencerRegistry::ISequencerRegistryErrors as RegistryError,
};
use baton_l1::L1Args;
use clap::Args;
use eyre::{WrapErr, bail, ensure};
use jsonrpsee::http_client::HttpClient;
use std::time::Duration;

/// Where L1 and L2 are.
#[derive(Clone, Debug, Args)]
pub(crate) struct Endpoints {
    /// L1, the deployment and the genesis.
    #[command(flatten)]
    pub(crate) l1: L1Args,
    /// An L2 node's JSON-RPC endpoint.
    #[arg(long, env = "BATON_L2_RPC", default_value = "http://127.0.0.1:9545")]
    pub(crate) l2_rpc: String,
}

impl Endpoints {
    /// The deployment, checked against the L1 it names, and a read-only L1 provider.
    pub(crate) async fn connect(&self) -> eyre::Result<(DynProvider, Deployment)> {
        let l1 = self.l1.connect().await?;
        Ok((l1.provider.erased(), l1.deployment))
    }

    /// Like [`Endpoints::connect`], with a provider that signs with `key`.
    pub(crate) async fn connect_as(
        &self,
        key: &PrivateKeySigner,
    ) -> eyre::Result<(DynProvider, Deployment)> {
        let (_, deployment) = self.connect().await?;
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(key.clone()))
            .connect_http(self.l1.l1_rpc.clone())
            .erased();
        Ok((provider, deployment))
    }
}

/// An L2 node through alloy (the `eth_*` methods; the node speaks Ethereum's wire format).
pub(crate) fn l2_provider(url: &str) -> eyre::Result<RootProvider> {
    let url = url
        .parse()
        .wrap_err_with(|| format!("{url} is not an L2 RPC URL (--l2-rpc)"))?;
    Ok(RootProvider::new_http(url))
}

/// What the commands read of an L2 receipt.
#[derive(Debug)]
pub(crate) struct L2Receipt {
    /// Whether the transaction succeeded.
    pub(crate) success: bool,
    /// The L2 block holding it.
    pub(crate) block: u64,
    /// The gas it used.
    pub(crate) gas_used: u64,
    /// Its logs.
    pub(crate) logs: Vec<alloy::rpc::types::Log>,
}

/// The receipt of L2 transaction `tx` (`None` if the node does not know it), read as JSON:
/// alloy's Ethereum receipt type refuses deposit (`0x7e`) receipts.
pub(crate) async fn l2_receipt(l2_rpc: &str, tx: B256) -> eyre::Result<Option<L2Receipt>> {
    let receipt: Option<serde_json::Value> = l2_provider(l2_rpc)?
        .raw_request("eth_getTransactionReceipt".into(), (tx,))
        .await
        .wrap_err_with(|| format!("{l2_rpc} could not be asked for the receipt of {tx}"))?;
    let Some(receipt) = receipt else {
        return Ok(None);
    };
    let quantity = |field: &str| -> eyre::Result<u64> {
        receipt[field]
            .as_str()
            .and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| eyre::eyre!("the receipt of {tx} has no {field}: {receipt}"))
    };
    Ok(Some(L2Receipt {
        success: receipt["status"] == "0x1",
        block: quantity("blockNumber")?,
        gas_used: quantity("gasUsed")?,
        logs: serde_json::from_value(receipt["logs"].clone())
            .wrap_err_with(|| format!("the logs of {tx} are not logs"))?,
    }))
}

/// A node's `baton_*` methods (and a watcher's), through the client generated from their traits.
pub(crate) fn rpc_client(url: &str) -> eyre::Result<HttpClient> {
    baton_rpc::http_client(url, Duration::from_secs(10))
        .wrap_err_with(|| format!("{url} is not a JSON-RPC URL"))
}

/// An amount of ETH given on the command line ("1", "0.25").
pub(crate) fn parse_amount(s: &str) -> Result<U256, String> {
    parse_ether(s).map_err(|e| format!("'{s}' is not an amount of ETH (e.g. 1 or 0.25): {e}"))
}

/// Wei as ETH, for people.
pub(crate) fn ether(wei: U256) -> String {
    let s = format_ether(wei);
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

/// L1's time: the latest block's timestamp, which the contracts' delays are measured in (a
/// devnet's L1 clock can run ahead of the wall clock).
pub(crate) async fn l1_now(l1: &impl Provider) -> eyre::Result<u64> {
    let block = l1
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await?
        .ok_or_else(|| eyre::eyre!("L1 has no latest block"))?;
    Ok(block.header.timestamp)
}

/// Prints a progress step.
pub(crate) fn step(what: &str) {
    println!("==> {what}");
}

/// What to tell a user about a contract's custom error: one answer per error the contract
/// declares, so a new error cannot be added without deciding what to say about it.
pub(crate) trait Advice {
    /// What to do about it.
    fn advice(&self) -> &'static str;
}

impl Advice for RegistryError {
    fn advice(&self) -> &'static str {
        match self {
            Self::StakeTooLow(_) => "bond at least the registry's minStake (see `baton status`)",
            Self::AlreadyBonded(_) => "this operator is bonded: `baton bond` adds to the stake",
            Self::SignerUnavailable(_) => {
                "that signer is registered to another operator: pick another key"
            }
            Self::SignerCannotBond(_) => {
                "this key signs for another operator: bond from a key of its own"
            }
            Self::NotBonded(_) => "this key has no stake: bond first, or use the operator's key",
            Self::InsufficientStake(_) => "unbond at most the stake `baton status --address` shows",
            Self::RemainderBelowMinimum(_) => {
                "unbond everything, or leave at least minStake bonded"
            }
            Self::ZeroAmount(_) => "give an amount above zero",
            Self::NothingToWithdraw(_) => "nothing is unbonding: run `baton unbond` first",
            Self::StillUnbonding(_) => "wait until the unbonding period has passed",
            Self::StillJailed(_) | Self::NotJailed(_) => {
                "see `baton status --address` for the jail term"
            }
            Self::NoReward(_) => "this account has no reward to claim",
            Self::ActiveSetFull(_) => "the active set is full: bond more than its smallest stake",
            Self::TransferFailed(_) => "the receiving address refused ETH: use one that accepts it",
            Self::EvidenceAlreadyUsed(_)
            | Self::NotSlasher(_)
            | Self::NothingToSlash(_)
            | Self::InvalidParameter(_) => "a protocol call, not a user one: report it",
        }
    }
}

impl Advice for PortalError {
    fn advice(&self) -> &'static str {
        match self {
            Self::DepositTooSmall(_) => {
                "send more than the inclusion fee (with --call, at least the fee)"
            }
            Self::ZeroRecipient(_) => "name a recipient",
            Self::OutputNotFinalized(_) => "wait for the output to be finalized",
            Self::AlreadyWithdrawn(_) => "this withdrawal was already paid",
            Self::StateRootMismatch(_) | Self::SubRootsMismatch(_) => {
                "the proof does not match the output: derive again from L1 and retry"
            }
            Self::TransferFailed(_) => "the recipient refused ETH: withdraw to one that accepts it",
            Self::InsufficientDeposits(_) => {
                "the portal holds less ETH than this withdrawal (it pays out only what was deposited): retry once it holds enough"
            }
            Self::WrongWithdrawalKind(_) => {
                "the portal proves the other chain's withdrawals: run `baton withdraw` against this deployment's record"
            }
            Self::DepositCallsNeedEvm(_) => {
                "this deployment's L2 is the ledger, which runs no calls: deposit without --call"
            }
            Self::DepositGasOutOfRange(_) => {
                "give --gas within the portal's range (the error's min and max)"
            }
        }
    }
}

impl Advice for QueueError {
    fn advice(&self) -> &'static str {
        match self {
            Self::WrongFee(_) => "pay exactly the queue's inclusion fee",
            Self::BadTxSize(_) => "the transaction exceeds the queue's maxTxSize",
            Self::NoFees(_) | Self::TransferFailed(_) => "no fees to collect for this account",
            Self::BadConsumeRange(_)
            | Self::EntriesOutOfRange(_)
            | Self::NotInbox(_)
            | Self::NotOverdue(_)
            | Self::OverdueNotConsumed(_)
            | Self::TooManyEntries(_) => "a protocol call, not a user one: report it",
        }
    }
}

/// Runs `call` against current L1 state, then sends it and waits for its receipt. A revert
/// is reported as `E`'s custom error with its [`Advice`].
pub(crate) async fn send<E, P, D>(
    what: &str,
    call: CallBuilder<P, D>,
) -> eyre::Result<TransactionReceipt>
where
    E: SolInterface + Advice + std::fmt::Debug,
    P: Provider,
    D: CallDecoder,
{
    if let Err(e) = call.call_raw().await {
        if let Some(decoded) = e.as_decoded_interface_error::<E>() {
            bail!("{what} would revert with {decoded:?}: {}", decoded.advice());
        }
        return Err(e).wrap_err_with(|| format!("{what} would fail"));
    }
    let pending = call
        .send()
        .await
        .wrap_err_with(|| format!("sending {what}"))?;
    let hash = *pending.tx_hash();
    let receipt = pending
        .with_timeout(Some(Duration::from_secs(120)))
        .get_receipt()
        .await
        .wrap_err_with(|| {
            format!(
                "{what} was sent as L1 tx {hash} but no receipt came within 120 s: it may still \
                 be mined, so check it (cast receipt {hash}) before trying again"
            )
        })?;
    ensure!(
        receipt.status(),
        "{what} reverted in L1 block {:?} (tx {}): L1 changed between the check and the send; try again",
        receipt.block_number,
        receipt.transaction_hash
    );
    Ok(receipt)
}
