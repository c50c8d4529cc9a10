//! A block: transactions and deposits in order, each reading the writes of those before it, the
//! block's gas limit, and the receipts with their root.

use crate::{
    db::{CodeCache, ReadError},
    execute::{Deposit, Executed, Rejected, Rules, deposit_with, transaction_with},
    state::{Overlay, StateDiff, StateReader},
};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, Bloom, Bytes, Log, logs_bloom};
use alloy_rlp::{BufMut, Encodable, Header};
use baton_trie::Trie;
use revm::context::{BlockEnv, TxEnv};

/// The transaction type of a deposit in receipts and blocks: OP Stack's number, so that tools
/// that know deposits there read ours.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;

/// One transaction's receipt (EIP-658 status, EIP-2718 typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction's type: 0 legacy, 1 access list, 2 EIP-1559, [`DEPOSIT_TX_TYPE`].
    pub tx_type: u8,
    /// Whether it succeeded.
    pub success: bool,
    /// Gas used by the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Its logs.
    pub logs: Vec<Log>,
}

impl Receipt {
    /// The bloom filter of its logs.
    pub fn bloom(&self) -> Bloom {
        logs_bloom(&self.logs)
    }

    /// Its EIP-2718 encoding: `type || rlp([status, cumulativeGasUsed, logsBloom, logs])`, the
    /// type byte left out for a legacy receipt. This is what the receipts trie holds.
    pub fn encoded(&self) -> Vec<u8> {
        let bloom = self.bloom();
        let payload_length = self.success.length()
            + self.cumulative_gas_used.length()
            + bloom.length()
            + self.logs.length();
        let mut out = Vec::with_capacity(payload_length + 8);
        if self.tx_type != 0 {
            out.put_u8(self.tx_type);
        }
        Header {
            list: true,
            payload_length,
        }
        .encode(&mut out);
        self.success.encode(&mut out);
        self.cumulative_gas_used.encode(&mut out);
        bloom.encode(&mut out);
        self.logs.encode(&mut out);
        out
    }
}

/// The root of an ordered list as Ethereum commits to one: a trie from `rlp(index)` to each item
/// (the transactions root, the receipts root).
pub fn ordered_root<I: AsRef<[u8]>>(items: impl IntoIterator<Item = I>) -> B256 {
    let mut trie = Trie::new();
    for (index, item) in items.into_iter().enumerate() {
        trie.insert(&alloy_rlp::encode(index), item.as_ref().to_vec());
    }
    trie.root()
}

/// Why a transaction is not in the block.
#[derive(Debug, thiserror::Error)]
pub enum NotIncluded<E: core::error::Error + 'static> {
    /// The transaction is invalid on this state.
    #[error(transparent)]
    Rejected(Rejected<E>),
    /// Its gas limit is above what is left of the block's: it may fit in the next block.
    #[error("gas limit {gas_limit} is above the {left} gas left in the block")]
    BlockFull {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// Gas left in the block.
        left: u64,
    },
}

/// What the block says of a transaction it included (its logs are in its receipt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Included {
    /// Its index in the block.
    pub index: usize,
    /// Whether it succeeded.
    pub success: bool,
    /// Gas it used.
    pub gas_used: u64,
    /// The contract it created, if any.
    pub contract_address: Option<Address>,
    /// Return data, or revert data.
    pub output: Bytes,
}

/// A block being built or replayed over a base state, which it does not write.
pub struct BlockExecutor<'a, S> {
    base: &'a S,
    rules: Rules,
    env: BlockEnv,
    diff: StateDiff,
    receipts: Vec<Receipt>,
    gas_used: u64,
    codes: CodeCache,
}

/// What a finished block did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockOutcome {
    /// Every change of every included transaction, in order.
    pub diff: StateDiff,
    /// The receipts, one per included transaction.
    pub receipts: Vec<Receipt>,
    /// Gas used by the block.
    pub gas_used: u64,
    /// The receipts root.
    pub receipts_root: B256,
    /// The bloom of every log of the block.
    pub logs_bloom: Bloom,
}

impl<'a, S: StateReader> BlockExecutor<'a, S> {
    /// Starts a block on `base` with `env` (number, timestamp, beneficiary, base fee, gas
    /// limit).
    pub fn new(base: &'a S, rules: Rules, env: BlockEnv) -> Self {
        Self {
            base,
            rules,
            env,
            diff: StateDiff::default(),
            receipts: Vec::new(),
            gas_used: 0,
            codes: CodeCache::default(),
        }
    }

    /// Gas used so far.
    pub fn gas_used(&self) -> u64 {
        self.gas_used
    }

    /// The state as the next transaction will see it.
    pub fn state(&self) -> Overlay<'_, S> {
        Overlay {
            base: self.base,
            diff: &self.diff,
        }
    }

    /// Runs and includes a transaction, or says why it is not included (then nothing changed).
    pub fn transaction(&mut self, tx: TxEnv) -> Result<Included, NotIncluded<S::Error>> {
        let left = self.env.gas_limit.saturating_sub(self.gas_used);
        if tx.gas_limit > left {
            return Err(NotIncluded::BlockFull {
                gas_limit: tx.gas_limit,
                left,
            });
        }
        let tx_type = tx.tx_type;
        let executed = transaction_with(&self.state(), &self.rules, &self.env, tx, &self.codes)
            .map_err(NotIncluded::Rejected)?;
        Ok(self.include(tx_type, executed))
    }

    /// Runs and includes a deposit, which cannot fail the block.
    pub fn deposit(&mut self, deposit: &Deposit) -> Result<Included, ReadError<S::Error>> {
        let executed = deposit_with(&self.state(), &self.rules, &self.env, deposit, &self.codes)?;
        Ok(self.include(DEPOSIT_TX_TYPE, executed))
    }

    fn include(&mut self, tx_type: u8, executed: Executed) -> Included {
        self.gas_used = self.gas_used.saturating_add(executed.gas_used);
        self.receipts.push(Receipt {
            tx_type,
            success: executed.success,
            cumulative_gas_used: self.gas_used,
            logs: executed.logs,
        });
        self.diff.merge(executed.diff);
        Included {
            index: self.receipts.len() - 1,
            success: executed.success,
            gas_used: executed.gas_used,
            contract_address: executed.contract_address,
            output: executed.output,
        }
    }

    /// Ends the block.
    pub fn finish(self) -> BlockOutcome {
        let receipts_root = ordered_root(self.receipts.iter().map(Receipt::encoded));
        let logs_bloom = logs_bloom(self.receipts.iter().flat_map(|r| &r.logs));
        BlockOutcome {
            diff: self.diff,
            receipts: self.receipts,
            gas_used: self.gas_used,
            receipts_root,
            logs_bloom,
        }
    }
}
