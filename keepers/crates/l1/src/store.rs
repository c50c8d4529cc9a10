//! The L1 tables: the BatchInbox records and force-queue entries read from L1 and the hashes of
//! the L1 blocks they came from, so that a process re-derives the chain locally on restart and
//! detects an L1 reorg by a changed hash ([`crate::follow`]).
//!
//! The node keeps them in its own database file beside its slashing protection (two connections
//! to one file); each keeper keeps them in a file of their own.

use alloy::primitives::{Address, B256, Bytes};
use baton_core::{Batch, BatchHeader, QueueEntry, RecordError, RecordLimits, check_record};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error (I/O, corruption, a full disk).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row does not decode (the file was written by an incompatible version).
    #[error("stored row does not decode: {0}")]
    Corrupt(String),
}

/// A BatchInbox record as read from L1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// Record index in the inbox.
    pub index: u64,
    /// The header (built by the contract for a forced record).
    pub header: BatchHeader,
    /// The batch data; empty for a forced record.
    pub data: Bytes,
    /// Whether it is a forced record.
    pub forced: bool,
    /// L1 block that holds it.
    pub l1_block: u64,
    /// Timestamp of that L1 block.
    pub l1_timestamp: u64,
}

/// A force-queue entry as read from L1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// Queue index.
    pub index: u64,
    /// Who enqueued it (the portal for deposits).
    pub sender: Address,
    /// The raw entry bytes.
    pub data: Bytes,
    /// The queue's accumulator before it, as its event gives it.
    pub accumulator_before: B256,
    /// L1 block that holds it.
    pub l1_block: u64,
    /// Last L1 block in which a record may leave it unconsumed, as its event gives it (the
    /// inclusion delay after `l1_block`, or later under a flood).
    pub deadline: u64,
}

impl StoredRecord {
    /// The record's batch, checked against its header; `None` for a forced record (it has no
    /// data). The inbox enforced its caps when it accepted the record, so none are applied.
    pub fn batch(&self) -> Result<Option<Batch>, RecordError> {
        if self.forced {
            return Ok(None);
        }
        check_record(&self.header, &self.data, &RecordLimits::UNLIMITED).map(Some)
    }
}

impl StoredEntry {
    /// The entry as derivation consumes it.
    pub fn queue_entry(&self) -> QueueEntry {
        QueueEntry {
            index: self.index,
            sender: self.sender,
            data: self.data.clone(),
            accumulator_before: self.accumulator_before,
        }
    }
}

/// The L1 tables of one SQLite file.
pub struct L1Store {
    conn: Connection,
}

impl std::fmt::Debug for L1Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L1Store").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    idx INTEGER PRIMARY KEY,
    l1_block INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_entries (
    idx INTEGER PRIMARY KEY,
    l1_block INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS l1_blocks (
    number INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// A stored value as its JSON text.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("stored types serialize")
}

/// A stored JSON text as its value.
pub fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A height or index as SQLite's integer.
pub fn to_i64(n: u64) -> i64 {
    i64::try_from(n).expect("heights and indices fit SQLite's i64")
}

/// A stored 32-byte column as a hash.
pub fn to_b256(bytes: Option<Vec<u8>>) -> Result<Option<B256>, StoreError> {
    bytes
        .map(|b| B256::try_from(b.as_slice()).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Opens (creating if needed) the SQLite file at `path` (`None`: in memory) the way every baton
/// database runs, and creates `schema`'s tables: WAL, and `synchronous = FULL`, so a committed
/// row survives a power cut (what slashing protection promises, and what keeps a keeper's record
/// of its moves exact).
pub fn open_durable(path: Option<&Path>, schema: &str) -> Result<Connection, rusqlite::Error> {
    let conn = match path {
        Some(path) => Connection::open(path)?,
        None => Connection::open_in_memory()?,
    };
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(schema)?;
    Ok(conn)
}

impl L1Store {
    /// Opens (creating if needed) the L1 tables in the file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_durable(Some(path), SCHEMA)?;
        Ok(Self { conn })
    }

    /// In memory (tests, and a one-off derivation).
    pub fn in_memory() -> Result<Self, StoreError> {
        let conn = open_durable(None, SCHEMA)?;
        Ok(Self { conn })
    }

    /// Saves L1 data read from one L1 block range, with the hashes of the blocks it was read at,
    /// atomically.
    pub fn put_l1(
        &mut self,
        records: &[StoredRecord],
        entries: &[StoredEntry],
        block_hashes: &[(u64, B256)],
        cursor: u64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for r in records {
            tx.execute(
                "INSERT OR REPLACE INTO records (idx, l1_block, body) VALUES (?1, ?2, ?3)",
                params![to_i64(r.index), to_i64(r.l1_block), to_json(r)],
            )?;
        }
        for e in entries {
            tx.execute(
                "INSERT OR REPLACE INTO queue_entries (idx, l1_block, body) VALUES (?1, ?2, ?3)",
                params![to_i64(e.index), to_i64(e.l1_block), to_json(e)],
            )?;
        }
        for (number, hash) in block_hashes {
            tx.execute(
                "INSERT OR REPLACE INTO l1_blocks (number, hash) VALUES (?1, ?2)",
                params![to_i64(*number), hash.as_slice()],
            )?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('l1_cursor', ?1)",
            [cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes everything read from L1 blocks above `number` (a reorg replaced them).
    pub fn rewind_l1(&mut self, number: u64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let n = to_i64(number);
        tx.execute("DELETE FROM records WHERE l1_block > ?1", [n])?;
        tx.execute("DELETE FROM queue_entries WHERE l1_block > ?1", [n])?;
        tx.execute("DELETE FROM l1_blocks WHERE number > ?1", [n])?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('l1_cursor', ?1)",
            [number.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last L1 block fully read, if any.
    pub fn l1_cursor(&self) -> Result<Option<u64>, StoreError> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'l1_cursor'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        value
            .map(|v| {
                v.parse()
                    .map_err(|_| StoreError::Corrupt(format!("l1_cursor {v}")))
            })
            .transpose()
    }

    /// The stored hash of L1 block `number`.
    pub fn l1_block_hash(&self, number: u64) -> Result<Option<B256>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT hash FROM l1_blocks WHERE number = ?1",
                [to_i64(number)],
                |row| row.get(0),
            )
            .optional()?;
        to_b256(bytes)
    }

    /// Every stored record, in inbox order.
    pub fn records(&self) -> Result<Vec<StoredRecord>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT body FROM records ORDER BY idx")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    }

    /// Every stored queue entry, in queue order.
    pub fn entries(&self) -> Result<Vec<StoredEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM queue_entries ORDER BY idx")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l1_data_rewinds_past_a_reorged_block() {
        let mut store = L1Store::in_memory().unwrap();
        let record = |index, l1_block| StoredRecord {
            index,
            header: BatchHeader::default(),
            data: Bytes::new(),
            forced: true,
            l1_block,
            l1_timestamp: 0,
        };
        let entry = |index, l1_block| StoredEntry {
            index,
            sender: Address::ZERO,
            data: Bytes::from(vec![1]),
            accumulator_before: B256::repeat_byte(index as u8),
            l1_block,
            deadline: l1_block + 30,
        };
        store
            .put_l1(
                &[record(0, 10), record(1, 12)],
                &[entry(0, 9), entry(1, 12)],
                &[(10, B256::repeat_byte(10)), (12, B256::repeat_byte(12))],
                12,
            )
            .unwrap();
        assert_eq!(store.l1_cursor().unwrap(), Some(12));
        store.rewind_l1(11).unwrap();
        assert_eq!(store.records().unwrap(), vec![record(0, 10)]);
        assert_eq!(store.entries().unwrap(), vec![entry(0, 9)]);
        assert_eq!(store.l1_block_hash(12).unwrap(), None);
        assert_eq!(
            store.l1_block_hash(10).unwrap(),
            Some(B256::repeat_byte(10))
        );
        assert_eq!(store.l1_cursor().unwrap(), Some(11));
    }
}
