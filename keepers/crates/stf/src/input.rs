//! The claim the fault-proof VM's guest checks: "this transaction, applied to the state with
//! this root in this block, gives this root". The dispute game builds the same bytes from what it
//! has proven and makes their keccak-256 the guest's input key; the guest reads them back
//! through the preimage oracle, runs the STF and exits 0 if the claimed root is right, 1 if not.
//!
//! Encoding (packed, big-endian): `preRoot (32) ‖ claimedPostRoot (32) ‖ chainId (8) ‖
//! baseFee (16) ‖ feeRecipient (20) ‖ kind (1)`, then for kind 0 (signed) the keccak-256 of the
//! transaction's bytes (32), whose preimage the guest reads; for kind 1 (deposit) `recipient (20)
//! ‖ amount (32)`.

use crate::{BlockContext, L2Tx, LedgerConfig, OracleDb, Preimages, apply};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};

/// The transaction of a claim: signed bytes by their hash, or a deposit in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxRef {
    /// Signed bytes whose keccak-256 this is.
    Signed(B256),
    /// A deposit.
    Deposit {
        /// The credited account.
        recipient: Address,
        /// Wei credited.
        amount: U256,
    },
}

/// One transaction's claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestInput {
    /// The agreed state root before the transaction.
    pub pre_root: B256,
    /// The root claimed after it.
    pub claimed_post_root: B256,
    /// Chain parameters.
    pub config: LedgerConfig,
    /// The block it is in.
    pub block: BlockContext,
    /// The transaction.
    pub tx: TxRef,
}

const HEAD: usize = 32 + 32 + 8 + 16 + 20 + 1;

impl GuestInput {
    /// The claim for `tx` (signed bytes are referred to by their hash).
    pub fn new(
        pre_root: B256,
        claimed_post_root: B256,
        config: LedgerConfig,
        block: BlockContext,
        tx: &L2Tx,
    ) -> Self {
        let tx = match tx {
            L2Tx::Signed(bytes) => TxRef::Signed(keccak256(bytes)),
            L2Tx::Deposit { recipient, amount } => TxRef::Deposit {
                recipient: *recipient,
                amount: *amount,
            },
        };
        Self {
            pre_root,
            claimed_post_root,
            config,
            block,
            tx,
        }
    }

    /// The packed encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD + 52);
        out.extend_from_slice(self.pre_root.as_slice());
        out.extend_from_slice(self.claimed_post_root.as_slice());
        out.extend_from_slice(&self.config.chain_id.to_be_bytes());
        out.extend_from_slice(&self.config.base_fee.to_be_bytes());
        out.extend_from_slice(self.block.fee_recipient.as_slice());
        match self.tx {
            TxRef::Signed(hash) => {
                out.push(0);
                out.extend_from_slice(hash.as_slice());
            }
            TxRef::Deposit { recipient, amount } => {
                out.push(1);
                out.extend_from_slice(recipient.as_slice());
                out.extend_from_slice(&amount.to_be_bytes::<32>());
            }
        }
        out
    }

    /// The guest's input key: the keccak-256 of the encoding.
    pub fn key(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Reads an encoding back; `None` if it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < HEAD {
            return None;
        }
        let word = |at: usize| B256::from_slice(&bytes[at..at + 32]);
        let tx = match (bytes[HEAD - 1], bytes.len() - HEAD) {
            (0, 32) => TxRef::Signed(word(HEAD)),
            (1, 52) => TxRef::Deposit {
                recipient: Address::from_slice(&bytes[HEAD..HEAD + 20]),
                amount: U256::from_be_slice(&bytes[HEAD + 20..]),
            },
            _ => return None,
        };
        Some(Self {
            pre_root: word(0),
            claimed_post_root: word(32),
            config: LedgerConfig {
                chain_id: u64::from_be_bytes(bytes[64..72].try_into().ok()?),
                base_fee: u128::from_be_bytes(bytes[72..88].try_into().ok()?),
            },
            block: BlockContext {
                fee_recipient: Address::from_slice(&bytes[88..108]),
            },
            tx,
        })
    }

    /// Runs the claim's transaction on the state read from `preimages` and returns the post-state
    /// root: what the guest computes, here callable natively too.
    pub fn post_root(&self, mut preimages: impl Preimages) -> B256 {
        let tx = match self.tx {
            TxRef::Signed(hash) => L2Tx::Signed(Bytes::from(preimages.preimage(&hash))),
            TxRef::Deposit { recipient, amount } => L2Tx::Deposit { recipient, amount },
        };
        let mut db = OracleDb::open(self.pre_root, preimages);
        // An invalid transaction is a no-op: the root is the pre-state's either way.
        let _outcome = apply(&mut db, &self.config, &self.block, &tx);
        db.root()
    }
}
