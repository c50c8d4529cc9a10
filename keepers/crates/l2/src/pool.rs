//! The EVM chain's transaction pool: signed transactions waiting for a block, checked against
//! the head state. Pure: the caller hands it each sender's account (nonce, balance).
//!
//! - **Admission** ([`TxPool::insert`]): the transaction decodes (types 0–2, low-s, see
//!   `baton_evm::decode_transaction`), is signed for this chain (EIP-155; an unprotected legacy
//!   transaction could be replayed on any chain and is refused, as geth does by default), fits
//!   the pool's size and the block's gas limit, pays its intrinsic gas, offers at least the next
//!   block's base fee, and its tip is not above its fee cap. Then the sender: the nonce must be
//!   at least the account's and at most the sender's next pending nonce (no gaps: a gap would
//!   hold a slot for a transaction that cannot run), and the balance must cover
//!   `gasLimit × maxFeePerGas + value` of this transaction and of every pooled one of the same
//!   sender below it. A transaction with a pooled one's nonce replaces it if it raises both its
//!   fee cap and its tip by at least 10% (geth's rule), else it is refused as underpriced.
//! - **Block order** ([`TxPool::ordered`]): each sender's transactions in nonce order from its
//!   account nonce, senders interleaved by descending effective tip at the block's base fee
//!   (`min(maxPriorityFeePerGas, maxFeePerGas − baseFee)`), then arrival.
//! - **After a block** ([`TxPool::remove`], [`TxPool::prune`]): included and invalid
//!   transactions leave, and so does any whose nonce the account has passed.

use alloy_primitives::{Address, B256, Bytes, U256};
use baton_evm::{
    SignedTransaction, Undecodable, decode_transaction,
    revm::{
        context::TxEnv, context_interface::cfg::gas::calculate_initial_tx_gas_for_tx,
        primitives::hardfork::SpecId,
    },
};
use std::collections::{BTreeMap, HashMap};

/// EIP-3860's limit on init code (twice EIP-170's code size limit).
pub const MAX_INITCODE_SIZE: usize = 49_152;

/// The pool's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most pooled transactions from one sender.
    pub max_per_sender: usize,
    /// Most pooled transactions in all.
    pub max_total: usize,
    /// Largest signed transaction accepted, in bytes (geth: 128 KiB).
    pub max_tx_bytes: usize,
}

impl Default for PoolConfig {
    /// 64 per sender, 8,192 in all, 128 KiB each: room for a contract deployment at the
    /// init code limit.
    fn default() -> Self {
        Self {
            max_per_sender: 64,
            max_total: 8192,
            max_tx_bytes: 128 * 1024,
        }
    }
}

/// What admission checks a transaction against besides its sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    /// The chain id transactions must be signed for.
    pub chain_id: u64,
    /// The block gas limit: no transaction may ask for more.
    pub block_gas_limit: u64,
    /// The base fee of the next block.
    pub base_fee: u64,
}

/// A sender's account as the head state has it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderAccount {
    /// Its nonce.
    pub nonce: u64,
    /// Its balance.
    pub balance: U256,
}

/// A transaction in the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PooledTx {
    /// `keccak256` of its EIP-2718 bytes.
    pub hash: B256,
    /// Its EIP-2718 bytes.
    pub raw: Bytes,
    /// Who signed it.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// Its gas limit.
    pub gas_limit: u64,
    /// `maxFeePerGas` (a legacy or EIP-2930 transaction's gas price).
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas` (the gas price for legacy and EIP-2930).
    pub max_priority_fee_per_gas: u128,
    /// `gasLimit × maxFeePerGas + value`: the most it can cost its sender.
    pub max_cost: U256,
    /// Its decoding, kept so that sealing does not recover the sender again.
    pub decoded: SignedTransaction,
    /// Arrival order, for ties.
    arrival: u64,
}

impl PooledTx {
    /// What the block's sealer earns per gas at `base_fee`.
    pub fn effective_tip(&self, base_fee: u64) -> u128 {
        self.max_priority_fee_per_gas
            .min(self.max_fee_per_gas.saturating_sub(u128::from(base_fee)))
    }
}

/// Why the pool refused a transaction. Each message says what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The bytes are not a transaction the L2 runs.
    #[error(transparent)]
    Undecodable(#[from] Undecodable),
    /// Larger than the pool takes.
    #[error("oversized data: the transaction is {size} bytes, the limit is {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Signed for another chain.
    #[error("invalid chain id: the transaction is for chain {got}, this L2 is chain {want}")]
    WrongChainId {
        /// The transaction's chain id.
        got: u64,
        /// This chain's.
        want: u64,
    },
    /// A legacy transaction without a chain id (EIP-155).
    #[error(
        "only replay-protected (EIP-155) transactions are accepted: sign with chain id {chain_id}"
    )]
    Unprotected {
        /// This chain's id.
        chain_id: u64,
    },
    /// More gas than a block holds.
    #[error("exceeds block gas limit: the transaction asks {gas_limit}, a block holds {block}")]
    GasAboveBlockLimit {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The block's.
        block: u64,
    },
    /// Less gas than the transaction's data and kind cost before it runs.
    #[error("intrinsic gas too low: the transaction needs {needed}, its gas limit is {gas_limit}")]
    IntrinsicGas {
        /// What it needs.
        needed: u64,
        /// What it has.
        gas_limit: u64,
    },
    /// Init code over EIP-3860's limit.
    #[error("max initcode size exceeded: {size} bytes, the limit is {MAX_INITCODE_SIZE}")]
    InitcodeTooLarge {
        /// Its size.
        size: usize,
    },
    /// The fee cap is below the next block's base fee.
    #[error("max fee per gas less than block base fee: {max_fee} < {base_fee}")]
    FeeBelowBaseFee {
        /// The transaction's fee cap.
        max_fee: u128,
        /// The next block's base fee.
        base_fee: u64,
    },
    /// The tip is above the fee cap.
    #[error("max priority fee per gas higher than max fee per gas: {tip} > {max_fee}")]
    TipAboveFeeCap {
        /// The tip.
        tip: u128,
        /// The fee cap.
        max_fee: u128,
    },
    /// The nonce is used.
    #[error("nonce too low: next nonce {have}, tx nonce {got}")]
    NonceTooLow {
        /// The account's nonce.
        have: u64,
        /// The transaction's.
        got: u64,
    },
    /// The nonce leaves a gap after the sender's pooled transactions.
    #[error(
        "nonce too high: the sender's next pending nonce is {expected}, the transaction has {got}; send the missing nonces first"
    )]
    NonceGap {
        /// The next pending nonce.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// The balance does not cover it with the sender's earlier pooled transactions.
    #[error("insufficient funds for gas * price + value: balance {balance}, tx cost {cost}")]
    InsufficientFunds {
        /// The account's balance.
        balance: U256,
        /// This transaction's and the earlier pooled ones' most cost.
        cost: U256,
    },
    /// Already pooled.
    #[error("already known")]
    AlreadyKnown,
    /// Same nonce as a pooled transaction, without 10% more on both fees.
    #[error(
        "replacement transaction underpriced: raise maxFeePerGas to at least {min_fee} and maxPriorityFeePerGas to at least {min_tip}"
    )]
    ReplacementUnderpriced {
        /// The fee cap a replacement needs.
        min_fee: u128,
        /// The tip a replacement needs.
        min_tip: u128,
    },
    /// The sender has the most pooled transactions the pool keeps per sender.
    #[error("the sender has {max} pooled transactions, the most kept per sender: wait for a block")]
    SenderFull {
        /// The limit.
        max: usize,
    },
    /// The pool is full.
    #[error("txpool is full ({max} transactions): retry after the next block")]
    PoolFull {
        /// The limit.
        max: usize,
    },
}

/// The least a replacement of a transaction paying `existing` must pay: 10% more, rounded up.
fn replacement_min(existing: u128) -> u128 {
    existing.saturating_add(existing.div_ceil(10))
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct TxPool {
    config: PoolConfig,
    by_hash: HashMap<B256, PooledTx>,
    /// Each sender's pooled nonces and their transactions' hashes.
    by_sender: HashMap<Address, BTreeMap<u64, B256>>,
    arrivals: u64,
}

impl TxPool {
    /// An empty pool with `config`'s limits.
    pub fn new(config: PoolConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// How many transactions are pooled.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Every sender with a pooled transaction.
    pub fn senders(&self) -> impl Iterator<Item = Address> + '_ {
        self.by_sender.keys().copied()
    }

    /// Every pooled transaction, each sender's in nonce order (what a node hands to a new
    /// leader).
    pub fn iter(&self) -> impl Iterator<Item = &PooledTx> + '_ {
        self.by_sender
            .values()
            .flat_map(|nonces| nonces.values().filter_map(|hash| self.by_hash.get(hash)))
    }

    /// A pooled transaction.
    pub fn get(&self, hash: &B256) -> Option<&PooledTx> {
        self.by_hash.get(hash)
    }

    /// The nonce the sender's next transaction must have: after its pooled ones.
    pub fn pending_nonce(&self, sender: Address, account_nonce: u64) -> u64 {
        let mut next = account_nonce;
        if let Some(nonces) = self.by_sender.get(&sender) {
            for nonce in nonces.range(account_nonce..).map(|(nonce, _)| *nonce) {
                if nonce != next {
                    break;
                }
                next += 1;
            }
        }
        next
    }

    /// The decoding and sender-free checks of admission (see the module documentation).
    pub fn check(raw: &[u8], rules: &Admission, config: &PoolConfig) -> Result<Checked, PoolError> {
        if raw.len() > config.max_tx_bytes {
            return Err(PoolError::TooLarge {
                size: raw.len(),
                max: config.max_tx_bytes,
            });
        }
        let decoded = decode_transaction(raw)?;
        let env = &decoded.env;
        match env.chain_id {
            None => {
                return Err(PoolError::Unprotected {
                    chain_id: rules.chain_id,
                });
            }
            Some(got) if got != rules.chain_id => {
                return Err(PoolError::WrongChainId {
                    got,
                    want: rules.chain_id,
                });
            }
            Some(_) => {}
        }
        if env.gas_limit > rules.block_gas_limit {
            return Err(PoolError::GasAboveBlockLimit {
                gas_limit: env.gas_limit,
                block: rules.block_gas_limit,
            });
        }
        if env.kind.is_create() && env.data.len() > MAX_INITCODE_SIZE {
            return Err(PoolError::InitcodeTooLarge {
                size: env.data.len(),
            });
        }
        let needed = intrinsic_gas(env);
        if env.gas_limit < needed {
            return Err(PoolError::IntrinsicGas {
                needed,
                gas_limit: env.gas_limit,
            });
        }
        let max_fee = env.gas_price;
        let tip = env.gas_priority_fee.unwrap_or(max_fee);
        if tip > max_fee {
            return Err(PoolError::TipAboveFeeCap { tip, max_fee });
        }
        if max_fee < u128::from(rules.base_fee) {
            return Err(PoolError::FeeBelowBaseFee {
                max_fee,
                base_fee: rules.base_fee,
            });
        }
        let max_cost = U256::from(env.gas_limit)
            .saturating_mul(U256::from(max_fee))
            .saturating_add(env.value);
        Ok(Checked(PooledTx {
            hash: decoded.hash,
            raw: Bytes::copy_from_slice(raw),
            sender: decoded.sender,
            nonce: env.nonce,
            gas_limit: env.gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            max_cost,
            arrival: 0,
            decoded,
        }))
    }

    /// Admits a checked transaction from a sender whose account is `account`.
    pub fn insert(&mut self, checked: Checked, account: SenderAccount) -> Result<B256, PoolError> {
        let mut tx = checked.0;
        if self.by_hash.contains_key(&tx.hash) {
            return Err(PoolError::AlreadyKnown);
        }
        if tx.nonce < account.nonce {
            return Err(PoolError::NonceTooLow {
                have: account.nonce,
                got: tx.nonce,
            });
        }
        let expected = self.pending_nonce(tx.sender, account.nonce);
        if tx.nonce > expected {
            return Err(PoolError::NonceGap {
                expected,
                got: tx.nonce,
            });
        }
        let replaced = self
            .by_sender
            .get(&tx.sender)
            .and_then(|nonces| nonces.get(&tx.nonce))
            .map(|hash| &self.by_hash[hash]);
        if let Some(old) = replaced {
            let (min_fee, min_tip) = (
                replacement_min(old.max_fee_per_gas),
                replacement_min(old.max_priority_fee_per_gas),
            );
            if tx.max_fee_per_gas < min_fee || tx.max_priority_fee_per_gas < min_tip {
                return Err(PoolError::ReplacementUnderpriced { min_fee, min_tip });
            }
        } else {
            let sender_count = self.by_sender.get(&tx.sender).map_or(0, BTreeMap::len);
            if sender_count >= self.config.max_per_sender {
                return Err(PoolError::SenderFull {
                    max: self.config.max_per_sender,
                });
            }
            if self.by_hash.len() >= self.config.max_total {
                return Err(PoolError::PoolFull {
                    max: self.config.max_total,
                });
            }
        }
        let earlier: U256 = self
            .by_sender
            .get(&tx.sender)
            .into_iter()
            .flat_map(|nonces| nonces.range(account.nonce..tx.nonce))
            .map(|(_, hash)| self.by_hash[hash].max_cost)
            .fold(U256::ZERO, U256::saturating_add);
        let cost = earlier.saturating_add(tx.max_cost);
        if cost > account.balance {
            return Err(PoolError::InsufficientFunds {
                balance: account.balance,
                cost,
            });
        }
        self.arrivals += 1;
        tx.arrival = self.arrivals;
        let hash = tx.hash;
        let old = self
            .by_sender
            .entry(tx.sender)
            .or_default()
            .insert(tx.nonce, hash);
        if let Some(old) = old {
            self.by_hash.remove(&old);
        }
        self.by_hash.insert(hash, tx);
        Ok(hash)
    }

    /// The transactions a block would take, best first: each sender's in nonce order from
    /// `nonce_of(sender)`, senders by descending effective tip at `base_fee`, then arrival.
    /// Transactions offering less than `base_fee` wait (a sender's later ones behind them too).
    pub fn ordered(&self, base_fee: u64, nonce_of: impl Fn(Address) -> u64) -> Vec<&PooledTx> {
        // Each sender's runnable queue: consecutive nonces from the account's.
        let mut queues: Vec<std::collections::VecDeque<&PooledTx>> = Vec::new();
        for (sender, nonces) in &self.by_sender {
            let first = nonce_of(*sender);
            let mut queue = std::collections::VecDeque::new();
            for (next, (nonce, hash)) in (first..).zip(nonces.range(first..)) {
                let tx = &self.by_hash[hash];
                if *nonce != next || tx.max_fee_per_gas < u128::from(base_fee) {
                    break;
                }
                queue.push_back(tx);
            }
            if !queue.is_empty() {
                queues.push(queue);
            }
        }
        // Merge: always take the best head among the senders' queues.
        let key = |tx: &PooledTx| (std::cmp::Reverse(tx.effective_tip(base_fee)), tx.arrival);
        let mut heads: std::collections::BinaryHeap<std::cmp::Reverse<(_, u64, usize)>> = queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let (tip, arrival) = key(q[0]);
                std::cmp::Reverse((tip, arrival, i))
            })
            .collect();
        let mut out = Vec::with_capacity(self.by_hash.len());
        while let Some(std::cmp::Reverse((_, _, i))) = heads.pop() {
            let tx = queues[i]
                .pop_front()
                .expect("a queue in the heap is not empty");
            out.push(tx);
            if let Some(next) = queues[i].front() {
                let (tip, arrival) = key(next);
                heads.push(std::cmp::Reverse((tip, arrival, i)));
            }
        }
        out
    }

    /// Removes a transaction (included in a block, or found invalid).
    pub fn remove(&mut self, hash: &B256) -> Option<PooledTx> {
        let tx = self.by_hash.remove(hash)?;
        if let Some(nonces) = self.by_sender.get_mut(&tx.sender) {
            nonces.remove(&tx.nonce);
            if nonces.is_empty() {
                self.by_sender.remove(&tx.sender);
            }
        }
        Some(tx)
    }

    /// Drops every transaction whose nonce is below its sender's account nonce: it can never
    /// run. Returns how many were dropped.
    pub fn prune(&mut self, nonce_of: impl Fn(Address) -> u64) -> usize {
        let stale: Vec<B256> = self
            .by_sender
            .iter()
            .flat_map(|(sender, nonces)| {
                let below = nonce_of(*sender);
                nonces.range(..below).map(|(_, hash)| *hash)
            })
            .collect();
        for hash in &stale {
            self.remove(hash);
        }
        stale.len()
    }
}

/// A transaction that passed [`TxPool::check`], waiting for its sender's account.
#[derive(Clone, Debug)]
pub struct Checked(PooledTx);

impl Checked {
    /// The recovered sender.
    pub fn sender(&self) -> Address {
        self.0.sender
    }

    /// The transaction hash.
    pub fn hash(&self) -> B256 {
        self.0.hash
    }
}

/// Gas a transaction pays before it runs: 21,000 (53,000 for a creation), its data, its access
/// list and its init code words (Cancun's rules, revm's computation).
pub fn intrinsic_gas(env: &TxEnv) -> u64 {
    let gas = calculate_initial_tx_gas_for_tx(env, SpecId::CANCUN, None);
    gas.initial_regular_gas + gas.initial_state_gas
}
