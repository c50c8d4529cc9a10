//! Everything a restart needs, in one embedded SQLite file.
//!
//! - **Slashing protection** (`signed`): every `(epoch, height, header hash)` the node signs is
//!   written, and the write committed, *before* the signature leaves the process. A second,
//!   different header for a height already signed in that epoch is refused, across crashes and
//!   restarts. That is exactly the pair the Slasher's evidence needs (same number and epoch), so
//!   the node can never be slashed for equivocation; a height whose block L1 never took may be
//!   signed again in a later epoch, where it is not an offence, so a dropped block never stalls
//!   the chain.
//! - **Preconfirmed blocks** (`blocks`): the blocks this node sealed or received that L1 does
//!   not hold yet, with their signatures, so a restarted leader re-offers the same blocks.
//! - **L1 data** (`records`, `queue_entries`, `l1_blocks`): the BatchInbox records and
//!   force-queue entries read from L1 and the hashes of the L1 blocks they came from, so the
//!   chain is re-derived locally on restart and an L1 reorg is detected by a changed hash.
//!
//! The file runs in WAL mode with `synchronous = FULL`: a committed signature row survives a
//! power cut, which is what slashing protection promises.

use alloy::primitives::{Address, B256, Bytes};
use baton_core::{BatchHeader, BlockHeader};
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
    /// The node already signed a different header for this height in this epoch: signing again
    /// would be equivocation.
    #[error(
        "refusing to sign height {height} in epoch {epoch}: header {existing} was already signed for it"
    )]
    AlreadySigned {
        /// The epoch.
        epoch: u64,
        /// The L2 block number.
        height: u64,
        /// The header hash signed before.
        existing: B256,
    },
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
    /// L1 block that holds it.
    pub l1_block: u64,
}

/// A sealed L2 block with the leader's signature: the preconfirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBlock {
    /// The signed header.
    pub header: BlockHeader,
    /// 65-byte signature over the header's EIP-712 digest.
    pub signature: Bytes,
    /// Fee recipient of the block's transactions.
    pub fee_recipient: Address,
    /// Force-queue entries consumed at the start of the block (first block of a record only).
    pub entries: Vec<u64>,
    /// Raw sequenced transactions, in order after the entries.
    pub transactions: Vec<Bytes>,
}

/// The node's database.
pub struct Store {
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS signed (
    epoch INTEGER NOT NULL,
    height INTEGER NOT NULL,
    header_hash BLOB NOT NULL,
    PRIMARY KEY (epoch, height)
);
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
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

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("stored types serialize")
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).expect("heights and indices fit SQLite's i64")
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// Slashing protection: records that `header_hash` is signed at `height` in `epoch`,
    /// durably, or refuses because another header was signed there. Signing the same header again
    /// is allowed (a restarted leader re-offering its block).
    pub fn guard_signature(
        &self,
        epoch: u64,
        height: u64,
        header_hash: B256,
    ) -> Result<(), StoreError> {
        match self.signed_at(epoch, height)? {
            Some(existing) if existing == header_hash => Ok(()),
            Some(existing) => Err(StoreError::AlreadySigned {
                epoch,
                height,
                existing,
            }),
            None => {
                self.conn.execute(
                    "INSERT INTO signed (epoch, height, header_hash) VALUES (?1, ?2, ?3)",
                    params![to_i64(epoch), to_i64(height), header_hash.as_slice()],
                )?;
                Ok(())
            }
        }
    }

    /// The header hash signed at `height` in `epoch`, if any.
    pub fn signed_at(&self, epoch: u64, height: u64) -> Result<Option<B256>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT header_hash FROM signed WHERE epoch = ?1 AND height = ?2",
                [to_i64(epoch), to_i64(height)],
                |row| row.get(0),
            )
            .optional()?;
        bytes
            .map(|b| B256::try_from(b.as_slice()).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// Saves a preconfirmed block (replacing one at the same number).
    pub fn put_block(&self, block: &SignedBlock) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO blocks (number, body) VALUES (?1, ?2)",
            params![to_i64(block.header.number), to_json(block)],
        )?;
        Ok(())
    }

    /// Preconfirmed blocks above `number`, in order.
    pub fn blocks_above(&self, number: u64) -> Result<Vec<SignedBlock>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM blocks WHERE number > ?1 ORDER BY number")?;
        let rows = stmt.query_map([to_i64(number)], |row| row.get::<_, String>(0))?;
        rows.map(|r| from_json(&r?)).collect()
    }

    /// Forgets preconfirmed blocks at or below `number` (L1 holds them now) or above it.
    pub fn delete_blocks(
        &self,
        at_or_below: Option<u64>,
        above: Option<u64>,
    ) -> Result<(), StoreError> {
        if let Some(n) = at_or_below {
            self.conn
                .execute("DELETE FROM blocks WHERE number <= ?1", [to_i64(n)])?;
        }
        if let Some(n) = above {
            self.conn
                .execute("DELETE FROM blocks WHERE number > ?1", [to_i64(n)])?;
        }
        Ok(())
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
        bytes
            .map(|b| B256::try_from(b.as_slice()).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
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
    fn a_second_header_for_a_signed_height_is_refused_after_reopening() {
        let dir = std::env::temp_dir().join(format!("baton-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("guard.sqlite");
        let _ = std::fs::remove_file(&path);
        let a = B256::repeat_byte(1);
        let b = B256::repeat_byte(2);
        {
            let store = Store::open(&path).unwrap();
            store.guard_signature(3, 7, a).unwrap();
            // The same header again is fine.
            store.guard_signature(3, 7, a).unwrap();
        }
        let store = Store::open(&path).unwrap();
        match store.guard_signature(3, 7, b) {
            Err(StoreError::AlreadySigned {
                epoch,
                height,
                existing,
            }) => {
                assert_eq!((epoch, height, existing), (3, 7, a));
            }
            other => panic!("expected AlreadySigned, got {other:?}"),
        }
        assert_eq!(store.signed_at(3, 7).unwrap(), Some(a));
        // Another height, or the same height in another epoch (not slashable), is free.
        store.guard_signature(3, 8, b).unwrap();
        store.guard_signature(4, 7, b).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn l1_data_rewinds_past_a_reorged_block() {
        let mut store = Store::in_memory().unwrap();
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
            l1_block,
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
