//! A stored block's transactions as a dispute's claims: what a proposer or a challenger needs
//! to play the second level of a game over one of them. Each transaction is replayed over a
//! recording of the state after the ones before it, starting from the parent block's state
//! opened node by node (`StateDb::nodes_at`), so its claim comes with exactly the preimages the
//! EVM guest reads: the witness, the transaction's bytes or the deposit's data, and the 256
//! block hashes before the block.
//!
//! A whole block's claim (`StateDb::block_claim`, for the dispute over blocks) is made the same
//! way from what the block's record and the queue say it runs.

use crate::{StateDb, StoreError};
use alloy_primitives::{B256, Bytes, keccak256};
use baton_evm::{
    BLOCK_HASH_WINDOW, BlockClaim, BlockDeposit, ChainSpec, Claim, ClaimBlock, ClaimChain,
    ClaimInputs, ClaimTx, PartialState, Recording, StateDiff, block_hashes_commitment,
    decode_transaction, execute_deposit, execute_transaction,
};
use std::collections::BTreeMap;

/// One transaction of a stored block as a claim, true root included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionClaim {
    /// The transaction's hash.
    pub tx_hash: B256,
    /// The claim: the roots before and after the transaction, the block, the transaction.
    pub claim: Claim,
    /// Every preimage the guest reads besides the claim itself.
    pub preimages: BTreeMap<B256, Vec<u8>>,
}

/// Why a stored block's claims cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The block, its parent or a needed history is not stored.
    #[error("block {0} or its parent is not stored (or its history is pruned)")]
    Missing(u64),
    /// Replaying the stored transactions does not give the stored root: the file is corrupt.
    #[error("replaying block {block} gives root {replayed}, but its header says {stored}")]
    Replay {
        /// The block.
        block: u64,
        /// The root its transactions give.
        replayed: B256,
        /// The root its header holds.
        stored: B256,
    },
    /// A stored transaction is neither signed bytes that decode nor a deposit.
    #[error("stored transaction {0} does not decode")]
    Undecodable(B256),
    /// Reading the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing the replayed state failed.
    #[error("replaying a stored transaction: {0}")]
    State(String),
}

impl StateDb {
    /// The hashes of the 256 blocks before `number`, oldest first (zero before block 0).
    pub fn hashes_before(
        &self,
        number: u64,
    ) -> Result<[B256; BLOCK_HASH_WINDOW as usize], StoreError> {
        let mut hashes = [B256::ZERO; BLOCK_HASH_WINDOW as usize];
        for (i, hash) in hashes.iter_mut().enumerate() {
            if let Some(n) = (number + i as u64).checked_sub(BLOCK_HASH_WINDOW) {
                *hash = baton_evm::StateReader::block_hash(self, n)?;
            }
        }
        Ok(hashes)
    }

    /// The claims of every transaction of stored block `number`, in block order (see the module
    /// docs). The last claim's root is the block's.
    pub fn block_claims(
        &self,
        spec: &ChainSpec,
        number: u64,
    ) -> Result<Vec<TransactionClaim>, ClaimsError> {
        let (Some(header), Some(parent)) = (
            self.header(number)?,
            number
                .checked_sub(1)
                .map(|p| self.header(p))
                .transpose()?
                .flatten(),
        ) else {
            return Err(ClaimsError::Missing(number));
        };
        let hashes = self.hashes_before(number)?;
        let block = ClaimBlock::of(&header, block_hashes_commitment(&hashes));
        let (rules, env) = (spec.rules(), block.env());
        let parent_nodes = self
            .nodes_at(parent.number)
            .map_err(|_| ClaimsError::Missing(number))?;
        let mut state = PartialState::new(parent.state_root, parent_nodes);
        let mut root = parent.state_root;
        let mut claims = Vec::new();
        for stored in self.block_transactions(number)? {
            let mut recording = PartialState::new(root, Recording::new(&mut state));
            let (tx, payload, diff): (ClaimTx, Bytes, StateDiff) =
                if let Some(deposit) = BlockDeposit::decode(&stored.encoded) {
                    let d = &deposit.deposit;
                    let executed = execute_deposit(&recording, &rules, &env, d)
                        .map_err(|e| ClaimsError::State(e.to_string()))?;
                    let tx = ClaimTx::Deposit {
                        from: d.from,
                        to: d.to,
                        mint: d.mint,
                        value: d.value,
                        gas_limit: d.gas_limit,
                        data_hash: keccak256(&d.data),
                    };
                    (tx, d.data.clone(), executed.diff)
                } else {
                    let decoded = decode_transaction(&stored.encoded)
                        .map_err(|_| ClaimsError::Undecodable(stored.hash))?;
                    let executed = execute_transaction(&recording, &rules, &env, decoded.env)
                        .map_err(|e| ClaimsError::State(e.to_string()))?;
                    let tx = ClaimTx::Signed(stored.hash);
                    (tx, stored.encoded.clone(), executed.diff)
                };
            recording
                .apply(&diff)
                .map_err(|e| ClaimsError::State(e.to_string()))?;
            let after = recording.root();
            let witness = recording.into_source().witness;
            let mut preimages = witness.preimages();
            preimages.insert(keccak256(&payload), payload.to_vec());
            preimages.insert(block.block_hashes, hashes.concat());
            claims.push(TransactionClaim {
                tx_hash: stored.hash,
                claim: Claim {
                    pre_root: root,
                    claimed_post_root: after,
                    chain_id: spec.chain_id,
                    fee_vault: spec.fee_vault,
                    block,
                    tx,
                },
                preimages,
            });
            state
                .apply(&diff)
                .map_err(|e| ClaimsError::State(e.to_string()))?;
            root = after;
        }
        if root != header.state_root {
            return Err(ClaimsError::Replay {
                block: number,
                replayed: root,
                stored: header.state_root,
            });
        }
        Ok(claims)
    }
}

impl StateDb {
    /// The claim of block `number` built from `inputs` (what its record and the queue say it
    /// runs) after stored block `number - 1`, with its true header hash and every preimage the
    /// guest reads: the parent header and the earlier ones `BLOCKHASH` walks back to, the
    /// parent state's witness, the inputs.
    pub fn block_claim(
        &self,
        chain: ClaimChain,
        number: u64,
        inputs: &ClaimInputs<'_>,
    ) -> Result<(BlockClaim, BTreeMap<B256, Vec<u8>>), ClaimsError> {
        let parent_number = number.checked_sub(1).ok_or(ClaimsError::Missing(number))?;
        let parent = self
            .header(parent_number)?
            .ok_or(ClaimsError::Missing(number))?;
        let parent_hash = parent.hash_slow();
        let (mut claim, mut preimages) = inputs.claim(chain, parent_hash, B256::ZERO);
        preimages.insert(parent_hash, alloy_rlp::encode(&parent));
        let txs = claim
            .inputs(&mut preimages)
            .map_err(|e| ClaimsError::State(e.to_string()))?;
        let nodes = self
            .nodes_at(parent_number)
            .map_err(|_| ClaimsError::Missing(number))?;
        let mut recording = Recording::new(nodes);
        let header = claim
            .run(&parent, &txs, &mut recording)
            .map_err(ClaimsError::State)?;
        preimages.extend(recording.witness.preimages());
        // The guest learns block m's hash from block m + 1's header.
        if let Some(&oldest) = recording.witness.block_hashes.keys().next() {
            for n in oldest + 1..parent_number {
                let header = self.header(n)?.ok_or(ClaimsError::Missing(n))?;
                preimages.insert(header.hash_slow(), alloy_rlp::encode(&header));
            }
        }
        claim.claimed_hash = header.hash_slow();
        Ok((claim, preimages))
    }
}
