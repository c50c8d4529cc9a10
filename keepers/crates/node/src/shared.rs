//! What the node's tasks share: the settings, the L1 handles, the view, the store, the duty and
//! the counters. A leaf: it imports no other task's module, so every task imports it.

use crate::{
    chain::NodeChain, config::NodeConfig, duty::Duty, metrics::Metrics, store::Store, view::View,
};
use alloy::{primitives::Address, providers::RootProvider, signers::local::PrivateKeySigner};
use baton_bindings::Deployment;
use baton_core::{Eip712Domain, ledger::LedgerConfig};
use baton_l1::TxManager;
use baton_rpc::{ActingSequencer, NodeStatus};
use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Instant,
};
use tokio::sync::watch;

/// Everything the node's tasks share, over the chain `C` they run: the chain, and the rest
/// (which it dereferences to).
#[derive(Debug)]
pub struct Shared<C = View> {
    /// Everything but the chain.
    pub core: NodeCore,
    /// The L2 chain.
    pub view: Mutex<C>,
}

impl<C> std::ops::Deref for Shared<C> {
    type Target = NodeCore;

    fn deref(&self) -> &NodeCore {
        &self.core
    }
}

/// What the node's tasks share whatever chain they run.
#[derive(Debug)]
pub struct NodeCore {
    /// Settings.
    pub config: NodeConfig,
    /// The contracts.
    pub deployment: Deployment,
    /// The EIP-712 domain of headers.
    pub domain: Eip712Domain,
    /// L1 reads.
    pub provider: RootProvider,
    /// The ledger parameters.
    pub ledger: LedgerConfig,
    /// The mempool limits.
    pub pool: baton_core::MempoolConfig,
    /// The key that signs headers.
    pub signer: PrivateKeySigner,
    /// The operator this node sequences for.
    pub operator: Address,
    /// L1 sends.
    pub txmgr: TxManager,
    /// The database (slashing protection, preconfirmed blocks).
    pub store: Mutex<Store>,
    /// Record boundaries.
    pub records: Mutex<Records>,
    /// The current duty.
    pub duty: watch::Sender<Duty>,
    /// Peer RPC URLs by operator.
    pub peers: Mutex<HashMap<Address, String>>,
    /// Counters.
    pub metrics: Metrics,
    /// Last L1 block read into the view.
    pub l1_cursor: AtomicU64,
    /// Whether the node has caught up with L1 and serves.
    pub ready: AtomicBool,
    /// One more than the last epoch in which this node applied a block from the acting node
    /// (0: never). A backup rank defers to a leader it still hears from.
    pub followed_epoch: AtomicU64,
    /// The last epoch this node sealed blocks of ahead, during the margin of the one before
    /// (`u64::MAX`: none). It goes on sealing that epoch without waiting to read its first L1
    /// block.
    pub sealed_ahead: AtomicU64,
    /// The L1 block the view must have read before sealing again (the L1 head when this node
    /// last dropped its pending blocks: its own records up to there must be derived first).
    pub resync_until: AtomicU64,
    /// Second headers signed under `--fault-equivocate` (the scripted equivocation), served in
    /// the block stream beside the real ones.
    pub fault_twins: Mutex<Vec<crate::store::SignedBlock>>,
}

impl<C: NodeChain> Shared<C> {
    /// The chain, locked.
    pub fn view(&self) -> MutexGuard<'_, C> {
        self.view.lock().expect("view lock")
    }

    /// The L2 base fee (from the deployment: taking no lock, callers may hold the view).
    pub fn base_fee(&self) -> u128 {
        self.deployment.parameters.l2_base_fee.saturating_to()
    }

    /// What `baton_status` reports.
    pub fn status(&self) -> NodeStatus {
        let duty = self.duty.borrow().clone();
        let view = self.view();
        NodeStatus {
            operator: self.operator,
            signer: self.signer.address(),
            l1_block: duty.l1_block,
            l1_cursor: self.l1_cursor.load(Ordering::Relaxed),
            epoch: duty.epoch,
            acting: duty.acting.map(|(operator, signer, rank)| ActingSequencer {
                operator,
                signer,
                rank,
            }),
            sequencing: duty.sealing,
            my_rank: duty.my_rank,
            head: view.head().number,
            safe_head: view.safe_head(),
            records: view.derived_records(),
            force_cursor: view.force_cursor(),
            mempool: view.pool_len(),
            ready: self.ready.load(Ordering::Relaxed),
        }
    }
}

/// Where records begin and end, shared by the sealer and the poster.
#[derive(Debug, Default)]
pub struct Records {
    /// First block of the record being filled.
    pub open: Option<(u64, Instant)>,
    /// Cut records `(first, last)` waiting to be posted, oldest first.
    pub cut: VecDeque<(u64, u64)>,
}
