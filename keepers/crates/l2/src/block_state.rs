//! Which block a request names, and the state after it: the head's is the database itself, an
//! older kept block's is read through its history.

use crate::L2Chain;
use alloy::{
    consensus::Header,
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256, Bytes, U256},
};
use baton_evm::{AccountInfo, StateReader};
use baton_rpc::{
    RpcResult,
    errors::{INTERNAL, UNSUPPORTED, rpc_error},
};
use baton_state::{StateAt, StateDb, StoreError};
use jsonrpsee::types::ErrorObjectOwned;

/// A database failure, as the node's own fault.
pub(crate) fn internal(error: impl std::fmt::Display) -> ErrorObjectOwned {
    rpc_error(INTERNAL, format!("database error: {error}"))
}

/// The header of the block `block` names (the head if none).
pub(crate) fn resolve(chain: &L2Chain, block: Option<BlockId>) -> RpcResult<Header> {
    let head = chain.head().clone();
    let number = match block.unwrap_or(BlockId::Number(BlockNumberOrTag::Latest)) {
        BlockId::Hash(hash) => {
            return chain
                .db()
                .header_by_hash(&hash.block_hash)
                .map_err(internal)?
                .ok_or_else(|| {
                    rpc_error(UNSUPPORTED, format!("block {} not found", hash.block_hash))
                });
        }
        BlockId::Number(BlockNumberOrTag::Earliest) => 0,
        BlockId::Number(BlockNumberOrTag::Number(n)) => n,
        BlockId::Number(BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized) => {
            chain.settled_head().map_err(internal)?
        }
        BlockId::Number(BlockNumberOrTag::Latest | BlockNumberOrTag::Pending) => return Ok(head),
    };
    if number > head.number {
        return Err(rpc_error(
            UNSUPPORTED,
            format!(
                "block {number} does not exist yet: the latest is {}",
                head.number
            ),
        ));
    }
    chain
        .db()
        .header(number)
        .map_err(internal)?
        .ok_or_else(|| internal(format!("block {number} below the head is not stored")))
}

/// The state after a block: the head's is the database itself, an older one is read through
/// its kept history.
pub(crate) enum BlockState<'a> {
    Head(&'a StateDb),
    Past(StateAt<'a>),
}

impl<'a> BlockState<'a> {
    pub(crate) fn of(chain: &'a L2Chain, header: &Header) -> RpcResult<Self> {
        let head = chain.head().clone();
        if header.number == head.number {
            return Ok(Self::Head(chain.db()));
        }
        chain.db().at(header.number).map(Self::Past).map_err(|e| {
            rpc_error(
                UNSUPPORTED,
                format!("the state after block {} is not kept: {e}", header.number),
            )
        })
    }
}

impl StateReader for BlockState<'_> {
    type Error = StoreError;

    fn account(&self, address: Address) -> Result<Option<AccountInfo>, StoreError> {
        match self {
            Self::Head(db) => db.account(address),
            Self::Past(at) => at.account(address),
        }
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, StoreError> {
        match self {
            Self::Head(db) => db.storage(address, slot),
            Self::Past(at) => at.storage(address, slot),
        }
    }

    fn code(&self, code_hash: B256) -> Result<Option<Bytes>, StoreError> {
        match self {
            Self::Head(db) => db.code(code_hash),
            Self::Past(at) => at.code(code_hash),
        }
    }

    fn block_hash(&self, number: u64) -> Result<B256, StoreError> {
        match self {
            Self::Head(db) => db.block_hash(number),
            Self::Past(at) => at.block_hash(number),
        }
    }
}
