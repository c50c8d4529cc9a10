//! Noticing that a reorg replaced the L1 block a keeper settled something at.
//!
//! A keeper marks things settled (evidence slashed or refused, a game over) at the L1 block it
//! saw them at, and keeps that block's hash. A reorg deep enough to replace the block may undo
//! what was settled, and the keeper's L1 follower only notices a reorg that reaches the blocks it
//! read. So each tick, everything settled in the last [`REORG_WINDOW`] blocks is checked against
//! the canonical chain, and what was settled in a replaced block is judged again.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::B256,
    providers::{Provider, RootProvider},
};

/// How many recent L1 blocks settled things are checked against for reorgs.
pub const REORG_WINDOW: u64 = 128;

/// The latest L1 block's number and hash.
pub async fn head_block(provider: &RootProvider) -> eyre::Result<(u64, B256)> {
    let block = provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await?
        .ok_or_else(|| eyre::eyre!("L1 has no latest block"))?;
    Ok((block.header.number, block.header.hash))
}

/// The keys of `settled` (key, block, hash at settling) whose block is no longer canonical.
pub async fn replaced<K>(
    provider: &RootProvider,
    settled: Vec<(K, u64, B256)>,
) -> eyre::Result<Vec<K>> {
    let mut gone = Vec::new();
    for (key, number, hash) in settled {
        let canonical = provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await?
            .map(|b| b.header.hash);
        if canonical != Some(hash) {
            gone.push(key);
        }
    }
    Ok(gone)
}
