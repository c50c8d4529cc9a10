//! The proof of a game's last position, which starts the guest's execution on L1:
//! - the ledger's game ([`transaction_proof`]): which transaction is at the position;
//! - the EVM chain's ([`block_proof`]): which block, and the record parts its claim is built
//!   from on L1.
//!
//! Both name the record's span in the game's layout (read with the contract's own `layoutOf`)
//! with its path to the layout root, and a sequenced record by its commitment's parts, never its
//! whole data.

use crate::{context::Context, deriver::Deriver};
use alloy::{
    primitives::{Address, B256, U256, keccak256},
    sol_types::SolValue,
};
use baton_bindings::{IDisputeGame, IEvmDisputeGame};
use baton_core::{BatchCommitment, BatchHeader, block_framing, l2::tx_proof};
use baton_l1::store::StoredRecord;

/// The game headers of `output`, as its layout is computed from.
fn headers(
    deriver: &Deriver,
    output: u64,
) -> eyre::Result<Vec<baton_bindings::IBatchInbox::BatchHeader>> {
    Ok(deriver
        .game_headers(output)
        .ok_or_else(|| eyre::eyre!("records of output {output} not derived"))?
        .into_iter()
        .map(BatchHeader::into)
        .collect())
}

/// The span of `spans` that `holds` the position, its index, its path to the layout root
/// (leaves: keccak256(abi.encode(span))) and its record.
fn span_of<'a, S: SolValue + Clone>(
    deriver: &'a Deriver,
    output: u64,
    spans: &[S],
    holds: impl Fn(&S) -> bool,
    position: u64,
) -> eyre::Result<(S, usize, Vec<B256>, &'a StoredRecord)> {
    let (index, span) = spans
        .iter()
        .enumerate()
        .find(|(_, s)| holds(s))
        .ok_or_else(|| eyre::eyre!("no span holds position {position}"))?;
    let leaves: Vec<B256> = spans.iter().map(|s| keccak256(s.abi_encode())).collect();
    let path = tx_proof(&leaves, index).expect("the span is in the layout");
    let record = deriver
        .record(deriver.first_record_of(output) + index as u64)
        .ok_or_else(|| eyre::eyre!("record of span {index} not derived"))?;
    Ok((span.clone(), index, path, record))
}

/// A sequenced record's batch with its commitment; `None` for a forced record.
fn committed_batch(
    record: &StoredRecord,
) -> eyre::Result<Option<(baton_core::Batch, BatchCommitment)>> {
    Ok(record
        .batch()
        .map_err(|e| eyre::eyre!("record {} does not decode: {e}", record.index))?
        .map(|batch| {
            let commitment = batch.commitment();
            (batch, commitment)
        }))
}

/// The proof of which transaction is at `position` of output `output`'s trace (`hi` its end:
/// an empty trace is proven by an empty proof).
pub async fn transaction_proof(
    ctx: &Context,
    deriver: &Deriver,
    output: u64,
    position: u64,
    hi: u64,
) -> eyre::Result<IDisputeGame::TransactionProof> {
    let mut proof = IDisputeGame::TransactionProof {
        span: Default::default(),
        spanIndex: U256::ZERO,
        spanPath: Vec::new(),
        feeRecipient: Address::ZERO,
        blocksHash: B256::ZERO,
        txRoot: B256::ZERO,
        transaction: Default::default(),
        txPath: Vec::new(),
        entrySender: Address::ZERO,
    };
    if hi == position {
        // An empty trace: nothing to execute.
        return Ok(proof);
    }
    let layout = ctx
        .deployment
        .ledger_dispute_game(&ctx.provider)
        .layoutOf(U256::from(output), headers(deriver, output)?)
        .call()
        .await?;
    let (span, index, path, record) = span_of(
        deriver,
        output,
        &layout.spans,
        |s| s.firstPosition <= position && position < s.firstPosition + s.forceCount + s.txCount,
        position,
    )?;
    proof.spanIndex = U256::from(index);
    proof.spanPath = path;
    let batch = committed_batch(record)?.map(|(batch, commitment)| {
        proof.feeRecipient = commitment.fee_recipient;
        proof.blocksHash = commitment.blocks_hash;
        proof.txRoot = commitment.tx_root;
        batch
    });
    let offset = position - span.firstPosition;
    if offset < span.forceCount {
        let entry = deriver
            .entry(span.forceStart + offset)
            .ok_or_else(|| eyre::eyre!("queue entry {} not read", span.forceStart + offset))?;
        proof.entrySender = entry.sender;
        proof.transaction = entry.data.clone();
    } else {
        let index = usize::try_from(offset - span.forceCount)?;
        let (transaction, path) = batch
            .as_ref()
            .and_then(|b| b.transaction_proof(index))
            .ok_or_else(|| eyre::eyre!("record {} has no transaction {index}", record.index))?;
        proof.transaction = transaction;
        proof.txPath = path;
    }
    proof.span = span;
    Ok(proof)
}

/// The proof of which block is at `position` of output `output`'s trace: its record's span, and
/// for a sequenced record its commitment's parts and block framing (a forced record's block is
/// built from its L1 time, which the game reads itself).
pub async fn block_proof(
    ctx: &Context,
    deriver: &Deriver,
    output: u64,
    position: u64,
) -> eyre::Result<IEvmDisputeGame::BlockProof> {
    let layout = ctx
        .deployment
        .evm_dispute_game(&ctx.provider)
        .layoutOf(U256::from(output), headers(deriver, output)?)
        .call()
        .await?;
    let (span, index, path, record) = span_of(
        deriver,
        output,
        &layout.spans,
        |s| s.firstPosition <= position && position < s.firstPosition + s.blockCount,
        position,
    )?;
    let mut proof = IEvmDisputeGame::BlockProof {
        span,
        spanIndex: U256::from(index),
        spanPath: path,
        feeRecipient: Address::ZERO,
        blocksHash: B256::ZERO,
        txRoot: B256::ZERO,
        framing: Default::default(),
    };
    if let Some((batch, commitment)) = committed_batch(record)? {
        proof.feeRecipient = commitment.fee_recipient;
        proof.blocksHash = commitment.blocks_hash;
        proof.txRoot = commitment.tx_root;
        proof.framing = block_framing(&batch.blocks).into();
    }
    Ok(proof)
}
