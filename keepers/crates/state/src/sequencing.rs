//! Where each block of the chain stands in the sequencing layer above it (docs/evm.md, "The
//! node's chain"): the header its leader signed (the preconfirmation: its hash, epoch, timestamp
//! and transaction root over the block's inputs), the force-queue cursor after it, and which
//! BatchInbox records have been derived, up to which block, and the hashes of each block's
//! inputs (what a preconfirmation's Merkle proof is over). Written in the same SQLite
//! transaction as the block or the record, and dropped with the blocks when the chain unwinds,
//! so that after `kill -9` a reopened chain knows exactly what L1 has settled.

use crate::{StateDb, StoreError, blocks::sql};
use alloy_primitives::B256;
use baton_l1::store::to_b256;
use rusqlite::{Connection, OptionalExtension, params};

/// A block's place in the sequencing layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sequencing {
    /// The hash of its signed header (what a preconfirmation and an equivocation proof name).
    pub hash: B256,
    /// The leader's epoch.
    pub epoch: u64,
    /// The signed header's timestamp.
    pub timestamp: u64,
    /// The signed header's root over the block's input hashes.
    pub tx_root: B256,
    /// The next force-queue entry after the block.
    pub force_cursor: u64,
}

/// How far L1 has settled the chain: the records derived and the last block they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1Head {
    /// How many records have been derived (the next record's index).
    pub records: u64,
    /// The last block of the last derived record (0 before any).
    pub block: u64,
}

pub(crate) fn put_sequencing(
    conn: &Connection,
    number: u64,
    s: &Sequencing,
    inputs: &[B256],
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO evm_inputs (number, hashes) VALUES (?1, ?2)")?
        .execute(params![sql(number)?, inputs.concat()])?;
    conn.prepare_cached(
        "INSERT INTO evm_sequencing (number, hash, epoch, timestamp, tx_root, force_cursor) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        sql(number)?,
        s.hash.as_slice(),
        sql(s.epoch)?,
        sql(s.timestamp)?,
        s.tx_root.as_slice(),
        sql(s.force_cursor)?,
    ])?;
    Ok(())
}

/// What unwinding to `block` removes: the later blocks' places, and the records holding them.
pub(crate) fn unwind_sequencing(conn: &Connection, block: i64) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM evm_sequencing WHERE number > ?1",
        params![block],
    )?;
    conn.execute("DELETE FROM evm_inputs WHERE number > ?1", params![block])?;
    conn.execute(
        "DELETE FROM evm_records WHERE last_block > ?1",
        params![block],
    )?;
    Ok(())
}

impl StateDb {
    /// Block `number`'s place in the sequencing layer, if it was stored with one.
    pub fn sequencing(&self, number: u64) -> Result<Option<Sequencing>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT hash, epoch, timestamp, tx_root, force_cursor FROM evm_sequencing \
                 WHERE number = ?1",
            )?
            .query_row(params![sql(number)?], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .optional()?;
        row.map(|(hash, epoch, timestamp, tx_root, force_cursor)| {
            Ok(Sequencing {
                hash: to_b256(Some(hash))?.unwrap_or_default(),
                epoch: epoch as u64,
                timestamp: timestamp as u64,
                tx_root: to_b256(Some(tx_root))?.unwrap_or_default(),
                force_cursor: force_cursor as u64,
            })
        })
        .transpose()
    }

    /// The hashes of block `number`'s inputs (its queue entries', then its signed
    /// transactions'), if it was stored with them.
    pub fn block_inputs(&self, number: u64) -> Result<Option<Vec<B256>>, StoreError> {
        let hashes: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT hashes FROM evm_inputs WHERE number = ?1")?
            .query_row(params![sql(number)?], |r| r.get(0))
            .optional()?;
        hashes
            .map(|bytes| {
                if bytes.len() % 32 != 0 {
                    return Err(StoreError::Corrupt(format!(
                        "block {number}'s input hashes are {} bytes",
                        bytes.len()
                    )));
                }
                Ok(bytes.chunks(32).map(B256::from_slice).collect())
            })
            .transpose()
    }

    /// Records that BatchInbox record `record`, the next one, has been derived and ends at
    /// block `last_block`, which must be stored. Records are derived in order.
    pub fn record_derived(&mut self, record: u64, last_block: u64) -> Result<(), StoreError> {
        let head = self.l1_head()?;
        if record != head.records || last_block < head.block {
            return Err(StoreError::Corrupt(format!(
                "record {record} (to block {last_block}) does not follow the {} derived, which \
                 end at block {}",
                head.records, head.block
            )));
        }
        if self.header(last_block)?.is_none() {
            return Err(StoreError::Corrupt(format!(
                "record {record} ends at block {last_block}, which is not stored"
            )));
        }
        self.conn
            .prepare_cached("INSERT INTO evm_records (record, last_block) VALUES (?1, ?2)")?
            .execute(params![sql(record)?, sql(last_block)?])?;
        Ok(())
    }

    /// How far the derived records reach.
    pub fn l1_head(&self) -> Result<L1Head, StoreError> {
        let row: Option<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT record, last_block FROM evm_records ORDER BY record DESC LIMIT 1",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.map_or(
            L1Head {
                records: 0,
                block: 0,
            },
            |(record, block)| L1Head {
                records: record as u64 + 1,
                block: block as u64,
            },
        ))
    }

    /// Forgets the records from `record` on (L1 reorganised them away); their blocks stay,
    /// preconfirmed only, until the caller unwinds them or a new record settles them.
    pub fn forget_records_from(&mut self, record: u64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM evm_records WHERE record >= ?1")?
            .execute(params![sql(record)?])?;
        Ok(())
    }
}
