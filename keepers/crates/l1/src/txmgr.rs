//! The L1 transaction manager: one account, nonces owned here, fee bumps on a schedule.
//!
//! alloy's cached nonce manager never resyncs after a failed send, so this manager keeps the
//! next nonce itself: it reads the pending count from L1 when it has none (at start and after
//! any failure that leaves it unsure), and advances it only when a transaction with that nonce is
//! mined. Sends are serialized, so two calls never race for one nonce and no gap is ever left:
//! every nonce handed out is either mined or reused by the next send.
//!
//! A transaction is first simulated (`eth_estimateGas`): one that would revert is never sent and
//! its revert comes back as [`TxError::Reverted`]. A sent transaction that is not mined within
//! `bump_after` is re-signed with the same nonce and fees raised by `bump_percent` (at least the
//! 10% nodes require for a replacement), up to `max_fee_cap`; every hash sent is watched, so
//! whichever version is mined is found. A dropped transaction is resent the same way.

use alloy::{
    consensus::TxEnvelope,
    eips::eip2718::Encodable2718,
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{Provider, RootProvider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    transports::{RpcError, TransportErrorKind},
};
use std::time::Duration;
use tokio::sync::Mutex;
use tracing::{debug, info, warn};

/// Fee policy of the manager.
#[derive(Clone, Copy, Debug)]
pub struct TxConfig {
    /// Wait this long for a receipt before re-signing with higher fees.
    pub bump_after: Duration,
    /// Raise both fees by this many percent per bump (at least 10).
    pub bump_percent: u128,
    /// Never offer more than this max fee per gas, in wei.
    pub max_fee_cap: u128,
    /// Give up on one send after this many bumps (the nonce is resynced afterwards).
    pub max_bumps: u32,
    /// How often to look for the receipt.
    pub poll_interval: Duration,
}

impl Default for TxConfig {
    fn default() -> Self {
        Self {
            bump_after: Duration::from_secs(6),
            bump_percent: 15,
            max_fee_cap: 500_000_000_000,
            max_bumps: 10,
            poll_interval: Duration::from_millis(100),
        }
    }
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The simulation reverted: nothing was sent.
    #[error("transaction would revert: {0}")]
    Reverted(String),
    /// The transaction was mined but reverted.
    #[error("transaction {0} was mined but reverted")]
    MinedReverted(B256),
    /// The L1 RPC failed; the caller may retry. The transport's error is kept as the source.
    #[error("L1 RPC error: {0}")]
    Rpc(#[from] RpcError<TransportErrorKind>),
    /// The node says the nonce is already used (a transaction of ours, or a reorg's leftover,
    /// took it); the nonce is read again on the next send.
    #[error("nonce {nonce} already used")]
    NonceUsed {
        /// The nonce this manager tried.
        nonce: u64,
        /// What the node answered.
        #[source]
        source: RpcError<TransportErrorKind>,
    },
    /// No version of the transaction was mined after every bump.
    #[error("no receipt for nonce {nonce} after {bumps} fee bumps")]
    NotMined {
        /// The nonce used.
        nonce: u64,
        /// Bumps made.
        bumps: u32,
    },
    /// The chain's next nonce is below ours (a reorg removed a mined transaction); the nonce
    /// is read again on the next send.
    #[error("nonce gap: our next nonce is {ours}, the chain's is {chain}")]
    NonceGap {
        /// The nonce this manager used.
        ours: u64,
        /// The chain's pending count.
        chain: u64,
    },
    /// Fees would exceed the configured cap.
    #[error("L1 fees {needed} wei/gas exceed the cap of {cap} wei/gas")]
    FeeCap {
        /// Max fee that would be needed.
        needed: u128,
        /// The cap.
        cap: u128,
    },
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl TxError {
    /// The revert data's text, if the error is a simulated revert.
    pub fn revert_reason(&self) -> Option<&str> {
        match self {
            Self::Reverted(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Sends transactions from one account.
#[derive(Debug)]
pub struct TxManager {
    provider: RootProvider,
    wallet: EthereumWallet,
    from: Address,
    chain_id: u64,
    config: TxConfig,
    next_nonce: Mutex<Option<u64>>,
}

impl TxManager {
    /// A manager sending from `from`, which `wallet` must sign for.
    pub fn new(
        provider: RootProvider,
        wallet: EthereumWallet,
        from: Address,
        chain_id: u64,
        config: TxConfig,
    ) -> Self {
        Self {
            provider,
            wallet,
            from,
            chain_id,
            config,
            next_nonce: Mutex::new(None),
        }
    }

    /// Forgets the cached nonce: the next send reads it from L1 (after a reorg).
    pub async fn resync(&self) {
        *self.next_nonce.lock().await = None;
    }

    /// The sending account.
    pub fn address(&self) -> Address {
        self.from
    }

    /// Simulates, signs, sends and waits for the receipt of a call to `to`.
    pub async fn send(
        &self,
        to: Address,
        input: Bytes,
        value: U256,
    ) -> Result<TransactionReceipt, TxError> {
        let mut guard = self.next_nonce.lock().await;
        let result = self.send_locked(&mut guard, to, input, value).await;
        if matches!(
            result,
            Err(TxError::Rpc(_) | TxError::NonceUsed { .. } | TxError::NotMined { .. })
        ) {
            // Unsure whether a version was mined: read the nonce again next time.
            *guard = None;
        }
        result
    }

    async fn send_locked(
        &self,
        nonce_slot: &mut Option<u64>,
        to: Address,
        input: Bytes,
        value: U256,
    ) -> Result<TransactionReceipt, TxError> {
        let nonce = match *nonce_slot {
            Some(n) => n,
            None => {
                let n = self
                    .provider
                    .get_transaction_count(self.from)
                    .pending()
                    .await
                    .map_err(TxError::Rpc)?;
                *nonce_slot = Some(n);
                n
            }
        };
        let base = TransactionRequest::default()
            .with_from(self.from)
            .with_to(to)
            .with_input(input)
            .with_value(value)
            .with_chain_id(self.chain_id)
            .with_nonce(nonce);
        let gas = match self.provider.estimate_gas(base.clone()).await {
            Ok(gas) => gas,
            Err(e) => {
                if let Some(payload) = e.as_error_resp() {
                    let data = payload
                        .data
                        .as_ref()
                        .map(|d| d.get().to_string())
                        .unwrap_or_default();
                    return Err(TxError::Reverted(
                        format!("{} {}", payload.message, data).trim().to_string(),
                    ));
                }
                return Err(TxError::Rpc(e));
            }
        };
        // A margin over the estimate: state can move between simulation and inclusion.
        let gas_limit = gas + gas / 5 + 10_000;
        let fees = self
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(TxError::Rpc)?;
        let mut max_fee = fees.max_fee_per_gas;
        let mut priority = fees.max_priority_fee_per_gas.max(1);
        let mut sent: Vec<B256> = Vec::new();
        for bump in 0..=self.config.max_bumps {
            if max_fee > self.config.max_fee_cap {
                return Err(TxError::FeeCap {
                    needed: max_fee,
                    cap: self.config.max_fee_cap,
                });
            }
            let request = base
                .clone()
                .with_gas_limit(gas_limit)
                .with_max_fee_per_gas(max_fee)
                .with_max_priority_fee_per_gas(priority);
            let envelope: TxEnvelope = request
                .build(&self.wallet)
                .await
                .map_err(|e| TxError::Signing(e.to_string()))?;
            let hash = *envelope.tx_hash();
            match self
                .provider
                .send_raw_transaction(&envelope.encoded_2718())
                .await
            {
                Ok(_) => {
                    debug!(target: "baton::txmgr", %hash, nonce, bump, max_fee, "sent");
                    sent.push(hash);
                }
                Err(e) => {
                    let text = e.to_string().to_lowercase();
                    if text.contains("nonce too low") || text.contains("already known") {
                        // An earlier version may be mined (or pending): keep watching those.
                        if sent.is_empty() && text.contains("nonce too low") {
                            *nonce_slot = None;
                            return Err(TxError::NonceUsed { nonce, source: e });
                        }
                    } else if text.contains("underpriced") {
                        warn!(target: "baton::txmgr", nonce, "replacement underpriced; bumping again");
                    } else {
                        return Err(TxError::Rpc(e));
                    }
                }
            }
            let waited = tokio::time::Instant::now();
            while waited.elapsed() < self.config.bump_after {
                for hash in &sent {
                    if let Some(receipt) = self
                        .provider
                        .get_transaction_receipt(*hash)
                        .await
                        .map_err(TxError::Rpc)?
                    {
                        *nonce_slot = Some(nonce + 1);
                        if !receipt.status() {
                            return Err(TxError::MinedReverted(*hash));
                        }
                        info!(target: "baton::txmgr", hash = %hash, nonce, gas = receipt.gas_used, "mined");
                        return Ok(receipt);
                    }
                }
                tokio::time::sleep(self.config.poll_interval).await;
            }
            // A nonce below ours that the chain never saw (a reorg removed it, or an earlier
            // send was dropped) would leave ours stuck behind a gap forever: start again.
            let pending = self
                .provider
                .get_transaction_count(self.from)
                .pending()
                .await
                .map_err(TxError::Rpc)?;
            if pending < nonce {
                *nonce_slot = None;
                return Err(TxError::NonceGap {
                    ours: nonce,
                    chain: pending,
                });
            }
            max_fee = max_fee * (100 + self.config.bump_percent.max(10)) / 100 + 1;
            priority = priority * (100 + self.config.bump_percent.max(10)) / 100 + 1;
            warn!(target: "baton::txmgr", nonce, bump = bump + 1, max_fee, "not mined yet; bumping fees");
        }
        Err(TxError::NotMined {
            nonce,
            bumps: self.config.max_bumps,
        })
    }
}
