//! The EVM chain on disk beside its state: each block's header and its transactions with their
//! receipts, written in the same SQLite transaction as the block's state, its history and its
//! hash for `BLOCKHASH`, so that after `kill -9` the file holds a whole block or none of it.
//! What the node's JSON-RPC will read (`eth_getBlockByNumber`, `eth_getTransactionReceipt`...).

use crate::{StateDb, StoreError, genesis::GenesisError, sequencing::Sequencing, write_diff};
use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, Log};
use alloy_rlp::Decodable;
use baton_evm::{BuiltBlock, ChainSpec, StateDiff};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A transaction of a stored block, with its receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTx {
    /// `keccak256` of its EIP-2718 bytes.
    pub hash: B256,
    /// The block it is in.
    pub block: u64,
    /// Its position in the block.
    pub index: u64,
    /// Its sender.
    pub sender: Address,
    /// Its EIP-2718 bytes.
    pub encoded: Bytes,
    /// Whether it succeeded.
    pub success: bool,
    /// Gas used by the block up to and including it.
    pub cumulative_gas_used: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// The contract it created.
    pub contract_address: Option<Address>,
    /// Its logs.
    pub logs: Vec<Log>,
}

impl StoredTx {
    /// Its EIP-2718 type (0 for a legacy transaction).
    pub fn tx_type(&self) -> u8 {
        match self.encoded.first() {
            Some(&ty) if ty < 0x80 => ty,
            _ => 0,
        }
    }
}

const TX_COLUMNS: &str = "hash, block, idx, sender, encoded, success, cumulative_gas, gas_used, \
                          contract, logs";

fn stored_tx(row: &Row<'_>) -> rusqlite::Result<(StoredTx, Vec<u8>)> {
    let word = |bytes: Vec<u8>| B256::try_from(bytes.as_slice()).unwrap_or_default();
    let address = |bytes: Vec<u8>| Address::try_from(bytes.as_slice()).unwrap_or_default();
    Ok((
        StoredTx {
            hash: word(row.get(0)?),
            block: row.get::<_, i64>(1)? as u64,
            index: row.get::<_, i64>(2)? as u64,
            sender: address(row.get(3)?),
            encoded: Bytes::from(row.get::<_, Vec<u8>>(4)?),
            success: row.get(5)?,
            cumulative_gas_used: row.get::<_, i64>(6)? as u64,
            gas_used: row.get::<_, i64>(7)? as u64,
            contract_address: row.get::<_, Option<Vec<u8>>>(8)?.map(address),
            logs: Vec::new(),
        },
        row.get(9)?,
    ))
}

fn with_logs((mut tx, logs): (StoredTx, Vec<u8>)) -> Result<StoredTx, StoreError> {
    tx.logs = Vec::<Log>::decode(&mut logs.as_slice())
        .map_err(|e| StoreError::Corrupt(format!("the logs of transaction {}: {e}", tx.hash)))?;
    Ok(tx)
}

fn decode_header(rlp: Vec<u8>) -> Result<Header, StoreError> {
    Header::decode(&mut rlp.as_slice())
        .map_err(|e| StoreError::Corrupt(format!("a stored header: {e}")))
}

pub(crate) fn sql(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("block {n} is above 2^63")))
}

/// Stores `header` as its block's and its hash for `BLOCKHASH`.
fn put_header(conn: &Connection, header: &Header) -> Result<B256, StoreError> {
    let hash = header.hash_slow();
    let number = sql(header.number)?;
    conn.prepare_cached("INSERT INTO evm_headers (number, hash, header) VALUES (?1, ?2, ?3)")?
        .execute(params![number, hash.as_slice(), alloy_rlp::encode(header)])?;
    conn.prepare_cached("INSERT OR REPLACE INTO evm_block_hashes (number, hash) VALUES (?1, ?2)")?
        .execute(params![number, hash.as_slice()])?;
    Ok(hash)
}

impl StateDb {
    /// Starts the chain: installs `genesis` as block 0 with its header, or, in a database that
    /// holds this chain already, returns its genesis header. A database holding another
    /// chain is refused.
    pub fn init_chain(
        &mut self,
        spec: &ChainSpec,
        genesis: &StateDiff,
        timestamp: u64,
    ) -> Result<Header, GenesisError> {
        let mut memory = baton_evm::MemoryState::default();
        memory.apply(genesis);
        let expected = spec.genesis_header(memory.root(), timestamp);
        if let Some(stored) = self.header(0)? {
            if stored != expected {
                return Err(GenesisError::OtherState {
                    found: stored.state_root,
                    genesis: expected.state_root,
                });
            }
            return Ok(stored);
        }
        if self.root()? != baton_trie::EMPTY_ROOT {
            return Err(GenesisError::OtherState {
                found: self.root()?,
                genesis: expected.state_root,
            });
        }
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let root = write_diff(&tx, &self.ref_depth, genesis, Some(0))?;
        debug_assert_eq!(root, expected.state_root);
        put_header(&tx, &expected)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(expected)
    }

    /// Appends a block built on the current head: its state, history, header, transactions
    /// and receipts in one transaction. Returns the sealed header.
    pub fn append_block(&mut self, built: &BuiltBlock) -> Result<Header, StoreError> {
        self.append(built, None)
    }

    /// [`StateDb::append_block`] with the block's place in the sequencing layer and the hashes
    /// of its inputs (the leaves of its signed header's transaction root), written in the same
    /// transaction.
    pub fn append_sequenced(
        &mut self,
        built: &BuiltBlock,
        sequencing: &Sequencing,
        inputs: &[B256],
    ) -> Result<Header, StoreError> {
        self.append(built, Some((sequencing, inputs)))
    }

    fn append(
        &mut self,
        built: &BuiltBlock,
        sequencing: Option<(&Sequencing, &[B256])>,
    ) -> Result<Header, StoreError> {
        let number = built.header.number;
        let parent = self.latest_header()?.ok_or_else(|| {
            StoreError::Corrupt("no chain yet: the genesis is installed first (init_chain)".into())
        })?;
        if number != parent.number + 1 || built.header.parent_hash != parent.hash_slow() {
            return Err(StoreError::Corrupt(format!(
                "block {number} (parent {}) does not follow the head, block {} ({}): unwind \
                 first to replace a block",
                built.header.parent_hash,
                parent.number,
                parent.hash_slow()
            )));
        }
        let tx = self.conn.transaction()?;
        let root = write_diff(
            &tx,
            &self.ref_depth,
            &built.outcome.diff,
            Some(sql(number)?),
        )?;
        let header = built.seal(root);
        put_header(&tx, &header)?;
        if let Some((sequencing, inputs)) = sequencing {
            crate::sequencing::put_sequencing(&tx, number, sequencing, inputs)?;
        }
        for (index, (included, receipt)) in built
            .included
            .iter()
            .zip(&built.outcome.receipts)
            .enumerate()
        {
            tx.prepare_cached(&format!(
                "INSERT INTO evm_transactions ({TX_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![
                included.hash.as_slice(),
                sql(number)?,
                index as i64,
                included.sender.as_slice(),
                included.encoded.as_ref(),
                included.result.success,
                receipt.cumulative_gas_used as i64,
                included.result.gas_used as i64,
                included.result.contract_address.map(|a| a.to_vec()),
                alloy_rlp::encode(&receipt.logs),
            ])?;
        }
        crate::logs::index_logs(
            &tx,
            number,
            built
                .included
                .iter()
                .zip(&built.outcome.receipts)
                .map(|(included, receipt)| (included.hash, receipt.logs.as_slice())),
        )?;
        tx.commit()?;
        Ok(header)
    }

    /// The header of block `number`.
    pub fn header(&self, number: u64) -> Result<Option<Header>, StoreError> {
        let rlp: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT header FROM evm_headers WHERE number = ?1")?
            .query_row(params![sql(number)?], |r| r.get(0))
            .optional()?;
        rlp.map(decode_header).transpose()
    }

    /// The header whose hash is `hash`.
    pub fn header_by_hash(&self, hash: &B256) -> Result<Option<Header>, StoreError> {
        let rlp: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT header FROM evm_headers WHERE hash = ?1")?
            .query_row(params![hash.as_slice()], |r| r.get(0))
            .optional()?;
        rlp.map(decode_header).transpose()
    }

    /// The last block's header.
    pub fn latest_header(&self) -> Result<Option<Header>, StoreError> {
        let rlp: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT header FROM evm_headers ORDER BY number DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        rlp.map(decode_header).transpose()
    }

    /// The transaction whose hash is `hash`, with its receipt.
    pub fn transaction(&self, hash: &B256) -> Result<Option<StoredTx>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TX_COLUMNS} FROM evm_transactions WHERE hash = ?1"
            ))?
            .query_row(params![hash.as_slice()], stored_tx)
            .optional()?;
        row.map(with_logs).transpose()
    }

    /// The transactions of block `number`, in order, with their receipts.
    pub fn block_transactions(&self, number: u64) -> Result<Vec<StoredTx>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {TX_COLUMNS} FROM evm_transactions WHERE block = ?1 ORDER BY idx"
        ))?;
        let rows = statement.query_map(params![sql(number)?], stored_tx)?;
        rows.map(|row| with_logs(row?)).collect()
    }
}

/// What unwinding to `block` removes of the chain: the later headers, transactions, hashes,
/// logs and places in the sequencing layer.
pub(crate) fn unwind_blocks(conn: &Connection, block: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM evm_headers WHERE number > ?1", params![block])?;
    conn.execute(
        "DELETE FROM evm_transactions WHERE block > ?1",
        params![block],
    )?;
    conn.execute(
        "DELETE FROM evm_block_hashes WHERE number > ?1",
        params![block],
    )?;
    conn.execute("DELETE FROM evm_logs WHERE block > ?1", params![block])?;
    crate::sequencing::unwind_sequencing(conn, block)
}
