//! The transaction pool: signed L2 transactions waiting for a leader's block, checked by the
//! ledger rules against the pending L2 state. Pure: the node feeds it transactions and states.
//!
//! - **Admission** ([`Mempool::insert`]): the stateless ledger checks, then the sender's state:
//!   the nonce must be at least the account's and at most the sender's next pending nonce
//!   (no gaps), and the balance must cover this transaction plus every pooled one of the same
//!   sender with a lower nonce. A transaction with the nonce of a pooled one replaces it when it
//!   raises both its max fee and its priority fee by at least 10%.
//! - **Block building** ([`Mempool::take_block`]): each sender's transactions in nonce order
//!   from its account nonce, senders interleaved by descending effective priority fee
//!   (`min(maxPriorityFeePerGas, maxFeePerGas − baseFee)`), then arrival order.
//! - **Pruning** ([`Mempool::prune`]): after a block or a derived record, transactions whose
//!   nonce is below the account nonce can never apply and are dropped.

use crate::batch::encoded_tx_len;
use crate::ledger::{CheckedTx, Invalid, LedgerConfig, LedgerState, TxAction, check_transaction};
use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Bytes, U256};
use std::{
    cmp::Reverse,
    collections::{BTreeMap, BinaryHeap, HashMap},
};

/// The pool's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MempoolConfig {
    /// Most pooled transactions from one sender.
    pub max_per_sender: usize,
    /// Most pooled transactions in all.
    pub max_total: usize,
    /// Largest raw transaction accepted, in bytes.
    pub max_tx_bytes: usize,
}

impl Default for MempoolConfig {
    /// 64 per sender, 8192 in all, 1024 bytes each (a valid L2 transaction is a transfer or a
    /// withdrawal: under 200 bytes).
    fn default() -> Self {
        Self {
            max_per_sender: 64,
            max_total: 8192,
            max_tx_bytes: 1024,
        }
    }
}

/// A transaction that passed [`Mempool::precheck`].
#[derive(Clone, Debug)]
pub struct Prechecked {
    raw: Bytes,
    checked: CheckedTx,
}

impl Prechecked {
    /// The transaction hash.
    pub fn hash(&self) -> B256 {
        self.checked.hash
    }
}

/// A transaction in the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PooledTx {
    /// keccak256 of the raw bytes.
    pub hash: B256,
    /// The raw EIP-2718 bytes.
    pub raw: Bytes,
    /// The recovered sender.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
    /// The value it moves.
    pub value: U256,
    /// `21000 ×` its effective gas price at the ledger's base fee: what the sender pays besides
    /// the value.
    pub fee: U256,
    /// Transfer or withdrawal, as the admission check read it.
    pub action: TxAction,
}

impl PooledTx {
    /// What the block's fee recipient earns per gas beyond the base fee:
    /// `min(maxPriorityFeePerGas, maxFeePerGas − baseFee)`.
    pub fn effective_priority_fee(&self, base_fee: u128) -> u128 {
        self.max_priority_fee_per_gas
            .min(self.max_fee_per_gas.saturating_sub(base_fee))
    }

    /// The admission's [`check_transaction`] result, for sealing without recovering the
    /// sender again ([`crate::Chain::apply_block_checked`]).
    pub fn checked(&self) -> CheckedTx {
        CheckedTx {
            sender: self.sender,
            hash: self.hash,
            nonce: self.nonce,
            value: self.value,
            fee: self.fee,
            action: self.action,
        }
    }

    /// `value + fee`: what the sender's balance must cover.
    pub fn cost(&self) -> U256 {
        self.value.saturating_add(self.fee)
    }
}

/// Why the pool refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    /// The raw transaction is larger than the pool accepts.
    #[error("transaction is {size} bytes, more than the pool's limit of {max}")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A stateless ledger rule failed (malformed, wrong chain id, not a transfer, fees, ...):
    /// the transaction could never apply.
    #[error("invalid transaction: {0}")]
    Invalid(Invalid),
    /// The nonce is already used.
    #[error("nonce too low: the account's next nonce is {have}, the transaction has {got}")]
    NonceTooLow {
        /// The account's nonce.
        have: u64,
        /// The transaction's nonce.
        got: u64,
    },
    /// The nonce leaves a gap after the sender's pending transactions.
    #[error(
        "nonce gap: the sender's next pending nonce is {expected}, the transaction has {got}; \
         send the missing nonces first"
    )]
    NonceGap {
        /// The sender's next pending nonce.
        expected: u64,
        /// The transaction's nonce.
        got: u64,
    },
    /// The balance does not cover this transaction after the sender's earlier pending ones.
    #[error(
        "insufficient funds: balance {balance} wei does not cover {cost} wei (value + fee of this \
         transaction and of the sender's pending ones before it)"
    )]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// Value + fee of this transaction and of the sender's pooled ones with lower nonces.
        cost: U256,
    },
    /// The same transaction is already pooled.
    #[error("transaction already in the pool")]
    AlreadyKnown,
    /// A transaction with this nonce is pooled and this one does not pay enough more.
    #[error(
        "replacement transaction underpriced: {got} wei per gas, need at least {min} (was \
         {existing}); raise both maxFeePerGas and maxPriorityFeePerGas by at least 10%"
    )]
    ReplacementUnderpriced {
        /// The pooled transaction's fee per gas (its max fee, or its priority fee when the max
        /// fee was raised enough).
        existing: u128,
        /// This transaction's fee per gas of the same kind.
        got: u128,
        /// The least fee per gas of that kind a replacement needs.
        min: u128,
    },
    /// The sender has as many pooled transactions as one sender may.
    #[error("the sender already has {max} transactions in the pool; wait for them to be included")]
    SenderFull {
        /// The per-sender limit.
        max: usize,
    },
    /// The pool is full.
    #[error("the transaction pool is full ({max} transactions); try again later")]
    PoolFull {
        /// The pool's limit.
        max: usize,
    },
}

impl From<Invalid> for RejectReason {
    fn from(reason: Invalid) -> Self {
        Self::Invalid(reason)
    }
}

/// The least fee per gas a replacement of a transaction paying `existing` needs: 10% more
/// (rounded up), and at least one wei more.
pub fn replacement_min_fee(existing: u128) -> u128 {
    existing.saturating_add(existing.div_ceil(10).max(1))
}

/// A pooled transaction and when it arrived (for ordering).
#[derive(Clone, Debug)]
struct Slot {
    tx: PooledTx,
    arrival: u64,
}

/// The pool (see the module docs).
#[derive(Clone, Debug)]
pub struct Mempool {
    config: MempoolConfig,
    ledger: LedgerConfig,
    by_hash: HashMap<B256, (Address, u64)>,
    by_sender: HashMap<Address, BTreeMap<u64, Slot>>,
    arrivals: u64,
}

impl Mempool {
    /// An empty pool with these limits, checking transactions by these ledger parameters.
    pub fn new(config: MempoolConfig, ledger: LedgerConfig) -> Self {
        Self {
            config,
            ledger,
            by_hash: HashMap::new(),
            by_sender: HashMap::new(),
            arrivals: 0,
        }
    }

    /// The pool's limits.
    pub fn config(&self) -> &MempoolConfig {
        &self.config
    }

    /// Validates `raw` by the ledger rules against `state` (the pending L2 state: nonce,
    /// balance) and inserts it. Returns its hash and the hash of the transaction it replaced.
    ///
    /// Checks run in this order: size, the stateless ledger rules, already known, nonce too
    /// low, nonce gap, replacement price, funds, sender limit, pool limit (the limits do not
    /// apply to a replacement).
    pub fn insert(
        &mut self,
        raw: Bytes,
        state: &LedgerState,
    ) -> Result<(B256, Option<B256>), RejectReason> {
        let pre = Self::precheck(&self.config, &self.ledger, raw)?;
        self.insert_prechecked(pre, state)
    }

    /// The stateless half of [`Mempool::insert`]: size, decoding and signature recovery. It
    /// needs no pool, so a server runs it before taking the lock that guards the pool (the
    /// signature recovery is most of the cost of admitting a transaction).
    pub fn precheck(
        config: &MempoolConfig,
        ledger: &LedgerConfig,
        raw: Bytes,
    ) -> Result<Prechecked, RejectReason> {
        if raw.len() > config.max_tx_bytes {
            return Err(RejectReason::TooLarge {
                size: raw.len(),
                max: config.max_tx_bytes,
            });
        }
        let checked = check_transaction(ledger, &raw)?;
        if checked.nonce == u64::MAX {
            // The STF refuses a sender whose nonce is exhausted, so this can never apply.
            return Err(Invalid::WrongNonce.into());
        }
        Ok(Prechecked { raw, checked })
    }

    /// The stateful half of [`Mempool::insert`], for a transaction [`Mempool::precheck`]
    /// passed.
    pub fn insert_prechecked(
        &mut self,
        pre: Prechecked,
        state: &LedgerState,
    ) -> Result<(B256, Option<B256>), RejectReason> {
        let Prechecked { raw, checked } = pre;
        let hash = checked.hash;
        if self.by_hash.contains_key(&hash) {
            return Err(RejectReason::AlreadyKnown);
        }
        let (max_fee_per_gas, max_priority_fee_per_gas) = fees_per_gas(&raw);
        let (sender, nonce) = (checked.sender, checked.nonce);

        let account = state.account(&sender);
        if nonce < account.nonce {
            return Err(RejectReason::NonceTooLow {
                have: account.nonce,
                got: nonce,
            });
        }
        let expected = self.pending_nonce(sender, account.nonce);
        if nonce > expected {
            return Err(RejectReason::NonceGap {
                expected,
                got: nonce,
            });
        }

        let tx = PooledTx {
            hash,
            raw,
            sender,
            nonce,
            max_fee_per_gas,
            max_priority_fee_per_gas,
            value: checked.value,
            fee: checked.fee,
            action: checked.action,
        };
        let queue = self.by_sender.get(&sender);
        let existing = queue.and_then(|q| q.get(&nonce)).map(|slot| &slot.tx);
        if let Some(old) = existing {
            check_replacement(old, &tx)?;
        }
        let cost = queue
            .into_iter()
            .flat_map(|q| q.range(account.nonce..nonce))
            .fold(tx.cost(), |sum, (_, slot)| {
                sum.saturating_add(slot.tx.cost())
            });
        if account.balance < cost {
            return Err(RejectReason::InsufficientFunds {
                balance: account.balance,
                cost,
            });
        }
        let replaced = existing.map(|old| old.hash);
        if replaced.is_none() {
            if queue.map_or(0, BTreeMap::len) >= self.config.max_per_sender {
                return Err(RejectReason::SenderFull {
                    max: self.config.max_per_sender,
                });
            }
            if self.len() >= self.config.max_total {
                return Err(RejectReason::PoolFull {
                    max: self.config.max_total,
                });
            }
        }

        if let Some(old) = replaced {
            self.by_hash.remove(&old);
        }
        self.by_hash.insert(hash, (sender, nonce));
        let arrival = self.arrivals;
        self.arrivals += 1;
        self.by_sender
            .entry(sender)
            .or_default()
            .insert(nonce, Slot { tx, arrival });
        Ok((hash, replaced))
    }

    /// How many transactions are pooled.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Whether the transaction with this hash is pooled.
    pub fn contains(&self, hash: &B256) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The pooled transaction with this hash.
    pub fn get(&self, hash: &B256) -> Option<&PooledTx> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        Some(&self.by_sender.get(sender)?.get(nonce)?.tx)
    }

    /// Every pooled transaction, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &PooledTx> {
        self.by_sender
            .values()
            .flat_map(|q| q.values().map(|s| &s.tx))
    }

    /// Removes the transaction with this hash (later nonces of its sender stay, waiting for the
    /// gap to be filled).
    pub fn remove(&mut self, hash: &B256) -> Option<PooledTx> {
        let (sender, nonce) = *self.by_hash.get(hash)?;
        self.remove_slot(sender, nonce)
    }

    /// Next pending nonce of `sender` given the account nonce in `state` (account nonce +
    /// contiguous pooled txs).
    pub fn pending_nonce(&self, sender: Address, account_nonce: u64) -> u64 {
        let Some(queue) = self.by_sender.get(&sender) else {
            return account_nonce;
        };
        let mut next = account_nonce;
        for &nonce in queue.range(account_nonce..).map(|(n, _)| n) {
            if nonce != next {
                break;
            }
            next += 1;
        }
        next
    }

    /// Takes up to `max` executable transactions for the next block and removes them from the
    /// pool: each sender's in nonce order from its account nonce in `state`, senders by
    /// descending effective priority fee, then arrival. A sender's transactions stop at a gap or
    /// at the first one its balance (less what its earlier ones in the block cost) cannot cover.
    pub fn take_block(&mut self, state: &LedgerState, max: usize) -> Vec<PooledTx> {
        self.take_block_within(state, max, usize::MAX)
    }

    /// [`Mempool::take_block`] with a byte budget as well: the block is full at the first
    /// transaction whose encoding in batch data ([`encoded_tx_len`]) would take the block's total past `max_bytes` (a leader
    /// keeps every block small enough for one record to carry).
    pub fn take_block_within(
        &mut self,
        state: &LedgerState,
        max: usize,
        max_bytes: usize,
    ) -> Vec<PooledTx> {
        // Max-heap of each sender's next candidate: highest tip first, then earliest arrival.
        let base_fee = self.ledger.base_fee;
        let key = |slot: &Slot| {
            (
                slot.tx.effective_priority_fee(base_fee),
                Reverse(slot.arrival),
                slot.tx.sender,
                slot.tx.nonce,
            )
        };
        let mut heap = BinaryHeap::new();
        let mut budgets = HashMap::new();
        for (sender, queue) in &self.by_sender {
            let account = state.account(sender);
            if let Some(slot) = queue.get(&account.nonce) {
                heap.push(key(slot));
                budgets.insert(*sender, account.balance);
            }
        }
        let mut picked = Vec::new();
        let mut bytes = 0usize;
        while picked.len() < max {
            let Some((_, _, sender, nonce)) = heap.pop() else {
                break;
            };
            let queue = &self.by_sender[&sender];
            let budget = budgets
                .get_mut(&sender)
                .expect("every candidate has a budget");
            let tx = &queue[&nonce].tx;
            if tx.cost() > *budget {
                continue; // and so the rest of this sender waits
            }
            bytes += encoded_tx_len(tx.raw.len());
            if bytes > max_bytes {
                break;
            }
            *budget -= tx.cost();
            picked.push((sender, nonce));
            if let Some(next) = queue.get(&(nonce + 1)) {
                heap.push(key(next));
            }
        }
        picked
            .into_iter()
            .map(|(sender, nonce)| {
                self.remove_slot(sender, nonce)
                    .expect("picked from the pool")
            })
            .collect()
    }

    /// Drops txs whose nonce is now below the account nonce in `state` (after a block or a
    /// derived record).
    pub fn prune(&mut self, state: &LedgerState) {
        let mut dropped = Vec::new();
        for (sender, queue) in &mut self.by_sender {
            let keep = queue.split_off(&state.account(sender).nonce);
            dropped.extend(
                std::mem::replace(queue, keep)
                    .into_values()
                    .map(|s| s.tx.hash),
            );
        }
        self.by_sender.retain(|_, queue| !queue.is_empty());
        for hash in dropped {
            self.by_hash.remove(&hash);
        }
    }

    fn remove_slot(&mut self, sender: Address, nonce: u64) -> Option<PooledTx> {
        let queue = self.by_sender.get_mut(&sender)?;
        let slot = queue.remove(&nonce)?;
        if queue.is_empty() {
            self.by_sender.remove(&sender);
        }
        self.by_hash.remove(&slot.tx.hash);
        Some(slot.tx)
    }
}

/// A replacement must raise the max fee and the priority fee per gas by 10% each.
fn check_replacement(old: &PooledTx, new: &PooledTx) -> Result<(), RejectReason> {
    for (existing, got) in [
        (old.max_fee_per_gas, new.max_fee_per_gas),
        (old.max_priority_fee_per_gas, new.max_priority_fee_per_gas),
    ] {
        let min = replacement_min_fee(existing);
        if got < min {
            return Err(RejectReason::ReplacementUnderpriced { existing, got, min });
        }
    }
    Ok(())
}

/// `(maxFeePerGas, maxPriorityFeePerGas)` of a transaction `check_transaction` accepted.
fn fees_per_gas(raw: &[u8]) -> (u128, u128) {
    match TxEnvelope::decode_2718_exact(raw) {
        Ok(TxEnvelope::Eip1559(signed)) => (
            signed.tx().max_fee_per_gas,
            signed.tx().max_priority_fee_per_gas,
        ),
        _ => unreachable!("check_transaction accepts only EIP-1559 transactions"),
    }
}

#[cfg(test)]
mod tests;
