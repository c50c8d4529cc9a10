//! The EVM chain a node holds: its database (state, history, headers, receipts, logs), its
//! parameters, and the pool of transactions waiting for the next block. Synchronous: the caller
//! holds it behind one lock and decides when blocks are sealed.

use crate::pool::{Admission, Checked, PoolConfig, PoolError, SenderAccount, TxPool};
use alloy_consensus::Header;
use alloy_primitives::{Address, B256};
use baton_evm::{BlockTx, ChainSpec, Skipped, StateDiff, StateReader, build_block};
use baton_state::{GenesisError, StateDb, StoreError};
use std::path::Path;

/// Why the chain could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database holds another chain, or the genesis is refused.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// A block's timestamp must be after its parent's.
    #[error("block {number}'s timestamp {timestamp} is not after its parent's {parent}")]
    Timestamp {
        /// The block's number.
        number: u64,
        /// Its timestamp.
        timestamp: u64,
        /// The parent's.
        parent: u64,
    },
}

/// Why a submitted transaction was not pooled.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The pool refused it.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The database failed while checking it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What sealing a block did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The stored header.
    pub header: Header,
    /// The transactions it took from the pool.
    pub included: usize,
    /// Pooled transactions dropped because they cannot run (invalid on their turn, or
    /// overtaken by their sender's nonce).
    pub dropped: usize,
}

/// What subscribers hear about (`eth_subscribe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainEvent {
    /// A block was stored: the new head (shared: every subscriber gets a copy of the event).
    Block(std::sync::Arc<Header>),
    /// A transaction entered the pool.
    Pooled(B256),
}

/// Events kept for a subscriber that has not read them yet; one further behind is dropped.
pub const EVENT_BUFFER: usize = 4096;

/// See the module documentation.
pub struct L2Chain {
    events: tokio::sync::broadcast::Sender<ChainEvent>,
    db: StateDb,
    /// The head block's header, kept in memory: every admission reads its base fee.
    head: Header,
    spec: ChainSpec,
    pool: TxPool,
    pool_config: PoolConfig,
}

impl L2Chain {
    /// Opens the chain in `path`, installing `genesis` as block 0 in a new file; a file that
    /// holds this chain is reopened as it is, one that holds another is refused.
    pub fn open(
        path: &Path,
        spec: ChainSpec,
        genesis: &StateDiff,
        genesis_timestamp: u64,
        pool: PoolConfig,
    ) -> Result<Self, ChainError> {
        Self::from_db(StateDb::open(path)?, spec, genesis, genesis_timestamp, pool)
    }

    /// [`L2Chain::open`] over an open database.
    pub fn from_db(
        mut db: StateDb,
        spec: ChainSpec,
        genesis: &StateDiff,
        genesis_timestamp: u64,
        pool: PoolConfig,
    ) -> Result<Self, ChainError> {
        db.init_chain(&spec, genesis, genesis_timestamp)?;
        let head = db
            .latest_header()?
            .expect("init_chain stored the genesis header");
        Ok(Self {
            events: tokio::sync::broadcast::Sender::new(EVENT_BUFFER),
            db,
            head,
            spec,
            pool: TxPool::new(pool),
            pool_config: pool,
        })
    }

    /// New blocks and pooled transactions from now on.
    pub fn events(&self) -> tokio::sync::broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    /// The chain's parameters.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The database, for reads.
    pub fn db(&self) -> &StateDb {
        &self.db
    }

    /// The pool.
    pub fn pool(&self) -> &TxPool {
        &self.pool
    }

    /// The head block's header.
    pub fn head(&self) -> &Header {
        &self.head
    }

    /// The base fee of the next block.
    pub fn next_base_fee(&self) -> u64 {
        self.spec.next_base_fee(&self.head)
    }

    /// A sender's account at the head.
    fn account(&self, sender: Address) -> Result<SenderAccount, StoreError> {
        Ok(self
            .db
            .account(sender)?
            .map(|info| SenderAccount {
                nonce: info.nonce,
                balance: info.balance,
            })
            .unwrap_or_default())
    }

    /// The nonce a sender's next transaction needs, counting the pool (`pending`).
    pub fn pending_nonce(&self, sender: Address) -> Result<u64, StoreError> {
        Ok(self.pool.pending_nonce(sender, self.account(sender)?.nonce))
    }

    /// What admission checks a transaction against: this chain and the next block's base fee.
    pub fn admission(&self) -> Admission {
        Admission {
            chain_id: self.spec.chain_id,
            block_gas_limit: self.spec.gas_limit,
            base_fee: self.next_base_fee(),
        }
    }

    /// The pool's limits.
    pub fn pool_config(&self) -> &PoolConfig {
        &self.pool_config
    }

    /// Pools a transaction [`TxPool::check`] passed, against its sender's account at the head.
    /// (The RPC checks outside the chain's lock: the signature recovery is most of the work.)
    pub fn insert(&mut self, checked: Checked) -> Result<B256, SubmitError> {
        let account = self.account(checked.sender())?;
        let hash = self.pool.insert(checked, account)?;
        // No subscriber is not an error.
        let _ = self.events.send(ChainEvent::Pooled(hash));
        Ok(hash)
    }

    /// Checks a signed transaction against the head and pools it.
    pub fn submit(&mut self, raw: &[u8]) -> Result<B256, SubmitError> {
        let checked = TxPool::check(raw, &self.admission(), &self.pool_config)?;
        self.insert(checked)
    }

    /// Seals the next block at `timestamp` for `beneficiary` from the pool, best paying first,
    /// and stores it. A transaction that does not fit stays pooled; one that is invalid on its
    /// turn (its nonce the account's, yet refused: its balance no longer covers it, say) is
    /// dropped, and so is any its sender's nonce has passed.
    pub fn seal(&mut self, timestamp: u64, beneficiary: Address) -> Result<Sealed, ChainError> {
        let parent = self.head.clone();
        if timestamp <= parent.timestamp {
            return Err(ChainError::Timestamp {
                number: parent.number + 1,
                timestamp,
                parent: parent.timestamp,
            });
        }
        let base_fee = self.spec.next_base_fee(&parent);
        let db = &self.db;
        let nonce_of = |sender| {
            db.account(sender)
                .ok()
                .flatten()
                .map_or(0, |info| info.nonce)
        };
        // No block holds more transactions than its gas limit buys at 21,000 each: the rest of
        // the pool waits without being looked at.
        let most = usize::try_from(self.spec.gas_limit / 21_000).unwrap_or(usize::MAX);
        let candidates: Vec<_> = self
            .pool
            .ordered(base_fee, nonce_of)
            .into_iter()
            .take(most)
            .map(|tx| {
                // Decoded at admission: the sender is not recovered again.
                let input = BlockTx::Recovered {
                    raw: tx.raw.clone(),
                    tx: tx.decoded.clone(),
                };
                (tx.hash, tx.sender, tx.nonce, input)
            })
            .collect();
        let inputs: Vec<BlockTx> = candidates.iter().map(|c| c.3.clone()).collect();
        let built = build_block(
            &self.spec,
            &parent,
            &self.db,
            timestamp,
            beneficiary,
            &inputs,
        )
        .map_err(|e| match e {
            baton_evm::ReadError::Store(store) => ChainError::Store(store),
            other => ChainError::Store(StoreError::Corrupt(other.to_string())),
        })?;
        let header = self.db.append_block(&built)?;
        self.head = header.clone();
        let _ = self
            .events
            .send(ChainEvent::Block(std::sync::Arc::new(header.clone())));
        for tx in &built.included {
            self.pool.remove(&candidates[tx.input].0);
        }
        let mut dropped = 0;
        for (input, why) in &built.skipped {
            if matches!(why, Skipped::BlockFull { .. }) {
                continue;
            }
            let (hash, sender, nonce, _) = &candidates[*input];
            if self.account(*sender)?.nonce == *nonce {
                self.pool.remove(hash);
                dropped += 1;
            }
        }
        let db = &self.db;
        dropped += self.pool.prune(|sender| {
            db.account(sender)
                .ok()
                .flatten()
                .map_or(0, |info| info.nonce)
        });
        Ok(Sealed {
            header,
            included: built.included.len(),
            dropped,
        })
    }
}
