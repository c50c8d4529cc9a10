//! The EVM chain a node holds: its database (state, history, headers, receipts, logs), its
//! parameters, and the pool of transactions waiting for the next block. Synchronous: the caller
//! holds it behind one lock and decides when blocks are sealed. Blocks are sealed, followed and
//! derived in `sequenced.rs`.

use crate::pool::{Admission, Checked, PoolConfig, PoolError, SenderAccount, TxPool};
use alloy_consensus::Header;
use alloy_primitives::{Address, B256};
use baton_evm::{ChainSpec, StateDiff, StateReader};
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

/// What subscribers hear about (`eth_subscribe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainEvent {
    /// A block was stored: the new head (shared: every subscriber gets a copy of the event).
    Block(std::sync::Arc<Header>),
    /// A transaction entered the pool.
    Pooled(B256),
    /// Blocks were unwound (L1 settled other blocks at their heights): their logs, marked
    /// removed, newest block first. The blocks that replace them follow as `Block` events.
    Unwound(std::sync::Arc<Vec<alloy::rpc::types::Log>>),
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
    /// The only sender whose force-queue entries can be deposits; `None` for a chain without L1
    /// (`baton evm-dev`), where every block is final once sealed.
    portal: Option<Address>,
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
            portal: None,
        })
    }

    /// The chain settled by L1 records, with `portal` as the L1 sender whose queue entries
    /// are deposits.
    pub fn with_portal(self, portal: Address) -> Self {
        Self {
            portal: Some(portal),
            ..self
        }
    }

    /// The portal, the only sender of deposit entries, when the chain is settled by L1.
    pub fn portal(&self) -> Option<Address> {
        self.portal
    }

    /// The database, to write.
    pub(crate) fn db_mut(&mut self) -> &mut StateDb {
        &mut self.db
    }

    /// The pool, to change.
    pub(crate) fn pool_mut(&mut self) -> &mut TxPool {
        &mut self.pool
    }

    /// Moves the head after a block was stored or the chain unwound.
    pub(crate) fn set_head(&mut self, head: Header) {
        self.head = head;
    }

    /// Where block events go.
    pub(crate) fn events_sender(&self) -> &tokio::sync::broadcast::Sender<ChainEvent> {
        &self.events
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

    /// A sender's nonce at the head.
    pub(crate) fn account_nonce(&self, sender: Address) -> Result<u64, StoreError> {
        Ok(self.account(sender)?.nonce)
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
}
